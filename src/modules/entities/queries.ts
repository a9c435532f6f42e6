import { sql, type Expression, type SqlBool } from 'kysely'
import type { Capability } from '../../core/access/roles.ts'
import type { Viewer } from '../../core/access/visibility.ts'
import { entityCaption, entityNames, entitySearchText, type EntityProperties } from '../../core/entities/describe.ts'
import type { EntitySchema, LinkType, PersonRole } from '../../core/reference/crime.ts'
import type { Queryable } from '../../db/context.ts'
import { containsPattern } from '../../db/like.ts'
import { pageOf } from '../../db/paging.ts'
import { visibleTo } from '../../db/visibility.ts'
import type { EntityListQuery, EntitySummaryOut } from './schema.ts'

// The only SQL that touches entities and entity_links. Every read applies the visibility rule in SQL
// (visibleTo) and runs inside asUser, so row-level security applies it again.

export const RECORD_TYPE = 'entity'
export const LINK_RECORD_TYPE = 'entity_link'

const seenEntity = (viewer: Viewer): Expression<SqlBool> => visibleTo(viewer, RECORD_TYPE, 'entities')(undefined as never)
const seenLink = (viewer: Viewer): Expression<SqlBool> => visibleTo(viewer, LINK_RECORD_TYPE, 'entity_links')(undefined as never)

/** The viewer a transaction was opened for by asUser, read back from its settings. */
export async function viewerOfTransaction(db: Queryable): Promise<Viewer> {
  const { rows } = await sql<{ user_id: string | null; agency_id: string | null; capabilities: string | null }>`
    SELECT current_setting('achilles.user_id', true) AS user_id, current_setting('achilles.agency_id', true) AS agency_id,
      current_setting('achilles.capabilities', true) AS capabilities`.execute(db)
  const r = rows[0]
  if (!r?.user_id || !r.agency_id) throw new Error('Entities are read only inside a user transaction (asUser)')
  return { userId: r.user_id, agencyId: r.agency_id, capabilities: (r.capabilities ?? '').split(',').filter(Boolean) as Capability[] }
}

// ---------------------------------------------------------------------------------------------
// Columns computed from an entity's content.

/** An entity's own content: its schema and the properties of that schema (no handling fields). */
export type EntityContent = { schema: EntitySchema; personRole?: PersonRole } & EntityProperties & Record<string, unknown>

/** Everything stored for an entity's content: the properties, and the columns lifted out of them. */
export function contentColumns(content: EntityContent) {
  const { schema, ...properties } = content
  const p = properties as EntityProperties & { personRole?: PersonRole; latitude?: number | null; longitude?: number | null }
  return {
    schema,
    caption: entityCaption(schema, p),
    properties: JSON.stringify(properties),
    names: entityNames(schema, p),
    search_text: entitySearchText(schema, p),
    person_role: schema === 'Person' ? (p.personRole ?? null) : null,
    birth_date: schema === 'Person' ? (p.birthDate ?? null) : null,
    business_type: schema === 'Company' || schema === 'Organization' ? (p.businessType ?? null) : null,
    company_number: schema === 'Company' || schema === 'Organization' ? (p.companyNumber ?? null) : null,
    postcode: schema === 'Company' || schema === 'Organization' || schema === 'Address' ? (p.postcode ?? null) : null,
    lsoa_code: schema === 'Address' ? (p.lsoaCode ?? null) : null,
    latitude: schema === 'Address' ? (p.latitude ?? null) : null,
    longitude: schema === 'Address' ? (p.longitude ?? null) : null,
    registration: schema === 'Vehicle' ? (p.registration ?? null) : null,
    phone_number: schema === 'Phone' ? (p.number ?? null) : null,
  }
}

export type Handling = {
  purpose: string
  reviewDate: string
  protectiveMarking: string
  handlingCode: string
  handlingConditions: string | null
  sharingScope: string
}

