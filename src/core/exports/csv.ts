// CSV as partners open it in a spreadsheet, for every export: one cell writer, and the handling
// notice every export carries on its first line.

export const HANDLING_NOTICE =
  'Handling conditions travel with this data: every record carries its handling code, and a record with code C carries the conditions under which it was shared. ' +
  'They bind whoever receives it; do not pass it on in breach of them.'

/**
 * A cell; text a spreadsheet would run as a formula is written as text (OWASP, "CSV injection").
 * A number is written as it is: -3.5 is a weight, not a formula.
 */
export function csvCell(value: string | number | null): string {
  let text = value === null ? '' : String(value)
  if (typeof value !== 'number' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text
}

export const csvLine = (cells: ReadonlyArray<string | number | null>) => cells.map(csvCell).join(',')

/** A whole file: lines joined as spreadsheets expect them, ending with a line break. */
export const csvFile = (lines: readonly string[]) => `${lines.join('\r\n')}\r\n`
