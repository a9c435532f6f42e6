import { bboxOf, polygonsOf, type AreaGeometry } from '../opendata/geometry.ts'
import { placePoints } from './pointInPolygon.ts'
import { EARTH_RADIUS_METRES, kernelDensity, type DensityPoint, type Extent, type KernelDensityGrid } from './kernelDensity.ts'

// A kernel density surface ready to draw and to store: the grid's cells shaded in classes, written
// as runs along each row (a force's 40,000 cells become a few thousand runs), and the peaks, the
// places where the points concentrate most, for the table that says in words what the map shows.
//
// Classes are multiples of the mean density of the cells with any density at all, the way crime
// hot spot maps are commonly classed: a cell under the mean is not shaded, one at 1 to 2 times the
// mean is the lightest class, and so on up. Unlike classes by share of the maximum, a class means
// the same thing on two maps of the same area, and one very dense cell does not wash out the rest.

const RADIANS = Math.PI / 180

export const DENSITY_CLASS_MULTIPLES = [1, 2, 4, 8] as const

/** ColorBrewer's YlOrRd in four classes (marked colour-blind safe), light to dark. */
export const DENSITY_COLOURS = ['#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'] as const

/** Cells a surface may hold by default: about 40,000 keeps a force's map and its stored runs small. */
export const DEFAULT_SURFACE_CELLS = 40_000

export const MIN_BANDWIDTH_METRES = 100
export const MAX_BANDWIDTH_METRES = 10_000

export type DensityClass = { key: string; label: string; colour: string; from: number; to: number | null }

/** Cells from `column` to `column + span - 1` of one row, all in one class (an index into classes). */
export type DensityRun = [row: number, column: number, span: number, classIndex: number]

export type DensityPeak = {
  longitude: number
  latitude: number
  densityPerSquareKm: number
  timesMean: number
  /** Points (or their weight) within one bandwidth of the peak's cell centre. */
  within: number
}

export type DensitySurface = {
  kernel: 'quartic'
  points: number
  bandwidthMetres: number
  cellSizeMetres: number
  /** True when the bandwidth was chosen from the area's size, not given. */
  bandwidthChosen: boolean
  columns: number
  rows: number
  /** Outer edges of the grid in WGS84; row 0 is the southernmost, column 0 the westernmost. */
  extent: Extent
  cellWidthDegrees: number
  cellHeightDegrees: number
  meanDensityPerSquareKm: number
  maxDensityPerSquareKm: number
  classes: DensityClass[]
  runs: DensityRun[]
  peaks: DensityPeak[]
}

/**
 * Bandwidth and cell size for an area's grid. Without a bandwidth, the cell is the shorter side of
 * the area's box divided by 150 and the bandwidth five cells, a rule of thumb of crime hot spot
 * mapping that scales with the area: about 2 km for a county force, 400 m for a city. A cell is a
 * fifth of the bandwidth, widened when it must be to keep the grid within maxCells. A bandwidth
 * shorter than two cells would be drawn as blocks: a given one is refused, naming the smallest
 * that would do, and a chosen one is widened to it.
 */
export function densityParameters(extent: Extent, bandwidthMetres: number | undefined, maxCells = DEFAULT_SURFACE_CELLS): { bandwidthMetres: number; cellSizeMetres: number; chosen: boolean } {
  const latitude = (extent.south + extent.north) / 2
  const metresPerDegree = EARTH_RADIUS_METRES * RADIANS
  const width = (extent.east - extent.west) * metresPerDegree * Math.cos(latitude * RADIANS)
  const height = (extent.north - extent.south) * metresPerDegree
  const chosen = bandwidthMetres === undefined
  let bandwidth = bandwidthMetres ?? clamp(roundTo(5 * (Math.min(width, height) / 150), 50), MIN_BANDWIDTH_METRES, MAX_BANDWIDTH_METRES)
  if (!(bandwidth >= MIN_BANDWIDTH_METRES && bandwidth <= MAX_BANDWIDTH_METRES)) {
    throw new RangeError(`The bandwidth must be from ${MIN_BANDWIDTH_METRES} to ${MAX_BANDWIDTH_METRES} metres, not ${bandwidthMetres}`)
  }
  bandwidth = Math.round(bandwidth)
  // The grid covers the box widened by the bandwidth on every side, as densitySurface lays it.
  const cellFor = (b: number) => Math.max(roundTo(b / 5, 10), Math.ceil(Math.sqrt(((width + 2 * b) * (height + 2 * b)) / maxCells) / 10) * 10 + 10)
  let cell = cellFor(bandwidth)
  // A long thin area has a short side that asks for a bandwidth its many cells cannot show: a
  // chosen bandwidth is widened until they can (a given one is refused below instead).
  for (let i = 0; chosen && cell > bandwidth / 2 && i < 20; i++) {
    bandwidth = Math.min(MAX_BANDWIDTH_METRES, Math.ceil((2 * cell) / 50) * 50)
    cell = cellFor(bandwidth)
  }
  if (cell > bandwidth / 2) {
    throw new RangeError(`A bandwidth of ${bandwidth} m needs cells of ${cell} m over an area this size, too coarse to show it: choose a bandwidth of at least ${Math.ceil((2 * cell) / 50) * 50} m, or a smaller area`)
  }
  return { bandwidthMetres: bandwidth, cellSizeMetres: cell, chosen }
}

