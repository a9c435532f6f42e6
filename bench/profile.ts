// Local profile benchmark (issue #7, "Figures"): how long a SOC local profile takes to build from
// the public data, for the Leicestershire force area (611 LSOAs, the real data) and for all 32,844
// English LSOAs (synthetic polygons and a synthetic year of street crime).
//
//   node --import tsx bench/profile.ts [--engine postgres|pglite|both] [--runs N] [--national|--no-national]
//                                      [--national-rows N] [--database-url URL] [--keep]
//
// 1. Force profile: a fresh database with the shared lookups, IMD 2019 (File 1 and File 6), the
//    three LSOA boundary files of the force area and its 23 months of street-level crime, all
//    through importOpenData as `achilles import` loads them; then buildProfile for E23000021 over
//    the 23 months and over the latest 12: one cold run, then --runs warm ones (median, fastest,
//    slowest). The parts are timed on their own: profileFigures (queries, contiguity, Gi* and the
//    figures), each query of src/modules/profiles/queries.ts, queenContiguity and getisOrdGiStar
//    on the fetched boundaries, assembling the document, and each output (JSON as the command
//    line writes it, printable HTML, DOCX, PDF) with its size.
// 2. National profile (on the PostgreSQL server only): the 32,844 LSOAs as areas with the Voronoi
//    polygons of bench/syntheticLsoas.ts, a custom area custom-1 made of all of them, the real IMD
//    through importOpenData, and a seeded synthetic year of street crime (6.6 million rows by
//    default) inserted on the server with INSERT ... SELECT from generate_series; then the same
//    measurements for custom-1 over the 12 months.
//
// JSON figures go to stdout, progress and a table to stderr. The databases (achilles_bench_profile
// and achilles_bench_profile_national) are made fresh and dropped at the end unless --keep.

import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { seededRandom } from '../src/core/demo/random.ts'
import { queenContiguity, type Contiguity, type PolygonGeometry } from '../src/core/geo/contiguity.ts'
import { densitySurface, extentOfAreas } from '../src/core/geo/densitySurface.ts'
import { getisOrdGiStar } from '../src/core/geo/getisOrd.ts'
import type { AreaGeometry } from '../src/core/opendata/geometry.ts'
import { DEFAULT_SLICES } from '../src/core/profiles/slices.ts'
import { assembleProfile } from '../src/core/profiles/assemble.ts'
import { monthsNeeded } from '../src/core/profiles/compute.ts'
import type { Database } from '../src/db/connection.ts'
import { asSystem, type Tx } from '../src/db/context.ts'
import { migrate } from '../src/db/migrate.ts'
import { createViewEnvironment } from '../src/http/views.ts'
import { importOpenData } from '../src/modules/opendata/service.ts'
import { profileDocx } from '../src/modules/profiles/docx.ts'
import { profileHtml } from '../src/modules/profiles/html.ts'
import { profilePdf } from '../src/modules/profiles/pdf.ts'
import * as q from '../src/modules/profiles/queries.ts'
import { buildProfile, profileFigures, profileJson, type ProfileRequest } from '../src/modules/profiles/service.ts'
import { cleanups, count, enginesOf, log, machine, n, prepareTarget, round, ROOT, since, sourceVersion, table, type Engine } from './support.ts'
import { englishLsoaCentroids, lsoaNamesAndForces, syntheticCounts, voronoiCells } from './syntheticLsoas.ts'

const FORCE_DB = 'achilles_bench_profile'
const NATIONAL_DB = 'achilles_bench_profile_national'
const SHARED = path.resolve(ROOT, '../shared/data')
const LEICESTERSHIRE = path.join(SHARED, 'police/leicestershire')
const FORCE = 'E23000021'
/** The issue's target for a force profile. */
const TARGET_FORCE_SECONDS = 5
/** data.police.uk's street-level records for England, Wales and Northern Ireland run at about 6.6 million a year. */
const NATIONAL_ROWS = 6_600_000
/** The synthetic year's months. A fixed year keeps the figures comparable from run to run. */
const NATIONAL_YEAR = 2024
/** data.police.uk publishes about 2% of street-level records with no location. */
const WITHOUT_LOCATION = 0.02

