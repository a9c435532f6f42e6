import { z } from 'zod'
import type { FieldIssue } from '../errors.ts'
import { AGENCY_TYPES, SERVICE_AREAS, type AgencyType, type ServiceArea } from '../reference/agencies.ts'
import { BUSINESS_TYPES, ENABLER_PROFESSIONS, HOLDING_KINDS, MEMBER_ROLES, THREAT_AREAS } from '../reference/crime.ts'

// The tools-and-powers catalogue is data, reviewed like code (config/powers/catalogue.json) and
// loaded into the database: which partner may use a power, on whom, before which court, for how
// long, after what, and when it suits a group. docs/powers.md explains each field. The summaries
// are written for this project and are not legal advice: each entry names its legal basis so an
// officer can check the current law before acting.

export const STRANDS = ['pursue', 'prevent', 'protect', 'prepare'] as const
export type Strand = (typeof STRANDS)[number]
export const STRAND_LABELS: Record<Strand, string> = { pursue: 'Pursue', prevent: 'Prevent', protect: 'Protect', prepare: 'Prepare' }

/** What a power acts on. */
export const POWER_SUBJECTS = ['person', 'premises', 'business', 'vehicle', 'money'] as const
export type PowerSubject = (typeof POWER_SUBJECTS)[number]
export const POWER_SUBJECT_LABELS: Record<PowerSubject, string> = {
  person: 'Person', premises: 'Premises', business: 'Business', vehicle: 'Vehicle', money: 'Money or assets',
}

export const COURTS = ['crown_court', 'high_court', 'magistrates_court', 'county_court', 'first_tier_tribunal'] as const
export type Court = (typeof COURTS)[number]
export const COURT_LABELS: Record<Court, string> = {
  crown_court: 'Crown Court', high_court: 'High Court', magistrates_court: "Magistrates' court",
  county_court: 'County Court', first_tier_tribunal: 'First-tier Tribunal',
}

export const STANDARDS_OF_PROOF = ['beyond_reasonable_doubt', 'balance_of_probabilities', 'reasonable_belief', 'reasonable_suspicion', 'administrative'] as const
export type StandardOfProof = (typeof STANDARDS_OF_PROOF)[number]
export const STANDARD_OF_PROOF_LABELS: Record<StandardOfProof, string> = {
  beyond_reasonable_doubt: 'Beyond reasonable doubt (criminal standard)',
  balance_of_probabilities: 'Balance of probabilities (civil standard)',
  reasonable_belief: 'Reasonable belief of the officer using it',
  reasonable_suspicion: 'Reasonable grounds to suspect',
  administrative: 'Administrative decision against published criteria',
}

/** The kinds of record the orders register holds; a power with one of these is registered when used. */
export const ORDER_TYPES = [
  'scpo', 'stpo', 'stro', 'tro', 'cpw', 'cpn', 'closure_notice', 'closure_order', 'gang_injunction', 'cbo',
] as const
export type OrderType = (typeof ORDER_TYPES)[number]

export const PERIOD_UNITS = ['hours', 'days', 'months', 'years'] as const
export type PeriodUnit = (typeof PERIOD_UNITS)[number]

const SLUG = /^[a-z][a-z0-9_]*$/
const text = (what: string, max = 2000) => z.string({ error: `Enter ${what}` }).trim().min(1, `Enter ${what}`).max(max, `Keep ${what} to ${max} characters`)

const period = z.strictObject({
  value: z.number({ error: 'Enter the period as a number' }).int('A period is a whole number').positive('A period must be more than zero'),
  unit: z.enum(PERIOD_UNITS, { error: `Choose a unit: ${PERIOD_UNITS.join(', ')}` }),
})
export type Period = z.output<typeof period>

