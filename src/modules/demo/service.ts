import type { Partnership } from '../../core/demo/partnership.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem } from '../../db/context.ts'
import { countAgencies, insertAgencies, insertContacts } from '../agencies/service.ts'
import { recordAudit } from '../audit/service.ts'
import { insertNotes } from '../notes/service.ts'
import { insertUsers } from '../users/service.ts'

export type LoadFigures = { agencies: number; contacts: number; users: number; notes: number; shares: number }

export function isEmpty(db: Database): Promise<boolean> {
  return asSystem(db, async (tx) => (await countAgencies(tx)) === 0)
}

/** Loads a generated partnership in one transaction: all of it, or nothing. */
export async function loadPartnership(db: Database, p: Partnership, password: string): Promise<LoadFigures> {
  const figures: LoadFigures = {
    agencies: p.agencies.length,
    contacts: p.contacts.length,
    users: p.users.length,
    notes: p.notes.length,
    shares: p.notes.reduce((n, note) => n + note.sharedWithAgencyIds.length, 0),
  }
  await asSystem(db, async (tx) => {
    await insertAgencies(tx, p.agencies)
    await insertContacts(tx, p.contacts)
    await insertUsers(tx, p.users, password)
    await insertNotes(tx, p.notes)
    await recordAudit(tx, 'system', { action: 'collection', recordType: 'demonstration_data', purpose: 'Loading invented demonstration data', detail: { ...figures } })
  })
  return figures
}
