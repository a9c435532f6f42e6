import { z } from 'zod'
import { THREAT_AREAS } from '../../core/reference/crime.ts'
import { SUBJECTS } from '../../core/scoring/modelDefinition.ts'
import { RANKING_INPUTS } from '../../core/scoring/peopleRanking.ts'
import { CHANGE_KINDS } from '../../core/scoring/rescore.ts'
import { isoDate, optionalText, requiredText } from '../../http/fields.ts'

// Inputs and outputs of prioritisation: models, assessments and the boards. The model files
// themselves are checked by parseModelDefinition in src/core/scoring, which names every problem by
// its path; these schemas only carry them.

/** The same rule as the prioritisation_models.key column (0009_prioritisation.sql). */
export const MODEL_KEY = /^[a-z][a-z0-9_-]{1,40}$/
const modelKey = z.string().regex(MODEL_KEY, 'A model key is 2 to 41 lower-case letters, digits, hyphens or underscores, starting with a letter')

export const ModelKeyParams = z.object({ key: modelKey })
export const ModelVersionParams = z.object({ key: modelKey, version: z.coerce.number().int('The version is a whole number').min(1, 'Versions start at 1').max(100_000) })
const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v)

export const PublishInput = z.strictObject({
  definition: z.record(z.string(), z.unknown(), { error: 'Give the model definition as a JSON object' }),
  changeNote: requiredText(2000, 'Enter a change note saying what changed in this version and why', 'Change note', 3),
})
export type PublishInput = z.infer<typeof PublishInput>

export const ModelSummaryOut = z.object({
  id: z.string(),
  key: z.string(),
  version: z.number(),
  title: z.string(),
  subjects: z.array(z.enum(SUBJECTS)),
  changeNote: z.string().nullable(),
  publishedAt: z.string(),
  publishedBy: z.string().nullable(),
  current: z.boolean().describe('Whether this is the newest version of its key, the one new assessments use'),
})
export type ModelSummaryOut = z.infer<typeof ModelSummaryOut>

export const ModelOut = ModelSummaryOut.extend({
  definition: z.record(z.string(), z.unknown()).describe('The model file: parts, factors with every scale point, combination rule, confidence, opportunity and bands (docs/prioritisation.md)'),
  assessmentsOnThisVersion: z.number().describe('Current assessments scored with this version'),
  assessmentsOnOlderVersions: z.number().describe('Current assessments of this key scored with an older version: candidates to carry forward'),
})
export type ModelOut = z.infer<typeof ModelOut>

export const RescoreOut = z.object({
  modelKey: z.string(),
  version: z.number(),
  considered: z.number().describe('Current assessments of this key on an older version'),
  carried: z.number().describe('Re-scored under the new version from the same answers'),
  needsRescore: z.array(
    z.object({
      assessmentId: z.string(),
      subjectType: z.enum(SUBJECTS),
      subjectId: z.string().nullable(),
      threatArea: z.string().nullable(),
      problems: z.array(z.object({ field: z.string(), message: z.string() })),
    }),
  ).describe('Assessments whose answers do not fit the new version: a person must score them again'),
})
export type RescoreOut = z.infer<typeof RescoreOut>

// Assessments

const factorAnswer = z.strictObject({
  value: z.number({ error: 'Choose a point on the scale' }).int('Choose a point on the scale').optional(),
  rationale: z.string({ error: 'Explain the score in words' }).max(4000, 'A rationale must be 4,000 characters or fewer').optional(),
})

export const AssessmentInput = z
  .strictObject({
    subjectType: z.enum(SUBJECTS, { error: `Choose what is being assessed: ${SUBJECTS.join(', ')}` }),
    subjectId: z.preprocess(blankToUndefined, z.uuid('Choose the group or person from the register').optional()),
    threatArea: z.preprocess(blankToUndefined, z.enum(THREAT_AREAS, { error: 'Choose a threat area from the list' }).optional()),
    modelKey: z.preprocess(blankToUndefined, modelKey.optional()).describe('Which model to score with; by default the one whose current version covers the subject type'),
    factors: z.record(z.string(), factorAnswer, { error: 'Give an answer for each factor' }).default({}),
    confidence: z.number({ error: 'Choose a confidence level' }).int('Choose a confidence level').optional(),
    reviewDate: isoDate('the review date').describe('When this assessment must be looked at again (YYYY-MM-DD)'),
  })
  .superRefine((a, ctx) => {
    if (a.subjectType === 'threat_area') {
      if (!a.threatArea) ctx.addIssue({ code: 'custom', path: ['threatArea'], message: 'Choose the threat area being assessed' })
      if (a.subjectId) ctx.addIssue({ code: 'custom', path: ['subjectId'], message: 'A threat area is named by threatArea, not by a subject id' })
    } else {
      if (!a.subjectId) ctx.addIssue({ code: 'custom', path: ['subjectId'], message: `Choose the ${a.subjectType} being assessed` })
      if (a.threatArea) ctx.addIssue({ code: 'custom', path: ['threatArea'], message: `A ${a.subjectType} assessment has no threat area: remove it` })
    }
  })
