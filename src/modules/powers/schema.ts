import { z } from 'zod'
import { POWER_SUBJECTS, STRANDS } from '../../core/powers/catalogue.ts'
import { AGENCY_TYPES } from '../../core/reference/agencies.ts'

const blankIsAbsent = (v: unknown) => (v === '' ? undefined : v)

export const PowerListQuery = z.object({
  q: z.preprocess(blankIsAbsent, z.string().trim().max(100, 'Search text must be 100 characters or fewer').optional()),
  strand: z.preprocess(blankIsAbsent, z.enum(STRANDS, { error: `strand must be one of ${STRANDS.join(', ')}` }).optional()),
  subject: z.preprocess(blankIsAbsent, z.enum(POWER_SUBJECTS, { error: `subject must be one of ${POWER_SUBJECTS.join(', ')}` }).optional()),
  agencyType: z.preprocess(blankIsAbsent, z.enum(AGENCY_TYPES, { error: 'Choose an agency type from the list' }).optional()),
})

const period = z.object({ value: z.number(), unit: z.string() })
const agencyRef = z.object({ agencyType: z.string(), serviceArea: z.string().optional() })

export const PowerOut = z.object({
  id: z.string(),
  name: z.string(),
  shortName: z.string().optional(),
  legalBasis: z.string(),
  strands: z.array(z.string()),
  usedBy: z.array(agencyRef),
  leadAgency: agencyRef,
  whoMayApply: z.string(),
  court: z.string().nullable(),
  subjects: z.array(z.string()),
  minimumAge: z.number().nullable(),
  standardOfProof: z.string(),
  duration: z.object({ minimum: period.optional(), maximum: period.optional(), extendedMaximum: period.optional(), extension: z.string().optional(), description: z.string() }),
  noticePeriod: z.string().nullable(),
  prerequisites: z.array(z.object({ kind: z.string(), powerId: z.string().optional(), description: z.string() })),
  breachPenalty: z.string().nullable(),
  reviewPoints: z.array(z.string()),
  summary: z.string(),
  orderType: z.string().nullable(),
  indicators: z.array(z.object({ when: z.record(z.string(), z.unknown()), reason: z.string(), weight: z.number() })),
})
