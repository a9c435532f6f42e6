// Open data import benchmark (issue #7): data.police.uk street-level crime into street_crimes.
//
//   node --import tsx bench/opendata.ts [--engine pglite|postgres|both] [--national-rows N] ...
//
// For each engine: the 23 Leicestershire months (188,175 rows) into an empty table, then again
// (every month replaced), in rows a second, and the national year extrapolated from that rate.
// Then a synthetic national year (6.6 million rows in 516 files, from a seeded generator, written
// to a temporary directory and removed afterwards) imported on the PostgreSQL server. Also how
// fast the two CSV parsers read alone. JSON on stdout, a table on stderr. See bench/README.md.

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import zlib from 'node:zlib'
import { parse } from 'csv-parse'
import { parse as parseSync } from 'csv-parse/sync'
import { sql } from 'kysely'
import { CsvRecordSplitter, type CsvRecord } from '../src/core/opendata/csvRecords.ts'
import { seededRandom, type Random } from '../src/core/demo/random.ts'
import type { Database } from '../src/db/connection.ts'
import { migrate } from '../src/db/migrate.ts'
import { importOpenData, type ImportHooks, type OpenDataReport } from '../src/modules/opendata/service.ts'
import { cleanups, count, enginesOf, log, machine, n, prepareTarget, round, ROOT, since, sourceVersion, table, type Engine } from './support.ts'

const BENCH_DB = 'achilles_bench_opendata'
const SHARED = path.resolve(ROOT, '../shared/data')
const LEICESTERSHIRE = path.join(SHARED, 'police/leicestershire')
/** data.police.uk's street-level records for England, Wales and Northern Ireland run at about 6.6 million a year. */
const NATIONAL_ROWS = 6_600_000
const TARGET_ROWS_PER_SECOND = 50_000

const { values: flags } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    'national-rows': { type: 'string', default: String(NATIONAL_ROWS) },
    'national-indexes': { type: 'string', default: 'auto' },
    'database-url': { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

if (flags.help) {
  process.stdout.write(`node --import tsx bench/opendata.ts [options]

  --engine pglite|postgres|both     engines to import the Leicestershire months on (default both)
  --national-rows N                 rows in the synthetic national year, imported on the server (default 6,600,000; 0 skips it)
  --national-indexes auto|keep|rebuild|both
                                    how the national load treats street_crimes' indexes (default auto: dropped and
                                    built again, the table being empty); both measures keep and rebuild
  --database-url URL                the server on which to create (and afterwards drop) ${BENCH_DB}
  --keep                            keep the PGlite directory and the server database afterwards
`)
  process.exit(0)
}

const engines = enginesOf(flags.engine)
const nationalRows = count('national-rows', flags['national-rows'])
const nationalModes = flags['national-indexes'] === 'both' ? (['keep', 'rebuild'] as const) : ([flags['national-indexes']] as Array<'auto' | 'keep' | 'rebuild'>)
if (!nationalModes.every((m) => ['auto', 'keep', 'rebuild'].includes(m))) {
  process.stderr.write('--national-indexes must be auto, keep, rebuild or both\n')
  process.exit(2)
}

// ---------------------------------------------------------------------------------------------
// Parsing alone

async function parsingRates(): Promise<Record<string, number>> {
  const files = fs.readdirSync(LEICESTERSHIRE).filter((f) => f.endsWith('.csv')).map((f) => path.join(LEICESTERSHIRE, f))
  let started = performance.now()
  let rows = 0
  for (const file of files) {
    const parser = fs.createReadStream(file).pipe(parse({ bom: true, relax_column_count: true }))
    for await (const _ of parser) rows++
  }
  const csvParse = rows / since(started)
  started = performance.now()
  rows = 0
  for (const file of files) {
    const splitter = new CsvRecordSplitter()
    const out: CsvRecord[] = []
    const decoder = new TextDecoder('utf-8', { fatal: true })
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
      splitter.push(decoder.decode(chunk as Buffer, { stream: true }), out)
      rows += out.length
      out.length = 0
    }
    splitter.end(out)
    rows += out.length
  }
  const splitter = rows / since(started)
  return { csvParseStreamingRowsPerSecond: Math.round(csvParse), splitterRowsPerSecond: Math.round(splitter) }
}

