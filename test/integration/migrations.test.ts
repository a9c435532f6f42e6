import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { sql } from 'kysely'
import type { Database } from '../../src/db/connection.ts'
import { listMigrations, migrate, MigrationError } from '../../src/db/migrate.ts'
import { freshDatabase } from '../support/database.ts'

let db: Database
let drop: () => Promise<void>
before(async () => ({ db, drop } = await freshDatabase()))
after(() => drop())

test('migrations are numbered plain SQL files applied in order and recorded', async () => {
  const files = listMigrations().map((m) => m.file)
  assert.deepEqual(files, [...files].sort())
  const rows = await sql<{ version: string }>`SELECT version FROM schema_migrations ORDER BY version`.execute(db.kysely)
  assert.deepEqual(rows.rows.map((r) => r.version), listMigrations().map((m) => m.version))
})

test('running them again changes nothing', async () => {
  assert.deepEqual(await migrate(db), [])
  assert.deepEqual(await migrate(db), [])
})

test('a migration changed after it was applied is refused', async () => {
  const changed = listMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'edited' } : m))
  await assert.rejects(migrate(db, changed), (e: unknown) => e instanceof MigrationError && /0001_roles_and_settings.sql was changed/.test(e.message))
})

test('a failing migration is rolled back whole and names its file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'achilles-migrations-'))
  try {
    for (const m of listMigrations()) fs.writeFileSync(path.join(dir, m.file), m.script)
    fs.writeFileSync(path.join(dir, '9999_broken.sql'), 'CREATE TABLE half_made (id int);\nSELECT no_such_function();\n')
    await assert.rejects(migrate(db, listMigrations(dir)), /9999_broken.sql failed/)
    const table = await sql<{ n: number }>`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'half_made'`.execute(db.kysely)
    assert.equal(table.rows[0]!.n, 0)
    const recorded = await sql<{ n: number }>`SELECT count(*)::int AS n FROM schema_migrations WHERE version = '9999'`.execute(db.kysely)
    assert.equal(recorded.rows[0]!.n, 0)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
