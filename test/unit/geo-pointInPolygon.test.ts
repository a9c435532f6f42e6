import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { bboxOfPoints, codesInside, placePoints, pointInGeometry } from '../../src/core/geo/pointInPolygon.ts'
import type { AreaGeometry } from '../../src/core/opendata/geometry.ts'

const square = (x0: number, y0: number, size: number): [number, number][] => [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]

test('a point is inside a polygon, outside it, or in its hole', () => {
  const ring: AreaGeometry = { type: 'Polygon', coordinates: [square(0, 0, 10), square(4, 4, 2)] }
  assert.equal(pointInGeometry(1, 1, ring), true)
  assert.equal(pointInGeometry(5, 5, ring), false, 'in the hole')
  assert.equal(pointInGeometry(11, 5, ring), false)
  assert.equal(pointInGeometry(Number.NaN, 5, ring), false)
})

test('a U-shaped polygon does not hold the gap between its arms', () => {
  // Arms from x 0-2 and 8-10, joined along the bottom from y 0 to 2; the gap is x 2-8 above y 2.
  const u: AreaGeometry = { type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 10], [8, 10], [8, 2], [2, 2], [2, 10], [0, 10], [0, 0]]] }
  assert.equal(pointInGeometry(5, 5, u), false)
  assert.equal(pointInGeometry(1, 9, u), true)
  assert.equal(pointInGeometry(5, 1, u), true)
})

test('each part of a MultiPolygon holds its own points', () => {
  const two: AreaGeometry = { type: 'MultiPolygon', coordinates: [[square(0, 0, 1)], [[...square(5, 5, 1)]]] }
  assert.equal(pointInGeometry(0.5, 0.5, two), true)
  assert.equal(pointInGeometry(5.5, 5.5, two), true)
  assert.equal(pointInGeometry(3, 3, two), false)
})

test('codesInside lists, in code order, the candidates whose point the shape holds', () => {
  const shape: AreaGeometry = { type: 'Polygon', coordinates: [square(0, 0, 10)] }
  const candidates = [
    { code: 'E01000003', lon: 5, lat: 5 },
    { code: 'E01000001', lon: 1, lat: 9 },
    { code: 'E01000002', lon: 12, lat: 5 },
    { code: 'E01000001', lon: 1, lat: 9 },
  ]
  assert.deepEqual(codesInside(shape, candidates), ['E01000001', 'E01000003'])
})

test('placePoints gives each point the area that holds it, null for none, and the lower code on a shared edge', () => {
  const areas = [
    { code: 'E01000002', geometry: { type: 'Polygon', coordinates: [square(1, 0, 1)] } as AreaGeometry },
    { code: 'E01000001', geometry: { type: 'Polygon', coordinates: [square(0, 0, 1)] } as AreaGeometry },
  ]
  assert.deepEqual(placePoints([{ lon: 0.5, lat: 0.5 }, { lon: 1.5, lat: 0.5 }, { lon: 3, lat: 3 }], areas), ['E01000001', 'E01000002', null])
  assert.deepEqual(placePoints([], areas), [])
  assert.deepEqual(bboxOfPoints([{ lon: 1, lat: 2 }, { lon: -1, lat: 5 }]), [-1, 2, 1, 5])
  assert.equal(bboxOfPoints([]), null)
})

test('a real Leicester LSOA boundary holds its published centroid and not its neighbours’', () => {
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/geo/lsoa11_E06000016.geojson')
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { features: Array<{ properties: { LSOA11CD: string; LONG: number; LAT: number }; geometry: AreaGeometry }> }
  const features = json.features.slice(0, 40)
  const areas = features.map((f) => ({ code: f.properties.LSOA11CD, geometry: f.geometry }))
  // The ONS publishes each LSOA's population-weighted centroid (LONG, LAT), which lies inside it.
  const placed = placePoints(features.map((f) => ({ lon: f.properties.LONG, lat: f.properties.LAT })), areas)
  const right = placed.filter((code, i) => code === features[i]!.properties.LSOA11CD).length
  assert.ok(right >= features.length - 1, `${right} of ${features.length} centroids placed in their own LSOA`)
  const first = features[0]!
  assert.deepEqual(codesInside(first.geometry, features.map((f) => ({ code: f.properties.LSOA11CD, lon: f.properties.LONG, lat: f.properties.LAT }))), [first.properties.LSOA11CD])
})
