import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openDatabase, type Database } from '../../src/db/connection.ts'
import { migrate } from '../../src/db/migrate.ts'

/**
 * A fresh, migrated database for one test file: PGlite in memory by default, or a new database on
 * the PostgreSQL server named by DATABASE_URL (dropped again by `drop`).
 */
export async function freshDatabase(): Promise<{ db: Database; drop: () => Promise<void> }> {
  const server = await freshServerDatabase()
  if (!server) {
    const db = await openDatabase({})
    await migrate(db)
    return { db, drop: () => db.close() }
  }
  const db = await openDatabase({ url: server.url, poolSize: 5 })
  await migrate(db)
  return {
    db,
    drop: async () => {
      await db.close()
      await server.drop()
    },
  }
}

/** An empty database on the server named by DATABASE_URL, or null when the tests run on PGlite. */
export async function freshServerDatabase(): Promise<{ url: string; drop: () => Promise<void> } | null> {
  const url = process.env.DATABASE_URL
  if (!url) return null
  const name = `achilles_test_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const target = new URL(url)
  target.pathname = `/${name}`
  return {
    url: target.toString(),
    drop: async () => {
      const cleanup = new pg.Client({ connectionString: url })
      await cleanup.connect()
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await cleanup.end()
    },
  }
}

export const engineName = () => (process.env.DATABASE_URL ? 'PostgreSQL server' : 'PGlite')
