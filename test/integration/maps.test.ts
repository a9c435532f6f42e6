import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { pointInGeometry } from '../../src/core/geo/pointInPolygon.ts'
import type { AreaGeometry } from '../../src/core/opendata/geometry.ts'
import { asSystem } from '../../src/db/context.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { importOpenData } from '../../src/modules/opendata/service.ts'
import { Client, signedIn, startTestApp, type TestApp } from '../support/app.ts'
import { engineName } from '../support/database.ts'

// The map page and its API over the shared Leicestershire data (lookups, IMD, the 611 LSOA
// boundaries of the force area, two months of street-level crime), its values checked against the
// raw files read here independently of the importer.

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data')
const MONTHS = ['2020-01', '2020-02']
const LEICS = 'E23000021'
const ANALYST = 'analyst@demo.achilles.example'
const crimeFile = (m: string) => path.join(DATA, 'police/leicestershire', `${m}-leicestershire-street.csv`)

type Row = Record<string, string>
const csv = (file: string): Row[] => parse(fs.readFileSync(file), { columns: true, bom: true }) as Row[]

let t: TestApp
let client: Client
let lsoaCodes: Set<string>
before(async () => {
  t = await startTestApp()
  const hooks = { now: new Date('2026-12-02T12:00:00Z'), importedBy: 'maps test' }
  const load = async (request: Record<string, unknown>) => {
    const report = await importOpenData(t.db, request, hooks)
    assert.equal(report.status, 'loaded', JSON.stringify(report).slice(0, 500))
  }
  await load({ kind: 'lookups', paths: [path.join(DATA, 'geo/LAD17_CSP17_PFA17_lookup_EW.csv'), path.join(DATA, 'deprivation/OA11_LSOA11_MSOA11_LAD17_classification_lookup.csv.gz')] })
  await load({ kind: 'imd', paths: [path.join(DATA, 'deprivation/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv'), path.join(DATA, 'deprivation/File_6_-_IoD2019_Population_Denominators.csv')] })
  const boundaryFiles = ['lsoa11_E06000016.geojson', 'lsoa11_E10000018.geojson', 'lsoa11_E06000017.geojson'].map((f) => path.join(DATA, 'geo', f))
  await load({ kind: 'boundaries', level: 'lsoa', paths: boundaryFiles })
  await load({ kind: 'police-crime', paths: MONTHS.map(crimeFile) })
  lsoaCodes = new Set(boundaryFiles.flatMap((f) => (JSON.parse(fs.readFileSync(f, 'utf8')) as { features: Array<{ properties: Record<string, string> }> }).features.map((x) => x.properties.LSOA11CD!)))
  client = await signedIn(t.app, ANALYST)
})
after(() => t?.close())

/** Street-level records of the raw files in the force area's LSOAs, by LSOA, of the types given (all when none). */
function rawCounts(months: readonly string[], types?: readonly string[]): Map<string, number> {
  const out = new Map<string, number>()
  for (const r of months.flatMap((m) => csv(crimeFile(m)))) {
    const code = r['LSOA code']!
    if (!lsoaCodes.has(code) || (types && !types.includes(r['Crime type']!))) continue
    out.set(code, (out.get(code) ?? 0) + 1)
  }
  return out
}

type Cell = { code: string; name: string; value: number | null; display: string; classKey: string; colour: string; band: string }

