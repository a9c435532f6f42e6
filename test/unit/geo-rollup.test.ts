import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rollUp } from '../../src/core/geo/rollup.ts'

test('an area is the sum of its LSOAs, an LSOA with no count adds nothing, and LSOAs no area holds are listed', () => {
  const counts = new Map([['E01000001', 5], ['E01000002', 7], ['E01000003', 11], ['E01999999', 2]])
  const wards = new Map([['E05000001', ['E01000001', 'E01000002']], ['E05000002', ['E01000003', 'E01000004']]])
  const result = rollUp(counts, wards)
  assert.deepEqual([...result.totals], [['E05000001', 12], ['E05000002', 11]])
  assert.deepEqual(result.unassigned, { lsoas: ['E01999999'], total: 2 })
  // Rolled up again to the district, the figure agrees with its LSOAs.
  const district = rollUp(result.totals, new Map([['E07000129', ['E05000001', 'E05000002']]]))
  assert.equal(district.totals.get('E07000129'), 5 + 7 + 11)
})

test('an LSOA listed twice in one area is refused rather than counted twice', () => {
  assert.throws(() => rollUp(new Map([['a', 1]]), new Map([['X', ['a', 'a']]])), /twice/)
})
