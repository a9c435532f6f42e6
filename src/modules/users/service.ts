import type { Actor } from '../../core/access/actor.ts'
import { hashPassword, passwordMatches } from '../../core/access/passwords.ts'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem, asUser, withOwnerPrivileges, type Queryable } from '../../db/context.ts'
import { parseInput } from '../../http/validation.ts'
import { agencyStatus } from '../agencies/service.ts'
import { recordAudit } from '../audit/service.ts'
import * as q from './queries.ts'
import { PasswordChange, PasswordReset, UserInput, UserListQuery, UserUpdate, type UserOut } from './schema.ts'

const PURPOSE = 'User administration'

function must(actor: Actor, capability: 'users.read' | 'users.manage'): void {
  if (!actor.capabilities.includes(capability)) {
    throw new ForbiddenError(capability === 'users.manage' ? 'Managing users needs the user administration capability' : 'Seeing users needs the user directory capability')
  }
}

export async function listUsers(db: Database, actor: Actor, input: unknown, now: Date) {
  must(actor, 'users.read')
  const query = parseInput(UserListQuery, input)
  return asUser(db, actor, async (tx) => {
    const result = await q.listUsers(tx, query, now)
    // Staff names and e-mail addresses are personal data too: a list of them is a consultation.
    if (result.rows.length > 0) await recordAudit(tx, actor, { action: 'consultation', recordType: 'user', purpose: PURPOSE, detail: { shown: result.rows.map((u) => u.id) } })
    return { query, ...result }
  })
}

/** A user's record is personal data, so each look at it is logged as a consultation. */
export async function getUser(db: Database, actor: Actor, id: string, now: Date): Promise<UserOut> {
  must(actor, 'users.read')
  return asUser(db, actor, async (tx) => {
    const user = await q.findUser(tx, id, now)
    if (!user) throw new NotFoundError('User')
    await recordAudit(tx, actor, { action: 'consultation', recordType: 'user', recordId: id, purpose: PURPOSE })
    return user
  })
}

async function checkUnique(tx: Queryable, email: string, exceptId?: string) {
  if (await q.emailTaken(tx, email, exceptId)) throw new ValidationError([{ field: 'email', message: 'A user with this email address already exists' }])
}

async function checkAgency(tx: Queryable, agencyId: string) {
  const agency = await agencyStatus(tx, agencyId)
  if (!agency) throw new ValidationError([{ field: 'agencyId', message: 'The agency does not exist' }])
  if (!agency.active) throw new ValidationError([{ field: 'agencyId', message: 'The agency is no longer active: choose another' }])
}

export async function createUser(db: Database, actor: Actor, raw: unknown): Promise<string> {
  must(actor, 'users.manage')
  const input = parseInput(UserInput, raw)
  const passwordHash = await hashPassword(input.password)
  return asUser(db, actor, async (tx) => {
    await checkUnique(tx, input.email)
    await checkAgency(tx, input.agencyId)
    const id = await q.insertUser(tx, input, actor.userId)
    await withOwnerPrivileges(tx, () => q.setPasswordHash(tx, id, passwordHash))
    await recordAudit(tx, actor, { action: 'collection', recordType: 'user', recordId: id, purpose: PURPOSE, detail: { roles: input.roles } })
    return id
  })
}

export async function updateUser(db: Database, actor: Actor, id: string, raw: unknown, now: Date): Promise<void> {
  must(actor, 'users.manage')
  const input = parseInput(UserUpdate, raw)
  await asUser(db, actor, async (tx) => {
    const before = await q.findUser(tx, id, now)
    if (!before) throw new NotFoundError('User')
    if (id === actor.userId && (!input.active || !input.roles.includes('administrator'))) {
      throw new ValidationError([{ field: 'roles', message: 'You cannot remove your own administrator role or deactivate yourself: ask another administrator' }])
    }
    await checkUnique(tx, input.email, id)
    await checkAgency(tx, input.agencyId)
    if (!(await q.updateUser(tx, id, input, actor.userId))) {
      throw new ConflictError('Someone else changed this user while you were editing. Reload the page to see their changes, then make yours again.')
    }
    const changed = (['email', 'displayName', 'jobTitle', 'agencyId', 'active'] as const).filter((k) => before[k] !== input[k])
    if (before.roles.join() !== input.roles.join()) changed.push('roles' as never)
    await recordAudit(tx, actor, { action: 'alteration', recordType: 'user', recordId: id, purpose: PURPOSE, detail: { changed, roles: input.roles } })
  })
}

