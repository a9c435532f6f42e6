import { sql, type Expression, type SqlBool } from 'kysely'
import type { Viewer } from '../../core/access/visibility.ts'
import type { Subject } from '../../core/scoring/modelDefinition.ts'
import type { Queryable, Tx } from '../../db/context.ts'
import { containsPattern } from '../../db/like.ts'
import { visibleTo } from '../../db/visibility.ts'

// The SQL of prioritisation: model versions and assessments are this module's own tables.
//
// The boards also read ocgs, ocg_members, entities and entity_links, the tables of the groups and
// entities modules, in read-only joins (single subjects are looked up through those modules' services). A ranked, filtered board over
// 6,000 groups and 50,000 people must be one query (p95 under 100 ms), not a service call per row.
// Every such read applies the visibility rule in SQL (visibleTo) and runs inside asUser, so
// row-level security applies it again. They read the agencies directory too (names, and the owning
// agency filter by name), which is not restricted.

export const GROUP_RECORD = 'group'
export const ENTITY_RECORD = 'entity'
export const LINK_RECORD = 'entity_link'

/** The visibility rule as a standalone SQL condition on a table referred to by its own name. */
function seen(viewer: Viewer, recordType: string, table: 'ocgs' | 'entities' | 'entity_links'): Expression<SqlBool> {
  // visibleTo builds its condition from column references alone; the builder is not consulted.
  return visibleTo(viewer, recordType, table)(undefined as never)
}

// Models

export type ModelRow = {
  id: string
  key: string
  version: number
  title: string
  definition: unknown
  change_note: string | null
  published_at: Date
  published_by: string | null
}

const modelColumns = ['id', 'key', 'version', 'title', 'definition', 'change_note', 'published_at', 'published_by'] as const

export function listModels(db: Queryable): Promise<ModelRow[]> {
  return db.selectFrom('prioritisation_models').select(modelColumns).orderBy('key').orderBy('version', 'desc').execute()
}

export async function findModel(db: Queryable, key: string, version: number): Promise<ModelRow | null> {
  return (await db.selectFrom('prioritisation_models').select(modelColumns).where('key', '=', key).where('version', '=', version).executeTakeFirst()) ?? null
}

export async function insertModel(
  db: Queryable,
  m: { key: string; version: number; title: string; definition: unknown; changeNote: string; publishedBy: string | null },
  options: { ifAbsent?: boolean } = {},
): Promise<string | null> {
  let query = db.insertInto('prioritisation_models').values({
    key: m.key,
    version: m.version,
    title: m.title,
    definition: JSON.stringify(m.definition),
    change_note: m.changeNote,
    published_by: m.publishedBy,
  })
  if (options.ifAbsent) query = query.onConflict((oc) => oc.columns(['key', 'version']).doNothing())
  const row = await query.returning('id').executeTakeFirst()
  return row?.id ?? null
}

/** Every version of every model without its definition (a version's definition never changes). */
export function listModelHeads(db: Queryable): Promise<Array<Omit<ModelRow, 'definition'>>> {
  return db.selectFrom('prioritisation_models').select(['id', 'key', 'version', 'title', 'change_note', 'published_at', 'published_by']).orderBy('key').orderBy('version', 'desc').execute()
}

export function modelsById(db: Queryable, ids: readonly string[]): Promise<ModelRow[]> {
  return db.selectFrom('prioritisation_models').select(modelColumns).where('id', 'in', [...ids]).execute()
}

/** How many current assessments each version of a key holds (figures only, no subjects). */
export async function currentCountsByModel(db: Queryable, key: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('assessments')
    .select(['model_id', sql<number>`count(*)`.as('n')])
    .where('model_key', '=', key)
    .where('superseded_at', 'is', null)
    .groupBy('model_id')
    .execute()
  return new Map(rows.map((r) => [r.model_id, Number(r.n)]))
}

// Groups

/** A group as a board shows it, with what decides whether its score is stale. */
export type GroupSubject = {
  id: string
  name: string
  operation_name: string | null
  status: string
  threat_areas: string[]
  areas: string[]
  owning_agency_id: string
  members_changed_at: Date | null
  intelligence_changed_at: Date | null
  disruptions_changed_at: Date | null
}

// Assessments

