import assert from 'node:assert/strict'
import { test } from 'node:test'
import { classOf, densityClasses, densityParameters, densityRuns, densitySurface, DENSITY_COLOURS, extentOfAreas, placePeaks } from '../../src/core/geo/densitySurface.ts'
import { densitySources } from '../../src/core/maps/densitySources.ts'
import type { AreaGeometry } from '../../src/core/opendata/geometry.ts'
import { EARTH_RADIUS_METRES, kernelDensity, type DensityPoint } from '../../src/core/geo/kernelDensity.ts'
import { seededRandom } from '../../src/core/demo/random.ts'

const M_PER_DEG_LAT = (EARTH_RADIUS_METRES * Math.PI) / 180

/** Points scattered normally (sd in metres) about a place, from a seeded generator. */
function cluster(n: number, longitude: number, latitude: number, sdMetres: number, random: () => number): DensityPoint[] {
  const mPerDegLon = M_PER_DEG_LAT * Math.cos((latitude * Math.PI) / 180)
  return Array.from({ length: n }, () => {
    const u = Math.max(1e-12, random())
    const v = random()
    const r = Math.sqrt(-2 * Math.log(u)) * sdMetres
    return { longitude: longitude + (r * Math.cos(2 * Math.PI * v)) / mPerDegLon, latitude: latitude + (r * Math.sin(2 * Math.PI * v)) / M_PER_DEG_LAT }
  })
}

test('the bandwidth is chosen from the size of the area: five cells of a 150th of its shorter side', () => {
  // Leicestershire's box is about 80 km by 75 km: the shorter side / 150 = 500 m, times 5 = 2.5 km.
  const county = { west: -1.6, south: 52.39, east: -0.66, north: 52.98 }
  const heightKm = (0.59 * M_PER_DEG_LAT) / 1000
  const widthKm = (0.94 * M_PER_DEG_LAT * Math.cos((52.685 * Math.PI) / 180)) / 1000
  const expected = Math.round((5 * (Math.min(widthKm, heightKm) * 1000)) / 150 / 50) * 50
  const p = densityParameters(county, undefined)
  assert.equal(p.chosen, true)
  assert.equal(p.bandwidthMetres, expected)
  assert.ok(p.bandwidthMetres >= 2000 && p.bandwidthMetres <= 2500, String(p.bandwidthMetres))
  assert.equal(p.cellSizeMetres, p.bandwidthMetres / 5)
  // A city centre, 3 km across: the lower limit of 100 m.
  assert.equal(densityParameters({ west: -1.15, south: 52.62, east: -1.106, north: 52.647 }, undefined).bandwidthMetres, 100)
  // A given bandwidth is kept, and the cells widen to keep the grid within its limit.
  const given = densityParameters(county, 1000, 40_000)
  assert.deepEqual([given.bandwidthMetres, given.chosen], [1000, false])
  const cells = Math.ceil((widthKm * 1000 + 2000) / given.cellSizeMetres) * Math.ceil((heightKm * 1000 + 2000) / given.cellSizeMetres)
  assert.ok(cells <= 40_000, `${cells} cells`)
  assert.ok(given.cellSizeMetres > 200 && given.cellSizeMetres <= 500, `${given.cellSizeMetres} m: wider than a fifth of the bandwidth, to fit`)
  // 250 m over a county in 40,000 cells would be cells wider than the bandwidth: refused, saying what would do.
  assert.throws(() => densityParameters(county, 250, 40_000), /A bandwidth of 250 m needs cells of \d+ m over an area this size, too coarse to show it: choose a bandwidth of at least (\d+) m, or a smaller area/)
  const least = Number(/at least (\d+) m/.exec((() => { try { densityParameters(county, 250, 40_000) } catch (e) { return String(e) } return '' })())![1])
  assert.doesNotThrow(() => densityParameters(county, least, 40_000))
  // A long thin area (200 km by 2 km): its short side asks for 100 m, which its cells cannot show,
  // so the chosen bandwidth widens until they can, rather than failing a profile.
  const strip = { west: -3, south: 52.6, east: -0.03, north: 52.618 }
  const thin = densityParameters(strip, undefined, 40_000)
  assert.ok(thin.chosen && thin.cellSizeMetres <= thin.bandwidthMetres / 2 && thin.bandwidthMetres > 100, JSON.stringify(thin))
  assert.throws(() => densityParameters(strip, 100, 40_000), /A bandwidth of 100 m needs cells of/)
  assert.throws(() => densityParameters(county, 50), /The bandwidth must be from 100 to 10000 metres, not 50/)
  assert.throws(() => densityParameters(county, 20_000), /not 20000/)
})

