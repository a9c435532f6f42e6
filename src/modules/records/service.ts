import type { Actor } from '../../core/access/actor.ts'
import { decideVisibility, handlingProblems, type HandlingInput, type VisibilityBasis } from '../../core/access/visibility.ts'
import { ForbiddenError, NotFoundError, ValidationError, type FieldIssue } from '../../core/errors.ts'
import { isUuid } from '../../core/ids.ts'
import type { Database } from '../../db/connection.ts'
import { asUser, withOwnerPrivileges, type Tx } from '../../db/context.ts'
import * as access from '../../db/visibility.ts'
import { formValues, parseInput } from '../../http/validation.ts'
import { agenciesByName, agencyNames, agencyStatus } from '../agencies/service.ts'
import { recordAudit } from '../audit/service.ts'
import { displayNames, userIdByEmail } from '../users/service.ts'
import * as q from './queries.ts'
import { GrantInput, SharingInput, type AccessOut } from './schema.ts'

// Marking, handling, sharing and grants work alike for every restricted record; each module names
// its kind of record and this module does the rest, with the audit rows the law asks for.

export type RestrictedKind = {
  /** The record type in shares, grants and the audit log. */
  recordType: string
  table: q.RestrictedTable
  /** What a person calls it ("note", "group"), for messages. */
  noun: string
}

export type { RecordHandling } from './queries.ts'

/** Recipients of a disclosure, as the audit log records them. */
function recipientsOf(scope: string, agencyIds: readonly string[]): string[] {
  return scope === 'partnership' ? ['whole-partnership'] : [...agencyIds]
}

/**
 * Runs work as the user where the work returns null for a record the user may not see, after
 * logging the refusal: the transaction commits, so the refusal stands, and the caller is then
 * answered "not found".
 */
export async function seeing<T>(db: Database, actor: Actor, work: (tx: Tx) => Promise<T | null>, what: string): Promise<T> {
  const out = await asUser(db, actor, work)
  if (out === null) throw new NotFoundError(what)
  return out
}

/** Refuses handling that breaks the rules, naming each field, before anything is stored. */
export async function checkHandling(tx: Tx, actor: Actor, input: HandlingInput, noun = 'record'): Promise<void> {
  const issues = handlingProblems(input)
  for (const id of input.sharedWithAgencyIds) {
    const agency = await agencyStatus(tx, id)
    if (!agency || !agency.active) issues.push({ field: 'sharedWithAgencyIds', message: 'One of the chosen agencies does not exist or is inactive' })
    if (id === actor.agencyId) issues.push({ field: 'sharedWithAgencyIds', message: `Your own agency always sees its ${noun}s: choose other agencies` })
  }
  if (issues.length > 0) throw new ValidationError(issues)
}

/** After inserting a record: its named shares, and the collection (and any disclosure) in the log. */
export async function recordCollected(
  tx: Tx,
  actor: Actor,
  kind: RestrictedKind,
  id: string,
  input: HandlingInput & { purpose: string },
  detail: Record<string, unknown> = {},
): Promise<void> {
  await access.replaceShares(tx, kind.recordType, id, input.sharedWithAgencyIds, actor.userId)
  await recordAudit(tx, actor, { action: 'collection', recordType: kind.recordType, recordId: id, purpose: input.purpose, detail: { marking: input.protectiveMarking, handling: input.handlingCode, ...detail } })
  if (input.sharingScope !== 'agency') {
    await recordAudit(tx, actor, { action: 'disclosure', recordType: kind.recordType, recordId: id, purpose: input.purpose, recipients: recipientsOf(input.sharingScope, input.sharedWithAgencyIds) })
  }
}

/**
 * Who else may see a record the SQL filter and row-level security have let through, and the core
 * rule's own answer: null if the rule disagrees (then nothing may be shown).
 */
