import type { FieldIssue } from '../errors.ts'
import { convertCell, type AgencyDirectory } from './convert.ts'
import { columnLetter, type CsvRow, type CsvTable } from './csv.ts'
import type { ImportField, ImportKindDefinition } from './fields.ts'
import { checkPlan, type CheckedPlan, type Fault, type ImportPlan } from './mapping.ts'

// From CSV rows to module inputs, and from the modules' field issues back to CSV rows and columns.

/** Where an input key's value came from on one row: a field, and its column (null: the value for the whole file). */
type Source = { field: string; column: string | null }

export type PreparedRow = {
  row: number
  /** The input for the module's parse function: keys of the fields the row gives. */
  input: Record<string, unknown>
  /** Cells that could not be read (bad dates, unknown choices, a wrong number of values). */
  faults: Fault[]
  /** The module's field issues for this row, as faults on the row's columns. */
  faultsFrom: (issues: readonly FieldIssue[]) => Fault[]
}

const blank = (s: string | undefined) => s === undefined || s.trim() === ''

/** Turns one row into input, converting each mapped cell, and keeps where each value came from. */
export function prepareRow(definition: ImportKindDefinition, headers: readonly string[], plan: ImportPlan, checked: CheckedPlan, csvRow: CsvRow, agencies: AgencyDirectory): PreparedRow {
  const { row, cells } = csvRow
  const input: Record<string, unknown> = {}
  const sources = new Map<string, Source>()
  const unreadable = new Set<string>()
  const faults: Fault[] = []

  const extra = cells.slice(headers.length).findIndex((c) => !blank(c))
  if (extra >= 0) {
    faults.push({
      row,
      column: null,
      field: null,
      message: `The row has a value in column ${columnLetter(headers.length + extra)}, beyond the last column with a heading: give the column a heading, or check for a stray comma`,
    })
  }

  const write = (values: Record<string, unknown>, source: Source, append: boolean) => {
    for (const [key, value] of Object.entries(values)) {
      if (append && Array.isArray(value)) {
        // Several columns add to one list: each item remembers its own column.
        const list = Array.isArray(input[key]) ? (input[key] as unknown[]) : []
        value.forEach((item, i) => sources.set(`${key}.${list.length + i}`, source))
        input[key] = [...list, ...value]
        if (!sources.has(key)) sources.set(key, source)
        continue
      }
      const earlier = sources.get(key)
      if (earlier && JSON.stringify(input[key]) !== JSON.stringify(value)) {
        faults.push({ row, column: source.column, field: source.field, message: `"${source.column}" and "${earlier.column}" both give ${key}, with different values: leave one of them blank` })
        unreadable.add(key)
        continue
      }
      input[key] = value
      sources.set(key, source)
    }
  }

  // Cells first, then the values given for the whole file wherever a row left the field blank.
  for (const field of definition.fields) {
    const column = plan.mapping[field.key]?.column
    if (!column) continue
    const index = headers.indexOf(column)
    const text = index >= 0 ? cells[index] : undefined
    if (text === undefined || blank(text)) continue
    const converted = convertCell(field, text, agencies)
    if ('problem' in converted) {
      faults.push({ row, column, field: field.key, message: converted.problem })
      for (const key of keysOf(field)) unreadable.add(key)
      continue
    }
    write(converted.write, { field: field.key, column }, field.appendTo !== undefined)
  }
  for (const field of definition.fields) {
    const fixed = checked.fixed.get(field.key)
    if (!fixed) continue
    const keys = Object.keys(fixed)
    if (field.appendTo === undefined && keys.some((k) => sources.has(k) || unreadable.has(k))) continue
    write(fixed, { field: field.key, column: null }, field.appendTo !== undefined)
  }
  for (const key of unreadable) delete input[key]

  const faultsFrom = (issues: readonly FieldIssue[]): Fault[] =>
    issues.flatMap((issue): Fault[] => {
      const [key = issue.field, index] = issue.field.split('.')
      // A cell that could not be read has been reported already; the module only saw it missing.
      if (unreadable.has(key)) return []
      const source = (index !== undefined ? sources.get(`${key}.${index}`) : undefined) ?? sources.get(key)
      if (source) {
        // A value given for the whole file is wrong for the whole file: reported once, without a row.
        return source.column === null
          ? [{ row: null, column: null, field: source.field, message: `${labelOf(definition, source.field)} (the value for the whole file): ${issue.message}` }]
          : [{ row, column: source.column, field: source.field, message: issue.message }]
      }
      // The row gave nothing for the field: point at the column that should have given it, if one is mapped.
      const field = definition.fields.find((f) => f.key === key && plan.mapping[f.key]?.column) ?? definition.fields.find((f) => keysOf(f).includes(key) && plan.mapping[f.key]?.column)
      return [{ row, column: field ? plan.mapping[field.key]!.column : null, field: field?.key ?? key, message: issue.message }]
    })

  return { row, input, faults, faultsFrom }
}

