import { z } from 'zod'
import { HANDLING_CODES, PROTECTIVE_MARKINGS } from '../../core/access/visibility.ts'
import { INTELLIGENCE_ASSESSMENTS, SOURCE_EVALUATIONS } from '../../core/grading/intelligenceGrade.ts'
import { LAWFUL_BASES } from '../../core/referrals/lawfulBases.ts'
import { DECLINE_GROUNDS, REFERRAL_ACTIONS, REFERRAL_KINDS, REFERRAL_STATES, URGENCIES } from '../../core/referrals/referrals.ts'
import { isoDate, optionalText, optionalUuid, requiredText, rowVersion } from '../../http/fields.ts'

// Inputs and outputs of GAIN referrals and information requests: one definition for forms and API.

const blankIsUndefined = (v: unknown) => (v === '' || v === null ? undefined : v)

const handling = {
  protectiveMarking: z.enum(PROTECTIVE_MARKINGS, { error: 'Choose the protective marking' }),
  handlingCode: z.enum(HANDLING_CODES, { error: 'Choose the handling code: P (lawful sharing permitted) or C (with conditions)' }),
  handlingConditions: optionalText(2000, 'Handling conditions'),
}

export const ReferralInput = z.strictObject({
  kind: z.enum(REFERRAL_KINDS, { error: 'Choose whether this is a referral or an information request' }),
  entityId: optionalUuid('The subject must be a person, business, premises or vehicle you can see'),
  groupId: optionalUuid('The subject must be a group you can see'),
  recipientAgencyId: optionalUuid('Choose the agency to send it to'),
  toCoordinator: z.preprocess((v) => v === true || v === 'true' || v === 'coordinator', z.boolean()).default(false)
    .describe('true to send it to the regional GAIN coordinator, who routes it to the right agency'),
  coordinatorAgencyId: optionalUuid('Choose the GAIN coordinator from the list').describe('which coordinator, when the partnership has more than one'),
  subjectDescription: requiredText(500, 'Enter the name or description of the subject that you disclose to the recipient', 'Subject'),
  summary: requiredText(5000, 'Enter what you disclose about the subject: the recipient sees only this and the subject’s description', 'Summary'),
  request: requiredText(5000, 'Enter what you are asking the recipient to do or tell you', 'Request'),
  purpose: requiredText(500, 'Enter the purpose of the referral', 'Purpose'),
  lawfulBasis: z.enum(LAWFUL_BASES, { error: 'Choose the lawful basis for the disclosure' }),
  lawfulBasisDetail: optionalText(1000, 'Lawful basis details'),
  urgency: z.enum(URGENCIES, { error: 'Choose how urgent the referral is' }),
  dueOn: z.preprocess(blankIsUndefined, isoDate('the date the answer is needed by').optional()),
  ...handling,
})
export type ReferralInput = z.output<typeof ReferralInput>

export const RouteInput = z.strictObject({
  recipientAgencyId: z.string({ error: 'Choose the agency to route the referral to' }).uuid('Choose the agency to route the referral to'),
  note: optionalText(2000, 'Note'),
  rowVersion,
})

export const AcceptInput = z.strictObject({ note: optionalText(2000, 'Note'), rowVersion })

export const AnswerInput = z.strictObject({
  body: requiredText(20_000, 'Enter the information you are giving in answer', 'Answer'),
  sourceEvaluation: z.enum(SOURCE_EVALUATIONS, { error: 'Choose a source evaluation: A (reliable), B (untested) or C (not reliable)' }),
  intelligenceAssessment: z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.enum(INTELLIGENCE_ASSESSMENTS, { error: 'Choose an intelligence assessment from 1 to 5' })),
  ...handling,
  rowVersion,
})
export type AnswerInput = z.output<typeof AnswerInput>

export const DeclineInput = z.strictObject({
  declineGround: z.preprocess(blankIsUndefined, z.enum(DECLINE_GROUNDS).optional()),
  reason: optionalText(5000, 'Reason'),
  suggestedAgency: optionalText(200, 'Agency to ask instead'),
  rowVersion,
})

export const WithdrawInput = z.strictObject({ reason: requiredText(2000, 'Enter why you are withdrawing the referral', 'Reason', 3), rowVersion })
export const CloseInput = z.strictObject({ note: optionalText(2000, 'Note'), rowVersion })

