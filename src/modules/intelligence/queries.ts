import { sql } from 'kysely'
import type { Viewer } from '../../core/access/visibility.ts'
import type { Queryable } from '../../db/context.ts'
import { containsPattern } from '../../db/like.ts'
import { PAGE_SIZE } from '../../db/paging.ts'
import { visibleTo } from '../../db/visibility.ts'
import type { IntelligenceInput, MentionsOut } from './schema.ts'

export const RECORD_TYPE = 'intelligence'

// Record types of what a record may mention, as the visibility rule and row-level security name them.
const ENTITY_TYPE = 'entity'
const GROUP_TYPE = 'group'

/** Lists count at most this many records: past it the page says "more than", and nobody waits for a count of a million. */
export const COUNT_CAP = 10_000

export type Filters = {
  q?: string | null | undefined
  entityId?: string | undefined
  groupId?: string | undefined
  sourceAgencyId?: string | undefined
  sourceEvaluation?: string | undefined
  intelligenceAssessment?: string | undefined
  handlingCode?: string | undefined
  reportedFrom?: string | undefined
  reportedTo?: string | undefined
}

/**
 * Ids of the records that mention the filter's entity and group (both, when both are given), or null
 * when the filter names neither. Found first, through the mention indexes, so that the records are
 * then read by primary key: joined in one statement, the planner weighs the visibility rule's
 * subqueries once per probe and prefers reading every record (measured at a million records).
 */
async function mentioningIds(db: Queryable, f: Filters): Promise<string[] | null> {
  if (!f.entityId && !f.groupId) return null
  const sets: string[][] = []
  if (f.entityId) sets.push((await db.selectFrom('intelligence_mentions').select('intelligence_id').where('entity_id', '=', f.entityId).execute()).map((r) => r.intelligence_id))
  if (f.groupId) sets.push((await db.selectFrom('intelligence_mentions').select('intelligence_id').where('group_id', '=', f.groupId).execute()).map((r) => r.intelligence_id))
  return sets.reduce((a, b) => {
    const inB = new Set(b)
    return a.filter((id) => inB.has(id))
  })
}

function filtered(db: Queryable, viewer: Viewer, f: Filters, mentioning: string[] | null) {
  let query = db.selectFrom('intelligence_records').where(visibleTo(viewer, RECORD_TYPE, 'intelligence_records'))
  if (mentioning) query = query.where(sql<boolean>`intelligence_records.id = ANY(${mentioning}::uuid[])`)
  if (f.sourceAgencyId) query = query.where('intelligence_records.source_agency_id', '=', f.sourceAgencyId)
  if (f.sourceEvaluation) query = query.where('intelligence_records.source_evaluation', '=', f.sourceEvaluation)
  if (f.intelligenceAssessment) query = query.where('intelligence_records.intelligence_assessment', '=', Number(f.intelligenceAssessment))
  if (f.handlingCode) query = query.where('intelligence_records.handling_code', '=', f.handlingCode)
  if (f.reportedFrom) query = query.where('intelligence_records.reported_on', '>=', f.reportedFrom)
  if (f.reportedTo) query = query.where('intelligence_records.reported_on', '<=', f.reportedTo)
  if (f.q) {
    // A substring match, walked in reported-date order until a page is full: quick for words that
    // occur often, slow for rare ones over a million records (a trigram index on body would serve both).
    const pattern = containsPattern(f.q)
    query = query.where(sql<boolean>`(intelligence_records.body ILIKE ${pattern} OR intelligence_records.reference ILIKE ${pattern})`)
  }
  return query
}