/**
 * The current assessment of a subject under a model key, as a join condition that reaches it through
 * assessments_current_uq (one index entry per subject), however long the subject's history grows.
 */
function isCurrentOf(alias: string, modelKey: string, subjectType: 'group' | 'person', subjectId: ReturnType<typeof sql.ref>) {
  const a = (column: string) => sql.ref(`${alias}.${column}`)
  return sql<SqlBool>`${a('model_key')} = ${modelKey} AND ${a('subject_type')} = ${subjectType} AND ${a('superseded_at')} IS NULL
    AND coalesce(${a('group_id')}::text, ${a('person_id')}::text, ${a('threat_area')}) = ${subjectId}::text`
}

export type SubjectRef = { subjectType: Subject; groupId: string | null; personId: string | null; threatArea: string | null }

const subjectCondition = (s: SubjectRef) =>
  s.subjectType === 'group'
    ? sql<SqlBool>`a.subject_type = 'group' AND a.group_id = ${s.groupId}`
    : s.subjectType === 'person'
      ? sql<SqlBool>`a.subject_type = 'person' AND a.person_id = ${s.personId}`
      : sql<SqlBool>`a.subject_type = 'threat_area' AND a.threat_area = ${s.threatArea}`

/** The current assessment of a subject under a model key, locked until the transaction ends. */
export async function lockCurrent(tx: Tx, modelKey: string, s: SubjectRef): Promise<{ id: string } | null> {
  const { rows } = await sql<{ id: string }>`
    SELECT a.id FROM assessments a
    WHERE a.model_key = ${modelKey} AND ${subjectCondition(s)} AND a.superseded_at IS NULL
    FOR UPDATE`.execute(tx)
  return rows[0] ?? null
}

export type NewAssessment = {
  id: string
  modelId: string
  modelKey: string
  subject: SubjectRef
  answers: unknown
  score: number
  band: string
  confidence: number
  opportunity: string
  result: unknown
  carriedFromId: string | null
  reviewDate: string | null
  owningAgencyId: string
  scoredBy: string
}

export async function insertAssessment(tx: Queryable, a: NewAssessment): Promise<void> {
  await tx
    .insertInto('assessments')
    .values({
      id: a.id,
      model_id: a.modelId,
      model_key: a.modelKey,
      subject_type: a.subject.subjectType,
      group_id: a.subject.groupId,
      person_id: a.subject.personId,
      threat_area: a.subject.threatArea,
      answers: JSON.stringify(a.answers),
      score: a.score,
      band: a.band,
      confidence: a.confidence,
      opportunity: a.opportunity,
      result: JSON.stringify(a.result),
      carried_from_id: a.carriedFromId,
      review_date: a.reviewDate,
      owning_agency_id: a.owningAgencyId,
      scored_by: a.scoredBy,
    })
    .execute()
}

/**
 * Takes assessments out of the current set. Done before their successors are inserted, because only
 * one assessment per subject and model may be current (assessments_current_uq).
 */
