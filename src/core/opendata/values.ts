// Reading the cells of public files. Each reader returns the value, or a Fault saying in words
// what is wrong with the cell, so a report can group rows by reason.

export type Fault = { reason: string; column: string | null }

export const isFault = (v: unknown): v is Fault => typeof v === 'object' && v !== null && 'reason' in v

/** Longest text kept from one cell; no published value comes near it. */
export const MAX_TEXT = 500

// Control characters never appear in published text. They are refused because the loader joins a
// batch's values with the unit separator (U+001F) and PostgreSQL refuses NUL in text. The CSV
// splitter tests each line once (CsvRecord.control) rather than each cell.
export const CONTROL_CHARACTER = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/

/** A trimmed text, null when blank. Control characters are the caller's to have refused (see above). */
export function text(cell: string | undefined, column: string | null, max = MAX_TEXT): string | null | Fault {
  if (cell === undefined) return null
  const value = cell.trim()
  if (value === '') return null
  if (value.length > max) return { reason: `Value is longer than ${max} characters`, column }
  return value
}

/** The first cell holding a control character, for a record the splitter flagged. */
export function controlCharacterCell(cells: readonly string[]): number {
  return cells.findIndex((c) => CONTROL_CHARACTER.test(c))
}

/** The month a value names, as the first day of the month ('2019-12-01'). */
export function month(cell: string | undefined, column: string, now: Date): string | null | Fault {
  const value = cell?.trim() ?? ''
  if (value === '') return null
  // data.police.uk writes 2019-12; a file re-saved by a spreadsheet may hold 2019-12-01 or 2019/12.
  const m = /^(\d{4})[-/](\d{1,2})(?:[-/]0?1)?$/.exec(value)
  if (!m) return { reason: 'Month is not a year and month (YYYY-MM)', column }
  const year = Number(m[1])
  const mon = Number(m[2])
  if (mon < 1 || mon > 12) return { reason: 'Month is not a month of the year (01 to 12)', column }
  // data.police.uk begins in December 2010; the Home Office's earlier street-level data does not
  // exist, so a year before 2000 is a mistake, and a month after this one has not happened.
  if (year < 2000) return { reason: 'Month is before 2000', column }
  const nowYear = now.getUTCFullYear()
  const nowMonth = now.getUTCMonth() + 1
  if (year > nowYear || (year === nowYear && mon > nowMonth)) return { reason: 'Month is in the future', column }
  return `${m[1]}-${String(mon).padStart(2, '0')}-01`
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/

/** A decimal number, as written (so the database reads the same digits), and its value. */
export function decimal(cell: string | undefined, column: string): { text: string; value: number } | null | Fault {
  const value = cell?.trim() ?? ''
  if (value === '') return null
  if (!DECIMAL.test(value)) return { reason: `${column} is not a number`, column }
  return { text: value, value: Number(value) }
}

/** A whole number, with or without thousands separators ("29,199", as the IoD 2019 files quote ranks). */
export function wholeNumber(cell: string | undefined, column: string): number | null | Fault {
  const value = cell?.trim() ?? ''
  if (value === '') return null
  if (!/^\d{1,3}(?:,\d{3})+$|^\d+$/.test(value)) return { reason: `${column} is not a whole number`, column }
  return Number(value.replace(/,/g, ''))
}

const TRUE = new Set(['true', 'yes', 'y', '1', 't'])
const FALSE = new Set(['false', 'no', 'n', '0', 'f'])

export function yesNo(cell: string | undefined, column: string): boolean | null | Fault {
  const value = cell?.trim().toLowerCase() ?? ''
  if (value === '') return null
  if (TRUE.has(value)) return true
  if (FALSE.has(value)) return false
  return { reason: `${column} is not True or False`, column }
}

// An instant as data.police.uk writes one (2019-05-31T23:01:00+00:00): its offset must be there,
// or the month it falls in could be wrong by an hour.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/

export function instant(cell: string | undefined, column: string): Date | null | Fault {
  const value = cell?.trim() ?? ''
  if (value === '') return null
  const m = INSTANT.exec(value)
  if (!m) return { reason: `${column} is not a date and time with its offset from UTC (2019-05-31T23:01:00+00:00)`, column }
  const at = new Date(value.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))
  const [, y, mo, d, h, mi, s] = m
  if (Number.isNaN(at.getTime()) || Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > daysIn(Number(y), Number(mo)) || Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) {
    return { reason: `${column} is not a real date and time`, column }
  }
  return at
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

const ukMonthParts = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: '2-digit', timeZone: 'Europe/London' })

/** The month an instant falls in in the United Kingdom, as '2019-06-01': data.police.uk files months so. */
export function ukMonthOf(at: Date): string {
  let year = ''
  let mon = ''
  for (const p of ukMonthParts.formatToParts(at)) {
    if (p.type === 'year') year = p.value
    else if (p.type === 'month') mon = p.value
  }
  return `${year}-${mon}-01`
}
