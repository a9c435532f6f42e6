import { z } from 'zod'
import { isoDate, requiredText } from '../../../http/fields.ts'

// Saved link charts and the layout request, as the chart page and the API send them.

/** A node id as the network API names it. */
export const NODE_ID = /^(entity|group):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const nodeId = (label: string) =>
  z.string({ error: `${label} must be a node id, like entity:<id> or group:<id>` }).trim().toLowerCase().regex(NODE_ID, `${label} must be a node id, like entity:<id> or group:<id>`)

export const MAX_HOPS = 6
export const SIZE_MEASURES = ['degree', 'betweenness', 'pagerank', 'community'] as const
/** Pins beyond this are not kept: a chart this large is not laid out by hand. */
export const MAX_PINNED = 10_000
export const MAX_EXPANDED = 200

const linkType = z.string().trim().min(1, 'A link type cannot be empty').max(60, 'A link type must be 60 characters or fewer')
const grading = z.string().trim().min(1, 'A grading cannot be empty').max(60, 'A grading must be 60 characters or fewer')

export const ChartFilters = z
  .strictObject({
    from: isoDate('Filters from').nullable().optional(),
    to: isoDate('Filters to').nullable().optional(),
    types: z.array(linkType, { error: 'Filters types must be a list of link types' }).max(100, 'Filters types can name up to 100 link types').optional(),
    gradings: z.array(grading, { error: 'Filters gradings must be a list of gradings' }).max(200, 'Filters gradings can name up to 200 gradings').optional(),
    handling: z.array(z.enum(['P', 'C'], { error: 'Filters handling must be P or C' }), { error: 'Filters handling must be a list of P and C' }).max(2).optional(),
  }, { error: 'Filters must be an object of from, to, types, gradings and handling' })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { path: ['to'], message: 'Filters to must be the same as or after filters from' })
export type ChartFilters = z.infer<typeof ChartFilters>

const position = z.tuple([z.number().finite(), z.number().finite()], { error: 'A pinned position must be [x, y] in numbers' })

export const ChartInput = z.strictObject({
  title: requiredText(200, 'Enter a title for the chart', 'Title'),
  start: nodeId('Start'),
  hops: z.coerce.number({ error: `Hops must be a whole number from 1 to ${MAX_HOPS}` }).int(`Hops must be a whole number from 1 to ${MAX_HOPS}`).min(1, `Hops must be a whole number from 1 to ${MAX_HOPS}`).max(MAX_HOPS, `Hops must be a whole number from 1 to ${MAX_HOPS}`),
  filters: ChartFilters.default({}),
  expanded: z.array(nodeId('Each expanded node'), { error: 'Expanded must be a list of node ids' }).max(MAX_EXPANDED, `Expanded can name up to ${MAX_EXPANDED} nodes`).default([]),
  pinned: z
    .record(nodeId('Each pinned node'), position, { error: 'Pinned must map node ids to [x, y]' })
    .refine((p) => Object.keys(p).length <= MAX_PINNED, `Pinned can hold up to ${MAX_PINNED} nodes`)
    .default({}),
  sizeBy: z.enum(SIZE_MEASURES, { error: `Size by must be one of ${SIZE_MEASURES.join(', ')}` }).default('degree'),
  sharingScope: z.enum(['private', 'agency'], { error: 'Sharing scope must be private or agency' }).default('private'),
})
export type ChartInput = z.infer<typeof ChartInput>

export const ChartUpdate = ChartInput.extend({ rowVersion: z.coerce.number({ error: 'rowVersion is required' }).int().min(1) })
export type ChartUpdate = z.infer<typeof ChartUpdate>

export const ChartOut = z.object({
  id: z.string(),
  title: z.string(),
  start: z.string(),
  hops: z.number(),
  filters: z.record(z.string(), z.unknown()),
  expanded: z.array(z.string()),
  pinned: z.record(z.string(), z.tuple([z.number(), z.number()])),
  sizeBy: z.enum(SIZE_MEASURES),
  sharingScope: z.enum(['private', 'agency']),
  mine: z.boolean(),
  /** False when the chart's start is one the user may no longer see: the chart then shows nothing. */
  startVisible: z.boolean(),
  /** How many saved pins and expansions were left out because the user may no longer see those nodes. */
  withheld: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  rowVersion: z.number(),
})
export type ChartOut = z.infer<typeof ChartOut>

export const ChartSummaryOut = z.object({ id: z.string(), title: z.string(), start: z.string(), hops: z.number(), sharingScope: z.enum(['private', 'agency']), mine: z.boolean(), updatedAt: z.string(), url: z.string() })
export const ChartListOut = z.object({ charts: z.array(ChartSummaryOut) })

/** The structure to lay out: node ids, and edges as pairs of indexes into them (flat), which keeps a 10,000-node body small. */
export const LayoutInput = z.strictObject({
  nodes: z.array(z.string().min(1).max(100), { error: 'Nodes must be a list of node ids' }).min(1, 'Nodes must name at least one node').max(20_000, 'Nodes can name up to 20,000 nodes'),
  edges: z.array(z.number().int().min(0), { error: 'Edges must be a flat list of node indexes, source then target' }).max(400_000, 'Edges can hold up to 200,000 links').refine((e) => e.length % 2 === 0, 'Edges must hold pairs: source then target'),
  positions: z.record(z.string(), position, { error: 'Positions must map node ids to [x, y]' }).default({}),
  pinned: z.array(z.string(), { error: 'Pinned must be a list of node ids' }).default([]),
  iterations: z.number().int().min(1).max(1000).optional(),
})
export type LayoutInput = z.infer<typeof LayoutInput>
export const LayoutOut = z.object({ positions: z.record(z.string(), z.tuple([z.number(), z.number()])), iterations: z.number(), milliseconds: z.number() })
