import { NO_DATA_COLOUR, SUPPRESSED_COLOUR, sequentialPalette } from './palettes.ts'

// The legend of a choropleth: the classes its values fall in, each with its colour and label.
//
// Quantity layers (counts, rates) are split at quantiles, so each class holds about as many LSOAs
// as the next: crime is skewed (a city centre LSOA can hold fifty times the median), and equal
// intervals would paint almost every LSOA the lightest colour. Values are first rounded to the
// precision they are shown at (whole numbers for counts, one decimal for rates), so a class's label
// and its members always agree: class i holds the values v with t(i-1) < v <= t(i), and the label
// names the smallest and largest value a class can hold at that precision ("4 to 7").

export type LegendItem = {
  /** The class key each value of the layer carries (q0, q1, … for quantities; hot-99, decile-1, … for classes). */
  key: string
  label: string
  colour: string
  /** LSOAs in the class. */
  lsoas: number
}

export type Legend = { title: string; items: LegendItem[] }

export type Breaks = {
  /** Upper bounds of every class but the last, ascending; empty when every value is the same. */
  thresholds: number[]
  min: number
  max: number
  decimals: number
}

/** Rounds to the precision a value is shown at. */
export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals
  return Math.round(value * f) / f
}

/**
 * Quantile class breaks of the values at the given precision: at most `classes` classes, fewer when
 * values repeat (a layer where most LSOAs have 0 gets a class of its own for 0). Null for no values.
 */
export function quantileBreaks(values: readonly number[], classes: number, decimals = 0): Breaks | null {
  if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`A legend needs at least one class, not ${classes}`)
  const sorted = values.map((v) => {
    if (!Number.isFinite(v)) throw new RangeError(`A mapped value must be a finite number, not ${v}`)
    return roundTo(v, decimals)
  }).sort((a, b) => a - b)
  const n = sorted.length
  if (n === 0) return null
  const min = sorted[0]!
  const max = sorted[n - 1]!
  const thresholds: number[] = []
  for (let j = 1; j < classes; j++) {
    // Nearest-rank quantile j/classes.
    const t = sorted[Math.ceil((j * n) / classes) - 1]!
    if (t < max && (thresholds.length === 0 || t > thresholds[thresholds.length - 1]!)) thresholds.push(t)
  }
  return { thresholds, min, max, decimals }
}

/** The index of the class a value falls in: how many thresholds it exceeds, at the breaks' precision. */
export function classIndex(value: number, breaks: Breaks): number {
  const v = roundTo(value, breaks.decimals)
  let i = 0
  while (i < breaks.thresholds.length && v > breaks.thresholds[i]!) i++
  return i
}

const format = (v: number, decimals: number) => v.toLocaleString('en-GB', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })

/** The smallest and largest value each class can hold at the breaks' precision. */
export function classRanges(breaks: Breaks): Array<{ lower: number; upper: number }> {
  const step = 10 ** -breaks.decimals
  const uppers = [...breaks.thresholds, breaks.max]
  return uppers.map((upper, i) => ({ lower: i === 0 ? breaks.min : roundTo(uppers[i - 1]! + step, breaks.decimals), upper }))
}

export function rangeLabel(range: { lower: number; upper: number }, decimals: number): string {
  return range.lower === range.upper ? format(range.lower, decimals) : `${format(range.lower, decimals)} to ${format(range.upper, decimals)}`
}

export type QuantityValue = { value: number | null; suppressed?: boolean }

export type QuantityClasses = {
  legend: Legend
  /** For each value given, in order: its class key. */
  keys: string[]
  breaks: Breaks | null
}

export const NO_DATA_KEY = 'no-data'
export const SUPPRESSED_KEY = 'suppressed'

/**
 * Classes and legend of a quantity layer: quantile classes in a sequential palette, plus "no data"
 * for values that are null and the suppressed label for counts too small to publish, each listed
 * only when some LSOA is in it.
 */
export function quantityClasses(
  values: readonly QuantityValue[],
  options: { title: string; classes?: number; decimals?: number; noDataLabel?: string; suppressedLabel?: string },
): QuantityClasses {
  const decimals = options.decimals ?? 0
  const shown = values.filter((v) => !v.suppressed && v.value !== null).map((v) => v.value as number)
  const breaks = quantileBreaks(shown, options.classes ?? 5, decimals)
  const ranges = breaks ? classRanges(breaks) : []
  const palette = ranges.length > 0 ? sequentialPalette(ranges.length) : []
  const keys = values.map((v) => (v.suppressed ? SUPPRESSED_KEY : v.value === null ? NO_DATA_KEY : `q${classIndex(v.value, breaks!)}`))
  const counts = new Map<string, number>()
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1)
  const items: LegendItem[] = ranges.map((r, i) => ({ key: `q${i}`, label: rangeLabel(r, decimals), colour: palette[i]!, lsoas: counts.get(`q${i}`) ?? 0 }))
  if (counts.has(SUPPRESSED_KEY)) items.push({ key: SUPPRESSED_KEY, label: options.suppressedLabel ?? 'Too few to show', colour: SUPPRESSED_COLOUR, lsoas: counts.get(SUPPRESSED_KEY)! })
  if (counts.has(NO_DATA_KEY)) items.push({ key: NO_DATA_KEY, label: options.noDataLabel ?? 'No data', colour: NO_DATA_COLOUR, lsoas: counts.get(NO_DATA_KEY)! })
  return { legend: { title: options.title, items }, keys, breaks }
}

/** A legend of fixed classes (hot spot confidence, deprivation decile), each with the LSOAs in it; classes no LSOA is in are kept, so the key reads the same on every map. */
export function categoricalLegend(title: string, classes: ReadonlyArray<{ key: string; label: string; colour: string }>, keys: readonly string[]): Legend {
  const counts = new Map<string, number>()
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1)
  const items = classes.map((c) => ({ ...c, lsoas: counts.get(c.key) ?? 0 }))
  if (counts.has(NO_DATA_KEY) && !classes.some((c) => c.key === NO_DATA_KEY)) items.push({ key: NO_DATA_KEY, label: 'No data', colour: NO_DATA_COLOUR, lsoas: counts.get(NO_DATA_KEY)! })
  return { title, items }
}
