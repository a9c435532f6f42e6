import type { CompactGraph } from './compact.ts'

// Betweenness centrality by Brandes' algorithm (U. Brandes, "A faster algorithm for betweenness
// centrality", J. Math. Sociology 25(2), 2001): a breadth-first search from each source counts
// shortest paths, then dependencies are accumulated back from the farthest node.
//
// Shortest paths count hops; link weights are not used. In link data a weight is a strength (how
// many calls, how many records join two people), not a distance, and reading it as a distance
// would route shortest paths through the weakest ties.
//
// Convention, as igraph's default (unnormalised): the number of shortest paths through a node
// between pairs of other nodes, each a fraction when several shortest paths tie. Undirected,
// each unordered pair counts once (the sum over sources is halved); directed, each ordered pair.
//
// Instead of a predecessor list per node, the accumulation walks each node's neighbours again and
// keeps those one hop farther from the source, and it carries (1 + delta[w]) / sigma[w] per node
// so the inner loop is one comparison and one addition. All buffers are allocated once.

export type BetweennessProgress = (done: number, total: number) => void

/** Exact betweenness (sources = every node), or Brandes from the given pivot sources scaled by n / k. */
export function brandesBetweenness(graph: CompactGraph, sources?: Int32Array, onProgress?: BetweennessProgress): Float64Array {
  const n = graph.ids.length
  const { offsets, targets } = graph
  const result = new Float64Array(n)
  const sigma = new Float64Array(n)
  const coefficient = new Float64Array(n)
  const distance = new Int32Array(n).fill(-1)
  const order = new Int32Array(n)
  const k = sources ? sources.length : n
  const every = Math.max(1, Math.floor(k / 100))
  for (let i = 0; i < k; i++) {
    const s = sources ? sources[i]! : i
    // Breadth-first search: `order` is both the queue and, read backwards, the stack.
    let head = 0
    let tail = 0
    order[tail++] = s
    distance[s] = 0
    sigma[s] = 1
    while (head < tail) {
      const v = order[head++]!
      const dv = distance[v]! + 1
      const sv = sigma[v]!
      for (let e = offsets[v]!, end = offsets[v + 1]!; e < end; e++) {
        const w = targets[e]!
        const dw = distance[w]!
        if (dw < 0) {
          distance[w] = dv
          sigma[w] = sv
          order[tail++] = w
        } else if (dw === dv) sigma[w]! += sv
      }
    }
    // Accumulation, farthest first.
    for (let j = tail - 1; j > 0; j--) {
      const v = order[j]!
      const next = distance[v]! + 1
      let sum = 0
      for (let e = offsets[v]!, end = offsets[v + 1]!; e < end; e++) {
        const w = targets[e]!
        if (distance[w] === next) sum += coefficient[w]!
      }
      const delta = sigma[v]! * sum
      result[v]! += delta
      coefficient[v] = (1 + delta) / sigma[v]!
    }
    // The source's own coefficient is never read (no node is closer than it); reset what was touched.
    for (let j = 0; j < tail; j++) {
      const v = order[j]!
      distance[v] = -1
      coefficient[v] = 0
    }
    if (onProgress && (i + 1) % every === 0) onProgress(i + 1, k)
  }
  const scale = (sources ? n / k : 1) * (graph.directed ? 1 : 0.5)
  if (scale !== 1) for (let v = 0; v < n; v++) result[v]! *= scale
  return result
}

/** k distinct pivot sources drawn uniformly (partial Fisher–Yates) with the seeded generator. */
export function pivotSources(n: number, k: number, random: () => number): Int32Array {
  const all = new Int32Array(n)
  for (let i = 0; i < n; i++) all[i] = i
  const take = Math.min(n, k)
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (n - i))
    const t = all[i]!
    all[i] = all[j]!
    all[j] = t
  }
  return all.slice(0, take)
}
