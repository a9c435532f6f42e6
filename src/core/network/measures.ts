import louvainModule from 'graphology-communities-louvain'
import { UndirectedGraph } from 'graphology'
import { seededRandom } from '../demo/random.ts'
import { brandesBetweenness, pivotSources } from './betweenness.ts'
import { compactGraph, type CompactGraph } from './compact.ts'
import type { Network } from './graph.ts'

// The measures an analyst reads off a network: who has the most links (degree), who sits on the
// paths between others and so brokers between parts of the network (betweenness), who is linked
// to the well-linked (PageRank, eigenvector), whose associates know each other (clustering), and
// which clusters the network falls into (Louvain communities). Conventions are in
// docs/network-measures.md; each follows igraph's defaults so figures can be checked against it.

export type NodeMeasures = { node: string; degree: number; weightedDegree: number; betweenness: number; pagerank: number; eigenvector: number; clustering: number; community: number }
export type MeasureStage = 'betweenness' | 'pagerank' | 'eigenvector' | 'clustering' | 'communities'
export type MeasureOptions = {
  directed?: boolean
  betweenness?: 'exact' | 'sampled' | 'auto'
  /** Pivot sources for sampled betweenness; by default as many as the work budget allows (at least 256). */
  samples?: number
  seed?: number
  /** Called as the long stages advance (betweenness per source), for a progress bar. */
  onProgress?: (stage: MeasureStage, done: number, total: number) => void
}
export type NetworkMeasures = { measures: NodeMeasures[]; betweennessMethod: 'exact' | 'sampled'; samples: number | null; communities: number; modularity: number }

/**
 * Exact betweenness costs one breadth-first search per node, about n x 2m array steps. Up to this
 * many it takes a few seconds on one core (bench/network.ts measures about 1.5e9 steps a second
 * on the benchmark machine), so 'auto' stays exact; above it, sampling from pivots keeps the cost
 * at the budget. 10,000 nodes with 50,000 links is 1e9 steps: exact.
 */
export const EXACT_BETWEENNESS_BUDGET = 4e9
export const MIN_SAMPLES = 256
// The package is CommonJS whose types declare an ES default export; at run time the default import
// is the function itself.
const louvain = ((louvainModule as { default?: unknown }).default ?? louvainModule) as typeof louvainModule.default
const DAMPING = 0.85
const TOLERANCE = 1e-12
const MAX_ITERATIONS = 1000

/** The number of pivots 'auto' and 'sampled' use when none is given. */
export function defaultSamples(nodes: number, arcs: number): number {
  return Math.min(nodes, Math.max(MIN_SAMPLES, Math.floor(EXACT_BETWEENNESS_BUDGET / Math.max(1, arcs))))
}

/**
 * PageRank with damping 0.85, as igraph and NetworkX: a random walk along links (weighted by link
 * weight) that restarts anywhere with probability 0.15; a node with no outgoing link restarts
 * the walk anywhere. Scores sum to 1.
 */
export function pagerank(graph: CompactGraph): Float64Array {
  const n = graph.ids.length
  const { inOffsets, inTargets, inWeights, offsets, weights } = graph
  const outWeight = new Float64Array(n)
  for (let v = 0; v < n; v++) for (let e = offsets[v]!; e < offsets[v + 1]!; e++) outWeight[v]! += weights[e]!
  let rank = new Float64Array(n).fill(1 / n)
  let next = new Float64Array(n)
  const share = new Float64Array(n)
  for (let iteration = 0; iteration < MAX_ITERATIONS && n > 0; iteration++) {
    let dangling = 0
    for (let v = 0; v < n; v++) {
      if (outWeight[v]! > 0) share[v] = rank[v]! / outWeight[v]!
      else {
        share[v] = 0
        dangling += rank[v]!
      }
    }
    const base = (1 - DAMPING) / n + (DAMPING * dangling) / n
    let change = 0
    for (let v = 0; v < n; v++) {
      let sum = 0
      for (let e = inOffsets[v]!; e < inOffsets[v + 1]!; e++) sum += share[inTargets[e]!]! * inWeights[e]!
      const value = base + DAMPING * sum
      change += Math.abs(value - rank[v]!)
      next[v] = value
    }
    ;[rank, next] = [next, rank]
    if (change < TOLERANCE * n) break
  }
  return rank
}

/**
 * Eigenvector centrality scaled so the highest is 1 (igraph's default): a node scores in
 * proportion to the scores of the nodes linking to it, weighted. Undirected, power iteration runs
 * on A + I, which has the same leading eigenvector but cannot oscillate on a bipartite network.
 * Nodes outside the component with the largest eigenvalue tend to 0, as they do in igraph.
 */
export function eigenvector(graph: CompactGraph): Float64Array {
  const n = graph.ids.length
  const { inOffsets, inTargets, inWeights } = graph
  const shift = graph.directed ? 0 : 1
  let x = new Float64Array(n)
  for (let v = 0; v < n; v++) x[v] = inOffsets[v + 1]! - inOffsets[v]! + 1
  let y = new Float64Array(n)
  for (let iteration = 0; iteration < MAX_ITERATIONS && n > 0; iteration++) {
    let max = 0
    for (let v = 0; v < n; v++) {
      let sum = shift * x[v]!
      for (let e = inOffsets[v]!; e < inOffsets[v + 1]!; e++) sum += x[inTargets[e]!]! * inWeights[e]!
      y[v] = sum
      if (sum > max) max = sum
    }
    if (max === 0) return new Float64Array(n)
    let change = 0
    for (let v = 0; v < n; v++) {
      y[v]! /= max
      change = Math.max(change, Math.abs(y[v]! - x[v]!))
    }
    ;[x, y] = [y, x]
    if (change < 1e-10) break
  }
  return x
}

