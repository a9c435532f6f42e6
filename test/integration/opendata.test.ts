import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { sql } from 'kysely'
import type { Database } from '../../src/db/connection.ts'
import { wgs84ToBng } from '../../src/core/opendata/projection.ts'
import { importOpenData, type OpenDataReport } from '../../src/modules/opendata/service.ts'
import { engineName, freshDatabase } from '../support/database.ts'

// Imports of the shared public files through the service, on the engine the suite runs on. Counts
// are checked against the raw files, read here with csv-parse on their own.

const SHARED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data')
const POLICE = path.join(SHARED, 'police')
const GEO = path.join(SHARED, 'geo')
const LEICESTERSHIRE = path.join(POLICE, 'leicestershire')
const ALL_MONTHS = fs.readdirSync(LEICESTERSHIRE).filter((f) => f.endsWith('.csv')).sort()
// All 23 months (188,175 rows) on the server, in about 5 s; PGlite loads about 16,000 rows a second
// on this machine, so it takes six months (about 50,000 rows) to keep the suite's time down.
const MONTHS = process.env.DATABASE_URL ? ALL_MONTHS : ALL_MONTHS.filter((f) => f >= '2020-01' && f < '2020-07')

let db: Database
let drop: () => Promise<void>
let tmp: string
before(async () => {
  ;({ db, drop } = await freshDatabase())
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'achilles-opendata-'))
})
after(async () => {
  fs.rmSync(tmp, { recursive: true, force: true })
  await drop()
})

const hooks = () => ({ now: new Date('2026-06-15T12:00:00Z'), importedBy: 'test' })
const run = (request: Record<string, unknown>): Promise<OpenDataReport> => importOpenData(db, request, hooks())
const one = async <T>(query: ReturnType<typeof sql<T>>): Promise<T> => (await query.execute(db.kysely)).rows[0]!
const write = (name: string, text: string) => {
  const file = path.join(tmp, name)
  fs.writeFileSync(file, text)
  return file
}
const rawRows = (file: string) => parse(fs.readFileSync(file), { bom: true, columns: true }) as Array<Record<string, string>>

