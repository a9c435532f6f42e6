// Groups benchmark (issue #3): with national-scale demonstration data (6,000 organised crime
// groups, 50,000 people, 1,000,000 intelligence records) on PGlite and on a PostgreSQL server,
// the priority board, group and person record pages and fuzzy name search under load (1 and 10
// clients), re-scoring every group after a model change, and CSV import rows per second.
// See bench/README.md.
//
//   npm run bench:groups -- [--engine pglite|postgres|both] [--intelligence N] [--duration S] ...
//
// Progress goes to stderr; the summary and the JSON figures go to stdout (only the JSON with --json).
// Each engine's figures are also written to bench/results/groups-<engine>-<timestamp>.json.

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { sql, type RawBuilder } from 'kysely'
import { DEFAULT_ADMIN_EMAIL, seedDemonstration, type CommandEnv } from '../src/cli/commands.ts'
import { loadConfig } from '../src/config.ts'
import { FAMILY_NAMES, GIVEN_NAMES } from '../src/core/demo/names.ts'
import type { SeedUser } from '../src/core/demo/partnership.ts'
import { seededRandom, type Random } from '../src/core/demo/random.ts'
import { asSystem } from '../src/db/context.ts'
import { cleanups, count, createToken, databaseUrlFor, enginesOf, log, machine, n, percentile, prepareTarget, RESULTS, round, ROOT, scenario, signIn, since, sourceVersion, startServer, stopServer, table, type ColdStart, type Engine, type ScenarioFigures, type Server, type Target, runEngines, verdictOf, endRun, summaryHeading } from './support.ts'

const BENCH_DB = 'achilles_bench_groups'

// ---------------------------------------------------------------------------------------------
// Options

