import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { capabilitiesOf } from '../../src/core/access/roles.ts'
import type { Viewer } from '../../src/core/access/visibility.ts'
import { pointInGeometry } from '../../src/core/geo/pointInPolygon.ts'
import type { AreaGeometry } from '../../src/core/opendata/geometry.ts'
import { asSystem } from '../../src/db/context.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { importOpenData } from '../../src/modules/opendata/service.ts'
import { overlayLayers } from '../../src/modules/overlays/service.ts'
import { signedIn, startTestApp, type TestApp } from '../support/app.ts'
import { engineName } from '../support/database.ts'

// Partner overlays (issue #7, point 3) through the API and the pages, on PGlite and on a PostgreSQL
// server, over the 23 LSOAs of Rutland from the shared boundary file: group members and premises
// from the groups register, partner points imported as CSV, each viewer counting only what they may
// see, small numbers suppressed, the reading audited, and bad files refused whole.

const RUTLAND = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/geo/lsoa11_E06000017.geojson')
const POLICE = 'analyst@demo.achilles.example'
const HMRC = 'analyst.hmrc@demo.achilles.example'
const SAFEGUARDING = 'safeguarding@demo.achilles.example'
const COUNCILLOR = 'councillor@demo.achilles.example'

type Feature = { properties: { LSOA11CD: string; LONG: number; LAT: number; BNG_E: number; BNG_N: number }; geometry: AreaGeometry }
const features = (JSON.parse(fs.readFileSync(RUTLAND, 'utf8')) as { features: Feature[] }).features
// LSOAs whose published centroid lies inside their own boundary, so a point there is placed in them.
const usable = features
  .filter((f) => pointInGeometry(f.properties.LONG, f.properties.LAT, f.geometry))
  .sort((a, b) => a.properties.LSOA11CD.localeCompare(b.properties.LSOA11CD))
const [A, B, C, D, E] = usable.map((f) => f.properties)

let t: TestApp
let area: string
type Api = (method: 'GET' | 'POST', url: string, json?: unknown) => Promise<{ status: number; body: any; text: string }>
const apis = new Map<string, Api>()
const api = (email: string) => apis.get(email)!
const user = (email: string) => t.partnership.users.find((u) => u.email === email)!
const viewerOf = (email: string): Viewer => ({ userId: user(email).id, agencyId: user(email).agencyId, capabilities: capabilitiesOf(user(email).roles) })
const handling = { purpose: 'Safeguarding cuckooed households in Rutland', reviewDate: '2030-01-01', protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'partnership' }
const overlayPointCount = async () => Number((await asSystem(t.db, (tx) => tx.selectFrom('overlay_points').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow())).n)

before(async () => {
  t = await startTestApp()
  assert.ok(usable.length >= 5)
  const report = await importOpenData(t.db, { kind: 'boundaries', level: 'lsoa', paths: [RUTLAND] }, { now: new Date('2026-12-02T12:00:00Z'), importedBy: 'overlays test' })
  assert.equal(report.status, 'loaded')
  for (const email of [POLICE, HMRC, SAFEGUARDING, COUNCILLOR]) {
    const { token } = await issueApiToken(t.ctx, 'system', user(email).id, { name: 'overlays test', scopes: ['records:read', 'records:write', 'agencies:read'] })
    apis.set(email, async (method, url, json) => {
      const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) }, payload: json !== undefined ? JSON.stringify(json) : undefined })
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null, text: res.body }
    })
  }
  // The whole of Rutland as a custom area: the overlays of any area are read through area_lsoas.
  const made = await api(POLICE)('POST', '/api/v1/areas/custom', { name: 'Rutland', geometry: { type: 'FeatureCollection', features: features.map((f) => ({ type: 'Feature', properties: {}, geometry: f.geometry })) } })
  assert.equal(made.status, 201, JSON.stringify(made.body))
  assert.equal(made.body.lsoaCount, 23)
  area = made.body.code
  await groupsRegister()
})
after(() => t.close())

