import { CsvError, parse } from 'csv-parse/sync'

// Reading a CSV file as partners send it: exported from Excel or another system, perhaps with a
// byte-order mark, Windows line endings, quoted fields holding commas, quotes or line breaks.
// Rows are numbered as a spreadsheet numbers them (the heading row is row 1), so a fault reported
// on row 7 is found on row 7 when the user opens the file.

export type CsvTable = {
  /** The headings exactly as written (trimmed), in file order. */
  headers: string[]
  /** Data rows that hold at least one value; blank rows are skipped but keep their numbers. */
  rows: CsvRow[]
}

export type CsvRow = { row: number; cells: string[] }

export type CsvProblem = { row: number | null; message: string }

export type CsvReading = { table: CsvTable; problems: CsvProblem[] } | { table: null; problems: CsvProblem[] }

/** Holds a whole national file comfortably; beyond it an import should be split. */
export const MAX_ROWS = 100_000

const isBlank = (cells: readonly string[]) => cells.every((c) => c.trim() === '')

/**
 * Reads CSV text into headings and rows. A file that cannot be read as CSV at all (an unclosed
 * quote) gives no table and the row where reading stopped; problems with the headings are listed
 * with the table, so the caller can show them all before any row is checked.
 */
export function readCsv(text: string, options: { maxRows?: number } = {}): CsvReading {
  const maxRows = options.maxRows ?? MAX_ROWS
  let records: string[][]
  try {
    records = parse(text, {
      bom: true,
      // Rows shorter or longer than the heading are reported row by row, not refused wholesale.
      relax_column_count: true,
      // A stray quote inside an unquoted value (5'10" tall) is kept as written.
      relax_quotes: true,
    }) as string[][]
  } catch (error) {
    if (error instanceof CsvError) {
      // `records` counts the rows read before the fault, so the fault is on the next one.
      const row = typeof (error as CsvError & { records?: number }).records === 'number' ? (error as CsvError & { records: number }).records + 1 : null
      const message =
        error.code === 'CSV_QUOTE_NOT_CLOSED'
          ? 'A quoted value is never closed: a double quote (") opens a value that runs to the end of the file. Close the quote, or double any quote inside a quoted value ("")'
          : `The file cannot be read as CSV: ${error.message}`
      return { table: null, problems: [{ row, message }] }
    }
    throw error
  }
  if (records.length === 0 || isBlank(records[0]!)) {
    return { table: null, problems: [{ row: 1, message: 'The file is empty or its first row is blank: the first row must hold the column headings' }] }
  }

  const headers = records[0]!.map((h) => h.trim())
  const rows: CsvRow[] = []
  for (let i = 1; i < records.length; i++) {
    const cells = records[i]!
    if (!isBlank(cells)) rows.push({ row: i + 1, cells })
  }

  const problems: CsvProblem[] = []
  // A column with no heading cannot be mapped; it matters only if it holds something.
  headers.forEach((h, index) => {
    if (h === '' && rows.some((r) => (r.cells[index] ?? '').trim() !== '')) {
      problems.push({ row: 1, message: `Column ${columnLetter(index)} holds values but has no heading: give it a heading in row 1` })
    }
  })
  const seen = new Map<string, number>()
  headers.forEach((h, index) => {
    if (h === '') return
    const key = h.toLowerCase()
    const first = seen.get(key)
    if (first === undefined) seen.set(key, index)
    else problems.push({ row: 1, message: `Columns ${columnLetter(first)} and ${columnLetter(index)} are both headed "${h}": give each column its own heading` })
  })
  if (rows.length === 0) problems.push({ row: null, message: 'The file has headings but no rows to import' })
  if (rows.length > maxRows) {
    problems.push({ row: null, message: `The file has ${rows.length.toLocaleString('en-GB')} rows: import at most ${maxRows.toLocaleString('en-GB')} at a time by splitting it` })
  }
  return { table: { headers, rows }, problems }
}

/** The spreadsheet letter of a zero-based column: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1
  let letters = ''
  while (n > 0) {
    const r = (n - 1) % 26
    letters = String.fromCharCode(65 + r) + letters
    n = Math.floor((n - 1) / 26)
  }
  return letters
}

/** Decodes an uploaded file. Only UTF-8 is accepted: guessing an encoding could garble names. */
export function decodeCsvFile(bytes: Uint8Array): { text: string } | { problem: string } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) }
  } catch {
    return { problem: 'The file is not UTF-8 text. In Excel choose Save As, then "CSV UTF-8 (Comma delimited)", and upload that file' }
  }
}
