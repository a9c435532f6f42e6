import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEFAULT_SUPPRESSION_THRESHOLD, suppressCount, suppressCounts } from '../../src/core/geo/suppression.ts'

test('a count under the threshold is shown as "fewer than 5" and carries no value', () => {
  assert.equal(DEFAULT_SUPPRESSION_THRESHOLD, 5)
  const hidden = suppressCount(3)
  assert.deepEqual(hidden, { suppressed: true, reason: 'small number', display: 'fewer than 5' })
  assert.ok(!('value' in hidden))
  assert.deepEqual(suppressCount(5), { suppressed: false, value: 5, display: '5' })
  assert.deepEqual(suppressCount(12345), { suppressed: false, value: 12345, display: '12,345' })
})

test('the threshold is a parameter, and zero is shown unless asked otherwise', () => {
  assert.equal(suppressCount(7, 10).display, 'fewer than 10')
  assert.equal(suppressCount(10, 10).suppressed, false)
  assert.deepEqual(suppressCount(0), { suppressed: false, value: 0, display: '0' })
  assert.equal(suppressCount(0, 5, { suppressZero: true }).suppressed, true)
  assert.throws(() => suppressCount(3, 0), /threshold/)
  assert.throws(() => suppressCount(2.5), /whole number/)
})

test('when one cell is hidden beside a total, the next smallest non-zero cell is withheld too', () => {
  // Burglary 3, drugs 40, weapons 12, robbery 0; total 55. Showing 40, 12, 0 and 55 would give
  // 55 - 40 - 12 - 0 = 3. Withholding weapons (12, the smallest non-zero shown) leaves 3 + 12 = 15
  // between two hidden cells, which could be 1 + 14 up to 4 + 11.
  const { cells, total } = suppressCounts([{ key: 'burglary', count: 3 }, { key: 'drugs', count: 40 }, { key: 'weapons', count: 12 }, { key: 'robbery', count: 0 }])
  assert.deepEqual(cells, [
    { key: 'burglary', suppressed: true, reason: 'small number', display: 'fewer than 5' },
    { key: 'drugs', suppressed: false, value: 40, display: '40' },
    { key: 'weapons', suppressed: true, reason: 'complementary', display: 'withheld' },
    { key: 'robbery', suppressed: false, value: 0, display: '0' },
  ])
  assert.deepEqual(total, { suppressed: false, value: 55, display: '55' })
  const shown = cells.reduce((sum, c) => sum + (c.suppressed ? 0 : c.value), 0)
  assert.equal(55 - shown, 15)
  assert.ok(!JSON.stringify(cells).includes('"value":3') && !JSON.stringify(cells).includes('"value":12'))
})

test('on a tie the earlier cell is withheld', () => {
  const { cells } = suppressCounts([{ key: 'a', count: 2 }, { key: 'b', count: 12 }, { key: 'c', count: 12 }])
  assert.deepEqual(cells.map((c) => c.suppressed), [true, true, false])
})

test('two hidden cells need no third', () => {
  const { cells, total } = suppressCounts([{ key: 'a', count: 2 }, { key: 'b', count: 3 }, { key: 'c', count: 50 }])
  assert.deepEqual(cells.map((c) => c.display), ['fewer than 5', 'fewer than 5', '50'])
  assert.equal(total.display, '55')
})

test('a small total is hidden itself, and then nothing more needs withholding', () => {
  const { cells, total } = suppressCounts([{ key: 'a', count: 3 }, { key: 'b', count: 0 }])
  assert.deepEqual(total, { suppressed: true, reason: 'small number', display: 'fewer than 5' })
  assert.deepEqual(cells.map((c) => c.display), ['fewer than 5', '0'])
})

test('a group with nothing small is shown as it is', () => {
  const { cells, total } = suppressCounts([{ key: 'a', count: 5 }, { key: 'b', count: 9 }], 5)
  assert.ok(cells.every((c) => !c.suppressed))
  assert.equal(total.display, '14')
})
