import { z } from 'zod'
import { ROLES } from '../../core/access/roles.ts'
import { checkbox, email, list, optionalText, requiredText, rowVersion, uuid } from '../../http/fields.ts'

export const PASSWORD_MIN = 12

const password = z
  .string({ error: 'Enter a password' })
  .min(PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters`)
  .max(256, 'Password must be 256 characters or fewer')

const roles = list(z.enum(ROLES, { error: 'Choose roles from the list' })).refine((r) => r.length > 0, 'Choose at least one role')

export const UserInput = z.strictObject({
  email: email('Enter the email address'),
  displayName: requiredText(200, 'Enter the full name', 'Full name'),
  jobTitle: optionalText(200, 'Job title'),
  agencyId: uuid('Choose the agency the user works for'),
  roles,
  password,
})
export type UserInput = z.infer<typeof UserInput>

export const UserUpdate = z.strictObject({
  email: email('Enter the email address'),
  displayName: requiredText(200, 'Enter the full name', 'Full name'),
  jobTitle: optionalText(200, 'Job title'),
  agencyId: uuid('Choose the agency the user works for'),
  roles,
  active: checkbox,
  rowVersion,
})
export type UserUpdate = z.infer<typeof UserUpdate>

export const PasswordReset = z.strictObject({ password })

export const PasswordChange = z
  .strictObject({
    currentPassword: z.string({ error: 'Enter your current password' }).min(1, 'Enter your current password').max(256),
    password,
    confirmPassword: z.string({ error: 'Enter the new password again' }).min(1, 'Enter the new password again').max(256),
  })
  .refine((p) => p.password === p.confirmPassword, { path: ['confirmPassword'], message: 'The new passwords do not match' })
  .refine((p) => p.password !== p.currentPassword, { path: ['password'], message: 'Choose a new password different from the current one' })

export const UserListQuery = z.strictObject({
  q: optionalText(100, 'Search'),
  agencyId: z.preprocess((v) => (v === '' ? undefined : v), z.string().uuid('Choose an agency from the list').optional()),
  role: z.preprocess((v) => (v === '' ? undefined : v), z.enum(ROLES, { error: 'Choose a role from the list' }).optional()),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
})
export type UserListQuery = z.infer<typeof UserListQuery>

export const UserOut = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  jobTitle: z.string().nullable(),
  agencyId: z.string(),
  agencyName: z.string(),
  roles: z.array(z.enum(ROLES)),
  active: z.boolean(),
  lockedUntil: z.string().nullable(),
  lastSignInAt: z.string().nullable(),
  rowVersion: z.number(),
  createdAt: z.string(),
})
export type UserOut = z.infer<typeof UserOut>
