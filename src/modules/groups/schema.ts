import { z } from 'zod'
import { HANDLING_CODES, PROTECTIVE_MARKINGS, SHARING_SCOPES } from '../../core/access/visibility.ts'
import { ENABLER_PROFESSIONS, ENTITY_SCHEMAS, GROUP_STATUSES, HOLDING_KINDS, MEMBER_ROLES, PERSON_ROLES, THREAT_AREAS } from '../../core/reference/crime.ts'
import { checkbox, isoDate, list, optionalEmail, optionalText, optionalUuid, requiredText, rowVersion, uuid } from '../../http/fields.ts'
import { AccessOut, recordFields } from '../records/schema.ts'

export { GrantInput, ReasonInput, SharingInput } from '../records/schema.ts'

const optionalDate = (label: string) => z.preprocess((v) => (v === '' || v === undefined ? null : v), isoDate(label).nullable())
const blankIsNull = (v: unknown) => (v === '' || v === undefined ? null : v)

/** Areas arrive as a JSON list, or from a form as one area per line; blank lines are not areas. */
const areaList = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '') : v ?? []),
  z
    .array(z.string({ error: 'Each area must be text' }).trim().min(1, 'Enter a name or code for each area').max(100, 'Each area must be 100 characters or fewer'))
    .max(200, 'List at most 200 areas')
    .superRefine((areas, ctx) => {
      const seen = new Set<string>()
      for (const area of areas) {
        const key = area.toLowerCase()
        if (seen.has(key)) ctx.addIssue({ code: 'custom', message: `Enter each area once: "${area}" is listed twice` })
        seen.add(key)
      }
    }),
)

const groupFields = {
  name: requiredText(200, 'Enter the group’s name', 'Name'),
  operationName: optionalText(200, 'Operation name'),
  status: z.enum(GROUP_STATUSES, { error: 'Choose the group’s status' }),
  threatAreas: list(z.enum(THREAT_AREAS, { error: 'Choose threat areas from the list' }))
    .refine((xs) => xs.length > 0, 'Choose at least one threat area')
    .refine((xs) => new Set(xs).size === xs.length, 'Choose each threat area once'),
  areas: areaList,
  crossBorder: checkbox,
  summary: optionalText(20_000, 'Summary'),
  // The older OCGM scoring banded groups 1A to 3C (domain.md); kept as entered from legacy data.
  legacyOcgmBand: z.preprocess(
    (v) => (typeof v === 'string' ? (v.trim() === '' ? null : v.trim().toUpperCase()) : v ?? null),
    z.string().regex(/^[1-3][A-C]$/, 'Legacy OCGM band must be a band from 1A to 3C, like 2B').nullable(),
  ),
  leadResponsibleOfficerId: optionalUuid('leadResponsibleOfficerId must be the id of a user'),
  /** Another way to name the officer (forms and CSV files know e-mail addresses, not ids). */
  leadResponsibleOfficerEmail: optionalEmail,
}

const oneOfficer = (g: { leadResponsibleOfficerId: string | null; leadResponsibleOfficerEmail: string | null }, ctx: z.RefinementCtx) => {
  if (g.leadResponsibleOfficerId && g.leadResponsibleOfficerEmail) {
    ctx.addIssue({ code: 'custom', path: ['leadResponsibleOfficerEmail'], message: 'Name the Lead Responsible Officer once: by id or by e-mail address, not both' })
  }
}

export const GroupInput = z.strictObject({ ...groupFields, ...recordFields }).superRefine(oneOfficer)
export type GroupInput = z.infer<typeof GroupInput>

/** An edit of the group's content. Marking and sharing change through the sharing endpoints. */
export const GroupUpdate = z
  .strictObject({ ...groupFields, purpose: recordFields.purpose, reviewDate: recordFields.reviewDate, rowVersion })
  .superRefine(oneOfficer)
export type GroupUpdate = z.infer<typeof GroupUpdate>

const membershipFields = {
  role: z.enum(MEMBER_ROLES, { error: 'Choose the member’s role' }),
  enablerProfession: z.preprocess(blankIsNull, z.enum(ENABLER_PROFESSIONS, { error: 'Choose the enabler’s profession from the list' }).nullable()),
  startDate: optionalDate('the start date'),
  endDate: optionalDate('the end date'),
  notes: optionalText(2000, 'Notes'),
}

type MembershipShape = { role: string; enablerProfession: string | null; startDate: string | null; endDate: string | null }
const membershipRules = (m: MembershipShape, ctx: z.RefinementCtx) => {
  if (m.role === 'enabler' && !m.enablerProfession) ctx.addIssue({ code: 'custom', path: ['enablerProfession'], message: 'Choose the profession of this professional enabler' })
  if (m.role !== 'enabler' && m.enablerProfession) ctx.addIssue({ code: 'custom', path: ['enablerProfession'], message: 'A profession is recorded only for a professional enabler: choose that role or no profession' })
  if (m.startDate && m.endDate && m.endDate < m.startDate) ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'The end date must be the same as or after the start date' })
}

export const MemberInput = z.strictObject({ personId: uuid('Choose the person from the list'), ...membershipFields }).superRefine(membershipRules)
export type MemberInput = z.infer<typeof MemberInput>

export const MemberUpdate = z.strictObject({ ...membershipFields, rowVersion }).superRefine(membershipRules)
export type MemberUpdate = z.infer<typeof MemberUpdate>

