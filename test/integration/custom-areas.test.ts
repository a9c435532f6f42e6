import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { wgs84ToBng } from '../../src/core/opendata/projection.ts'
import type { AreaGeometry } from '../../src/core/opendata/geometry.ts'
import { asSystem } from '../../src/db/context.ts'
import { issueApiToken, SESSION_COOKIE } from '../../src/modules/auth/service.ts'
import { importOpenData } from '../../src/modules/opendata/service.ts'
import { buildProfile } from '../../src/modules/profiles/service.ts'
import { signedIn, startTestApp, type TestApp } from '../support/app.ts'
import { engineName } from '../support/database.ts'

// Custom areas (issue #7, point 2) drawn or uploaded, through the API and the pages, on PGlite and
// on a PostgreSQL server: membership from the real Leicester LSOA boundaries, refusals, deletion,
// and a profile of the custom area rolled up through area_lsoas.

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data')
const LEICESTER = path.join(DATA, 'geo/lsoa11_E06000016.geojson')
const ANALYST = 'analyst@demo.achilles.example'
const PARTNER = 'partner.officer@demo.achilles.example'

type Feature = { type: 'Feature'; properties: { LSOA11CD: string; LSOA11NM: string; LONG: number; LAT: number }; geometry: AreaGeometry }
const features = (JSON.parse(fs.readFileSync(LEICESTER, 'utf8')) as { features: Feature[] }).features
const byCode = new Map(features.map((f) => [f.properties.LSOA11CD, f]))
// Three LSOAs of Leicester, as the file lists them.
const chosen = features.slice(0, 3).map((f) => f.properties.LSOA11CD).sort()

let t: TestApp
type Api = (method: 'GET' | 'POST' | 'DELETE', url: string, json?: unknown) => Promise<{ status: number; body: any }>
const apis = new Map<string, Api>()
const api = (email: string) => apis.get(email)!
const user = (email: string) => t.partnership.users.find((u) => u.email === email)!

before(async () => {
  t = await startTestApp()
  const hooks = { now: new Date('2026-12-02T12:00:00Z'), importedBy: 'custom areas test' }
  for (const request of [
    { kind: 'boundaries', level: 'lsoa', paths: [LEICESTER] },
    { kind: 'police-crime', paths: [path.join(DATA, 'police/leicestershire/2020-01-leicestershire-street.csv')] },
  ]) {
    const report = await importOpenData(t.db, request, hooks)
    assert.equal(report.status, 'loaded', JSON.stringify(report).slice(0, 400))
  }
  for (const email of [ANALYST, PARTNER]) {
    const { token } = await issueApiToken(t.ctx, 'system', user(email).id, { name: 'custom areas test', scopes: ['records:read', 'records:write'] })
    apis.set(email, async (method, url, json) => {
      const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) }, payload: json !== undefined ? JSON.stringify(json) : undefined })
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null }
    })
  }
})
after(() => t.close())

test(`a shape made of real LSOA boundaries holds exactly those LSOAs (${engineName()})`, async () => {
  const shape = { type: 'FeatureCollection', features: chosen.map((c) => ({ type: 'Feature', properties: {}, geometry: byCode.get(c)!.geometry })) }
  const res = await api(ANALYST)('POST', '/api/v1/areas/custom', { name: 'Leicester centre', geometry: shape })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  assert.match(res.body.code, /^custom-\d+$/)
  assert.deepEqual(res.body.lsoas.map((l: { code: string }) => l.code), chosen)
  assert.equal(res.body.lsoaCount, 3)
  assert.equal(res.body.geometry.type, 'MultiPolygon')

  // Each LSOA on its own, as a drawn Polygon geometry, holds itself only.
  const one = byCode.get(chosen[0]!)!
  const single = await api(ANALYST)('POST', '/api/v1/areas/custom', { name: one.properties.LSOA11NM, geometry: one.geometry })
  assert.equal(single.status, 201)
  assert.deepEqual(single.body.lsoas, [{ code: chosen[0], name: one.properties.LSOA11NM }])

  // The profile of the custom area counts its LSOAs' crimes, as area_lsoas rolls them up.
  const { figures } = await buildProfile(t.db, { area: res.body.code, from: '2020-01', to: '2020-01' }, new Date('2026-12-02T12:00:00Z'))
  const rows = parse(fs.readFileSync(path.join(DATA, 'police/leicestershire/2020-01-leicestershire-street.csv')), { columns: true, bom: true }) as Array<Record<string, string>>
  assert.equal(figures.lsoaCount, 3)
  assert.equal(figures.total, rows.filter((r) => chosen.includes(r['LSOA code']!)).length)
})