export async function markSuperseded(tx: Queryable, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0
  const result = await tx.updateTable('assessments').set({ superseded_at: sql`now()` }).where('id', 'in', [...ids]).where('superseded_at', 'is', null).executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** Points superseded assessments at their successors, once those exist (the foreign key needs them). */
export async function linkSuccessors(tx: Queryable, pairs: ReadonlyArray<{ oldId: string; newId: string }>): Promise<void> {
  if (pairs.length === 0) return
  await sql`
    UPDATE assessments a SET superseded_by_id = p.new_id
    FROM jsonb_to_recordset(${JSON.stringify(pairs.map((p) => ({ old_id: p.oldId, new_id: p.newId })))}::jsonb) AS p(old_id uuid, new_id uuid)
    WHERE a.id = p.old_id`.execute(tx)
}

export type AssessmentRow = {
  id: string
  model_id: string
  model_key: string
  model_version: number
  model_title: string
  subject_type: Subject
  group_id: string | null
  person_id: string | null
  threat_area: string | null
  answers: unknown
  score: number
  band: string
  confidence: number
  opportunity: string
  result: unknown
  carried_from_id: string | null
  review_date: string | null
  owning_agency_id: string
  scored_by: string
  scored_at: Date
  superseded_at: Date | null
  superseded_by_id: string | null
}

/** An assessment is seen only where its subject is: a group or person the viewer may see, or any threat area. */
function subjectVisible(viewer: Viewer) {
  return sql<SqlBool>`CASE a.subject_type
    WHEN 'group' THEN EXISTS (SELECT 1 FROM ocgs WHERE ocgs.id = a.group_id AND ${seen(viewer, GROUP_RECORD, 'ocgs')})
    WHEN 'person' THEN EXISTS (SELECT 1 FROM entities WHERE entities.id = a.person_id AND ${seen(viewer, ENTITY_RECORD, 'entities')})
    ELSE true END`
}

const assessmentSelect = sql`a.id, a.model_id, a.model_key, m.version AS model_version, m.title AS model_title, a.subject_type, a.group_id, a.person_id,
  a.threat_area, a.answers, a.score, a.band, a.confidence, a.opportunity, a.result, a.carried_from_id, a.review_date, a.owning_agency_id,
  a.scored_by, a.scored_at, a.superseded_at, a.superseded_by_id`

export async function findVisibleAssessment(tx: Queryable, viewer: Viewer, id: string): Promise<AssessmentRow | null> {
  const { rows } = await sql<AssessmentRow>`
    SELECT ${assessmentSelect} FROM assessments a JOIN prioritisation_models m ON m.id = a.model_id
    WHERE a.id = ${id} AND ${subjectVisible(viewer)}`.execute(tx)
  return rows[0] ?? null
}

/** Every assessment of one subject under any model, newest first. The caller has checked the subject is visible. */
export async function subjectHistory(tx: Queryable, viewer: Viewer, s: SubjectRef): Promise<AssessmentRow[]> {
  const { rows } = await sql<AssessmentRow>`
    SELECT ${assessmentSelect} FROM assessments a JOIN prioritisation_models m ON m.id = a.model_id
    WHERE ${subjectCondition(s)} AND ${subjectVisible(viewer)}
    ORDER BY a.scored_at DESC, m.version DESC, a.id`.execute(tx)
  return rows
}

/** The current assessment of a subject under a key, if any (visibility is checked by the caller). */
export async function currentAssessment(tx: Queryable, viewer: Viewer, modelKey: string, s: SubjectRef): Promise<AssessmentRow | null> {
  const { rows } = await sql<AssessmentRow>`
    SELECT ${assessmentSelect} FROM assessments a JOIN prioritisation_models m ON m.id = a.model_id
    WHERE a.model_key = ${modelKey} AND ${subjectCondition(s)} AND a.superseded_at IS NULL AND ${subjectVisible(viewer)}`.execute(tx)
  return rows[0] ?? null
}

/** The current assessments of many groups under a key, in one statement, for those the viewer may see. */
export async function currentGroupAssessments(tx: Queryable, viewer: Viewer, modelKey: string, groupIds: readonly string[]): Promise<AssessmentRow[]> {
  if (groupIds.length === 0) return []
  const { rows } = await sql<AssessmentRow>`
    SELECT ${assessmentSelect} FROM assessments a JOIN prioritisation_models m ON m.id = a.model_id
    WHERE a.model_key = ${modelKey} AND a.subject_type = 'group' AND a.group_id IN (${sql.join([...groupIds])}) AND a.superseded_at IS NULL
      AND ${subjectVisible(viewer)}`.execute(tx)
  return rows
}

// Carrying assessments forward to a new model version: set-based, for every subject at once.

export type CarryCandidate = {
  id: string
  subject_type: Subject
  group_id: string | null
  person_id: string | null
  threat_area: string | null
  answers: unknown
  review_date: string | null
  owning_agency_id: string
  scored_by: string
  scored_at: Date
  judged_at: string | null
  judged_by: string | null
  model_version: number
}

/** Current assessments of a key scored with an older version than the one given, locked. Runs as the owner. */
export async function lockOlderCurrent(tx: Tx, key: string, version: number): Promise<CarryCandidate[]> {
  const { rows } = await sql<CarryCandidate>`
    SELECT a.id, a.subject_type, a.group_id, a.person_id, a.threat_area, a.answers, a.review_date, a.owning_agency_id,
      a.scored_by, a.scored_at, a.result->'carried'->>'judgedAt' AS judged_at, a.result->'carried'->>'judgedBy' AS judged_by, m.version AS model_version
    FROM assessments a JOIN prioritisation_models m ON m.id = a.model_id
    WHERE a.model_key = ${key} AND a.superseded_at IS NULL AND m.version < ${version}
    ORDER BY a.id
    FOR UPDATE OF a`.execute(tx)
  return rows
}

/**
 * Supersedes assessments and inserts their successors in one statement per batch, from a JSON array
 * (one parameter, however many rows). Each successor is inserted from the row its predecessor's
 * update returns, so the old one has left the current set (assessments_current_uq) before the new
 * one enters it, and the foreign key from superseded_by_id is checked at the end of the statement,
 * when both exist. Runs as the owner (carrying forward reaches every agency's assessments).
 */
export async function supersedeWith(tx: Queryable, rows: readonly NewAssessment[]): Promise<number> {
  if (rows.length === 0) return 0
  const payload = rows.map((a) => ({
    id: a.id,
    model_id: a.modelId,
    model_key: a.modelKey,
    subject_type: a.subject.subjectType,
    group_id: a.subject.groupId,
    person_id: a.subject.personId,
    threat_area: a.subject.threatArea,
    answers: a.answers,
    score: a.score,
    band: a.band,
    confidence: a.confidence,
    opportunity: a.opportunity,
    result: a.result,
    carried_from_id: a.carriedFromId,
    review_date: a.reviewDate,
    owning_agency_id: a.owningAgencyId,
    scored_by: a.scoredBy,
  }))
  const result = await sql<{ id: string }>`
    WITH r AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) AS r(id uuid, model_id uuid, model_key text, subject_type text,
        group_id uuid, person_id uuid, threat_area text, answers jsonb, score numeric, band text, confidence smallint,
        opportunity text, result jsonb, carried_from_id uuid, review_date date, owning_agency_id uuid, scored_by uuid)
    ),
    superseded AS (
      UPDATE assessments a SET superseded_at = now(), superseded_by_id = r.id
      FROM r WHERE a.id = r.carried_from_id AND a.superseded_at IS NULL
      RETURNING a.id
    )
    INSERT INTO assessments (id, model_id, model_key, subject_type, group_id, person_id, threat_area, answers, score, band,
      confidence, opportunity, result, carried_from_id, review_date, owning_agency_id, scored_by)
    SELECT r.id, r.model_id, r.model_key, r.subject_type, r.group_id, r.person_id, r.threat_area, r.answers, r.score, r.band,
      r.confidence, r.opportunity, r.result, r.carried_from_id, r.review_date, r.owning_agency_id, r.scored_by
    FROM r JOIN superseded ON superseded.id = r.carried_from_id
    RETURNING id`.execute(tx)
  return result.rows.length
}

// Boards

export type BoardAssessmentColumns = {
  assessment_id: string | null
  score: number | null
  band: string | null
  confidence: number | null
  opportunity: string | null
  model_id: string | null
  scored_at: Date | null
  review_date: string | null
  carried_from_id: string | null
  /** For an assessment carried forward, when the judgement it was carried from was made (ISO text). */
  carried_judged_at: string | null
}

// Only plain columns: labels come from the model version (held in memory), so the large explanation
// in `result` is never read for a board.
const boardAssessmentColumns = sql`a.id AS assessment_id, a.score, a.band, a.confidence, a.opportunity, a.model_id, a.scored_at,
  a.review_date, a.carried_from_id, a.carried_judged_at`
const noAssessmentColumns = sql`NULL::uuid AS assessment_id, NULL::numeric AS score, NULL::text AS band, NULL::smallint AS confidence,
  NULL::text AS opportunity, NULL::uuid AS model_id, NULL::timestamptz AS scored_at, NULL::date AS review_date, NULL::uuid AS carried_from_id,
  NULL::text AS carried_judged_at`
// The owning agency's name is read with the group: the directory is not restricted, and the board
// would otherwise look the names up in a round trip of its own.
const groupColumns = sql`ocgs.id, ocgs.name, ocgs.operation_name, ocgs.status, ocgs.threat_areas, ocgs.areas, ocgs.owning_agency_id,
  (SELECT agencies.name FROM agencies WHERE agencies.id = ocgs.owning_agency_id) AS owning_agency_name,
  ocgs.members_changed_at, ocgs.intelligence_changed_at, ocgs.disruptions_changed_at`

export type GroupBoardRow = GroupSubject & BoardAssessmentColumns & { owning_agency_name: string | null }

export type GroupBoardFilters = { threatArea?: string; area?: string; agency?: string; agencyName?: string; band?: string; confidence?: number }

/** Whether any of a row's areas contains the text, in any case. */
const inArea = (areas: ReturnType<typeof sql.ref>, text: string) => sql<SqlBool>`EXISTS (SELECT 1 FROM unnest(${areas}) AS area WHERE area ILIKE ${containsPattern(text)})`

/** The owning agency filters: by id, and by part of the agency's name (the directory is not restricted). */
const ownedBy = (column: ReturnType<typeof sql.ref>, f: GroupBoardFilters) => sql<SqlBool>`true
  ${f.agency ? sql`AND ${column} = ${f.agency}` : sql``}
  ${f.agencyName ? sql`AND ${column} IN (SELECT agencies.id FROM agencies WHERE agencies.name ILIKE ${containsPattern(f.agencyName)})` : sql``}`

/**
 * One page of the groups the viewer may see, highest current score first, then the groups never
 * assessed by name. The assessed part is read in score order from assessments_board_idx and stops at
 * the page, so page 1 costs the same at 6,000 groups as at 60; the never-assessed part is read only
 * on the pages that reach it. The visibility rule applies in SQL and again through row-level security.
 */
export async function groupBoard(tx: Queryable, viewer: Viewer, modelKey: string, f: GroupBoardFilters, page: number, pageSize: number) {
  const groupWhere = sql<SqlBool>`${seen(viewer, GROUP_RECORD, 'ocgs')}
    ${f.threatArea ? sql`AND ocgs.threat_areas @> ARRAY[${f.threatArea}]::text[]` : sql``}
    ${f.area ? sql`AND ${inArea(sql.ref('ocgs.areas'), f.area)}` : sql``}
    AND ${ownedBy(sql.ref('ocgs.owning_agency_id'), f)}`
  const current = sql<SqlBool>`a.model_key = ${modelKey} AND a.subject_type = 'group' AND a.superseded_at IS NULL`
  const byAssessment = f.band !== undefined || f.confidence !== undefined
  const assessmentWhere = sql<SqlBool>`${current}
    ${f.band ? sql`AND a.band = ${f.band}` : sql``}
    ${f.confidence !== undefined ? sql`AND a.confidence = ${f.confidence}` : sql``}`
  const offset = (page - 1) * pageSize
  const countAssessed = sql`SELECT count(*) AS n FROM assessments a JOIN ocgs ON ocgs.id = a.group_id WHERE ${assessmentWhere} AND ${groupWhere}`
  const countVisible = sql`SELECT count(*) AS n FROM ocgs WHERE ${groupWhere}`

  // The page and the total in one statement (each round trip costs more than either): the total
  // is one row, and the page is joined to it, so an empty page still brings the total.
  const found = (
    await sql<GroupBoardRow & { total: number; ranked_group_id: string }>`
      SELECT total.n AS total, page.* FROM (${byAssessment ? countAssessed : countVisible}) AS total
      LEFT JOIN LATERAL (
        SELECT ${groupColumns}, ranked.*
        FROM (
          SELECT ${boardAssessmentColumns}, g.id AS ranked_group_id
          FROM assessments a
          -- Each assessment read in score order looks its group up by primary key (OFFSET 0 keeps
          -- it so; joined freely, PostgreSQL filtered every visible group and compared each with
          -- each assessment read: 10 ms a board, against 3 ms like this), and the lookup reads only
          -- what ranking needs, which ocgs_visibility_idx holds, so deep pages walk indexes alone.
          CROSS JOIN LATERAL (SELECT ocgs.id, ocgs.name FROM ocgs WHERE ocgs.id = a.group_id AND ${groupWhere} OFFSET 0) AS g
          WHERE ${assessmentWhere}
          ORDER BY a.score DESC, g.name, g.id
          LIMIT ${pageSize} OFFSET ${offset}) AS ranked
        JOIN ocgs ON ocgs.id = ranked.ranked_group_id) AS page ON true
      ORDER BY page.score DESC, page.name, page.id`.execute(tx)
  ).rows
  const total = Number(found[0]?.total ?? 0)
  const rows: GroupBoardRow[] = found.filter((r) => r.id !== null).map(({ total: _, ranked_group_id: __, ...r }) => r)
  if (byAssessment) return { rows, total }

  const countAssessedNow = async () => Number((await sql<{ n: number }>`${countAssessed}`.execute(tx)).rows[0]?.n ?? 0)
  if (rows.length < pageSize && offset + rows.length < total) {
    const assessedTotal = rows.length > 0 || offset === 0 ? offset + rows.length : await countAssessedNow()
    const unassessed = await sql<GroupBoardRow>`
      SELECT ${groupColumns}, ${noAssessmentColumns}
      FROM ocgs
      WHERE ${groupWhere} AND NOT EXISTS (SELECT 1 FROM assessments a WHERE ${isCurrentOf('a', modelKey, 'group', sql.ref('ocgs.id'))})
      ORDER BY ocgs.name, ocgs.id
      LIMIT ${pageSize - rows.length} OFFSET ${Math.max(0, offset - assessedTotal)}`.execute(tx)
    rows.push(...unassessed.rows)
  }
  return { rows, total }
}

export type ThreatBoardRow = { threat_area: string } & BoardAssessmentColumns

export async function threatBoard(tx: Queryable, modelKey: string): Promise<ThreatBoardRow[]> {
  const { rows } = await sql<ThreatBoardRow>`
    SELECT a.threat_area, ${boardAssessmentColumns}
    FROM assessments a
    WHERE a.model_key = ${modelKey} AND a.subject_type = 'threat_area' AND a.superseded_at IS NULL`.execute(tx)
  return rows
}

export type PeopleBoardFilters = GroupBoardFilters

/** The model keys whose current assessments feed the people ranking: people's own, and their groups'. */
export type ModelKeys = { personKey: string; groupKey: string }

export type PersonRankingInputs = {
  id: string
  own_score: number | null
  group_scores: number[] | null
  link_count: number
}

// A membership counts while it has started and not ended (dates are calendar dates).
const CURRENT_MEMBERSHIP = sql<SqlBool>`(ocg_members.start_date IS NULL OR ocg_members.start_date <= current_date)
  AND (ocg_members.end_date IS NULL OR ocg_members.end_date >= current_date)`

/**
 * What the people ranking may know about every suspect the viewer may see, and nothing else: the
 * suspect's own current score, the current scores of the visible groups they are a current member
 * of, and how many visible links they have to visible entities. Victims, people at risk and other
 * parties are never candidates (person_role = 'suspect'); no other property of a person is read.
 */
export async function peopleRankingInputs(tx: Queryable, viewer: Viewer, keys: ModelKeys, f: PeopleBoardFilters): Promise<PersonRankingInputs[]> {
  const visibleEntity = seen(viewer, ENTITY_RECORD, 'entities')
  const visibleGroup = seen(viewer, GROUP_RECORD, 'ocgs')
  const visibleLink = seen(viewer, LINK_RECORD, 'entity_links')
  const groupFilter = f.threatArea || f.area
  // One pass per source, gathered by person: joins between the sources made PostgreSQL misjudge
  // the sizes and loop (23 s at 50,000 people); a single aggregate does not.
  const { rows } = await sql<PersonRankingInputs>`
    WITH suspects AS MATERIALIZED (
      SELECT entities.id FROM entities
      WHERE entities.person_role = 'suspect' AND entities.schema = 'Person' AND ${visibleEntity}
        AND ${ownedBy(sql.ref('entities.owning_agency_id'), f)}
    ),
    visible_groups AS MATERIALIZED (
      SELECT ocgs.id, ocgs.threat_areas, ocgs.areas, ga.score
      FROM ocgs
      LEFT JOIN assessments ga ON ${isCurrentOf('ga', keys.groupKey, 'group', sql.ref('ocgs.id'))}
      WHERE ${visibleGroup}
    ),
    -- Any entity may be at the other end of a link (a phone, a vehicle, an address).
    visible_entities AS MATERIALIZED (
      SELECT entities.id FROM entities WHERE ${visibleEntity}
    ),
    inputs (person_id, suspect, own_score, own_band, own_confidence, group_score, in_chosen_group, link) AS (
      SELECT suspects.id, true, NULL::numeric, NULL::text, NULL::smallint, NULL::numeric, false, 0 FROM suspects
      UNION ALL
      SELECT own.person_id, false, own.score, own.band, own.confidence, NULL, false, 0
      FROM assessments own
      WHERE own.model_key = ${keys.personKey} AND own.subject_type = 'person' AND own.superseded_at IS NULL
      UNION ALL
      SELECT ocg_members.person_id, false, NULL, NULL, NULL, vg.score,
        ${groupFilter ? sql`(true ${f.threatArea ? sql`AND vg.threat_areas @> ARRAY[${f.threatArea}]::text[]` : sql``} ${f.area ? sql`AND ${inArea(sql.ref('vg.areas'), f.area)}` : sql``})` : sql`false`},
        0
      FROM ocg_members
      JOIN visible_groups vg ON vg.id = ocg_members.group_id
      WHERE ${CURRENT_MEMBERSHIP}
      UNION ALL
      -- Each visible link counts once for each of its ends, if the other end is visible too.
      SELECT ends.person_id, false, NULL, NULL, NULL, NULL, false, 1
      FROM entity_links
      CROSS JOIN LATERAL (VALUES (entity_links.subject_id, entity_links.object_id), (entity_links.object_id, entity_links.subject_id)) AS ends (person_id, other_id)
      JOIN visible_entities ve ON ve.id = ends.other_id
      WHERE ${visibleLink}
    )
    SELECT person_id AS id, max(own_score) AS own_score,
      array_agg(group_score ORDER BY group_score DESC) FILTER (WHERE group_score IS NOT NULL) AS group_scores,
      sum(link)::int AS link_count
    FROM inputs
    GROUP BY person_id
    HAVING bool_or(suspect)
      ${groupFilter ? sql`AND bool_or(in_chosen_group)` : sql``}
      ${f.band ? sql`AND max(own_band) = ${f.band}` : sql``}
      ${f.confidence !== undefined ? sql`AND max(own_confidence) = ${f.confidence}` : sql``}`.execute(tx)
  return rows.map((r) => ({ ...r, link_count: Number(r.link_count) }))
}

export type PersonBoardDetail = {
  id: string
  caption: string
  own_id: string | null
  own_score: number | null
  own_band: string | null
  own_confidence: number | null
  own_opportunity: string | null
  own_model_id: string | null
  own_scored_at: Date | null
  groups: Array<{ id: string; name: string; score: number }> | null
}

/** Names, own assessments and assessed groups of the people shown on the board (the top N only). */
export async function peopleBoardDetails(tx: Queryable, viewer: Viewer, keys: ModelKeys, ids: readonly string[]): Promise<PersonBoardDetail[]> {
  if (ids.length === 0) return []
  const { rows } = await sql<PersonBoardDetail>`
    SELECT entities.id, entities.caption, own.id AS own_id, own.score AS own_score, own.band AS own_band, own.confidence AS own_confidence,
      own.opportunity AS own_opportunity, own.model_id AS own_model_id, own.scored_at AS own_scored_at,
      (SELECT jsonb_agg(jsonb_build_object('id', ocgs.id, 'name', ocgs.name, 'score', ga.score) ORDER BY ga.score DESC, ocgs.name)
         FROM ocg_members
         JOIN ocgs ON ocgs.id = ocg_members.group_id
         JOIN assessments ga ON ga.group_id = ocgs.id AND ga.model_key = ${keys.groupKey} AND ga.subject_type = 'group' AND ga.superseded_at IS NULL
         WHERE ocg_members.person_id = entities.id AND ${CURRENT_MEMBERSHIP} AND ${seen(viewer, GROUP_RECORD, 'ocgs')}) AS groups
    FROM entities
    LEFT JOIN assessments own ON own.person_id = entities.id AND own.model_key = ${keys.personKey} AND own.subject_type = 'person' AND own.superseded_at IS NULL
    WHERE entities.id IN (${sql.join(ids.map((id) => sql`${id}::uuid`))}) AND ${seen(viewer, ENTITY_RECORD, 'entities')}`.execute(tx)
  return rows
}
