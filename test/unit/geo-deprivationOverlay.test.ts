import assert from 'node:assert/strict'
import { test } from 'node:test'
import { crimeByDeprivationDecile } from '../../src/core/geo/deprivationOverlay.ts'

// Five LSOAs: two in decile 1 (30 crimes among 1,000 and 20 among 1,500: 50 per 2,500 = 20 per
// 1,000), one in decile 10 (10 among 2,000: 5 per 1,000), one in decile 5 with no population figure
// (7 crimes, left out), and one with crime but no decile (4, a 2021 code IMD 2019 does not know).
// Most to least deprived: 20 / 5 = 4.
const example = {
  counts: new Map([['E01000001', 30], ['E01000002', 20], ['E01000003', 10], ['E01000004', 7], ['E01035000', 4]]),
  populations: new Map<string, number | null>([['E01000001', 1000], ['E01000002', 1500], ['E01000003', 2000], ['E01000004', null]]),
  deciles: new Map([['E01000001', 1], ['E01000002', 1], ['E01000003', 10], ['E01000004', 5]]),
}

test('crime by IMD decile: counts and rates per 1,000, and decile 1 against decile 10', () => {
  const overlay = crimeByDeprivationDecile(example)
  assert.deepEqual(overlay.deciles[0], { decile: 1, lsoas: 2, count: 50, population: 2500, ratePer1000: 20, unavailable: null })
  assert.deepEqual(overlay.deciles[9], { decile: 10, lsoas: 1, count: 10, population: 2000, ratePer1000: 5, unavailable: null })
  assert.deepEqual(overlay.deciles[4], { decile: 5, lsoas: 0, count: 0, population: 0, ratePer1000: null, unavailable: 'no LSOA in this decile' })
  assert.equal(overlay.mostToLeastDeprivedRatio, 4)
  assert.deepEqual(overlay.extremesPresent, { mostDeprived: 1, leastDeprived: 10, ratio: 4 })
  assert.deepEqual(overlay.withoutPopulation, { lsoas: ['E01000004'], count: 7 })
  assert.deepEqual(overlay.withoutDecile, { lsoas: ['E01035000'], count: 4 })
})

test('an area with no LSOA in decile 1 has no ratio, says why, and gives the extremes it has', () => {
  const overlay = crimeByDeprivationDecile({
    counts: new Map([['a', 12], ['b', 3]]),
    populations: new Map([['a', 1200], ['b', 1500]]),
    deciles: new Map([['a', 3], ['b', 9]]),
  })
  assert.equal(overlay.mostToLeastDeprivedRatio, null)
  assert.equal(overlay.ratioUnavailable, 'decile 1: no LSOA in this decile')
  // 10 per 1,000 in decile 3 against 2 per 1,000 in decile 9.
  assert.deepEqual(overlay.extremesPresent, { mostDeprived: 3, leastDeprived: 9, ratio: 5 })
})

test('a decile outside 1 to 10 is refused', () => {
  assert.throws(() => crimeByDeprivationDecile({ counts: new Map(), populations: new Map(), deciles: new Map([['a', 11]]) }), /1 to 10/)
})
