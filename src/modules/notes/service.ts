import type { Actor } from '../../core/access/actor.ts'
import { ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.ts'
import type { Database } from '../../db/connection.ts'
import { asUser, type Tx } from '../../db/context.ts'
import { parseInput } from '../../http/validation.ts'
import { recordAudit } from '../audit/service.ts'
import * as records from '../records/service.ts'
import { displayNames } from '../users/service.ts'
import * as q from './queries.ts'
import { NoteInput, NoteListQuery, type NoteOut } from './schema.ts'

const { RECORD_TYPE } = q
export const KIND: records.RestrictedKind = { recordType: RECORD_TYPE, table: 'notes', noun: 'note' }

function must(actor: Actor, capability: 'records.read' | 'records.write' | 'records.share' | 'records.erase', reason: string) {
  if (!actor.capabilities.includes(capability)) throw new ForbiddenError(reason)
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
    // The SQL filter and row-level security have let the row through; the rule in the core must
    // agree before anything is shown, and says on what basis the actor sees it.
    const seen = found ? await records.accessTo(tx, actor, KIND, id, found, now) : null
    if (!found || !seen) {
      await records.recordRefusal(tx, actor, KIND, id, purpose)
      return null
    }
    const users = await displayNames(tx, [found.createdById])
    await recordAudit(tx, actor, { action: 'consultation', recordType: RECORD_TYPE, recordId: id, purpose })
    return { ...found, createdBy: users.get(found.createdById) ?? 'Unknown user', ...seen }
  })
  if (!note) throw new NotFoundError('Note')
  return note
}

export async function createNote(db: Database, actor: Actor, raw: unknown): Promise<string> {
  must(actor, 'records.write', 'Your role cannot record notes')
  const input = parseInput(NoteInput, raw)
  if (input.sharingScope !== 'agency') must(actor, 'records.share', 'Your role cannot share notes beyond your agency')
  return asUser(db, actor, async (tx) => {
    await records.checkHandling(tx, actor, input, 'note')
    const id = await q.insertNote(tx, input, actor.agencyId, actor.userId)
    await records.recordCollected(tx, actor, KIND, id, input)
    return id
  })
}

export const changeSharing = (db: Database, actor: Actor, id: string, raw: unknown) => records.changeSharing(db, actor, KIND, id, raw)
export const grantAccess = (db: Database, actor: Actor, id: string, raw: unknown, now: Date) => records.grantAccess(db, actor, KIND, id, raw, now)
export const revokeAccess = (db: Database, actor: Actor, id: string, grantId: string) => records.revokeAccess(db, actor, KIND, id, grantId)

export async function eraseNote(db: Database, actor: Actor, id: string, reason: unknown): Promise<void> {
  must(actor, 'records.erase', 'Your role cannot erase notes')
  const why = typeof reason === 'string' ? reason.trim() : ''
  if (why.length < 3 || why.length > 500) throw new ValidationError([{ field: 'reason', message: 'Enter why the note is being erased (3 to 500 characters)' }])
  await asUser(db, actor, async (tx) => {
    const note = await q.findVisibleNote(tx, actor, id)
    if (!note) throw new NotFoundError('Note')
    if (note.owningAgencyId !== actor.agencyId) throw new ForbiddenError('Only the agency that owns a note can erase it')
    await records.forgetAccess(tx, KIND, id)
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
  await records.insertShares(tx, KIND, rows)
}