/** The groups register, as the groups and entities modules would store it (owner connection). */
async function groupsRegister() {
  const k = t.ctx.db.kysely
  const police = user(POLICE)
  const restricted = (scope: 'agency' | 'partnership') => ({ owning_agency_id: police.agencyId, purpose: 'Testing overlays', protective_marking: 'OFFICIAL', handling_code: 'P', handling_conditions: null, sharing_scope: scope, created_by: police.id })
  let serial = 0
  const entity = async (schema: 'Person' | 'Address', scope: 'agency' | 'partnership', place: { lsoa?: string; lon?: number; lat?: number } = {}) =>
    (
      await k
        .insertInto('entities')
        .values({ schema, caption: `Overlay test ${schema} ${++serial}`, person_role: schema === 'Person' ? 'suspect' : null, lsoa_code: place.lsoa ?? null, longitude: place.lon ?? null, latitude: place.lat ?? null, review_date: '2030-01-01', ...restricted(scope) })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id
  const group = async (scope: 'agency' | 'partnership') =>
    (await k.insertInto('ocgs').values({ name: `Overlay group ${++serial}`, status: 'active', threat_areas: ['drugs'], review_date: '2030-01-01', ...restricted(scope) }).returning('id').executeTakeFirstOrThrow()).id
  const { purpose: _purpose, ...linkHandling } = restricted('partnership')
  const shared = await group('partnership')
  const ownOnly = await group('agency')
  // Six members who live at an address placed only by its position, in LSOA E.
  const home = await entity('Address', 'partnership', { lon: E!.LONG, lat: E!.LAT })
  for (let i = 0; i < 6; i++) {
    const person = await entity('Person', 'partnership')
    await k.insertInto('ocg_members').values({ group_id: shared, person_id: person, role: 'core_member' }).execute()
    await k.insertInto('entity_links').values({ link_type: 'occupant', subject_id: person, object_id: home, source_reference: 'Overlay test', ...linkHandling }).execute()
  }
  // One with an LSOA of their own (A), one with no location, one whose membership has ended.
  await k.insertInto('ocg_members').values({ group_id: shared, person_id: await entity('Person', 'partnership', { lsoa: A!.LSOA11CD }), role: 'associate' }).execute()
  await k.insertInto('ocg_members').values({ group_id: shared, person_id: await entity('Person', 'partnership'), role: 'associate' }).execute()
  await k.insertInto('ocg_members').values({ group_id: shared, person_id: await entity('Person', 'partnership', { lsoa: A!.LSOA11CD }), role: 'mule', start_date: '2020-01-01', end_date: '2021-01-01' }).execute()
  // A member of a group only the police may see, in A.
  await k.insertInto('ocg_members').values({ group_id: ownOnly, person_id: await entity('Person', 'agency', { lsoa: A!.LSOA11CD }), role: 'principal' }).execute()
  await k.insertInto('ocg_holdings').values({ group_id: shared, entity_id: await entity('Address', 'partnership', { lsoa: E!.LSOA11CD }), kind: 'premises' }).execute()
}

const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)
const csv = (rows: string[][]) => rows.map((r) => r.map(quote).join(',')).join('\n') + '\n'
const cell = (layer: any, code: string) => layer.byLsoa.find((c: { code: string }) => c.code === code)

test(`partner points import all or nothing: every faulty row listed with row and column, nothing saved (${engineName()})`, async () => {
  const before = await overlayPointCount()
  const bad = csv([
    ['Label', 'Latitude', 'Longitude', 'LSOA code'],
    ['Flat 1, Oak House', String(A!.LAT), String(A!.LONG), ''],
    ['Paris', '48.85', '2.35', ''],
    ['Edinburgh', '55.95', '-3.19', ''],
    ['Unknown LSOA', '', '', 'E01099999'],
    ['Nowhere', '', '', ''],
  ])
  const refused = await api(POLICE)('POST', '/api/v1/overlays/points/cuckooing', { csv: bad, dryRun: false, ...handling })
  assert.equal(refused.status, 422, refused.text)
  assert.deepEqual(refused.body.faults.map((f: { row: number; column: string | null }) => [f.row, f.column]), [[3, 'Latitude'], [4, 'Latitude'], [5, 'LSOA code'], [6, null]])
  assert.match(refused.body.faults[0].message, /outside the UK/)
  assert.match(refused.body.faults[1].message, /none of the LSOA boundaries loaded/)
  assert.match(refused.body.faults[2].message, /No LSOA E01099999 is loaded/)
  assert.equal(refused.body.valid, 1)
  const dry = await api(POLICE)('POST', '/api/v1/overlays/points/cuckooing', { csv: bad, ...handling })
  assert.equal(dry.status, 200)
  assert.equal(dry.body.faults.length, 4)
  const noWhere = await api(POLICE)('POST', '/api/v1/overlays/points/school', { csv: 'Name,Postcode\nA school,LE15 6AA\n', dryRun: false, ...handling })
  assert.equal(noWhere.status, 422)
  assert.match(noWhere.body.faults[0].message, /no column saying where each point is/)
  const badHandling = await api(POLICE)('POST', '/api/v1/overlays/points/cuckooing', { csv: 'LSOA code\nE01013787\n', ...handling, handlingCode: 'C' })
  assert.equal(badHandling.status, 400)
  assert.ok(badHandling.body.errors.some((e: { field: string }) => e.field === 'handlingConditions'))
  assert.equal((await api(POLICE)('POST', '/api/v1/overlays/points/graffiti', { csv: 'LSOA code\nE01013787\n', ...handling })).status, 400)
  assert.equal(await overlayPointCount(), before, 'nothing was saved')
})

