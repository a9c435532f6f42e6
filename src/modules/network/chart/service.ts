import type { Actor } from '../../../core/access/actor.ts'
import { hasCapability } from '../../../core/access/actor.ts'
import { ConflictError, ForbiddenError, NotFoundError } from '../../../core/errors.ts'
import type { Database } from '../../../db/connection.ts'
import { asUser, type Tx } from '../../../db/context.ts'
import { parseInput } from '../../../http/validation.ts'
import { recordAudit } from '../../audit/service.ts'
import { entitySummaries } from '../../entities/service.ts'
import { groupSummaries } from '../../groups/service.ts'
import { layOut, type LayoutResult } from './layout.ts'
import * as q from './queries.ts'
import { ChartInput, ChartUpdate, LayoutInput, type ChartOut } from './schema.ts'

// Saved link charts: what an analyst keeps of a chart is how it was drawn (start, hops, filters,
// expansions, pins), never the people in it. Opening a chart hands back only the node ids the user
// may still see; the page then fetches the network again under the visibility rule.

const LIST_LIMIT = 200

function mayChart(actor: Actor): void {
  if (!hasCapability(actor, 'records.read')) throw new ForbiddenError('Link charts show people and their links: your role does not allow you to see personal records.')
}

/** Of the node ids given, those naming a person, thing or group the user may see now. */
async function stillVisible(tx: Tx, ids: readonly string[]): Promise<Set<string>> {
  const entities: string[] = []
  const groups: string[] = []
  for (const id of new Set(ids)) {
    const [kind, uuid] = id.split(':') as [string, string]
    if (kind === 'entity') entities.push(uuid)
    else if (kind === 'group') groups.push(uuid)
  }
  const [seenEntities, seenGroups] = [await entitySummaries(tx, entities), await groupSummaries(tx, groups)]
  return new Set([...[...seenEntities.keys()].map((id) => `entity:${id}`), ...[...seenGroups.keys()].map((id) => `group:${id}`)])
}

const iso = (d: Date | string) => new Date(d).toISOString()

function values(input: ChartInput): q.ChartValues {
  const filters = Object.fromEntries(Object.entries(input.filters).filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)))
  return { title: input.title, start: input.start, hops: input.hops, filters, expanded: [...new Set(input.expanded)], pinned: input.pinned, sizeBy: input.sizeBy, sharingScope: input.sharingScope }
}

/** Refuses to save a chart of nodes the user cannot see: a saved chart must not become a way to keep ids one was never shown. */
async function checkSaveable(tx: Tx, v: q.ChartValues): Promise<void> {
  const visible = await stillVisible(tx, [v.start])
  if (!visible.has(v.start)) throw new NotFoundError('Start')
}

export async function saveChart(db: Database, actor: Actor, raw: unknown): Promise<string> {
  mayChart(actor)
  const input = values(parseInput(ChartInput, raw))
  return asUser(db, actor, async (tx) => {
    await checkSaveable(tx, input)
    const seen = await stillVisible(tx, [...input.expanded, ...Object.keys(input.pinned)])
    input.expanded = input.expanded.filter((id) => seen.has(id))
    input.pinned = Object.fromEntries(Object.entries(input.pinned).filter(([id]) => seen.has(id)))
    const id = await q.insertChart(tx, actor, input)
    await recordAudit(tx, actor, { action: 'collection', recordType: q.CHART_RECORD, recordId: id, purpose: `Saving the link chart "${input.title}"`, detail: { start: input.start, hops: input.hops, pinned: Object.keys(input.pinned).length, sharingScope: input.sharingScope } })
    return id
  })
}

