// Kernel density of points (crimes, or places weighted by a count) on a regular grid, for a heat map.
//
// The kernel is the quartic (biweight) one that QGIS's Heatmap and ArcGIS's Kernel Density use:
// K(d) = 3 / (pi h^2) (1 - d^2 / h^2)^2 for d < h, and 0 beyond, which integrates to 1 over the
// plane, so the densities integrate to the points' total weight.
//
// Distances are in metres on an equirectangular projection about one latitude (the points' mean
// unless given): x = R lon cos(lat0), y = R lat, R = 6,371,008.8 m (the mean Earth radius). Over a
// police force area (100 km or so north to south) its scale error is under 1.5% at the edges, well
// inside what the choice of bandwidth changes. British National Grid coordinates are not taken:
// the map needs the cells in WGS84, and going back from the national grid needs OSTN15. Because the
// projection is linear in longitude and latitude, the grid's cells are also equal rectangles in
// degrees: each cell is its centre plus or minus half of cellWidthDegrees and cellHeightDegrees.

export type DensityPoint = { readonly longitude: number; readonly latitude: number; readonly weight?: number }

export type Extent = { readonly west: number; readonly south: number; readonly east: number; readonly north: number }

export type KernelDensityOptions = {
  bandwidthMetres: number
  cellSizeMetres: number
  /** The area to cover; by default the points' bounding box widened by the bandwidth, so no point's kernel is cut off. */
  extent?: Extent
  /** The latitude the projection is true at; give the same one to grids that must line up. */
  originLatitude?: number
  /** Refuse a grid of more cells than this (default 250,000). */
  maxCells?: number
}

export type DensityCell = { column: number; row: number; longitude: number; latitude: number; densityPerSquareKm: number }

export type KernelDensityGrid = {
  kernel: 'quartic'
  projection: 'equirectangular'
  originLatitude: number
  bandwidthMetres: number
  cellSizeMetres: number
  columns: number
  rows: number
  /** The grid's outer edges in WGS84; column 0 is at the west, row 0 at the south. */
  extent: Extent
  cellWidthDegrees: number
  cellHeightDegrees: number
  totalWeight: number
  maxDensityPerSquareKm: number
  /** Cells with a density above zero, row by row from the south-west; cells not listed are zero. */
  cells: DensityCell[]
}

export const EARTH_RADIUS_METRES = 6_371_008.8
export const DEFAULT_MAX_CELLS = 250_000

const RADIANS = Math.PI / 180

