// Platform benchmark (issue #2): national-scale seed time, cold start to the first served page,
// dashboard and record-read latency under load, audit rows written per second, and verify-audit
// time per million rows, on PGlite and on a PostgreSQL server. See bench/README.md.
//
//   npm run bench -- [--engine pglite|postgres|both] [--notes N] [--audit-rows N] [--duration S] ...
//
// Progress goes to stderr; the summary and the JSON figures go to stdout (only the JSON with --json).
// Each engine's figures are also written to bench/results/platform-<engine>-<timestamp>.json.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { sql } from 'kysely'
import pg from 'pg'
import { DEFAULT_ADMIN_EMAIL } from '../src/cli/commands.ts'
import { nationalPartnership, type Partnership, type SeedUser } from '../src/core/demo/partnership.ts'
import { openDatabase, type Database } from '../src/db/connection.ts'
import { asSystem } from '../src/db/context.ts'
import { migrate } from '../src/db/migrate.ts'
import { auditLength, recordAudit, verifyAuditChain } from '../src/modules/audit/service.ts'
import { loadPartnership } from '../src/modules/demo/service.ts'

type Engine = 'pglite' | 'postgres'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const CLI = path.join(ROOT, 'bin', 'achilles.mjs')
const RESULTS = path.join(ROOT, 'bench', 'results')
const BENCH_DB = 'achilles_bench'

// ---------------------------------------------------------------------------------------------
// Options

const { values: flags } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    notes: { type: 'string', default: '50000' },
    'audit-rows': { type: 'string' },
    'audit-rows-pglite': { type: 'string', default: '100000' },
    'audit-rows-postgres': { type: 'string', default: '1000000' },
    'single-appends': { type: 'string', default: '2000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '1,10,50' },
    'database-url': { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/' },
    'log-level': { type: 'string', default: 'info' },
    'max-backlog': { type: 'string', default: '60' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

if (flags.help) {
  process.stdout.write(`npm run bench -- [options]

  --engine pglite|postgres|both   which database engines to measure (default both)
  --notes N                       notes in the national partnership (default 50000)
  --audit-rows N                  audit rows to append in bulk on every engine (overrides the two below)
  --audit-rows-pglite N           (default 100000)
  --audit-rows-postgres N         (default 1000000)
  --single-appends N              one-row appends, each in its own transaction (default 2000)
  --duration S                    seconds per load run (default 10)
  --warmup S                      seconds of unrecorded load before each run (default 2; 0 for none)
  --connections LIST              concurrent connections per run (default 1,10,50)
  --database-url URL              PostgreSQL server to create ${BENCH_DB} on (default postgres://postgres@127.0.0.1:5432/)
  --log-level LEVEL               the server's LOG_LEVEL during the runs (default info, as shipped)
  --max-backlog S                 skip a load run whose requests left queued at its end would take the
                                  server more than S seconds to finish (default 60)
  --keep                          keep the PGlite data directory and the ${BENCH_DB} database
  --json                          print only the JSON figures on stdout
`)
  process.exit(0)
}

const count = (name: string, text: string | undefined, min = 0): number => {
  const n = Number(text?.replace(/_/g, ''))
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} must be a whole number of at least ${min}\n`)
    process.exit(2)
  }
  return n
}

const engines: Engine[] =
  flags.engine === 'both' ? ['pglite', 'postgres'] : flags.engine === 'pglite' || flags.engine === 'postgres' ? [flags.engine] : []
if (engines.length === 0) {
  process.stderr.write('--engine must be pglite, postgres or both\n')
  process.exit(2)
}
const options = {
  notes: count('notes', flags.notes),
  auditRows: {
    pglite: count('audit-rows', flags['audit-rows'] ?? flags['audit-rows-pglite']),
    postgres: count('audit-rows', flags['audit-rows'] ?? flags['audit-rows-postgres']),
  },
  singleAppends: count('single-appends', flags['single-appends']),
  duration: count('duration', flags.duration, 1),
  warmup: count('warmup', flags.warmup),
  connections: (flags.connections ?? '').split(',').map((c) => count('connections', c.trim(), 1)),
  databaseUrl: flags['database-url']!,
  logLevel: flags['log-level']!,
  maxBacklog: count('max-backlog', flags['max-backlog'], 1),
  keep: flags.keep === true,
}
const ADMIN_EMAIL = process.env.ACHILLES_ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL
const PASSWORD = process.env.ACHILLES_ADMIN_PASSWORD ?? 'benchmark password 2026'

// ---------------------------------------------------------------------------------------------
// Small helpers

// Children and clean-ups to see to if the benchmark is interrupted.
const children = new Set<ChildProcess>()
const cleanups = new Set<() => Promise<void>>()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill('SIGKILL')
    void Promise.allSettled([...cleanups].map((c) => c())).then(() => process.exit(130))
  })
}

const log = (text: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`)
const since = (start: number) => (performance.now() - start) / 1000
const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length) - 1
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

function databaseUrlFor(name: string): string {
  const url = new URL(options.databaseUrl)
  url.pathname = `/${name}`
  return url.toString()
}

async function onServerAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: options.databaseUrl })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