test('each viewer counts only what they may see; counts under 5 are "fewer than 5", and a lone hidden cell forces another', async () => {
  const shared = csv([
    ['Label', 'Latitude', 'Longitude', 'Easting', 'Northing', 'LSOA code'],
    ...[1, 2, 3].map((i) => [`Flat ${i}, Oak House`, '', '', '', '', A!.LSOA11CD]),
    ...[1, 2, 3, 4, 5, 6].map((i) => [`${i} Elm Road`, String(B!.LAT), String(B!.LONG), '', '', '']),
    ['The Grange', '', '', String(C!.BNG_E), String(C!.BNG_N), ''],
  ])
  const imported = await api(POLICE)('POST', '/api/v1/overlays/points/cuckooing', { csv: shared, fileName: 'cuckooing.csv', dryRun: false, ...handling })
  assert.equal(imported.status, 201, imported.text)
  assert.deepEqual([imported.body.rows, imported.body.lsoas, imported.body.replaced], [10, 3, 0])
  // Four more that only the police may see.
  const own = await api(POLICE)('POST', '/api/v1/overlays/points/cuckooing', { csv: csv([['LSOA code'], ...[1, 2, 3, 4].map(() => [D!.LSOA11CD])]), dryRun: false, ...handling, sharingScope: 'agency' })
  assert.equal(own.status, 201)

  const hmrc = await api(HMRC)('GET', `/api/v1/overlays?area=${area}`)
  assert.equal(hmrc.status, 200, hmrc.text)
  assert.equal(hmrc.body.threshold, 5)
  assert.equal(hmrc.body.lsoas.length, 23)
  const cuckooing = hmrc.body.layers.find((l: { key: string }) => l.key === 'cuckooing')
  assert.deepEqual(cell(cuckooing, A!.LSOA11CD), { code: A!.LSOA11CD, suppressed: true, reason: 'small number', display: 'fewer than 5' })
  assert.deepEqual(cell(cuckooing, B!.LSOA11CD), { code: B!.LSOA11CD, suppressed: false, value: 6, display: '6' })
  assert.equal(cell(cuckooing, C!.LSOA11CD).display, 'fewer than 5', 'placed from its easting and northing')
  assert.equal(cell(cuckooing, D!.LSOA11CD).display, '0', "the police's agency-only points are not counted for HMRC")
  assert.deepEqual(cuckooing.total, { suppressed: false, value: 10, display: '10' })
  assert.match(cuckooing.source, /Leicestershire Police/)
  const police = (await api(POLICE)('GET', `/api/v1/overlays?area=${area}&layers=cuckooing`)).body
  assert.deepEqual(police.layers.map((l: { key: string }) => l.key), ['cuckooing'])
  assert.equal(cell(police.layers[0], D!.LSOA11CD).display, 'fewer than 5')
  assert.equal(police.layers[0].total.display, '14')

  // Group members: six at an address placed by its position in E, one in A; the ended membership
  // and the member with no location are not counted. 6 + 1 = 7 is shown, so the lone hidden 1
  // would be 7 - 6: the 6 is withheld too.
  const members = hmrc.body.layers.find((l: { key: string }) => l.key === 'group_members')
  assert.equal(cell(members, A!.LSOA11CD).display, 'fewer than 5')
  assert.deepEqual(cell(members, E!.LSOA11CD), { code: E!.LSOA11CD, suppressed: true, reason: 'complementary', display: 'withheld' })
  assert.deepEqual(members.total, { suppressed: false, value: 7, display: '7' })
  const policeMembers = (await api(POLICE)('GET', `/api/v1/overlays?area=${area}&layers=group_members,group_premises`)).body.layers
  assert.equal(policeMembers[0].total.display, '8', 'the police also count the member of their own group')
  assert.equal(cell(policeMembers[1], E!.LSOA11CD).display, 'fewer than 5')

  // No label, id, address or position leaves: only codes and counts.
  for (const text of ['Oak House', 'Elm Road', 'Grange', String(B!.LAT), String(B!.LONG), 'Overlay test']) assert.ok(!hmrc.text.includes(text), text)
  assert.ok(!/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.test(hmrc.text), 'no record id')

  // The threshold is configurable; the service takes it directly too, for a bare viewer.
  const strict = await overlayLayers(t.db, viewerOf(HMRC), area, { threshold: 10, layers: ['cuckooing'] })
  assert.equal(cell(strict[0], B!.LSOA11CD).display, 'fewer than 10')
})

