import { z } from 'zod'
import { ALL_FIELDS } from '../../core/matching/fieldMap.ts'
import { checkbox, optionalText, requiredText, uuid } from '../../http/fields.ts'
import { recordFields } from '../records/schema.ts'

/** Largest partner file accepted, uploaded or sent through the API. */
export const MAX_FILE_BYTES = 50 * 1024 * 1024

export const RECORD_KINDS = ['person', 'business'] as const
export const KIND_LABELS: Record<(typeof RECORD_KINDS)[number], string> = { person: 'People', business: 'Businesses and premises' }
export const DECISIONS = ['same', 'not_same', 'unsure'] as const
export const DECISION_LABELS: Record<(typeof DECISIONS)[number], string> = { same: 'The same', not_same: 'Not the same', unsure: 'Unsure' }

const columns = z.union([z.string(), z.array(z.string())]).describe('the heading of the column, or several headings read as one value joined by spaces')

/** What a dataset is and how it is read, besides its file: the same on the mapping page and in the API. */
export const datasetFields = {
  name: requiredText(200, 'Enter a name for the dataset', 'Name'),
  kind: z.enum(RECORD_KINDS, { error: 'Choose whether the file holds people or businesses and premises' }),
  idColumn: requiredText(200, 'Choose the column that holds each record’s identifier', 'Identifier column'),
  encoding: optionalText(40, 'Encoding').describe('the encoding of a CSV file without a byte-order mark, when it is not UTF-8: windows-1252, latin1…'),
  sheet: optionalText(100, 'Sheet').describe('the sheet of a workbook to read; the first when none is named'),
  ...recordFields,
}

export const DatasetImportRequest = z.strictObject({
  fileName: requiredText(255, 'Enter the file’s name, ending .csv or .xlsx', 'File name'),
  content: z.string({ error: 'Send the file’s bytes, base64, in "content"' }).min(1, 'Send the file’s bytes, base64, in "content"').max(Math.ceil((MAX_FILE_BYTES * 4) / 3) + 4, 'The file must be 50 MB or smaller'),
  mapping: z.record(z.string(), columns).describe(`canonical field → column: ${ALL_FIELDS.join(', ')}`),
  dryRun: z.boolean({ error: 'dryRun must be true or false' }).default(true).describe('true (the default): check every row and save nothing'),
  ...datasetFields,
})
export type DatasetImportRequest = z.infer<typeof DatasetImportRequest>

export const RunInput = z
  .strictObject({
    leftDatasetId: uuid('Choose the first dataset'),
    rightDatasetId: z.preprocess((v) => (v === '' || v === null ? undefined : v), uuid('Choose the second dataset from the list').optional()).describe('left out: the first dataset is searched for duplicates'),
    matchThreshold: z.coerce.number({ error: 'Enter the match threshold as a number between 0 and 1' }).gt(0, 'The match threshold must be more than 0').lt(1, 'The match threshold must be less than 1').default(0.9),
    reviewThreshold: z.coerce.number({ error: 'Enter the review threshold as a number between 0 and 1' }).gt(0, 'The review threshold must be more than 0').lt(1, 'The review threshold must be less than 1').default(0.5),
    retrain: checkbox.describe('true: train the model again even if one is saved for this pair'),
    purpose: requiredText(500, 'Enter why the datasets are being matched (its lawful purpose)', 'Purpose'),
  })
  .refine((r) => r.reviewThreshold <= r.matchThreshold, { path: ['reviewThreshold'], message: 'The review threshold must be at or below the match threshold' })
export type RunInput = z.infer<typeof RunInput>

export const DecisionInput = z.strictObject({
  decision: z.enum(DECISIONS, { error: 'Choose whether the two records are the same, not the same, or you are unsure' }),
  reason: optionalText(1000, 'Reason'),
})
export type DecisionInput = z.infer<typeof DecisionInput>

export const EntityLinkInput = z.strictObject({
  entityId: uuid('Enter the id of a person or business in Achilles'),
  reason: requiredText(1000, 'Enter why the partner records are this person or business', 'Reason', 3),
})
export type EntityLinkInput = z.infer<typeof EntityLinkInput>

export const IdParams = z.object({ id: z.uuid('id must be an id') })

// Outputs

export const ProblemOut = z.object({
  file: z.string(),
  row: z.number().nullable().describe('the row in the file (headings are row 1); null for the whole file or its mapping'),
  column: z.string().nullable().describe('the column as a person finds it: its letter and heading'),
  code: z.string(),
  message: z.string(),
  text: z.string().describe('the problem in one line: file, row, column and message'),
})

