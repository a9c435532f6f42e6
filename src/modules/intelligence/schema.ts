import { z } from 'zod'
import { HANDLING_CODES, PROTECTIVE_MARKINGS, SHARING_SCOPES, type HandlingCode, type SharingScope } from '../../core/access/visibility.ts'
import type { FieldIssue } from '../../core/errors.ts'
import { gradeProblems, INTELLIGENCE_ASSESSMENTS, SOURCE_EVALUATIONS, type SourceEvaluation } from '../../core/grading/intelligenceGrade.ts'
import { mapLegacyGrade, parseLegacyGrade, type MappedGrade } from '../../core/grading/legacy5x5x5.ts'
import { isoDate, list, optionalText, requiredText, rowVersion, uuid } from '../../http/fields.ts'
import { issuesOf } from '../../http/validation.ts'
import { AccessOut, recordFields } from '../records/schema.ts'

export { GrantInput, SharingInput } from '../records/schema.ts'

const blankToNull = (v: unknown) => (v === undefined || v === null || (typeof v === 'string' && v.trim() === '') ? null : typeof v === 'string' ? v.trim() : v)

// The three parts of a 3x5x2 grade arrive as the user wrote them and are checked by the grading core
// (src/core/grading), which names the allowed values in its messages. They may be left out when a
// legacy 5x5x5 grade is given: the parts not entered then come from the documented mapping.
const gradePart = (what: string) => z.preprocess(blankToNull, z.string({ error: `${what} must be text` }).nullable())
const assessmentPart = z.preprocess(blankToNull, z.union([z.string(), z.number()], { error: 'Intelligence assessment must be a number from 1 to 5' }).nullable())

const MAX_MENTIONS = 200
const mentions = (noun: string, plural: string) =>
  list(uuid(`Give ${plural} by their ids or the addresses of their pages`))
    .refine((ids) => new Set(ids.map((i) => i.toLowerCase())).size === ids.length, `Mention each ${noun} once`)
    .refine((ids) => ids.length <= MAX_MENTIONS, `Mention at most ${MAX_MENTIONS} ${plural} in one record`)
    .transform((ids) => ids.map((i) => i.toLowerCase()))

const content = {
  body: requiredText(20_000, 'Enter the intelligence', 'Intelligence'),
  reportedOn: isoDate('the date reported'),
  reference: optionalText(100, 'Reference'),
  sourceAgencyId: uuid('Choose the agency the intelligence came from'),
  sourceEvaluation: gradePart('Source evaluation'),
  intelligenceAssessment: assessmentPart,
  mentionedEntityIds: mentions('entity', 'entities'),
  mentionedGroupIds: mentions('group', 'groups'),
}

/**
 * A new intelligence record as a form or the API sends it. Its handling is that of every restricted
 * record; the handling code and sharing scope may be left out only when a legacy grade supplies them.
 * Parse with `resolveIntelligenceInput`, which also applies the grading rules.
 */
export const IntelligenceInput = z.strictObject({
  ...content,
  // Kept exactly as entered (only a blank answer becomes "none"), beside the 3x5x2 grade it maps to.
  legacyGrade: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v ?? null), z.string().max(20, 'Legacy grade must be 20 characters or fewer').nullable())
    .describe('an older 5x5x5 grade such as "B24"; parts of the 3x5x2 grade left out are mapped from it'),
  ...recordFields,
  handlingCode: gradePart('Handling code'),
  sharingScope: z.preprocess(blankToNull, z.enum(SHARING_SCOPES, { error: 'Choose who the record is shared with' }).nullable()),
})
type RawIntelligence = z.infer<typeof IntelligenceInput>

/** A new intelligence record once its grade is settled: every part of the 3x5x2 grade is present and valid. */
export type IntelligenceInput = Omit<RawIntelligence, 'sourceEvaluation' | 'intelligenceAssessment' | 'handlingCode' | 'sharingScope'> & {
  sourceEvaluation: SourceEvaluation
  intelligenceAssessment: number
  handlingCode: HandlingCode
  sharingScope: SharingScope
}

// When a legacy grade fills in the sharing scope, it never shares more widely than the legacy
// handling allowed, and with nobody beyond the owning agency unless the user named agencies.
function scopeFromLegacy(mapped: MappedGrade, namedAgencies: readonly string[]): SharingScope {
  return mapped.sharingScope !== 'agency' && namedAgencies.length > 0 ? 'named' : 'agency'
}

