import { sql } from 'kysely'
import type { Queryable } from '../../db/context.ts'
import { pageOf } from '../../db/paging.ts'
import type { UserListQuery, UserOut, UserUpdate } from './schema.ts'


function userColumns(db: Queryable) {
  return db
    .selectFrom('users as u')
    .innerJoin('agencies as a', 'a.id', 'u.agency_id')
    .select([
      'u.id', 'u.email', 'u.display_name', 'u.job_title', 'u.agency_id', 'a.name as agency_name', 'u.roles', 'u.active',
      'u.locked_until', 'u.last_sign_in_at', 'u.row_version', 'u.created_at',
    ])
}
type UserRow = Awaited<ReturnType<ReturnType<typeof userColumns>['executeTakeFirstOrThrow']>>

function toUser(r: UserRow, now: Date): UserOut {
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    jobTitle: r.job_title,
    agencyId: r.agency_id,
    agencyName: r.agency_name,
    roles: r.roles as UserOut['roles'],
    active: r.active,
    lockedUntil: r.locked_until && r.locked_until > now ? r.locked_until.toISOString() : null,
    lastSignInAt: r.last_sign_in_at?.toISOString() ?? null,
    rowVersion: r.row_version,
    createdAt: r.created_at.toISOString(),
  }
}

export async function listUsers(db: Queryable, q: UserListQuery, now: Date): Promise<{ rows: UserOut[]; total: number }> {
  let query = userColumns(db)
  if (q.q) query = query.where(sql<boolean>`(u.display_name ILIKE ${'%' + q.q + '%'} OR u.email ILIKE ${'%' + q.q + '%'})`)
  if (q.agencyId) query = query.where('u.agency_id', '=', q.agencyId)
  if (q.role) query = query.where(sql<boolean>`${q.role} = ANY (u.roles)`)
  const { rows, total } = await pageOf(query.orderBy('u.display_name'), q.page)
  return { rows: rows.map((r) => toUser(r, now)), total }
}

export async function findUser(db: Queryable, id: string, now: Date): Promise<UserOut | null> {
  const row = await userColumns(db).where('u.id', '=', id).executeTakeFirst()
  return row ? toUser(row, now) : null
}

export async function emailTaken(db: Queryable, email: string, exceptId?: string): Promise<boolean> {
  let query = db.selectFrom('users').select('id').where(sql<boolean>`lower(email) = lower(${email})`)
  if (exceptId) query = query.where('id', '<>', exceptId)
  return (await query.executeTakeFirst()) !== undefined
}

export async function insertUser(
  db: Queryable,
  u: { email: string; displayName: string; jobTitle: string | null; agencyId: string; roles: string[] },
  by: string | null,
): Promise<string> {
  const row = await db
    .insertInto('users')
    .values({ email: u.email, display_name: u.displayName, job_title: u.jobTitle, agency_id: u.agencyId, roles: u.roles, created_by: by, updated_by: by })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function updateUser(db: Queryable, id: string, u: UserUpdate, by: string): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set((eb) => ({
      email: u.email,
      display_name: u.displayName,
      job_title: u.jobTitle,
      agency_id: u.agencyId,
      roles: u.roles,
      active: u.active,
      updated_at: sql`now()`,
      updated_by: by,
      row_version: eb('row_version', '+', 1),
    }))
    .where('id', '=', id)
    .where('row_version', '=', u.rowVersion)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function unlockUser(db: Queryable, id: string, by: string): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set((eb) => ({ locked_until: null, failed_sign_ins: 0, updated_at: sql`now()`, updated_by: by, row_version: eb('row_version', '+', 1) }))
    .where('id', '=', id)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

// Credentials: only ever run as the owner (asSystem), because achilles_app cannot read them.

export type Credentials = {
  id: string
  email: string
  passwordHash: string | null
  active: boolean
  agencyActive: boolean
  failedSignIns: number
  lockedUntil: Date | null
}

export async function credentialsByEmail(db: Queryable, email: string): Promise<Credentials | null> {
  const row = await db
    .selectFrom('users as u')
    .innerJoin('agencies as a', 'a.id', 'u.agency_id')
    .select(['u.id', 'u.email', 'u.password_hash', 'u.active', 'a.active as agency_active', 'u.failed_sign_ins', 'u.locked_until'])
    .where(sql<boolean>`lower(u.email) = lower(${email})`)
    .executeTakeFirst()
  return row
    ? { id: row.id, email: row.email, passwordHash: row.password_hash, active: row.active, agencyActive: row.agency_active, failedSignIns: row.failed_sign_ins, lockedUntil: row.locked_until }
    : null
}

export async function userIdByEmail(db: Queryable, email: string): Promise<string | null> {
  const row = await db.selectFrom('users').select('id').where(sql<boolean>`lower(email) = lower(${email})`).executeTakeFirst()
  return row?.id ?? null
}

export async function setPasswordHash(db: Queryable, id: string, hash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: hash, password_changed_at: sql`now()`, failed_sign_ins: 0, locked_until: null }).where('id', '=', id).execute()
}

