import { sql } from 'kysely'
import type { FieldChange } from '../../core/groups/history.ts'
import type { HandlingCode, ProtectiveMarking, SharingScope, Viewer } from '../../core/access/visibility.ts'
import type { Queryable } from '../../db/context.ts'
import { containsPattern, likeEscaped } from '../../db/like.ts'
import { pageOf } from '../../db/paging.ts'
import { visibleTo } from '../../db/visibility.ts'
import type { GroupInput, GroupListQuery, GroupUpdate, HoldingInput, HoldingUpdate, MemberInput, MemberUpdate } from './schema.ts'

export const RECORD_TYPE = 'group'
// The entities module owns `entities`; this module reads a few of its columns (id, schema, caption,
// person_role and handling) only to show and check members and holdings. A join is cheaper than a
// second round trip through that module for every row, and each read applies the visibility rule.
const ENTITY_TYPE = 'entity'

// ---------------------------------------------------------------------------------------------
// Groups

function groupColumns(db: Queryable) {
  return db
    .selectFrom('ocgs')
    .innerJoin('agencies as a', 'a.id', 'ocgs.owning_agency_id')
    .select([
      'ocgs.id', 'ocgs.name', 'ocgs.operation_name', 'ocgs.status', 'ocgs.threat_areas', 'ocgs.areas', 'ocgs.cross_border',
      'ocgs.owning_agency_id', 'a.name as owning_agency_name', 'ocgs.lead_responsible_officer_id', 'ocgs.protective_marking',
      'ocgs.handling_code', 'ocgs.handling_conditions', 'ocgs.sharing_scope', 'ocgs.review_date', 'ocgs.updated_at',
      // Current members the viewer may see: row-level security on ocg_members hides the rest.
      sql<number>`(SELECT count(*) FROM ocg_members m WHERE m.group_id = ocgs.id AND (m.end_date IS NULL OR m.end_date > current_date))`.as('current_member_count'),
    ])
}
type GroupRow = Awaited<ReturnType<ReturnType<typeof groupColumns>['executeTakeFirstOrThrow']>>

export type GroupListRow = {
  id: string
  name: string
  operationName: string | null
  status: string
  threatAreas: string[]
  areas: string[]
  crossBorder: boolean
  owningAgencyId: string
  owningAgencyName: string
  leadResponsibleOfficerId: string | null
  currentMemberCount: number
  protectiveMarking: ProtectiveMarking
  handlingCode: HandlingCode
  handlingConditions: string | null
  sharingScope: SharingScope
  reviewDate: string
  updatedAt: string
}

const toListRow = (r: GroupRow): GroupListRow => ({
  id: r.id,
  name: r.name,
  operationName: r.operation_name,
  status: r.status,
  threatAreas: r.threat_areas,
  areas: r.areas,
  crossBorder: r.cross_border,
  owningAgencyId: r.owning_agency_id,
  owningAgencyName: r.owning_agency_name,
  leadResponsibleOfficerId: r.lead_responsible_officer_id,
  currentMemberCount: Number(r.current_member_count),
  protectiveMarking: r.protective_marking as ProtectiveMarking,
  handlingCode: r.handling_code as HandlingCode,
  handlingConditions: r.handling_code === 'C' ? r.handling_conditions : null,
  sharingScope: r.sharing_scope as SharingScope,
  reviewDate: r.review_date,
  updatedAt: r.updated_at.toISOString(),
})