test('classes are 1-2, 2-4, 4-8 and 8 or more times the mean, in YlOrRd', () => {
  const classes = densityClasses(10)
  assert.deepEqual(classes.map((c) => [c.key, c.from, c.to, c.colour]), [
    ['x1', 10, 20, DENSITY_COLOURS[0]], ['x2', 20, 40, DENSITY_COLOURS[1]], ['x4', 40, 80, DENSITY_COLOURS[2]], ['x8', 80, null, DENSITY_COLOURS[3]],
  ])
  assert.equal(classes[0]!.label, '1 to 2 times the mean (10 to 20 per km²)')
  assert.equal(classes[3]!.label, '8 or more times the mean (80 or more per km²)')
  assert.deepEqual([9.99, 10, 19.99, 20, 79.9, 80, 1e6].map((d) => classOf(d, classes)), [-1, 0, 0, 1, 2, 3, 3])
})

test('the runs hold every shaded cell in its class, and nothing else', () => {
  const random = seededRandom(7_301).next
  const points = [...cluster(300, -1.13, 52.63, 400, random), ...cluster(80, -1.09, 52.66, 300, random)]
  const grid = kernelDensity(points, { bandwidthMetres: 600, cellSizeMetres: 100 })
  const mean = grid.cells.reduce((s, c) => s + c.densityPerSquareKm, 0) / grid.cells.length
  const classes = densityClasses(mean)
  const fromRuns = new Map<string, number>()
  for (const [row, column, span, k] of densityRuns(grid, classes)) {
    for (let c = column; c < column + span; c++) {
      assert.ok(!fromRuns.has(`${row},${c}`), 'no cell is in two runs')
      fromRuns.set(`${row},${c}`, k)
    }
  }
  const expected = new Map(grid.cells.filter((c) => classOf(c.densityPerSquareKm, classes) >= 0).map((c) => [`${c.row},${c.column}`, classOf(c.densityPerSquareKm, classes)]))
  assert.deepEqual(fromRuns, expected)
  assert.ok(densityRuns(grid, classes).length < expected.size / 3, 'runs are much fewer than cells')
})

test('the peaks are the clusters, densest first, a bandwidth apart, with the points near each counted', () => {
  const random = seededRandom(7_302).next
  // Two clusters 4 km apart, of 400 and 150 points, and 100 points spread over 10 km.
  const spread = Array.from({ length: 100 }, () => ({ longitude: -1.2 + random() * 0.15, latitude: 52.58 + random() * 0.09 }))
  const points = [...cluster(400, -1.13, 52.63, 250, random), ...cluster(150, -1.1, 52.655, 250, random), ...spread]
  const surface = densitySurface(points, { bandwidthMetres: 800 })!
  assert.ok(surface)
  assert.equal(surface.points, 650)
  assert.equal(surface.bandwidthChosen, false)
  const [first, second] = surface.peaks
  const distance = (p: { longitude: number; latitude: number }, lon: number, lat: number) =>
    Math.hypot((p.longitude - lon) * M_PER_DEG_LAT * Math.cos((52.63 * Math.PI) / 180), (p.latitude - lat) * M_PER_DEG_LAT)
  assert.ok(distance(first!, -1.13, 52.63) < 150, `first peak ${distance(first!, -1.13, 52.63)} m from the larger cluster`)
  assert.ok(distance(second!, -1.1, 52.655) < 200, `second peak ${distance(second!, -1.1, 52.655)} m from the smaller`)
  assert.ok(first!.densityPerSquareKm > second!.densityPerSquareKm)
  assert.ok(first!.timesMean >= 8, 'the larger cluster is in the darkest class')
  for (let i = 0; i < surface.peaks.length; i++) {
    for (let j = 0; j < i; j++) assert.ok(distance(surface.peaks[i]!, surface.peaks[j]!.longitude, surface.peaks[j]!.latitude) >= 800 - 1e-6, 'peaks are a bandwidth apart')
  }
  // Within 800 m of the first peak: nearly all of the larger cluster (sd 250 m), counted point by point here.
  const near = points.filter((p) => distance(p, first!.longitude, first!.latitude) <= 800).length
  assert.equal(first!.within, near)
  assert.ok(near >= 390 && near <= 420, String(near))
})

