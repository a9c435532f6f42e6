import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely'
import type { Viewer } from '../core/access/visibility.ts'
import type { Queryable } from './context.ts'
import type { DB } from './tables.ts'

/** The columns every restricted record carries, by the table alias the query uses. */
type RestrictedColumns = {
  id: string
  owning_agency_id: string
  protective_marking: string
  sharing_scope: string
}

/**
 * The visibility rule as a WHERE condition, so the application filters in SQL before row-level
 * security filters again. It mirrors decideVisibility in src/core/access/visibility.ts.
 */
export function visibleTo<T extends keyof DB>(
  viewer: Viewer,
  recordType: string,
  table: T,
): (eb: ExpressionBuilder<DB, T>) => Expression<SqlBool> {
  return (eb) => {
    const can = (c: string) => viewer.capabilities.includes(c as Viewer['capabilities'][number])
    if (!can('records.read')) return sql<boolean>`false`
    const column = (name: keyof RestrictedColumns) => sql.ref(`${String(table)}.${name}`)
    const markingAllowed = can('records.read_sensitive') ? sql<boolean>`true` : sql<boolean>`${column('protective_marking')} = 'OFFICIAL'`
    // Uncorrelated subqueries: PostgreSQL evaluates each once per query, not once per record.
    return sql<boolean>`(${markingAllowed} AND (
      ${column('owning_agency_id')} = ${viewer.agencyId}
      OR (${column('sharing_scope')} = 'partnership' AND ${column('protective_marking')} = 'OFFICIAL')
      OR (${column('sharing_scope')} = 'named' AND ${column('id')} IN (
        SELECT s.record_id FROM record_shares s WHERE s.record_type = ${recordType} AND s.agency_id = ${viewer.agencyId}))
      OR ${column('id')} IN (
        SELECT g.record_id FROM record_grants g WHERE g.record_type = ${recordType}
          AND g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > now())
          AND (g.grantee_user_id = ${viewer.userId} OR g.grantee_agency_id = ${viewer.agencyId}))))`
  }
}

// Named-agency shares and explicit grants are kept for every kind of restricted record alike.

export async function sharedAgencyIds(db: Queryable, recordType: string, recordId: string): Promise<string[]> {
  const rows = await db.selectFrom('record_shares').select('agency_id').where('record_type', '=', recordType).where('record_id', '=', recordId).execute()
  return rows.map((r) => r.agency_id)
}

export async function replaceShares(db: Queryable, recordType: string, recordId: string, agencyIds: readonly string[], by: string): Promise<void> {
  await db.deleteFrom('record_shares').where('record_type', '=', recordType).where('record_id', '=', recordId).execute()
  if (agencyIds.length > 0) {
    await db
      .insertInto('record_shares')
      .values(agencyIds.map((agency_id) => ({ record_type: recordType, record_id: recordId, agency_id, shared_by: by })))
      .execute()
  }
}

export async function activeGrants(db: Queryable, recordType: string, recordId: string) {
  return db
    .selectFrom('record_grants')
    .select(['id', 'grantee_user_id', 'grantee_agency_id', 'reason', 'granted_by', 'granted_at', 'expires_at', 'revoked_at'])
    .where('record_type', '=', recordType)
    .where('record_id', '=', recordId)
    .where('revoked_at', 'is', null)
    .orderBy('granted_at')
    .execute()
}

export async function insertGrant(
  db: Queryable,
  g: { recordType: string; recordId: string; granteeUserId: string | null; granteeAgencyId: string | null; reason: string; expiresAt: Date | null; by: string },
): Promise<string> {
  const row = await db
    .insertInto('record_grants')
    .values({
      record_type: g.recordType,
      record_id: g.recordId,
      grantee_user_id: g.granteeUserId,
      grantee_agency_id: g.granteeAgencyId,
      reason: g.reason,
      expires_at: g.expiresAt,
      granted_by: g.by,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function revokeGrant(db: Queryable, recordType: string, recordId: string, grantId: string, by: string): Promise<boolean> {
  const result = await db
    .updateTable('record_grants')
    .set({ revoked_at: sql`now()`, revoked_by: by })
    .where('id', '=', grantId)
    .where('record_type', '=', recordType)
    .where('record_id', '=', recordId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function forgetRecordAccess(db: Queryable, recordType: string, recordId: string): Promise<void> {
  await db.deleteFrom('record_shares').where('record_type', '=', recordType).where('record_id', '=', recordId).execute()
  // Grants are kept (revoked) so the history of who could see the record survives its erasure.
  await db.updateTable('record_grants').set({ revoked_at: sql`now()` }).where('record_type', '=', recordType).where('record_id', '=', recordId).where('revoked_at', 'is', null).execute()
}

export async function insertShares(db: Queryable, rows: ReadonlyArray<{ recordType: string; recordId: string; agencyId: string; by: string | null }>): Promise<void> {
  for (let i = 0; i < rows.length; i += 2000) {
    await db
      .insertInto('record_shares')
      .values(rows.slice(i, i + 2000).map((r) => ({ record_type: r.recordType, record_id: r.recordId, agency_id: r.agencyId, shared_by: r.by })))
      .execute()
  }
}
