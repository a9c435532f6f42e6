import type { Network } from './graph.ts'

// Community detection proposes group boundaries: each Louvain community with how many of the
// members of each mapped group (an organised crime group as recorded) fall inside it. A community
// that holds most of a group and many people outside it suggests the recorded boundary is drawn
// too tight; a group split across communities suggests two crews.
//
// Bridges are the nodes an analyst looks at first when two groups are thought to work together:
// - a node whose neighbours lie in two or more mapped groups (a neighbour may be a member, or the
//   group's own node when the network holds membership links); or
// - a member of one group who links strongly into another group's home community (the community
//   holding most of that group's members): at least STRONG_LINKS links there, making up at least
//   STRONG_SHARE of the member's link weight, where that community is not the member's own
//   group's home.

export type BoundaryProposal = { community: number; members: string[]; groups: { groupId: string; shared: number }[] }
export type Bridge = { node: string; groups: string[] }
export type GroupBoundaries = { proposals: BoundaryProposal[]; bridges: Bridge[] }

export const STRONG_LINKS = 2
export const STRONG_SHARE = 1 / 3

export function groupBoundaries(network: Network, communityOf: ReadonlyMap<string, number>, mappedGroups: ReadonlyMap<string, ReadonlySet<string>>): GroupBoundaries {
  const groupsOf = new Map<string, string[]>()
  for (const [groupId, members] of mappedGroups) for (const m of members) groupsOf.set(m, [...(groupsOf.get(m) ?? []), groupId])

  const byCommunity = new Map<number, string[]>()
  for (const node of network.nodes) {
    const c = communityOf.get(node.id)
    if (c === undefined) continue
    const list = byCommunity.get(c)
    if (list) list.push(node.id)
    else byCommunity.set(c, [node.id])
  }
  // A community of one (a node with no links) proposes no boundary.
  const proposals: BoundaryProposal[] = [...byCommunity]
    .filter(([, members]) => members.length > 1)
    .sort(([a], [b]) => a - b)
    .map(([community, members]) => {
      const shared = new Map<string, number>()
      for (const m of members) for (const g of groupsOf.get(m) ?? []) shared.set(g, (shared.get(g) ?? 0) + 1)
      return {
        community,
        members: [...members].sort(),
        groups: [...shared].map(([groupId, n]) => ({ groupId, shared: n })).sort((a, b) => b.shared - a.shared || a.groupId.localeCompare(b.groupId)),
      }
    })

  // Each group's home community: where most of its members are (ties to the lower number).
  const home = new Map<string, number>()
  for (const [groupId, members] of mappedGroups) {
    const counts = new Map<number, number>()
    for (const m of members) {
      const c = communityOf.get(m)
      if (c !== undefined) counts.set(c, (counts.get(c) ?? 0) + 1)
    }
    const best = [...counts].sort(([ca, a], [cb, b]) => b - a || ca - cb)[0]
    if (best) home.set(groupId, best[0])
  }
  const groupsHomedIn = new Map<number, string[]>()
  for (const [groupId, c] of home) groupsHomedIn.set(c, [...(groupsHomedIn.get(c) ?? []), groupId])

  const links = new Map<string, { other: string; weight: number }[]>()
  const note = (a: string, b: string, weight: number) => {
    const list = links.get(a)
    if (list) list.push({ other: b, weight })
    else links.set(a, [{ other: b, weight }])
  }
  for (const edge of network.edges) {
    if (edge.source === edge.target) continue
    note(edge.source, edge.target, edge.weight)
    note(edge.target, edge.source, edge.weight)
  }

  const bridges: Bridge[] = []
  for (const node of network.nodes) {
    if (mappedGroups.has(node.id) || node.kind === 'Group') continue
    const around = links.get(node.id) ?? []
    const groups = new Set<string>()
    for (const { other } of around) {
      if (mappedGroups.has(other)) groups.add(other)
      for (const g of groupsOf.get(other) ?? []) groups.add(g)
    }
    const own = groupsOf.get(node.id) ?? []
    if (groups.size < 2 && own.length > 0 && around.length > 0) {
      const ownHomes = new Set(own.map((g) => home.get(g)))
      const total = around.reduce((sum, l) => sum + l.weight, 0)
      const into = new Map<number, { count: number; weight: number }>()
      for (const { other, weight } of around) {
        const c = communityOf.get(other)
        if (c === undefined || ownHomes.has(c) || !groupsHomedIn.has(c)) continue
        const entry = into.get(c) ?? { count: 0, weight: 0 }
        entry.count++
        entry.weight += weight
        into.set(c, entry)
      }
      for (const [c, { count, weight }] of into) {
        if (count >= STRONG_LINKS && total > 0 && weight / total >= STRONG_SHARE) {
          for (const g of own) groups.add(g)
          for (const g of groupsHomedIn.get(c)!) if (!own.includes(g)) groups.add(g)
        }
      }
    }
    if (groups.size >= 2) bridges.push({ node: node.id, groups: [...groups].sort() })
  }
  bridges.sort((a, b) => b.groups.length - a.groups.length || a.node.localeCompare(b.node))
  return { proposals, bridges }
}
