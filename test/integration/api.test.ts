import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { asSystem } from '../../src/db/context.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { ADMIN, Client, startTestApp, type TestApp } from '../support/app.ts'

let t: TestApp
let api: (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, json?: unknown, raw?: { body: string; type: string }) => Promise<{ status: number; body: any; headers: Record<string, unknown> }>
let analystApi: typeof api

before(async () => {
  t = await startTestApp()
  const bearer = async (email: string, scopes: string[]) => {
    const u = t.partnership.users.find((x) => x.email === email)!
    const { token } = await issueApiToken(t.ctx, 'system', u.id, { name: 'test', scopes })
    return async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, json?: unknown, raw?: { body: string; type: string }) => {
      const res = await t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}`, ...(raw ? { 'content-type': raw.type } : json !== undefined ? { 'content-type': 'application/json' } : {}) },
        payload: raw ? raw.body : json !== undefined ? JSON.stringify(json) : undefined,
      })
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null, headers: res.headers }
    }
  }
  api = await bearer(ADMIN, ['agencies:read', 'agencies:write', 'users:read', 'users:write'])
  analystApi = await bearer('analyst.hmrc@demo.achilles.example', ['records:read', 'records:write'])
})
after(() => t.close())

const agencyCount = () => asSystem(t.db, async (tx) => Number((await tx.selectFrom('agencies').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n))

describe('agencies', () => {
  test('an agency is created, read, listed by region and changed', async () => {
    const created = await api('POST', '/api/v1/agencies', { name: 'Example Borough Council', agencyType: 'local_authority', region: 'london', gainMember: true })
    assert.equal(created.status, 201)
    assert.equal(created.headers.location, `/api/v1/agencies/${created.body.id}`)
    assert.equal(created.body.gainMember, true)
    const service = await api('POST', '/api/v1/agencies', { name: 'Example Borough Council – Licensing', agencyType: 'council_service', serviceArea: 'licensing', parentId: created.body.id, region: 'london' })
    assert.equal(service.status, 201)
    assert.equal(service.body.parentName, 'Example Borough Council')
    const list = await api('GET', '/api/v1/agencies?region=london&q=Example')
    assert.deepEqual(list.body.agencies.map((a: { name: string }) => a.name), ['Example Borough Council', 'Example Borough Council – Licensing'])
    const changed = await api('PUT', `/api/v1/agencies/${created.body.id}`, { ...pick(created.body), website: 'https://example.gov.uk', rowVersion: created.body.rowVersion })
    assert.equal(changed.status, 200)
    assert.equal(changed.body.website, 'https://example.gov.uk')
    assert.equal(changed.body.rowVersion, created.body.rowVersion + 1)
    const stale = await api('PUT', `/api/v1/agencies/${created.body.id}`, { ...pick(created.body), rowVersion: created.body.rowVersion })
    assert.equal(stale.status, 409)
    const contact = await api('POST', `/api/v1/agencies/${created.body.id}/contacts`, { name: 'Pat Example', email: 'pat@example.gov.uk', phone: '01632 960123', gainSinglePointOfContact: true })
    assert.equal(contact.status, 201)
    assert.equal((await api('GET', `/api/v1/agencies/${created.body.id}`)).body.contacts[0].name, 'Pat Example')
  })

  test('a council service must name its council, and a council must exist', async () => {
    const before = await agencyCount()
    const res = await api('POST', '/api/v1/agencies', { name: 'Orphan Service', agencyType: 'council_service', region: 'london' })
    assert.equal(res.status, 400)
    assert.deepEqual(res.body.errors.map((e: { field: string }) => e.field).sort(), ['parentId', 'serviceArea'])
    const ghost = await api('POST', '/api/v1/agencies', { name: 'Ghost Service', agencyType: 'council_service', serviceArea: 'housing', parentId: '6b0f0d6e-7c1e-4a51-9a36-2f7c1c0b7a11', region: 'london' })
    assert.equal(ghost.status, 400)
    assert.equal(ghost.body.errors[0].field, 'parentId')
    assert.equal(await agencyCount(), before, 'nothing half-written')
  })

  test('a duplicate name is refused on the name field', async () => {
    const res = await api('POST', '/api/v1/agencies', { name: 'leicestershire police', agencyType: 'police_force', region: 'east-midlands' })
    assert.equal(res.status, 400)
    assert.deepEqual(res.body.errors, [{ field: 'name', message: 'An agency with this name already exists' }])
  })
})

function pick(a: Record<string, unknown>) {
  const { name, shortName, agencyType, serviceArea, parentId, region, gainMember, address, website, active } = a
  return { name, shortName, agencyType, serviceArea, parentId, region, gainMember, address, website, active }
}

describe('bad input gets a clear 4xx naming the problem, and writes nothing', () => {
  test('malformed JSON', async () => {
    const res = await api('POST', '/api/v1/agencies', undefined, { body: '{"name": "x",', type: 'application/json' })
    assert.equal(res.status, 400)
    assert.equal(res.body.title, 'The request body is not valid JSON')
  })

  test('an unsupported content type', async () => {
    const res = await api('POST', '/api/v1/agencies', undefined, { body: '<agency/>', type: 'application/xml' })
    assert.equal(res.status, 415)
  })

  test('wrong types name the field', async () => {
    const res = await api('POST', '/api/v1/agencies', { name: 42, agencyType: 'police_force', region: 'east-midlands', gainMember: 'perhaps' })
    assert.equal(res.status, 400)
    const fields = res.body.errors.map((e: { field: string }) => e.field).sort()
    assert.deepEqual(fields, ['gainMember', 'name'])
  })

  test('over-long strings name the field and the limit', async () => {
    const res = await api('POST', '/api/v1/agencies', { name: 'x'.repeat(201), agencyType: 'other', region: 'london' })
    assert.equal(res.status, 400)
    assert.deepEqual(res.body.errors, [{ field: 'name', message: 'Name must be 200 characters or fewer' }])
  })

  test('unknown fields are named', async () => {
    const res = await api('POST', '/api/v1/agencies', { name: 'Fine Name Agency', agencyType: 'other', region: 'london', colour: 'blue' })
    assert.equal(res.status, 400)
    assert.deepEqual(res.body.errors, [{ field: 'colour', message: 'Unknown field "colour": remove it' }])
  })

  test('a value outside a list names the field', async () => {
    const res = await api('POST', '/api/v1/agencies', { name: 'Fine Name Agency', agencyType: 'secret_service', region: 'atlantis' })
    assert.equal(res.status, 400)
    assert.deepEqual(res.body.errors.map((e: { field: string }) => e.field).sort(), ['agencyType', 'region'])
  })

  test('an id that is not an id', async () => {
    const res = await api('GET', '/api/v1/agencies/not-a-uuid')
    assert.equal(res.status, 400)
    assert.equal(res.body.errors[0].field, 'id')
  })

  test('an unknown endpoint', async () => {
    const res = await api('GET', '/api/v1/nothing-here')
    assert.equal(res.status, 404)
    assert.match(res.body.detail, /not part of the API/)
  })

  test('no token at all', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/agencies' })
    assert.equal(res.statusCode, 401)
    assert.equal(JSON.parse(res.body).title, 'You need to sign in')
  })

  test("another agency's note id is answered 404 without its content", async () => {
    const police = t.partnership.agencies.find((a) => a.name === 'Leicestershire Police')!
    const hidden = t.partnership.notes.find((n) => n.owningAgencyId === police.id && n.sharingScope === 'agency')!
    const res = await analystApi('GET', `/api/v1/notes/${hidden.id}`)
    assert.equal(res.status, 404)
    assert.doesNotMatch(JSON.stringify(res.body), new RegExp(hidden.subject.slice(0, 10)))
  })
})

describe('users', () => {
  test('a user is created with roles, read, and changed; a duplicate email is refused', async () => {
    const agency = t.partnership.agencies.find((a) => a.shortName === 'GLAA')!
    const made = await api('POST', '/api/v1/users', { email: 'New.Officer@GLAA.example', displayName: 'New Officer', agencyId: agency.id, roles: ['partner_officer'], password: 'a long enough password' })
    assert.equal(made.status, 201)
    assert.equal(made.body.email, 'new.officer@glaa.example')
    assert.deepEqual(made.body.roles, ['partner_officer'])
    const dup = await api('POST', '/api/v1/users', { email: 'new.officer@glaa.example', displayName: 'Again', agencyId: agency.id, roles: ['analyst'], password: 'a long enough password' })
    assert.equal(dup.status, 400)
    assert.equal(dup.body.errors[0].field, 'email')
    const changed = await api('PUT', `/api/v1/users/${made.body.id}`, { email: made.body.email, displayName: 'New Officer', jobTitle: 'Labour abuse investigator', agencyId: agency.id, roles: ['partner_officer', 'analyst'], active: true, rowVersion: made.body.rowVersion })
    assert.equal(changed.status, 200)
    assert.deepEqual(changed.body.roles.sort(), ['analyst', 'partner_officer'])
    const signIn = await new Client(t.app).signIn('new.officer@glaa.example', 'a long enough password')
    assert.equal(signIn.status, 303)
  })

  test('bad user input names each field', async () => {
    const res = await api('POST', '/api/v1/users', { email: 'not-an-email', displayName: '', agencyId: 'x', roles: ['emperor'], password: 'short' })
    assert.equal(res.status, 400)
    assert.deepEqual(res.body.errors.map((e: { field: string }) => e.field).sort(), ['agencyId', 'displayName', 'email', 'password', 'roles.0'])
  })

  test('an analyst cannot manage users', async () => {
    const res = await analystApi('GET', '/api/v1/users')
    assert.equal(res.status, 403)
  })
})

describe('notes over the API', () => {
  test('a note is recorded with conditions that travel with it, and a bad one names its fields', async () => {
    const police = t.partnership.agencies.find((a) => a.name === 'Leicestershire Police')!
    const made = await analystApi('POST', '/api/v1/notes', {
      subject: 'Suspected phoenix company, 3 Mill Lane', body: 'VAT fraud suspected.', purpose: 'Economic crime', reviewDate: '2027-11-23',
      protectiveMarking: 'OFFICIAL', handlingCode: 'C', handlingConditions: 'Intelligence only', sharingScope: 'named', sharedWithAgencyIds: [police.id],
    })
    assert.equal(made.status, 201)
    assert.equal(made.body.handlingConditions, 'Intelligence only')
    assert.deepEqual(made.body.sharedWith.map((a: { name: string }) => a.name), ['Leicestershire Police'])
    const bad = await analystApi('POST', '/api/v1/notes', {
      subject: 'x', body: 'y', purpose: 'z', reviewDate: '2027-02-30', protectiveMarking: 'OFFICIAL-SENSITIVE', handlingCode: 'C', sharingScope: 'partnership', sharedWithAgencyIds: [],
    })
    assert.equal(bad.status, 400)
    assert.ok(bad.body.errors.some((e: { field: string }) => e.field === 'reviewDate'))
    const rules = await analystApi('POST', '/api/v1/notes', {
      subject: 'x', body: 'y', purpose: 'z', reviewDate: '2027-02-28', protectiveMarking: 'OFFICIAL-SENSITIVE', handlingCode: 'C', sharingScope: 'partnership', sharedWithAgencyIds: [],
    })
    assert.deepEqual(rules.body.errors.map((e: { field: string }) => e.field).sort(), ['handlingConditions', 'sharingScope'])
  })
})

test('the OpenAPI document describes the API from the same schemas', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/api/docs/json' })
  assert.equal(res.statusCode, 200)
  const doc = JSON.parse(res.body)
  assert.match(doc.openapi, /^3\./)
  for (const path of ['/api/v1/agencies', '/api/v1/agencies/{id}', '/api/v1/users', '/api/v1/notes/{id}', '/api/v1/audit', '/api/v1/me']) assert.ok(doc.paths[path], path)
  const body = doc.paths['/api/v1/agencies'].post.requestBody.content['application/json'].schema
  assert.ok(body.properties.name && body.properties.region, 'request body schema has the fields')
  const ui = await t.app.inject({ method: 'GET', url: '/api/docs' })
  assert.ok([200, 302].includes(ui.statusCode))
})

test('/healthz answers when the database does', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/healthz' })
  assert.equal(res.statusCode, 200)
  assert.equal(JSON.parse(res.body).status, 'ok')
})