const agencyRef = z.strictObject({
  agencyType: z.enum(AGENCY_TYPES, { error: `Choose an agency type: ${AGENCY_TYPES.join(', ')}` }),
  serviceArea: z.enum(SERVICE_AREAS, { error: `Choose a council service: ${SERVICE_AREAS.join(', ')}` }).optional(),
})
export type AgencyRef = { agencyType: AgencyType; serviceArea?: ServiceArea }

const duration = z.strictObject({
  /** Shortest term a court may set (a Slavery and Trafficking Prevention Order runs at least five years). */
  minimum: period.optional(),
  maximum: period.optional(),
  /** The longest it may run once extended, and on whose say. */
  extendedMaximum: period.optional(),
  extension: text('how it may be extended', 1000).optional(),
  description: text('the duration in words', 1000),
})

const prerequisite = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('prior_power'),
    /** The power that must have been used on the same subject first (a warning before a notice). */
    powerId: z.string().regex(SLUG, 'A power id is lower-case letters, digits and underscores'),
    description: text('what must have come first', 1000),
  }),
  z.strictObject({ kind: z.literal('condition'), description: text('the condition', 1000) }),
])
export type Prerequisite = z.output<typeof prerequisite>

/**
 * When a power suits a group. Within a field any listed value matches; every field given must
 * match. An indicator with no fields never matches (the catalogue check refuses one).
 */
const condition = z.strictObject({
  threatAreas: z.array(z.enum(THREAT_AREAS)).min(1).optional(),
  businessTypes: z.array(z.enum(BUSINESS_TYPES)).min(1).optional(),
  holdings: z.array(z.enum(HOLDING_KINDS)).min(1).optional(),
  memberRoles: z.array(z.enum(MEMBER_ROLES)).min(1).optional(),
  enablerProfessions: z.array(z.enum(ENABLER_PROFESSIONS)).min(1).optional(),
  /** At least one member younger than this (safeguarding and youth powers). */
  memberUnderAge: z.number().int().positive().optional(),
  crossBorder: z.boolean().optional(),
})
export type Condition = z.output<typeof condition>

const indicator = z.strictObject({
  when: condition,
  /** Why the power suits a group that matches, in words an LRO would use. */
  reason: text('the reason the power applies', 500),
  weight: z.number({ error: 'Enter a weight' }).int().min(1).max(10),
})
export type Indicator = z.output<typeof indicator>

const powerSchema = z.strictObject({
  id: z.string().regex(SLUG, 'A power id is lower-case letters, digits and underscores'),
  name: text('the name of the power', 200),
  shortName: text('a short name', 40).optional(),
  legalBasis: text('the legal basis', 500),
  strands: z.array(z.enum(STRANDS)).min(1, 'Choose at least one of the 4Ps'),
  /** Agencies that may apply for or use it; a council service names its service area. */
  usedBy: z.array(agencyRef).min(1, 'Name at least one agency type that may use the power'),
  /** The agency best placed to lead, when the partnership holds one. */
  leadAgency: agencyRef,
  whoMayApply: text('who may apply for or use it', 1000),
  court: z.enum(COURTS).nullable(),
  subjects: z.array(z.enum(POWER_SUBJECTS)).min(1, 'Name at least one subject'),
  minimumAge: z.number().int().min(10).max(25).nullable(),
  standardOfProof: z.enum(STANDARDS_OF_PROOF),
  duration,
  noticePeriod: text('the notice period', 1000).nullable(),
  prerequisites: z.array(prerequisite),
  breachPenalty: text('the penalty for breach', 1000).nullable(),
  reviewPoints: z.array(text('a review point', 500)),
  summary: text('a plain-language summary', 1500),
  /** Set when using the power makes an entry in the orders register. */
  orderType: z.enum(ORDER_TYPES).nullable(),
  indicators: z.array(indicator).min(1, 'Give at least one indicator of when the power suits a group'),
})
export type Power = z.output<typeof powerSchema>

const catalogueSchema = z.strictObject({
  version: z.number().int().positive(),
  reviewed: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Give the review date as YYYY-MM-DD'),
  reviewNote: text('a review note', 2000),
  powers: z.array(powerSchema).min(1),
})
export type Catalogue = z.output<typeof catalogueSchema>

