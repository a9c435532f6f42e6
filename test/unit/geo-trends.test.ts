import assert from 'node:assert/strict'
import { test } from 'node:test'
import { binomialTwoSidedPValue, compareCounts, compareWithEarlierPeriods, countsByMonth, missingMonths, monthlySeries, poissonChangePValue } from '../../src/core/geo/trends.ts'

const close = (actual: number, expected: number, relative = 1e-9) => assert.ok(Math.abs(actual - expected) <= relative * expected, `${actual} is not ${expected}`)

// Reference p-values, computed independently in Python:
//   30 against 15: 2 x sum_{k=30..45} C(45, k) / 2^45 with math.comb and fractions.Fraction, exactly:
//     0.035697803555194696.
//   80 against 120: 2 x sum_{k=0..80} C(200, k) / 2^200, the same way: 0.0056851559967503055.
//   10,000 against 10,300: 2 x sum_{k=0..10000} C(20300, k) / 2^20300, the same way: 0.03585235973615882.
//   1,000,000 against 1,003,000: the lower tail summed with mpmath at 40 digits (the pmf at k from
//     loggamma, then the ratios k / (n - k + 1) downwards): 0.034088365079439383.
//   12 of 15 when the share is 1/3: the sum of every pmf (math.comb) no larger than the pmf at 12,
//     the rule R's binom.test uses: 0.00028510882396826456.

test('30 crimes against 15 in an equal period is a significant rise, p = 0.0357', () => {
  const change = compareCounts(15, 30)
  close(change.pValue, 0.035697803555194696)
  assert.deepEqual([change.difference, change.percent, change.significant, change.test], [15, 100, true, 'exact conditional binomial'])
  close(compareCounts(30, 15).pValue, 0.035697803555194696)
})

test('the exact test agrees with exact sums for small, large and very large counts', () => {
  close(poissonChangePValue(120, 80), 0.0056851559967503055)
  close(poissonChangePValue(10000, 10300), 0.03585235973615882)
  close(poissonChangePValue(1_000_000, 1_003_000), 0.034088365079439383, 1e-7)
})

test('no change gives p = 1, and the smallest counts give what the binomial says', () => {
  assert.equal(compareCounts(10, 10).pValue, 1)
  assert.equal(compareCounts(0, 0).pValue, 1)
  // 0 against 5: only 0 or 5 of 5 are as unlikely, 2 / 32.
  assert.equal(compareCounts(0, 5).pValue, 0.0625)
  assert.equal(compareCounts(1, 0).pValue, 1)
  assert.equal(compareCounts(0, 5).percent, null)
})

test('unequal exposures shift the expected share and the percentage is of rates', () => {
  // 3 crimes in two months, then 12 in one: the later month's share of exposure is 1/3.
  close(binomialTwoSidedPValue(12, 15, 1 / 3), 0.00028510882396826456)
  const change = compareCounts(3, 12, { beforeExposure: 2, afterExposure: 1 })
  close(change.pValue, 0.00028510882396826456)
  // 1.5 a month to 12 a month: up 700%.
  close(change.percent!, 700)
})

test('a change is significant only below alpha', () => {
  assert.equal(compareCounts(15, 30, { alpha: 0.01 }).significant, false)
  assert.equal(compareCounts(15, 30, { alpha: 0.05 }).significant, true)
})

test('counts that are not whole numbers are refused', () => {
  assert.throws(() => compareCounts(-1, 3), /before count/)
  assert.throws(() => compareCounts(2, 2.5), /after count/)
})

test('counts by month fill the months with no crime with zeros and add up repeats', () => {
  assert.deepEqual(countsByMonth([{ month: '2024-01', count: 3 }, { month: '2024-03', count: 2 }, { month: '2024-03', count: 1 }, { month: '2023-12', count: 9 }], '2024-01', '2024-04'), [
    { month: '2024-01', count: 3 }, { month: '2024-02', count: 0 }, { month: '2024-03', count: 3 }, { month: '2024-04', count: 0 },
  ])
})

test('a month missing from the data is a gap, not a zero', () => {
  const loaded = ['2024-01', '2024-02', '2024-04']
  assert.deepEqual(missingMonths(loaded, '2024-01', '2024-04'), ['2024-03'])
  assert.deepEqual(monthlySeries([{ month: '2024-01', count: 4 }], loaded, '2024-01', '2024-04'), [
    { month: '2024-01', count: 4, missing: false },
    { month: '2024-02', count: 0, missing: false },
    { month: '2024-03', count: null, missing: true },
    { month: '2024-04', count: 0, missing: false },
  ])
})

test('a period is compared with the one before and a year before only where every month is in the data', () => {
  // The quarter 2024-04 to 2024-06 (20 a month), the quarter before (10 a month, but 2024-02 was
  // never loaded) and the same quarter of 2023 (5 a month).
  const counts = [
    ...['2024-04', '2024-05', '2024-06'].map((month) => ({ month, count: 20 })),
    ...['2024-01', '2024-03'].map((month) => ({ month, count: 10 })),
    ...['2023-04', '2023-05', '2023-06'].map((month) => ({ month, count: 5 })),
  ]
  const loaded = counts.map((c) => c.month)
  const trend = compareWithEarlierPeriods(counts, loaded, '2024-04', '2024-06')
  assert.deepEqual(trend.current, { from: '2024-04', to: '2024-06', count: 60, missingMonths: [] })
  assert.deepEqual([trend.previousPeriod.from, trend.previousPeriod.to, trend.previousPeriod.count, trend.previousPeriod.change], ['2024-01', '2024-03', null, null])
  assert.deepEqual(trend.previousPeriod.missingMonths, ['2024-02'])
  assert.deepEqual([trend.lastYear.from, trend.lastYear.to, trend.lastYear.count], ['2023-04', '2023-06', 15])
  assert.deepEqual([trend.lastYear.change!.before, trend.lastYear.change!.after, trend.lastYear.change!.percent], [15, 60, 300])
  assert.ok(trend.lastYear.change!.pValue < 1e-6)
})

test('a period with a missing month of its own is compared with nothing', () => {
  const trend = compareWithEarlierPeriods([{ month: '2024-01', count: 5 }], ['2023-01', '2023-02', '2023-11', '2023-12', '2024-01'], '2024-01', '2024-02')
  assert.deepEqual([trend.current.count, trend.current.missingMonths, trend.previousPeriod.count, trend.previousPeriod.change], [null, ['2024-02'], 0, null])
})
