import { z } from 'zod'
import { CHECK_INTERVAL_UNITS, OBLIGATION_KINDS } from '../../core/orders/compliance.ts'
import { ORDER_TYPES } from '../../core/powers/catalogue.ts'
import { checkbox, isoDate, list, optionalText, optionalUuid, requiredText, rowVersion, uuid } from '../../http/fields.ts'
import { ukInstant } from '../../core/time/ukDates.ts'
import { recordFields } from '../records/schema.ts'

// Inputs and outputs of the orders register: one definition for forms and API.

export const ORDER_STATUSES = ['in_force', 'expired', 'discharged', 'revoked'] as const
export const ORDER_STATUS_LABELS: Record<(typeof ORDER_STATUSES)[number], string> = { in_force: 'In force', expired: 'Expired', discharged: 'Discharged', revoked: 'Revoked' }
export const ORDER_TYPE_LABELS: Record<(typeof ORDER_TYPES)[number], string> = {
  scpo: 'Serious Crime Prevention Order', stpo: 'Slavery and Trafficking Prevention Order', stro: 'Slavery and Trafficking Risk Order',
  tro: 'Telecommunications Restriction Order', cpw: 'Community Protection Warning', cpn: 'Community Protection Notice', closure_notice: 'Closure notice',
  closure_order: 'Closure order', gang_injunction: 'Gang injunction', cbo: 'Criminal Behaviour Order',
}
export const CHECK_RESULTS = ['compliant', 'breach', 'not_possible'] as const
export const CHECK_RESULT_LABELS: Record<(typeof CHECK_RESULTS)[number], string> = { compliant: 'Complied', breach: 'Breached', not_possible: 'Could not be checked' }

/**
 * When an order starts or ends, as people enter it: a UK date (midnight), a UK date and clock time
 * (YYYY-MM-DDTHH:MM, since a closure notice runs in hours), or an instant with its offset (the API).
 */
const moment = (label: string) =>
  z.string({ error: `Enter ${label}` }).trim().transform((s, ctx) => {
    const local = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}))?$/.exec(s)
    const at = local ? ukInstant(local[1]!, local[2] ?? '00:00') : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s) ? new Date(s) : null
    if (!at || Number.isNaN(at.getTime()) || (local && !new Date(`${local[1]}T00:00:00Z`).toISOString().startsWith(local[1]!))) {
      ctx.addIssue({ code: 'custom', message: `${label[0]!.toUpperCase()}${label.slice(1)} must be a real date (YYYY-MM-DD), or a date and time (YYYY-MM-DDTHH:MM)` })
      return z.NEVER
    }
    return at.toISOString()
  })
const optionalMoment = (label: string) => z.preprocess((v) => (v === '' || v === undefined ? null : v), moment(label).nullable())
const blankIsNull = (v: unknown) => (v === '' || v === undefined ? null : v)

export const ObligationInput = z.object({
  kind: z.enum(OBLIGATION_KINDS, { error: 'Choose what kind of condition it is' }),
  text: requiredText(1000, 'Write the condition as the order words it', 'Condition'),
  everyValue: z.preprocess((v) => (blankIsNull(v) === null ? null : typeof v === 'string' ? Number(v) : v), z.number({ error: 'How often must be a whole number' }).int('How often must be a whole number').min(1).max(365).nullable()),
  everyUnit: z.preprocess(blankIsNull, z.enum(CHECK_INTERVAL_UNITS, { error: 'Choose days, weeks or months' }).nullable()),
  noticeHours: z.preprocess((v) => (blankIsNull(v) === null ? null : typeof v === 'string' ? Number(v) : v), z.number({ error: 'Notice must be a whole number of hours' }).int().min(1).max(8760).nullable()),
  checkAgencyIds: list(uuid('Choose the agencies that check it from the list')),
}).superRefine((o, ctx) => {
  if ((o.everyValue === null) !== (o.everyUnit === null)) ctx.addIssue({ code: 'custom', path: ['everyUnit'], message: 'Give how often it is checked as a number and a unit, or neither' })
  if (o.everyValue !== null && o.checkAgencyIds.length === 0) ctx.addIssue({ code: 'custom', path: ['checkAgencyIds'], message: 'Name at least one agency that checks this condition' })
})
export type ObligationInput = z.output<typeof ObligationInput>

