import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { readBoundaries } from '../../src/core/opendata/boundaries.ts'
import { AreaIndex, bboxOf, inPolygons, pointInside, type Polygon } from '../../src/core/opendata/geometry.ts'
import { bngToWgs84, wgs84ToBng } from '../../src/core/opendata/projection.ts'
import { Tally } from '../../src/core/opendata/tally.ts'

const GEO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/geo')
const load = (file: string) => JSON.parse(fs.readFileSync(path.join(GEO, file), 'utf8')) as { features: Array<{ properties: Record<string, unknown>; geometry: { type: string; coordinates: unknown } }>; crs?: unknown }

test('British National Grid to WGS84 agrees with the ONS’s own pairs to within 5 m', () => {
  // The ONS publishes each LSOA's and ward's centroid both ways (BNG_E, BNG_N and LONG, LAT) in
  // the boundary files: an independent reference for the EPSG:27700 transformation.
  // Leicester 003A: (457761, 308486) is (-1.14723, 52.67103).
  const [lon, lat] = bngToWgs84(457_761, 308_486)
  assert.ok(Math.abs(lon - -1.14723) < 5e-5 && Math.abs(lat - 52.67103) < 5e-5, `${lon}, ${lat}`)
  let worst = 0
  let pairs = 0
  for (const file of ['lsoa11_E06000016.geojson', 'lsoa11_E10000018.geojson', 'lsoa11_E06000017.geojson', 'lsoa11_E09000001_city_of_london.geojson', 'ward_E10000018.geojson']) {
    for (const f of load(file).features) {
      const p = f.properties as { BNG_E: number; BNG_N: number; LONG: number; LAT: number }
      const [x, y] = bngToWgs84(p.BNG_E, p.BNG_N)
      worst = Math.max(worst, Math.abs(x - p.LONG), Math.abs(y - p.LAT))
      pairs++
    }
  }
  assert.equal(pairs, 757)
  // The ONS rounds its grid to the metre and degrees to five places (about 1 m): 5e-5 degrees is
  // under 5 m.
  assert.ok(worst < 5e-5, `worst difference ${worst} degrees`)
  // (530000, 180000), by Whitehall: (-0.12835, 51.50399). The (-0.1276, 51.5072) often quoted for
  // it is the usual position given for London itself, which is (530043, 180358) on the grid, 360 m
  // north of it.
  const [cx, cy] = bngToWgs84(530_000, 180_000)
  assert.ok(Math.abs(cx - -0.12835) < 1e-5 && Math.abs(cy - 51.50399) < 1e-5, `${cx}, ${cy}`)
  const [e, n] = wgs84ToBng(cx, cy)
  assert.ok(Math.abs(e - 530_000) < 0.01 && Math.abs(n - 180_000) < 0.01, 'the reverse comes back to the metre')
})