const handlingColumns = (h: Handling) => ({
  purpose: h.purpose,
  review_date: h.reviewDate,
  protective_marking: h.protectiveMarking,
  handling_code: h.handlingCode,
  handling_conditions: h.handlingCode === 'C' ? h.handlingConditions : null,
  sharing_scope: h.sharingScope,
})

// ---------------------------------------------------------------------------------------------
// Reading entities.

function entityColumns(db: Queryable) {
  return db
    .selectFrom('entities')
    .innerJoin('agencies as a', 'a.id', 'entities.owning_agency_id')
    .select([
      'entities.id', 'entities.schema', 'entities.caption', 'entities.person_role', 'entities.birth_date', 'entities.business_type',
      'entities.postcode', 'entities.registration', 'entities.phone_number', 'entities.owning_agency_id', 'a.name as owning_agency_name',
      'entities.protective_marking', 'entities.handling_code', 'entities.handling_conditions', 'entities.sharing_scope',
      'entities.review_date', 'entities.updated_at',
    ])
}
type SummaryRow = Awaited<ReturnType<ReturnType<typeof entityColumns>['executeTakeFirstOrThrow']>>

const toSummary = (r: SummaryRow): EntitySummaryOut => ({
  id: r.id,
  schema: r.schema as EntitySchema,
  caption: r.caption,
  personRole: r.person_role as PersonRole | null,
  birthDate: r.birth_date,
  businessType: r.business_type,
  postcode: r.postcode,
  registration: r.registration,
  phoneNumber: r.phone_number,
  owningAgencyId: r.owning_agency_id,
  owningAgencyName: r.owning_agency_name,
  protectiveMarking: r.protective_marking as EntitySummaryOut['protectiveMarking'],
  handlingCode: r.handling_code as EntitySummaryOut['handlingCode'],
  handlingConditions: r.handling_conditions,
  sharingScope: r.sharing_scope as EntitySummaryOut['sharingScope'],
  reviewDate: r.review_date,
  updatedAt: r.updated_at.toISOString(),
})

/** What a list's text filter looks for: every word of the text, or an exact mark, number or postcode. */
export type TextFilter = { words: string[]; registration: string | null; phoneNumber: string | null; postcode: string | null }

/** Entities the viewer may see, filtered and one page at a time, most recently changed first. */
export async function listVisibleEntities(
  db: Queryable,
  viewer: Viewer,
  q: Omit<EntityListQuery, 'q'> & { text: TextFilter | null },
): Promise<{ rows: EntitySummaryOut[]; total: number }> {
  let query = entityColumns(db).where(seenEntity(viewer))
  if (q.schema) query = query.where('entities.schema', '=', q.schema)
  if (q.role) query = query.where('entities.person_role', '=', q.role)
  if (q.owner === 'mine') query = query.where('entities.owning_agency_id', '=', viewer.agencyId)
  if (q.owner === 'others') query = query.where('entities.owning_agency_id', '<>', viewer.agencyId)
  const text = q.text
  if (text) {
    query = query.where((eb) => {
      const alternatives: Expression<SqlBool>[] = []
      if (text.words.length > 0) alternatives.push(eb.and(text.words.map((w) => eb('entities.search_text', 'like', containsPattern(w)))))
      if (text.registration) alternatives.push(eb('entities.registration', '=', text.registration))
      if (text.phoneNumber) alternatives.push(eb('entities.phone_number', '=', text.phoneNumber))
      if (text.postcode) alternatives.push(eb('entities.postcode', '=', text.postcode))
      return alternatives.length > 0 ? eb.or(alternatives) : sql<SqlBool>`false`
    })
  }
  const { rows, total } = await pageOf(query.orderBy('entities.updated_at', 'desc').orderBy('entities.id'), q.page)
  return { rows: rows.map(toSummary), total }
}