/** Groups the viewer may see, filtered here by the visibility rule and again by row-level security. */
export async function listVisibleGroups(db: Queryable, viewer: Viewer, q: GroupListQuery): Promise<{ rows: GroupListRow[]; total: number }> {
  let query = groupColumns(db).where(visibleTo(viewer, RECORD_TYPE, 'ocgs'))
  if (q.q) query = query.where(sql<boolean>`lower(ocgs.name || ' ' || coalesce(ocgs.operation_name, '')) LIKE ${containsPattern(q.q.toLowerCase())}`)
  if (q.status) query = query.where('ocgs.status', '=', q.status)
  if (q.threatArea) query = query.where(sql<boolean>`ocgs.threat_areas @> ARRAY[${q.threatArea}]::text[]`)
  if (q.area) query = query.where(sql<boolean>`EXISTS (SELECT 1 FROM unnest(ocgs.areas) AS area WHERE area ILIKE ${containsPattern(q.area)})`)
  if (q.owner === 'agency') query = query.where('ocgs.owning_agency_id', '=', viewer.agencyId)
  if (q.owner === 'lro') query = query.where('ocgs.lead_responsible_officer_id', '=', viewer.userId)
  const { rows, total } = await pageOf(query.orderBy('ocgs.name').orderBy('ocgs.id'), q.page)
  return { rows: rows.map(toListRow), total }
}

export type GroupRecord = GroupListRow & {
  summary: string | null
  legacyOcgmBand: string | null
  purpose: string
  createdAt: Date
  createdById: string | null
  updatedById: string | null
  rowVersion: number
  membersChangedAt: Date | null
  intelligenceChangedAt: Date | null
  disruptionsChangedAt: Date | null
}

export async function findVisibleGroup(db: Queryable, viewer: Viewer, id: string): Promise<GroupRecord | null> {
  const row = await groupColumns(db)
    .select([
      'ocgs.summary', 'ocgs.legacy_ocgm_band', 'ocgs.purpose', 'ocgs.created_at', 'ocgs.created_by', 'ocgs.updated_by', 'ocgs.row_version',
      'ocgs.members_changed_at', 'ocgs.intelligence_changed_at', 'ocgs.disruptions_changed_at',
    ])
    .where('ocgs.id', '=', id)
    .where(visibleTo(viewer, RECORD_TYPE, 'ocgs'))
    .executeTakeFirst()
  if (!row) return null
  return {
    ...toListRow(row),
    summary: row.summary,
    legacyOcgmBand: row.legacy_ocgm_band,
    purpose: row.purpose,
    createdAt: row.created_at,
    createdById: row.created_by,
    updatedById: row.updated_by,
    rowVersion: row.row_version,
    membersChangedAt: row.members_changed_at,
    intelligenceChangedAt: row.intelligence_changed_at,
    disruptionsChangedAt: row.disruptions_changed_at,
  }
}

/** Whether the current user may change the group (its owning agency or its LRO, with records.write). */
export async function mayEditGroup(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await sql<{ may: boolean }>`SELECT achilles_may_edit_group(${id}) AS may`.execute(db)
  return rows[0]?.may === true
}

type GroupContent = Omit<GroupInput, 'protectiveMarking' | 'handlingCode' | 'handlingConditions' | 'sharingScope' | 'sharedWithAgencyIds' | 'leadResponsibleOfficerEmail'>

const contentColumns = (g: GroupContent) => ({
  name: g.name,
  operation_name: g.operationName,
  status: g.status,
  threat_areas: [...g.threatAreas],
  areas: [...g.areas],
  cross_border: g.crossBorder,
  summary: g.summary,
  legacy_ocgm_band: g.legacyOcgmBand,
  lead_responsible_officer_id: g.leadResponsibleOfficerId,
  purpose: g.purpose,
  review_date: g.reviewDate,
})