// ---------------------------------------------------------------------------------------------
// A synthetic national year

type Lsoa = { code: string; name: string; lon: number; lat: number }

/**
 * Places each LSOA of England and Wales in its police force area, from the ONS lookups, with the
 * centroids of lsoa_latlong.csv: the generator's streets are in the right places.
 */
function forcesWithLsoas(): Map<string, Lsoa[]> {
  const points = new Map<string, { lon: number; lat: number }>()
  for (const row of parseSync(fs.readFileSync(path.join(SHARED, 'geo/lsoa_latlong.csv')), { bom: true, columns: true }) as Array<Record<string, string>>) {
    if (/^[EW]01\d{6}$/.test(row.lsoa11cd ?? '')) points.set(row.lsoa11cd!, { lon: Number(row.longitude), lat: Number(row.latitude) })
  }
  const forceOfLad = new Map<string, string>()
  for (const row of parseSync(fs.readFileSync(path.join(SHARED, 'geo/LAD17_CSP17_PFA17_lookup_EW.csv')), { bom: true, columns: true }) as Array<Record<string, string>>) forceOfLad.set(row.LAD17CD!, row.PFA17NM!)
  const oa = zlib.gunzipSync(fs.readFileSync(path.join(SHARED, 'deprivation/OA11_LSOA11_MSOA11_LAD17_classification_lookup.csv.gz')))
  const forces = new Map<string, Lsoa[]>()
  const seen = new Set<string>()
  for (const row of parseSync(oa, { bom: true, columns: true }) as Array<Record<string, string>>) {
    const code = row.LSOA11CD!
    const point = points.get(code)
    const force = forceOfLad.get(row.LAD17CD!)
    if (!point || !force || seen.has(code)) continue
    seen.add(code)
    const list = forces.get(force) ?? []
    list.push({ code, name: row.LSOA11NM!, ...point })
    forces.set(force, list)
  }
  return forces
}

type Weighted<T> = { items: T[]; cumulative: number[] }
const weighted = <T>(counts: Map<T, number>): Weighted<T> => {
  const items = [...counts.keys()]
  let sum = 0
  const cumulative = items.map((i) => (sum += counts.get(i)!))
  return { items, cumulative: cumulative.map((c) => c / sum) }
}
const draw = <T>(w: Weighted<T>, r: Random): T => {
  const x = r.next()
  let lo = 0
  let hi = w.cumulative.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (w.cumulative[mid]! < x) lo = mid + 1
    else hi = mid
  }
  return w.items[lo]!
}

/** Crime types, outcomes by type and street names as Leicestershire's files have them. */
function leicestershireMix() {
  const types = new Map<string, number>()
  const outcomes = new Map<string, Map<string, number>>()
  const streets = new Set<string>()
  for (const file of fs.readdirSync(LEICESTERSHIRE).filter((f) => f.endsWith('.csv'))) {
    for (const row of parseSync(fs.readFileSync(path.join(LEICESTERSHIRE, file)), { bom: true, columns: true }) as Array<Record<string, string>>) {
      const type = row['Crime type']!
      types.set(type, (types.get(type) ?? 0) + 1)
      const o = outcomes.get(type) ?? new Map<string, number>()
      o.set(row['Last outcome category']!, (o.get(row['Last outcome category']!) ?? 0) + 1)
      outcomes.set(type, o)
      if (streets.size < 5_000 && row.Location) streets.add(row.Location)
    }
  }
  return { types: weighted(types), outcomes: new Map([...outcomes].map(([t, o]) => [t, weighted(o)])), streets: [...streets] }
}

const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)