/** Settles the grade of a parsed input: legacy mapping for the parts left out, then the 3x5x2 rules. */
function settleGrade(v: RawIntelligence): { value: IntelligenceInput | null; issues: FieldIssue[] } {
  let mapped: MappedGrade | null = null
  if (v.legacyGrade !== null) {
    const legacy = parseLegacyGrade(v.legacyGrade)
    if (!legacy) {
      return {
        value: null,
        issues: [{ field: 'legacyGrade', message: `"${v.legacyGrade}" is not a 5x5x5 grade: write the source (A to E), the intelligence (1 to 5) and the handling code (1 to 5), like B24` }],
      }
    }
    mapped = mapLegacyGrade(legacy)
  }
  const handlingFromLegacy = v.handlingCode === null && mapped !== null
  const grade = {
    sourceEvaluation: v.sourceEvaluation ?? mapped?.source ?? null,
    intelligenceAssessment: v.intelligenceAssessment ?? mapped?.intelligence ?? null,
    handlingCode: v.handlingCode ?? mapped?.handlingCode ?? null,
    // Conditions the user wrote win over the mapping's; the legacy grade stays on the record either way.
    handlingConditions: handlingFromLegacy ? (v.handlingConditions ?? mapped!.handlingConditions) : v.handlingConditions,
  }
  const sharingScope = v.sharingScope ?? (mapped ? scopeFromLegacy(mapped, v.sharedWithAgencyIds) : null)
  const issues = gradeProblems(grade)
  if (sharingScope === null) issues.push({ field: 'sharingScope', message: 'Choose who the record is shared with' })
  if (issues.length > 0) return { value: null, issues }
  return {
    value: {
      ...v,
      sourceEvaluation: grade.sourceEvaluation as SourceEvaluation,
      intelligenceAssessment: Number(grade.intelligenceAssessment),
      handlingCode: grade.handlingCode as HandlingCode,
      handlingConditions: grade.handlingConditions,
      sharingScope: sharingScope!,
    },
    issues: [],
  }
}

// The parts the grade depends on, read on their own so that grade problems are reported together
// with every other faulty field, not only once the rest of the form is right.
const GradeParts = z.object(
  IntelligenceInput.pick({
    sourceEvaluation: true, intelligenceAssessment: true, handlingCode: true, handlingConditions: true, legacyGrade: true, sharingScope: true, sharedWithAgencyIds: true,
  }).shape,
)

// A list's faulty item is reported against the list, where the form shows its message.
export function listField(issues: FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>()
  return issues
    .map((i) => ({ ...i, field: i.field.replace(/\.\d+$/, '') }))
    .filter((i) => !seen.has(`${i.field} ${i.message}`) && Boolean(seen.add(`${i.field} ${i.message}`)))
}

/** Parses a new record: every faulty field at once, grade included. Dates against today are checked by the service. */
export function resolveIntelligenceInput(raw: unknown): { value: IntelligenceInput | null; issues: FieldIssue[] } {
  const whole = IntelligenceInput.safeParse(raw)
  if (whole.success) return settleGrade(whole.data)
  const issues = listField(issuesOf(whole.error))
  const parts = GradeParts.safeParse(raw)
  if (parts.success) {
    const filler = { ...parts.data } as RawIntelligence
    for (const issue of settleGrade(filler).issues) if (!issues.some((i) => i.field === issue.field)) issues.push(issue)
  }
  return { value: null, issues }
}

/** Changes to a record's content, grade and mentions. Marking and handling change through the sharing form. */
export const IntelligenceUpdate = z.strictObject({
  ...content,
  sourceEvaluation: z.preprocess(blankToNull, z.string().nullable()),
  rowVersion,
  reason: requiredText(500, 'Enter why the record is being changed', 'Reason', 3),
})
export type IntelligenceUpdate = z.infer<typeof IntelligenceUpdate>

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' || v === null ? undefined : v), schema.optional())
const optionalDate = (label: string) => optional(isoDate(label))

export const IntelligenceFilters = z.strictObject({
  q: optionalText(200, 'Search'),
  entityId: optional(z.string().uuid('entityId must be an entity id')),
  groupId: optional(z.string().uuid('groupId must be a group id')),
  sourceAgencyId: optional(z.string().uuid('Choose a source agency from the list')),
  sourceEvaluation: optional(z.enum(SOURCE_EVALUATIONS, { error: 'Choose a source evaluation: A, B or C' })),
  intelligenceAssessment: optional(z.enum(INTELLIGENCE_ASSESSMENTS, { error: 'Choose an intelligence assessment from 1 to 5' })),
  handlingCode: optional(z.enum(HANDLING_CODES, { error: 'Choose handling code P or C' })),
  reportedFrom: optionalDate('the first date'),
  reportedTo: optionalDate('the last date'),
})

