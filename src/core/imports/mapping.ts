import type { ImportField, ImportKindDefinition } from './fields.ts'
import { convertCell, type AgencyDirectory, type CellWrite } from './convert.ts'
import { normaliseHeading } from './values.ts'

// The column mapping: which CSV column (or which single value) gives each field of the import.
// It is checked as a whole before any row is read, so a file mapped wrongly fails once, clearly,
// instead of once per row.

/**
 * Where a field's value comes from: a column of the file, a value written once for the whole file,
 * or both (the value then fills the rows where the column is blank).
 */
export type MappingEntry = { column: string | null; value: string | null }
/** Field key → where its value comes from. Fields left out are not imported. */
export type Mapping = Record<string, MappingEntry>

export type ImportPlan = {
  mapping: Mapping
  /** Columns the user chose to leave out. Every column must be mapped or left out: nothing is dropped unseen. */
  ignoredColumns: readonly string[]
}

/** A problem found before any row is read: row is null, or 1 for a heading. */
export type Fault = { row: number | null; column: string | null; field: string | null; message: string }

/** Suggests a column for each field whose name, label or an alias matches a heading. Each column is suggested once. */
export function suggestMapping(definition: ImportKindDefinition, headers: readonly string[]): Mapping {
  const byHeading = new Map<string, string>()
  for (const h of headers) {
    const key = normaliseHeading(h)
    if (h !== '' && key !== '' && !byHeading.has(key)) byHeading.set(key, h)
  }
  const used = new Set<string>()
  const mapping: Mapping = {}
  // Exact names first (a heading "handling code" belongs to handlingCode, even if another field lists it as an alias).
  const rounds: Array<(f: ImportField) => readonly string[]> = [(f) => [f.key, f.label], (f) => f.aliases]
  for (const namesOf of rounds) {
    for (const field of definition.fields) {
      if (mapping[field.key]) continue
      for (const name of namesOf(field)) {
        const heading = byHeading.get(normaliseHeading(name))
        if (heading !== undefined && !used.has(heading)) {
          mapping[field.key] = { column: heading, value: null }
          used.add(heading)
          break
        }
      }
    }
  }
  return mapping
}

/** Columns that hold something and are neither mapped nor left out. */
export function unaccountedColumns(headers: readonly string[], plan: ImportPlan): string[] {
  const mapped = new Set(Object.values(plan.mapping).flatMap((e) => (e.column ? [e.column] : [])))
  const ignored = new Set(plan.ignoredColumns)
  return headers.filter((h) => h !== '' && !mapped.has(h) && !ignored.has(h))
}

const given = (s: string | null | undefined): s is string => typeof s === 'string' && s.trim() !== ''
const isMapped = (entry: MappingEntry | undefined) => entry !== undefined && (given(entry.column) || given(entry.value))

export type CheckedPlan = {
  faults: Fault[]
  /** Each field's value for the whole file, already converted (used where its column is blank or absent). */
  fixed: Map<string, CellWrite>
}

/**
 * Checks a mapping against the file's headings: every target is a field of this import, every
 * column exists, every required field is given, every column is mapped or left out, and every
 * value written for all rows reads correctly.
 */
export function checkPlan(definition: ImportKindDefinition, headers: readonly string[], plan: ImportPlan, agencies: AgencyDirectory): CheckedPlan {
  const faults: Fault[] = []
  const fields = new Map(definition.fields.map((f) => [f.key, f]))
  const headings = new Set(headers.filter((h) => h !== ''))
  const fixed = new Map<string, CellWrite>()
  const fault = (field: string | null, column: string | null, message: string) => faults.push({ row: null, column, field, message })

  for (const [key, entry] of Object.entries(plan.mapping)) {
    const field = fields.get(key)
    if (!field) {
      fault(key, entry.column, `"${key}" is not a field of an import of ${definition.noun}: map to ${definition.fields.map((f) => f.key).join(', ')}`)
      continue
    }
    if (given(entry.column) && !headings.has(entry.column)) fault(key, entry.column, `${field.label} is mapped to a column "${entry.column}" that the file does not have`)
    if (!given(entry.value)) continue
    const converted = convertCell(field, entry.value, agencies)
    if ('problem' in converted) fault(key, null, `${field.label} (the value for the whole file): ${converted.problem}`)
    else fixed.set(key, converted.write)
  }

  for (const field of definition.fields) {
    if (field.required && !isMapped(plan.mapping[field.key])) {
      fault(field.key, null, `${field.label} must be given: choose the column that holds it, or enter a value for the whole file`)
    }
  }
  for (const rule of definition.alternatives ?? []) {
    if (!rule.sets.some((set) => set.every((key) => isMapped(plan.mapping[key])))) fault(rule.sets[0]![0] ?? null, null, rule.message)
  }

  for (const column of plan.ignoredColumns) {
    if (!headings.has(column)) fault(null, column, `The file has no column "${column}" to leave out`)
    else if (Object.values(plan.mapping).some((e) => e.column === column)) fault(null, column, `Column "${column}" is both mapped and left out: choose one`)
  }
  for (const column of unaccountedColumns(headers, plan)) {
    fault(null, column, `Column "${column}" is not mapped to a field: map it, or choose to leave it out so that nothing in it is lost unnoticed`)
  }
  return { faults, fixed }
}
