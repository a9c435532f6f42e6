import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { capabilitiesOf } from '../../src/core/access/roles.ts'
import type { Viewer } from '../../src/core/access/visibility.ts'
import { asSystem, asUser } from '../../src/db/context.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { entitySummaries, insertEntities, insertLinks, linkCounts, searchEntities, type EntityRowInput } from '../../src/modules/entities/service.ts'
import { engineName } from '../support/database.ts'
import { signedIn, startTestApp, type TestApp } from '../support/app.ts'

// People and entities through the API and the pages, on PGlite and on a PostgreSQL server: each
// schema, bad input, link rules, visibility across agencies, the audit log, fuzzy search, locking.

const POLICE_ANALYST = 'analyst@demo.achilles.example'
const POLICE_LRO = 'lro@demo.achilles.example'
const HMRC_ANALYST = 'analyst.hmrc@demo.achilles.example'
const PARTNER_OFFICER = 'partner.officer@demo.achilles.example'

type Api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, json?: unknown) => Promise<{ status: number; body: any; headers: Record<string, unknown> }>

let t: TestApp
let police: Api
let hmrc: Api
let officer: Api

const user = (email: string) => t.partnership.users.find((u) => u.email === email)!
const viewerOf = (email: string): Viewer => {
  const u = user(email)
  return { userId: u.id, agencyId: u.agencyId, capabilities: capabilitiesOf(u.roles) }
}

before(async () => {
  t = await startTestApp()
  const bearer = async (email: string): Promise<Api> => {
    const { token } = await issueApiToken(t.ctx, 'system', user(email).id, { name: 'test', scopes: ['records:read', 'records:write'] })
    return async (method, url, json) => {
      const res = await t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
        payload: json !== undefined ? JSON.stringify(json) : undefined,
      })
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null, headers: res.headers }
    }
  }
  police = await bearer(POLICE_ANALYST)
  hmrc = await bearer(HMRC_ANALYST)
  officer = await bearer(PARTNER_OFFICER)
})
after(() => t.close())

const held = (overrides: Record<string, unknown> = {}) => ({
  purpose: 'Disrupting a group supplying drugs in Loughborough',
  reviewDate: '2027-06-01',
  protectiveMarking: 'OFFICIAL',
  handlingCode: 'P',
  sharingScope: 'agency',
  ...overrides,
})

