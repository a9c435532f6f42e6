import { createHash, randomBytes } from 'node:crypto'
import type { Actor } from '../../core/access/actor.ts'
import { passwordMatches } from '../../core/access/passwords.ts'
import { capabilitiesOf, capabilitiesOfToken, isRole, isTokenScope, type Role, type TokenScope } from '../../core/access/roles.ts'
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../core/errors.ts'
import { asSystem } from '../../db/context.ts'
import type { AppContext } from '../../http/context.ts'
import { parseInput } from '../../http/validation.ts'
import { credentials, type Profile } from '../users/service.ts'
import * as q from './queries.ts'
import { SignInInput, TokenInput } from './schema.ts'

export const SESSION_COOKIE = 'achilles_session'
const TOKEN_PREFIX = 'ach_'
// Writing last-seen on every request would put a write on the hot path; once a minute is enough.
const TOUCH_EVERY_MS = 60_000

const digest = (secret: string) => createHash('sha256').update(secret).digest('hex')
const newSecret = () => randomBytes(32).toString('base64url')

export type SignInOutcome =
  | { ok: true; token: string; userId: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; lockedUntil: Date }

export async function signIn(ctx: AppContext, raw: unknown, client: { ip: string | null; userAgent: string | null }): Promise<SignInOutcome> {
  const input = parseInput(SignInInput, raw)
  const now = ctx.now()
  const account = await credentials.byEmail(ctx.db, input.email)
  const matches = await passwordMatches(account?.passwordHash ?? null, input.password)
  if (!account || !account.active || !account.agencyActive) return { ok: false, reason: 'invalid' }
  if (account.lockedUntil && account.lockedUntil > now) return { ok: false, reason: 'locked', lockedUntil: account.lockedUntil }
  if (!matches) {
    const lockedUntil = await credentials.recordFailure(ctx.db, account.id, ctx.config.signInMaxFailures, ctx.config.lockoutMinutes)
    return lockedUntil && lockedUntil > now ? { ok: false, reason: 'locked', lockedUntil } : { ok: false, reason: 'invalid' }
  }
  await credentials.recordSuccess(ctx.db, account.id)
  const token = newSecret()
  await asSystem(ctx.db, (tx) =>
    q.insertSession(tx, {
      id: digest(token),
      userId: account.id,
      expiresAt: new Date(now.getTime() + ctx.config.sessionMaxHours * 3_600_000),
      ip: client.ip,
      userAgent: client.userAgent,
    }),
  )
  return { ok: true, token, userId: account.id }
}

/** The actor a session or token stands for, from its user's profile (read in the same statement). */
function actorFromProfile(profile: Profile | null, via: Actor['via'], scopes?: TokenScope[], tokenId?: string): Actor {
  if (!profile || !profile.active || !profile.agencyActive) throw new UnauthenticatedError('invalid')
  const roles = profile.roles.filter(isRole) as Role[]
  return {
    userId: profile.id,
    agencyId: profile.agencyId,
    agencyName: profile.agencyName,
    email: profile.email,
    displayName: profile.displayName,
    roles,
    capabilities: scopes ? capabilitiesOfToken(roles, scopes) : capabilitiesOf(roles),
    via,
    tokenId,
  }
}

/** The signed-in user behind a session cookie, or UnauthenticatedError saying why not. */
export async function actorFromSession(ctx: AppContext, token: string): Promise<Actor> {
  const id = digest(token)
  const now = ctx.now()
  const session = await q.findSessionWithProfile(credentials.profileQuery(ctx.db.kysely), id)
  if (!session || session.ended_at) throw new UnauthenticatedError('invalid')
  const idleLimit = new Date(session.last_seen_at.getTime() + ctx.config.sessionIdleMinutes * 60_000)
  if (session.expires_at <= now || idleLimit <= now) {
    await asSystem(ctx.db, (tx) => q.endSession(tx, id))
    throw new UnauthenticatedError('expired')
  }
  if (now.getTime() - session.last_seen_at.getTime() > TOUCH_EVERY_MS) await q.touchSession(ctx.db.kysely, id, now)
  return actorFromProfile(credentials.toProfile(session), 'session')
}

export async function signOut(ctx: AppContext, token: string): Promise<void> {
  await asSystem(ctx.db, (tx) => q.endSession(tx, digest(token)))
}

export async function endAllSessions(ctx: AppContext, userId: string): Promise<void> {
  await asSystem(ctx.db, (tx) => q.endSessionsOf(tx, userId))
}

export async function endOtherSessions(ctx: AppContext, userId: string, keepToken: string): Promise<void> {
  await asSystem(ctx.db, (tx) => q.endSessionsOf(tx, userId, digest(keepToken)))
}

/** The user behind an API token, limited to the token's scopes. */
export async function actorFromToken(ctx: AppContext, presented: string): Promise<Actor> {
  if (!presented.startsWith(TOKEN_PREFIX)) throw new UnauthenticatedError('invalid')
  const now = ctx.now()
  const token = await q.findTokenWithProfile(credentials.profileQuery(ctx.db.kysely), digest(presented.slice(TOKEN_PREFIX.length)))
  if (!token || token.revoked_at || (token.expires_at && token.expires_at <= now)) throw new UnauthenticatedError('invalid')
  if (!token.last_used_at || now.getTime() - token.last_used_at.getTime() > TOUCH_EVERY_MS) await q.touchToken(ctx.db.kysely, token.token_id, now)
  return actorFromProfile(credentials.toProfile(token), 'token', token.scopes.filter(isTokenScope), token.token_id)
}

/** Makes a token for a user; the secret is returned once and only its hash is kept. */
export async function issueApiToken(
  ctx: AppContext,
  issuer: Actor | 'system',
  userId: string,
  raw: unknown,
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const input = parseInput(TokenInput, raw)
  if (issuer !== 'system') {
    if (!issuer.capabilities.includes('tokens.own') || issuer.userId !== userId) throw new ForbiddenError('You can make API tokens only for yourself')
    if (issuer.via === 'token') throw new ForbiddenError('An API token cannot make another token: sign in to make one')
  }
  const secret = newSecret()
  const expiresAt = new Date(ctx.now().getTime() + input.expiresInDays * 86_400_000)
  const id = await asSystem(ctx.db, (tx) =>
    q.insertToken(tx, { userId, name: input.name, tokenHash: digest(secret), scopes: input.scopes, expiresAt, createdBy: issuer === 'system' ? null : issuer.userId }),
  )
  return { id, token: TOKEN_PREFIX + secret, expiresAt }
}

export async function listApiTokens(ctx: AppContext, actor: Actor) {
  const rows = await asSystem(ctx.db, (tx) => q.listTokens(tx, actor.userId))
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    scopes: r.scopes,
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at?.toISOString() ?? null,
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
    revokedAt: r.revoked_at?.toISOString() ?? null,
  }))
}

/** Revokes one of the actor's own tokens, or any token when `asAdministrator` (the CLI). */
export async function revokeApiToken(ctx: AppContext, actor: Actor | 'system', id: string): Promise<void> {
  const done = await asSystem(ctx.db, (tx) => q.revokeToken(tx, id, actor === 'system' ? null : actor.userId, actor === 'system' ? null : actor.userId))
  if (!done) throw new NotFoundError('Active token')
}

/** The secret that signs cookies; made once per database so every server instance shares it. */
export function cookieSecret(ctx: Pick<AppContext, 'db'>): Promise<string> {
  return asSystem(ctx.db, async (tx) => (await q.getSetting(tx, 'cookie_secret')) ?? q.putSettingIfAbsent(tx, 'cookie_secret', newSecret()))
}
