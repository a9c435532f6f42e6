import { ENTITY_SCHEMA_LABELS, LINK_TYPE_RULES, type EntitySchema, type LinkType } from '../reference/crime.ts'
import { SYMMETRIC_LINK_TYPES } from './reference.ts'

// Which kinds of entity each end of a typed link may be (LINK_TYPE_RULES, after FollowTheMoney's
// Family, Associate, Directorship, Ownership, Occupancy and Employment), said as field problems.

export type LinkIssue = { field: 'subjectId' | 'objectId' | 'linkType' | 'endDate'; message: string }

const withArticle = (text: string) => (/^[aeiou]/.test(text) ? `an ${text}` : `a ${text}`)
const article = (schema: EntitySchema) => withArticle(ENTITY_SCHEMA_LABELS[schema].toLowerCase())

const either = (schemas: readonly EntitySchema[]) => {
  const names = schemas.map((s) => ENTITY_SCHEMA_LABELS[s].toLowerCase())
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`
}

/** What is wrong with linking these two kinds of entity by this type of link (nothing: []). */
export function linkRuleProblems(linkType: LinkType, subjectSchema: EntitySchema, objectSchema: EntitySchema): LinkIssue[] {
  const rule = LINK_TYPE_RULES[linkType]
  const issues: LinkIssue[] = []
  if (!rule.subject.includes(subjectSchema)) {
    issues.push({ field: 'subjectId', message: `A "${rule.label}" link starts from ${withArticle(either(rule.subject))}, not ${article(subjectSchema)}` })
  }
  if (!rule.object.includes(objectSchema)) {
    issues.push({ field: 'objectId', message: `A "${rule.label}" link goes to ${withArticle(either(rule.object))}, not ${article(objectSchema)}` })
  }
  return issues
}

/** Problems with a link's own fields: an entity linked to itself, an end before its start. */
export function linkShapeProblems(link: { subjectId: string; objectId: string; startDate: string | null; endDate: string | null }): LinkIssue[] {
  const issues: LinkIssue[] = []
  if (link.subjectId === link.objectId) issues.push({ field: 'objectId', message: 'An entity cannot be linked to itself: choose another entity' })
  if (link.startDate && link.endDate && link.endDate < link.startDate) issues.push({ field: 'endDate', message: 'The end date must be the same as or after the start date' })
  return issues
}

/** Whether "A – B" says the same as "B – A" for this type of link. */
export function isSymmetricLink(linkType: LinkType): boolean {
  return (SYMMETRIC_LINK_TYPES as readonly string[]).includes(linkType)
}

export type LinkOption = { linkType: LinkType; label: string; as: 'subject' | 'object'; otherSchemas: readonly EntitySchema[] }

/**
 * The links an entity of this schema may take part in, each with the side it would be on and the
 * kinds of entity the other end may be: what the "add a link" form offers.
 */
export function linkOptionsFor(schema: EntitySchema): LinkOption[] {
  const options: LinkOption[] = []
  for (const [linkType, rule] of Object.entries(LINK_TYPE_RULES) as Array<[LinkType, (typeof LINK_TYPE_RULES)[LinkType]]>) {
    if (rule.subject.includes(schema)) options.push({ linkType, label: rule.label, as: 'subject', otherSchemas: rule.object })
    // A symmetric link read from the other end is the same link: offer it once.
    if (rule.object.includes(schema) && !(isSymmetricLink(linkType) && rule.subject.includes(schema))) {
      options.push({ linkType, label: rule.label, as: 'object', otherSchemas: rule.subject })
    }
  }
  return options
}

/** Every schema that may be at the other end of some link from an entity of this schema. */
export function linkableSchemas(schema: EntitySchema): EntitySchema[] {
  return [...new Set(linkOptionsFor(schema).flatMap((o) => o.otherSchemas))]
}

/** How a link reads from one of its ends: "Director of", or from the other end "Has director". */
export function linkPhrase(linkType: LinkType, from: 'subject' | 'object'): string {
  if (from === 'subject' || isSymmetricLink(linkType)) return LINK_TYPE_RULES[linkType].label
  return INVERSE_LABELS[linkType]
}

const INVERSE_LABELS: Record<LinkType, string> = {
  family: 'Family',
  associate: 'Associate',
  director: 'Has as director',
  owner: 'Owned by',
  occupant: 'Occupied by',
  employee: 'Employs',
  uses_phone: 'Phone used by',
  drives_vehicle: 'Driven by',
  account_holder: 'Account held by',
}
