import { createHash } from 'node:crypto'
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
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) })
  return {
    engine: 'postgres',
    kysely,
    async close() {
      await kysely.destroy()
    },
  }
}

// Statements with parameters run as named prepared statements, so each connection parses and
// plans a statement once and PostgreSQL may keep its plan. Row-level security makes planning the
// costly part of a short query (about 1 ms for a group's record, its members or its holdings,
// against 0.1-0.4 ms to run them; bench/README.md). The policies read the user from transaction
// settings when they run, not when they are planned, so one plan serves every user. Long texts
// (bulk inserts) and statements past a per-connection limit stay unnamed, so a connection never
// holds more than a bounded set.
const MAX_PREPARED_TEXT = 8_000
const MAX_PREPARED_PER_CONNECTION = 500

function preparingPool(pool: pg.Pool): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>()
  const prepared = new WeakMap<pg.PoolClient, Set<string>>()
  const statementFor = (client: pg.PoolClient, text: string, values: readonly unknown[]): pg.QueryConfig => {
    if (values.length === 0 || text.length > MAX_PREPARED_TEXT) return { text, values: [...values] }
    const names = prepared.get(client) ?? new Set<string>()
    prepared.set(client, names)
    const name = `k${createHash('sha1').update(text).digest('base64url')}`
    if (!names.has(name)) {
      if (names.size >= MAX_PREPARED_PER_CONNECTION) return { text, values: [...values] }
      names.add(name)
    }
    return { name, text, values: [...values] }
  }
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect()
      let kept = wrapped.get(client)
      if (!kept) {
        kept = {
          query: ((text: string, values: readonly unknown[]) => client.query(statementFor(client, text, values ?? []))) as unknown as PostgresPoolClient['query'],
          release: () => client.release(),
        }
        wrapped.set(client, kept)
      }
      return kept
    },
    end: () => pool.end(),
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
