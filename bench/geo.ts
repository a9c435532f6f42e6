// Geo benchmark (issue #7): how long the hot spot machinery of SOC local profiles takes at national
// scale and on a real force area.
//
//   node --import tsx bench/geo.ts [--repeats N] [--seed N] [--data DIR]
//
// 1. National: the 32,844 English LSOAs (2011) as synthetic polygons, the Voronoi cells of their
//    centroids (../shared/data/geo/lsoa_latlong.csv) clipped to a box around England; then queen
//    and rook contiguity over all of them, and Getis-Ord Gi* with a seeded synthetic count per LSOA.
// 2. The same contiguity at the vertex load of real boundaries: the 611 real ones below, laid out
//    54 times side by side (about 2 million vertices, against 200,000 for the Voronoi cells).
// 3. Leicestershire: the 611 real LSOA 2011 boundaries of the force area (Leicester E06000016,
//    Leicestershire E10000018, Rutland E06000017; code in LSOA11CD), contiguity and Gi* the same way.
//
// Each step runs once to warm up and then --repeats times (default 5); the median and the fastest
// are reported. A small table goes to stderr, the JSON figures to stdout. The shared data is read
// where it lies and never copied into the repository.

import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { seededRandom, type Random } from '../src/core/demo/random.ts'
import { areasFromFeatures, queenContiguity, rookContiguity, type AreaGeometry, type Contiguity, type Position } from '../src/core/geo/contiguity.ts'
import { getisOrdGiStar, type GiStar, type HotspotClass } from '../src/core/geo/getisOrd.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const { values: flags } = parseArgs({
  options: {
    repeats: { type: 'string', default: '5' },
    seed: { type: 'string', default: '20191' },
    data: { type: 'string', default: path.resolve(ROOT, '../shared/data/geo') },
  },
})
const repeats = Number(flags.repeats)
const seed = Number(flags.seed)
const LOAD_AT_START = os.loadavg()[0]
const log = (text: string) => process.stderr.write(`[bench geo] ${text}\n`)

type Timing = { medianMs: number; fastestMs: number; runs: number }
function time<T>(run: () => T): { result: T; timing: Timing } {
  let result = run()
  const ms: number[] = []
  for (let i = 0; i < repeats; i++) {
    const start = performance.now()
    result = run()
    ms.push(performance.now() - start)
  }
  ms.sort((a, b) => a - b)
  const round = (n: number) => Math.round(n * 10) / 10
  return { result, timing: { medianMs: round(ms[Math.floor(ms.length / 2)]!), fastestMs: round(ms[0]!), runs: ms.length } }
}

// ---------------------------------------------------------------------------------------------
// LSOA centroids. The file holds LSOAs of both editions: the 32,844 English LSOAs of 2011 are
// E01000001 to E01033768 (with gaps where 2001 codes were retired), and the 1,945 codes from
// E01033769 on were created in 2021 (some replacing 2011 ones, which are still listed), so the 2011
// set is the codes up to E01033768.

const LAST_2011_LSOA = 'E01033768'

