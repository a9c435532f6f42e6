import { z } from 'zod'
import { EXPORT_FORMATS } from '../../core/network/exports/index.ts'
import { LINK_TYPES } from '../../core/reference/crime.ts'
import { isoDate } from '../../http/fields.ts'

// Inputs and outputs of the network: the start, how far to expand, the filters, key players and
// exports. One schema serves the pages (form strings) and the API (query strings and JSON).

/** Every type an edge of a database-built network may have. */
export const EDGE_TYPES = [...LINK_TYPES, 'member_of', 'holds', 'co_mentioned', 'same_as', 'shared_address', 'shared_phone', 'shared_vehicle'] as const

export const EDGE_TYPE_LABELS: Record<string, string> = {
  family: 'Family', associate: 'Associate', director: 'Director of', owner: 'Owner of', occupant: 'Occupant of', employee: 'Employed by',
  uses_phone: 'Uses phone', drives_vehicle: 'Drives vehicle', account_holder: 'Holds account', member_of: 'Member of group', holds: 'Group holds',
  co_mentioned: 'Mentioned together in intelligence', same_as: 'Same person or business (confirmed match)',
  shared_address: 'Share an address', shared_phone: 'Share a phone', shared_vehicle: 'Share a vehicle',
}

const START = /^(entity|group):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v)

export const startField = z.preprocess(
  blankToUndefined,
  z
    .string({ error: 'Choose where the network starts: start is required (entity:<id> or group:<id>)' })
    .trim()
    .regex(START, 'start must be entity:<id> or group:<id>, for a person, business, address, phone, vehicle, account or group')
    .transform((s) => s.toLowerCase()),
)

/** A comma-separated list in a query string, or repeated fields, or a JSON array. */
const csvList = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => {
    if (v === undefined || v === null || v === '') return undefined
    const parts = (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean)
    return parts.length > 0 ? parts : undefined
  }, z.array(item).optional())

const optionalDate = (label: string) => z.preprocess(blankToUndefined, isoDate(label).optional())

export const NetworkQuery = z
  .object({
    start: startField,
    hops: z.preprocess(blankToUndefined, z.coerce.number({ error: 'hops must be a whole number' }).int('hops must be a whole number').min(1, 'hops must be 1 or more').optional()),
    from: optionalDate('from'),
    to: optionalDate('to'),
    types: csvList(z.enum(EDGE_TYPES, { error: (i) => `types: "${String(i.input)}" is not a link type; use ${EDGE_TYPES.join(', ')}` })),
    gradings: csvList(z.string().regex(/^[ABC]([1-5][PC]?)?$/i, 'gradings: each must be a 3x5x2 grade or its start, like B2P, B2 or B')),
    handling: csvList(z.enum(['P', 'C'], { error: 'handling must be P, C or both (P,C)' })),
    sort: z.preprocess(blankToUndefined, z.enum(['label', 'kind', 'degree', 'betweenness', 'pagerank', 'eigenvector', 'clustering', 'community'], { error: 'sort must be label, kind, degree, betweenness, pagerank, eigenvector, clustering or community' }).optional()),
    players: z.preprocess(blankToUndefined, z.coerce.number({ error: 'players must be a whole number' }).int('players must be a whole number').min(1, 'players must be 1 or more').max(20, 'players must be 20 or fewer').optional()),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'to must be the same as or after from' })
export type NetworkQuery = z.infer<typeof NetworkQuery>

export const KeyPlayersInput = z
  .strictObject({
    group: z.preprocess(blankToUndefined, z.string().trim().uuid('group must be a group id').optional()),
    start: startField.optional(),
    count: z.coerce.number({ error: 'count must be a whole number' }).int('count must be a whole number').min(1, 'count must be 1 or more').max(20, 'count must be 20 or fewer').default(5),
    hops: z.preprocess(blankToUndefined, z.coerce.number({ error: 'hops must be a whole number' }).int('hops must be a whole number').min(1, 'hops must be 1 or more').optional()),
  })
  .refine((k) => (k.group === undefined) !== (k.start === undefined), { path: ['group'], message: 'Give either group (a group id) or start (entity:<id> or group:<id>), not both and not neither' })
export type KeyPlayersInput = z.infer<typeof KeyPlayersInput>

export const ExportQuery = z.object({
  format: z.preprocess(blankToUndefined, z.enum(EXPORT_FORMATS, { error: `format must be one of ${EXPORT_FORMATS.join(', ')}` })),
  purpose: z.preprocess(blankToUndefined, z.string().trim().min(3, 'purpose must be at least 3 characters').max(500, 'purpose must be 500 characters or fewer').optional()),
})

const NodeMeasuresOut = z.object({ node: z.string(), degree: z.number(), weightedDegree: z.number(), betweenness: z.number(), pagerank: z.number(), eigenvector: z.number(), clustering: z.number(), community: z.number() })
const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()])
export const NodeOut = z.object({ id: z.string(), kind: z.string(), label: z.string(), attributes: z.record(z.string(), Scalar).optional(), measures: NodeMeasuresOut })
export const EdgeOut = z.object({
  id: z.string(), source: z.string(), target: z.string(), type: z.string(), directed: z.boolean(), weight: z.number(),
  from: z.string().nullable(), to: z.string().nullable(),
  sources: z.array(z.object({ kind: z.string(), id: z.string() })),
  grading: z.string().nullable(), handlingCode: z.enum(['P', 'C']).nullable(), handlingConditions: z.string().nullable(),
})
export const NetworkOut = z.object({
  start: z.string(), hops: z.number(), hopLimit: z.number(), nodeCap: z.number(), truncated: z.boolean(),
  message: z.string().nullable(),
  nodes: z.array(NodeOut), edges: z.array(EdgeOut),
  linkTypes: z.array(z.string()), gradings: z.array(z.string()),
  dateRange: z.object({ from: z.string().nullable(), to: z.string().nullable() }),
})

export const MeasuresOut = z.object({
  start: z.string(), hops: z.number(), truncated: z.boolean(),
  betweennessMethod: z.enum(['exact', 'sampled']), samples: z.number().nullable(), communities: z.number(), modularity: z.number(),
  measures: z.array(NodeMeasuresOut.extend({ label: z.string(), kind: z.string() })),
  boundaries: z.object({
    proposals: z.array(z.object({ community: z.number(), members: z.array(z.string()), groups: z.array(z.object({ groupId: z.string(), shared: z.number() })) })),
    bridges: z.array(z.object({ node: z.string(), groups: z.array(z.string()) })),
  }),
})

export const KeyPlayersOut = z.object({
  group: z.string().nullable(), start: z.string(), members: z.number(),
  fragmentationBefore: z.number(), componentsBefore: z.number(),
  steps: z.array(z.object({ node: z.string(), label: z.string(), fragmentation: z.number(), components: z.number() })),
})
