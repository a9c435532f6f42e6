// Plane geometry on longitude and latitude for the areas the importers load: bounding boxes, a
// point inside each area, and which area holds a point. At the size of a ward or force area,
// treating degrees as plane coordinates misplaces nothing that matters: containment is exact in
// either, and the point inside only has to be inside.

export type Position = [number, number]
export type Ring = Position[]
export type Polygon = Ring[]
/** Polygon or MultiPolygon, as GeoJSON writes them. */
export type AreaGeometry = { type: 'Polygon'; coordinates: Polygon } | { type: 'MultiPolygon'; coordinates: Polygon[] }
export type Bbox = [west: number, south: number, east: number, north: number]

export const polygonsOf = (g: AreaGeometry): Polygon[] => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates)

export function bboxOf(polygons: readonly Polygon[]): Bbox {
  let w = Infinity
  let s = Infinity
  let e = -Infinity
  let n = -Infinity
  for (const polygon of polygons) {
    // The outer ring bounds the polygon; holes lie inside it.
    for (const [x, y] of polygon[0] ?? []) {
      if (x < w) w = x
      if (x > e) e = x
      if (y < s) s = y
      if (y > n) n = y
    }
  }
  return [w, s, e, n]
}

/** Twice the signed area of a ring (positive when anticlockwise). */
function ringArea2(ring: Ring): number {
  let sum = 0
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) sum += (ring[j]![0] - ring[i]![0]) * (ring[j]![1] + ring[i]![1])
  return -sum
}

function polygonArea(polygon: Polygon): number {
  const [outer, ...holes] = polygon
  if (!outer) return 0
  return Math.abs(ringArea2(outer)) / 2 - holes.reduce((total, h) => total + Math.abs(ringArea2(h)) / 2, 0)
}

/** Whether a point is inside a ring (crossing number; points on an edge may go either way). */
function inRing(x: number, y: number, ring: Ring): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!
    const [xj, yj] = ring[j]!
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

export function inPolygon(x: number, y: number, polygon: Polygon): boolean {
  const [outer, ...holes] = polygon
  if (!outer || !inRing(x, y, outer)) return false
  return !holes.some((h) => inRing(x, y, h))
}

export function inPolygons(x: number, y: number, polygons: readonly Polygon[]): boolean {
  return polygons.some((p) => inPolygon(x, y, p))
}

/** The area-weighted centroid of a polygon's outer ring, or null when the ring has no area. */
function ringCentroid(ring: Ring): Position | null {
  let a2 = 0
  let cx = 0
  let cy = 0
  const [x0, y0] = ring[0] ?? [0, 0]
  // Relative to the first vertex, so large coordinates lose no precision.
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = ring[i]![0] - x0
    const yi = ring[i]![1] - y0
    const xj = ring[j]![0] - x0
    const yj = ring[j]![1] - y0
    const f = xj * yi - xi * yj
    a2 += f
    cx += (xj + xi) * f
    cy += (yj + yi) * f
  }
  if (a2 === 0) return null
  return [x0 + cx / (3 * a2), y0 + cy / (3 * a2)]
}

/**
 * A point inside the area, for labels and for placing one area in another: the centroid of its
 * largest polygon when that lies inside (it usually does), otherwise the middle of the widest
 * stretch inside along the horizontal line through the centroid (as GEOS's interior point does),
 * since the centroid of a crescent or a U-shaped ward lies outside it.
 */
export function pointInside(polygons: readonly Polygon[]): Position {
  let largest: Polygon | undefined
  let largestArea = -1
  for (const p of polygons) {
    const a = polygonArea(p)
    if (a > largestArea) {
      largest = p
      largestArea = a
    }
  }
  const outer = largest?.[0]
  if (!largest || !outer || outer.length === 0) throw new Error('An area needs at least one ring to have a point inside it')
  const c = ringCentroid(outer)
  if (c && inPolygon(c[0], c[1], largest)) return c
  const [, s, , n] = bboxOf([largest])
  for (const y of [c?.[1] ?? (s + n) / 2, (s + n) / 2, s + (n - s) / 3, s + (2 * (n - s)) / 3]) {
    const point = widestInside(largest, y)
    if (point) return point
  }
  return outer[0]!
}

function widestInside(polygon: Polygon, y: number): Position | null {
  const xs: number[] = []
  for (const ring of polygon) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]!
      const [xj, yj] = ring[j]!
      // Half-open on y, so a line through a vertex counts it once.
      if (yi > y !== yj > y) xs.push(((xj - xi) * (y - yi)) / (yj - yi) + xi)
    }
  }
  xs.sort((a, b) => a - b)
  let best: Position | null = null
  let width = 0
  for (let i = 0; i + 1 < xs.length; i += 2) {
    const w = xs[i + 1]! - xs[i]!
    if (w > width) {
      width = w
      best = [(xs[i]! + xs[i + 1]!) / 2, y]
    }
  }
  return best
}

/**
 * Areas filed by the grid cells their bounding boxes cover, so finding the areas that hold a
 * point looks at a handful of polygons rather than every ward in England and Wales.
 */
export class AreaIndex<T> {
  private readonly cells = new Map<string, Array<{ item: T; bbox: Bbox; polygons: readonly Polygon[] }>>()

  constructor(private readonly cellDegrees = 0.05) {}

  add(item: T, polygons: readonly Polygon[], bbox: Bbox = bboxOf(polygons)): void {
    const entry = { item, bbox, polygons }
    for (let cx = Math.floor(bbox[0] / this.cellDegrees); cx <= Math.floor(bbox[2] / this.cellDegrees); cx++) {
      for (let cy = Math.floor(bbox[1] / this.cellDegrees); cy <= Math.floor(bbox[3] / this.cellDegrees); cy++) {
        const key = `${cx},${cy}`
        const list = this.cells.get(key)
        if (list) list.push(entry)
        else this.cells.set(key, [entry])
      }
    }
  }

  /** Every area that holds the point. */
  containing(x: number, y: number): T[] {
    const list = this.cells.get(`${Math.floor(x / this.cellDegrees)},${Math.floor(y / this.cellDegrees)}`) ?? []
    const found: T[] = []
    for (const e of list) {
      if (x < e.bbox[0] || x > e.bbox[2] || y < e.bbox[1] || y > e.bbox[3]) continue
      if (inPolygons(x, y, e.polygons)) found.push(e.item)
    }
    return found
  }
}
