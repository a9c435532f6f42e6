import { sql } from 'kysely'
import type { Queryable } from '../../db/context.ts'
import { containsPattern } from '../../db/like.ts'
import { pageOf } from '../../db/paging.ts'
import type { AgencyDetailOut, AgencyInput, AgencyListQuery, AgencyOut, AgencyUpdate, ContactInput } from './schema.ts'


function agencyColumns(db: Queryable) {
  return db
    .selectFrom('agencies as a')
    .leftJoin('agencies as p', 'p.id', 'a.parent_id')
    .select([
      'a.id', 'a.name', 'a.short_name', 'a.agency_type', 'a.service_area', 'a.parent_id', 'p.name as parent_name',
      'a.region', 'a.gain_member', 'a.address', 'a.website', 'a.active', 'a.row_version', 'a.created_at', 'a.updated_at',
    ])
}

type AgencyRow = Awaited<ReturnType<ReturnType<typeof agencyColumns>['executeTakeFirstOrThrow']>>

function toAgency(r: AgencyRow): AgencyOut {
  return {
    id: r.id,
    name: r.name,
    shortName: r.short_name,
    agencyType: r.agency_type as AgencyOut['agencyType'],
    serviceArea: r.service_area as AgencyOut['serviceArea'],
    parentId: r.parent_id,
    parentName: r.parent_name,
    region: r.region as AgencyOut['region'],
    gainMember: r.gain_member,
    address: r.address,
    website: r.website,
    active: r.active,
    rowVersion: r.row_version,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  }
}

export async function listAgencies(db: Queryable, q: AgencyListQuery): Promise<{ rows: AgencyOut[]; total: number }> {
  let query = agencyColumns(db)
  if (q.q) query = query.where(sql<boolean>`(a.name ILIKE ${'%' + q.q + '%'} OR a.short_name ILIKE ${'%' + q.q + '%'})`)
  if (q.region) query = query.where('a.region', '=', q.region)
  if (q.agencyType) query = query.where('a.agency_type', '=', q.agencyType)
  if (q.gainMember) query = query.where('a.gain_member', '=', q.gainMember === 'yes')
  const { rows, total } = await pageOf(query.orderBy('a.name'), q.page)
  return { rows: rows.map(toAgency), total }
}

export async function findAgency(db: Queryable, id: string): Promise<AgencyDetailOut | null> {
  const row = await agencyColumns(db).where('a.id', '=', id).executeTakeFirst()
  if (!row) return null
  const contacts = await db
    .selectFrom('agency_contacts')
    .select(['id', 'name', 'role_title', 'email', 'phone', 'gain_single_point_of_contact'])
    .where('agency_id', '=', id)
    .orderBy('name')
    .execute()
  return {
    ...toAgency(row),
    contacts: contacts.map((c) => ({
      id: c.id,
      name: c.name,
      roleTitle: c.role_title,
      email: c.email,
      phone: c.phone,
      gainSinglePointOfContact: c.gain_single_point_of_contact,
    })),
  }
}

export async function agencyNameTaken(db: Queryable, name: string, exceptId?: string): Promise<boolean> {
  let query = db.selectFrom('agencies').select('id').where(sql<boolean>`lower(name) = lower(${name})`)
  if (exceptId) query = query.where('id', '<>', exceptId)
  return (await query.executeTakeFirst()) !== undefined
}

export async function agencyExists(db: Queryable, id: string): Promise<{ agencyType: string; active: boolean } | null> {
  const row = await db.selectFrom('agencies').select(['agency_type', 'active']).where('id', '=', id).executeTakeFirst()
  return row ? { agencyType: row.agency_type, active: row.active } : null
}

function agencyValues(input: Omit<AgencyRowInput, 'id'>) {
  return {
    name: input.name,
    short_name: input.shortName,
    agency_type: input.agencyType,
    service_area: input.serviceArea,
    parent_id: input.parentId,
    region: input.region,
    gain_member: input.gainMember,
    address: input.address,
    website: input.website,
  }
}

