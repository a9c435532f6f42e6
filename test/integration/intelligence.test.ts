import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import type { Actor } from '../../src/core/access/actor.ts'
import { capabilitiesOf } from '../../src/core/access/roles.ts'
import { ValidationError } from '../../src/core/errors.ts'
import { asSystem, asUser } from '../../src/db/context.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { createIntelligenceInTx, insertIntelligence, intelligenceCountsForGroups, parseIntelligenceInput } from '../../src/modules/intelligence/service.ts'
import { signedIn, startTestApp, type TestApp } from '../support/app.ts'

let t: TestApp
before(async () => (t = await startTestApp()))
after(() => t.close())

const POLICE_ANALYST = 'analyst@demo.achilles.example'
const POLICE_LRO = 'lro@demo.achilles.example'
const PARTNER_OFFICER = 'partner.officer@demo.achilles.example'
const HMRC_ANALYST = 'analyst.hmrc@demo.achilles.example'

const user = (email: string) => t.partnership.users.find((u) => u.email === email)!
const agencyOf = (email: string) => user(email).agencyId
const actorOf = (email: string): Actor => {
  const u = user(email)
  const agency = t.partnership.agencies.find((a) => a.id === u.agencyId)!
  return { userId: u.id, agencyId: u.agencyId, capabilities: capabilitiesOf(u.roles), email: u.email, displayName: u.displayName, agencyName: agency.name, roles: u.roles, via: 'session' }
}

type Api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, json?: unknown) => Promise<{ status: number; body: any; text: string; headers: Record<string, unknown> }>
const apis = new Map<string, Api>()
async function apiAs(email: string): Promise<Api> {
  const known = apis.get(email)
  if (known) return known
  const { token } = await issueApiToken(t.ctx, 'system', user(email).id, { name: 'test', scopes: ['records:read', 'records:write'] })
  const api: Api = async (method, url, json) => {
    const res = await t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
      payload: json !== undefined ? JSON.stringify(json) : undefined,
    })
    let body: unknown = null
    try {
      body = res.body ? JSON.parse(res.body) : null
    } catch {
      body = null
    }
    return { status: res.statusCode, body, text: res.body, headers: res.headers }
  }
  apis.set(email, api)
  return api
}

// Entities and groups belong to other modules; tests put them in place through the owner connection.
type Handling = { owner: string; marking?: 'OFFICIAL' | 'OFFICIAL-SENSITIVE'; scope?: 'agency' | 'named' | 'partnership' }
const restricted = (h: Handling) => ({
  owning_agency_id: agencyOf(h.owner),
  purpose: 'Intelligence tests',
  protective_marking: h.marking ?? 'OFFICIAL',
  handling_code: 'P',
  handling_conditions: null,
  sharing_scope: h.scope ?? 'partnership',
  review_date: '2028-01-01',
  created_by: user(h.owner).id,
})

