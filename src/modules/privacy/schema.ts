import { z } from 'zod'
import { isoDate, optionalText, requiredText } from '../../http/fields.ts'

// Inputs and outputs of the privacy-preserving index: one definition for forms and API. The
// encodings file travels as its text, exactly as `achilles encode` wrote it.

/** Largest encodings file a page or API call takes (about 20,000 people at the default sizes). */
export const MAX_ENCODINGS_BYTES = 48 * 1024 * 1024
/** Records a query file may hold: a few subjects in mind, not a whole file (upload that instead). */
export const MAX_QUERY_RECORDS = 20

export const KINDS = ['person', 'business'] as const
export const KIND_LABELS: Record<(typeof KINDS)[number], string> = { person: 'People', business: 'Businesses and premises' }
export const MODES = ['encoded', 'our_upload'] as const
export const MODE_LABELS: Record<(typeof MODES)[number], string> = {
  encoded: 'Records encoded for this question with achilles encode',
  our_upload: 'All the records my agency has uploaded',
}
export const STRENGTH_LABELS = { strong: 'Strong match', probable: 'Probable match' } as const

const encodings = z.string({ error: 'Choose the encodings file written by achilles encode' }).min(1, 'Choose the encodings file written by achilles encode')
  .max(MAX_ENCODINGS_BYTES, `The encodings file must be ${MAX_ENCODINGS_BYTES / 1024 / 1024} MB or smaller`)

export const UploadInput = z.strictObject({
  contact: requiredText(500, 'Enter whom a partner with a match should contact: a team, a telephone number or an e-mail address', 'Contact'),
  purpose: requiredText(500, 'Enter the purpose for which your agency offers these records for matching', 'Purpose'),
  reviewDate: isoDate('the review date'),
  fileName: optionalText(255, 'File name'),
  encodings,
})
export type UploadInput = z.output<typeof UploadInput>

export const QueryInput = z.strictObject({
  mode: z.enum(MODES, { error: 'Choose what to ask about: records encoded for this question, or all your agency’s uploaded records' }),
  purpose: requiredText(500, 'Enter the purpose of the question: it is logged and shown to an agency that holds a match', 'Purpose'),
  kind: z.preprocess((v) => (v === '' || v === undefined ? 'person' : v), z.enum(KINDS, { error: 'Choose people, or businesses and premises' })),
  encodings: z.preprocess((v) => (v === '' ? undefined : v), encodings.optional()),
}).superRefine((q, ctx) => {
  if (q.mode === 'encoded' && q.encodings === undefined) ctx.addIssue({ code: 'custom', path: ['encodings'], message: 'Choose the encodings file written by achilles encode for the records you have in mind' })
  if (q.mode === 'our_upload' && q.encodings !== undefined) ctx.addIssue({ code: 'custom', path: ['encodings'], message: 'Give no file when asking about your agency’s uploaded records' })
})
export type QueryInput = z.output<typeof QueryInput>

export const UploadOut = z.object({
  id: z.string(),
  kind: z.enum(KINDS),
  records: z.number(),
  keyCheck: z.string(),
  fileName: z.string().nullable(),
  contact: z.string(),
  purpose: z.string(),
  reviewDate: z.string(),
  uploadedAt: z.string(),
  rowVersion: z.number(),
  /** Other agencies' uploads of the kind made with the same secret: those this one is matched with. */
  matchedWith: z.number(),
})
export type UploadOut = z.output<typeof UploadOut>

export const HitOut = z.object({
  askedRef: z.string().nullable().describe('your record asked about, by the ref achilles encode gave it (null for a query file of one record)'),
  agencyId: z.string(),
  agencyName: z.string(),
  contact: z.string(),
  strength: z.enum(['strong', 'probable']),
})
export const QueryOut = z.object({
  id: z.string(),
  kind: z.enum(KINDS),
  mode: z.enum(MODES),
  purpose: z.string(),
  recordsAsked: z.number(),
  askedAt: z.string(),
  hits: z.array(HitOut),
})
export type QueryOut = z.output<typeof QueryOut>