export const OrderInput = z.object({
  powerId: z.string({ error: 'Choose the kind of order' }).regex(/^[a-z][a-z0-9_]*$/, 'Choose the kind of order from the list').max(80),
  subjectEntityId: uuid('Choose who or what the order is made against'),
  groupId: optionalUuid('Choose a group from the list'),
  court: optionalText(200, 'Court'),
  courtReference: optionalText(100, 'Court reference'),
  madeOn: z.preprocess(blankIsNull, isoDate('the date the order was made').nullable()),
  startsAt: moment('when it takes effect'),
  endsAt: optionalMoment('when it ends'),
  extendedAuthority: checkbox,
  authorisedBy: optionalText(200, 'Authorised by'),
  officerId: optionalUuid('Choose the officer who manages the order'),
  notes: optionalText(5000, 'Notes'),
  obligations: z.array(ObligationInput).max(40, 'An order here holds at most 40 conditions').default([]),
  ...recordFields,
})
export type OrderInput = z.output<typeof OrderInput>

export const CheckResultInput = z.object({
  result: z.enum(CHECK_RESULTS, { error: 'Choose the result of the check' }),
  notes: optionalText(5000, 'Notes'),
  breachDescription: optionalText(5000, 'What the breach was'),
}).superRefine((c, ctx) => {
  if (c.result === 'breach' && !c.breachDescription) ctx.addIssue({ code: 'custom', path: ['breachDescription'], message: 'Describe the breach: it goes on the order’s record and may start a Pursue action' })
})

export const BreachInput = z.object({
  occurredOn: isoDate('the date of the breach'),
  obligationKey: z.preprocess(blankIsNull, z.string().max(40).nullable()),
  description: requiredText(5000, 'Describe the breach', 'Description'),
})

export const VariationInput = z.object({
  summary: requiredText(1000, 'Say what the court varied and why', 'Summary'),
  variedOn: isoDate('the date of the variation'),
  endsAt: optionalMoment('when it now ends'),
  extendedAuthority: checkbox,
  status: z.preprocess(blankIsNull, z.enum(['in_force', 'discharged', 'revoked'], { error: 'Choose in force, discharged or revoked' }).nullable()),
  rowVersion,
})

export const OrderListQuery = z.object({
  orderType: z.preprocess(blankIsNull, z.enum(ORDER_TYPES, { error: 'Choose a kind of order from the list' }).nullable()).optional(),
  status: z.preprocess(blankIsNull, z.enum(ORDER_STATUSES, { error: 'Choose a status from the list' }).nullable()).optional(),
  groupId: z.preprocess(blankIsNull, z.string().uuid('groupId must be a group id').nullable()).optional(),
})

// Outputs

export const ObligationOut = z.object({ key: z.string(), kind: z.string(), text: z.string(), everyValue: z.number().nullable(), everyUnit: z.string().nullable(), noticeHours: z.number().nullable(), checkAgencies: z.array(z.object({ id: z.string(), name: z.string() })) })
export const CheckOut = z.object({ id: z.string(), obligationKey: z.string(), sequence: z.number(), dueOn: z.string(), agencyId: z.string(), agencyName: z.string(), result: z.string().nullable(), checkedOn: z.string().nullable(), notes: z.string().nullable(), recordable: z.boolean(), mayRecord: z.boolean() })
export const BreachOut = z.object({ id: z.string(), obligationKey: z.string().nullable(), occurredOn: z.string(), description: z.string(), reportedByAgencyName: z.string(), recordedAt: z.string() })
export const OrderOut = z.object({
  id: z.string(),
  orderType: z.string(),
  powerId: z.string(),
  powerName: z.string(),
  groupId: z.string().nullable(),
  groupName: z.string().nullable(),
  subjectEntityId: z.string(),
  subjectCaption: z.string(),
  subjectKind: z.string(),
  court: z.string().nullable(),
  courtReference: z.string().nullable(),
  madeOn: z.string().nullable(),
  startsAt: z.string(),
  endsAt: z.string().nullable(),
  extendedAuthority: z.boolean(),
  authorisedBy: z.string().nullable(),
  status: z.string(),
  officerName: z.string(),
  notes: z.string().nullable(),
  protectiveMarking: z.string(),
  handlingCode: z.string(),
  handlingConditions: z.string().nullable(),
  rowVersion: z.number(),
  mayChange: z.boolean(),
  obligations: z.array(ObligationOut),
  checks: z.array(CheckOut),
  breaches: z.array(BreachOut),
  variations: z.array(z.object({ variedOn: z.string(), summary: z.string(), recordedAt: z.string() })),
})
export type OrderOut = z.output<typeof OrderOut>