async function entity(caption: string, h: Handling): Promise<string> {
  const row = await t.ctx.db.kysely
    .insertInto('entities')
    .values({ schema: 'Person', caption, names: [caption.toLowerCase()], search_text: caption.toLowerCase(), person_role: 'suspect', ...restricted(h) })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

async function group(name: string, h: Handling): Promise<string> {
  const row = await t.ctx.db.kysely
    .insertInto('ocgs')
    .values({ name, operation_name: `Operation ${name.split(' ')[0]}`, status: 'active', threat_areas: ['drugs'], ...restricted(h) })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

const base = () => ({
  body: 'A silver Audi parks outside the Belgrave Road car wash every Friday night; cash is carried inside.',
  reportedOn: '2026-10-02',
  sourceAgencyId: agencyOf(POLICE_ANALYST),
  sourceEvaluation: 'B',
  intelligenceAssessment: 2,
  handlingCode: 'P',
  handlingConditions: null,
  purpose: 'Disrupting drug supply in Leicester',
  reviewDate: '2028-06-01',
  protectiveMarking: 'OFFICIAL',
  sharingScope: 'agency',
  sharedWithAgencyIds: [],
  mentionedEntityIds: [],
  mentionedGroupIds: [],
})

const recordCount = () => asSystem(t.db, async (tx) => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM intelligence_records`.execute(tx)).rows[0]!.n))
const stored = (id: string) => asSystem(t.db, (tx) => tx.selectFrom('intelligence_records').selectAll().where('id', '=', id).executeTakeFirstOrThrow())
const auditRows = (recordId: string) =>
  asSystem(t.db, (tx) => tx.selectFrom('audit_events').selectAll().where('record_type', '=', 'intelligence').where('record_id', '=', recordId).orderBy('seq').execute())
const fieldsOf = (body: { errors?: Array<{ field: string }> }) => (body.errors ?? []).map((e) => e.field).sort()

async function create(email: string, overrides: Record<string, unknown> = {}): Promise<any> {
  const res = await (await apiAs(email))('POST', '/api/v1/intelligence', { ...base(), ...overrides })
  assert.equal(res.status, 201, res.text.slice(0, 600))
  return res.body
}

describe('recording intelligence', () => {
  test('a record with handling code P is stored with its 3x5x2 grade and shown in words', async () => {
    const record = await create(POLICE_ANALYST)
    assert.equal(record.grade, 'B2P')
    assert.equal(record.gradeDescription, 'B2 – untested source; known indirectly to the source but corroborated')
    assert.equal(record.handlingConditions, null)
    assert.equal(record.legacyGrade, null)
    const row = await stored(record.id)
    assert.equal(row.source_evaluation, 'B')
    assert.equal(row.intelligence_assessment, 2)
    assert.equal(row.owning_agency_id, agencyOf(POLICE_ANALYST))

    const page = await (await signedIn(t.app, POLICE_ANALYST)).get(`/intelligence/${record.id}`)
    assert.equal(page.status, 200)
    assert.match(page.body, /B2 – untested source; known indirectly to the source but corroborated/)
    assert.match(page.body, /Belgrave Road car wash/)
  })

  test('a record with handling code C keeps its conditions and shows them on its page and in the list', async () => {
    const conditions = 'Not to be shared with the licensee; refer any request to DS Patel.'
    const record = await create(POLICE_ANALYST, { handlingCode: 'C', handlingConditions: conditions, sourceEvaluation: 'A', intelligenceAssessment: '1', body: 'Conditions test: stock moved at night.' })
    assert.equal(record.grade, 'A1C')
    assert.equal(record.handlingConditions, conditions)
    const police = await signedIn(t.app, POLICE_ANALYST)
    const page = await police.get(`/intelligence/${record.id}`)
    assert.match(page.body, /Handling conditions/)
    assert.match(page.body, /Not to be shared with the licensee; refer any request to DS Patel\./)
    const list = await police.get('/intelligence?q=Conditions+test')
    assert.equal(list.status, 200)
    assert.match(list.body, /A1C/)
    assert.match(list.body, /Conditions: Not to be shared with the licensee/)
  })

  test('refuses a C handling code without conditions, naming the field, and saves nothing', async () => {
    const before = await recordCount()
    const res = await (await apiAs(POLICE_ANALYST))('POST', '/api/v1/intelligence', { ...base(), handlingCode: 'C', handlingConditions: '  ' })
    assert.equal(res.status, 400)
    assert.deepEqual(fieldsOf(res.body), ['handlingConditions'])
    assert.match(res.body.errors[0].message, /handling code C needs them/)
    const page = await (await signedIn(t.app, POLICE_ANALYST)).submit('/intelligence/new', '/intelligence', { ...form(), handlingCode: 'C', handlingConditions: '' })
    assert.equal(page.status, 400)
    assert.match(page.body, /govuk-error-summary/)
    assert.match(page.body, /href="#handlingConditions"/)
    assert.match(page.body, /Belgrave Road/, 'what was typed is kept')
    assert.equal(await recordCount(), before)
  })

  test('refuses a grade outside 3x5x2 with the allowed values, every faulty field at once', async () => {
    const before = await recordCount()
    const api = await apiAs(POLICE_ANALYST)
    const res = await api('POST', '/api/v1/intelligence', { ...base(), sourceEvaluation: 'D', intelligenceAssessment: 6, handlingCode: '3', body: '' })
    assert.equal(res.status, 400)
    assert.deepEqual(fieldsOf(res.body), ['body', 'handlingCode', 'intelligenceAssessment', 'sourceEvaluation'])
    const message = (f: string) => res.body.errors.find((e: { field: string }) => e.field === f).message
    assert.match(message('sourceEvaluation'), /A \(reliable\), B \(untested\) or C \(not reliable\)/)
    assert.match(message('sourceEvaluation'), /5x5x5/, 'a D grade is explained as a legacy one')
    assert.match(message('intelligenceAssessment'), /"6" is not a 3x5x2 intelligence assessment/)
    assert.match(message('handlingCode'), /P \(lawful sharing permitted\) or C/)
    const missing = await api('POST', '/api/v1/intelligence', { ...base(), sourceEvaluation: undefined, intelligenceAssessment: undefined, handlingCode: undefined })
    assert.deepEqual(fieldsOf(missing.body), ['handlingCode', 'intelligenceAssessment', 'sourceEvaluation'])
    assert.equal(await recordCount(), before)
  })

  test('accepts a legacy 5x5x5 grade alone: kept exactly as entered, mapped to 3x5x2, the mapping explained', async () => {
    const record = await create(POLICE_ANALYST, { legacyGrade: 'b/2/4', sourceEvaluation: undefined, intelligenceAssessment: undefined, handlingCode: undefined, sharingScope: undefined })
    const row = await stored(record.id)
    assert.equal(row.legacy_grade, 'b/2/4', 'stored exactly as entered')
    assert.equal(record.grade, 'A1C')
    assert.equal(row.handling_code, 'C')
    assert.match(row.handling_conditions!, /Legacy 5x5x5 handling code 4/, 'the legacy limit travels as the condition')
    assert.equal(row.sharing_scope, 'agency', 'never shared more widely than the legacy code allowed')
    assert.equal(record.legacyMapping.legacy, 'B24')
    assert.equal(record.legacyMapping.mappedGrade, 'A1C')
    assert.equal(record.legacyMapping.matchesRecordedGrade, true)
    const page = await (await signedIn(t.app, POLICE_ANALYST)).get(`/intelligence/${record.id}`)
    assert.match(page.body, /b\/2\/4/)
    assert.match(page.body, /5x5x5, as entered/)
    assert.match(page.body, /The local mapping gives <strong>A1C<\/strong>/)
    assert.match(page.body, /5x5x5 B \(mostly reliable\)/)
  })

  test('the form takes a legacy grade in place of the 3x5x2 grade', async () => {
    const police = await signedIn(t.app, POLICE_ANALYST)
    const res = await police.submit('/intelligence/new', '/intelligence', { ...form(), sourceEvaluation: '', intelligenceAssessment: '', handlingCode: '', legacyGrade: 'E32' })
    assert.equal(res.status, 303, res.body.slice(0, 1000))
    const id = /\/intelligence\/([0-9a-f-]{36})/.exec(String(res.headers.location))![1]!
    const row = await stored(id)
    assert.deepEqual([row.legacy_grade, row.source_evaluation, row.intelligence_assessment, row.handling_code, row.handling_conditions], ['E32', 'B', 2, 'P', null])
  })

  test('a legacy grade given with a 3x5x2 grade keeps both, and says the two differ', async () => {
    const record = await create(POLICE_ANALYST, { legacyGrade: 'E35', sourceEvaluation: 'B', intelligenceAssessment: 3, handlingCode: 'P' })
    assert.equal(record.grade, 'B3P')
    assert.equal(record.legacyGrade, 'E35')
    assert.equal(record.legacyMapping.mappedGrade, 'B2C')
    assert.equal(record.legacyMapping.matchesRecordedGrade, false)
  })

  test('refuses a legacy grade that is not 5x5x5', async () => {
    const res = await (await apiAs(POLICE_ANALYST))('POST', '/api/v1/intelligence', { ...base(), legacyGrade: 'F99' })
    assert.equal(res.status, 400)
    assert.deepEqual(fieldsOf(res.body), ['legacyGrade'])
  })

  test('refuses an impossible or future date reported, and saves nothing', async () => {
    const before = await recordCount()
    const api = await apiAs(POLICE_ANALYST)
    const impossible = await api('POST', '/api/v1/intelligence', { ...base(), reportedOn: '2026-02-30' })
    assert.equal(impossible.status, 400)
    assert.deepEqual(fieldsOf(impossible.body), ['reportedOn'])
    assert.match(impossible.body.errors[0].message, /real date/)
    const future = await api('POST', '/api/v1/intelligence', { ...base(), reportedOn: '2099-01-01' })
    assert.equal(future.status, 400)
    assert.deepEqual(fieldsOf(future.body), ['reportedOn'])
    assert.match(future.body.errors[0].message, /cannot be in the future/)
    assert.throws(() => parseIntelligenceInput({ ...base(), reportedOn: '2026-11-24' }, new Date('2026-11-23T23:30:00Z')), ValidationError)
    // 00:30 on 24 November in London (GMT) is still today there.
    assert.equal(parseIntelligenceInput({ ...base(), reportedOn: '2026-11-24' }, new Date('2026-11-24T00:30:00Z')).reportedOn, '2026-11-24')
    assert.equal(await recordCount(), before)
  })

  test('refuses a source agency that does not exist', async () => {
    const res = await (await apiAs(POLICE_ANALYST))('POST', '/api/v1/intelligence', { ...base(), sourceAgencyId: randomUUID() })
    assert.equal(res.status, 400)
    assert.deepEqual(fieldsOf(res.body), ['sourceAgencyId'])
  })

  test('refuses a mention of an entity or group the user cannot see, and saves nothing', async () => {
    const hidden = await entity('Hidden Person', { owner: HMRC_ANALYST, scope: 'agency' })
    const hiddenGroup = await group('Hidden Crew', { owner: HMRC_ANALYST, scope: 'agency' })
    const seen = await entity('Seen Person', { owner: HMRC_ANALYST, scope: 'partnership' })
    const before = await recordCount()
    const api = await apiAs(POLICE_ANALYST)
    const res = await api('POST', '/api/v1/intelligence', { ...base(), mentionedEntityIds: [seen, hidden], mentionedGroupIds: [hiddenGroup] })
    assert.equal(res.status, 400)
    assert.deepEqual(fieldsOf(res.body), ['mentionedEntityIds', 'mentionedGroupIds'])
    assert.ok(!res.text.includes('Hidden Person') && !res.text.includes('Hidden Crew'), 'the answer names nothing the user cannot see')
    assert.match(res.body.errors[0].message, new RegExp(hidden))
    assert.doesNotMatch(res.body.errors[0].message, new RegExp(seen))
    const missing = await api('POST', '/api/v1/intelligence', { ...base(), mentionedEntityIds: [randomUUID()] })
    assert.deepEqual(fieldsOf(missing.body), ['mentionedEntityIds'])
    assert.equal(await recordCount(), before)
    // The owner of the entity may mention it.
    const own = await create(HMRC_ANALYST, { sourceAgencyId: agencyOf(HMRC_ANALYST), mentionedEntityIds: [hidden] })
    assert.deepEqual(own.mentions.entities.map((e: { caption: string }) => e.caption), ['Hidden Person'])
  })

  test("mentioning a group marks the group's intelligence as changed, so it is prompted for re-scoring", async () => {
    const crew = await group('Belgrave Crew', { owner: POLICE_LRO, scope: 'partnership' })
    const changedAt = async () => (await asSystem(t.db, (tx) => tx.selectFrom('ocgs').select('intelligence_changed_at').where('id', '=', crew).executeTakeFirstOrThrow())).intelligence_changed_at
    assert.equal(await changedAt(), null)
    // A partner who cannot edit the group may still make it due for re-scoring.
    await create(PARTNER_OFFICER, { sourceAgencyId: agencyOf(PARTNER_OFFICER), mentionedGroupIds: [crew] })
    assert.ok((await changedAt()) instanceof Date)
  })

  test('a mention can be pasted into the form as the address of the page', async () => {
    const person = await entity('Pasted Person', { owner: POLICE_ANALYST })
    const crew = await group('Pasted Crew', { owner: POLICE_ANALYST })
    const police = await signedIn(t.app, POLICE_ANALYST)
    const prefilled = await police.get(`/intelligence/new?groupId=${crew}`)
    assert.match(prefilled.body, /Pasted Crew/)
    const bad = await police.submit('/intelligence/new', '/intelligence', { ...form(), moreEntityIds: `https://achilles.example/entities/${person}\nnot-an-id` })
    assert.equal(bad.status, 400)
    assert.match(bad.body, /&quot;not-an-id&quot; is not an entity id/)
    assert.match(bad.body, /Pasted Person/, 'the readable mention is kept, by name')
    const res = await police.submit('/intelligence/new', '/intelligence', { ...form(), moreEntityIds: `https://achilles.example/entities/${person}`, mentionedGroupIds: crew })
    assert.equal(res.status, 303, res.body.slice(0, 1000))
    const id = /\/intelligence\/([0-9a-f-]{36})/.exec(String(res.headers.location))![1]!
    const page = await police.get(`/intelligence/${id}`)
    assert.match(page.body, /Pasted Person/)
    assert.match(page.body, /Pasted Crew/)
  })
})

