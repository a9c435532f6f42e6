import type { ColumnType, Generated, Selectable } from 'kysely'
import type { Queryable } from '../../../db/context.ts'

// The only SQL that touches saved link charts. Row-level security (migration 0026) lets a user read
// their own charts and those shared with their agency, and change only their own; the queries below
// say the same in their WHERE so the index serves them.

export const CHART_RECORD = 'network_chart'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type Json<T> = ColumnType<T, string, string>

export type ChartTables = {
  network_charts: {
    id: Generated<string>
    owning_agency_id: string
    title: string
    start_node: string
    hops: number
    filters: Json<Record<string, unknown>>
    expanded: Json<string[]>
    pinned: Json<Record<string, [number, number]>>
    size_by: string
    sharing_scope: string
    created_at: Timestamp
    created_by: string
    updated_at: Timestamp
    row_version: Generated<number>
  }
}
export type ChartRow = Selectable<ChartTables['network_charts']>
export type ChartValues = {
  title: string
  start: string
  hops: number
  filters: Record<string, unknown>
  expanded: string[]
  pinned: Record<string, [number, number]>
  sizeBy: string
  sharingScope: string
}

const t = (db: Queryable) => db.withTables<ChartTables>()

const columns = (v: ChartValues) => ({
  title: v.title,
  start_node: v.start,
  hops: v.hops,
  filters: JSON.stringify(v.filters),
  expanded: JSON.stringify(v.expanded),
  pinned: JSON.stringify(v.pinned),
  size_by: v.sizeBy,
  sharing_scope: v.sharingScope,
})

export async function insertChart(db: Queryable, owner: { userId: string; agencyId: string }, values: ChartValues): Promise<string> {
  const row = await t(db)
    .insertInto('network_charts')
    .values({ ...columns(values), owning_agency_id: owner.agencyId, created_by: owner.userId })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export function chartById(db: Queryable, id: string): Promise<ChartRow | undefined> {
  return t(db).selectFrom('network_charts').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The user's own charts and those shared with their agency, newest first. */
export function visibleCharts(db: Queryable, viewer: { userId: string; agencyId: string }, limit: number): Promise<ChartRow[]> {
  return t(db)
    .selectFrom('network_charts')
    .selectAll()
    .where((eb) => eb.or([eb('created_by', '=', viewer.userId), eb.and([eb('sharing_scope', '=', 'agency'), eb('owning_agency_id', '=', viewer.agencyId)])]))
    .orderBy('updated_at', 'desc')
    .limit(limit)
    .execute()
}

/** Changes a chart when it is still at the version the user saw; false when it is not (or is not theirs). */
export async function updateChart(db: Queryable, id: string, rowVersion: number, values: ChartValues, now: Date): Promise<boolean> {
  const result = await t(db)
    .updateTable('network_charts')
    .set((eb) => ({ ...columns(values), updated_at: now, row_version: eb('row_version', '+', 1) }))
    .where('id', '=', id)
    .where('row_version', '=', rowVersion)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function deleteChart(db: Queryable, id: string): Promise<boolean> {
  const result = await t(db).deleteFrom('network_charts').where('id', '=', id).executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}
