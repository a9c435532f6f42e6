import { z } from 'zod'
import { paragraphsOf, SECTION_KEYS } from '../../core/profiles/document.ts'
import { parseSlice } from '../../core/profiles/slices.ts'
import { list, requiredText } from '../../http/fields.ts'
import { HandlingOut, recordFields } from '../records/schema.ts'

const month = (label: string) => z.string({ error: `Enter ${label} as YYYY-MM` }).trim().regex(/^\d{4}-(0[1-9]|1[0-2])$/, `${label} must be a month written YYYY-MM`)

/** A slice as the command line writes it (key=Label:Type|Type); none means the default slices. */
const sliceText = z.string().trim().superRefine((text, ctx) => {
  const parsed = parseSlice(text)
  if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error })
})

const From = month('From')
const To = month('To')
/** Comparing the months only means something when both are written properly. */
const bothMonths = (payload: { value: unknown }) => {
  const v = payload.value as { from?: unknown; to?: unknown }
  return From.safeParse(v.from).success && To.safeParse(v.to).success
}

export const LocalProfileInput = z
  .strictObject({
    title: requiredText(200, 'Enter a title for the profile', 'Title'),
    area: z.string({ error: 'Choose the area' }).trim().regex(/^([EWSN][0-9]{8}|custom-[0-9]+)$/, 'Area must be an ONS area code such as E23000021, or a custom area'),
    from: From,
    to: To,
    slices: list(sliceText).refine((s) => s.length <= 20, 'Choose at most 20 slices'),
    ...recordFields,
  })
  .refine((p) => p.to >= p.from, { path: ['to'], message: 'To must be the same month as From or after it', when: bothMonths })
export type LocalProfileInput = z.infer<typeof LocalProfileInput>

/** A section's narrative: text with blank lines between paragraphs, or the paragraphs as a list. */
const sectionText = z.union([z.string().max(50_000, 'A section must be 50,000 characters or fewer'), z.array(z.string().max(10_000, 'A paragraph must be 10,000 characters or fewer')).max(200)]).transform((v) => (typeof v === 'string' ? paragraphsOf(v) : v.map((p) => p.trim()).filter((p) => p.length > 0)))

export const NarrativeInput = z.strictObject({
  expectedVersion: z.coerce.number({ error: 'expectedVersion is required: the version you edited' }).int().min(1),
  note: requiredText(500, 'Say what you changed, for the version history', 'Note'),
  narrative: z.strictObject(Object.fromEntries(SECTION_KEYS.map((k) => [k, sectionText.optional()])) as Record<(typeof SECTION_KEYS)[number], z.ZodOptional<typeof sectionText>>),
})
export type NarrativeInput = z.infer<typeof NarrativeInput>

export const RebuildInput = z.strictObject({
  expectedVersion: z.coerce.number({ error: 'expectedVersion is required: the version you rebuilt from' }).int().min(1),
  note: requiredText(500, 'Say why the figures are rebuilt, for the version history', 'Note'),
})

export const CompareQuery = z.strictObject({
  from: z.coerce.number({ error: 'from must be a version number' }).int().min(1),
  to: z.coerce.number({ error: 'to must be a version number' }).int().min(1),
})

export const VersionQuery = z.strictObject({
  version: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number({ error: 'version must be a version number' }).int().min(1).optional()),
})

export const LocalProfileSummaryOut = z.object({
  id: z.string(),
  title: z.string(),
  areaCode: z.string(),
  areaName: z.string(),
  periodFrom: z.string(),
  periodTo: z.string(),
  currentVersion: z.number(),
  ...HandlingOut.shape,
  reviewDate: z.string(),
  updatedAt: z.string(),
})
export type LocalProfileSummaryOut = z.infer<typeof LocalProfileSummaryOut>

export const VersionOut = z.object({
  version: z.number(),
  note: z.string(),
  sectionsChanged: z.array(z.string()),
  createdAt: z.string(),
  createdBy: z.string(),
  agency: z.string(),
})
export type VersionOut = z.infer<typeof VersionOut>