/** The new-record form, filled in. */
const form = () => ({
  body: 'Belgrave Road: deliveries to the rear of the car wash at 2am.',
  reportedOn: '2026-09-14',
  sourceAgencyId: agencyOf(POLICE_ANALYST),
  sourceEvaluation: 'B',
  intelligenceAssessment: '2',
  legacyGrade: '',
  purpose: 'Disrupting drug supply in Leicester',
  reviewDate: '2028-06-01',
  protectiveMarking: 'OFFICIAL',
  handlingCode: 'P',
  handlingConditions: '',
  sharingScope: 'agency',
  moreEntityIds: '',
  moreGroupIds: '',
})

describe('who may see a record', () => {
  const visibleTo = async (email: string, id: string) => (await (await apiAs(email))('GET', `/api/v1/intelligence/${id}`)).status === 200

  test('agency-only: its agency sees it, others do not, and the refusal is logged', async () => {
    const record = await create(POLICE_ANALYST, { body: 'Agency-only: the Narborough Road flat is used to cut product.' })
    assert.equal(await visibleTo(POLICE_LRO, record.id), true)
    const refusalsBefore = (await auditRows(record.id)).filter((r) => r.outcome === 'refused').length
    const res = await (await apiAs(HMRC_ANALYST))('GET', `/api/v1/intelligence/${record.id}`)
    assert.equal(res.status, 404)
    assert.doesNotMatch(res.text, /Narborough/)
    const refusals = (await auditRows(record.id)).filter((r) => r.outcome === 'refused')
    assert.equal(refusals.length, refusalsBefore + 1)
    assert.equal(refusals.at(-1)!.action, 'disclosure')
    assert.equal(refusals.at(-1)!.user_id, user(HMRC_ANALYST).id)
    const list = await (await apiAs(HMRC_ANALYST))('GET', '/api/v1/intelligence?q=Agency-only')
    assert.equal(list.body.total, 0)
    const page = await (await signedIn(t.app, HMRC_ANALYST)).get(`/intelligence/${record.id}`)
    assert.equal(page.status, 404)
  })

  test('whole partnership: every agency with record access sees an OFFICIAL record', async () => {
    const record = await create(POLICE_ANALYST, { sharingScope: 'partnership', body: 'Partnership-wide: the takeaway launders cash.' })
    assert.equal(await visibleTo(HMRC_ANALYST, record.id), true)
    assert.equal(await visibleTo(PARTNER_OFFICER, record.id), true)
    const disclosures = (await auditRows(record.id)).filter((r) => r.action === 'disclosure')
    assert.deepEqual(disclosures[0]!.recipients, ['whole-partnership'])
  })

  test('named agencies: only those named see it', async () => {
    const record = await create(POLICE_ANALYST, { sharingScope: 'named', sharedWithAgencyIds: [agencyOf(HMRC_ANALYST)] })
    assert.equal(await visibleTo(HMRC_ANALYST, record.id), true)
    assert.equal(await visibleTo(PARTNER_OFFICER, record.id), false)
    assert.equal(record.sharedWith[0].id, agencyOf(HMRC_ANALYST))
  })

  test('an explicit grant lets one user see it', async () => {
    const record = await create(POLICE_ANALYST)
    assert.equal(await visibleTo(HMRC_ANALYST, record.id), false)
    const police = await signedIn(t.app, POLICE_ANALYST)
    const granted = await police.submit(`/intelligence/${record.id}`, `/intelligence/${record.id}/grants`, { granteeEmail: HMRC_ANALYST, reason: 'Joint tax and drugs operation' })
    assert.equal(granted.status, 303, granted.body.slice(0, 500))
    assert.equal(await visibleTo(HMRC_ANALYST, record.id), true)
    const page = await (await signedIn(t.app, HMRC_ANALYST)).get(`/intelligence/${record.id}`)
    assert.match(page.body, /you or your agency were granted access/)
  })

  test('OFFICIAL-SENSITIVE: a named partner officer without need-to-know access does not see it; an analyst does', async () => {
    const record = await create(POLICE_ANALYST, {
      protectiveMarking: 'OFFICIAL-SENSITIVE', sharingScope: 'named', sharedWithAgencyIds: [agencyOf(PARTNER_OFFICER), agencyOf(HMRC_ANALYST)],
      handlingCode: 'C', handlingConditions: 'Need to know only',
    })
    assert.equal(await visibleTo(PARTNER_OFFICER, record.id), false)
    assert.equal(await visibleTo(HMRC_ANALYST, record.id), true)
  })

  test('row-level security alone hides records and their mentions from a raw query', async () => {
    const person = await entity('Raw Query Person', { owner: POLICE_ANALYST, scope: 'partnership' })
    const record = await create(POLICE_ANALYST, { mentionedEntityIds: [person] })
    await asUser(t.db, actorOf(HMRC_ANALYST), async (tx) => {
      const all = await sql<{ id: string }>`SELECT id FROM intelligence_records`.execute(tx)
      assert.ok(!all.rows.some((r) => r.id === record.id))
      const mentions = await sql`SELECT * FROM intelligence_mentions WHERE intelligence_id = ${record.id}`.execute(tx)
      assert.equal(mentions.rows.length, 0)
      const changed = await sql`UPDATE intelligence_records SET body = 'overwritten' WHERE id = ${record.id}`.execute(tx)
      assert.equal(Number(changed.numAffectedRows ?? 0), 0)
    })
    await asUser(t.db, actorOf(POLICE_LRO), async (tx) => {
      const mentions = await sql`SELECT * FROM intelligence_mentions WHERE intelligence_id = ${record.id}`.execute(tx)
      assert.equal(mentions.rows.length, 1)
    })
  })

  test('counts of intelligence per group follow the same rule', async () => {
    const crew = await group('Counted Crew', { owner: POLICE_ANALYST, scope: 'partnership' })
    await create(POLICE_ANALYST, { mentionedGroupIds: [crew] })
    await create(POLICE_ANALYST, { mentionedGroupIds: [crew], sharingScope: 'partnership' })
    const other = randomUUID()
    const police = await asUser(t.db, actorOf(POLICE_ANALYST), (tx) => intelligenceCountsForGroups(tx, [crew, other]))
    const hmrc = await asUser(t.db, actorOf(HMRC_ANALYST), (tx) => intelligenceCountsForGroups(tx, [crew]))
    assert.equal(police.get(crew), 2)
    assert.equal(police.get(other), 0)
    assert.equal(hmrc.get(crew), 1)
  })
})

