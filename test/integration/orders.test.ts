import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { asSystem } from '../../src/db/context.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { scheduleOrders } from '../../src/modules/orders/service.ts'
import { ensurePowerCatalogue } from '../../src/modules/powers/service.ts'
import { signedIn, startTestApp, type TestApp } from '../support/app.ts'
import { engineName } from '../support/database.ts'

// The orders register (issue 4, point 5) on PGlite and on a PostgreSQL server: the catalogue's
// rules refuse what the law forbids, naming the rule; conditions become compliance checks in
// rotation between the named agencies, who see the order they must check and record results.

let t: TestApp
type Api = (method: 'GET' | 'POST', url: string, json?: unknown) => Promise<{ status: number; body: any }>
const apis = new Map<string, Api>()
const POLICE = 'analyst@demo.achilles.example'
const LRO = 'lro@demo.achilles.example'
const TRADING_STANDARDS = 'partner.officer@demo.achilles.example'
const HMRC = 'analyst.hmrc@demo.achilles.example'
const SAFEGUARDING = 'safeguarding@demo.achilles.example'
const SITE = 'https://achilles.test.example'

const user = (email: string) => t.partnership.users.find((u) => u.email === email)!
const api = (email: string) => apis.get(email)!
const agencyOf = (email: string) => user(email).agencyId
const day = (offset: number) => new Date(t.clock.now.getTime() + offset * 86_400_000).toISOString().slice(0, 10)
const held = { purpose: 'Monitoring orders against an organised crime group', reviewDate: '2030-01-01', protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency' }

before(async () => {
  t = await startTestApp({ baseUrl: SITE })
  await ensurePowerCatalogue(t.db)
  for (const email of [POLICE, LRO, TRADING_STANDARDS, HMRC, SAFEGUARDING]) {
    const { token } = await issueApiToken(t.ctx, 'system', user(email).id, { name: 'orders test', scopes: ['records:read', 'records:write'] })
    apis.set(email, async (method, url, json) => {
      const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) }, payload: json !== undefined ? JSON.stringify(json) : undefined })
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null }
    })
  }
})
after(() => t.close())