test(`lookups give every larger area its LSOAs: Leicestershire's force area holds its 611 (${engineName()})`, async () => {
  const r = await run({ kind: 'lookups', paths: [path.join(SHARED, 'deprivation/OA11_LSOA11_MSOA11_LAD17_classification_lookup.csv.gz'), path.join(GEO, 'LAD17_CSP17_PFA17_lookup_EW.csv')] })
  assert.equal(r.status, 'loaded', r.refusal?.message)
  assert.equal(r.rowsRejected, 0, JSON.stringify(r.rejected))
  assert.equal(r.rowsSkipped, 46_351, 'the Scottish output areas')
  const force = await one(sql<{ name: string; level: string; n: number }>`SELECT a.name, a.level, (SELECT count(*)::int FROM area_lsoas m WHERE m.area_code = a.code) AS n FROM areas a WHERE a.code = 'E23000021'`)
  assert.deepEqual(force, { name: 'Leicestershire', level: 'police_force', n: 611 })
  // The same 611 as the three LSOA boundary files of the force area hold.
  const codes = ['lsoa11_E06000016.geojson', 'lsoa11_E10000018.geojson', 'lsoa11_E06000017.geojson'].flatMap((f) =>
    (JSON.parse(fs.readFileSync(path.join(GEO, f), 'utf8')) as { features: Array<{ properties: { LSOA11CD: string } }> }).features.map((x) => x.properties.LSOA11CD),
  )
  const members = (await sql<{ lsoa_code: string }>`SELECT lsoa_code FROM area_lsoas WHERE area_code = 'E23000021' ORDER BY 1`.execute(db.kysely)).rows.map((x) => x.lsoa_code)
  assert.deepEqual(members, [...codes].sort())
  const counts = await one(sql<{ forces: number; csps: number; las: number; lsoas: number }>`SELECT
    count(*) FILTER (WHERE level = 'police_force')::int AS forces, count(*) FILTER (WHERE level = 'csp')::int AS csps,
    count(*) FILTER (WHERE level = 'local_authority')::int AS las, count(*) FILTER (WHERE level = 'lsoa')::int AS lsoas FROM areas`)
  assert.deepEqual(counts, { forces: 43, csps: 314, las: 348, lsoas: 34_753 })
  const leicester = await one(sql<{ parents: string[] }>`SELECT array_agg(parent_code ORDER BY parent_code) AS parents FROM area_parents WHERE area_code IN ('E01013600', 'E06000016', 'E22000168')`)
  assert.deepEqual(leicester.parents, ['E06000016', 'E22000168', 'E23000021'])
  const again = await run({ kind: 'lookups', paths: [path.join(GEO, 'LAD17_CSP17_PFA17_lookup_EW.csv')] })
  assert.equal(again.status, 'loaded')
  assert.equal((await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM area_parents`)).n, 34_753 + 348 + 314, 'replaced, not doubled')
})

test(`imports Leicestershire's street-level months with counts matching the raw files (${MONTHS.length} months)`, async () => {
  const files = MONTHS.map((f) => path.join(LEICESTERSHIRE, f))
  const r = await run({ kind: 'police-crime', paths: files })
  assert.equal(r.status, 'loaded', r.refusal?.message)
  const raw = files.flatMap(rawRows)
  const byType = new Map<string, number>()
  for (const row of raw) byType.set(row['Crime type']!, (byType.get(row['Crime type']!) ?? 0) + 1)
  assert.equal(r.rowsRead, raw.length)
  assert.equal(r.rowsLoaded, raw.length)
  assert.equal(r.rowsRejected, 0)
  const noLocation = raw.filter((row) => row.Longitude === '' && row['LSOA code'] === '').length
  assert.equal(r.notes.find((n) => n.reason.startsWith('No location'))?.count, noLocation)
  // The lookups are loaded, so codes are checked against the real list: every one is known.
  assert.equal(r.notes.filter((n) => n.reason.startsWith('LSOA code')).length, 0)
  const stored = (await sql<{ crime_type: string; n: number }>`SELECT crime_type, count(*)::int AS n FROM street_crimes GROUP BY 1`.execute(db.kysely)).rows
  assert.deepEqual(new Map(stored.map((x) => [x.crime_type, x.n])), byType)
  const asb = await one(sql<{ n: number; without_id: number }>`SELECT count(*)::int AS n, count(*) FILTER (WHERE crime_id IS NULL)::int AS without_id FROM street_crimes WHERE crime_type = 'Anti-social behaviour'`)
  assert.equal(asb.without_id, asb.n, 'anti-social behaviour has no crime ID')
  const months = await one(sql<{ n: number }>`SELECT count(DISTINCT month)::int AS n FROM street_crimes`)
  assert.equal(months.n, MONTHS.length)
  const inForce = await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM street_crimes WHERE lsoa_code IN (SELECT lsoa_code FROM area_lsoas WHERE area_code = 'E23000021')`)
  assert.equal(inForce.n, raw.filter((row) => row['LSOA code'] !== '' && row['LSOA code']!.startsWith('E01')).length - (await outsideForce(raw)))
  const record = await one(sql<{ kind: string; outcome: string; rows_loaded: number }>`SELECT kind, outcome, rows_loaded FROM open_data_imports WHERE id = ${r.importId}`)
  assert.deepEqual(record, { kind: 'police-crime', outcome: 'loaded', rows_loaded: raw.length })
})

/** Rows whose LSOA lies outside the force area (crimes reported just over the boundary). */
async function outsideForce(raw: Array<Record<string, string>>): Promise<number> {
  const inside = new Set((await sql<{ lsoa_code: string }>`SELECT lsoa_code FROM area_lsoas WHERE area_code = 'E23000021'`.execute(db.kysely)).rows.map((x) => x.lsoa_code))
  return raw.filter((row) => row['LSOA code'] !== '' && !inside.has(row['LSOA code']!)).length
}

test('importing a month again replaces it rather than doubling it', async () => {
  const file = path.join(LEICESTERSHIRE, MONTHS[2]!)
  const month = `${MONTHS[2]!.slice(0, 7)}-01`
  const before = await one(sql<{ total: number; month: number }>`SELECT count(*)::int AS total, count(*) FILTER (WHERE month = ${month}::date)::int AS month FROM street_crimes`)
  const r = await run({ kind: 'police-crime', paths: [file] })
  assert.equal(r.status, 'loaded', r.refusal?.message)
  assert.deepEqual(r.replaced, [{ what: `Leicestershire Police, ${month.slice(0, 7)}`, rows: before.month }])
  const after = await one(sql<{ total: number; month: number; fresh: number }>`SELECT count(*)::int AS total, count(*) FILTER (WHERE month = ${month}::date)::int AS month,
    count(*) FILTER (WHERE month = ${month}::date AND import_id = ${r.importId}::uuid)::int AS fresh FROM street_crimes`)
  assert.deepEqual(after, { total: before.total, month: before.month, fresh: before.month })
  assert.equal(before.month, rawRows(file).length)
  // The same with the indexes dropped and built again, as a load twice the table's size does.
  const rebuilt = await importOpenData(db, { kind: 'police-crime', paths: [file] }, { ...hooks(), indexes: 'rebuild' })
  assert.deepEqual(rebuilt.replaced, [{ what: `Leicestershire Police, ${month.slice(0, 7)}`, rows: before.month }])
  assert.equal((await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM street_crimes`)).n, before.total)
  const indexes = (await sql<{ indexname: string }>`SELECT indexname FROM pg_indexes WHERE tablename = 'street_crimes' ORDER BY 1`.execute(db.kysely)).rows.map((x) => x.indexname)
  assert.deepEqual(indexes, ['street_crimes_lsoa_idx', 'street_crimes_month_idx'])
})