export async function accessTo(tx: Tx, actor: Actor, kind: RestrictedKind, id: string, record: q.RecordHandling, now: Date): Promise<AccessOut | null> {
  const [sharedIds, grants] = await Promise.all([access.sharedAgencyIds(tx, kind.recordType, id), access.activeGrants(tx, kind.recordType, id)])
  const decision = decideVisibility(
    actor,
    {
      ...record,
      sharedWithAgencyIds: sharedIds,
      grants: grants.map((g) => ({ granteeUserId: g.grantee_user_id, granteeAgencyId: g.grantee_agency_id, expiresAt: g.expires_at, revokedAt: g.revoked_at })),
    },
    now,
  )
  if (!decision.visible) return null
  const agencyIds = [...sharedIds, ...grants.flatMap((g) => (g.grantee_agency_id ? [g.grantee_agency_id] : []))]
  const userIds = grants.flatMap((g) => (g.grantee_user_id ? [g.grantee_user_id] : []))
  const [agencies, users] = await Promise.all([agencyNames(tx, agencyIds), displayNames(tx, userIds)])
  return {
    sharedWith: sharedIds.map((a) => ({ id: a, name: agencies.get(a) ?? a })),
    grants: grants.map((g) => ({
      id: g.id,
      grantee: g.grantee_user_id ? (users.get(g.grantee_user_id) ?? g.grantee_user_id) : (agencies.get(g.grantee_agency_id!) ?? g.grantee_agency_id!),
      reason: g.reason,
      expiresAt: g.expires_at?.toISOString() ?? null,
    })),
    visibleBecause: decision.basis as VisibilityBasis,
  }
}

/** Logs a refused disclosure when the record exists but the actor may not see it. */
export async function recordRefusal(tx: Tx, actor: Actor, kind: RestrictedKind, id: string, purpose: string): Promise<void> {
  if (await withOwnerPrivileges(tx, () => q.recordExists(tx, kind.table, id))) {
    await recordAudit(tx, actor, { action: 'disclosure', outcome: 'refused', recordType: kind.recordType, recordId: id, purpose, recipients: [actor.agencyId] })
  }
}

