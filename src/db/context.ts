import { sql, type Kysely } from 'kysely'
import type { Viewer } from '../core/access/visibility.ts'
import { isUuid } from '../core/ids.ts'
import type { Database } from './connection.ts'
import type { DB } from './tables.ts'

declare const inTransaction: unique symbol
/** The connection of a transaction that asUser or asSystem opened. */
export type Tx = Kysely<DB> & { readonly [inTransaction]: true }

/** A transaction setting's value as an SQL literal; only ids and capability names ever reach it. */
function literal(value: string, what: string): string {
  if (!/^[A-Za-z0-9_.,-]*$/.test(value)) throw new Error(`${what} cannot be a transaction setting: ${JSON.stringify(value)}`)
  return `'${value}'`
}

/**
 * Runs work in one transaction as the given user: the role drops to achilles_app so row-level
 * security binds, and the user's id, agency and capabilities become transaction settings that the
 * policies read. The settings vanish at commit, so a pooled connection carries nothing over.
 *
 * BEGIN and the settings go to the server as one statement: every request runs in such a
 * transaction, and a round trip costs more than the statements do (bench/README.md). Values are
 * written into it only after they have been checked to be ids and capability names.
 */
export async function asUser<T>(db: Database, viewer: Viewer, work: (tx: Tx) => Promise<T>): Promise<T> {
  if (!isUuid(viewer.userId) || !isUuid(viewer.agencyId)) throw new Error('A user transaction needs the user and agency ids')
  const begin = `BEGIN; SELECT set_config('role', 'achilles_app', true), set_config('achilles.user_id', ${literal(viewer.userId, 'user id')}, true),
    set_config('achilles.agency_id', ${literal(viewer.agencyId, 'agency id')}, true),
    set_config('achilles.capabilities', ${literal(viewer.capabilities.join(','), 'capabilities')}, true)`
  return db.kysely.connection().execute(async (connection) => {
    await sql.raw(begin).execute(connection)
    const statements: string[] = []
    withTheCommit.set(connection, statements)
    try {
      const result = await work(connection as Tx)
      await sql.raw([...statements, 'COMMIT'].join(';\n')).execute(connection)
      return result
    } catch (error) {
      // The work's own error is the one to report; a connection too broken to roll back is
      // discarded by the pool on its next use. After a failed COMMIT there is nothing to roll back,
      // and PostgreSQL only warns.
      await sql.raw('ROLLBACK').execute(connection).catch(() => undefined)
      throw error
    } finally {
      withTheCommit.delete(connection)
    }
  })
}

const withTheCommit = new WeakMap<object, string[]>()

/**
 * Queues a statement to go to the server with the COMMIT of the user's transaction, in the same
 * round trip, after all the work's own statements; false when tx is not a transaction of asUser,
 * and the caller must run it itself. For the audit log's append, which holds the chain's lock
 * until commit: sent on its own, the lock stayed held while the reply crossed to Node and waited
 * for its turn on a busy event loop, and concurrent requests queued behind it (bench/README.md).
 * The statement is literal SQL: every value in it must have been written with sqlLiteral.
 */
export function queueWithCommit(tx: Queryable, statement: string): boolean {
  const statements = withTheCommit.get(tx)
  if (!statements) return false
  statements.push(statement)
  return true
}

/** Work the platform does for itself (sign-in, migrations, seeding): runs as the owner. */
export function asSystem<T>(db: Database, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.kysely.transaction().execute((tx) => work(tx as unknown as Tx))
}

export type Queryable = Kysely<DB> | Tx

/**
 * Inside a user's transaction, does one step with the owner's privileges and then drops back.
 * For credentials, which achilles_app may never read or write; to tell a refused record from an
 * absent one; and for the candidate step of fuzzy search, where row-level security would stop
 * PostgreSQL using the trigram index (pg_trgm's operators are not leakproof), so that step applies
 * the visibility rule in its own SQL and the rows are then read back under row-level security.
 * The role holds for the whole transaction while the step runs: never run another query of the
 * same transaction concurrently with it.
 */
export async function withOwnerPrivileges<T>(tx: Tx, work: () => Promise<T>, settings: StepSettings = {}): Promise<T> {
  const names = Object.keys(settings)
  // One statement each way, whatever is set: every round trip to the server costs more than
  // the settings themselves. Select-list items are evaluated in order, so each prior value is read
  // before it is changed.
  const { rows } = await sql<Record<string, string | null>>`SELECT ${sql.join([
    ...names.map((name, i) => sql`current_setting(${name}, true) AS ${sql.ref(`prior_${i}`)}`),
    ...names.map((name) => sql`set_config(${name}, ${settings[name]!.value}, true)`),
    sql`set_config('role', 'none', true)`,
  ])}`.execute(tx)
  try {
    return await work()
  } finally {
    await sql`SELECT ${sql.join([
      ...names.map((name, i) => sql`set_config(${name}, ${rows[0]?.[`prior_${i}`] || settings[name]!.otherwise}, true)`),
      sql`set_config('role', 'achilles_app', true)`,
    ])}`.execute(tx)
  }
}

/** Settings for one step, and what to put back when the setting had no value before. */
export type StepSettings = Record<string, { value: string; otherwise: string }>
