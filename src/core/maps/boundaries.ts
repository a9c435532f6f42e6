import type { LayerSource } from './layers.ts'

// The LSOA boundaries as the browser draws them, and the attribution every map of them carries.

type Geometry = { type: string; coordinates: unknown }

export type BoundaryFeature = { type: 'Feature'; id: string; properties: { code: string; name: string }; geometry: Geometry }
export type BoundaryCollection = { type: 'FeatureCollection'; bbox: [number, number, number, number] | null; features: BoundaryFeature[] }

/**
 * Coordinates rounded to `decimals` places. Six places of a degree is about 0.1 m, far finer than
 * the generalised boundaries, and halves what the browser downloads against the 15 digits stored.
 */
export function roundCoordinates(coordinates: unknown, decimals = 6): unknown {
  const f = 10 ** decimals
  const walk = (c: unknown): unknown => (typeof c === 'number' ? Math.round(c * f) / f : Array.isArray(c) ? c.map(walk) : c)
  return walk(coordinates)
}

/** The bounding box [west, south, east, north] of every position of the geometries. */
export function boundingBox(geometries: readonly Geometry[]): [number, number, number, number] | null {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity
  const walk = (c: unknown): void => {
    if (!Array.isArray(c)) return
    if (typeof c[0] === 'number' && typeof c[1] === 'number') {
      w = Math.min(w, c[0]); e = Math.max(e, c[0]); s = Math.min(s, c[1]); n = Math.max(n, c[1])
      return
    }
    for (const x of c) walk(x)
  }
  for (const g of geometries) walk(g.coordinates)
  return Number.isFinite(w) ? [w, s, e, n] : null
}

export function boundaryCollection(rows: ReadonlyArray<{ code: string; name: string; geometry: Geometry }>, decimals = 6): BoundaryCollection {
  const features = rows.map((r): BoundaryFeature => ({
    type: 'Feature', id: r.code, properties: { code: r.code, name: r.name }, geometry: { type: r.geometry.type, coordinates: roundCoordinates(r.geometry.coordinates, decimals) },
  }))
  return { type: 'FeatureCollection', bbox: boundingBox(features.map((f) => f.geometry)), features }
}

// The Open Government Licence requires the attribution statements of the publishers: data.police.uk,
// the IoD 2019 (MHCLG) and the ONS boundaries (which contain OS data).
export const OGL = 'Contains public sector information licensed under the Open Government Licence v3.0'
const SOURCE_ATTRIBUTION: Record<LayerSource, string> = {
  police: 'Crime: data.police.uk',
  imd: 'Deprivation and population: English Indices of Deprivation 2019 (MHCLG)',
  partners: "Overlays: partners' records, aggregated and suppressed",
}
export const BOUNDARY_ATTRIBUTION = 'Boundaries: Office for National Statistics licensed under the OGL v3.0; contains OS data © Crown copyright and database right'

/**
 * The lines of attribution the map page shows: every public source it offers layers from, whichever
 * layer is on, and partners' records when the layer is theirs.
 */
export function attributionLines(sources: readonly LayerSource[] = []): string[] {
  const shown: LayerSource[] = ['police', 'imd', ...(sources.includes('partners') ? (['partners'] as const) : [])]
  return [OGL, ...shown.map((s) => SOURCE_ATTRIBUTION[s]), BOUNDARY_ATTRIBUTION]
}