export type AssessmentInput = z.infer<typeof AssessmentInput>

export const SubjectQuery = z
  .strictObject({
    subjectType: z.enum(SUBJECTS, { error: `Choose what is being assessed: ${SUBJECTS.join(', ')}` }),
    subjectId: z.preprocess(blankToUndefined, z.uuid('The subject id must be the id of a group or person').optional()),
    threatArea: z.preprocess(blankToUndefined, z.enum(THREAT_AREAS, { error: 'Choose a threat area from the list' }).optional()),
    model: z.preprocess(blankToUndefined, modelKey.optional()),
  })
  .superRefine((a, ctx) => {
    if (a.subjectType === 'threat_area' && !a.threatArea) ctx.addIssue({ code: 'custom', path: ['threatArea'], message: 'Name the threat area' })
    if (a.subjectType !== 'threat_area' && !a.subjectId) ctx.addIssue({ code: 'custom', path: ['subjectId'], message: `Give the id of the ${a.subjectType}` })
  })
export type SubjectQuery = z.infer<typeof SubjectQuery>

export const PromptOut = z.object({
  reason: z.enum(['never_assessed', 'review_date_passed', ...CHANGE_KINDS]),
  message: z.string(),
  at: z.string().nullable(),
  count: z.number(),
})
export type PromptOut = z.infer<typeof PromptOut>

const bandOut = z.object({ id: z.string(), label: z.string(), description: z.string() })
const confidenceOut = z.object({ value: z.number(), label: z.string(), descriptor: z.string() })
const opportunityOut = z.object({ level: z.string(), label: z.string(), description: z.string(), score: z.number() })

export const AssessmentSummaryOut = z.object({
  id: z.string(),
  modelId: z.string(),
  modelKey: z.string(),
  modelVersion: z.number(),
  modelTitle: z.string(),
  subjectType: z.enum(SUBJECTS),
  subjectId: z.string().nullable(),
  threatArea: z.string().nullable(),
  score: z.number(),
  band: bandOut,
  confidence: confidenceOut,
  opportunity: opportunityOut,
  reviewDate: z.string().nullable(),
  owningAgencyId: z.string(),
  owningAgencyName: z.string(),
  scoredBy: z.string(),
  scoredAt: z.string(),
  carriedFromId: z.string().nullable().describe('Set when the assessment was carried forward to a new model version from these same answers'),
  judgedAt: z.string().describe('When a person last made these judgements: scoredAt, or for a carried-forward assessment the time of the original'),
  supersededAt: z.string().nullable(),
  supersededById: z.string().nullable(),
  current: z.boolean(),
})
export type AssessmentSummaryOut = z.infer<typeof AssessmentSummaryOut>

export const AssessmentOut = AssessmentSummaryOut.extend({
  subjectName: z.string(),
  subjectHref: z.string().nullable().describe('The page of the group or person assessed'),
  judgedBy: z.string().nullable().describe('For a carried-forward assessment, who made the original judgements'),
  parts: z.array(
    z.object({ part: z.string(), label: z.string(), direction: z.string(), aggregate: z.string(), normalised: z.number(), towardsPriority: z.number(), points: z.number(), share: z.number() }),
  ),
  explanation: z.array(
    z.object({
      factorId: z.string(),
      label: z.string(),
      part: z.string(),
      partLabel: z.string(),
      value: z.number(),
      scaleLabel: z.string(),
      descriptor: z.string(),
      weight: z.number(),
      contribution: z.number(),
      points: z.number(),
      share: z.number(),
      sharePercent: z.number(),
      rationale: z.string(),
    }),
  ),
  prompts: z.array(PromptOut).describe('Why the score may be out of date (only for a current assessment)'),
})
export type AssessmentOut = z.infer<typeof AssessmentOut>

export const HistoryOut = z.object({
  subjectType: z.enum(SUBJECTS),
  subjectId: z.string().nullable(),
  threatArea: z.string().nullable(),
  subjectName: z.string(),
  subjectHref: z.string().nullable(),
  assessments: z.array(AssessmentSummaryOut),
})
export type HistoryOut = z.infer<typeof HistoryOut>

// Boards

const optionalEnum = <T extends readonly [string, ...string[]]>(values: T, message: string) => z.preprocess(blankToUndefined, z.enum(values, { error: message }).optional())
const band = z.preprocess(blankToUndefined, z.string().regex(/^[a-z][a-z0-9_]*$/, 'Choose a band from the list').optional())
const confidence = z.preprocess(blankToUndefined, z.coerce.number({ error: 'Choose a confidence level from the list' }).int('Choose a confidence level from the list').min(0).max(100).optional())

