import type { Actor } from '../../core/access/actor.ts'
import type { Viewer } from '../../core/access/visibility.ts'
import { NotFoundError, ValidationError, ForbiddenError } from '../../core/errors.ts'
import {
  assembleNetwork, entityNode, filterEdges, groupNode, hopLimitFor, neighbourhood, NODE_CAP,
  type GroupRow, type EntityRow, type NetworkFilter, type NetworkRows,
} from '../../core/network/assemble.ts'
import { groupBoundaries } from '../../core/network/communities.ts'
import { parseEdgeList, measuresCsv } from '../../core/network/edgeList.ts'
import { EXPORT_FORMAT_RULES, exportNetwork, highestMarking, type ExportFormat } from '../../core/network/exports/index.ts'
import type { Network } from '../../core/network/graph.ts'
import { keyPlayers } from '../../core/network/keyPlayer.ts'
import { measureNetwork, type NetworkMeasures, type NodeMeasures } from '../../core/network/measures.ts'
import { ukDay } from '../../core/time/ukDates.ts'
import type { Database } from '../../db/connection.ts'
import { asUser, type Tx } from '../../db/context.ts'
import { parseInput } from '../../http/validation.ts'
import { recordAudit } from '../audit/service.ts'
import { ENTITY_KIND } from '../entities/service.ts'
import { GROUP_KIND } from '../groups/service.ts'
import * as records from '../records/service.ts'
import * as q from './queries.ts'
import { ExportQuery, KeyPlayersInput, NetworkQuery, EDGE_TYPE_LABELS } from './schema.ts'

// The network a user may see, built from the database under the visibility rule, with its measures,
// key players and exports. Every answer names the nodes it showed in the audit log (a consultation);
// every export is a disclosure. A start the user may not see is answered exactly as one that does
// not exist, and the refusal is logged.

export const DEFAULT_HOPS = 2

type Start = { kind: 'entity' | 'group'; id: string; node: string }

function parseStart(start: string): Start {
  const [kind, id] = start.split(':') as ['entity' | 'group', string]
  return { kind, id, node: kind === 'entity' ? entityNode(id) : groupNode(id) }
}

const must = (actor: Actor) => {
  if (!actor.capabilities.includes('records.read')) throw new ForbiddenError('Your role cannot see people, entities or groups, so it cannot see their network')
}

const uuidOf = (node: string) => node.slice(node.indexOf(':') + 1)

/** The entity and group ids of a network's nodes, for the audit log. */
const shownIds = (network: Network) => network.nodes.map((n) => uuidOf(n.id))

type Collected = {
  links: Map<string, NetworkRows['links'][number]>
  memberships: Map<string, NetworkRows['memberships'][number]>
  holdings: Map<string, NetworkRows['holdings'][number]>
  mentions: Map<string, NetworkRows['mentions'][number]>
  matches: Map<string, NetworkRows['matches'][number]>
}

/**
 * The evidence within `hops` of the start, fetched hop by hop (one more round than hops, for the
 * edges among the farthest nodes), stopping at `cap` nodes. A shared address, phone or vehicle and
 * a co-mention count as one hop, as they are one edge in the network.
 */
