import type { EdgeSource, EdgeSourceKind, Network, NetworkEdge, NetworkNode, NodeKind } from './graph.ts'

// From the rows the database lets a user see to the Network every other part consumes. Pure: the
// visibility rule has already chosen the rows (row-level security and the application's own SQL
// filter); this decides which evidence makes an edge and how parallel evidence is merged.
//
// - A typed entity link is an edge of its own type (directed unless the type is symmetric).
// - A group membership is a `member_of` edge from the person to the group; a group's holding of a
//   business, premises, vehicle, phone or account is a `holds` edge from the group.
// - Two people linked to the same address (occupant or owner), phone (uses_phone) or vehicle
//   (drives_vehicle or owner) are joined by a derived shared_address, shared_phone or shared_vehicle
//   edge, when their two links overlap in time (an unknown date counts as overlapping).
// - Everything one intelligence record mentions is joined pairwise by `co_mentioned`.
// - Entities linked to the same partner record, or to two partner records a reviewer decided are the
//   same, are joined by `same_as` (a confirmed match).
// Parallel evidence of one type between the same two nodes is one edge: its weight is the number of
// records, its sources list each, its dates span them, its grading is the best grade among them and
// its handling is the most restrictive (C with every condition, if any record is C).

export type Handling = { handlingCode: 'P' | 'C'; handlingConditions: string | null }

export type EntityRow = Handling & {
  id: string
  schema: 'Person' | 'Company' | 'Organization' | 'Address' | 'Vehicle' | 'Phone' | 'BankAccount'
  caption: string
  personRole: string | null
  protectiveMarking: string
}
export type GroupRow = Handling & { id: string; name: string; status: string; protectiveMarking: string }
export type LinkRow = Handling & {
  id: string
  linkType: string
  subjectId: string
  objectId: string
  startDate: string | null
  endDate: string | null
  /** The grade of the intelligence record the link came from, when it names one the user may see. */
  grading: string | null
}
/** A membership or holding carries the handling of its group: it has none of its own. */
export type MembershipRow = Handling & { id: string; groupId: string; personId: string; role: string; startDate: string | null; endDate: string | null }
export type HoldingRow = Handling & { id: string; groupId: string; entityId: string; kind: string; startDate: string | null; endDate: string | null }
export type MentionRow = Handling & {
  intelligenceId: string
  reportedOn: string
  grading: string | null
  /** Node ids of what the record mentions: `entity:<uuid>` or `group:<uuid>`. */
  mentioned: readonly string[]
}
/** One entity linked to a partner record; `partnerRecord` names the record (or the set of records found to be one person). */
export type MatchLinkRow = Handling & { id: string; partnerRecord: string; entityId: string; linkedOn: string }

export type NetworkRows = {
  entities: readonly EntityRow[]
  groups: readonly GroupRow[]
  links: readonly LinkRow[]
  memberships: readonly MembershipRow[]
  holdings: readonly HoldingRow[]
  mentions: readonly MentionRow[]
  matches: readonly MatchLinkRow[]
}

/** Above this many people on one address, phone or vehicle (a hostel, a switchboard), no pairwise edges: the shared node already joins them. */
export const SHARED_FANOUT_LIMIT = 50
/** Above this many things mentioned in one record (a bulletin), no pairwise co-mention edges. */
export const MENTION_FANOUT_LIMIT = 25

export const SYMMETRIC_TYPES: ReadonlySet<string> = new Set(['family', 'associate', 'co_mentioned', 'same_as', 'shared_address', 'shared_phone', 'shared_vehicle'])

export const entityNode = (id: string) => `entity:${id}`
export const groupNode = (id: string) => `group:${id}`

const SHARED_BY_LINK: Record<string, { objectSchema: EntityRow['schema']; type: string; kind: EdgeSourceKind }[]> = {
  occupant: [{ objectSchema: 'Address', type: 'shared_address', kind: 'shared_address' }],
  owner: [
    { objectSchema: 'Address', type: 'shared_address', kind: 'shared_address' },
    { objectSchema: 'Vehicle', type: 'shared_vehicle', kind: 'shared_vehicle' },
  ],
  uses_phone: [{ objectSchema: 'Phone', type: 'shared_phone', kind: 'shared_phone' }],
  drives_vehicle: [{ objectSchema: 'Vehicle', type: 'shared_vehicle', kind: 'shared_vehicle' }],
}

/**
 * A 3x5x2 grade's strength for choosing the best of several: A1 is best, C5 worst; a grade that is
 * not 3x5x2 (legacy text) ranks after every 3x5x2 one.
 */
