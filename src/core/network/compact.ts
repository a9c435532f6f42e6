import type { Network } from './graph.ts'

// A network as typed arrays (compressed sparse rows), so the measures run over integers and
// contiguous memory instead of string-keyed maps: exact betweenness on 50,000 people is 50,000
// breadth-first searches, and each must touch nothing but arrays.
//
// Parallel links between the same two nodes are collapsed into one, their weights summed: a
// database network holds several links between two people (an association, a shared address,
// co-mention in three intelligence records), and counting each as a separate path or neighbour
// would make every measure reward the number of records rather than the structure. Self-links are
// dropped: they join no one to anyone and no measure here gives them a meaning.

export type CompactGraph = {
  ids: string[]
  index: Map<string, number>
  directed: boolean
  /** Out-neighbours of v (all neighbours when undirected): targets[offsets[v] .. offsets[v+1]). */
  offsets: Int32Array
  targets: Int32Array
  weights: Float64Array
  /** In-neighbours when directed; the same arrays as the out-neighbours when not. */
  inOffsets: Int32Array
  inTargets: Int32Array
  inWeights: Float64Array
  /** Distinct pairs after collapsing (arcs when directed). */
  edgeCount: number
  /** Links given, before collapsing, and self-links dropped. */
  linksGiven: number
  selfLinks: number
}

function rows(n: number, from: Int32Array, to: Int32Array, weight: Float64Array, count: number) {
  const offsets = new Int32Array(n + 1)
  for (let i = 0; i < count; i++) offsets[from[i]! + 1]!++
  for (let v = 0; v < n; v++) offsets[v + 1]! += offsets[v]!
  const cursor = offsets.slice(0, n)
  const targets = new Int32Array(count)
  const weights = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    const at = cursor[from[i]!]!++
    targets[at] = to[i]!
    weights[at] = weight[i]!
  }
  return { offsets, targets, weights }
}

/**
 * The compact form of a network. When `directed`, a link marked directed runs one way and an
 * undirected link both ways; otherwise every link runs both ways.
 */
export function compactGraph(network: Network, directed = false): CompactGraph {
  const ids = network.nodes.map((n) => n.id)
  const index = new Map<string, number>()
  ids.forEach((id, i) => {
    if (index.has(id)) throw new Error(`The network holds node ${id} twice`)
    index.set(id, i)
  })
  const n = ids.length
  // One key per ordered (directed) or unordered pair: the collapsed arcs, weights summed.
  const pairWeight = new Map<number, number>()
  let selfLinks = 0
  const key = (a: number, b: number) => a * n + b
  const add = (a: number, b: number, w: number) => {
    const k = key(a, b)
    pairWeight.set(k, (pairWeight.get(k) ?? 0) + w)
  }
  for (const edge of network.edges) {
    const a = index.get(edge.source)
    const b = index.get(edge.target)
    if (a === undefined || b === undefined) throw new Error(`Link ${edge.id} joins ${a === undefined ? edge.source : edge.target}, which is not a node of the network`)
    if (a === b) {
      selfLinks++
      continue
    }
    const w = Number.isFinite(edge.weight) && edge.weight >= 0 ? edge.weight : 1
    if (!directed) add(Math.min(a, b), Math.max(a, b), w)
    else {
      add(a, b, w)
      if (!edge.directed) add(b, a, w)
    }
  }
  const pairs = pairWeight.size
  const arcs = directed ? pairs : pairs * 2
  const from = new Int32Array(arcs)
  const to = new Int32Array(arcs)
  const weight = new Float64Array(arcs)
  let i = 0
  // Keys are below n^2 <= 2^53 for any network that fits in memory, so they are exact numbers.
  for (const [k, w] of pairWeight) {
    const a = Math.floor(k / n)
    const b = k - a * n
    from[i] = a
    to[i] = b
    weight[i++] = w
    if (!directed) {
      from[i] = b
      to[i] = a
      weight[i++] = w
    }
  }
  const out = rows(n, from, to, weight, arcs)
  const incoming = directed ? rows(n, to, from, weight, arcs) : out
  return {
    ids,
    index,
    directed,
    offsets: out.offsets,
    targets: out.targets,
    weights: out.weights,
    inOffsets: incoming.offsets,
    inTargets: incoming.targets,
    inWeights: incoming.weights,
    edgeCount: pairs,
    linksGiven: network.edges.length,
    selfLinks,
  }
}
