import assert from 'node:assert/strict'
import { test } from 'node:test'
import { EARTH_RADIUS_METRES, kernelDensity } from '../../src/core/geo/kernelDensity.ts'

const METRES_PER_DEGREE_LAT = (EARTH_RADIUS_METRES * Math.PI) / 180

test('the densities add up to the total weight when the grid covers every kernel', () => {
  // Three places in Leicester, weighted 1, 2 and 3.5; the default grid reaches a bandwidth past them.
  const points = [
    { longitude: -1.1398, latitude: 52.6369, weight: 1 },
    { longitude: -1.1305, latitude: 52.6401, weight: 2 },
    { longitude: -1.1502, latitude: 52.6298, weight: 3.5 },
  ]
  const grid = kernelDensity(points, { bandwidthMetres: 500, cellSizeMetres: 20 })
  const cellSquareKm = (20 / 1000) ** 2
  const integral = grid.cells.reduce((sum, c) => sum + c.densityPerSquareKm * cellSquareKm, 0)
  assert.equal(grid.totalWeight, 6.5)
  assert.ok(Math.abs(integral - 6.5) / 6.5 < 0.005, `integral ${integral}`)
})

test('one point on a cell centre: the peak is 3 / (pi h^2) and falls as (1 - d^2 / h^2)^2', () => {
  // h = 1,000 m: the grid runs 1,000 m either side of the point, five cells of 400 m, so the point is
  // the centre of the middle cell. Peak 3 / (pi x 1,000,000 m^2) = 0.954930 per km^2; the next cell
  // east, 400 m away: 0.954930 x (1 - 0.16)^2 = 0.673799; diagonally, d^2 = 320,000 m^2: x 0.68^2 = 0.441560.
  const grid = kernelDensity([{ longitude: -1.13, latitude: 52.63 }], { bandwidthMetres: 1000, cellSizeMetres: 400 })
  assert.deepEqual([grid.columns, grid.rows], [5, 5])
  const at = (column: number, row: number) => grid.cells.find((c) => c.column === column && c.row === row)!
  assert.ok(Math.abs(at(2, 2).densityPerSquareKm - 3 / Math.PI) < 1e-9)
  assert.ok(Math.abs(at(3, 2).densityPerSquareKm - (3 / Math.PI) * 0.84 ** 2) < 1e-9)
  assert.ok(Math.abs(at(3, 3).densityPerSquareKm - (3 / Math.PI) * 0.68 ** 2) < 1e-9)
  assert.equal(grid.maxDensityPerSquareKm, at(2, 2).densityPerSquareKm)
  // Cells 800 m east and 800 m north (d^2 = 1,280,000 > h^2) get nothing, so are not listed.
  assert.equal(grid.cells.find((c) => c.column === 4 && c.row === 4), undefined)
  // The middle cell's centre is the point itself, in WGS84.
  assert.ok(Math.abs(at(2, 2).longitude - -1.13) < 1e-9 && Math.abs(at(2, 2).latitude - 52.63) < 1e-9)
})

test("the grid's geometry is in degrees: cells 400 m tall are 400 / 111,195 degrees of latitude", () => {
  const grid = kernelDensity([{ longitude: -1.13, latitude: 52.63 }], { bandwidthMetres: 1000, cellSizeMetres: 400 })
  assert.equal(grid.originLatitude, 52.63)
  assert.ok(Math.abs(grid.cellHeightDegrees - 400 / METRES_PER_DEGREE_LAT) < 1e-12)
  // A degree of longitude is shorter by cos(latitude): 0.6074 of a degree of latitude at 52.63.
  assert.ok(Math.abs(grid.cellWidthDegrees - 400 / (METRES_PER_DEGREE_LAT * Math.cos((52.63 * Math.PI) / 180))) < 1e-12)
  assert.ok(Math.abs(grid.extent.east - grid.extent.west - 5 * grid.cellWidthDegrees) < 1e-12)
  const centre = grid.cells.find((c) => c.column === 2 && c.row === 2)!
  assert.ok(Math.abs(centre.latitude - (grid.extent.south + 2.5 * grid.cellHeightDegrees)) < 1e-12)
})

test('a point further than the bandwidth from every cell centre adds nothing to a given extent', () => {
  const grid = kernelDensity([{ longitude: -1.0, latitude: 52.63 }], {
    bandwidthMetres: 500, cellSizeMetres: 100, extent: { west: -1.2, south: 52.6, east: -1.15, north: 52.65 },
  })
  assert.equal(grid.cells.length, 0)
  assert.equal(grid.maxDensityPerSquareKm, 0)
})

test('a grid over the cell limit is refused, saying what cell size would fit', () => {
  const points = [{ longitude: -1.6, latitude: 52.4 }, { longitude: -0.4, latitude: 52.9 }]
  assert.throws(() => kernelDensity(points, { bandwidthMetres: 500, cellSizeMetres: 10 }), /more than the limit of 250000: use cells of at least \d+ m/)
  assert.throws(() => kernelDensity(points, { bandwidthMetres: 500, cellSizeMetres: 200, maxCells: 1000 }), /limit of 1000/)
})

test('no points without an extent, a bad bandwidth, a bad weight and a latitude out of range are refused', () => {
  assert.throws(() => kernelDensity([], { bandwidthMetres: 500, cellSizeMetres: 50 }), /No points/)
  assert.throws(() => kernelDensity([{ longitude: 0, latitude: 52 }], { bandwidthMetres: 0, cellSizeMetres: 50 }), /bandwidth/)
  assert.throws(() => kernelDensity([{ longitude: 0, latitude: 52, weight: -1 }], { bandwidthMetres: 500, cellSizeMetres: 50 }), /weight/)
  assert.throws(() => kernelDensity([{ longitude: 52, latitude: 152 }], { bandwidthMetres: 500, cellSizeMetres: 50 }), /degrees/)
})
