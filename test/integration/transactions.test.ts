import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, test } from 'node:test'
import { sql } from 'kysely'
import { capabilitiesOf } from '../../src/core/access/roles.ts'
import type { Viewer } from '../../src/core/access/visibility.ts'
import type { Database } from '../../src/db/connection.ts'
import { asUser, withOwnerPrivileges, type Queryable } from '../../src/db/context.ts'
import { freshDatabase } from '../support/database.ts'

// How a user's transaction is opened and what it leaves behind, on whichever engine runs the suite:
// the role and settings hold inside it and vanish after it, a failure rolls it back, and on a
// PostgreSQL server the prepared statements a connection keeps stay bounded.

let db: Database
let drop: () => Promise<void>
before(async () => ({ db, drop } = await freshDatabase()))
after(() => drop())

const viewer = (): Viewer => ({ userId: randomUUID(), agencyId: randomUUID(), capabilities: capabilitiesOf(['analyst']) })

type Settings = { role: string; user_id: string | null; agency_id: string | null; capabilities: string | null }
const settings = (q: Queryable) =>
  sql<Settings>`SELECT current_user AS role, current_setting('achilles.user_id', true) AS user_id,
    current_setting('achilles.agency_id', true) AS agency_id, current_setting('achilles.capabilities', true) AS capabilities`.execute(q)

test("a user's transaction runs as achilles_app with the user's id, agency and capabilities", async () => {
  const v = viewer()
  const seen = await asUser(db, v, async (tx) => (await settings(tx)).rows[0]!)
  assert.deepEqual(seen, { role: 'achilles_app', user_id: v.userId, agency_id: v.agencyId, capabilities: v.capabilities.join(',') })
})

test('the settings end with the transaction, so the next user of the connection starts clean', async () => {
  await asUser(db, viewer(), async () => undefined)
  // A pool of one on PGlite; on the server, enough reads to reuse every pooled connection.
  for (let i = 0; i < 12; i++) {
    const after = (await settings(db.kysely)).rows[0]!
    assert.notEqual(after.role, 'achilles_app')
    assert.ok(!after.user_id, `user id left behind: ${after.user_id}`)
    assert.ok(!after.capabilities, `capabilities left behind: ${after.capabilities}`)
  }
})

test('work that fails is rolled back and its error reaches the caller', async () => {
  const marker = `rolled-back-${randomUUID()}`
  await assert.rejects(
    asUser(db, viewer(), async (tx) => {
      await withOwnerPrivileges(tx, () => sql`CREATE TABLE ${sql.id(marker)} (id int)`.execute(tx))
      throw new Error('the work failed')
    }),
    /the work failed/,
  )
  const found = await sql<{ n: number }>`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = ${marker}`.execute(db.kysely)
  assert.equal(found.rows[0]!.n, 0)
})

test('ids that are not ids never reach the statement that opens the transaction', async () => {
  await assert.rejects(asUser(db, { ...viewer(), userId: "x', true); DROP TABLE users; --" }, async () => undefined), /needs the user and agency ids/)
  await assert.rejects(asUser(db, { ...viewer(), agencyId: 'not an id' }, async () => undefined), /needs the user and agency ids/)
  const users = await sql<{ n: number }>`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'users'`.execute(db.kysely)
  assert.equal(users.rows[0]!.n, 1)
})

test('a step with the owner privileges sets its settings for the step and puts them back after', async () => {
  const seen = await asUser(db, viewer(), async (tx) => {
    const during = await withOwnerPrivileges(
      tx,
      async () => (await sql<{ role: string; seqscan: string }>`SELECT current_user AS role, current_setting('enable_seqscan') AS seqscan`.execute(tx)).rows[0]!,
      { enable_seqscan: { value: 'off', otherwise: 'on' } },
    )
    const afterwards = (await sql<{ role: string; seqscan: string }>`SELECT current_user AS role, current_setting('enable_seqscan') AS seqscan`.execute(tx)).rows[0]!
    return { during, afterwards }
  })
  assert.equal(seen.during.seqscan, 'off')
  assert.notEqual(seen.during.role, 'achilles_app')
  assert.deepEqual(seen.afterwards, { role: 'achilles_app', seqscan: 'on' })
})

test('a server connection keeps a bounded set of prepared statements however many texts it runs', { skip: process.env.DATABASE_URL ? false : 'prepared statements are kept only on a PostgreSQL server' }, async () => {
  // Every text is different, so each would be prepared anew; the limit per connection holds them.
  const kept = await asUser(db, viewer(), async (tx) => {
    for (let i = 0; i < 700; i++) assert.equal((await sql<{ n: number }>`SELECT ${i}::int * 2 + ${sql.lit(i)} AS n`.execute(tx)).rows[0]!.n, 3 * i)
    return Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_prepared_statements`.execute(tx)).rows[0]!.n)
  })
  assert.ok(kept > 0, 'statements with parameters are prepared')
  assert.ok(kept <= 500, `${kept} prepared statements kept on one connection`)
})