async function create(api: Api, body: Record<string, unknown>): Promise<any> {
  const res = await api('POST', '/api/v1/entities', { ...held(), ...body })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

const person = (fullName: string, extra: Record<string, unknown> = {}) => ({ schema: 'Person', fullName, personRole: 'suspect', ...extra })

const count = (table: 'entities' | 'entity_links') => asSystem(t.db, async (tx) => Number((await tx.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n))

async function auditRows(recordId: string, action: string, outcome = 'done') {
  return asSystem(t.db, (tx) =>
    tx.selectFrom('audit_events').select(['action', 'outcome', 'user_id', 'purpose', 'detail']).where('record_id', '=', recordId).where('action', '=', action).where('outcome', '=', outcome).execute(),
  )
}

const idFrom = (location: unknown) => /\/entities\/([0-9a-f-]{36})/.exec(String(location))![1]!

describe(`each kind of entity (${engineName()})`, () => {
  test('is recorded through the API with its numbers, marks and codes normalised, and read back', async () => {
    const p = await create(police, person('Jon  Smyth', { aliases: ['Jonny', 'Smythy'], birthDate: '01/02/1980', identifiers: [{ type: 'pnc', value: '80/123456a' }] }))
    assert.equal(p.caption, 'Jon Smyth')
    assert.equal(p.personRole, 'suspect')
    assert.equal(p.birthDate, '1980-02-01')
    assert.deepEqual(p.properties.identifiers, [{ type: 'pnc', value: '80/123456A' }])
    assert.deepEqual(p.properties.aliases, ['Jonny', 'Smythy'])
    assert.equal(p.rowVersion, 1)
    assert.equal(p.owningAgencyName, 'Leicestershire Police')

    const company = await create(police, { schema: 'Company', name: 'Sparkle Hand Car Wash Ltd', businessType: 'car_wash', companyNumber: '1234567', address: '1 Canal Street, Leicester', postcode: 'le1 6zg' })
    assert.equal(company.properties.companyNumber, '01234567')
    assert.equal(company.postcode, 'LE1 6ZG')
    assert.equal(company.businessType, 'car_wash')

    const organisation = await create(police, { schema: 'Organization', name: 'Friends of the Canal (unregistered)' })
    assert.equal(organisation.schema, 'Organization')

    const address = await create(police, { schema: 'Address', street: 'Flat 2\n14 High Street', town: 'Loughborough', postcode: 'LE11 1AA', premisesType: 'hmo', lsoaCode: 'e01025000', latitude: 52.7721, longitude: -1.2062 })
    assert.equal(address.caption, 'Flat 2, 14 High Street, Loughborough, LE11 1AA')
    assert.equal(address.lsoaCode, 'E01025000')
    assert.equal(address.latitude, 52.7721)

    const vehicle = await create(police, { schema: 'Vehicle', registration: 'ab12 cde', make: 'Ford', model: 'Transit', colour: 'White' })
    assert.equal(vehicle.registration, 'AB12CDE')
    assert.equal(vehicle.caption, 'AB12 CDE – Ford Transit (white)')
    const foreign = await create(police, { schema: 'Vehicle', registration: 'WX 1234567', foreignRegistration: true })
    assert.equal(foreign.registration, 'WX1234567')

    const phone = await create(police, { schema: 'Phone', number: '07700 900123', phoneType: 'mobile' })
    assert.equal(phone.phoneNumber, '+447700900123')
    assert.equal(phone.caption, '07700 900123')

    const account = await create(police, { schema: 'BankAccount', bankName: 'NatWest', sortCode: '601613', accountNumber: '3192 6819', iban: 'GB29 NWBK 6016 1331 9268 19' })
    assert.equal(account.properties.sortCode, '60-16-13')
    assert.equal(account.properties.iban, 'GB29NWBK60161331926819')

    // Each was logged as a collection, with its purpose, by the person who recorded it.
    for (const e of [p, company, organisation, address, vehicle, foreign, phone, account]) {
      const rows = await auditRows(e.id, 'collection')
      assert.equal(rows.length, 1, e.schema)
      assert.equal(rows[0]!.user_id, user(POLICE_ANALYST).id)
      assert.equal(rows[0]!.purpose, held().purpose)
    }
  })

  test('bad input is refused with a message on each faulty field, and nothing is saved', async () => {
    const before = await count('entities')
    const refused = async (body: Record<string, unknown>, fields: string[], message?: RegExp) => {
      const res = await police('POST', '/api/v1/entities', { ...held(), ...body })
      assert.equal(res.status, 400, JSON.stringify(body))
      assert.deepEqual(res.body.errors.map((e: { field: string }) => e.field).sort(), [...fields].sort(), JSON.stringify(res.body.errors))
      if (message) assert.match(res.body.errors.map((e: { message: string }) => e.message).join(' | '), message)
    }
    // Impossible dates of birth.
    await refused(person('A Person', { birthDate: '30/02/1990' }), ['birthDate'], /must be a real date/)
    await refused(person('A Person', { birthDate: '1990-13-01' }), ['birthDate'], /must be a real date/)
    await refused(person('A Person', { birthDate: '2999-01-01' }), ['birthDate'], /in the past/)
    await refused(person('A Person', { birthDate: '31/12/1899' }), ['birthDate'], /1900/)
    await refused({ schema: 'Person', fullName: 'No Role' }, ['personRole'], /suspect, a victim, a person at risk/)
    await refused(person('', {}), ['fullName'])
    await refused(person('Bad Ids', { identifiers: [{ type: 'ni_number', value: 'not a number' }, { type: 'pnc', value: '12345' }] }), ['identifiers.0.value', 'identifiers.1.value'], /National Insurance number/)
    // Protected characteristics are not fields at all.
    await refused(person('Someone', { ethnicity: 'any' }), ['ethnicity'], /Unknown field/)
    await refused({ schema: 'Company', name: 'Bad Number Ltd', companyNumber: 'ABC12345' }, ['companyNumber'])
    await refused({ schema: 'Address', street: '1 Road', postcode: 'LE1 6CI' }, ['postcode'], /real UK postcode/)
    await refused({ schema: 'Address', street: '1 Road', latitude: 52.6 }, ['longitude'], /both latitude and longitude/)
    await refused({ schema: 'Address', street: '1 Road', latitude: 48.85, longitude: 2.35 }, ['latitude'], /in the UK/)
    await refused({ schema: 'Address', street: '1 Road', lsoaCode: 'E02000001' }, ['lsoaCode'])
    await refused({ schema: 'Vehicle', registration: 'ABCDEFGH' }, ['registration'], /UK registration mark/)
    await refused({ schema: 'Vehicle', registration: '' }, ['registration'])
    await refused({ schema: 'Phone', number: '0770090012' }, ['number'], /phone number/)
    await refused({ schema: 'BankAccount', bankName: 'Nowhere' }, ['sortCode'], /sort code and account number, or the IBAN/)
    await refused({ schema: 'BankAccount', sortCode: '60-16-13' }, ['accountNumber'])
    await refused({ schema: 'BankAccount', sortCode: '60-16-14', accountNumber: '31926819', iban: 'GB29NWBK60161331926819' }, ['iban'], /does not carry/)
    await refused({ schema: 'Spaceship', name: 'x' }, ['schema'], /Choose what kind of entity/)
    await refused(person('Handled Badly', { handlingCode: 'C' }), ['handlingConditions'])
    await refused(person('Shared Badly', { protectiveMarking: 'OFFICIAL-SENSITIVE', sharingScope: 'partnership' }), ['sharingScope'])
    assert.equal(await count('entities'), before)
  })
})

describe('links', () => {
  let smyth: string
  let carWash: string
  let van: string
  let brother: string

  before(async () => {
    smyth = (await create(police, person('Kieran Doyle', { sharingScope: 'partnership' }))).id
    brother = (await create(police, person('Sean Doyle'))).id
    carWash = (await create(police, { schema: 'Company', name: 'Doyle Valeting Ltd', businessType: 'car_wash' })).id
    van = (await create(police, { schema: 'Vehicle', registration: 'LM51 XYZ' })).id
  })

  const link = (subjectId: string, objectId: string, linkType: string, extra: Record<string, unknown> = {}) => ({
    subjectId, objectId, linkType, sourceReference: 'LP-2026-000123', protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency', ...extra,
  })

  test('are added in either direction and read from both ends', async () => {
    const director = await police('POST', `/api/v1/entities/${smyth}/links`, link(smyth, carWash, 'director', { startDate: '2023-04-01' }))
    assert.equal(director.status, 201, JSON.stringify(director.body))
    const family = await police('POST', `/api/v1/entities/${smyth}/links`, link(brother, smyth, 'family', { relationship: 'brother' }))
    assert.equal(family.status, 201)
    const fromPerson = (await police('GET', `/api/v1/entities/${smyth}`)).body
    assert.deepEqual(fromPerson.links.map((l: any) => `${l.phrase} → ${l.other.caption}`).sort(), ['Director of → Doyle Valeting Ltd', 'Family → Sean Doyle'])
    const fromCompany = (await police('GET', `/api/v1/entities/${carWash}`)).body
    assert.deepEqual(fromCompany.links.map((l: any) => [l.phrase, l.direction, l.other.caption, l.startDate]), [['Has as director', 'incoming', 'Kieran Doyle', '2023-04-01']])
    // Linking two records about people combines them: logged as such, with the collection.
    assert.equal((await auditRows(director.body.id, 'combination')).length, 1)
    assert.equal((await auditRows(director.body.id, 'collection')).length, 1)
  })

  test('follow the rule for each link type, and refuse the same link twice', async () => {
    const before = await count('entity_links')
    const refused = async (body: Record<string, unknown>, at: string, fields: string[], message?: RegExp) => {
      const res = await police('POST', `/api/v1/entities/${at}/links`, body)
      assert.equal(res.status, 400, JSON.stringify(body))
      assert.deepEqual(res.body.errors.map((e: { field: string }) => e.field).sort(), fields.sort(), JSON.stringify(res.body.errors))
      if (message) assert.match(res.body.errors.map((e: { message: string }) => e.message).join(' | '), message)
    }
    await refused(link(van, carWash, 'director'), van, ['subjectId'], /starts from a person, business or organisation, not a vehicle/)
    await refused(link(smyth, carWash, 'drives_vehicle'), smyth, ['objectId'], /goes to a vehicle, not a business/)
    await refused(link(smyth, smyth, 'associate'), smyth, ['objectId'], /linked to itself/)
    await refused(link(smyth, brother, 'associate', { startDate: '2024-05-01', endDate: '2024-04-01' }), smyth, ['endDate'])
    await refused(link(smyth, brother, 'associate', { sourceReference: '' }), smyth, ['sourceReference'], /each link has a source record/)
    await refused(link(smyth, carWash, 'director', { startDate: '2023-04-01' }), smyth, ['objectId'], /already linked as "Director of" from 2023-04-01/)
    // Family is the same link read from either end.
    await refused(link(smyth, brother, 'family'), smyth, ['objectId'], /already linked as "Family"/)
    await refused(link(brother, carWash, 'owner'), smyth, ['subjectId'], /start from or go to this record/)
    await refused(link(smyth, carWash, 'owner', { sourceIntelligenceId: randomUUID() }), smyth, ['sourceIntelligenceId'])
    assert.equal(await count('entity_links'), before)
    const drives = await police('POST', `/api/v1/entities/${smyth}/links`, link(smyth, van, 'drives_vehicle'))
    assert.equal(drives.status, 201)
  })

  test('to an entity the user cannot see is refused on that field, nothing is saved, and the refusal is logged', async () => {
    const secret = (await create(police, person('Agency Only Person'))).id
    const own = (await create(hmrc, { ...person('Tax Subject'), purpose: 'Investigating tax evasion' })).id
    const before = await count('entity_links')
    const refusalsBefore = (await auditRows(secret, 'disclosure', 'refused')).length
    const res = await hmrc('POST', `/api/v1/entities/${own}/links`, link(own, secret, 'associate'))
    assert.equal(res.status, 400)
    assert.deepEqual(res.body.errors, [{ field: 'objectId', message: 'There is no person or entity with this id that you are permitted to see' }])
    assert.equal(await count('entity_links'), before)
    assert.equal((await auditRows(secret, 'disclosure', 'refused')).length, refusalsBefore + 1)
    // An id that names nothing gets the same answer and logs nothing.
    const ghost = await hmrc('POST', `/api/v1/entities/${own}/links`, link(own, randomUUID(), 'associate'))
    assert.deepEqual(ghost.body.errors.map((e: { field: string }) => e.field), ['objectId'])
    // The same link from a page: the error is on the field that names the other record.
    const page = await signedIn(t.app, HMRC_ANALYST)
    const form = await page.submit(`/entities/${own}/links/new`, `/entities/${own}/links`, { linkOption: 'associate:subject', otherIdText: secret, sourceReference: 'HMRC-1', protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency' })
    assert.equal(form.status, 400)
    assert.match(form.body, /href="#otherIdText">There is no person or entity with this id that you are permitted to see/)
    assert.equal(await count('entity_links'), before)
  })

  test('are seen only when the link and both of its ends may be seen', async () => {
    // HMRC sees the partnership-wide Kieran Doyle, but not his agency-only brother or the links to him.
    const seen = await hmrc('GET', `/api/v1/entities/${smyth}`)
    assert.equal(seen.status, 200)
    assert.deepEqual(seen.body.links, [])
    const counts = await asUser(t.db, viewerOf(HMRC_ANALYST), (tx) => linkCounts(tx, [smyth]))
    assert.equal(counts.get(smyth) ?? 0, 0)
    const policeCounts = await asUser(t.db, viewerOf(POLICE_ANALYST), (tx) => linkCounts(tx, [smyth, carWash, van]))
    assert.equal(policeCounts.get(smyth), 3)
    assert.equal(policeCounts.get(carWash), 1)
    assert.equal(policeCounts.get(van), 1)
  })

  test('are added and removed from the pages, with a reason, by the agency that recorded them', async () => {
    const page = await signedIn(t.app, POLICE_ANALYST)
    const form = await page.get(`/entities/${carWash}/links/new`)
    assert.equal(form.status, 200)
    assert.match(form.body, /Doyle Valeting Ltd: Owned by …/)
    const added = await page.submit(`/entities/${carWash}/links/new`, `/entities/${carWash}/links`, {
      linkOption: 'owner:object', otherId: brother, relationship: 'sole owner', sourceReference: 'Companies House filing', protectiveMarking: 'OFFICIAL', handlingCode: 'C', handlingConditions: 'Not for disclosure to the subject', sharingScope: 'agency',
    })
    assert.equal(added.status, 303, added.body.slice(0, 500))
    const show = await page.get(`/entities/${carWash}`)
    assert.match(show.body, /Owned by \(sole owner\)/)
    assert.match(show.body, /Not for disclosure to the subject/)
    const linkId = /\/links\/([0-9a-f-]{36})\/remove/.exec(show.body.slice(show.body.indexOf('Owned by')))![1]!
    const noReason = await page.submit(`/entities/${carWash}/links/${linkId}/remove`, `/entities/${carWash}/links/${linkId}/remove`, { reason: '' })
    assert.equal(noReason.status, 400)
    assert.match(noReason.body, /Enter why this is being removed/)
    // Another agency may not remove it, even through the API.
    assert.equal((await hmrc('DELETE', `/api/v1/entities/${carWash}/links/${linkId}`, { reason: 'Not mine' })).status, 404)
    const removed = await page.submit(`/entities/${carWash}/links/${linkId}/remove`, `/entities/${carWash}/links/${linkId}/remove`, { reason: 'Ownership ended' })
    assert.equal(removed.status, 303)
    assert.doesNotMatch((await page.get(`/entities/${carWash}`)).body, /Owned by \(sole owner\)/)
    const erasure = await auditRows(linkId, 'erasure')
    assert.equal(erasure.length, 1)
    assert.equal(erasure[0]!.purpose, 'Ownership ended')
  })
})

describe('visibility', () => {
  test('an agency-only entity is hidden from another agency; sharing with the partnership shows it', async () => {
    const e = await create(police, person('Visibility Test Person'))
    const refusedBefore = (await auditRows(e.id, 'disclosure', 'refused')).length
    const res = await hmrc('GET', `/api/v1/entities/${e.id}`)
    assert.equal(res.status, 404)
    assert.doesNotMatch(JSON.stringify(res.body), /Visibility Test Person/)
    assert.equal((await auditRows(e.id, 'disclosure', 'refused')).length, refusedBefore + 1)
    const list = await hmrc('GET', '/api/v1/entities?q=visibility%20test')
    assert.equal(list.body.total, 0)
    const page = await signedIn(t.app, HMRC_ANALYST)
    assert.equal((await page.get(`/entities/${e.id}`)).status, 404)

    const shared = await police('PUT', `/api/v1/entities/${e.id}/sharing`, { protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'partnership', reason: 'Joint operation with HMRC' })
    assert.equal(shared.status, 204)
    const seen = await hmrc('GET', `/api/v1/entities/${e.id}`)
    assert.equal(seen.status, 200)
    assert.equal(seen.body.visibleBecause, 'whole-partnership')
    assert.equal((await hmrc('GET', '/api/v1/entities?q=visibility%20test')).body.total, 1)
    // The reading was logged as a consultation by HMRC's analyst.
    const consulted = await auditRows(e.id, 'consultation')
    assert.ok(consulted.some((r) => r.user_id === user(HMRC_ANALYST).id))
  })

  test('OFFICIAL-SENSITIVE is hidden from a partner officer of an agency it is shared with; a grant opens it to one user', async () => {
    const tradingStandards = user(PARTNER_OFFICER).agencyId
    const e = await create(police, person('Sensitive Person', { protectiveMarking: 'OFFICIAL-SENSITIVE', sharingScope: 'named', sharedWithAgencyIds: [tradingStandards] }))
    assert.equal((await officer('GET', `/api/v1/entities/${e.id}`)).status, 404)
    assert.equal((await hmrc('GET', `/api/v1/entities/${e.id}`)).status, 404)
    const grant = await police('POST', `/api/v1/entities/${e.id}/grants`, { granteeEmail: HMRC_ANALYST, reason: 'Joint tax and drugs operation' })
    assert.equal(grant.status, 201)
    const seen = await hmrc('GET', `/api/v1/entities/${e.id}`)
    assert.equal(seen.status, 200)
    assert.equal(seen.body.visibleBecause, 'explicit-grant')
    assert.equal((await police('DELETE', `/api/v1/entities/${e.id}/grants/${grant.body.grantId}`)).status, 204)
    assert.equal((await hmrc('GET', `/api/v1/entities/${e.id}`)).status, 404)
  })

  test('row-level security alone hides an agency-only entity from a raw query in another agency\'s transaction', async () => {
    const e = await create(police, person('Raw Query Person'))
    const rows = await asUser(t.db, viewerOf(HMRC_ANALYST), (tx) => sql<{ id: string }>`SELECT id FROM entities WHERE id = ${e.id}`.execute(tx))
    assert.equal(rows.rows.length, 0)
    const summaries = await asUser(t.db, viewerOf(HMRC_ANALYST), (tx) => entitySummaries(tx, [e.id]))
    assert.equal(summaries.size, 0)
    const own = await asUser(t.db, viewerOf(POLICE_LRO), (tx) => entitySummaries(tx, [e.id]))
    assert.equal(own.get(e.id)?.caption, 'Raw Query Person')
    assert.equal(own.get(e.id)?.personRole, 'suspect')
  })
})

describe('victims, people at risk and suspects', () => {
  test('are never shown as one another: each has its own tag, and a victim page says not to treat them as a suspect', async () => {
    const victim = await create(police, person('Maria Victim', { personRole: 'victim' }))
    const atRisk = await create(police, person('Tyler At Risk', { personRole: 'person_at_risk' }))
    const suspect = await create(police, person('Dean Suspect'))
    const page = await signedIn(t.app, POLICE_ANALYST)
    const victimPage = await page.get(`/entities/${victim.id}`)
    assert.match(victimPage.body, /achilles-role--victim">Victim</)
    assert.doesNotMatch(victimPage.body, /achilles-role--suspect/)
    assert.match(victimPage.body, /must never be treated, listed, linked or scored as a suspect/)
    const atRiskPage = await page.get(`/entities/${atRisk.id}`)
    assert.match(atRiskPage.body, /achilles-role--person_at_risk">Person at risk</)
    assert.match(atRiskPage.body, /must never be treated/)
    const suspectPage = await page.get(`/entities/${suspect.id}`)
    assert.doesNotMatch(suspectPage.body, /must never be treated/)

    const list = await page.get('/entities?schema=Person&role=victim')
    assert.equal(list.status, 200)
    const row = (name: string, body: string) => body.split('<tr').find((r) => r.includes(name)) ?? ''
    assert.match(row('Maria Victim', list.body), /achilles-role--victim/)
    assert.doesNotMatch(list.body, /Dean Suspect/)
    const all = await page.get('/entities?schema=Person')
    assert.match(row('Dean Suspect', all.body), /achilles-role--suspect/)
    assert.doesNotMatch(row('Maria Victim', all.body), /achilles-role--suspect/)
    assert.doesNotMatch(row('Tyler At Risk', all.body), /achilles-role--suspect/)
    const roles = (await police('GET', '/api/v1/entities?schema=Person&role=person_at_risk')).body.entities.map((e: { personRole: string }) => e.personRole)
    assert.ok(roles.length > 0 && roles.every((r: string) => r === 'person_at_risk'))
  })

  test('a role filter on a kind without roles is refused', async () => {
    const res = await police('GET', '/api/v1/entities?schema=Vehicle&role=victim')
    assert.equal(res.status, 400)
    assert.equal(res.body.errors[0].field, 'role')
  })
})

describe('pages', () => {
  test('a person is added through the form, with aliases and identifiers, and an impossible date is refused on its field', async () => {
    const page = await signedIn(t.app, POLICE_ANALYST)
    const choose = await page.get('/entities/new')
    assert.equal(choose.status, 200)
    assert.match(choose.body, /What do you want to add\?/)
    const fields = {
      schema: 'Person', fullName: 'Aisha Form-Person', personRole: 'other', aliases: 'Ash\r\nA. Person', birthDate: '31/02/1990',
      identifierType: ['ni_number', '', ''], identifierValue: ['ab 12 34 56 c', '', ''], purpose: 'Testing the form', reviewDate: '2027-01-01',
      protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency',
    }
    const bad = await page.submit('/entities/new?schema=Person', '/entities', fields)
    assert.equal(bad.status, 400)
    assert.match(bad.body, /govuk-error-summary/)
    assert.match(bad.body, /href="#birthDate">Date of birth must be a real date/)
    // What was entered is kept.
    assert.match(bad.body, /Ash\nA. Person|Ash\r\nA. Person/)
    assert.match(bad.body, /value="ab 12 34 56 c"/)
    const good = await page.submit('/entities/new?schema=Person', '/entities', { ...fields, birthDate: '28/02/1990' })
    assert.equal(good.status, 303, good.body.slice(0, 800))
    const id = idFrom(good.headers.location)
    const shown = await page.get(`/entities/${id}`)
    assert.match(shown.body, /Aisha Form-Person/)
    assert.match(shown.body, /Ash, A. Person/)
    assert.match(shown.body, /National Insurance number: AB123456C/)
    assert.match(shown.body, /28 February 1990/)
    assert.match(shown.body, new RegExp(`href="/intelligence\\?entityId=${id}"`))
    assert.match(shown.body, /href="\/search"/)
    const api = (await police('GET', `/api/v1/entities/${id}`)).body
    assert.deepEqual(api.properties.aliases, ['Ash', 'A. Person'])
    assert.deepEqual(api.properties.identifiers, [{ type: 'ni_number', value: 'AB123456C' }])
  })

  test('every kind has a form, and a vehicle and a phone are added through theirs', async () => {
    const page = await signedIn(t.app, POLICE_ANALYST)
    for (const schema of ['Person', 'Company', 'Organization', 'Address', 'Vehicle', 'Phone', 'BankAccount']) {
      const res = await page.get(`/entities/new?schema=${schema}`)
      assert.equal(res.status, 200, schema)
    }
    const common = { purpose: 'Testing the forms', reviewDate: '2027-01-01', protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency' }
    const vehicle = await page.submit('/entities/new?schema=Vehicle', '/entities', { schema: 'Vehicle', registration: 'yx19 abc', make: 'BMW', model: '320d', colour: 'Black', ...common })
    assert.equal(vehicle.status, 303, vehicle.body.slice(0, 800))
    assert.match((await page.get(String(vehicle.headers.location))).body, /YX19 ABC – BMW 320d \(black\)/)
    const phone = await page.submit('/entities/new?schema=Phone', '/entities', { schema: 'Phone', number: '+44 (0)113 496 0999', phoneType: 'landline', ...common })
    assert.equal(phone.status, 303)
    assert.match((await page.get(String(phone.headers.location))).body, /0113 496 0999/)
    const badPhone = await page.submit('/entities/new?schema=Phone', '/entities', { schema: 'Phone', number: '12345', ...common })
    assert.equal(badPhone.status, 400)
    assert.match(badPhone.body, /href="#number">Enter a phone number, like 07700 900123/)
  })

  test('a partner officer with no right to record is not offered the form, and a councillor cannot list entities', async () => {
    const councillor = await signedIn(t.app, 'councillor@demo.achilles.example')
    assert.equal((await councillor.get('/entities')).status, 403)
    assert.equal((await councillor.get('/entities/new?schema=Person')).status, 403)
  })
})

describe('changing and erasing', () => {
  test('a change sent with an old row version is refused as a conflict, on the API and the page', async () => {
    const e = await create(police, person('Locking Person', { birthDate: '1975-05-05' }))
    const changed = await police('PUT', `/api/v1/entities/${e.id}`, { schema: 'Person', fullName: 'Locking Person', personRole: 'suspect', aliases: ['Locky'], birthDate: '1975-05-05', purpose: e.purpose, reviewDate: e.reviewDate, rowVersion: 1 })
    assert.equal(changed.status, 200, JSON.stringify(changed.body))
    assert.equal(changed.body.rowVersion, 2)
    assert.deepEqual(changed.body.properties.aliases, ['Locky'])
    const stale = await police('PUT', `/api/v1/entities/${e.id}`, { schema: 'Person', fullName: 'Someone Else', personRole: 'suspect', purpose: e.purpose, reviewDate: e.reviewDate, rowVersion: 1 })
    assert.equal(stale.status, 409)
    assert.equal((await police('GET', `/api/v1/entities/${e.id}`)).body.caption, 'Locking Person')
    const kind = await police('PUT', `/api/v1/entities/${e.id}`, { schema: 'Company', name: 'Now a company', purpose: e.purpose, reviewDate: e.reviewDate, rowVersion: 2 })
    assert.equal(kind.status, 400)
    assert.equal(kind.body.errors[0].field, 'schema')
    const alteration = await auditRows(e.id, 'alteration')
    assert.deepEqual((alteration[0]!.detail as { changed: string[] }).changed, ['aliases'])

    const page = await signedIn(t.app, POLICE_ANALYST)
    const form = await page.get(`/entities/${e.id}/edit`)
    assert.equal(form.status, 200)
    assert.match(form.body, /name="rowVersion" value="2"/)
    assert.match(form.body, /value="1975-05-05"/)
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!
    const fields = { _csrf: token, schema: 'Person', fullName: 'Locking Person', personRole: 'victim', aliases: 'Locky', birthDate: '05/05/1975', purpose: e.purpose, reviewDate: e.reviewDate }
    const ok = await page.request('POST', `/entities/${e.id}`, { form: { ...fields, rowVersion: '2' } })
    assert.equal(ok.status, 303)
    const conflict = await page.request('POST', `/entities/${e.id}`, { form: { ...fields, rowVersion: '2' } })
    assert.equal(conflict.status, 409)
    assert.match(conflict.body, /Someone else changed this record/)
    // The change of role is named in the log.
    const roleChange = (await auditRows(e.id, 'alteration')).map((r) => r.detail as Record<string, unknown>).find((d) => d.personRole === 'victim')
    assert.equal(roleChange?.previousPersonRole, 'suspect')
  })

  test('another agency cannot change or erase an entity it can see', async () => {
    const e = await create(police, person('Shared Person', { sharingScope: 'partnership' }))
    const change = await hmrc('PUT', `/api/v1/entities/${e.id}`, { schema: 'Person', fullName: 'Hijacked', personRole: 'suspect', purpose: 'x', reviewDate: '2027-01-01', rowVersion: 1 })
    assert.equal(change.status, 403)
    assert.equal((await hmrc('DELETE', `/api/v1/entities/${e.id}`, { reason: 'Not ours' })).status, 403)
  })

  test('erasing an entity needs a reason, takes its links with it, and is logged', async () => {
    const a = await create(police, person('Erased Person'))
    const b = await create(police, { schema: 'Phone', number: '07700 900999' })
    const l = await police('POST', `/api/v1/entities/${a.id}/links`, { subjectId: a.id, objectId: b.id, linkType: 'uses_phone', sourceReference: 'Test', protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency' })
    assert.equal(l.status, 201)
    assert.equal((await police('DELETE', `/api/v1/entities/${a.id}`, { reason: '' })).status, 400)
    assert.equal((await police('DELETE', `/api/v1/entities/${a.id}`, { reason: 'Retention period over' })).status, 204)
    assert.equal((await police('GET', `/api/v1/entities/${a.id}`)).status, 404)
    assert.deepEqual((await police('GET', `/api/v1/entities/${b.id}`)).body.links, [])
    assert.equal((await auditRows(a.id, 'erasure'))[0]!.purpose, 'Retention period over')
    assert.equal((await auditRows(l.body.id, 'erasure')).length, 1)
  })

  test('an entity other agencies’ records point at cannot be erased, even when the eraser cannot see them', async () => {
    const shared = await create(police, person('Depended Person', { sharingScope: 'partnership' }))
    const theirs = await create(hmrc, { schema: 'Phone', number: '07700 900888', sharingScope: 'agency' })
    // HMRC's own link, held by HMRC only: the police cannot see it.
    const link = await hmrc('POST', `/api/v1/entities/${shared.id}/links`, { subjectId: shared.id, objectId: theirs.id, linkType: 'uses_phone', sourceReference: 'HMRC case 77', protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency' })
    assert.equal(link.status, 201, JSON.stringify(link.body))
    const refused = await police('DELETE', `/api/v1/entities/${shared.id}`, { reason: 'Retention period over' })
    assert.equal(refused.status, 409)
    assert.match(JSON.stringify(refused.body), /1 link/)
    assert.equal((await police('GET', `/api/v1/entities/${shared.id}`)).status, 200)
    assert.equal((await hmrc('GET', `/api/v1/entities/${theirs.id}`)).body.links.length, 1)
  })
})

describe('search', () => {
  let smyth: string
  before(async () => {
    smyth = (await create(police, person('Jon Smyth', { birthDate: '1980-02-01', sharingScope: 'partnership' }))).id
    await create(police, person('Jane Smithson', { birthDate: '1991-07-14', sharingScope: 'partnership' }))
    await create(police, person('Hidden Smith', { birthDate: '1980-02-01' }))
    await create(police, { schema: 'Vehicle', registration: 'KX68 PLM', make: 'Audi', sharingScope: 'partnership' })
    await create(police, { schema: 'Phone', number: '+44 7700 900456', sharingScope: 'partnership' })
    await create(police, { schema: 'Address', street: '9 Wharf Street', postcode: 'LE1 2BU', sharingScope: 'partnership' })
  })

  const search = (email: string, text: string, schemas?: Array<'Person' | 'Vehicle' | 'Phone' | 'Address'>) =>
    asUser(t.db, viewerOf(email), (tx) => searchEntities(tx, viewerOf(email), { text, schemas, limit: 10 }))

  test('finds "Jon Smyth" for "John Smith", either way round', async () => {
    const hits = await search(HMRC_ANALYST, 'John Smith')
    // Every word sounds alike, so it ranks above Jane Smithson, whose letters are nearer.
    assert.equal(hits[0]?.id, smyth, JSON.stringify(hits))
    assert.equal(hits[0]!.matchedOn, 'name or alias (sounds alike)')
    assert.equal(hits[0]!.similarity, 0.8)
    // A near spelling that does not sound alike is found by its letters.
    const typo = await search(HMRC_ANALYST, 'Jane Smitson')
    assert.equal(typo[0]?.caption, 'Jane Smithson', JSON.stringify(typo))
    assert.equal(typo[0]!.matchedOn, 'name or alias')
    assert.ok(typo[0]!.similarity >= 0.6 && typo[0]!.similarity < 1)
    assert.equal((await search(HMRC_ANALYST, 'jon smyth'))[0]!.similarity, 1)
    assert.ok((await search(HMRC_ANALYST, 'Smith, John')).some((h) => h.id === smyth))
    assert.ok(!(await search(HMRC_ANALYST, 'Wilhelmina Okonkwo')).some((h) => h.id === smyth))
  })

  test('finds a person by date of birth, alone or with a name, and ranks the pair first', async () => {
    const byDate = await search(HMRC_ANALYST, '01/02/1980')
    assert.deepEqual(byDate.map((h) => h.caption), ['Jon Smyth'])
    assert.equal(byDate[0]!.matchedOn, 'date of birth')
    const iso = await search(HMRC_ANALYST, '1980-02-01', ['Person'])
    assert.deepEqual(iso.map((h) => h.id), [smyth])
    const both = await search(HMRC_ANALYST, 'john smith 01/02/1980')
    assert.equal(both[0]!.id, smyth)
    assert.equal(both[0]!.matchedOn, 'name and date of birth')
    assert.ok(both[0]!.similarity > (both[1]?.similarity ?? 0))
  })

  test('finds a vehicle by a registration written with spaces, and a phone written nationally', async () => {
    const vrm = await search(HMRC_ANALYST, 'kx68 plm')
    assert.equal(vrm[0]!.registration, 'KX68PLM')
    assert.equal(vrm[0]!.matchedOn, 'registration')
    assert.equal(vrm[0]!.similarity, 1)
    const phone = await search(HMRC_ANALYST, '07700 900456')
    assert.equal(phone[0]!.phoneNumber, '+447700900456')
    assert.equal(phone[0]!.matchedOn, 'phone number')
    const postcode = await search(HMRC_ANALYST, 'le12bu')
    assert.equal(postcode[0]!.postcode, 'LE1 2BU')
  })

  test('respects visibility and the kinds asked for', async () => {
    assert.ok(!(await search(HMRC_ANALYST, 'Hidden Smith')).some((h) => h.caption === 'Hidden Smith'))
    assert.ok((await search(POLICE_ANALYST, 'Hidden Smith')).some((h) => h.caption === 'Hidden Smith'))
    assert.deepEqual(await search(HMRC_ANALYST, 'kx68 plm', ['Person']), [])
    // The role of the trigram threshold ends with the search: later queries see the default.
    await asUser(t.db, viewerOf(HMRC_ANALYST), async (tx) => {
      await searchEntities(tx, viewerOf(HMRC_ANALYST), { text: 'john smith', limit: 5 })
      const { rows } = await sql<{ role: string; threshold: string }>`SELECT current_user AS role, current_setting('pg_trgm.word_similarity_threshold') AS threshold`.execute(tx)
      assert.equal(rows[0]!.role, 'achilles_app')
      assert.equal(rows[0]!.threshold, '0.6')
    })
  })

  test('the list filter finds a registration and a phone however they are written', async () => {
    assert.equal((await hmrc('GET', '/api/v1/entities?q=kx68%20plm')).body.entities[0]?.registration, 'KX68PLM')
    assert.equal((await hmrc('GET', '/api/v1/entities?q=%2B44%207700%20900456')).body.entities[0]?.phoneNumber, '+447700900456')
    assert.ok((await hmrc('GET', '/api/v1/entities?q=smyth')).body.entities.some((e: { id: string }) => e.id === smyth))
  })
})

describe('bulk loading', () => {
  test('computes captions, search text and lifted columns, and stores named shares', async () => {
    const policeAgency = user(POLICE_ANALYST).agencyId
    const hmrcAgency = user(HMRC_ANALYST).agencyId
    const handling = { purpose: 'Demonstration data', reviewDate: '2027-01-01', protectiveMarking: 'OFFICIAL' as const, handlingCode: 'P' as const, handlingConditions: null, sharingScope: 'named' as const, sharedWithAgencyIds: [hmrcAgency] }
    const rows: EntityRowInput[] = [
      { id: randomUUID(), owningAgencyId: policeAgency, createdBy: null, schema: 'Person', fullName: 'Bulk Loaded Person', aliases: [], birthDate: '1970-01-01', identifiers: [], personRole: 'suspect', ...handling },
      { id: randomUUID(), owningAgencyId: policeAgency, createdBy: null, schema: 'Vehicle', registration: 'bu17 lkd', foreignRegistration: false, make: null, model: null, colour: null, ...handling },
      { id: randomUUID(), owningAgencyId: policeAgency, createdBy: null, createdAt: '2026-01-02T10:00:00Z', schema: 'Phone', number: '0116 496 0555', phoneType: 'landline', ...handling },
    ]
    await asSystem(t.db, (tx) => insertEntities(tx, rows))
    await asSystem(t.db, (tx) =>
      insertLinks(tx, [{ id: randomUUID(), owningAgencyId: policeAgency, createdBy: null, linkType: 'drives_vehicle', subjectId: rows[0]!.id, objectId: rows[1]!.id, relationship: null, startDate: null, endDate: null, sourceReference: 'Demo', sourceIntelligenceId: null, ...handling }]),
    )
    const seen = await hmrc('GET', `/api/v1/entities/${rows[0]!.id}`)
    assert.equal(seen.status, 200)
    assert.equal(seen.body.visibleBecause, 'named-agency')
    assert.equal(seen.body.links[0].other.caption, 'BU17 LKD')
    assert.deepEqual(Object.keys(seen.body.properties).sort(), ['aliases', 'birthDate', 'fullName', 'identifiers', 'personRole'])
    const found = await asUser(t.db, viewerOf(HMRC_ANALYST), (tx) => searchEntities(tx, viewerOf(HMRC_ANALYST), { text: '01/01/1970', limit: 5 }))
    assert.deepEqual(found.map((h) => h.caption), ['Bulk Loaded Person'])
    // Numbers written as people write them are stored as a form would store them.
    const phone = (await hmrc('GET', `/api/v1/entities/${rows[2]!.id}`)).body
    assert.equal(phone.phoneNumber, '+441164960555')
    assert.equal(phone.createdAt, '2026-01-02T10:00:00.000Z')
    const byNumber = await asUser(t.db, viewerOf(HMRC_ANALYST), (tx) => searchEntities(tx, viewerOf(HMRC_ANALYST), { text: '0116 496 0555', limit: 5 }))
    assert.deepEqual(byNumber.map((h) => h.id), [rows[2]!.id])
  })
})
