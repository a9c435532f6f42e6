import { sql, type ColumnType, type Generated } from 'kysely'
import type { Viewer } from '../../core/access/visibility.ts'
import { OPEN_STATES, REMINDER_WINDOW_DAYS } from '../../core/referrals/referrals.ts'
import type { Queryable } from '../../db/context.ts'

// The only SQL that touches referrals, their timeline and their answers. Every read of a referral
// names the reader's agency as one of its parties in the SQL, and row-level security (migration
// 0022) says the same again.

export const REFERRAL_RECORD = 'referral'
export const ANSWER_RECORD = 'referral_answer'

type CreatedTimestamp = ColumnType<Date, Date | string | undefined, never>
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type DateColumn = ColumnType<string, string, string>

/** The tables this module owns, as Kysely sees them (kept here so the module is one folder). */
export type ReferralTables = {
  referrals: {
    id: Generated<string>
    kind: string
    requesting_agency_id: string
    requested_by: string
    recipient_agency_id: string
    coordinator_agency_id: string | null
    subject_type: string
    subject_entity_id: string | null
    subject_group_id: string | null
    subject_kind: string
    subject_description: string
    summary: string
    request: string
    purpose: string
    lawful_basis: string
    lawful_basis_detail: string | null
    urgency: string
    due_on: DateColumn
    protective_marking: string
    handling_code: string
    handling_conditions: string | null
    state: Generated<string>
    state_changed_at: Timestamp
    reminded_on: ColumnType<string | null, string | null | undefined, string | null>
    review_date: DateColumn
    created_at: CreatedTimestamp
    updated_at: Timestamp
    updated_by: string | null
    row_version: Generated<number>
  }
  referral_events: {
    id: Generated<number>
    referral_id: string
    event: string
    at: CreatedTimestamp
    by_user_id: string | null
    by_agency_id: string | null
    to_agency_id: string | null
    decline_ground: string | null
    note: string | null
  }
  referral_answers: {
    id: Generated<string>
    referral_id: string
    answering_agency_id: string
    answered_by: string
    body: string
    source_evaluation: string
    intelligence_assessment: number
    protective_marking: string
    handling_code: string
    handling_conditions: string | null
    intelligence_id: string | null
    created_at: CreatedTimestamp
  }
}

const t = (db: Queryable) => db.withTables<ReferralTables>()

export type ReferralRow = {
  id: string
  kind: string
  requestingAgencyId: string
  requestedBy: string
  recipientAgencyId: string
  coordinatorAgencyId: string | null
  subjectType: 'entity' | 'group'
  subjectEntityId: string | null
  subjectGroupId: string | null
  subjectKind: string
  subjectDescription: string
  summary: string
  request: string
  purpose: string
  lawfulBasis: string
  lawfulBasisDetail: string | null
  urgency: string
  dueOn: string
  protectiveMarking: string
  handlingCode: string
  handlingConditions: string | null
  state: string
  stateChangedAt: Date
  remindedOn: string | null
  reviewDate: string
  createdAt: Date
  rowVersion: number
}

function columns(db: Queryable) {
  return t(db).selectFrom('referrals').select([
    'id', 'kind', 'requesting_agency_id', 'requested_by', 'recipient_agency_id', 'coordinator_agency_id', 'subject_type', 'subject_entity_id',
    'subject_group_id', 'subject_kind', 'subject_description', 'summary', 'request', 'purpose', 'lawful_basis', 'lawful_basis_detail', 'urgency',
    'due_on', 'protective_marking', 'handling_code', 'handling_conditions', 'state', 'state_changed_at', 'reminded_on', 'review_date', 'created_at', 'row_version',
  ])
}
type DbRow = Awaited<ReturnType<ReturnType<typeof columns>['executeTakeFirstOrThrow']>>
const toRow = (r: DbRow): ReferralRow => ({
  id: r.id, kind: r.kind, requestingAgencyId: r.requesting_agency_id, requestedBy: r.requested_by, recipientAgencyId: r.recipient_agency_id,
  coordinatorAgencyId: r.coordinator_agency_id, subjectType: r.subject_type as 'entity' | 'group', subjectEntityId: r.subject_entity_id, subjectGroupId: r.subject_group_id,
  subjectKind: r.subject_kind, subjectDescription: r.subject_description, summary: r.summary, request: r.request, purpose: r.purpose, lawfulBasis: r.lawful_basis,
  lawfulBasisDetail: r.lawful_basis_detail, urgency: r.urgency, dueOn: r.due_on, protectiveMarking: r.protective_marking, handlingCode: r.handling_code,
  handlingConditions: r.handling_conditions, state: r.state, stateChangedAt: r.state_changed_at, remindedOn: r.reminded_on, reviewDate: r.review_date,
  createdAt: r.created_at, rowVersion: r.row_version,
})

