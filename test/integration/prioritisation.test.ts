import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { capabilitiesOf } from '../../src/core/access/roles.ts'
import { TACTICAL_MODEL, THEMATIC_MODEL } from '../../src/core/scoring/defaultModels.ts'
import type { ModelDefinition } from '../../src/core/scoring/modelDefinition.ts'
import { asSystem, asUser } from '../../src/db/context.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { ensureDefaultModels } from '../../src/modules/prioritisation/service.ts'
import { ADMIN, signedIn, startTestApp, type TestApp } from '../support/app.ts'

// Prioritisation through the API and the pages, on a fresh database: models as versioned data,
// assessments with their explanations and history, carrying forward to a new version, re-score
// prompts, and the boards under the visibility rule. Groups and people are inserted directly.

const POLICE_ANALYST = 'analyst@demo.achilles.example'
const HMRC_ANALYST = 'analyst.hmrc@demo.achilles.example'
const BOARD_MEMBER = 'board.member@demo.achilles.example'

type Api = (method: 'GET' | 'POST', url: string, json?: unknown) => Promise<{ status: number; body: any }>

let t: TestApp
let police: Api
let hmrc: Api
let admin: Api
let board: Api
/** Areas unique to this run, so filters isolate what a test made from anything else on the boards. */
const AREA = `Testshire ${randomUUID().slice(0, 8)}`
const OTHER_AREA = `Otherton ${randomUUID().slice(0, 8)}`

const user = (email: string) => t.partnership.users.find((u) => u.email === email)!

before(async () => {
  t = await startTestApp()
  await ensureDefaultModels(t.db)
  const bearer = async (email: string, scopes: string[]): Promise<Api> => {
    const { token } = await issueApiToken(t.ctx, 'system', user(email).id, { name: 'prioritisation test', scopes })
    return async (method, url, json) => {
      const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) }, payload: json !== undefined ? JSON.stringify(json) : undefined })
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null }
    }
  }
  police = await bearer(POLICE_ANALYST, ['records:read', 'records:write'])
  hmrc = await bearer(HMRC_ANALYST, ['records:read', 'records:write'])
  admin = await bearer(ADMIN, ['prioritisation:write'])
  board = await bearer(BOARD_MEMBER, ['records:read'])
})
after(() => t.close())

// Test data, inserted through the owner connection.

