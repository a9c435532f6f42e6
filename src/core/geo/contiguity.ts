// Which areas touch which, from their boundaries: the neighbourhoods of the hot spot statistic.
//
// Queen contiguity: two areas are neighbours when their boundaries share at least one vertex.
// Rook contiguity: when they share at least one edge, the same two consecutive vertices (as PySAL's
// Rook weights read it; a boundary that one polygon draws with an extra vertex part-way along the
// other's edge is not seen as shared). Touching at a corner only is queen, never rook.
//
// Vertices are "the same" when both coordinates differ by at most the tolerance (1e-7 degrees by
// default, about a centimetre), which absorbs the rounding left by generalising and reprojecting
// ONS boundary files. Vertices are bucketed into a grid of tolerance-sized cells, and each cell
// compared only with its neighbouring cells, so the work grows with the number of vertices, not with
// the square of the number of areas. Vertices closer than the tolerance are merged transitively, so a
// chain of vertices each within a centimetre of the next counts as one point.

export type Position = readonly number[]
export type Ring = readonly Position[]
export type PolygonGeometry =
  | { readonly type: 'Polygon'; readonly coordinates: readonly Ring[] }
  | { readonly type: 'MultiPolygon'; readonly coordinates: readonly (readonly Ring[])[] }

/** An area's boundary in WGS84 longitude and latitude, as GeoJSON writes it. */
export type AreaGeometry = { readonly code: string; readonly geometry: PolygonGeometry }

export type ContiguityRule = 'queen' | 'rook'

export type Contiguity = {
  rule: ContiguityRule
  toleranceDegrees: number
  /** Every area, in code order, with its neighbours' codes in code order (empty for an island). */
  neighbours: ReadonlyMap<string, readonly string[]>
  /** Areas with no neighbour, in code order: an offshore island, or a boundary that fails to meet. */
  islands: readonly string[]
  /** Pairs of neighbouring areas, each counted once. */
  links: number
  vertices: number
}

export const DEFAULT_TOLERANCE_DEGREES = 1e-7

export function queenContiguity(areas: readonly AreaGeometry[], options: { toleranceDegrees?: number } = {}): Contiguity {
  return contiguity(areas, 'queen', options.toleranceDegrees ?? DEFAULT_TOLERANCE_DEGREES)
}

export function rookContiguity(areas: readonly AreaGeometry[], options: { toleranceDegrees?: number } = {}): Contiguity {
  return contiguity(areas, 'rook', options.toleranceDegrees ?? DEFAULT_TOLERANCE_DEGREES)
}

type FeatureLike = { readonly properties?: Readonly<Record<string, unknown>> | null; readonly geometry?: { readonly type: string; readonly coordinates?: unknown } | null }

