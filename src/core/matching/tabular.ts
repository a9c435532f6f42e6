import readXlsxFile from 'read-excel-file/node'
import { columnLetter, MAX_ROWS, readCsv } from '../imports/csv.ts'
import { blockingRulesFor } from './blocking.ts'
import { comparisonsFor } from './comparisons.ts'
import { fieldsOf, type CanonicalField, type RecordKind, type SourceRecord } from './record.ts'
import { readDate } from './values.ts'

// A partner's file as the matcher reads it: headings and rows, from the bytes of a CSV or XLSX file
// and its name. Partners send what their systems export: UTF-8 with or without a byte-order mark,
// UTF-16 from Excel's "Unicode text", windows-1252 from older systems, or a workbook. Nothing is
// guessed (a wrong guess garbles names without a word), and nothing is dropped without a message
// naming the file, the row and the column, numbered as a spreadsheet numbers them (headings on row 1).

export type TableRow = { row: number; cells: string[] }

export type Table = {
  file: string
  format: 'csv' | 'xlsx'
  /** The encoding the text was read in (CSV), or the sheet read (XLSX). */
  encoding: string | null
  sheet: string | null
  headers: string[]
  /** Rows holding at least one value; blank rows are skipped but keep their numbers. */
  rows: TableRow[]
}

export type TabularProblem = {
  file: string
  row: number | null
  /** The column as a person finds it: its letter and heading, e.g. C ("Date of birth"). */
  column: string | null
  /** Which kind of fault, so a caller can tell a refused file from a faulty row. */
  code: 'file' | 'headings' | 'mapping' | 'blank_id' | 'duplicate_id' | 'bad_date' | 'extra_cells' | 'no_values'
  message: string
}

export type TableReading = { table: Table; problems: TabularProblem[] } | { table: null; problems: TabularProblem[] }

export type ReadTableOptions = {
  /** The text encoding of a CSV file without a byte-order mark when it is not UTF-8: windows-1252, latin1, iso-8859-15… */
  encoding?: string
  /** The sheet of a workbook to read, by name; the first when none is named. */
  sheet?: string
  /** Rows a CSV file may hold (MAX_ROWS for an import; a command that is no import reads any length). */
  maxRows?: number
}

/** One problem as a line of text: "people.csv, row 7, column C (\"dob\"): …". */
export function describeProblem(p: TabularProblem): string {
  const where = [p.file, p.row === null ? null : `row ${p.row}`, p.column === null ? null : `column ${p.column}`].filter((x) => x !== null).join(', ')
  return `${where}: ${p.message}`
}

const columnName = (headers: readonly string[], index: number) => (headers[index] ? `${columnLetter(index)} ("${headers[index]}")` : columnLetter(index))

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) => prefix.every((b, i) => bytes[i] === b)

const isZip = (bytes: Uint8Array) => startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])
const isOldExcel = (bytes: Uint8Array) => startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])

export type Decoding = { text: string; encoding: string } | { problem: string }

/**
 * The text of a file. A byte-order mark decides (UTF-8, UTF-16 LE or BE); without one the named
 * encoding is used, or else the text must be valid UTF-8.
 */
export function decodeText(bytes: Uint8Array, file: string, encoding?: string): Decoding {
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return utf8(bytes.subarray(3), file)
  if (startsWith(bytes, [0xff, 0xfe])) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' }
  if (startsWith(bytes, [0xfe, 0xff])) {
    // Swapped by hand: a Node.js built without full ICU has no UTF-16 BE decoder.
    const body = bytes.subarray(2)
    const swapped = new Uint8Array(body.length - (body.length % 2))
    for (let i = 0; i + 1 < body.length; i += 2) {
      swapped[i] = body[i + 1]!
      swapped[i + 1] = body[i]!
    }
    return { text: new TextDecoder('utf-16le').decode(swapped), encoding: 'utf-16be' }
  }
  if (encoding !== undefined && encoding.trim() !== '') {
    let decoder: TextDecoder
    try {
      decoder = new TextDecoder(encoding.trim(), { fatal: true })
    } catch {
      return { problem: `"${encoding}" is not an encoding that can be read: name one such as utf-8, windows-1252, latin1 or iso-8859-15` }
    }
    if (decoder.encoding === 'utf-8') return utf8(bytes, file)
    try {
      return { text: decoder.decode(bytes), encoding: decoder.encoding }
    } catch {
      return { problem: `${file} cannot be read as ${decoder.encoding}: it holds bytes that encoding does not have` }
    }
  }
  const decoded = utf8(bytes, file)
  if ('problem' in decoded && looksLikeUtf16(bytes)) {
    return { problem: `${file} looks like UTF-16 text without a byte-order mark: save it again as "CSV UTF-8", or as UTF-16 with a byte-order mark` }
  }
  return decoded
}