export const MemberEnd = z.strictObject({ endDate: isoDate('the date they left the group'), rowVersion })
export type MemberEnd = z.infer<typeof MemberEnd>

const holdingDates = (h: { startDate: string | null; endDate: string | null }, ctx: z.RefinementCtx) => {
  if (h.startDate && h.endDate && h.endDate < h.startDate) ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'The end date must be the same as or after the start date' })
}

export const HoldingInput = z
  .strictObject({
    entityId: uuid('Choose the record from the list'),
    kind: z.enum(HOLDING_KINDS, { error: 'Choose what kind of holding this is' }),
    startDate: optionalDate('the start date'),
    endDate: optionalDate('the end date'),
    notes: optionalText(2000, 'Notes'),
  })
  .superRefine(holdingDates)
export type HoldingInput = z.infer<typeof HoldingInput>

export const HoldingUpdate = z
  .strictObject({ startDate: optionalDate('the start date'), endDate: optionalDate('the end date'), notes: optionalText(2000, 'Notes') })
  .superRefine(holdingDates)
export type HoldingUpdate = z.infer<typeof HoldingUpdate>

export const GroupListQuery = z.strictObject({
  q: optionalText(100, 'Name').optional(),
  status: z.preprocess((v) => (v === '' ? undefined : v), z.enum(GROUP_STATUSES, { error: 'Choose a status from the list' }).optional()),
  threatArea: z.preprocess((v) => (v === '' ? undefined : v), z.enum(THREAT_AREAS, { error: 'Choose a threat area from the list' }).optional()),
  area: optionalText(100, 'Area').optional(),
  owner: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['agency', 'lro'], { error: 'Choose whose groups to show' }).optional()),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
})
export type GroupListQuery = z.infer<typeof GroupListQuery>

export const HistoryQuery = z.strictObject({ page: z.coerce.number().int().min(1).max(100_000).default(1) })

const handlingOut = {
  protectiveMarking: z.enum(PROTECTIVE_MARKINGS),
  handlingCode: z.enum(HANDLING_CODES),
  handlingConditions: z.string().nullable(),
}

export const GroupSummaryOut = z.object({
  id: z.string(),
  name: z.string(),
  operationName: z.string().nullable(),
  status: z.enum(GROUP_STATUSES),
  threatAreas: z.array(z.enum(THREAT_AREAS)),
  areas: z.array(z.string()),
  crossBorder: z.boolean(),
  owningAgencyId: z.string(),
  owningAgencyName: z.string(),
  leadResponsibleOfficerId: z.string().nullable(),
  leadResponsibleOfficerName: z.string().nullable(),
  currentMemberCount: z.number().describe('current members the caller may see'),
  ...handlingOut,
  sharingScope: z.enum(SHARING_SCOPES),
  reviewDate: z.string(),
  updatedAt: z.string(),
})
export type GroupSummaryOut = z.infer<typeof GroupSummaryOut>

export const MemberOut = z.object({
  id: z.string(),
  personId: z.string(),
  caption: z.string(),
  personRole: z.enum(PERSON_ROLES),
  role: z.enum(MEMBER_ROLES),
  enablerProfession: z.enum(ENABLER_PROFESSIONS).nullable(),
  startDate: z.string().nullable(),
  endDate: z.string().nullable(),
  notes: z.string().nullable(),
  current: z.boolean(),
  rowVersion: z.number(),
  person: z.object(handlingOut).describe('the person record’s own handling, which travels with it'),
})
export type MemberOut = z.infer<typeof MemberOut>

export const HoldingOut = z.object({
  id: z.string(),
  entityId: z.string(),
  caption: z.string(),
  schema: z.enum(ENTITY_SCHEMAS),
  kind: z.enum(HOLDING_KINDS),
  startDate: z.string().nullable(),
  endDate: z.string().nullable(),
  notes: z.string().nullable(),
  current: z.boolean(),
  entity: z.object(handlingOut).describe('the held record’s own handling, which travels with it'),
})
export type HoldingOut = z.infer<typeof HoldingOut>

const changeValue = z.union([z.string(), z.boolean(), z.array(z.string()), z.null()])

export const HistoryEntryOut = z.object({
  id: z.number(),
  changedAt: z.string(),
  changedById: z.string().nullable(),
  changedBy: z.string(),
  summary: z.string(),
  changes: z.array(
    z.object({
      field: z.string(),
      label: z.string(),
      from: changeValue,
      to: changeValue,
      fromText: z.string(),
      toText: z.string(),
      entityId: z.string().nullable(),
      entityCaption: z.string().nullable().describe('null when the caller may not see the member or holding'),
    }),
  ),
})
export type HistoryEntryOut = z.infer<typeof HistoryEntryOut>

export const GroupOut = GroupSummaryOut.extend({
  summary: z.string().nullable(),
  legacyOcgmBand: z.string().nullable(),
  purpose: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedBy: z.string(),
  rowVersion: z.number(),
  membersChangedAt: z.string().nullable(),
  intelligenceChangedAt: z.string().nullable(),
  disruptionsChangedAt: z.string().nullable(),
  mayEdit: z.boolean().describe('whether the caller may change the group: its owning agency or its Lead Responsible Officer'),
  members: z.array(MemberOut),
  holdings: z.array(HoldingOut),
  recentHistory: z.array(HistoryEntryOut),
  historyTotal: z.number(),
  ...AccessOut.shape,
})
export type GroupOut = z.infer<typeof GroupOut>
