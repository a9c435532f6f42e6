import { sql } from 'kysely'
import type { Queryable } from '../../db/context.ts'

// The only SQL that touches plans, actions and disruptions. Row-level security binds every read
// (a group's plan is seen where the group is); the service checks the group first.

export const PLAN_RECORD = 'action_plan'
export const ACTION_RECORD = 'plan_action'
export const DISRUPTION_RECORD = 'disruption'

export type PlanRow = { id: string; groupId: string | null; threatArea: string | null; title: string; keyRisk: string | null; status: string; owningAgencyId: string }

const planColumns = ['id', 'group_id', 'threat_area', 'title', 'key_risk', 'status', 'owning_agency_id'] as const
type PlanDbRow = { id: string; group_id: string | null; threat_area: string | null; title: string; key_risk: string | null; status: string; owning_agency_id: string }
const toPlan = (r: PlanDbRow): PlanRow => ({ id: r.id, groupId: r.group_id, threatArea: r.threat_area, title: r.title, keyRisk: r.key_risk, status: r.status, owningAgencyId: r.owning_agency_id })

export type NewPlan = {
  groupId: string | null
  threatArea: string | null
  title: string
  keyRisk: string | null
  coordinatorId: string | null
  owningAgencyId: string
  purpose: string
  protectiveMarking: string
  handlingCode: string
  handlingConditions: string | null
  sharingScope: string
  reviewDate: string
  by: string
}

