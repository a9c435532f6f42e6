import assert from 'node:assert/strict'
import { test } from 'node:test'
import { attributionLines, boundaryCollection, boundingBox, roundCoordinates } from '../../src/core/maps/boundaries.ts'
import { defaultPeriod, monthsWithoutData, periodIssues, periodLabel } from '../../src/core/maps/period.ts'
import { allowImages, tileImageSource } from '../../src/core/maps/tiles.ts'

test('the default period is the latest twelve months loaded, or all of them when fewer are', () => {
  const months = ['2019-12', '2020-01', '2020-02', '2020-03', '2020-04', '2020-05', '2020-06', '2020-07', '2020-08', '2020-09', '2020-10', '2020-11', '2020-12']
  assert.deepEqual(defaultPeriod(months), { from: '2020-01', to: '2020-12' })
  assert.deepEqual(defaultPeriod(['2020-02', '2020-01', '2020-02']), { from: '2020-01', to: '2020-02' })
  assert.equal(defaultPeriod([]), null)
})

test('a period with bad months names the field; one running backwards is put on To', () => {
  assert.deepEqual(periodIssues('2020-01', '2020-03'), [])
  assert.deepEqual(periodIssues('2020-13', '2020-03').map((i) => i.field), ['from'])
  assert.deepEqual(periodIssues('2020-01', 'March').map((i) => i.field), ['to'])
  assert.deepEqual(periodIssues('2020-03', '2020-01'), [{ field: 'to', message: 'To must be the same month as From or after it' }])
})

test('months with nothing loaded are named, and periods read as words', () => {
  assert.deepEqual(monthsWithoutData('2019-11', '2020-02', ['2019-12', '2020-02']), ['2019-11', '2020-01'])
  assert.equal(periodLabel('2020-01', '2020-03'), 'January to March 2020')
  assert.equal(periodLabel('2019-12', '2020-02'), 'December 2019 to February 2020')
  assert.equal(periodLabel('2020-05', '2020-05'), 'May 2020')
})

test('boundaries go to the browser as GeoJSON features named by LSOA code, rounded to 0.1 m, with their box', () => {
  const square = { type: 'Polygon', coordinates: [[[-1.123456789, 52.1], [-1.0, 52.1], [-1.0, 52.987654321], [-1.123456789, 52.1]]] }
  const multi = { type: 'MultiPolygon', coordinates: [[[[-1.5, 52.0], [-1.4, 52.0], [-1.4, 52.05], [-1.5, 52.0]]]] }
  const fc = boundaryCollection([{ code: 'E01000001', name: 'Town 001A', geometry: square }, { code: 'E01000002', name: 'Town 001B', geometry: multi }])
  assert.equal(fc.features.length, 2)
  assert.deepEqual(fc.features[0]!.properties, { code: 'E01000001', name: 'Town 001A' })
  assert.equal(fc.features[0]!.id, 'E01000001')
  assert.deepEqual((fc.features[0]!.geometry.coordinates as number[][][])[0]![0], [-1.123457, 52.1])
  assert.deepEqual(fc.bbox, [-1.5, 52.0, -1.0, 52.987654])
  assert.equal(boundingBox([]), null)
  assert.deepEqual(roundCoordinates([[1.23456, 2]], 2), [[1.23, 2]])
})

test('the map carries the Open Government Licence attribution of police.uk, IoD 2019 and ONS boundaries', () => {
  const lines = attributionLines(['imd'])
  assert.match(lines[0]!, /Open Government Licence v3\.0/)
  assert.ok(lines.some((l) => l.includes('data.police.uk')))
  assert.ok(lines.some((l) => l.includes('English Indices of Deprivation 2019')))
  assert.ok(lines.some((l) => /Office for National Statistics.*OS data © Crown copyright/.test(l)))
  assert.ok(!lines.some((l) => l.includes('partners')))
  assert.ok(attributionLines(['partners']).some((l) => l.includes('partners')))
})

test('a configured tile server is let into img-src, its {s} subdomains as a wildcard', () => {
  assert.equal(tileImageSource('https://{s}.tile.example.org/{z}/{x}/{y}.png'), 'https://*.tile.example.org')
  assert.equal(tileImageSource('http://tiles.internal:8080/osm/{z}/{x}/{y}.png'), 'http://tiles.internal:8080')
  assert.throws(() => tileImageSource('ftp://x/{z}/{x}/{y}'), /http/)
  assert.throws(() => tileImageSource('https://{z}.example.org/{x}/{y}'), /placeholder/)
  assert.equal(allowImages("default-src 'self';img-src 'self' data:;script-src 'self'", 'https://*.tile.example.org'), "default-src 'self';img-src 'self' data: https://*.tile.example.org;script-src 'self'")
  assert.equal(allowImages("default-src 'self'", 'https://t.example'), "default-src 'self';img-src 'self' https://t.example")
})