export async function findVisibleEntity(db: Queryable, viewer: Viewer, id: string) {
  const row = await entityColumns(db)
    .select([
      'entities.properties', 'entities.company_number', 'entities.lsoa_code', 'entities.latitude', 'entities.longitude', 'entities.purpose',
      'entities.created_at', 'entities.created_by', 'entities.row_version',
    ])
    .where('entities.id', '=', id)
    .where(seenEntity(viewer))
    .executeTakeFirst()
  if (!row) return null
  return {
    ...toSummary(row),
    properties: row.properties,
    companyNumber: row.company_number,
    lsoaCode: row.lsoa_code,
    latitude: row.latitude,
    longitude: row.longitude,
    purpose: row.purpose,
    createdAt: row.created_at.toISOString(),
    createdById: row.created_by,
    rowVersion: row.row_version,
  }
}

/** The schema of each entity the viewer may see, of those asked about. */
export async function visibleSchemas(db: Queryable, viewer: Viewer, ids: readonly string[]): Promise<Map<string, { schema: EntitySchema; caption: string }>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .selectFrom('entities')
    .select(['entities.id', 'entities.schema', 'entities.caption'])
    .where('entities.id', 'in', [...ids])
    .where(seenEntity(viewer))
    .execute()
  return new Map(rows.map((r) => [r.id, { schema: r.schema as EntitySchema, caption: r.caption }]))
}

export type EntitySummaryRow = {
  id: string
  schema: EntitySchema
  caption: string
  personRole: PersonRole | null
  birthDate: string | null
  businessType: string | null
  postcode: string | null
  registration: string | null
  phoneNumber: string | null
  protectiveMarking: string
  handlingCode: string
  handlingConditions: string | null
  owningAgencyId: string
}

/** Short descriptions of the entities the viewer may see, of those asked about. */
export async function summariesOf(db: Queryable, viewer: Viewer, ids: readonly string[]): Promise<EntitySummaryRow[]> {
  if (ids.length === 0) return []
  const rows = await db
    .selectFrom('entities')
    .select([
      'entities.id', 'entities.schema', 'entities.caption', 'entities.person_role', 'entities.birth_date', 'entities.business_type', 'entities.postcode',
      'entities.registration', 'entities.phone_number', 'entities.protective_marking', 'entities.handling_code', 'entities.handling_conditions',
      'entities.owning_agency_id',
    ])
    .where('entities.id', 'in', [...new Set(ids)])
    .where(seenEntity(viewer))
    .execute()
  return rows.map((r) => ({
    id: r.id,
    schema: r.schema as EntitySchema,
    caption: r.caption,
    personRole: r.person_role as PersonRole | null,
    birthDate: r.birth_date,
    businessType: r.business_type,
    postcode: r.postcode,
    registration: r.registration,
    phoneNumber: r.phone_number,
    protectiveMarking: r.protective_marking,
    handlingCode: r.handling_code,
    handlingConditions: r.handling_conditions,
    owningAgencyId: r.owning_agency_id,
  }))
}

/** The entities most recently changed that the viewer may see, of the given schemas (for choosing a link's other end). */
export async function recentVisibleEntities(db: Queryable, viewer: Viewer, schemas: readonly EntitySchema[], excludeId: string, limit: number) {
  if (schemas.length === 0) return []
  const rows = await db
    .selectFrom('entities')
    .select(['entities.id', 'entities.schema', 'entities.caption', 'entities.person_role'])
    .where('entities.schema', 'in', [...schemas])
    .where('entities.id', '<>', excludeId)
    .where(seenEntity(viewer))
    .orderBy('entities.updated_at', 'desc')
    .orderBy('entities.id')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ id: r.id, schema: r.schema as EntitySchema, caption: r.caption, personRole: r.person_role as PersonRole | null }))
}

// ---------------------------------------------------------------------------------------------
// Fuzzy search.

export type SearchPlan = {
  /** Normalised name words, or '' when the text held none. */
  name: string
  sounds: string[]
  dates: string[]
  registration: string | null
  phoneNumber: string | null
  postcode: string | null
  companyNumber: string | null
  schemas: readonly EntitySchema[]
  limit: number
}

export type SearchCandidate = {
  id: string
  score: number
  /** Trigram word similarity of the name words alone. */
  nameScore: number
  soundHit: boolean
  dateHit: boolean
  registrationHit: boolean
  phoneHit: boolean
  postcodeHit: boolean
  companyNumberHit: boolean
}