test('a shape in British National Grid is reprojected, and a drawn rectangle takes the LSOAs whose centres it holds', async () => {
  const f = byCode.get(chosen[1]!)!
  const toBng = (g: AreaGeometry) => ({ type: g.type, coordinates: JSON.parse(JSON.stringify(g.coordinates), (_k, v) => (Array.isArray(v) && typeof v[0] === 'number' ? wgs84ToBng(v[0], v[1]) : v)) })
  const bng = await api(ANALYST)('POST', '/api/v1/areas/custom', { name: 'Grid shape', geometry: { type: 'Feature', properties: {}, geometry: toBng(f.geometry) } })
  assert.equal(bng.status, 201, JSON.stringify(bng.body))
  assert.deepEqual(bng.body.lsoas.map((l: { code: string }) => l.code), [chosen[1]])

  // A rectangle around Leicester's centre: its members are the loaded LSOAs whose point inside
  // (areas.centroid_lon/lat) lies within it.
  const [w, s, e, n] = [-1.15, 52.62, -1.12, 52.645]
  const rectangle = { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] }
  const drawn = await api(ANALYST)('POST', '/api/v1/areas/custom', { name: 'Drawn rectangle', geometry: rectangle })
  assert.equal(drawn.status, 201)
  const centres = await asSystem(t.db, (tx) => tx.selectFrom('areas').select(['code', 'centroid_lon', 'centroid_lat']).where('level', '=', 'lsoa').execute())
  const expected = centres.filter((c) => c.centroid_lon! > w && c.centroid_lon! < e && c.centroid_lat! > s && c.centroid_lat! < n).map((c) => c.code).sort()
  assert.ok(expected.length > 5)
  assert.deepEqual(drawn.body.lsoas.map((l: { code: string }) => l.code), expected)
})

test('a shape with no usable geometry, outside the UK, or holding no loaded LSOA is refused, and nothing is made', async () => {
  const before = (await api(ANALYST)('GET', '/api/v1/areas/custom')).body.areas.length
  const refused = async (geometry: unknown, pattern: RegExp) => {
    const res = await api(ANALYST)('POST', '/api/v1/areas/custom', { name: 'Refused', geometry })
    assert.equal(res.status, 400, JSON.stringify(res.body))
    const issue = res.body.errors.find((e: { field: string }) => e.field === 'geometry')
    assert.ok(issue, JSON.stringify(res.body))
    assert.match(issue.message, pattern)
  }
  await refused({ type: 'Point', coordinates: [-1.13, 52.63] }, /no usable geometry: its geometry is a Point, not a Polygon or MultiPolygon/)
  await refused({ type: 'FeatureCollection', features: [] }, /no features/)
  await refused({ type: 'Feature', properties: {}, geometry: null }, /no usable geometry/)
  await refused({ hello: 'world' }, /not GeoJSON/)
  await refused({ type: 'Polygon', coordinates: [[[2.3, 48.8], [2.4, 48.8], [2.4, 48.9], [2.3, 48.8]]] }, /outside the UK/)
  await refused({ type: 'Polygon', coordinates: [[[-3.2, 55.9], [-3.1, 55.9], [-3.1, 56.0], [-3.2, 55.9]]] }, /holds no loaded LSOA/)
  const noName = await api(ANALYST)('POST', '/api/v1/areas/custom', { name: '', geometry: { type: 'Polygon', coordinates: [] } })
  assert.equal(noName.status, 400)
  assert.ok(noName.body.errors.some((e: { field: string }) => e.field === 'name'))
  assert.equal((await api(ANALYST)('GET', '/api/v1/areas/custom')).body.areas.length, before)
})

