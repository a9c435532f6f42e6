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
// 4. Kernel density (the heat maps of the map page and the profile): the real positions of the 23
//    Leicestershire months (../shared/data/police/leicestershire) over the force area's box, with
//    the bandwidth chosen from its size in the profile's 40,000 cells and at 500 m in the map's
//    160,000; and a seeded million points about the national LSOA centroids over England's box.
//
// Each step runs once to warm up and then --repeats times (default 5); the median and the fastest
// are reported. A small table goes to stderr, the JSON figures to stdout. The shared data is read
// where it lies and never copied into the repository. The centroids, Voronoi cells and synthetic
// counts are in bench/syntheticLsoas.ts, which bench/profile.ts shares.

import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { seededRandom } from '../src/core/demo/random.ts'
import { areasFromFeatures, queenContiguity, rookContiguity, type AreaGeometry, type Contiguity, type Position } from '../src/core/geo/contiguity.ts'
import { getisOrdGiStar, type GiStar, type HotspotClass } from '../src/core/geo/getisOrd.ts'
import { densitySurface, extentOfAreas, type DensitySurface } from '../src/core/geo/densitySurface.ts'
import type { DensityPoint } from '../src/core/geo/kernelDensity.ts'
import type { AreaGeometry as AreaGeometryOfImport } from '../src/core/opendata/geometry.ts'
import { MAP_DENSITY_CELLS } from '../src/modules/maps/density.ts'
import { parse } from 'csv-parse/sync'
import { englishLsoaCentroids, syntheticCounts, voronoiCells } from './syntheticLsoas.ts'

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

log('kernel density: the Leicestershire months, and a national million points')
const policeDir = path.resolve(dataDir, '../police/leicestershire')
const forcePoints: DensityPoint[] = []
for (const file of fs.readdirSync(policeDir).filter((f) => f.endsWith('-street.csv')).sort()) {
  for (const r of parse(fs.readFileSync(path.join(policeDir, file)), { columns: true, bom: true }) as Array<Record<string, string>>) {
    if (r.Longitude && r.Latitude && forceCodes.has(r['LSOA code']!)) forcePoints.push({ longitude: Number(r.Longitude), latitude: Number(r.Latitude) })
  }
}
const forceExtent = extentOfAreas(forceAreas.map((a) => a.geometry as unknown as AreaGeometryOfImport))!
const forceDensity = time(() => densitySurface(forcePoints, { extent: forceExtent })!)
const forceDensityMap = time(() => densitySurface(forcePoints, { extent: forceExtent, bandwidthMetres: 500, maxCells: MAP_DENSITY_CELLS })!)
const jitter = seededRandom(seed + 1)
const nationalPoints: DensityPoint[] = Array.from({ length: 1_000_000 }, () => {
  const c = centroids[Math.floor(jitter.next() * centroids.length)]!
  return { longitude: c.longitude + (jitter.next() - 0.5) * 0.01, latitude: c.latitude + (jitter.next() - 0.5) * 0.006 }
})
const nationalDensity = time(() => densitySurface(nationalPoints, { maxCells: MAP_DENSITY_CELLS })!)
const summariseDensity = (d: DensitySurface, timing: Timing) => ({
  points: d.points, bandwidthMetres: d.bandwidthMetres, cellSizeMetres: d.cellSizeMetres, cells: d.columns * d.rows, shadedRuns: d.runs.length, peaks: d.peaks.length, ...timing,
})

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
  kernelDensity: {
    leicestershireProfile: summariseDensity(forceDensity.result, forceDensity.timing),
    leicestershireMap500m: summariseDensity(forceDensityMap.result, forceDensityMap.timing),
    nationalMillionPoints: summariseDensity(nationalDensity.result, nationalDensity.timing),
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
  ...([
    ['kernel density, Leicestershire, profile grid', figures.kernelDensity.leicestershireProfile],
    ['kernel density, Leicestershire, map at 500 m', figures.kernelDensity.leicestershireMap500m],
    ['kernel density, national million points', figures.kernelDensity.nationalMillionPoints],
  ] as const).map(([label, f]): [string, string, string, string] => [
    label, `${f.points.toLocaleString('en-GB')} points`, `${f.medianMs} (${f.fastestMs})`,
    `${f.bandwidthMetres} m bandwidth, ${f.cellSizeMetres} m cells, ${f.cells.toLocaleString('en-GB')} cells, ${f.shadedRuns.toLocaleString('en-GB')} runs`,
  ]),
]
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)))
process.stderr.write(`\n${rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')).join('\n')}\n\n`)
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`)