/**
 * The best-matching entities the viewer may see: by trigram similarity of the name words typed to
 * the entity's name words (the search text without sound tokens and dates, migration 0014; its GIN
 * index answers `<%`), by every word sounding alike (the search text's "~key " tokens, found through
 * the search text's index with LIKE), and by exact date of birth, registration, phone
 * number, postcode and company number (their B-tree indexes). With both a name and a date, each
 * counts half. The caller sets pg_trgm.word_similarity_threshold, which decides what `<%` lets through.
 */
export async function searchCandidates(db: Queryable, viewer: Viewer, plan: SearchPlan, soundsAlikeScore: number): Promise<SearchCandidate[]> {
  const hit = (column: string, value: string | null) => (value === null ? sql<boolean>`false` : sql<boolean>`coalesce(${sql.ref(column)} = ${value}, false)`)
  const dateHit = plan.dates.length > 0 ? sql<boolean>`coalesce(entities.birth_date = ANY(${plan.dates}::date[]), false)` : sql<boolean>`false`
  const soundHit =
    plan.sounds.length > 0 ? sql<boolean>`(${sql.join(plan.sounds.map((t) => sql`entities.search_text LIKE ${`%${t} %`}`), sql` AND `)})` : sql<boolean>`false`
  const trigramScore = plan.name ? sql<number>`word_similarity(${plan.name}, entities.name_words)` : sql<number>`0`
  const nameScore = sql<number>`greatest(${trigramScore}, CASE WHEN ${soundHit} THEN ${soundsAlikeScore}::real ELSE 0 END)`
  const exact = sql<boolean>`(${hit('entities.registration', plan.registration)} OR ${hit('entities.phone_number', plan.phoneNumber)}
    OR ${hit('entities.postcode', plan.postcode)} OR ${hit('entities.company_number', plan.companyNumber)})`
  const score =
    plan.name && plan.dates.length > 0
      ? sql<number>`CASE WHEN ${exact} THEN 1 ELSE (${nameScore} + CASE WHEN ${dateHit} THEN 1 ELSE 0 END) / 2 END`
      : plan.name
        ? sql<number>`CASE WHEN ${exact} THEN 1 ELSE ${nameScore} END`
        : sql<number>`CASE WHEN ${exact} OR ${dateHit} THEN 1 ELSE 0 END`
  const matches: Expression<SqlBool>[] = []
  if (plan.name) matches.push(sql<SqlBool>`${plan.name} <% entities.name_words`)
  if (plan.sounds.length > 0) matches.push(soundHit as Expression<SqlBool>)
  if (plan.dates.length > 0) matches.push(sql<SqlBool>`entities.birth_date = ANY(${plan.dates}::date[])`)
  if (plan.registration) matches.push(sql<SqlBool>`entities.registration = ${plan.registration}`)
  if (plan.phoneNumber) matches.push(sql<SqlBool>`entities.phone_number = ${plan.phoneNumber}`)
  if (plan.postcode) matches.push(sql<SqlBool>`entities.postcode = ${plan.postcode}`)
  if (plan.companyNumber) matches.push(sql<SqlBool>`entities.company_number = ${plan.companyNumber}`)
  if (matches.length === 0 || plan.schemas.length === 0) return []
  const rows = await db
    .selectFrom('entities')
    .select([
      'entities.id',
      score.as('score'),
      trigramScore.as('name_score'),
      soundHit.as('sound_hit'),
      dateHit.as('date_hit'),
      hit('entities.registration', plan.registration).as('registration_hit'),
      hit('entities.phone_number', plan.phoneNumber).as('phone_hit'),
      hit('entities.postcode', plan.postcode).as('postcode_hit'),
      hit('entities.company_number', plan.companyNumber).as('company_number_hit'),
    ])
    .where('entities.schema', 'in', [...plan.schemas])
    .where((eb) => eb.or(matches))
    .where(seenEntity(viewer))
    .orderBy(sql`score`, 'desc')
    .orderBy('entities.caption')
    .orderBy('entities.id')
    .limit(plan.limit)
    .execute()
  return rows.map((r) => ({
    id: r.id,
    score: Number(r.score),
    nameScore: Number(r.name_score),
    soundHit: Boolean(r.sound_hit),
    dateHit: Boolean(r.date_hit),
    registrationHit: Boolean(r.registration_hit),
    phoneHit: Boolean(r.phone_hit),
    postcodeHit: Boolean(r.postcode_hit),
    companyNumberHit: Boolean(r.company_number_hit),
  }))
}

