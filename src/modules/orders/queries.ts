import { sql } from 'kysely'
import type { Obligation } from '../../core/orders/compliance.ts'
import type { Queryable } from '../../db/context.ts'

// The only SQL that touches the orders register. Row-level security binds every read: an order is
// seen by its agency, those it is shared with, the agencies that check it, and only where its
// subject is visible too.

export const ORDER_RECORD = 'order'

export type OrderRow = {
  id: string
  orderType: string
  powerId: string
  groupId: string | null
  subjectEntityId: string
  subjectKind: string
  court: string | null
  courtReference: string | null
  madeOn: string | null
  startsAt: Date
  endsAt: Date | null
  extendedAuthority: boolean
  authorisedBy: string | null
  status: string
  officerId: string
  notes: string | null
  owningAgencyId: string
  protectiveMarking: string
  handlingCode: string
  handlingConditions: string | null
  sharingScope: string
  rowVersion: number
}

function orderColumns(db: Queryable) {
  return db.selectFrom('orders').select([
    'id', 'order_type', 'power_id', 'group_id', 'subject_entity_id', 'subject_kind', 'court', 'court_reference', 'made_on', 'starts_at', 'ends_at',
    'extended_authority', 'authorised_by', 'status', 'officer_id', 'notes', 'owning_agency_id', 'protective_marking', 'handling_code', 'handling_conditions',
    'sharing_scope', 'row_version',
  ])
}
type OrderDbRow = Awaited<ReturnType<ReturnType<typeof orderColumns>['executeTakeFirstOrThrow']>>
const toOrder = (r: OrderDbRow): OrderRow => ({
  id: r.id, orderType: r.order_type, powerId: r.power_id, groupId: r.group_id, subjectEntityId: r.subject_entity_id, subjectKind: r.subject_kind,
  court: r.court, courtReference: r.court_reference, madeOn: r.made_on, startsAt: r.starts_at, endsAt: r.ends_at, extendedAuthority: r.extended_authority,
  authorisedBy: r.authorised_by, status: r.status, officerId: r.officer_id, notes: r.notes, owningAgencyId: r.owning_agency_id,
  protectiveMarking: r.protective_marking, handlingCode: r.handling_code, handlingConditions: r.handling_code === 'C' ? r.handling_conditions : null,
  sharingScope: r.sharing_scope, rowVersion: r.row_version,
})

export type NewOrder = Omit<OrderRow, 'id' | 'status' | 'rowVersion' | 'startsAt' | 'endsAt'> & { startsAt: string; endsAt: string | null; purpose: string; reviewDate: string; by: string }

