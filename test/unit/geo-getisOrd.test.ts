import assert from 'node:assert/strict'
import { test } from 'node:test'
import { benjaminiHochbergThreshold, getisOrdGiStar, hotspotClassOf } from '../../src/core/geo/getisOrd.ts'

// Rook neighbours on a lattice, cells named by row and column.
function rookLattice(size: number): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const list: string[] = []
      for (const [dr, dc] of [[-1, 0], [1, 0], [0, -1], [0, 1]] as const) {
        if (r + dr >= 0 && r + dr < size && c + dc >= 0 && c + dc < size) list.push(`${r + dr},${c + dc}`)
      }
      out.set(`${r},${c}`, list)
    }
  }
  return out
}
function queenLattice(size: number): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const list: string[] = []
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          if ((dr || dc) && r + dr >= 0 && r + dr < size && c + dc >= 0 && c + dc < size) list.push(`${r + dr},${c + dc}`)
        }
      }
      out.set(`${r},${c}`, list)
    }
  }
  return out
}

// A worked example: a 3 by 3 lattice, rook neighbours, every value 2 but the centre's 11.
//   n = 9, sum = 27, mean X = 3, sum x^2 = 8 x 4 + 121 = 153, S^2 = 153 / 9 - 3^2 = 8, S = 2 sqrt 2.
//   Centre (itself and 4 neighbours, binary weights): sum w x = 11 + 4 x 2 = 19, sum w = sum w^2 = 5,
//     z = (19 - 3 x 5) / (2 sqrt 2 x sqrt((9 x 5 - 25) / 8)) = 4 / (2 sqrt 2 x sqrt 2.5) = 4 / (2 sqrt 5) = 2 / sqrt 5.
//   A side cell (itself, two corners, the centre): sum w x = 2 + 2 + 2 + 11 = 17, sum w = 4,
//     z = (17 - 12) / (2 sqrt 2 x sqrt((36 - 16) / 8)) = 5 / (2 sqrt 5) = sqrt 5 / 2.
//   A corner (itself and two side cells): sum w x = 6, sum w = 3,
//     z = (6 - 9) / (2 sqrt 2 x sqrt((27 - 9) / 8)) = -3 / (3 sqrt 2) = -1 / sqrt 2.
const spike = new Map([...rookLattice(3).keys()].map((code) => [code, code === '1,1' ? 11 : 2]))

test('Gi* on the 3 by 3 worked example gives the z-scores computed by hand', () => {
  const result = getisOrdGiStar(spike, rookLattice(3))
  const z = new Map(result.areas.map((a) => [a.code, a.z]))
  assert.equal(result.mean, 3)
  assert.ok(Math.abs(result.standardDeviation - 2 * Math.SQRT2) < 1e-12)
  assert.ok(Math.abs(z.get('1,1')! - 2 / Math.sqrt(5)) < 1e-9)
  assert.ok(Math.abs(z.get('0,1')! - Math.sqrt(5) / 2) < 1e-9)
  assert.ok(Math.abs(z.get('0,0')! - -1 / Math.SQRT2) < 1e-9)
  // None of these is far enough from 0: |z| < 1.645 everywhere.
  assert.ok(result.areas.every((a) => a.hotspotClass === 'none' && a.pValue > 0.1))
  assert.deepEqual(result.areas.map((a) => a.neighbourCount), [2, 3, 2, 3, 4, 3, 2, 3, 2])
})

test('row-standardised weights give the same z-scores as binary ones', () => {
  const binary = getisOrdGiStar(spike, rookLattice(3))
  const standardised = getisOrdGiStar(spike, rookLattice(3), { weights: 'row-standardised' })
  assert.equal(standardised.weights, 'row-standardised')
  binary.areas.forEach((a, i) => assert.ok(Math.abs(a.z - standardised.areas[i]!.z) < 1e-12))
})

test('a block of high values in a corner of a 5 by 5 lattice is a hot spot at 99%; the far corner is not a cold spot', () => {
  // Queen neighbours; the 3 by 3 block in the north-west corner is 10, the rest 0.
  //   n = 25, sum = 90, X = 3.6, sum x^2 / n = 900 / 25 = 36, S^2 = 36 - 12.96 = 23.04, S = 4.8.
  //   Cell (1,1), the block's centre, sees 9 cells of 10: z = (90 - 3.6 x 9) / (4.8 sqrt((25 x 9 - 81) / 24))
  //     = 57.6 / (4.8 sqrt 6) = 2 sqrt 6 = 4.899, p = 9.634e-7 (Python: math.erfc(2 * sqrt(6) / sqrt(2))).
  //   Cell (4,4) sees 4 cells of 0: z = -14.4 / (4.8 sqrt((100 - 16) / 24)) = -3 / sqrt 3.5 = -1.604,
  //     p = 0.10881 (math.erfc(3 / sqrt(3.5) / sqrt(2))), just short of 90%.
  const values = new Map([...queenLattice(5).keys()].map((code) => {
    const [r, c] = code.split(',').map(Number)
    return [code, r! <= 2 && c! <= 2 ? 10 : 0]
  }))
  const result = getisOrdGiStar(values, queenLattice(5))
  const byCode = new Map(result.areas.map((a) => [a.code, a]))
  const centre = byCode.get('1,1')!
  assert.ok(Math.abs(centre.z - 2 * Math.sqrt(6)) < 1e-9)
  assert.ok(Math.abs(centre.pValue - 9.63357008643099e-7) < 1e-15)
  assert.equal(centre.hotspotClass, 'hot-99')
  const far = byCode.get('4,4')!
  assert.ok(Math.abs(far.z - -3 / Math.sqrt(3.5)) < 1e-9)
  assert.ok(Math.abs(far.pValue - 0.10880943004054569) < 1e-12)
  assert.equal(far.hotspotClass, 'none')
})