/** The input keys a field writes. */
const keysOf = (f: ImportField): readonly string[] => f.fills ?? [f.appendTo ?? f.key]

const labelOf = (definition: ImportKindDefinition, key: string) => definition.fields.find((f) => f.key === key)?.label ?? key

export type ImportReport = {
  /** Rows in the file that hold something (blank rows are not counted). */
  rows: number
  /** Rows with no fault. */
  valid: number
  faults: Fault[]
}

/** The outcome of checking a file: either the plan fails before rows are read, or every row is prepared. */
export type PreparedFile =
  | { ok: false; report: ImportReport }
  | { ok: true; rows: PreparedRow[]; checked: CheckedPlan }

/** Checks the plan, then prepares every row. Rows are read only when the plan holds. */
export function prepareFile(definition: ImportKindDefinition, table: CsvTable, plan: ImportPlan, agencies: AgencyDirectory): PreparedFile {
  const checked = checkPlan(definition, table.headers, plan, agencies)
  if (checked.faults.length > 0) return { ok: false, report: { rows: table.rows.length, valid: 0, faults: checked.faults } }
  return { ok: true, checked, rows: table.rows.map((r) => prepareRow(definition, table.headers, plan, checked, r, agencies)) }
}

/** Rows that repeat an earlier row's key (the same person added to the same group twice in one file). */
export function duplicateFaults(definition: ImportKindDefinition, rows: ReadonlyArray<Pick<PreparedRow, 'row' | 'input'>>, plan: ImportPlan): Fault[] {
  const rule = definition.uniqueBy
  if (!rule) return []
  const first = new Map<string, number>()
  const faults: Fault[] = []
  const lastKey = rule.keys[rule.keys.length - 1]!
  for (const r of rows) {
    const parts = rule.keys.map((k) => r.input[k])
    if (parts.some((p) => p === undefined || p === null || p === '')) continue
    const key = JSON.stringify(parts)
    const earlier = first.get(key)
    if (earlier === undefined) first.set(key, r.row)
    else faults.push({ row: r.row, column: plan.mapping[lastKey]?.column ?? null, field: lastKey, message: rule.message(earlier) })
  }
  return faults
}

/** Faults in file order (the file's own first, then by row and column), each reported once. */
export function sortFaults(faults: readonly Fault[], headers: readonly string[]): Fault[] {
  const seen = new Set<string>()
  const unique = faults.filter((f) => {
    const key = JSON.stringify([f.row, f.column, f.field, f.message])
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
  const position = (c: string | null) => (c === null ? -1 : headers.indexOf(c))
  return unique.sort((a, b) => (a.row ?? 0) - (b.row ?? 0) || position(a.column) - position(b.column))
}

/** The report for prepared rows once each has been checked: how many rows, how many clean, every fault. */
export function reportOf(rows: number, faults: readonly Fault[], headers: readonly string[]): ImportReport {
  const faulty = new Set(faults.map((f) => f.row))
  const wholeFile = faulty.has(null)
  return { rows, valid: wholeFile ? 0 : rows - faulty.size, faults: sortFaults(faults, headers) }
}
