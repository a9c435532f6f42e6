import { sql } from 'kysely'
import type { Viewer } from '../../core/access/visibility.ts'
import type { Queryable } from '../../db/context.ts'
import { pageOf } from '../../db/paging.ts'
import { visibleTo } from '../../db/visibility.ts'
import type { NoteInput, NoteListQuery, NoteSummaryOut } from './schema.ts'

export const RECORD_TYPE = 'note'

function noteColumns(db: Queryable) {
  return db
    .selectFrom('notes')
    .innerJoin('agencies as a', 'a.id', 'notes.owning_agency_id')
    .select([
      'notes.id', 'notes.subject', 'notes.owning_agency_id', 'a.name as owning_agency_name', 'notes.protective_marking',
      'notes.handling_code', 'notes.handling_conditions', 'notes.sharing_scope', 'notes.review_date', 'notes.created_at',
    ])
}
type SummaryRow = Awaited<ReturnType<ReturnType<typeof noteColumns>['executeTakeFirstOrThrow']>>

const toSummary = (r: SummaryRow): NoteSummaryOut => ({
  id: r.id,
  subject: r.subject,
  owningAgencyId: r.owning_agency_id,
  owningAgencyName: r.owning_agency_name,
  protectiveMarking: r.protective_marking as NoteSummaryOut['protectiveMarking'],
  handlingCode: r.handling_code as NoteSummaryOut['handlingCode'],
  handlingConditions: r.handling_conditions,
  sharingScope: r.sharing_scope as NoteSummaryOut['sharingScope'],
  reviewDate: r.review_date,
  createdAt: r.created_at.toISOString(),
})

/** Notes the viewer may see: filtered here by the visibility rule, and again by row-level security. */
export async function listVisibleNotes(db: Queryable, viewer: Viewer, q: NoteListQuery): Promise<{ rows: NoteSummaryOut[]; total: number }> {
  let query = noteColumns(db).where(visibleTo(viewer, RECORD_TYPE, 'notes'))
  if (q.q) query = query.where(sql<boolean>`notes.subject ILIKE ${'%' + q.q + '%'}`)
  if (q.owner === 'mine') query = query.where('notes.owning_agency_id', '=', viewer.agencyId)
  if (q.owner === 'others') query = query.where('notes.owning_agency_id', '<>', viewer.agencyId)
  const { rows, total } = await pageOf(query.orderBy('notes.created_at', 'desc').orderBy('notes.id'), q.page)
  return { rows: rows.map(toSummary), total }
}

export async function findVisibleNote(db: Queryable, viewer: Viewer, id: string) {
  const row = await noteColumns(db)
    .select(['notes.body', 'notes.purpose', 'notes.created_by', 'notes.row_version'])
    .where('notes.id', '=', id)
    .where(visibleTo(viewer, RECORD_TYPE, 'notes'))
    .executeTakeFirst()
  return row ? { ...toSummary(row), body: row.body, purpose: row.purpose, createdById: row.created_by, rowVersion: row.row_version } : null
}

export async function insertNote(db: Queryable, n: NoteInput, agencyId: string, by: string): Promise<string> {
  const row = await db
    .insertInto('notes')
    .values({
      owning_agency_id: agencyId,
      subject: n.subject,
      body: n.body,
      purpose: n.purpose,
      protective_marking: n.protectiveMarking,
      handling_code: n.handlingCode,
      handling_conditions: n.handlingCode === 'C' ? n.handlingConditions : null,
      sharing_scope: n.sharingScope,
      review_date: n.reviewDate,
      created_by: by,
      updated_by: by,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function deleteNote(db: Queryable, id: string): Promise<boolean> {
  const result = await db.deleteFrom('notes').where('id', '=', id).executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}

/**
 * The home page's figures. Each is bounded by an index (the agency's own notes, or the last 7 days)
 * so the page stays quick however many notes the partnership holds.
 */
export async function noteCounts(db: Queryable, viewer: Viewer) {
  const recent = sql<boolean>`notes.created_at >= now() - interval '7 days'`
  const row = await db
    .selectFrom('notes')
    .where(visibleTo(viewer, RECORD_TYPE, 'notes'))
    .where((eb) => eb.or([eb('notes.owning_agency_id', '=', viewer.agencyId), recent]))
    .select([
      sql<number>`count(*) FILTER (WHERE notes.owning_agency_id = ${viewer.agencyId})`.as('mine'),
      sql<number>`count(*) FILTER (WHERE notes.owning_agency_id = ${viewer.agencyId} AND notes.review_date <= current_date)`.as('reviewDue'),
      sql<number>`count(*) FILTER (WHERE notes.owning_agency_id <> ${viewer.agencyId} AND ${recent})`.as('sharedRecently'),
    ])
    .executeTakeFirstOrThrow()
  return { mine: Number(row.mine), reviewDue: Number(row.reviewDue), sharedRecently: Number(row.sharedRecently) }
}

export type NoteRowInput = NoteInput & { id: string; owningAgencyId: string; createdBy: string; createdAt: string }

export async function insertNotes(db: Queryable, rows: readonly NoteRowInput[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    await db
      .insertInto('notes')
      .values(
        rows.slice(i, i + 1000).map((n) => ({
          id: n.id, owning_agency_id: n.owningAgencyId, subject: n.subject, body: n.body, purpose: n.purpose,
          protective_marking: n.protectiveMarking, handling_code: n.handlingCode, handling_conditions: n.handlingConditions,
          sharing_scope: n.sharingScope, review_date: n.reviewDate, created_by: n.createdBy, updated_by: n.createdBy,
          created_at: n.createdAt, updated_at: n.createdAt,
        })),
      )
      .execute()
  }
}
