import type { Actor } from '../../core/access/actor.ts'
import { decideVisibility, handlingProblems } from '../../core/access/visibility.ts'
import { ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.ts'
import type { Database } from '../../db/connection.ts'
import { asUser, withOwnerPrivileges, type Tx } from '../../db/context.ts'
import * as access from '../../db/visibility.ts'
import { parseInput } from '../../http/validation.ts'
import { agencyNames, agencyStatus } from '../agencies/service.ts'
import { recordAudit } from '../audit/service.ts'
import { displayNames, userIdByEmail } from '../users/service.ts'
import * as q from './queries.ts'
import { GrantInput, NoteInput, NoteListQuery, SharingInput, type NoteOut } from './schema.ts'

const { RECORD_TYPE } = q

function must(actor: Actor, capability: 'records.read' | 'records.write' | 'records.share' | 'records.erase', reason: string) {
  if (!actor.capabilities.includes(capability)) throw new ForbiddenError(reason)
}

/** Recipients of a disclosure, as the audit log records them. */
function recipientsOf(scope: string, agencyIds: readonly string[]): string[] {
  return scope === 'partnership' ? ['whole-partnership'] : [...agencyIds]
}

async function checkSharing(tx: Tx, actor: Actor, input: Parameters<typeof handlingProblems>[0]) {
  const issues = handlingProblems(input)
  for (const id of input.sharedWithAgencyIds) {
    const agency = await agencyStatus(tx, id)
    if (!agency || !agency.active) issues.push({ field: 'sharedWithAgencyIds', message: 'One of the chosen agencies does not exist or is inactive' })
    if (id === actor.agencyId) issues.push({ field: 'sharedWithAgencyIds', message: 'Your own agency always sees its notes: choose other agencies' })
  }
  if (issues.length > 0) throw new ValidationError(issues)
}

export async function listNotes(db: Database, actor: Actor, input: unknown) {
  must(actor, 'records.read', 'Your role cannot see shared notes')
  const query = parseInput(NoteListQuery, input)
  return asUser(db, actor, async (tx) => {
    const result = await q.listVisibleNotes(tx, actor, query)
    // A list shows whom each note is about, so seeing it is a consultation of those notes.
    if (result.rows.length > 0) {
      await recordAudit(tx, actor, { action: 'consultation', recordType: RECORD_TYPE, purpose: 'Listing shared notes', detail: { shown: result.rows.map((r) => r.id) } })
    }
    return { query, ...result }
  })
}

/** One note, if the visibility rule lets the actor see it. Refusals are logged as refused disclosures. */
export async function getNote(db: Database, actor: Actor, id: string, now: Date, purpose = 'Viewing a shared note'): Promise<NoteOut> {
  must(actor, 'records.read', 'Your role cannot see shared notes')
  const note = await asUser(db, actor, async (tx) => {
    const found = await q.findVisibleNote(tx, actor, id)
    const [sharedIds, grants] = found ? await Promise.all([access.sharedAgencyIds(tx, RECORD_TYPE, id), access.activeGrants(tx, RECORD_TYPE, id)]) : [[], []]
    // The SQL filter and row-level security have let the row through; the rule in the core must
    // agree before anything is shown, and says on what basis the actor sees it.
    const decision = found
      ? decideVisibility(actor, {
          ...found,
          sharedWithAgencyIds: sharedIds,
          grants: grants.map((g) => ({ granteeUserId: g.grantee_user_id, granteeAgencyId: g.grantee_agency_id, expiresAt: g.expires_at, revokedAt: g.revoked_at })),
        }, now)
      : null
    if (!found || !decision?.visible) {
      if (await withOwnerPrivileges(tx, () => q.noteExists(tx, id))) {
        await recordAudit(tx, actor, { action: 'disclosure', outcome: 'refused', recordType: RECORD_TYPE, recordId: id, purpose, recipients: [actor.agencyId] })
      }
      return null
    }
    const agencyIds = [...sharedIds, ...grants.flatMap((g) => (g.grantee_agency_id ? [g.grantee_agency_id] : []))]
    const userIds = [found.createdById, ...grants.flatMap((g) => (g.grantee_user_id ? [g.grantee_user_id] : []))]
    const [agencies, users] = await Promise.all([agencyNames(tx, agencyIds), displayNames(tx, userIds)])
    await recordAudit(tx, actor, { action: 'consultation', recordType: RECORD_TYPE, recordId: id, purpose })
    return {
      ...found,
      createdBy: users.get(found.createdById) ?? 'Unknown user',
      sharedWith: sharedIds.map((a) => ({ id: a, name: agencies.get(a) ?? a })),
      grants: grants.map((g) => ({
        id: g.id,
        grantee: g.grantee_user_id ? (users.get(g.grantee_user_id) ?? g.grantee_user_id) : (agencies.get(g.grantee_agency_id!) ?? g.grantee_agency_id!),
        reason: g.reason,
        expiresAt: g.expires_at?.toISOString() ?? null,
      })),
      visibleBecause: decision.basis,
    }
  })
  if (!note) throw new NotFoundError('Note')
  return note
}

export async function createNote(db: Database, actor: Actor, raw: unknown): Promise<string> {
  must(actor, 'records.write', 'Your role cannot record notes')
  const input = parseInput(NoteInput, raw)
  if (input.sharingScope !== 'agency') must(actor, 'records.share', 'Your role cannot share notes beyond your agency')
  return asUser(db, actor, async (tx) => {
    await checkSharing(tx, actor, input)
    const id = await q.insertNote(tx, input, actor.agencyId, actor.userId)
    await access.replaceShares(tx, RECORD_TYPE, id, input.sharedWithAgencyIds, actor.userId)
    await recordAudit(tx, actor, { action: 'collection', recordType: RECORD_TYPE, recordId: id, purpose: input.purpose, detail: { marking: input.protectiveMarking, handling: input.handlingCode } })
    if (input.sharingScope !== 'agency') {
      await recordAudit(tx, actor, { action: 'disclosure', recordType: RECORD_TYPE, recordId: id, purpose: input.purpose, recipients: recipientsOf(input.sharingScope, input.sharedWithAgencyIds) })
    }
    return id
  })
}

/** Changes a note's marking, handling and sharing. Only its owning agency may. */
export async function changeSharing(db: Database, actor: Actor, id: string, raw: unknown): Promise<void> {
  must(actor, 'records.share', 'Your role cannot change how notes are shared')
  const input = parseInput(SharingInput, raw)
  await asUser(db, actor, async (tx) => {
    const note = await q.findVisibleNote(tx, actor, id)
    if (!note) throw new NotFoundError('Note')
    if (note.owningAgencyId !== actor.agencyId) throw new ForbiddenError('Only the agency that owns a note can change how it is shared')
    await checkSharing(tx, actor, input)
    const before = await access.sharedAgencyIds(tx, RECORD_TYPE, id)
    await q.updateHandling(tx, id, input, actor.userId)
    await access.replaceShares(tx, RECORD_TYPE, id, input.sharedWithAgencyIds, actor.userId)
    await recordAudit(tx, actor, {
      action: 'alteration',
      recordType: RECORD_TYPE,
      recordId: id,
      purpose: input.reason,
      detail: { marking: input.protectiveMarking, handling: input.handlingCode, scope: input.sharingScope, previousScope: note.sharingScope, previousAgencies: before },
    })
    const added = input.sharingScope === 'partnership' && note.sharingScope !== 'partnership' ? ['whole-partnership'] : input.sharedWithAgencyIds.filter((a) => !before.includes(a))
    if (input.sharingScope !== 'agency' && added.length > 0) {
      await recordAudit(tx, actor, { action: 'disclosure', recordType: RECORD_TYPE, recordId: id, purpose: input.reason, recipients: added })
    }
  })
}

export async function grantAccess(db: Database, actor: Actor, id: string, raw: unknown, now: Date): Promise<string> {
  must(actor, 'records.share', 'Your role cannot grant access to notes')
  const input = parseInput(GrantInput, raw)
  return asUser(db, actor, async (tx) => {
    const note = await q.findVisibleNote(tx, actor, id)
    if (!note) throw new NotFoundError('Note')
    if (note.owningAgencyId !== actor.agencyId) throw new ForbiddenError('Only the agency that owns a note can grant access to it')
    let granteeUserId: string | null = null
    if (input.granteeEmail) {
      granteeUserId = await userIdByEmail(tx, input.granteeEmail!)
      if (!granteeUserId) throw new ValidationError([{ field: 'granteeEmail', message: 'No user has that email address' }])
    }
    if (input.granteeAgencyId && !(await agencyStatus(tx, input.granteeAgencyId))) {
      throw new ValidationError([{ field: 'granteeAgencyId', message: 'The agency does not exist' }])
    }
    const expiresAt = input.expiresOn ? new Date(`${input.expiresOn}T23:59:59Z`) : null
    if (expiresAt && expiresAt <= now) throw new ValidationError([{ field: 'expiresOn', message: 'The expiry date must be in the future' }])
    const grantId = await access.insertGrant(tx, { recordType: RECORD_TYPE, recordId: id, granteeUserId, granteeAgencyId: input.granteeAgencyId ?? null, reason: input.reason, expiresAt, by: actor.userId })
    await recordAudit(tx, actor, {
      action: 'disclosure',
      recordType: RECORD_TYPE,
      recordId: id,
      purpose: input.reason,
      recipients: [granteeUserId ? `user:${granteeUserId}` : input.granteeAgencyId!],
      detail: { grantId, expiresAt: expiresAt?.toISOString() ?? null },
    })
    return grantId
  })
}

export async function revokeAccess(db: Database, actor: Actor, id: string, grantId: string): Promise<void> {
  must(actor, 'records.share', 'Your role cannot change access to notes')
  await asUser(db, actor, async (tx) => {
    if (!(await access.revokeGrant(tx, RECORD_TYPE, id, grantId, actor.userId))) throw new NotFoundError('Grant')
    await recordAudit(tx, actor, { action: 'alteration', recordType: RECORD_TYPE, recordId: id, purpose: 'Access withdrawn', detail: { revokedGrant: grantId } })
  })
}

export async function eraseNote(db: Database, actor: Actor, id: string, reason: unknown): Promise<void> {
  must(actor, 'records.erase', 'Your role cannot erase notes')
  const why = typeof reason === 'string' ? reason.trim() : ''
  if (why.length < 3 || why.length > 500) throw new ValidationError([{ field: 'reason', message: 'Enter why the note is being erased (3 to 500 characters)' }])
  await asUser(db, actor, async (tx) => {
    const note = await q.findVisibleNote(tx, actor, id)
    if (!note) throw new NotFoundError('Note')
    if (note.owningAgencyId !== actor.agencyId) throw new ForbiddenError('Only the agency that owns a note can erase it')
    await access.forgetRecordAccess(tx, RECORD_TYPE, id)
    await q.deleteNote(tx, id)
    await recordAudit(tx, actor, { action: 'erasure', recordType: RECORD_TYPE, recordId: id, purpose: why })
  })
}

/** Aggregate figures for the home page, in the caller's transaction. */
export function noteCounts(tx: Tx, actor: Actor) {
  return q.noteCounts(tx, actor)
}

/** Loads many notes with their named-agency shares (demonstration and benchmark data). */
export async function insertNotes(tx: Tx, rows: readonly q.NoteRowInput[]): Promise<void> {
  await q.insertNotes(tx, rows)
  await access.insertShares(tx, rows.flatMap((n) => n.sharedWithAgencyIds.map((agencyId) => ({ recordType: RECORD_TYPE, recordId: n.id, agencyId, by: n.createdBy }))))
}