describe('the audit log', () => {
  test('logs the collection, each consultation and each refused look', async () => {
    const record = await create(POLICE_ANALYST)
    await (await apiAs(POLICE_LRO))('GET', `/api/v1/intelligence/${record.id}?purpose=Preparing+the+tasking+meeting`)
    await (await apiAs(HMRC_ANALYST))('GET', `/api/v1/intelligence/${record.id}`)
    const rows = await auditRows(record.id)
    assert.deepEqual(rows.map((r) => `${r.action}:${r.outcome}`), ['collection:done', 'consultation:done', 'consultation:done', 'disclosure:refused'])
    assert.equal(rows[2]!.purpose, 'Preparing the tasking meeting')
    assert.equal(rows[2]!.user_id, user(POLICE_LRO).id)
  })

  test('a list is logged as a consultation of the records shown', async () => {
    const record = await create(POLICE_ANALYST, { body: 'Listed-once marker text.' })
    const list = await (await apiAs(POLICE_ANALYST))('GET', '/api/v1/intelligence?q=Listed-once')
    assert.equal(list.body.records.length, 1)
    const row = await asSystem(t.db, (tx) =>
      tx.selectFrom('audit_events').selectAll().where('record_type', '=', 'intelligence').where('action', '=', 'consultation').where('record_id', 'is', null).orderBy('seq', 'desc').executeTakeFirstOrThrow(),
    )
    assert.deepEqual((row.detail as { shown: string[] }).shown, [record.id])
  })
})

