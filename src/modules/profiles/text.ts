import type { Cell, DensityMapFigure, Figure, ProfileTable } from '../../core/profiles/document.ts'

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

/** "2020-01" as "January 2020". */
export function monthLabel(month: string): string {
  const [year, m] = month.split('-')
  return `${MONTHS[Number(m) - 1] ?? m} ${year}`
}

export function periodLabel(period: { from: string; to: string }): string {
  return period.from === period.to ? monthLabel(period.from) : `${monthLabel(period.from)} to ${monthLabel(period.to)}`
}

/** A table cell as text: numbers with thousands separators, nothing as a dash. */
export function cellText(value: Cell): string {
  if (value === null) return '–'
  if (typeof value === 'number') return value.toLocaleString('en-GB', { maximumFractionDigits: 2 })
  return value
}

/** The numbers a figure draws, as a table, for documents and readers that cannot see the drawing. */
export function figureAsTable(f: Figure): ProfileTable {
  if (f.kind === 'map') {
    const byClass = new Map(f.legend.map((l) => [l.key, [] as string[]]))
    for (const a of f.areas) byClass.get(a.classKey)?.push(a.name)
    return {
      caption: f.title,
      head: ['Class', 'Areas', 'Count'],
      rows: f.legend.map((l) => [l.label, summariseNames(byClass.get(l.key) ?? []), byClass.get(l.key)?.length ?? 0]),
      numeric: [false, false, true],
    }
  }
  if (f.kind === 'density') {
    return {
      caption: `${f.title}: the densest places, densest first, each at least one bandwidth from a denser one`,
      head: ['Rank', 'In the LSOA', 'Code', 'Density per km²', 'Times the mean', `Within ${cellText(f.bandwidthMetres)} m`],
      rows: f.peaks.map((p) => [p.rank, p.place, p.code, p.densityPerSquareKm, p.timesMean, p.within]),
      numeric: [true, false, false, true, true, true],
    }
  }
  const points = f.kind === 'bars' ? f.bars : f.points
  return { caption: f.title, head: [f.kind === 'line' ? 'Month' : 'Category', f.unit], rows: points.map((p) => [p.label, p.value]), numeric: [false, true] }
}

function summariseNames(names: string[]): string {
  const shown = names.slice(0, 12).join(', ')
  return names.length > 12 ? `${shown} and ${names.length - 12} more` : shown
}

/**
 * Where a map's boundaries sit, and how to place them in a box of the given size: longitude is
 * shrunk by the cosine of the middle latitude (close enough for an area the size of a force) and
 * one scale fits both directions. The extent is found by a loop, not Math.min(...points), which
 * overflows the stack beyond about 120,000 points (a force of 2,000 LSOAs). Null when there is nothing to draw.
 * A heat map is framed by its LSOAs like any map, so its cells beyond the area's edge are cut off.
 */
export function mapFrame(
  f: { areas: ReadonlyArray<{ rings: ReadonlyArray<ReadonlyArray<readonly [number, number]>> }>; extent?: DensityMapFigure['extent'] },
  width: number,
  maxHeight: number,
): { project: (p: readonly [number, number]) => [number, number]; width: number; height: number } | null {
  let west = Infinity
  let east = -Infinity
  let south = Infinity
  let north = -Infinity
  // A heat map with no boundaries loaded is framed by its grid.
  if (f.areas.length === 0 && f.extent) ({ west, east, south, north } = f.extent)
  for (const a of f.areas) {
    for (const ring of a.rings) {
      for (const [lon, lat] of ring) {
        if (lon < west) west = lon
        if (lon > east) east = lon
        if (lat < south) south = lat
        if (lat > north) north = lat
      }
    }
  }
  if (west === Infinity) return null
  const k = Math.cos((((south + north) / 2) * Math.PI) / 180)
  const scale = Math.min(width / Math.max(1e-9, (east - west) * k), maxHeight / Math.max(1e-9, north - south))
  return { project: ([lon, lat]) => [(lon - west) * k * scale, (north - lat) * scale], width: (east - west) * k * scale, height: (north - south) * scale }
}