/** The visibility rule for referrals, in the application's SQL: the reader's agency is a party. */
function partyOf(viewer: Viewer) {
  const can = (c: string) => viewer.capabilities.includes(c as Viewer['capabilities'][number])
  if (!can('records.read')) return sql<boolean>`false`
  const marking = can('records.read_sensitive') ? sql<boolean>`true` : sql<boolean>`protective_marking = 'OFFICIAL'`
  return sql<boolean>`(${marking} AND (requesting_agency_id = ${viewer.agencyId} OR recipient_agency_id = ${viewer.agencyId} OR coordinator_agency_id = ${viewer.agencyId}))`
}

export type NewReferral = Omit<ReferralRow, 'id' | 'state' | 'stateChangedAt' | 'remindedOn' | 'createdAt' | 'rowVersion'> & { id?: string }

export async function insertReferral(db: Queryable, r: NewReferral): Promise<string> {
  const row = await t(db).insertInto('referrals').values({
    ...(r.id ? { id: r.id } : {}),
    kind: r.kind, requesting_agency_id: r.requestingAgencyId, requested_by: r.requestedBy, recipient_agency_id: r.recipientAgencyId, coordinator_agency_id: r.coordinatorAgencyId,
    subject_type: r.subjectType, subject_entity_id: r.subjectEntityId, subject_group_id: r.subjectGroupId, subject_kind: r.subjectKind, subject_description: r.subjectDescription,
    summary: r.summary, request: r.request, purpose: r.purpose, lawful_basis: r.lawfulBasis, lawful_basis_detail: r.lawfulBasisDetail, urgency: r.urgency, due_on: r.dueOn,
    protective_marking: r.protectiveMarking, handling_code: r.handlingCode, handling_conditions: r.handlingConditions, review_date: r.reviewDate, updated_by: r.requestedBy,
  }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

export async function findReferral(db: Queryable, viewer: Viewer, id: string): Promise<ReferralRow | null> {
  const row = await columns(db).where('id', '=', id).where(() => partyOf(viewer)).executeTakeFirst()
  return row ? toRow(row) : null
}

/** Whether a referral of that id exists at all, for telling a refusal from an absence (owner's privileges). */
export async function referralExists(db: Queryable, id: string): Promise<boolean> {
  return (await t(db).selectFrom('referrals').select('id').where('id', '=', id).executeTakeFirst()) !== undefined
}

export type ListFilter = { view: 'incoming' | 'outgoing' | 'overdue' | 'all'; state: string | null; today: string; entityId?: string | null; groupId?: string | null }

function listed(db: Queryable, viewer: Viewer, f: ListFilter) {
  let query = t(db).selectFrom('referrals').where(() => partyOf(viewer))
  // Incoming: with my agency to answer, or with my agency to route as coordinator.
  if (f.view === 'incoming') query = query.where((eb) => eb.or([eb('recipient_agency_id', '=', viewer.agencyId), eb('coordinator_agency_id', '=', viewer.agencyId)]))
  if (f.view === 'outgoing') query = query.where('requesting_agency_id', '=', viewer.agencyId)
  if (f.view === 'overdue') query = query.where('state', 'in', [...OPEN_STATES]).where('due_on', '<', f.today)
  if (f.state) query = query.where('state', '=', f.state)
  // About one of the reader's own records: only the requester holds that link, so only its referrals match.
  if (f.entityId) query = query.where('requesting_agency_id', '=', viewer.agencyId).where('subject_entity_id', '=', f.entityId)
  if (f.groupId) query = query.where('requesting_agency_id', '=', viewer.agencyId).where('subject_group_id', '=', f.groupId)
  return query
}

export async function listReferrals(db: Queryable, viewer: Viewer, f: ListFilter, page: number, pageSize: number): Promise<{ rows: ReferralRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    listed(db, viewer, f).select([
      'id', 'kind', 'requesting_agency_id', 'requested_by', 'recipient_agency_id', 'coordinator_agency_id', 'subject_type', 'subject_entity_id',
      'subject_group_id', 'subject_kind', 'subject_description', 'summary', 'request', 'purpose', 'lawful_basis', 'lawful_basis_detail', 'urgency',
      'due_on', 'protective_marking', 'handling_code', 'handling_conditions', 'state', 'state_changed_at', 'reminded_on', 'review_date', 'created_at', 'row_version',
    ])
      // Those still owed an answer first, soonest due; then the rest, most recently changed.
      .orderBy(sql`CASE WHEN state IN ('sent', 'routed', 'accepted') THEN 0 ELSE 1 END`)
      .orderBy(sql`CASE WHEN state IN ('sent', 'routed', 'accepted') THEN due_on END`)
      .orderBy('state_changed_at', 'desc').orderBy('id')
      .limit(pageSize).offset((page - 1) * pageSize).execute(),
    listed(db, viewer, f).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows: rows.map(toRow), total: Number(count.n) }
}

/** Open referrals with the agency, sent by it, and late ones, for the list's headings. */
export async function referralCounts(db: Queryable, viewer: Viewer, today: string): Promise<{ incoming: number; outgoing: number; overdue: number }> {
  const open = sql.join(OPEN_STATES.map((s) => sql.lit(s)))
  const row = await t(db).selectFrom('referrals').where(() => partyOf(viewer)).select([
    sql<number>`count(*) FILTER (WHERE state IN (${open}) AND (recipient_agency_id = ${viewer.agencyId} OR coordinator_agency_id = ${viewer.agencyId}))::int`.as('incoming'),
    sql<number>`count(*) FILTER (WHERE state IN (${open}) AND requesting_agency_id = ${viewer.agencyId})::int`.as('outgoing'),
    sql<number>`count(*) FILTER (WHERE state IN (${open}) AND due_on < ${today})::int`.as('overdue'),
  ]).executeTakeFirstOrThrow()
  return { incoming: Number(row.incoming), outgoing: Number(row.outgoing), overdue: Number(row.overdue) }
}

/** Moves a referral on if nobody moved it since it was read; false when someone had. */
export async function updateState(db: Queryable, id: string, rowVersion: number, change: { state: string; recipientAgencyId?: string }, by: string): Promise<boolean> {
  const result = await t(db).updateTable('referrals').set({
    state: change.state,
    ...(change.recipientAgencyId ? { recipient_agency_id: change.recipientAgencyId } : {}),
    state_changed_at: sql`now()`, updated_at: sql`now()`, updated_by: by, row_version: sql`row_version + 1`,
  }).where('id', '=', id).where('row_version', '=', rowVersion).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export type NewEvent = { referralId: string; event: string; byUserId: string | null; byAgencyId: string | null; toAgencyId?: string | null; declineGround?: string | null; note?: string | null }

export async function insertEvents(db: Queryable, events: readonly NewEvent[]): Promise<void> {
  if (events.length === 0) return
  await t(db).insertInto('referral_events').values(events.map((e) => ({
    referral_id: e.referralId, event: e.event, by_user_id: e.byUserId, by_agency_id: e.byAgencyId, to_agency_id: e.toAgencyId ?? null,
    decline_ground: e.declineGround ?? null, note: e.note ?? null,
  }))).execute()
}

export type EventRow = { id: number; event: string; at: Date; byUserId: string | null; byAgencyId: string | null; toAgencyId: string | null; declineGround: string | null; note: string | null }

export async function eventsOf(db: Queryable, referralId: string): Promise<EventRow[]> {
  const rows = await t(db).selectFrom('referral_events').select(['id', 'event', 'at', 'by_user_id', 'by_agency_id', 'to_agency_id', 'decline_ground', 'note'])
    .where('referral_id', '=', referralId).orderBy('id').execute()
  return rows.map((r) => ({ id: Number(r.id), event: r.event, at: r.at, byUserId: r.by_user_id, byAgencyId: r.by_agency_id, toAgencyId: r.to_agency_id, declineGround: r.decline_ground, note: r.note }))
}

export type AnswerRow = {
  id: string; referralId: string; answeringAgencyId: string; answeredBy: string; body: string; sourceEvaluation: string; intelligenceAssessment: number
  protectiveMarking: string; handlingCode: string; handlingConditions: string | null; intelligenceId: string | null; createdAt: Date
}

/** The answers the reader may see (row-level security keeps them from the coordinator). */
export async function answersOf(db: Queryable, viewer: Viewer, referralId: string): Promise<AnswerRow[]> {
  const sensitive = viewer.capabilities.includes('records.read_sensitive')
  let query = t(db).selectFrom('referral_answers as a').innerJoin('referrals as r', 'r.id', 'a.referral_id')
    .select(['a.id', 'a.referral_id', 'a.answering_agency_id', 'a.answered_by', 'a.body', 'a.source_evaluation', 'a.intelligence_assessment', 'a.protective_marking', 'a.handling_code', 'a.handling_conditions', 'a.intelligence_id', 'a.created_at'])
    .where('a.referral_id', '=', referralId)
    .where((eb) => eb.or([eb('a.answering_agency_id', '=', viewer.agencyId), eb('r.requesting_agency_id', '=', viewer.agencyId)]))
  if (!sensitive) query = query.where('a.protective_marking', '=', 'OFFICIAL')
  const rows = await query.orderBy('a.created_at').orderBy('a.id').execute()
  return rows.map((r) => ({
    id: r.id, referralId: r.referral_id, answeringAgencyId: r.answering_agency_id, answeredBy: r.answered_by, body: r.body, sourceEvaluation: r.source_evaluation,
    intelligenceAssessment: Number(r.intelligence_assessment), protectiveMarking: r.protective_marking, handlingCode: r.handling_code, handlingConditions: r.handling_conditions,
    intelligenceId: r.intelligence_id, createdAt: r.created_at,
  }))
}

/** How many answers a referral has, whoever may read them (owner's privileges). */
export async function answerCount(db: Queryable, referralId: string): Promise<number> {
  const row = await t(db).selectFrom('referral_answers').select(sql<number>`count(*)::int`.as('n')).where('referral_id', '=', referralId).executeTakeFirstOrThrow()
  return Number(row.n)
}

export type NewAnswer = Omit<AnswerRow, 'id' | 'createdAt'>

export async function insertAnswer(db: Queryable, a: NewAnswer): Promise<string> {
  const row = await t(db).insertInto('referral_answers').values({
    referral_id: a.referralId, answering_agency_id: a.answeringAgencyId, answered_by: a.answeredBy, body: a.body, source_evaluation: a.sourceEvaluation,
    intelligence_assessment: a.intelligenceAssessment, protective_marking: a.protectiveMarking, handling_code: a.handlingCode, handling_conditions: a.handlingConditions,
    intelligence_id: a.intelligenceId,
  }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

// ---------------------------------------------------------------------------------------------
// The directory facts referrals rely on. They read the agencies' and users' tables, which every
// user may read; the agencies and users services offer no call for them.

/**
 * The agencies that act as a regional GAIN coordinator: those with an active user in the GAIN
 * coordinator role. The demonstration partnership's is the regional organised crime unit (EMSOU).
 */
export async function coordinatorAgencies(db: Queryable): Promise<Array<{ id: string; name: string; region: string }>> {
  return db.selectFrom('agencies as a').select(['a.id', 'a.name', 'a.region']).where('a.active', '=', true)
    .where((eb) => eb.exists(eb.selectFrom('users as u').select('u.id').whereRef('u.agency_id', '=', 'a.id').where('u.active', '=', true).where(sql<boolean>`'gain_coordinator' = ANY (u.roles)`)))
    .orderBy('a.name').execute()
}

export async function agencyRegion(db: Queryable, agencyId: string): Promise<string | null> {
  return (await db.selectFrom('agencies').select('region').where('id', '=', agencyId).executeTakeFirst())?.region ?? null
}

/** Whether an agency has an active user whose role reads OFFICIAL-SENSITIVE records (roles named by the caller). */
export async function agencyHasReaderOf(db: Queryable, agencyId: string, roles: readonly string[]): Promise<boolean> {
  if (roles.length === 0) return false
  const row = await db.selectFrom('users').select('id').where('agency_id', '=', agencyId).where('active', '=', true)
    .where(sql<boolean>`roles && ${sql.val([...roles])}::text[]`).limit(1).executeTakeFirst()
  return row !== undefined
}

/**
 * Who hears that a referral is waiting at an agency: its GAIN single points of contact, and where it
 * is the coordinator's agency its GAIN coordinators. By agency, each address once.
 */
export async function spocAddresses(db: Queryable, agencyIds: readonly string[]): Promise<Map<string, Array<{ email: string; userId: string | null }>>> {
  const out = new Map<string, Array<{ email: string; userId: string | null }>>()
  if (agencyIds.length === 0) return out
  const [contacts, coordinators] = await Promise.all([
    db.selectFrom('agency_contacts').select(['agency_id', 'email']).where('agency_id', 'in', [...agencyIds]).where('gain_single_point_of_contact', '=', true).where('email', 'is not', null).execute(),
    db.selectFrom('users').select(['id', 'agency_id', 'email']).where('agency_id', 'in', [...agencyIds]).where('active', '=', true).where(sql<boolean>`'gain_coordinator' = ANY (roles)`).execute(),
  ])
  const add = (agencyId: string, email: string, userId: string | null) => {
    const list = out.get(agencyId) ?? []
    if (!list.some((x) => x.email.toLowerCase() === email.toLowerCase())) list.push({ email, userId })
    out.set(agencyId, list)
  }
  for (const c of coordinators) add(c.agency_id, c.email, c.id)
  for (const c of contacts) add(c.agency_id, c.email!, null)
  return out
}

// ---------------------------------------------------------------------------------------------
// The nightly reminders, run as the platform

export type ReminderRow = { id: string; recipientAgencyId: string; dueOn: string; state: string; urgency: string; createdAt: Date }

/** Open referrals due within a day or late and not reminded today, oldest due first. */
export async function dueForReminder(db: Queryable, today: string, limit: number): Promise<ReminderRow[]> {
  const within = new Date(Date.parse(`${today}T00:00:00Z`) + REMINDER_WINDOW_DAYS * 86_400_000).toISOString().slice(0, 10)
  const rows = await t(db).selectFrom('referrals').select(['id', 'recipient_agency_id', 'due_on', 'state', 'urgency', 'created_at'])
    .where('state', 'in', [...OPEN_STATES]).where('due_on', '<=', within)
    .where((eb) => eb.or([eb('reminded_on', 'is', null), eb('reminded_on', '<', today)]))
    .orderBy('due_on').orderBy('id').limit(limit).forUpdate().skipLocked().execute()
  return rows.map((r) => ({ id: r.id, recipientAgencyId: r.recipient_agency_id, dueOn: r.due_on, state: r.state, urgency: r.urgency, createdAt: r.created_at }))
}

export async function markReminded(db: Queryable, ids: readonly string[], today: string): Promise<void> {
  if (ids.length === 0) return
  await t(db).updateTable('referrals').set({ reminded_on: today }).where('id', 'in', [...ids]).execute()
}

/** Inserts referrals, events and answers as they are (demonstration data), as the platform. */
export async function insertDemonstration(
  db: Queryable,
  data: { referrals: ReadonlyArray<NewReferral & { id: string; state: string; createdAt: string }>; events: ReadonlyArray<NewEvent & { at: string }>; answers: ReadonlyArray<NewAnswer & { createdAt: string }> },
): Promise<void> {
  if (data.referrals.length > 0) {
    await t(db).insertInto('referrals').values(data.referrals.map((r) => ({
      id: r.id, kind: r.kind, requesting_agency_id: r.requestingAgencyId, requested_by: r.requestedBy, recipient_agency_id: r.recipientAgencyId, coordinator_agency_id: r.coordinatorAgencyId,
      subject_type: r.subjectType, subject_entity_id: r.subjectEntityId, subject_group_id: r.subjectGroupId, subject_kind: r.subjectKind, subject_description: r.subjectDescription,
      summary: r.summary, request: r.request, purpose: r.purpose, lawful_basis: r.lawfulBasis, lawful_basis_detail: r.lawfulBasisDetail, urgency: r.urgency, due_on: r.dueOn,
      protective_marking: r.protectiveMarking, handling_code: r.handlingCode, handling_conditions: r.handlingConditions, review_date: r.reviewDate, updated_by: r.requestedBy,
      state: r.state, created_at: r.createdAt, state_changed_at: r.createdAt, updated_at: r.createdAt,
    }))).execute()
  }
  if (data.events.length > 0) {
    await t(db).insertInto('referral_events').values(data.events.map((e) => ({
      referral_id: e.referralId, at: e.at, event: e.event, by_user_id: e.byUserId, by_agency_id: e.byAgencyId, to_agency_id: e.toAgencyId ?? null,
      decline_ground: e.declineGround ?? null, note: e.note ?? null,
    }))).execute()
  }
  if (data.answers.length > 0) {
    await t(db).insertInto('referral_answers').values(data.answers.map((a) => ({
      referral_id: a.referralId, answering_agency_id: a.answeringAgencyId, answered_by: a.answeredBy, body: a.body, source_evaluation: a.sourceEvaluation,
      intelligence_assessment: a.intelligenceAssessment, protective_marking: a.protectiveMarking, handling_code: a.handlingCode, handling_conditions: a.handlingConditions,
      intelligence_id: a.intelligenceId, created_at: a.createdAt,
    }))).execute()
  }
}
