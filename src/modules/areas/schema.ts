import { z } from 'zod'
import { requiredText } from '../../http/fields.ts'

// Custom areas (issue #7, point 2): a shape the partnership draws on a map or uploads, with a name.
// It is made of the loaded LSOAs whose point inside lies in the shape, so every figure that is
// rolled up from LSOA (profiles, maps, overlays) works for it as for an ONS area.

export const CustomAreaInput = z.strictObject({
  name: requiredText(200, 'Enter a name for the area', 'Name'),
  geometry: z
    .unknown()
    .refine((g) => g !== undefined && g !== null, 'Give the shape as GeoJSON: a Polygon or MultiPolygon, a Feature holding one, or a FeatureCollection')
    .describe('GeoJSON Polygon or MultiPolygon (bare, in a Feature or in a FeatureCollection), in WGS84 or British National Grid (EPSG:27700)'),
})
export type CustomAreaInput = z.infer<typeof CustomAreaInput>

export const CustomAreaCodeParams = z.object({ code: z.string().regex(/^custom-\d+$/, 'code must be a custom area code, like custom-3') })

export const CustomAreaSummaryOut = z.object({
  code: z.string(),
  name: z.string(),
  lsoaCount: z.number(),
  createdBy: z.string().nullable(),
  updatedAt: z.string(),
})
export type CustomAreaSummaryOut = z.infer<typeof CustomAreaSummaryOut>

export const CustomAreaOut = CustomAreaSummaryOut.extend({
  lsoas: z.array(z.object({ code: z.string(), name: z.string() })),
  bbox: z.array(z.number()).nullable(),
  geometry: z.unknown(),
})
export type CustomAreaOut = z.infer<typeof CustomAreaOut>