test('no points, no surface; points all at one place make one peak', () => {
  assert.equal(densitySurface([]), null)
  const one = densitySurface([{ longitude: -1.13, latitude: 52.63 }, { longitude: -1.13, latitude: 52.63 }], { bandwidthMetres: 500 })!
  assert.equal(one.peaks.length, 1)
  assert.equal(one.peaks[0]!.within, 2)
  assert.ok(Math.abs(one.peaks[0]!.densityPerSquareKm - (2 * 3e6) / (Math.PI * 500 ** 2)) / one.peaks[0]!.densityPerSquareKm < 0.05)
})

test('peaks are placed in the area whose boundary holds them; the box of areas is their union', () => {
  const square = (w: number, s: number, size: number): AreaGeometry => ({ type: 'Polygon', coordinates: [[[w, s], [w + size, s], [w + size, s + size], [w, s + size], [w, s]]] })
  const areas = [
    { code: 'E01000002', name: 'East 001B', geometry: square(-1.1, 52.6, 0.05) },
    { code: 'E01000001', name: 'West 001A', geometry: square(-1.15, 52.6, 0.05) },
  ]
  assert.deepEqual(extentOfAreas(areas.map((a) => a.geometry)), { west: -1.15, south: 52.6, east: -1.05, north: 52.65 })
  assert.equal(extentOfAreas([]), null)
  const peak = (longitude: number, latitude: number) => ({ longitude, latitude, densityPerSquareKm: 1, timesMean: 1, within: 1 })
  assert.deepEqual(placePeaks([peak(-1.12, 52.62), peak(-1.07, 52.63), peak(-1.3, 52.62)], areas).map((p) => [p.rank, p.lsoa]), [
    [1, { code: 'E01000001', name: 'West 001A' }],
    [2, { code: 'E01000002', name: 'East 001B' }],
    [3, null],
  ])
})

test('a heat map can be drawn of all crime, each type present, each slice and stop and search, never of partner records', () => {
  const sources = densitySources(['Drugs', 'Anti-social behaviour', 'Drugs'], [{ key: 'weapons', label: 'Possession of weapons', threatArea: null, crimeTypes: ['Possession of weapons'] }])
  assert.deepEqual(sources.map((s) => [s.id, s.group, s.crimeTypes, s.table, s.noun]), [
    ['all', 'Recorded crime', null, 'street_crimes', 'crimes and incidents'],
    ['type:anti-social-behaviour', 'Crime types', ['Anti-social behaviour'], 'street_crimes', 'incidents'],
    ['type:drugs', 'Crime types', ['Drugs'], 'street_crimes', 'crimes'],
    ['slice:weapons', 'SOC slices', ['Possession of weapons'], 'street_crimes', 'crimes'],
    ['stop-search', 'Stop and search', null, 'stop_searches', 'stop and searches'],
  ])
  assert.ok(!sources.some((s) => s.id.startsWith('overlay:')))
})
