// Synthetic national LSOAs for the benchmarks of issue #7: the 32,844 English LSOAs of 2011 at their
// real centroids, polygons for them (the Voronoi cells of the centroids), a seeded synthetic count
// per LSOA with hot spots around a few city centres, and each LSOA's real name and police force
// area from the ONS lookups. Used by bench/geo.ts (contiguity and Gi* at national scale) and
// bench/profile.ts (a profile of all of them). Everything is read from ../shared/data where it
// lies; nothing is copied into the repository.

import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { parse as parseSync } from 'csv-parse/sync'
import type { Random } from '../src/core/demo/random.ts'
import type { AreaGeometry, Position } from '../src/core/geo/contiguity.ts'

export type Centroid = { code: string; longitude: number; latitude: number }

// ---------------------------------------------------------------------------------------------
// LSOA centroids. The file holds LSOAs of both editions: the 32,844 English LSOAs of 2011 are
// E01000001 to E01033768 (with gaps where 2001 codes were retired), and the 1,945 codes from
// E01033769 on were created in 2021 (some replacing 2011 ones, which are still listed), so the 2011
// set is the codes up to E01033768.

export const LAST_2011_LSOA = 'E01033768'

export function englishLsoaCentroids(file: string): Centroid[] {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/)
  const columns = header!.split(',')
  const at = (name: string) => {
    const i = columns.indexOf(name)
    if (i === -1) throw new Error(`${file} has no ${name} column (it has ${columns.join(', ')})`)
    return i
  }
  const [code, latitude, longitude] = [at('LSOACD'), at('latitude'), at('longitude')]
  return lines
    .map((line) => line.split(','))
    .filter((row) => row[code]!.startsWith('E01') && row[code]! <= LAST_2011_LSOA)
    .map((row) => ({ code: row[code]!, latitude: Number(row[latitude]), longitude: Number(row[longitude]) }))
}

// ---------------------------------------------------------------------------------------------
// Voronoi cells by half-plane clipping: a site's cell is the box cut by the perpendicular bisector
// with each nearby site, nearest first, in rings of a bucket grid; it is final once the sites
// already used reach more than twice as far as the cell's farthest corner (no farther site can cut
// it). Worked in x = longitude cos(mean latitude), y = latitude, so that cells are roughly round on
// the ground. Each cell is computed on its own, so the corners two cells share agree only to
// rounding, which the contiguity tolerance absorbs. Stand-in sites at the centre of every
// tenth-of-a-degree square with no centroid within two squares of it (open sea; the sparsest
// moorland is not so empty) keep coastal cells from running out to the box's edge; they cut the
// real cells but have none of their own. The cells know nothing of the coast, so an offshore LSOA
// (the Isles of Scilly) still meets the mainland's cells across the water: the national synthetic
// figures have no islands, unlike real boundaries.

type Point = [number, number]

function clip(polygon: Point[], sx: number, sy: number, ox: number, oy: number): Point[] {
  const nx = ox - sx
  const ny = oy - sy
  const c = (nx * (sx + ox) + ny * (sy + oy)) / 2
  const side = (p: Point) => nx * p[0] + ny * p[1] - c // <= 0 on the site's side
  const out: Point[] = []
  for (let i = 0; i < polygon.length; i++) {
    const a = polygon[i]!
    const b = polygon[(i + 1) % polygon.length]!
    const da = side(a)
    const db = side(b)
    if (da <= 0) out.push(a)
    if ((da < 0 && db > 0) || (da > 0 && db < 0)) {
      const t = da / (da - db)
      out.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])])
    }
  }
  return out
}