// ---------------------------------------------------------------------------------------------
// Writing entities.

export async function insertEntity(db: Queryable, content: EntityContent, h: Handling, agencyId: string, by: string): Promise<string> {
  const row = await db
    .insertInto('entities')
    .values({ ...contentColumns(content), ...handlingColumns(h), owning_agency_id: agencyId, created_by: by, updated_by: by })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** Replaces an entity's content, purpose and review date if nobody changed it since rowVersion. */
export async function updateEntity(db: Queryable, id: string, rowVersion: number, content: EntityContent, change: { purpose: string; reviewDate: string }, by: string): Promise<boolean> {
  const result = await db
    .updateTable('entities')
    .set((eb) => ({
      ...contentColumns(content),
      purpose: change.purpose,
      review_date: change.reviewDate,
      updated_at: sql`now()`,
      updated_by: by,
      row_version: eb('row_version', '+', 1),
    }))
    .where('id', '=', id)
    .where('row_version', '=', rowVersion)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function deleteEntity(db: Queryable, id: string): Promise<boolean> {
  const result = await db.deleteFrom('entities').where('id', '=', id).executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}

export type EntityRowInput = EntityContent & Handling & { id: string; owningAgencyId: string; createdBy: string | null; createdAt?: string }

/** Many entities at once, 1,000 rows to a statement (demonstration, benchmark and import loads). */
export async function insertEntityRows(db: Queryable, rows: readonly EntityRowInput[], content: (row: EntityRowInput) => EntityContent): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    await db
      .insertInto('entities')
      .values(
        rows.slice(i, i + 1000).map((r) => ({
          id: r.id,
          ...contentColumns(content(r)),
          ...handlingColumns(r),
          owning_agency_id: r.owningAgencyId,
          created_by: r.createdBy,
          updated_by: r.createdBy,
          ...(r.createdAt ? { created_at: r.createdAt, updated_at: r.createdAt } : {}),
        })),
      )
      .execute()
  }
}

// ---------------------------------------------------------------------------------------------
// Links.

export type LinkValues = {
  linkType: LinkType
  subjectId: string
  objectId: string
  relationship: string | null
  startDate: string | null
  endDate: string | null
  sourceReference: string
  sourceIntelligenceId: string | null
  protectiveMarking: string
  handlingCode: string
  handlingConditions: string | null
  sharingScope: string
}

const linkColumns = (l: LinkValues) => ({
  link_type: l.linkType,
  subject_id: l.subjectId,
  object_id: l.objectId,
  relationship: l.relationship,
  start_date: l.startDate,
  end_date: l.endDate,
  source_reference: l.sourceReference,
  source_intelligence_id: l.sourceIntelligenceId,
  protective_marking: l.protectiveMarking,
  handling_code: l.handlingCode,
  handling_conditions: l.handlingCode === 'C' ? l.handlingConditions : null,
  sharing_scope: l.sharingScope,
})

/** Adds a link, or returns null when the same link (ends, type and start date) is already recorded. */
export async function insertLink(db: Queryable, l: LinkValues, agencyId: string, by: string): Promise<string | null> {
  const row = await db
    .insertInto('entity_links')
    .values({ ...linkColumns(l), owning_agency_id: agencyId, created_by: by })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst()
  return row?.id ?? null
}

