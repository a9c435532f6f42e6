import { sql, type ColumnType, type Generated } from 'kysely'
import type { Viewer } from '../../core/access/visibility.ts'
import type { EncodedLine, EncodingParameters } from '../../core/matching/privacy/encode.ts'
import type { MatchModel } from '../../core/matching/model.ts'
import type { Queryable } from '../../db/context.ts'

// The only SQL that touches the privacy-preserving index. An agency reads its own upload, its own
// queries and the hits on its own records, in the application's SQL and again under row-level
// security (migration 0024). Reading every agency's encodings to match them is the matcher's alone:
// those functions say so, and the service runs them with the owner's privileges.

export const UPLOAD_RECORD = 'privacy_upload'
export const QUERY_RECORD = 'privacy_query'

type CreatedTimestamp = ColumnType<Date, Date | string | undefined, never>
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type Json<T> = ColumnType<T, string, string>

/** The tables this module owns, as Kysely sees them (kept here so the module is one folder). */
export type PrivacyTables = {
  privacy_uploads: {
    id: Generated<string>
    owning_agency_id: string
    kind: string
    key_check: string
    parameters: Json<EncodingParameters>
    record_count: number
    file_name: string | null
    contact: string
    purpose: string
    protective_marking: Generated<string>
    handling_code: Generated<string>
    handling_conditions: string | null
    sharing_scope: Generated<string>
    review_date: ColumnType<string, string, string>
    created_at: CreatedTimestamp
    created_by: string | null
    updated_at: Timestamp
    updated_by: string | null
    row_version: Generated<number>
  }
  privacy_encodings: { upload_id: string; ref: string; fields: Json<Record<string, string>>; clk: string; blocks: Json<Record<string, string>> }
  privacy_models: { kind: string; key_check: string; fingerprint: string; model: Json<MatchModel>; trained_at: Timestamp }
  privacy_queries: {
    id: Generated<string>
    requesting_agency_id: string
    requested_by: string
    kind: string
    mode: string
    purpose: string
    records_asked: number
    hits: number
    created_at: CreatedTimestamp
  }
  privacy_query_hits: { id: Generated<number>; query_id: string; asked_ref: string | null; holder_agency_id: string; holder_ref: string; strength: string; contact: string }
}

const t = (db: Queryable) => db.withTables<PrivacyTables>()

export type UploadRow = {
  id: string
  agencyId: string
  kind: 'person' | 'business'
  keyCheck: string
  parameters: EncodingParameters
  records: number
  fileName: string | null
  contact: string
  purpose: string
  reviewDate: string
  createdAt: Date
  updatedAt: Date
  rowVersion: number
}

function uploadColumns(db: Queryable) {
  return t(db).selectFrom('privacy_uploads').select(['id', 'owning_agency_id', 'kind', 'key_check', 'parameters', 'record_count', 'file_name', 'contact', 'purpose', 'review_date', 'created_at', 'updated_at', 'row_version'])
}
type UploadDbRow = Awaited<ReturnType<ReturnType<typeof uploadColumns>['executeTakeFirstOrThrow']>>
const toUpload = (r: UploadDbRow): UploadRow => ({
  id: r.id, agencyId: r.owning_agency_id, kind: r.kind as UploadRow['kind'], keyCheck: r.key_check, parameters: r.parameters, records: r.record_count,
  fileName: r.file_name, contact: r.contact, purpose: r.purpose, reviewDate: String(r.review_date), createdAt: r.created_at, updatedAt: r.updated_at, rowVersion: r.row_version,
})

/** The viewer's agency's own uploads: the visibility rule of this table is "your agency's". */
export async function ownUploads(db: Queryable, viewer: Viewer): Promise<UploadRow[]> {
  if (!viewer.capabilities.includes('records.read')) return []
  const rows = await uploadColumns(db).where('owning_agency_id', '=', viewer.agencyId).orderBy('kind').execute()
  return rows.map(toUpload)
}

export type NewUpload = { agencyId: string; kind: string; keyCheck: string; parameters: EncodingParameters; records: number; fileName: string | null; contact: string; purpose: string; reviewDate: string; by: string }

/**
 * Stores the upload's description, replacing the agency's earlier upload of the kind in the same
 * statement (two uploads at once cannot both insert); its id and whether it replaced one.
 */