export type ParsedCatalogue = { ok: true; catalogue: Catalogue } | { ok: false; problems: FieldIssue[] }

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '')
}

/** Whether an agency of this type and service may use the power. */
export function mayUse(power: Pick<Power, 'usedBy'>, agency: { agencyType: string; serviceArea: string | null }): boolean {
  return power.usedBy.some((u) => u.agencyType === agency.agencyType && (u.serviceArea === undefined || u.serviceArea === agency.serviceArea))
}

/**
 * Checks a catalogue: its shape, and the rules between entries that a schema cannot say (unique ids,
 * prerequisites naming powers that exist, the lead agency among those that may use the power, one
 * power per order type, periods that make sense).
 */
export function parseCatalogue(json: unknown): ParsedCatalogue {
  const parsed = catalogueSchema.safeParse(json)
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => ({ field: fieldPath(i.path), message: i.message })) }
  const catalogue = parsed.data
  const problems: FieldIssue[] = []
  const ids = new Set<string>()
  const orderTypes = new Map<string, string>()
  catalogue.powers.forEach((power, i) => {
    const at = `powers[${i}]`
    if (ids.has(power.id)) problems.push({ field: `${at}.id`, message: `Two powers have the id ${power.id}` })
    ids.add(power.id)
    if (power.orderType) {
      const other = orderTypes.get(power.orderType)
      if (other) problems.push({ field: `${at}.orderType`, message: `${power.id} and ${other} both register as ${power.orderType}` })
      orderTypes.set(power.orderType, power.id)
    }
    if (!mayUse(power, { agencyType: power.leadAgency.agencyType, serviceArea: power.leadAgency.serviceArea ?? null })) {
      problems.push({ field: `${at}.leadAgency`, message: `The lead agency of ${power.id} is not among the agencies that may use it` })
    }
    const { minimum, maximum, extendedMaximum } = power.duration
    if (minimum && maximum && periodHours(minimum) > periodHours(maximum)) problems.push({ field: `${at}.duration`, message: `${power.id}: the minimum is longer than the maximum` })
    if (extendedMaximum && (!maximum || periodHours(extendedMaximum) <= periodHours(maximum))) {
      problems.push({ field: `${at}.duration.extendedMaximum`, message: `${power.id}: an extended maximum needs a shorter maximum` })
    }
    if (extendedMaximum && !power.duration.extension) problems.push({ field: `${at}.duration.extension`, message: `${power.id}: say how and by whom it may be extended` })
    power.indicators.forEach((ind, j) => {
      if (Object.keys(ind.when).length === 0) problems.push({ field: `${at}.indicators[${j}].when`, message: `${power.id}: an indicator needs at least one condition` })
    })
  })
  catalogue.powers.forEach((power, i) => {
    power.prerequisites.forEach((p, j) => {
      if (p.kind === 'prior_power' && !ids.has(p.powerId)) problems.push({ field: `powers[${i}].prerequisites[${j}].powerId`, message: `${power.id} needs ${p.powerId} first, which the catalogue does not hold` })
    })
  })
  return problems.length > 0 ? { ok: false, problems } : { ok: true, catalogue }
}

/**
 * A period's length in hours, for comparison only: a month counts as its longest (31 days) and a
 * year as twelve such months, so that 12 months and 1 year compare equal (a 366-day year made
 * 12 months look longer than a year and refused a minimum of 12 months with a maximum of 1 year).
 */
export function periodHours(p: Period): number {
  const perUnit: Record<PeriodUnit, number> = { hours: 1, days: 24, months: 31 * 24, years: 12 * 31 * 24 }
  return p.value * perUnit[p.unit]
}

export function describePeriod(p: Period): string {
  const unit = p.value === 1 ? p.unit.slice(0, -1) : p.unit
  return `${p.value} ${unit}`
}
