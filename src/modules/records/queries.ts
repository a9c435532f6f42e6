import { sql } from 'kysely'
import type { HandlingCode, ProtectiveMarking, SharingScope } from '../../core/access/visibility.ts'
import type { Queryable } from '../../db/context.ts'
import type { SharingInput } from './schema.ts'

/** The tables that hold restricted records; each carries the same handling columns. */
export type RestrictedTable = 'notes' | 'entities' | 'entity_links' | 'ocgs' | 'intelligence_records' | 'local_profiles' | 'orders' | 'action_plans'

export type RecordHandling = {
  owningAgencyId: string
  protectiveMarking: ProtectiveMarking
  handlingCode: HandlingCode
  handlingConditions: string | null
  sharingScope: SharingScope
}

/** A record's handling, if row-level security lets the current user see it. */
export async function handlingOf(db: Queryable, table: RestrictedTable, id: string): Promise<RecordHandling | null> {
  const { rows } = await sql<{ owning_agency_id: string; protective_marking: string; handling_code: string; handling_conditions: string | null; sharing_scope: string }>`
    SELECT owning_agency_id, protective_marking, handling_code, handling_conditions, sharing_scope
    FROM ${sql.table(table)} WHERE id = ${id}`.execute(db)
  const r = rows[0]
  if (!r) return null
  return {
    owningAgencyId: r.owning_agency_id,
    protectiveMarking: r.protective_marking as ProtectiveMarking,
    handlingCode: r.handling_code as HandlingCode,
    handlingConditions: r.handling_conditions,
    sharingScope: r.sharing_scope as SharingScope,
  }
}

/** Whether a record exists at all; run with the owner's privileges to tell "refused" from "absent". */
export async function recordExists(db: Queryable, table: RestrictedTable, id: string): Promise<boolean> {
  const { rows } = await sql`SELECT 1 FROM ${sql.table(table)} WHERE id = ${id}`.execute(db)
  return rows.length > 0
}

export async function updateHandling(db: Queryable, table: RestrictedTable, id: string, s: SharingInput, by: string): Promise<boolean> {
  // Links have no updated_at/updated_by: they are replaced, not edited, apart from their handling.
  const stamp = table === 'entity_links' ? sql`` : sql`, updated_at = now(), updated_by = ${by}`
  const result = await sql`
    UPDATE ${sql.table(table)} SET protective_marking = ${s.protectiveMarking}, handling_code = ${s.handlingCode},
      handling_conditions = ${s.handlingCode === 'C' ? s.handlingConditions : null}, sharing_scope = ${s.sharingScope},
      row_version = row_version + 1 ${stamp}
    WHERE id = ${id}`.execute(db)
  return Number(result.numAffectedRows ?? 0) === 1
}