/** Writes a year of street-level files, a force's month a file as data.police.uk names them. */
async function generateNationalYear(dir: string, rows: number): Promise<{ files: number; rows: number; bytes: number }> {
  const r = seededRandom(7_2031)
  const forces = forcesWithLsoas()
  const mix = leicestershireMix()
  const totalLsoas = [...forces.values()].reduce((s, l) => s + l.length, 0)
  const header = 'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n'
  let written = 0
  let files = 0
  let bytes = 0
  // A crime ID as data.police.uk writes one: 64 hexadecimal digits (a SHA-256 of its own).
  const byteHex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
  const hex = () => {
    let id = ''
    for (let i = 0; i < 8; i++) {
      const x = Math.floor(r.next() * 0x100000000)
      id += byteHex[x >>> 24]! + byteHex[(x >>> 16) & 255]! + byteHex[(x >>> 8) & 255]! + byteHex[x & 255]!
    }
    return id
  }
  // Last year's months: a month in the future is rejected.
  const year = new Date().getUTCFullYear() - 1
  for (const [forceArea, lsoas] of forces) {
    // "London, City of" and the like: quoted where the name holds a comma, as data.police.uk would.
    const force = csvCell(`${forceArea} Police`)
    const slug = forceArea.toLowerCase().replace(/[^a-z0-9]+/g, '-')
    // Rows in proportion to the force area's LSOAs, which hold about the same number of people each.
    const perMonth = Math.round((rows * lsoas.length) / totalLsoas / 12)
    for (let m = 1; m <= 12; m++) {
      const month = `${year}-${String(m).padStart(2, '0')}`
      const lines: string[] = [header]
      for (let i = 0; i < perMonth; i++) {
        const type = draw(mix.types, r)
        const outcome = type === 'Anti-social behaviour' ? '' : draw(mix.outcomes.get(type)!, r)
        if (r.chance(0.02)) {
          // data.police.uk publishes some records with no location.
          lines.push(`${type === 'Anti-social behaviour' ? '' : hex()},${month},${force},${force},,,No Location,,,${type},${csvCell(outcome)},\n`)
          continue
        }
        const l = lsoas[Math.floor(r.next() * lsoas.length)]!
        const lon = (l.lon + (r.next() - 0.5) * 0.01).toFixed(6)
        const lat = (l.lat + (r.next() - 0.5) * 0.01).toFixed(6)
        lines.push(`${type === 'Anti-social behaviour' ? '' : hex()},${month},${force},${force},${lon},${lat},${csvCell(r.pick(mix.streets))},${l.code},${csvCell(l.name)},${type},${csvCell(outcome)},\n`)
      }
      const text = lines.join('')
      fs.writeFileSync(path.join(dir, `${month}-${slug}-street.csv`), text)
      written += perMonth
      bytes += Buffer.byteLength(text)
      files++
    }
  }
  return { files, rows: written, bytes }
}

// ---------------------------------------------------------------------------------------------
// Importing

type ImportFigures = { rows: number; seconds: number; rowsPerSecond: number; indexes: string; replaced: number }

async function timedImport(db: Database, paths: string[], indexes: ImportHooks['indexes']): Promise<ImportFigures> {
  const report: OpenDataReport = await importOpenData(db, { kind: 'police-crime', paths }, { now: new Date(), importedBy: 'benchmark', indexes })
  if (report.status !== 'loaded') throw new Error(`The import was refused: ${report.refusal?.message}`)
  if (report.rowsRejected > 0) throw new Error(`The import rejected rows: ${JSON.stringify(report.rejected.map((x) => [x.reason, x.count]))}`)
  return {
    rows: report.rowsLoaded,
    seconds: round(report.seconds, 2),
    rowsPerSecond: Math.round(report.rowsRead / report.seconds),
    indexes: report.details.some((d) => d.includes('indexes were dropped')) ? 'rebuilt' : 'kept',
    replaced: report.replaced.reduce((s, x) => s + x.rows, 0),
  }
}

async function emptyStreetCrimes(db: Database): Promise<void> {
  await sql`TRUNCATE street_crimes`.execute(db.kysely)
  await sql`ANALYZE street_crimes`.execute(db.kysely)
}

