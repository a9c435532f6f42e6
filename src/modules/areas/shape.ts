import { readBoundaries } from '../../core/opendata/boundaries.ts'
import { isInUk, UK_BOUNDS, UK_BOUNDS_TEXT } from '../../core/opendata/codes.ts'
import { bboxOf, pointInside, polygonsOf, type AreaGeometry, type Bbox, type Polygon, type Position } from '../../core/opendata/geometry.ts'
import { Tally } from '../../core/opendata/tally.ts'

// The shape of a custom area, from an uploaded GeoJSON file or a geometry drawn on a map and
// posted: a Polygon or MultiPolygon, bare, in a Feature, or in a FeatureCollection (whose
// polygons together make the area), in WGS84 or British National Grid (EPSG:27700). It is read
// by the boundaries importer's own reader (src/core/opendata/boundaries.ts), so an uploaded shape
// is checked, closed and reprojected exactly as an ONS boundary is; only the messages are put in
// words about one shape rather than a file of areas. Pure: no I/O.

export type CustomShape = { ok: true; geometry: AreaGeometry; bbox: Bbox; centroid: Position } | { ok: false; message: string }

/** Most features a shape may have: a custom area is drawn or cut by hand, not an ONS file. */
export const MAX_SHAPE_FEATURES = 1000

const GEOMETRY_TYPES = ['Polygon', 'MultiPolygon', 'Point', 'MultiPoint', 'LineString', 'MultiLineString']

export function readCustomShape(json: unknown): CustomShape {
  const root = json as { type?: unknown; features?: unknown; geometry?: unknown; geometries?: unknown; crs?: unknown } | null
  if (typeof root !== 'object' || root === null || Array.isArray(root)) return refuse('It is not a GeoJSON object: give a Polygon or MultiPolygon, a Feature holding one, or a FeatureCollection of them')
  let items: unknown[]
  if (root.type === 'FeatureCollection') {
    if (!Array.isArray(root.features)) return refuse('Its FeatureCollection has no "features" list')
    items = root.features
  } else if (root.type === 'Feature') items = [root]
  else if (root.type === 'GeometryCollection') {
    if (!Array.isArray(root.geometries)) return refuse('Its GeometryCollection has no "geometries" list')
    items = root.geometries.map((g) => ({ type: 'Feature', properties: {}, geometry: g }))
  } else if (typeof root.type === 'string' && GEOMETRY_TYPES.includes(root.type)) items = [{ type: 'Feature', properties: {}, geometry: root }]
  else return refuse('It is not GeoJSON: its "type" must be Polygon, MultiPolygon, Feature or FeatureCollection')
  if (items.length === 0) return refuse('It has no features, so no shape')
  if (items.length > MAX_SHAPE_FEATURES) return refuse(`It has ${items.length.toLocaleString('en-GB')} features: a custom area may be made of at most ${MAX_SHAPE_FEATURES.toLocaleString('en-GB')}`)

  // The reader wants each area's code in a property: each feature is given a stand-in of the
  // right form, never stored, so that its geometry goes through the same checks as an LSOA's.
  const features = items.map((f, i) => {
    const feature = f as { type?: unknown; geometry?: unknown } | null
    if (typeof feature !== 'object' || feature === null || feature.type !== 'Feature') return f
    return { type: 'Feature', properties: { code: `E01${String(i + 1).padStart(6, '0')}` }, geometry: feature.geometry ?? null }
  })
  const tally = new Tally()
  const reading = readBoundaries({ type: 'FeatureCollection', crs: root.crs, features }, { level: 'lsoa', file: 'shape', tally, codeProperty: 'code' })
  const rejected = tally.rejectionSummary()
  if (rejected.length > 0) {
    const one = items.length === 1
    const reasons = rejected.map((r) => {
      const which = one ? '' : `feature${(r.rows.shape ?? []).length === 1 ? '' : 's'} ${(r.rows.shape ?? []).join(', ')}: `
      return `${which}${lowerFirst(describeReason(r.reason))}`
    })
    return refuse(`${one ? 'It has no usable geometry' : 'Not every feature is a usable polygon'}: ${reasons.join('; ')}`)
  }
  if (!reading.ok) return refuse(reading.message)

  const polygons: Polygon[] = reading.areas.flatMap((a) => polygonsOf(a.geometry))
  const geometry: AreaGeometry = polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0]! } : { type: 'MultiPolygon', coordinates: polygons }
  const bbox = bboxOf(polygons)
  const [w, s, e, n] = bbox
  if (!(w >= UK_BOUNDS.west && e <= UK_BOUNDS.east && s >= UK_BOUNDS.south && n <= UK_BOUNDS.north)) {
    return refuse(`It reaches outside the UK (${UK_BOUNDS_TEXT}): it spans longitude ${round(w)} to ${round(e)} and latitude ${round(s)} to ${round(n)}`)
  }
  const centroid = pointInside(polygons)
  if (!isInUk(centroid[0], centroid[1])) return refuse(`It lies outside the UK (${UK_BOUNDS_TEXT})`)
  return { ok: true, geometry, bbox, centroid }
}

const refuse = (message: string): CustomShape => ({ ok: false, message })
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1)
const round = (v: number) => Math.round(v * 1000) / 1000

/** The boundary reader's reasons, said of a shape rather than of an ONS area. */
function describeReason(reason: string): string {
  if (reason === 'Not a GeoJSON Feature') return 'It is not a GeoJSON Feature'
  if (reason === 'Has no geometry') return 'It has no geometry'
  if (reason.startsWith('Lies outside the UK')) return `It ${lowerFirst(reason)}`
  return reason
}