export async function saveUpload(db: Queryable, u: NewUpload): Promise<{ id: string; replaced: boolean }> {
  const values = {
    key_check: u.keyCheck, parameters: JSON.stringify(u.parameters), record_count: u.records, file_name: u.fileName, contact: u.contact, purpose: u.purpose, review_date: u.reviewDate,
    updated_by: u.by, updated_at: new Date(),
  }
  const row = await t(db).insertInto('privacy_uploads').values({ ...values, owning_agency_id: u.agencyId, kind: u.kind, created_by: u.by })
    .onConflict((oc) => oc.columns(['owning_agency_id', 'kind']).doUpdateSet({ ...values, row_version: sql`privacy_uploads.row_version + 1` }))
    // xmax is set on a row version made by the update arm: the upload replaced one.
    .returning(['id', sql<boolean>`xmax <> 0`.as('replaced')]).executeTakeFirstOrThrow()
  return { id: row.id, replaced: Boolean(row.replaced) }
}

export async function deleteEncodings(db: Queryable, uploadId: string): Promise<void> {
  await t(db).deleteFrom('privacy_encodings').where('upload_id', '=', uploadId).execute()
}

/** The encoded records, in batches small enough for any driver's parameter limit. */
export async function insertEncodings(db: Queryable, uploadId: string, lines: readonly EncodedLine[]): Promise<void> {
  for (let i = 0; i < lines.length; i += 1000) {
    await t(db).insertInto('privacy_encodings').values(lines.slice(i, i + 1000).map((l) => ({ upload_id: uploadId, ref: l.ref, fields: JSON.stringify(l.fields), clk: l.clk, blocks: JSON.stringify(l.blocks) }))).execute()
  }
}

export async function deleteUpload(db: Queryable, viewer: Viewer, kind: string): Promise<string | null> {
  const row = await t(db).deleteFrom('privacy_uploads').where('owning_agency_id', '=', viewer.agencyId).where('kind', '=', kind).returning('id').executeTakeFirst()
  return row?.id ?? null
}

/** The encoded records of uploads, by upload, in the order they were given. */
export async function encodingsOf(db: Queryable, uploadIds: readonly string[]): Promise<Map<string, EncodedLine[]>> {
  const out = new Map<string, EncodedLine[]>(uploadIds.map((id) => [id, []]))
  if (uploadIds.length === 0) return out
  const rows = await t(db).selectFrom('privacy_encodings').select(['upload_id', 'ref', 'fields', 'clk', 'blocks']).where('upload_id', 'in', [...uploadIds]).orderBy('upload_id').orderBy('ref').execute()
  for (const r of rows) out.get(r.upload_id)!.push({ ref: r.ref, fields: r.fields, clk: r.clk, blocks: r.blocks })
  return out
}

// For the matcher only (the owner's privileges): every agency's uploads of a kind.

/** All agencies' uploads of a kind, for matching and for the key checks they were made with. */
export async function uploadsOfKind(db: Queryable, kind: string): Promise<UploadRow[]> {
  const rows = await uploadColumns(db).where('kind', '=', kind).orderBy('owning_agency_id').execute()
  return rows.map(toUpload)
}

export async function storedModel(db: Queryable, kind: string, keyCheck: string): Promise<{ fingerprint: string; model: MatchModel } | null> {
  const row = await t(db).selectFrom('privacy_models').select(['fingerprint', 'model']).where('kind', '=', kind).where('key_check', '=', keyCheck).executeTakeFirst()
  return row ?? null
}

export async function saveModel(db: Queryable, kind: string, keyCheck: string, fingerprint: string, model: MatchModel): Promise<void> {
  await t(db).insertInto('privacy_models').values({ kind, key_check: keyCheck, fingerprint, model: JSON.stringify(model) })
    .onConflict((oc) => oc.columns(['kind', 'key_check']).doUpdateSet({ fingerprint, model: JSON.stringify(model), trained_at: new Date() })).execute()
}

// Queries and their hits.

export type NewHit = { askedRef: string | null; holderAgencyId: string; holderRef: string; strength: 'strong' | 'probable'; contact: string }