export async function insertGroup(db: Queryable, g: GroupInput, agencyId: string, by: string): Promise<string> {
  const row = await db
    .insertInto('ocgs')
    .values({
      ...contentColumns(g),
      owning_agency_id: agencyId,
      protective_marking: g.protectiveMarking,
      handling_code: g.handlingCode,
      handling_conditions: g.handlingCode === 'C' ? g.handlingConditions : null,
      sharing_scope: g.sharingScope,
      created_by: by,
      updated_by: by,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** Changes the group's content if nobody has changed it since `rowVersion`; false if someone has. */
export async function updateGroup(db: Queryable, id: string, g: GroupUpdate, by: string): Promise<boolean> {
  const result = await db
    .updateTable('ocgs')
    .set((eb) => ({ ...contentColumns(g), updated_at: sql`now()`, updated_by: by, row_version: eb('row_version', '+', 1) }))
    .where('id', '=', id)
    .where('row_version', '=', g.rowVersion)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function deleteGroup(db: Queryable, id: string): Promise<boolean> {
  const result = await db.deleteFrom('ocgs').where('id', '=', id).executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}

export async function markGroupChanged(db: Queryable, groupId: string, kind: 'members' | 'intelligence' | 'disruptions'): Promise<boolean> {
  const { rows } = await sql<{ marked: boolean }>`SELECT achilles_mark_group_changed(${groupId}, ${kind}) AS marked`.execute(db)
  return rows[0]?.marked === true
}

// ---------------------------------------------------------------------------------------------
// Summaries for other modules, search and memberships

export type GroupSummary = {
  id: string
  name: string
  operationName: string | null
  status: string
  threatAreas: string[]
  areas: string[]
  crossBorder: boolean
  owningAgencyId: string
  leadResponsibleOfficerId: string | null
  reviewDate: string
  membersChangedAt: Date | null
  intelligenceChangedAt: Date | null
  disruptionsChangedAt: Date | null
  protectiveMarking: ProtectiveMarking
  handlingCode: HandlingCode
  handlingConditions: string | null
}

function summaryColumns(db: Queryable) {
  return db
    .selectFrom('ocgs')
    .select([
      'ocgs.id', 'ocgs.name', 'ocgs.operation_name', 'ocgs.status', 'ocgs.threat_areas', 'ocgs.areas', 'ocgs.cross_border', 'ocgs.owning_agency_id',
      'ocgs.lead_responsible_officer_id', 'ocgs.review_date', 'ocgs.members_changed_at', 'ocgs.intelligence_changed_at', 'ocgs.disruptions_changed_at',
      'ocgs.protective_marking', 'ocgs.handling_code', 'ocgs.handling_conditions',
    ])
}
type SummaryRow = Awaited<ReturnType<ReturnType<typeof summaryColumns>['executeTakeFirstOrThrow']>>

const toSummary = (r: SummaryRow): GroupSummary => ({
  id: r.id,
  name: r.name,
  operationName: r.operation_name,
  status: r.status,
  threatAreas: r.threat_areas,
  areas: r.areas,
  crossBorder: r.cross_border,
  owningAgencyId: r.owning_agency_id,
  leadResponsibleOfficerId: r.lead_responsible_officer_id,
  reviewDate: r.review_date,
  membersChangedAt: r.members_changed_at,
  intelligenceChangedAt: r.intelligence_changed_at,
  disruptionsChangedAt: r.disruptions_changed_at,
  protectiveMarking: r.protective_marking as ProtectiveMarking,
  handlingCode: r.handling_code as HandlingCode,
  handlingConditions: r.handling_code === 'C' ? r.handling_conditions : null,
})

/** The user a transaction runs as (asUser's settings), so helpers given only a transaction still filter in SQL. */
export async function viewerOfTransaction(db: Queryable): Promise<Viewer | null> {
  const { rows } = await sql<{ user_id: string | null; agency_id: string | null; capabilities: string | null }>`
    SELECT current_setting('achilles.user_id', true) AS user_id, current_setting('achilles.agency_id', true) AS agency_id,
      current_setting('achilles.capabilities', true) AS capabilities`.execute(db)
  const r = rows[0]
  if (!r?.user_id || !r.agency_id) return null
  return { userId: r.user_id, agencyId: r.agency_id, capabilities: (r.capabilities ?? '').split(',').filter(Boolean) as Viewer['capabilities'] }
}

export async function groupSummaries(db: Queryable, viewer: Viewer, ids: readonly string[]): Promise<GroupSummary[]> {
  if (ids.length === 0) return []
  const rows = await summaryColumns(db).where('ocgs.id', 'in', [...new Set(ids)]).where(visibleTo(viewer, RECORD_TYPE, 'ocgs')).execute()
  return rows.map(toSummary)
}

/**
 * Candidate groups for a search: those the viewer may see whose name or operation name is like the
 * text, by pg_trgm word similarity (the text against the closest stretch of the name: typos, word
 * order, substrings), best first, names starting with the text before others. Text shorter than a
 * trigram is matched as a prefix. Returns ids and scores only; the caller reads the rows as the user.
 *
 * Row-level security stops PostgreSQL using a non-leakproof operator (pg_trgm's are not) as an index
 * condition, so under the user's role this reads every group the user may see. Run it with the
 * owner's privileges (the visibility rule is applied here in SQL) and it uses ocgs_name_trgm_idx;
 * the planner still prices the trigram functions as cheap and would rather read the table, so
 * sequential scans are discouraged for this one statement (SEARCH_SETTINGS, which the caller
 * applies with the owner's privileges). Measured at 6,000 groups, the index
 * answers in a fraction of the time.
 */
export async function searchCandidates(db: Queryable, viewer: Viewer, text: string, limit: number): Promise<Array<{ id: string; similarity: number }>> {
  const needle = text.trim().toLowerCase()
  if (needle === '' || limit <= 0) return []
  const haystack = sql`lower(ocgs.name || ' ' || coalesce(ocgs.operation_name, ''))`
  const prefix = likeEscaped(needle) + '%'
  const query = db
    .selectFrom('ocgs')
    .select([
      'ocgs.id',
      sql<number>`word_similarity(${needle}, ${haystack})`.as('similarity'),
      sql<boolean>`(lower(ocgs.name) LIKE ${prefix} OR lower(coalesce(ocgs.operation_name, '')) LIKE ${prefix})`.as('prefix'),
    ])
    .where(needle.length < 3 ? sql<boolean>`${haystack} LIKE ${prefix}` : sql<boolean>`${needle} <% ${haystack}`)
    .where(visibleTo(viewer, RECORD_TYPE, 'ocgs'))
    .orderBy('prefix', 'desc')
    .orderBy('similarity', 'desc')
    .orderBy('ocgs.name')
    .limit(limit)
  return (await query.execute()).map((r) => ({ id: r.id, similarity: Math.round(Number(r.similarity) * 1000) / 1000 }))
}

/** What searchCandidates must run with: sequential scans discouraged (see there). */
export const SEARCH_SETTINGS = { enable_seqscan: { value: 'off', otherwise: 'on' } }

/** Current memberships of people, in groups the viewer may see. */
export async function currentMemberships(db: Queryable, viewer: Viewer, personIds: readonly string[]): Promise<Array<{ personId: string; groupId: string; role: string }>> {
  if (personIds.length === 0) return []
  return db
    .selectFrom('ocg_members as m')
    .innerJoin('ocgs', 'ocgs.id', 'm.group_id')
    .select(['m.person_id as personId', 'm.group_id as groupId', 'm.role'])
    .where('m.person_id', 'in', [...new Set(personIds)])
    .where(sql<boolean>`(m.end_date IS NULL OR m.end_date > current_date)`)
    .where(visibleTo(viewer, RECORD_TYPE, 'ocgs'))
    .orderBy('m.group_id')
    .execute()
}

// ---------------------------------------------------------------------------------------------
// Entities around a group (read only, through the visibility rule; see the note at the top)

export type EntityFacts = { id: string; schema: string; caption: string; personRole: string | null }

/** The entities among `ids` that the viewer may see. */
export async function visibleEntityFacts(db: Queryable, viewer: Viewer, ids: readonly string[]): Promise<Map<string, EntityFacts>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .selectFrom('entities')
    .select(['entities.id', 'entities.schema', 'entities.caption', 'entities.person_role'])
    .where('entities.id', 'in', [...new Set(ids)])
    .where(visibleTo(viewer, ENTITY_TYPE, 'entities'))
    .execute()
  return new Map(rows.map((r) => [r.id, { id: r.id, schema: r.schema, caption: r.caption, personRole: r.person_role }]))
}

/** Entities the viewer may see, of the given schemas, to choose from on a form; `text` narrows by name. */
export async function entityChoices(db: Queryable, viewer: Viewer, o: { schemas: readonly string[]; personRole?: string; text?: string | null; limit: number }) {
  let query = db
    .selectFrom('entities')
    .select(['entities.id', 'entities.schema', 'entities.caption'])
    .where('entities.schema', 'in', [...o.schemas])
    .where(visibleTo(viewer, ENTITY_TYPE, 'entities'))
  if (o.personRole) query = query.where('entities.person_role', '=', o.personRole)
  if (o.text) query = query.where(sql<boolean>`entities.caption ILIKE ${containsPattern(o.text)}`)
  return query.orderBy('entities.caption').orderBy('entities.id').limit(o.limit).execute()
}

// ---------------------------------------------------------------------------------------------
// Members

export type MemberRow = {
  id: string
  groupId: string
  personId: string
  caption: string
  personRole: string
  role: string
  enablerProfession: string | null
  startDate: string | null
  endDate: string | null
  notes: string | null
  rowVersion: number
  protectiveMarking: ProtectiveMarking
  handlingCode: HandlingCode
  handlingConditions: string | null
}

function memberColumns(db: Queryable, viewer: Viewer) {
  return db
    .selectFrom('ocg_members as m')
    .innerJoin('entities', 'entities.id', 'm.person_id')
    .select([
      'm.id', 'm.group_id', 'm.person_id', 'entities.caption', 'entities.person_role', 'm.role', 'm.enabler_profession', 'm.start_date', 'm.end_date',
      'm.notes', 'm.row_version', 'entities.protective_marking', 'entities.handling_code', 'entities.handling_conditions',
    ])
    .where(visibleTo(viewer, ENTITY_TYPE, 'entities'))
}
type MemberDbRow = Awaited<ReturnType<ReturnType<typeof memberColumns>['executeTakeFirstOrThrow']>>

const toMember = (r: MemberDbRow): MemberRow => ({
  id: r.id,
  groupId: r.group_id,
  personId: r.person_id,
  caption: r.caption,
  personRole: r.person_role ?? 'other',
  role: r.role,
  enablerProfession: r.enabler_profession,
  startDate: r.start_date,
  endDate: r.end_date,
  notes: r.notes,
  rowVersion: r.row_version,
  protectiveMarking: r.protective_marking as ProtectiveMarking,
  handlingCode: r.handling_code as HandlingCode,
  handlingConditions: r.handling_code === 'C' ? r.handling_conditions : null,
})

/** The group's members whose person records the viewer may see, principals first. */
export async function membersOf(db: Queryable, viewer: Viewer, groupId: string): Promise<MemberRow[]> {
  const rows = await memberColumns(db, viewer)
    .where('m.group_id', '=', groupId)
    .orderBy(sql`array_position(ARRAY['principal', 'core_member', 'enabler', 'associate', 'mule']::text[], m.role)`)
    .orderBy('entities.caption')
    .execute()
  return rows.map(toMember)
}

export async function findMember(db: Queryable, viewer: Viewer, groupId: string, memberId: string): Promise<MemberRow | null> {
  const row = await memberColumns(db, viewer).where('m.group_id', '=', groupId).where('m.id', '=', memberId).executeTakeFirst()
  return row ? toMember(row) : null
}

/** Whether the person is already a member of the group, seen or not (the pair is unique). */
export async function memberExists(db: Queryable, groupId: string, personId: string): Promise<boolean> {
  const { rows } = await sql`SELECT 1 FROM ocg_members WHERE group_id = ${groupId} AND person_id = ${personId}`.execute(db)
  return rows.length > 0
}

export async function insertMember(db: Queryable, groupId: string, m: MemberInput, by: string): Promise<string> {
  const row = await db
    .insertInto('ocg_members')
    .values({
      group_id: groupId, person_id: m.personId, role: m.role, enabler_profession: m.enablerProfession, start_date: m.startDate,
      end_date: m.endDate, notes: m.notes, created_by: by, updated_by: by,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function updateMember(db: Queryable, groupId: string, memberId: string, m: MemberUpdate, by: string): Promise<boolean> {
  const result = await db
    .updateTable('ocg_members')
    .set((eb) => ({
      role: m.role, enabler_profession: m.enablerProfession, start_date: m.startDate, end_date: m.endDate, notes: m.notes,
      updated_at: sql`now()`, updated_by: by, row_version: eb('row_version', '+', 1),
    }))
    .where('id', '=', memberId)
    .where('group_id', '=', groupId)
    .where('row_version', '=', m.rowVersion)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function deleteMember(db: Queryable, groupId: string, memberId: string): Promise<boolean> {
  const result = await db.deleteFrom('ocg_members').where('id', '=', memberId).where('group_id', '=', groupId).executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}

// ---------------------------------------------------------------------------------------------
// Holdings

export type HoldingRow = {
  id: string
  groupId: string
  entityId: string
  caption: string
  schema: string
  kind: string
  startDate: string | null
  endDate: string | null
  notes: string | null
  protectiveMarking: ProtectiveMarking
  handlingCode: HandlingCode
  handlingConditions: string | null
}

function holdingColumns(db: Queryable, viewer: Viewer) {
  return db
    .selectFrom('ocg_holdings as h')
    .innerJoin('entities', 'entities.id', 'h.entity_id')
    .select([
      'h.id', 'h.group_id', 'h.entity_id', 'entities.caption', 'entities.schema', 'h.kind', 'h.start_date', 'h.end_date', 'h.notes',
      'entities.protective_marking', 'entities.handling_code', 'entities.handling_conditions',
    ])
    .where(visibleTo(viewer, ENTITY_TYPE, 'entities'))
}
type HoldingDbRow = Awaited<ReturnType<ReturnType<typeof holdingColumns>['executeTakeFirstOrThrow']>>

const toHolding = (r: HoldingDbRow): HoldingRow => ({
  id: r.id,
  groupId: r.group_id,
  entityId: r.entity_id,
  caption: r.caption,
  schema: r.schema,
  kind: r.kind,
  startDate: r.start_date,
  endDate: r.end_date,
  notes: r.notes,
  protectiveMarking: r.protective_marking as ProtectiveMarking,
  handlingCode: r.handling_code as HandlingCode,
  handlingConditions: r.handling_code === 'C' ? r.handling_conditions : null,
})

export async function holdingsOf(db: Queryable, viewer: Viewer, groupId: string): Promise<HoldingRow[]> {
  const rows = await holdingColumns(db, viewer).where('h.group_id', '=', groupId).orderBy('h.kind').orderBy('entities.caption').execute()
  return rows.map(toHolding)
}

export async function findHolding(db: Queryable, viewer: Viewer, groupId: string, holdingId: string): Promise<HoldingRow | null> {
  const row = await holdingColumns(db, viewer).where('h.group_id', '=', groupId).where('h.id', '=', holdingId).executeTakeFirst()
  return row ? toHolding(row) : null
}

export async function holdingExists(db: Queryable, groupId: string, entityId: string, kind: string): Promise<boolean> {
  const { rows } = await sql`SELECT 1 FROM ocg_holdings WHERE group_id = ${groupId} AND entity_id = ${entityId} AND kind = ${kind}`.execute(db)
  return rows.length > 0
}

export async function insertHolding(db: Queryable, groupId: string, h: HoldingInput, by: string): Promise<string> {
  const row = await db
    .insertInto('ocg_holdings')
    .values({ group_id: groupId, entity_id: h.entityId, kind: h.kind, start_date: h.startDate, end_date: h.endDate, notes: h.notes, created_by: by })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function updateHolding(db: Queryable, groupId: string, holdingId: string, h: HoldingUpdate): Promise<boolean> {
  const result = await db
    .updateTable('ocg_holdings')
    .set({ start_date: h.startDate, end_date: h.endDate, notes: h.notes })
    .where('id', '=', holdingId)
    .where('group_id', '=', groupId)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function deleteHolding(db: Queryable, groupId: string, holdingId: string): Promise<boolean> {
  const result = await db.deleteFrom('ocg_holdings').where('id', '=', holdingId).where('group_id', '=', groupId).executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}

// ---------------------------------------------------------------------------------------------
// History

export async function insertHistory(db: Queryable, groupId: string, by: string, summary: string, changes: readonly FieldChange[]): Promise<void> {
  await db
    .insertInto('ocg_history')
    .values({ group_id: groupId, changed_by: by, summary: summary.slice(0, 500), changes: JSON.stringify(changes) })
    .execute()
}

export type HistoryRow = { id: number; changedAt: Date; changedById: string | null; summary: string; changes: FieldChange[] }

export async function historyOf(db: Queryable, groupId: string, page: number, size: number): Promise<{ rows: HistoryRow[]; total: number }> {
  const query = db
    .selectFrom('ocg_history')
    .select(['id', 'changed_at', 'changed_by', 'summary', 'changes'])
    .where('group_id', '=', groupId)
    .orderBy('changed_at', 'desc')
    .orderBy('id', 'desc')
  const { rows, total } = await pageOf(query, page, size)
  return {
    rows: rows.map((r) => ({
      id: Number(r.id),
      changedAt: r.changed_at,
      changedById: r.changed_by,
      summary: r.summary,
      changes: (typeof r.changes === 'string' ? JSON.parse(r.changes) : r.changes) as FieldChange[],
    })),
    total,
  }
}

// ---------------------------------------------------------------------------------------------
// Bulk loads (demonstration data, benchmarks, CSV import), 1,000 rows a statement

export type GroupRowInput = Omit<GroupInput, 'leadResponsibleOfficerEmail'> & { id: string; owningAgencyId: string; createdBy: string | null; leadResponsibleOfficerEmail?: string | null }

export async function insertGroups(db: Queryable, rows: readonly GroupRowInput[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    await db
      .insertInto('ocgs')
      .values(
        rows.slice(i, i + 1000).map((g) => ({
          id: g.id,
          ...contentColumns(g),
          owning_agency_id: g.owningAgencyId,
          protective_marking: g.protectiveMarking,
          handling_code: g.handlingCode,
          handling_conditions: g.handlingCode === 'C' ? g.handlingConditions : null,
          sharing_scope: g.sharingScope,
          created_by: g.createdBy,
          updated_by: g.createdBy,
        })),
      )
      .execute()
  }
}

export type MemberRowInput = MemberInput & { id?: string; groupId: string; createdBy: string | null }

export async function insertMembers(db: Queryable, rows: readonly MemberRowInput[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    await db
      .insertInto('ocg_members')
      .values(
        rows.slice(i, i + 1000).map((m) => ({
          ...(m.id ? { id: m.id } : {}),
          group_id: m.groupId, person_id: m.personId, role: m.role, enabler_profession: m.enablerProfession, start_date: m.startDate,
          end_date: m.endDate, notes: m.notes, created_by: m.createdBy, updated_by: m.createdBy,
        })),
      )
      .execute()
  }
}

export type HoldingRowInput = HoldingInput & { id?: string; groupId: string; createdBy: string | null }

export async function insertHoldings(db: Queryable, rows: readonly HoldingRowInput[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    await db
      .insertInto('ocg_holdings')
      .values(
        rows.slice(i, i + 1000).map((h) => ({
          ...(h.id ? { id: h.id } : {}),
          group_id: h.groupId, entity_id: h.entityId, kind: h.kind, start_date: h.startDate, end_date: h.endDate, notes: h.notes, created_by: h.createdBy,
        })),
      )
      .execute()
  }
}

/**
 * The home page's figures: groups the user leads, groups the agency holds, and of those the ones
 * past their review date. Each is bounded by an index (the LRO's or the agency's own groups).
 */
export async function groupCounts(db: Queryable, viewer: Viewer) {
  const row = await db
    .selectFrom('ocgs')
    .where(visibleTo(viewer, RECORD_TYPE, 'ocgs'))
    .where((eb) => eb.or([eb('ocgs.owning_agency_id', '=', viewer.agencyId), eb('ocgs.lead_responsible_officer_id', '=', viewer.userId)]))
    .select([
      sql<number>`count(*) FILTER (WHERE ocgs.lead_responsible_officer_id = ${viewer.userId})`.as('led'),
      sql<number>`count(*) FILTER (WHERE ocgs.owning_agency_id = ${viewer.agencyId} AND ocgs.status <> 'archived')`.as('held'),
      sql<number>`count(*) FILTER (WHERE ocgs.review_date <= current_date AND ocgs.status <> 'archived')`.as('reviewDue'),
    ])
    .executeTakeFirstOrThrow()
  return { led: Number(row.led), held: Number(row.held), reviewDue: Number(row.reviewDue) }
}

// ---------------------------------------------------------------------------------------------
// What the powers suggestions read of a group

export type ProfileFacts = {
  members: Array<{ personId: string; caption: string; role: string; enablerProfession: string | null; birthDate: string | null }>
  holdings: Array<{ entityId: string; caption: string; kind: string; businessType: string | null }>
}

/** The group's current members and holdings (no end date before today) that the viewer may see. */
export async function currentProfileFacts(db: Queryable, viewer: Viewer, groupId: string, today: string): Promise<ProfileFacts> {
  const [members, holdings] = await Promise.all([
    db.selectFrom('ocg_members as m').innerJoin('entities', 'entities.id', 'm.person_id')
      .select(['m.person_id', 'entities.caption', 'm.role', 'm.enabler_profession', 'entities.birth_date'])
      .where('m.group_id', '=', groupId)
      .where((eb) => eb.or([eb('m.end_date', 'is', null), eb('m.end_date', '>=', today)]))
      .where(visibleTo(viewer, ENTITY_TYPE, 'entities'))
      .orderBy('entities.caption')
      .execute(),
    db.selectFrom('ocg_holdings as h').innerJoin('entities', 'entities.id', 'h.entity_id')
      .select(['h.entity_id', 'entities.caption', 'h.kind', 'entities.business_type'])
      .where('h.group_id', '=', groupId)
      .where((eb) => eb.or([eb('h.end_date', 'is', null), eb('h.end_date', '>=', today)]))
      .where(visibleTo(viewer, ENTITY_TYPE, 'entities'))
      .orderBy('h.kind').orderBy('entities.caption')
      .execute(),
  ])
  return {
    members: members.map((m) => ({ personId: m.person_id, caption: m.caption, role: m.role, enablerProfession: m.enabler_profession, birthDate: m.birth_date })),
    holdings: holdings.map((h) => ({ entityId: h.entity_id, caption: h.caption, kind: h.kind, businessType: h.business_type })),
  }
}

/** Summaries of the groups a user leads as Lead Responsible Officer that the viewer may see. */
export async function groupsLedBy(db: Queryable, viewer: Viewer, userId: string, limit: number): Promise<GroupSummary[]> {
  const rows = await summaryColumns(db).where('ocgs.lead_responsible_officer_id', '=', userId).where(visibleTo(viewer, RECORD_TYPE, 'ocgs'))
    .orderBy('ocgs.name').limit(limit).execute()
  return rows.map(toSummary)
}
