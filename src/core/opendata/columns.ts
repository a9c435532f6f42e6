import { columnLetter } from '../imports/csv.ts'
import { normaliseHeading } from '../imports/values.ts'
import type { Tally } from './tally.ts'

// Finding each known column of a public file by its heading. Files come as published, re-saved
// from Excel or written by pandas, with headings re-cased ("CRIME TYPE"), in snake_case
// ("lsoa_code"), renamed ("LSOA11CD"), and with extra columns such as pandas' unnamed index. Each
// heading is compared without case, spaces or punctuation; what matches nothing is ignored and
// reported, and a file that lacks a required column is refused naming the columns it lacks.

export type ColumnSpec = {
  key: string
  /** The heading as the publisher writes it, used in messages. */
  heading: string
  /** Other headings that mean this column (compared as normaliseHeading compares them). */
  aliases: readonly string[]
  required: boolean
}

export type ColumnMap = {
  /** Field key → the column's index in each record; absent for optional columns the file lacks. */
  index: Record<string, number>
  /** The heading the file gives each mapped field, for messages. */
  headingOf: Record<string, string>
  /** Required columns the file lacks. */
  missing: ColumnSpec[]
  /** Columns used by no field, by letter and heading (a blank heading is an index or empty column). */
  ignored: IgnoredColumn[]
  /** Two columns of the file that mean the same field: the import cannot choose between them. */
  ambiguous: Array<{ key: string; headings: string[] }>
}

export type IgnoredColumn = { column: string; heading: string }

export function mapColumns(specs: readonly ColumnSpec[], headings: readonly string[]): ColumnMap {
  const byName = new Map<string, string>()
  for (const spec of specs) {
    for (const name of [spec.heading, ...spec.aliases]) {
      const key = normaliseHeading(name)
      const other = byName.get(key)
      if (other !== undefined && other !== spec.key) throw new Error(`The heading "${name}" is given to both ${other} and ${spec.key}`)
      byName.set(key, spec.key)
    }
  }
  const index: Record<string, number> = {}
  const headingOf: Record<string, string> = {}
  const ignored: IgnoredColumn[] = []
  const found = new Map<string, string[]>()
  headings.forEach((raw, i) => {
    const heading = raw.trim()
    const key = byName.get(normaliseHeading(heading))
    if (key === undefined) {
      ignored.push({ column: columnLetter(i), heading })
      return
    }
    const list = found.get(key) ?? []
    list.push(heading)
    found.set(key, list)
    if (index[key] === undefined) {
      index[key] = i
      headingOf[key] = heading
    }
  })
  const ambiguous = [...found].filter(([, list]) => list.length > 1).map(([key, list]) => ({ key, headings: list }))
  const missing = specs.filter((s) => s.required && index[s.key] === undefined)
  return { index, headingOf, missing, ignored, ambiguous }
}

/** "Month", "Crime type" and "LSOA code": for a message naming the columns a file lacks. */
export function listHeadings(specs: readonly ColumnSpec[]): string {
  const names = specs.map((s) => `"${s.heading}"`)
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`
}

/** How an ignored column is described in a report: an unnamed column is most often an index. */
export function describeIgnored(columns: readonly IgnoredColumn[]): string {
  return columns.map((c) => (c.heading === '' ? `column ${c.column} (no heading: an index column?)` : /^unnamed:?\s*\d+$/i.test(c.heading) ? `column ${c.column} "${c.heading}" (an index column)` : `column ${c.column} "${c.heading}"`)).join(', ')
}

/** One record's cells by field key, and a way to reject the record naming the file's own heading. */
export type RowAccess = {
  cell: (key: string) => string | undefined
  heading: (key: string) => string
  /** Records the fault in the tally and returns null, so a reader can `return reject(...)`. */
  reject: (fault: { reason: string; column: string | null }, value: string | undefined | null) => null
}

export function rowAccess(
  columns: ColumnMap,
  cells: readonly string[],
  where: { tally: Tally; file: string; row: number },
  defaultHeading: (key: string) => string,
): RowAccess {
  return {
    cell: (key) => {
      const at = columns.index[key]
      return at === undefined ? undefined : cells[at]
    },
    heading: (key) => columns.headingOf[key] ?? defaultHeading(key),
    reject: (fault, value) => {
      where.tally.reject(where.file, where.row, fault.reason, fault.column, value ?? null)
      return null
    },
  }
}