export async function insertOrder(db: Queryable, o: NewOrder): Promise<string> {
  const row = await db.insertInto('orders').values({
    order_type: o.orderType, power_id: o.powerId, group_id: o.groupId, subject_entity_id: o.subjectEntityId, subject_kind: o.subjectKind, court: o.court,
    court_reference: o.courtReference, made_on: o.madeOn, starts_at: o.startsAt, ends_at: o.endsAt, extended_authority: o.extendedAuthority,
    authorised_by: o.authorisedBy, officer_id: o.officerId, notes: o.notes, owning_agency_id: o.owningAgencyId, purpose: o.purpose,
    protective_marking: o.protectiveMarking, handling_code: o.handlingCode, handling_conditions: o.handlingConditions, sharing_scope: o.sharingScope,
    review_date: o.reviewDate, created_by: o.by, updated_by: o.by,
  }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

export async function insertObligations(db: Queryable, orderId: string, obligations: readonly Obligation[]): Promise<void> {
  if (obligations.length === 0) return
  await db.insertInto('order_obligations').values(obligations.map((o, i) => ({
    order_id: orderId, key: o.key, position: i, kind: o.kind, text: o.text, every_value: o.every?.value ?? null, every_unit: o.every?.unit ?? null,
    notice_hours: o.noticeHours, check_agency_ids: [...o.checkAgencyIds],
  }))).execute()
}

export async function findOrder(db: Queryable, id: string): Promise<OrderRow | null> {
  const row = await orderColumns(db).where('id', '=', id).executeTakeFirst()
  return row ? toOrder(row) : null
}

export async function listOrders(db: Queryable, f: { orderType?: string | null; status?: string | null; groupId?: string | null }, limit: number): Promise<OrderRow[]> {
  let query = orderColumns(db)
  if (f.orderType) query = query.where('order_type', '=', f.orderType)
  if (f.status) query = query.where('status', '=', f.status)
  if (f.groupId) query = query.where('group_id', '=', f.groupId)
  const rows = await query.orderBy('starts_at', 'desc').orderBy('id').limit(limit).execute()
  return rows.map(toOrder)
}

/** Earlier uses of powers on the same subject, from the register: a notice that needs a warning first. */
export async function priorUses(db: Queryable, subjectEntityId: string): Promise<Array<{ powerId: string; at: string }>> {
  const rows = await sql<{ power_id: string; starts_at: Date }>`SELECT power_id, starts_at FROM orders WHERE subject_entity_id = ${subjectEntityId}`.execute(db)
  return rows.rows.map((r) => ({ powerId: r.power_id, at: r.starts_at.toISOString() }))
}

export async function obligationsOf(db: Queryable, orderIds: readonly string[]): Promise<Map<string, Obligation[]>> {
  const out = new Map<string, Obligation[]>()
  if (orderIds.length === 0) return out
  const rows = await db.selectFrom('order_obligations').select(['order_id', 'key', 'kind', 'text', 'every_value', 'every_unit', 'notice_hours', 'check_agency_ids'])
    // One array parameter, not one per order: a statement takes at most 65,535 parameters.
    .where(sql<boolean>`order_id = ANY(${[...orderIds]}::uuid[])`).orderBy('order_id').orderBy('position').execute()
  for (const r of rows) {
    const list = out.get(r.order_id) ?? []
    list.push({
      key: r.key, kind: r.kind as Obligation['kind'], text: r.text, noticeHours: r.notice_hours, checkAgencyIds: r.check_agency_ids,
      every: r.every_value !== null && r.every_unit !== null ? { value: r.every_value, unit: r.every_unit as NonNullable<Obligation['every']>['unit'] } : null,
    })
    out.set(r.order_id, list)
  }
  return out
}

export type CheckRow = { id: string; orderId: string; obligationKey: string; sequence: number; dueOn: string; agencyId: string; result: string | null; checkedOn: string | null; notes: string | null }

function checkColumns(db: Queryable) {
  return db.selectFrom('order_checks').select(['id', 'order_id', 'obligation_key', 'sequence', 'due_on', 'agency_id', 'result', 'checked_on', 'notes'])
}
const toCheck = (r: Awaited<ReturnType<ReturnType<typeof checkColumns>['executeTakeFirstOrThrow']>>): CheckRow => ({
  id: r.id, orderId: r.order_id, obligationKey: r.obligation_key, sequence: r.sequence, dueOn: r.due_on, agencyId: r.agency_id, result: r.result, checkedOn: r.checked_on, notes: r.notes,
})

export async function checksOf(db: Queryable, orderId: string): Promise<CheckRow[]> {
  return (await checkColumns(db).where('order_id', '=', orderId).orderBy('due_on').orderBy('obligation_key').execute()).map(toCheck)
}

export async function findCheck(db: Queryable, id: string): Promise<CheckRow | null> {
  const row = await checkColumns(db).where('id', '=', id).executeTakeFirst()
  return row ? toCheck(row) : null
}

/** Records a result once: false when the check already had one. */
export async function recordCheckResult(db: Queryable, id: string, r: { result: string; notes: string | null; checkedOn: string; by: string }): Promise<boolean> {
  const res = await db.updateTable('order_checks').set({ result: r.result, notes: r.notes, checked_on: r.checkedOn, checked_by: r.by }).where('id', '=', id).where('result', 'is', null).executeTakeFirst()
  return Number(res.numUpdatedRows) === 1
}

export type DueCheckRow = { id: string; order_id: string; obligation_key: string; due_on: string; agency_id: string; order_type: string; group_id: string | null; subject_entity_id: string }

const dueColumns = sql`c.id, c.order_id, c.obligation_key, c.due_on, c.agency_id, o.order_type, o.group_id, o.subject_entity_id`

/** Unrecorded checks due by a day that are assigned to an agency, soonest first, as the user may see them. */
export async function checksDueForAgency(db: Queryable, agencyId: string, until: string, limit: number): Promise<DueCheckRow[]> {
  const { rows } = await sql<DueCheckRow>`SELECT ${dueColumns} FROM order_checks c JOIN orders o ON o.id = c.order_id
    WHERE c.result IS NULL AND c.due_on <= ${until} AND o.status = 'in_force' AND c.agency_id = ${agencyId}
    ORDER BY c.due_on, c.id LIMIT ${limit}`.execute(db)
  return rows
}

/** The orders in force against the given groups that the user may see (row-level security decides). */
export async function visibleOrdersOfGroups(db: Queryable, groupIds: readonly string[]): Promise<string[]> {
  if (groupIds.length === 0) return []
  const rows = await db.selectFrom('orders').select('id').where(sql<boolean>`group_id = ANY(${[...groupIds]}::uuid[])`).where('status', '=', 'in_force').execute()
  return rows.map((r) => r.id)
}

/**
 * Unrecorded checks due by a day on orders already known to be visible, soonest first. Run with
 * the owner's privileges: a check is seen exactly where its order is, and applying that rule again
 * to every check cost 250 ms for a dozen groups' orders at national scale (bench/README.md).
 */
export async function checksDueOnOrders(db: Queryable, orderIds: readonly string[], until: string, limit: number): Promise<DueCheckRow[]> {
  if (orderIds.length === 0) return []
  const { rows } = await sql<DueCheckRow>`SELECT ${dueColumns} FROM order_checks c JOIN orders o ON o.id = c.order_id
    WHERE c.result IS NULL AND c.due_on <= ${until} AND c.order_id = ANY(${[...orderIds]}::uuid[])
    ORDER BY c.due_on, c.id LIMIT ${limit}`.execute(db)
  return rows
}

export async function insertBreach(db: Queryable, b: { orderId: string; obligationKey: string | null; checkId: string | null; occurredOn: string; description: string; by: string; agencyId: string }): Promise<string> {
  const row = await db.insertInto('order_breaches').values({
    order_id: b.orderId, obligation_key: b.obligationKey, check_id: b.checkId, occurred_on: b.occurredOn, description: b.description, reported_by: b.by, reported_by_agency_id: b.agencyId,
  }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

export async function breachesOf(db: Queryable, orderId: string) {
  return db.selectFrom('order_breaches').select(['id', 'obligation_key', 'occurred_on', 'description', 'reported_by_agency_id', 'created_at'])
    .where('order_id', '=', orderId).orderBy('occurred_on', 'desc').orderBy('created_at', 'desc').execute()
}

export async function variationsOf(db: Queryable, orderId: string) {
  return db.selectFrom('order_variations').select(['varied_on', 'summary', 'created_at']).where('order_id', '=', orderId).orderBy('id', 'desc').execute()
}

/** Applies a variation if nobody changed the order since it was read; false when someone had. */
export async function varyOrder(db: Queryable, id: string, rowVersion: number, v: { endsAt: string | null; extendedAuthority: boolean; status: string; summary: string; variedOn: string; previous: unknown; by: string }): Promise<boolean> {
  const res = await db.updateTable('orders').set({
    ends_at: v.endsAt, extended_authority: v.extendedAuthority, status: v.status, renewal_flagged_for: null, checks_scheduled_until: null, updated_at: sql`now()`, updated_by: v.by, row_version: sql`row_version + 1`,
  }).where('id', '=', id).where('row_version', '=', rowVersion).executeTakeFirst()
  if (Number(res.numUpdatedRows) !== 1) return false
  await db.insertInto('order_variations').values({ order_id: id, varied_on: v.variedOn, summary: v.summary, previous: JSON.stringify(v.previous), created_by: v.by }).execute()
  return true
}

export async function mayChangeOrder(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await sql<{ may: boolean }>`SELECT achilles_may_change_order(${id}) AS may`.execute(db)
  return rows[0]?.may === true
}

// The nightly scheduler, run by the platform over every order

/** Orders whose end has passed are expired; returns how many. */
export async function expireOrders(db: Queryable, now: Date): Promise<number> {
  const res = await db.updateTable('orders').set({ status: 'expired', updated_at: sql`now()`, row_version: sql`row_version + 1` })
    .where('status', '=', 'in_force').where('ends_at', '<=', now).executeTakeFirst()
  return Number(res.numUpdatedRows)
}

export type ScheduledOrderRow = { id: string; startsAt: Date; endsAt: Date | null; officerId: string; renewalFlaggedFor: Date | null }

/** Orders in force whose checks have not been made as far ahead as `until`. */
export async function ordersToSchedule(db: Queryable, until: string): Promise<ScheduledOrderRow[]> {
  const rows = await db.selectFrom('orders').select(['id', 'starts_at', 'ends_at', 'officer_id', 'renewal_flagged_for']).where('status', '=', 'in_force')
    .where((eb) => eb.or([eb('checks_scheduled_until', 'is', null), eb('checks_scheduled_until', '<', until)])).execute()
  return rows.map((r) => ({ id: r.id, startsAt: r.starts_at, endsAt: r.ends_at, officerId: r.officer_id, renewalFlaggedFor: r.renewal_flagged_for }))
}

/** Every (obligation, sequence) already scheduled for the given orders, by order, as "obligation#sequence". */
export async function scheduledCheckKeys(db: Queryable, orderIds: readonly string[]): Promise<Map<string, Set<string>>> {
  if (orderIds.length === 0) return new Map()
  const rows = await sql<{ order_id: string; k: string }>`SELECT c.order_id, c.obligation_key || '#' || c.sequence AS k
    FROM order_checks c WHERE c.order_id = ANY(${[...orderIds]}::uuid[])`.execute(db)
  const out = new Map<string, Set<string>>()
  for (const r of rows.rows) {
    const set = out.get(r.order_id) ?? new Set<string>()
    set.add(r.k)
    out.set(r.order_id, set)
  }
  return out
}

export async function insertChecks(db: Queryable, rows: ReadonlyArray<{ orderId: string; obligationKey: string; sequence: number; dueOn: string; agencyId: string }>): Promise<void> {
  // In slices, so one statement's parameters stay well under PostgreSQL's limit of 65,535.
  for (let i = 0; i < rows.length; i += 5_000) {
    await db.insertInto('order_checks').values(rows.slice(i, i + 5_000).map((c) => ({ order_id: c.orderId, obligation_key: c.obligationKey, sequence: c.sequence, due_on: c.dueOn, agency_id: c.agencyId })))
      .onConflict((oc) => oc.columns(['order_id', 'obligation_key', 'sequence']).doNothing()).execute()
  }
}

export async function markRenewalFlagged(db: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return
  await sql`UPDATE orders SET renewal_flagged_for = ends_at WHERE id = ANY(${[...ids]}::uuid[])`.execute(db)
}

export async function markScheduled(db: Queryable, ids: readonly string[], until: string): Promise<void> {
  if (ids.length === 0) return
  await sql`UPDATE orders SET checks_scheduled_until = ${until} WHERE id = ANY(${[...ids]}::uuid[])`.execute(db)
}

/** Orders in force that end within `days` and were not flagged for that end (renewal reminders). */
export async function ordersEndingWithin(db: Queryable, now: Date, days: number): Promise<ScheduledOrderRow[]> {
  const rows = await db.selectFrom('orders').select(['id', 'starts_at', 'ends_at', 'officer_id', 'renewal_flagged_for']).where('status', '=', 'in_force')
    .where('ends_at', 'is not', null).where('ends_at', '<=', new Date(now.getTime() + days * 86_400_000))
    .where((eb) => eb.or([eb('renewal_flagged_for', 'is', null), eb('renewal_flagged_for', '!=', eb.ref('ends_at'))])).execute()
  return rows.map((r) => ({ id: r.id, startsAt: r.starts_at, endsAt: r.ends_at, officerId: r.officer_id, renewalFlaggedFor: r.renewal_flagged_for }))
}
