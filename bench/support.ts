// What the benchmarks share: the engine under test (a PGlite directory or a database on a
// PostgreSQL server), the real server as a child process, signing in as a browser does, the real
// command line, and load runs with autocannon whose percentiles are computed from every request's
// own time. Used by bench/platform.ts (issue #2) and bench/groups.ts (issue #3).

import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { sql } from 'kysely'
import pg from 'pg'
import { openDatabase, type Database } from '../src/db/connection.ts'

export type Engine = 'pglite' | 'postgres'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const CLI = path.join(ROOT, 'bin', 'achilles.mjs')
export const RESULTS = path.join(ROOT, 'bench', 'results')

// ---------------------------------------------------------------------------------------------
// Small helpers

// Children and clean-ups to see to if the benchmark is interrupted.
export const children = new Set<ChildProcess>()
export const cleanups = new Set<() => Promise<void>>()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill('SIGKILL')
    void Promise.allSettled([...cleanups].map((c) => c())).then(() => process.exit(130))
  })
}

export const log = (text: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`)
export const since = (start: number) => (performance.now() - start) / 1000
export const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length) - 1
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!
}

/** Parses a whole-number flag, or exits with a message naming it. */
export function count(name: string, text: string | undefined, min = 0): number {
  const n = Number(text?.replace(/_/g, ''))
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} must be a whole number of at least ${min}\n`)
    process.exit(2)
  }
  return n
}

/** The engines named by --engine, or exits. */
export function enginesOf(flag: string | undefined): Engine[] {
  const engines: Engine[] = flag === 'both' ? ['pglite', 'postgres'] : flag === 'pglite' || flag === 'postgres' ? [flag] : []
  if (engines.length === 0) {
    process.stderr.write('--engine must be pglite, postgres or both\n')
    process.exit(2)
  }
  return engines
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

export function databaseUrlFor(serverUrl: string, name: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/** Runs work on a connection to the server's maintenance database (serverUrl as given). */
export async function onServerAdmin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

export function directorySize(dir: string): number {
  let total = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) total += directorySize(full)
    else if (entry.isFile()) total += fs.statSync(full).size
  }
  return total
}

/** CPU seconds (user + system) a process has used so far, from /proc; null where there is none. */
export function cpuSeconds(pid: number | undefined): number | null {
  if (!pid) return null
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null
  }
}

export function residentMiB(pid: number | undefined): number | null {
  if (!pid) return null
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1]
    return kb ? round(Number(kb) / 1024, 0) : null
  } catch {
    return null
  }
}

// ---------------------------------------------------------------------------------------------
// The engine under test: where its data lives and how the CLI and the server reach it

export type Target = {
  engine: Engine
  /** The environment the CLI and the server run with (ACHILLES_DATA_DIR or DATABASE_URL set). */
  env: NodeJS.ProcessEnv
  open: () => Promise<Database>
  size: (db: Database) => Promise<number>
  /** On PostgreSQL, how many queries are running in the benchmark database (other than ours); null on PGlite. */
  activeQueries: (() => Promise<number>) | null
  cleanup: () => Promise<void>
}

/**
 * A fresh PGlite directory under the system's temporary directory, or a fresh database `dbName`
 * on the server at serverUrl (dropped first if it exists). cleanup removes it unless keep.
 */