function utf8(bytes: Uint8Array, file: string): Decoding {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' }
  } catch {
    return {
      problem: `${file} is not UTF-8 text: name the encoding it was saved in (for example windows-1252 for a file from older Windows software, or latin1), or save it again from Excel as "CSV UTF-8 (Comma delimited)"`,
    }
  }
}

/** Every other byte zero in the first kilobyte: text in UTF-16 whose byte-order mark was lost. */
function looksLikeUtf16(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 1024)
  if (n < 4) return false
  let zeros = 0
  for (let i = 0; i < n; i++) if (bytes[i] === 0) zeros++
  return zeros > n / 3
}

/** Reads a partner's file into headings and rows: a workbook by its content or its name, any other file as CSV. */
export async function readTable(bytes: Uint8Array, file: string, options: ReadTableOptions = {}): Promise<TableReading> {
  const fail = (message: string, row: number | null = null): TableReading => ({ table: null, problems: [{ file, row, column: null, code: 'file', message }] })
  if (bytes.length === 0) return fail('the file is empty: it holds no bytes at all')
  const named = file.toLowerCase()
  if (isOldExcel(bytes) || named.endsWith('.xls')) return fail('this is an old Excel workbook (.xls): save it as an Excel workbook (.xlsx) or as "CSV UTF-8" and send that')
  if (isZip(bytes) || named.endsWith('.xlsx')) return readWorkbook(bytes, file, options.sheet)

  const decoded = decodeText(bytes, file, options.encoding)
  if ('problem' in decoded) return fail(decoded.problem)
  const reading = readCsv(decoded.text, { maxRows: options.maxRows })
  const problems: TabularProblem[] = reading.problems.map((p) => ({ file, row: p.row, column: null, code: reading.table ? 'headings' : 'file', message: p.message }))
  if (!reading.table) return { table: null, problems }
  return { table: { file, format: 'csv', encoding: decoded.encoding, sheet: null, headers: reading.table.headers, rows: reading.table.rows }, problems }
}

