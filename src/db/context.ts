import { sql, type Kysely, type Transaction } from 'kysely'
import type { Viewer } from '../core/access/visibility.ts'
import type { Database } from './connection.ts'
import type { DB } from './tables.ts'

export type Tx = Transaction<DB>

/**
 * Runs work in one transaction as the given user: the role drops to achilles_app so row-level
 * security binds, and the user's id, agency and capabilities become transaction settings that the
 * policies read. The settings vanish at commit, so a pooled connection carries nothing over.
 */
export function asUser<T>(db: Database, viewer: Viewer, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.kysely.transaction().execute(async (tx) => {
    await sql`SELECT set_config('role', 'achilles_app', true),
      set_config('achilles.user_id', ${viewer.userId}, true),
      set_config('achilles.agency_id', ${viewer.agencyId}, true),
      set_config('achilles.capabilities', ${viewer.capabilities.join(',')}, true)`.execute(tx)
    return work(tx)
  })
}

/** Work the platform does for itself (sign-in, migrations, seeding): runs as the owner. */
export function asSystem<T>(db: Database, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.kysely.transaction().execute(work)
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
export async function withOwnerPrivileges<T>(tx: Tx, work: () => Promise<T>): Promise<T> {
  await sql`SELECT set_config('role', 'none', true)`.execute(tx)
  try {
    return await work()
  } finally {
    await sql`SELECT set_config('role', 'achilles_app', true)`.execute(tx)
  }
}
