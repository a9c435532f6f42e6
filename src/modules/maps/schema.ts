import { z } from 'zod'
import { MEASURES } from '../../core/maps/layers.ts'

// What the map page and its API are asked for. Everything is optional: the area defaults to the
// first police force area with boundaries loaded, the period to the latest twelve months loaded,
// the layer to all recorded crime, the measure to counts. The service checks the values against
// what is loaded and names the field at fault.

const text = (max: number, label: string) => z.string({ error: `${label} must be text` }).trim().max(max, `${label} must be ${max} characters or fewer`).optional()
  .transform((v) => (v === '' ? undefined : v))

export const MapQuery = z.object({
  area: text(20, 'Area').describe('ONS code of a police force area, local authority, community safety partnership, ward or custom area (default: the first police force area with boundaries loaded)'),
  from: text(7, 'From').describe('first month, YYYY-MM (default: the earliest of the latest 12 months loaded for the area)'),
  to: text(7, 'To').describe('last month, YYYY-MM (default: the latest month loaded for the area)'),
  layer: text(100, 'Layer').describe('all, type:<crime-type-slug>, slice:<key>, hotspots, imd, or overlay:<overlay-layer-key> (partner overlays, for a user who may read records; counted with small numbers suppressed, and the reading audited) (default: all)'),
  measure: z.preprocess((v) => (v === '' ? undefined : v), z.enum(MEASURES, { error: `Measure must be one of ${MEASURES.join(', ')}` }).optional())
    .describe('count or rate (per 1,000 residents), for the crime layers (default: count)'),
})
export type MapQuery = z.infer<typeof MapQuery>

export const BoundariesQuery = z.object({ area: MapQuery.shape.area })

const Legend = z.object({
  title: z.string(),
  items: z.array(z.object({ key: z.string(), label: z.string(), colour: z.string(), lsoas: z.number() })),
})

export const LayerOut = z.object({
  area: z.object({ code: z.string(), name: z.string(), level: z.string() }),
  period: z.object({ from: z.string(), to: z.string(), monthsWithoutData: z.array(z.string()) }).nullable(),
  layer: z.object({
    id: z.string(),
    label: z.string(),
    group: z.string(),
    measure: z.enum(MEASURES).nullable(),
    title: z.string(),
    valueHeading: z.string(),
    order: z.enum(['descending', 'ascending']),
    total: z.number().nullable(),
    notes: z.array(z.string()),
    legend: Legend,
    values: z.array(z.object({ code: z.string(), name: z.string(), value: z.number().nullable(), display: z.string(), classKey: z.string(), colour: z.string(), band: z.string() })),
  }),
  layers: z.array(z.object({ id: z.string(), label: z.string(), group: z.string(), rateable: z.boolean() })),
  attribution: z.array(z.string()),
})

export const BoundariesOut = z.object({
  type: z.literal('FeatureCollection'),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
  features: z.array(z.object({
    type: z.literal('Feature'),
    id: z.string(),
    properties: z.object({ code: z.string(), name: z.string() }),
    geometry: z.object({ type: z.string(), coordinates: z.unknown() }),
  })),
})