function directorySize(dir: string): number {
  let total = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) total += directorySize(full)
    else if (entry.isFile()) total += fs.statSync(full).size
  }
  return total
}

/** CPU seconds (user + system) a process has used so far, from /proc; null where there is none. */
function cpuSeconds(pid: number | undefined): number | null {
  if (!pid) return null
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null
  }
}

function residentMiB(pid: number | undefined): number | null {
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

type Target = {
  engine: Engine
  env: NodeJS.ProcessEnv
  open: () => Promise<Database>
  size: (db: Database) => Promise<number>
  cleanup: () => Promise<void>
}

async function prepare(engine: Engine): Promise<Target> {
  const base: NodeJS.ProcessEnv = { ...process.env, ACHILLES_ADMIN_EMAIL: ADMIN_EMAIL, ACHILLES_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: options.logLevel }
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
      cleanup: async () => {
        if (options.keep) log(`kept the PGlite data directory ${dataDir}`)
        else fs.rmSync(parent, { recursive: true, force: true })
      },
    }
  }
  await onServerAdmin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`)
    await c.query(`CREATE DATABASE ${BENCH_DB}`)
  })
  const url = databaseUrlFor(BENCH_DB)
  return {
    engine,
    env: { ...base, DATABASE_URL: url },
    open: () => openDatabase({ url, poolSize: 10 }),
    size: async (db) => Number((await sql<{ n: number }>`SELECT pg_database_size(current_database()) AS n`.execute(db.kysely)).rows[0]!.n),
    cleanup: async () => {
      if (options.keep) log(`kept the database ${url}`)
      else await onServerAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`))
    },
  }
}