export const DryRunOut = z.object({ dryRun: z.literal(true), fileName: z.string(), format: z.string().nullable(), encoding: z.string().nullable(), rows: z.number(), records: z.number(), fields: z.array(z.string()), unusedColumns: z.array(z.string()).describe('headings no field is read from: left out of the dataset'), problems: z.array(ProblemOut) })
export const ImportedOut = z.object({ dryRun: z.literal(false), datasetId: z.string(), records: z.number(), fields: z.array(z.string()) })
export const RefusedOut = z.object({ type: z.string(), title: z.string(), status: z.literal(422), detail: z.string(), problems: z.array(ProblemOut) })

export const DatasetOut = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(RECORD_KINDS),
  fileName: z.string(),
  fileFormat: z.string(),
  idColumn: z.string(),
  mapping: z.record(z.string(), z.array(z.string())),
  fields: z.array(z.string()),
  recordCount: z.number(),
  owningAgencyId: z.string(),
  owningAgencyName: z.string(),
  purpose: z.string(),
  protectiveMarking: z.string(),
  handlingCode: z.string(),
  handlingConditions: z.string().nullable(),
  sharingScope: z.string(),
  reviewDate: z.string(),
  createdAt: z.string(),
})

const LevelOut = z.object({ label: z.string(), m: z.number(), u: z.number(), weight: z.number().describe('log2(m/u): the bits agreement at this level adds') })
export const ModelOut = z.object({
  prior: z.number(),
  comparisons: z.array(z.object({ key: z.string(), label: z.string(), termFrequency: z.boolean(), levels: z.array(LevelOut) })),
  training: z.unknown(),
})

export const FieldWeightOut = z.object({
  key: z.string(),
  label: z.string(),
  level: z.number(),
  meaning: z.string(),
  weight: z.number().describe('bits this field added; negative is evidence against'),
  termFrequencyAdjustment: z.number().describe('the part of the weight from how rare the agreeing value is'),
  m: z.number().nullable(),
  u: z.number().nullable(),
})
export const ExplanationOut = z.object({ weight: z.number(), probability: z.number(), prior: z.number().describe('the prior log-odds, in bits'), fields: z.array(FieldWeightOut) })

export const PairSummaryOut = z.object({
  id: z.string(),
  runId: z.string(),
  leftRecordId: z.string(),
  rightRecordId: z.string(),
  leftCaption: z.string(),
  rightCaption: z.string(),
  weight: z.number(),
  probability: z.number(),
  band: z.string(),
  decision: z.string().nullable().describe('the decision in force for the pair now'),
})

export const RunOut = z.object({
  id: z.string(),
  kind: z.string(),
  leftDataset: z.object({ id: z.string(), name: z.string() }),
  rightDataset: z.object({ id: z.string(), name: z.string() }),
  deduplication: z.boolean(),
  matchThreshold: z.number(),
  reviewThreshold: z.number(),
  modelTrained: z.boolean().describe('true: trained in this run; false: the saved model of the pair was reused'),
  decisionsApplied: z.number(),
  figures: z.unknown(),
  model: ModelOut,
  createdAt: z.string(),
  counts: z.object({ match: z.number(), review: z.number(), awaitingReview: z.number() }),
})

const DecisionOut = z.object({ id: z.string(), decision: z.string(), reason: z.string().nullable(), replacesId: z.string().nullable(), decidedBy: z.string(), decidedAt: z.string() })

export const PairOut = PairSummaryOut.extend({
  explanation: ExplanationOut,
  left: z.object({ datasetId: z.string(), datasetName: z.string(), recordId: z.string(), row: z.number().nullable(), values: z.record(z.string(), z.string()) }),
  right: z.object({ datasetId: z.string(), datasetName: z.string(), recordId: z.string(), row: z.number().nullable(), values: z.record(z.string(), z.string()) }),
  decisionAtRun: z.string().nullable(),
  history: z.array(DecisionOut),
  entityLinks: z.array(z.object({ id: z.string(), side: z.enum(['left', 'right']), entityId: z.string(), entityCaption: z.string(), reason: z.string(), linkedAt: z.string() })),
  candidates: z.array(z.object({ id: z.string(), caption: z.string(), schema: z.string(), birthDate: z.string().nullable(), postcode: z.string().nullable() })).describe('for a confirmed match: the people or businesses you may see with the same name'),
})
