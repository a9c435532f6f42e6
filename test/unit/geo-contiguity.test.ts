import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { areasFromFeatures, queenContiguity, rookContiguity, type AreaGeometry, type Position } from '../../src/core/geo/contiguity.ts'
import { seededRandom } from '../../src/core/demo/random.ts'

// A lattice of squares 0.01 degrees a side near Leicester, named by row and column:
//
//   A B C      row 2 (north)
//   D E F      row 1
//   G H I      row 0 (south)
//
// The centre E touches all eight others (queen) and shares a side with B, D, F and H (rook); the
// corner A touches B, D and E, and shares sides with B and D only.

const SIZE = 0.01
const square = (col: number, row: number, jitter: () => [number, number] = () => [0, 0]): Position[] => {
  const corner = (x: number, y: number): Position => {
    const [dx, dy] = jitter()
    return [-1.2 + x * SIZE + dx, 52.6 + y * SIZE + dy]
  }
  const first = corner(col, row)
  return [first, corner(col + 1, row), corner(col + 1, row + 1), corner(col, row + 1), first]
}
const lattice = (columns: number, rows: number, jitter?: () => [number, number]): AreaGeometry[] => {
  const areas: AreaGeometry[] = []
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < columns; col++) areas.push({ code: `R${row}C${col}`, geometry: { type: 'Polygon', coordinates: [square(col, row, jitter)] } })
  }
  return areas
}
const letters = lattice(3, 3).map((a) => {
  const [, row, col] = /R(\d)C(\d)/.exec(a.code)!.map(Number)
  return { ...a, code: 'GHIDEFABC'[row! * 3 + col!]! }
})

test('the centre of a 3 by 3 lattice has 8 queen neighbours and 4 rook neighbours', () => {
  assert.deepEqual(queenContiguity(letters).neighbours.get('E'), ['A', 'B', 'C', 'D', 'F', 'G', 'H', 'I'])
  assert.deepEqual(rookContiguity(letters).neighbours.get('E'), ['B', 'D', 'F', 'H'])
})

test('a corner of the lattice has 3 queen neighbours and 2 rook neighbours, and a side square 5 and 3', () => {
  const queen = queenContiguity(letters)
  const rook = rookContiguity(letters)
  assert.deepEqual(queen.neighbours.get('A'), ['B', 'D', 'E'])
  assert.deepEqual(rook.neighbours.get('A'), ['B', 'D'])
  assert.deepEqual(queen.neighbours.get('B'), ['A', 'C', 'D', 'E', 'F'])
  assert.deepEqual(rook.neighbours.get('B'), ['A', 'C', 'E'])
  // 12 shared sides, and 8 more pairs that meet only at a corner (two per inner vertex).
  assert.deepEqual([rook.links, queen.links], [12, 20])
  assert.deepEqual([queen.islands, rook.islands], [[], []])
})