/**
 * The density surface of the points over an area's box (by default the points' own), widened by
 * the bandwidth so no kernel near the edge is cut off; null when there are no points. Surfaces of
 * one area share its box, so their bandwidth and cells are the same and they can be compared.
 */
export function densitySurface(
  points: readonly DensityPoint[],
  options: { bandwidthMetres?: number; extent?: Extent; maxCells?: number; peaks?: number } = {},
): DensitySurface | null {
  if (points.length === 0) return null
  const box = widened(options.extent ?? boxOf(points))
  const parameters = densityParameters(box, options.bandwidthMetres, options.maxCells)
  const latitude = (box.south + box.north) / 2
  const padY = parameters.bandwidthMetres / (EARTH_RADIUS_METRES * RADIANS)
  const padX = padY / Math.cos(latitude * RADIANS)
  const grid = kernelDensity(points, {
    bandwidthMetres: parameters.bandwidthMetres,
    cellSizeMetres: parameters.cellSizeMetres,
    originLatitude: latitude,
    maxCells: Math.ceil((options.maxCells ?? DEFAULT_SURFACE_CELLS) * 1.1),
    extent: { west: box.west - padX, south: box.south - padY, east: box.east + padX, north: box.north + padY },
  })
  if (grid.cells.length === 0) return null
  let sum = 0
  for (const c of grid.cells) sum += c.densityPerSquareKm
  const mean = sum / grid.cells.length
  const classes = densityClasses(mean)
  return {
    kernel: grid.kernel,
    points: points.length,
    bandwidthMetres: grid.bandwidthMetres,
    cellSizeMetres: grid.cellSizeMetres,
    bandwidthChosen: parameters.chosen,
    columns: grid.columns,
    rows: grid.rows,
    extent: grid.extent,
    cellWidthDegrees: grid.cellWidthDegrees,
    cellHeightDegrees: grid.cellHeightDegrees,
    meanDensityPerSquareKm: mean,
    maxDensityPerSquareKm: grid.maxDensityPerSquareKm,
    classes,
    runs: densityRuns(grid, classes),
    peaks: densityPeaks(grid, mean, options.peaks ?? 10).map((p) => ({ ...p, within: weightWithin(points, p, grid.bandwidthMetres, grid.originLatitude) })),
  }
}

/** The classes for a mean density: 1-2, 2-4, 4-8 and 8 or more times it. */
export function densityClasses(meanPerSquareKm: number): DensityClass[] {
  const m = DENSITY_CLASS_MULTIPLES
  return m.map((k, i) => {
    const next = m[i + 1]
    const from = k * meanPerSquareKm
    const to = next === undefined ? null : next * meanPerSquareKm
    const range = to === null ? `${perKm(from)} or more per km²` : `${perKm(from)} to ${perKm(to)} per km²`
    return { key: `x${k}`, label: `${next === undefined ? `${k} or more times` : `${k} to ${next} times`} the mean (${range})`, colour: DENSITY_COLOURS[i]!, from, to }
  })
}

const perKm = (x: number) => x.toLocaleString('en-GB', { maximumSignificantDigits: 3 })

/** The class a density falls in, or -1 under the lowest. */
export function classOf(density: number, classes: readonly DensityClass[]): number {
  for (let i = classes.length - 1; i >= 0; i--) if (density >= classes[i]!.from) return i
  return -1
}

/** The shaded cells as runs of one class along each row. */
export function densityRuns(grid: KernelDensityGrid, classes: readonly DensityClass[]): DensityRun[] {
  const runs: DensityRun[] = []
  let open: DensityRun | null = null
  // grid.cells come row by row from the south-west, so a run continues while the next cell is its neighbour in the same class.
  for (const c of grid.cells) {
    const k = classOf(c.densityPerSquareKm, classes)
    if (k < 0) {
      open = null
      continue
    }
    if (open && open[0] === c.row && open[1] + open[2] === c.column && open[3] === k) open[2]++
    else {
      open = [c.row, c.column, 1, k]
      runs.push(open)
    }
  }
  return runs
}

