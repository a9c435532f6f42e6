import { z } from 'zod'
import { HANDLING_CODES, PROTECTIVE_MARKINGS, SHARING_SCOPES } from '../../core/access/visibility.ts'
import { isoDate, list, optionalText, requiredText } from '../../http/fields.ts'

// Every restricted record (notes, entities, links, groups, intelligence) is marked, handled and
// shared the same way, so the same fields validate all of them.

export const handlingFields = {
  protectiveMarking: z.enum(PROTECTIVE_MARKINGS, { error: 'Choose the protective marking' }),
  handlingCode: z.enum(HANDLING_CODES, { error: 'Choose the handling code' }),
  handlingConditions: optionalText(2000, 'Handling conditions'),
  sharingScope: z.enum(SHARING_SCOPES, { error: 'Choose who the record is shared with' }),
  sharedWithAgencyIds: list(z.string().uuid('Choose agencies from the list')).refine((ids) => new Set(ids).size === ids.length, 'Choose each agency once'),
}

/** What a new restricted record needs besides its content: why it is held, its handling, its review. */
export const recordFields = {
  purpose: requiredText(500, 'Enter why this information is held (its lawful purpose)', 'Purpose'),
  reviewDate: isoDate('the review date'),
  ...handlingFields,
}

export const SharingInput = z.strictObject({
  ...handlingFields,
  reason: requiredText(500, 'Enter why the sharing is changing', 'Reason', 3),
})
export type SharingInput = z.infer<typeof SharingInput>

export const GrantInput = z
  .strictObject({
    granteeEmail: z.preprocess((v) => (v === '' ? undefined : v), z.string().trim().email('Enter the email address of the user to grant access to').optional()),
    granteeAgencyId: z.preprocess((v) => (v === '' ? undefined : v), z.string().uuid('Choose an agency from the list').optional()),
    reason: requiredText(500, 'Enter why this user or agency needs to see the record', 'Reason', 3),
    expiresOn: z.preprocess((v) => (v === '' ? undefined : v), isoDate('the expiry date').optional()),
  })
  .refine((g) => Boolean(g.granteeEmail) !== Boolean(g.granteeAgencyId), { path: ['granteeEmail'], message: 'Grant access to one user or one agency' })
export type GrantInput = z.infer<typeof GrantInput>

/** The handling every restricted record shows and exports, so conditions travel with it. */
export const HandlingOut = z.object({
  owningAgencyId: z.string(),
  owningAgencyName: z.string(),
  protectiveMarking: z.enum(PROTECTIVE_MARKINGS),
  handlingCode: z.enum(HANDLING_CODES),
  handlingConditions: z.string().nullable(),
  sharingScope: z.enum(SHARING_SCOPES),
})
export type HandlingOut = z.infer<typeof HandlingOut>

/** Who else may see a record, and why the caller may. */
export const AccessOut = z.object({
  sharedWith: z.array(z.object({ id: z.string(), name: z.string() })),
  grants: z.array(z.object({ id: z.string(), grantee: z.string(), reason: z.string(), expiresAt: z.string().nullable() })),
  visibleBecause: z.enum(['owning-agency', 'whole-partnership', 'named-agency', 'explicit-grant']),
})
export type AccessOut = z.infer<typeof AccessOut>

export const ReasonInput = z.strictObject({ reason: requiredText(500, 'Enter the reason', 'Reason', 3) })
