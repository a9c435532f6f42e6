// Small-number suppression for published tables: a count of crime in a small area can point to the
// victim or the offender, so a count from 1 to threshold - 1 is shown as "fewer than N" and its value
// never leaves this function. The default threshold of 5 hides 1 to 4 (the common rule for
// published crime and health statistics); choose a higher one where local guidance asks.
//
// Zero is shown by default: that nothing was recorded names nobody. Pass suppressZero to hide it too.
//
// Complementary suppression, simply: when exactly one cell in a group is hidden and the group's
// total is shown, the total less the others would give it away, so the smallest other non-zero cell
// is withheld as well (the earliest, on a tie). Withholding a zero would not do: the hidden pair's
// sum would then be the small count itself. Fuller statistical disclosure control (protection
// intervals, linked tables) is out of scope: a reader can still bound a hidden count, not name it.

export const DEFAULT_SUPPRESSION_THRESHOLD = 5

export type ShownCount = { suppressed: false; value: number; display: string }
export type SuppressedCount = { suppressed: true; reason: 'small number' | 'complementary'; display: string }
export type PublishedCount = ShownCount | SuppressedCount

export type SuppressionOptions = { suppressZero?: boolean }

export function suppressCount(count: number, threshold = DEFAULT_SUPPRESSION_THRESHOLD, options: SuppressionOptions = {}): PublishedCount {
  checkThreshold(threshold)
  if (!(Number.isInteger(count) && count >= 0)) throw new RangeError(`A count must be a whole number of 0 or more, not ${count}`)
  if (count < threshold && (count > 0 || options.suppressZero)) return { suppressed: true, reason: 'small number', display: `fewer than ${threshold}` }
  return { suppressed: false, value: count, display: count.toLocaleString('en-GB') }
}

export type CountCell = { readonly key: string; readonly count: number }
export type PublishedCell = { key: string } & PublishedCount

/** One group's cells (the crime types of an area, say) and its total, ready to publish side by side. */
export function suppressCounts(cells: readonly CountCell[], threshold = DEFAULT_SUPPRESSION_THRESHOLD, options: SuppressionOptions = {}): { cells: PublishedCell[]; total: PublishedCount } {
  checkThreshold(threshold)
  const published: PublishedCell[] = cells.map((c) => ({ key: c.key, ...suppressCount(c.count, threshold, options) }))
  const total = cells.reduce((sum, c) => sum + c.count, 0)
  const publishedTotal = suppressCount(total, threshold, options)
  const hidden = published.filter((c) => c.suppressed).length
  if (hidden === 1 && !publishedTotal.suppressed) {
    let pick = -1
    published.forEach((c, i) => {
      if (!c.suppressed && c.value > 0 && (pick === -1 || c.value < cells[pick]!.count)) pick = i
    })
    if (pick !== -1) published[pick] = { key: cells[pick]!.key, suppressed: true, reason: 'complementary', display: 'withheld' }
  }
  return { cells: published, total: publishedTotal }
}

function checkThreshold(threshold: number) {
  if (!(Number.isInteger(threshold) && threshold >= 1)) throw new RangeError(`The suppression threshold must be a whole number of 1 or more, not ${threshold}`)
}