function englishLsoaCentroids(file: string): Array<{ code: string; longitude: number; latitude: number }> {
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

function voronoiCells(sites: ReadonlyArray<{ code: string; longitude: number; latitude: number }>): { cells: AreaGeometry[]; standIns: number } {
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

const CENTRES: Array<[number, number]> = [[-1.1336, 52.6369], [-2.2426, 53.4808], [-1.8904, 52.4862], [-0.1276, 51.5072], [-1.5491, 53.8008], [-2.9916, 53.4084]]

function syntheticCounts(sites: ReadonlyArray<{ code: string; longitude: number; latitude: number }>, random: Random): Map<string, number> {
  return new Map(sites.map((s) => {
    const near = CENTRES.reduce((sum, [lon, lat]) => sum + Math.exp(-(((s.longitude - lon) * 0.61) ** 2 + (s.latitude - lat) ** 2) / (2 * 0.04 ** 2)), 0)
    const mean = 20 + 180 * near
    return [s.code, Math.floor(-Math.log(1 - random.next()) * mean)]
  }))
}

// ---------------------------------------------------------------------------------------------

const summariseContiguity = (c: Contiguity, timing: Timing) => {
  const degrees = [...c.neighbours.values()].map((l) => l.length)
  return {
    rule: c.rule,
    areas: c.neighbours.size,
    vertices: c.vertices,
    links: c.links,
    meanNeighbours: Math.round((degrees.reduce((s, d) => s + d, 0) / degrees.length) * 100) / 100,
    maxNeighbours: Math.max(...degrees),
    islands: c.islands.length,
    islandCodes: c.islands.slice(0, 20),
    ...timing,
  }
}
const summariseGiStar = (g: GiStar, timing: Timing) => {
  const classes: Partial<Record<HotspotClass, number>> = {}
  for (const a of g.areas) classes[a.hotspotClass] = (classes[a.hotspotClass] ?? 0) + 1
  return { areas: g.n, classes, fdrSignificant: g.fdr?.significant ?? null, ...timing }
}

const dataDir = flags.data
const centroidsFile = path.join(dataDir, 'lsoa_latlong.csv')
log(`reading ${centroidsFile}`)
const centroids = englishLsoaCentroids(centroidsFile)
if (centroids.length !== 32_844) throw new Error(`Expected the 32,844 English LSOAs of 2011, found ${centroids.length}`)

log('building Voronoi cells for the national LSOAs')
const voronoiStart = performance.now()
const { cells, standIns: standInCount } = voronoiCells(centroids)
const voronoiMs = Math.round(performance.now() - voronoiStart)

log(`national contiguity and Gi* (${repeats} runs each after a warm-up)`)
const nationalQueen = time(() => queenContiguity(cells))
const nationalRook = time(() => rookContiguity(cells))
const nationalCounts = syntheticCounts(centroids, seededRandom(seed))
const nationalGi = time(() => getisOrdGiStar(nationalCounts, nationalQueen.result.neighbours, { falseDiscoveryRate: 0.05 }))

log('Leicestershire force area: 611 LSOA boundaries')
const forceFiles = ['lsoa11_E06000016.geojson', 'lsoa11_E10000018.geojson', 'lsoa11_E06000017.geojson']
const forceAreas = forceFiles.flatMap((f) => areasFromFeatures(JSON.parse(fs.readFileSync(path.join(dataDir, f), 'utf8')), 'LSOA11CD'))
const forceQueen = time(() => queenContiguity(forceAreas))
const forceRook = time(() => rookContiguity(forceAreas))
const forceCodes = new Set(forceAreas.map((a) => a.code))
const forceCentroids = centroids.filter((c) => forceCodes.has(c.code))
const forceCounts = syntheticCounts(forceCentroids, seededRandom(seed))
const forceGi = time(() => getisOrdGiStar(forceCounts, forceQueen.result.neighbours, { falseDiscoveryRate: 0.05 }))
const forceQueenWhole = time(() => getisOrdGiStar(forceCounts, queenContiguity(forceAreas).neighbours, { falseDiscoveryRate: 0.05 }))

// The Voronoi cells have about 6 corners each; real generalised LSOA boundaries have about 60. To
// see contiguity at the real national vertex load, the 611 real boundaries are laid out 54 times
// side by side (9 by 6 copies, 1.5 degrees apart east-west and 1 degree north-south, so copies
// never touch): 32,994 areas, about as many as England's LSOAs.
log('real boundaries tiled to national size')
const tiled: AreaGeometry[] = []
for (let copy = 0; copy < 54; copy++) {
  const dx = (copy % 9) * 1.5
  const dy = Math.floor(copy / 9) * 1
  for (const area of forceAreas) {
    const shift = (ring: readonly Position[]) => ring.map((p) => [p[0]! + dx, p[1]! + dy])
    const g = area.geometry
    tiled.push({
      code: `${area.code}-${copy}`,
      geometry: g.type === 'Polygon' ? { type: 'Polygon', coordinates: g.coordinates.map(shift) } : { type: 'MultiPolygon', coordinates: g.coordinates.map((poly) => poly.map(shift)) },
    })
  }
}
const tiledQueen = time(() => queenContiguity(tiled))
const tiledRook = time(() => rookContiguity(tiled))

let commit = 'unknown'
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
} catch {
  // Outside a git checkout the figures still stand; only the commit is unknown.
}

const figures = {
  benchmark: 'geo',
  commit,
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, loadAverageAtStart: LOAD_AT_START, loadAverageAtEnd: os.loadavg()[0] },
  repeats,
  seed,
  national: {
    lsoas: centroids.length,
    polygons: 'Voronoi cells of the LSOA centroids, clipped to a box 0.2 degrees beyond them, with stand-in sites in tenth-of-a-degree squares no centroid is within two squares of',
    standInSites: standInCount,
    voronoiBuildMs: voronoiMs,
    queen: summariseContiguity(nationalQueen.result, nationalQueen.timing),
    rook: summariseContiguity(nationalRook.result, nationalRook.timing),
    giStar: summariseGiStar(nationalGi.result, nationalGi.timing),
  },
  realBoundariesTiled: {
    copies: 54,
    queen: summariseContiguity(tiledQueen.result, tiledQueen.timing),
    rook: summariseContiguity(tiledRook.result, tiledRook.timing),
  },
  leicestershire: {
    files: forceFiles,
    lsoas: forceAreas.length,
    queen: summariseContiguity(forceQueen.result, forceQueen.timing),
    rook: summariseContiguity(forceRook.result, forceRook.timing),
    giStar: summariseGiStar(forceGi.result, forceGi.timing),
    queenAndGiStarMs: forceQueenWhole.timing,
  },
}