function withColumns(query: ReturnType<typeof filtered>) {
  return query
    .innerJoin('agencies as owner', 'owner.id', 'intelligence_records.owning_agency_id')
    .innerJoin('agencies as source', 'source.id', 'intelligence_records.source_agency_id')
    .select([
      'intelligence_records.id', 'intelligence_records.reference', 'intelligence_records.reported_on', 'intelligence_records.source_agency_id',
      'source.name as source_agency_name', 'intelligence_records.source_evaluation', 'intelligence_records.intelligence_assessment',
      'intelligence_records.legacy_grade', 'intelligence_records.owning_agency_id', 'owner.name as owning_agency_name',
      'intelligence_records.protective_marking', 'intelligence_records.handling_code', 'intelligence_records.handling_conditions',
      'intelligence_records.sharing_scope', 'intelligence_records.review_date', 'intelligence_records.created_at',
    ])
    // Matches intelligence_reported_idx (reported_on DESC, id), so a page is read off the index.
    .orderBy('intelligence_records.reported_on', 'desc')
    .orderBy('intelligence_records.id', 'asc')
}

export type SummaryRow = {
  id: string
  reference: string | null
  reported_on: string
  source_agency_id: string
  source_agency_name: string
  source_evaluation: string
  intelligence_assessment: number
  legacy_grade: string | null
  owning_agency_id: string
  owning_agency_name: string
  protective_marking: string
  handling_code: string
  handling_conditions: string | null
  sharing_scope: string
  review_date: string
  created_at: Date
}

/** One page of the records the viewer may see, newest reported first, with a count capped at COUNT_CAP. */
export async function listVisible(db: Queryable, viewer: Viewer, f: Filters, page: number): Promise<{ rows: Array<SummaryRow & { excerpt: string }>; total: number; totalCapped: boolean }> {
  const mentioning = await mentioningIds(db, f)
  const rows = await withColumns(filtered(db, viewer, f, mentioning))
    .select(sql<string>`left(intelligence_records.body, 200)`.as('excerpt'))
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE)
    .execute()
  const counted = await db
    .selectFrom(filtered(db, viewer, f, mentioning).select('intelligence_records.id').limit(COUNT_CAP + 1).as('shown'))
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow()
  const n = Number(counted.n)
  return { rows, total: Math.min(n, COUNT_CAP), totalCapped: n > COUNT_CAP }
}

/** Every visible record matching the filters, whole, up to `limit` (the CSV export). */
export async function exportRows(db: Queryable, viewer: Viewer, f: Filters, limit: number) {
  return withColumns(filtered(db, viewer, f, await mentioningIds(db, f)))
    .select(['intelligence_records.body', 'intelligence_records.purpose'])
    .limit(limit)
    .execute()
}

export async function findVisible(db: Queryable, viewer: Viewer, id: string) {
  return withColumns(filtered(db, viewer, {}, null))
    .select([
      'intelligence_records.body', 'intelligence_records.purpose', 'intelligence_records.created_by', 'intelligence_records.updated_at',
      'intelligence_records.row_version',
    ])
    .where('intelligence_records.id', '=', id)
    .executeTakeFirst()
}

// The names shown for mentions come from the entity and group tables, which belong to their own
// modules: this module only reads a name, schema and role (never writes), and only for entities and
// groups the viewer may see, so a mention never reveals what the visibility rule would hide.

const visibleEntity = (viewer: Viewer) => visibleTo(viewer, ENTITY_TYPE, 'entities')
const visibleGroup = (viewer: Viewer) => visibleTo(viewer, GROUP_TYPE, 'ocgs')

/** Names of the given entities and groups that the viewer may see (for forms and filters). */
export async function mentionNames(db: Queryable, viewer: Viewer, entityIds: readonly string[], groupIds: readonly string[]): Promise<MentionsOut> {
  const [entities, groups] = await Promise.all([
    entityIds.length === 0
      ? []
      : db.selectFrom('entities').select(['id', 'schema', 'caption', 'person_role']).where('id', 'in', [...entityIds]).where(visibleEntity(viewer)).orderBy('caption').execute(),
    groupIds.length === 0
      ? []
      : db.selectFrom('ocgs').select(['id', 'name', 'operation_name']).where('id', 'in', [...groupIds]).where(visibleGroup(viewer)).orderBy('name').execute(),
  ])
  return {
    entities: entities.map((e) => ({ id: e.id, schema: e.schema, caption: e.caption, personRole: e.person_role })),
    groups: groups.map((g) => ({ id: g.id, name: g.name, operationName: g.operation_name })),
  }
}