/** The areas of a GeoJSON FeatureCollection, each named by one of its properties (e.g. LSOA11CD). */
export function areasFromFeatures(collection: { readonly features: readonly FeatureLike[] }, codeProperty: string): AreaGeometry[] {
  return collection.features.map((feature, i) => {
    const code = feature.properties?.[codeProperty]
    if (typeof code !== 'string' || code === '') throw new RangeError(`Feature ${i} has no ${codeProperty}`)
    const geometry = feature.geometry
    if (!geometry || (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon')) {
      throw new RangeError(`Area ${code}: a boundary must be a Polygon or MultiPolygon, not ${geometry ? geometry.type : 'missing'}`)
    }
    if (!Array.isArray(geometry.coordinates)) throw new RangeError(`Area ${code}: the boundary has no coordinates`)
    return { code, geometry: geometry as PolygonGeometry }
  })
}

function contiguity(areas: readonly AreaGeometry[], rule: ContiguityRule, tolerance: number): Contiguity {
  if (!(tolerance > 0 && Number.isFinite(tolerance))) throw new RangeError(`The tolerance must be a positive number of degrees, not ${tolerance}`)
  const ordered = [...areas].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i]!.code === ordered[i - 1]!.code) throw new RangeError(`Area ${ordered[i]!.code} appears twice; join its parts into one MultiPolygon`)
  }

  const rings: Array<{ area: number; ring: Ring; length: number }> = []
  let vertexCount = 0
  ordered.forEach((area, index) => {
    const polygons = area.geometry.type === 'Polygon' ? [area.geometry.coordinates] : area.geometry.type === 'MultiPolygon' ? area.geometry.coordinates : null
    if (!polygons) throw new RangeError(`Area ${area.code}: a boundary must be a Polygon or MultiPolygon`)
    for (const polygon of polygons) {
      for (const ring of polygon) {
        let length = ring.length
        const first = ring[0]
        const last = ring[length - 1]
        // GeoJSON repeats the first position at the end; the repeat is not a vertex of its own.
        if (length > 1 && first && last && first[0] === last[0] && first[1] === last[1]) length--
        if (length < 3) throw new RangeError(`Area ${area.code}: a ring has fewer than three distinct positions`)
        rings.push({ area: index, ring, length })
        vertexCount += length
      }
    }
  })

  const xs = new Float64Array(vertexCount)
  const ys = new Float64Array(vertexCount)
  const areaOf = new Int32Array(vertexCount)
  const nextInRing = new Int32Array(vertexCount)
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  let v = 0
  for (const { area, ring, length } of rings) {
    const start = v
    for (let k = 0; k < length; k++, v++) {
      const p = ring[k]!
      const x = p[0]
      const y = p[1]
      if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
        throw new RangeError(`Area ${ordered[area]!.code}: a position is not a pair of finite numbers`)
      }
      xs[v] = x
      ys[v] = y
      areaOf[v] = area
      nextInRing[v] = k + 1 < length ? v + 1 : start
      if (x < minX) minX = x
      if (x > maxX) maxX = x
      if (y < minY) minY = y
      if (y > maxY) maxY = y
    }
  }

  const roots = clusterVertices(xs, ys, tolerance, minX, minY, maxX, maxY)
  const clusterSize = new Int32Array(vertexCount)
  for (let i = 0; i < vertexCount; i++) clusterSize[roots[i]!]!++

  const n = ordered.length
  // Each area's neighbours as found, repeats and all; sorted and made unique at the end.
  const lists: number[][] = Array.from({ length: n }, () => [])
  const link = (a: number, b: number) => {
    if (a === b) return
    lists[a]!.push(b)
    lists[b]!.push(a)
  }

  if (rule === 'queen') {
    // Vertices grouped by cluster (a counting sort), then every two areas met in a cluster are neighbours.
    const offset = new Int32Array(vertexCount + 1)
    for (let i = 0; i < vertexCount; i++) offset[roots[i]! + 1]!++
    for (let i = 0; i < vertexCount; i++) offset[i + 1]! += offset[i]!
    const fill = offset.slice(0, vertexCount)
    const byCluster = new Int32Array(vertexCount)
    for (let i = 0; i < vertexCount; i++) byCluster[fill[roots[i]!]!++] = i
    const seen: number[] = []
    for (let r = 0; r < vertexCount; r++) {
      const from = offset[r]!
      const to = offset[r + 1]!
      if (to - from < 2) continue
      seen.length = 0
      for (let k = from; k < to; k++) {
        const a = areaOf[byCluster[k]!]!
        if (!seen.includes(a)) seen.push(a)
      }
      for (let i = 0; i < seen.length; i++) for (let j = i + 1; j < seen.length; j++) link(seen[i]!, seen[j]!)
    }
  } else {
    const edges = new PairSlots(vertexCount)
    const firstArea = new Int32Array(edges.capacity)
    const moreAreas = new Map<number, number[]>()
    for (let i = 0; i < vertexCount; i++) {
      const a = roots[i]!
      const b = roots[nextInRing[i]!]!
      // An edge can be shared only when both its ends are shared.
      if (a === b || clusterSize[a]! < 2 || clusterSize[b]! < 2) continue
      const area = areaOf[i]!
      const found = a < b ? edges.find(a, b) : edges.find(b, a)
      if (found < 0) {
        firstArea[a < b ? edges.add(a, b, found) : edges.add(b, a, found)] = area
        continue
      }
      const first = firstArea[found]!
      if (first === area) continue
      link(first, area)
      const more = moreAreas.get(found)
      if (more) {
        for (const other of more) if (other !== area) link(other, area)
        if (!more.includes(area)) more.push(area)
      } else moreAreas.set(found, [area])
    }
  }

  let links = 0
  for (const list of lists) {
    list.sort((x, y) => x - y)
    let kept = 0
    for (let k = 0; k < list.length; k++) if (k === 0 || list[k] !== list[k - 1]) list[kept++] = list[k]!
    list.length = kept
    links += kept
  }
  links /= 2
  const neighbours = new Map<string, readonly string[]>()
  const islands: string[] = []
  ordered.forEach((area, i) => {
    const list = lists[i]!.map((j) => ordered[j]!.code)
    neighbours.set(area.code, list)
    if (list.length === 0) islands.push(area.code)
  })
  return { rule, toleranceDegrees: tolerance, neighbours, islands, links, vertices: vertexCount }
}

