import { lastYearPeriod, monthsBetween, previousPeriod } from '../profiles/periods.ts'

// Whether a count went up or down by more than chance, and the monthly series it comes from.
//
// Two counts of crime over periods of equal length are treated as Poisson. Given their sum N, the
// later count is Binomial(N, 1/2) when the rate has not changed (Binomial(N, e2 / (e1 + e2)) for
// exposures e1 and e2), so the exact conditional binomial test needs no large-count approximation:
// its two-sided p-value sums the probabilities no greater than that of the count seen (as R's
// binom.test does, with the same 1e-7 allowance for rounding). The probabilities are walked
// outwards from the mode by their ratios, so no factorial is ever formed and large counts stay exact
// to rounding; the walk stops once terms fall below 1e-300 of the mode, which at p = 1/2 is about
// 37 sqrt(N) steps (some 37,000 for a million crimes against a million).

export type CountChange = {
  before: number
  after: number
  difference: number
  /** The change in rate (in count when the exposures are equal), in per cent; null when the earlier count is zero. */
  percent: number | null
  pValue: number
  significant: boolean
  test: 'exact conditional binomial'
}

export type CompareOptions = {
  /** The level below which a p-value is significant (default 0.05). */
  alpha?: number
  /** The lengths (or populations, or days) the two counts are over; equal by default. */
  beforeExposure?: number
  afterExposure?: number
}

export const DEFAULT_ALPHA = 0.05

