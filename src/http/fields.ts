import { z } from 'zod'

// Field types shared by forms and the API. A form posts strings, the API posts JSON; each accepts both
// so one schema validates a page and an API call alike.

/** A string that is trimmed; an empty one counts as absent. */
export const optionalText = (max: number, label: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? null : v ?? null),
    z.string().trim().max(max, `${label} must be ${max} characters or fewer`).nullable(),
  )

export const requiredText = (max: number, missing: string, label: string, min = 1) => {
  const present = z.string({ error: missing }).trim().min(1, missing).max(max, `${label} must be ${max} characters or fewer`)
  // An empty answer is told to fill the field in, not that it is too short.
  return min > 1 ? present.refine((v) => v.length === 0 || v.length >= min, `${label} must be at least ${min} characters`) : present
}

/** A checkbox: present ('true', 'yes', 'on') or a JSON boolean. Absent means false; anything else is refused. */
const TRUE_WORDS = ['true', 'yes', 'on', '1']
const FALSE_WORDS = ['false', 'no', 'off', '0']
export const checkbox = z.preprocess(
  (v) => {
    if (v === undefined || v === null || v === '') return false
    if (typeof v !== 'string') return v
    if (TRUE_WORDS.includes(v)) return true
    return FALSE_WORDS.includes(v) ? false : v
  },
  z.boolean({ error: 'must be true or false' }),
)

/** A list from repeated form fields or a JSON array. */
export const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(item))

export const uuid = (message: string) => z.string({ error: message }).trim().uuid(message)

export const optionalUuid = (message: string) =>
  z.preprocess((v) => (v === '' || v === undefined ? null : v), z.string().uuid(message).nullable())

export const email = (missing: string) =>
  z
    .string({ error: missing })
    .trim()
    .min(1, missing)
    .max(254, 'Email address must be 254 characters or fewer')
    .email('Enter an email address in the correct format, like name@example.org')
    .transform((e) => e.toLowerCase())

export const optionalEmail = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? null : v ?? null),
  z.string().trim().max(254).email('Enter an email address in the correct format, like name@example.org').nullable(),
)

export const rowVersion = z.coerce.number({ error: 'rowVersion is required' }).int().min(1)

export const isoDate = (label: string) =>
  z
    .string({ error: `Enter ${label}` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${label} must be a real date written as YYYY-MM-DD`)
    .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), `${label} must be a real date`)