export const GroupBoardQuery = z.strictObject({
  threatArea: optionalEnum(THREAT_AREAS, 'Choose a threat area from the list'),
  area: optionalText(100, 'Area').transform((v) => v ?? undefined).describe('Part of the name or code of an area the group operates in, any case'),
  agency: z.preprocess(blankToUndefined, z.uuid('The agency must be an agency id').optional()).describe("The owning agency's id"),
  agencyName: optionalText(200, 'Agency').transform((v) => v ?? undefined).describe("Part of the owning agency's name, any case"),
  band,
  confidence,
  page: z.coerce.number({ error: 'The page must be a number' }).int().min(1, 'Pages start at 1').max(10_000).default(1),
})
export type GroupBoardQuery = z.infer<typeof GroupBoardQuery>

export const PeopleBoardQuery = z.strictObject({
  top: z.preprocess(blankToUndefined, z.coerce.number({ error: 'Enter how many people to show, from 1 to 500' }).int('Enter a whole number of people, from 1 to 500').min(1, 'Show at least 1 person').max(500, 'Show at most 500 people').default(20)),
  threatArea: optionalEnum(THREAT_AREAS, 'Choose a threat area from the list'),
  area: optionalText(100, 'Area').transform((v) => v ?? undefined).describe('Part of the name or code of an area one of their groups operates in, any case'),
  agency: z.preprocess(blankToUndefined, z.uuid('The agency must be an agency id').optional()).describe("The id of the agency holding the person's record"),
  agencyName: optionalText(200, 'Agency').transform((v) => v ?? undefined).describe("Part of the name of the agency holding the person's record, any case"),
  band,
  confidence,
})
export type PeopleBoardQuery = z.infer<typeof PeopleBoardQuery>

export const ThreatBoardQuery = z.strictObject({
  band,
  confidence,
})
export type ThreatBoardQuery = z.infer<typeof ThreatBoardQuery>

const boardAssessment = z.object({
  id: z.string(),
  score: z.number(),
  band: z.object({ id: z.string(), label: z.string() }),
  confidence: z.object({ value: z.number(), label: z.string() }),
  opportunity: z.object({ level: z.string(), label: z.string() }),
  modelVersion: z.number(),
  scoredAt: z.string(),
  reviewDate: z.string().nullable(),
})

export const GroupBoardRowOut = z.object({
  rank: z.number().nullable().describe('Position among assessed groups on this board; null when not yet assessed'),
  groupId: z.string(),
  name: z.string(),
  operationName: z.string().nullable(),
  status: z.string(),
  threatAreas: z.array(z.string()),
  areas: z.array(z.string()),
  owningAgencyId: z.string(),
  owningAgencyName: z.string(),
  assessment: boardAssessment.nullable(),
  prompts: z.array(PromptOut),
})
export type GroupBoardRowOut = z.infer<typeof GroupBoardRowOut>

export const GroupBoardOut = z.object({
  model: z.object({ key: z.string(), version: z.number(), title: z.string() }),
  total: z.number(),
  page: z.number(),
  groups: z.array(GroupBoardRowOut),
})

export const PersonBoardRowOut = z.object({
  rank: z.number(),
  personId: z.string(),
  name: z.string(),
  total: z.number(),
  ownAssessment: z.object({ id: z.string(), score: z.number(), band: z.object({ id: z.string(), label: z.string() }), confidence: z.object({ value: z.number(), label: z.string() }) }).nullable(),
  groups: z.array(z.object({ id: z.string(), name: z.string(), score: z.number() })),
  linkCount: z.number(),
  components: z.array(
    z.object({
      input: z.enum(RANKING_INPUTS),
      label: z.string(),
      raw: z.union([z.number(), z.array(z.number())]).nullable(),
      normalised: z.number().nullable(),
      missing: z.boolean(),
      weight: z.number(),
      effectiveWeight: z.number(),
      contribution: z.number(),
      share: z.number(),
      sharePercent: z.number(),
      detail: z.string(),
    }),
  ),
  missingInputs: z.array(z.enum(RANKING_INPUTS)),
})
export type PersonBoardRowOut = z.infer<typeof PersonBoardRowOut>

export const PeopleBoardOut = z.object({
  weights: z.object({ version: z.number(), title: z.string(), description: z.string() }),
  considered: z.number().describe('Suspects on the board before taking the top N'),
  people: z.array(PersonBoardRowOut),
})

export const ThreatBoardRowOut = z.object({
  rank: z.number().nullable(),
  threatArea: z.string(),
  label: z.string(),
  assessment: boardAssessment.nullable(),
  prompts: z.array(PromptOut),
})
export type ThreatBoardRowOut = z.infer<typeof ThreatBoardRowOut>

export const ThreatBoardOut = z.object({
  model: z.object({ key: z.string(), version: z.number(), title: z.string() }).nullable(),
  threats: z.array(ThreatBoardRowOut),
})