async function collectAround(tx: Tx, viewer: Viewer, start: Start, hops: number, cap: number): Promise<{ rows: NetworkRows; truncated: boolean }> {
  const entities = new Set<string>(start.kind === 'entity' ? [start.id] : [])
  const groups = new Set<string>(start.kind === 'group' ? [start.id] : [])
  const c: Collected = { links: new Map(), memberships: new Map(), holdings: new Map(), mentions: new Map(), matches: new Map() }
  let frontier = { entityIds: [...entities], groupIds: [...groups] }
  let truncated = false
  for (let round = 0; round <= hops; round++) {
    const ev = await q.evidenceAround(tx, viewer, frontier)
    for (const r of ev.links) c.links.set(r.id, r)
    for (const r of ev.memberships) c.memberships.set(r.id, r)
    for (const r of ev.holdings) c.holdings.set(r.id, r)
    for (const r of ev.mentions) c.mentions.set(r.intelligenceId, r)
    for (const r of ev.matches) c.matches.set(r.id, r)
    if (round === hops) break
    const next = { entityIds: [] as string[], groupIds: [] as string[] }
    const reach = (node: string) => {
      const [kind, id] = [node.startsWith('group:') ? 'group' : 'entity', uuidOf(node)]
      const set = kind === 'group' ? groups : entities
      if (set.has(id)) return
      if (entities.size + groups.size >= cap) {
        truncated = true
        return
      }
      set.add(id)
      ;(kind === 'group' ? next.groupIds : next.entityIds).push(id)
    }
    for (const r of ev.links) {
      reach(entityNode(r.subjectId))
      reach(entityNode(r.objectId))
    }
    for (const r of ev.memberships) {
      reach(entityNode(r.personId))
      reach(groupNode(r.groupId))
    }
    for (const r of ev.holdings) {
      reach(groupNode(r.groupId))
      reach(entityNode(r.entityId))
    }
    for (const r of ev.mentions) for (const m of r.mentioned) reach(m)
    for (const r of ev.matches) reach(entityNode(r.entityId))
    if (next.entityIds.length + next.groupIds.length === 0) break
    frontier = next
  }
  const [entityRows, groupRows] = [await q.entityRows(tx, viewer, [...entities]), await q.groupRows(tx, viewer, [...groups])]
  return {
    rows: {
      entities: entityRows, groups: groupRows, links: [...c.links.values()], memberships: [...c.memberships.values()],
      holdings: [...c.holdings.values()], mentions: [...c.mentions.values()], matches: [...c.matches.values()],
    },
    truncated,
  }
}

/** Everything the user may see as one network: for the ranking, the benchmark and whole-partnership analysis. */
export async function wholeNetwork(tx: Tx, viewer: Viewer): Promise<Network> {
  const entities: EntityRow[] = await q.entityRows(tx, viewer, 'all')
  const groups: GroupRow[] = await q.groupRows(tx, viewer, 'all')
  const evidence = await q.evidenceAround(tx, viewer, 'all')
  return assembleNetwork({ entities, groups, ...evidence })
}

export type BuiltNetwork = {
  start: Start
  hops: number
  hopLimit: number
  visibleNodes: number
  truncated: boolean
  /** Before the filters: what the chart may offer to filter by. */
  unfiltered: Network
  network: Network
  filtered: boolean
}

/**
 * The network around a start the user may see, filtered, at most NODE_CAP nodes. Throws NotFound
 * (logging the refusal) when the start is missing or hidden, and a ValidationError naming hops when
 * more hops are asked than the size of the user's network allows.
 */
export async function networkAround(tx: Tx, actor: Actor, query: Pick<NetworkQuery, 'start' | 'hops' | 'from' | 'to' | 'types' | 'gradings' | 'handling'>, purpose: string): Promise<BuiltNetwork> {
  const start = parseStart(query.start)
  const visible = start.kind === 'entity' ? await q.entityRows(tx, actor, [start.id]) : await q.groupRows(tx, actor, [start.id])
  if (visible.length === 0) {
    await records.recordRefusal(tx, actor, start.kind === 'entity' ? ENTITY_KIND : GROUP_KIND, start.id, purpose)
    throw new RefusedStart(start.kind === 'entity' ? 'Person or entity' : 'Group')
  }
  const visibleNodes = await q.visibleNodeCount(tx, actor)
  const hopLimit = hopLimitFor(visibleNodes)
  const hops = query.hops ?? Math.min(DEFAULT_HOPS, hopLimit)
  if (hops > hopLimit) {
    throw new ValidationError([{ field: 'hops', message: `hops must be ${hopLimit} or fewer: you may see ${visibleNodes.toLocaleString('en-GB')} people, entities and groups, and at that size ${hopLimit} hops is the limit` }])
  }
  const { rows, truncated: cut } = await collectAround(tx, actor, start, hops, NODE_CAP)
  const assembled = assembleNetwork(rows)
  const filter: NetworkFilter = { from: query.from ?? null, to: query.to ?? null, types: query.types ?? [], gradings: query.gradings ?? [], handling: query.handling ?? [] }
  const filtered = Boolean(filter.from || filter.to || filter.types!.length || filter.gradings!.length || filter.handling!.length)
  const unfiltered = neighbourhood(assembled, start.node, hops, NODE_CAP)
  const around = neighbourhood(filterEdges(assembled, filter), start.node, hops, NODE_CAP)
  return { start, hops, hopLimit, visibleNodes, truncated: cut || around.truncated, unfiltered: unfiltered.network, network: around.network, filtered }
}