describe('exports', () => {
  const conditions = 'Share only with HMRC and Leicestershire Police; no onward disclosure.'

  test('a JSON export carries the handling code and conditions and is logged as a disclosure with its purpose', async () => {
    const record = await create(POLICE_ANALYST, { handlingCode: 'C', handlingConditions: conditions })
    const api = await apiAs(POLICE_ANALYST)
    const noPurpose = await api('GET', `/api/v1/intelligence/${record.id}/export`)
    assert.equal(noPurpose.status, 400)
    const res = await api('GET', `/api/v1/intelligence/${record.id}/export?purpose=Briefing+the+HMRC+team`)
    assert.equal(res.status, 200)
    assert.equal(res.body.handlingCode, 'C')
    assert.equal(res.body.handlingConditions, conditions)
    assert.equal(res.body.record.handlingConditions, conditions)
    assert.match(res.body.notice, /Handling conditions travel with this data/)
    const disclosure = (await auditRows(record.id)).filter((r) => r.action === 'disclosure').at(-1)!
    assert.equal(disclosure.purpose, 'Briefing the HMRC team')
    assert.deepEqual(disclosure.recipients, [agencyOf(POLICE_ANALYST)])

    const police = await signedIn(t.app, POLICE_ANALYST)
    const file = await police.get(`/intelligence/${record.id}/export.json?purpose=Case+file`)
    assert.equal(file.status, 200)
    assert.match(String(file.headers['content-disposition']), /attachment/)
    assert.equal(JSON.parse(file.body).handlingConditions, conditions)
    const missing = await police.get(`/intelligence/${record.id}/export.json?purpose=`)
    assert.equal(missing.status, 400)
    assert.match(missing.body, /href="#exportPurpose"/)
  })

  test('a refused export is logged, and shows nothing', async () => {
    const record = await create(POLICE_ANALYST, { body: 'Never exported to HMRC.' })
    const res = await (await apiAs(HMRC_ANALYST))('GET', `/api/v1/intelligence/${record.id}/export?purpose=Curious`)
    assert.equal(res.status, 404)
    assert.doesNotMatch(res.text, /Never exported/)
    const refusal = (await auditRows(record.id)).at(-1)!
    assert.equal(refusal.outcome, 'refused')
    assert.equal(refusal.purpose, 'Curious')
  })

  test('a CSV export of a filtered list carries handling code and conditions in every row, under a handling notice', async () => {
    const crew = await group('Export Crew', { owner: POLICE_ANALYST })
    const ids = [
      (await create(POLICE_ANALYST, { mentionedGroupIds: [crew], handlingCode: 'C', handlingConditions: conditions, body: '=HYPERLINK("x") cash, "counted" nightly' })).id,
      (await create(POLICE_ANALYST, { mentionedGroupIds: [crew], reportedOn: '2026-08-01' })).id,
    ]
    const police = await signedIn(t.app, POLICE_ANALYST)
    const res = await police.get(`/intelligence/export.csv?groupId=${crew}&purpose=Tasking+pack`)
    assert.equal(res.status, 200)
    assert.match(String(res.headers['content-type']), /text\/csv/)
    const lines = res.body.trim().split('\r\n')
    assert.match(lines[0]!, /HANDLING NOTICE: Handling conditions travel with this data/)
    const header = lines[1]!.split(',')
    assert.ok(header.includes('handling_code') && header.includes('handling_conditions') && header.includes('handling_notice'))
    assert.equal(lines.length, 4)
    assert.match(lines[2]!, new RegExp(`^${ids[0]},`))
    assert.match(lines[2]!, /,C,Share only with HMRC and Leicestershire Police; no onward disclosure\.,Handling code C: the conditions/)
    assert.match(lines[2]!, /"'=HYPERLINK\(""x""\) cash, ""counted"" nightly"/, 'a formula is written as text, quotes doubled')
    assert.match(lines[3]!, /,P,,Handling code P/)
    assert.match(lines[3]!, /Export Crew/)
    const disclosure = await asSystem(t.db, (tx) =>
      tx.selectFrom('audit_events').selectAll().where('record_type', '=', 'intelligence').where('action', '=', 'disclosure').where('purpose', '=', 'Tasking pack').executeTakeFirstOrThrow(),
    )
    assert.deepEqual(disclosure.recipients, [agencyOf(POLICE_ANALYST)])
    assert.deepEqual([...(disclosure.detail as { exported: string[] }).exported].sort(), [...ids].sort())

    const api = await apiAs(POLICE_ANALYST)
    const viaApi = await api('GET', `/api/v1/intelligence/export.csv?groupId=${crew}&purpose=Tasking+pack+again`)
    assert.equal(viaApi.status, 200)
    assert.match(viaApi.text, /HANDLING NOTICE/)
    const noPurpose = await police.get(`/intelligence/export.csv?groupId=${crew}`)
    assert.equal(noPurpose.status, 400)
    assert.match(noPurpose.body, /Enter why you are exporting these records/)
  })
})