export async function prepareTarget(engine: Engine, o: { serverUrl: string; dbName: string; keep: boolean; env: NodeJS.ProcessEnv }): Promise<Target> {
  const base: NodeJS.ProcessEnv = { ...process.env, ...o.env }
  delete base.DATABASE_URL
  delete base.ACHILLES_DATA_DIR
  if (engine === 'pglite') {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'achilles-bench-'))
    const dataDir = path.join(parent, 'data')
    return {
      engine,
      env: { ...base, ACHILLES_DATA_DIR: dataDir },
      open: () => openDatabase({ dataDir }),
      size: async () => directorySize(dataDir),
      activeQueries: null,
      cleanup: async () => {
        if (o.keep) log(`kept the PGlite data directory ${dataDir}`)
        else fs.rmSync(parent, { recursive: true, force: true })
      },
    }
  }
  await onServerAdmin(o.serverUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${o.dbName} WITH (FORCE)`)
    await c.query(`CREATE DATABASE ${o.dbName}`)
  })
  const url = databaseUrlFor(o.serverUrl, o.dbName)
  return {
    engine,
    env: { ...base, DATABASE_URL: url },
    open: () => openDatabase({ url, poolSize: 10 }),
    size: async (db) => Number((await sql<{ n: number }>`SELECT pg_database_size(current_database()) AS n`.execute(db.kysely)).rows[0]!.n),
    activeQueries: () =>
      onServerAdmin(o.serverUrl, async (c) =>
        Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()`, [o.dbName])).rows[0]?.n ?? 0),
      ),
    cleanup: async () => {
      if (o.keep) log(`kept the database ${url}`)
      else await onServerAdmin(o.serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${o.dbName} WITH (FORCE)`))
    },
  }
}

/** Runs the real command line against the target; resolves with its output and exit code. */
export function runCli(target: Target, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: target.env, stdio: ['ignore', 'pipe', 'pipe'] })
    children.add(child)
    child.once('exit', () => children.delete(child))
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr, seconds: since(started) }))
  })
}

/** An API token made with the real CLI, `achilles token create` (through the server's control socket on PGlite). */
export async function createToken(target: Target, email: string, scopes: string, name = 'Benchmark'): Promise<{ token: string; seconds: number }> {
  const made = await runCli(target, ['token', 'create', '--user', email, '--scope', scopes, '--name', name])
  const token = made.stdout.trim().split('\n').pop() ?? ''
  if (made.code !== 0 || !token.startsWith('ach_')) throw new Error(`token create failed (${made.code}): ${made.stderr}${made.stdout}`)
  return { token, seconds: round(made.seconds, 3) }
}

// ---------------------------------------------------------------------------------------------
// The real server as a child process: cold start, and a clean stop on SIGTERM

export type Server = {
  child: ChildProcess
  base: string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  logFile: string
}
export type ColdStart = { toListeningLineSeconds: number | null; toFirstPageSeconds: number; rssMiBAfterStart: number | null }

/** Spawns `node bin/achilles.mjs serve` on a free port and waits for GET /sign-in to answer 200. */
export async function startServer(target: Target, logFile: string): Promise<{ server: Server; cold: ColdStart }> {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  // The server writes its log straight to the file, as a deployment's would go to a file or the
  // journal, so its logging never waits on this process's event loop, which also runs autocannon.
  const logFd = fs.openSync(logFile, 'w')
  const started = performance.now()
  const child = spawn(process.execPath, [CLI, 'serve'], { cwd: ROOT, env: { ...target.env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', logFd, logFd] })
  fs.closeSync(logFd)
  children.add(child)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child)
      resolve({ code, signal })
    }),
  )
  let listeningAt: number | null = null
  let gone = false
  void exited.then(() => (gone = true))
  for (;;) {
    if (listeningAt === null && fs.readFileSync(logFile, 'utf8').includes('Achilles is running at http://')) listeningAt = performance.now()
    if (gone) throw new Error(`The server exited before serving a page; see ${logFile}`)
    if (since(started) > 180) {
      // Stop it, or it outlives the benchmark after the error.
      child.kill('SIGKILL')
      await exited
      throw new Error(`The server did not serve /sign-in within 180 s; see ${logFile}`)
    }
    try {
      const res = await fetch(`${base}/sign-in`)
      await res.arrayBuffer()
      if (res.status === 200) break
    } catch {
      // not listening yet
    }
    await sleep(10)
  }
  const toFirstPageSeconds = since(started)
  const cold: ColdStart = {
    toListeningLineSeconds: listeningAt === null ? null : round((listeningAt - started) / 1000, 3),
    toFirstPageSeconds: round(toFirstPageSeconds, 3),
    rssMiBAfterStart: residentMiB(child.pid),
  }
  log(`${target.engine}: first GET /sign-in 200 after ${cold.toFirstPageSeconds} s (address printed after ${cold.toListeningLineSeconds} s)`)
  return { server: { child, base, exited, logFile }, cold }
}

export async function stopServer(server: Server): Promise<{ seconds: number; code: number | null; signal: string | null; clean: boolean }> {
  const started = performance.now()
  server.child.kill('SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 60_000)))
  const outcome = await Promise.race([server.exited, timeout])
  clearTimeout(timer)
  if (!outcome) {
    server.child.kill('SIGKILL')
    await server.exited
    return { seconds: round(since(started), 3), code: null, signal: 'SIGKILL after 60 s', clean: false }
  }
  return { seconds: round(since(started), 3), code: outcome.code, signal: outcome.signal, clean: outcome.code === 0 && outcome.signal === null }
}

// ---------------------------------------------------------------------------------------------
// Signing in as a browser would

function cookiesFrom(res: Response, jar: Map<string, string>): void {
  for (const c of res.headers.getSetCookie()) {
    const pair = c.split(';')[0] ?? ''
    const eq = pair.indexOf('=')
    if (eq > 0) jar.set(pair.slice(0, eq), pair.slice(eq + 1))
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')

/**
 * Signs in through the form (GET /sign-in for the _csrf field and cookie, POST /sign-in) and
 * returns the Cookie header for the session. The cookies are sent by hand because they are Secure.
 */
export async function signIn(base: string, email: string, password: string): Promise<string> {
  const jar = new Map<string, string>()
  const page = await fetch(`${base}/sign-in`)
  cookiesFrom(page, jar)
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1]
  if (!csrf) throw new Error('No _csrf field on /sign-in')
  const res = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
    body: new URLSearchParams({ _csrf: csrf, email, password, next: '/' }).toString(),
  })
  await res.arrayBuffer()
  cookiesFrom(res, jar)
  if (res.status !== 303 || !jar.has('achilles_session')) throw new Error(`Signing in as ${email} answered ${res.status}`)
  const cookie = ['achilles_session', 'achilles_csrf'].filter((k) => jar.has(k)).map((k) => `${k}=${jar.get(k)}`).join('; ')
  const home = await fetch(`${base}/`, { headers: { cookie }, redirect: 'manual' })
  const body = await home.text()
  if (home.status !== 200) throw new Error(`GET / after signing in answered ${home.status}`)
  if (!body.includes('Sign out')) log('warning: the dashboard does not show "Sign out"; is the session being used?')
  return cookie
}

// ---------------------------------------------------------------------------------------------
// Load with autocannon

export type LoadFigures = {
  connections: number
  /** Why the run was not made, when one request alone shows it would swamp the server. */
  skipped: string | null
  /** A run lasts a set time, or (when requests are slow) until a set number of requests is answered. */
  mode: string
  seconds: number
  requests: number
  rps: number
  meanMs: number
  p50Ms: number
  p90Ms: number
  p95Ms: number
  p99Ms: number
  maxMs: number
  non2xx: number
  errors: number
  timeouts: number
  /** After autocannon stops, how long until the server answers GET /healthz (requests left in flight). */
  drainSeconds: number
  serverCpuPercent: number | null
  serverRssMiB: number | null
  loadAverage: number
}

export type Scenario = {
  label: string
  headers: Record<string, string>
  /** Paths requested in turn (one each request, round and round). */
  paths: readonly string[]
  /** Requests the server can work on at once: 1 on PGlite (one connection), the cores on a server. */
  parallel: number
}

export type ScenarioFigures = { probeMs: number; runs: LoadFigures[] }

export type LoadOptions = {
  /** Concurrent connections, one run each. */
  connections: readonly number[]
  /** Seconds per run. */
  duration: number
  /** Seconds of unrecorded load before each run (0 for none). */
  warmup: number
  /** Skip a run whose requests left queued at its end would take the server longer than this (s). */
  maxBacklog: number
}

export function cannon(opts: autocannon.Options, onLatency?: (ms: number) => void): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err: unknown, result: autocannon.Result) => (err ? reject(err) : resolve(result)))
    if (onLatency) instance.on('response', (_client, status, _bytes, ms) => status >= 200 && status < 300 && onLatency(ms))
  })
}

export async function timedGet(base: string, headers: Record<string, string>, urlPath: string): Promise<number> {
  const started = performance.now()
  const res = await fetch(`${base}${urlPath}`, { headers, redirect: 'manual' })
  await res.arrayBuffer()
  if (res.status !== 200) throw new Error(`GET ${urlPath} answered ${res.status}`)
  return performance.now() - started
}

/**
 * Waits until the server has finished the requests left in flight when the load stopped: it answers
 * /healthz, its process is idle, and (on a PostgreSQL server) no query is running in the benchmark
 * database, twice in a row. Returns how long that took. (Counting the server's "request completed"
 * log lines does not work: a request whose client hung up first, as autocannon does to the
 * requests in flight when it stops, may never be answered.)
 */
export async function drain(server: Server, activeQueries: Target['activeQueries']): Promise<number> {
  const started = performance.now()
  let quiet = 0
  let lastReport = performance.now()
  while (quiet < 2) {
    const why: string[] = []
    if (since(started) > 900) throw new Error('The server was still busy 900 s after the load stopped')
    let idle = true
    try {
      const res = await fetch(`${server.base}/healthz`, { signal: AbortSignal.timeout(900_000) })
      await res.arrayBuffer()
      idle = res.status === 200
      if (!idle) why.push(`/healthz ${res.status}`)
    } catch (error) {
      idle = false
      why.push(`/healthz ${(error as Error).message}`)
    }
    const cpuBefore = cpuSeconds(server.child.pid)
    await sleep(300)
    const cpuAfter = cpuSeconds(server.child.pid)
    if (cpuBefore !== null && cpuAfter !== null && (cpuAfter - cpuBefore) / 0.3 > 0.2) {
      idle = false
      why.push(`server CPU ${Math.round(((cpuAfter - cpuBefore) / 0.3) * 100)}%`)
    }
    if (activeQueries) {
      const active = await activeQueries()
      if (active > 0) {
        idle = false
        why.push(`${active} active queries`)
      }
    }
    quiet = idle ? quiet + 1 : 0
    if (why.length > 0 && performance.now() - lastReport > 10_000) {
      lastReport = performance.now()
      log(`  waiting for the server to finish the requests left in flight: ${why.join(', ')}`)
    }
  }
  return Math.max(0, since(started) - 0.6)
}

/**
 * One request alone (after one to warm up), then one autocannon run per number of connections,
 * GETting the scenario's paths in turn. Latencies are every 2xx response's own time.
 */
export async function scenario(server: Server, activeQueries: Target['activeQueries'], s: Scenario, load: LoadOptions): Promise<ScenarioFigures> {
  const base = server.base
  const serverPid = server.child.pid
  let next = 0
  const nextPath = () => s.paths[next++ % s.paths.length]!
  // One request on its own (after one to warm up): the service time, and how the skip rule below sees it.
  await timedGet(base, s.headers, nextPath())
  const probeMs = await timedGet(base, s.headers, nextPath())
  log(`  ${s.label}: one request alone takes ${round(probeMs, 1)} ms`)
  const runs: LoadFigures[] = []
  for (const connections of load.connections) {
    const empty = { connections, mode: '', seconds: 0, requests: 0, rps: 0, meanMs: NaN, p50Ms: NaN, p90Ms: NaN, p95Ms: NaN, p99Ms: NaN, maxMs: NaN, non2xx: 0, errors: 0, timeouts: 0, drainSeconds: 0, serverCpuPercent: null, serverRssMiB: null, loadAverage: round(os.loadavg()[0]!, 2) }
    // When the load stops, up to `connections` requests are still queued at the server; if they
    // would keep it busy for minutes the run says nothing the single request has not said already.
    const backlog = (connections * probeMs) / 1000 / s.parallel
    if (connections > 1 && backlog > load.maxBacklog) {
      const skipped = `not run: one request takes ${round(probeMs / 1000, 2)} s, so ${connections} clients would leave about ${Math.round(backlog)} s of queued work (over --max-backlog ${load.maxBacklog} s)`
      log(`  ${s.label} c=${connections}: ${skipped}`)
      runs.push({ ...empty, skipped })
      continue
    }
    const opts: autocannon.Options = {
      url: base,
      connections,
      pipelining: 1,
      // Never time out and resend: a resent request would only add to the queue being measured.
      timeout: 600,
      headers: s.headers,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: nextPath() }) }],
    }
    if (load.warmup > 0 && probeMs < 1000) {
      await cannon({ ...opts, duration: load.warmup })
      await drain(server, activeQueries)
    }
    const latencies: number[] = []
    const loadAverage = round(os.loadavg()[0]!, 2)
    const cpuBefore = cpuSeconds(serverPid)
    const wallStart = performance.now()
    // When each connection would finish fewer than three requests in the set duration, send a fixed
    // number instead (two per connection) and wait for every answer, so the figures describe whole
    // requests rather than the few that happened to fit.
    const perConnection = (load.duration * 1000 * s.parallel) / (connections * probeMs)
    const amount = perConnection < 3 ? 2 * connections : undefined
    if (amount) log(`  ${s.label} c=${connections}: sending ${amount} requests and waiting for all of them (about ${Math.round((amount * probeMs) / 1000 / s.parallel)} s)`)
    const result = await cannon(amount ? { ...opts, amount } : { ...opts, duration: load.duration }, (ms) => latencies.push(ms))
    const wall = since(wallStart)
    const cpuAfter = cpuSeconds(serverPid)
    const drainSeconds = await drain(server, activeQueries)
    latencies.sort((a, b) => a - b)
    const ok = latencies.length
    const figures: LoadFigures = {
      connections,
      skipped: null,
      mode: amount ? `${amount} requests` : `${load.duration} s`,
      seconds: round(result.duration, 2),
      requests: ok,
      rps: round(ok / result.duration, 1),
      meanMs: round(latencies.reduce((sum, x) => sum + x, 0) / Math.max(ok, 1)),
      p50Ms: round(percentile(latencies, 50)),
      p90Ms: round(percentile(latencies, 90)),
      p95Ms: round(percentile(latencies, 95)),
      p99Ms: round(percentile(latencies, 99)),
      maxMs: round(latencies[ok - 1] ?? NaN),
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      drainSeconds: round(drainSeconds, 2),
      serverCpuPercent: cpuBefore === null || cpuAfter === null ? null : round(((cpuAfter - cpuBefore) / wall) * 100, 0),
      serverRssMiB: residentMiB(serverPid),
      loadAverage,
    }
    log(
      `  ${s.label} c=${connections}: ${figures.rps} req/s (${ok} requests), p50 ${figures.p50Ms} ms, p95 ${figures.p95Ms} ms, mean ${figures.meanMs} ms` +
        `${figures.non2xx || figures.errors ? `, ${figures.non2xx} non-2xx, ${figures.errors} errors` : ''}${drainSeconds > 1 ? `, ${round(drainSeconds, 1)} s to drain` : ''}`,
    )
    runs.push(figures)
  }
  return { probeMs: round(probeMs), runs }
}

// ---------------------------------------------------------------------------------------------
// What was measured, and on what

/**
 * The commit measured, and whether src/ differed from it (others may be editing the working tree);
 * callers also set srcChanged when src/ changed while the server was running.
 */
export function sourceVersion(): { commit: string; srcChanged: boolean } | null {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
    const changed = execFileSync('git', ['status', '--porcelain', '--', 'src', 'views', 'web', 'bin', 'package.json'], { cwd: ROOT, encoding: 'utf8' }).trim()
    return { commit, srcChanged: changed.length > 0 }
  } catch {
    return null
  }
}

export async function machine(engine: Engine, serverUrl: string): Promise<Record<string, unknown>> {
  const cpus = os.cpus()
  const info: Record<string, unknown> = {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverageAtEnd: os.loadavg().map((x) => round(x, 2)),
  }
  const pglite = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }
  if (engine === 'pglite') info.pglite = pglite.version
  else info.postgres = await onServerAdmin(serverUrl, async (c) => (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version)
  return info
}

/** A plain-text table: the first column left-aligned, the rest right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n')
}

/** A number for a summary: en-GB grouping, a dash for none. */
export const n = (x: number | null | undefined, places = 1) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toLocaleString('en-GB', { maximumFractionDigits: places }))

/** Runs each engine in turn and writes its figures to bench/results/NAME-ENGINE-STAMP.json. */
export async function runEngines<R extends { totalSeconds: number }>(name: string, engines: readonly Engine[], run: (engine: Engine, stamp: string) => Promise<R>): Promise<R[]> {
  fs.mkdirSync(RESULTS, { recursive: true })
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)
  const results: R[] = []
  for (const engine of engines) {
    const result = await run(engine, stamp)
    const file = path.join(RESULTS, `${name}-${engine}-${stamp}.json`)
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`)
    log(`${engine}: done in ${result.totalSeconds} s; figures in ${path.relative(ROOT, file)}`)
    results.push(result)
  }
  return results
}

