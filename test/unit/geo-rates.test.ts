import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ratePer1000 } from '../../src/core/geo/rates.ts'

test('25 crimes among 1,500 residents is 16.67 per 1,000', () => {
  const rate = ratePer1000(25, 1500)
  assert.ok(Math.abs(rate.ratePer1000! - 16.666666666666668) < 1e-12)
  assert.equal(rate.unavailable, null)
  assert.deepEqual(ratePer1000(0, 1500), { ratePer1000: 0, unavailable: null })
})

test('with no population, or none living there, there is no rate and the reason is given', () => {
  assert.deepEqual(ratePer1000(4, null), { ratePer1000: null, unavailable: 'no population figure' })
  assert.deepEqual(ratePer1000(4, undefined), { ratePer1000: null, unavailable: 'no population figure' })
  assert.deepEqual(ratePer1000(4, 0), { ratePer1000: null, unavailable: 'population is zero' })
  assert.deepEqual(ratePer1000(4, -10), { ratePer1000: null, unavailable: 'population is negative' })
  assert.throws(() => ratePer1000(-1, 100), /count/)
})