test('the page defaults to the force area and the months loaded, and its table lists every LSOA by value', async () => {
  const page = await client.get('/maps')
  assert.equal(page.status, 200, page.body.slice(0, 500))
  assert.match(page.body, /<h1 class="govuk-heading-l">Crime map: Leicestershire<\/h1>/)
  assert.match(page.body, /<option value="E23000021" selected>Leicestershire \(E23000021\)<\/option>/)
  assert.match(page.body, /<option value="2020-01" selected>January 2020<\/option>/)
  assert.match(page.body, /<option value="2020-02" selected>February 2020<\/option>/)
  assert.match(page.body, /January to February 2020/)
  assert.match(page.body, /Open Government Licence v3\.0/)
  assert.match(page.body, /data\.police\.uk/)
  assert.match(page.body, /English Indices of Deprivation 2019/)
  assert.match(page.body, /Office for National Statistics/)
  assert.match(page.body, /href="\/maps"/, 'the navigation links to the map')
  assert.match(page.body, /data-boundaries-url="\/api\/v1\/maps\/boundaries\?area=E23000021"/)
  const table = page.body.slice(page.body.indexOf('id="layer-table"'))
  const rows = [...table.matchAll(/<tr class="govuk-table__row">\s*<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)<\/td>\s*<td class="govuk-table__cell">([^<]*)<\/td>\s*<td class="govuk-table__cell">(E01\d{6})<\/td>\s*<td class="govuk-table__cell[^"]*">([^<]*)<\/td>/g)]
  assert.equal(rows.length, 611)
  const values = rows.map((r) => Number(r[4]!.replace(/,/g, '')))
  assert.deepEqual(values, [...values].sort((a, b) => b - a), 'highest first')
  const raw = rawCounts(MONTHS)
  for (const r of rows.slice(0, 20)) assert.equal(Number(r[4]!.replace(/,/g, '')), raw.get(r[3]!) ?? 0, r[3])
})

test('the layer API gives each LSOA the count the raw files hold, by crime type and SOC slice too', async () => {
  const all = await client.get(`/api/v1/maps/layer?area=${LEICS}&from=2020-01&to=2020-02&layer=all`)
  assert.equal(all.status, 200, all.body.slice(0, 500))
  const body = all.json()
  assert.equal(body.area.name, 'Leicestershire')
  assert.deepEqual(body.period, { from: '2020-01', to: '2020-02', monthsWithoutData: [] })
  assert.equal(body.layer.values.length, 611)
  const raw = rawCounts(MONTHS)
  for (const v of body.layer.values as Cell[]) assert.equal(v.value, raw.get(v.code) ?? 0, v.code)
  assert.equal(body.layer.total, [...raw.values()].reduce((s, n) => s + n, 0))
  assert.ok(body.layer.legend.items.length >= 3)
  assert.equal(body.layer.legend.items.reduce((s: number, i: { lsoas: number }) => s + i.lsoas, 0), 611)
  assert.ok(body.layers.some((l: { id: string }) => l.id === 'type:violence-and-sexual-offences'))
  assert.ok(body.attribution.some((a: string) => a.includes('Open Government Licence')))

  const january = rawCounts(['2020-01'], ['Drugs'])
  const drugs = (await client.get(`/api/v1/maps/layer?area=${LEICS}&from=2020-01&to=2020-01&layer=type:drugs`)).json()
  for (const v of drugs.layer.values as Cell[]) assert.equal(v.value, january.get(v.code) ?? 0, v.code)

  const acquisitive = rawCounts(MONTHS, ['Burglary', 'Robbery', 'Vehicle crime', 'Theft from the person'])
  const slice = (await client.get(`/api/v1/maps/layer?area=${LEICS}&from=2020-01&to=2020-02&layer=slice:acquisitive`)).json()
  for (const v of slice.layer.values as Cell[]) assert.equal(v.value, acquisitive.get(v.code) ?? 0, v.code)

  const population = new Map(csv(path.join(DATA, 'deprivation/File_6_-_IoD2019_Population_Denominators.csv')).map((r) => [Object.values(r)[0]!, Number(Object.values(r)[4]!.replace(/,/g, ''))]))
  const rate = (await client.get(`/api/v1/maps/layer?area=${LEICS}&from=2020-01&to=2020-02&layer=all&measure=rate`)).json()
  assert.equal(rate.layer.measure, 'rate')
  for (const v of (rate.layer.values as Cell[]).slice(0, 25)) {
    assert.ok(Math.abs(v.value! - ((raw.get(v.code) ?? 0) / population.get(v.code)!) * 1000) < 1e-9, v.code)
  }
})