/** A start that is missing or hidden: the refusal is logged, so the transaction must commit before the 404. */
class RefusedStart extends Error {
  constructor(readonly what: string) {
    super(`${what} not found`)
  }
}

/** asUser for the network's reads: a refused start commits its audit row, then answers 404. */
async function inNetworkTransaction<T>(db: Database, actor: Actor, work: (tx: Tx) => Promise<T>): Promise<T> {
  const out = await asUser(db, actor, async (tx): Promise<{ ok: T } | { refused: string }> => {
    try {
      return { ok: await work(tx) }
    } catch (error) {
      if (error instanceof RefusedStart) return { refused: error.what }
      throw error
    }
  })
  if ('refused' in out) throw new NotFoundError(out.refused)
  return out.ok
}

const measuresOf = (network: Network): NetworkMeasures => measureNetwork(network, { betweenness: 'auto', seed: 1 })

function emptyMessage(built: BuiltNetwork): string | null {
  if (built.network.edges.length > 0) return null
  const label = built.network.nodes.find((n) => n.id === built.start.node)?.label ?? 'This record'
  return built.filtered
    ? `${label} has no links you may see within ${built.hops} ${built.hops === 1 ? 'hop' : 'hops'} that match these filters: widen the dates or clear a filter`
    : `${label} has no links you may see within ${built.hops} ${built.hops === 1 ? 'hop' : 'hops'}: there is no network to show yet`
}

function summaryOf(network: Network) {
  const types = [...new Set(network.edges.map((e) => e.type))].sort()
  const gradings = [...new Set(network.edges.flatMap((e) => (e.grading ? [e.grading] : [])))].sort()
  let from: string | null = null
  let to: string | null = null
  for (const e of network.edges) {
    for (const d of [e.from, e.to]) {
      if (d === null) continue
      if (from === null || d < from) from = d
      if (to === null || d > to) to = d
    }
  }
  return { linkTypes: types, gradings, dateRange: { from, to } }
}

const CONSULT_PURPOSE = 'Viewing the network around a person, entity or group'

/** GET /api/network and the list view: the network with each node's measures. */
export async function getNetwork(db: Database, actor: Actor, raw: unknown) {
  must(actor)
  const query = parseInput(NetworkQuery, raw)
  return inNetworkTransaction(db, actor, async (tx) => {
    const built = await networkAround(tx, actor, query, CONSULT_PURPOSE)
    const m = measuresOf(built.network)
    const byNode = new Map(m.measures.map((x) => [x.node, x]))
    await recordAudit(tx, actor, {
      action: 'consultation', recordType: built.start.kind === 'entity' ? q.ENTITY_RECORD : q.GROUP_RECORD, recordId: built.start.id, purpose: CONSULT_PURPOSE,
      detail: { view: 'network', hops: built.hops, truncated: built.truncated, links: built.network.edges.length, shown: shownIds(built.network) },
    })
    return {
      start: built.start.node,
      hops: built.hops,
      hopLimit: built.hopLimit,
      nodeCap: NODE_CAP,
      truncated: built.truncated,
      message: emptyMessage(built),
      nodes: built.network.nodes.map((n) => ({ ...n, measures: byNode.get(n.id)! })),
      edges: built.network.edges,
      ...summaryOf(built.unfiltered),
      query,
      betweennessMethod: m.betweennessMethod,
      communities: m.communities,
    }
  })
}

/** The mapped groups among a network's nodes, each with its members in the network. */
function mappedGroups(network: Network): Map<string, Set<string>> {
  const groups = new Map<string, Set<string>>()
  for (const e of network.edges) {
    if (e.type !== 'member_of') continue
    const members = groups.get(e.target) ?? new Set<string>()
    members.add(e.source)
    groups.set(e.target, members)
  }
  return groups
}

