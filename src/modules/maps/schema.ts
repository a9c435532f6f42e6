import { z } from 'zod'
import { MAX_BANDWIDTH_METRES, MIN_BANDWIDTH_METRES } from '../../core/geo/densitySurface.ts'
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
  density: text(100, 'Heat map').describe('a heat map (kernel density) over the layer, of the positions of: all, type:<crime-type-slug>, slice:<key> or stop-search (default: none)'),
  bandwidth: z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
    z.number({ error: 'Bandwidth must be a whole number of metres' }).int('Bandwidth must be a whole number of metres')
      .min(MIN_BANDWIDTH_METRES, `Bandwidth must be at least ${MIN_BANDWIDTH_METRES} metres`).max(MAX_BANDWIDTH_METRES, `Bandwidth must be ${MAX_BANDWIDTH_METRES.toLocaleString('en-GB')} metres or less`).optional(),
  ).describe(`the heat map's bandwidth (search radius) in metres, ${MIN_BANDWIDTH_METRES} to ${MAX_BANDWIDTH_METRES} (default: chosen from the size of the area)`),
})
export type MapQuery = z.infer<typeof MapQuery>

export const LayerQuery = MapQuery.omit({ density: true, bandwidth: true })

export const DensityQuery = MapQuery.pick({ area: true, from: true, to: true, density: true, bandwidth: true })

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

const DensityClass = z.object({ key: z.string(), label: z.string(), colour: z.string(), from: z.number(), to: z.number().nullable() })

export const DensityPeakOut = z.object({
  rank: z.number(),
  longitude: z.number(),
  latitude: z.number(),
  densityPerSquareKm: z.number(),
  timesMean: z.number(),
  within: z.number().describe('points within one bandwidth of the peak'),
  lsoa: z.object({ code: z.string(), name: z.string() }).nullable().describe('the LSOA whose boundary holds the peak'),
})

export const DensityOut = z.object({
  area: z.object({ code: z.string(), name: z.string(), level: z.string() }),
  period: z.object({ from: z.string(), to: z.string(), monthsWithoutData: z.array(z.string()) }).nullable(),
  source: z.object({ id: z.string(), label: z.string(), noun: z.string() }),
  notes: z.array(z.string()),
  surface: z.object({
    kernel: z.literal('quartic'),
    points: z.number(),
    bandwidthMetres: z.number(),
    cellSizeMetres: z.number(),
    bandwidthChosen: z.boolean(),
    columns: z.number(),
    rows: z.number(),
    extent: z.object({ west: z.number(), south: z.number(), east: z.number(), north: z.number() }),
    cellWidthDegrees: z.number(),
    cellHeightDegrees: z.number(),
    meanDensityPerSquareKm: z.number(),
    maxDensityPerSquareKm: z.number(),
    classes: z.array(DensityClass),
    runs: z.array(z.tuple([z.number(), z.number(), z.number(), z.number()])).describe('shaded cells as [row, first column, columns, class index], row 0 the southernmost'),
  }).nullable(),
  peaks: z.array(DensityPeakOut),
  sources: z.array(z.object({ id: z.string(), label: z.string(), group: z.string() })),
  attribution: z.array(z.string()),
})
