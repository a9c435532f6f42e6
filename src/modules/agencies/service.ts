import type { Actor } from '../../core/access/actor.ts'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.ts'
import type { Database } from '../../db/connection.ts'
import { asUser, type Queryable } from '../../db/context.ts'
import { parseInput } from '../../http/validation.ts'
import { recordAudit } from '../audit/service.ts'
import * as q from './queries.ts'
import { AgencyInput, AgencyListQuery, AgencyUpdate, ContactInput, type AgencyDetailOut } from './schema.ts'

function mustManage(actor: Actor): void {
  if (!actor.capabilities.includes('agencies.manage')) throw new ForbiddenError('Changing the partner directory needs the agency administration capability')
}

function mustRead(actor: Actor): void {
  if (!actor.capabilities.includes('agencies.read')) throw new ForbiddenError('Reading the partner directory needs the directory capability')
}

export async function listAgencies(db: Database, actor: Actor, input: unknown) {
  mustRead(actor)
  const query = parseInput(AgencyListQuery, input)
  return { query, ...(await asUser(db, actor, (tx) => q.listAgencies(tx, query))) }
}

export async function getAgency(db: Database, actor: Actor, id: string): Promise<AgencyDetailOut> {
  mustRead(actor)
  const agency = await asUser(db, actor, async (tx) => {
    const found = await q.findAgency(tx, id)
    // Contacts are named people: showing them is a consultation of their records.
    if (found && found.contacts.length > 0) {
      await recordAudit(tx, actor, { action: 'consultation', recordType: 'agency_contact', purpose: 'Partner directory', detail: { agencyId: id, shown: found.contacts.map((c) => c.id) } })
    }
    return found
  })
  if (!agency) throw new NotFoundError('Agency')
  return agency
}

async function checkReferences(tx: Queryable, input: { name: string; parentId: string | null; agencyType: string }, selfId?: string) {
  const issues = []
  if (await q.agencyNameTaken(tx, input.name, selfId)) issues.push({ field: 'name', message: 'An agency with this name already exists' })
  if (input.parentId) {
    const parent = await q.agencyExists(tx, input.parentId)
    if (!parent) issues.push({ field: 'parentId', message: 'The parent agency does not exist' })
    else if (input.agencyType === 'council_service' && parent.agencyType !== 'local_authority') {
      issues.push({ field: 'parentId', message: 'A council service belongs to a council: choose a council as its parent' })
    }
    if (selfId && input.parentId === selfId) issues.push({ field: 'parentId', message: 'An agency cannot be its own parent' })
  }
  if (issues.length > 0) throw new ValidationError(issues)
}

export async function createAgency(db: Database, actor: Actor, raw: unknown): Promise<string> {
  mustManage(actor)
  const input = parseInput(AgencyInput, raw)
  return asUser(db, actor, async (tx) => {
    await checkReferences(tx, input)
    const id = await q.insertAgency(tx, input, actor.userId)
    await recordAudit(tx, actor, { action: 'collection', recordType: 'agency', recordId: id, purpose: 'Partner directory administration', detail: { name: input.name } })
    return id
  })
}

export async function updateAgency(db: Database, actor: Actor, id: string, raw: unknown): Promise<void> {
  mustManage(actor)
  const input = parseInput(AgencyUpdate, raw)
  await asUser(db, actor, async (tx) => {
    const before = await q.findAgency(tx, id)
    if (!before) throw new NotFoundError('Agency')
    await checkReferences(tx, input, id)
    if (!(await q.updateAgency(tx, id, input, actor.userId))) {
      throw new ConflictError('Someone else changed this agency while you were editing it. Reload the page to see their changes, then make yours again.')
    }
    const changed = (Object.keys(input) as Array<keyof typeof input>).filter(
      (k) => k !== 'rowVersion' && (before as Record<string, unknown>)[k] !== input[k],
    )
    await recordAudit(tx, actor, { action: 'alteration', recordType: 'agency', recordId: id, purpose: 'Partner directory administration', detail: { changed } })
  })
}

export async function addContact(db: Database, actor: Actor, agencyId: string, raw: unknown): Promise<string> {
  mustManage(actor)
  const input = parseInput(ContactInput, raw)
  return asUser(db, actor, async (tx) => {
    if (!(await q.agencyExists(tx, agencyId))) throw new NotFoundError('Agency')
    const id = await q.insertContact(tx, agencyId, input, actor.userId)
    await recordAudit(tx, actor, { action: 'collection', recordType: 'agency_contact', recordId: id, purpose: 'Partner directory administration', detail: { agencyId } })
    return id
  })
}

export async function removeContact(db: Database, actor: Actor, agencyId: string, contactId: string): Promise<void> {
  mustManage(actor)
  await asUser(db, actor, async (tx) => {
    if (!(await q.deleteContact(tx, agencyId, contactId))) throw new NotFoundError('Contact')
    await recordAudit(tx, actor, { action: 'erasure', recordType: 'agency_contact', recordId: contactId, purpose: 'Partner directory administration', detail: { agencyId } })
  })
}

export function agencyOptions(db: Database, actor: Actor, onlyCouncils = false) {
  return asUser(db, actor, (tx) => q.agencyOptions(tx, onlyCouncils))
}

export type AgencyByName = { text: string; agency: { id: string; name: string } | null; problem: string | null }

/**
 * Agencies as people name them in a form: the agency of exactly that name, or the one agency whose
 * name contains the text. Text that names no agency, or more than one, comes back with the problem
 * said, naming a few of the agencies it could mean.
 */
export async function agenciesByName(tx: Queryable, texts: readonly string[]): Promise<AgencyByName[]> {
  const wanted = [...new Set(texts.map((t) => t.trim()).filter((t) => t.length > 0))]
  const found = await q.agenciesMatching(tx, wanted)
  return wanted.map((text) => {
    const matches = found.filter((m) => m.text === text)
    const exact = matches.filter((m) => m.exact)
    const one = exact.length === 1 ? exact[0] : matches.length === 1 ? matches[0] : undefined
    if (one) return { text, agency: { id: one.id, name: one.name }, problem: null }
    if (matches.length === 0) return { text, agency: null, problem: `No agency in the directory is called "${text}" or has it in its name` }
    const examples = matches.slice(0, 3).map((m) => m.name)
    return { text, agency: null, problem: `"${text}" is part of the names of ${matches.length > 3 ? 'several agencies' : `${matches.length} agencies`}, for example ${examples.join('; ')}: write more of the name` }
  })
}

/** Names of agencies by id, for showing who a record is shared with. */
export function agencyNames(tx: Queryable, ids: readonly string[]) {
  return q.agencyNames(tx, ids)
}

/** Aggregate figures for the home page, in the caller's transaction. */
export function agencyCounts(tx: Queryable) {
  return q.agencyCounts(tx)
}


/** Whether an agency exists and is active, for other modules that point at one. */
export function agencyStatus(tx: Queryable, id: string) {
  return q.agencyExists(tx, id)
}

export function agencyKinds(tx: Queryable, ids: readonly string[]) {
  return q.agencyKinds(tx, ids)
}

export type { AgencyKind } from './queries.ts'

// Bulk loading for demonstration and benchmark data, run by the platform itself.
export { insertAgencies, insertContacts, countAgencies } from './queries.ts'
