import { z } from 'zod'
import { HANDLING_CODES, PROTECTIVE_MARKINGS, SHARING_SCOPES } from '../../core/access/visibility.ts'
import { optionalText, requiredText } from '../../http/fields.ts'
import { AccessOut, recordFields } from '../records/schema.ts'

export const NoteInput = z.strictObject({
  subject: requiredText(200, 'Enter who or what the note is about', 'Subject'),
  body: requiredText(20_000, 'Enter the note', 'Note'),
  ...recordFields,
})
export type NoteInput = z.infer<typeof NoteInput>

export { GrantInput, SharingInput } from '../records/schema.ts'

export const NoteListQuery = z.strictObject({
  q: optionalText(100, 'Search'),
  owner: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['mine', 'others']).optional()),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
})
export type NoteListQuery = z.infer<typeof NoteListQuery>

export const NoteSummaryOut = z.object({
  id: z.string(),
  subject: z.string(),
  owningAgencyId: z.string(),
  owningAgencyName: z.string(),
  protectiveMarking: z.enum(PROTECTIVE_MARKINGS),
  handlingCode: z.enum(HANDLING_CODES),
  handlingConditions: z.string().nullable(),
  sharingScope: z.enum(SHARING_SCOPES),
  reviewDate: z.string(),
  createdAt: z.string(),
})
export type NoteSummaryOut = z.infer<typeof NoteSummaryOut>

export const NoteOut = NoteSummaryOut.extend({
  body: z.string(),
  purpose: z.string(),
  createdBy: z.string(),
  rowVersion: z.number(),
  ...AccessOut.shape,
})
export type NoteOut = z.infer<typeof NoteOut>