/** GET /api/network/measures: every node's measures, with the boundaries community detection proposes for the groups present and who bridges them. */
export async function getMeasures(db: Database, actor: Actor, raw: unknown) {
  must(actor)
  const query = parseInput(NetworkQuery, raw)
  return inNetworkTransaction(db, actor, async (tx) => {
    const built = await networkAround(tx, actor, query, 'Measuring the network around a person, entity or group')
    if (built.network.edges.length === 0) throw new ValidationError([{ field: 'start', message: emptyMessage(built)! }])
    const m = measuresOf(built.network)
    const communityOf = new Map(m.measures.map((x) => [x.node, x.community]))
    const boundaries = groupBoundaries(built.network, communityOf, mappedGroups(built.network))
    const labels = new Map(built.network.nodes.map((n) => [n.id, n]))
    await recordAudit(tx, actor, {
      action: 'consultation', recordType: built.start.kind === 'entity' ? q.ENTITY_RECORD : q.GROUP_RECORD, recordId: built.start.id,
      purpose: 'Measuring the network around a person, entity or group',
      detail: { view: 'network measures', hops: built.hops, truncated: built.truncated, links: built.network.edges.length, shown: shownIds(built.network) },
    })
    return {
      start: built.start.node, hops: built.hops, truncated: built.truncated,
      betweennessMethod: m.betweennessMethod, samples: m.samples, communities: m.communities, modularity: m.modularity,
      measures: m.measures.map((x) => ({ ...x, label: labels.get(x.node)?.label ?? x.node, kind: labels.get(x.node)?.kind ?? 'Node' })),
      boundaries,
    }
  })
}

/**
 * POST /api/network/key-players: which removals most fragment a group's network (its current
 * members' links among themselves), or the people of a start's network.
 */
export async function getKeyPlayers(db: Database, actor: Actor, raw: unknown, now: Date) {
  must(actor)
  const input = parseInput(KeyPlayersInput, raw)
  return inNetworkTransaction(db, actor, async (tx) => {
    const start = input.group ? `group:${input.group.toLowerCase()}` : input.start!
    const built = await networkAround(tx, actor, { start, ...(input.hops ? { hops: input.hops } : {}) }, 'Key-player analysis of a network for disruption planning')
    const members = input.group
      ? built.network.edges.filter((e) => e.type === 'member_of' && e.target === built.start.node && isCurrent(e, ukDay(now))).map((e) => e.source)
      : built.network.nodes.filter((n) => n.kind === 'Person').map((n) => n.id)
    if (members.length < 2) {
      throw new ValidationError([{ field: input.group ? 'group' : 'start', message: input.group ? 'The group has fewer than 2 current members you may see: there is no network of members to fragment' : 'The network has fewer than 2 people you may see: there is no network of people to fragment' }])
    }
    const result = keyPlayers(built.network, members, Math.min(input.count, members.length))
    const labels = new Map(built.network.nodes.map((n) => [n.id, n.label]))
    await recordAudit(tx, actor, {
      action: 'consultation', recordType: built.start.kind === 'entity' ? q.ENTITY_RECORD : q.GROUP_RECORD, recordId: built.start.id,
      purpose: 'Key-player analysis of a network for disruption planning',
      detail: { view: 'key players', hops: built.hops, members: members.length, shown: result.steps.map((s) => uuidOf(s.node)) },
    })
    return {
      group: input.group ?? null, start: built.start.node, members: members.length,
      fragmentationBefore: result.fragmentationBefore, componentsBefore: result.componentsBefore,
      steps: result.steps.map((s) => ({ ...s, label: labels.get(s.node) ?? s.node })),
    }
  })
}

const isCurrent = (e: { to: string | null }, today: string) => e.to === null || e.to >= today