export const LIST_VIEWS = ['incoming', 'outgoing', 'overdue', 'all'] as const
export const ListQuery = z.object({
  view: z.preprocess(blankIsUndefined, z.enum(LIST_VIEWS, { error: 'view must be incoming, outgoing, overdue or all' }).default('all')),
  state: z.preprocess(blankIsUndefined, z.enum(REFERRAL_STATES, { error: 'Choose a state from the list' }).optional()),
  entityId: optionalUuid('entityId must be the id of a person or entity').describe('only referrals your agency sent about this person or entity'),
  groupId: optionalUuid('groupId must be the id of a group').describe('only referrals your agency sent about this group'),
  page: z.coerce.number({ error: 'page must be a whole number' }).int().min(1).max(10_000).default(1),
})

// Outputs

export const ReferralSummaryOut = z.object({
  id: z.string(),
  reference: z.string(),
  kind: z.enum(REFERRAL_KINDS),
  state: z.enum(REFERRAL_STATES),
  urgency: z.enum(URGENCIES),
  dueOn: z.string(),
  overdue: z.boolean(),
  dueSoon: z.boolean(),
  subjectType: z.enum(['entity', 'group']),
  subjectKind: z.string(),
  subjectDescription: z.string(),
  requestingAgencyId: z.string(),
  requestingAgencyName: z.string(),
  recipientAgencyId: z.string(),
  recipientAgencyName: z.string(),
  coordinatorAgencyId: z.string().nullable(),
  coordinatorAgencyName: z.string().nullable(),
  direction: z.enum(['incoming', 'outgoing', 'coordinating']),
  protectiveMarking: z.enum(PROTECTIVE_MARKINGS),
  sentAt: z.string(),
  stateChangedAt: z.string(),
})
export type ReferralSummaryOut = z.output<typeof ReferralSummaryOut>

export const EventOut = z.object({
  event: z.string(),
  at: z.string(),
  by: z.string().nullable(),
  byAgency: z.string().nullable(),
  toAgency: z.string().nullable(),
  declineGround: z.enum(DECLINE_GROUNDS).nullable(),
  note: z.string().nullable(),
})

export const AnswerOut = z.object({
  id: z.string(),
  body: z.string(),
  answeringAgencyName: z.string(),
  answeredBy: z.string(),
  grade: z.string(),
  gradeExplained: z.string(),
  sourceEvaluation: z.enum(SOURCE_EVALUATIONS),
  intelligenceAssessment: z.number(),
  protectiveMarking: z.enum(PROTECTIVE_MARKINGS),
  handlingCode: z.enum(HANDLING_CODES),
  handlingConditions: z.string().nullable(),
  intelligenceId: z.string().nullable(),
  answeredAt: z.string(),
})
export type AnswerOut = z.output<typeof AnswerOut>

export const ReferralOut = ReferralSummaryOut.extend({
  summary: z.string(),
  request: z.string(),
  purpose: z.string(),
  lawfulBasis: z.enum(LAWFUL_BASES),
  lawfulBasisLabel: z.string(),
  lawfulBasisDetail: z.string().nullable(),
  handlingCode: z.enum(HANDLING_CODES),
  handlingConditions: z.string().nullable(),
  requestedBy: z.string(),
  reviewDate: z.string(),
  /** The requester's own record of the subject: given only to the requesting agency. */
  subjectEntityId: z.string().nullable(),
  subjectGroupId: z.string().nullable(),
  rowVersion: z.number(),
  actions: z.array(z.enum(REFERRAL_ACTIONS)),
  timeline: z.array(EventOut),
  answers: z.array(AnswerOut),
  /** Whether answers exist that this reader may not see (the coordinator sees that, not what). */
  answersWithheld: z.number(),
})
export type ReferralOut = z.output<typeof ReferralOut>

export const ReferralListOut = z.object({
  query: z.object({ view: z.enum(LIST_VIEWS), state: z.enum(REFERRAL_STATES).optional(), entityId: z.string().nullable(), groupId: z.string().nullable(), page: z.number() }),
  rows: z.array(ReferralSummaryOut),
  total: z.number(),
  counts: z.object({ incoming: z.number(), outgoing: z.number(), overdue: z.number() }),
})