test('a stop-and-search file given as street-level crime is refused, naming the columns it lacks, and nothing is loaded', async () => {
  const before = await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM street_crimes`)
  const stopSearch = path.join(POLICE, 'stop-and-search/2019-06-greater-manchester-stop-and-search.csv')
  // Given after a good file: the good file's rows must not be kept either.
  const r = await run({ kind: 'police-crime', paths: [path.join(LEICESTERSHIRE, MONTHS[0]!), stopSearch] })
  assert.equal(r.status, 'refused')
  assert.match(r.refusal!.message, /2019-06-greater-manchester-stop-and-search.csv is not a data.police.uk street-level crime file: it has no column "Month", "LSOA code", "Crime type" and "Falls within" \(or "Reported by"\)/)
  assert.match(r.refusal!.message, /It looks like a data.police.uk stop-and-search file \(achilles import stop-search\)/)
  assert.equal((await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM street_crimes`)).n, before.n)
  const record = await one(sql<{ outcome: string; rows_loaded: number }>`SELECT outcome, rows_loaded FROM open_data_imports WHERE id = ${r.importId}`)
  assert.deepEqual(record, { outcome: 'refused', rows_loaded: 0 })
  const random = await run({ kind: 'police-crime', paths: [write('random.csv', 'name,colour\nalice,blue\n')] })
  assert.equal(random.status, 'refused')
  assert.match(random.refusal!.message, /random.csv is not a data.police.uk street-level crime file: it has no column "Month", "Longitude", "Latitude", "LSOA code", "Crime type" and "Falls within"/)
  const missing = await run({ kind: 'police-crime', paths: [path.join(tmp, 'no-such-file.csv')] })
  assert.equal(missing.status, 'refused')
  assert.match(missing.refusal!.message, /There is no file or folder/)
})

