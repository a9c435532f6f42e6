import { z } from 'zod'
import { ENTITY_SCHEMAS, PERSON_ROLES } from '../../core/reference/crime.ts'
import { list } from '../../http/fields.ts'

export const SEARCH_KINDS = [...ENTITY_SCHEMAS, 'Group'] as const
export type SearchKind = (typeof SEARCH_KINDS)[number]

export const SearchQuery = z.strictObject({
  q: z.preprocess(
    (v) => (typeof v === 'string' ? v : v ?? ''),
    z.string().trim().min(2, 'Enter at least 2 characters to search for').max(200, 'Search must be 200 characters or fewer'),
  ),
  kinds: list(z.enum(SEARCH_KINDS, { error: 'Choose what to search from the list' })),
  limit: z.coerce.number({ error: 'limit must be a number' }).int().min(1).max(100).default(25),
})
export type SearchQuery = z.infer<typeof SearchQuery>

export const SearchHit = z.object({
  kind: z.enum(SEARCH_KINDS),
  id: z.string(),
  caption: z.string(),
  detail: z.string().nullable(),
  personRole: z.enum(PERSON_ROLES).nullable(),
  handlingCode: z.enum(['P', 'C']),
  handlingConditions: z.string().nullable(),
  protectiveMarking: z.enum(['OFFICIAL', 'OFFICIAL-SENSITIVE']),
  similarity: z.number(),
  matchedOn: z.string(),
  href: z.string(),
})
export type SearchHit = z.infer<typeof SearchHit>