const { values: flags } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    intelligence: { type: 'string', default: '1000000' },
    'import-rows': { type: 'string', default: '5000' },
    ids: { type: 'string', default: '200' },
    queries: { type: 'string', default: '100' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '1,10' },
    'database-url': { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/' },
    'log-level': { type: 'string', default: 'info' },
    'max-backlog': { type: 'string', default: '60' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

if (flags.help) {
  process.stdout.write(`npm run bench:groups -- [options]

  --engine pglite|postgres|both   which database engines to measure (default both)
  --intelligence N                intelligence records in the national crime picture (default 1000000)
  --import-rows N                 rows in the people CSV imported at the end (default 5000)
  --ids N                         group and person records to visit in turn on the record pages (default 200)
  --queries N                     misspelt names to search for in turn (default 100)
  --duration S                    seconds per load run (default 10)
  --warmup S                      seconds of unrecorded load before each run (default 2; 0 for none)
  --connections LIST              concurrent connections per run (default 1,10)
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
  intelligence: count('intelligence', flags.intelligence),
  importRows: count('import-rows', flags['import-rows'], 1),
  ids: count('ids', flags.ids, 1),
  queries: count('queries', flags.queries, 1),
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

/** The issue's targets on the PostgreSQL server; PGlite's figures are stated beside them. */
const TARGETS = {
  board: { label: 'Priority board p95', limit: 100, unit: 'ms' },
  record: { label: 'Record pages p95', limit: 100, unit: 'ms' },
  search: { label: 'Fuzzy name search p95', limit: 150, unit: 'ms' },
  rescore: { label: 'Re-score every group', limit: 5, unit: 's' },
} as const
type TargetKey = keyof typeof TARGETS

// ---------------------------------------------------------------------------------------------
// 1. Seed: what `achilles seed --scale national --intelligence N` does, in this process

type SeedFigures = {
  intelligenceAsked: number
  agencies: number
  users: number
  groups: number
  members: number
  people: number
  entities: number
  links: number
  intelligence: number
  mentions: number
  assessments: number
  /** Opening the database; on a fresh PGlite directory this creates the cluster (initdb). */
  openSeconds: number
  /** Migrations, models, the national partnership, the crime picture, up to the first batch of intelligence written. */
  toFirstIntelligenceBatchSeconds: number | null
  /** From the first batch of intelligence written to the last, scaled to every record. */
  intelligenceSeconds: number | null
  intelligencePerSecond: number | null
  /** After the last batch of intelligence: the demonstration assessments. */
  afterIntelligenceSeconds: number | null
  seedSeconds: number
  databaseBytes: number
  tableBytes: Record<string, number>
}

type Busy = { analyst: SeedUser; agencyName: string; agencyGroups: number; threatArea: string; threatAreaGroups: number }

async function seed(target: Target): Promise<{ figures: SeedFigures; busy: Busy }> {
  log(`${target.engine}: seeding the national demonstration data with ${options.intelligence.toLocaleString('en-GB')} intelligence records`)
  const started = performance.now()
  const db = await target.open()
  const openSeconds = since(started)
  try {
    // With isTTY the progress bar reports every batch ("\rLoading intelligence [###] 12% 120,000/1,000,000").
    const batches: Array<{ at: number; done: number }> = []
    let lastReport = 0
    const env: CommandEnv = {
      db,
      config: loadConfig(target.env),
      isTTY: true,
      now: () => new Date(),
      err: (text) => process.stderr.write(text),
      out: (text) => {
        const m = /Loading intelligence .*? ([\d,]+)\/([\d,]+)$/.exec(text)
        if (!m) return
        const done = Number(m[1]!.replace(/,/g, ''))
        batches.push({ at: performance.now(), done })
        if (performance.now() - lastReport > 15_000 || done === options.intelligence) {
          lastReport = performance.now()
          const first = batches[0]!
          const rate = batches.length > 1 ? (done - first.done) / ((performance.now() - first.at) / 1000) : NaN
          log(`  ${done.toLocaleString('en-GB')} intelligence records loaded${Number.isNaN(rate) ? '' : ` (${Math.round(rate).toLocaleString('en-GB')} a second)`}`)
        }
      },
    }
    const outcome = await seedDemonstration(env, 'national', options.intelligence)
    const ended = performance.now()
    if (!outcome.loaded || !outcome.partnership || !outcome.crime) throw new Error('The benchmark database was not empty; nothing was seeded')
    const p = outcome.partnership
    const first = batches[0]
    const last = batches[batches.length - 1]
    const intelligenceMs = first && last && last.done > first.done ? ((last.at - first.at) * options.intelligence) / (last.done - first.done) : null

    const counts = await asSystem(db, async (tx) => {
      const one = async (q: RawBuilder<{ n: number }>) => Number((await q.execute(tx)).rows[0]!.n)
      return {
        groups: await one(sql`SELECT count(*) AS n FROM ocgs`),
        members: await one(sql`SELECT count(*) AS n FROM ocg_members`),
        people: await one(sql`SELECT count(*) AS n FROM entities WHERE schema = 'Person'`),
        entities: await one(sql`SELECT count(*) AS n FROM entities`),
        links: await one(sql`SELECT count(*) AS n FROM entity_links`),
        intelligence: await one(sql`SELECT count(*) AS n FROM intelligence_records`),
        mentions: await one(sql`SELECT count(*) AS n FROM intelligence_mentions`),
        assessments: await one(sql`SELECT count(*) AS n FROM assessments`),
      }
    })
    const tableBytes: Record<string, number> = {}
    for (const t of ['entities', 'ocgs', 'intelligence_records', 'intelligence_mentions', 'assessments', 'audit_events']) {
      tableBytes[t] = Number((await sql<{ n: number }>`SELECT pg_total_relation_size(${t}::regclass) AS n`.execute(db.kysely)).rows[0]!.n)
    }

    // A busy, ordinary user: an analyst (and nothing else) in the agency owning the most groups.
    const owners = await asSystem(db, (tx) =>
      sql<{ agency: string; groups: number }>`SELECT owning_agency_id AS agency, count(*)::int AS groups FROM ocgs GROUP BY 1 ORDER BY 2 DESC`.execute(tx),
    )
    const analysts = p.users.filter((u) => u.roles.length === 1 && u.roles[0] === 'analyst')
    let busy: Omit<Busy, 'threatArea' | 'threatAreaGroups'> | null = null
    for (const o of owners.rows) {
      const analyst = analysts.find((u) => u.agencyId === o.agency)
      if (analyst) {
        busy = { analyst, agencyName: p.agencies.find((a) => a.id === o.agency)?.name ?? '?', agencyGroups: Number(o.groups) }
        break
      }
    }
    if (!busy) throw new Error('No agency owning groups has an analyst')
    // The threat area with the most groups: the filter that keeps the most on the board.
    const threat = await asSystem(db, (tx) =>
      sql<{ area: string; groups: number }>`SELECT t AS area, count(*)::int AS groups FROM ocgs, unnest(threat_areas) AS t GROUP BY 1 ORDER BY 2 DESC LIMIT 1`.execute(tx),
    )

    const figures: SeedFigures = {
      intelligenceAsked: options.intelligence,
      agencies: p.agencies.length,
      users: p.users.length,
      ...counts,
      openSeconds: round(openSeconds),
      toFirstIntelligenceBatchSeconds: first ? round((first.at - started) / 1000, 1) : null,
      intelligenceSeconds: intelligenceMs === null ? null : round(intelligenceMs / 1000, 1),
      intelligencePerSecond: intelligenceMs === null ? null : round(options.intelligence / (intelligenceMs / 1000), 0),
      afterIntelligenceSeconds: last ? round((ended - last.at) / 1000, 1) : null,
      seedSeconds: round((ended - started) / 1000, 1),
      databaseBytes: await target.size(db),
      tableBytes,
    }
    log(
      `${target.engine}: seeded in ${figures.seedSeconds} s (open ${figures.openSeconds} s; to the first intelligence batch ${figures.toFirstIntelligenceBatchSeconds} s; ` +
        `intelligence about ${figures.intelligenceSeconds} s, ${n(figures.intelligencePerSecond, 0)} a second; assessments ${figures.afterIntelligenceSeconds} s); ` +
        `${(figures.databaseBytes / 2 ** 20).toFixed(0)} MiB`,
    )
    log(`${target.engine}: ${n(counts.groups, 0)} groups, ${n(counts.people, 0)} people, ${n(counts.entities, 0)} entities, ${n(counts.intelligence, 0)} intelligence records, ${n(counts.assessments, 0)} assessments`)
    return { figures, busy: { ...busy, threatArea: threat.rows[0]?.area ?? 'drugs_supply', threatAreaGroups: Number(threat.rows[0]?.groups ?? 0) } }
  } finally {
    await db.close()
  }
}

// ---------------------------------------------------------------------------------------------
// 2. What the analyst may see: group and person ids to visit, names to misspell

async function getJson<T>(base: string, token: string, urlPath: string): Promise<T> {
  const res = await fetch(`${base}${urlPath}`, { headers: { authorization: `Bearer ${token}` } })
  if (res.status !== 200) throw new Error(`GET ${urlPath} answered ${res.status}: ${await res.text()}`)
  return (await res.json()) as T
}

async function send(base: string, method: 'POST', urlPath: string, token: string, body: unknown): Promise<{ status: number; body: any; seconds: number }> {
  const started = performance.now()
  const res = await fetch(`${base}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  const seconds = since(started)
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // not JSON: keep the text for the error message
  }
  return { status: res.status, body: parsed, seconds }
}

/**
 * Up to `wanted` items from a paged list (its pages picked at random across the whole list, so
 * old and new records alike), and the list's total.
 */
async function sample<T>(base: string, token: string, listPath: string, key: string, wanted: number, r: Random): Promise<{ items: T[]; total: number }> {
  const sep = listPath.includes('?') ? '&' : '?'
  const firstPage = await getJson<Record<string, unknown>>(base, token, `${listPath}${sep}page=1`)
  const total = Number(firstPage.total)
  const pageSize = (firstPage[key] as T[]).length
  if (pageSize === 0) return { items: [], total }
  const pages = Math.ceil(total / pageSize)
  const order = Array.from({ length: pages }, (_, i) => i + 1)
  for (let i = order.length - 1; i > 0; i--) {
    const j = r.int(0, i)
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  const items: T[] = []
  // A few records from each page, from as many pages as it takes.
  const perPage = Math.max(1, Math.min(pageSize, Math.ceil(wanted / Math.min(pages, 20))))
  for (const page of order) {
    if (items.length >= wanted) break
    const body = page === 1 ? firstPage : await getJson<Record<string, unknown>>(base, token, `${listPath}${sep}page=${page}`)
    items.push(...(body[key] as T[]).slice(0, perPage))
  }
  return { items: items.slice(0, wanted), total }
}

/**
 * A name as a hurried user types it, in turn: a letter of the given name left out; two letters of
 * the family name swapped; both at once.
 */
function misspell(fullName: string, r: Random, i: number): string {
  const words = fullName.split(/\s+/)
  const drop = (w: string) => (w.length < 4 ? w : ((at) => w.slice(0, at) + w.slice(at + 1))(r.int(1, w.length - 2)))
  const swap = (w: string) => {
    const places = [...w].map((_, at) => at).filter((at) => at >= 1 && at < w.length - 1 && w[at] !== w[at + 1])
    if (places.length === 0) return drop(w)
    const at = r.pick(places)
    return w.slice(0, at) + w[at + 1] + w[at] + w.slice(at + 2)
  }
  if (words.length === 1) return i % 2 === 0 ? drop(words[0]!) : swap(words[0]!)
  const given = words[0]!
  const family = words[words.length - 1]!
  const kind = i % 3
  return [kind !== 1 ? drop(given) : given, ...words.slice(1, -1), kind !== 0 ? swap(family) : family].join(' ')
}

// ---------------------------------------------------------------------------------------------
// 3. Re-scoring every group after a model change

type RescoreFigures = {
  modelKey: string
  fromVersion: number
  toVersion: number
  change: string
  publishSeconds: number
  rescoreSeconds: number
  considered: number
  carried: number
  needsRescore: number
  /** GET /priorities (page 1) just after, 20 requests one after another. */
  boardAfter: { requests: number; p50Ms: number; p95Ms: number; maxMs: number }
}

async function rescore(base: string, adminToken: string, cookie: string): Promise<RescoreFigures> {
  const key = 'tactical'
  const { models } = await getJson<{ models: Array<{ key: string; version: number; current: boolean }> }>(base, adminToken, '/api/v1/models')
  const current = models.find((m) => m.key === key && m.current)
  if (!current) throw new Error(`No current version of the ${key} model`)
  const model = await getJson<{ definition: { version: number; factors: Array<{ id: string; weight: number }> } }>(base, adminToken, `/api/v1/models/${key}/${current.version}`)
  const definition = structuredClone(model.definition)
  const factor = definition.factors[0]!
  const change = `${factor.id} weight ${factor.weight} → ${factor.weight + 1}`
  factor.weight += 1
  definition.version = current.version + 1
  const published = await send(base, 'POST', `/api/v1/models/${key}/versions`, adminToken, { definition, changeNote: `Benchmark: ${change}` })
  if (published.status !== 201) throw new Error(`Publishing ${key} v${definition.version} answered ${published.status}: ${JSON.stringify(published.body)}`)
  log(`  published ${key} version ${definition.version} (${change}) in ${round(published.seconds, 2)} s; re-scoring`)
  const rescored = await send(base, 'POST', `/api/v1/models/${key}/rescore`, adminToken, undefined)
  if (rescored.status !== 200) throw new Error(`Re-scoring answered ${rescored.status}: ${JSON.stringify(rescored.body)}`)
  const body = rescored.body as { considered: number; carried: number; needsRescore: unknown[] }
  log(`  re-scored in ${round(rescored.seconds, 2)} s: ${body.carried} of ${body.considered} carried forward, ${body.needsRescore.length} to be re-scored by a person`)
  const times: number[] = []
  for (let i = 0; i < 20; i++) {
    const started = performance.now()
    const res = await fetch(`${base}/priorities`, { headers: { cookie } })
    await res.arrayBuffer()
    if (res.status !== 200) throw new Error(`GET /priorities after re-scoring answered ${res.status}`)
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return {
    modelKey: key,
    fromVersion: current.version,
    toVersion: definition.version,
    change,
    publishSeconds: round(published.seconds, 3),
    rescoreSeconds: round(rescored.seconds, 3),
    considered: body.considered,
    carried: body.carried,
    needsRescore: body.needsRescore.length,
    boardAfter: { requests: times.length, p50Ms: round(percentile(times, 50)), p95Ms: round(percentile(times, 95)), maxMs: round(times[times.length - 1]!) },
  }
}

// ---------------------------------------------------------------------------------------------
// 4. CSV import

type ImportFigures = {
  rows: number
  bytes: number
  dryRun: { seconds: number; rowsPerSecond: number; valid: number; faults: number }
  commit: { seconds: number; rowsPerSecond: number; created: number }
}

/** Invented people, one a row, as a partner's export might hold them. */
function peopleCsv(rows: number, r: Random): string {
  const roles = ['suspect', 'suspect', 'suspect', 'victim', 'person_at_risk', 'other']
  const lines = ['Name,Aliases,DOB,Role']
  for (let i = 0; i < rows; i++) {
    const name = `${r.pick(GIVEN_NAMES)} ${r.pick(GIVEN_NAMES).slice(0, 1)} ${r.pick(FAMILY_NAMES)}`
    const alias = r.chance(0.3) ? r.pick(GIVEN_NAMES).slice(0, 3) + r.pick(['o', 'y', 'zz', 'ie']) : ''
    const dob = r.chance(0.8) ? `${r.int(1960, 2006)}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}` : ''
    lines.push(`${name},${alias},${dob},${r.pick(roles)}`)
  }
  return `${lines.join('\r\n')}\r\n`
}

async function importPeople(base: string, token: string, rows: number): Promise<ImportFigures> {
  const csv = peopleCsv(rows, seededRandom(3_2026))
  const review = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10)
  const request = {
    csv,
    fileName: 'benchmark-people.csv',
    mapping: {
      fullName: 'Name',
      aliases: 'Aliases',
      birthDate: 'DOB',
      personRole: 'Role',
      purpose: { value: 'Benchmark: importing a partner agency’s nominals' },
      reviewDate: { value: review },
      protectiveMarking: { value: 'OFFICIAL' },
      handlingCode: { value: 'P' },
      sharingScope: { value: 'agency' },
    },
  }
  log(`  dry run of ${rows.toLocaleString('en-GB')} rows (${(csv.length / 1024).toFixed(0)} KiB)`)
  const dry = await send(base, 'POST', '/api/v1/imports/people', token, { ...request, dryRun: true })
  if (dry.status !== 200) throw new Error(`The dry run answered ${dry.status}: ${JSON.stringify(dry.body).slice(0, 2000)}`)
  const report = dry.body as { rows: number; valid: number; faults: unknown[] }
  if (report.rows !== rows || report.valid !== rows) throw new Error(`The dry run found ${report.faults.length} faults in ${report.rows} rows: ${JSON.stringify(report.faults.slice(0, 5))}`)
  log(`  dry run: ${round(dry.seconds, 2)} s, ${Math.round(rows / dry.seconds).toLocaleString('en-GB')} rows a second; importing`)
  const commit = await send(base, 'POST', '/api/v1/imports/people', token, { ...request, dryRun: false })
  if (commit.status !== 201) throw new Error(`The import answered ${commit.status}: ${JSON.stringify(commit.body).slice(0, 2000)}`)
  const created = (commit.body as { created: unknown[] }).created.length
  if (created !== rows) throw new Error(`The import made ${created} records from ${rows} rows`)
  log(`  import: ${round(commit.seconds, 2)} s, ${Math.round(rows / commit.seconds).toLocaleString('en-GB')} rows a second`)
  return {
    rows,
    bytes: Buffer.byteLength(csv),
    dryRun: { seconds: round(dry.seconds, 3), rowsPerSecond: round(rows / dry.seconds, 0), valid: report.valid, faults: report.faults.length },
    commit: { seconds: round(commit.seconds, 3), rowsPerSecond: round(rows / commit.seconds, 0), created },
  }
}

// ---------------------------------------------------------------------------------------------
// One engine, start to finish

type Measured = { key: string; target: Exclude<TargetKey, 'rescore'>; label: string; figures: ScenarioFigures }

type TargetOutcome = {
  key: TargetKey
  label: string
  limit: number
  unit: string
  /** The worst p95 over every run in the category (or the re-score time). */
  measured: number | null
  where: string | null
  met: boolean | null
  note: string | null
}

type EngineResult = {
  engine: Engine
  startedAt: string
  source: { commit: string; srcChanged: boolean } | null
  machine: Record<string, unknown>
  options: Record<string, unknown>
  seed: SeedFigures
  analyst: { email: string; agency: string; agencyGroups: number; visibleGroups: number; visiblePeople: number; boardTotal: number; groupsVisited: number; peopleVisited: number }
  coldStart: ColdStart
  searchQueries: { count: number; examples: Array<{ name: string; typed: string }>; checked: number; foundIntendedName: number }
  load: Measured[]
  rescore: RescoreFigures
  import: ImportFigures
  shutdown: { seconds: number; code: number | null; signal: string | null; clean: boolean }
  targets: TargetOutcome[]
  totalSeconds: number
}

function outcomes(load: Measured[], rescored: RescoreFigures): TargetOutcome[] {
  const out: TargetOutcome[] = []
  for (const key of ['board', 'record', 'search'] as const) {
    const t = TARGETS[key]
    let worst: { p95: number; where: string } | null = null
    const notes: string[] = []
    let unknown = false
    for (const m of load.filter((x) => x.target === key)) {
      for (const run of m.figures.runs) {
        if (run.skipped || run.requests === 0) {
          // A run too slow to make says the target is missed when one request alone takes longer.
          if (m.figures.probeMs >= t.limit) worst = { p95: m.figures.probeMs, where: `${m.label}, one request alone (the run at ${run.connections} clients was skipped)` }
          else unknown = true
          notes.push(`${m.label} at ${run.connections} clients: ${run.skipped ?? 'no request finished'}`)
          continue
        }
        if (!worst || run.p95Ms > worst.p95) worst = { p95: run.p95Ms, where: `${m.label}, ${run.connections} client${run.connections === 1 ? '' : 's'}` }
      }
    }
    const met = worst === null ? null : worst.p95 >= t.limit ? false : unknown ? null : true
    out.push({ key, label: t.label, limit: t.limit, unit: t.unit, measured: worst?.p95 ?? null, where: worst?.where ?? null, met, note: notes.length > 0 ? notes.join('; ') : null })
  }
  const t = TARGETS.rescore
  out.push({
    key: 'rescore',
    label: t.label,
    limit: t.limit,
    unit: t.unit,
    measured: rescored.rescoreSeconds,
    where: `${rescored.carried.toLocaleString('en-GB')} of ${rescored.considered.toLocaleString('en-GB')} carried to ${rescored.modelKey} v${rescored.toVersion}`,
    met: rescored.rescoreSeconds < t.limit,
    note: null,
  })
  return out
}

async function runEngine(engine: Engine, stamp: string): Promise<EngineResult> {
  const started = performance.now()
  const startedAt = new Date().toISOString()
  const source = sourceVersion()
  const target = await prepareTarget(engine, {
    serverUrl: options.databaseUrl,
    dbName: BENCH_DB,
    keep: options.keep,
    env: { ACHILLES_ADMIN_EMAIL: ADMIN_EMAIL, ACHILLES_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: options.logLevel },
  })
  cleanups.add(target.cleanup)
  let server: Server | undefined
  try {
    const { figures: seedFigures, busy } = await seed(target)
    log(`${engine}: analyst ${busy.analyst.email} of ${busy.agencyName}, whose agency owns ${busy.agencyGroups} groups; threat-area filter ${busy.threatArea} (${busy.threatAreaGroups} groups)`)

    const startedServer = await startServer(target, path.join(RESULTS, `server-groups-${engine}-${stamp}.log`))
    server = startedServer.server
    const base = server.base
    const cookie = await signIn(base, busy.analyst.email, PASSWORD)
    const analystToken = (await createToken(target, busy.analyst.email, 'records:read,records:write', 'Benchmark analyst')).token
    const adminToken = (await createToken(target, ADMIN_EMAIL, 'prioritisation:write', 'Benchmark administrator')).token

    // What to ask for: the board's pages, records the analyst may see, names to search for.
    const r = seededRandom(9_2026)
    const board = await getJson<{ total: number; groups: unknown[] }>(base, analystToken, '/api/v1/priorities/groups')
    const boardPages = Math.max(1, Math.ceil(board.total / Math.max(1, board.groups.length)))
    const laterPage = Math.max(2, Math.floor(boardPages / 2))
    const groups = await sample<{ id: string }>(base, analystToken, '/api/v1/groups', 'groups', options.ids, r)
    const people = await sample<{ id: string; caption: string }>(base, analystToken, '/api/v1/entities?schema=Person', 'entities', Math.max(options.ids, options.queries), r)
    if (groups.items.length === 0 || people.items.length === 0) throw new Error('The analyst may see no groups or no people')
    log(`${engine}: the analyst may see ${n(groups.total, 0)} groups (${n(board.total, 0)} on the board, ${boardPages} pages) and ${n(people.total, 0)} people`)
    const names = people.items.slice(0, options.queries).map((p, i) => ({ name: p.caption, typed: misspell(p.caption, r, i) }))
    // Does fuzzy search find the person meant? (Many people share a name in the invented data, so
    // the check is for the name, not the record.)
    let found = 0
    const checked = names.slice(0, 50)
    for (const q of checked) {
      const res = await getJson<{ hits: Array<{ caption: string }> }>(base, analystToken, `/api/v1/search?q=${encodeURIComponent(q.typed)}`)
      if (res.hits.some((h) => h.caption.toLowerCase() === q.name.toLowerCase())) found++
    }
    log(`${engine}: search finds the name meant for ${found} of ${checked.length} misspelt names (e.g. "${names[0]!.typed}" for "${names[0]!.name}")`)

    const parallel = engine === 'pglite' ? 1 : Math.max(1, Math.min(os.cpus().length, 10))
    const session = { cookie }
    const bearer = { authorization: `Bearer ${analystToken}` }
    const plan: Array<Omit<Measured, 'figures'> & { headers: Record<string, string>; paths: string[] }> = [
      { key: 'boardFirstPage', target: 'board', label: 'GET /priorities', headers: session, paths: ['/priorities'] },
      { key: 'boardLaterPage', target: 'board', label: `GET /priorities?page=${laterPage}`, headers: session, paths: [`/priorities?page=${laterPage}`] },
      { key: 'boardThreatArea', target: 'board', label: `GET /priorities?threatArea=${busy.threatArea}`, headers: session, paths: [`/priorities?threatArea=${busy.threatArea}`] },
      { key: 'groupPage', target: 'record', label: `GET /groups/:id (${groups.items.length} in turn)`, headers: session, paths: groups.items.map((g) => `/groups/${g.id}`) },
      { key: 'personPage', target: 'record', label: `GET /entities/:id (${Math.min(options.ids, people.items.length)} people in turn)`, headers: session, paths: people.items.slice(0, options.ids).map((p) => `/entities/${p.id}`) },
      { key: 'searchPage', target: 'search', label: `GET /search?q= (${names.length} misspelt names in turn)`, headers: session, paths: names.map((q) => `/search?q=${encodeURIComponent(q.typed)}`) },
      { key: 'searchApi', target: 'search', label: `GET /api/v1/search?q= (${names.length} in turn)`, headers: bearer, paths: names.map((q) => `/api/v1/search?q=${encodeURIComponent(q.typed)}`) },
    ]
    const load: Measured[] = []
    for (const s of plan) {
      const figures = await scenario(server, target.activeQueries, { label: s.label, headers: s.headers, paths: s.paths, parallel }, options)
      load.push({ key: s.key, target: s.target, label: s.label, figures })
    }

    log(`${engine}: re-scoring every group after a model change`)
    const rescored = await rescore(base, adminToken, cookie)
    log(`${engine}: importing people from CSV`)
    const imported = await importPeople(base, analystToken, options.importRows)

    // The server loaded src/ when it started; say so if someone changed src/ while it ran.
    const sourceAfter = sourceVersion()
    if (source && sourceAfter && (sourceAfter.commit !== source.commit || sourceAfter.srcChanged !== source.srcChanged)) {
      log(`${engine}: warning: src/ changed while the server ran (${source.commit} -> ${sourceAfter.commit}${sourceAfter.srcChanged ? ' with changes' : ''})`)
      source.srcChanged = true
    }
    const shutdown = await stopServer(server)
    server = undefined

    return {
      engine,
      startedAt,
      source,
      machine: await machine(engine, options.databaseUrl),
      options: { ...options, databaseUrl: engine === 'postgres' ? databaseUrlFor(options.databaseUrl, BENCH_DB) : undefined },
      seed: seedFigures,
      analyst: {
        email: busy.analyst.email,
        agency: busy.agencyName,
        agencyGroups: busy.agencyGroups,
        visibleGroups: groups.total,
        visiblePeople: people.total,
        boardTotal: board.total,
        groupsVisited: groups.items.length,
        peopleVisited: Math.min(options.ids, people.items.length),
      },
      coldStart: startedServer.cold,
      searchQueries: { count: names.length, examples: names.slice(0, 5), checked: checked.length, foundIntendedName: found },
      load,
      rescore: rescored,
      import: imported,
      shutdown,
      targets: outcomes(load, rescored),
      totalSeconds: round(since(started), 1),
    }
  } finally {
    await endRun(server, target)
  }
}

// ---------------------------------------------------------------------------------------------
// Summary

const verdict = verdictOf

function summary(results: EngineResult[]): string {
  const out: string[] = []
  out.push(...summaryHeading(results))
  const head = ['', ...results.map((r) => r.engine)]
  const row = (label: string, pick: (r: EngineResult) => string) => [label, ...results.map(pick)]
  const mib = (b: number | undefined) => n((b ?? NaN) / 2 ** 20, 0)
  out.push(
    table([
      head,
      row('groups / people / entities', (r) => `${n(r.seed.groups, 0)} / ${n(r.seed.people, 0)} / ${n(r.seed.entities, 0)}`),
      row('intelligence records / mentions', (r) => `${n(r.seed.intelligence, 0)} / ${n(r.seed.mentions, 0)}`),
      row('group assessments', (r) => n(r.seed.assessments, 0)),
      row('seed (s)', (r) => n(r.seed.seedSeconds, 1)),
      row('  open / to 1st intel batch / intel / after (s)', (r) => [r.seed.openSeconds, r.seed.toFirstIntelligenceBatchSeconds, r.seed.intelligenceSeconds, r.seed.afterIntelligenceSeconds].map((x) => n(x, 1)).join(' / ')),
      row('  intelligence records per second', (r) => n(r.seed.intelligencePerSecond, 0)),
      row('database size (MiB)', (r) => mib(r.seed.databaseBytes)),
      row('  intelligence_records + mentions (MiB)', (r) => `${mib(r.seed.tableBytes.intelligence_records)} + ${mib(r.seed.tableBytes.intelligence_mentions)}`),
      row('analyst: agency groups / visible groups / people', (r) => `${n(r.analyst.agencyGroups, 0)} / ${n(r.analyst.visibleGroups, 0)} / ${n(r.analyst.visiblePeople, 0)}`),
      row('cold start to first page (s)', (r) => n(r.coldStart.toFirstPageSeconds, 2)),
      row('search finds the name meant', (r) => `${r.searchQueries.foundIntendedName} of ${r.searchQueries.checked}`),
      row('publish tactical v2 (s)', (r) => n(r.rescore.publishSeconds, 2)),
      row('re-score every group (s)', (r) => `${n(r.rescore.rescoreSeconds, 2)} (${n(r.rescore.carried, 0)} of ${n(r.rescore.considered, 0)} carried)`),
      row('board p95 just after re-scoring (ms)', (r) => n(r.rescore.boardAfter.p95Ms)),
      row('CSV import dry run (rows/s)', (r) => `${n(r.import.dryRun.rowsPerSecond, 0)} (${n(r.import.rows, 0)} rows in ${n(r.import.dryRun.seconds, 2)} s)`),
      row('CSV import commit (rows/s)', (r) => `${n(r.import.commit.rowsPerSecond, 0)} (${n(r.import.rows, 0)} rows in ${n(r.import.commit.seconds, 2)} s)`),
      row('SIGTERM to exit (s)', (r) => `${n(r.shutdown.seconds, 2)}${r.shutdown.clean ? ' clean' : ' NOT CLEAN'}`),
    ]),
  )
  out.push('', 'Load (signed in as the analyst; p95 from every 2xx response; CPU % is the Node server process, load the 1-minute load average at the start)')
  const rows = [['request', 'engine', 'clients', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'non-2xx', 'CPU %', 'load', 'target', 'server']]
  const skipped: string[] = []
  const keys = results[0]?.load.map((m) => m.key) ?? []
  for (const key of keys) {
    for (const r of results) {
      const m = r.load.find((x) => x.key === key)
      if (!m) continue
      const limit = TARGETS[m.target].limit
      rows.push([m.label, r.engine, 'alone', '1', '', '', n(m.figures.probeMs), '', '', '', '', '', `< ${limit}`, ''])
      for (const f of m.figures.runs) {
        if (f.skipped) {
          rows.push([m.label, r.engine, String(f.connections), 'skipped*', '', '', '', '', '', '', '', n(f.loadAverage), `< ${limit}`, ''])
          skipped.push(`* ${m.label}, ${r.engine}, ${f.connections} clients: ${f.skipped}`)
          continue
        }
        const mark = r.engine === 'postgres' ? (f.p95Ms < limit ? 'MET' : 'MISSED') : ''
        rows.push([m.label, r.engine, String(f.connections), n(f.requests, 0), n(f.rps), n(f.p50Ms), n(f.p95Ms), n(f.p99Ms), n(f.maxMs), n(f.non2xx + f.errors, 0), n(f.serverCpuPercent, 0), n(f.loadAverage), `< ${limit}`, mark])
      }
    }
  }
  out.push(table(rows), ...skipped)
  out.push('', 'Targets (on the PostgreSQL server; PGlite beside them)')
  const pgResult = results.find((r) => r.engine === 'postgres')
  const liteResult = results.find((r) => r.engine === 'pglite')
  const trows = [['target', 'PostgreSQL server', 'verdict', 'PGlite', 'worst on the server']]
  for (const key of Object.keys(TARGETS) as TargetKey[]) {
    const t = TARGETS[key]
    const onServer = pgResult?.targets.find((x) => x.key === key)
    const onLite = liteResult?.targets.find((x) => x.key === key)
    const fig = (x: TargetOutcome | undefined) => (x?.measured === null || x === undefined ? '–' : `${n(x.measured, t.unit === 's' ? 2 : 1)} ${t.unit}`)
    trows.push([`${t.label} < ${t.limit} ${t.unit}`, fig(onServer), onServer ? verdict(onServer) : 'not run', fig(onLite), onServer?.where ?? ''])
  }
  out.push(table(trows))
  return out.join('\n')
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const results = await runEngines('groups', engines, runEngine)
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