export function voronoiCells(sites: readonly Centroid[]): { cells: AreaGeometry[]; standIns: number } {
  const meanLatitude = sites.reduce((s, p) => s + p.latitude, 0) / sites.length
  const k = Math.cos((meanLatitude * Math.PI) / 180)
  const xs = sites.map((p) => p.longitude * k)
  const ys = sites.map((p) => p.latitude)
  const pad = 0.2
  const [minX, maxX, minY, maxY] = [Math.min(...xs) - pad, Math.max(...xs) + pad, Math.min(...ys) - pad, Math.max(...ys) + pad]
  const standIn = 0.1
  const standInColumns = Math.ceil((maxX - minX) / standIn)
  const standInRows = Math.ceil((maxY - minY) / standIn)
  const occupied = new Set(sites.map((_, i) => Math.floor((ys[i]! - minY) / standIn) * standInColumns + Math.floor((xs[i]! - minX) / standIn)))
  const nearSite = (column: number, row: number) => {
    for (let dr = -2; dr <= 2; dr++) for (let dc = -2; dc <= 2; dc++) if (occupied.has((row + dr) * standInColumns + column + dc)) return true
    return false
  }
  for (let row = 0; row < standInRows; row++) {
    for (let column = 0; column < standInColumns; column++) {
      if (nearSite(column, row)) continue
      xs.push(minX + (column + 0.5) * standIn)
      ys.push(minY + (row + 0.5) * standIn)
    }
  }
  // A fine grid (about 500 m), as dense as central London's centroids: rural cells walk more rings
  // of empty grid squares, which costs little, and no ring holds hundreds of candidates.
  const g = 0.005
  const columns = Math.ceil((maxX - minX) / g)
  const rows = Math.ceil((maxY - minY) / g)
  const cellOf = (i: number) => [Math.min(columns - 1, Math.floor((xs[i]! - minX) / g)), Math.min(rows - 1, Math.floor((ys[i]! - minY) / g))] as const
  // The sites of grid square b are bucketed[start[b]] to bucketed[start[b + 1] - 1].
  const start = new Int32Array(columns * rows + 1)
  for (let i = 0; i < xs.length; i++) {
    const [cx, cy] = cellOf(i)
    start[cy * columns + cx + 1]!++
  }
  for (let b = 0; b < columns * rows; b++) start[b + 1]! += start[b]!
  const fill = start.slice()
  const bucketed = new Int32Array(xs.length)
  for (let i = 0; i < xs.length; i++) {
    const [cx, cy] = cellOf(i)
    bucketed[fill[cy * columns + cx]!++] = i
  }

  const cells = sites.map((site, i): AreaGeometry => {
    const sx = xs[i]!
    const sy = ys[i]!
    let polygon: Point[] = [[minX, minY], [maxX, minY], [maxX, maxY], [minX, maxY]]
    let reach = polygon.reduce((m, p) => Math.max(m, Math.sqrt((p[0] - sx) ** 2 + (p[1] - sy) ** 2)), 0)
    const [cx, cy] = cellOf(i)
    for (let ring = 0; ; ring++) {
      const candidates: number[] = []
      const take = (gx: number, gy: number) => {
        if (gx < 0 || gy < 0 || gx >= columns || gy >= rows) return
        const b = gy * columns + gx
        for (let k = start[b]!; k < start[b + 1]!; k++) if (bucketed[k] !== i) candidates.push(bucketed[k]!)
      }
      if (ring === 0) take(cx, cy)
      for (let d = -ring; d < ring; d++) {
        // The ring's four sides, each without its last corner, so every grid cell comes once.
        take(cx + d, cy - ring)
        take(cx + ring, cy + d)
        take(cx - d, cy + ring)
        take(cx - ring, cy - d)
      }
      candidates.sort((a, b) => (xs[a]! - sx) ** 2 + (ys[a]! - sy) ** 2 - ((xs[b]! - sx) ** 2 + (ys[b]! - sy) ** 2))
      for (const j of candidates) {
        const d = Math.sqrt((xs[j]! - sx) ** 2 + (ys[j]! - sy) ** 2)
        // A site more than twice the cell's reach away has its bisector beyond every corner.
        if (d === 0 || d > 2 * reach) continue
        polygon = clip(polygon, sx, sy, xs[j]!, ys[j]!)
        reach = polygon.reduce((m, p) => Math.max(m, Math.sqrt((p[0] - sx) ** 2 + (p[1] - sy) ** 2)), 0)
      }
      if (ring * g >= 2 * reach) break
    }
    const ringLonLat: Position[] = polygon.map(([x, y]) => [x / k, y])
    ringLonLat.push(ringLonLat[0]!)
    return { code: site.code, geometry: { type: 'Polygon', coordinates: [ringLonLat] } }
  })
  return { cells, standIns: xs.length - sites.length }
}

// ---------------------------------------------------------------------------------------------
// Synthetic counts: a seeded base rate everywhere and more around a few city centres, so that Gi*
// has hot spots to find. Exponentially distributed around each LSOA's mean, rounded down.

export const CENTRES: Array<[number, number]> = [[-1.1336, 52.6369], [-2.2426, 53.4808], [-1.8904, 52.4862], [-0.1276, 51.5072], [-1.5491, 53.8008], [-2.9916, 53.4084]]

export function syntheticCounts(sites: readonly Centroid[], random: Random): Map<string, number> {
  return new Map(sites.map((s) => {
    const near = CENTRES.reduce((sum, [lon, lat]) => sum + Math.exp(-(((s.longitude - lon) * 0.61) ** 2 + (s.latitude - lat) ** 2) / (2 * 0.04 ** 2)), 0)
    const mean = 20 + 180 * near
    return [s.code, Math.floor(-Math.log(1 - random.next()) * mean)]
  }))
}

// ---------------------------------------------------------------------------------------------
// Names and police force areas, from the ONS lookups: the output-area lookup names each LSOA and
// its local authority district (2017), and the district lookup names the police force area.

export function lsoaNamesAndForces(dataDir: string): Map<string, { name: string; forceCode: string; forceName: string }> {
  const forceOfLad = new Map<string, { code: string; name: string }>()
  const lads = parseSync(fs.readFileSync(path.join(dataDir, 'geo/LAD17_CSP17_PFA17_lookup_EW.csv')), { bom: true, columns: true }) as Array<Record<string, string>>
  for (const row of lads) forceOfLad.set(row.LAD17CD!, { code: row.PFA17CD!, name: row.PFA17NM! })
  const oa = zlib.gunzipSync(fs.readFileSync(path.join(dataDir, 'deprivation/OA11_LSOA11_MSOA11_LAD17_classification_lookup.csv.gz')))
  const out = new Map<string, { name: string; forceCode: string; forceName: string }>()
  for (const row of parseSync(oa, { bom: true, columns: true }) as Array<Record<string, string>>) {
    const code = row.LSOA11CD!
    if (out.has(code)) continue
    const force = forceOfLad.get(row.LAD17CD!)
    if (force) out.set(code, { name: row.LSOA11NM!, forceCode: force.code, forceName: force.name })
  }
  return out
}