export function gradeRank(grade: string | null): number {
  if (!grade) return Number.POSITIVE_INFINITY
  const m = /^([ABC])([1-5])/.exec(grade)
  return m ? (m[1]!.charCodeAt(0) - 65) * 5 + Number(m[2]) : 100
}

type Evidence = Handling & { source: EdgeSource; from: string | null; to: string | null; grading: string | null }

const minDate = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a < b ? a : b)
const maxDate = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b)

// Edges are keyed by numbers, not strings: a key built by joining two ids is a new string each time,
// hashed afresh on every lookup, and at 250,000 links that alone took seconds.
const NODE_SLOTS = 2 ** 21

class EdgeCollector {
  private readonly edges = new Map<number, NetworkEdge>()
  // An unknown start or end on any record leaves the span open that way.
  private readonly openFrom = new Set<number>()
  private readonly openTo = new Set<number>()
  private readonly typeIndex = new Map<string, number>()

  constructor(private readonly ids: readonly string[]) {
    if (ids.length > NODE_SLOTS) throw new RangeError(`A network of more than ${NODE_SLOTS} nodes cannot be assembled`)
  }

  /** An edge of the type between nodes a and b (indexes into ids). */
  add(type: string, a: number, b: number, evidence: Evidence): void {
    if (a === b) return
    const directed = !SYMMETRIC_TYPES.has(type)
    const swap = !directed && this.ids[a]! > this.ids[b]!
    const s = swap ? b : a
    const t = swap ? a : b
    let ti = this.typeIndex.get(type)
    if (ti === undefined) this.typeIndex.set(type, (ti = this.typeIndex.size))
    const key = (ti * NODE_SLOTS + s) * NODE_SLOTS + t
    const existing = this.edges.get(key)
    if (existing === undefined) {
      const source = this.ids[s]!
      const target = this.ids[t]!
      this.edges.set(key, {
        id: `${type}:${source}|${target}`, source, target, type, directed, weight: 1,
        from: evidence.from, to: evidence.to,
        sources: [evidence.source],
        grading: evidence.grading,
        handlingCode: evidence.handlingCode,
        handlingConditions: evidence.handlingCode === 'C' ? evidence.handlingConditions : null,
      })
      if (evidence.from === null) this.openFrom.add(key)
      if (evidence.to === null) this.openTo.add(key)
      return
    }
    for (const x of existing.sources) if (x.kind === evidence.source.kind && x.id === evidence.source.id) return
    existing.sources.push(evidence.source)
    existing.weight = existing.sources.length
    if (evidence.from === null) this.openFrom.add(key)
    if (evidence.to === null) this.openTo.add(key)
    existing.from = this.openFrom.has(key) ? null : minDate(existing.from, evidence.from)
    existing.to = this.openTo.has(key) ? null : maxDate(existing.to, evidence.to)
    if (gradeRank(evidence.grading) < gradeRank(existing.grading)) existing.grading = evidence.grading
    if (evidence.handlingCode === 'C') {
      existing.handlingCode = 'C'
      existing.handlingConditions = joinConditions(existing.handlingConditions, evidence.handlingConditions)
    }
  }

  /** In the order the evidence came, which the caller's rows make repeatable. */
  result(): NetworkEdge[] {
    return [...this.edges.values()]
  }
}

function joinConditions(a: string | null, b: string | null): string | null {
  const parts = [...new Set([a, b].flatMap((c) => (c ? c.split(' | ') : [])))]
  return parts.length > 0 ? parts.join(' | ') : null
}

/** The most restrictive handling of two records: C with both sets of conditions if either is C. */
function stricter(a: Handling, b: Handling): Handling {
  if (a.handlingCode === 'P' && b.handlingCode === 'P') return { handlingCode: 'P', handlingConditions: null }
  return { handlingCode: 'C', handlingConditions: joinConditions(a.handlingCode === 'C' ? a.handlingConditions : null, b.handlingCode === 'C' ? b.handlingConditions : null) }
}

/** The weaker of two grades: an edge derived from two records is only as good as the weaker. */
const weaker = (a: string | null, b: string | null) => (gradeRank(a) >= gradeRank(b) ? a : b)

const overlap = (a: { startDate: string | null; endDate: string | null }, b: { startDate: string | null; endDate: string | null }) => {
  const from = maxDate(a.startDate, b.startDate)
  const to = minDate(a.endDate, b.endDate)
  return from !== null && to !== null && to < from ? null : { from, to }
}

