import type { Mapping } from '../../core/imports/mapping.ts'
import type { Queryable } from '../../db/context.ts'

// The only SQL on the imports table. Each read names the user as well as relying on row-level
// security, which also lets only the uploader see an upload.

export const RECORD_TYPE = 'import'

/** An upload is kept for a day, then deleted whether or not it was imported. */
export const KEEP_FOR_MS = 24 * 60 * 60 * 1000

export type ImportRow = {
  id: string
  kind: string
  fileName: string
  csvText: string | null
  mapping: Mapping | null
  ignoredColumns: string[]
  status: 'uploaded' | 'mapped' | 'imported'
  result: ImportResult | null
  createdAt: Date
  importedAt: Date | null
}

export type ImportResult = { rows: number; created: Array<{ row: number; id: string; link: string }> }

export async function insertImport(db: Queryable, i: { kind: string; fileName: string; csvText: string; createdBy: string; agencyId: string }): Promise<string> {
  const row = await db
    .insertInto('imports')
    .values({ kind: i.kind, file_name: i.fileName, csv_text: i.csvText, created_by: i.createdBy, agency_id: i.agencyId })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function findImport(db: Queryable, userId: string, id: string, now: Date): Promise<ImportRow | null> {
  const r = await db
    .selectFrom('imports')
    .select(['id', 'kind', 'file_name', 'csv_text', 'mapping', 'ignored_columns', 'status', 'result', 'created_at', 'imported_at'])
    .where('id', '=', id)
    .where('created_by', '=', userId)
    .where('created_at', '>', new Date(now.getTime() - KEEP_FOR_MS))
    .executeTakeFirst()
  if (!r) return null
  return {
    id: r.id,
    kind: r.kind,
    fileName: r.file_name,
    csvText: r.csv_text,
    mapping: (r.mapping as Mapping | null) ?? null,
    ignoredColumns: r.ignored_columns,
    status: r.status as ImportRow['status'],
    result: (r.result as ImportResult | null) ?? null,
    createdAt: r.created_at,
    importedAt: r.imported_at,
  }
}

/** The user's uploads of the last day, newest first, without their text. */
export async function recentImports(db: Queryable, userId: string, now: Date) {
  const rows = await db
    .selectFrom('imports')
    .select(['id', 'kind', 'file_name', 'status', 'created_at', 'result'])
    .where('created_by', '=', userId)
    .where('created_at', '>', new Date(now.getTime() - KEEP_FOR_MS))
    .orderBy('created_at', 'desc')
    .limit(20)
    .execute()
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    fileName: r.file_name,
    status: r.status,
    createdAt: r.created_at,
    imported: (r.result as ImportResult | null)?.created.length ?? null,
  }))
}

export async function saveMapping(db: Queryable, userId: string, id: string, mapping: Mapping, ignoredColumns: readonly string[]): Promise<void> {
  await db
    .updateTable('imports')
    .set({ mapping: JSON.stringify(mapping), ignored_columns: [...ignoredColumns], status: 'mapped' })
    .where('id', '=', id)
    .where('created_by', '=', userId)
    .where('status', '<>', 'imported')
    .execute()
}

/** After the import: the text goes (the records now hold the data); a receipt stays for the summary page. */
export async function markImported(db: Queryable, userId: string, id: string, result: ImportResult, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('imports')
    .set({ csv_text: null, status: 'imported', result: JSON.stringify(result), imported_at: now })
    .where('id', '=', id)
    .where('created_by', '=', userId)
    .where('status', '<>', 'imported')
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

export async function deleteImport(db: Queryable, userId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('imports').where('id', '=', id).where('created_by', '=', userId).executeTakeFirst()
  return Number(r.numDeletedRows) === 1
}

/** Deletes every upload older than a day, whoever made it (run by the platform, not a user). */
export async function purgeExpired(db: Queryable, now: Date): Promise<number> {
  const r = await db.deleteFrom('imports').where('created_at', '<=', new Date(now.getTime() - KEEP_FOR_MS)).executeTakeFirst()
  return Number(r.numDeletedRows)
}
