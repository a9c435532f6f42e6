// An invented network for the network benchmarks (measures, building from the database, the chart),
// drawn from a seeded generator so every run and every machine sees the same graph.
//
// Criminal networks are not uniform random graphs: they are clustered (crews, families, a supply
// line), a few people are far better connected than the rest (a heavy-tailed degree distribution),
// and most people link to phones, addresses and vehicles as well as to each other. A uniform graph
// would make betweenness look cheaper and Louvain easier than on real data, so this one has:
// - communities of heavy-tailed size (Pareto), 85% of edges inside a community;
// - within and across communities, endpoints drawn by a Chung–Lu weight (Pareto, exponent ~2.3),
//   so degree is heavy-tailed;
// - node kinds: about 70% people, 14% phones, 10% addresses, 4% vehicles, 2% companies;
// - edges with a type from the kinds at either end, a date range, a 3x5x2 grading and a handling
//   code (one in ten confidential, with conditions), and the odd repeated link between the same two
//   people, as a database holds when two records link them;
// - mapped groups: for each of the first `groups` communities, a group of up to 50 of its people.

import { seededRandom, type Random } from '../src/core/demo/random.ts'
import type { Network, NetworkEdge, NetworkNode, NodeKind } from '../src/core/network/graph.ts'

export type SyntheticGroup = { id: string; name: string; members: string[] }
export type SyntheticNetwork = Network & { groups: SyntheticGroup[]; communityOf: Int32Array }
export type SyntheticOptions = { nodes: number; edges: number; seed: number; groups?: number; groupSize?: number }

const KIND_SHARES: [NodeKind, number][] = [
  ['Person', 0.7],
  ['Phone', 0.14],
  ['Address', 0.1],
  ['Vehicle', 0.04],
  ['Company', 0.02],
]
const GIVEN = ['Aaron', 'Amir', 'Bilal', 'Callum', 'Dean', 'Dmitri', 'Ellie', 'Farah', 'Gemma', 'Hassan', 'Imran', 'Jade', 'Kyle', 'Lena', 'Marek', 'Nadia', 'Owen', 'Priya', 'Reece', 'Sana', 'Tyler', 'Uche', 'Vlad', 'Wes', 'Yusuf', 'Zoe']
const FAMILY = ['Ahmed', 'Baker', 'Clarke', 'Dobrev', 'Evans', 'Foster', 'Grant', 'Hussain', 'Iqbal', 'Jones', 'Khan', 'Lewis', 'Mensah', 'Nowak', 'Okafor', 'Patel', 'Quinn', 'Reid', 'Singh', 'Taylor', 'Usman', 'Vance', 'Walsh', 'Young']
const STREETS = ['High Street', 'Station Road', 'Mill Lane', 'Church Street', 'Park Road', 'London Road', 'Victoria Road', 'Green Lane']