/** A cell as text: numbers as the workbook wrote them, dates as YYYY-MM-DD, so no leading zero of a phone number is lost. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return ''
    const iso = value.toISOString()
    // A date without a time of day is written as a date; a time is kept.
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ')
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  return String(value)
}

async function readWorkbook(bytes: Uint8Array, file: string, sheetName: string | undefined): Promise<TableReading> {
  const fail = (message: string): TableReading => ({ table: null, problems: [{ file, row: null, column: null, code: 'file', message }] })
  let sheets: Array<{ sheet: string; data: unknown[][] }>
  try {
    // parseNumber keeps each number as the text the workbook holds: 07700900123 stays a phone number.
    sheets = (await readXlsxFile<string>(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { parseNumber: (s) => s, trim: false })) as Array<{ sheet: string; data: unknown[][] }>
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return fail(`the file cannot be read as an Excel workbook (.xlsx) (${reason}): open it in Excel and save it again as .xlsx or as "CSV UTF-8"`)
  }
  if (sheets.length === 0) return fail('the workbook has no sheet')
  let chosen = sheets[0]!
  if (sheetName !== undefined && sheetName.trim() !== '') {
    const found = sheets.find((s) => s.sheet === sheetName) ?? sheets.find((s) => s.sheet.toLowerCase() === sheetName.trim().toLowerCase())
    if (!found) return fail(`the workbook has no sheet named "${sheetName}": its sheets are ${sheets.map((s) => `"${s.sheet}"`).join(', ')}`)
    chosen = found
  }
  const records = chosen.data.map((r) => r.map(cellText))
  const { headers, rows, problems } = checkRows(records)
  const named = problems.map((p): TabularProblem => ({ file, row: p.row, column: null, code: p.row === 1 ? 'headings' : 'file', message: p.message.replace('The sheet', `Sheet "${chosen.sheet}"`) }))
  if (headers.length === 0) return { table: null, problems: named.map((p) => ({ ...p, code: 'file' })) }
  return { table: { file, format: 'xlsx', encoding: null, sheet: chosen.sheet, headers, rows }, problems: named }
}

/** The checks readCsv makes on a CSV file's headings, made on a sheet's rows. */
function checkRows(records: string[][]): { headers: string[]; rows: TableRow[]; problems: Array<{ row: number | null; message: string }> } {
  const blank = (cells: readonly string[]) => cells.every((c) => c.trim() === '')
  if (records.length === 0 || blank(records[0]!)) {
    return { headers: [], rows: [], problems: [{ row: 1, message: 'The sheet is empty or its first row is blank: the first row must hold the column headings' }] }
  }
  const headers = records[0]!.map((h) => h.trim())
  const rows: TableRow[] = []
  for (let i = 1; i < records.length; i++) if (!blank(records[i]!)) rows.push({ row: i + 1, cells: records[i]! })
  const problems: Array<{ row: number | null; message: string }> = []
  headers.forEach((h, index) => {
    if (h === '' && rows.some((r) => (r.cells[index] ?? '').trim() !== '')) problems.push({ row: 1, message: `Column ${columnLetter(index)} holds values but has no heading: give it a heading in row 1` })
  })
  const seen = new Map<string, number>()
  headers.forEach((h, index) => {
    if (h === '') return
    const first = seen.get(h.toLowerCase())
    if (first === undefined) seen.set(h.toLowerCase(), index)
    else problems.push({ row: 1, message: `Columns ${columnLetter(first)} and ${columnLetter(index)} are both headed "${h}": give each column its own heading` })
  })
  if (rows.length === 0) problems.push({ row: null, message: 'The sheet has headings but no rows' })
  if (rows.length > MAX_ROWS) problems.push({ row: null, message: `The sheet has ${rows.length.toLocaleString('en-GB')} rows: send at most ${MAX_ROWS.toLocaleString('en-GB')} at a time by splitting it` })
  return { headers, rows, problems }
}

/** Canonical field → the column or columns (joined with a space, in order) it is read from. */
export type MatchMapping = Partial<Record<string, string | readonly string[]>>

/** A mapping checked against a file's headings: each field with the indexes of its columns. */
export type ResolvedMapping = Map<CanonicalField, number[]>

export type MappingCheck = { mapping: ResolvedMapping; fields: Set<CanonicalField>; problems: TabularProblem[] }

/**
 * Checks a mapping against a file's headings. Columns are found by heading exactly, or else ignoring
 * case. Every problem is listed at once: a field that is not canonical for the kind (with the fields
 * there are), a column the file lacks (with the headings it has), a field given no column, and a
 * mapping from which no blocking rule can be built (nothing could be compared).
 */