test('rejected rows are counted with their reasons and rows, the rest load; unknown LSOA codes are reported; --strict loads nothing', async () => {
  const header = 'Unnamed: 0,crime_id,month,reported_by,falls_within,longitude,latitude,location,lsoa_code,lsoa_name,CRIME TYPE,last_outcome_category,context'
  const file = write(
    '2031-01-test-street.csv',
    [
      header,
      '0,a1,2031-01,Test Police,Test Police,-1.13,52.63,On or near X,E01013600,Leicester 003A,Burglary,,',
      '1,a2,2031-01,Test Police,Test Police,2.35,48.85,Paris,E01013600,Leicester 003A,Burglary,,',
      '2,a3,2031-13,Test Police,Test Police,-1.13,52.63,x,E01013600,Leicester 003A,Burglary,,',
      '3,a4,2031-01,Test Police,Test Police,-1.13,52.63,x,E01999999,Nowhere 001A,Burglary,,',
      '4,a5,2031-01,Test Police,Test Police,-1.13,52.63,x,X99,Nowhere,Drugs,,',
      '5,,2031-01,Test Police,Test Police,,,No location,,,Anti-social behaviour,,',
    ].join('\n'),
  )
  const now = { now: new Date('2031-02-10T00:00:00Z'), importedBy: 'test' }
  const strict = await importOpenData(db, { kind: 'police-crime', paths: [file], strict: true }, now)
  assert.equal(strict.status, 'refused')
  assert.match(strict.refusal!.message, /2 row\(s\) were rejected and --strict refuses the whole import/)
  assert.equal((await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM street_crimes WHERE reported_by = 'Test Police'`)).n, 0)

  const r = await importOpenData(db, { kind: 'police-crime', paths: [file] }, now)
  assert.equal(r.status, 'loaded')
  assert.equal(r.rowsRead, 6)
  assert.equal(r.rowsLoaded, 4)
  assert.equal(r.rowsRejected, 2)
  assert.deepEqual(
    r.rejected.map((x) => [x.reason, x.rows]),
    [
      ['Position is outside the UK (longitude -8.7 to 1.8, latitude 49.8 to 60.9)', { '2031-01-test-street.csv': [3] }],
      ['Month is not a month of the year (01 to 12)', { '2031-01-test-street.csv': [4] }],
    ],
  )
  const notes = new Map(r.notes.map((n) => [n.reason, n]))
  assert.deepEqual(
    [...notes.keys()].find((k) => k.startsWith('LSOA code is not among')) && notes.get([...notes.keys()].find((k) => k.startsWith('LSOA code is not among'))!)!.examples,
    [{ file: '2031-01-test-street.csv', row: 5, value: 'E01999999' }],
  )
  assert.deepEqual(notes.get('LSOA code is not a 2011 LSOA code (E01 or W01 and six digits): kept as written, in no area')!.examples, [{ file: '2031-01-test-street.csv', row: 6, value: 'X99' }])
  assert.equal(notes.get('No location: kept, counted for the force but in no area')!.count, 1)
  assert.ok(r.notes.some((n) => n.wholeFile && /Columns not read: column A "Unnamed: 0" \(an index column\)/.test(n.reason)))
  const stored = await one(sql<{ report: OpenDataReport }>`SELECT report FROM open_data_imports WHERE id = ${r.importId}`)
  assert.deepEqual(stored.report.rejected.map((x) => x.rows), [{ '2031-01-test-street.csv': [3] }, { '2031-01-test-street.csv': [4] }], 'every rejected row is recorded')
})

test('a dry run reads and checks everything and keeps nothing', async () => {
  const before = await one(sql<{ n: number; runs: number }>`SELECT (SELECT count(*)::int FROM street_crimes) AS n, (SELECT count(*)::int FROM open_data_imports) AS runs`)
  const r = await run({ kind: 'police-crime', paths: [path.join(LEICESTERSHIRE, MONTHS[0]!)], dryRun: true })
  assert.equal(r.status, 'dry-run')
  assert.equal(r.rowsLoaded, rawRows(path.join(LEICESTERSHIRE, MONTHS[0]!)).length)
  assert.deepEqual(await one(sql<{ n: number; runs: number }>`SELECT (SELECT count(*)::int FROM street_crimes) AS n, (SELECT count(*)::int FROM open_data_imports) AS runs`), before)
})

test('LSOA and ward boundaries: points inside, wards made of the LSOAs they hold, and a second import replaces', async () => {
  const lsoaFiles = ['lsoa11_E06000016.geojson', 'lsoa11_E10000018.geojson', 'lsoa11_E06000017.geojson'].map((f) => path.join(GEO, f))
  const lsoas = await run({ kind: 'boundaries', paths: lsoaFiles, level: 'lsoa' })
  assert.equal(lsoas.status, 'loaded', lsoas.refusal?.message)
  assert.equal(lsoas.rowsLoaded, 611)
  const wards = await run({ kind: 'boundaries', paths: [path.join(GEO, 'ward_E10000018.geojson')], level: 'ward' })
  assert.equal(wards.status, 'loaded', wards.refusal?.message)
  assert.equal(wards.rowsLoaded, 140)
  const placed = await one(sql<{ wards: number; lsoas: number; doubled: number }>`SELECT count(DISTINCT m.area_code)::int AS wards, count(DISTINCT m.lsoa_code)::int AS lsoas,
    (SELECT count(*)::int FROM (SELECT lsoa_code FROM area_lsoas x JOIN areas w ON w.code = x.area_code AND w.level = 'ward' GROUP BY 1 HAVING count(*) > 1) d) AS doubled
    FROM area_lsoas m JOIN areas a ON a.code = m.area_code AND a.level = 'ward'`)
  // The 140 wards are Leicestershire county's; its 396 LSOAs each fall in one of them.
  assert.deepEqual(placed, { wards: 138, lsoas: 396, doubled: 0 })
  const inside = await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM areas WHERE level IN ('lsoa', 'ward') AND geometry IS NOT NULL
    AND centroid_lon BETWEEN bbox[1] AND bbox[3] AND centroid_lat BETWEEN bbox[2] AND bbox[4]`)
  assert.equal(inside.n, 611 + 140)
  const ward = await one(sql<{ parent: string }>`SELECT parent_code AS parent FROM area_parents WHERE area_code = 'E05005479'`)
  assert.equal(ward.parent, 'E07000132', 'a ward sits in the local authority its file names')
  const again = await run({ kind: 'boundaries', paths: [lsoaFiles[2]!], level: 'lsoa' })
  assert.equal(again.status, 'loaded')
  assert.equal((await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM areas WHERE level = 'lsoa' AND geometry IS NOT NULL`)).n, 611)
  const forces = await run({ kind: 'boundaries', paths: [path.join(GEO, 'Police_Force_Areas_Dec2023_EW.geojson')], level: 'police_force' })
  assert.equal(forces.status, 'loaded', forces.refusal?.message)
  const leics = await one(sql<{ name: string; has: boolean; n: number }>`SELECT name, geometry IS NOT NULL AS has, (SELECT count(*)::int FROM area_lsoas WHERE area_code = code) AS n FROM areas WHERE code = 'E23000021'`)
  assert.deepEqual(leics, { name: 'Leicestershire', has: true, n: 611 }, 'a boundary draws the force area; its LSOAs stay the lookups’')
})

test('boundaries in British National Grid are reprojected to WGS84', async () => {
  const json = JSON.parse(fs.readFileSync(path.join(GEO, 'lsoa11_E09000001_city_of_london.geojson'), 'utf8')) as {
    crs: unknown
    features: Array<{ properties: Record<string, unknown>; geometry: { coordinates: unknown } }>
  }
  const walk = (v: unknown): unknown => (Array.isArray(v) && typeof v[0] === 'number' ? wgs84ToBng(v[0], v[1] as number).map((x) => Math.round(x * 100) / 100) : Array.isArray(v) ? v.map(walk) : v)
  for (const f of json.features) f.geometry.coordinates = walk(f.geometry.coordinates)
  json.crs = { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::27700' } }
  const r = await run({ kind: 'boundaries', paths: [write('city-bng.geojson', JSON.stringify(json))], level: 'lsoa' })
  assert.equal(r.status, 'loaded', r.refusal?.message)
  assert.match(r.files[0]!.detail!, /British National Grid \(EPSG:27700, from its crs member\), converted to WGS84/)
  const area = await one(sql<{ bbox: number[]; lon: number; lat: number }>`SELECT bbox, centroid_lon AS lon, centroid_lat AS lat FROM areas WHERE code = 'E01000001'`)
  // City of London 001A: the ONS gives its centroid as (-0.09706, 51.5181).
  assert.ok(Math.abs(area.lon - -0.09706) < 0.003 && Math.abs(area.lat - 51.5181) < 0.003, `${area.lon}, ${area.lat}`)
  assert.ok(area.bbox[0]! > -0.2 && area.bbox[2]! < 0 && area.bbox[1]! > 51.4 && area.bbox[3]! < 51.6, area.bbox.join(','))
})

test('a GeoJSON file with no usable geometry is refused whole', async () => {
  const before = await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM areas`)
  const file = write('points.geojson', JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { WD25CD: 'E05099999', WD25NM: 'Nowhere' }, geometry: { type: 'Point', coordinates: [-1.1, 52.6] } }] }))
  const r = await run({ kind: 'boundaries', paths: [path.join(GEO, 'ward_E10000018.geojson'), file], level: 'ward' })
  assert.equal(r.status, 'refused')
  assert.match(r.refusal!.message, /points.geojson: None of its 1 features is a usable ward boundary: 1 its geometry is a Point, not a Polygon or MultiPolygon/)
  assert.equal((await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM areas`)).n, before.n)
  const notJson = await run({ kind: 'boundaries', paths: [write('broken.geojson', '{"type": "FeatureCollection", "features": [')], level: 'ward' })
  assert.match(notJson.refusal!.message, /broken.geojson is not JSON/)
})

test('IoD 2019: File 1, 2 and 6 from one folder, each recognised by its headings; a second import replaces', async () => {
  const r = await run({ kind: 'imd', paths: [path.join(SHARED, 'deprivation')] })
  assert.equal(r.status, 'loaded', r.refusal?.message)
  assert.deepEqual(
    r.files.map((f) => f.detail),
    ['File 1, the Index of Multiple Deprivation', 'File 2, the domains of deprivation', 'File 6, the population denominators'],
  )
  assert.deepEqual(r.skippedFiles, ['OA11_LSOA11_MSOA11_LAD17_classification_lookup.csv.gz (not an IoD 2019 file this import reads)'])
  const city = await one(sql<{ imd_rank: number; imd_decile: number; crime: unknown; population: number }>`SELECT imd_rank, imd_decile, domains->'crime' AS crime, population FROM deprivation WHERE lsoa_code = 'E01000001'`)
  assert.deepEqual(city, { imd_rank: 29_199, imd_decile: 9, crime: { rank: 32_662, decile: 10 }, population: 1_296 })
  const counts = await one(sql<{ n: number; ranked: number; domains: number; people: number }>`SELECT count(*)::int AS n, count(imd_rank)::int AS ranked,
    count(*) FILTER (WHERE domains ? 'living_environment')::int AS domains, count(population)::int AS people FROM deprivation`)
  assert.deepEqual(counts, { n: 32_844, ranked: 32_844, domains: 32_844, people: 32_844 })
  const again = await run({ kind: 'imd', paths: [path.join(SHARED, 'deprivation/File_6_-_IoD2019_Population_Denominators.csv')] })
  assert.equal(again.status, 'loaded')
  assert.equal((await one(sql<{ n: number; ranked: number }>`SELECT count(*)::int AS n, count(imd_rank)::int AS ranked FROM deprivation`)).ranked, 32_844, 'File 6 leaves the ranks')
  const wrong = await run({ kind: 'imd', paths: [path.join(GEO, 'LAD17_CSP17_PFA17_lookup_EW.csv')] })
  assert.equal(wrong.status, 'refused')
  assert.match(wrong.refusal!.message, /LAD17_CSP17_PFA17_lookup_EW.csv: Its headings are not those of the English Indices of Deprivation 2019 files .* It looks like an ONS lookup/)
})

test('stop and search: the force and month from the file name or --force, searches placed in the LSOA boundaries that hold them', async () => {
  const manchester = path.join(POLICE, 'stop-and-search/2019-06-greater-manchester-stop-and-search.csv')
  const r = await run({ kind: 'stop-search', paths: [path.join(POLICE, 'stop-and-search')] })
  assert.equal(r.status, 'loaded', r.refusal?.message)
  const raw = rawRows(manchester)
  const gmp = await one(sql<{ n: number; month: string }>`SELECT count(*)::int AS n, min(month)::text AS month FROM stop_searches WHERE force = 'Greater Manchester Police'`)
  assert.deepEqual(gmp, { n: raw.length, month: '2019-06-01' })
  // Searches in Leicester, where LSOA boundaries are loaded (positions at two LSOAs' points inside).
  const points = (await sql<{ code: string; lon: number; lat: number }>`SELECT code, centroid_lon AS lon, centroid_lat AS lat FROM areas WHERE code IN ('E01013600', 'E01025631') ORDER BY code`.execute(db.kysely)).rows
  const header = 'Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search,Removal of more than just outer clothing'
  const lines = points.map((p) => `Person search,2021-03-05T12:00:00+00:00,False,,${p.lat},${p.lon},Male,18-24,,,Misuse of Drugs Act 1971 (section 23),Controlled drugs,Arrest,True,False`)
  const file = write('searches-in-leicester.csv', [header, ...lines, 'Person search,2021-03-05T12:00:00+00:00,False,,,,Male,18-24,,,PACE,Controlled drugs,Arrest,True,False'].join('\n'))
  const unnamed = await run({ kind: 'stop-search', paths: [file] })
  assert.equal(unnamed.status, 'refused')
  assert.match(unnamed.refusal!.message, /searches-in-leicester.csv names no force: .* Name the force with --force/)
  const named = await run({ kind: 'stop-search', paths: [file], force: 'leicestershire' })
  assert.equal(named.status, 'loaded', named.refusal?.message)
  const placed = (await sql<{ lsoa_code: string | null; month: string }>`SELECT lsoa_code, month::text AS month FROM stop_searches WHERE force = 'Leicestershire Police' ORDER BY lsoa_code NULLS LAST`.execute(db.kysely)).rows
  assert.deepEqual(placed, [
    { lsoa_code: 'E01013600', month: '2021-03-01' },
    { lsoa_code: 'E01025631', month: '2021-03-01' },
    { lsoa_code: null, month: '2021-03-01' },
  ])
  const twice = await run({ kind: 'stop-search', paths: [file], force: 'Leicestershire Police' })
  assert.deepEqual(twice.replaced, [{ what: 'Leicestershire Police, 2021-03', rows: 3 }])
  assert.equal((await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM stop_searches WHERE force = 'Leicestershire Police'`)).n, 3)
  const street = await run({ kind: 'stop-search', paths: [path.join(LEICESTERSHIRE, MONTHS[0]!)], force: 'Leicestershire Police' })
  assert.equal(street.status, 'refused')
  assert.match(street.refusal!.message, /is not a data.police.uk stop-and-search file: it has no column "Type", "Date", "Object of search" and "Outcome". It looks like a data.police.uk street-level crime file/)
})
