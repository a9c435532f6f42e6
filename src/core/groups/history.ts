import { longCalendarDate } from '../time/ukDates.ts'
import {
  ENABLER_PROFESSION_LABELS, ENTITY_SCHEMA_LABELS, GROUP_STATUS_LABELS, HOLDING_KIND_RULES, MEMBER_ROLE_LABELS, PERSON_ROLE_LABELS, THREAT_AREA_LABELS,
  type EntitySchema, type HoldingKind, type PersonRole,
} from '../reference/crime.ts'

// A group's history says who changed what and when (issue 3). These functions work out what
// changed and how to say it; the service stores the result beside the user and the time.

export type ChangeValue = string | boolean | string[] | null

/** One changed field. `entityId` names the member or holding a change is about. */
export type FieldChange = { field: string; from: ChangeValue; to: ChangeValue; entityId?: string }

/** The group's own fields that its history follows, with the words a page uses for them. */
export const GROUP_FIELD_LABELS = {
  name: 'Name',
  operationName: 'Operation name',
  status: 'Status',
  threatAreas: 'Threat areas',
  areas: 'Areas it operates in',
  crossBorder: 'Cross-border',
  summary: 'Summary',
  legacyOcgmBand: 'Legacy OCGM band',
  leadResponsibleOfficerId: 'Lead Responsible Officer',
  purpose: 'Purpose',
  reviewDate: 'Review date',
} as const
export type GroupField = keyof typeof GROUP_FIELD_LABELS
export type GroupFields = { [K in GroupField]: ChangeValue }

export const MEMBER_FIELD_LABELS = {
  role: 'Role',
  enablerProfession: 'Profession',
  startDate: 'Start date',
  endDate: 'End date',
  notes: 'Notes',
} as const
export type MemberField = keyof typeof MEMBER_FIELD_LABELS

export const HOLDING_FIELD_LABELS = {
  kind: 'Kind',
  startDate: 'Start date',
  endDate: 'End date',
  notes: 'Notes',
} as const
export type HoldingField = keyof typeof HOLDING_FIELD_LABELS

// Threat areas and areas are sets: the order they were ticked or typed in is not a change.
const SET_FIELDS = new Set<string>(['threatAreas', 'areas'])

function same(field: string, a: ChangeValue, b: ChangeValue): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    const xs = Array.isArray(a) ? [...a] : []
    const ys = Array.isArray(b) ? [...b] : []
    if (SET_FIELDS.has(field)) {
      xs.sort()
      ys.sort()
    }
    return xs.length === ys.length && xs.every((x, i) => x === ys[i])
  }
  return (a ?? null) === (b ?? null)
}

/** The fields whose values differ between two versions, in the order the fields are listed. */
export function changedFields<F extends string>(fields: readonly F[], before: Partial<Record<F, ChangeValue>>, after: Partial<Record<F, ChangeValue>>, entityId?: string): FieldChange[] {
  const changes: FieldChange[] = []
  for (const field of fields) {
    const from = before[field] ?? null
    const to = after[field] ?? null
    if (!same(field, from, to)) changes.push(entityId ? { field, from, to, entityId } : { field, from, to })
  }
  return changes
}

export const GROUP_FIELDS = Object.keys(GROUP_FIELD_LABELS) as GroupField[]
export const MEMBER_FIELDS = Object.keys(MEMBER_FIELD_LABELS) as MemberField[]
export const HOLDING_FIELDS = Object.keys(HOLDING_FIELD_LABELS) as HoldingField[]

/** What changed in the group's own fields. */
export function groupChanges(before: GroupFields, after: GroupFields): FieldChange[] {
  return changedFields(GROUP_FIELDS, before, after)
}

const LABELS: Record<string, string> = { ...GROUP_FIELD_LABELS, ...MEMBER_FIELD_LABELS, ...HOLDING_FIELD_LABELS, member: 'Member', holding: 'Holding' }

export function fieldLabel(field: string): string {
  return LABELS[field] ?? field
}

/** A YYYY-MM-DD date as "1 January 2024"; anything else as it is. */
function longDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return value
  return longCalendarDate(value)
}

const lookup = (labels: Record<string, string>, v: string) => labels[v] ?? v

/** A value as a person reads it; `userNames` turns officer ids into names. */
export function describeValue(field: string, value: ChangeValue, userNames: ReadonlyMap<string, string> = new Map()): string {
  if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) return '(none)'
  if (typeof value === 'boolean') return value ? 'Yes' : 'No'
  if (Array.isArray(value)) return value.map((v) => (field === 'threatAreas' ? lookup(THREAT_AREA_LABELS, v) : v)).join(', ')
  switch (field) {
    case 'status':
      return lookup(GROUP_STATUS_LABELS, value)
    case 'role':
    case 'member':
      return lookup(MEMBER_ROLE_LABELS, value)
    case 'enablerProfession':
      return lookup(ENABLER_PROFESSION_LABELS, value)
    case 'kind':
    case 'holding':
      return lookup(Object.fromEntries(Object.entries(HOLDING_KIND_RULES).map(([k, r]) => [k, r.label])), value)
    case 'leadResponsibleOfficerId':
      return userNames.get(value) ?? 'A user no longer listed'
    case 'startDate':
    case 'endDate':
    case 'reviewDate':
      return longDate(value)
    default:
      return value
  }
}

/** Whether a membership or holding still holds on `today` (YYYY-MM-DD): no end, or an end still to come. */
export function isCurrent(endDate: string | null, today: string): boolean {
  return endDate === null || endDate > today
}

/** The problem with a start and end date pair, if any (both already real dates). */
export function dateRangeProblem(startDate: string | null, endDate: string | null): string | null {
  if (startDate && endDate && endDate < startDate) return 'The end date must be the same as or after the start date'
  return null
}

/**
 * Why an entity may not be made a member of a group, or null if it may. Only suspects are members:
 * victims and people at risk are never shown as offenders (the Gangs Violence Matrix lesson, ICO 2018).
 */
export function membershipRefusal(entity: { schema: string; personRole: string | null }): string | null {
  if (entity.schema !== 'Person') return 'Only a person can be a member of a group: record a business, premises, vehicle, phone or account as a holding'
  if (entity.personRole === 'suspect') return null
  if (entity.personRole === 'victim' || entity.personRole === 'person_at_risk') {
    const as = PERSON_ROLE_LABELS[entity.personRole as PersonRole].toLowerCase()
    return `This person is recorded as a ${as}. Victims and people at risk are never made members of a group: link them to the group's members as people at risk instead`
  }
  return 'This person is recorded as an other party with no role in offending: only a suspect can be a member of a group'
}

/** Why an entity cannot be held as this kind of holding, or null if it can. */
export function holdingRefusal(kind: HoldingKind, schema: string): string | null {
  const rule = HOLDING_KIND_RULES[kind]
  if ((rule.schemas as readonly string[]).includes(schema)) return null
  const name = (s: string) => (ENTITY_SCHEMA_LABELS[s as EntitySchema] ?? s).toLowerCase()
  const a = (words: string) => (/^[aeiou]/.test(words) ? `an ${words}` : `a ${words}`)
  return `A ${rule.label.toLowerCase()} must be ${a(rule.schemas.map(name).join(' or '))} record, not ${a(name(schema))} record`
}
