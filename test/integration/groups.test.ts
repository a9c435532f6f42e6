import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { capabilitiesOf } from '../../src/core/access/roles.ts'
import type { Viewer } from '../../src/core/access/visibility.ts'
import { asSystem, asUser } from '../../src/db/context.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import * as groups from '../../src/modules/groups/service.ts'
import { signedIn, startTestApp, type TestApp } from '../support/app.ts'
import { engineName } from '../support/database.ts'

// Organised crime groups (issue 3, point 2) through the API and the pages, on PGlite and on a
// PostgreSQL server: history, the Lead Responsible Officer, members, holdings and visibility.

let t: TestApp
type Api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, json?: unknown) => Promise<{ status: number; body: any; headers: Record<string, unknown> }>
const apis = new Map<string, Api>()

const POLICE_ANALYST = 'analyst@demo.achilles.example'
const POLICE_LRO = 'lro@demo.achilles.example'
const HMRC_ANALYST = 'analyst.hmrc@demo.achilles.example'
const PARTNER = 'partner.officer@demo.achilles.example'

const user = (email: string) => t.partnership.users.find((u) => u.email === email)!
const viewerOf = (email: string): Viewer => {
  const u = user(email)
  return { userId: u.id, agencyId: u.agencyId, capabilities: capabilitiesOf(u.roles) }
}
const api = (email: string): Api => apis.get(email)!

before(async () => {
  t = await startTestApp()
  for (const email of [POLICE_ANALYST, POLICE_LRO, HMRC_ANALYST, PARTNER]) {
    const { token } = await issueApiToken(t.ctx, 'system', user(email).id, { name: 'groups test', scopes: ['records:read', 'records:write'] })
    apis.set(email, async (method, url, json) => {
      const res = await t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
        payload: json !== undefined ? JSON.stringify(json) : undefined,
      })
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null, headers: res.headers }
    })
  }
})
after(() => t.close())