test('the pages list, make (by upload) and delete custom areas; only the maker or a role that may erase deletes', async () => {
  const client = await signedIn(t.app, ANALYST)
  const form = await client.get('/areas/custom/new')
  assert.equal(form.status, 200)
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!
  const boundary = '----achillestest'
  const file = JSON.stringify({ type: 'FeatureCollection', features: [byCode.get(chosen[2]!)!] })
  const part = (name: string, value: string, filename?: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n${filename ? 'Content-Type: application/geo+json\r\n' : ''}\r\n${value}\r\n`
  const cookie = `${SESSION_COOKIE}=${client.cookie(SESSION_COOKIE)}; achilles_csrf=${client.cookie('achilles_csrf')}`
  const upload = (payload: string) => t.app.inject({ method: 'POST', url: '/areas/custom', headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload })
  const made = await upload(part('_csrf', csrf) + part('name', 'Uploaded LSOA') + part('file', file, 'lsoa.geojson') + `--${boundary}--\r\n`)
  assert.equal(made.statusCode, 303, made.body.slice(0, 2000))
  const location = String(made.headers.location)
  assert.match(location, /^\/areas\/custom\/custom-\d+$/)
  const shown = await client.get(location)
  assert.equal(shown.status, 200)
  assert.ok(shown.body.includes(chosen[2]!) && shown.body.includes('Uploaded LSOA'))

  const bad = await upload(part('_csrf', csrf) + part('name', 'Broken') + part('file', '{"type": "Polygon", ', 'broken.geojson') + `--${boundary}--\r\n`)
  assert.equal(bad.statusCode, 400)
  assert.match(bad.body, /There is a problem/)
  assert.match(bad.body, /is not GeoJSON: it cannot be read as JSON/)
  const point = await upload(part('_csrf', csrf) + part('name', 'A point') + part('geojson', '{"type":"Point","coordinates":[-1.13,52.63]}') + `--${boundary}--\r\n`)
  assert.equal(point.statusCode, 400)
  assert.match(point.body, /no usable geometry/)

  const list = await client.get('/areas/custom')
  assert.equal(list.status, 200)
  assert.ok(list.body.includes('Uploaded LSOA'))

  const code = location.split('/').pop()!
  // A partner officer (no erasing) did not make it, so may not delete it.
  assert.equal((await api(PARTNER)('DELETE', `/api/v1/areas/custom/${code}`)).status, 403)
  const deleted = await client.submit(location, `${location}/delete`, {})
  assert.equal(deleted.status, 303)
  assert.equal((await api(ANALYST)('GET', `/api/v1/areas/custom/${code}`)).status, 404)
  const gone = await asSystem(t.db, (tx) => tx.selectFrom('area_lsoas').select('lsoa_code').where('area_code', '=', code).execute())
  assert.deepEqual(gone, [], 'its LSOA membership goes with it')
  // The partner officer's own area is theirs to delete.
  const own = await api(PARTNER)('POST', '/api/v1/areas/custom', { name: 'Mine', geometry: byCode.get(chosen[0]!)!.geometry })
  assert.equal(own.status, 201)
  assert.equal((await api(PARTNER)('DELETE', `/api/v1/areas/custom/${own.body.code}`)).status, 204)
  assert.equal((await api(ANALYST)('DELETE', '/api/v1/areas/custom/E06000016')).status, 400, 'an ONS area is never a custom area')
})
