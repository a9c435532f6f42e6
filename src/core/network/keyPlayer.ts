import type { Network } from './graph.ts'

// Key-player analysis for disruption planning: which members' removal (arrest, a prevention
// order, relocation) would most break a group apart. The measure is Borgatti's fragmentation from
// the KPP-Neg problem (S. P. Borgatti, "Identifying sets of key players in a social network",
// Computational and Mathematical Organization Theory 12, 2006), the plain version:
//
//   F = 1 - sum_k s_k (s_k - 1) / (n (n - 1))
//
// over the components k (sizes s_k) of the group's network once the chosen members are removed,
// n the members left: the share of pairs of remaining members who can no longer reach each other.
// 0 when everyone can reach everyone, 1 when no one can reach anyone (and, by convention here, when
// fewer than two members are left). Reachability is what matters for disruption, so direction and
// weight are ignored. The removals are chosen greedily, the best single removal at each step (ties
// to the one leaving more components, then the better-linked member, then the first id): the step
// list shows what each removal adds, which an analyst can weigh against what it costs.

export type KeyPlayerStep = { node: string; fragmentation: number; components: number }
export type KeyPlayerResult = { fragmentationBefore: number; componentsBefore: number; steps: KeyPlayerStep[] }

/** The group's own network: its members that are nodes of the network, linked where any link joins them. */
function inducedAdjacency(network: Network, members: readonly string[]) {
  const inNetwork = new Set(network.nodes.map((n) => n.id))
  const ids = [...new Set(members)].filter((m) => inNetwork.has(m)).sort()
  const index = new Map(ids.map((id, i) => [id, i]))
  const neighbours: Set<number>[] = ids.map(() => new Set())
  for (const edge of network.edges) {
    const a = index.get(edge.source)
    const b = index.get(edge.target)
    if (a === undefined || b === undefined || a === b) continue
    neighbours[a]!.add(b)
    neighbours[b]!.add(a)
  }
  return { ids, adjacency: neighbours.map((s) => Int32Array.from(s)) }
}

/** Fragmentation and the number of components of the graph without the removed nodes. */
function fragmentationOf(adjacency: readonly Int32Array[], removed: Uint8Array): { fragmentation: number; components: number } {
  const n = adjacency.length
  const seen = new Uint8Array(n)
  const queue = new Int32Array(n)
  let left = 0
  let pairs = 0
  let components = 0
  for (let s = 0; s < n; s++) {
    if (removed[s] || seen[s]) continue
    components++
    let head = 0
    let tail = 0
    queue[tail++] = s
    seen[s] = 1
    while (head < tail) {
      const v = queue[head++]!
      for (const w of adjacency[v]!) {
        if (!removed[w] && !seen[w]) {
          seen[w] = 1
          queue[tail++] = w
        }
      }
    }
    left += tail
    pairs += tail * (tail - 1)
  }
  return { fragmentation: left < 2 ? 1 : 1 - pairs / (left * (left - 1)), components }
}

export function keyPlayers(network: Network, members: readonly string[], count: number): KeyPlayerResult {
  if (!(Number.isInteger(count) && count >= 0)) throw new RangeError(`count must be a whole number of at least 0, not ${count}`)
  const { ids, adjacency } = inducedAdjacency(network, members)
  const removed = new Uint8Array(ids.length)
  const before = fragmentationOf(adjacency, removed)
  const steps: KeyPlayerStep[] = []
  for (let step = 0; step < Math.min(count, ids.length); step++) {
    let best = -1
    let bestResult = { fragmentation: -1, components: -1 }
    for (let v = 0; v < ids.length; v++) {
      if (removed[v]) continue
      removed[v] = 1
      const result = fragmentationOf(adjacency, removed)
      removed[v] = 0
      const better =
        result.fragmentation > bestResult.fragmentation + 1e-12 ||
        (Math.abs(result.fragmentation - bestResult.fragmentation) <= 1e-12 &&
          (result.components > bestResult.components || (result.components === bestResult.components && adjacency[v]!.length > adjacency[best]!.length)))
      if (better) {
        best = v
        bestResult = result
      }
    }
    removed[best] = 1
    steps.push({ node: ids[best]!, ...bestResult })
  }
  return { fragmentationBefore: before.fragmentation, componentsBefore: before.components, steps }
}
