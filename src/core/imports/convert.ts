import type { ImportField } from './fields.ts'
import { convertBoolean, convertChoice, convertDate, convertId, splitGrade, splitList, type Converted } from './values.ts'
import { isUuid } from '../ids.ts'

/** What one cell gives the input: one key for most fields, several for a combined grade. */
export type CellWrite = Record<string, unknown>

/** The partnership's agencies, so a file may name an agency instead of giving its id. */
export type AgencyDirectory = ReadonlyArray<{ id: string; name: string; shortName: string | null }>

function agencyId(text: string, agencies: AgencyDirectory): Converted<string> {
  const s = text.trim()
  if (isUuid(s)) return { value: s.toLowerCase() }
  const key = s.toLowerCase()
  const found = agencies.filter((a) => a.name.toLowerCase() === key || (a.shortName !== null && a.shortName.toLowerCase() === key))
  if (found.length === 1) return { value: found[0]!.id }
  if (found.length > 1) return { problem: `"${s}" names more than one agency: give the agency’s full name or its id` }
  return { problem: `No agency in the partnership is called "${s}": give its name as the partner directory shows it, or its id` }
}

/** Converts every item of a list, reporting the first that fails. */
function all<T>(items: readonly string[], one: (s: string) => Converted<T>): Converted<T[]> {
  const values: T[] = []
  for (const item of items) {
    const c = one(item)
    if ('problem' in c) return c
    values.push(c.value)
  }
  return { value: values }
}

/**
 * The input a non-blank cell gives for a field. A blank cell gives nothing (the field is absent),
 * and the module's own rules decide whether that is allowed.
 */
export function convertCell(field: ImportField, text: string, agencies: AgencyDirectory): { write: CellWrite } | { problem: string } {
  const one = (c: Converted<unknown>) => ('problem' in c ? c : { write: { [field.key]: c.value } })
  const v = field.value
  switch (v.type) {
    case 'text':
      return { write: { [field.key]: text.trim() } }
    case 'code':
      return { write: { [field.key]: text.trim().toUpperCase() } }
    case 'date':
      return one(convertDate(text))
    case 'boolean':
      return one(convertBoolean(text))
    case 'list':
      return { write: { [field.key]: splitList(text) } }
    case 'choice':
      return one(convertChoice(text, v.choices, v.what))
    case 'choices':
      return one(all(splitList(text), (s) => convertChoice(s, v.choices, v.what)))
    case 'id':
      return one(convertId(text))
    case 'ids':
      return one(all(splitList(text), convertId))
    case 'agency':
      return one(agencyId(text, agencies))
    case 'agencies':
      return one(all(splitList(text), (s) => agencyId(s, agencies)))
    case 'identifier':
      return { write: { [field.appendTo ?? field.key]: [{ type: v.identifierType, value: text.trim() }] } }
    case 'grade': {
      const g = splitGrade(text)
      if ('problem' in g) return g
      const { system: _system, ...parts } = g.value
      return { write: parts }
    }
  }
}