export async function insertQuery(db: Queryable, q: { agencyId: string; by: string; kind: string; mode: string; purpose: string; recordsAsked: number; hits: readonly NewHit[] }): Promise<string> {
  const row = await t(db).insertInto('privacy_queries').values({ requesting_agency_id: q.agencyId, requested_by: q.by, kind: q.kind, mode: q.mode, purpose: q.purpose, records_asked: q.recordsAsked, hits: q.hits.length })
    .returning('id').executeTakeFirstOrThrow()
  for (let i = 0; i < q.hits.length; i += 1000) {
    await t(db).insertInto('privacy_query_hits').values(q.hits.slice(i, i + 1000).map((h) => ({ query_id: row.id, asked_ref: h.askedRef, holder_agency_id: h.holderAgencyId, holder_ref: h.holderRef, strength: h.strength, contact: h.contact }))).execute()
  }
  return row.id
}

export type QueryRow = { id: string; requestingAgencyId: string; requestedBy: string; kind: string; mode: string; purpose: string; recordsAsked: number; hits: number; createdAt: Date }

function queryColumns(db: Queryable) {
  return t(db).selectFrom('privacy_queries').select(['id', 'requesting_agency_id', 'requested_by', 'kind', 'mode', 'purpose', 'records_asked', 'hits', 'created_at'])
}
type QueryDbRow = Awaited<ReturnType<ReturnType<typeof queryColumns>['executeTakeFirstOrThrow']>>
const toQuery = (r: QueryDbRow): QueryRow => ({ id: r.id, requestingAgencyId: r.requesting_agency_id, requestedBy: r.requested_by, kind: r.kind, mode: r.mode, purpose: r.purpose, recordsAsked: r.records_asked, hits: r.hits, createdAt: r.created_at })

/** A query of the viewer's own agency. */
export async function findOwnQuery(db: Queryable, viewer: Viewer, id: string): Promise<QueryRow | null> {
  if (!viewer.capabilities.includes('records.read')) return null
  const row = await queryColumns(db).where('id', '=', id).where('requesting_agency_id', '=', viewer.agencyId).executeTakeFirst()
  return row ? toQuery(row) : null
}

export async function recentOwnQueries(db: Queryable, viewer: Viewer, limit: number): Promise<QueryRow[]> {
  if (!viewer.capabilities.includes('records.read')) return []
  const rows = await queryColumns(db).where('requesting_agency_id', '=', viewer.agencyId).orderBy('created_at', 'desc').orderBy('id').limit(limit).execute()
  return rows.map(toQuery)
}

export type HitRow = { askedRef: string | null; holderAgencyId: string; holderRef: string; strength: 'strong' | 'probable'; contact: string }

/** The hits of one of the viewer's agency's queries. */
export async function hitsOfOwnQuery(db: Queryable, viewer: Viewer, queryId: string): Promise<HitRow[]> {
  const rows = await t(db).selectFrom('privacy_query_hits as h').innerJoin('privacy_queries as q', 'q.id', 'h.query_id')
    .select(['h.asked_ref', 'h.holder_agency_id', 'h.holder_ref', 'h.strength', 'h.contact'])
    .where('h.query_id', '=', queryId).where('q.requesting_agency_id', '=', viewer.agencyId).orderBy('h.id').execute()
  return rows.map((r) => ({ askedRef: r.asked_ref, holderAgencyId: r.holder_agency_id, holderRef: r.holder_ref, strength: r.strength as HitRow['strength'], contact: r.contact }))
}

export type HitOnOurs = { queryId: string; at: Date; requestingAgencyId: string; purpose: string; holderRef: string; strength: string }

/** Other agencies' queries that hit the viewer's agency's records: who asked, when, why, and which of ours. */
export async function hitsOnOwnRecords(db: Queryable, viewer: Viewer, limit: number): Promise<HitOnOurs[]> {
  if (!viewer.capabilities.includes('records.read')) return []
  const rows = await t(db).selectFrom('privacy_query_hits as h').innerJoin('privacy_queries as q', 'q.id', 'h.query_id')
    .select(['h.query_id', 'q.created_at', 'q.requesting_agency_id', 'q.purpose', 'h.holder_ref', 'h.strength'])
    .where('h.holder_agency_id', '=', viewer.agencyId).orderBy('q.created_at', 'desc').orderBy('h.id').limit(limit).execute()
  return rows.map((r) => ({ queryId: r.query_id, at: r.created_at, requestingAgencyId: r.requesting_agency_id, purpose: r.purpose, holderRef: r.holder_ref, strength: r.strength }))
}
