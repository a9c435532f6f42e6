import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import type { Actor } from '../../src/core/access/actor.ts'
import { capabilitiesOf } from '../../src/core/access/roles.ts'
import { asSystem, asUser } from '../../src/db/context.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { sendReferralReminders } from '../../src/modules/referrals/service.ts'
import { signedIn, startTestApp, type Client, type TestApp } from '../support/app.ts'
import { engineName } from '../support/database.ts'

// GAIN referrals and information requests (issue 5, item 7) on PGlite and on a PostgreSQL server:
// only the agencies party to a referral see it or its answer, through any page or API route; every
// sending, routing and answering is logged as a disclosure to the agency that receives it, and
// every reading as a consultation; the nightly work reminds the agency that owes an answer.

let t: TestApp
type Api = (method: 'GET' | 'POST', url: string, json?: unknown) => Promise<{ status: number; body: any }>
const apis = new Map<string, Api>()
const POLICE = 'analyst@demo.achilles.example'
const TRADING_STANDARDS = 'partner.officer@demo.achilles.example'
const COORDINATOR = 'gain.coordinator@demo.achilles.example'
const HMRC = 'analyst.hmrc@demo.achilles.example'
// Leicester City Council community safety: no part in any referral here.
const UNINVOLVED = 'safeguarding@demo.achilles.example'
const SITE = 'https://achilles.test.example'

const user = (email: string) => t.partnership.users.find((u) => u.email === email)!
const api = (email: string) => apis.get(email)!
const agencyOf = (email: string) => user(email).agencyId
const actorOf = (email: string): Actor => {
  const u = user(email)
  const agency = t.partnership.agencies.find((a) => a.id === u.agencyId)!
  return { userId: u.id, agencyId: u.agencyId, capabilities: capabilitiesOf(u.roles), email: u.email, displayName: u.displayName, agencyName: agency.name, roles: u.roles, via: 'session' }
}
const held = { purpose: 'Disrupting an organised crime group', reviewDate: '2030-01-01', protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency' }
const messages = (body: any) => (body.errors as Array<{ field: string; message: string }>).map((e) => `${e.field}: ${e.message}`)

type AuditRow = { action: string; outcome: string; record_type: string; record_id: string | null; user_id: string | null; recipients: string[]; detail: any; purpose: string | null }
const auditOf = (recordId: string) => asSystem(t.db, async (tx) => (await tx.selectFrom('audit_events')
  .select(['action', 'outcome', 'record_type', 'record_id', 'user_id', 'recipients', 'detail', 'purpose']).where('record_id', '=', recordId).orderBy('seq').execute()) as AuditRow[])
const auditSince = (seq: number) => asSystem(t.db, async (tx) => (await tx.selectFrom('audit_events')
  .select(['action', 'outcome', 'record_type', 'record_id', 'user_id', 'recipients', 'detail', 'purpose']).where('seq', '>', seq).orderBy('seq').execute()) as AuditRow[])
const lastSeq = () => asSystem(t.db, async (tx) => Number((await tx.selectFrom('audit_events').select((eb) => eb.fn.max('seq').as('n')).executeTakeFirstOrThrow()).n ?? 0))

let serial = 0
async function suspect() {
  const res = await api(POLICE)('POST', '/api/v1/entities', { schema: 'Person', fullName: `Referral Subject ${++serial}`, birthDate: '1984-03-02', personRole: 'suspect', ...held })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body.id as string
}
const referral = (entityId: string, extra: Record<string, unknown> = {}) => ({
  kind: 'information_request', entityId, recipientAgencyId: agencyOf(HMRC), subjectDescription: `Referral Subject ${serial}, born 2 March 1984`,
  summary: 'Believed to run cash-intensive car washes for the Belgrave group.', request: 'Does he declare income from the car washes? Any business registered to him?',
  purpose: 'Disrupting the Belgrave group’s money laundering', lawfulBasis: 'cda1998_s115', urgency: 'within_7_days', protectiveMarking: 'OFFICIAL', handlingCode: 'P', ...extra,
})
const pageFields = () => ({
  kind: 'information_request', subjectDescription: 'A man born 2 March 1984', summary: 'Runs car washes for the Belgrave group.', request: 'Any business registered to him?',
  purpose: 'Disrupting the Belgrave group', lawfulBasis: 'cda1998_s115', urgency: 'routine', protectiveMarking: 'OFFICIAL', handlingCode: 'P',
})
const answer = (rowVersion: number, extra: Record<string, unknown> = {}) => ({
  body: 'Two businesses registered to him; income declared well below the turnover of comparable car washes.', sourceEvaluation: 'A', intelligenceAssessment: '2',
  protectiveMarking: 'OFFICIAL', handlingCode: 'C', handlingConditions: 'Not to be disclosed to the subject or used in evidence without HMRC consent.', rowVersion, ...extra,
})

before(async () => {
  t = await startTestApp({ baseUrl: SITE })
  for (const email of [POLICE, TRADING_STANDARDS, COORDINATOR, HMRC, UNINVOLVED]) {
    const { token } = await issueApiToken(t.ctx, 'system', user(email).id, { name: 'referrals test', scopes: ['records:read', 'records:write'] })
    apis.set(email, async (method, url, json) => {
      const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) }, payload: json !== undefined ? JSON.stringify(json) : undefined })
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null }
    })
  }
})
after(() => t.close())

