import { ValidationError } from '../../core/errors.ts'
import { densitySurface, extentOfAreas, placePeaks, type DensitySurface, type PlacedPeak } from '../../core/geo/densitySurface.ts'
import type { DensitySource } from '../../core/maps/densitySources.ts'
import type { AreaGeometry } from '../../core/opendata/geometry.ts'
import type { Tx } from '../../db/context.ts'
import { crimePositions, stopSearchPositions, type GeometryRow } from '../opendata/areaReads.ts'

// A heat map of public positions over an area: the points read, the surface computed in the pure
// core, and each peak placed in the LSOA whose boundary holds it, so the table can say where.

/** Cells a map's heat map may hold: 160,000 (400 by 400) gives a county force 200 m cells, fine enough for a 500 m bandwidth. */
export const MAP_DENSITY_CELLS = 160_000

export type DensityResult = { surface: DensitySurface | null; peaks: PlacedPeak[]; notes: string[] }

export type DensityRequest = {
  areaCode: string
  areaName: string
  period: { from: string; to: string; label: string }
  source: DensitySource
  bandwidthMetres: number | undefined
  geometries: readonly GeometryRow[]
}

export async function densityOver(tx: Tx, r: DensityRequest): Promise<DensityResult> {
  const { period, source } = r
  const positions = source.table === 'stop_searches'
    ? await stopSearchPositions(tx, r.areaCode, period.from, period.to)
    : await crimePositions(tx, r.areaCode, period.from, period.to, source.crimeTypes)
  const notes: string[] = []
  const areas = r.geometries.map((g) => ({ code: g.code, name: g.name, geometry: g.geometry as unknown as AreaGeometry }))
  const extent = extentOfAreas(areas.map((a) => a.geometry)) ?? undefined
  let surface: DensitySurface | null
  try {
    surface = densitySurface(positions.map((p) => ({ longitude: p.longitude, latitude: p.latitude })), { bandwidthMetres: r.bandwidthMetres, maxCells: MAP_DENSITY_CELLS, extent })
  } catch (error) {
    if (error instanceof RangeError) throw new ValidationError([{ field: 'bandwidth', message: `${error.message} for ${r.areaName}` }])
    throw error
  }
  if (!surface) {
    notes.push(`No ${source.noun} with a position are loaded for ${r.areaName} in ${period.label}, so there is no heat map${source.table === 'stop_searches' ? ' (import them with achilles import stop-search)' : ''}.`)
    return { surface, peaks: [], notes }
  }
  notes.push(
    `Heat map: the density of ${surface.points.toLocaleString('en-GB')} ${source.noun} (quartic kernel, ${metres(surface.bandwidthMetres)} bandwidth${surface.bandwidthChosen ? ' chosen from the size of the area' : ''}, ${metres(surface.cellSizeMetres)} cells); cells under the mean density are not shaded. data.police.uk moves every position to an anonymous point nearby, so read it street by street, not house by house.`,
  )
  const peaks = placePeaks(surface.peaks, areas)
  return { surface, peaks, notes }
}

const metres = (m: number) => (m >= 1000 ? `${(m / 1000).toLocaleString('en-GB', { maximumFractionDigits: 2 })} km` : `${m} m`)
