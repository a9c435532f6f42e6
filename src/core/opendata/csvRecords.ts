import { CsvError, parse } from 'csv-parse/sync'

// Splitting CSV text, fed in chunks as it streams from a file, into records.
//
// A national year of street-level crime is 6.6 million rows. csv-parse, which reads every character
// through its state machine, parses about 50,000-80,000 of those rows a second on this project's
// machines (bench/README.md, "Parsing"): by itself slower than the 50,000 rows a second the whole
// import must reach. Most lines of a data.police.uk file hold no double quote, and a line without
// one is, by the CSV rules (RFC 4180), exactly its text split at the commas. So such lines are split
// here, and every record that holds a quote (a location "On or near Asda, Thurmaston", a value
// running over several lines) is handed whole to csv-parse, which also gives the message when one
// is malformed. test/unit/opendata-csv.test.ts holds the two to the same records on every sample
// file and on generated CSV cut into random chunks.

export type CsvRecord = {
  /** The record's number as a spreadsheet shows it: the heading row is row 1. */
  row: number
  cells: string[]
  /** Whether a value holds a control character (tab, CR and LF aside), which no published value does. */
  control: boolean
}

const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/

/** CSV that cannot be read: the import is refused, since no later row boundary can be trusted. */
export class CsvFormatError extends Error {
  constructor(
    readonly row: number,
    message: string,
  ) {
    super(message)
  }
}

/** A quoted value left open this long is taken to be unclosed rather than read to the end of the file. */
const MAX_RECORD_CHARS = 1_000_000

export class CsvRecordSplitter {
  private rest = ''
  private pending: string[] = []
  private pendingChars = 0
  private pendingQuotes = 0
  private records = 0
  private first = true

  /** Adds the next piece of text; complete records are appended to `out`. */
  push(text: string, out: CsvRecord[]): void {
    let chunk = this.rest === '' ? text : this.rest + text
    if (this.first && chunk.length > 0) {
      this.first = false
      // A byte-order mark (Excel's "CSV UTF-8", the IoD 2019 files) is not part of the first heading.
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1)
    }
    let start = 0
    for (;;) {
      const end = chunk.indexOf('\n', start)
      if (end < 0) break
      this.line(chunk.slice(start, end), out)
      start = end + 1
    }
    this.rest = start === 0 ? chunk : chunk.slice(start)
  }

  /** The text has all been pushed: the last line, even without a line break after it. */
  end(out: CsvRecord[]): void {
    if (this.rest !== '') this.line(this.rest, out)
    this.rest = ''
    if (this.pending.length > 0) throw this.unclosed()
  }

  private line(line: string, out: CsvRecord[]): void {
    if (this.pending.length === 0) {
      const firstQuote = line.indexOf('"')
      if (firstQuote < 0) {
        this.records++
        const text = withoutCr(line)
        out.push({ row: this.records, cells: text.split(','), control: CONTROL.test(text) })
        return
      }
      const quotes = countQuotes(line, firstQuote)
      if (quotes % 2 === 0) {
        this.records++
        const text = withoutCr(line)
        out.push({ row: this.records, cells: this.parseQuoted(text), control: CONTROL.test(text) })
        return
      }
      // An odd number of quotes: either a quoted value that goes on past this line break, or a
      // stray quote that csv-parse will name (a quote inside a value that does not open with one).
      this.strayQuote(withoutCr(line))
      this.pending = [line]
      this.pendingChars = line.length
      this.pendingQuotes = quotes
      return
    }
    // Inside a quoted value that runs over a line break: the record ends at the first line break
    // after its quotes pair up again (a quote inside a quoted value is written twice).
    this.pending.push(line)
    this.pendingChars += line.length + 1
    this.pendingQuotes += countQuotes(line, 0)
    if (this.pendingQuotes % 2 === 0) {
      const text = withoutCr(this.pending.join('\n'))
      this.pending = []
      this.records++
      out.push({ row: this.records, cells: this.parseQuoted(text), control: CONTROL.test(text) })
    } else if (this.pendingChars > MAX_RECORD_CHARS) {
      throw this.unclosed()
    }
  }

  private unclosed(): CsvFormatError {
    return new CsvFormatError(
      this.records + 1,
      `A quoted value is never closed: the double quote (") that opens a value on row ${this.records + 1} has no closing quote. Close it, or write a quote inside a quoted value twice ("")`,
    )
  }

  private strayQuote(line: string): void {
    try {
      parse(line, { relax_column_count: true, record_delimiter: '\n' })
    } catch (error) {
      if (!(error instanceof CsvError)) throw error
      if (error.code === 'CSV_QUOTE_NOT_CLOSED') return
      const row = this.records + 1
      throw new CsvFormatError(row, `Row ${row} cannot be read as CSV: ${describeCsvError(error)}`)
    }
  }

  private parseQuoted(text: string): string[] {
    const row = this.records
    let parsed: string[][]
    try {
      // Line breaks inside quoted values stay as written; the record has been cut out already, so
      // only '\n' can end it (a lone '\r' elsewhere is data, as in the split lines above).
      parsed = parse(text, { relax_column_count: true, record_delimiter: '\n' }) as string[][]
    } catch (error) {
      if (!(error instanceof CsvError)) throw error
      throw new CsvFormatError(row, `Row ${row} cannot be read as CSV: ${describeCsvError(error)}`)
    }
    if (parsed.length !== 1) throw new CsvFormatError(row, `Row ${row} cannot be read as CSV: it reads as ${parsed.length} records`)
    return parsed[0]!
  }
}

function withoutCr(line: string): string {
  return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line
}

function countQuotes(line: string, from: number): number {
  let n = 0
  for (let i = line.indexOf('"', from); i >= 0; i = line.indexOf('"', i + 1)) n++
  return n
}

function describeCsvError(error: CsvError): string {
  // csv-parse names this one without its usual CSV_ prefix (and outside its declared codes).
  switch (error.code as string) {
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_OPENING_QUOTE':
      return 'a double quote (") appears inside a value that does not start with one; put the whole value in quotes and write the quote twice ("")'
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quoted value is followed by more text before the next comma; write a quote inside a quoted value twice ("")'
    default:
      return error.message
  }
}

/** Whether every cell of a record is blank: such rows are skipped, but keep their numbers. */
export function isBlankRecord(cells: readonly string[]): boolean {
  for (const c of cells) if (c.trim() !== '') return false
  return true
}