// Each vertex's cluster, named by its lowest-numbered vertex (union-find).
function clusterVertices(xs: Float64Array, ys: Float64Array, tolerance: number, minX: number, minY: number, maxX: number, maxY: number): Int32Array {
  const count = xs.length
  const parent = new Int32Array(count)
  for (let i = 0; i < count; i++) parent[i] = i
  if (count === 0) return parent

  // Cells at least as wide as the tolerance, so two vertices within it sit in the same or adjacent
  // cells; wider where the extent needs it, so that a cell's column and row fit in 27 bits.
  const cell = Math.max(tolerance, (maxX - minX) / 2 ** 26, (maxY - minY) / 2 ** 26)
  const column = new Int32Array(count)
  const row = new Int32Array(count)
  for (let i = 0; i < count; i++) {
    column[i] = Math.floor((xs[i]! - minX) / cell) + 1
    row[i] = Math.floor((ys[i]! - minY) / cell) + 1
  }

  // The vertices in cell order, by column then row: a radix sort, 14 bits a pass. Sorting keeps the
  // sweep below walking memory in order, which with millions of vertices is several times faster
  // than looking cells up in a hash table.
  let order = new Int32Array(count)
  let spare = new Int32Array(count)
  for (let i = 0; i < count; i++) order[i] = i
  const buckets = new Int32Array(1 << 14)
  for (const [key, shift] of [[row, 0], [row, 14], [column, 0], [column, 14]] as const) {
    buckets.fill(0)
    for (let k = 0; k < count; k++) buckets[(key[order[k]!]! >>> shift) & 0x3fff]!++
    let sum = 0
    for (let b = 0; b < buckets.length; b++) {
      const here = buckets[b]!
      buckets[b] = sum
      sum += here
    }
    for (let k = 0; k < count; k++) {
      const v = order[k]!
      spare[buckets[(key[v]! >>> shift) & 0x3fff]!++] = v
    }
    ;[order, spare] = [spare, order]
  }

  // Runs of vertices in the same cell.
  const runStart: number[] = []
  for (let k = 0; k < count; k++) {
    if (k === 0 || column[order[k]!] !== column[order[k - 1]!] || row[order[k]!] !== row[order[k - 1]!]) runStart.push(k)
  }
  const runs = runStart.length
  runStart.push(count)
  const runColumn = (r: number) => column[order[runStart[r]!]!]!
  const runRow = (r: number) => row[order[runStart[r]!]!]!

  const find = (i: number) => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!
      i = parent[i]!
    }
    return i
  }
  const join = (i: number, j: number) => {
    if (Math.abs(xs[i]! - xs[j]!) > tolerance || Math.abs(ys[i]! - ys[j]!) > tolerance) return
    const a = find(i)
    const b = find(j)
    if (a !== b) parent[a < b ? b : a] = a < b ? a : b
  }
  const joinRuns = (r: number, q: number) => {
    for (let k = runStart[r]!; k < runStart[r + 1]!; k++) {
      for (let m = runStart[q]!; m < runStart[q + 1]!; m++) join(order[k]!, order[m]!)
    }
  }

  // Each pair of adjacent cells once: a cell with itself, the cell above it, and the three cells of
  // the next column beside it. The runs of the next column are found by a pointer that only moves on.
  let ahead = 0
  for (let r = 0; r < runs; r++) {
    for (let k = runStart[r]!; k < runStart[r + 1]!; k++) {
      for (let m = k + 1; m < runStart[r + 1]!; m++) join(order[k]!, order[m]!)
    }
    const c = runColumn(r)
    const w = runRow(r)
    if (r + 1 < runs && runColumn(r + 1) === c && runRow(r + 1) === w + 1) joinRuns(r, r + 1)
    while (ahead < runs && (runColumn(ahead) < c + 1 || (runColumn(ahead) === c + 1 && runRow(ahead) < w - 1))) ahead++
    for (let q = ahead; q < runs && runColumn(q) === c + 1 && runRow(q) <= w + 1; q++) joinRuns(r, q)
  }
  for (let i = 0; i < count; i++) parent[i] = find(i)
  return parent
}

// A hash set of pairs of non-negative 32-bit integers (open addressing, linear probing), sized once
// for at most `expected` pairs; each pair has a slot number to index arrays kept beside it. With
// millions of vertices, a Map keyed by a number computed from the pair was ten times slower.
class PairSlots {
  readonly capacity: number
  readonly first: Int32Array
  readonly second: Int32Array
  private readonly mask: number

  constructor(expected: number) {
    let capacity = 16
    while (capacity < expected * 2) capacity *= 2
    this.capacity = capacity
    this.mask = capacity - 1
    this.first = new Int32Array(capacity).fill(-1)
    this.second = new Int32Array(capacity)
  }

  /** The pair's slot, or, when it is not held, -1 less the empty slot it would go in. */
  find(a: number, b: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ 0x7f4a7c15, 0x85ebca77)
    h ^= h >>> 15
    h = Math.imul(h, 0x2c1b3c6d)
    h ^= h >>> 12
    let slot = h & this.mask
    for (;;) {
      const f = this.first[slot]!
      if (f === -1) return -1 - slot
      if (f === a && this.second[slot] === b) return slot
      slot = (slot + 1) & this.mask
    }
  }

  /** Puts the pair in the empty slot `find` pointed to, and returns that slot. */
  add(a: number, b: number, notFound: number): number {
    const slot = -1 - notFound
    this.first[slot] = a
    this.second[slot] = b
    return slot
  }
}
