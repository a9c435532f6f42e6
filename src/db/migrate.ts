import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import type { Database } from './connection.ts'

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations')
// Any constant will do; it only has to be the same for every process migrating one database.
const MIGRATION_LOCK = 7411900002

export type Migration = { version: string; name: string; file: string; checksum: string; script: string }

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const script = fs.readFileSync(path.join(dir, file), 'utf8')
      const [, version = '', name = ''] = /^(\d{4})_(.+)\.sql$/.exec(file) ?? []
      return { version, name, file, script, checksum: createHash('sha256').update(script).digest('hex') }
    })
}

export class MigrationError extends Error {}

/** Applies, in order, every migration not yet recorded. Running it again changes nothing. */
export async function migrate(db: Database, migrations = listMigrations()): Promise<string[]> {
  return db.kysely.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn)
    try {
      await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
        version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now())`.execute(conn)
      const applied = await sql<{ version: string; checksum: string }>`SELECT version, checksum FROM schema_migrations`.execute(conn)
      const known = new Map(applied.rows.map((r) => [r.version, r.checksum]))
      const done: string[] = []
      for (const m of migrations) {
        const checksum = known.get(m.version)
        if (checksum !== undefined) {
          if (checksum !== m.checksum) {
            throw new MigrationError(`Migration ${m.file} was changed after it was applied; add a new migration instead`)
          }
          continue
        }
        await sql`BEGIN`.execute(conn)
        try {
          await sql.raw(m.script).execute(conn)
          await sql`INSERT INTO schema_migrations (version, name, checksum) VALUES (${m.version}, ${m.name}, ${m.checksum})`.execute(conn)
          await sql`COMMIT`.execute(conn)
        } catch (error) {
          await sql`ROLLBACK`.execute(conn)
          throw new MigrationError(`Migration ${m.file} failed: ${(error as Error).message}`)
        }
        done.push(m.file)
      }
      return done
    } finally {
      await sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn)
    }
  })
}