export function checkMatchMapping(kind: RecordKind, headers: readonly string[], mapping: MatchMapping, file = 'the file'): MappingCheck {
  const known = fieldsOf(kind)
  const problems: TabularProblem[] = []
  const resolved: ResolvedMapping = new Map()
  const exact = new Map(headers.map((h, i) => [h, i] as const).filter(([h]) => h !== ''))
  const folded = new Map(headers.map((h, i) => [h.toLowerCase(), i] as const).filter(([h]) => h !== ''))
  const problem = (message: string, column: string | null = null) => problems.push({ file, row: null, column, code: 'mapping', message })
  const kindName = kind === 'person' ? 'people' : 'businesses and premises'
  for (const [field, given] of Object.entries(mapping)) {
    if (given === undefined) continue
    const columns = (typeof given === 'string' ? [given] : [...given]).map((c) => c.trim()).filter((c) => c !== '')
    if (!(known as readonly string[]).includes(field)) {
      problem(`"${field}" is not a field of ${kindName}: the fields are ${known.join(', ')}`)
      continue
    }
    if (columns.length === 0) continue // Left unmapped on purpose: a blank choice on the mapping page.
    const indexes: number[] = []
    for (const c of columns) {
      const index = exact.get(c) ?? folded.get(c.toLowerCase())
      if (index === undefined) problem(`${field} is mapped to a column "${c}" that ${file} does not have: its columns are ${headers.filter((h) => h !== '').map((h) => `"${h}"`).join(', ')}`, `"${c}"`)
      else indexes.push(index)
    }
    if (indexes.length === columns.length) resolved.set(field as CanonicalField, indexes)
  }
  const fields = new Set(resolved.keys())
  if (problems.length === 0) {
    if (fields.size === 0) problem(`no field is mapped to a column: map at least a name with a date of birth, a postcode or an identifier`)
    else {
      const usable = new Set(comparisonsFor(kind, fields).map((c) => c.key))
      if (!blockingRulesFor(kind).some((r) => !r.loose && r.uses.every((k) => usable.has(k)))) {
        problem(
          kind === 'person'
            ? `the fields mapped (${[...fields].join(', ')}) are not enough to find candidate pairs: map a national identifier, an e-mail address or a phone number, or a given and a family name (or a full name), or a date of birth with a name, postcode or town`
            : `the fields mapped (${[...fields].join(', ')}) are not enough to find candidate pairs: map a company number, or a name, or a postcode with an address`,
        )
      }
    }
  }
  return { mapping: resolved, fields, problems }
}

export type SourceRecordsOptions = { source: number; idColumn: string; mapping: MatchMapping; kind?: RecordKind }

export type SourceRecordsReading = {
  /** One record a row, values as written after the mapping (several columns joined by a space). */
  records: Array<SourceRecord & { row: number }>
  problems: TabularProblem[]
}

/**
 * The records of a table under a mapping. Rows with a blank identifier are left out, and so is every
 * row of an identifier written on more than one row (which of them is the record cannot be known):
 * each is reported. A date of birth that cannot be read is reported on its row and column; the record
 * is kept, and the matcher treats the date as not given.
 */
