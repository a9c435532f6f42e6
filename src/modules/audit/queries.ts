import { isUuid } from '../../core/ids.ts'
import { sql } from 'kysely'
import { queueWithCommit, type Queryable } from '../../db/context.ts'
import { sqlLiteral, sqlTextArray } from '../../db/literals.ts'
import { pageOf } from '../../db/paging.ts'
import type { AuditEntry, AuditEventOut, AuditSearch } from './schema.ts'

/**
 * Appends one row in the caller's transaction. In a user's transaction the append goes to the
 * server with the COMMIT, so the chain's lock is held only while the server appends and commits
 * (queueWithCommit); elsewhere it runs at once.
 */
export async function appendAuditEvent(
  db: Queryable,
  who: { userId: string | null; agencyId: string | null; actor: string },
  entry: AuditEntry,
): Promise<void> {
  const statement = `SELECT achilles_audit_append(
      ${sqlLiteral(who.userId)}::uuid, ${sqlLiteral(who.agencyId)}::uuid, ${sqlLiteral(who.actor)}, ${sqlLiteral(entry.action)}, ${sqlLiteral(entry.outcome ?? 'done')},
      ${sqlLiteral(entry.recordType)}, ${sqlLiteral(entry.recordId ?? null)}, ${sqlLiteral(entry.purpose)}, ${sqlTextArray(entry.recipients ?? [])},
      ${sqlLiteral(JSON.stringify(entry.detail ?? {}))}::jsonb)`
  if (!queueWithCommit(db, statement)) await sql.raw(statement).execute(db)
}


export async function searchAuditEvents(db: Queryable, search: AuditSearch): Promise<{ rows: AuditEventOut[]; total: number }> {
  let query = db.selectFrom('audit_events')
  // The actor column keeps the e-mail address the user had when they acted.
  if (search.user) {
    query = isUuid(search.user)
      ? query.where('user_id', '=', search.user)
      : query.where(sql<boolean>`lower(actor) = lower(${search.user})`)
  }
  if (search.recordType) query = query.where('record_type', '=', search.recordType)
  if (search.recordId) query = query.where('record_id', '=', search.recordId)
  if (search.action) query = query.where('action', '=', search.action)
  if (search.outcome) query = query.where('outcome', '=', search.outcome)
  // Dates are days in UK time, which is what the person searching means.
  if (search.from) query = query.where(sql<boolean>`at >= (${search.from}::date::timestamp AT TIME ZONE 'Europe/London')`)
  if (search.to) query = query.where(sql<boolean>`at < ((${search.to}::date + 1)::timestamp AT TIME ZONE 'Europe/London')`)
  const { rows, total } = await pageOf(
    query
      .select(['seq', 'at', 'user_id', 'agency_id', 'actor', 'action', 'outcome', 'record_type', 'record_id', 'purpose', 'recipients', 'detail', 'hash'])
      .orderBy('seq', 'desc'),
    search.page,
  )
  return {
    total,
    rows: rows.map((r) => ({
      seq: Number(r.seq),
      at: r.at.toISOString(),
      userId: r.user_id,
      agencyId: r.agency_id,
      actor: r.actor,
      action: r.action as AuditEventOut['action'],
      outcome: r.outcome as AuditEventOut['outcome'],
      recordType: r.record_type,
      recordId: r.record_id,
      purpose: r.purpose,
      recipients: r.recipients,
      detail: r.detail,
      hash: r.hash,
    })),
  }
}

export type ChainRow = { seq: number; prev_hash: string; hash: string; recomputed: string }

/** A batch of rows with each row's hash recomputed from its content by the database. */
export async function chainBatch(db: Queryable, afterSeq: number, limit: number): Promise<ChainRow[]> {
  const result = await sql<ChainRow>`SELECT seq, prev_hash, hash,
      achilles_audit_hash(prev_hash, achilles_audit_canonical(seq, at, user_id, agency_id, actor, action,
        outcome, record_type, record_id, purpose, recipients, detail)) AS recomputed
    FROM audit_events WHERE seq > ${afterSeq} ORDER BY seq LIMIT ${limit}`.execute(db)
  return result.rows.map((r) => ({ ...r, seq: Number(r.seq) }))
}

export async function lastSeq(db: Queryable): Promise<number> {
  const row = await db.selectFrom('audit_events').select((eb) => eb.fn.max('seq').as('n')).executeTakeFirst()
  return Number(row?.n ?? 0)
}
