import type { FieldIssue } from '../errors.ts'
import { isMonth, monthsBetween } from '../profiles/periods.ts'

// The map's period: whole months, as police open data is published by month.

export const DEFAULT_MONTHS = 12

/** The latest twelve months loaded (fewer when fewer are), or null when none is. */
export function defaultPeriod(monthsLoaded: readonly string[], months = DEFAULT_MONTHS): { from: string; to: string } | null {
  const sorted = [...new Set(monthsLoaded)].sort()
  if (sorted.length === 0) return null
  const latest = sorted.slice(-months)
  return { from: latest[0]!, to: latest[latest.length - 1]! }
}

/** What is wrong with a period, each problem on the field it belongs to. */
export function periodIssues(from: string, to: string): FieldIssue[] {
  const issues: FieldIssue[] = []
  if (!isMonth(from)) issues.push({ field: 'from', message: `From must be a month written YYYY-MM, such as 2020-01, not ${JSON.stringify(from)}` })
  if (!isMonth(to)) issues.push({ field: 'to', message: `To must be a month written YYYY-MM, such as 2020-12, not ${JSON.stringify(to)}` })
  if (issues.length === 0 && to < from) issues.push({ field: 'to', message: 'To must be the same month as From or after it' })
  return issues
}

/** Months of the period for which nothing is loaded for the area. */
export function monthsWithoutData(from: string, to: string, monthsLoaded: readonly string[]): string[] {
  const loaded = new Set(monthsLoaded)
  return monthsBetween(from, to).filter((m) => !loaded.has(m))
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

/** "2020-01" → "January 2020". */
export function monthLabel(month: string): string {
  const [y, m] = month.split('-')
  return `${MONTH_NAMES[Number(m) - 1] ?? m} ${y}`
}

/** "January to March 2020", "December 2019 to February 2020", "March 2020". */
export function periodLabel(from: string, to: string): string {
  if (from === to) return monthLabel(from)
  const [fy] = from.split('-')
  const [ty] = to.split('-')
  return fy === ty ? `${monthLabel(from).split(' ')[0]} to ${monthLabel(to)}` : `${monthLabel(from)} to ${monthLabel(to)}`
}