async function group(name: string, o: { agencyOf?: string; scope?: 'agency' | 'partnership'; area?: string; threatAreas?: string[] } = {}): Promise<string> {
  const row = await t.db.kysely
    .insertInto('ocgs')
    .values({
      name,
      status: 'active',
      threat_areas: o.threatAreas ?? ['drugs'],
      areas: [o.area ?? AREA],
      owning_agency_id: user(o.agencyOf ?? POLICE_ANALYST).agencyId,
      purpose: 'Testing prioritisation',
      protective_marking: 'OFFICIAL',
      handling_code: 'P',
      sharing_scope: o.scope ?? 'partnership',
      review_date: '2027-06-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

async function person(caption: string, role: 'suspect' | 'victim' | 'person_at_risk' | 'other', o: { agencyOf?: string; scope?: 'agency' | 'partnership' } = {}): Promise<string> {
  const row = await t.db.kysely
    .insertInto('entities')
    .values({
      schema: 'Person',
      caption,
      person_role: role,
      owning_agency_id: user(o.agencyOf ?? POLICE_ANALYST).agencyId,
      purpose: 'Testing prioritisation',
      protective_marking: 'OFFICIAL',
      handling_code: 'P',
      sharing_scope: o.scope ?? 'partnership',
      review_date: '2027-06-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

async function member(groupId: string, personId: string): Promise<void> {
  await t.db.kysely.insertInto('ocg_members').values({ group_id: groupId, person_id: personId, role: 'core_member' }).execute()
}

async function link(a: string, b: string): Promise<void> {
  await t.db.kysely
    .insertInto('entity_links')
    .values({ link_type: 'associate', subject_id: a, object_id: b, source_reference: 'Test', owning_agency_id: user(POLICE_ANALYST).agencyId, protective_marking: 'OFFICIAL', handling_code: 'P', sharing_scope: 'partnership' })
    .execute()
}

/** The worked example of docs/prioritisation.md: 45.0, Priority 2, on the shipped tactical model. */
const WORKED = { physical: 5, psychological: 4, financial: 4, community_and_environment: 4, geographic_scope: 1, victim_vulnerability: 4, likelihood: 4, capacity: 2, capability: 4 }
const HIGH = { physical: 5, psychological: 5, financial: 5, community_and_environment: 5, geographic_scope: 5, victim_vulnerability: 5, likelihood: 5, capacity: 1, capability: 1 }
const LOW = { physical: 2, psychological: 2, financial: 2, community_and_environment: 1, geographic_scope: 1, victim_vulnerability: 1, likelihood: 2, capacity: 4, capability: 4 }

const factors = (values: Record<string, number>) => Object.fromEntries(Object.entries(values).map(([id, value]) => [id, { value, rationale: `Intelligence supports ${id} at ${value}` }]))

function assessment(subjectType: 'group' | 'person', subjectId: string, values: Record<string, number> = WORKED, extra: Record<string, unknown> = {}) {
  return { subjectType, subjectId, factors: factors(values), confidence: 3, reviewDate: '2030-01-01', ...extra }
}

async function scored(api: Api, body: unknown): Promise<any> {
  const res = await api('POST', '/api/v1/assessments', body)
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

const assessmentCount = () => asSystem(t.db, async (tx) => Number((await tx.selectFrom('assessments').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n))

const auditRows = (action: string, recordType: string) =>
  asSystem(t.db, (tx) => tx.selectFrom('audit_events').selectAll().where('action', '=', action).where('record_type', '=', recordType).orderBy('seq', 'desc').execute())

/** A version of a shipped model with changes, as an administrator would paste it. */
function edited(model: ModelDefinition, version: number, change: (m: ModelDefinition) => void): ModelDefinition {
  const copy = structuredClone(model)
  copy.version = version
  change(copy)
  return copy
}

describe('models', () => {
  test('the shipped tactical and thematic models are version 1, readable in full by anyone signed in', async () => {
    const list = await board('GET', '/api/v1/models')
    assert.equal(list.status, 200)
    const keys = list.body.models.map((m: { key: string; version: number }) => `${m.key}@${m.version}`)
    assert.ok(keys.includes('tactical@1') && keys.includes('thematic@1'), keys.join(', '))
    const full = await board('GET', '/api/v1/models/tactical/1')
    assert.equal(full.status, 200)
    assert.deepEqual(full.body.definition.factors.map((f: { id: string }) => f.id), TACTICAL_MODEL.factors.map((f) => f.id))

    // The page shows every factor, every scale point's descriptor, the combination and the bands.
    const member = await signedIn(t.app, BOARD_MEMBER)
    const page = await member.get('/models/tactical/1')
    assert.equal(page.status, 200)
    const html = page.body.replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&')
    for (const f of TACTICAL_MODEL.factors) for (const point of f.scale) assert.ok(html.includes(point.descriptor), `descriptor of ${f.id} ${point.value} shown`)
    for (const b of TACTICAL_MODEL.bands) assert.ok(html.includes(b.label) && html.includes(b.description), `band ${b.id} shown`)
    for (const p of TACTICAL_MODEL.combination.terms) assert.ok('floor' in p && html.includes(`Floor ${p.floor}`), `floor of ${p.part}`)
    assert.match((await member.get('/models')).body, /Tactical prioritisation of groups and people/)
  })

  test('ensureDefaultModels adds nothing when the models are there already', async () => {
    assert.deepEqual(await ensureDefaultModels(t.db), [])
  })
})

describe('scoring a group', () => {
  let groupId: string
  before(async () => (groupId = await group('Worked Example Crew')))

  test('the API scores the worked example 45.0, Priority 2, with an explanation whose shares make up the score', async () => {
    const a = await scored(police, assessment('group', groupId))
    assert.equal(a.score, 45)
    assert.equal(a.band.id, 'priority_2')
    assert.equal(a.modelKey, 'tactical')
    assert.equal(a.modelVersion, 1)
    assert.equal(a.confidence.value, 3)
    assert.equal(a.scoredBy, user(POLICE_ANALYST).displayName)
    assert.equal(a.explanation.length, TACTICAL_MODEL.factors.length)
    const total = a.explanation.reduce((n: number, e: { share: number }) => n + e.share, 0)
    assert.ok(Math.abs(total - 1) < 1e-9, `shares add up to 1, not ${total}`)
    const points = a.explanation.reduce((n: number, e: { points: number }) => n + e.points, 0)
    assert.ok(Math.abs(points - 45) < 1e-9)
    const physical = a.explanation.find((e: { factorId: string }) => e.factorId === 'physical')
    assert.equal(physical.value, 5)
    assert.equal(physical.rationale, 'Intelligence supports physical at 5')
    assert.equal(physical.descriptor, TACTICAL_MODEL.factors[0]!.scale[4]!.descriptor)
    // Geographic scope at the bottom of its scale adds nothing.
    assert.equal(a.explanation.find((e: { factorId: string }) => e.factorId === 'geographic_scope').share, 0)

    const fetched = await police('GET', `/api/v1/assessments/${a.id}`)
    assert.equal(fetched.status, 200)
    assert.deepEqual(fetched.body.explanation, a.explanation)
  })

  test('a score outside its scale is refused on that field and nothing is saved', async () => {
    const before = await assessmentCount()
    const res = await police('POST', '/api/v1/assessments', assessment('group', groupId, { ...WORKED, physical: 9 }))
    assert.equal(res.status, 400)
    const physical = res.body.errors.find((e: { field: string }) => e.field === 'factors.physical.value')
    assert.ok(physical, JSON.stringify(res.body.errors))
    assert.match(physical.message, /Physical harm must be scored 1 \(None known\), .* or 5 \(Critical\); 9 is not on its scale/)
    assert.equal(await assessmentCount(), before)
  })

  test('a missing rationale, a missing answer and a confidence off its scale are each named, and nothing is saved', async () => {
    const before = await assessmentCount()
    const body = assessment('group', groupId)
    body.factors.likelihood = { value: 3, rationale: '   ' }
    delete body.factors.capacity
    const res = await police('POST', '/api/v1/assessments', { ...body, confidence: 7 })
    assert.equal(res.status, 400)
    const fields = res.body.errors.map((e: { field: string }) => e.field).sort()
    assert.deepEqual(fields, ['confidence', 'factors.capacity.rationale', 'factors.capacity.value', 'factors.likelihood.rationale'])
    assert.equal(await assessmentCount(), before)
  })

  test('a review date that is not after today is refused', async () => {
    const res = await police('POST', '/api/v1/assessments', assessment('group', groupId, WORKED, { reviewDate: '2020-01-01' }))
    assert.equal(res.status, 400)
    assert.deepEqual(res.body.errors.map((e: { field: string }) => e.field), ['reviewDate'])
  })

  test('a role without records.write cannot score, and a group the scorer cannot see is not found', async () => {
    assert.equal((await board('POST', '/api/v1/assessments', assessment('group', groupId))).status, 403)
    const hidden = await group('Hidden HMRC Crew', { agencyOf: HMRC_ANALYST, scope: 'agency' })
    const before = await assessmentCount()
    assert.equal((await police('POST', '/api/v1/assessments', assessment('group', hidden))).status, 404)
    assert.equal(await assessmentCount(), before)
  })

  test('the page form lists every scale point with its descriptor, keeps answers on error, and saves a valid assessment', async () => {
    const gid = await group('Form Crew')
    const analyst = await signedIn(t.app, POLICE_ANALYST)
    const formUrl = `/priorities/assess?subjectType=group&subjectId=${gid}`
    const form = await analyst.get(formUrl)
    assert.equal(form.status, 200)
    const html = form.body.replaceAll('&#39;', "'")
    for (const f of TACTICAL_MODEL.factors) {
      assert.ok(html.includes(`name="factors.${f.id}.rationale"`), `rationale for ${f.id}`)
      for (const p of f.scale) assert.ok(html.includes(p.descriptor), `descriptor ${f.id} ${p.value}`)
    }
    const fields: Record<string, string> = { subjectType: 'group', subjectId: gid, modelKey: 'tactical', confidence: '2', reviewDate: '2030-02-01' }
    for (const [id, value] of Object.entries(WORKED)) {
      fields[`factors.${id}.value`] = String(value)
      fields[`factors.${id}.rationale`] = id === 'financial' ? '' : `Because of ${id}`
    }
    const before = await assessmentCount()
    const refused = await analyst.submit(formUrl, '/priorities/assess', fields)
    assert.equal(refused.status, 400)
    assert.match(refused.body, /There is a problem/)
    assert.match(refused.body, /href="#factors.financial.rationale"/)
    assert.match(refused.body, /Explain why you gave Financial harm this score/)
    assert.match(refused.body, /Because of physical/, 'what was typed is kept')
    assert.equal(await assessmentCount(), before)

    fields['factors.financial.rationale'] = 'Laundering through two car washes'
    const saved = await analyst.submit(formUrl, '/priorities/assess', fields)
    assert.equal(saved.status, 303, saved.body.slice(0, 500))
    const location = String(saved.headers.location)
    assert.match(location, /^\/assessments\/[0-9a-f-]{36}$/)
    const page = await analyst.get(location)
    assert.equal(page.status, 200)
    assert.match(page.body, /45\.0/)
    assert.match(page.body, /Priority 2/)
    assert.match(page.body, /Laundering through two car washes/)
    assert.match(page.body, /Tactical prioritisation of groups and people, version 1/)
    assert.match(page.body, new RegExp(user(POLICE_ANALYST).displayName))
    assert.match(page.body, /Share of the score/)
    assert.match(page.body, new RegExp(`/priorities/history\\?subjectType=group&amp;subjectId=${gid}`))
  })
})

describe('history, model versions and carrying forward', () => {
  let fits: string
  let misfit: string
  let first: any

  before(async () => {
    fits = await group('Versioned Crew')
    misfit = await group('Critical Harm Crew')
  })

  test('re-scoring supersedes the previous assessment and keeps it in the history', async () => {
    first = await scored(police, assessment('group', fits, LOW))
    const second = await scored(police, assessment('group', fits, WORKED))
    const history = await police('GET', `/api/v1/assessments?subjectType=group&subjectId=${fits}`)
    assert.equal(history.status, 200)
    assert.deepEqual(history.body.assessments.map((a: { id: string }) => a.id), [second.id, first.id])
    const [now, then] = history.body.assessments
    assert.equal(now.current, true)
    assert.equal(then.current, false)
    assert.equal(then.supersededById, second.id)
    assert.equal(then.score, first.score)
    const analyst = await signedIn(t.app, POLICE_ANALYST)
    const page = await analyst.get(`/priorities/history?subjectType=group&subjectId=${fits}`)
    assert.equal(page.status, 200)
    assert.ok(page.body.includes(`/assessments/${first.id}`) && page.body.includes(`/assessments/${second.id}`))
    const old = await analyst.get(`/assessments/${first.id}`)
    assert.match(old.body, /This assessment was superseded/)
  })

  test('publishing is refused to a non-administrator and for an invalid definition, naming each problem by path', async () => {
    const v2 = edited(TACTICAL_MODEL, 2, () => {})
    assert.equal((await police('POST', '/api/v1/models/tactical/versions', { definition: v2, changeNote: 'Trying' })).status, 403)

    const broken = edited(TACTICAL_MODEL, 2, (m) => {
      ;(m.factors[0]!.scale[2] as { descriptor?: string }).descriptor = undefined
      m.factors[1]!.part = 'nowhere'
      m.bands[0]!.max = 90
    })
    const res = await admin('POST', '/api/v1/models/tactical/versions', { definition: JSON.parse(JSON.stringify(broken)), changeNote: 'Broken on purpose' })
    assert.equal(res.status, 400)
    const fields = res.body.errors.map((e: { field: string }) => e.field)
    assert.ok(fields.includes('definition.factors.0.scale.2.descriptor'), fields.join(', '))

    const crossed = await admin('POST', '/api/v1/models/tactical/versions', { definition: edited(TACTICAL_MODEL, 2, (m) => { m.factors[1]!.part = 'nowhere'; m.bands[0]!.max = 90 }), changeNote: 'Broken on purpose' })
    assert.equal(crossed.status, 400)
    const crossedFields = crossed.body.errors.map((e: { field: string }) => e.field)
    assert.ok(crossedFields.includes('definition.factors.1.part'), crossedFields.join(', '))
    assert.ok(crossedFields.includes('definition.bands.0.max'), crossedFields.join(', '))

    const skipped = await admin('POST', '/api/v1/models/tactical/versions', { definition: edited(TACTICAL_MODEL, 3, () => {}), changeNote: 'Skipping a version' })
    assert.equal(skipped.status, 400)
    assert.deepEqual(skipped.body.errors, [{ field: 'definition.version', message: 'The version must be 2, one above the current version 1; it is 3' }])
    const wrongKey = await admin('POST', '/api/v1/models/tactical/versions', { definition: THEMATIC_MODEL, changeNote: 'Wrong model' })
    assert.equal(wrongKey.status, 400)
    assert.ok(wrongKey.body.errors.some((e: { field: string }) => e.field === 'definition.key'))
    const noNote = await admin('POST', '/api/v1/models/tactical/versions', { definition: v2, changeNote: '' })
    assert.equal(noNote.status, 400)
    assert.deepEqual(noNote.body.errors.map((e: { field: string }) => e.field), ['changeNote'])
    assert.equal((await board('GET', '/api/v1/models/tactical/2')).status, 404, 'nothing was published')
  })

  test('the publish page lists problems in a pasted definition by path and refuses pages to non-administrators', async () => {
    const analyst = await signedIn(t.app, POLICE_ANALYST)
    assert.equal((await analyst.get('/models/tactical/publish')).status, 403)
    const administrator = await signedIn(t.app, ADMIN)
    const form = await administrator.get('/models/tactical/publish')
    assert.equal(form.status, 200)
    assert.match(form.body, /&quot;version&quot;: 2/, 'the form starts from the current version, numbered one above')
    const notJson = await administrator.submit('/models/tactical/publish', '/models/tactical/publish', { definition: '{ "key": "tactical", ', changeNote: 'Half a file' })
    assert.equal(notJson.status, 400)
    assert.match(notJson.body, /The definition is not valid JSON/)
    const bad = edited(TACTICAL_MODEL, 2, (m) => { m.factors[3]!.scale[1]!.descriptor = '' })
    const invalid = await administrator.submit('/models/tactical/publish', '/models/tactical/publish', { definition: JSON.stringify(bad), changeNote: 'Missing a descriptor' })
    assert.equal(invalid.status, 400)
    assert.match(invalid.body, /factors\.3\.scale\.1\.descriptor: Enter a descriptor for the scale point/)
    assert.match(invalid.body, /href="#definition"/)
  })

  test('an administrator uploads version 2 as a file; old assessments keep version 1 and are flagged', async () => {
    const before = await police('GET', `/api/v1/assessments?subjectType=group&subjectId=${fits}`)
    const current = before.body.assessments[0]
    await scored(police, assessment('group', misfit, HIGH))

    const administrator = await signedIn(t.app, ADMIN)
    const page = await administrator.get('/models/tactical/publish')
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!
    // Version 2 weighs physical harm more heavily; every answer still fits.
    const v2 = edited(TACTICAL_MODEL, 2, (m) => { m.factors[0]!.weight = 4 })
    const boundary = '----achillestest'
    const part = (name: string, value: string, filename?: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"\r\nContent-Type: application/json` : ''}\r\n\r\n${value}\r\n`
    const payload = part('_csrf', token) + part('definition', '') + part('definitionFile', JSON.stringify(v2), 'tactical.v2.json') + part('changeNote', 'Physical harm weighted 4 after the board review') + `--${boundary}--\r\n`
    const cookie = ['achilles_session', 'achilles_csrf'].map((n) => `${n}=${administrator.cookie(n)}`).join('; ')
    const res = await t.app.inject({ method: 'POST', url: '/models/tactical/publish', headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload })
    assert.equal(res.statusCode, 303, res.body.slice(0, 800))
    assert.equal(res.headers.location, '/models/tactical/2')

    const old = await police('GET', `/api/v1/assessments/${current.id}`)
    assert.equal(old.body.modelVersion, 1, 'an assessment keeps the version it was scored with')
    assert.equal(old.body.score, current.score)
    assert.ok(old.body.prompts.some((p: { reason: string }) => p.reason === 'model'), JSON.stringify(old.body.prompts))
    const boardRow = (await police('GET', `/api/v1/priorities/groups?area=${encodeURIComponent(AREA)}`)).body.groups.find((g: { groupId: string }) => g.groupId === fits)
    assert.ok(boardRow.prompts.some((p: { reason: string }) => p.reason === 'model'))

    const modelPage = await administrator.get('/models/tactical/2')
    assert.match(modelPage.body, /Carry assessments forward to version 2/)
    assert.match(modelPage.body, /Physical harm weighted 4 after the board review/)
  })

  test('carrying forward re-scores every fitting assessment under the new version and lists those that do not fit', async () => {
    const scoredV1 = (await police('GET', `/api/v1/assessments?subjectType=group&subjectId=${fits}`)).body.assessments[0]
    assert.equal((await police('POST', '/api/v1/models/tactical/rescore')).status, 403)
    const result = await admin('POST', '/api/v1/models/tactical/rescore')
    assert.equal(result.status, 200, JSON.stringify(result.body))
    assert.equal(result.body.version, 2)
    assert.equal(result.body.needsRescore.length, 0)
    assert.equal(result.body.carried, result.body.considered)
    assert.ok(result.body.carried >= 2)

    const history = (await police('GET', `/api/v1/assessments?subjectType=group&subjectId=${fits}`)).body.assessments
    const [carried, previous] = history
    assert.equal(carried.modelVersion, 2)
    assert.equal(carried.carriedFromId, scoredV1.id)
    assert.equal(carried.judgedAt, scoredV1.scoredAt, 'the judgement keeps its date')
    assert.equal(previous.id, scoredV1.id)
    assert.equal(previous.modelVersion, 1)
    assert.equal(previous.supersededById, carried.id)
    // Harm = (4×1 + 2×0.75 × 4 + 0) / 13 = 10/13; × 0.8 × 0.75 = 46.2 (was 45.0 with weight 3).
    assert.equal(carried.score, 46.2)
    const detail = await police('GET', `/api/v1/assessments/${carried.id}`)
    assert.equal(detail.body.explanation.find((e: { factorId: string }) => e.factorId === 'physical').rationale, 'Intelligence supports physical at 5')
    assert.equal(detail.body.prompts.length, 0, JSON.stringify(detail.body.prompts))

    // Version 3 drops "Critical" from physical harm: an answer of 5 no longer fits.
    const v3 = edited(TACTICAL_MODEL, 3, (m) => { m.factors[0]!.weight = 4; m.factors[0]!.scale.pop() })
    assert.equal((await admin('POST', '/api/v1/models/tactical/versions', { definition: v3, changeNote: 'Physical harm on four points' })).status, 201)
    const lowGroup = await group('Low Harm Crew')
    const low = await scored(police, assessment('group', lowGroup, LOW))
    assert.equal(low.modelVersion, 3)
    const again = await admin('POST', '/api/v1/models/tactical/rescore')
    assert.equal(again.status, 200)
    const stuck = again.body.needsRescore.find((n: { subjectId: string }) => n.subjectId === misfit)
    assert.ok(stuck, JSON.stringify(again.body.needsRescore))
    assert.equal(stuck.problems[0].field, 'factors.physical.value')
    assert.ok(!again.body.needsRescore.some((n: { subjectId: string }) => n.subjectId === lowGroup), 'already on the newest version')
    const misfitNow = (await police('GET', `/api/v1/assessments?subjectType=group&subjectId=${misfit}`)).body.assessments[0]
    assert.equal(misfitNow.current, true)
    assert.equal(misfitNow.modelVersion, 2, 'what does not fit keeps its version until a person re-scores it')
    assert.equal((await auditRows('alteration', 'assessment')).length >= 2, true)

    // Version 4 restores the five-point scale: the assessment left behind now fits and is carried.
    assert.equal((await admin('POST', '/api/v1/models/tactical/versions', { definition: edited(TACTICAL_MODEL, 4, () => {}), changeNote: 'Back to the shipped scales' })).status, 201)
    // This time through the page an administrator sees after publishing.
    const administrator = await signedIn(t.app, ADMIN)
    const modelPage = await administrator.get('/models/tactical/4')
    assert.match(modelPage.body, /Carry assessments forward to version 4/)
    const last = await administrator.submit('/models/tactical/4', '/models/tactical/rescore', {})
    assert.equal(last.status, 200)
    assert.match(last.body, /Assessments carried forward/)
    assert.match(last.body, /Every current assessment fitted the new version/)
    const misfitCarried = (await police('GET', `/api/v1/assessments?subjectType=group&subjectId=${misfit}`)).body.assessments[0]
    assert.equal(misfitCarried.modelVersion, 4)
    assert.equal(misfitCarried.score, 100)
  })
})

describe('re-score prompts', () => {
  test('a group is flagged after a member is added, after intelligence mentions it, and once its review date passes', async () => {
    const gid = await group('Prompted Crew')
    const a = await scored(police, assessment('group', gid))
    const prompts = async () => (await police('GET', `/api/v1/priorities/groups?area=${encodeURIComponent(AREA)}`)).body.groups.find((g: { groupId: string }) => g.groupId === gid).prompts.map((p: { reason: string }) => p.reason)
    assert.deepEqual(await prompts(), [])

    // A member added: the groups module marks the group as the user who changed it.
    const u = user(POLICE_ANALYST)
    await asUser(t.db, { userId: u.id, agencyId: u.agencyId, capabilities: capabilitiesOf(u.roles) }, (tx) => sql`SELECT achilles_mark_group_changed(${gid}, 'members')`.execute(tx))
    assert.deepEqual(await prompts(), ['members'])
    await t.db.kysely.updateTable('ocgs').set({ intelligence_changed_at: sql`now()` }).where('id', '=', gid).execute()
    assert.deepEqual(await prompts(), ['members', 'intelligence'])
    await t.db.kysely.updateTable('assessments').set({ review_date: '2021-01-01' } as never).where('id', '=', a.id).execute()
    assert.deepEqual(await prompts(), ['review_date_passed', 'members', 'intelligence'])

    const analyst = await signedIn(t.app, POLICE_ANALYST)
    const page = await analyst.get(`/assessments/${a.id}`)
    assert.match(page.body, /This score may be out of date/)
    assert.match(page.body, /Membership changed on/)
    assert.match(page.body, /New intelligence was recorded on/)
    assert.match(page.body, /The review date, 1 January 2021, has passed/)
    const boardPage = await analyst.get(`/priorities?area=${encodeURIComponent(AREA)}`)
    assert.match(boardPage.body, /Membership changed on/)

    // Re-scoring clears them.
    await scored(police, assessment('group', gid))
    assert.deepEqual(await prompts(), [])
  })
})

describe('boards', () => {
  let strong: string
  let weak: string
  let hidden: string
  let suspect: string
  let unassessedSuspect: string
  let victim: string
  let atRisk: string
  let hiddenPerson: string

  before(async () => {
    strong = await group('Strong Crew', { area: OTHER_AREA, threatAreas: ['drugs', 'county_lines'] })
    weak = await group('Weak Crew', { area: OTHER_AREA, threatAreas: ['fraud'] })
    hidden = await group('HMRC Only Crew', { area: OTHER_AREA, agencyOf: HMRC_ANALYST, scope: 'agency' })
    suspect = await person('Sam Suspect', 'suspect')
    unassessedSuspect = await person('Una Assessed', 'suspect')
    victim = await person('Vic Victim', 'victim')
    atRisk = await person('Rory AtRisk', 'person_at_risk')
    hiddenPerson = await person('Hal Hidden', 'suspect', { agencyOf: HMRC_ANALYST, scope: 'agency' })
    for (const p of [suspect, unassessedSuspect, victim, atRisk]) await member(strong, p)
    await member(hidden, hiddenPerson)
    await link(suspect, victim)
    await link(suspect, unassessedSuspect)
    await link(atRisk, suspect)
    await link(suspect, hiddenPerson) // the other end is invisible to the police: not counted for them
    await link(victim, atRisk)
    await link(victim, unassessedSuspect)
    await scored(police, assessment('group', strong, WORKED))
    await scored(police, assessment('group', weak, HIGH))
    await scored(hmrc, assessment('group', hidden, HIGH))
  })

  test('groups are ranked by current score, and re-scoring reorders them', async () => {
    const order = async () => (await police('GET', `/api/v1/priorities/groups?area=${encodeURIComponent(OTHER_AREA)}`)).body.groups.map((g: { name: string }) => g.name)
    assert.deepEqual(await order(), ['Weak Crew', 'Strong Crew'])
    await scored(police, assessment('group', weak, LOW))
    await scored(police, assessment('group', strong, HIGH))
    assert.deepEqual(await order(), ['Strong Crew', 'Weak Crew'])
    const rows = (await police('GET', `/api/v1/priorities/groups?area=${encodeURIComponent(OTHER_AREA)}`)).body.groups
    assert.deepEqual(rows.map((g: { rank: number }) => g.rank), [1, 2])
    assert.equal(rows[0].assessment.band.id, 'priority_1')
    // Filters by threat area, band and confidence.
    const fraud = await police('GET', `/api/v1/priorities/groups?area=${encodeURIComponent(OTHER_AREA)}&threatArea=fraud`)
    assert.deepEqual(fraud.body.groups.map((g: { name: string }) => g.name), ['Weak Crew'])
    const p1 = await police('GET', `/api/v1/priorities/groups?area=${encodeURIComponent(OTHER_AREA)}&band=priority_1&confidence=3`)
    assert.deepEqual(p1.body.groups.map((g: { name: string }) => g.name), ['Strong Crew'])
    const badBand = await police('GET', '/api/v1/priorities/groups?band=priority_9')
    assert.equal(badBand.status, 400)
    assert.equal(badBand.body.errors[0].field, 'band')
  })

  test('the area and owning agency filters match part of a name in any case, or the agency by id', async () => {
    const names = async (query: string) => (await police('GET', `/api/v1/priorities/groups?${query}`)).body.groups.map((g: { name: string }) => g.name).sort()
    const area = `area=${encodeURIComponent(OTHER_AREA.toUpperCase().slice(3))}`
    assert.deepEqual(await names(area), ['Strong Crew', 'Weak Crew'])
    const police_ = t.partnership.agencies.find((a) => a.id === user(POLICE_ANALYST).agencyId)!
    const hmrc_ = t.partnership.agencies.find((a) => a.id === user(HMRC_ANALYST).agencyId)!
    assert.deepEqual(await names(`${area}&agencyName=${encodeURIComponent(police_.name.toLowerCase().slice(2, -2))}`), ['Strong Crew', 'Weak Crew'])
    assert.deepEqual(await names(`${area}&agencyName=${encodeURIComponent(hmrc_.name)}`), [])
    assert.deepEqual(await names(`${area}&agency=${police_.id}`), ['Strong Crew', 'Weak Crew'])
    assert.deepEqual(await names(`${area}&agency=${hmrc_.id}`), [])
    // A wildcard is taken literally, not as "anything".
    assert.deepEqual(await names(`area=${encodeURIComponent('%')}`), [])
    const badAgency = await police('GET', '/api/v1/priorities/groups?agency=not-an-id')
    assert.equal(badAgency.status, 400)
    assert.equal(badAgency.body.errors[0].field, 'agency')
  })

  test("another agency's agency-only group is not on my board, and its assessment is not found for me", async () => {
    const mine = await police('GET', `/api/v1/priorities/groups?area=${encodeURIComponent(OTHER_AREA)}`)
    assert.ok(!mine.body.groups.some((g: { groupId: string }) => g.groupId === hidden))
    const theirs = await hmrc('GET', `/api/v1/priorities/groups?area=${encodeURIComponent(OTHER_AREA)}`)
    const row = theirs.body.groups.find((g: { groupId: string }) => g.groupId === hidden)
    assert.ok(row, 'HMRC sees its own group')
    // Each board shown is a consultation of the groups on it, and only of those.
    const consulted = (await auditRows('consultation', 'group')).map((r) => (r.detail as { shown?: string[] }).shown ?? [])
    assert.ok(consulted.some((shown) => shown.includes(hidden)), 'HMRC\'s board view is logged with its group')
    assert.ok(consulted.every((shown) => shown.length > 0))
    const refusedBefore = (await auditRows('disclosure', 'group')).filter((r) => r.record_id === hidden && r.outcome === 'refused').length
    assert.equal((await police('GET', `/api/v1/assessments/${row.assessment.id}`)).status, 404)
    assert.equal((await police('GET', `/api/v1/assessments?subjectType=group&subjectId=${hidden}`)).status, 404)
    const analyst = await signedIn(t.app, POLICE_ANALYST)
    const page = await analyst.get(`/priorities?area=${encodeURIComponent(OTHER_AREA)}`)
    assert.doesNotMatch(page.body, /HMRC Only Crew/)
    assert.equal((await analyst.get(`/assessments/${row.assessment.id}`)).status, 404)
    const refusedAfter = (await auditRows('disclosure', 'group')).filter((r) => r.record_id === hidden && r.outcome === 'refused').length
    assert.equal(refusedAfter, refusedBefore + 3)
  })

  test('people: only suspects are ranked, from visible inputs, each with its share; the ids shown are logged', async () => {
    const personAssessment = await scored(police, assessment('person', suspect, WORKED))
    const res = await police('GET', `/api/v1/priorities/people?area=${encodeURIComponent(OTHER_AREA)}&top=50`)
    assert.equal(res.status, 200)
    const ids = res.body.people.map((p: { personId: string }) => p.personId)
    assert.deepEqual([...ids].sort(), [suspect, unassessedSuspect].sort())
    assert.ok(!ids.includes(victim) && !ids.includes(atRisk), 'victims and people at risk are never ranked')
    const totals = res.body.people.map((p: { total: number }) => p.total)
    assert.deepEqual(totals, [...totals].sort((a: number, b: number) => b - a), 'highest total first')
    assert.deepEqual(res.body.people.map((p: { rank: number }) => p.rank), [1, 2])

    const top = res.body.people.find((p: { personId: string }) => p.personId === suspect)
    const byInput = Object.fromEntries(top.components.map((c: { input: string }) => [c.input, c]))
    assert.equal(byInput.ownAssessment.raw, 45)
    const strongScore = (await police('GET', `/api/v1/priorities/groups?area=${encodeURIComponent(OTHER_AREA)}`)).body.groups.find((g: { groupId: string }) => g.groupId === strong).assessment.score
    assert.deepEqual(byInput.groupMembership.raw, [strongScore])
    assert.equal(byInput.links.raw, 3, 'the link to a person the viewer cannot see is not counted')
    assert.equal(top.linkCount, 3)
    const shares = top.components.reduce((n: number, c: { share: number }) => n + c.share, 0)
    assert.ok(Math.abs(shares - 1) < 1e-9)
    assert.ok(top.components.every((c: { sharePercent: number }) => typeof c.sharePercent === 'number'))
    assert.equal(top.ownAssessment.id, personAssessment.id)
    assert.deepEqual(top.groups.map((g: { id: string }) => g.id), [strong])
    // Not yet assessed: the gap is said and that input's weight is shared among the others.
    const second = res.body.people.find((p: { personId: string }) => p.personId === unassessedSuspect)
    assert.deepEqual(second.missingInputs, ['ownAssessment'])
    assert.equal(second.linkCount, 2)
    assert.equal(second.components.find((c: { input: string }) => c.input === 'ownAssessment').share, 0)

    const audit = (await auditRows('consultation', 'entity')).find((r) => (r.detail as { shown?: string[] })?.shown?.includes(suspect))
    assert.ok(audit, 'the consultation lists the people shown')
    assert.deepEqual((audit!.detail as { shown: string[] }).shown, ids)

    // HMRC sees its own hidden suspect; the police never do.
    const hmrcView = await hmrc('GET', `/api/v1/priorities/people?area=${encodeURIComponent(OTHER_AREA)}`)
    assert.ok(hmrcView.body.people.some((p: { personId: string }) => p.personId === hiddenPerson))
    assert.ok(!res.body.people.some((p: { personId: string }) => p.personId === hiddenPerson))

    // The page shows every input's share and says that no protected characteristic is used.
    const analyst = await signedIn(t.app, POLICE_ANALYST)
    const page = await analyst.get(`/priorities/people?area=${encodeURIComponent(OTHER_AREA)}`)
    assert.equal(page.status, 200)
    assert.match(page.body, /Nobody is ranked on a protected characteristic/)
    assert.match(page.body, /Victims and people at risk are never on this list/)
    assert.match(page.body, /Sam Suspect/)
    assert.doesNotMatch(page.body, /Vic Victim|Rory AtRisk/)
    assert.ok((page.body.match(/% of the total/g) ?? []).length >= 2 * 4)
    const badTop = await analyst.get('/priorities/people?top=501')
    assert.equal(badTop.status, 400)
    assert.match(badTop.body, /Show at most 500 people/)
  })

  test("a victim cannot be scored, and looking at a person's assessment is logged", async () => {
    const refused = await police('POST', '/api/v1/assessments', assessment('person', victim))
    assert.equal(refused.status, 400)
    assert.equal(refused.body.errors[0].field, 'subjectId')
    assert.match(refused.body.errors[0].message, /victim/)
    const a = await scored(police, assessment('person', unassessedSuspect, LOW))
    const before = (await auditRows('consultation', 'entity')).filter((r) => r.record_id === unassessedSuspect).length
    assert.equal((await police('GET', `/api/v1/assessments/${a.id}`)).status, 200)
    const after = (await auditRows('consultation', 'entity')).filter((r) => r.record_id === unassessedSuspect)
    assert.equal(after.length, before + 1)
    assert.equal((after[0]!.detail as { assessment: string }).assessment, a.id)
  })

  test('threat areas are ranked from thematic assessments', async () => {
    const thematic = (values: number[]) => Object.fromEntries(THEMATIC_MODEL.factors.map((f, i) => [f.id, { value: values[i]!, rationale: `Local picture for ${f.id}` }]))
    const fraud = await scored(police, { subjectType: 'threat_area', threatArea: 'fraud', factors: thematic([3, 3, 3, 3, 3, 3, 3]), confidence: 2, reviewDate: '2030-01-01' })
    assert.equal(fraud.modelKey, 'thematic')
    await scored(police, { subjectType: 'threat_area', threatArea: 'county_lines', factors: thematic([5, 5, 4, 4, 4, 2, 2]), confidence: 3, reviewDate: '2030-01-01' })
    const res = await police('GET', '/api/v1/priorities/threats')
    assert.equal(res.status, 200)
    assert.deepEqual(res.body.threats.slice(0, 2).map((r: { threatArea: string }) => r.threatArea), ['county_lines', 'fraud'])
    assert.equal(res.body.threats[2].assessment, null)
    const analyst = await signedIn(t.app, POLICE_ANALYST)
    const page = await analyst.get('/priorities/threats')
    assert.equal(page.status, 200)
    assert.match(page.body, /County lines/)
    const missingArea = await police('POST', '/api/v1/assessments', { subjectType: 'threat_area', factors: thematic([3, 3, 3, 3, 3, 3, 3]), confidence: 2, reviewDate: '2030-01-01' })
    assert.equal(missingArea.status, 400)
    assert.equal(missingArea.body.errors[0].field, 'threatArea')
  })

  test('the boards need a role that reads records', async () => {
    assert.equal((await board('GET', '/api/v1/priorities/groups')).status, 403)
    const member = await signedIn(t.app, BOARD_MEMBER)
    assert.equal((await member.get('/priorities')).status, 403)
  })
})