const datesInOrder = (f: { reportedFrom?: string | undefined; reportedTo?: string | undefined }) => !f.reportedFrom || !f.reportedTo || f.reportedFrom <= f.reportedTo
const datesMessage = { path: ['reportedTo'], message: 'The last date must be the same as or after the first date' }

/** The list: 50 a page, at most 200 pages (deeper than that, narrow the filters). */
export const IntelligenceListQuery = IntelligenceFilters.extend({
  page: z.coerce.number().int().min(1).max(200, 'Narrow the search: at most 200 pages are shown').default(1),
}).refine(datesInOrder, datesMessage)
export type IntelligenceListQuery = z.infer<typeof IntelligenceListQuery>

export const EXPORT_LIMIT = 10_000

/** A CSV export of a filtered list: at most 10,000 records, and a purpose for the disclosure log. */
export const IntelligenceExportQuery = IntelligenceFilters.extend({
  purpose: requiredText(500, 'Enter why you are exporting these records', 'Purpose', 3),
}).refine(datesInOrder, datesMessage)
export type IntelligenceExportQuery = z.infer<typeof IntelligenceExportQuery>

export const ExportPurpose = z.strictObject({ purpose: requiredText(500, 'Enter why you are exporting this record', 'Purpose', 3) })

const Grade = {
  sourceEvaluation: z.enum(SOURCE_EVALUATIONS),
  intelligenceAssessment: z.number().int(),
  grade: z.string().describe('source, intelligence and handling, as "B2C"'),
  gradeDescription: z.string().describe('e.g. "B2 – untested source; known indirectly to the source but corroborated"'),
  legacyGrade: z.string().nullable().describe('the 5x5x5 grade exactly as entered, if the record came with one'),
}

export const IntelligenceSummaryOut = z.object({
  id: z.string(),
  reference: z.string().nullable(),
  reportedOn: z.string(),
  excerpt: z.string(),
  sourceAgencyId: z.string(),
  sourceAgencyName: z.string(),
  ...Grade,
  owningAgencyId: z.string(),
  owningAgencyName: z.string(),
  protectiveMarking: z.enum(PROTECTIVE_MARKINGS),
  handlingCode: z.enum(HANDLING_CODES),
  handlingConditions: z.string().nullable(),
  sharingScope: z.enum(SHARING_SCOPES),
  reviewDate: z.string(),
  createdAt: z.string(),
})
export type IntelligenceSummaryOut = z.infer<typeof IntelligenceSummaryOut>

export const MentionsOut = z.object({
  entities: z.array(z.object({ id: z.string(), schema: z.string(), caption: z.string(), personRole: z.string().nullable() })),
  groups: z.array(z.object({ id: z.string(), name: z.string(), operationName: z.string().nullable() })),
})
export type MentionsOut = z.infer<typeof MentionsOut>

export const LegacyMappingOut = z.object({
  legacy: z.string().describe('the legacy grade in compact form'),
  mappedGrade: z.string().describe('the 3x5x2 grade the local mapping gives'),
  mappedHandlingConditions: z.string().nullable(),
  matchesRecordedGrade: z.boolean(),
  notes: z.object({ source: z.string(), intelligence: z.string(), handling: z.string() }),
})
export type LegacyMappingOut = z.infer<typeof LegacyMappingOut>

export const IntelligenceOut = IntelligenceSummaryOut.extend({
  body: z.string(),
  purpose: z.string(),
  gradeExplained: z.string(),
  legacyMapping: LegacyMappingOut.nullable(),
  mentions: MentionsOut,
  createdBy: z.string(),
  updatedAt: z.string(),
  rowVersion: z.number(),
  ...AccessOut.shape,
})
export type IntelligenceOut = z.infer<typeof IntelligenceOut>

export { HANDLING_NOTICE } from '../../core/exports/csv.ts'

export const IntelligenceExportOut = z.object({
  notice: z.string(),
  protectiveMarking: z.enum(PROTECTIVE_MARKINGS),
  handlingCode: z.enum(HANDLING_CODES),
  handlingConditions: z.string().nullable(),
  exportedAt: z.string(),
  exportedBy: z.string(),
  exportedByAgency: z.string(),
  purpose: z.string(),
  record: IntelligenceOut.omit({ sharedWith: true, grants: true, visibleBecause: true, rowVersion: true }),
})
export type IntelligenceExportOut = z.infer<typeof IntelligenceExportOut>
