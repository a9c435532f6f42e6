import { sql } from 'kysely'
import type { Queryable } from '../../db/context.ts'
import type { profileQuery } from '../users/queries.ts'

// Sessions and tokens are reached only as the owner: achilles_app has no grant on them.

export async function insertSession(db: Queryable, s: { id: string; userId: string; expiresAt: Date; ip: string | null; userAgent: string | null }) {
  await db.insertInto('sessions').values({ id: s.id, user_id: s.userId, expires_at: s.expiresAt, ip: s.ip, user_agent: s.userAgent?.slice(0, 300) ?? null }).execute()
}

/**
 * A session and its user's profile in one statement: every request with a cookie starts here, and
 * a second round trip for the profile was a few per cent of a page's time. The profile's columns
 * come from the users module (`profiles`, its profileQuery); this adds only the session's.
 */
export async function findSessionWithProfile(profiles: ReturnType<typeof profileQuery>, id: string) {
  return profiles
    .innerJoin('sessions as s', 's.user_id', 'u.id')
    .select(['s.id as session_id', 's.last_seen_at', 's.expires_at', 's.ended_at'])
    .where('s.id', '=', id)
    .executeTakeFirst()
}

export async function touchSession(db: Queryable, id: string, at: Date) {
  await db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute()
}

export async function endSession(db: Queryable, id: string) {
  await db.updateTable('sessions').set({ ended_at: sql`now()` }).where('id', '=', id).where('ended_at', 'is', null).execute()
}

export async function endSessionsOf(db: Queryable, userId: string, exceptId?: string) {
  let query = db.updateTable('sessions').set({ ended_at: sql`now()` }).where('user_id', '=', userId).where('ended_at', 'is', null)
  if (exceptId) query = query.where('id', '<>', exceptId)
  await query.execute()
}

export async function insertToken(db: Queryable, t: { userId: string; name: string; tokenHash: string; scopes: string[]; expiresAt: Date | null; createdBy: string | null }) {
  const row = await db
    .insertInto('api_tokens')
    .values({ user_id: t.userId, name: t.name, token_hash: t.tokenHash, scopes: t.scopes, expires_at: t.expiresAt, created_by: t.createdBy })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** An API token and its user's profile in one statement, as for a session. */
export async function findTokenWithProfile(profiles: ReturnType<typeof profileQuery>, tokenHash: string) {
  return profiles
    .innerJoin('api_tokens as t', 't.user_id', 'u.id')
    .select(['t.id as token_id', 't.scopes', 't.expires_at', 't.revoked_at', 't.last_used_at'])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst()
}

export async function touchToken(db: Queryable, id: string, at: Date) {
  await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute()
}

export async function listTokens(db: Queryable, userId: string) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'scopes', 'created_at', 'expires_at', 'last_used_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute()
}

export async function revokeToken(db: Queryable, id: string, userId: string | null, by: string | null) {
  let query = db.updateTable('api_tokens').set({ revoked_at: sql`now()`, revoked_by: by }).where('id', '=', id).where('revoked_at', 'is', null)
  if (userId) query = query.where('user_id', '=', userId)
  const result = await query.executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function getSetting(db: Queryable, key: string): Promise<string | null> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst()
  return row?.value ?? null
}

export async function putSettingIfAbsent(db: Queryable, key: string, value: string): Promise<string> {
  await db.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute()
  return (await getSetting(db, key))!
}