test('hot spots, deprivation and boundaries: one value per LSOA, IMD deciles as published', async () => {
  const hot = (await client.get(`/api/v1/maps/layer?area=${LEICS}&layer=hotspots`)).json()
  assert.equal(hot.layer.values.length, 611)
  assert.ok(hot.layer.values.some((v: Cell) => v.classKey === 'hot-99'), 'Leicester city centre is a hot spot')
  assert.deepEqual(hot.layer.legend.items.slice(0, 7).map((i: { key: string }) => i.key), ['hot-99', 'hot-95', 'hot-90', 'none', 'cold-90', 'cold-95', 'cold-99'])

  const deciles = new Map(csv(path.join(DATA, 'deprivation/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv')).map((r) => [r['LSOA code (2011)']!, Number(r['Index of Multiple Deprivation (IMD) Decile'])]))
  const imd = (await client.get(`/api/v1/maps/layer?area=${LEICS}&layer=imd`)).json()
  for (const v of imd.layer.values as Cell[]) assert.equal(v.value, deciles.get(v.code), v.code)
  assert.equal(imd.layer.values[0].value, 1, 'most deprived first')

  const boundaries = await client.get(`/api/v1/maps/boundaries?area=${LEICS}`)
  assert.equal(boundaries.status, 200)
  const fc = boundaries.json()
  assert.equal(fc.type, 'FeatureCollection')
  assert.equal(fc.features.length, 611)
  assert.deepEqual(new Set(fc.features.map((f: { id: string }) => f.id)), lsoaCodes)
  assert.ok(fc.bbox[0] > -1.7 && fc.bbox[2] < -0.4 && fc.bbox[1] > 52.3 && fc.bbox[3] < 53.0, JSON.stringify(fc.bbox))

  // A local authority within the force: Rutland's 23 LSOAs.
  const rutland = (await client.get('/api/v1/maps/layer?area=E06000017&layer=all')).json()
  assert.equal(rutland.layer.values.length, 23)
})