export function sourceRecords(table: Table, options: SourceRecordsOptions): SourceRecordsReading {
  const check = checkMatchMapping(options.kind ?? inferKind(options.mapping), table.headers, options.mapping, table.file)
  const problems: TabularProblem[] = [...check.problems]
  const idIndex = findColumn(table.headers, options.idColumn)
  if (idIndex === undefined) {
    problems.push({ file: table.file, row: null, column: `"${options.idColumn}"`, code: 'mapping', message: `the identifier column "${options.idColumn}" is not in ${table.file}: its columns are ${table.headers.filter((h) => h !== '').map((h) => `"${h}"`).join(', ')}` })
  }
  if (idIndex === undefined || check.problems.length > 0) return { records: [], problems }

  const idCell = columnName(table.headers, idIndex)
  const rowsById = new Map<string, number[]>()
  for (const r of table.rows) {
    const id = (r.cells[idIndex] ?? '').trim()
    if (id === '') continue
    const list = rowsById.get(id)
    if (list) list.push(r.row)
    else rowsById.set(id, [r.row])
  }
  const dateColumns = check.mapping.get('birth_date') ?? []
  const records: SourceRecordsReading['records'] = []
  for (const r of table.rows) {
    const at = (column: string | null, code: TabularProblem['code'], message: string) => problems.push({ file: table.file, row: r.row, column, code, message })
    if (r.cells.length > table.headers.length && r.cells.slice(table.headers.length).some((c) => c.trim() !== '')) {
      at(columnName(table.headers, table.headers.length), 'extra_cells', `the row has ${r.cells.length} values but there are ${table.headers.length} headings: a value may hold an unquoted comma`)
    }
    const id = (r.cells[idIndex] ?? '').trim()
    if (id === '') {
      at(idCell, 'blank_id', 'the identifier is blank: every record needs its own identifier, so the row is left out')
      continue
    }
    const same = rowsById.get(id)!
    if (same.length > 1) {
      at(idCell, 'duplicate_id', `the identifier "${id}" is on rows ${same.join(', ')}: give each record its own identifier; these rows are left out`)
      continue
    }
    const values: SourceRecord['values'] = {}
    for (const [field, columns] of check.mapping) {
      const v = columns.map((i) => (r.cells[i] ?? '').trim()).filter((x) => x !== '').join(' ')
      if (v !== '') values[field] = v
    }
    if (values.birth_date !== undefined) {
      const reading = readDate(values.birth_date)
      if ('problem' in reading) {
        const column = dateColumns.length === 1 ? columnName(table.headers, dateColumns[0]!) : dateColumns.map((i) => columnName(table.headers, i)).join(' + ')
        at(column, 'bad_date', `the date of birth ${reading.problem}; the record is kept without it`)
      }
    }
    if (Object.keys(values).length === 0) {
      at(null, 'no_values', `record "${id}" has no value in any mapped column: it cannot be matched, so the row is left out`)
      continue
    }
    records.push({ source: options.source, id, values, row: r.row })
  }
  return { records, problems }
}

function findColumn(headers: readonly string[], name: string): number | undefined {
  const exact = headers.indexOf(name)
  if (exact >= 0 && name !== '') return exact
  const folded = headers.findIndex((h) => h !== '' && h.toLowerCase() === name.trim().toLowerCase())
  return folded >= 0 ? folded : undefined
}

/** A mapping that names a business field no person has is of businesses; any other of people. */
function inferKind(mapping: MatchMapping): RecordKind {
  return Object.keys(mapping).some((f) => f === 'name' || f === 'company_number') ? 'business' : 'person'
}

/** Headings read as canonical fields, for a first mapping to offer: "Surname" → family_name. */
export function suggestMatchMapping(kind: RecordKind, headers: readonly string[]): Partial<Record<CanonicalField, string>> {
  const words: Record<CanonicalField, readonly string[]> = {
    full_name: ['full name', 'fullname', 'name', 'person name', 'subject name'],
    given_name: ['given name', 'given names', 'forename', 'forenames', 'first name', 'firstname', 'first names'],
    family_name: ['family name', 'surname', 'last name', 'lastname'],
    birth_date: ['date of birth', 'dob', 'birth date', 'birthdate', 'd o b'],
    address: ['address', 'address line 1', 'street address', 'address 1', 'premises address'],
    postcode: ['postcode', 'post code', 'postal code', 'zip'],
    town: ['town', 'city', 'town city', 'locality', 'post town'],
    email: ['email', 'e mail', 'email address', 'e mail address'],
    phone: ['phone', 'telephone', 'phone number', 'mobile', 'telephone number', 'tel'],
    national_id: ['national id', 'national insurance number', 'ni number', 'nino', 'pnc id', 'national identifier'],
    name: ['name', 'business name', 'premises name', 'company name', 'trading name', 'organisation name'],
    company_number: ['company number', 'company no', 'crn', 'companies house number', 'registration number'],
  }
  const simple = (h: string) => h.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim()
  const out: Partial<Record<CanonicalField, string>> = {}
  const used = new Set<number>()
  for (const field of fieldsOf(kind)) {
    const index = headers.findIndex((h, i) => !used.has(i) && (words[field].includes(simple(h)) || simple(h) === field.replace(/_/g, ' ')))
    if (index >= 0) {
      out[field] = headers[index]!
      used.add(index)
    }
  }
  // A person's file with given and family names needs no full name guessed from a "Name" column.
  if (kind === 'person' && out.given_name && out.family_name) delete out.full_name
  return out
}