const rows: Array<[string, string, string, string]> = [
  ['step', 'areas', 'median ms (fastest)', 'result'],
  ['national Voronoi cells (setup)', '32,844', `${voronoiMs} (once)`, `${figures.national.queen.vertices.toLocaleString('en-GB')} vertices`],
  ...(['queen', 'rook'] as const).map((rule): [string, string, string, string] => {
    const f = figures.national[rule]
    return [`national ${rule} contiguity`, f.areas.toLocaleString('en-GB'), `${f.medianMs} (${f.fastestMs})`, `${f.links.toLocaleString('en-GB')} links, mean ${f.meanNeighbours} neighbours, ${f.islands} islands`]
  }),
  ['national Gi* (queen, FDR 0.05)', '32,844', `${figures.national.giStar.medianMs} (${figures.national.giStar.fastestMs})`, Object.entries(figures.national.giStar.classes).map(([k, v]) => `${k} ${v}`).join(', ')],
  ...(['queen', 'rook'] as const).map((rule): [string, string, string, string] => {
    const f = figures.realBoundariesTiled[rule]
    return [`real boundaries x54, ${rule}`, f.areas.toLocaleString('en-GB'), `${f.medianMs} (${f.fastestMs})`, `${f.vertices.toLocaleString('en-GB')} vertices, ${f.links.toLocaleString('en-GB')} links, ${f.islands} islands`]
  }),
  ...(['queen', 'rook'] as const).map((rule): [string, string, string, string] => {
    const f = figures.leicestershire[rule]
    return [`Leicestershire ${rule} contiguity`, String(f.areas), `${f.medianMs} (${f.fastestMs})`, `${f.links} links, mean ${f.meanNeighbours} neighbours, ${f.islands} islands`]
  }),
  ['Leicestershire Gi* (queen, FDR 0.05)', '611', `${figures.leicestershire.giStar.medianMs} (${figures.leicestershire.giStar.fastestMs})`, Object.entries(figures.leicestershire.giStar.classes).map(([k, v]) => `${k} ${v}`).join(', ')],
  ['Leicestershire queen + Gi*', '611', `${forceQueenWhole.timing.medianMs} (${forceQueenWhole.timing.fastestMs})`, ''],
]
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)))
process.stderr.write(`\n${rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')).join('\n')}\n\n`)
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`)