export function kernelDensity(points: readonly DensityPoint[], options: KernelDensityOptions): KernelDensityGrid {
  const h = options.bandwidthMetres
  const cell = options.cellSizeMetres
  const maxCells = options.maxCells ?? DEFAULT_MAX_CELLS
  if (!(h > 0 && Number.isFinite(h))) throw new RangeError(`The bandwidth must be a positive number of metres, not ${h}`)
  if (!(cell > 0 && Number.isFinite(cell))) throw new RangeError(`The cell size must be a positive number of metres, not ${cell}`)
  if (!(Number.isInteger(maxCells) && maxCells > 0)) throw new RangeError(`The cell limit must be a positive whole number, not ${maxCells}`)

  let totalWeight = 0
  let latitudeSum = 0
  points.forEach((p, i) => {
    const w = p.weight ?? 1
    if (!(Number.isFinite(p.longitude) && p.longitude >= -180 && p.longitude <= 180 && Number.isFinite(p.latitude) && p.latitude >= -90 && p.latitude <= 90)) {
      throw new RangeError(`Point ${i}: longitude and latitude must be in degrees, not (${p.longitude}, ${p.latitude})`)
    }
    if (!(Number.isFinite(w) && w >= 0)) throw new RangeError(`Point ${i}: the weight must be a number of 0 or more, not ${w}`)
    totalWeight += w
    latitudeSum += p.latitude
  })
  const extentGiven = options.extent
  if (points.length === 0 && !extentGiven) throw new RangeError('No points, and no extent to draw an empty grid over')
  if (extentGiven && !(extentGiven.west < extentGiven.east && extentGiven.south < extentGiven.north)) {
    throw new RangeError('The extent must have west < east and south < north')
  }
  const originLatitude = options.originLatitude ?? (points.length > 0 ? latitudeSum / points.length : (extentGiven!.south + extentGiven!.north) / 2)
  if (!(Math.abs(originLatitude) < 89)) throw new RangeError(`The projection's latitude must be within 89 degrees of the equator, not ${originLatitude}`)

  const metresPerDegreeX = EARTH_RADIUS_METRES * RADIANS * Math.cos(originLatitude * RADIANS)
  const metresPerDegreeY = EARTH_RADIUS_METRES * RADIANS
  const px = new Float64Array(points.length)
  const py = new Float64Array(points.length)
  points.forEach((p, i) => {
    px[i] = p.longitude * metresPerDegreeX
    py[i] = p.latitude * metresPerDegreeY
  })

  let x0: number
  let y0: number
  let width: number
  let height: number
  if (extentGiven) {
    x0 = extentGiven.west * metresPerDegreeX
    y0 = extentGiven.south * metresPerDegreeY
    width = (extentGiven.east - extentGiven.west) * metresPerDegreeX
    height = (extentGiven.north - extentGiven.south) * metresPerDegreeY
  } else {
    let minX = Infinity
    let minY = Infinity
    let maxX = -Infinity
    let maxY = -Infinity
    for (let i = 0; i < points.length; i++) {
      minX = Math.min(minX, px[i]!)
      maxX = Math.max(maxX, px[i]!)
      minY = Math.min(minY, py[i]!)
      maxY = Math.max(maxY, py[i]!)
    }
    x0 = minX - h
    y0 = minY - h
    width = maxX - minX + 2 * h
    height = maxY - minY + 2 * h
  }
  const columns = Math.max(1, Math.ceil(width / cell - 1e-9))
  const rows = Math.max(1, Math.ceil(height / cell - 1e-9))
  if (columns * rows > maxCells) {
    const smallest = Math.ceil(cell * Math.sqrt((columns * rows) / maxCells))
    throw new RangeError(
      `A grid of ${columns} by ${rows} cells (${columns * rows}) is more than the limit of ${maxCells}: use cells of at least ${smallest} m, or a smaller extent`,
    )
  }

  const density = new Float64Array(columns * rows)
  const h2 = h * h
  const scale = 3 / (Math.PI * h2)
  for (let i = 0; i < points.length; i++) {
    const w = points[i]!.weight ?? 1
    if (w === 0) continue
    const x = px[i]! - x0
    const y = py[i]! - y0
    const c0 = Math.max(0, Math.ceil((x - h) / cell - 0.5))
    const c1 = Math.min(columns - 1, Math.floor((x + h) / cell - 0.5))
    const r0 = Math.max(0, Math.ceil((y - h) / cell - 0.5))
    const r1 = Math.min(rows - 1, Math.floor((y + h) / cell - 0.5))
    for (let r = r0; r <= r1; r++) {
      const dy = (r + 0.5) * cell - y
      for (let c = c0; c <= c1; c++) {
        const dx = (c + 0.5) * cell - x
        const d2 = dx * dx + dy * dy
        if (d2 >= h2) continue
        const u = 1 - d2 / h2
        density[r * columns + c]! += w * scale * u * u
      }
    }
  }

  const cells: DensityCell[] = []
  let maxDensityPerSquareKm = 0
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const perSquareMetre = density[r * columns + c]!
      if (perSquareMetre <= 0) continue
      const densityPerSquareKm = perSquareMetre * 1e6
      if (densityPerSquareKm > maxDensityPerSquareKm) maxDensityPerSquareKm = densityPerSquareKm
      cells.push({ column: c, row: r, longitude: (x0 + (c + 0.5) * cell) / metresPerDegreeX, latitude: (y0 + (r + 0.5) * cell) / metresPerDegreeY, densityPerSquareKm })
    }
  }

  return {
    kernel: 'quartic',
    projection: 'equirectangular',
    originLatitude,
    bandwidthMetres: h,
    cellSizeMetres: cell,
    columns,
    rows,
    extent: { west: x0 / metresPerDegreeX, south: y0 / metresPerDegreeY, east: (x0 + columns * cell) / metresPerDegreeX, north: (y0 + rows * cell) / metresPerDegreeY },
    cellWidthDegrees: cell / metresPerDegreeX,
    cellHeightDegrees: cell / metresPerDegreeY,
    totalWeight,
    maxDensityPerSquareKm,
    cells,
  }
}
