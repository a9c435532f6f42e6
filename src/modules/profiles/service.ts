import { queenContiguity, type PolygonGeometry } from '../../core/geo/contiguity.ts'
import { densitySurface, extentOfAreas, placePeaks } from '../../core/geo/densitySurface.ts'
import { getisOrdGiStar } from '../../core/geo/getisOrd.ts'
import type { AreaGeometry } from '../../core/opendata/geometry.ts'
import { compareCounts } from '../../core/geo/trends.ts'
import { NotFoundError, ValidationError, type FieldIssue } from '../../core/errors.ts'
import { assembleProfile, type Rings } from '../../core/profiles/assemble.ts'
import { computeProfileFigures, monthsNeeded } from '../../core/profiles/compute.ts'
import type { ProfileDocument, SectionKey } from '../../core/profiles/document.ts'
import type { DensityFigure, ProfileFigures, SliceDefinition } from '../../core/profiles/figures.ts'
import { isMonth } from '../../core/profiles/periods.ts'
import { DEFAULT_SLICES } from '../../core/profiles/slices.ts'
import { longUkDateTime } from '../../core/time/ukDates.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem, type Queryable } from '../../db/context.ts'
import * as q from './queries.ts'

export type ProfileRequest = { area: string; from: string; to: string; slices?: readonly SliceDefinition[]; title?: string }

export class NoDataError extends Error {}

function checkRequest(r: ProfileRequest): void {
  const issues: FieldIssue[] = []
  if (!/^([EWSN][0-9]{8}|custom-[0-9]+)$/.test(r.area)) issues.push({ field: 'area', message: `Area must be an ONS area code such as E23000021 or E06000016, not ${JSON.stringify(r.area)}` })
  if (!isMonth(r.from)) issues.push({ field: 'from', message: `From must be a month written YYYY-MM, not ${JSON.stringify(r.from)}` })
  if (!isMonth(r.to)) issues.push({ field: 'to', message: `To must be a month written YYYY-MM, not ${JSON.stringify(r.to)}` })
  if (isMonth(r.from) && isMonth(r.to) && r.to < r.from) issues.push({ field: 'to', message: 'To must be the same month as From or after it' })
  if (issues.length > 0) throw new ValidationError(issues)
}

/** A GeoJSON polygon or multipolygon's outer and inner rings, for drawing. */
function ringsOf(geometry: { type: string; coordinates: unknown }): Rings {
  const polygons = geometry.type === 'MultiPolygon' ? (geometry.coordinates as number[][][][]) : [geometry.coordinates as number[][][]]
  return polygons.flatMap((p) => p.map((ring) => ring.map((pt) => [pt[0]!, pt[1]!] as [number, number])))
}

/** The LSOA boundaries of an area, for its maps, by LSOA code. */
export async function areaBoundaries(db: Queryable, areaCode: string): Promise<Map<string, Rings>> {
  const geometries = await q.lsoaGeometries(db, areaCode)
  return new Map(geometries.map((g) => [g.code, ringsOf(g.geometry)]))
}

