// Which areas touch which, from their boundaries: the neighbourhoods of the hot spot statistic.
//
// Queen contiguity: two areas are neighbours when their boundaries share at least one vertex.
// Rook contiguity: when they share at least one edge, the same two consecutive vertices (as PySAL's
// Rook weights read it; a boundary that one polygon draws with an extra vertex part-way along the
// other's edge is not seen as shared). Touching at a corner only is queen, never rook.
//
// Vertices are "the same" when both coordinates differ by at most the tolerance (1e-7 degrees by
// default, about a centimetre), which absorbs the rounding left by generalising and reprojecting
// ONS boundary files. Vertices are sorted into a grid of tolerance-sized cells, and each cell
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
  const previousInRing = new Int32Array(vertexCount)
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
      previousInRing[v] = k > 0 ? v - 1 : start + length - 1
      if (x < minX) minX = x
      if (x > maxX) maxX = x
      if (y < minY) minY = y
      if (y > maxY) maxY = y
    }
  }

  const roots = clusterVertices(xs, ys, tolerance, minX, minY, maxX, maxY)

  const n = ordered.length
  // Each area's neighbours as found, repeats and all; sorted and made unique at the end.
  const lists: number[][] = Array.from({ length: n }, () => [])
  const link = (a: number, b: number) => {
    if (a === b) return
    // Clusters come in ring order, so the same pair turns up many times running: skip those at once.
    const la = lists[a]!
    const lb = lists[b]!
    if (la[la.length - 1] !== b) la.push(b)
    if (lb[lb.length - 1] !== a) lb.push(a)
  }

  // Vertices grouped by cluster (a counting sort).
  const offset = new Int32Array(vertexCount + 1)
  for (let i = 0; i < vertexCount; i++) offset[roots[i]! + 1]!++
  for (let i = 0; i < vertexCount; i++) offset[i + 1]! += offset[i]!
  const fill = offset.slice(0, vertexCount)
  const byCluster = new Int32Array(vertexCount)
  for (let i = 0; i < vertexCount; i++) byCluster[fill[roots[i]!]!++] = i

  if (rule === 'queen') {
    // Every two areas met in a cluster are neighbours.
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
    // An edge from cluster a to cluster b is shared with another area when one of that area's
    // vertices in cluster a has its next or previous vertex in cluster b: only the few vertices of
    // one cluster are looked at, and no table of edges is needed.
    for (let i = 0; i < vertexCount; i++) {
      const a = roots[i]!
      const b = roots[nextInRing[i]!]!
      if (a === b || offset[a + 1]! - offset[a]! < 2 || offset[b + 1]! - offset[b]! < 2) continue
      const area = areaOf[i]!
      for (let k = offset[a]!; k < offset[a + 1]!; k++) {
        const v = byCluster[k]!
        const other = areaOf[v]!
        if (other !== area && (roots[nextInRing[v]!] === b || roots[previousInRing[v]!] === b)) link(area, other)
      }
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
  let column = new Int32Array(count)
  let row = new Int32Array(count)
  let order = new Int32Array(count)
  for (let i = 0; i < count; i++) {
    column[i] = Math.floor((xs[i]! - minX) / cell) + 1
    row[i] = Math.floor((ys[i]! - minY) / cell) + 1
    order[i] = i
  }

  // The vertices in cell order, by column then row: a radix sort, 9 bits a pass, carrying each
  // vertex's column and row with it so that every pass reads memory in order. With millions of
  // vertices this and the sweep below are several times faster than a hash table of cells.
  {
    let column2 = new Int32Array(count)
    let row2 = new Int32Array(count)
    let order2 = new Int32Array(count)
    const buckets = new Int32Array(1 << 9)
    for (const byColumn of [false, true]) {
      for (let shift = 0; shift < 27; shift += 9) {
        const key = byColumn ? column : row
        buckets.fill(0)
        for (let k = 0; k < count; k++) buckets[(key[k]! >>> shift) & 0x1ff]!++
        let sum = 0
        for (let b = 0; b < buckets.length; b++) {
          const here = buckets[b]!
          buckets[b] = sum
          sum += here
        }
        for (let k = 0; k < count; k++) {
          const to = buckets[(key[k]! >>> shift) & 0x1ff]!++
          order2[to] = order[k]!
          column2[to] = column[k]!
          row2[to] = row[k]!
        }
        ;[order, order2, column, column2, row, row2] = [order2, order, column2, column, row2, row]
      }
    }
  }

  // Runs of vertices in the same cell.
  const runStart: number[] = []
  for (let k = 0; k < count; k++) if (k === 0 || column[k] !== column[k - 1] || row[k] !== row[k - 1]) runStart.push(k)
  const runs = runStart.length
  runStart.push(count)
  const runColumn = (r: number) => column[runStart[r]!]!
  const runRow = (r: number) => row[runStart[r]!]!

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
