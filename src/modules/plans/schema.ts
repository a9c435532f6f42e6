import { z } from 'zod'
import { ACTION_STATUSES } from '../../core/plans/actions.ts'
import { STRANDS } from '../../core/powers/catalogue.ts'
import { THREAT_AREAS } from '../../core/reference/crime.ts'
import { isoDate, optionalEmail, optionalText, optionalUuid, requiredText, rowVersion } from '../../http/fields.ts'
import { recordFields } from '../records/schema.ts'

// Inputs and outputs of 4P plans, their actions and disruptions: one definition for forms and API.

export const DISRUPTION_OUTCOMES = ['major', 'moderate', 'minor', 'none', 'negative'] as const
export type DisruptionOutcome = (typeof DISRUPTION_OUTCOMES)[number]
// HMICFRS's levels; "negative" is its own wording for activity that left the group stronger.
export const DISRUPTION_OUTCOME_LABELS: Record<DisruptionOutcome, string> = {
  major: 'Major', moderate: 'Moderate', minor: 'Minor', none: 'None', negative: 'Negative (the group is more capable or harmful)',
}
export const ASSET_KINDS = ['cash', 'drugs', 'goods', 'vehicles', 'firearms', 'property', 'other'] as const
export const ASSET_KIND_LABELS: Record<(typeof ASSET_KINDS)[number], string> = {
  cash: 'Cash', drugs: 'Drugs', goods: 'Goods', vehicles: 'Vehicles', firearms: 'Firearms or weapons', property: 'Property', other: 'Other',
}

const optionalId = (what: string) => optionalUuid(`${what} must be chosen from the list`)
const optionalPowerId = z.preprocess((v) => (v === '' || v === undefined ? null : v), z.string().regex(/^[a-z][a-z0-9_]*$/, 'Choose a power from the catalogue').max(80).nullable())

export const PlanInput = z.object({
  title: requiredText(200, 'Enter a title for the plan', 'Title'),
  keyRisk: optionalText(500, 'Key risk'),
  purpose: requiredText(500, 'Enter the purpose of the plan', 'Purpose').optional(),
})

const owner = {
  ownerEmail: optionalEmail,
  ownerUserId: optionalId('The owner'),
}

export const ActionInput = z.object({
  strand: z.enum(STRANDS, { error: 'Choose Pursue, Prevent, Protect or Prepare' }),
  title: requiredText(200, 'Enter what is to be done', 'Title'),
  description: optionalText(5000, 'Description'),
  ...owner,
  dueOn: isoDate('the due date'),
  powerId: optionalPowerId,
  targetEntityId: optionalId('The subject'),
  planId: optionalId('The plan'),
})
export type ActionInput = z.output<typeof ActionInput>

/** Taking a suggested power into the plan in one step: who does it and by when. */
export const SuggestionInput = z.object({
  ...owner,
  dueOn: isoDate('the due date'),
  targetEntityId: optionalId('The subject'),
  planId: optionalId('The plan'),
})

export const TemplateActionInput = z.object({
  templateKey: z.string({ error: 'Choose a template' }).regex(/^[a-z][a-z0-9_]*$/, 'Choose a template from the list').max(80),
  index: z.coerce.number({ error: 'Choose an action of the template' }).int().min(0).max(50),
  ...owner,
  dueOn: isoDate('the due date'),
  planId: optionalId('The plan'),
})

/** Changing an action, by the plan's LRO, agency or coordinator (send the rowVersion you read). */
export const ActionUpdate = ActionInput.omit({ planId: true }).extend({ rowVersion })

export const ActionProgress = z.object({
  status: z.enum(ACTION_STATUSES, { error: 'Choose a status from the list' }),
  outcomeNotes: optionalText(5000, 'Outcome notes'),
  rowVersion,
})

const assetRow = z.object({
  kind: z.enum(ASSET_KINDS, { error: 'Choose what was seized from the list' }),
  description: requiredText(500, 'Describe what was seized', 'Description'),
  quantity: z.preprocess((v) => (v === '' || v === undefined ? null : typeof v === 'string' ? Number(v) : v), z.number({ error: 'Quantity must be a number' }).positive('Quantity must be more than zero').nullable()),
  unit: optionalText(40, 'Unit'),
  // Pounds as people write them ("1,250.50"), kept as pence so sums are exact.
  valuePounds: z.preprocess(
    (v) => (v === '' || v === undefined || v === null ? null : typeof v === 'string' ? Number(v.replace(/[£,\s]/g, '')) : v),
    z.number({ error: 'Value must be an amount in pounds, like 1250.50' }).min(0, 'Value cannot be negative').max(1e12, 'Value is too large').nullable(),
  ),
})