export async function updateChart(db: Database, actor: Actor, id: string, raw: unknown, now: Date): Promise<void> {
  mayChart(actor)
  const { rowVersion, ...rest } = parseInput(ChartUpdate, raw)
  const input = values(rest)
  await asUser(db, actor, async (tx) => {
    const row = await q.chartById(tx, id)
    if (!row) throw new NotFoundError('Chart')
    if (row.created_by !== actor.userId) throw new ForbiddenError('Only the analyst who saved a chart can change it; save it as a new chart instead.')
    await checkSaveable(tx, input)
    const seen = await stillVisible(tx, [...input.expanded, ...Object.keys(input.pinned)])
    input.expanded = input.expanded.filter((n) => seen.has(n))
    input.pinned = Object.fromEntries(Object.entries(input.pinned).filter(([n]) => seen.has(n)))
    if (!(await q.updateChart(tx, id, rowVersion, input, now))) throw new ConflictError('The chart was saved again since you opened it: open it again to see the latest.')
    await recordAudit(tx, actor, { action: 'alteration', recordType: q.CHART_RECORD, recordId: id, purpose: `Saving the link chart "${input.title}"`, detail: { start: input.start, hops: input.hops, pinned: Object.keys(input.pinned).length, sharingScope: input.sharingScope } })
  })
}

/**
 * A saved chart as the user may see it now: pins and expansions of nodes they can no longer see are
 * left out (and counted), and when the start itself is out of sight the chart shows nothing.
 */
export async function openChart(db: Database, actor: Actor, id: string): Promise<ChartOut> {
  mayChart(actor)
  return asUser(db, actor, async (tx) => {
    const row = await q.chartById(tx, id)
    if (!row) throw new NotFoundError('Chart')
    const pinned = row.pinned as Record<string, [number, number]>
    const expanded = row.expanded as string[]
    const seen = await stillVisible(tx, [row.start_node, ...expanded, ...Object.keys(pinned)])
    const startVisible = seen.has(row.start_node)
    const keptPinned = startVisible ? Object.fromEntries(Object.entries(pinned).filter(([n]) => seen.has(n))) : {}
    const keptExpanded = startVisible ? expanded.filter((n) => seen.has(n)) : []
    const withheld = Object.keys(pinned).length - Object.keys(keptPinned).length + expanded.length - keptExpanded.length
    await recordAudit(tx, actor, { action: 'consultation', recordType: q.CHART_RECORD, recordId: id, purpose: `Opening the link chart "${row.title}"`, detail: { startVisible, withheld } })
    return {
      id: row.id,
      title: row.title,
      start: row.start_node,
      hops: row.hops,
      filters: row.filters as Record<string, unknown>,
      expanded: keptExpanded,
      pinned: keptPinned,
      sizeBy: row.size_by as ChartOut['sizeBy'],
      sharingScope: row.sharing_scope as ChartOut['sharingScope'],
      mine: row.created_by === actor.userId,
      startVisible,
      withheld,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      rowVersion: row.row_version,
    }
  })
}

export async function listCharts(db: Database, actor: Actor) {
  mayChart(actor)
  return asUser(db, actor, async (tx) => {
    const rows = await q.visibleCharts(tx, actor, LIST_LIMIT)
    return rows.map((r) => ({ id: r.id, title: r.title, start: r.start_node, hops: r.hops, sharingScope: r.sharing_scope as 'private' | 'agency', mine: r.created_by === actor.userId, updatedAt: iso(r.updated_at), url: `/network/chart?chart=${r.id}` }))
  })
}

export async function deleteChart(db: Database, actor: Actor, id: string): Promise<void> {
  mayChart(actor)
  await asUser(db, actor, async (tx) => {
    const row = await q.chartById(tx, id)
    if (!row) throw new NotFoundError('Chart')
    if (row.created_by !== actor.userId || !(await q.deleteChart(tx, id))) throw new ForbiddenError('Only the analyst who saved a chart can delete it.')
    await recordAudit(tx, actor, { action: 'erasure', recordType: q.CHART_RECORD, recordId: id, purpose: `Deleting the link chart "${row.title}"` })
  })
}

/** ForceAtlas2 over the chart's structure; touches no record, so needs only the right to chart. */
export function layoutChart(actor: Actor, raw: unknown): LayoutResult & { milliseconds: number } {
  mayChart(actor)
  const input = parseInput(LayoutInput, raw)
  const started = performance.now()
  const result = layOut(input)
  return { ...result, milliseconds: Math.round(performance.now() - started) }
}