const { values: flags } = parseArgs({
  options: {
    engine: { type: 'string', default: 'postgres' },
    runs: { type: 'string', default: '5' },
    national: { type: 'boolean', default: true },
    'no-national': { type: 'boolean', default: false },
    'national-rows': { type: 'string', default: String(NATIONAL_ROWS) },
    seed: { type: 'string', default: '20191' },
    'database-url': { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

if (flags.help) {
  process.stdout.write(`node --import tsx bench/profile.ts [options]

  --engine pglite|postgres|both   engines for the force profile (default postgres); the national one runs on the server only
  --runs N                        warm runs after the cold one (default 5)
  --national | --no-national      build the national profile too (default --national; needs the postgres engine)
  --national-rows N               rows in the synthetic national year (default 6,600,000)
  --seed N                        seed of the synthetic counts and crimes (default 20191)
  --database-url URL              the server on which to create (and afterwards drop) ${FORCE_DB} and ${NATIONAL_DB}
  --keep                          keep the databases (and the PGlite directory) afterwards
`)
  process.exit(0)
}

const engines = enginesOf(flags.engine)
const runs = count('runs', flags.runs, 1)
const nationalRows = count('national-rows', flags['national-rows'], 1_000)
const seed = count('seed', flags.seed)
const serverUrl = flags['database-url']!
const national = flags.national! && !flags['no-national']
const now = new Date()

// ---------------------------------------------------------------------------------------------
// Timing

type Timing = { coldMs: number; medianMs: number; minMs: number; maxMs: number; warmRuns: number }

const ms = (x: number) => round(x, 1)

/** One cold run, then `runs` warm ones. */
async function timed<T>(work: () => Promise<T> | T, warmRuns = runs): Promise<{ result: T; timing: Timing }> {
  let started = performance.now()
  let result = await work()
  const coldMs = performance.now() - started
  const warm: number[] = []
  for (let i = 0; i < warmRuns; i++) {
    started = performance.now()
    result = await work()
    warm.push(performance.now() - started)
  }
  warm.sort((a, b) => a - b)
  const median = warm.length % 2 === 1 ? warm[(warm.length - 1) / 2]! : (warm[warm.length / 2 - 1]! + warm[warm.length / 2]!) / 2
  return { result, timing: { coldMs: ms(coldMs), medianMs: ms(median), minMs: ms(warm[0]!), maxMs: ms(warm[warm.length - 1]!), warmRuns: warm.length } }
}

const seconds = (t: Timing) => `${n(t.coldMs / 1000, 2)}`
const warmText = (t: Timing) => `${n(t.medianMs / 1000, 2)} (${n(t.minMs / 1000, 2)}–${n(t.maxMs / 1000, 2)})`

// ---------------------------------------------------------------------------------------------
// One profile, built whole and in its parts

type ProfileMeasure = Awaited<ReturnType<typeof measureProfile>>

async function measureProfile(db: Database, r: ProfileRequest) {
  log(`  buildProfile ${r.area} ${r.from} to ${r.to}: a cold run and ${runs} warm`)
  const build = await timed(() => buildProfile(db, r, now))
  const built = build.result
  log(`    cold ${seconds(build.timing)} s, warm median ${n(build.timing.medianMs / 1000, 2)} s`)

  log('  profileFigures (queries, contiguity, Gi*, figures)')
  const figures = await timed(() => asSystem(db, (tx) => profileFigures(tx, r)))

  log('  each query on its own')
  const range = monthsNeeded(r.from, r.to)
  const area = (await asSystem(db, (tx) => q.findArea(tx, r.area)))!
  const queries: Record<string, Timing & { rows: number }> = {}
  const record = async <T>(name: string, work: (tx: Tx) => Promise<T>): Promise<T> => {
    const t = await timed(() => asSystem(db, work))
    const result: unknown = t.result
    const rows = Array.isArray(result) ? result.length : result && typeof result === 'object' && 'months' in result ? (result as { months: string[] }).months.length : 1
    queries[name] = { ...t.timing, rows }
    return t.result
  }
  const forces = (await asSystem(db, (tx) => q.monthsLoaded(tx, r.area, range.from, range.to))).forces
  await record('findArea', (tx) => q.findArea(tx, r.area))
  await record('lsoasOf', (tx) => q.lsoasOf(tx, r.area))
  await record(`crimeCounts (${range.from} to ${range.to})`, (tx) => q.crimeCounts(tx, r.area, range.from, range.to))
  await record(`monthsLoaded (${range.from} to ${range.to})`, (tx) => q.monthsLoaded(tx, r.area, range.from, range.to))
  await record('deprivationOf', (tx) => q.deprivationOf(tx, r.area))
  const geometries = await record('lsoaGeometries', (tx) => q.lsoaGeometries(tx, r.area))
  await record('stopSearchCounts', (tx) => q.stopSearchCounts(tx, r.area, r.from, r.to))
  if (area.level === 'police_force') await record('withoutLocation', (tx) => q.withoutLocation(tx, forces, r.from, r.to))
  const sliceTypes = [...new Set(DEFAULT_SLICES.flatMap((s) => s.crimeTypes))]
  const read = await record('crimePositions (the slices)', (tx) => q.crimePositions(tx, r.area, r.from, r.to, sliceTypes))
  const positions = DEFAULT_SLICES.map((s) => read.filter((p) => s.crimeTypes.includes(p.crime_type)))

  log('  the pure steps: queen contiguity, Gi* and the heat maps on the fetched boundaries, assembling the document')
  const areas = geometries.map((g) => ({ code: g.code, geometry: g.geometry as unknown as PolygonGeometry }))
  const contiguity = await timed((): Contiguity => queenContiguity(areas))
  const byLsoa = new Map(built.figures.byLsoa.map((l) => [l.code, l.count]))
  const values = new Map([...contiguity.result.neighbours.keys()].map((code) => [code, byLsoa.get(code) ?? 0]))
  const giStar = await timed(() => getisOrdGiStar(values, contiguity.result.neighbours))
  const extent = extentOfAreas(geometries.map((g) => g.geometry as unknown as AreaGeometry)) ?? undefined
  const density = await timed(() => positions.map((p) => densitySurface(p, { extent })))
  const assemble = await timed(() => assembleProfile({ figures: figures.result.figures, boundaries: figures.result.boundaries, builtAt: built.document.builtAt }))

  log('  outputs: JSON, printable HTML, DOCX, PDF')
  const views = createViewEnvironment()
  const outputs: Record<string, (Timing & { bytes: number }) | { error: string }> = {}
  for (const [format, render] of [
    ['json', () => `${JSON.stringify(profileJson(built), null, 2)}\n`],
    ['html', () => profileHtml(views, built.document)],
    ['docx', () => profileDocx(built.document)],
    ['pdf', () => profilePdf(built.document)],
  ] as Array<[string, () => Promise<string | Buffer> | string]>) {
    try {
      const t = await timed(render)
      const bytes = Buffer.byteLength(t.result)
      outputs[format] = { ...t.timing, bytes }
      log(`    ${format}: ${n(t.timing.medianMs, 0)} ms warm, ${n(bytes / 1024, 0)} KiB`)
    } catch (error) {
      // Reported, not thrown: the other outputs and the rest of the figures still stand.
      const e = error as Error
      const at = e.stack?.split('\n').find((l) => l.includes('/src/'))?.trim() ?? ''
      outputs[format] = { error: `${e.name}: ${e.message}${at ? ` (${at.replace(`${ROOT}/`, '')})` : ''}` }
      log(`    ${format}: FAILED, ${outputs[format].error}`)
    }
  }

  const queriesMedianMs = Object.values(queries).reduce((s, t) => s + t.medianMs, 0)
  const degrees = [...contiguity.result.neighbours.values()].map((l) => l.length)
  return {
    request: r,
    lsoas: built.figures.lsoaCount,
    records: built.figures.total,
    boundaries: geometries.length,
    vertices: contiguity.result.vertices,
    links: contiguity.result.links,
    meanNeighbours: round(degrees.reduce((s, d) => s + d, 0) / Math.max(degrees.length, 1), 2),
    hotspots95: built.figures.hotspots.areas.filter((a) => a.hotspotClass === 'hot-99' || a.hotspotClass === 'hot-95').length,
    buildProfile: build.timing,
    profileFigures: figures.timing,
    queries,
    queriesMedianMsSum: ms(queriesMedianMs),
    queenContiguity: contiguity.timing,
    giStar: giStar.timing,
    heatMaps: density.timing,
    /** profileFigures less its queries, contiguity and Gi*: computeProfileFigures and turning rows into objects. */
    figuresRestMedianMs: ms(figures.timing.medianMs - queriesMedianMs - contiguity.timing.medianMs - giStar.timing.medianMs - density.timing.medianMs),
    assembleProfile: assemble.timing,
    outputs,
  }
}

// ---------------------------------------------------------------------------------------------
// Loading

async function load(db: Database, request: Record<string, unknown>): Promise<{ rows: number; seconds: number }> {
  const report = await importOpenData(db, request, { now, importedBy: 'benchmark' })
  if (report.status !== 'loaded') throw new Error(`The ${String(request.kind)} import was refused: ${report.refusal?.message}`)
  return { rows: report.rowsLoaded, seconds: round(report.seconds, 2) }
}

const IMD_FILES = ['File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv', 'File_6_-_IoD2019_Population_Denominators.csv'].map((f) => path.join(SHARED, 'deprivation', f))

async function loadForce(db: Database): Promise<Record<string, { rows: number; seconds: number }>> {
  const loaded: Record<string, { rows: number; seconds: number }> = {}
  loaded.lookups = await load(db, { kind: 'lookups', paths: [path.join(SHARED, 'geo/LAD17_CSP17_PFA17_lookup_EW.csv'), path.join(SHARED, 'deprivation/OA11_LSOA11_MSOA11_LAD17_classification_lookup.csv.gz')] })
  loaded.imd = await load(db, { kind: 'imd', paths: IMD_FILES })
  loaded.boundaries = await load(db, { kind: 'boundaries', level: 'lsoa', paths: ['lsoa11_E06000016.geojson', 'lsoa11_E10000018.geojson', 'lsoa11_E06000017.geojson'].map((f) => path.join(SHARED, 'geo', f)) })
  loaded.policeCrime = await load(db, { kind: 'police-crime', paths: [LEICESTERSHIRE] })
  // A steady state: what autovacuum leaves soon after an import (the import itself only analyses).
  const started = performance.now()
  await sql`VACUUM (ANALYZE)`.execute(db.kysely)
  loaded.vacuumAnalyse = { rows: 0, seconds: round(since(started), 2) }
  return loaded
}

type Mix = { types: string[]; typeShares: number[]; outcomes: string[]; outcomeShares: number[]; locations: string[] }

/** Crime types and outcomes in Leicestershire's proportions, and its commonest street names, from the force database. */
async function leicestershireMix(db: Database): Promise<Mix> {
  const types = (await sql<{ crime_type: string; n: number }>`SELECT crime_type, count(*)::int AS n FROM street_crimes GROUP BY 1 ORDER BY 2 DESC`.execute(db.kysely)).rows
  const outcomes = (await sql<{ last_outcome: string; n: number }>`SELECT last_outcome, count(*)::int AS n FROM street_crimes
    WHERE crime_type <> 'Anti-social behaviour' AND last_outcome IS NOT NULL GROUP BY 1 ORDER BY 2 DESC`.execute(db.kysely)).rows
  const locations = (await sql<{ location: string }>`SELECT location FROM street_crimes WHERE location IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 2000`.execute(db.kysely)).rows
  const share = (rows: Array<{ n: number }>) => {
    const total = rows.reduce((s, r) => s + r.n, 0)
    return rows.map((r) => r.n / total)
  }
  return { types: types.map((t) => t.crime_type), typeShares: share(types), outcomes: outcomes.map((o) => o.last_outcome), outcomeShares: share(outcomes), locations: locations.map((l) => l.location) }
}

/** Thresholds for width_bucket: the running total of all shares but the last. */
const thresholds = (shares: number[]) => {
  let sum = 0
  return shares.slice(0, -1).map((s) => (sum += s))
}

async function loadNational(db: Database, mix: Mix) {
  const steps: Record<string, number> = {}
  const step = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
    log(`  ${name}`)
    const started = performance.now()
    const result = await work()
    steps[name] = round(since(started), 2)
    log(`    ${steps[name]} s`)
    return result
  }

  const [centroids, named] = await step('reading the LSOA centroids, names and forces', () => [englishLsoaCentroids(path.join(SHARED, 'geo/lsoa_latlong.csv')), lsoaNamesAndForces(SHARED)] as const)
  if (centroids.length !== 32_844) throw new Error(`Expected the 32,844 English LSOAs of 2011, found ${centroids.length}`)
  const { cells } = await step('Voronoi cells of the centroids (bench/syntheticLsoas.ts)', () => voronoiCells(centroids))
  const imd = await step('IMD 2019 File 1 and File 6 through importOpenData', () => load(db, { kind: 'imd', paths: IMD_FILES }))

  await step('32,844 LSOA areas (geometry, bbox, centroid), their area_lsoas and custom-1', async () => {
    const chunk = 2_000
    for (let i = 0; i < cells.length; i += chunk) {
      const part = cells.slice(i, i + chunk)
      const sites = centroids.slice(i, i + chunk)
      const rings = part.map((c) => (c.geometry.type === 'Polygon' ? c.geometry.coordinates[0]! : c.geometry.coordinates[0]![0]!))
      const bbox = rings.map((ring) => [Math.min(...ring.map((p) => p[0]!)), Math.min(...ring.map((p) => p[1]!)), Math.max(...ring.map((p) => p[0]!)), Math.max(...ring.map((p) => p[1]!))])
      await sql`INSERT INTO areas (code, level, name, geometry, bbox, centroid_lon, centroid_lat)
        SELECT u.code, 'lsoa', u.name, u.geometry::jsonb, ARRAY[u.w, u.s, u.e, u.n], u.lon, u.lat
        FROM unnest(${part.map((c) => c.code)}::text[], ${part.map((c) => named.get(c.code)?.name ?? c.code)}::text[], ${part.map((c) => JSON.stringify(c.geometry))}::text[],
          ${bbox.map((b) => b[0]!)}::float8[], ${bbox.map((b) => b[1]!)}::float8[], ${bbox.map((b) => b[2]!)}::float8[], ${bbox.map((b) => b[3]!)}::float8[],
          ${sites.map((s) => s.longitude)}::float8[], ${sites.map((s) => s.latitude)}::float8[]) AS u(code, name, geometry, w, s, e, n, lon, lat)`.execute(db.kysely)
    }
    await sql`INSERT INTO area_lsoas (area_code, lsoa_code) SELECT code, code FROM areas WHERE level = 'lsoa'`.execute(db.kysely)
    await sql`INSERT INTO areas (code, level, name) VALUES ('custom-1', 'custom', 'England (all LSOAs)')`.execute(db.kysely)
    await sql`INSERT INTO area_lsoas (area_code, lsoa_code) SELECT 'custom-1', code FROM areas WHERE level = 'lsoa'`.execute(db.kysely)
  })

  // Rows per LSOA in proportion to its synthetic count; 2% more in each force with no location.
  const counts = syntheticCounts(centroids, seededRandom(seed))
  const located = Math.round(nationalRows * (1 - WITHOUT_LOCATION))
  const sum = [...counts.values()].reduce((s, c) => s + c, 0)
  const lsoas = centroids
    .map((c) => ({ ...c, name: named.get(c.code)?.name ?? c.code, force: `${named.get(c.code)?.forceName ?? 'Unknown'} Police`, n: Math.round((counts.get(c.code)! * located) / sum) }))
    .sort((a, b) => (a.force < b.force ? -1 : a.force > b.force ? 1 : a.code < b.code ? -1 : 1))
  const byForce = new Map<string, number>()
  for (const l of lsoas) byForce.set(l.force, (byForce.get(l.force) ?? 0) + l.n)
  const importId = '00000000-0000-4000-8000-00000000b007'

  // As importOpenData does for a load at least as large as the table: drop street_crimes' indexes
  // and build them again after.
  const indexes = (await sql<{ name: string; definition: string }>`SELECT indexname AS name, indexdef AS definition FROM pg_indexes
    WHERE schemaname = current_schema() AND tablename = 'street_crimes' ORDER BY indexname`.execute(db.kysely)).rows
  for (const i of indexes) await sql`DROP INDEX ${sql.id(i.name)}`.execute(db.kysely)
  const rows = await step(`a synthetic year of street crime (${n(nationalRows, 0)} rows, INSERT ... SELECT from generate_series, a month a statement)`, async () => {
    await sql`INSERT INTO open_data_imports (id, kind, sources, rows_read, rows_loaded, rows_rejected, imported_by, finished_at)
      VALUES (${importId}, 'police-crime', ARRAY['synthetic national year (bench/profile.ts)'], 0, 0, 0, 'benchmark', now())`.execute(db.kysely)
    await sql`CREATE TABLE bench_synthetic_lsoas (ord int, code text, name text, falls_within text, lon float8, lat float8, n int)`.execute(db.kysely)
    await sql`INSERT INTO bench_synthetic_lsoas SELECT * FROM unnest(${lsoas.map((_, i) => i)}::int[], ${lsoas.map((l) => l.code)}::text[], ${lsoas.map((l) => l.name)}::text[],
      ${lsoas.map((l) => l.force)}::text[], ${lsoas.map((l) => l.longitude)}::float8[], ${lsoas.map((l) => l.latitude)}::float8[], ${lsoas.map((l) => l.n)}::int[])`.execute(db.kysely)
    await sql`CREATE TABLE bench_synthetic_forces (falls_within text, n int)`.execute(db.kysely)
    await sql`INSERT INTO bench_synthetic_forces SELECT * FROM unnest(${[...byForce.keys()]}::text[],
      ${[...byForce.values()].map((x) => Math.round((x * WITHOUT_LOCATION) / (1 - WITHOUT_LOCATION) / 12))}::int[])`.execute(db.kysely)
    const asb = mix.types.indexOf('Anti-social behaviour') + 1
    // One connection, so that setseed makes random() repeat from run to run.
    return db.kysely.connection().execute(async (c) => {
      await sql`SELECT setseed(${(seed % 10_000) / 10_000})`.execute(c)
      let inserted = 0
      for (let month = 1; month <= 12; month++) {
        const first = `${NATIONAL_YEAR}-${String(month).padStart(2, '0')}-01`
        // An LSOA's year spread evenly over the months. OFFSET 0 keeps the inner query whole, so
        // each row's crime type is drawn once and used for its ID and outcome alike.
        const located = await sql`
          INSERT INTO street_crimes (falls_within, month, crime_id, reported_by, longitude, latitude, location, lsoa_code, lsoa_name, crime_type, last_outcome, context, import_id)
          SELECT x.falls_within, ${first}::date, CASE WHEN x.t = ${asb} THEN NULL ELSE md5(random()::text) || md5(random()::text) END, x.falls_within,
            x.lon + (random() - 0.5) * 0.01, x.lat + (random() - 0.5) * 0.01, x.location, x.code, x.name, (${mix.types}::text[])[x.t],
            CASE WHEN x.t = ${asb} THEN NULL ELSE (${mix.outcomes}::text[])[width_bucket(random(), ${thresholds(mix.outcomeShares)}::float8[]) + 1] END, NULL, ${importId}::uuid
          FROM (
            SELECT s.falls_within, s.lon, s.lat, s.code, s.name, width_bucket(random(), ${thresholds(mix.typeShares)}::float8[]) + 1 AS t,
              (${mix.locations}::text[])[1 + floor(random() * ${mix.locations.length})::int] AS location
            FROM bench_synthetic_lsoas s CROSS JOIN LATERAL generate_series(1, s.n / 12 + CASE WHEN ${month} <= s.n % 12 THEN 1 ELSE 0 END) AS g(i)
            OFFSET 0
          ) x`.execute(c)
        const without = await sql`
          INSERT INTO street_crimes (falls_within, month, crime_id, reported_by, location, crime_type, last_outcome, import_id)
          SELECT x.falls_within, ${first}::date, CASE WHEN x.t = ${asb} THEN NULL ELSE md5(random()::text) || md5(random()::text) END, x.falls_within, 'No Location', (${mix.types}::text[])[x.t],
            CASE WHEN x.t = ${asb} THEN NULL ELSE (${mix.outcomes}::text[])[width_bucket(random(), ${thresholds(mix.outcomeShares)}::float8[]) + 1] END, ${importId}::uuid
          FROM (SELECT f.falls_within, width_bucket(random(), ${thresholds(mix.typeShares)}::float8[]) + 1 AS t FROM bench_synthetic_forces f CROSS JOIN LATERAL generate_series(1, f.n) OFFSET 0) x`.execute(c)
        inserted += Number(located.numAffectedRows ?? 0) + Number(without.numAffectedRows ?? 0)
        log(`    ${first.slice(0, 7)}: ${n(inserted, 0)} rows so far`)
      }
      await sql`UPDATE open_data_imports SET rows_read = ${inserted}, rows_loaded = ${inserted} WHERE id = ${importId}`.execute(c)
      await sql`DROP TABLE bench_synthetic_lsoas, bench_synthetic_forces`.execute(c)
      return inserted
    })
  })

  await step(`street_crimes' indexes built again (${indexes.map((i) => i.name).join(', ')})`, () =>
    db.kysely.connection().execute(async (c) => {
      await sql`SET maintenance_work_mem = '512MB'`.execute(c)
      for (const i of indexes) await sql.raw(i.definition).execute(c)
      await sql`RESET maintenance_work_mem`.execute(c)
    }),
  )
  await step('VACUUM (ANALYZE) of the whole database', () => sql`VACUUM (ANALYZE)`.execute(db.kysely))
  const tableBytes = Number((await sql<{ n: number }>`SELECT pg_total_relation_size('street_crimes') AS n`.execute(db.kysely)).rows[0]!.n)
  return { steps, loadSeconds: round(Object.values(steps).reduce((s, x) => s + x, 0), 1), imd, streetCrimeRows: rows, streetCrimesBytes: tableBytes, indexes: indexes.map((i) => i.name), lsoas: lsoas.length }
}

// ---------------------------------------------------------------------------------------------

const results: Record<string, unknown> = {
  benchmark: 'profile',
  version: sourceVersion(),
  startedAt: new Date().toISOString(),
  runs,
  targets: { forceProfileSeconds: TARGET_FORCE_SECONDS },
}
const summary: string[][] = [['measure', 'engine', 'cold s', 'warm median s (min–max)', 'target']]
const verdict = (t: Timing) => `< ${TARGET_FORCE_SECONDS} s: ${t.coldMs / 1000 < TARGET_FORCE_SECONDS && t.maxMs / 1000 < TARGET_FORCE_SECONDS ? 'met' : t.medianMs / 1000 < TARGET_FORCE_SECONDS ? 'met warm, missed cold' : 'MISSED'}`

function summarise(label: string, engine: Engine, m: ProfileMeasure, target: boolean): void {
  summary.push([`${label}: buildProfile`, engine, seconds(m.buildProfile), warmText(m.buildProfile), target ? verdict(m.buildProfile) : '–'])
  summary.push([`  profileFigures (queries + contiguity + Gi* + figures)`, engine, seconds(m.profileFigures), warmText(m.profileFigures), ''])
  for (const [name, t] of Object.entries(m.queries)) summary.push([`    query ${name} (${n(t.rows, 0)} rows)`, engine, seconds(t), warmText(t), ''])
  summary.push([`    queenContiguity (${n(m.boundaries, 0)} polygons, ${n(m.vertices, 0)} vertices)`, engine, seconds(m.queenContiguity), warmText(m.queenContiguity), ''])
  summary.push([`    getisOrdGiStar`, engine, seconds(m.giStar), warmText(m.giStar), ''])
  summary.push([`    densitySurface, ${DEFAULT_SLICES.length} slices`, engine, seconds(m.heatMaps), warmText(m.heatMaps), ''])
  summary.push([`    the rest of profileFigures, by difference`, engine, '–', n(m.figuresRestMedianMs / 1000, 2), ''])
  summary.push([`  assembleProfile`, engine, seconds(m.assembleProfile), warmText(m.assembleProfile), ''])
  for (const [format, t] of Object.entries(m.outputs)) {
    if ('error' in t) summary.push([`  ${format} output: FAILED, ${t.error.split(' (')[0]!.slice(0, 60)}`, engine, '–', '–', ''])
    else summary.push([`  ${format} output (${n(t.bytes / 1024, 0)} KiB)`, engine, seconds(t), warmText(t), ''])
  }
}

let mix: Mix | null = null
for (const engine of engines) {
  const target = await prepareTarget(engine, { serverUrl, dbName: FORCE_DB, keep: flags.keep!, env: {} })
  cleanups.add(target.cleanup)
  const db = await target.open()
  try {
    await migrate(db)
    log(`${engine}: importing the shared data for the Leicestershire force area`)
    const started = performance.now()
    const loaded = await loadForce(db)
    const loadSeconds = round(since(started), 1)
    log(`${engine}: loaded in ${loadSeconds} s (${n(loaded.policeCrime!.rows, 0)} street-level rows)`)
    const months = (await sql<{ m: string }>`SELECT DISTINCT to_char(month, 'YYYY-MM') AS m FROM street_crimes ORDER BY 1`.execute(db.kysely)).rows.map((r) => r.m)
    const first = months[0]!
    const last = months[months.length - 1]!
    const latest12 = months[Math.max(0, months.length - 12)]!
    log(`${engine}: the force profile over ${months.length} months (${first} to ${last})`)
    const whole = await measureProfile(db, { area: FORCE, from: first, to: last })
    log(`${engine}: the force profile over the latest 12 months (${latest12} to ${last})`)
    const year = await measureProfile(db, { area: FORCE, from: latest12, to: last })
    summarise(`force, ${months.length} months`, engine, whole, true)
    summarise('force, latest 12 months', engine, year, true)
    mix = await leicestershireMix(db)
    results[engine] = { force: { loaded, loadSeconds, months: months.length, whole, latest12: year }, machine: await machine(engine, serverUrl) }
  } finally {
    await db.close()
    await target.cleanup()
    cleanups.delete(target.cleanup)
  }
}

if (national && !engines.includes('postgres')) log('the national profile runs on the PostgreSQL server only: add --engine postgres or both')
if (national && engines.includes('postgres') && mix) {
  const target = await prepareTarget('postgres', { serverUrl, dbName: NATIONAL_DB, keep: flags.keep!, env: {} })
  cleanups.add(target.cleanup)
  const db = await target.open()
  try {
    await migrate(db)
    log('postgres: loading the national LSOAs and a synthetic year')
    const loaded = await loadNational(db, mix)
    log(`postgres: loaded in ${loaded.loadSeconds} s`)
    log('postgres: the national profile (custom-1, all 32,844 LSOAs)')
    const profile = await measureProfile(db, { area: 'custom-1', from: `${NATIONAL_YEAR}-01`, to: `${NATIONAL_YEAR}-12` })
    summarise('national, 12 months', 'postgres', profile, false)
    summary.push(['national load (all steps)', 'postgres', n(loaded.loadSeconds, 1), '–', '–'])
    ;(results.postgres as Record<string, unknown>).national = { loaded, profile, databaseBytes: await target.size(db) }
  } finally {
    await db.close()
    await target.cleanup()
    cleanups.delete(target.cleanup)
  }
}

results.finishedAt = new Date().toISOString()
results.loadAverageAtEnd = os.loadavg().map((x) => round(x, 2))
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`)
process.stderr.write(
  `\n${table(summary)}\n\nTarget: a force profile in under ${TARGET_FORCE_SECONDS} s (met when the cold run and every warm one are under it). ` +
    `${runs} warm runs after one cold. Load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}\n`,
)