describe(`GAIN referrals on ${engineName()}`, () => {
  test('a referral names the field of every problem: lawful basis, the other basis unnamed, conditions for code C, a due date beyond its urgency', async () => {
    const subject = await suspect()
    const none = await api(POLICE)('POST', '/api/v1/referrals', referral(subject, { lawfulBasis: undefined, purpose: '' }))
    assert.equal(none.status, 400)
    const fields = messages(none.body).map((m) => m.split(':')[0])
    assert.ok(fields.includes('lawfulBasis') && fields.includes('purpose'), fields.join(', '))
    const other = await api(POLICE)('POST', '/api/v1/referrals', referral(subject, { lawfulBasis: 'other', handlingCode: 'C', dueOn: '2099-01-01' }))
    assert.equal(other.status, 400)
    const text = messages(other.body).join('\n')
    assert.match(text, /lawfulBasisDetail: Name the lawful basis you rely on/)
    assert.match(text, /handlingConditions: /)
    assert.match(text, /dueOn: An answer within 7 days is due by \d{4}-\d{2}-\d{2} at the latest/)
    const self = await api(POLICE)('POST', '/api/v1/referrals', referral(subject, { recipientAgencyId: agencyOf(POLICE) }))
    assert.deepEqual(messages(self.body), ['recipientAgencyId: Your own agency already holds this: choose another agency'])
    // A subject the sender may not see is refused as though absent.
    const hmrcsOwn = await api(HMRC)('POST', '/api/v1/entities', { schema: 'Person', fullName: 'Known Only To HMRC', personRole: 'suspect', ...held })
    assert.equal((await api(POLICE)('POST', '/api/v1/referrals', referral(hmrcsOwn.body.id))).status, 404)
    assert.equal((await api(POLICE)('GET', '/api/v1/referrals?view=outgoing')).body.total, 0, 'nothing was sent')
  })

  test('an agency with no part in a referral cannot see it or its answer through any page or API route, and its attempts are logged as refused', async () => {
    const subject = await suspect()
    const sent = await api(POLICE)('POST', '/api/v1/referrals', referral(subject))
    assert.equal(sent.status, 201, JSON.stringify(sent.body))
    const r = sent.body
    assert.equal(r.state, 'sent')
    assert.match(r.reference, /^GAIN-\d{4}-[0-9A-F]{6}$/)
    assert.equal(r.subjectEntityId, subject, 'the requester keeps the link to its own record')
    const incoming = await api(HMRC)('GET', `/api/v1/referrals/${r.id}`)
    assert.equal(incoming.status, 200)
    assert.equal(incoming.body.subjectEntityId, null, 'the recipient has what was disclosed, not the requester’s record')
    assert.deepEqual(incoming.body.actions, ['accept', 'answer', 'decline'])
    const answered = await api(HMRC)('POST', `/api/v1/referrals/${r.id}/answer`, answer(incoming.body.rowVersion))
    assert.equal(answered.status, 200, JSON.stringify(answered.body))
    const intelligenceId = answered.body.answers[0].intelligenceId as string
    assert.ok(intelligenceId)

    const before = await lastSeq()
    const outsider = api(UNINVOLVED)
    assert.equal((await outsider('GET', `/api/v1/referrals/${r.id}`)).status, 404)
    const bodies: Record<string, object> = {
      accept: { rowVersion: 2 }, close: { rowVersion: 2 }, withdraw: { reason: 'Trying to see what this is about', rowVersion: 2 },
      decline: { declineGround: 'other', reason: 'Trying to see what this is about', rowVersion: 2 }, route: { recipientAgencyId: agencyOf(UNINVOLVED), rowVersion: 2 },
    }
    for (const [path, body] of Object.entries(bodies)) {
      const res = await outsider('POST', `/api/v1/referrals/${r.id}/${path}`, body)
      assert.equal(res.status, 404, `${path}: ${res.status} ${JSON.stringify(res.body)}`)
    }
    assert.equal((await outsider('POST', `/api/v1/referrals/${r.id}/answer`, answer(2))).status, 404)
    for (const view of ['all', 'incoming', 'outgoing', 'overdue']) {
      const list = await outsider('GET', `/api/v1/referrals?view=${view}`)
      assert.equal(list.status, 200)
      assert.ok(!list.body.rows.some((x: any) => x.id === r.id), view)
    }
    assert.equal((await outsider('GET', `/api/v1/intelligence/${intelligenceId}`)).status, 404, 'nor the answer filed as intelligence')
    const outsiderIntel = await outsider('GET', '/api/v1/intelligence?q=car%20washes')
    assert.ok(!JSON.stringify(outsiderIntel.body).includes(intelligenceId))

    const page: Client = await signedIn(t.app, UNINVOLVED)
    assert.equal((await page.get(`/referrals/${r.id}`)).status, 404)
    const list = await page.get('/referrals')
    assert.equal(list.status, 200)
    assert.ok(!list.body.includes(r.reference) && !list.body.includes(r.subjectDescription))
    assert.equal((await page.get(`/intelligence/${intelligenceId}`)).status, 404)
    assert.equal((await page.get(`/referrals/new?entityId=${subject}`)).status, 404, 'nor start one about a subject it cannot see')
    const own = await signedIn(t.app, TRADING_STANDARDS)
    const refused = await own.submit('/referrals', `/referrals/${r.id}/decline`, { declineGround: 'other', reason: 'Trying to decline what is not ours', rowVersion: '1' })
    assert.equal(refused.status, 404)

    const rows = (await auditSince(before)).filter((a) => a.record_id === r.id)
    assert.ok(rows.length >= 3, 'the refused attempts are logged')
    assert.ok(rows.every((a) => a.outcome === 'refused'), JSON.stringify(rows))
    assert.ok(rows.some((a) => a.user_id === user(UNINVOLVED).id))
  })

  test('sending, answering, and every reading of a referral or answer by an agency that did not write it, are logged as disclosures to that agency', async () => {
    const subject = await suspect()
    const r = (await api(POLICE)('POST', '/api/v1/referrals', referral(subject))).body
    const sentLog = await auditOf(r.id)
    const disclosure = sentLog.find((a) => a.action === 'disclosure' && a.outcome === 'done')!
    assert.deepEqual(disclosure.recipients, [agencyOf(HMRC)])
    assert.equal(disclosure.detail.lawfulBasis, 'cda1998_s115')
    assert.equal(disclosure.purpose, 'Disrupting the Belgrave group’s money laundering')
    assert.ok(sentLog.some((a) => a.action === 'collection'))
    const subjectLog = await auditOf(subject)
    assert.ok(subjectLog.some((a) => a.action === 'disclosure' && a.recipients.includes(agencyOf(HMRC)) && a.detail.referral === r.id), 'naming the subject to HMRC is a disclosure of the subject too')

    const seen = await api(HMRC)('GET', `/api/v1/referrals/${r.id}`)
    // HMRC's reading of what the police wrote is a disclosure to HMRC; the police reading their own, a consultation.
    const readLog = (await auditOf(r.id)).filter((a) => a.user_id === user(HMRC).id)
    assert.deepEqual(readLog.map((a) => [a.action, a.detail.as, a.recipients]), [['disclosure', 'recipient', [agencyOf(HMRC)]]])
    const listBefore = await lastSeq()
    const hmrcList = await api(HMRC)('GET', '/api/v1/referrals?view=incoming')
    assert.ok(hmrcList.body.rows.some((x: any) => x.id === r.id))
    const listed = (await auditSince(listBefore)).filter((a) => a.record_type === 'referral')
    assert.ok(listed.some((a) => a.action === 'disclosure' && a.recipients.includes(agencyOf(HMRC)) && a.detail.shown.includes(r.id)), 'listing another agency’s referral is logged as its disclosure to the reader')
    assert.ok((await auditOf(r.id)).some((a) => a.action === 'consultation' && a.user_id === user(POLICE).id), 'the requester reading its own is a consultation')

    const done = await api(HMRC)('POST', `/api/v1/referrals/${r.id}/answer`, answer(seen.body.rowVersion))
    assert.equal(done.status, 200)
    const a = done.body.answers[0]
    assert.equal(a.grade, 'A2C')
    assert.equal(a.handlingConditions, 'Not to be disclosed to the subject or used in evidence without HMRC consent.')
    const answerLog = await auditOf(a.id)
    const given = answerLog.find((x) => x.action === 'disclosure')!
    assert.deepEqual(given.recipients, [agencyOf(POLICE)])
    assert.equal(given.user_id, user(HMRC).id)
    assert.equal(given.detail.grade, 'A2C')

    // The requester reads the answer: a consultation of the answer, and the answer is their intelligence.
    const before = await lastSeq()
    const back = await api(POLICE)('GET', `/api/v1/referrals/${r.id}`)
    assert.equal(back.body.state, 'answered')
    assert.equal(back.body.answers.length, 1)
    const read = (await auditSince(before)).filter((x) => x.record_id === a.id)
    assert.deepEqual(read.map((x) => [x.action, x.user_id, x.recipients]), [['disclosure', user(POLICE).id, [agencyOf(POLICE)]]], 'the requester reading HMRC’s answer: a disclosure to the police')
    const hmrcBefore = await lastSeq()
    await api(HMRC)('GET', `/api/v1/referrals/${r.id}`)
    assert.deepEqual((await auditSince(hmrcBefore)).filter((x) => x.record_id === a.id).map((x) => x.action), ['consultation'], 'HMRC reading its own answer')
    const intelligence = await api(POLICE)('GET', `/api/v1/intelligence/${a.intelligenceId}`)
    assert.equal(intelligence.status, 200)
    assert.equal(intelligence.body.handlingCode, 'C')
    // The pages say the same: the answer shown, and the showing logged.
    const page = await signedIn(t.app, POLICE)
    const beforePage = await lastSeq()
    const shown = await page.get(`/referrals/${r.id}`)
    assert.equal(shown.status, 200)
    assert.ok(shown.body.includes('Graded A2C'))
    assert.ok((await auditSince(beforePage)).some((x) => x.record_id === a.id && x.action === 'disclosure'), 'the page’s showing of the answer is logged too')

    assert.equal((await api(POLICE)('POST', `/api/v1/referrals/${r.id}/close`, { rowVersion: back.body.rowVersion })).body.state, 'closed')
  })

  test('through the GAIN coordinator: routed on as a disclosure, declined with a reason, and the coordinator sees the timeline but not an answer', async () => {
    const subject = await suspect()
    const sent = await api(POLICE)('POST', '/api/v1/referrals', referral(subject, { recipientAgencyId: undefined, toCoordinator: true, kind: 'referral' }))
    assert.equal(sent.status, 201, JSON.stringify(sent.body))
    assert.equal(sent.body.recipientAgencyId, agencyOf(COORDINATOR))
    const atCoordinator = await api(COORDINATOR)('GET', `/api/v1/referrals/${sent.body.id}`)
    assert.deepEqual(atCoordinator.body.actions, ['route', 'accept', 'answer', 'decline'])
    assert.equal((await api(HMRC)('GET', `/api/v1/referrals/${sent.body.id}`)).status, 404, 'not yet routed to HMRC')
    const wrong = await api(TRADING_STANDARDS)('GET', `/api/v1/referrals/${sent.body.id}`)
    assert.equal(wrong.status, 404)
    const routed = await api(COORDINATOR)('POST', `/api/v1/referrals/${sent.body.id}/route`, { recipientAgencyId: agencyOf(TRADING_STANDARDS), rowVersion: atCoordinator.body.rowVersion })
    assert.equal(routed.status, 200, JSON.stringify(routed.body))
    assert.equal(routed.body.state, 'routed')
    const routing = (await auditOf(sent.body.id)).find((a) => a.action === 'disclosure' && a.user_id === user(COORDINATOR).id && a.detail.routedBy)!
    assert.deepEqual(routing.recipients, [agencyOf(TRADING_STANDARDS)], 'routing is a disclosure to the agency it is routed to')
    assert.deepEqual((await api(COORDINATOR)('GET', `/api/v1/referrals/${sent.body.id}`)).body.actions, [], 'once routed it is trading standards’ to answer')

    const ts = await api(TRADING_STANDARDS)('GET', `/api/v1/referrals/${sent.body.id}`)
    const vague = await api(TRADING_STANDARDS)('POST', `/api/v1/referrals/${sent.body.id}/decline`, { declineGround: 'not_our_remit', reason: 'no', rowVersion: ts.body.rowVersion })
    assert.equal(vague.status, 400)
    assert.deepEqual(messages(vague.body).map((m) => m.split(':')[0]).sort(), ['reason', 'suggestedAgency'])
    const declined = await api(TRADING_STANDARDS)('POST', `/api/v1/referrals/${sent.body.id}/decline`, { declineGround: 'not_our_remit', reason: 'We license none of his premises; HMRC holds his business records.', suggestedAgency: 'HMRC', rowVersion: ts.body.rowVersion })
    assert.equal(declined.status, 200, JSON.stringify(declined.body))
    assert.equal(declined.body.state, 'declined')
    const back = await api(POLICE)('GET', `/api/v1/referrals/${sent.body.id}`)
    const declinedEvent = back.body.timeline.find((e: any) => e.event === 'declined')
    assert.equal(declinedEvent.declineGround, 'not_our_remit')
    assert.match(declinedEvent.note, /Ask instead: HMRC/)
    assert.equal((await api(TRADING_STANDARDS)('POST', `/api/v1/referrals/${sent.body.id}/accept`, { rowVersion: back.body.rowVersion })).status, 409, 'a declined referral cannot be accepted')

    // A second, routed to HMRC and answered: the coordinator sees it was answered, not what was said.
    const second = (await api(POLICE)('POST', '/api/v1/referrals', referral(subject, { recipientAgencyId: undefined, toCoordinator: true }))).body
    await api(COORDINATOR)('POST', `/api/v1/referrals/${second.id}/route`, { recipientAgencyId: agencyOf(HMRC), rowVersion: 1 })
    const hmrc = await api(HMRC)('GET', `/api/v1/referrals/${second.id}`)
    const done = await api(HMRC)('POST', `/api/v1/referrals/${second.id}/answer`, answer(hmrc.body.rowVersion))
    assert.equal(done.status, 200)
    const coordinatorView = await api(COORDINATOR)('GET', `/api/v1/referrals/${second.id}`)
    assert.equal(coordinatorView.status, 200)
    assert.equal(coordinatorView.body.answers.length, 0)
    assert.equal(coordinatorView.body.answersWithheld, 1)
    assert.ok(!JSON.stringify(coordinatorView.body).includes('income declared'))
    assert.equal((await api(COORDINATOR)('GET', `/api/v1/intelligence/${done.body.answers[0].intelligenceId}`)).status, 404)
    const coordinatorPage = await (await signedIn(t.app, COORDINATOR)).get(`/referrals/${second.id}`)
    assert.equal(coordinatorPage.status, 200)
    assert.ok(!coordinatorPage.body.includes('income declared') && coordinatorPage.body.includes('not shown to you'))
  })

  test('the pages: a referral raised from the subject’s page, every problem on the form named, answered and declined through forms', async () => {
    const subject = await suspect()
    const police = await signedIn(t.app, POLICE)
    const entityPage = await police.get(`/entities/${subject}`)
    assert.ok(entityPage.body.includes(`/referrals/new?entityId=${subject}`))
    const form = `/referrals/new?entityId=${subject}`
    assert.equal((await police.get(form)).status, 200)
    const blank = await police.submit(form, '/referrals', { entityId: subject, subjectDescription: '', summary: '', request: '' })
    assert.equal(blank.status, 400)
    for (const field of ['kind', 'addressedTo', 'summary', 'request', 'purpose', 'lawfulBasis', 'urgency', 'protectiveMarking', 'handlingCode']) assert.ok(blank.body.includes(`href="#${field}"`), field)
    const unknown = await police.submit(form, '/referrals', { entityId: subject, addressedTo: 'agency', recipientAgencyName: 'Ministry of Nowhere', ...pageFields() })
    assert.equal(unknown.status, 400)
    assert.ok(unknown.body.includes('href="#recipientAgencyName"'))
    const sent = await police.submit(form, '/referrals', { entityId: subject, addressedTo: 'agency', recipientAgencyName: 'HM Revenue and Customs – Fraud Investigation Service', ...pageFields() })
    assert.equal(sent.status, 303, sent.body.slice(0, 2000))
    const id = String(sent.headers.location).split('/').pop()!
    const hmrc = await signedIn(t.app, HMRC)
    assert.match((await hmrc.get('/')).body, /href="\/referrals\?view=incoming">\d+ to answer or route/, 'the home page counts the referrals to answer')
    const list = await hmrc.get('/referrals?view=incoming')
    assert.ok(list.body.includes(`/referrals/${id}`))
    const page = await hmrc.get(`/referrals/${id}`)
    assert.equal(page.status, 200)
    assert.ok(page.body.includes('Crime and Disorder Act 1998, section 115'))
    const ungraded = await hmrc.submit(`/referrals/${id}`, `/referrals/${id}/answer`, { body: 'He has two businesses.', protectiveMarking: 'OFFICIAL', handlingCode: 'P', rowVersion: '1' })
    assert.equal(ungraded.status, 400)
    assert.ok(ungraded.body.includes('href="#answer-sourceEvaluation"') && ungraded.body.includes('href="#answer-intelligenceAssessment"'))
    const answered = await hmrc.submit(`/referrals/${id}`, `/referrals/${id}/answer`, { body: 'He has two businesses.', sourceEvaluation: 'B', intelligenceAssessment: '3', protectiveMarking: 'OFFICIAL', handlingCode: 'P', rowVersion: '1' })
    assert.equal(answered.status, 303)
    const back = await police.get(`/referrals/${id}`)
    assert.ok(back.body.includes('Graded B3P') && back.body.includes('He has two businesses.'))
    // The requester finds its referrals about the subject from the subject's page; the filter matches nothing for others.
    assert.ok(entityPage.body.includes(`/referrals?entityId=${subject}`))
    assert.ok((await police.get(`/referrals?entityId=${subject}`)).body.includes(`/referrals/${id}`))
    assert.deepEqual((await api(POLICE)('GET', `/api/v1/referrals?entityId=${subject}`)).body.rows.map((x: any) => x.id), [id])
    assert.equal((await api(HMRC)('GET', `/api/v1/referrals?entityId=${subject}`)).body.total, 0, 'only the requester holds the link to its record')

    // A group, declined through the form with its reason.
    const group = await api(POLICE)('POST', '/api/v1/groups', { name: `Referral Crew ${++serial}`, operationName: null, status: 'active', threatAreas: ['drugs'], areas: ['Leicester'], crossBorder: false, summary: 'Supplies drugs in Belgrave.', leadResponsibleOfficerEmail: 'lro@demo.achilles.example', ...held })
    assert.equal(group.status, 201, JSON.stringify(group.body))
    assert.ok((await police.get(`/groups/${group.body.id}`)).body.includes(`/referrals/new?groupId=${group.body.id}`), 'raised from the group’s page')
    const groupForm = `/referrals/new?groupId=${group.body.id}`
    const groupSent = await police.submit(groupForm, '/referrals', { groupId: group.body.id, addressedTo: 'agency', recipientAgencyName: 'HM Revenue and Customs – Fraud Investigation Service', ...pageFields(), subjectDescription: 'The Belgrave crew' })
    assert.equal(groupSent.status, 303, groupSent.body.slice(0, 2000))
    const groupId = String(groupSent.headers.location).split('/').pop()!
    const vague = await hmrc.submit(`/referrals/${groupId}`, `/referrals/${groupId}/decline`, { declineGround: 'other', reason: 'no', rowVersion: '1' })
    assert.equal(vague.status, 400)
    assert.ok(vague.body.includes('href="#decline-reason"'))
    const declined = await hmrc.submit(`/referrals/${groupId}`, `/referrals/${groupId}/decline`, { declineGround: 'no_information_held', reason: 'We hold nothing on any of the named members.', rowVersion: '1' })
    assert.equal(declined.status, 303)
    assert.ok((await police.get(`/referrals/${groupId}`)).body.includes('We hold nothing on any of the named members.'))
  })

  test('the API is described in the OpenAPI document, inputs and outputs from the same schemas', async () => {
    const doc = JSON.parse((await t.app.inject({ method: 'GET', url: '/api/docs/json' })).body)
    for (const path of ['/api/v1/referrals', '/api/v1/referrals/{id}', '/api/v1/referrals/lawful-bases', '/api/v1/referrals/{id}/answer', '/api/v1/referrals/{id}/decline', '/api/v1/referrals/{id}/route']) assert.ok(doc.paths[path], path)
    assert.ok(doc.paths['/api/v1/referrals'].post.requestBody.content['application/json'].schema.properties.lawfulBasis.enum.includes('cda1998_s115'))
    const bases = await api(POLICE)('GET', '/api/v1/referrals/lawful-bases')
    assert.equal(bases.body.lawfulBases.find((b: any) => b.id === 'cda1998_s115').label, 'Crime and Disorder Act 1998, section 115')
  })

  test('the coordinator routes by the agency’s name on the page; the agencies told are e-mailed a link, never the content; OFFICIAL-SENSITIVE goes only where someone may read it', async () => {
    const subject = await suspect()
    const sent = (await api(POLICE)('POST', '/api/v1/referrals', referral(subject, { recipientAgencyId: undefined, toCoordinator: true, subjectDescription: 'Routed Subject Not In Mail' }))).body
    const mailFor = (id: string, kind: string) => asSystem(t.db, (tx) => tx.selectFrom('mail_outbox').select(['to_address', 'subject', 'body_text']).where('kind', '=', kind).where('related_id', '=', id).execute())
    const atCoordinator = await mailFor(sent.id, 'referral.received')
    assert.ok(atCoordinator.some((m) => m.to_address === COORDINATOR), 'the GAIN coordinator is told a referral waits to be routed')
    const coordinator = await signedIn(t.app, COORDINATOR)
    const unknown = await coordinator.submit(`/referrals/${sent.id}`, `/referrals/${sent.id}/route`, { recipientAgencyName: 'Ministry of Nowhere', rowVersion: '1' })
    assert.equal(unknown.status, 400)
    assert.ok(unknown.body.includes('href="#route-recipientAgencyName"'))
    const routed = await coordinator.submit(`/referrals/${sent.id}`, `/referrals/${sent.id}/route`, { recipientAgencyName: 'HM Revenue and Customs – Fraud Investigation Service', rowVersion: '1' })
    assert.equal(routed.status, 303, routed.body.slice(0, 1500))
    const atHmrc = (await mailFor(sent.id, 'referral.received')).filter((m) => m.to_address !== COORDINATOR)
    assert.ok(atHmrc.length >= 1, 'HMRC’s single points of contact are told')
    assert.ok([...atCoordinator, ...atHmrc].every((m) => m.body_text.includes(`/referrals/${sent.id}`) && !m.body_text.includes('Routed Subject Not In Mail') && !m.body_text.includes('car washes')))
    assert.equal((await mailFor(sent.id, 'referral.routed')).length, 1, 'the requesting officer hears it was routed')

    // OFFICIAL-SENSITIVE: nobody at trading standards has a role that reads it, so sending it there is
    // refused rather than left unseen; HMRC's analyst reads it.
    const sensitive = await api(POLICE)('POST', '/api/v1/referrals', referral(subject, { recipientAgencyId: agencyOf(TRADING_STANDARDS), protectiveMarking: 'OFFICIAL-SENSITIVE' }))
    assert.equal(sensitive.status, 400)
    assert.deepEqual(messages(sensitive.body), ['recipientAgencyId: Nobody at that agency can read OFFICIAL-SENSITIVE records in Achilles: send it to another agency, or through the GAIN coordinator'])
    const toHmrc = await api(POLICE)('POST', '/api/v1/referrals', referral(subject, { protectiveMarking: 'OFFICIAL-SENSITIVE' }))
    assert.equal(toHmrc.status, 201)
    assert.equal((await api(HMRC)('GET', `/api/v1/referrals/${toHmrc.body.id}`)).body.protectiveMarking, 'OFFICIAL-SENSITIVE')
    assert.equal((await api(TRADING_STANDARDS)('GET', `/api/v1/referrals/${toHmrc.body.id}`)).status, 404)
    const viaCoordinator = (await api(POLICE)('POST', '/api/v1/referrals', referral(subject, { recipientAgencyId: undefined, toCoordinator: true, protectiveMarking: 'OFFICIAL-SENSITIVE' }))).body
    const badRoute = await api(COORDINATOR)('POST', `/api/v1/referrals/${viaCoordinator.id}/route`, { recipientAgencyId: agencyOf(TRADING_STANDARDS), rowVersion: viaCoordinator.rowVersion })
    assert.deepEqual(messages(badRoute.body).map((m) => m.split(':')[0]), ['recipientAgencyId'], 'nor routed there')
  })

  test('row-level security holds without the application’s WHERE: an outsider’s transaction reads no referral, answer or event', async () => {
    const count = (email: string) => asUser(t.db, actorOf(email), (tx) => Promise.all(['referrals', 'referral_answers', 'referral_events'].map(async (table) =>
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(tx)).rows[0]!.n)))
    const counts = await count(UNINVOLVED)
    assert.ok((await count(POLICE)).every((n) => n > 0), 'the requester’s transaction reads its own')
    assert.deepEqual(counts, [0, 0, 0])
  })

  test('the database is the second lock: a raw transaction cannot hand a referral on, reopen it, act for another party or rewrite what was disclosed', async () => {
    const subject = await suspect()
    const r = (await api(POLICE)('POST', '/api/v1/referrals', referral(subject))).body
    const raw = (email: string, statement: ReturnType<typeof sql>) => asUser(t.db, actorOf(email), (tx) => statement.execute(tx))
    await assert.rejects(raw(HMRC, sql`UPDATE referrals SET recipient_agency_id = ${agencyOf(TRADING_STANDARDS)} WHERE id = ${r.id}`), /only the GAIN coordinator may route/)
    await assert.rejects(raw(HMRC, sql`UPDATE referrals SET state = 'closed' WHERE id = ${r.id}`), /cannot become closed|only the requesting agency/)
    await assert.rejects(raw(POLICE, sql`UPDATE referrals SET state = 'answered' WHERE id = ${r.id}`), /only the agency a referral is with/)
    await assert.rejects(raw(POLICE, sql`UPDATE referrals SET summary = 'Something else entirely' WHERE id = ${r.id}`), /permission denied/)
    await assert.rejects(raw(UNINVOLVED, sql`INSERT INTO referral_answers (referral_id, answering_agency_id, answered_by, body, source_evaluation, intelligence_assessment, protective_marking, handling_code) VALUES (${r.id}, ${agencyOf(UNINVOLVED)}, ${user(UNINVOLVED).id}, 'x', 'A', 1, 'OFFICIAL', 'P')`), /row-level security|violates/)
    const after = await api(POLICE)('GET', `/api/v1/referrals/${r.id}`)
    assert.deepEqual([after.body.state, after.body.recipientAgencyId, after.body.summary], ['sent', agencyOf(HMRC), r.summary])

    // Withdrawn by the requester with a reason: the recipient is told, and can no longer answer.
    const withdrawn = await api(POLICE)('POST', `/api/v1/referrals/${r.id}/withdraw`, { reason: 'The subject has been charged; we no longer need this.', rowVersion: after.body.rowVersion })
    assert.equal(withdrawn.status, 200, JSON.stringify(withdrawn.body))
    assert.equal(withdrawn.body.state, 'withdrawn')
    assert.equal((await api(HMRC)('POST', `/api/v1/referrals/${r.id}/answer`, answer(withdrawn.body.rowVersion))).status, 409)
    const told = await asSystem(t.db, (tx) => tx.selectFrom('mail_outbox').select('body_text').where('kind', '=', 'referral.withdrawn').where('related_id', '=', r.id).execute())
    assert.ok(told.length >= 1, 'HMRC’s single points of contact are told')
    assert.ok(told.every((m) => !m.body_text.includes(r.subjectDescription)))
  })

  test('erasing the subject’s record leaves the referral with what was disclosed, for both parties', async () => {
    const subject = await suspect()
    const r = (await api(POLICE)('POST', '/api/v1/referrals', referral(subject))).body
    const res = await t.app.inject({ method: 'DELETE', url: `/api/v1/entities/${subject}`, headers: { authorization: `Bearer ${(await issueApiToken(t.ctx, 'system', user(POLICE).id, { name: 'erase', scopes: ['records:write'] })).token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ reason: 'Past its review date' }) })
    assert.equal(res.statusCode, 204, res.body)
    const mine = await api(POLICE)('GET', `/api/v1/referrals/${r.id}`)
    assert.equal(mine.status, 200)
    assert.equal(mine.body.subjectEntityId, null)
    assert.equal(mine.body.subjectDescription, r.subjectDescription)
    assert.equal((await api(HMRC)('GET', `/api/v1/referrals/${r.id}`)).status, 200)
  })

  test('the nightly work reminds the agency that owes an answer once a day, without the referral’s details', async () => {
    const subject = await suspect()
    const r = (await api(POLICE)('POST', '/api/v1/referrals', referral(subject, { urgency: 'within_24_hours', subjectDescription: 'Reminder Subject Hidden' }))).body
    const later = new Date(t.clock.now.getTime() + 3 * 86_400_000)
    const report = await sendReferralReminders(t.db, later, { baseUrl: SITE })
    assert.ok(report.reminded >= 1 && report.mailed >= 1, JSON.stringify(report))
    const mail = await asSystem(t.db, (tx) => tx.selectFrom('mail_outbox').select(['to_address', 'subject', 'body_text']).where('kind', '=', 'referral.reminder').execute())
    const ours = mail.filter((m) => m.body_text.includes(`/referrals/${r.id}`))
    assert.ok(ours.length >= 1)
    assert.ok(ours.every((m) => !m.body_text.includes('Reminder Subject Hidden') && m.subject.includes('overdue')))
    assert.deepEqual(await sendReferralReminders(t.db, later, { baseUrl: SITE }), { reminded: 0, mailed: 0 }, 'once a day')
    const overdue = await api(HMRC)('GET', '/api/v1/referrals?view=overdue')
    assert.equal(overdue.status, 200)
    const timeline = (await api(POLICE)('GET', `/api/v1/referrals/${r.id}`)).body.timeline.map((e: any) => e.event)
    assert.deepEqual(timeline, ['sent', 'reminded'])
  })
})
