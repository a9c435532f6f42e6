import { z } from 'zod'
import { TOKEN_SCOPES } from '../../core/access/roles.ts'
import { list, requiredText } from '../../http/fields.ts'

export const SignInInput = z.object({
  email: z.string({ error: 'Enter your email address' }).trim().min(1, 'Enter your email address').max(254, 'Email address must be 254 characters or fewer'),
  password: z.string({ error: 'Enter your password' }).min(1, 'Enter your password').max(256, 'Password must be 256 characters or fewer'),
})

export const TokenInput = z.strictObject({
  name: requiredText(100, 'Enter a name for the token, like the system that will use it', 'Name'),
  scopes: list(z.enum(TOKEN_SCOPES, { error: 'Choose scopes from the list' })).refine((s) => s.length > 0, 'Choose at least one scope'),
  expiresInDays: z.preprocess((v) => (v === '' || v === undefined ? 90 : v), z.coerce.number({ error: 'Enter the number of days' }).int('Enter a whole number of days').min(1, 'A token lasts at least 1 day').max(365, 'A token lasts at most 365 days')),
})
export type TokenInput = z.infer<typeof TokenInput>

export const TokenOut = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
})