async function ownedRecord(tx: Tx, actor: Actor, kind: RestrictedKind, id: string, doing: string): Promise<q.RecordHandling> {
  const record = await q.handlingOf(tx, kind.table, id)
  if (!record) throw new NotFoundError(capitalised(kind.noun))
  if (record.owningAgencyId !== actor.agencyId) throw new ForbiddenError(`Only the agency that holds a ${kind.noun} can ${doing}`)
  return record
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

/** Changes a record's marking, handling and sharing. Only its owning agency may. */
export async function changeSharing(db: Database, actor: Actor, kind: RestrictedKind, id: string, raw: unknown): Promise<void> {
  if (!actor.capabilities.includes('records.share')) throw new ForbiddenError(`Your role cannot change how a ${kind.noun} is shared`)
  const input = parseInput(SharingInput, raw)
  await asUser(db, actor, async (tx) => {
    const record = await ownedRecord(tx, actor, kind, id, 'change how it is shared')
    await checkHandling(tx, actor, input, kind.noun)
    const before = await access.sharedAgencyIds(tx, kind.recordType, id)
    await q.updateHandling(tx, kind.table, id, input, actor.userId)
    await access.replaceShares(tx, kind.recordType, id, input.sharedWithAgencyIds, actor.userId)
    await recordAudit(tx, actor, {
      action: 'alteration',
      recordType: kind.recordType,
      recordId: id,
      purpose: input.reason,
      detail: { marking: input.protectiveMarking, handling: input.handlingCode, scope: input.sharingScope, previousScope: record.sharingScope, previousAgencies: before },
    })
    const added = input.sharingScope === 'partnership' && record.sharingScope !== 'partnership' ? ['whole-partnership'] : input.sharedWithAgencyIds.filter((a) => !before.includes(a))
    if (input.sharingScope !== 'agency' && added.length > 0) {
      await recordAudit(tx, actor, { action: 'disclosure', recordType: kind.recordType, recordId: id, purpose: input.reason, recipients: added })
    }
  })
}

export async function grantAccess(db: Database, actor: Actor, kind: RestrictedKind, id: string, raw: unknown, now: Date): Promise<string> {
  if (!actor.capabilities.includes('records.share')) throw new ForbiddenError(`Your role cannot grant access to a ${kind.noun}`)
  const input = parseInput(GrantInput, raw)
  return asUser(db, actor, async (tx) => {
    await ownedRecord(tx, actor, kind, id, 'grant access to it')
    let granteeUserId: string | null = null
    if (input.granteeEmail) {
      granteeUserId = await userIdByEmail(tx, input.granteeEmail)
      if (!granteeUserId) throw new ValidationError([{ field: 'granteeEmail', message: 'No user has that email address' }])
    }
    if (input.granteeAgencyId && !(await agencyStatus(tx, input.granteeAgencyId))) {
      throw new ValidationError([{ field: 'granteeAgencyId', message: 'The agency does not exist' }])
    }
    const expiresAt = input.expiresOn ? new Date(`${input.expiresOn}T23:59:59Z`) : null
    if (expiresAt && expiresAt <= now) throw new ValidationError([{ field: 'expiresOn', message: 'The expiry date must be in the future' }])
    const grantId = await access.insertGrant(tx, { recordType: kind.recordType, recordId: id, granteeUserId, granteeAgencyId: input.granteeAgencyId ?? null, reason: input.reason, expiresAt, by: actor.userId })
    await recordAudit(tx, actor, {
      action: 'disclosure',
      recordType: kind.recordType,
      recordId: id,
      purpose: input.reason,
      recipients: [granteeUserId ? `user:${granteeUserId}` : input.granteeAgencyId!],
      detail: { grantId, expiresAt: expiresAt?.toISOString() ?? null },
    })
    return grantId
  })
}

export async function revokeAccess(db: Database, actor: Actor, kind: RestrictedKind, id: string, grantId: string): Promise<void> {
  if (!actor.capabilities.includes('records.share')) throw new ForbiddenError(`Your role cannot change access to a ${kind.noun}`)
  await asUser(db, actor, async (tx) => {
    if (!(await access.revokeGrant(tx, kind.recordType, id, grantId, actor.userId))) throw new NotFoundError('Grant')
    await recordAudit(tx, actor, { action: 'alteration', recordType: kind.recordType, recordId: id, purpose: 'Access withdrawn', detail: { revokedGrant: grantId } })
  })
}

/** Before erasing a record: its shares go, its grants are revoked (kept as history). */
export async function forgetAccess(tx: Tx, kind: RestrictedKind, id: string): Promise<void> {
  await access.forgetRecordAccess(tx, kind.recordType, id)
}

/** Shares for many records at once (demonstration, benchmark and import loads). */
export async function insertShares(tx: Tx, kind: RestrictedKind, rows: ReadonlyArray<{ id: string; sharedWithAgencyIds: readonly string[]; createdBy: string | null }>): Promise<void> {
  await access.insertShares(tx, rows.flatMap((r) => r.sharedWithAgencyIds.map((agencyId) => ({ recordType: kind.recordType, recordId: r.id, agencyId, by: r.createdBy }))))
}

// Forms name agencies in words: the directory holds 1,811 agencies at national scale, too many for a
// list of checkboxes or a select.

/**
 * A form's body with the agencies it names in words (`sharedWithAgencyNames`, one a line, added to
 * the ticked `sharedWithAgencyIds`; `granteeAgencyName`) turned into the ids the services take. A
 * name that matches no agency, or more than one, is an error on its field, and nothing is saved.
 */
export async function withAgencyNames(db: Database, actor: Actor, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { sharedWithAgencyNames, granteeAgencyName, ...rest } = body
  const shareTexts = (typeof sharedWithAgencyNames === 'string' ? sharedWithAgencyNames.split(/\r?\n/) : []).map((t) => t.trim()).filter((t) => t !== '')
  const granteeText = typeof granteeAgencyName === 'string' ? granteeAgencyName.trim() : ''
  if (shareTexts.length === 0 && granteeText === '') return rest
  const found = new Map((await asUser(db, actor, (tx) => agenciesByName(tx, [...shareTexts, granteeText]))).map((f) => [f.text, f]))
  const issues: FieldIssue[] = []
  const shareProblems = shareTexts.flatMap((t) => (found.get(t)?.problem ? [found.get(t)!.problem!] : []))
  if (shareProblems.length > 0) issues.push({ field: 'sharedWithAgencyNames', message: shareProblems.join('. ') })
  const grantee = granteeText === '' ? null : found.get(granteeText)
  if (grantee?.problem) issues.push({ field: 'granteeAgencyName', message: grantee.problem })
  if (grantee && (rest.granteeAgencyId || rest.granteeEmail)) issues.push({ field: 'granteeAgencyName', message: 'Grant access to one user or one agency' })
  if (issues.length > 0) throw new ValidationError(issues)
  const shared = [...new Set([...formValues(rest.sharedWithAgencyIds), ...shareTexts.map((t) => found.get(t)!.agency!.id)])]
  return { ...rest, ...(shareTexts.length > 0 ? { sharedWithAgencyIds: shared } : {}), ...(grantee?.agency ? { granteeAgencyId: grantee.agency.id } : {}) }
}

/** The agencies a form has ticked for named sharing, with their names, so they can be unticked. */
export async function chosenAgencies(db: Database, actor: Actor, values: Record<string, unknown> | undefined): Promise<Array<{ id: string; name: string }>> {
  const ids = formValues(values?.sharedWithAgencyIds).filter((id) => isUuid(id))
  if (ids.length === 0) return []
  const names = await asUser(db, actor, (tx) => agencyNames(tx, ids))
  return ids.flatMap((id) => (names.has(id) ? [{ id, name: names.get(id)! }] : []))
}