/**
 * Local clustering coefficient on the undirected, collapsed network: of the pairs of a node's
 * neighbours, the share that are linked to each other. 0 for a node with fewer than two
 * neighbours (igraph's mode "zero").
 */
export function clustering(graph: CompactGraph): Float64Array {
  const n = graph.ids.length
  const { offsets, targets } = graph
  const result = new Float64Array(n)
  const mark = new Int32Array(n).fill(-1)
  for (let v = 0; v < n; v++) {
    const degree = offsets[v + 1]! - offsets[v]!
    if (degree < 2) continue
    for (let e = offsets[v]!; e < offsets[v + 1]!; e++) mark[targets[e]!] = v
    let links = 0
    for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
      const u = targets[e]!
      for (let f = offsets[u]!; f < offsets[u + 1]!; f++) if (mark[targets[f]!] === v) links++
    }
    // Each link between two neighbours was seen from both ends.
    result[v] = links / (degree * (degree - 1))
  }
  return result
}

/**
 * Louvain communities (graphology-communities-louvain) on the undirected, collapsed, weighted
 * network, with a seeded generator so the same network always gives the same communities.
 * Communities are numbered by size, largest first (0); a node with no links is a community of one.
 */
export function communities(graph: CompactGraph, seed: number): { community: Int32Array; count: number; modularity: number } {
  const n = graph.ids.length
  const raw = new Int32Array(n)
  let modularity = 0
  if (graph.edgeCount > 0) {
    const g = new UndirectedGraph({ allowSelfLoops: false })
    for (let v = 0; v < n; v++) g.addNode(String(v))
    const { offsets, targets, weights } = graph
    for (let v = 0; v < n; v++) for (let e = offsets[v]!; e < offsets[v + 1]!; e++) if (targets[e]! > v) g.addEdge(String(v), String(targets[e]!), { weight: weights[e]! })
    const random = seededRandom(seed)
    const result = louvain.detailed(g, { getEdgeWeight: 'weight', rng: random.next })
    for (let v = 0; v < n; v++) raw[v] = result.communities[String(v)]!
    modularity = result.modularity
  } else for (let v = 0; v < n; v++) raw[v] = v
  // Renumber by size, ties by the first node, so the numbering reads the same on every run.
  const size = new Map<number, number>()
  const first = new Map<number, number>()
  for (let v = 0; v < n; v++) {
    size.set(raw[v]!, (size.get(raw[v]!) ?? 0) + 1)
    if (!first.has(raw[v]!)) first.set(raw[v]!, v)
  }
  const ordered = [...size.keys()].sort((a, b) => size.get(b)! - size.get(a)! || first.get(a)! - first.get(b)!)
  const number = new Map(ordered.map((c, i) => [c, i]))
  const community = new Int32Array(n)
  for (let v = 0; v < n; v++) community[v] = number.get(raw[v]!)!
  return { community, count: ordered.length, modularity }
}

export function measureNetwork(network: Network, options: MeasureOptions = {}): NetworkMeasures {
  const directed = options.directed ?? false
  const seed = options.seed ?? 1
  const undirected = compactGraph(network, false)
  const graph = directed ? compactGraph(network, true) : undirected
  const n = graph.ids.length
  const arcs = graph.targets.length
  const method = options.betweenness ?? 'auto'
  if (options.samples !== undefined && !(Number.isInteger(options.samples) && options.samples >= 1)) throw new RangeError(`samples must be a whole number of at least 1, not ${options.samples}`)
  const sampled = method === 'sampled' || (method === 'auto' && n * arcs > EXACT_BETWEENNESS_BUDGET)
  const samples = sampled ? Math.min(n, options.samples ?? defaultSamples(n, arcs)) : null
  const progress = options.onProgress
  const betweenness = brandesBetweenness(
    graph,
    samples === null ? undefined : pivotSources(n, samples, seededRandom(seed).next),
    progress ? (done, total) => progress('betweenness', done, total) : undefined,
  )
  progress?.('pagerank', 0, 1)
  const rank = pagerank(graph)
  progress?.('eigenvector', 0, 1)
  const eigen = eigenvector(graph)
  progress?.('clustering', 0, 1)
  const coefficient = clustering(undirected)
  progress?.('communities', 0, 1)
  const found = communities(undirected, seed)
  const measures: NodeMeasures[] = new Array(n)
  for (let v = 0; v < n; v++) {
    let weightedDegree = 0
    for (let e = undirected.offsets[v]!; e < undirected.offsets[v + 1]!; e++) weightedDegree += undirected.weights[e]!
    measures[v] = {
      node: graph.ids[v]!,
      degree: undirected.offsets[v + 1]! - undirected.offsets[v]!,
      weightedDegree,
      betweenness: betweenness[v]!,
      pagerank: rank[v]!,
      eigenvector: eigen[v]!,
      clustering: coefficient[v]!,
      community: found.community[v]!,
    }
  }
  return { measures, betweennessMethod: samples === null ? 'exact' : 'sampled', samples, communities: found.count, modularity: found.modularity }
}