export async function recordFailedSignIn(db: Queryable, id: string, maxFailures: number, lockoutMinutes: number): Promise<Date | null> {
  const row = await db
    .updateTable('users')
    .set((eb) => ({
      failed_sign_ins: eb('failed_sign_ins', '+', 1),
      locked_until: sql`CASE WHEN failed_sign_ins + 1 >= ${maxFailures} THEN now() + make_interval(mins => ${lockoutMinutes}) ELSE locked_until END`,
    }))
    .where('id', '=', id)
    .returning('locked_until')
    .executeTakeFirst()
  return row?.locked_until ?? null
}

export async function recordSignIn(db: Queryable, id: string): Promise<void> {
  await db.updateTable('users').set({ failed_sign_ins: 0, locked_until: null, last_sign_in_at: sql`now()` }).where('id', '=', id).execute()
}

export type Profile = { id: string; email: string; displayName: string; roles: string[]; agencyId: string; agencyName: string; active: boolean; agencyActive: boolean }

/** The columns of a user's profile, as a query other modules may join to (users as `u`). */
export function profileQuery(db: Queryable) {
  return db
    .selectFrom('users as u')
    .innerJoin('agencies as a', 'a.id', 'u.agency_id')
    .select(['u.id', 'u.email', 'u.display_name', 'u.roles', 'u.agency_id', 'a.name as agency_name', 'u.active', 'a.active as agency_active'])
}

export type ProfileRow = { id: string; email: string; display_name: string; roles: string[]; agency_id: string; agency_name: string; active: boolean; agency_active: boolean }

export const toProfile = (row: ProfileRow): Profile => ({
  id: row.id, email: row.email, displayName: row.display_name, roles: row.roles, agencyId: row.agency_id, agencyName: row.agency_name, active: row.active, agencyActive: row.agency_active,
})

export async function profileOf(db: Queryable, id: string): Promise<Profile | null> {
  const row = await profileQuery(db).where('u.id', '=', id).executeTakeFirst()
  return row ? toProfile(row) : null
}

export async function userCounts(db: Queryable): Promise<{ total: number; byRole: Array<{ role: string; n: number }> }> {
  const rows = await sql<{ role: string; n: number }>`SELECT r AS role, count(*)::int AS n FROM users, unnest(roles) AS r
    WHERE active GROUP BY r ORDER BY r`.execute(db)
  const total = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('active', '=', true).executeTakeFirstOrThrow()
  return { total: Number(total.n), byRole: rows.rows.map((r) => ({ role: r.role, n: Number(r.n) })) }
}

export async function displayNames(db: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', [...ids]).execute()
  return new Map(rows.map((r) => [r.id, r.display_name]))
}

export async function insertUsers(
  db: Queryable,
  rows: ReadonlyArray<{ id: string; agencyId: string; email: string; displayName: string; jobTitle: string | null; roles: string[] }>,
  passwordHash: string,
): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('users')
      .values(
        rows.slice(i, i + 500).map((u) => ({
          id: u.id, agency_id: u.agencyId, email: u.email, display_name: u.displayName, job_title: u.jobTitle, roles: u.roles,
          password_hash: passwordHash, password_changed_at: new Date(),
        })),
      )
      .execute()
  }
}

/** E-mail addresses of active users of active agencies, by id, for messages the platform sends. */
export async function activeEmails(db: Queryable, ids: readonly string[]): Promise<Map<string, { id: string; email: string }>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('users as u').innerJoin('agencies as a', 'a.id', 'u.agency_id').select(['u.id', 'u.email'])
    .where('u.id', 'in', [...ids]).where('u.active', '=', true).where('a.active', '=', true).execute()
  return new Map(rows.map((r) => [r.id, r]))
}