/** A visible link with the same type and start date between the same two entities, either way round. */
export async function findSameLink(db: Queryable, viewer: Viewer, l: Pick<LinkValues, 'linkType' | 'subjectId' | 'objectId' | 'startDate'>, eitherWay: boolean): Promise<string | null> {
  const row = await db
    .selectFrom('entity_links')
    .select('entity_links.id')
    .where('entity_links.link_type', '=', l.linkType)
    .where((eb) => {
      const forwards = eb.and([eb('entity_links.subject_id', '=', l.subjectId), eb('entity_links.object_id', '=', l.objectId)])
      const backwards = eb.and([eb('entity_links.subject_id', '=', l.objectId), eb('entity_links.object_id', '=', l.subjectId)])
      return eitherWay ? eb.or([forwards, backwards]) : forwards
    })
    .where(sql<SqlBool>`entity_links.start_date IS NOT DISTINCT FROM ${l.startDate}::date`)
    .where(seenLink(viewer))
    .executeTakeFirst()
  return row?.id ?? null
}

export type LinkRow = {
  id: string
  linkType: LinkType
  direction: 'outgoing' | 'incoming'
  subjectId: string
  objectId: string
  other: { id: string; schema: EntitySchema; caption: string; personRole: PersonRole | null }
  relationship: string | null
  startDate: string | null
  endDate: string | null
  sourceReference: string
  sourceIntelligenceId: string | null
  owningAgencyId: string
  owningAgencyName: string
  protectiveMarking: string
  handlingCode: string
  handlingConditions: string | null
  sharingScope: string
  createdAt: string
}

/** The links the viewer may see from and to an entity, with the entity at the other end. */
export async function visibleLinksOf(db: Queryable, viewer: Viewer, entityId: string): Promise<LinkRow[]> {
  const side = async (direction: 'outgoing' | 'incoming') => {
    const here = direction === 'outgoing' ? 'entity_links.subject_id' : 'entity_links.object_id'
    const there = direction === 'outgoing' ? 'entity_links.object_id' : 'entity_links.subject_id'
    const rows = await db
      .selectFrom('entity_links')
      .innerJoin('entities', 'entities.id', there)
      .innerJoin('agencies as a', 'a.id', 'entity_links.owning_agency_id')
      .select([
        'entity_links.id', 'entity_links.link_type', 'entity_links.subject_id', 'entity_links.object_id', 'entity_links.relationship',
        'entity_links.start_date', 'entity_links.end_date', 'entity_links.source_reference', 'entity_links.source_intelligence_id',
        'entity_links.owning_agency_id', 'a.name as owning_agency_name', 'entity_links.protective_marking', 'entity_links.handling_code',
        'entity_links.handling_conditions', 'entity_links.sharing_scope', 'entity_links.created_at',
        'entities.id as other_id', 'entities.schema as other_schema', 'entities.caption as other_caption', 'entities.person_role as other_role',
      ])
      .where(here, '=', entityId)
      .where(seenLink(viewer))
      .where(seenEntity(viewer))
      .execute()
    return rows.map(
      (r): LinkRow => ({
        id: r.id,
        linkType: r.link_type as LinkType,
        direction,
        subjectId: r.subject_id,
        objectId: r.object_id,
        other: { id: r.other_id, schema: r.other_schema as EntitySchema, caption: r.other_caption, personRole: r.other_role as PersonRole | null },
        relationship: r.relationship,
        startDate: r.start_date,
        endDate: r.end_date,
        sourceReference: r.source_reference,
        sourceIntelligenceId: r.source_intelligence_id,
        owningAgencyId: r.owning_agency_id,
        owningAgencyName: r.owning_agency_name,
        protectiveMarking: r.protective_marking,
        handlingCode: r.handling_code,
        handlingConditions: r.handling_conditions,
        sharingScope: r.sharing_scope,
        createdAt: r.created_at.toISOString(),
      }),
    )
  }
  const [outgoing, incoming] = [await side('outgoing'), await side('incoming')]
  return [...outgoing, ...incoming].sort((a, b) => a.linkType.localeCompare(b.linkType) || a.other.caption.localeCompare(b.other.caption) || a.id.localeCompare(b.id))
}