/** The figures of a profile of an area for a period, from the public data loaded. */
export async function profileFigures(db: Queryable, r: ProfileRequest): Promise<{ figures: ProfileFigures; boundaries: Map<string, Rings> }> {
  checkRequest(r)
  const area = await q.findArea(db, r.area)
  if (!area) throw new NotFoundError(`Area ${r.area} (import the lookups or boundaries that name it: achilles import lookups, achilles import boundaries)`)
  const lsoas = await q.lsoasOf(db, area.code)
  if (lsoas.length === 0) throw new NoDataError(`${area.name} (${area.code}) has no LSOAs recorded; import the lookups (achilles import lookups) to say which LSOAs make it up`)
  const range = monthsNeeded(r.from, r.to)
  const [counts, loaded, deprivation, geometries, searches] = await Promise.all([
    q.crimeCounts(db, area.code, range.from, range.to),
    q.monthsLoaded(db, area.code, range.from, range.to),
    q.deprivationOf(db, area.code),
    q.lsoaGeometries(db, area.code),
    q.stopSearchCounts(db, area.code, r.from, r.to),
  ])
  const inPeriod = counts.filter((c) => c.month >= r.from && c.month <= r.to)
  if (inPeriod.length === 0) {
    throw new NoDataError(`No police street-level data is loaded for ${area.name} (${area.code}) between ${r.from} and ${r.to}; import it with achilles import police-crime`)
  }
  const without = area.level === 'police_force' ? await q.withoutLocation(db, loaded.forces, r.from, r.to) : 0
  const boundaries = new Map(geometries.map((g) => [g.code, ringsOf(g.geometry)]))
  const contiguity = geometries.length >= 3 ? queenContiguity(geometries.map((g) => ({ code: g.code, geometry: g.geometry as unknown as PolygonGeometry }))) : null
  const names = new Map(lsoas.map((l) => [l.code, l.name ?? l.code]))
  const figures = computeProfileFigures({
    area,
    from: r.from,
    to: r.to,
    lsoas: lsoas.map((l) => ({ code: l.code, name: l.name })),
    counts: counts.map((c) => ({ lsoaCode: c.lsoa_code, month: c.month, crimeType: c.crime_type, n: c.n })),
    monthsLoaded: new Set(loaded.months),
    withoutLocation: without,
    deprivation: deprivation.map((d) => ({ lsoaCode: d.lsoa_code, lsoaName: d.lsoa_name, imdDecile: d.imd_decile, population: d.population })),
    slices: r.slices ?? DEFAULT_SLICES,
    stopSearch: searches.map((s) => ({ objectOfSearch: s.object_of_search, outcome: s.outcome, n: s.n })),
    compare: (before, after) => compareCounts(before, after),
    hotspots: (byLsoa) => {
      if (!contiguity) return { variable: 'all recorded crime', neighbourhood: 'queen contiguity', areas: [], islands: [] }
      // Every LSOA with a boundary takes part, those with no crime at zero: leaving them out
      // would make the rest look hotter than they are.
      const values = new Map([...contiguity.neighbours.keys()].map((code) => [code, byLsoa.get(code) ?? 0]))
      const gi = getisOrdGiStar(values, contiguity.neighbours)
      return {
        variable: 'all recorded crime',
        neighbourhood: 'queen contiguity of the LSOA boundaries',
        islands: [...contiguity.islands],
        areas: gi.areas.map((a) => ({ code: a.code, name: names.get(a.code) ?? a.code, count: a.value, z: a.z, pValue: a.pValue, hotspotClass: a.hotspotClass })),
      }
    },
  })
  const density = await sliceDensities(db, area.code, r, figures, geometries)
  return { figures: { ...figures, density }, boundaries }
}

/**
 * The kernel density of each slice with any crimes, over the area's box, so every slice is on the
 * same grid with the same bandwidth (chosen from the area's size) and their maps compare.
 */
async function sliceDensities(db: Queryable, areaCode: string, r: ProfileRequest, figures: ProfileFigures, geometries: readonly q.GeometryRow[]): Promise<DensityFigure[]> {
  const areas = geometries.map((g) => ({ code: g.code, name: g.name, geometry: g.geometry as unknown as AreaGeometry }))
  const extent = extentOfAreas(areas.map((a) => a.geometry)) ?? undefined
  const slices = figures.slices.filter((s) => s.count > 0)
  if (slices.length === 0) return []
  // One read for every slice: over a national year each read is a scan of the table (2.3 s), not of an index.
  const positions = await q.crimePositions(db, areaCode, r.from, r.to, [...new Set(slices.flatMap((s) => s.crimeTypes))])
  const out: DensityFigure[] = []
  for (const slice of slices) {
    const types = new Set(slice.crimeTypes)
    const surface = densitySurface(positions.filter((p) => types.has(p.crime_type)), { extent })
    if (!surface) continue
    const { peaks, ...rest } = surface
    out.push({ key: slice.key, label: slice.label, surface: rest, peaks: placePeaks(peaks, areas) })
  }
  return out
}

/** A profile built on demand from the public data (the command line's `achilles profile`). */
export async function buildProfile(db: Database, r: ProfileRequest, now: Date, narrative: Partial<Record<SectionKey, string[]>> = {}): Promise<{ figures: ProfileFigures; document: ProfileDocument }> {
  // Only published open data is read, which carries no visibility rule; the platform reads it itself.
  const { figures, boundaries } = await asSystem(db, (tx) => profileFigures(tx, r))
  const document = assembleProfile({ figures, boundaries, narrative, title: r.title, builtAt: longUkDateTime(now) })
  return { figures, document }
}

/** The JSON the command line writes: every figure, and each section's text. */
export function profileJson(built: { figures: ProfileFigures; document: ProfileDocument }) {
  const { figures, document } = built
  return {
    area: figures.area,
    period: figures.period,
    builtAt: document.builtAt,
    figures,
    sections: document.sections.map((s) => ({ key: s.key, title: s.title, narrative: s.narrative, findings: s.findings, tables: s.tables })),
    attribution: document.attribution,
  }
}
