// Platform benchmark (issue #2): national-scale seed time, cold start to the first served page,
// dashboard and record-read latency under load, audit rows written per second, and verify-audit
// time per million rows, on PGlite and on a PostgreSQL server. See bench/README.md.
//
//   npm run bench -- [--engine pglite|postgres|both] [--notes N] [--audit-rows N] [--duration S] ...
//
// Progress goes to stderr; the summary and the JSON figures go to stdout (only the JSON with --json).
// Each engine's figures are also written to bench/results/platform-<engine>-<timestamp>.json.

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { DEFAULT_ADMIN_EMAIL } from '../src/cli/commands.ts'
import { nationalPartnership, type Partnership, type SeedUser } from '../src/core/demo/partnership.ts'
import type { Database } from '../src/db/connection.ts'
import { asSystem } from '../src/db/context.ts'
import { migrate } from '../src/db/migrate.ts'
import { auditLength, recordAudit, verifyAuditChain } from '../src/modules/audit/service.ts'
import { loadPartnership } from '../src/modules/demo/service.ts'
import { cleanups, count, createToken, databaseUrlFor, enginesOf, log, machine, prepareTarget, RESULTS, round, ROOT, scenario, signIn, since, sourceVersion, startServer, stopServer, table, type ColdStart, type Engine, type ScenarioFigures, type Server, type Target, runEngines, endRun } from './support.ts'

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


const engines = enginesOf(flags.engine)
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
// The engine under test: a fresh PGlite directory or a fresh achilles_bench database (bench/support.ts)

const prepare = (engine: Engine): Promise<Target> =>
  prepareTarget(engine, {
    serverUrl: options.databaseUrl,
    dbName: BENCH_DB,
    keep: options.keep,
    env: { ACHILLES_ADMIN_EMAIL: ADMIN_EMAIL, ACHILLES_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: options.logLevel },
  })

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
// 2. The real server (started, signed in to and stopped through bench/support.ts); the notes the
//    analyst may see, for the audited reads

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
// 3. Audit appends and verification, in-process through the application's own functions

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

    const startedServer = await startServer(target, path.join(RESULTS, `server-${target.engine}-${stamp}.log`))
    server = startedServer.server
    const cookie = await signIn(server.base, analyst.email, PASSWORD)
    const token = await createToken(target, analyst.email, 'records:read')
    log(`${engine}: token created through the CLI in ${token.seconds} s`)
    const notes = await visibleNoteIds(server.base, token.token, 50)
    log(`${engine}: the analyst may see ${notes.total.toLocaleString('en-GB')} notes; rotating through ${notes.ids.length}`)

    const parallel = engine === 'pglite' ? 1 : Math.max(1, Math.min(os.cpus().length, 10))
    const dashboard = await scenario(server, target.activeQueries, { label: 'GET / (dashboard)', headers: { cookie }, paths: ['/'], parallel }, options)
    const noteRead = await scenario(
      server,
      target.activeQueries,
      { label: 'GET /api/v1/notes/:id', headers: { authorization: `Bearer ${token.token}` }, paths: notes.ids.map((id) => `/api/v1/notes/${id}`), parallel },
      options,
    )

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
      machine: await machine(engine, options.databaseUrl),
      options: { ...options, auditRows: options.auditRows[engine], databaseUrl: engine === 'postgres' ? databaseUrlFor(options.databaseUrl, BENCH_DB) : undefined },
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
    await endRun(server, target)
  }
}

// ---------------------------------------------------------------------------------------------
// Summary

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
  const results = await runEngines('platform', engines, runEngine)
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