test('classes follow the 90, 95 and 99% confidence bins on either side', () => {
  // Two-sided p-values of z = 2.6, 2.0, 1.7 and 1.6 from printed normal tables: 0.0093, 0.0455, 0.0891, 0.1096.
  const cases: Array<[number, number]> = [[2.6, 0.0093], [2.0, 0.0455], [1.7, 0.0891], [1.6, 0.1096], [-1.6, 0.1096], [-1.7, 0.0891], [-2.0, 0.0455], [-2.6, 0.0093]]
  assert.deepEqual(cases.map(([z, p]) => hotspotClassOf(z, p)), ['hot-99', 'hot-95', 'hot-90', 'none', 'none', 'cold-90', 'cold-95', 'cold-99'])
  // The bins are open at the top: p = 0.05 exactly is 90%, not 95%.
  assert.equal(hotspotClassOf(1.96, 0.05), 'hot-90')
})

test('all values equal give z = 0, not significant, and say why instead of dividing by zero', () => {
  const result = getisOrdGiStar(new Map([...rookLattice(3).keys()].map((c) => [c, 4])), rookLattice(3))
  assert.equal(result.degenerate, 'all values equal')
  assert.ok(result.areas.every((a) => a.z === 0 && a.pValue === 1 && a.hotspotClass === 'none' && a.degenerate === 'all values equal'))
})

test('an area whose neighbourhood is every area gets z = 0 and says so', () => {
  const values = new Map([['a', 1], ['b', 5], ['c', 9], ['d', 2]])
  const neighbours = new Map([['a', ['b', 'c', 'd']], ['b', ['a']], ['c', ['a']], ['d', ['a']]])
  const result = getisOrdGiStar(values, neighbours)
  assert.deepEqual([result.areas[0]!.z, result.areas[0]!.degenerate], [0, 'neighbourhood is every area'])
  assert.ok(Number.isFinite(result.areas[1]!.z) && result.areas[1]!.z !== 0)
})

test('fewer than 3 areas, a value that is not a number and an unknown option are refused', () => {
  assert.throws(() => getisOrdGiStar(new Map([['a', 1], ['b', 2]]), new Map()), /at least 3/)
  assert.throws(() => getisOrdGiStar(new Map([['a', 1], ['b', NaN], ['c', 3]]), new Map()), /Area b/)
  assert.throws(() => getisOrdGiStar(spike, rookLattice(3), { falseDiscoveryRate: 1.5 }), /false discovery rate/)
})

test('neighbours with no value are left out and counted', () => {
  const neighbours = rookLattice(3)
  neighbours.set('1,1', [...neighbours.get('1,1')!, 'E01999999'])
  const result = getisOrdGiStar(spike, neighbours)
  assert.equal(result.neighboursWithoutValue, 1)
  assert.ok(Math.abs(result.areas[4]!.z - 2 / Math.sqrt(5)) < 1e-9)
})

test('the Benjamini-Hochberg threshold is the largest p-value under its step', () => {
  // m = 10, q = 0.05: steps k q / m = 0.005, 0.010, 0.015, ...; 0.008 <= 0.010 is the last under its step.
  assert.equal(benjaminiHochbergThreshold([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216], 0.05), 0.008)
  // Step-up: 0.02 misses its own step (0.0167), but 0.03 <= 2 x 0.05 / 3 carries it.
  assert.equal(benjaminiHochbergThreshold([0.9, 0.03, 0.02], 0.05), 0.03)
  assert.equal(benjaminiHochbergThreshold([0.5, 0.6], 0.05), null)
})

test('the false discovery rate flags only the areas that survive it', () => {
  const values = new Map([...queenLattice(5).keys()].map((code) => {
    const [r, c] = code.split(',').map(Number)
    return [code, r! <= 2 && c! <= 2 ? 10 : 0]
  }))
  const plain = getisOrdGiStar(values, queenLattice(5))
  assert.ok(plain.areas.every((a) => a.significantAfterFdr === null) && plain.fdr === null)
  const result = getisOrdGiStar(values, queenLattice(5), { falseDiscoveryRate: 0.05 })
  const sorted = result.areas.map((a) => a.pValue).sort((a, b) => a - b)
  const k = Math.max(...sorted.map((p, i) => (p <= ((i + 1) * 0.05) / 25 ? i + 1 : 0)))
  assert.ok(k > 0)
  assert.equal(result.fdr!.significant, result.areas.filter((a) => a.pValue <= sorted[k - 1]!).length)
  assert.ok(result.areas.every((a) => a.significantAfterFdr === (a.pValue <= result.fdr!.pValueThreshold!)))
  assert.equal(result.areas.find((a) => a.code === '1,1')!.significantAfterFdr, true)
  assert.equal(result.areas.find((a) => a.code === '4,4')!.significantAfterFdr, false)
})
