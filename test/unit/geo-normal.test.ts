import assert from 'node:assert/strict'
import { test } from 'node:test'
import { erfc, normalCdf, twoSidedPValue } from '../../src/core/geo/normal.ts'

// Reference values from Python 3.11's math.erfc (which follows the C library), printed with repr.
const reference: Array<[number, number]> = [
  [0.3, 0.6713732405408726],
  [1.2, 0.08968602177036465],
  [1.5, 0.033894853524689274],
  [2.2, 0.0018628462979818894],
  [3.7, 1.6715105790914596e-7],
  [6.0, 2.1519736712498916e-17],
  [12.0, 1.3562611692059042e-64],
]

test('erfc agrees with the C library to 1e-13 relative, far into the tail', () => {
  for (const [x, expected] of reference) assert.ok(Math.abs(erfc(x) - expected) / expected < 1e-13, `erfc(${x}) = ${erfc(x)}, not ${expected}`)
  assert.ok(Math.abs(erfc(-1.2) - (2 - 0.08968602177036465)) < 1e-15)
  assert.equal(erfc(0), 1)
})

test('the usual critical values give the usual p-values', () => {
  assert.ok(Math.abs(twoSidedPValue(1.959963984540054) - 0.05) < 1e-14)
  assert.ok(Math.abs(twoSidedPValue(-2.5758293035489) - 0.01) < 1e-13)
  assert.ok(Math.abs(twoSidedPValue(1.6448536269514722) - 0.1) < 1e-13)
  assert.equal(twoSidedPValue(0), 1)
})

test('the normal CDF is right in both tails', () => {
  assert.ok(Math.abs(normalCdf(-3) - 0.0013498980316300957) < 1e-17)
  assert.ok(Math.abs(normalCdf(1) - 0.8413447460685429) < 1e-15)
})