test('a point inside: the centroid when it is inside, else a point on the widest stretch inside', () => {
  const square: Polygon = [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]
  assert.deepEqual(pointInside([square]), [1, 1])
  // A U: its centroid falls in the gap between the arms.
  const u: Polygon = [[[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]]
  const p = pointInside([u])
  assert.ok(inPolygons(p[0], p[1], [u]), `${p} is inside the U`)
  // A square with a hole in the middle.
  const ring: Polygon = [square[0]!, [[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 1.5], [0.5, 0.5]]]
  const q = pointInside([ring])
  assert.ok(inPolygons(q[0], q[1], [ring]) && !inPolygons(1, 1, [ring]), `${q} is inside, not in the hole`)
  assert.deepEqual(bboxOf([u]), [0, 0, 3, 3])
  // Every real LSOA of Leicester gets a point inside it.
  for (const f of load('lsoa11_E06000016.geojson').features) {
    const polygons = f.geometry.type === 'Polygon' ? [f.geometry.coordinates as Polygon] : (f.geometry.coordinates as Polygon[])
    const c = pointInside(polygons)
    assert.ok(inPolygons(c[0], c[1], polygons), String(f.properties.LSOA11CD))
  }
})

test('the area index finds the areas holding a point', () => {
  const index = new AreaIndex<string>()
  index.add('west', [[[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]])
  index.add('east', [[[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]]])
  assert.deepEqual(index.containing(0.5, 0.5), ['west'])
  assert.deepEqual(index.containing(1.5, 0.25), ['east'])
  assert.deepEqual(index.containing(3, 3), [])
})

test('reads ONS boundaries: code and name properties found, a point inside each, WGS84 recognised', () => {
  const tally = new Tally()
  const lsoas = readBoundaries(load('lsoa11_E06000017.geojson'), { level: 'lsoa', file: 'rutland', tally })
  assert.ok(lsoas.ok)
  assert.equal(lsoas.codeProperty, 'LSOA11CD')
  assert.equal(lsoas.nameProperty, 'LSOA11NM')
  assert.equal(lsoas.system, 'wgs84')
  assert.equal(lsoas.systemFrom, 'crs')
  assert.equal(lsoas.areas.length, 23)
  assert.equal(lsoas.areas[0]!.name, 'Rutland 005A')
  const wards = readBoundaries(load('ward_E10000018.geojson'), { level: 'ward', file: 'wards', tally })
  assert.ok(wards.ok)
  assert.equal(wards.codeProperty, 'WD25CD')
  assert.equal(wards.nameProperty, 'WD25NM', 'not WD25NMW, the Welsh name')
  assert.equal(wards.parentProperty, 'LAD25CD')
  assert.equal(wards.areas.find((w) => w.code === 'E05005479')!.parentCode, 'E07000132')
  const forces = readBoundaries(load('Police_Force_Areas_Dec2023_EW.geojson'), { level: 'police_force', file: 'pfa', tally })
  assert.ok(forces.ok)
  assert.equal(forces.areas.length, 43)
  assert.equal(forces.areas.find((a) => a.code === 'E23000021')!.name, 'Leicestershire')
  // Lower-case, snake_case property names, and no crs member.
  const renamed = load('lsoa11_E06000017.geojson')
  delete renamed.crs
  for (const f of renamed.features) f.properties = { lsoa11cd: f.properties.LSOA11CD, lsoa11nm: f.properties.LSOA11NM }
  const r = readBoundaries(renamed, { level: 'lsoa', file: 'renamed', tally })
  assert.ok(r.ok)
  assert.equal(r.codeProperty, 'lsoa11cd')
  assert.equal(r.nameProperty, 'lsoa11nm')
  assert.equal(r.systemFrom, 'coordinates')
  assert.deepEqual(tally.rejectionSummary(), [])
})

/** The sample file with every position written in British National Grid metres. */
function inBng(file: string, crs: boolean) {
  const json = load(file)
  const walk = (v: unknown): unknown => (Array.isArray(v) && typeof v[0] === 'number' ? wgs84ToBng(v[0], v[1] as number) : Array.isArray(v) ? v.map(walk) : v)
  for (const f of json.features) f.geometry.coordinates = walk(f.geometry.coordinates)
  if (crs) json.crs = { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::27700' } }
  else delete json.crs
  return json
}

test('boundaries in British National Grid are converted to WGS84, known from the crs member or the coordinates', () => {
  const original = readBoundaries(load('lsoa11_E06000017.geojson'), { level: 'lsoa', file: 'wgs84', tally: new Tally() })
  assert.ok(original.ok)
  for (const crs of [true, false]) {
    const converted = readBoundaries(inBng('lsoa11_E06000017.geojson', crs), { level: 'lsoa', file: 'bng', tally: new Tally() })
    assert.ok(converted.ok)
    assert.equal(converted.system, 'bng')
    assert.equal(converted.systemFrom, crs ? 'crs' : 'coordinates')
    converted.areas.forEach((a, i) => {
      const b = original.areas[i]!
      assert.equal(a.code, b.code)
      // Out and back through proj4, rounded to a millionth of a degree (10 cm).
      a.bbox.forEach((v, k) => assert.ok(Math.abs(v - b.bbox[k]!) < 2e-6, `${a.code} bbox ${k}: ${v} against ${b.bbox[k]}`))
    })
  }
  const lying = inBng('lsoa11_E06000017.geojson', false)
  lying.crs = { type: 'name', properties: { name: 'urn:ogc:def:crs:OGC:1.3:CRS84' } }
  const refused = readBoundaries(lying, { level: 'lsoa', file: 'lying', tally: new Tally() })
  assert.ok(!refused.ok)
  assert.match(refused.message, /says WGS84 .* too large to be degrees/)
})

test('refuses GeoJSON with no usable boundary, another coordinate system, or no code property', () => {
  const points = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { LSOA11CD: 'E01013600' }, geometry: { type: 'Point', coordinates: [-1.1, 52.6] } }, { type: 'Feature', properties: { LSOA11CD: 'E01013601' }, geometry: null }] }
  const none = readBoundaries(points, { level: 'lsoa', file: 'points', tally: new Tally() })
  assert.ok(!none.ok)
  assert.match(none.message, /None of its 2 features is a usable LSOA boundary: 1 its geometry is a Point, not a Polygon or MultiPolygon; 1 has no geometry/)
  const utm = { ...load('lsoa11_E06000017.geojson'), crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32630' } } }
  const other = readBoundaries(utm, { level: 'lsoa', file: 'utm', tally: new Tally() })
  assert.ok(!other.ok)
  assert.match(other.message, /EPSG::32630\) is not one this import reads/)
  const wrongLevel = readBoundaries(load('lsoa11_E06000017.geojson'), { level: 'ward', file: 'lsoas as wards', tally: new Tally() })
  assert.ok(!wrongLevel.ok)
  assert.match(wrongLevel.message, /No property holds ward codes .* "LSOA11CD"/)
  assert.ok(!readBoundaries({ type: 'Polygon', coordinates: [] }, { level: 'lsoa', file: 'bare', tally: new Tally() }).ok)
})

test('rejects features one by one: a code of the wrong kind, a code given twice, a feature outside the UK', () => {
  const json = load('lsoa11_E06000017.geojson')
  json.features[1]!.properties.LSOA11CD = 'E05000001'
  json.features[2]!.properties.LSOA11CD = json.features[0]!.properties.LSOA11CD
  const far = json.features[3]!
  far.geometry = { type: 'Polygon', coordinates: [[[10, 10], [11, 10], [11, 11], [10, 11], [10, 10]]] }
  const tally = new Tally()
  const r = readBoundaries(json, { level: 'lsoa', file: 'f', tally })
  assert.ok(r.ok)
  assert.equal(r.areas.length, 20)
  assert.deepEqual(
    tally.rejectionSummary().map((x) => [x.reason, x.rows.f]),
    [
      ['Its code is not a 2011 LSOA code (E01 or W01 and six digits)', [2]],
      ['Its code is given again: the first feature with it was loaded', [3]],
      ['Lies outside the UK (longitude -8.7 to 1.8, latitude 49.8 to 60.9)', [4]],
    ],
  )
})
