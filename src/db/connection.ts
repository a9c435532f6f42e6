import fs from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely'
import pg from 'pg'
import type { DB } from './tables.ts'

export type Engine = 'pglite' | 'postgres'

/** One handle on the database, whichever engine runs it. */
export interface Database {
  readonly engine: Engine
  readonly kysely: Kysely<DB>
  close(): Promise<void>
  /** The embedded instance, when the engine is PGlite. */
  readonly pglite?: PGlite
}

// Both engines return the same JavaScript shapes: counts as numbers, dates as 'YYYY-MM-DD'.
const INT8 = 20
const NUMERIC = 1700
const DATE = 1082
pg.types.setTypeParser(INT8, (v: string) => Number(v))
pg.types.setTypeParser(NUMERIC, (v: string) => Number(v))
pg.types.setTypeParser(DATE, (v: string) => v)

export async function openDatabase(options: { url?: string; dataDir?: string; poolSize?: number }): Promise<Database> {
  if (options.url) return openServer(options.url, options.poolSize ?? 10)
  return openEmbedded(options.dataDir)
}

async function openServer(url: string, poolSize: number): Promise<Database> {
  // JIT compilation pays off for long analytical queries; here it only adds 0.4-0.8 s to short
  // ones that row-level security makes look expensive to the planner (measured on the boards).
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: '-c jit=off' })
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on the next checkout.
  })
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) })
  return {
    engine: 'postgres',
    kysely,
    async close() {
      await kysely.destroy()
    },
  }
}

/** A directory for the embedded database, or undefined for one held in memory (tests). */
async function openEmbedded(dataDir: string | undefined): Promise<Database> {
  if (dataDir) fs.mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true })
  const pglite = await PGlite.create({
    dataDir: dataDir ? path.resolve(dataDir) : undefined,
    // Trigram indexes serve fuzzy search on names, registrations and numbers (migration 0006).
    extensions: { pg_trgm },
    parsers: { [INT8]: (v: string) => Number(v), [NUMERIC]: (v: string) => Number(v), [DATE]: (v: string) => v },
  })
  const gate = new Gate()
  const pool = embeddedPool(pglite, gate)
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) })
  return {
    engine: 'pglite',
    kysely,
    pglite,
    async close() {
      await kysely.destroy()
      await pglite.close()
    },
  }
}

/**
 * PGlite is a single connection. Kysely takes a connection for each query and keeps it for a whole
 * transaction, so a gate that lets one holder in at a time keeps transactions from interleaving.
 */
class Gate {
  private tail: Promise<void> = Promise.resolve()

  async acquire(): Promise<() => void> {
    let release!: () => void
    const next = new Promise<void>((resolve) => (release = resolve))
    const previous = this.tail
    this.tail = previous.then(() => next)
    await previous
    // PGlite runs each query on this thread. Without a turn of the event loop between holders,
    // a queue of waiting queries would starve the sockets of requests not yet read (measured:
    // p99 5.3 s against 0.37 s with it, at 50 clients; bench/README.md).
    await new Promise<void>((resolve) => setImmediate(resolve))
    return release
  }
}

function embeddedPool(pglite: PGlite, gate: Gate): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const release = await gate.acquire()
      let released = false
      return {
        async query(sqlText: string, parameters: readonly unknown[]) {
          // Without parameters, use the simple protocol as node-postgres does, so a migration
          // script of many statements runs in one call.
          const result =
            parameters.length === 0
              ? lastOf(await pglite.exec(sqlText))
              : await pglite.query<Record<string, unknown>>(sqlText, parameters as unknown[])
          return {
            command: commandOf(sqlText),
            rowCount: result.affectedRows ?? result.rows.length,
            rows: result.rows,
          }
        },
        release() {
          if (!released) {
            released = true
            release()
          }
        },
      } as unknown as PostgresPoolClient
    },
    async end() {},
  }
}

function lastOf(results: Array<{ rows: Record<string, unknown>[]; affectedRows?: number }>) {
  return results[results.length - 1] ?? { rows: [], affectedRows: 0 }
}

function commandOf(sqlText: string): 'INSERT' | 'UPDATE' | 'DELETE' | 'MERGE' | 'SELECT' {
  // Kysely only reads the command to report affected rows; Kysely's own statements lead with it.
  const word = /^\s*(\w+)/.exec(sqlText)?.[1]?.toUpperCase()
  return word === 'INSERT' || word === 'UPDATE' || word === 'DELETE' || word === 'MERGE' ? word : 'SELECT'
}