export async function insertAgency(db: Queryable, input: AgencyInput, by: string | null): Promise<string> {
  const row = await db
    .insertInto('agencies')
    .values({ ...agencyValues(input), created_by: by, updated_by: by })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** Updates when the row is still at the version the user edited; returns false when it was not. */
export async function updateAgency(db: Queryable, id: string, input: AgencyUpdate, by: string): Promise<boolean> {
  const result = await db
    .updateTable('agencies')
    .set((eb) => ({
      ...agencyValues(input),
      active: input.active,
      updated_at: sql`now()`,
      updated_by: by,
      row_version: eb('row_version', '+', 1),
    }))
    .where('id', '=', id)
    .where('row_version', '=', input.rowVersion)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function insertContact(db: Queryable, agencyId: string, input: ContactInput, by: string | null): Promise<string> {
  const row = await db
    .insertInto('agency_contacts')
    .values({
      agency_id: agencyId,
      name: input.name,
      role_title: input.roleTitle,
      email: input.email,
      phone: input.phone,
      gain_single_point_of_contact: input.gainSinglePointOfContact,
      created_by: by,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function deleteContact(db: Queryable, agencyId: string, contactId: string): Promise<boolean> {
  const result = await db.deleteFrom('agency_contacts').where('id', '=', contactId).where('agency_id', '=', agencyId).executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}

export async function agencyOptions(db: Queryable, onlyCouncils = false): Promise<Array<{ id: string; name: string }>> {
  let query = db.selectFrom('agencies').select(['id', 'name']).where('active', '=', true)
  if (onlyCouncils) query = query.where('agency_type', '=', 'local_authority')
  return query.orderBy('name').execute()
}

export async function agencyNames(db: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('agencies').select(['id', 'name']).where('id', 'in', [...ids]).execute()
  return new Map(rows.map((r) => [r.id, r.name]))
}

export async function agencyCounts(db: Queryable): Promise<{ total: number; gainMembers: number; byRegion: Array<{ region: string; n: number }> }> {
  const rows = await db
    .selectFrom('agencies')
    .select(['region', (eb) => eb.fn.countAll<number>().as('n'), sql<number>`count(*) FILTER (WHERE gain_member)`.as('gain')])
    .where('active', '=', true)
    .groupBy('region')
    .orderBy('region')
    .execute()
  return {
    total: rows.reduce((s, r) => s + Number(r.n), 0),
    gainMembers: rows.reduce((s, r) => s + Number(r.gain), 0),
    byRegion: rows.map((r) => ({ region: r.region, n: Number(r.n) })),
  }
}

export type AgencyRowInput = {
  id: string
  name: string
  shortName: string | null
  agencyType: string
  serviceArea: string | null
  parentId: string | null
  region: string
  gainMember: boolean
  address: string | null
  website: string | null
}

/** Loads many agencies at once (demonstration and benchmark data); parents must come first. */
export async function insertAgencies(db: Queryable, rows: readonly AgencyRowInput[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('agencies')
      .values(
        rows.slice(i, i + 500).map((a) => ({ id: a.id, ...agencyValues(a) })),
      )
      .execute()
  }
}

export async function insertContacts(db: Queryable, rows: ReadonlyArray<ContactInput & { agencyId: string }>): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('agency_contacts')
      .values(rows.slice(i, i + 500).map((c) => ({ agency_id: c.agencyId, name: c.name, role_title: c.roleTitle, email: c.email, phone: c.phone, gain_single_point_of_contact: c.gainSinglePointOfContact })))
      .execute()
  }
}

export async function countAgencies(db: Queryable): Promise<number> {
  const row = await db.selectFrom('agencies').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

/**
 * For each text typed, up to four active agencies whose names contain it, any of exactly that name
 * first. Enough to tell one agency from "more than one" and to give examples.
 */
export async function agenciesMatching(db: Queryable, texts: readonly string[]): Promise<Array<{ text: string; id: string; name: string; exact: boolean }>> {
  if (texts.length === 0) return []
  const { rows } = await sql<{ text: string; id: string; name: string; exact: boolean }>`
    SELECT t.text, a.id, a.name, a.exact
    FROM unnest(${[...texts]}::text[], ${texts.map(containsPattern)}::text[]) AS t (text, pattern)
    CROSS JOIN LATERAL (
      SELECT agencies.id, agencies.name, lower(agencies.name) = lower(t.text) AS exact FROM agencies
      WHERE agencies.active AND agencies.name ILIKE t.pattern
      ORDER BY lower(agencies.name) = lower(t.text) DESC, agencies.name
      LIMIT 4) AS a`.execute(db)
  return rows
}

export type AgencyKind = { id: string; name: string; agencyType: string; serviceArea: string | null; active: boolean }

/** What kind of agency each is, for the powers catalogue's rule on who may use a power. */
export async function agencyKinds(db: Queryable, ids: readonly string[]): Promise<Map<string, AgencyKind>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('agencies').select(['id', 'name', 'agency_type', 'service_area', 'active']).where('id', 'in', [...ids]).execute()
  return new Map(rows.map((r) => [r.id, { id: r.id, name: r.name, agencyType: r.agency_type, serviceArea: r.service_area, active: r.active }]))
}
