import { sql, type Expression, type SqlBool } from 'kysely'
import type { Viewer } from '../../core/access/visibility.ts'
import type { Queryable } from '../../db/context.ts'
import { visibleTo } from '../../db/visibility.ts'

// The only SQL on the matching tables. A dataset is read through the visibility rule; what hangs
// off datasets (records, models, runs, pairs, decisions) is reached through visible datasets, and
// row-level security applies the same rule again.

export const RECORD_TYPE = 'match_dataset'
export const RUN_RECORD_TYPE = 'match_run'
export const PAIR_RECORD_TYPE = 'match_pair'
export const UPLOAD_RECORD_TYPE = 'match_upload'

// The rule is written against the alias "d" (a table reference in raw SQL).
const seenDataset = (viewer: Viewer): Expression<SqlBool> => visibleTo(viewer, RECORD_TYPE, 'd' as 'match_datasets')(undefined as never)

/** Uploads are kept this long between the upload and the import. */
const UPLOAD_HOURS = 24

// Uploads

export async function purgeUploads(db: Queryable, now: Date): Promise<void> {
  await db.deleteFrom('match_uploads').where('created_at', '<', new Date(now.getTime() - UPLOAD_HOURS * 3_600_000)).execute()
}

export async function insertUpload(db: Queryable, u: { fileName: string; content: string; createdBy: string; agencyId: string }): Promise<string> {
  const row = await db.insertInto('match_uploads').values({ file_name: u.fileName, content: u.content, created_by: u.createdBy, agency_id: u.agencyId }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

export type UploadRow = { id: string; fileName: string; content: string; settings: Record<string, unknown> | null; createdAt: Date }

export async function findUpload(db: Queryable, userId: string, id: string, now: Date): Promise<UploadRow | null> {
  const row = await db
    .selectFrom('match_uploads')
    .select(['id', 'file_name', 'content', 'settings', 'created_at'])
    .where('id', '=', id)
    .where('created_by', '=', userId)
    .where('created_at', '>=', new Date(now.getTime() - UPLOAD_HOURS * 3_600_000))
    .executeTakeFirst()
  return row ? { id: row.id, fileName: row.file_name, content: row.content, settings: (row.settings as Record<string, unknown> | null) ?? null, createdAt: row.created_at } : null
}

export async function saveUploadSettings(db: Queryable, userId: string, id: string, settings: Record<string, unknown>): Promise<void> {
  await db.updateTable('match_uploads').set({ settings: JSON.stringify(settings) }).where('id', '=', id).where('created_by', '=', userId).execute()
}

export async function deleteUpload(db: Queryable, userId: string, id: string): Promise<void> {
  await db.deleteFrom('match_uploads').where('id', '=', id).where('created_by', '=', userId).execute()
}

// Datasets

export type DatasetInsert = {
  name: string
  kind: string
  fileName: string
  fileFormat: string
  encoding: string | null
  sheet: string | null
  idColumn: string
  mapping: Record<string, string[]>
  fields: string[]
  recordCount: number
  purpose: string
  protectiveMarking: string
  handlingCode: string
  handlingConditions: string | null
  sharingScope: string
  reviewDate: string
}

export async function insertDataset(db: Queryable, d: DatasetInsert, agencyId: string, userId: string): Promise<string> {
  const row = await db
    .insertInto('match_datasets')
    .values({
      name: d.name,
      kind: d.kind,
      file_name: d.fileName,
      file_format: d.fileFormat,
      encoding: d.encoding,
      sheet: d.sheet,
      id_column: d.idColumn,
      mapping: JSON.stringify(d.mapping),
      fields: d.fields,
      record_count: d.recordCount,
      owning_agency_id: agencyId,
      purpose: d.purpose,
      protective_marking: d.protectiveMarking,
      handling_code: d.handlingCode,
      handling_conditions: d.handlingCode === 'C' ? d.handlingConditions : null,
      sharing_scope: d.sharingScope,
      review_date: d.reviewDate,
      created_by: userId,
      updated_by: userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function insertRecords(db: Queryable, datasetId: string, records: ReadonlyArray<{ id: string; row: number; values: Record<string, string> }>): Promise<void> {
  if (records.length === 0) return
  await db
    .insertInto('match_dataset_records')
    .values(records.map((r) => ({ dataset_id: datasetId, record_id: r.id, row_number: r.row, field_values: JSON.stringify(r.values) })))
    .execute()
}

const datasetColumns = [
  'd.id',
  'd.name',
  'd.kind',
  'd.file_name',
  'd.file_format',
  'd.encoding',
  'd.sheet',
  'd.id_column',
  'd.mapping',
  'd.fields',
  'd.record_count',
  'd.owning_agency_id',
  'd.purpose',
  'd.protective_marking',
  'd.handling_code',
  'd.handling_conditions',
  'd.sharing_scope',
  'd.review_date',
  'd.created_at',
  'a.name as agency_name',
] as const

export type DatasetRow = {
  id: string
  name: string
  kind: 'person' | 'business'
  fileName: string
  fileFormat: string
  idColumn: string
  mapping: Record<string, string[]>
  fields: string[]
  recordCount: number
  owningAgencyId: string
  owningAgencyName: string
  purpose: string
  protectiveMarking: string
  handlingCode: string
  handlingConditions: string | null
  sharingScope: string
  reviewDate: string
  createdAt: string
}

const dayOf = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10))

function toDataset(r: Record<string, unknown>): DatasetRow {
  return {
    id: r.id as string,
    name: r.name as string,
    kind: r.kind as DatasetRow['kind'],
    fileName: r.file_name as string,
    fileFormat: r.file_format as string,
    idColumn: r.id_column as string,
    mapping: r.mapping as Record<string, string[]>,
    fields: r.fields as string[],
    recordCount: r.record_count as number,
    owningAgencyId: r.owning_agency_id as string,
    owningAgencyName: r.agency_name as string,
    purpose: r.purpose as string,
    protectiveMarking: r.protective_marking as string,
    handlingCode: r.handling_code as string,
    handlingConditions: r.handling_conditions as string | null,
    sharingScope: r.sharing_scope as string,
    reviewDate: dayOf(r.review_date),
    createdAt: (r.created_at as Date).toISOString(),
  }
}

export async function visibleDatasets(db: Queryable, viewer: Viewer): Promise<DatasetRow[]> {
  const rows = await db
    .selectFrom('match_datasets as d')
    .innerJoin('agencies as a', 'a.id', 'd.owning_agency_id')
    .select(datasetColumns)
    .where(() => seenDataset(viewer))
    .orderBy('d.created_at', 'desc')
    .limit(500)
    .execute()
  return rows.map((r) => toDataset(r as Record<string, unknown>))
}

export async function findVisibleDataset(db: Queryable, viewer: Viewer, id: string): Promise<DatasetRow | null> {
  const row = await db
    .selectFrom('match_datasets as d')
    .innerJoin('agencies as a', 'a.id', 'd.owning_agency_id')
    .select(datasetColumns)
    .where('d.id', '=', id)
    .where(() => seenDataset(viewer))
    .executeTakeFirst()
  return row ? toDataset(row as Record<string, unknown>) : null
}

export async function updateHandling(db: Queryable, id: string, s: { protectiveMarking: string; handlingCode: string; handlingConditions: string | null; sharingScope: string }, by: string): Promise<void> {
  await db
    .updateTable('match_datasets')
    .set({ protective_marking: s.protectiveMarking, handling_code: s.handlingCode, handling_conditions: s.handlingCode === 'C' ? s.handlingConditions : null, sharing_scope: s.sharingScope, updated_by: by, updated_at: sql`now()`, row_version: sql`row_version + 1` })
    .where('id', '=', id)
    .execute()
}

export async function deleteDataset(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('match_datasets').where('id', '=', id).execute()
}

export async function datasetExists(db: Queryable, id: string): Promise<boolean> {
  return (await db.selectFrom('match_datasets').select('id').where('id', '=', id).executeTakeFirst()) !== undefined
}

export type PartnerRecord = { recordId: string; row: number; values: Record<string, string> }

export async function datasetRecords(db: Queryable, datasetId: string, limit?: number): Promise<PartnerRecord[]> {
  let query = db.selectFrom('match_dataset_records').select(['record_id', 'row_number', 'field_values']).where('dataset_id', '=', datasetId).orderBy('row_number')
  if (limit !== undefined) query = query.limit(limit)
  const rows = await query.execute()
  return rows.map((r) => ({ recordId: r.record_id, row: r.row_number, values: r.field_values }))
}

export async function recordsByIds(db: Queryable, datasetId: string, ids: readonly string[]): Promise<Map<string, PartnerRecord>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('match_dataset_records').select(['record_id', 'row_number', 'field_values']).where('dataset_id', '=', datasetId).where('record_id', 'in', [...new Set(ids)]).execute()
  return new Map(rows.map((r) => [r.record_id, { recordId: r.record_id, row: r.row_number, values: r.field_values }]))
}

// Models

export type ModelRow = { id: string; fields: string[]; model: unknown; trainedAt: Date; trainedBy: string | null }

export async function findModel(db: Queryable, left: string, right: string): Promise<ModelRow | null> {
  const row = await db.selectFrom('match_models').select(['id', 'fields', 'model', 'trained_at', 'trained_by']).where('left_dataset_id', '=', left).where('right_dataset_id', '=', right).executeTakeFirst()
  return row ? { id: row.id, fields: row.fields, model: row.model, trainedAt: row.trained_at, trainedBy: row.trained_by } : null
}

export async function saveModel(db: Queryable, m: { left: string; right: string; kind: string; fields: string[]; model: unknown; by: string }): Promise<void> {
  await db
    .insertInto('match_models')
    .values({ left_dataset_id: m.left, right_dataset_id: m.right, kind: m.kind, fields: m.fields, model: JSON.stringify(m.model), trained_by: m.by })
    .onConflict((oc) => oc.columns(['left_dataset_id', 'right_dataset_id']).doUpdateSet({ kind: m.kind, fields: m.fields, model: JSON.stringify(m.model), trained_by: m.by, trained_at: sql`now()` }))
    .execute()
}

/** The models of the pairs a dataset is in, with the other dataset's name. */
export async function modelsOf(db: Queryable, datasetId: string) {
  return db
    .selectFrom('match_models as m')
    .innerJoin('match_datasets as l', 'l.id', 'm.left_dataset_id')
    .innerJoin('match_datasets as r', 'r.id', 'm.right_dataset_id')
    .select(['m.id', 'm.left_dataset_id', 'm.right_dataset_id', 'l.name as left_name', 'r.name as right_name', 'm.trained_at', 'm.fields'])
    .where((eb) => eb.or([eb('m.left_dataset_id', '=', datasetId), eb('m.right_dataset_id', '=', datasetId)]))
    .orderBy('m.trained_at', 'desc')
    .execute()
}

// Runs and pairs

export type RunInsert = {
  left: string
  right: string
  kind: string
  matchThreshold: number
  reviewThreshold: number
  model: unknown
  modelTrained: boolean
  decisionsApplied: number
  figures: unknown
  runBy: string
  agencyId: string
}

export async function insertRun(db: Queryable, r: RunInsert): Promise<string> {
  const row = await db
    .insertInto('match_runs')
    .values({
      left_dataset_id: r.left,
      right_dataset_id: r.right,
      kind: r.kind,
      match_threshold: r.matchThreshold,
      review_threshold: r.reviewThreshold,
      model: JSON.stringify(r.model),
      model_trained: r.modelTrained,
      decisions_applied: r.decisionsApplied,
      figures: JSON.stringify(r.figures),
      run_by: r.runBy,
      agency_id: r.agencyId,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export type PairInsert = { leftRecordId: string; rightRecordId: string; weight: number; probability: number; band: string; decision: string | null; explanation: unknown; cluster: number }

export async function insertPairs(db: Queryable, runId: string, pairs: readonly PairInsert[]): Promise<void> {
  for (let i = 0; i < pairs.length; i += 500) {
    await db
      .insertInto('match_pairs')
      .values(
        pairs.slice(i, i + 500).map((p) => ({
          run_id: runId,
          left_record_id: p.leftRecordId,
          right_record_id: p.rightRecordId,
          weight: p.weight,
          probability: p.probability,
          band: p.band,
          decision: p.decision,
          explanation: JSON.stringify(p.explanation),
          cluster: p.cluster,
        })),
      )
      .execute()
  }
}

export type RunRow = {
  id: string
  leftDatasetId: string
  rightDatasetId: string
  leftName: string
  rightName: string
  kind: string
  matchThreshold: number
  reviewThreshold: number
  model: unknown
  modelTrained: boolean
  decisionsApplied: number
  figures: unknown
  runBy: string
  createdAt: Date
}

const runColumns = [
  'r.id',
  'r.left_dataset_id',
  'r.right_dataset_id',
  'l.name as left_name',
  'rd.name as right_name',
  'r.kind',
  'r.match_threshold',
  'r.review_threshold',
  'r.model',
  'r.model_trained',
  'r.decisions_applied',
  'r.figures',
  'r.run_by',
  'r.created_at',
] as const

function toRun(r: Record<string, unknown>): RunRow {
  return {
    id: r.id as string,
    leftDatasetId: r.left_dataset_id as string,
    rightDatasetId: r.right_dataset_id as string,
    leftName: r.left_name as string,
    rightName: r.right_name as string,
    kind: r.kind as string,
    matchThreshold: Number(r.match_threshold),
    reviewThreshold: Number(r.review_threshold),
    model: r.model,
    modelTrained: r.model_trained as boolean,
    decisionsApplied: r.decisions_applied as number,
    figures: r.figures,
    runBy: r.run_by as string,
    createdAt: r.created_at as Date,
  }
}

/** Runs whose datasets row-level security lets the user see (the policy on match_runs). */
function runs(db: Queryable) {
  return db.selectFrom('match_runs as r').innerJoin('match_datasets as l', 'l.id', 'r.left_dataset_id').innerJoin('match_datasets as rd', 'rd.id', 'r.right_dataset_id')
}

export async function findRun(db: Queryable, id: string): Promise<RunRow | null> {
  const row = await runs(db).select(runColumns).where('r.id', '=', id).executeTakeFirst()
  return row ? toRun(row as Record<string, unknown>) : null
}

export async function recentRuns(db: Queryable, limit = 50, datasetId?: string): Promise<RunRow[]> {
  let query = runs(db).select(runColumns).orderBy('r.created_at', 'desc').limit(limit)
  if (datasetId) query = query.where((eb) => eb.or([eb('r.left_dataset_id', '=', datasetId), eb('r.right_dataset_id', '=', datasetId)]))
  return (await query.execute()).map((r) => toRun(r as Record<string, unknown>))
}

export async function runExists(db: Queryable, id: string): Promise<boolean> {
  return (await db.selectFrom('match_runs').select('id').where('id', '=', id).executeTakeFirst()) !== undefined
}

export type PairRow = { id: string; runId: string; leftRecordId: string; rightRecordId: string; weight: number; probability: number; band: string; decisionAtRun: string | null; explanation: unknown; cluster: number }

const pairColumns = ['p.id', 'p.run_id', 'p.left_record_id', 'p.right_record_id', 'p.weight', 'p.probability', 'p.band', 'p.decision', 'p.explanation', 'p.cluster'] as const

function toPair(r: Record<string, unknown>): PairRow {
  return {
    id: r.id as string,
    runId: r.run_id as string,
    leftRecordId: r.left_record_id as string,
    rightRecordId: r.right_record_id as string,
    weight: Number(r.weight),
    probability: Number(r.probability),
    band: r.band as string,
    decisionAtRun: r.decision as string | null,
    explanation: r.explanation,
    cluster: r.cluster as number,
  }
}

export async function runPairs(db: Queryable, runId: string, band: string | null, limit: number): Promise<PairRow[]> {
  let query = db.selectFrom('match_pairs as p').select(pairColumns).where('p.run_id', '=', runId).orderBy('p.probability', 'desc').orderBy('p.id').limit(limit)
  if (band) query = query.where('p.band', '=', band)
  return (await query.execute()).map((r) => toPair(r as Record<string, unknown>))
}

export async function pairCounts(db: Queryable, runId: string): Promise<Record<string, number>> {
  const rows = await db.selectFrom('match_pairs').select(['band', (eb) => eb.fn.countAll<number>().as('n')]).where('run_id', '=', runId).groupBy('band').execute()
  return Object.fromEntries(rows.map((r) => [r.band, Number(r.n)]))
}

export async function findPair(db: Queryable, id: string): Promise<PairRow | null> {
  const row = await db.selectFrom('match_pairs as p').select(pairColumns).where('p.id', '=', id).executeTakeFirst()
  return row ? toPair(row as Record<string, unknown>) : null
}

export async function pairExists(db: Queryable, id: string): Promise<boolean> {
  return (await db.selectFrom('match_pairs').select('id').where('id', '=', id).executeTakeFirst()) !== undefined
}

/**
 * The review queue: pairs of the latest run of each dataset pair, between the review and match
 * thresholds, with no decision in force but "unsure".
 */
export async function reviewQueue(db: Queryable, limit: number): Promise<Array<PairRow & { leftDatasetId: string; rightDatasetId: string; leftName: string; rightName: string; current: string | null }>> {
  const { rows } = await sql<Record<string, unknown>>`
    WITH latest AS (
      SELECT DISTINCT ON (left_dataset_id, right_dataset_id) id, left_dataset_id, right_dataset_id
      FROM match_runs ORDER BY left_dataset_id, right_dataset_id, created_at DESC, id)
    SELECT p.id, p.run_id, p.left_record_id, p.right_record_id, p.weight, p.probability, p.band, p.decision, p.explanation, p.cluster,
      r.left_dataset_id, r.right_dataset_id, l.name AS left_name, rd.name AS right_name, d.decision AS current
    FROM latest r
    JOIN match_pairs p ON p.run_id = r.id AND p.band = 'review'
    JOIN match_datasets l ON l.id = r.left_dataset_id
    JOIN match_datasets rd ON rd.id = r.right_dataset_id
    LEFT JOIN LATERAL (
      SELECT decision FROM match_decisions x
      WHERE x.left_dataset_id = r.left_dataset_id AND x.right_dataset_id = r.right_dataset_id
        AND x.left_record_id = p.left_record_id AND x.right_record_id = p.right_record_id
      ORDER BY x.id DESC LIMIT 1) d ON true
    WHERE d.decision IS NULL OR d.decision = 'unsure'
    ORDER BY (d.decision IS NOT NULL), p.probability DESC, p.id
    LIMIT ${limit}`.execute(db)
  return rows.map((r) => ({ ...toPair(r), leftDatasetId: r.left_dataset_id as string, rightDatasetId: r.right_dataset_id as string, leftName: r.left_name as string, rightName: r.right_name as string, current: (r.current as string | null) ?? null }))
}

// Decisions

export type DecisionRow = { id: string; leftRecordId: string; rightRecordId: string; decision: string; reason: string | null; replacesId: string | null; decidedBy: string; decidedAt: Date }

/** The decision in force for every pair of records of a dataset pair: the latest made. */
export async function currentDecisions(db: Queryable, left: string, right: string): Promise<DecisionRow[]> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT DISTINCT ON (left_record_id, right_record_id) id::text AS id, left_record_id, right_record_id, decision, reason, replaces_id::text AS replaces_id, decided_by, decided_at
    FROM match_decisions WHERE left_dataset_id = ${left} AND right_dataset_id = ${right}
    ORDER BY left_record_id, right_record_id, id DESC`.execute(db)
  return rows.map(toDecision)
}

function toDecision(r: Record<string, unknown>): DecisionRow {
  return {
    id: r.id as string,
    leftRecordId: r.left_record_id as string,
    rightRecordId: r.right_record_id as string,
    decision: r.decision as string,
    reason: r.reason as string | null,
    replacesId: r.replaces_id as string | null,
    decidedBy: r.decided_by as string,
    decidedAt: r.decided_at as Date,
  }
}

/** Every decision on one pair of records, the latest first. */
export async function decisionHistory(db: Queryable, left: string, right: string, leftRecordId: string, rightRecordId: string): Promise<DecisionRow[]> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT id::text AS id, left_record_id, right_record_id, decision, reason, replaces_id::text AS replaces_id, decided_by, decided_at
    FROM match_decisions WHERE left_dataset_id = ${left} AND right_dataset_id = ${right} AND left_record_id = ${leftRecordId} AND right_record_id = ${rightRecordId}
    ORDER BY id DESC`.execute(db)
  return rows.map(toDecision)
}

export async function insertDecision(
  db: Queryable,
  d: { left: string; leftRecordId: string; right: string; rightRecordId: string; decision: string; reason: string | null; replacesId: string | null; pairId: string; by: string; agencyId: string },
): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO match_decisions (left_dataset_id, left_record_id, right_dataset_id, right_record_id, decision, reason, replaces_id, pair_id, decided_by, agency_id)
    VALUES (${d.left}, ${d.leftRecordId}, ${d.right}, ${d.rightRecordId}, ${d.decision}, ${d.reason}, ${d.replacesId}, ${d.pairId}, ${d.by}, ${d.agencyId})
    RETURNING id::text AS id`.execute(db)
  return rows[0]!.id
}

// Links from partner records to entities

export async function entityLinksOf(db: Queryable, records: ReadonlyArray<{ datasetId: string; recordId: string }>) {
  if (records.length === 0) return []
  return db
    .selectFrom('match_entity_links as k')
    .innerJoin('entities as e', 'e.id', 'k.entity_id')
    .select(['k.id', 'k.dataset_id', 'k.record_id', 'k.entity_id', 'e.caption', 'k.reason', 'k.linked_at'])
    .where('k.removed_at', 'is', null)
    .where((eb) => eb.or(records.map((r) => eb.and([eb('k.dataset_id', '=', r.datasetId), eb('k.record_id', '=', r.recordId)]))))
    .orderBy('k.linked_at')
    .execute()
}

export async function insertEntityLink(db: Queryable, l: { datasetId: string; recordId: string; entityId: string; pairId: string; reason: string; by: string; agencyId: string }): Promise<string | null> {
  const row = await db
    .insertInto('match_entity_links')
    .values({ dataset_id: l.datasetId, record_id: l.recordId, entity_id: l.entityId, pair_id: l.pairId, reason: l.reason, linked_by: l.by, agency_id: l.agencyId })
    .onConflict((oc) => oc.columns(['dataset_id', 'record_id', 'entity_id']).where('removed_at', 'is', null).doNothing())
    .returning('id')
    .executeTakeFirst()
  return row?.id ?? null
}