/** The entities and groups each record mentions, of those the viewer may see. */
export async function mentionsOf(db: Queryable, viewer: Viewer, intelligenceIds: readonly string[]): Promise<Map<string, MentionsOut>> {
  const result = new Map<string, MentionsOut>(intelligenceIds.map((id) => [id, { entities: [], groups: [] }]))
  if (intelligenceIds.length === 0) return result
  for (let i = 0; i < intelligenceIds.length; i += 1000) {
    const ids = intelligenceIds.slice(i, i + 1000)
    const [entities, groups] = await Promise.all([
      db
        .selectFrom('intelligence_mentions')
        .innerJoin('entities', 'entities.id', 'intelligence_mentions.entity_id')
        .select(['intelligence_mentions.intelligence_id', 'entities.id', 'entities.schema', 'entities.caption', 'entities.person_role'])
        .where('intelligence_mentions.intelligence_id', 'in', ids)
        // Spelled out so the partial index on (intelligence_id, entity_id) serves the lookup.
        .where('intelligence_mentions.entity_id', 'is not', null)
        .where(visibleEntity(viewer))
        .orderBy('entities.caption')
        .execute(),
      db
        .selectFrom('intelligence_mentions')
        .innerJoin('ocgs', 'ocgs.id', 'intelligence_mentions.group_id')
        .select(['intelligence_mentions.intelligence_id', 'ocgs.id', 'ocgs.name', 'ocgs.operation_name'])
        .where('intelligence_mentions.intelligence_id', 'in', ids)
        .where('intelligence_mentions.group_id', 'is not', null)
        .where(visibleGroup(viewer))
        .orderBy('ocgs.name')
        .execute(),
    ])
    for (const e of entities) result.get(e.intelligence_id)!.entities.push({ id: e.id, schema: e.schema, caption: e.caption, personRole: e.person_role })
    for (const g of groups) result.get(g.intelligence_id)!.groups.push({ id: g.id, name: g.name, operationName: g.operation_name })
  }
  return result
}

/** Of the given ids, those of entities the viewer may see. */
export async function visibleEntityIds(db: Queryable, viewer: Viewer, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await db.selectFrom('entities').select('id').where('id', 'in', [...ids]).where(visibleEntity(viewer)).execute()
  return new Set(rows.map((r) => r.id))
}

/** Of the given ids, those of groups the viewer may see. */
export async function visibleGroupIds(db: Queryable, viewer: Viewer, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await db.selectFrom('ocgs').select('id').where('id', 'in', [...ids]).where(visibleGroup(viewer)).execute()
  return new Set(rows.map((r) => r.id))
}

/** The mentions of one record as row-level security lets the current user see them. */
export async function mentionIdsOf(db: Queryable, intelligenceId: string): Promise<{ entityIds: string[]; groupIds: string[] }> {
  // Two lookups, each on its partial index: the table has no index on intelligence_id alone.
  const [entities, groups] = await Promise.all([
    db.selectFrom('intelligence_mentions').select('entity_id').where('intelligence_id', '=', intelligenceId).where('entity_id', 'is not', null).execute(),
    db.selectFrom('intelligence_mentions').select('group_id').where('intelligence_id', '=', intelligenceId).where('group_id', 'is not', null).execute(),
  ])
  return { entityIds: entities.map((r) => r.entity_id!), groupIds: groups.map((r) => r.group_id!) }
}

