import { z } from 'zod'
import { OVERLAY_LAYER_KEYS, PARTNER_LAYERS } from '../../core/overlays/layers.ts'
import { checkbox, optionalText } from '../../http/fields.ts'
import { recordFields } from '../records/schema.ts'

/** The largest CSV of points one request may carry. */
export const MAX_POINTS_FILE_BYTES = 50 * 1024 * 1024

const layerList = z.preprocess(
  (v) => (v === undefined || v === null || v === '' ? undefined : (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean)),
  z.array(z.enum(OVERLAY_LAYER_KEYS, { error: `Layers must be among ${OVERLAY_LAYER_KEYS.join(', ')}` })).optional(),
)

export const OverlayQuery = z.strictObject({
  area: z.string({ error: 'Give the area, by its code' }).trim().min(1, 'Give the area, by its code').max(40, 'Area must be an area code'),
  layers: layerList.describe(`Layers to count, separated by commas (all when absent): ${OVERLAY_LAYER_KEYS.join(', ')}`),
})
export type OverlayQuery = z.infer<typeof OverlayQuery>

const Shown = z.object({ suppressed: z.literal(false), value: z.number(), display: z.string() })
const Suppressed = z.object({ suppressed: z.literal(true), reason: z.enum(['small number', 'complementary']), display: z.string() })
export const PublishedCountOut = z.union([Shown, Suppressed])

export const OverlayLayerOut = z.object({
  key: z.string(),
  label: z.string(),
  source: z.string(),
  total: PublishedCountOut,
  byLsoa: z.array(z.union([Shown.extend({ code: z.string() }), Suppressed.extend({ code: z.string() })])),
})

export const OverlaysOut = z.object({
  area: z.object({ code: z.string(), name: z.string(), level: z.string() }),
  threshold: z.number(),
  lsoas: z.array(z.object({ code: z.string(), name: z.string() })),
  layers: z.array(OverlayLayerOut),
})

export const PartnerLayerParams = z.object({ layer: z.enum(PARTNER_LAYERS, { error: `The layer must be one of ${PARTNER_LAYERS.join(', ')}` }) })

/** One CSV file of points for a layer, with the handling every point of it takes. */
export const PointImportRequest = z.strictObject({
  csv: z.string({ error: 'Give the CSV text in "csv"' }).min(1, 'The CSV text is empty').max(MAX_POINTS_FILE_BYTES, 'The CSV text must be smaller than 50 MB: split it'),
  fileName: optionalText(255, 'File name'),
  dryRun: checkbox.default(true).describe('true (the default): check every row and save nothing'),
  replace: checkbox.default(false).describe("true: the points replace your agency's earlier points of this layer"),
  ...recordFields,
})
export type PointImportRequest = z.infer<typeof PointImportRequest>

export const PointFaultOut = z.object({ row: z.number().nullable(), column: z.string().nullable(), message: z.string() })

export const PointReportOut = z.object({
  layer: z.string(),
  dryRun: z.literal(true),
  rows: z.number(),
  valid: z.number(),
  lsoas: z.number(),
  ignoredColumns: z.array(z.string()),
  faults: z.array(PointFaultOut),
})

export const PointImportedOut = z.object({ layer: z.string(), importId: z.string(), rows: z.number(), lsoas: z.number(), replaced: z.number() })

export const PointFaultyOut = z.object({
  type: z.string(),
  title: z.string(),
  status: z.literal(422),
  detail: z.string(),
  layer: z.string(),
  rows: z.number(),
  valid: z.number(),
  faults: z.array(PointFaultOut),
})