test('every area is listed in code order whatever order the boundaries come in', () => {
  const shuffled = [letters[4]!, letters[8]!, letters[0]!, ...letters.slice(1, 4), ...letters.slice(5, 8)]
  assert.deepEqual([...queenContiguity(shuffled).neighbours.keys()], ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'])
})

test('vertices a few millimetres apart still meet, even where they fall either side of a grid cell', () => {
  // Every copy of every corner moved by up to 0.4e-7 degrees each way, independently, so the two
  // copies of a shared corner are up to 0.8e-7 apart, within the 1e-7 tolerance; on a 12 by 12
  // lattice many such pairs straddle the edge of a tolerance-sized cell.
  const random = seededRandom(7)
  const jitter = (): [number, number] => [(random.next() - 0.5) * 0.8e-7, (random.next() - 0.5) * 0.8e-7]
  const exact = queenContiguity(lattice(12, 12))
  const moved = queenContiguity(lattice(12, 12, jitter))
  assert.deepEqual([...moved.neighbours], [...exact.neighbours])
  assert.deepEqual([...rookContiguity(lattice(12, 12, jitter)).neighbours], [...rookContiguity(lattice(12, 12)).neighbours])
  // 11 x 12 x 2 shared sides plus 11 x 11 x 2 corner-only pairs.
  assert.equal(moved.links, 264 + 242)
})

test('vertices further apart than the tolerance do not meet, unless the tolerance is widened', () => {
  const random = seededRandom(11)
  const jitter = (): [number, number] => [(random.next() - 0.5) * 2e-5, (random.next() - 0.5) * 2e-5]
  const areas = lattice(3, 3, jitter)
  const strict = queenContiguity(areas)
  assert.equal(strict.links, 0)
  assert.equal(strict.islands.length, 9)
  assert.equal(queenContiguity(areas, { toleranceDegrees: 3e-5 }).links, 20)
})

test('squares touching only at a corner are queen neighbours but not rook neighbours', () => {
  const areas = [
    { code: 'SW', geometry: { type: 'Polygon' as const, coordinates: [square(0, 0)] } },
    { code: 'NE', geometry: { type: 'Polygon' as const, coordinates: [square(1, 1)] } },
  ]
  assert.deepEqual(queenContiguity(areas).neighbours.get('SW'), ['NE'])
  assert.deepEqual(rookContiguity(areas).neighbours.get('SW'), [])
  assert.deepEqual(rookContiguity(areas).islands, ['NE', 'SW'])
})

test('an area of two parts neighbours what either part touches, and an area far away is an island', () => {
  const areas: AreaGeometry[] = [
    { code: 'split', geometry: { type: 'MultiPolygon', coordinates: [[square(0, 0)], [square(5, 0)]] } },
    { code: 'west', geometry: { type: 'Polygon', coordinates: [square(-1, 0)] } },
    { code: 'east', geometry: { type: 'Polygon', coordinates: [square(6, 0)] } },
    { code: 'offshore', geometry: { type: 'Polygon', coordinates: [square(20, 20)] } },
  ]
  const rook = rookContiguity(areas)
  assert.deepEqual(rook.neighbours.get('split'), ['east', 'west'])
  assert.deepEqual(rook.neighbours.get('east'), ['split'])
  assert.deepEqual(rook.islands, ['offshore'])
})

test('an area inside another\'s hole neighbours it', () => {
  const outer: Position[] = [[0, 0], [3, 0], [3, 3], [0, 3], [0, 0]]
  const hole: Position[] = [[1, 1], [1, 2], [2, 2], [2, 1], [1, 1]]
  const areas: AreaGeometry[] = [
    { code: 'ring', geometry: { type: 'Polygon', coordinates: [outer, hole] } },
    { code: 'enclave', geometry: { type: 'Polygon', coordinates: [[[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]]] } },
  ]
  assert.deepEqual(rookContiguity(areas).neighbours.get('enclave'), ['ring'])
})

test('a code twice, a ring of two points and a geometry that is not a polygon are refused', () => {
  assert.throws(() => queenContiguity([letters[0]!, letters[0]!]), /appears twice/)
  assert.throws(() => queenContiguity([{ code: 'x', geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 1], [0, 0]]] } }]), /fewer than three/)
  assert.throws(() => areasFromFeatures({ features: [{ properties: { LSOA11CD: 'E01000001' }, geometry: { type: 'Point', coordinates: [0, 0] } }] }, 'LSOA11CD'), /Polygon or MultiPolygon, not Point/)
  assert.throws(() => areasFromFeatures({ features: [{ properties: {}, geometry: { type: 'Polygon', coordinates: [] } }] }, 'LSOA11CD'), /no LSOA11CD/)
  assert.throws(() => queenContiguity(letters, { toleranceDegrees: 0 }), /tolerance/)
})

test("Rutland's 23 LSOAs from the ONS boundaries: 53 queen and 51 rook pairs, no island, neighbours both ways", () => {
  // The reference figures came from a separate count in Python: coordinates rounded to 7 decimal
  // places, pairs of LSOAs sharing a rounded vertex (queen) or a pair of consecutive ones (rook).
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/geo/lsoa11_E06000017.geojson')
  const areas = areasFromFeatures(JSON.parse(fs.readFileSync(file, 'utf8')), 'LSOA11CD')
  const queen = queenContiguity(areas)
  const rook = rookContiguity(areas)
  assert.deepEqual([areas.length, queen.links, rook.links, queen.islands.length], [23, 53, 51, 0])
  assert.deepEqual(queen.neighbours.get('E01013789'), [
    'E01013787', 'E01013788', 'E01013790', 'E01013793', 'E01013795', 'E01013796', 'E01013797', 'E01013798', 'E01013801', 'E01013802', 'E01013803', 'E01013809',
  ])
  assert.deepEqual(queen.neighbours.get('E01013804'), ['E01013805'])
  for (const [code, list] of queen.neighbours) {
    for (const other of list) assert.ok(queen.neighbours.get(other)!.includes(code), `${other} should list ${code}`)
  }
  for (const [code, list] of rook.neighbours) for (const other of list) assert.ok(queen.neighbours.get(code)!.includes(other))
})