export async function insertRecord(db: Queryable, r: IntelligenceInput, agencyId: string, by: string): Promise<string> {
  const row = await db
    .insertInto('intelligence_records')
    .values({
      reference: r.reference,
      body: r.body,
      reported_on: r.reportedOn,
      source_agency_id: r.sourceAgencyId,
      source_evaluation: r.sourceEvaluation,
      intelligence_assessment: r.intelligenceAssessment,
      legacy_grade: r.legacyGrade,
      owning_agency_id: agencyId,
      purpose: r.purpose,
      protective_marking: r.protectiveMarking,
      handling_code: r.handlingCode,
      handling_conditions: r.handlingCode === 'C' ? r.handlingConditions : null,
      sharing_scope: r.sharingScope,
      review_date: r.reviewDate,
      created_by: by,
      updated_by: by,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** Whether the source agency already used this reference on a record the current user can see. */
export async function referenceTaken(db: Queryable, sourceAgencyId: string, reference: string, exceptId?: string): Promise<boolean> {
  let query = db.selectFrom('intelligence_records').select('id').where('source_agency_id', '=', sourceAgencyId).where('reference', '=', reference)
  if (exceptId) query = query.where('id', '<>', exceptId)
  return (await query.executeTakeFirst()) !== undefined
}

export async function insertMentions(db: Queryable, intelligenceId: string, entityIds: readonly string[], groupIds: readonly string[]): Promise<void> {
  const values = [
    ...entityIds.map((entity_id) => ({ intelligence_id: intelligenceId, entity_id, group_id: null })),
    ...groupIds.map((group_id) => ({ intelligence_id: intelligenceId, entity_id: null, group_id })),
  ]
  if (values.length > 0) await db.insertInto('intelligence_mentions').values(values).execute()
}

export async function deleteMentions(db: Queryable, intelligenceId: string, entityIds: readonly string[], groupIds: readonly string[]): Promise<void> {
  if (entityIds.length > 0) await db.deleteFrom('intelligence_mentions').where('intelligence_id', '=', intelligenceId).where('entity_id', 'in', [...entityIds]).execute()
  if (groupIds.length > 0) await db.deleteFrom('intelligence_mentions').where('intelligence_id', '=', intelligenceId).where('group_id', 'in', [...groupIds]).execute()
}

export type ContentChange = {
  body: string
  reportedOn: string
  reference: string | null
  sourceAgencyId: string
  sourceEvaluation: string
  intelligenceAssessment: number
}

/** Changes the content and grade if nobody else has since `rowVersion`; false when someone has. */
export async function updateContent(db: Queryable, id: string, rowVersion: number, c: ContentChange, by: string): Promise<boolean> {
  const result = await db
    .updateTable('intelligence_records')
    .set({
      body: c.body,
      reported_on: c.reportedOn,
      reference: c.reference,
      source_agency_id: c.sourceAgencyId,
      source_evaluation: c.sourceEvaluation,
      intelligence_assessment: c.intelligenceAssessment,
      updated_at: sql`now()`,
      updated_by: by,
      row_version: sql`row_version + 1`,
    })
    .where('id', '=', id)
    .where('row_version', '=', rowVersion)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function deleteRecord(db: Queryable, id: string): Promise<boolean> {
  const result = await db.deleteFrom('intelligence_records').where('id', '=', id).executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}

/** The user whose transaction this is, from its settings; null in the platform's own transactions. */
export async function transactionViewer(db: Queryable): Promise<Viewer | null> {
  const { rows } = await sql<{ user_id: string | null; agency_id: string | null; capabilities: string | null }>`
    SELECT current_setting('achilles.user_id', true) AS user_id, current_setting('achilles.agency_id', true) AS agency_id,
      current_setting('achilles.capabilities', true) AS capabilities`.execute(db)
  const r = rows[0]
  if (!r?.user_id || !r.agency_id) return null
  return { userId: r.user_id, agencyId: r.agency_id, capabilities: (r.capabilities ?? '').split(',').filter(Boolean) as Viewer['capabilities'] }
}

/** How many records the viewer may see mention each group (all records, for the platform itself). */
export async function countsForGroups(db: Queryable, viewer: Viewer | null, groupIds: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>(groupIds.map((id) => [id, 0]))
  if (groupIds.length === 0) return counts
  // The mentions first, then the records by primary key (see mentioningIds for why not one join).
  const mentions = await db.selectFrom('intelligence_mentions').select(['group_id', 'intelligence_id']).where(sql<boolean>`group_id = ANY(${[...groupIds]}::uuid[])`).execute()
  let records = db.selectFrom('intelligence_records').select('id').where(sql<boolean>`id = ANY(${[...new Set(mentions.map((m) => m.intelligence_id))]}::uuid[])`)
  if (viewer) records = records.where(visibleTo(viewer, RECORD_TYPE, 'intelligence_records'))
  const seen = new Set((await records.execute()).map((r) => r.id))
  for (const m of mentions) if (m.group_id && seen.has(m.intelligence_id)) counts.set(m.group_id, (counts.get(m.group_id) ?? 0) + 1)
  return counts
}

/** A record to load in bulk: already valid (the loader vouches for it), with its id and author. */
export type IntelligenceRow = Omit<IntelligenceInput, 'legacyGrade' | 'reference'> & {
  id: string
  owningAgencyId: string
  createdBy: string | null
  createdAt?: string | Date
  reference?: string | null
  legacyGrade?: string | null
}

/**
 * Many records at once (demonstration data, benchmarks, imports). Each chunk is one statement over
 * arrays, so a million records cost a thousand statements with a few parameters each.
 */
export async function insertRows(db: Queryable, rows: readonly IntelligenceRow[]): Promise<void> {
  const column = <T>(pick: (r: IntelligenceRow) => T) => rows.map(pick)
  const createdAt = column((r) => (r.createdAt === undefined ? new Date().toISOString() : r.createdAt instanceof Date ? r.createdAt.toISOString() : r.createdAt))
  await sql`
    INSERT INTO intelligence_records (id, reference, body, reported_on, source_agency_id, source_evaluation, intelligence_assessment,
      legacy_grade, owning_agency_id, purpose, protective_marking, handling_code, handling_conditions, sharing_scope, review_date,
      created_at, created_by, updated_at, updated_by)
    SELECT id, reference, body, reported_on, source_agency_id, source_evaluation, intelligence_assessment,
      legacy_grade, owning_agency_id, purpose, protective_marking, handling_code, handling_conditions, sharing_scope, review_date,
      created_at, created_by, created_at, created_by
    FROM unnest(
      ${column((r) => r.id)}::uuid[], ${column((r) => r.reference ?? null)}::text[], ${column((r) => r.body)}::text[],
      ${column((r) => r.reportedOn)}::date[], ${column((r) => r.sourceAgencyId)}::uuid[], ${column((r) => r.sourceEvaluation)}::text[],
      ${column((r) => r.intelligenceAssessment)}::smallint[], ${column((r) => r.legacyGrade ?? null)}::text[], ${column((r) => r.owningAgencyId)}::uuid[],
      ${column((r) => r.purpose)}::text[], ${column((r) => r.protectiveMarking)}::text[], ${column((r) => r.handlingCode)}::text[],
      ${column((r) => (r.handlingCode === 'C' ? r.handlingConditions : null))}::text[], ${column((r) => r.sharingScope)}::text[],
      ${column((r) => r.reviewDate)}::date[], ${createdAt}::timestamptz[], ${column((r) => r.createdBy)}::uuid[]
    ) AS t(id, reference, body, reported_on, source_agency_id, source_evaluation, intelligence_assessment, legacy_grade, owning_agency_id,
      purpose, protective_marking, handling_code, handling_conditions, sharing_scope, review_date, created_at, created_by)`.execute(db)
  const mentions = rows.flatMap((r) => [
    ...r.mentionedEntityIds.map((e) => ({ intelligence: r.id, entity: e as string | null, group: null as string | null })),
    ...r.mentionedGroupIds.map((g) => ({ intelligence: r.id, entity: null as string | null, group: g as string | null })),
  ])
  if (mentions.length > 0) {
    await sql`
      INSERT INTO intelligence_mentions (intelligence_id, entity_id, group_id)
      SELECT * FROM unnest(${mentions.map((m) => m.intelligence)}::uuid[], ${mentions.map((m) => m.entity)}::uuid[], ${mentions.map((m) => m.group)}::uuid[])`.execute(db)
  }
}

/** Links citing a record as their source, whoever holds them (run with the owner's privileges). */
export async function linksCiting(db: Queryable, intelligenceId: string): Promise<string[]> {
  const rows = await db.selectFrom('entity_links').select('id').where('source_intelligence_id', '=', intelligenceId).execute()
  return rows.map((r) => r.id)
}
