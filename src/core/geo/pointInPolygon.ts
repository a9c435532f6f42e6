import { AreaIndex, bboxOf, inPolygons, polygonsOf, type AreaGeometry, type Bbox } from '../opendata/geometry.ts'

// Which areas hold which points, in WGS84 longitude and latitude treated as plane coordinates (as
// src/core/opendata/geometry.ts explains, nothing that matters moves at the size of an LSOA). The
// ring test is geometry.ts's crossing-number test, shared with the importers, so a point is placed
// alike wherever Achilles places it. A point exactly on an edge may fall either side; where two
// areas both claim one (their shared edge), the one with the lowest code takes it, so the answer
// never depends on the order the areas came in.

export type LonLat = { lon: number; lat: number }
export type CandidatePoint = LonLat & { code: string }
export type PlacedArea = { code: string; geometry: AreaGeometry; bbox?: Bbox }

/** Whether the point lies inside the Polygon or MultiPolygon (inside its outer rings, outside its holes). */
export function pointInGeometry(lon: number, lat: number, geometry: AreaGeometry): boolean {
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) return false
  return inPolygons(lon, lat, polygonsOf(geometry))
}

/**
 * The codes of the candidates whose point lies inside the shape, sorted: for a custom area, the
 * loaded LSOAs whose point inside (areas.centroid_lon and centroid_lat) it holds.
 */
export function codesInside(geometry: AreaGeometry, candidates: readonly CandidatePoint[]): string[] {
  const polygons = polygonsOf(geometry)
  const [w, s, e, n] = bboxOf(polygons)
  const inside = new Set<string>()
  for (const c of candidates) {
    if (!(c.lon >= w && c.lon <= e && c.lat >= s && c.lat <= n)) continue
    if (inPolygons(c.lon, c.lat, polygons)) inside.add(c.code)
  }
  return [...inside].sort()
}

/**
 * The area holding each point, or null where none does, in the points' order. Areas are filed by
 * grid cell first, so each point is tested against a handful of polygons, not all of them.
 */
export function placePoints(points: readonly LonLat[], areas: readonly PlacedArea[]): Array<string | null> {
  if (points.length === 0) return []
  const index = new AreaIndex<string>()
  for (const a of areas) index.add(a.code, polygonsOf(a.geometry), a.bbox)
  return points.map((p) => {
    if (!Number.isFinite(p.lon) || !Number.isFinite(p.lat)) return null
    const found = index.containing(p.lon, p.lat)
    if (found.length === 0) return null
    return found.length === 1 ? found[0]! : [...found].sort()[0]!
  })
}

/** The box around a set of points, or null when there are none. */
export function bboxOfPoints(points: readonly LonLat[]): Bbox | null {
  if (points.length === 0) return null
  let w = Infinity
  let s = Infinity
  let e = -Infinity
  let n = -Infinity
  for (const p of points) {
    if (p.lon < w) w = p.lon
    if (p.lon > e) e = p.lon
    if (p.lat < s) s = p.lat
    if (p.lat > n) n = p.lat
  }
  return [w, s, e, n]
}