export async function findVisibleLink(db: Queryable, viewer: Viewer, linkId: string) {
  return db
    .selectFrom('entity_links')
    .select(['entity_links.id', 'entity_links.subject_id', 'entity_links.object_id', 'entity_links.link_type', 'entity_links.owning_agency_id'])
    .where('entity_links.id', '=', linkId)
    .where(seenLink(viewer))
    .executeTakeFirst()
}

export async function deleteLink(db: Queryable, id: string): Promise<boolean> {
  const result = await db.deleteFrom('entity_links').where('id', '=', id).executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}

/** How many links the viewer may see from or to each of the given entities. */
export async function visibleLinkCounts(db: Queryable, viewer: Viewer, ids: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  if (ids.length === 0) return counts
  const unique = [...new Set(ids)]
  for (const [here, there] of [
    ['entity_links.subject_id', 'entity_links.object_id'],
    ['entity_links.object_id', 'entity_links.subject_id'],
  ] as const) {
    const rows = await db
      .selectFrom('entity_links')
      .innerJoin('entities', 'entities.id', there)
      .select([`${here} as entity_id`, sql<number>`count(*)`.as('n')])
      .where(here, 'in', unique)
      .where(seenLink(viewer))
      .where(seenEntity(viewer))
      .groupBy(here)
      .execute()
    for (const r of rows) counts.set(r.entity_id, (counts.get(r.entity_id) ?? 0) + Number(r.n))
  }
  return counts
}

export type LinkRowInput = LinkValues & { id: string; owningAgencyId: string; createdBy: string | null; createdAt?: string }

/** Many links at once, 1,000 rows to a statement. */
export async function insertLinkRows(db: Queryable, rows: readonly LinkRowInput[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    await db
      .insertInto('entity_links')
      .values(
        rows.slice(i, i + 1000).map((r) => ({
          id: r.id,
          ...linkColumns(r),
          owning_agency_id: r.owningAgencyId,
          created_by: r.createdBy,
          ...(r.createdAt ? { created_at: r.createdAt } : {}),
        })),
      )
      .execute()
  }
}

/**
 * Whether the viewer may see an intelligence record, for a link's source. A read-only look at the
 * intelligence module's table, under the visibility rule twice like every other read; it returns
 * nothing of the record.
 */
export async function intelligenceVisible(db: Queryable, viewer: Viewer, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('intelligence_records')
    .select('intelligence_records.id')
    .where('intelligence_records.id', '=', id)
    .where(visibleTo(viewer, 'intelligence', 'intelligence_records'))
    .executeTakeFirst()
  return row !== undefined
}

/**
 * Records of other agencies that depend on an entity: links they hold, memberships and holdings
 * in their groups, mentions in their intelligence. Run with the owner's privileges: the answer
 * must count what the asking user cannot see.
 */
export async function othersDependingOn(db: Queryable, entityId: string, agencyId: string): Promise<{ links: number; groups: number; mentions: number; total: number }> {
  const { rows } = await sql<{ links: number; groups: number; mentions: number }>`
    SELECT
      (SELECT count(*) FROM entity_links l WHERE (l.subject_id = ${entityId} OR l.object_id = ${entityId}) AND l.owning_agency_id <> ${agencyId})::int AS links,
      ((SELECT count(*) FROM ocg_members m JOIN ocgs g ON g.id = m.group_id WHERE m.person_id = ${entityId} AND g.owning_agency_id <> ${agencyId})
        + (SELECT count(*) FROM ocg_holdings h JOIN ocgs g ON g.id = h.group_id WHERE h.entity_id = ${entityId} AND g.owning_agency_id <> ${agencyId}))::int AS groups,
      (SELECT count(*) FROM intelligence_mentions im JOIN intelligence_records r ON r.id = im.intelligence_id WHERE im.entity_id = ${entityId} AND r.owning_agency_id <> ${agencyId})::int AS mentions`.execute(db)
  const r = rows[0]!
  return { links: r.links, groups: r.groups, mentions: r.mentions, total: r.links + r.groups + r.mentions }
}