/** A target's verdict as the summaries print it: MET, or MISSED by how much. */
export function verdictOf(t: { met: boolean | null; measured: number | null; limit: number; unit: string }): string {
  if (t.met === null) return t.measured === null ? 'NOT MEASURED' : 'UNKNOWN'
  if (t.met) return 'MET'
  const over = t.measured! - t.limit
  return `MISSED by ${n(over, t.unit === 's' ? 2 : 1)} ${t.unit} (${n((over / t.limit) * 100, 0)}%)`
}

/** After an engine's run, however it ended: the server killed and the database dropped (unless kept). */
export async function endRun(server: Server | undefined, target: Target): Promise<void> {
  if (server) {
    server.child.kill('SIGKILL')
    await server.exited
  }
  cleanups.delete(target.cleanup)
  await target.cleanup()
}

/** The summary's first line: which commit and machine the figures are from. */
export function summaryHeading(results: ReadonlyArray<{ source: { commit: string; srcChanged: boolean } | null; machine: Record<string, unknown> }>): string[] {
  const src = results[0]?.source
  return src ? [`Commit ${src.commit}${src.srcChanged ? ' with uncommitted changes to src/' : ''}; ${String(results[0]!.machine.cpus)} CPUs (${String(results[0]!.machine.cpuModel)})`, ''] : []
}