/**
 * The densest places: cells denser than each of their eight neighbours and at least the mean,
 * strongest first, each at least a bandwidth from any stronger one (two peaks closer than that are
 * one concentration seen twice).
 */
export function densityPeaks(grid: KernelDensityGrid, meanPerSquareKm: number, limit: number): Array<Omit<DensityPeak, 'within'>> {
  const value = new Float64Array(grid.columns * grid.rows)
  for (const c of grid.cells) value[c.row * grid.columns + c.column] = c.densityPerSquareKm
  const at = (r: number, c: number) => (r < 0 || c < 0 || r >= grid.rows || c >= grid.columns ? 0 : value[r * grid.columns + c]!)
  const candidates = grid.cells.filter((cell) => {
    const v = cell.densityPerSquareKm
    if (v < meanPerSquareKm) return false
    for (let dr = -1; dr <= 1; dr++) {
      for (let dc = -1; dc <= 1; dc++) {
        if (dr === 0 && dc === 0) continue
        const w = at(cell.row + dr, cell.column + dc)
        // A plateau's first cell (south-west first) stands for it.
        if (w > v || (w === v && (dr < 0 || (dr === 0 && dc < 0)))) return false
      }
    }
    return true
  })
  candidates.sort((a, b) => b.densityPerSquareKm - a.densityPerSquareKm || a.row - b.row || a.column - b.column)
  const apart = (grid.bandwidthMetres / grid.cellSizeMetres) ** 2
  const kept: typeof candidates = []
  for (const c of candidates) {
    if (kept.length >= limit) break
    if (kept.some((k) => (k.row - c.row) ** 2 + (k.column - c.column) ** 2 < apart)) continue
    kept.push(c)
  }
  return kept.map((c) => ({ longitude: c.longitude, latitude: c.latitude, densityPerSquareKm: c.densityPerSquareKm, timesMean: c.densityPerSquareKm / meanPerSquareKm }))
}

/** The weight of the points within `radius` metres of a place, on the grid's projection. */
export function weightWithin(points: readonly DensityPoint[], at: { longitude: number; latitude: number }, radius: number, originLatitude: number): number {
  const kx = EARTH_RADIUS_METRES * RADIANS * Math.cos(originLatitude * RADIANS)
  const ky = EARTH_RADIUS_METRES * RADIANS
  const r2 = radius * radius
  let total = 0
  for (const p of points) {
    const dx = (p.longitude - at.longitude) * kx
    const dy = (p.latitude - at.latitude) * ky
    if (dx * dx + dy * dy <= r2) total += p.weight ?? 1
  }
  return total
}

export type PlacedPeak = DensityPeak & { rank: number; lsoa: { code: string; name: string } | null }

/** Each peak with its rank and the area (LSOA) whose boundary holds it, or null where none does. */
export function placePeaks(peaks: readonly DensityPeak[], areas: ReadonlyArray<{ code: string; name: string; geometry: AreaGeometry }>): PlacedPeak[] {
  const names = new Map(areas.map((a) => [a.code, a.name]))
  const placed = placePoints(peaks.map((p) => ({ lon: p.longitude, lat: p.latitude })), areas)
  return peaks.map((p, i) => {
    const code = placed[i] ?? null
    return { ...p, rank: i + 1, lsoa: code === null ? null : { code, name: names.get(code) ?? code } }
  })
}

/** The box around areas' boundaries, or null when there are none. */
export function extentOfAreas(geometries: readonly AreaGeometry[]): Extent | null {
  let west = Infinity
  let east = -Infinity
  let south = Infinity
  let north = -Infinity
  for (const g of geometries) {
    const [w, s, e, n] = bboxOf(polygonsOf(g))
    west = Math.min(west, w)
    south = Math.min(south, s)
    east = Math.max(east, e)
    north = Math.max(north, n)
  }
  return west === Infinity ? null : { west, south, east, north }
}

function boxOf(points: readonly DensityPoint[]): Extent {
  let west = Infinity
  let east = -Infinity
  let south = Infinity
  let north = -Infinity
  for (const p of points) {
    if (p.longitude < west) west = p.longitude
    if (p.longitude > east) east = p.longitude
    if (p.latitude < south) south = p.latitude
    if (p.latitude > north) north = p.latitude
  }
  return { west, south, east, north }
}

/** A box with no width or no height (points on one line) widened a little, so it has an area. */
function widened(e: Extent): Extent {
  const pad = 0.001
  return e.east > e.west && e.north > e.south ? e : { west: e.west - pad, south: e.south - pad, east: e.east + pad, north: e.north + pad }
}

const roundTo = (x: number, step: number) => Math.max(step, Math.round(x / step) * step)
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x))
