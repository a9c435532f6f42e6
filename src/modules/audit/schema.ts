import { z } from 'zod'
import { isoDate, optionalText } from '../../http/fields.ts'

export const AUDIT_ACTIONS = ['collection', 'alteration', 'consultation', 'disclosure', 'combination', 'erasure'] as const
export type AuditAction = (typeof AUDIT_ACTIONS)[number]

export type AuditEntry = {
  action: AuditAction
  outcome?: 'done' | 'refused'
  recordType: string
  recordId?: string | null
  purpose: string
  /** Agencies that received the data, for disclosures. */
  recipients?: string[]
  detail?: Record<string, string | number | boolean | null | string[]>
}

const optionalDate = (field: string) => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), isoDate(field).optional())

export const AuditSearch = z
  .strictObject({
    user: optionalText(254, 'User').describe('user e-mail address or id'),
    recordType: optionalText(60, 'Record type'),
    recordId: optionalText(100, 'Record id'),
    action: z.preprocess((v) => (v === '' ? undefined : v), z.enum(AUDIT_ACTIONS).optional()),
    outcome: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['done', 'refused']).optional()),
    from: optionalDate('From'),
    to: optionalDate('To'),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
  })
  .refine((s) => !s.from || !s.to || s.from <= s.to, { path: ['to'], message: 'To must be the same as or after From' })
export type AuditSearch = z.infer<typeof AuditSearch>

export const AuditEventOut = z.object({
  seq: z.number(),
  at: z.string(),
  userId: z.string().nullable(),
  agencyId: z.string().nullable(),
  actor: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  outcome: z.enum(['done', 'refused']),
  recordType: z.string(),
  recordId: z.string().nullable(),
  purpose: z.string(),
  recipients: z.array(z.string()),
  detail: z.unknown(),
  hash: z.string(),
})
export type AuditEventOut = z.infer<typeof AuditEventOut>