export const DisruptionInput = z.object({
  occurredOn: isoDate('the date of the disruption'),
  agencyId: optionalId('The agency'),
  description: requiredText(5000, 'Describe what was done', 'Description'),
  outcome: z.enum(DISRUPTION_OUTCOMES, { error: 'Choose the outcome: major, moderate, minor, none or negative' }),
  outcomeReason: requiredText(2000, 'Give the reason for the outcome you chose: there are no national definitions, so the reason is what others rely on', 'Reason'),
  actionId: optionalId('The action'),
  powerId: optionalPowerId,
  assets: z.array(assetRow).max(50, 'Record at most 50 kinds of asset on one disruption').default([]),
})
export type DisruptionInput = z.output<typeof DisruptionInput>

/** A plan for a threat area across the partnership: it is a restricted record of its own. */
export const ThreatPlanInput = z.object({
  threatArea: z.enum(THREAT_AREAS, { error: 'Choose a threat area from the list' }),
  title: requiredText(200, 'Enter a title for the plan', 'Title'),
  keyRisk: optionalText(500, 'Key risk'),
  ...recordFields,
})

// Outputs

export const ActionOut = z.object({
  id: z.string(),
  planId: z.string(),
  groupId: z.string().nullable(),
  strand: z.enum(STRANDS),
  title: z.string(),
  description: z.string().nullable(),
  ownerAgencyId: z.string(),
  ownerAgencyName: z.string(),
  ownerUserId: z.string(),
  ownerName: z.string(),
  dueOn: z.string(),
  status: z.enum(ACTION_STATUSES),
  overdue: z.boolean(),
  powerId: z.string().nullable(),
  powerName: z.string().nullable(),
  targetEntityId: z.string().nullable(),
  targetCaption: z.string().nullable(),
  outcomeNotes: z.string().nullable(),
  completedAt: z.string().nullable(),
  rowVersion: z.number(),
  mayEdit: z.boolean(),
  mayUpdateProgress: z.boolean(),
})
export type ActionOut = z.output<typeof ActionOut>

export const PlanOut = z.object({
  id: z.string(),
  groupId: z.string().nullable(),
  threatArea: z.string().nullable(),
  title: z.string(),
  keyRisk: z.string().nullable(),
  status: z.string(),
  actions: z.array(ActionOut),
})

export const AssetOut = z.object({ kind: z.string(), description: z.string(), quantity: z.number().nullable(), unit: z.string().nullable(), valuePence: z.number().nullable() })
export const DisruptionOut = z.object({
  id: z.string(),
  groupId: z.string(),
  occurredOn: z.string(),
  agencyId: z.string(),
  agencyName: z.string(),
  description: z.string(),
  outcome: z.enum(DISRUPTION_OUTCOMES),
  outcomeReason: z.string(),
  actionId: z.string().nullable(),
  powerId: z.string().nullable(),
  powerName: z.string().nullable(),
  assets: z.array(AssetOut),
  recordedAt: z.string(),
})
export type DisruptionOut = z.output<typeof DisruptionOut>

export const SuggestionOut = z.object({
  powerId: z.string(),
  name: z.string(),
  strands: z.array(z.string()),
  leadAgency: z.object({ agencyType: z.string(), serviceArea: z.string().optional() }),
  score: z.number(),
  reasons: z.array(z.string()),
  targets: z.array(z.object({ id: z.string(), caption: z.string(), note: z.string().nullable() })),
  prerequisites: z.array(z.object({ kind: z.string(), powerId: z.string().optional(), description: z.string() })),
})

export const BoardQuery = z.object({ page: z.coerce.number({ error: 'page must be a whole number' }).int().min(1).max(10_000).default(1) })

const blankIsUndefined = (v: unknown) => (v === '' ? undefined : v)
export const OutcomeQuery = z.object({
  from: z.preprocess(blankIsUndefined, isoDate('the first day').optional()),
  to: z.preprocess(blankIsUndefined, isoDate('the last day').optional()),
  by: z.preprocess(blankIsUndefined, z.enum(['agency', 'power', 'group', 'outcome'], { error: 'Choose agency, power, group or outcome' }).default('agency')),
  groupId: z.preprocess(blankIsUndefined, z.string().uuid('groupId must be a group id').optional()),
})

export const ExportQuery = z.object({
  purpose: requiredText(500, 'Enter why you are exporting: the export is logged as a disclosure with its purpose', 'Purpose'),
  from: z.preprocess(blankIsUndefined, isoDate('the first day').optional()),
  to: z.preprocess(blankIsUndefined, isoDate('the last day').optional()),
  groupId: z.preprocess(blankIsUndefined, z.string().uuid('groupId must be a group id').optional()),
})