describe('lists, changes and erasure', () => {
  test('the list filters by the group or entity mentioned, and by grade and date', async () => {
    const crew = await group('Filter Crew', { owner: POLICE_ANALYST })
    const person = await entity('Filter Person', { owner: POLICE_ANALYST })
    const aboutCrew = await create(POLICE_ANALYST, { mentionedGroupIds: [crew], reportedOn: '2026-05-01', sourceEvaluation: 'A' })
    const aboutBoth = await create(POLICE_ANALYST, { mentionedGroupIds: [crew], mentionedEntityIds: [person], reportedOn: '2026-06-01', handlingCode: 'C', handlingConditions: 'Filter conditions' })
    await create(POLICE_ANALYST, { reportedOn: '2026-07-01' })
    const api = await apiAs(POLICE_ANALYST)
    const byGroup = await api('GET', `/api/v1/intelligence?groupId=${crew}`)
    assert.deepEqual(byGroup.body.records.map((r: { id: string }) => r.id), [aboutBoth.id, aboutCrew.id], 'newest reported first')
    const byEntity = await api('GET', `/api/v1/intelligence?entityId=${person}`)
    assert.deepEqual(byEntity.body.records.map((r: { id: string }) => r.id), [aboutBoth.id])
    const byGrade = await api('GET', `/api/v1/intelligence?groupId=${crew}&sourceEvaluation=A`)
    assert.deepEqual(byGrade.body.records.map((r: { id: string }) => r.id), [aboutCrew.id])
    const byDate = await api('GET', `/api/v1/intelligence?groupId=${crew}&reportedFrom=2026-05-15&reportedTo=2026-06-15`)
    assert.deepEqual(byDate.body.records.map((r: { id: string }) => r.id), [aboutBoth.id])
    const backwards = await api('GET', '/api/v1/intelligence?reportedFrom=2026-06-15&reportedTo=2026-05-15')
    assert.equal(backwards.status, 400)
    assert.deepEqual(fieldsOf(backwards.body), ['reportedTo'])

    const page = await (await signedIn(t.app, POLICE_ANALYST)).get(`/intelligence?groupId=${crew}`)
    assert.equal(page.status, 200)
    assert.match(page.body, /Mentioning the group/)
    assert.match(page.body, /Filter Crew/)
    assert.match(page.body, /Conditions: Filter conditions/)
    assert.match(page.body, /2 records/)
  })

  test('a change is checked, locked against a stale version, marks the groups touched and is logged', async () => {
    const crew = await group('Edit Crew', { owner: POLICE_ANALYST })
    const record = await create(POLICE_ANALYST)
    const api = await apiAs(POLICE_ANALYST)
    const change = {
      body: 'Corrected: the Audi is blue.', reportedOn: record.reportedOn, reference: 'LP-2026-001', sourceAgencyId: record.sourceAgencyId,
      sourceEvaluation: 'A', intelligenceAssessment: 1, mentionedEntityIds: [], mentionedGroupIds: [crew], rowVersion: record.rowVersion, reason: 'Source re-contacted',
    }
    const badGrade = await api('PUT', `/api/v1/intelligence/${record.id}`, { ...change, sourceEvaluation: 'E', body: '' })
    assert.equal(badGrade.status, 400)
    assert.deepEqual(fieldsOf(badGrade.body), ['body', 'sourceEvaluation'])
    const changed = await api('PUT', `/api/v1/intelligence/${record.id}`, change)
    assert.equal(changed.status, 200, changed.text.slice(0, 500))
    assert.equal(changed.body.grade, 'A1P')
    assert.equal(changed.body.reference, 'LP-2026-001')
    assert.equal(changed.body.rowVersion, record.rowVersion + 1)
    assert.deepEqual(changed.body.mentions.groups.map((g: { name: string }) => g.name), ['Edit Crew'])
    const stale = await api('PUT', `/api/v1/intelligence/${record.id}`, change)
    assert.equal(stale.status, 409)
    const marked = await asSystem(t.db, (tx) => tx.selectFrom('ocgs').select('intelligence_changed_at').where('id', '=', crew).executeTakeFirstOrThrow())
    assert.ok(marked.intelligence_changed_at instanceof Date)
    const alteration = (await auditRows(record.id)).find((r) => r.action === 'alteration')!
    assert.equal(alteration.purpose, 'Source re-contacted')
    assert.deepEqual((alteration.detail as { changed: string[] }).changed.sort(), ['body', 'intelligenceAssessment', 'reference', 'sourceEvaluation'])
    const other = await (await apiAs(HMRC_ANALYST))('PUT', `/api/v1/intelligence/${record.id}`, { ...change, rowVersion: changed.body.rowVersion })
    assert.equal(other.status, 404)
    const shared = await create(POLICE_ANALYST, { sharingScope: 'partnership' })
    assert.equal((await (await signedIn(t.app, HMRC_ANALYST)).get(`/intelligence/${shared.id}/edit`)).status, 403, 'another agency may read it but not change it')

    const police = await signedIn(t.app, POLICE_ANALYST)
    const form = await police.get(`/intelligence/${record.id}/edit`)
    assert.equal(form.status, 200)
    assert.match(form.body, /Edit Crew/)
    const viaPage = await police.submit(`/intelligence/${record.id}/edit`, `/intelligence/${record.id}/edit`, {
      body: 'Corrected again.', reportedOn: record.reportedOn, reference: 'LP-2026-001', sourceAgencyId: record.sourceAgencyId, sourceEvaluation: 'A',
      intelligenceAssessment: '1', mentionedGroupIds: crew, moreEntityIds: '', moreGroupIds: '', rowVersion: String(changed.body.rowVersion), reason: 'Typo',
    })
    assert.equal(viaPage.status, 303, viaPage.body.slice(0, 800))
  })

  test('a reference is unique to its source agency', async () => {
    await create(POLICE_ANALYST, { reference: 'DUP-1' })
    const res = await (await apiAs(POLICE_ANALYST))('POST', '/api/v1/intelligence', { ...base(), reference: 'DUP-1' })
    assert.equal(res.status, 400)
    assert.deepEqual(fieldsOf(res.body), ['reference'])
    // Even when the record holding it is one the user cannot see.
    const hmrc = await (await apiAs(HMRC_ANALYST))('POST', '/api/v1/intelligence', { ...base(), reference: 'DUP-1' })
    assert.equal(hmrc.status, 400)
    assert.deepEqual(fieldsOf(hmrc.body), ['reference'])
    // An importer's transaction survives the clash and goes on to the next row.
    const made = await asUser(t.db, actorOf(HMRC_ANALYST), async (tx) => {
      const clash = parseIntelligenceInput({ ...base(), reference: 'DUP-1' })
      await assert.rejects(createIntelligenceInTx(tx, actorOf(HMRC_ANALYST), clash), (e: unknown) => e instanceof ValidationError && e.issues[0]!.field === 'reference')
      return createIntelligenceInTx(tx, actorOf(HMRC_ANALYST), parseIntelligenceInput({ ...base(), reference: 'DUP-2' }))
    })
    assert.equal((await stored(made)).reference, 'DUP-2')
  })

  test('erasure needs a reason, is the owner\'s alone, and is logged', async () => {
    const record = await create(POLICE_ANALYST)
    const api = await apiAs(POLICE_ANALYST)
    const other = await (await apiAs(HMRC_ANALYST))('DELETE', `/api/v1/intelligence/${record.id}`, { reason: 'Not mine' })
    assert.equal(other.status, 404)
    assert.equal((await api('DELETE', `/api/v1/intelligence/${record.id}`, { reason: 'Retention review: no longer needed' })).status, 204)
    assert.equal((await api('GET', `/api/v1/intelligence/${record.id}`)).status, 404)
    const erasure = (await auditRows(record.id)).find((r) => r.action === 'erasure')!
    assert.equal(erasure.purpose, 'Retention review: no longer needed')
  })

  test('erasing a record another agency’s link cites keeps the link, with its written source, and names it in the log', async () => {
    const record = await create(POLICE_ANALYST)
    const a = await entity('Cited One', { owner: HMRC_ANALYST })
    const b = await entity('Cited Two', { owner: HMRC_ANALYST })
    const { purpose: _purpose, review_date: _review, ...linkHandling } = restricted({ owner: HMRC_ANALYST, scope: 'agency' })
    const link = await t.ctx.db.kysely
      .insertInto('entity_links')
      .values({ link_type: 'associate', subject_id: a, object_id: b, source_reference: 'Police intelligence INT-1', source_intelligence_id: record.id, ...linkHandling })
      .returning('id')
      .executeTakeFirstOrThrow()
    const api = await apiAs(POLICE_ANALYST)
    assert.equal((await api('DELETE', `/api/v1/intelligence/${record.id}`, { reason: 'Retention review: no longer needed' })).status, 204)
    const kept = await t.ctx.db.kysely.selectFrom('entity_links').selectAll().where('id', '=', link.id).executeTakeFirstOrThrow()
    assert.equal(kept.source_intelligence_id, null)
    assert.equal(kept.source_reference, 'Police intelligence INT-1')
    const erasure = (await auditRows(record.id)).find((r) => r.action === 'erasure')!
    assert.deepEqual((erasure.detail as { linksCitingIt: string[] }).linksCitingIt, [link.id])
  })

  test('the OpenAPI document describes the intelligence API', async () => {
    const doc = JSON.parse((await t.app.inject({ method: 'GET', url: '/api/docs/json' })).body)
    for (const path of ['/api/v1/intelligence', '/api/v1/intelligence/{id}', '/api/v1/intelligence/{id}/export', '/api/v1/intelligence/export.csv', '/api/v1/intelligence/{id}/sharing']) assert.ok(doc.paths[path], path)
    const body = doc.paths['/api/v1/intelligence'].post.requestBody.content['application/json'].schema
    assert.ok(body.properties.legacyGrade && body.properties.sourceEvaluation && body.properties.handlingConditions)
  })
})