/** Runs the real command line against the target; resolves with its output and exit code. */
function runCli(target: Target, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
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

// ---------------------------------------------------------------------------------------------
// 1. Seed the national partnership (what `achilles seed --scale national` does)

type SeedFigures = {
  notes: number
  agencies: number
  users: number
  contacts: number
  shares: number
  /** Opening the database; on a fresh PGlite directory this creates the cluster (initdb). */
  openSeconds: number
  generateSeconds: number
  migrateSeconds: number
  loadSeconds: number
  seedSeconds: number
  databaseBytes: number
}

async function seed(target: Target): Promise<{ figures: SeedFigures; partnership: Partnership }> {
  log(`${target.engine}: seeding the national partnership (${options.notes.toLocaleString('en-GB')} notes)`)
  const started = performance.now()
  const db = await target.open()
  const openSeconds = since(started)
  try {
    const m = performance.now()
    await migrate(db)
    const migrateSeconds = since(m)
    const g = performance.now()
    const today = new Date().toISOString().slice(0, 10)
    const partnership = nationalPartnership({ adminEmail: ADMIN_EMAIL, today, notes: options.notes })
    const generateSeconds = since(g)
    const l = performance.now()
    const loaded = await loadPartnership(db, partnership, PASSWORD)
    const loadSeconds = since(l)
    const seedSeconds = since(started)
    const figures: SeedFigures = {
      ...loaded,
      openSeconds: round(openSeconds),
      generateSeconds: round(generateSeconds),
      migrateSeconds: round(migrateSeconds),
      loadSeconds: round(loadSeconds),
      seedSeconds: round(seedSeconds),
      databaseBytes: 0,
    }
    figures.databaseBytes = await target.size(db)
    log(`${target.engine}: seeded in ${figures.seedSeconds} s (open ${figures.openSeconds} s, migrate ${figures.migrateSeconds} s, generate ${figures.generateSeconds} s, load ${figures.loadSeconds} s)`)
    return { figures, partnership }
  } finally {
    await db.close()
  }
}

/** The analyst in the agency owning the most notes: a busy, ordinary user of the platform. */
function chooseAnalyst(p: Partnership): SeedUser {
  const owned = new Map<string, number>()
  for (const n of p.notes) owned.set(n.owningAgencyId, (owned.get(n.owningAgencyId) ?? 0) + 1)
  const analysts = p.users.filter((u) => u.roles.length === 1 && u.roles[0] === 'analyst')
  if (analysts.length === 0) throw new Error('The national partnership has no analyst')
  return analysts.reduce((best, u) => ((owned.get(u.agencyId) ?? 0) > (owned.get(best.agencyId) ?? 0) ? u : best))
}

// ---------------------------------------------------------------------------------------------
// 2. The real server as a child process: cold start, and a clean stop on SIGTERM

type Server = {
  child: ChildProcess
  base: string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  logFile: string
}
type ColdStart = { toListeningLineSeconds: number | null; toFirstPageSeconds: number; rssMiBAfterStart: number | null }

async function startServer(target: Target, stamp: string): Promise<{ server: Server; cold: ColdStart }> {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const logFile = path.join(RESULTS, `server-${target.engine}-${stamp}.log`)
  const logStream = fs.createWriteStream(logFile)
  const started = performance.now()
  const child = spawn(process.execPath, [CLI, 'serve'], { cwd: ROOT, env: { ...target.env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child)
      resolve({ code, signal })
    }),
  )
  let listeningAt: number | null = null
  let early = ''
  child.stdout!.on('data', (d: Buffer) => {
    logStream.write(d)
    if (listeningAt === null) {
      early += d.toString()
      if (early.includes('Achilles is running at http://')) listeningAt = performance.now()
    }
  })
  child.stderr!.on('data', (d: Buffer) => logStream.write(d))
  let gone = false
  void exited.then(() => {
    gone = true
    logStream.end()
  })
  for (;;) {
    if (gone) throw new Error(`The server exited before serving a page; see ${logFile}`)
    if (since(started) > 180) throw new Error(`The server did not serve /sign-in within 180 s; see ${logFile}`)
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

async function stopServer(server: Server): Promise<{ seconds: number; code: number | null; signal: string | null; clean: boolean }> {
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
// 3. Signing in and getting a token, as a browser and an API client would

function cookiesFrom(res: Response, jar: Map<string, string>): void {
  for (const c of res.headers.getSetCookie()) {
    const pair = c.split(';')[0] ?? ''
    const eq = pair.indexOf('=')
    if (eq > 0) jar.set(pair.slice(0, eq), pair.slice(eq + 1))
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')

async function signIn(base: string, email: string): Promise<string> {
  const jar = new Map<string, string>()
  const page = await fetch(`${base}/sign-in`)
  cookiesFrom(page, jar)
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1]
  if (!csrf) throw new Error('No _csrf field on /sign-in')
  const res = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
    body: new URLSearchParams({ _csrf: csrf, email, password: PASSWORD, next: '/' }).toString(),
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

async function createToken(target: Target, email: string): Promise<{ token: string; seconds: number }> {
  const made = await runCli(target, ['token', 'create', '--user', email, '--scope', 'records:read', '--name', 'Benchmark'])
  const token = made.stdout.trim().split('\n').pop() ?? ''
  if (made.code !== 0 || !token.startsWith('ach_')) throw new Error(`token create failed (${made.code}): ${made.stderr}${made.stdout}`)
  return { token, seconds: round(made.seconds, 3) }
}

async function visibleNoteIds(base: string, token: string, wanted: number): Promise<{ ids: string[]; total: number }> {
  const ids: string[] = []
  let total = 0
  for (let page = 1; ids.length < wanted; page++) {
    const res = await fetch(`${base}/api/v1/notes?page=${page}`, { headers: { authorization: `Bearer ${token}` } })
    if (res.status !== 200) throw new Error(`GET /api/v1/notes answered ${res.status}: ${await res.text()}`)
    const body = (await res.json()) as { total: number; notes: Array<{ id: string }> }
    total = body.total
    if (body.notes.length === 0) break
    ids.push(...body.notes.map((n) => n.id))
  }
  if (ids.length === 0) throw new Error('The analyst may see no notes')
  for (const id of ids.slice(0, 3)) {
    const res = await fetch(`${base}/api/v1/notes/${id}`, { headers: { authorization: `Bearer ${token}` } })
    await res.arrayBuffer()
    if (res.status !== 200) throw new Error(`GET /api/v1/notes/${id} answered ${res.status}`)
  }
  return { ids: ids.slice(0, wanted), total }
}

// ---------------------------------------------------------------------------------------------
// 4. Load with autocannon

type LoadFigures = {
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

type Scenario = {
  label: string
  headers: Record<string, string>
  paths: readonly string[]
  /** Requests the server can work on at once: 1 on PGlite (one connection), the cores on a server. */
  parallel: number
}

type ScenarioFigures = { probeMs: number; runs: LoadFigures[] }

function cannon(opts: autocannon.Options, onLatency?: (ms: number) => void): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err: unknown, result: autocannon.Result) => (err ? reject(err) : resolve(result)))
    if (onLatency) instance.on('response', (_client, status, _bytes, ms) => status >= 200 && status < 300 && onLatency(ms))
  })
}

async function timedGet(base: string, headers: Record<string, string>, urlPath: string): Promise<number> {
  const started = performance.now()
  const res = await fetch(`${base}${urlPath}`, { headers, redirect: 'manual' })
  await res.arrayBuffer()
  if (res.status !== 200) throw new Error(`GET ${urlPath} answered ${res.status}`)
  return performance.now() - started
}

/**
 * Waits until the server has finished the requests left in flight when the load stopped: it answers
 * /healthz, its process is idle, and (on a PostgreSQL server) no query is running in the benchmark
 * database, twice in a row. Returns how long that took. (Counting the server's "incoming request"
 * and "request completed" log lines does not work: Fastify logs no completion for a request whose
 * client hung up first, which autocannon does to the requests in flight when it stops.)
 */
async function drain(base: string, server: Server, engine: Engine): Promise<number> {
  const started = performance.now()
  let quiet = 0
  let lastReport = performance.now()
  while (quiet < 2) {
    const why: string[] = []
    if (since(started) > 900) throw new Error('The server was still busy 900 s after the load stopped')
    let idle = true
    try {
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(900_000) })
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
    if (engine === 'postgres') {
      const active = await onServerAdmin(async (c) =>
        Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()`, [BENCH_DB])).rows[0]?.n ?? 0),
      )
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

async function scenario(server: Server, engine: Engine, s: Scenario): Promise<ScenarioFigures> {
  const base = server.base
  const serverPid = server.child.pid
  let next = 0
  const nextPath = () => s.paths[next++ % s.paths.length]!
  // One request on its own (after one to warm up): the service time, and how the skip rule below sees it.
  await timedGet(base, s.headers, nextPath())
  const probeMs = await timedGet(base, s.headers, nextPath())
  log(`  ${s.label}: one request alone takes ${round(probeMs, 1)} ms`)
  const runs: LoadFigures[] = []
  for (const connections of options.connections) {
    const empty = { connections, mode: '', seconds: 0, requests: 0, rps: 0, meanMs: NaN, p50Ms: NaN, p90Ms: NaN, p95Ms: NaN, p99Ms: NaN, maxMs: NaN, non2xx: 0, errors: 0, timeouts: 0, drainSeconds: 0, serverCpuPercent: null, serverRssMiB: null, loadAverage: round(os.loadavg()[0]!, 2) }
    // When the load stops, up to `connections` requests are still queued at the server; if they
    // would keep it busy for minutes the run says nothing the single request has not said already.
    const backlog = (connections * probeMs) / 1000 / s.parallel
    if (connections > 1 && backlog > options.maxBacklog) {
      const skipped = `not run: one request takes ${round(probeMs / 1000, 2)} s, so ${connections} clients would leave about ${Math.round(backlog)} s of queued work (over --max-backlog ${options.maxBacklog} s)`
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
    if (options.warmup > 0 && probeMs < 1000) {
      await cannon({ ...opts, duration: options.warmup })
      await drain(base, server, engine)
    }
    const latencies: number[] = []
    const loadAverage = round(os.loadavg()[0]!, 2)
    const cpuBefore = cpuSeconds(serverPid)
    const wallStart = performance.now()
    // When each connection would finish fewer than three requests in the set duration, send a fixed
    // number instead (two per connection) and wait for every answer, so the figures describe whole
    // requests rather than the few that happened to fit.
    const perConnection = (options.duration * 1000 * s.parallel) / (connections * probeMs)
    const amount = perConnection < 3 ? 2 * connections : undefined
    if (amount) log(`  ${s.label} c=${connections}: sending ${amount} requests and waiting for all of them (about ${Math.round((amount * probeMs) / 1000 / s.parallel)} s)`)
    const result = await cannon(amount ? { ...opts, amount } : { ...opts, duration: options.duration }, (ms) => latencies.push(ms))
    const wall = since(wallStart)
    const cpuAfter = cpuSeconds(serverPid)
    const drainSeconds = await drain(base, server, engine)
    latencies.sort((a, b) => a - b)
    const ok = latencies.length
    const figures: LoadFigures = {
      connections,
      skipped: null,
      mode: amount ? `${amount} requests` : `${options.duration} s`,
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
// 5. Audit appends and verification, in-process through the application's own functions

type AuditFigures = {
  rowsBefore: number
  singleAppends: { rows: number; seconds: number; rowsPerSecond: number }
  concurrentSingleAppends: { rows: number; workers: number; seconds: number; rowsPerSecond: number } | null
  bulk: { rows: number; statements: number; seconds: number; rowsPerSecond: number }
  verify: { rows: number; seconds: number; secondsPerMillionRows: number; intact: boolean; broken: string | null }
  tableBytes: number
}

async function singleAppends(db: Database, n: number, worker = 0): Promise<void> {
  for (let i = 0; i < n; i++) {
    await asSystem(db, (tx) =>
      recordAudit(tx, 'system', { action: 'consultation', recordType: 'benchmark', recordId: `single-${worker}-${i}`, purpose: 'Benchmark: one-row appends', detail: { i } }),
    )
  }
}

async function audit(target: Target, bulkRows: number): Promise<AuditFigures> {
  const db = await target.open()
  try {
    const rowsBefore = await auditLength(db)

    log(`${target.engine}: ${options.singleAppends.toLocaleString('en-GB')} one-row appends, each in its own transaction`)
    let t = performance.now()
    await singleAppends(db, options.singleAppends)
    let s = since(t)
    const single = { rows: options.singleAppends, seconds: round(s, 3), rowsPerSecond: round(options.singleAppends / s, 0) }
    log(`${target.engine}: ${single.rowsPerSecond} rows/s one at a time`)

    let concurrent: AuditFigures['concurrentSingleAppends'] = null
    if (target.engine === 'postgres' && options.singleAppends > 0) {
      const workers = 10
      const each = Math.ceil(options.singleAppends / workers)
      t = performance.now()
      await Promise.all(Array.from({ length: workers }, (_, w) => singleAppends(db, each, w + 1)))
      s = since(t)
      concurrent = { rows: each * workers, workers, seconds: round(s, 3), rowsPerSecond: round((each * workers) / s, 0) }
      log(`${target.engine}: ${concurrent.rowsPerSecond} rows/s one at a time from ${workers} concurrent connections`)
    }

    log(`${target.engine}: appending ${bulkRows.toLocaleString('en-GB')} rows with achilles_audit_append over generate_series`)
    const chunk = 100_000
    let statements = 0
    t = performance.now()
    for (let done = 0; done < bulkRows; done += chunk) {
      const n = Math.min(chunk, bulkRows - done)
      await sql`SELECT count(achilles_audit_append(NULL::uuid, NULL::uuid, 'system', 'consultation', 'done', 'benchmark',
          'bulk-' || i, 'Benchmark: bulk appends', ARRAY[]::text[], jsonb_build_object('i', i)))
        FROM generate_series(${done + 1}::int, ${done + n}::int) AS i`.execute(db.kysely)
      statements++
      if (bulkRows > chunk) log(`  ${(done + n).toLocaleString('en-GB')} rows (${round((done + n) / since(t), 0)} rows/s)`)
    }
    s = since(t)
    const bulk = { rows: bulkRows, statements, seconds: round(s, 2), rowsPerSecond: round(bulkRows / s, 0) }
    log(`${target.engine}: ${bulk.rowsPerSecond} rows/s in bulk`)

    const total = await auditLength(db)
    log(`${target.engine}: verifying the chain of ${total.toLocaleString('en-GB')} rows`)
    t = performance.now()
    let lastReport = performance.now()
    const result = await verifyAuditChain(db, {
      onProgress: (checked) => {
        if (performance.now() - lastReport > 10_000) {
          lastReport = performance.now()
          log(`  ${checked.toLocaleString('en-GB')} rows checked`)
        }
      },
    })
    s = since(t)
    const verify = {
      rows: result.checked,
      seconds: round(s, 2),
      secondsPerMillionRows: round(s / (Math.max(result.checked, 1) / 1e6), 1),
      intact: result.broken === null,
      broken: result.broken ? `row ${result.broken.seq}: ${result.broken.problem}` : null,
    }
    log(`${target.engine}: verified ${verify.rows.toLocaleString('en-GB')} rows in ${verify.seconds} s (${verify.secondsPerMillionRows} s per million), ${verify.intact ? 'intact' : `BROKEN at ${verify.broken}`}`)
    const tableBytes = Number((await sql<{ n: number }>`SELECT pg_total_relation_size('audit_events') AS n`.execute(db.kysely)).rows[0]!.n)
    return { rowsBefore, singleAppends: single, concurrentSingleAppends: concurrent, bulk, verify, tableBytes }
  } finally {
    await db.close()
  }
}

// ---------------------------------------------------------------------------------------------
// One engine, start to finish

type EngineResult = {
  engine: Engine
  startedAt: string
  source: { commit: string; srcChanged: boolean } | null
  machine: Record<string, unknown>
  options: Record<string, unknown>
  seed: SeedFigures
  analyst: { email: string; agency: string; visibleNotes: number; idsRotated: number }
  coldStart: ColdStart
  tokenCreateSeconds: number
  dashboard: ScenarioFigures
  noteRead: ScenarioFigures
  shutdown: { seconds: number; code: number | null; signal: string | null; clean: boolean; controlSocketRemoved: boolean | null }
  audit: AuditFigures
  targets: { dashboardP95At10Ms: number | null; targetMs: number; met: boolean | null; note: string | null }
  totalSeconds: number
}

/**
 * The commit measured, and whether src/ differed from it (others may be editing the working tree);
 * runEngine also sets srcChanged when src/ changed while the server was running.
 */
function sourceVersion(): { commit: string; srcChanged: boolean } | null {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
    const changed = execFileSync('git', ['status', '--porcelain', '--', 'src', 'views', 'web', 'bin', 'package.json'], { cwd: ROOT, encoding: 'utf8' }).trim()
    return { commit, srcChanged: changed.length > 0 }
  } catch {
    return null
  }
}

async function machine(engine: Engine): Promise<Record<string, unknown>> {
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
  else info.postgres = await onServerAdmin(async (c) => (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version)
  return info
}

async function runEngine(engine: Engine, stamp: string): Promise<EngineResult> {
  const started = performance.now()
  const startedAt = new Date().toISOString()
  const source = sourceVersion()
  const target = await prepare(engine)
  cleanups.add(target.cleanup)
  let server: Server | undefined
  try {
    const { figures: seedFigures, partnership } = await seed(target)
    const analyst = chooseAnalyst(partnership)
    const agencyName = partnership.agencies.find((a) => a.id === analyst.agencyId)?.name ?? '?'
    log(`${engine}: analyst ${analyst.email} (${agencyName})`)

    const startedServer = await startServer(target, stamp)
    server = startedServer.server
    const cookie = await signIn(server.base, analyst.email)
    const token = await createToken(target, analyst.email)
    log(`${engine}: token created through the CLI in ${token.seconds} s`)
    const notes = await visibleNoteIds(server.base, token.token, 50)
    log(`${engine}: the analyst may see ${notes.total.toLocaleString('en-GB')} notes; rotating through ${notes.ids.length}`)

    const parallel = engine === 'pglite' ? 1 : Math.max(1, Math.min(os.cpus().length, 10))
    const dashboard = await scenario(server, engine, { label: 'GET / (dashboard)', headers: { cookie }, paths: ['/'], parallel })
    const noteRead = await scenario(server, engine, {
      label: 'GET /api/v1/notes/:id',
      headers: { authorization: `Bearer ${token.token}` },
      paths: notes.ids.map((id) => `/api/v1/notes/${id}`),
      parallel,
    })

    // The server loaded src/ when it started; say so if someone changed src/ while it ran.
    const sourceAfter = sourceVersion()
    if (source && sourceAfter && (sourceAfter.commit !== source.commit || sourceAfter.srcChanged !== source.srcChanged)) {
      log(`${engine}: warning: src/ changed while the server ran (${source.commit} -> ${sourceAfter.commit}${sourceAfter.srcChanged ? ' with changes' : ''})`)
      source.srcChanged = true
    }
    const socket = path.join(target.env.ACHILLES_DATA_DIR ?? '', 'achilles.sock')
    const stopped = await stopServer(server)
    server = undefined
    const shutdown = { ...stopped, controlSocketRemoved: engine === 'pglite' ? !fs.existsSync(socket) : null }
    log(`${engine}: SIGTERM to exit in ${shutdown.seconds} s, code ${shutdown.code}${shutdown.clean ? ' (clean)' : ' (NOT clean)'}`)

    const auditFigures = await audit(target, options.auditRows[engine])

    const at10 = dashboard.runs.find((d) => d.connections === 10)
    const targetMs = engine === 'postgres' ? 50 : 150
    const targets: EngineResult['targets'] = !at10
      ? { dashboardP95At10Ms: null, targetMs, met: null, note: 'no run at 10 clients (see --connections)' }
      : at10.skipped
        ? { dashboardP95At10Ms: null, targetMs, met: dashboard.probeMs >= targetMs ? false : null, note: `the run at 10 clients was ${at10.skipped}` }
        : { dashboardP95At10Ms: at10.p95Ms, targetMs, met: at10.requests > 0 && at10.p95Ms < targetMs, note: at10.requests === 0 ? 'no request finished within the run' : null }
    return {
      engine,
      startedAt,
      source,
      machine: await machine(engine),
      options: { ...options, auditRows: options.auditRows[engine], databaseUrl: engine === 'postgres' ? databaseUrlFor(BENCH_DB) : undefined },
      seed: seedFigures,
      analyst: { email: analyst.email, agency: agencyName, visibleNotes: notes.total, idsRotated: notes.ids.length },
      coldStart: startedServer.cold,
      tokenCreateSeconds: token.seconds,
      dashboard,
      noteRead,
      shutdown,
      audit: auditFigures,
      targets,
      totalSeconds: round(since(started), 1),
    }
  } finally {
    if (server) {
      server.child.kill('SIGKILL')
      await server.exited
    }
    cleanups.delete(target.cleanup)
    await target.cleanup()
  }
}

// ---------------------------------------------------------------------------------------------
// Summary

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n')
}

function summary(results: EngineResult[]): string {
  const out: string[] = []
  const n = (x: number | null | undefined, places = 1) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toLocaleString('en-GB', { maximumFractionDigits: places }))
  const head = ['', ...results.map((r) => r.engine)]
  const src = results[0]?.source
  if (src) out.push(`Commit ${src.commit}${src.srcChanged ? ' with uncommitted changes to src/' : ''}; ${String(results[0]!.machine.cpus)} CPUs (${String(results[0]!.machine.cpuModel)}), load average ${results.map((r) => `${r.engine} ${(r.machine.loadAverageAtEnd as number[])[0]}`).join(', ')} at the end`, '')
  const row = (label: string, pick: (r: EngineResult) => string) => [label, ...results.map(pick)]
  out.push(
    table([
      head,
      row('notes / users / agencies', (r) => `${n(r.seed.notes, 0)} / ${n(r.seed.users, 0)} / ${n(r.seed.agencies, 0)}`),
      row('seed (s)', (r) => n(r.seed.seedSeconds, 1)),
      row('  open / migrate / generate / load (s)', (r) => [r.seed.openSeconds, r.seed.migrateSeconds, r.seed.generateSeconds, r.seed.loadSeconds].map((x) => n(x, 1)).join(' / ')),
      row('database size (MiB)', (r) => n(r.seed.databaseBytes / 2 ** 20, 0)),
      row('cold start to first page (s)', (r) => n(r.coldStart.toFirstPageSeconds, 2)),
      row('SIGTERM to exit (s)', (r) => `${n(r.shutdown.seconds, 2)}${r.shutdown.clean ? ' clean' : ' NOT CLEAN'}`),
      row('token create via CLI (s)', (r) => n(r.tokenCreateSeconds, 2)),
      row('audit: one-row appends (rows/s)', (r) => n(r.audit.singleAppends.rowsPerSecond, 0)),
      row('audit: 10 concurrent (rows/s)', (r) => n(r.audit.concurrentSingleAppends?.rowsPerSecond, 0)),
      row('audit: bulk appends (rows/s)', (r) => `${n(r.audit.bulk.rowsPerSecond, 0)} (${n(r.audit.bulk.rows, 0)})`),
      row('verify-audit (s per million rows)', (r) => `${n(r.audit.verify.secondsPerMillionRows, 1)} (${n(r.audit.verify.rows, 0)} rows${r.audit.verify.intact ? '' : ', BROKEN'})`),
    ]),
  )
  for (const [title, pick] of [
    ['GET / (dashboard, signed in as an analyst)', (r: EngineResult) => r.dashboard],
    ['GET /api/v1/notes/:id (API token, audited read)', (r: EngineResult) => r.noteRead],
  ] as const) {
    out.push('', title)
    const rows = [['engine', 'clients', 'run', 'requests', 'req/s', 'mean ms', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'non-2xx', 'drain s', 'CPU %', 'load']]
    const skipped: string[] = []
    for (const r of results) {
      rows.push([r.engine, 'alone', '', '1', '', n(pick(r).probeMs), '', '', '', '', '', '', '', ''])
      for (const f of pick(r).runs) {
        if (f.skipped) {
          rows.push([r.engine, String(f.connections), 'skipped*', '', '', '', '', '', '', '', '', '', '', n(f.loadAverage)])
          skipped.push(`* ${r.engine}, ${f.connections} clients: ${f.skipped}`)
        } else {
          rows.push([r.engine, String(f.connections), `${f.mode}${f.mode.endsWith('requests') ? ` in ${n(f.seconds, 0)} s` : ''}`, n(f.requests, 0), n(f.rps), n(f.meanMs), n(f.p50Ms), n(f.p95Ms), n(f.p99Ms), n(f.maxMs), n(f.non2xx + f.errors, 0), n(f.drainSeconds, 1), n(f.serverCpuPercent, 0), n(f.loadAverage)])
        }
      }
    }
    out.push(table(rows), ...skipped)
  }
  out.push('')
  for (const r of results) {
    out.push(
      `Target, dashboard p95 at 10 clients on ${r.engine}: under ${r.targets.targetMs} ms; measured ${n(r.targets.dashboardP95At10Ms)} ms: ${r.targets.met === null ? 'not measured' : r.targets.met ? 'MET' : 'MISSED'}` +
        (r.targets.note ? ` (${r.targets.note})` : ''),
    )
  }
  return out.join('\n')
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  fs.mkdirSync(RESULTS, { recursive: true })
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)
  const results: EngineResult[] = []
  for (const engine of engines) {
    const result = await runEngine(engine, stamp)
    const file = path.join(RESULTS, `platform-${engine}-${stamp}.json`)
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`)
    log(`${engine}: done in ${result.totalSeconds} s; figures in ${path.relative(ROOT, file)}`)
    results.push(result)
  }
  const text = summary(results)
  if (flags.json) {
    process.stderr.write(`\n${text}\n`)
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`)
  } else {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n\n${text}\n`)
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`)
  process.exitCode = 1
})