test('each look at the overlays is written to the audit log, once, as an aggregate consultation', async () => {
  const seq = async () => Number((await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select((eb) => eb.fn.max('seq').as('s')).executeTakeFirstOrThrow())).s)
  const before = await seq()
  assert.equal((await api(HMRC)('GET', `/api/v1/overlays?area=${area}`)).status, 200)
  const rows = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').selectAll().where('seq', '>', before).execute())
  assert.equal(rows.length, 1)
  const [row] = rows
  assert.deepEqual([row!.action, row!.record_type, row!.record_id, row!.user_id, row!.agency_id], ['consultation', 'overlay', area, user(HMRC).id, user(HMRC).agencyId])
  const detail = row!.detail as Record<string, unknown>
  assert.equal(detail.aggregate, true)
  assert.equal(detail.counted, 7 + 1 + 10)
  const collected = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select(['action']).where('record_type', '=', 'overlay_point').execute())
  assert.deepEqual([...new Set(collected.map((r) => r.action))].sort(), ['collection', 'disclosure'], 'imports are logged as collected, and disclosed when shared')
})

test('who may look, and bad requests', async () => {
  const councillor = await api(COUNCILLOR)('GET', `/api/v1/overlays?area=${area}`)
  assert.equal(councillor.status, 403)
  assert.equal((await api(HMRC)('GET', '/api/v1/overlays?area=E23000099')).status, 404)
  assert.equal((await api(HMRC)('GET', '/api/v1/overlays?area=not-a-code')).status, 400)
  assert.equal((await api(HMRC)('GET', `/api/v1/overlays?area=${area}&layers=graffiti`)).status, 400)
  assert.equal((await api(HMRC)('GET', '/api/v1/overlays')).status, 400)
})

test('a layer sent again with replace takes the place of the agency’s earlier points', async () => {
  const schools = (n: number) => csv([['Name', 'LSOA code'], ...Array.from({ length: n }, (_, i) => [`School ${i}`, E!.LSOA11CD])])
  assert.equal((await api(SAFEGUARDING)('POST', '/api/v1/overlays/points/school', { csv: schools(2), dryRun: false, ...handling, purpose: 'Schools' })).status, 201)
  const again = await api(SAFEGUARDING)('POST', '/api/v1/overlays/points/school', { csv: schools(7), dryRun: false, replace: true, ...handling, purpose: 'Schools' })
  assert.equal(again.status, 201)
  assert.equal(again.body.replaced, 2)
  const layer = (await api(HMRC)('GET', `/api/v1/overlays?area=${area}&layers=school`)).body.layers[0]
  assert.equal(cell(layer, E!.LSOA11CD).display, '7')
})

test('the pages show the overlays as a table of suppressed counts by LSOA, and import a pasted file', async () => {
  const client = await signedIn(t.app, POLICE)
  const empty = await client.get('/overlays')
  assert.equal(empty.status, 200)
  assert.match(empty.body, /name="layers" type="checkbox" value="cuckooing"/)
  const page = await client.get(`/overlays?area=${area}`)
  assert.equal(page.status, 200)
  assert.match(page.body, /Partner overlays/)
  assert.ok(page.body.includes('fewer than 5') && page.body.includes('withheld') && page.body.includes(A!.LSOA11CD))
  assert.ok(!page.body.includes('Oak House'))
  const unknown = await client.get('/overlays?area=E23000099')
  assert.equal(unknown.status, 404)
  assert.match(unknown.body, /No area E23000099 is loaded/)

  const form = { layer: 'care_home', ...handling, purpose: 'Care homes of Rutland' }
  const faulty = await client.submit('/overlays/import', '/overlays/import', { ...form, action: 'check', csv: csv([['Label', 'Latitude', 'Longitude'], ['Home', '48.85', '2.35']]) })
  assert.equal(faulty.status, 200)
  assert.match(faulty.body, /Row 2, column &quot;Latitude&quot;: The point lies outside the UK/)
  const checked = await client.submit('/overlays/import', '/overlays/import', { ...form, action: 'check', csv: csv([['Label', 'LSOA code'], ['Home', A!.LSOA11CD]]) })
  assert.equal(checked.status, 200)
  assert.match(checked.body, /The file is ready to import/)
  // The page carries the checked file in its "Import" form, so it need not be chosen again.
  const importForm = /<form method="post" action="\/overlays\/import" novalidate>([\s\S]*?)<\/form>/.exec(checked.body)![1]!
  const hidden: Record<string, string> = {}
  for (const m of importForm.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    hidden[m[1]!] = m[2]!.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
  }
  assert.equal(hidden.action, 'import')
  assert.equal(hidden.layer, 'care_home')
  const before = await overlayPointCount()
  const done = await client.request('POST', '/overlays/import', { form: hidden })
  assert.equal(done.status, 303, done.body.slice(0, 500))
  assert.equal(await overlayPointCount(), before + 1)
  const after = await client.get('/overlays/import')
  assert.match(after.body, /1 point of care homes imported/)
  assert.match(after.body, /Layers your agency has supplied/)
})
