import { z } from 'zod'
import type { FieldIssue } from '../errors.ts'
import { AGENCY_TYPES, AGENCY_TYPE_LABELS, SERVICE_AREAS, SERVICE_AREA_LABELS, type AgencyType, type ServiceArea } from '../reference/agencies.ts'
import { THREAT_AREAS, THREAT_AREA_LABELS, type ThreatArea } from '../reference/crime.ts'
import { STRANDS, STRAND_LABELS, mayUse, type Power, type Strand } from '../powers/catalogue.ts'

// 4P action plan templates, one per threat area: reviewed data (config/plans/templates.json) that
// gives an LRO a sensible first plan for a new group, to adapt rather than adopt. The rules that tie
// a template to the powers catalogue live here, so a template can never offer an action with a power
// the catalogue does not hold, or hand a power to an agency that may not use it.

const SLUG = /^[a-z][a-z0-9_]*$/
const text = (what: string, max: number) => z.string({ error: `Enter ${what}` }).trim().min(1, `Enter ${what}`).max(max, `Keep ${what} to ${max} characters`)

/** Earliest and latest a template may set an action's due date, in days from the day it is applied. */
export const DUE_IN_DAYS_MIN = 7
export const DUE_IN_DAYS_MAX = 180

// Only a council service names its service area, as in the partner directory (modules/agencies).
const leadAgency = z.strictObject({
  agencyType: z.enum(AGENCY_TYPES, { error: `Choose an agency type: ${AGENCY_TYPES.join(', ')}` }),
  serviceArea: z.enum(SERVICE_AREAS, { error: `Choose a council service: ${SERVICE_AREAS.join(', ')}` }).optional(),
}).superRefine((a, ctx) => {
  if (a.agencyType === 'council_service' && !a.serviceArea) ctx.addIssue({ code: 'custom', path: ['serviceArea'], message: 'Choose which council service leads the action' })
  if (a.agencyType !== 'council_service' && a.serviceArea) ctx.addIssue({ code: 'custom', path: ['serviceArea'], message: 'Only a council service has a service area' })
})
export type TemplateLeadAgency = { agencyType: AgencyType; serviceArea?: ServiceArea }

const templateAction = z.strictObject({
  strand: z.enum(STRANDS, { error: `Choose one of the 4Ps: ${STRANDS.join(', ')}` }),
  title: text('the action title', 200),
  description: text('what the action involves', 1500),
  /** The catalogue power the action uses, or null for an action that needs none (a visit, a plan). */
  powerId: z.string({ error: 'Give a power id, or null' }).regex(SLUG, 'A power id is lower-case letters, digits and underscores').nullable(),
  leadAgency,
  dueInDays: z.number({ error: 'Enter the days until the action is due as a number' })
    .int('Days until due is a whole number')
    .min(DUE_IN_DAYS_MIN, `An action is due at least ${DUE_IN_DAYS_MIN} days after the plan starts`)
    .max(DUE_IN_DAYS_MAX, `An action is due at most ${DUE_IN_DAYS_MAX} days after the plan starts`),
})
export type TemplateAction = z.output<typeof templateAction>

const template = z.strictObject({
  key: z.string({ error: 'Enter a key' }).regex(SLUG, 'A template key is lower-case letters, digits and underscores'),
  threatArea: z.enum(THREAT_AREAS, { error: `Choose a threat area: ${THREAT_AREAS.join(', ')}` }),
  title: text('the template title', 200),
  description: text('a description of the template', 2000),
  actions: z.array(templateAction).min(6, 'A template needs at least 6 actions').max(10, 'Keep a template to 10 actions'),
})
export type PlanTemplate = z.output<typeof template>

const templatesFile = z.strictObject({
  version: z.number().int().positive(),
  reviewed: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Give the review date as YYYY-MM-DD'),
  reviewNote: text('a review note', 2000),
  templates: z.array(template).min(1, 'Give at least one template'),
})

export type ParsedTemplates = { ok: true; templates: PlanTemplate[] } | { ok: false; problems: FieldIssue[] }

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '')
}

function agencyLabel(a: TemplateLeadAgency): string {
  return a.serviceArea ? `${AGENCY_TYPE_LABELS[a.agencyType]} (${SERVICE_AREA_LABELS[a.serviceArea]})` : AGENCY_TYPE_LABELS[a.agencyType]
}

