import { BUSINESS_FIELDS, PERSON_FIELDS, type CanonicalField, type SourceRecord } from './record.ts'

// A partner's columns mapped to the matcher's canonical fields, as written on the command line:
// "given_name=Forename,family_name=Surname,address=House+Street+Town". Columns joined with "+" are
// read as one value, separated by spaces, in the order given. Shared by `achilles encode` and
// `achilles match`.

export const ALL_FIELDS: readonly CanonicalField[] = [...new Set<CanonicalField>([...PERSON_FIELDS, ...BUSINESS_FIELDS])]

export type FieldMap = Map<CanonicalField, string[]>

export type FieldMapReading = { map: FieldMap; problems: [] } | { map: null; problems: string[] }

/**
 * Reads a mapping. Every problem is listed (an unknown field with the fields there are, a part with
 * no "=", an empty column name, a field mapped twice), so one attempt shows them all.
 */
export function parseFieldMap(text: string, fields: readonly CanonicalField[] = ALL_FIELDS): FieldMapReading {
  const problems: string[] = []
  const map: FieldMap = new Map()
  if (text.trim() === '') return { map: null, problems: ['The mapping is empty: write it as canonical=column[+column],… for example given_name=Forename,family_name=Surname'] }
  const known = new Set<string>(fields)
  const unknown: string[] = []
  text.split(',').forEach((raw, i) => {
    const part = raw.trim()
    const where = `Part ${i + 1}`
    if (part === '') {
      problems.push(`${where} is empty: remove the extra comma`)
      return
    }
    const eq = part.indexOf('=')
    if (eq < 0) {
      problems.push(`${where} ("${part}") has no "=": write it as canonical=column, for example given_name=Forename`)
      return
    }
    const field = part.slice(0, eq).trim()
    const columns = part.slice(eq + 1).split('+').map((c) => c.trim())
    if (field === '') {
      problems.push(`${where} ("${part}") names no canonical field before the "="`)
      return
    }
    if (!known.has(field)) {
      unknown.push(field)
      return
    }
    if (columns.length === 0 || columns.every((c) => c === '')) {
      problems.push(`${where} maps ${field} to no column: write the column's heading after the "="`)
      return
    }
    if (columns.some((c) => c === '')) {
      problems.push(`${where} (${field}) has an empty column name: remove the extra "+"`)
      return
    }
    if (map.has(field as CanonicalField)) {
      problems.push(`${field} is mapped twice: join its columns with "+" in one part instead`)
      return
    }
    map.set(field as CanonicalField, columns)
  })
  if (unknown.length > 0) {
    problems.unshift(`${unknown.length === 1 ? 'This is not a canonical field' : 'These are not canonical fields'}: ${unknown.map((u) => `"${u}"`).join(', ')}. The fields are: ${fields.join(', ')}`)
  }
  return problems.length > 0 ? { map: null, problems } : { map, problems: [] }
}

/**
 * The index of each mapped column in a file's headings (exact, or else ignoring case), or the
 * columns the file lacks with the headings it has.
 */
export function columnIndexes(map: FieldMap, headers: readonly string[]): { indexes: Map<CanonicalField, number[]>; problems: string[] } {
  const exact = new Map(headers.map((h, i) => [h, i]))
  const folded = new Map(headers.map((h, i) => [h.toLowerCase(), i]))
  const missing: string[] = []
  const indexes = new Map<CanonicalField, number[]>()
  for (const [field, columns] of map) {
    const found = columns.map((c) => exact.get(c) ?? folded.get(c.toLowerCase()) ?? -1)
    columns.forEach((c, i) => {
      if (found[i] === -1) missing.push(`"${c}" (for ${field})`)
    })
    indexes.set(field, found)
  }
  if (missing.length === 0) return { indexes, problems: [] }
  return { indexes, problems: [`The file has no column ${missing.join(', ')}. Its columns are: ${headers.filter((h) => h !== '').map((h) => `"${h}"`).join(', ')}`] }
}

/** The values of one row under a mapping: each field's columns joined by spaces, blanks left out. */
export function mappedValues(cells: readonly string[], indexes: Map<CanonicalField, number[]>): SourceRecord['values'] {
  const values: SourceRecord['values'] = {}
  for (const [field, columns] of indexes) {
    const v = columns.map((i) => (cells[i] ?? '').trim()).filter((x) => x !== '').join(' ')
    if (v !== '') values[field] = v
  }
  return values
}