/** An export of the network around a start, with its handling in the file; logged as a disclosure. */
export async function exportNetworkFile(db: Database, actor: Actor, raw: unknown, now: Date) {
  must(actor)
  const r = (raw ?? {}) as Record<string, unknown>
  // Both schemas are checked before either answers, so every faulty field is named at once.
  const issues: ValidationError['issues'] = []
  const exportQuery = ExportQuery.safeParse({ format: r.format, purpose: r.purpose })
  const { format: _f, purpose: _p, ...networkFields } = r
  const networkQuery = NetworkQuery.safeParse(networkFields)
  if (!exportQuery.success) issues.push(...parseIssues(exportQuery.error))
  if (!networkQuery.success) issues.push(...parseIssues(networkQuery.error))
  if (issues.length > 0 || !exportQuery.success || !networkQuery.success) throw new ValidationError(issues)
  const format = exportQuery.data.format as ExportFormat
  const purpose = exportQuery.data.purpose ?? 'Exporting a network for analysis'
  return inNetworkTransaction(db, actor, async (tx) => {
    const built = await networkAround(tx, actor, networkQuery.data, `Exporting a network: ${purpose}`)
    if (built.network.edges.length === 0) throw new ValidationError([{ field: 'start', message: `${emptyMessage(built)}. There is nothing to export` }])
    const m = measuresOf(built.network)
    const startLabel = built.network.nodes.find((n) => n.id === built.start.node)?.label ?? built.start.node
    const marking = highestMarking(built.network.nodes.map((n) => String(n.attributes?.protectiveMarking ?? 'OFFICIAL')))
    const text = exportNetwork(format, built.network, {
      title: `Network of ${startLabel} within ${built.hops} hops${built.truncated ? ` (cut at ${NODE_CAP.toLocaleString('en-GB')} nodes)` : ''}`,
      exportedBy: actor.displayName, agency: actor.agencyName, exportedAt: now.toISOString(), purpose, protectiveMarking: marking,
      measures: new Map<string, NodeMeasures>(m.measures.map((x) => [x.node, x])),
    })
    await recordAudit(tx, actor, {
      action: 'disclosure', recordType: built.start.kind === 'entity' ? q.ENTITY_RECORD : q.GROUP_RECORD, recordId: built.start.id, purpose, recipients: [actor.agencyId],
      detail: { export: 'network', format, hops: built.hops, links: built.network.edges.length, exported: shownIds(built.network), linkRecords: [...new Set(built.network.edges.flatMap((e) => e.sources.filter((s) => s.kind === 'entity_link' || s.kind === 'intelligence').map((s) => s.id)))] },
    })
    const rule = EXPORT_FORMAT_RULES[format]
    return { filename: `network-${ukDay(now)}.${rule.extension}`, contentType: rule.contentType, text }
  })
}

function parseIssues(error: { issues: Array<{ path: PropertyKey[]; message: string }> }) {
  return error.issues.map((i) => ({ field: i.path.length > 0 ? i.path.map(String).join('.') : 'query', message: i.message }))
}

/** People, groups, phones and addresses to start from, by name or number (a logged consultation when any is shown). */
export async function startChoices(db: Database, actor: Actor, text: string) {
  must(actor)
  return asUser(db, actor, async (tx) => {
    const rows = await q.startCandidates(tx, actor, text, 25)
    if (rows.length > 0) await recordAudit(tx, actor, { action: 'consultation', recordType: q.ENTITY_RECORD, purpose: 'Choosing where a network starts', detail: { shown: rows.map((r) => uuidOf(r.id)) } })
    return rows
  })
}

/** Measures of an analyst's own edge list (nothing from the database): no personal record is read, so nothing is logged. */
export function edgeListMeasures(text: string, fileName: string, directed: boolean) {
  const network = parseEdgeList(text, fileName, { directed })
  if (network.edges.length === 0) throw new ValidationError([{ field: 'file', message: `${fileName} has no edges: give one row per link with source and target columns` }])
  const result = measureNetwork(network, { directed, betweenness: 'auto', seed: 1 })
  return { nodes: network.nodes.length, edges: network.edges.length, result, csv: measuresCsv(result) }
}

/**
 * Each person's network centrality for the ranking: betweenness in the whole network the user may
 * see, scaled so the most central node is 1 (brokers hold a group together, which is what a board
 * wants to know). People not in the network, or with no links, are 0. Runs in the caller's
 * transaction, so the ranking and the network see the same rows.
 */
export async function personCentrality(tx: Tx, viewer: Viewer, personIds: readonly string[]): Promise<Map<string, number>> {
  const network = await wholeNetwork(tx, viewer)
  const out = new Map<string, number>(personIds.map((id) => [id, 0]))
  if (network.edges.length === 0) return out
  const m = measureNetwork(network, { betweenness: 'auto', seed: 1 })
  const top = Math.max(0, ...m.measures.map((x) => x.betweenness))
  if (top === 0) return out
  const wanted = new Set(personIds.map(entityNode))
  for (const x of m.measures) if (wanted.has(x.node)) out.set(uuidOf(x.node), Math.round((x.betweenness / top) * 1000) / 1000)
  return out
}

export const edgeTypeLabel = (type: string) => EDGE_TYPE_LABELS[type] ?? type