export function compareCounts(before: number, after: number, options: CompareOptions = {}): CountChange {
  const alpha = options.alpha ?? DEFAULT_ALPHA
  const e1 = options.beforeExposure ?? 1
  const e2 = options.afterExposure ?? 1
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, not ${alpha}`)
  if (!(e1 > 0 && e2 > 0 && Number.isFinite(e1) && Number.isFinite(e2))) throw new RangeError('Both exposures must be positive numbers')
  const pValue = poissonChangePValue(before, after, e2 / (e1 + e2))
  return {
    before,
    after,
    difference: after - before,
    percent: before === 0 ? null : ((after / e2 / (before / e1)) - 1) * 100,
    pValue,
    significant: pValue < alpha,
    test: 'exact conditional binomial',
  }
}

/** The two-sided p-value for no change between two Poisson counts, the later one's share of exposure given. */
export function poissonChangePValue(before: number, after: number, afterShare = 0.5): number {
  for (const [name, n] of [['before', before], ['after', after]] as const) {
    if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`The ${name} count must be a whole number of 0 or more, not ${n}`)
  }
  return binomialTwoSidedPValue(after, before + after, afterShare)
}

/** P(a Binomial(n, p) is as unlikely as k or more so): the exact two-sided p-value. */
export function binomialTwoSidedPValue(k: number, n: number, p: number): number {
  if (!(Number.isInteger(n) && n >= 0 && Number.isInteger(k) && k >= 0 && k <= n)) throw new RangeError(`Need whole numbers 0 <= k <= n, not k = ${k}, n = ${n}`)
  if (!(p >= 0 && p <= 1)) throw new RangeError(`The probability must be between 0 and 1, not ${p}`)
  if (p === 0) return k === 0 ? 1 : 0
  if (p === 1) return k === n ? 1 : 0
  if (n === 0) return 1

  const odds = p / (1 - p)
  const mode = Math.min(n, Math.floor((n + 1) * p))
  const up = (j: number, w: number) => (w * (n - j) * odds) / (j + 1) // w_(j+1) from w_j
  const down = (j: number, w: number) => (w * j) / ((n - j + 1) * odds) // w_(j-1) from w_j
  const floor = 1e-300

  // The weight of k relative to the mode's.
  let wk = 1
  if (k > mode) for (let j = mode; j < k && wk >= floor; j++) wk = up(j, wk)
  else for (let j = mode; j > k && wk >= floor; j--) wk = down(j, wk)
  if (wk < floor) return 0
  const limit = wk * (1 + 1e-7)

  let total = 1
  let asUnlikely = 1 <= limit ? 1 : 0
  let w = 1
  for (let j = mode; j < n; j++) {
    w = up(j, w)
    if (w < floor) break
    total += w
    if (w <= limit) asUnlikely += w
  }
  w = 1
  for (let j = mode; j > 0; j--) {
    w = down(j, w)
    if (w < floor) break
    total += w
    if (w <= limit) asUnlikely += w
  }
  return Math.min(1, asUnlikely / total)
}

// ---------------------------------------------------------------------------------------------
// Monthly series. data.police.uk publishes a month at a time: a month whose file was never loaded
// is missing, which is not the same as a month in which an area recorded no crime. A missing month
// must be reported, and never counted as zero, or it would show as a fall in crime.

export type MonthCount = { readonly month: string; readonly count: number }

export type SeriesMonth = { month: string; count: number | null; missing: boolean }

/** Counts for every month from `from` to `to`, zero where the data has none; counts outside are left out. */
export function countsByMonth(counts: Iterable<MonthCount>, from: string, to: string): MonthCount[] {
  const byMonth = new Map(monthsBetween(from, to).map((m) => [m, 0]))
  for (const { month, count } of counts) {
    if (!(Number.isInteger(count) && count >= 0)) throw new RangeError(`${month}: a count must be a whole number of 0 or more, not ${count}`)
    const sum = byMonth.get(month)
    if (sum !== undefined) byMonth.set(month, sum + count)
  }
  return [...byMonth].map(([month, count]) => ({ month, count }))
}

/** Months from `from` to `to` that are not in the data at all. */
export function missingMonths(monthsInData: Iterable<string>, from: string, to: string): string[] {
  const present = new Set(monthsInData)
  return monthsBetween(from, to).filter((m) => !present.has(m))
}

/** The monthly series with missing months marked and left without a count. A month with any count is in the data. */
export function monthlySeries(counts: Iterable<MonthCount>, monthsInData: Iterable<string>, from: string, to: string): SeriesMonth[] {
  const list = [...counts]
  const present = new Set(monthsInData)
  for (const c of list) present.add(c.month)
  return countsByMonth(list, from, to).map(({ month, count }) => (present.has(month) ? { month, count, missing: false } : { month, count: null, missing: true }))
}

export type PeriodCount = { from: string; to: string; count: number | null; missingMonths: string[] }

export type EarlierComparison = PeriodCount & { change: CountChange | null }

export type PeriodTrend = { current: PeriodCount; previousPeriod: EarlierComparison; lastYear: EarlierComparison }

/**
 * A period's count against the run of months of the same length just before it, and against the
 * same months a year earlier. A period with a missing month has no count, and no comparison is made
 * with or from it; its missing months are listed instead.
 */
export function compareWithEarlierPeriods(counts: Iterable<MonthCount>, monthsInData: Iterable<string>, from: string, to: string, options: CompareOptions = {}): PeriodTrend {
  const previous = previousPeriod(from, to)
  const lastYear = lastYearPeriod(from, to)
  const earliest = previous.from < lastYear.from ? previous.from : lastYear.from
  const series = monthlySeries(counts, monthsInData, earliest, to)
  const byMonth = new Map(series.map((s) => [s.month, s]))
  const period = (a: string, b: string): PeriodCount => {
    const months = monthsBetween(a, b).map((m) => byMonth.get(m)!)
    const missing = months.filter((m) => m.missing).map((m) => m.month)
    return { from: a, to: b, count: missing.length > 0 ? null : months.reduce((sum, m) => sum + m.count!, 0), missingMonths: missing }
  }
  const current = period(from, to)
  const against = (p: { from: string; to: string }): EarlierComparison => {
    const earlier = period(p.from, p.to)
    const change = earlier.count !== null && current.count !== null ? compareCounts(earlier.count, current.count, options) : null
    return { ...earlier, change }
  }
  return { current, previousPeriod: against(previous), lastYear: against(lastYear) }
}