function nodeAttributes(h: Handling & { protectiveMarking: string }): Record<string, string | number | boolean | null> {
  return { protectiveMarking: h.protectiveMarking, handlingCode: h.handlingCode, handlingConditions: h.handlingCode === 'C' ? h.handlingConditions : null }
}

/**
 * The network of the rows. An edge whose end is not among the nodes is dropped: every row has
 * passed the visibility rule, but a caller expanding by hops may hand over rows reaching past the
 * nodes it chose.
 */
export function assembleNetwork(rows: NetworkRows): Network {
  const nodes: NetworkNode[] = []
  const entityIndex = new Map<string, number>()
  const schemaAt: EntityRow['schema'][] = []
  for (const e of rows.entities) {
    if (entityIndex.has(e.id)) continue
    entityIndex.set(e.id, nodes.length)
    schemaAt.push(e.schema)
    const attributes: Record<string, string | number | boolean | null> = nodeAttributes(e)
    if (e.personRole) attributes.personRole = e.personRole
    nodes.push({ id: entityNode(e.id), kind: e.schema as NodeKind, label: e.caption, attributes })
  }
  const groupIndex = new Map<string, number>()
  for (const g of rows.groups) {
    if (groupIndex.has(g.id)) continue
    groupIndex.set(g.id, nodes.length)
    nodes.push({ id: groupNode(g.id), kind: 'Group', label: g.name, attributes: { status: g.status, ...nodeAttributes(g) } })
  }
  const ids = nodes.map((n) => n.id)
  const nodeIndex = (id: string) => (id.startsWith('group:') ? groupIndex.get(id.slice(6)) : id.startsWith('entity:') ? entityIndex.get(id.slice(7)) : undefined)
  const edges = new EdgeCollector(ids)

  // Who is tied to each address, phone and vehicle, for the shared edges.
  const sharers = new Map<number, { type: string; kind: EdgeSourceKind; objectId: string; links: { row: LinkRow; person: number }[] }>()
  for (const l of rows.links) {
    const s = entityIndex.get(l.subjectId)
    const o = entityIndex.get(l.objectId)
    if (s === undefined || o === undefined) continue
    edges.add(l.linkType, s, o, { source: { kind: 'entity_link', id: l.id }, from: l.startDate, to: l.endDate, grading: l.grading, handlingCode: l.handlingCode, handlingConditions: l.handlingConditions })
    if (schemaAt[s] !== 'Person') continue
    const rules = SHARED_BY_LINK[l.linkType]
    if (rules === undefined) continue
    for (const rule of rules) {
      if (schemaAt[o] !== rule.objectSchema) continue
      let entry = sharers.get(o)
      if (entry === undefined) sharers.set(o, (entry = { type: rule.type, kind: rule.kind, objectId: l.objectId, links: [] }))
      entry.links.push({ row: l, person: s })
    }
  }
  for (const { type, kind, objectId, links } of sharers.values()) {
    const people = new Set(links.map((l) => l.person))
    if (people.size < 2 || people.size > SHARED_FANOUT_LIMIT) continue
    for (let i = 0; i < links.length; i++) {
      for (let j = i + 1; j < links.length; j++) {
        const x = links[i]!
        const y = links[j]!
        if (x.person === y.person) continue
        const span = overlap(x.row, y.row)
        if (!span) continue
        const h = stricter(x.row, y.row)
        // The source names the shared entity; the two links it rests on are edges of their own.
        edges.add(type, x.person, y.person, { source: { kind, id: objectId }, from: span.from, to: span.to, grading: weaker(x.row.grading, y.row.grading), ...h })
      }
    }
  }

  for (const m of rows.memberships) {
    const p = entityIndex.get(m.personId)
    const g = groupIndex.get(m.groupId)
    if (p !== undefined && g !== undefined) edges.add('member_of', p, g, { source: { kind: 'membership', id: m.id }, from: m.startDate, to: m.endDate, grading: null, handlingCode: m.handlingCode, handlingConditions: m.handlingConditions })
  }
  for (const h of rows.holdings) {
    const g = groupIndex.get(h.groupId)
    const e = entityIndex.get(h.entityId)
    if (g !== undefined && e !== undefined) edges.add('holds', g, e, { source: { kind: 'membership', id: h.id }, from: h.startDate, to: h.endDate, grading: null, handlingCode: h.handlingCode, handlingConditions: h.handlingConditions })
  }

  for (const r of rows.mentions) {
    const present = [...new Set(r.mentioned.map(nodeIndex).filter((i): i is number => i !== undefined))]
    if (present.length < 2 || present.length > MENTION_FANOUT_LIMIT) continue
    for (let i = 0; i < present.length; i++) {
      for (let j = i + 1; j < present.length; j++) {
        edges.add('co_mentioned', present[i]!, present[j]!, { source: { kind: 'intelligence', id: r.intelligenceId }, from: r.reportedOn, to: r.reportedOn, grading: r.grading, handlingCode: r.handlingCode, handlingConditions: r.handlingConditions })
      }
    }
  }

  const byRecord = new Map<string, { row: MatchLinkRow; at: number }[]>()
  for (const m of rows.matches) {
    const at = entityIndex.get(m.entityId)
    if (at === undefined) continue
    const list = byRecord.get(m.partnerRecord)
    if (list) list.push({ row: m, at })
    else byRecord.set(m.partnerRecord, [{ row: m, at }])
  }
  for (const linked of byRecord.values()) {
    for (let i = 0; i < linked.length; i++) {
      for (let j = i + 1; j < linked.length; j++) {
        const x = linked[i]!
        const y = linked[j]!
        if (x.at === y.at) continue
        const on = maxDate(x.row.linkedOn, y.row.linkedOn)
        edges.add('same_as', x.at, y.at, { source: { kind: 'match', id: x.row.partnerRecord }, from: on, to: null, grading: null, ...stricter(x.row, y.row) })
      }
    }
  }

  return { nodes, edges: edges.result() }
}