describe('bulk loading', () => {
  test('loads records with their mentions and named shares in chunks, and the rule applies to them', async () => {
    const crew = await group('Bulk Crew', { owner: POLICE_ANALYST, scope: 'partnership' })
    const police = agencyOf(POLICE_ANALYST)
    const hmrc = agencyOf(HMRC_ANALYST)
    const rows = Array.from({ length: 2500 }, (_, i) => ({
      ...base(),
      body: `Bulk record ${i}: "quoted", {braced}, back\\slash, comma, and a new\nline`,
      sourceEvaluation: 'C' as const,
      intelligenceAssessment: 4,
      protectiveMarking: 'OFFICIAL' as const,
      mentionedEntityIds: [] as string[],
      handlingCode: (i % 2 === 0 ? 'C' : 'P') as 'C' | 'P',
      handlingConditions: i % 2 === 0 ? 'Bulk conditions' : null,
      reference: null,
      legacyGrade: i === 0 ? 'C35' : null,
      sharingScope: (i % 5 === 0 ? 'named' : 'agency') as 'named' | 'agency',
      sharedWithAgencyIds: i % 5 === 0 ? [hmrc] : [],
      mentionedGroupIds: i % 10 === 0 ? [crew] : [],
      id: randomUUID(),
      owningAgencyId: police,
      createdBy: user(POLICE_ANALYST).id,
      createdAt: '2026-01-01T09:00:00Z',
    }))
    await asSystem(t.db, (tx) => insertIntelligence(tx, rows))
    const first = await stored(rows[0]!.id)
    assert.equal(first.body, rows[0]!.body, 'text survives the array load exactly')
    assert.equal(first.legacy_grade, 'C35')
    assert.equal(first.handling_conditions, 'Bulk conditions')
    assert.equal((await stored(rows[1]!.id)).handling_conditions, null)
    const counts = await asUser(t.db, actorOf(HMRC_ANALYST), (tx) => intelligenceCountsForGroups(tx, [crew]))
    assert.equal(counts.get(crew), 250, 'HMRC sees the 250 named records that mention the group')
    const all = await asSystem(t.db, (tx) => intelligenceCountsForGroups(tx, [crew]))
    assert.equal(all.get(crew), 250)
    const policeCounts = await asUser(t.db, actorOf(POLICE_ANALYST), (tx) => intelligenceCountsForGroups(tx, [crew]))
    assert.equal(policeCounts.get(crew), 250)
    const hmrcList = await (await apiAs(HMRC_ANALYST))('GET', '/api/v1/intelligence?q=Bulk+record')
    assert.equal(hmrcList.body.total, 500)
  })
})