/**
 * Checks a templates file against the catalogue it will be used with: its shape, and the rules a
 * schema cannot say (unique keys, at most one template per threat area, every power in the
 * catalogue, a lead agency that may use the power, a power used under one of its own strands, and
 * all four Ps in every template).
 */
export function parseTemplates(json: unknown, catalogue: readonly Power[]): ParsedTemplates {
  const parsed = templatesFile.safeParse(json)
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => ({ field: fieldPath(i.path), message: i.message })) }
  const { templates } = parsed.data
  const powers = new Map(catalogue.map((p) => [p.id, p]))
  const problems: FieldIssue[] = []
  const keys = new Set<string>()
  const areas = new Map<ThreatArea, string>()
  templates.forEach((t, i) => {
    const at = `templates[${i}]`
    if (keys.has(t.key)) problems.push({ field: `${at}.key`, message: `Two templates have the key ${t.key}` })
    keys.add(t.key)
    const other = areas.get(t.threatArea)
    if (other !== undefined) problems.push({ field: `${at}.threatArea`, message: `${t.key} and ${other} are both templates for ${THREAT_AREA_LABELS[t.threatArea]}` })
    else areas.set(t.threatArea, t.key)
    t.actions.forEach((a, j) => {
      if (a.powerId === null) return
      const power = powers.get(a.powerId)
      if (!power) {
        problems.push({ field: `${at}.actions[${j}].powerId`, message: `${t.key}: ${a.powerId} is not a power in the catalogue` })
        return
      }
      if (!mayUse(power, { agencyType: a.leadAgency.agencyType, serviceArea: a.leadAgency.serviceArea ?? null })) {
        problems.push({ field: `${at}.actions[${j}].leadAgency`, message: `${t.key}: ${agencyLabel(a.leadAgency)} may not use the ${power.name}` })
      }
      if (!power.strands.includes(a.strand)) {
        problems.push({ field: `${at}.actions[${j}].strand`, message: `${t.key}: the ${power.name} is not a ${STRAND_LABELS[a.strand]} power (it serves ${power.strands.map((s) => STRAND_LABELS[s]).join(', ')})` })
      }
    })
    const missing = STRANDS.filter((s) => !t.actions.some((a) => a.strand === s))
    if (missing.length > 0) problems.push({ field: `${at}.actions`, message: `${t.key} has no ${missing.map((s) => STRAND_LABELS[s]).join(', ')} action: a 4P plan needs all four` })
  })
  return problems.length > 0 ? { ok: false, problems } : { ok: true, templates }
}

/** The template for a threat area, or null when there is none. */
export function templateFor(templates: readonly PlanTemplate[], threatArea: ThreatArea): PlanTemplate | null {
  return templates.find((t) => t.threatArea === threatArea) ?? null
}

/** An action drawn from a template, ready to be given an owning agency and officer. */
export type TemplateActionDraft = {
  strand: Strand
  title: string
  description: string
  powerId: string | null
  leadAgency: TemplateLeadAgency
  dueOn: string
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

function plusDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

/** Whether a string is a real calendar day as YYYY-MM-DD (Date.parse rolls 2027-02-30 into March). */
function isCalendarDay(day: string): boolean {
  return DAY.test(day) && !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && plusDays(day, 0) === day
}

/**
 * The template's actions as drafts, in the template's order, each due `dueInDays` calendar days
 * after `today` (YYYY-MM-DD, counted in UTC days so that clock changes never move a date).
 */
export function actionsFromTemplate(template: PlanTemplate, today: string): TemplateActionDraft[] {
  if (!isCalendarDay(today)) throw new RangeError(`today must be a calendar date as YYYY-MM-DD, not ${JSON.stringify(today)}`)
  return template.actions.map((a) => ({
    strand: a.strand,
    title: a.title,
    description: a.description,
    powerId: a.powerId,
    leadAgency: a.leadAgency.serviceArea ? { agencyType: a.leadAgency.agencyType, serviceArea: a.leadAgency.serviceArea } : { agencyType: a.leadAgency.agencyType },
    dueOn: plusDays(today, a.dueInDays),
  }))
}