export async function unlockUser(db: Database, actor: Actor, id: string): Promise<void> {
  must(actor, 'users.manage')
  await asUser(db, actor, async (tx) => {
    if (!(await q.unlockUser(tx, id, actor.userId))) throw new NotFoundError('User')
    await recordAudit(tx, actor, { action: 'alteration', recordType: 'user', recordId: id, purpose: PURPOSE, detail: { unlocked: true } })
  })
}

export async function resetPassword(db: Database, actor: Actor, id: string, raw: unknown, now: Date): Promise<void> {
  must(actor, 'users.manage')
  const input = parseInput(PasswordReset, raw)
  const passwordHash = await hashPassword(input.password)
  await asUser(db, actor, async (tx) => {
    if (!(await q.findUser(tx, id, now))) throw new NotFoundError('User')
    await withOwnerPrivileges(tx, () => q.setPasswordHash(tx, id, passwordHash))
    await recordAudit(tx, actor, { action: 'alteration', recordType: 'user', recordId: id, purpose: PURPOSE, detail: { passwordReset: true } })
  })
}

/** A signed-in user changes their own password, proving they know the current one. */
export async function changeOwnPassword(db: Database, actor: Actor, raw: unknown): Promise<void> {
  if (actor.via !== 'session') throw new ForbiddenError('Sign in to change your password; an API token cannot')
  const input = parseInput(PasswordChange, raw)
  const account = await credentials.byEmail(db, actor.email)
  if (!account || !(await passwordMatches(account.passwordHash, input.currentPassword))) {
    throw new ValidationError([{ field: 'currentPassword', message: 'Your current password is not correct' }])
  }
  const passwordHash = await hashPassword(input.password)
  await asUser(db, actor, async (tx) => {
    await withOwnerPrivileges(tx, () => q.setPasswordHash(tx, actor.userId, passwordHash))
    await recordAudit(tx, actor, { action: 'alteration', recordType: 'user', recordId: actor.userId, purpose: 'Changing own password', detail: { passwordChanged: true } })
  })
}

/** Aggregate figures for the home page, in the caller's transaction. */
export function userCounts(tx: Queryable) {
  return q.userCounts(tx)
}

// For sign-in, which runs before anyone is known and so as the owner.
export type { Profile } from './queries.ts'

export const credentials = {
  byEmail: (db: Database, email: string) => asSystem(db, (tx) => q.credentialsByEmail(tx, email)),
  recordFailure: (db: Database, id: string, maxFailures: number, lockoutMinutes: number) =>
    asSystem(db, (tx) => q.recordFailedSignIn(tx, id, maxFailures, lockoutMinutes)),
  recordSuccess: (db: Database, id: string) => asSystem(db, (tx) => q.recordSignIn(tx, id)),
  profile: (tx: Queryable, id: string) => q.profileOf(tx, id),
  /** The profile as a query to join to: the auth module reads a session and its user in one statement. */
  profileQuery: (tx: Queryable) => q.profileQuery(tx),
  toProfile: q.toProfile,
  setPassword: async (db: Database, id: string, password: string) => {
    const hash = await hashPassword(password)
    await asSystem(db, (tx) => q.setPasswordHash(tx, id, hash))
  },
}

/** A user's id from their e-mail address; needs no access to credentials. */
export function userIdByEmail(tx: Queryable, email: string) {
  return q.userIdByEmail(tx, email)
}

/** Names of users by id, for showing who recorded or may see something. */
export function displayNames(tx: Queryable, ids: readonly string[]) {
  return q.displayNames(tx, ids)
}

/** Loads many users at once with one password (demonstration and benchmark data). */
export async function insertUsers(tx: Queryable, rows: Parameters<typeof q.insertUsers>[1], password: string): Promise<void> {
  await q.insertUsers(tx, rows, await hashPassword(password))
}

/** E-mail addresses of active users by id (the platform's own messages, such as the overdue sweep). */
export function activeEmails(tx: Queryable, ids: readonly string[]) {
  return q.activeEmails(tx, ids)
}