let serial = 0
async function person(birthDate: string | null, personRole = 'suspect', sharingScope = 'agency') {
  const res = await api(POLICE)('POST', '/api/v1/entities', { schema: 'Person', fullName: `Order Subject ${++serial}`, ...(birthDate ? { birthDate } : {}), personRole, ...held, sharingScope })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body.id as string
}
async function premises() {
  const res = await api(POLICE)('POST', '/api/v1/entities', { schema: 'Address', street: `${++serial} Belgrave Gate`, town: 'Leicester', postcode: 'LE1 3GR', ...held })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body.id as string
}
const order = (o: Record<string, unknown>) => api(POLICE)('POST', '/api/v1/orders', { ...held, obligations: [], ...o })
const orderCount = () => asSystem(t.db, async (tx) => Number((await tx.selectFrom('orders').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n))
const messages = (body: any) => (body.errors as Array<{ field: string; message: string }>).map((e) => `${e.field}: ${e.message}`)

describe(`orders register on ${engineName()}`, () => {
  test('the catalogue’s rules refuse an SCPO on a 17-year-old or over five years, a long closure notice and a CPN with no warning, naming the rule', async () => {
    const before = await orderCount()
    const minor = await person(day(-17 * 365 + 10))
    const adult = await person('1980-01-01')
    const underAge = await order({ powerId: 'scpo', subjectEntityId: minor, startsAt: day(0), endsAt: day(365) })
    assert.equal(underAge.status, 400)
    assert.match(messages(underAge.body).join('\n'), /subjectId: A Serious Crime Prevention Order.* cannot be made against someone under 18 \(Serious Crime Act 2007/)
    const tooLong = await order({ powerId: 'scpo', subjectEntityId: adult, startsAt: '2027-01-10', endsAt: '2032-01-11' })
    assert.match(messages(tooLong.body).join('\n'), /endsAt: A Serious Crime Prevention Order.* may last at most 5 years/)
    const backwards = await order({ powerId: 'scpo', subjectEntityId: adult, startsAt: '2027-01-10', endsAt: '2027-01-09' })
    assert.deepEqual(messages(backwards.body), ['endsAt: The order must end after it starts'])
    const flat = await premises()
    const notice = await order({ powerId: 'closure_notice', subjectEntityId: flat, startsAt: '2027-03-01T18:00', endsAt: '2027-03-03T00:00' })
    assert.match(messages(notice.body).join('\n'), /endsAt: A Closure notice.* may last at most 24 hours \(up to 48 hours only/)
    const cpn = await order({ powerId: 'community_protection_notice', subjectEntityId: adult, startsAt: day(0) })
    assert.match(messages(cpn.body).join('\n'), /subjectId: A Community Protection Notice.* needs a Community Protection Warning.* on the same subject first/)
    const victim = await person('1970-01-01', 'victim')
    assert.match(messages((await order({ powerId: 'scpo', subjectEntityId: victim, startsAt: day(0), endsAt: day(365) })).body).join('\n'), /never a victim or person at risk/)
    assert.equal(await orderCount(), before, 'nothing saved')
    // A subject the agency may not see is refused as if absent, and the refusal is logged.
    const hmrcsOwn = await api(HMRC)('POST', '/api/v1/entities', { schema: 'Person', fullName: 'Known Only To HMRC', personRole: 'suspect', ...held })
    assert.deepEqual(messages((await order({ powerId: 'scpo', subjectEntityId: hmrcsOwn.body.id, startsAt: day(0), endsAt: day(365) })).body), ['subjectEntityId: Choose who or what the order binds from the records you may see'])
    const refusals = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select('outcome').where('record_id', '=', hmrcsOwn.body.id).where('outcome', '=', 'refused').execute())
    assert.equal(refusals.length, 1)

    // The same notice for 30 hours on a superintendent's authority, and a CPN after its warning.
    assert.equal((await order({ powerId: 'closure_notice', subjectEntityId: flat, startsAt: '2027-03-01T18:00', endsAt: '2027-03-03T00:00', extendedAuthority: true, authorisedBy: 'Supt A. Khan' })).status, 201)
    assert.equal((await order({ powerId: 'community_protection_warning', subjectEntityId: adult, startsAt: day(-30) })).status, 201)
    assert.equal((await order({ powerId: 'community_protection_notice', subjectEntityId: adult, startsAt: day(0) })).status, 201)
  })

  test('conditions become checks in rotation between the named agencies, who see the order and record results when due', async () => {
    const subject = await person('1979-06-15')
    const starts = day(0)
    const res = await order({
      powerId: 'scpo', subjectEntityId: subject, startsAt: starts, endsAt: day(3 * 365), court: 'Leicester Crown Court', courtReference: 'T20270042',
      obligations: [
        { kind: 'inspection', text: 'Business records inspected every three months by trading standards or HMRC', everyValue: 3, everyUnit: 'months', checkAgencyIds: [agencyOf(TRADING_STANDARDS), agencyOf(HMRC)] },
        { kind: 'notify', text: 'Notify the police 24 hours before employing anyone', noticeHours: 24, checkAgencyIds: [] },
      ],
    })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    const o = res.body
    assert.equal(o.obligations.length, 2)
    assert.equal(o.obligations[1].noticeHours, 24)
    assert.deepEqual(o.checks.map((c: any) => c.agencyId), [agencyOf(TRADING_STANDARDS)], 'the first check, within the 92-day horizon, goes to trading standards')
    // Trading standards now sees the order it must check; an agency with no part in it does not.
    assert.equal((await api(TRADING_STANDARDS)('GET', `/api/v1/orders/${o.id}`)).status, 200)
    assert.equal((await api(SAFEGUARDING)('GET', `/api/v1/orders/${o.id}`)).status, 404)

    const check = o.checks[0]
    const early = await api(TRADING_STANDARDS)('POST', `/api/v1/orders/${o.id}/checks/${check.id}`, { result: 'compliant' })
    assert.equal(early.status, 400)
    assert.match(messages(early.body)[0]!, /result: This check is not due until/)
    assert.equal((await api(HMRC)('POST', `/api/v1/orders/${o.id}/checks/${check.id}`, { result: 'compliant' })).status, 404, 'HMRC has no check on the order yet, so cannot see it')

    // The nightly schedule a quarter on makes the next check; the first can be recorded from 14 days before it is due.
    const report = await scheduleOrders(t.db, new Date(t.clock.now.getTime() + 95 * 86_400_000), { baseUrl: SITE })
    assert.ok(report.checksScheduled >= 1)
    const again = await scheduleOrders(t.db, new Date(t.clock.now.getTime() + 95 * 86_400_000), { baseUrl: SITE })
    assert.deepEqual([again.ordersScheduled, again.checksScheduled], [0, 0], 'an order scheduled to the horizon is passed over until the horizon moves')
    const after = (await api(POLICE)('GET', `/api/v1/orders/${o.id}`)).body
    assert.deepEqual(after.checks.map((c: any) => c.agencyId), [agencyOf(TRADING_STANDARDS), agencyOf(HMRC)], 'the next check goes to HMRC in turn')
    const started = t.clock.now
    t.clock.now = new Date(t.clock.now.getTime() + 80 * 86_400_000)
    try {
    const noDescription = await api(TRADING_STANDARDS)('POST', `/api/v1/orders/${o.id}/checks/${check.id}`, { result: 'breach' })
    assert.deepEqual(messages(noDescription.body).map((m) => m.split(':')[0]), ['breachDescription'])
    const breach = await api(TRADING_STANDARDS)('POST', `/api/v1/orders/${o.id}/checks/${check.id}`, { result: 'breach', breachDescription: 'Two workers employed without notice', notes: 'Visited with HMRC' })
    assert.equal(breach.status, 200, JSON.stringify(breach.body))
    assert.equal(breach.body.checks[0].result, 'breach')
    assert.equal(breach.body.breaches[0].description, 'Two workers employed without notice')
    assert.equal((await api(TRADING_STANDARDS)('POST', `/api/v1/orders/${o.id}/checks/${check.id}`, { result: 'compliant' })).status, 400, 'a check is recorded once')
    assert.equal((await api(HMRC)('GET', `/api/v1/orders/${o.id}`)).status, 200, 'HMRC sees the order once a check is theirs')
    } finally {
      t.clock.now = started
    }
  })

  test('a variation may extend a closure order to six months on the court’s authority, not beyond, and the nightly schedule expires and reminds', async () => {
    const flat = await premises()
    assert.equal((await order({ powerId: 'closure_notice', subjectEntityId: flat, startsAt: `${day(-3)}T10:00`, endsAt: `${day(-2)}T10:00` })).status, 201)
    const made = await order({ powerId: 'closure_order', subjectEntityId: flat, startsAt: day(-2), endsAt: day(60) })
    assert.equal(made.status, 201, JSON.stringify(made.body))
    const id = made.body.id
    const tooFar = await api(POLICE)('POST', `/api/v1/orders/${id}/variations`, { summary: 'Extended by the magistrates', variedOn: day(0), endsAt: day(300), extendedAuthority: true, rowVersion: made.body.rowVersion })
    assert.match(messages(tooFar.body).join('\n'), /may last at most 6 months/)
    const extended = await api(POLICE)('POST', `/api/v1/orders/${id}/variations`, { summary: 'Extended by the magistrates for three months', variedOn: day(0), endsAt: day(150), extendedAuthority: true, rowVersion: made.body.rowVersion })
    assert.equal(extended.status, 200, JSON.stringify(extended.body))
    assert.equal(extended.body.variations[0].summary, 'Extended by the magistrates for three months')
    assert.equal((await api(TRADING_STANDARDS)('POST', `/api/v1/orders/${id}/variations`, { summary: 'x', variedOn: day(0), rowVersion: extended.body.rowVersion })).status, 404, 'only its agency may vary it')

    const near = new Date(t.clock.now.getTime() + 140 * 86_400_000)
    const first = await scheduleOrders(t.db, near, { baseUrl: SITE })
    assert.ok(first.renewalsFlagged >= 1)
    const mails = await asSystem(t.db, (tx) => tx.selectFrom('mail_outbox').select(['to_address', 'body_text']).where('related_id', '=', id).where('kind', '=', 'order.renewal').execute())
    assert.equal(mails.length, 1)
    assert.equal(mails[0]!.to_address, POLICE)
    assert.ok(mails[0]!.body_text.includes(`${SITE}/orders/${id}`))
    await scheduleOrders(t.db, near, { baseUrl: SITE })
    assert.equal((await asSystem(t.db, (tx) => tx.selectFrom('mail_outbox').select('id').where('related_id', '=', id).where('kind', '=', 'order.renewal').execute())).length, 1, 'reminded once')
    const expiry = await scheduleOrders(t.db, new Date(t.clock.now.getTime() + 151 * 86_400_000), { baseUrl: SITE })
    assert.ok(expiry.expired >= 1)
    assert.equal((await api(POLICE)('GET', `/api/v1/orders/${id}`)).body.status, 'expired')
  })

  test('a check that has fallen due is on the checking agency’s home page, marked overdue', async () => {
    const subject = await person('1990-02-02')
    const made = await order({
      powerId: 'criminal_behaviour_order', subjectEntityId: subject, startsAt: day(-10), endsAt: day(2 * 365),
      obligations: [{ kind: 'report', text: 'Report to trading standards weekly with the shop’s stock records', everyValue: 1, everyUnit: 'weeks', checkAgencyIds: [agencyOf(TRADING_STANDARDS)] }],
    })
    assert.equal(made.status, 201, JSON.stringify(made.body))
    assert.equal(made.body.checks[0].dueOn, day(-3))
    const home = (await (await signedIn(t.app, TRADING_STANDARDS)).get('/')).body
    const section = home.slice(home.indexOf('id="checks-due"'))
    assert.match(section, new RegExp(`href="/orders/${made.body.id}#checks"`))
    assert.match(section, /Overdue/)
  })

  test('an LRO’s home page lists the checks due on their groups’ orders that they may see, and no others', async () => {
    const group = await api(POLICE)('POST', '/api/v1/groups', { name: `Checked group ${++serial}`, status: 'active', threatAreas: ['drugs'], leadResponsibleOfficerEmail: TRADING_STANDARDS, sharedWithAgencyIds: [], ...held })
    assert.equal(group.status, 201, JSON.stringify(group.body))
    const weekly = [{ kind: 'report', text: 'Report to the police every week', everyValue: 1, everyUnit: 'weeks', checkAgencyIds: [agencyOf(POLICE)] }]
    const shared = await order({ powerId: 'criminal_behaviour_order', subjectEntityId: await person('1988-08-08', 'suspect', 'partnership'), groupId: group.body.id, startsAt: day(-10), endsAt: day(2 * 365), obligations: weekly, sharingScope: 'partnership' })
    const hidden = await order({ powerId: 'criminal_behaviour_order', subjectEntityId: await person('1989-09-09', 'suspect', 'partnership'), groupId: group.body.id, startsAt: day(-10), endsAt: day(2 * 365), obligations: weekly })
    assert.equal(shared.status, 201, JSON.stringify(shared.body))
    assert.equal(hidden.status, 201, JSON.stringify(hidden.body))
    const home = (await (await signedIn(t.app, TRADING_STANDARDS)).get('/')).body
    const section = home.slice(home.indexOf('id="checks-due"'))
    assert.match(section, new RegExp(`href="/orders/${shared.body.id}#checks"`), 'the order shared with the partnership is listed')
    assert.ok(!section.includes(hidden.body.id), 'the police’s own order is not, though it is on the group the officer leads')
  })

  test('the register, order and check pages render for the agencies involved', async () => {
    const police = await signedIn(t.app, POLICE)
    const list = await police.get('/orders')
    assert.equal(list.status, 200)
    assert.match(list.body, /Serious Crime Prevention Order/)
    const id = /href="\/orders\/([0-9a-f-]{36})"/.exec(list.body)![1]!
    const page = await police.get(`/orders/${id}`)
    assert.equal(page.status, 200)
    assert.match(page.body, /Compliance checks/)
  })
})
