import { z } from 'zod'
import { HANDLING_CODES, PROTECTIVE_MARKINGS, SHARING_SCOPES } from '../../core/access/visibility.ts'
import { isoDate, list, optionalText, requiredText } from '../../http/fields.ts'

const handlingFields = {
  protectiveMarking: z.enum(PROTECTIVE_MARKINGS, { error: 'Choose the protective marking' }),
  handlingCode: z.enum(HANDLING_CODES, { error: 'Choose the handling code' }),
  handlingConditions: optionalText(2000, 'Handling conditions'),
  sharingScope: z.enum(SHARING_SCOPES, { error: 'Choose who the note is shared with' }),
  sharedWithAgencyIds: list(z.string().uuid('Choose agencies from the list')).refine((ids) => new Set(ids).size === ids.length, 'Choose each agency once'),
}

export const NoteInput = z.strictObject({
  subject: requiredText(200, 'Enter who or what the note is about', 'Subject'),
  body: requiredText(20_000, 'Enter the note', 'Note'),
  purpose: requiredText(500, 'Enter why this information is held (its lawful purpose)', 'Purpose'),
  reviewDate: isoDate('the review date'),
  ...handlingFields,
})
export type NoteInput = z.infer<typeof NoteInput>

export const SharingInput = z.strictObject({
  ...handlingFields,
  reason: requiredText(500, 'Enter why the sharing is changing', 'Reason', 3),
})
export type SharingInput = z.infer<typeof SharingInput>

export const GrantInput = z
  .strictObject({
    granteeEmail: z.preprocess((v) => (v === '' ? undefined : v), z.string().trim().email('Enter the email address of the user to grant access to').optional()),
    granteeAgencyId: z.preprocess((v) => (v === '' ? undefined : v), z.string().uuid('Choose an agency from the list').optional()),
    reason: requiredText(500, 'Enter why this user or agency needs to see the note', 'Reason', 3),
    expiresOn: z.preprocess((v) => (v === '' ? undefined : v), isoDate('the expiry date').optional()),
  })
  .refine((g) => Boolean(g.granteeEmail) !== Boolean(g.granteeAgencyId), { path: ['granteeEmail'], message: 'Grant access to one user or one agency' })
export type GrantInput = z.infer<typeof GrantInput>

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
  sharedWith: z.array(z.object({ id: z.string(), name: z.string() })),
  grants: z.array(z.object({ id: z.string(), grantee: z.string(), reason: z.string(), expiresAt: z.string().nullable() })),
  rowVersion: z.number(),
  visibleBecause: z.enum(['owning-agency', 'whole-partnership', 'named-agency', 'explicit-grant']),
})
export type NoteOut = z.infer<typeof NoteOut>