/** A version-4 layout uuid from four draws: the demo generator's digit-by-digit one is too slow for 300,000 ids. */
function fastUuid(random: Random): string {
  const word = () => (Math.floor(random.next() * 4294967296) >>> 0).toString(16).padStart(8, '0')
  const h = word() + word() + word() + word()
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`
}

/** A Pareto draw of at least 1: few large values, many near 1. */
const pareto = (random: Random, alpha: number) => 1 / Math.pow(1 - random.next(), 1 / alpha)

/** Picks an index with probability proportional to its weight, by binary search of the running total. */
function weightedPicker(weights: ArrayLike<number>) {
  const cumulative = new Float64Array(weights.length)
  let total = 0
  for (let i = 0; i < weights.length; i++) cumulative[i] = total += weights[i]!
  return (u: number) => {
    const x = u * total
    let lo = 0
    let hi = cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (cumulative[mid]! <= x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

function edgeType(a: NodeKind, b: NodeKind, random: Random): string {
  const kinds = [a, b].sort().join('-')
  switch (kinds) {
    case 'Person-Person':
      return random.pick(['associate_of', 'associate_of', 'family_of', 'co_offender', 'supplies'])
    case 'Person-Phone':
      return 'uses_phone'
    case 'Address-Person':
      return 'resides_at'
    case 'Person-Vehicle':
      return 'drives'
    case 'Company-Person':
      return 'director_of'
    case 'Phone-Phone':
      return 'called'
    default:
      return 'linked_to'
  }
}

export function syntheticNetwork(options: SyntheticOptions): SyntheticNetwork {
  const { nodes: n, edges: m, seed } = options
  const random = seededRandom(seed)
  const groupCount = options.groups ?? Math.max(1, Math.round(n / 1000))
  const groupSize = options.groupSize ?? 50

  // Community sizes: Pareto with a floor of 8, until the nodes are used up.
  const sizes: number[] = []
  let left = n
  while (left > 0) {
    const size = Math.min(left, Math.max(8, Math.round(8 * pareto(random, 1.3))), Math.max(8, Math.round(n / 20)))
    sizes.push(size)
    left -= size
  }
  const communityOf = new Int32Array(n)
  const communityStart: number[] = []
  let at = 0
  sizes.forEach((size, c) => {
    communityStart.push(at)
    communityOf.fill(c, at, at + size)
    at += size
  })

  const kindPick = weightedPicker(KIND_SHARES.map(([, s]) => s))
  const nodes: NetworkNode[] = new Array(n)
  const weight = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const kind = KIND_SHARES[kindPick(random.next())]![0]
    const id = `entity:${fastUuid(random)}`
    const label =
      kind === 'Person'
        ? `${random.pick(GIVEN)} ${random.pick(FAMILY)}`
        : kind === 'Phone'
          ? `07${String(random.int(100000000, 999999999))}`
          : kind === 'Address'
            ? `${random.int(1, 220)} ${random.pick(STREETS)}`
            : kind === 'Vehicle'
              ? `${String.fromCharCode(65 + random.int(0, 25))}${String.fromCharCode(65 + random.int(0, 25))}${random.int(10, 75)} ${String.fromCharCode(65 + random.int(0, 25))}${String.fromCharCode(65 + random.int(0, 25))}${String.fromCharCode(65 + random.int(0, 25))}`
              : `${random.pick(FAMILY)} Trading Ltd`
    nodes[i] = { id, kind, label }
    // People carry the heavy tail; a phone or an address is held by a few people at most.
    weight[i] = kind === 'Person' ? pareto(random, 1.3) : 0.6 + random.next()
  }

  const global = weightedPicker(weight)
  const within = sizes.map((size, c) => weightedPicker(weight.subarray(communityStart[c]!, communityStart[c]! + size)))
  const communityPick = weightedPicker(sizes)

  const edges: NetworkEdge[] = []
  const day = 86_400_000
  const start2018 = Date.UTC(2018, 0, 1)
  const dayText: string[] = []
  for (let d = 0; d <= 365 * 7 + 700; d++) dayText.push(new Date(start2018 + d * day).toISOString().slice(0, 10))
  let attempts = 0
  while (edges.length < m && attempts < m * 20) {
    attempts++
    let a: number
    let b: number
    if (random.next() < 0.85) {
      const c = communityPick(random.next())
      a = communityStart[c]! + within[c]!(random.next())
      b = communityStart[c]! + within[c]!(random.next())
    } else {
      a = global(random.next())
      b = global(random.next())
    }
    if (a === b) continue
    const from = random.int(0, 365 * 7)
    const to = random.chance(0.6) ? null : from + random.int(1, 700)
    const confidential = random.chance(0.1)
    const type = edgeType(nodes[a]!.kind, nodes[b]!.kind, random)
    edges.push({
      id: `edge:${edges.length}`,
      source: nodes[a]!.id,
      target: nodes[b]!.id,
      type,
      directed: type === 'supplies' || type === 'called',
      weight: type === 'called' ? random.int(1, 12) : 1,
      from: dayText[from]!,
      to: to === null ? null : dayText[to]!,
      sources: [{ kind: type === 'called' ? 'intelligence' : 'entity_link', id: fastUuid(random) }],
      grading: `${random.pick(['A', 'B', 'B', 'C'])}${random.pick(['1', '2', '2', '3', '4'])}${confidential ? 'C' : 'P'}`,
      handlingCode: confidential ? 'C' : 'P',
      handlingConditions: confidential ? 'Not to be disclosed outside the partnership without the originator’s consent' : null,
    })
  }

  // Groups from the largest communities, so each has its people to draw on.
  const byFirstLarge = sizes.map((size, c) => ({ size, c })).sort((x, y) => y.size - x.size || x.c - y.c)
  const groups: SyntheticGroup[] = []
  for (const { c } of byFirstLarge.slice(0, groupCount)) {
    const people: string[] = []
    for (let i = communityStart[c]!; i < communityStart[c]! + sizes[c]! && people.length < groupSize; i++) if (nodes[i]!.kind === 'Person') people.push(nodes[i]!.id)
    groups.push({ id: `group:${fastUuid(random)}`, name: `Synthetic group ${groups.length + 1}`, members: people })
  }
  return { nodes, edges, groups, communityOf }
}