const results: Record<string, unknown> = { benchmark: 'opendata', version: sourceVersion(), startedAt: new Date().toISOString(), targetRowsPerSecond: TARGET_ROWS_PER_SECOND }
const summary: string[][] = [['measure', 'engine', 'rows', 'seconds', 'rows/s']]

log('parsing the Leicestershire files alone')
const parsing = await parsingRates()
results.parsing = parsing
summary.push(['csv-parse streaming, parse only', '–', '188,198', '–', n(parsing.csvParseStreamingRowsPerSecond, 0)])
summary.push(['the import’s splitter, parse only', '–', '188,198', '–', n(parsing.splitterRowsPerSecond, 0)])

const leicsFiles = fs.readdirSync(LEICESTERSHIRE).filter((f) => f.endsWith('.csv')).sort().map((f) => path.join(LEICESTERSHIRE, f))
for (const engine of engines) {
  const target = await prepareTarget(engine, { serverUrl: flags['database-url']!, dbName: BENCH_DB, keep: flags.keep!, env: {} })
  cleanups.add(target.cleanup)
  const db = await target.open()
  try {
    await migrate(db)
    const figures: Record<string, unknown> = {}
    for (const [label, mode] of [['into an empty table', 'auto'], ['into an empty table, indexes kept', 'keep']] as const) {
      await emptyStreetCrimes(db)
      log(`${engine}: the 23 Leicestershire months ${label}`)
      const f = await timedImport(db, leicsFiles, mode)
      figures[mode === 'auto' ? 'leicestershire' : 'leicestershireIndexesKept'] = f
      summary.push([`Leicestershire, ${label} (${f.indexes})`, engine, n(f.rows, 0), n(f.seconds, 2), n(f.rowsPerSecond, 0)])
    }
    log(`${engine}: the same months again (each replaced)`)
    const again = await timedImport(db, leicsFiles, 'auto')
    figures.reimport = again
    summary.push([`Leicestershire again, replacing (${again.indexes})`, engine, n(again.rows, 0), n(again.seconds, 2), n(again.rowsPerSecond, 0)])
    const rate = (figures.leicestershire as ImportFigures).rowsPerSecond
    figures.nationalExtrapolated = { rows: NATIONAL_ROWS, seconds: Math.round(NATIONAL_ROWS / rate), fromRowsPerSecond: rate }
    summary.push(['national year, extrapolated', engine, n(NATIONAL_ROWS, 0), n(NATIONAL_ROWS / rate, 0), n(rate, 0)])

    if (engine === 'postgres' && nationalRows > 0) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'achilles-national-'))
      const remove = async () => fs.rmSync(dir, { recursive: true, force: true })
      cleanups.add(remove)
      try {
        log(`generating a synthetic national year of ${n(nationalRows, 0)} rows in ${dir}`)
        const started = performance.now()
        const generated = await generateNationalYear(dir, nationalRows)
        const generateSeconds = round(since(started), 1)
        log(`  ${generated.files} files, ${n(generated.rows, 0)} rows, ${n(generated.bytes / 1e6, 0)} MB in ${generateSeconds} s`)
        const national: Record<string, unknown> = { generated: { ...generated, seconds: generateSeconds } }
        for (const mode of nationalModes) {
          await emptyStreetCrimes(db)
          log(`postgres: importing the national year (indexes: ${mode})`)
          const f = await timedImport(db, [dir], mode)
          national[mode] = f
          summary.push([`national year, measured (${f.indexes})`, engine, n(f.rows, 0), n(f.seconds, 1), n(f.rowsPerSecond, 0)])
        }
        figures.national = national
      } finally {
        await remove()
        cleanups.delete(remove)
      }
    }
    figures.machine = await machine(engine, flags['database-url']!)
    results[engine] = figures
  } finally {
    await db.close()
    await target.cleanup()
    cleanups.delete(target.cleanup)
  }
}

results.finishedAt = new Date().toISOString()
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`)
process.stderr.write(`\n${table(summary)}\n\nTarget: ${n(TARGET_ROWS_PER_SECOND, 0)} rows a second on the PostgreSQL server. Load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}\n`)