export async function insertPlan(db: Queryable, p: NewPlan): Promise<string> {
  const row = await db.insertInto('action_plans').values({
    group_id: p.groupId, threat_area: p.threatArea, title: p.title, key_risk: p.keyRisk, coordinator_id: p.coordinatorId,
    owning_agency_id: p.owningAgencyId, purpose: p.purpose, protective_marking: p.protectiveMarking, handling_code: p.handlingCode,
    handling_conditions: p.handlingConditions, sharing_scope: p.sharingScope, review_date: p.reviewDate, created_by: p.by, updated_by: p.by,
  }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

export async function plansOfGroup(db: Queryable, groupId: string): Promise<PlanRow[]> {
  const rows = await db.selectFrom('action_plans').select(planColumns).where('group_id', '=', groupId).orderBy('created_at').execute()
  return rows.map(toPlan)
}

export async function findPlan(db: Queryable, id: string): Promise<PlanRow | null> {
  const row = await db.selectFrom('action_plans').select(planColumns).where('id', '=', id).executeTakeFirst()
  return row ? toPlan(row) : null
}

export async function mayEditPlan(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await sql<{ may: boolean }>`SELECT achilles_may_edit_plan(${id}) AS may`.execute(db)
  return rows[0]?.may === true
}

export type ActionRow = {
  id: string
  planId: string
  groupId: string | null
  strand: string
  title: string
  description: string | null
  ownerAgencyId: string
  ownerUserId: string
  dueOn: string
  status: string
  powerId: string | null
  targetEntityId: string | null
  outcomeNotes: string | null
  completedAt: Date | null
  rowVersion: number
  createdBy: string | null
}

function actionColumns(db: Queryable) {
  return db.selectFrom('plan_actions').select([
    'id', 'plan_id', 'group_id', 'strand', 'title', 'description', 'owner_agency_id', 'owner_user_id', 'due_on', 'status', 'power_id',
    'target_entity_id', 'outcome_notes', 'completed_at', 'row_version', 'created_by',
  ])
}
type ActionDbRow = Awaited<ReturnType<ReturnType<typeof actionColumns>['executeTakeFirstOrThrow']>>
const toAction = (r: ActionDbRow): ActionRow => ({
  id: r.id, planId: r.plan_id, groupId: r.group_id, strand: r.strand, title: r.title, description: r.description, ownerAgencyId: r.owner_agency_id,
  ownerUserId: r.owner_user_id, dueOn: r.due_on, status: r.status, powerId: r.power_id, targetEntityId: r.target_entity_id, outcomeNotes: r.outcome_notes,
  completedAt: r.completed_at, rowVersion: r.row_version, createdBy: r.created_by,
})

export type NewAction = {
  planId: string
  groupId: string | null
  strand: string
  title: string
  description: string | null
  ownerAgencyId: string
  ownerUserId: string
  dueOn: string
  powerId: string | null
  targetEntityId: string | null
  by: string
}

export async function insertAction(db: Queryable, a: NewAction): Promise<string> {
  const row = await db.insertInto('plan_actions').values({
    plan_id: a.planId, group_id: a.groupId, strand: a.strand, title: a.title, description: a.description, owner_agency_id: a.ownerAgencyId,
    owner_user_id: a.ownerUserId, due_on: a.dueOn, power_id: a.powerId, target_entity_id: a.targetEntityId, created_by: a.by, updated_by: a.by,
  }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

export async function actionsOfPlans(db: Queryable, planIds: readonly string[]): Promise<ActionRow[]> {
  if (planIds.length === 0) return []
  const rows = await actionColumns(db).where('plan_id', 'in', [...planIds])
    .orderBy(sql`array_position(ARRAY['pursue', 'prevent', 'protect', 'prepare']::text[], strand)`).orderBy('due_on').orderBy('id').execute()
  return rows.map(toAction)
}

export async function findAction(db: Queryable, id: string): Promise<ActionRow | null> {
  const row = await actionColumns(db).where('id', '=', id).executeTakeFirst()
  return row ? toAction(row) : null
}

/** Records progress if nobody changed the action since it was read; false when someone had. */
export async function updateProgress(db: Queryable, id: string, rowVersion: number, p: { status: string; outcomeNotes: string | null }, by: string): Promise<boolean> {
  const result = await db.updateTable('plan_actions').set({
    status: p.status,
    outcome_notes: p.outcomeNotes,
    completed_at: p.status === 'done' ? sql`coalesce(completed_at, now())` : null,
    updated_at: sql`now()`,
    updated_by: by,
    row_version: sql`row_version + 1`,
  }).where('id', '=', id).where('row_version', '=', rowVersion).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Changes an action if nobody changed it since it was read; false when someone had. */
export async function updateAction(db: Queryable, id: string, rowVersion: number, a: Omit<NewAction, 'planId' | 'groupId' | 'by'>, by: string): Promise<boolean> {
  const result = await db.updateTable('plan_actions').set({
    strand: a.strand, title: a.title, description: a.description, owner_agency_id: a.ownerAgencyId, owner_user_id: a.ownerUserId, due_on: a.dueOn,
    power_id: a.powerId, target_entity_id: a.targetEntityId, updated_at: sql`now()`, updated_by: by, row_version: sql`row_version + 1`,
  }).where('id', '=', id).where('row_version', '=', rowVersion).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** The open and in-progress actions a user owns, soonest due first. */
export async function openActionsOwnedBy(db: Queryable, userId: string, limit: number): Promise<ActionRow[]> {
  const rows = await actionColumns(db).where('owner_user_id', '=', userId).where('status', 'in', ['open', 'in_progress'])
    .orderBy('due_on').orderBy('id').limit(limit).execute()
  return rows.map(toAction)
}

export type ActionCounts = { open: number; overdue: number; done: number }

/** Open, overdue and done actions by group or by plan. */
async function actionCounts(db: Queryable, by: 'group_id' | 'plan_id', ids: readonly string[], today: string): Promise<Map<string, ActionCounts>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('plan_actions').select([
    sql<string>`${sql.ref(by)}::text`.as('key'),
    sql<number>`count(*) FILTER (WHERE status IN ('open', 'in_progress'))::int`.as('open'),
    sql<number>`count(*) FILTER (WHERE status IN ('open', 'in_progress') AND due_on < ${today})::int`.as('overdue'),
    sql<number>`count(*) FILTER (WHERE status = 'done')::int`.as('done'),
  ]).where(by, 'in', [...ids]).groupBy(by).execute()
  return new Map(rows.map((r) => [r.key, { open: Number(r.open), overdue: Number(r.overdue), done: Number(r.done) }]))
}

export const actionCountsByGroup = (db: Queryable, groupIds: readonly string[], today: string) => actionCounts(db, 'group_id', groupIds, today)
export const actionCountsByPlan = (db: Queryable, planIds: readonly string[], today: string) => actionCounts(db, 'plan_id', planIds, today)

// Disruptions

export type NewDisruption = {
  groupId: string
  actionId: string | null
  powerId: string | null
  occurredOn: string
  agencyId: string
  description: string
  outcome: string
  outcomeReason: string
  recordedByAgencyId: string
  by: string
  assets: ReadonlyArray<{ kind: string; description: string; quantity: number | null; unit: string | null; valuePence: number | null }>
}

export async function insertDisruption(db: Queryable, d: NewDisruption): Promise<string> {
  const row = await db.insertInto('disruptions').values({
    group_id: d.groupId, action_id: d.actionId, power_id: d.powerId, occurred_on: d.occurredOn, agency_id: d.agencyId, description: d.description,
    outcome: d.outcome, outcome_reason: d.outcomeReason, recorded_by_agency_id: d.recordedByAgencyId, created_by: d.by,
  }).returning('id').executeTakeFirstOrThrow()
  if (d.assets.length > 0) {
    await db.insertInto('disruption_assets').values(d.assets.map((a) => ({
      disruption_id: row.id, kind: a.kind, description: a.description, quantity: a.quantity, unit: a.unit, value_pence: a.valuePence,
    }))).execute()
  }
  return row.id
}

export type DisruptionRow = {
  id: string
  groupId: string
  actionId: string | null
  powerId: string | null
  occurredOn: string
  agencyId: string
  description: string
  outcome: string
  outcomeReason: string
  createdAt: Date
  assets: Array<{ kind: string; description: string; quantity: number | null; unit: string | null; valuePence: number | null }>
}

/** Disruptions, each with its assets: of the groups given and in the period given, newest first. */
export async function disruptionRows(db: Queryable, f: { groupIds?: readonly string[]; from?: string; to?: string; latestOfEach?: boolean }, limit: number): Promise<DisruptionRow[]> {
  if (f.groupIds && f.groupIds.length === 0) return []
  let query = db.selectFrom('disruptions as d').select([
    'd.id', 'd.group_id', 'd.action_id', 'd.power_id', 'd.occurred_on', 'd.agency_id', 'd.description', 'd.outcome', 'd.outcome_reason', 'd.created_at',
    sql<DisruptionRow['assets']>`coalesce((SELECT json_agg(json_build_object('kind', a.kind, 'description', a.description, 'quantity', a.quantity,
      'unit', a.unit, 'valuePence', a.value_pence) ORDER BY a.kind, a.description) FROM disruption_assets a WHERE a.disruption_id = d.id), '[]'::json)`.as('assets'),
  ])
  if (f.groupIds) query = query.where('d.group_id', 'in', [...f.groupIds])
  // The newest of each group only: DISTINCT ON keeps the first row of each group in this order.
  if (f.latestOfEach) query = query.distinctOn('d.group_id').orderBy('d.group_id')
  if (f.from) query = query.where('d.occurred_on', '>=', f.from)
  if (f.to) query = query.where('d.occurred_on', '<=', f.to)
  const rows = await query.orderBy('d.occurred_on', 'desc').orderBy('d.created_at', 'desc').limit(limit).execute()
  return rows.map((r) => ({
    id: r.id, groupId: r.group_id, actionId: r.action_id, powerId: r.power_id, occurredOn: r.occurred_on, agencyId: r.agency_id, description: r.description,
    outcome: r.outcome, outcomeReason: r.outcome_reason, createdAt: r.created_at,
    assets: r.assets.map((a) => ({ ...a, quantity: a.quantity === null ? null : Number(a.quantity), valuePence: a.valuePence === null ? null : Number(a.valuePence) })),
  }))
}

/** Disruptions of the groups, newest first, each with its assets. */
export function disruptionsOfGroups(db: Queryable, groupIds: readonly string[], limit: number): Promise<DisruptionRow[]> {
  return disruptionRows(db, { groupIds }, limit)
}

// The overdue sweep, run by the platform itself

export type OverdueRow = { id: string; title: string; dueOn: string; ownerUserId: string; groupId: string | null; planId: string }

/**
 * Marks every action still to do whose due date has passed and that was not flagged for that date,
 * in one statement, and returns them: each is flagged once per lapse, however often the sweep runs.
 */
export async function flagOverdueActions(db: Queryable, today: string): Promise<OverdueRow[]> {
  const rows = await db.updateTable('plan_actions').set({ overdue_flagged_for: sql`due_on` })
    .where('status', 'in', ['open', 'in_progress']).where('due_on', '<', today)
    .where((eb) => eb.or([eb('overdue_flagged_for', 'is', null), eb('overdue_flagged_for', '!=', eb.ref('due_on'))]))
    .returning(['id', 'title', 'due_on', 'owner_user_id', 'group_id', 'plan_id']).execute()
  return rows.map((r) => ({ id: r.id, title: r.title, dueOn: r.due_on, ownerUserId: r.owner_user_id, groupId: r.group_id, planId: r.plan_id }))
}

/** Lead Responsible Officers of groups, and coordinators of threat-area plans, by plan id. */
export async function planLeads(db: Queryable, planIds: readonly string[]): Promise<Map<string, string | null>> {
  if (planIds.length === 0) return new Map()
  const rows = await db.selectFrom('action_plans as p').leftJoin('ocgs as g', 'g.id', 'p.group_id')
    .select(['p.id', sql<string | null>`coalesce(g.lead_responsible_officer_id, p.coordinator_id)`.as('lead')])
    .where('p.id', 'in', [...planIds]).execute()
  return new Map(rows.map((r) => [r.id, r.lead]))
}

/** Whether the transaction's user owns an action on one of the group's plans. */
export async function taskedOnGroup(db: Queryable, groupId: string): Promise<boolean> {
  const { rows } = await sql<{ tasked: boolean }>`SELECT achilles_tasked_on_group(${groupId}) AS tasked`.execute(db)
  return rows[0]?.tasked === true
}


// Board views and reports

export type ProgressRow = {
  groupId: string
  open: number
  overdue: number
  done: number
  total: number
  byStrand: Record<string, { total: number; done: number }>
}

/**
 * Plan progress by group, most overdue first, a page at a time, over the actions the transaction's
 * user may see (row-level security binds them to the groups they may see).
 */
export async function progressByGroup(db: Queryable, today: string, page: number, pageSize: number): Promise<{ rows: ProgressRow[]; total: number }> {
  const live = sql`status <> 'cancelled'`
  const { rows } = await sql<{ group_id: string; open: number; overdue: number; done: number; total: number; strands: Record<string, { total: number; done: number }>; groups: number }>`
    SELECT group_id,
      count(*) FILTER (WHERE status IN ('open', 'in_progress'))::int AS open,
      count(*) FILTER (WHERE status IN ('open', 'in_progress') AND due_on < ${today})::int AS overdue,
      count(*) FILTER (WHERE status = 'done')::int AS done,
      count(*) FILTER (WHERE ${live})::int AS total,
      json_build_object(
        'pursue', json_build_object('total', count(*) FILTER (WHERE strand = 'pursue' AND ${live}), 'done', count(*) FILTER (WHERE strand = 'pursue' AND status = 'done')),
        'prevent', json_build_object('total', count(*) FILTER (WHERE strand = 'prevent' AND ${live}), 'done', count(*) FILTER (WHERE strand = 'prevent' AND status = 'done')),
        'protect', json_build_object('total', count(*) FILTER (WHERE strand = 'protect' AND ${live}), 'done', count(*) FILTER (WHERE strand = 'protect' AND status = 'done')),
        'prepare', json_build_object('total', count(*) FILTER (WHERE strand = 'prepare' AND ${live}), 'done', count(*) FILTER (WHERE strand = 'prepare' AND status = 'done'))
      ) AS strands,
      (count(*) OVER ())::int AS groups
    FROM plan_actions WHERE group_id IS NOT NULL
    GROUP BY group_id
    ORDER BY overdue DESC, open DESC, group_id
    LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`.execute(db)
  return {
    rows: rows.map((r) => ({ groupId: r.group_id, open: Number(r.open), overdue: Number(r.overdue), done: Number(r.done), total: Number(r.total), byStrand: r.strands })),
    total: Number(rows[0]?.groups ?? 0),
  }
}

export type OutcomeDimension = 'agency' | 'power' | 'group' | 'outcome'
export type OutcomeRow = { key: string | null; count: number; major: number; moderate: number; minor: number; none: number; negative: number; cashPence: number; valuePence: number }

/** Disruptions in a period grouped by one dimension, with counts per outcome level and the value seized. */
export async function outcomeReport(db: Queryable, by: OutcomeDimension, from: string, to: string, groupId: string | null): Promise<OutcomeRow[]> {
  const column = { agency: sql`d.agency_id::text`, power: sql`d.power_id`, group: sql`d.group_id::text`, outcome: sql`d.outcome` }[by]
  const { rows } = await sql<{ key: string | null; count: number; major: number; moderate: number; minor: number; none: number; negative: number; cash: number; value: number }>`
    SELECT ${column} AS key, count(*)::int AS count,
      count(*) FILTER (WHERE d.outcome = 'major')::int AS major, count(*) FILTER (WHERE d.outcome = 'moderate')::int AS moderate,
      count(*) FILTER (WHERE d.outcome = 'minor')::int AS minor, count(*) FILTER (WHERE d.outcome = 'none')::int AS none,
      count(*) FILTER (WHERE d.outcome = 'negative')::int AS negative,
      coalesce(sum(a.cash), 0)::bigint AS cash, coalesce(sum(a.value), 0)::bigint AS value
    FROM disruptions d
    LEFT JOIN LATERAL (SELECT sum(value_pence) FILTER (WHERE kind = 'cash') AS cash, sum(value_pence) AS value FROM disruption_assets WHERE disruption_id = d.id) a ON true
    WHERE d.occurred_on BETWEEN ${from} AND ${to} ${groupId ? sql`AND d.group_id = ${groupId}` : sql``}
    GROUP BY 1 ORDER BY count(*) DESC, 1`.execute(db)
  return rows.map((r) => ({ key: r.key, count: Number(r.count), major: Number(r.major), moderate: Number(r.moderate), minor: Number(r.minor), none: Number(r.none), negative: Number(r.negative), cashPence: Number(r.cash), valuePence: Number(r.value) }))
}

/** The partnership's totals by strand and status, for those who see aggregate figures only (runs as the platform). */
export async function progressTotals(db: Queryable, today: string): Promise<Array<{ strand: string; open: number; overdue: number; done: number; total: number }>> {
  const { rows } = await sql<{ strand: string; open: number; overdue: number; done: number; total: number }>`
    SELECT strand, count(*) FILTER (WHERE status IN ('open', 'in_progress'))::int AS open,
      count(*) FILTER (WHERE status IN ('open', 'in_progress') AND due_on < ${today})::int AS overdue,
      count(*) FILTER (WHERE status = 'done')::int AS done, count(*) FILTER (WHERE status <> 'cancelled')::int AS total
    FROM plan_actions GROUP BY strand ORDER BY array_position(ARRAY['pursue', 'prevent', 'protect', 'prepare']::text[], strand)`.execute(db)
  return rows.map((r) => ({ strand: r.strand, open: Number(r.open), overdue: Number(r.overdue), done: Number(r.done), total: Number(r.total) }))
}

export async function disruptionCounts(db: Queryable, groupIds: readonly string[]): Promise<Map<string, { count: number; last: string }>> {
  if (groupIds.length === 0) return new Map()
  const rows = await db.selectFrom('disruptions').select((eb) => ['group_id', eb.fn.countAll<number>().as('n'), eb.fn.max('occurred_on').as('last')])
    .where('group_id', 'in', [...groupIds]).groupBy('group_id').execute()
  return new Map(rows.map((r) => [r.group_id, { count: Number(r.n), last: String(r.last) }]))
}

// Threat-area plans

export type ThreatPlanRow = {
  id: string; threatArea: string; title: string; keyRisk: string | null; status: string; coordinatorId: string | null; owningAgencyId: string
  protectiveMarking: string; handlingCode: string; handlingConditions: string | null; sharingScope: string; purpose: string; reviewDate: string
}

function threatPlanColumns(db: Queryable) {
  return db.selectFrom('action_plans').select(['id', 'threat_area', 'title', 'key_risk', 'status', 'coordinator_id', 'owning_agency_id', 'protective_marking',
    'handling_code', 'handling_conditions', 'sharing_scope', 'purpose', 'review_date']).where('group_id', 'is', null)
}
const toThreatPlan = (r: Awaited<ReturnType<ReturnType<typeof threatPlanColumns>['executeTakeFirstOrThrow']>>): ThreatPlanRow => ({
  id: r.id, threatArea: r.threat_area!, title: r.title, keyRisk: r.key_risk, status: r.status, coordinatorId: r.coordinator_id, owningAgencyId: r.owning_agency_id,
  protectiveMarking: r.protective_marking, handlingCode: r.handling_code, handlingConditions: r.handling_code === 'C' ? r.handling_conditions : null,
  sharingScope: r.sharing_scope, purpose: r.purpose, reviewDate: r.review_date,
})

export async function findThreatPlan(db: Queryable, id: string): Promise<ThreatPlanRow | null> {
  const row = await threatPlanColumns(db).where('id', '=', id).executeTakeFirst()
  return row ? toThreatPlan(row) : null
}

export async function threatPlans(db: Queryable, limit: number): Promise<ThreatPlanRow[]> {
  return (await threatPlanColumns(db).orderBy('threat_area').orderBy('title').limit(limit).execute()).map(toThreatPlan)
}