export type NetworkFilter = {
  from?: string | null
  to?: string | null
  types?: readonly string[]
  gradings?: readonly string[]
  handling?: readonly ('P' | 'C')[]
}

/**
 * Keeps the edges that pass every filter given. An edge is in a period when its span meets it (an
 * open end reaches as far as it may); a grading filter matches on the grade's letters and number
 * ("B2" matches "B2P").
 */
export function filterEdges(network: Network, f: NetworkFilter): Network {
  const types = f.types && f.types.length > 0 ? new Set(f.types) : null
  const gradings = f.gradings && f.gradings.length > 0 ? f.gradings.map((g) => g.toUpperCase()) : null
  const handling = f.handling && f.handling.length > 0 ? new Set(f.handling) : null
  const edges = network.edges.filter((e) => {
    if (types && !types.has(e.type)) return false
    if (handling && !(e.handlingCode && handling.has(e.handlingCode))) return false
    if (gradings && !(e.grading && gradings.some((g) => e.grading!.toUpperCase().startsWith(g)))) return false
    if (f.from && e.to !== null && e.to < f.from) return false
    if (f.to && e.from !== null && e.from > f.to) return false
    return true
  })
  return { nodes: network.nodes, edges }
}

/**
 * The nodes within `hops` of the start, nearest first, at most `cap` of them, and the edges among
 * them. `truncated` says the cap cut the neighbourhood short.
 */
export function neighbourhood(network: Network, start: string, hops: number, cap: number): { network: Network; truncated: boolean; distance: Map<string, number> } {
  const adjacent = new Map<string, string[]>()
  for (const e of network.edges) {
    for (const [a, b] of [[e.source, e.target], [e.target, e.source]] as const) {
      const list = adjacent.get(a)
      if (list) list.push(b)
      else adjacent.set(a, [b])
    }
  }
  const distance = new Map<string, number>([[start, 0]])
  let frontier = [start]
  let truncated = false
  for (let hop = 1; hop <= hops && frontier.length > 0 && !truncated; hop++) {
    const next: string[] = []
    for (const node of frontier) {
      for (const other of (adjacent.get(node) ?? []).sort()) {
        if (distance.has(other)) continue
        if (distance.size >= cap) {
          truncated = true
          break
        }
        distance.set(other, hop)
        next.push(other)
      }
      if (truncated) break
    }
    frontier = next
  }
  return {
    network: {
      nodes: network.nodes.filter((n) => distance.has(n.id)),
      edges: network.edges.filter((e) => distance.has(e.source) && distance.has(e.target)),
    },
    truncated,
    distance,
  }
}

/** The most hops a request may ask for, from how many nodes the user may see: a wide search of a large network is the whole network. */
export function hopLimitFor(visibleNodes: number): number {
  if (visibleNodes <= 2_000) return 6
  if (visibleNodes <= 20_000) return 4
  return 3
}

/** The most nodes one network answer holds (the chart stays responsive at 10,000). */
export const NODE_CAP = 10_000