test('a heat map of drugs counts every positioned record, and puts each peak in the LSOA whose boundary holds it', async () => {
  const raw = MONTHS.flatMap((m) => csv(crimeFile(m))).filter((r) => lsoaCodes.has(r['LSOA code']!) && r['Crime type'] === 'Drugs' && r.Longitude !== '')
  const res = await client.get(`/api/v1/maps/density?area=${LEICS}&from=2020-01&to=2020-02&density=slice:drugs&bandwidth=1000`)
  assert.equal(res.status, 200, res.body.slice(0, 500))
  const d = res.json()
  assert.deepEqual(d.source, { id: 'slice:drugs', label: 'Drugs', noun: 'crimes' })
  const s = d.surface
  assert.equal(s.points, raw.length)
  assert.deepEqual([s.kernel, s.bandwidthMetres, s.cellSizeMetres, s.bandwidthChosen], ['quartic', 1000, 200, false])
  assert.ok(s.columns * s.rows <= 160_000)
  assert.deepEqual(s.classes.map((c: { key: string }) => c.key), ['x1', 'x2', 'x4', 'x8'])
  for (const [row, column, span, k] of s.runs as number[][]) {
    assert.ok(row! >= 0 && row! < s.rows && column! >= 0 && column! + span! <= s.columns && k! >= 0 && k! < 4, `run ${[row, column, span, k]}`)
  }
  assert.ok(s.runs.some((r: number[]) => r[3] === 3), 'some cells are 8 or more times the mean')
  assert.match(d.notes[0], new RegExp(`^Heat map: the density of ${raw.length.toLocaleString('en-GB')} crimes \\(quartic kernel, 1 km bandwidth, 200 m cells\\)`))

  // Each peak lies in the LSOA the page names, by the published boundary, and counts the raw
  // records near it (by the haversine distance here: the surface's flat projection may differ by a point or two).
  const geometries = new Map<string, AreaGeometry>()
  for (const f of ['lsoa11_E06000016.geojson', 'lsoa11_E10000018.geojson', 'lsoa11_E06000017.geojson']) {
    for (const x of (JSON.parse(fs.readFileSync(path.join(DATA, 'geo', f), 'utf8')) as { features: Array<{ properties: Record<string, string>; geometry: AreaGeometry }> }).features) geometries.set(x.properties.LSOA11CD!, x.geometry)
  }
  assert.ok(d.peaks.length >= 3, `${d.peaks.length} peaks`)
  for (const p of d.peaks) {
    assert.ok(p.lsoa, `peak ${p.rank} is inside an LSOA`)
    assert.ok(pointInGeometry(p.longitude, p.latitude, geometries.get(p.lsoa.code)!), `peak ${p.rank} is inside ${p.lsoa.code}`)
  }
  const haversine = (lon1: number, lat1: number, lon2: number, lat2: number) => {
    const r = Math.PI / 180
    const a = Math.sin(((lat2 - lat1) * r) / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2
    return 2 * 6_371_008.8 * Math.asin(Math.sqrt(a))
  }
  const first = d.peaks[0]
  const near = raw.filter((r) => haversine(first.longitude, first.latitude, Number(r.Longitude), Number(r.Latitude)) <= 1000).length
  assert.ok(Math.abs(first.within - near) <= 2, `${first.within} within 1 km, ${near} by haversine`)
  const leicester = new Set((JSON.parse(fs.readFileSync(path.join(DATA, 'geo/lsoa11_E06000016.geojson'), 'utf8')) as { features: Array<{ properties: Record<string, string> }> }).features.map((x) => x.properties.LSOA11CD!))
  assert.ok(leicester.has(first.lsoa.code), `the densest place, ${first.lsoa.name}, is in the city of Leicester`)

  // Chosen from the size of the area when not given; stop and search, none loaded, says so.
  const auto = (await client.get(`/api/v1/maps/density?area=${LEICS}`)).json()
  assert.equal(auto.source.id, 'all')
  assert.equal(auto.surface.bandwidthChosen, true)
  assert.ok(auto.surface.bandwidthMetres >= 1500 && auto.surface.bandwidthMetres <= 3000, String(auto.surface.bandwidthMetres))
  const searches = (await client.get(`/api/v1/maps/density?area=${LEICS}&density=stop-search`)).json()
  assert.equal(searches.surface, null)
  assert.deepEqual(searches.peaks, [])
  assert.match(searches.notes[0], /^No stop and searches with a position are loaded for Leicestershire in January to February 2020, so there is no heat map \(import them with achilles import stop-search\)/)

  // The page: the key, the table of peaks, and the surface for the map's script.
  const page = await client.get(`/maps?area=${LEICS}&layer=imd&density=slice:drugs&bandwidth=1000`)
  assert.equal(page.status, 200, page.body.slice(0, 300))
  assert.match(page.body, /<option value="slice:drugs" selected>Drugs<\/option>/)
  assert.match(page.body, /<option value="1000" selected>1 km<\/option>/)
  assert.match(page.body, /id="density-legend"/)
  const table = page.body.slice(page.body.indexOf('id="density-table"'), page.body.indexOf('</table>', page.body.indexOf('id="density-table"')))
  const ranks = [...table.matchAll(/<tr class="govuk-table__row"><td class="govuk-table__cell govuk-table__cell--numeric">(\d+)<\/td><td class="govuk-table__cell">([^<]*)<\/td>/g)]
  assert.equal(ranks.length, d.peaks.length)
  assert.equal(ranks[0]![2], `${first.lsoa.name} (${first.lsoa.code})`)
  const embedded = JSON.parse(/<script type="application\/json" id="density-data">([^<]*)<\/script>/.exec(page.body)![1]!)
  assert.deepEqual(embedded.surface.runs, s.runs)
  assert.match(page.body, /data-density="density-data"/)
})

test('bad input is refused with the field named, on the API and on the page', async () => {
  const cases: Array<[string, string]> = [
    ['area=E23000099', 'area'],
    ['area=nonsense', 'area'],
    ['from=2020-13', 'from'],
    ['from=2020-02&to=2020-01', 'to'],
    ['layer=type:unicorns', 'layer'],
    ['measure=percent', 'measure'],
  ]
  for (const [qs, field] of cases) {
    const api = await client.get(`/api/v1/maps/layer?${qs}`)
    assert.equal(api.status, 400, `${qs}: ${api.body}`)
    assert.ok(api.json().errors.some((e: { field: string }) => e.field === field), `${qs} names ${field}: ${api.body}`)
    const page = await client.get(`/maps?${qs}`)
    assert.equal(page.status, 400, qs)
    assert.match(page.body, /govuk-error-summary/, qs)
    assert.match(page.body, new RegExp(`href="#${field}"`), `${qs}: the summary links to ${field}`)
    assert.match(page.body, new RegExp(`id="${field}-error"`), `${qs}: the field shows its error`)
  }
  const heatMaps: Array<[string, string, RegExp]> = [
    ['density=type:unicorns', 'density', /There is no heat map "type:unicorns" for Leicestershire/],
    ['density=all&bandwidth=50', 'bandwidth', /Bandwidth must be at least 100 metres/],
    ['density=all&bandwidth=wide', 'bandwidth', /Bandwidth must be a whole number of metres/],
    ['density=all&bandwidth=20000', 'bandwidth', /Bandwidth must be 10,000 metres or less/],
    // Over a county force the 160,000 cells a map may hold are 200 m: a 150 m bandwidth would be drawn in blocks.
    ['density=all&bandwidth=150', 'bandwidth', /A bandwidth of 150 m needs cells of \d+ m .*choose a bandwidth of at least \d+ m, or a smaller area for Leicestershire/],
  ]
  for (const [qs, field, message] of heatMaps) {
    const api = await client.get(`/api/v1/maps/density?${qs}`)
    assert.equal(api.status, 400, `${qs}: ${api.body}`)
    const error = api.json().errors.find((e: { field: string }) => e.field === field)
    assert.match(error?.message ?? '', message, `${qs} names ${field}: ${api.body}`)
    const page = await client.get(`/maps?${qs}`)
    assert.equal(page.status, 400, qs)
    assert.match(page.body, new RegExp(`href="#${field}"`), `${qs}: the summary links to ${field}`)
    assert.match(page.body, new RegExp(`id="${field}-error"`), `${qs}: the field shows its error`)
    assert.doesNotMatch(page.body, /id="map"/, `${qs}: no map is drawn`)
  }
  const boundaries = await client.get('/api/v1/maps/boundaries?area=E23000099')
  assert.equal(boundaries.status, 400)
  assert.equal(boundaries.json().errors[0].field, 'area')
})

test('the map needs a signed-in user, and serves Leaflet from the package', async () => {
  const anonymous = new Client(t.app)
  const page = await anonymous.get('/maps')
  assert.equal(page.status, 303)
  assert.match(String(page.headers.location), /^\/sign-in/)
  assert.equal((await anonymous.get(`/api/v1/maps/layer?area=${LEICS}`)).status, 401)
  assert.equal((await anonymous.get(`/api/v1/maps/boundaries?area=${LEICS}`)).status, 401)
  const leaflet = await anonymous.get('/assets/leaflet/leaflet-src.esm.js')
  assert.equal(leaflet.status, 200)
  assert.match(leaflet.body, /export \{/)
  assert.equal((await anonymous.get('/assets/leaflet/leaflet.css')).status, 200)
  assert.equal((await anonymous.get('/public/maps.mjs')).status, 200)
  assert.equal((await anonymous.get('/assets/govuk-frontend.min.css')).status, 200, 'GOV.UK Frontend assets still served')
})

test('with nothing loaded the page says what to import; configured base tiles are let through the CSP', async () => {
  const empty = await startTestApp({ mapTilesUrl: 'https://{s}.tiles.example.org/{z}/{x}/{y}.png', mapTilesAttribution: '© Example tiles' })
  try {
    const c = await signedIn(empty.app, ANALYST)
    const page = await c.get('/maps')
    assert.equal(page.status, 200)
    assert.match(page.body, /No area with LSOA boundaries is loaded: import the lookups and the LSOA boundaries first/)
    assert.match(String(page.headers['content-security-policy']), /img-src 'self' data: https:\/\/\*\.tiles\.example\.org/)
    for (const url of ['/api/v1/maps/layer', '/api/v1/maps/density', '/api/v1/maps/boundaries']) {
      const api = await c.get(url)
      assert.equal(api.status, 404, url)
      assert.match(api.json().detail, /No area with LSOA boundaries is loaded/, url)
    }
    assert.doesNotMatch(String((await c.get('/')).headers['content-security-policy']), /tiles\.example\.org/, 'other pages keep their policy')
  } finally {
    await empty.close()
  }
})

test(`partner overlays are layers for a user who may read records: small counts "fewer than 5", larger ones exact, no point's position (${engineName()})`, async () => {
  // Three Leicester LSOAs whose published centroid lies inside their own boundary, so a point
  // there is placed in them: 7 cuckooing addresses in the first, 2 and 3 in the others (two small
  // cells, so complementary suppression leaves the 7 shown).
  type Feature = { properties: { LSOA11CD: string; LONG: number; LAT: number }; geometry: AreaGeometry }
  const leicester = (JSON.parse(fs.readFileSync(path.join(DATA, 'geo/lsoa11_E06000016.geojson'), 'utf8')) as { features: Feature[] }).features
    .filter((f) => pointInGeometry(f.properties.LONG, f.properties.LAT, f.geometry))
    .sort((a, b) => a.properties.LSOA11CD.localeCompare(b.properties.LSOA11CD))
  const [X, Y, Z] = leicester.map((f) => f.properties)
  const points = [
    ...[1, 2, 3, 4, 5, 6, 7].map((i) => [`${i} Mapping Street`, String(X!.LAT), String(X!.LONG), '']),
    ...[1, 2].map((i) => [`Flat ${i} Overlay House`, '', '', Y!.LSOA11CD]),
    ...[1, 2, 3].map((i) => [`${i} Suppressed Close`, String(Z!.LAT), String(Z!.LONG), '']),
  ]
  const analyst = t.partnership.users.find((u) => u.email === ANALYST)!
  const { token } = await issueApiToken(t.ctx, 'system', analyst.id, { name: 'maps overlay test', scopes: ['records:read', 'records:write'] })
  const importPoints = async (layer: string, rows: string[][]) => {
    const imported = await t.app.inject({
      method: 'POST',
      url: `/api/v1/overlays/points/${layer}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        csv: ['Label,Latitude,Longitude,LSOA code', ...rows.map((r) => r.join(','))].join('\n') + '\n',
        fileName: `${layer}.csv`, dryRun: false,
        purpose: 'Safeguarding cuckooed households in Leicester', reviewDate: '2030-01-01', protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'partnership',
      }),
    })
    assert.equal(imported.statusCode, 201, imported.body)
  }
  await importPoints('cuckooing', points)
  // Schools: 6 in X and 2 in Y. The 2 alone would be given away by the total, so the 6 is withheld.
  await importPoints('school', [...[1, 2, 3, 4, 5, 6].map((i) => [`School ${i}`, '', '', X!.LSOA11CD]), ...[1, 2].map((i) => [`College ${i}`, '', '', Y!.LSOA11CD])])

  const overlayAudits = async () => Number((await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).where('record_type', '=', 'overlay').executeTakeFirstOrThrow())).n)
  const auditsBefore = await overlayAudits()
  const listed = (await client.get(`/api/v1/maps/layer?area=${LEICS}&layer=all`)).json()
  const overlayIds = listed.layers.filter((l: { group: string }) => l.group === 'Partner overlays').map((l: { id: string }) => l.id)
  assert.ok(overlayIds.includes('overlay:cuckooing') && overlayIds.includes('overlay:group_members'), JSON.stringify(overlayIds))
  assert.equal(await overlayAudits(), auditsBefore, 'listing the overlay layers counts nothing, so audits nothing')

  const reply = await client.get(`/api/v1/maps/layer?area=${LEICS}&layer=overlay:cuckooing`)
  assert.equal(reply.status, 200, reply.body.slice(0, 500))
  assert.equal(await overlayAudits(), auditsBefore + 1, 'counting the overlay is audited once')
  const body = reply.json()
  assert.equal(body.layer.group, 'Partner overlays')
  assert.equal(body.layer.values.length, 611)
  const cell = (code: string) => (body.layer.values as Cell[]).find((c) => c.code === code)!
  assert.deepEqual([cell(X!.LSOA11CD).value, cell(X!.LSOA11CD).display], [7, '7'])
  for (const small of [Y!, Z!]) assert.deepEqual([cell(small.LSOA11CD).value, cell(small.LSOA11CD).display, cell(small.LSOA11CD).band], [null, 'fewer than 5', 'Fewer than 5'], small.LSOA11CD)
  assert.equal((body.layer.values as Cell[]).filter((c) => c.value !== 0).length, 3, 'every other LSOA holds none')
  assert.ok(body.layer.legend.items.some((i: { label: string; lsoas: number }) => i.label === 'Fewer than 5' && i.lsoas === 2))
  assert.ok(body.attribution.some((a: string) => /partners' records/.test(a)))
  for (const p of [X!, Z!]) {
    for (const coordinate of [p.LAT, p.LONG]) assert.ok(!reply.body.includes(String(coordinate)), `the response holds no point's coordinate (${coordinate})`)
  }
  assert.doesNotMatch(reply.body, /Mapping Street|Overlay House|Suppressed Close/, "no point's label either")

  const schools = (await client.get(`/api/v1/maps/layer?area=${LEICS}&layer=overlay:school`)).json()
  const school = (code: string) => (schools.layer.values as Cell[]).find((c) => c.code === code)!
  assert.deepEqual([school(Y!.LSOA11CD).value, school(Y!.LSOA11CD).display], [null, 'fewer than 5'])
  assert.deepEqual([school(X!.LSOA11CD).value, school(X!.LSOA11CD).display, school(X!.LSOA11CD).band], [null, 'withheld', 'Fewer than 5, or withheld'])
  assert.ok(schools.layer.notes.some((n: string) => /withheld/.test(n)))

  const page = await client.get(`/maps?area=${LEICS}&layer=overlay:cuckooing`)
  assert.equal(page.status, 200, page.body.slice(0, 500))
  assert.match(page.body, /<option value="overlay:cuckooing" selected>Cuckooing addresses<\/option>/)
  assert.match(page.body, /<h2 class="govuk-heading-m" id="layer-title">Cuckooing addresses, addresses<\/h2>/)
  assert.match(page.body, /<td class="govuk-table__cell">fewer than 5<\/td>/)
  assert.doesNotMatch(page.body, /Mapping Street|Overlay House|Suppressed Close/)

  const unknown = await client.get(`/api/v1/maps/layer?area=${LEICS}&layer=overlay:graffiti`)
  assert.equal(unknown.status, 400)
  assert.equal(unknown.json().errors[0].field, 'layer')

  // A councillor sees aggregate figures only: no overlay layers, and asking for one is refused.
  const councillor = await signedIn(t.app, 'councillor@demo.achilles.example')
  const theirs = (await councillor.get(`/api/v1/maps/layer?area=${LEICS}&layer=all`)).json()
  assert.ok(!theirs.layers.some((l: { group: string }) => l.group === 'Partner overlays'), 'no overlay layers listed')
  const refused = await councillor.get(`/api/v1/maps/layer?area=${LEICS}&layer=overlay:cuckooing`)
  assert.equal(refused.status, 403, refused.body)
  assert.match(refused.json().detail, /overlay:cuckooing/)
  const refusedPage = await councillor.get(`/maps?area=${LEICS}&layer=overlay:cuckooing`)
  assert.equal(refusedPage.status, 403)
  assert.doesNotMatch(refusedPage.body, /fewer than 5/)
  assert.doesNotMatch((await councillor.get(`/maps?area=${LEICS}`)).body, /Partner overlays|href="\/overlays/)
  assert.equal(await overlayAudits(), auditsBefore + 3, 'the schools and the page counted once more each; the refusals counted nothing')
})