let serial = 0
/** An entity made through the owner connection, as the entities module would store it. */
async function entity(o: { caption?: string; schema?: string; personRole?: string | null; owner?: string; marking?: 'OFFICIAL' | 'OFFICIAL-SENSITIVE'; scope?: 'agency' | 'named' | 'partnership' } = {}): Promise<string> {
  const schema = o.schema ?? 'Person'
  const owner = user(o.owner ?? POLICE_ANALYST)
  const row = await t.ctx.db.kysely
    .insertInto('entities')
    .values({
      schema,
      caption: o.caption ?? `Test ${schema} ${++serial}`,
      person_role: schema === 'Person' ? (o.personRole === undefined ? 'suspect' : o.personRole) : null,
      purpose: 'Testing organised crime groups',
      protective_marking: o.marking ?? 'OFFICIAL',
      handling_code: 'P',
      handling_conditions: null,
      sharing_scope: o.scope ?? 'agency',
      review_date: '2030-01-01',
      owning_agency_id: owner.agencyId,
      created_by: owner.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

const groupBody = (over: Record<string, unknown> = {}) => ({
  name: `Test group ${++serial}`,
  operationName: null,
  status: 'active',
  threatAreas: ['drugs', 'county_lines'],
  areas: ['Leicester', 'Charnwood'],
  crossBorder: false,
  summary: 'Supplies crack cocaine and heroin through a county line into Loughborough.',
  purpose: 'Disrupting a group supplying drugs in Loughborough',
  reviewDate: '2027-11-23',
  protectiveMarking: 'OFFICIAL',
  handlingCode: 'P',
  handlingConditions: null,
  sharingScope: 'agency',
  sharedWithAgencyIds: [],
  ...over,
})

async function newGroup(email = POLICE_ANALYST, over: Record<string, unknown> = {}): Promise<any> {
  const res = await api(email)('POST', '/api/v1/groups', groupBody(over))
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

const memberCount = (groupId: string) =>
  asSystem(t.db, async (tx) => Number((await tx.selectFrom('ocg_members').select((eb) => eb.fn.countAll().as('n')).where('group_id', '=', groupId).executeTakeFirstOrThrow()).n))

const auditRows = (recordId: string) =>
  asSystem(t.db, (tx) => tx.selectFrom('audit_events').select(['action', 'outcome', 'purpose', 'recipients', 'user_id']).where('record_id', '=', recordId).orderBy('seq').execute())

const fieldsOf = (body: any) => (body.errors as Array<{ field: string; message: string }>).map((e) => e.field)

describe(`groups on ${engineName()}`, () => {
  test('a group is recorded through its form and its page shows what was entered', async () => {
    const police = await signedIn(t.app, POLICE_ANALYST)
    const res = await police.submit('/groups/new', '/groups', {
      name: 'Kane family network',
      operationName: 'Nightjar',
      status: 'active',
      threatAreas: ['drugs', 'money_laundering'],
      areas: 'Leicester\r\nNorth West Leicestershire\r\n',
      crossBorder: 'true',
      summary: 'Launders cash through hand car washes.',
      legacyOcgmBand: '2b',
      leadResponsibleOfficerEmail: POLICE_LRO,
      purpose: 'Disrupting the Kane family network',
      reviewDate: '2027-06-01',
      protectiveMarking: 'OFFICIAL',
      handlingCode: 'C',
      handlingConditions: 'Not to be disclosed to the subjects',
      sharingScope: 'agency',
    })
    assert.equal(res.status, 303, res.body.slice(0, 600))
    const id = /\/groups\/([0-9a-f-]{36})/.exec(String(res.headers.location))![1]!
    const page = await police.get(`/groups/${id}`)
    assert.equal(page.status, 200)
    for (const text of ['Kane family network', 'Operation Nightjar', 'Money laundering', 'North West Leicestershire', '2B', 'Not to be disclosed to the subjects', user(POLICE_LRO).displayName]) {
      assert.ok(page.body.includes(text), `page shows ${text}`)
    }
    assert.match(page.body, /href="\/intelligence\?groupId=[0-9a-f-]{36}"/)
    assert.match(page.body, /href="\/priorities\/assess\?subjectType=group&amp;subjectId=[0-9a-f-]{36}"/)
    const got = await api(POLICE_ANALYST)('GET', `/api/v1/groups/${id}`)
    assert.deepEqual(got.body.areas, ['Leicester', 'North West Leicestershire'])
    assert.equal(got.body.crossBorder, true)
    assert.equal(got.body.leadResponsibleOfficerId, user(POLICE_LRO).id)
  })

  test('a form with faults names every faulty field and records nothing', async () => {
    const police = await signedIn(t.app, POLICE_ANALYST)
    const before = await asSystem(t.db, async (tx) => Number((await tx.selectFrom('ocgs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n))
    const res = await police.submit('/groups/new', '/groups', {
      name: '',
      status: 'active',
      areas: 'Leicester\nleicester',
      legacyOcgmBand: '4D',
      leadResponsibleOfficerEmail: 'nobody@example.org',
      purpose: 'Testing',
      reviewDate: '2027-02-30',
      protectiveMarking: 'OFFICIAL',
      handlingCode: 'C',
      sharingScope: 'agency',
    })
    assert.equal(res.status, 400)
    for (const id of ['name', 'threatAreas', 'areas', 'legacyOcgmBand', 'reviewDate']) assert.match(res.body, new RegExp(`href="#${id}"`), `error summary links to ${id}`)
    assert.match(res.body, /Choose at least one threat area/)
    assert.match(res.body, /listed twice/)
    assert.match(res.body, /from 1A to 3C/)
    const after = await asSystem(t.db, async (tx) => Number((await tx.selectFrom('ocgs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n))
    assert.equal(after, before)
    // Once the fields are right, the officer and the handling are checked too, together.
    const second = await police.submit('/groups/new', '/groups', {
      name: 'Valid name', status: 'active', threatAreas: 'drugs', leadResponsibleOfficerEmail: 'nobody@example.org', purpose: 'Testing',
      reviewDate: '2027-02-28', protectiveMarking: 'OFFICIAL', handlingCode: 'C', sharingScope: 'agency',
    })
    assert.equal(second.status, 400)
    assert.match(second.body, /href="#leadResponsibleOfficerEmail"/)
    assert.match(second.body, /href="#handlingConditions"/)
  })

  test('an edit is kept in the history: who changed which field from what to what, on the page and in the API', async () => {
    const group = await newGroup()
    const police = await signedIn(t.app, POLICE_ANALYST)
    const res = await police.submit(`/groups/${group.id}/edit`, `/groups/${group.id}/edit`, {
      rowVersion: String(group.rowVersion),
      name: group.name,
      status: 'disrupted',
      threatAreas: ['county_lines', 'drugs', 'firearms'],
      areas: 'Charnwood\nLeicester',
      summary: group.summary,
      leadResponsibleOfficerEmail: '',
      purpose: group.purpose,
      reviewDate: group.reviewDate,
    })
    assert.equal(res.status, 303, res.body.slice(0, 600))
    const history = await api(POLICE_ANALYST)('GET', `/api/v1/groups/${group.id}/history`)
    assert.equal(history.status, 200)
    const [latest, created] = history.body.history
    assert.equal(history.body.total, 2)
    assert.equal(created.summary, 'Group recorded')
    assert.equal(latest.changedBy, user(POLICE_ANALYST).displayName)
    // Re-ordering the areas is not a change; adding a threat area is.
    assert.deepEqual(
      latest.changes.map((c: any) => [c.field, c.fromText, c.toText]),
      [
        ['status', 'Active', 'Disrupted'],
        ['threatAreas', 'Drugs, County lines', 'County lines, Drugs, Criminal use of firearms'],
      ],
    )
    const page = await police.get(`/groups/${group.id}`)
    assert.match(page.body, /Status: Active → Disrupted/)
    assert.ok(page.body.includes(user(POLICE_ANALYST).displayName))
    const full = await police.get(`/groups/${group.id}/history`)
    assert.equal(full.status, 200)
    assert.match(full.body, /Group recorded/)
  })

  test('a stale row version is refused with 409 and the newer change stands', async () => {
    const group = await newGroup()
    const { rowVersion, id } = group
    const body = { ...groupBody(), name: group.name, rowVersion }
    delete (body as Record<string, unknown>).protectiveMarking
    for (const k of ['handlingCode', 'handlingConditions', 'sharingScope', 'sharedWithAgencyIds']) delete (body as Record<string, unknown>)[k]
    const first = await api(POLICE_ANALYST)('PUT', `/api/v1/groups/${id}`, { ...body, status: 'dormant' })
    assert.equal(first.status, 200, JSON.stringify(first.body))
    assert.equal(first.body.rowVersion, rowVersion + 1)
    const stale = await api(POLICE_ANALYST)('PUT', `/api/v1/groups/${id}`, { ...body, status: 'archived' })
    assert.equal(stale.status, 409)
    const now = await api(POLICE_ANALYST)('GET', `/api/v1/groups/${id}`)
    assert.equal(now.body.status, 'dormant')
    assert.equal(now.body.historyTotal, 2, 'the refused edit left no history')
  })

  test('a Lead Responsible Officer of another agency is granted access, can see and change the group, but not its officer', async () => {
    const hmrc = user(HMRC_ANALYST)
    const group = await newGroup(POLICE_ANALYST, { leadResponsibleOfficerEmail: HMRC_ANALYST })
    assert.equal(group.leadResponsibleOfficerId, hmrc.id)
    assert.ok(group.grants.some((g: any) => g.reason === 'Lead Responsible Officer' && g.grantee === hmrc.displayName))
    const audit = await auditRows(group.id)
    assert.ok(audit.some((a) => a.action === 'disclosure' && a.recipients.includes(`user:${hmrc.id}`)), 'the grant is logged as a disclosure to the officer')

    const seen = await api(HMRC_ANALYST)('GET', `/api/v1/groups/${group.id}`)
    assert.equal(seen.status, 200)
    assert.equal(seen.body.visibleBecause, 'explicit-grant')
    assert.equal(seen.body.mayEdit, true)
    const lro = await signedIn(t.app, HMRC_ANALYST)
    const page = await lro.get(`/groups/${group.id}`)
    assert.equal(page.status, 200)
    assert.match(page.body, /Change details/)
    const edited = await lro.submit(`/groups/${group.id}/edit`, `/groups/${group.id}/edit`, {
      rowVersion: String(seen.body.rowVersion), name: group.name, status: 'active', threatAreas: group.threatAreas, areas: group.areas.join('\n'),
      summary: 'HMRC found the cash business behind the line.', leadResponsibleOfficerEmail: HMRC_ANALYST, purpose: group.purpose, reviewDate: group.reviewDate,
    })
    assert.equal(edited.status, 303, edited.body.slice(0, 600))
    const history = await api(POLICE_ANALYST)('GET', `/api/v1/groups/${group.id}/history`)
    assert.equal(history.body.history[0].changedBy, hmrc.displayName)
    assert.deepEqual(history.body.history[0].changes.map((c: any) => c.field), ['summary'])

    // Handing the group to someone else is for the agency that holds it.
    const handOver = await api(HMRC_ANALYST)('PUT', `/api/v1/groups/${group.id}`, {
      name: group.name, status: 'active', threatAreas: group.threatAreas, areas: group.areas, crossBorder: false, summary: null, legacyOcgmBand: null,
      leadResponsibleOfficerEmail: POLICE_LRO, purpose: group.purpose, reviewDate: group.reviewDate, rowVersion: seen.body.rowVersion + 1,
    })
    assert.equal(handOver.status, 400)
    assert.deepEqual(fieldsOf(handOver.body), ['leadResponsibleOfficerEmail'])
    // Nor may the officer erase it.
    assert.equal((await api(HMRC_ANALYST)('DELETE', `/api/v1/groups/${group.id}`, { reason: 'Not ours to erase' })).status, 403)

    // When the holding agency names a new officer, the old one's access goes with the role.
    const current = (await api(POLICE_ANALYST)('GET', `/api/v1/groups/${group.id}`)).body
    const replaced = await api(POLICE_ANALYST)('PUT', `/api/v1/groups/${group.id}`, {
      name: current.name, status: current.status, threatAreas: current.threatAreas, areas: current.areas, crossBorder: current.crossBorder,
      summary: current.summary, legacyOcgmBand: null, leadResponsibleOfficerId: user(POLICE_LRO).id, purpose: current.purpose, reviewDate: current.reviewDate, rowVersion: current.rowVersion,
    })
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body))
    assert.equal(replaced.body.grants.length, 0)
    assert.equal((await api(HMRC_ANALYST)('GET', `/api/v1/groups/${group.id}`)).status, 404)
    const lroChange = (await api(POLICE_ANALYST)('GET', `/api/v1/groups/${group.id}/history`)).body.history[0].changes[0]
    assert.deepEqual([lroChange.field, lroChange.fromText, lroChange.toText], ['leadResponsibleOfficerId', hmrc.displayName, user(POLICE_LRO).displayName])
  })

  test('an officer who could not see or change the group cannot be named its Lead Responsible Officer', async () => {
    const board = t.partnership.users.find((u) => u.roles.length === 1 && u.roles[0] === 'board_member')!
    const res = await api(POLICE_ANALYST)('POST', '/api/v1/groups', groupBody({ leadResponsibleOfficerId: board.id }))
    assert.equal(res.status, 400)
    assert.deepEqual(fieldsOf(res.body), ['leadResponsibleOfficerId'])
    assert.match(res.body.errors[0].message, /cannot see and change records/)
    const sensitive = await api(POLICE_ANALYST)('POST', '/api/v1/groups', groupBody({ protectiveMarking: 'OFFICIAL-SENSITIVE', leadResponsibleOfficerEmail: PARTNER }))
    assert.equal(sensitive.status, 400)
    assert.match(sensitive.body.errors[0].message, /OFFICIAL-SENSITIVE/)
  })
})

describe('members', () => {
  let group: any
  let suspect: string
  before(async () => {
    group = await newGroup()
    suspect = await entity({ caption: 'Darren Kane' })
  })

  test('a suspect is added with a role; the group is marked for re-scoring and the page shows the member table', async () => {
    assert.equal(group.membersChangedAt, null)
    const res = await api(POLICE_ANALYST)('POST', `/api/v1/groups/${group.id}/members`, { personId: suspect, role: 'principal', startDate: '2024-03-01' })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.caption, 'Darren Kane')
    assert.equal(res.body.current, true)
    const after = (await api(POLICE_ANALYST)('GET', `/api/v1/groups/${group.id}`)).body
    assert.ok(after.membersChangedAt, 'members_changed_at is set')
    assert.equal(after.currentMemberCount, 1)
    const police = await signedIn(t.app, POLICE_ANALYST)
    const page = await police.get(`/groups/${group.id}`)
    const table = /<table class="govuk-table achilles-members">[\s\S]*?<\/table>/.exec(page.body)?.[0] ?? ''
    assert.match(table, /Darren Kane/)
    assert.match(table, /Principal/)
    assert.match(table, /Suspect or subject/)
    assert.match(page.body, /Member added as principal/)
  })

  test('the same person added twice is refused on personId and nothing is saved', async () => {
    const before = await memberCount(group.id)
    const res = await api(POLICE_ANALYST)('POST', `/api/v1/groups/${group.id}/members`, { personId: suspect, role: 'associate' })
    assert.equal(res.status, 400)
    assert.deepEqual(fieldsOf(res.body), ['personId'])
    assert.match(res.body.errors[0].message, /already a member/)
    assert.equal(await memberCount(group.id), before)
    const police = await signedIn(t.app, POLICE_ANALYST)
    const page = await police.submit(`/groups/${group.id}/members/new`, `/groups/${group.id}/members`, { personId: suspect, role: 'associate' })
    assert.equal(page.status, 400)
    assert.match(page.body, /href="#personId"/)
    assert.match(page.body, /already a member/)
  })

  test('a victim or a person at risk is never made a member; the message says to link them as people at risk', async () => {
    for (const personRole of ['victim', 'person_at_risk']) {
      const person = await entity({ personRole })
      const res = await api(POLICE_ANALYST)('POST', `/api/v1/groups/${group.id}/members`, { personId: person, role: 'mule' })
      assert.equal(res.status, 400)
      assert.deepEqual(fieldsOf(res.body), ['personId'])
      assert.match(res.body.errors[0].message, /never made members of a group: link them .* as people at risk instead/)
    }
    const business = await entity({ schema: 'Company', caption: 'Sparkle Hand Car Wash Ltd' })
    const res = await api(POLICE_ANALYST)('POST', `/api/v1/groups/${group.id}/members`, { personId: business, role: 'associate' })
    assert.equal(res.status, 400)
    assert.match(res.body.errors[0].message, /Only a person/)
    // The form offers suspects only.
    const victim = await entity({ caption: 'Vera Victimson', personRole: 'victim' })
    const police = await signedIn(t.app, POLICE_ANALYST)
    const form = await police.get(`/groups/${group.id}/members/new`)
    assert.match(form.body, /Darren Kane/)
    assert.doesNotMatch(form.body, /Vera Victimson/)
    assert.ok(victim)
  })

  test('a person the user cannot see is refused as not found or not visible, and nothing is saved', async () => {
    const hidden = await entity({ owner: HMRC_ANALYST, caption: 'Hidden HMRC subject' })
    const before = await memberCount(group.id)
    const res = await api(POLICE_ANALYST)('POST', `/api/v1/groups/${group.id}/members`, { personId: hidden, role: 'associate' })
    assert.equal(res.status, 400)
    assert.deepEqual(res.body.errors, [{ field: 'personId', message: 'The person was not found or is not visible to you' }])
    assert.equal(await memberCount(group.id), before)
  })

  test('an enabler needs a profession, and only an enabler has one', async () => {
    const person = await entity()
    const missing = await api(POLICE_ANALYST)('POST', `/api/v1/groups/${group.id}/members`, { personId: person, role: 'enabler' })
    assert.equal(missing.status, 400)
    assert.deepEqual(fieldsOf(missing.body), ['enablerProfession'])
    const extra = await api(POLICE_ANALYST)('POST', `/api/v1/groups/${group.id}/members`, { personId: person, role: 'mule', enablerProfession: 'law' })
    assert.equal(extra.status, 400)
    assert.deepEqual(fieldsOf(extra.body), ['enablerProfession'])
    const ok = await api(POLICE_ANALYST)('POST', `/api/v1/groups/${group.id}/members`, { personId: person, role: 'enabler', enablerProfession: 'accountancy' })
    assert.equal(ok.status, 201)
    assert.equal(ok.body.enablerProfession, 'accountancy')
  })

  test('impossible dates and an end before the start are refused on their fields', async () => {
    const person = await entity()
    const before = await memberCount(group.id)
    const impossible = await api(POLICE_ANALYST)('POST', `/api/v1/groups/${group.id}/members`, { personId: person, role: 'associate', startDate: '2025-02-30', endDate: '2025-13-01' })
    assert.equal(impossible.status, 400)
    assert.deepEqual(fieldsOf(impossible.body).sort(), ['endDate', 'startDate'])
    const backwards = await api(POLICE_ANALYST)('POST', `/api/v1/groups/${group.id}/members`, { personId: person, role: 'associate', startDate: '2025-06-01', endDate: '2025-05-31' })
    assert.equal(backwards.status, 400)
    assert.deepEqual(backwards.body.errors, [{ field: 'endDate', message: 'The end date must be the same as or after the start date' }])
    assert.equal(await memberCount(group.id), before)
  })

  test('a membership is changed with its row version, ended, and removed, each in the history and each marking the group', async () => {
    const person = await entity({ caption: 'Leon Mulligan' })
    const added = (await api(POLICE_ANALYST)('POST', `/api/v1/groups/${group.id}/members`, { personId: person, role: 'mule', startDate: '2025-01-01' })).body
    const markedAt = async () => (await asSystem(t.db, (tx) => tx.selectFrom('ocgs').select('members_changed_at').where('id', '=', group.id).executeTakeFirstOrThrow())).members_changed_at!
    const t0 = await markedAt()
    const changed = await api(POLICE_ANALYST)('PUT', `/api/v1/groups/${group.id}/members/${added.id}`, { role: 'core_member', startDate: '2025-01-01', rowVersion: added.rowVersion })
    assert.equal(changed.status, 200, JSON.stringify(changed.body))
    assert.equal(changed.body.role, 'core_member')
    const t1 = await markedAt()
    assert.ok(t1.getTime() >= t0.getTime())
    const stale = await api(POLICE_ANALYST)('PUT', `/api/v1/groups/${group.id}/members/${added.id}`, { role: 'principal', rowVersion: added.rowVersion })
    assert.equal(stale.status, 409)
    const early = await api(POLICE_ANALYST)('POST', `/api/v1/groups/${group.id}/members/${added.id}/end`, { endDate: '2024-12-31', rowVersion: changed.body.rowVersion })
    assert.equal(early.status, 400)
    assert.deepEqual(fieldsOf(early.body), ['endDate'])
    const ended = await api(POLICE_ANALYST)('POST', `/api/v1/groups/${group.id}/members/${added.id}/end`, { endDate: '2025-09-30', rowVersion: changed.body.rowVersion })
    assert.equal(ended.status, 200)
    assert.equal(ended.body.current, false)
    const page = await (await signedIn(t.app, POLICE_ANALYST)).get(`/groups/${group.id}`)
    const past = /<table class="govuk-table achilles-past-members">[\s\S]*?<\/table>/.exec(page.body)?.[0] ?? ''
    assert.match(past, /Leon Mulligan/)
    const removed = await api(POLICE_ANALYST)('DELETE', `/api/v1/groups/${group.id}/members/${added.id}`, { reason: 'Confused with another person' })
    assert.equal(removed.status, 204)
    const history = (await api(POLICE_ANALYST)('GET', `/api/v1/groups/${group.id}/history`)).body.history
    assert.deepEqual(history.slice(0, 3).map((h: any) => h.summary), ['Member removed: Confused with another person', 'Membership ended: end date', 'Membership changed: role'])
    assert.equal(history[0].changes[0].entityCaption, 'Leon Mulligan')
  })

  test('another agency that sees the group but not a member sees neither the member nor their name in the history', async () => {
    const shared = await newGroup(POLICE_ANALYST, { sharingScope: 'partnership' })
    const seenByAll = await entity({ caption: 'Partnership suspect', scope: 'partnership' })
    const policeOnly = await entity({ caption: 'Police-only suspect' })
    for (const personId of [seenByAll, policeOnly]) {
      assert.equal((await api(POLICE_ANALYST)('POST', `/api/v1/groups/${shared.id}/members`, { personId, role: 'associate' })).status, 201)
    }
    const hmrc = await api(HMRC_ANALYST)('GET', `/api/v1/groups/${shared.id}`)
    assert.equal(hmrc.status, 200)
    assert.deepEqual(hmrc.body.members.map((m: any) => m.caption), ['Partnership suspect'])
    const captions = hmrc.body.recentHistory.flatMap((h: any) => h.changes.map((c: any) => c.entityCaption)).filter(Boolean)
    assert.deepEqual(captions, ['Partnership suspect'])
    assert.doesNotMatch(JSON.stringify(hmrc.body), /Police-only suspect/)
  })
})

describe('holdings', () => {
  test('premises, vehicles and businesses are held by kind; a record of the wrong kind is refused', async () => {
    const group = await newGroup()
    const premises = await entity({ schema: 'Address', caption: '12 Wharf Street, Loughborough LE11 1AA' })
    const vehicle = await entity({ schema: 'Vehicle', caption: 'Black Audi A4 AB12 CDE' })
    const wrong = await api(POLICE_ANALYST)('POST', `/api/v1/groups/${group.id}/holdings`, { entityId: vehicle, kind: 'premises' })
    assert.equal(wrong.status, 400)
    assert.deepEqual(wrong.body.errors, [{ field: 'kind', message: 'A premises must be an address or premises record, not a vehicle record' }])
    assert.equal((await api(POLICE_ANALYST)('POST', `/api/v1/groups/${group.id}/holdings`, { entityId: premises, kind: 'premises', startDate: '2024-01-01' })).status, 201)
    const car = await api(POLICE_ANALYST)('POST', `/api/v1/groups/${group.id}/holdings`, { entityId: vehicle, kind: 'vehicle' })
    assert.equal(car.status, 201)
    const twice = await api(POLICE_ANALYST)('POST', `/api/v1/groups/${group.id}/holdings`, { entityId: vehicle, kind: 'vehicle' })
    assert.equal(twice.status, 400)
    assert.deepEqual(fieldsOf(twice.body), ['entityId'])
    const ended = await api(POLICE_ANALYST)('PUT', `/api/v1/groups/${group.id}/holdings/${car.body.id}`, { endDate: '2025-10-01' })
    assert.equal(ended.body.current, false)
    const police = await signedIn(t.app, POLICE_ANALYST)
    const page = await police.get(`/groups/${group.id}`)
    assert.match(page.body, /Premises \(1\)/)
    assert.match(page.body, /12 Wharf Street/)
    assert.match(page.body, /Vehicle \(1\)/)
    const removed = await police.submit(`/groups/${group.id}/holdings/${car.body.id}`, `/groups/${group.id}/holdings/${car.body.id}/remove`, { reason: 'Wrong car' })
    assert.equal(removed.status, 303)
    const after = (await api(POLICE_ANALYST)('GET', `/api/v1/groups/${group.id}`)).body
    assert.deepEqual(after.holdings.map((h: any) => h.kind), ['premises'])
    assert.equal(after.recentHistory[0].summary, 'Vehicle removed: Wrong car')
  })
})

describe("visibility of 'group'", () => {
  let agencyOnly: any
  let sensitive: any
  let partnership: any
  before(async () => {
    agencyOnly = await newGroup(POLICE_ANALYST, { name: 'Agency-only Alpha group' })
    partnership = await newGroup(POLICE_ANALYST, { name: 'Partnership Bravo group', sharingScope: 'partnership' })
    const tradingStandards = user(PARTNER).agencyId
    sensitive = await newGroup(POLICE_ANALYST, { name: 'Sensitive Charlie group', protectiveMarking: 'OFFICIAL-SENSITIVE', sharingScope: 'named', sharedWithAgencyIds: [tradingStandards] })
  })

  test('a group kept to its agency is hidden from another agency, and the refusal is logged', async () => {
    const res = await api(HMRC_ANALYST)('GET', `/api/v1/groups/${agencyOnly.id}`)
    assert.equal(res.status, 404)
    assert.doesNotMatch(JSON.stringify(res.body), /Alpha/)
    const audit = await auditRows(agencyOnly.id)
    assert.ok(audit.some((a) => a.action === 'disclosure' && a.outcome === 'refused' && a.user_id === user(HMRC_ANALYST).id))
    const list = await api(HMRC_ANALYST)('GET', '/api/v1/groups?q=group')
    const names = list.body.groups.map((g: any) => g.name)
    assert.ok(!names.includes('Agency-only Alpha group'))
    assert.ok(names.includes('Partnership Bravo group'))
    const page = await (await signedIn(t.app, HMRC_ANALYST)).get(`/groups/${agencyOnly.id}`)
    assert.equal(page.status, 404)
  })

  test('a group shared with the partnership is seen by another agency, read-only', async () => {
    const res = await api(HMRC_ANALYST)('GET', `/api/v1/groups/${partnership.id}`)
    assert.equal(res.status, 200)
    assert.equal(res.body.visibleBecause, 'whole-partnership')
    assert.equal(res.body.mayEdit, false)
    const person = await entity({ owner: HMRC_ANALYST })
    const add = await api(HMRC_ANALYST)('POST', `/api/v1/groups/${partnership.id}/members`, { personId: person, role: 'associate' })
    assert.equal(add.status, 403)
  })

  test('an OFFICIAL-SENSITIVE group shared with a partner agency stays hidden from its partner officer, who lacks need-to-know', async () => {
    assert.equal((await api(PARTNER)('GET', `/api/v1/groups/${sensitive.id}`)).status, 404)
    assert.equal((await api(POLICE_LRO)('GET', `/api/v1/groups/${sensitive.id}`)).status, 200)
  })

  test('row-level security alone hides, guards and keeps the history of a group from another agency', async () => {
    const hmrc = viewerOf(HMRC_ANALYST)
    await asUser(t.db, hmrc, async (tx) => {
      const all = await sql<{ id: string }>`SELECT id FROM ocgs`.execute(tx)
      const ids = all.rows.map((r) => r.id)
      assert.ok(!ids.includes(agencyOnly.id))
      assert.ok(ids.includes(partnership.id))
      assert.equal((await sql`SELECT * FROM ocg_history WHERE group_id = ${agencyOnly.id}`.execute(tx)).rows.length, 0)
      const changed = await sql`UPDATE ocgs SET name = 'taken over' WHERE id IN (${agencyOnly.id}, ${partnership.id})`.execute(tx)
      assert.equal(Number(changed.numAffectedRows ?? 0), 0)
      assert.equal(await groups.markGroupChanged(tx, agencyOnly.id, 'members'), false)
    })
    const hmrcPerson = await entity({ owner: HMRC_ANALYST })
    await assert.rejects(
      asUser(t.db, hmrc, (tx) => sql`INSERT INTO ocg_members (group_id, person_id, role) VALUES (${partnership.id}, ${hmrcPerson}, 'associate')`.execute(tx)),
      /row-level security/,
    )
    await assert.rejects(
      asUser(t.db, hmrc, (tx) => sql`INSERT INTO ocg_history (group_id, changed_by, summary) VALUES (${partnership.id}, ${hmrc.userId}, 'forged')`.execute(tx)),
      /row-level security/,
    )
    const still = await asSystem(t.db, (tx) => tx.selectFrom('ocgs').select('name').where('id', '=', agencyOnly.id).executeTakeFirstOrThrow())
    assert.equal(still.name, 'Agency-only Alpha group')
  })

  test('viewing a group and listing groups are logged as consultations', async () => {
    const police = user(POLICE_ANALYST)
    await api(POLICE_ANALYST)('GET', `/api/v1/groups/${partnership.id}?purpose=Preparing%20the%20tasking%20meeting`)
    const rows = await auditRows(partnership.id)
    assert.ok(rows.some((r) => r.action === 'consultation' && r.purpose === 'Preparing the tasking meeting' && r.user_id === police.id))
    await api(POLICE_ANALYST)('GET', '/api/v1/groups?q=Bravo')
    const listed = await asSystem(t.db, (tx) =>
      tx.selectFrom('audit_events').select(['detail']).where('record_type', '=', 'group').where('purpose', '=', 'Listing organised crime groups').orderBy('seq', 'desc').executeTakeFirstOrThrow(),
    )
    assert.deepEqual((listed.detail as { shown: string[] }).shown, [partnership.id])
  })

  test('the helpers other modules use see only what the user may see', async () => {
    const suspect = await entity({ scope: 'partnership', caption: 'Shared suspect' })
    assert.equal((await api(POLICE_ANALYST)('POST', `/api/v1/groups/${agencyOnly.id}/members`, { personId: suspect, role: 'principal' })).status, 201)
    assert.equal((await api(POLICE_ANALYST)('POST', `/api/v1/groups/${partnership.id}/members`, { personId: suspect, role: 'associate', endDate: '2020-01-01' })).status, 201)
    await asUser(t.db, viewerOf(HMRC_ANALYST), async (tx) => {
      const summaries = await groups.groupSummaries(tx, [agencyOnly.id, partnership.id])
      assert.deepEqual([...summaries.keys()], [partnership.id])
      assert.deepEqual((await groups.currentMemberships(tx, [suspect])).get(suspect), undefined, 'the ended membership is past; the current one is in a group HMRC cannot see')
      const found = await groups.searchGroups(tx, viewerOf(HMRC_ANALYST), { text: 'Partnershp Bravo', limit: 10 })
      assert.equal(found[0]?.id, partnership.id)
      assert.ok(found[0]!.similarity > 0.3)
      assert.ok(!(await groups.searchGroups(tx, viewerOf(HMRC_ANALYST), { text: 'Alpha', limit: 10 })).some((g) => g.id === agencyOnly.id))
    })
    await asUser(t.db, viewerOf(POLICE_ANALYST), async (tx) => {
      assert.deepEqual((await groups.currentMemberships(tx, [suspect])).get(suspect), [{ groupId: agencyOnly.id, role: 'principal' }])
      assert.equal((await groups.groupSummaries(tx, [agencyOnly.id])).get(agencyOnly.id)?.name, 'Agency-only Alpha group')
    })
  })

  test('the holding agency shares a group with a named agency through the shared sharing endpoint', async () => {
    const group = await newGroup(POLICE_ANALYST, { name: 'Shared later Golf group' })
    assert.equal((await api(HMRC_ANALYST)('GET', `/api/v1/groups/${group.id}`)).status, 404)
    const shared = await api(POLICE_ANALYST)('PUT', `/api/v1/groups/${group.id}/sharing`, {
      protectiveMarking: 'OFFICIAL', handlingCode: 'C', handlingConditions: 'Tax enquiries only', sharingScope: 'named', sharedWithAgencyIds: [user(HMRC_ANALYST).agencyId], reason: 'Joint tax enquiry',
    })
    assert.equal(shared.status, 204)
    const seen = await api(HMRC_ANALYST)('GET', `/api/v1/groups/${group.id}`)
    assert.equal(seen.status, 200)
    assert.equal(seen.body.visibleBecause, 'named-agency')
    assert.equal(seen.body.handlingConditions, 'Tax enquiries only')
    const page = await (await signedIn(t.app, HMRC_ANALYST)).get(`/groups/${group.id}`)
    assert.match(page.body, /Tax enquiries only/)
  })

  test('only the holding agency erases a group, with a reason, and the erasure is logged', async () => {
    const doomed = await newGroup(POLICE_ANALYST, { sharingScope: 'partnership' })
    assert.equal((await api(HMRC_ANALYST)('DELETE', `/api/v1/groups/${doomed.id}`, { reason: 'Not ours' })).status, 403)
    const noReason = await api(POLICE_ANALYST)('DELETE', `/api/v1/groups/${doomed.id}`, { reason: '' })
    assert.equal(noReason.status, 400)
    assert.equal((await api(POLICE_ANALYST)('DELETE', `/api/v1/groups/${doomed.id}`, { reason: 'Recorded in error' })).status, 204)
    assert.equal((await api(POLICE_ANALYST)('GET', `/api/v1/groups/${doomed.id}`)).status, 404)
    const audit = await auditRows(doomed.id)
    assert.ok(audit.some((a) => a.action === 'erasure' && a.purpose === 'Recorded in error'))
  })
})

describe('bulk loaders', () => {
  test('groups, members and holdings load in bulk with their shares, and an officer of another agency gets the grant', async () => {
    const police = user(POLICE_ANALYST)
    const [a, b] = [randomUUID(), randomUUID()]
    const suspect = await entity({ caption: 'Bulk suspect', scope: 'partnership' })
    const car = await entity({ schema: 'Vehicle', caption: 'Bulk van', scope: 'partnership' })
    const parsed = groups.parseGroupInput(groupBody({ name: 'Bulk Echo group' }))
    await asSystem(t.db, async (tx) => {
      await groups.insertGroups(tx, [
        { ...parsed, id: a, owningAgencyId: police.agencyId, createdBy: police.id, leadResponsibleOfficerId: user(HMRC_ANALYST).id },
        { ...parsed, id: b, name: 'Bulk Foxtrot group', sharingScope: 'named', sharedWithAgencyIds: [user(PARTNER).agencyId], owningAgencyId: police.agencyId, createdBy: police.id },
      ])
      await groups.insertMembers(tx, [{ ...groups.parseMemberInput({ personId: suspect, role: 'principal' }), groupId: a, createdBy: police.id }])
      await groups.insertHoldings(tx, [{ entityId: car, kind: 'vehicle', startDate: null, endDate: null, notes: null, groupId: a, createdBy: police.id }])
    })
    const seen = await api(HMRC_ANALYST)('GET', `/api/v1/groups/${a}`)
    assert.equal(seen.status, 200)
    assert.equal(seen.body.visibleBecause, 'explicit-grant')
    assert.deepEqual(seen.body.members.map((m: any) => m.caption), ['Bulk suspect'])
    assert.deepEqual(seen.body.holdings.map((h: any) => h.caption), ['Bulk van'])
    assert.equal((await api(PARTNER)('GET', `/api/v1/groups/${b}`)).body.visibleBecause, 'named-agency')
    assert.equal((await api(HMRC_ANALYST)('GET', `/api/v1/groups/${b}`)).status, 404)
  })
})

describe('pages', () => {
  test('the list filters by status, threat area, area and whose groups; the member and holding forms render', async () => {
    const lroGroup = await newGroup(POLICE_ANALYST, { name: 'Filter Delta group', status: 'dormant', threatAreas: ['fuel_fraud'], areas: ['Melton'], leadResponsibleOfficerEmail: POLICE_LRO })
    const lro = await signedIn(t.app, POLICE_LRO)
    const mine = await lro.get('/groups?owner=lro')
    assert.equal(mine.status, 200)
    assert.match(mine.body, /Filter Delta group/)
    const police = await signedIn(t.app, POLICE_ANALYST)
    for (const q of ['status=dormant&threatArea=fuel_fraud', 'area=melt', 'q=delta']) {
      assert.match((await police.get(`/groups?${q}`)).body, /Filter Delta group/, q)
    }
    assert.doesNotMatch((await police.get('/groups?status=archived&q=delta')).body, /Filter Delta group/)
    const bad = await police.get('/groups?status=sleeping')
    assert.equal(bad.status, 400)
    assert.match(bad.body, /Choose a status from the list/)
    assert.equal((await police.get(`/groups/${lroGroup.id}/members/new`)).status, 200)
    assert.equal((await police.get(`/groups/${lroGroup.id}/holdings/new`)).status, 200)
    assert.equal((await police.get(`/groups/${lroGroup.id}/edit`)).status, 200)
  })
})
