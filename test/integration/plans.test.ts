import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { asSystem } from '../../src/db/context.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { createMailTransport, deliverPendingMail } from '../../src/modules/mail/service.ts'
import { sweepOverdueActions } from '../../src/modules/plans/service.ts'
import { ensurePowerCatalogue } from '../../src/modules/powers/service.ts'
import { ensureDefaultModels } from '../../src/modules/prioritisation/service.ts'
import { SHIPPED_TEMPLATES } from '../../src/core/plans/shippedTemplates.ts'
import { signedIn, startTestApp, type TestApp } from '../support/app.ts'
import { engineName } from '../support/database.ts'
import { loopbackSmtp, mailText } from '../support/smtp.ts'

// 4P plans, suggested powers and disruptions (issue 4) through the API and pages, on PGlite and on
// a PostgreSQL server: an LRO tasks a partner of another agency, who is told by e-mail through a
// real SMTP server on loopback, does the work and records a disruption that prompts a re-score.

let t: TestApp
let smtp: Awaited<ReturnType<typeof loopbackSmtp>>
type Api = (method: 'GET' | 'POST' | 'PUT', url: string, json?: unknown) => Promise<{ status: number; body: any }>
const apis = new Map<string, Api>()

const POLICE_ANALYST = 'analyst@demo.achilles.example'
const POLICE_LRO = 'lro@demo.achilles.example'
const HMRC_ANALYST = 'analyst.hmrc@demo.achilles.example'
const TRADING_STANDARDS = 'partner.officer@demo.achilles.example'
const SITE = 'https://achilles.test.example'

const user = (email: string) => t.partnership.users.find((u) => u.email === email)!
const tokens = new Map<string, string>()
const bearer = (email: string) => `Bearer ${tokens.get(email)}`
const api = (email: string): Api => apis.get(email)!
const today = () => t.clock.now.toISOString().slice(0, 10)
const daysFromNow = (n: number) => new Date(t.clock.now.getTime() + n * 86_400_000).toISOString().slice(0, 10)

before(async () => {
  smtp = await loopbackSmtp()
  t = await startTestApp({ baseUrl: SITE })
  await ensurePowerCatalogue(t.db)
  await ensureDefaultModels(t.db)
  for (const email of [POLICE_ANALYST, POLICE_LRO, HMRC_ANALYST, TRADING_STANDARDS]) {
    const { token } = await issueApiToken(t.ctx, 'system', user(email).id, { name: 'plans test', scopes: ['records:read', 'records:write'] })
    tokens.set(email, token)
    apis.set(email, async (method, url, json) => {
      const res = await t.app.inject({
        method, url,
        headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
        payload: json !== undefined ? JSON.stringify(json) : undefined,
      })
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null }
    })
  }
})
after(async () => {
  await t.close()
  await smtp.close()
})

const held = { purpose: 'Disrupting a group supplying drugs from a takeaway', reviewDate: '2027-11-23', protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency' }

async function created(res: { status: number; body: any }) {
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

/** A group of the police, led by the police LRO: a takeaway used for drug supply, and two members. */
async function takeawayGroup(name: string) {
  const police = api(POLICE_ANALYST)
  const group = await created(await police('POST', '/api/v1/groups', {
    name, status: 'active', threatAreas: ['drugs', 'county_lines'], areas: ['Leicester'], crossBorder: true, leadResponsibleOfficerEmail: POLICE_LRO, sharedWithAgencyIds: [], ...held,
  }))
  const takeaway = await created(await police('POST', '/api/v1/entities', { schema: 'Company', name: `${name} Chicken and Pizza`, businessType: 'takeaway', ...held }))
  const principal = await created(await police('POST', '/api/v1/entities', { schema: 'Person', fullName: `${name} Principal`, birthDate: '1985-04-02', personRole: 'suspect', ...held }))
  const runner = await created(await police('POST', '/api/v1/entities', { schema: 'Person', fullName: `${name} Runner`, birthDate: '2011-02-01', personRole: 'suspect', ...held }))
  await created(await police('POST', `/api/v1/groups/${group.id}/holdings`, { entityId: takeaway.id, kind: 'business_interest' }))
  await created(await police('POST', `/api/v1/groups/${group.id}/members`, { personId: principal.id, role: 'principal' }))
  await created(await police('POST', `/api/v1/groups/${group.id}/members`, { personId: runner.id, role: 'mule' }))
  return { group, takeaway, principal, runner }
}

/** Scores the group through the API, so that a later change has an assessment to make stale. */
async function score(groupId: string) {
  const factors = Object.fromEntries(['physical', 'psychological', 'financial', 'community_and_environment', 'geographic_scope', 'victim_vulnerability', 'likelihood', 'capacity', 'capability'].map((f) => [f, { value: 3, rationale: 'Scored before the disruption' }]))
  await created(await api(POLICE_ANALYST)('POST', '/api/v1/assessments', { subjectType: 'group', subjectId: groupId, factors, confidence: 3, reviewDate: '2030-01-01' }))
}

const actionCount = () => asSystem(t.db, async (tx) => Number((await tx.selectFrom('plan_actions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n))
const disruptionCount = () => asSystem(t.db, async (tx) => Number((await tx.selectFrom('disruptions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n))
const fields = (body: any) => (body.errors as Array<{ field: string }>).map((e) => e.field)

describe(`4P plans on ${engineName()}`, () => {
  test('the catalogue is loaded once, and reads through the API and its pages', async () => {
    assert.equal(await ensurePowerCatalogue(t.db), null, 'a second load finds the same version and does nothing')
    const all = await api(TRADING_STANDARDS)('GET', '/api/v1/powers')
    assert.equal(all.status, 200)
    assert.ok(all.body.powers.length >= 40, `${all.body.powers.length} powers`)
    const scpo = await api(TRADING_STANDARDS)('GET', '/api/v1/powers/scpo')
    assert.equal(scpo.body.minimumAge, 18)
    assert.deepEqual(scpo.body.duration.maximum, { value: 5, unit: 'years' })
    const glaa = await api(TRADING_STANDARDS)('GET', '/api/v1/powers?agencyType=glaa')
    assert.ok(glaa.body.powers.length > 0 && glaa.body.powers.every((p: any) => p.usedBy.some((u: any) => u.agencyType === 'glaa')))
    const page = await (await signedIn(t.app, TRADING_STANDARDS)).get('/powers/community_protection_notice')
    assert.equal(page.status, 200)
    assert.match(page.body, /href="\/powers\/community_protection_warning"/, 'the CPN page links the warning that must come first')
    assert.equal((await api(TRADING_STANDARDS)('GET', '/api/v1/powers/no_such_power')).status, 404)
  })

  test('a takeaway used for drug supply is suggested a closure notice, food hygiene and licensing, aimed at the takeaway', async () => {
    const { group, takeaway, runner } = await takeawayGroup('Ashby Road')
    const res = await api(POLICE_LRO)('GET', `/api/v1/groups/${group.id}/plan`)
    assert.equal(res.status, 200, JSON.stringify(res.body))
    const ids = res.body.suggestions.map((s: any) => s.powerId)
    for (const id of ['closure_notice', 'food_hygiene_enforcement', 'premises_licence_review']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`)
    const closure = res.body.suggestions.find((s: any) => s.powerId === 'closure_notice')
    assert.deepEqual(closure.targets.map((x: any) => x.id), [takeaway.id])
    assert.ok(closure.reasons.length > 0)
    // The 15-year-old runner is never a target of a power for adults.
    const scpo = res.body.suggestions.find((s: any) => s.powerId === 'scpo')
    if (scpo) assert.ok(!scpo.targets.some((x: any) => x.id === runner.id))
  })

  test('the LRO takes a suggestion into the plan in one step; bad input saves nothing', async () => {
    const { group, takeaway } = await takeawayGroup('Belgrave Gate')
    const lro = api(POLICE_LRO)
    const before = await actionCount()
    const past = await lro('POST', `/api/v1/groups/${group.id}/plan/suggestions/closure_notice`, { ownerEmail: POLICE_LRO, dueOn: daysFromNow(-1) })
    assert.equal(past.status, 400)
    assert.deepEqual(fields(past.body), ['dueOn'])
    const noOwner = await lro('POST', `/api/v1/groups/${group.id}/plan/suggestions/closure_notice`, { dueOn: daysFromNow(14) })
    assert.deepEqual(fields(noOwner.body), ['ownerEmail'])
    // Trading standards cannot issue a closure notice (police or the council as a whole may).
    const wrongAgency = await lro('POST', `/api/v1/groups/${group.id}/plan/suggestions/closure_notice`, { ownerEmail: TRADING_STANDARDS, dueOn: daysFromNow(14) })
    assert.equal(wrongAgency.status, 400)
    assert.deepEqual(fields(wrongAgency.body), ['powerId'])
    assert.match(wrongAgency.body.errors[0].message, /Trading Standards cannot use the Closure notice/i)
    assert.equal(await actionCount(), before, 'nothing saved')

    const action = await created(await lro('POST', `/api/v1/groups/${group.id}/plan/suggestions/closure_notice`, { ownerEmail: POLICE_LRO, dueOn: daysFromNow(14) }))
    assert.equal(action.powerId, 'closure_notice')
    assert.equal(action.strand, 'pursue')
    assert.equal(action.targetEntityId, takeaway.id, 'the one target is chosen for them')
    assert.equal(action.ownerAgencyName, 'Leicestershire Police')
    const plan = await lro('GET', `/api/v1/groups/${group.id}/plan`)
    assert.equal(plan.body.plans.length, 1, 'the first action started a plan')
    assert.equal((await lro('GET', `/api/v1/actions/${action.id}`)).body.targetCaption, `Belgrave Gate Chicken and Pizza`)
    const looked = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select('purpose').where('record_id', '=', takeaway.id).where('action', '=', 'consultation').execute())
    assert.ok(looked.some((r) => r.purpose === 'Viewing an action on a 4P plan'), 'showing the action’s target is a logged consultation of it')
    assert.equal(plan.body.plans[0].actions[0].id, action.id)
  })

  test('a tasked partner of another agency is e-mailed a link, sees the task at home and the group, completes it and records a disruption', async () => {
    const { group } = await takeawayGroup('Narborough Road')
    await score(group.id)
    const lro = api(POLICE_LRO)
    const partner = api(TRADING_STANDARDS)
    assert.equal((await partner('GET', `/api/v1/groups/${group.id}`)).status, 404, 'before tasking the partner cannot see the group')
    const action = await created(await lro('POST', `/api/v1/groups/${group.id}/plan/actions`, {
      strand: 'pursue', title: 'Test purchase of counterfeit goods at the takeaway', ownerEmail: TRADING_STANDARDS, dueOn: daysFromNow(10),
    }))
    assert.equal((await partner('GET', `/api/v1/groups/${group.id}`)).status, 200, 'tasking shared the group with the officer')
    const disclosures = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select(['recipients']).where('record_id', '=', group.id).where('action', '=', 'disclosure').execute())
    assert.ok(disclosures.some((d) => (d.recipients as string[]).includes(`user:${user(TRADING_STANDARDS).id}`)), 'the sharing is a logged disclosure')

    const report = await deliverPendingMail(t.db, createMailTransport({ smtpUrl: smtp.url, mailFrom: 'Achilles <achilles@test.example>' }))
    assert.ok(report.sent >= 1)
    const mail = smtp.received.find((m) => m.to.includes(TRADING_STANDARDS))
    assert.ok(mail, 'the partner was e-mailed')
    const text = mailText(mail.raw)
    assert.ok(text.includes(`${SITE}/actions/${action.id}`), 'with a link to the action')
    assert.ok(!text.includes('Narborough Road') && !text.includes('counterfeit'), 'and no case detail')

    const home = await (await signedIn(t.app, TRADING_STANDARDS)).get('/')
    assert.match(home.body, new RegExp(`href="/actions/${action.id}"`), 'the task is on their home page')

    assert.equal((await api(HMRC_ANALYST)('POST', `/api/v1/actions/${action.id}/progress`, { status: 'done', rowVersion: 1 })).status, 404, 'nobody else may record its progress')
    const done = await partner('POST', `/api/v1/actions/${action.id}/progress`, { status: 'done', outcomeNotes: 'Two test purchases made; goods seized.', rowVersion: action.rowVersion })
    assert.equal(done.status, 200, JSON.stringify(done.body))
    assert.equal(done.body.status, 'done')
    assert.ok(done.body.completedAt)
    assert.equal((await partner('POST', `/api/v1/actions/${action.id}/progress`, { status: 'done', rowVersion: action.rowVersion })).status, 409, 'a stale row version is refused')

    const before = await disruptionCount()
    const noReason = await partner('POST', `/api/v1/groups/${group.id}/disruptions`, { occurredOn: today(), description: 'Seized counterfeit goods', outcome: 'minor' })
    assert.deepEqual(fields(noReason.body), ['outcomeReason'])
    const future = await partner('POST', `/api/v1/groups/${group.id}/disruptions`, { occurredOn: daysFromNow(2), description: 'Seized goods', outcome: 'minor', outcomeReason: 'Small loss' })
    assert.deepEqual(fields(future.body), ['occurredOn'])
    assert.equal(await disruptionCount(), before, 'nothing saved')
    const recorded = await created(await partner('POST', `/api/v1/groups/${group.id}/disruptions`, {
      occurredOn: today(), description: 'Seized counterfeit goods and cash at the takeaway', outcome: 'moderate', outcomeReason: 'Stock and float lost; the takeaway stayed open',
      actionId: action.id, assets: [{ kind: 'goods', description: 'Counterfeit trainers', quantity: 40, unit: 'pairs', valuePounds: '3,200' }, { kind: 'cash', description: 'Till float', valuePounds: 1250.5 }],
    }))
    assert.deepEqual(recorded.prompts.map((p: any) => p.reason), ['disruptions'], JSON.stringify(recorded.prompts))
    const plan = await lro('GET', `/api/v1/groups/${group.id}/plan`)
    const d = plan.body.disruptions[0]
    assert.equal(d.outcome, 'moderate')
    assert.deepEqual(d.assets.map((a: any) => [a.kind, a.valuePence]).sort(), [['cash', 125050], ['goods', 320000]])

    // The LRO's home page shows the group with its latest disruption and its re-assessment due.
    const lroHome = (await (await signedIn(t.app, POLICE_LRO)).get('/')).body
    const row = /<tr[^>]*>(?:(?!<\/tr>)[\s\S])*Narborough Road(?:(?!<\/tr>)[\s\S])*<\/tr>/.exec(lroHome.slice(lroHome.indexOf('id="my-groups"')))?.[0] ?? ''
    assert.match(row, /Due for re-assessment/)
    assert.match(row, /Moderate, Leicester City Council – Trading Standards/)
    // The LRO heard the action was done.
    await deliverPendingMail(t.db, createMailTransport({ smtpUrl: smtp.url, mailFrom: 'Achilles <achilles@test.example>' }))
    assert.ok(smtp.received.some((m) => m.to.includes(POLICE_LRO) && mailText(m.raw).includes(`/actions/${action.id}`)))
  })

  test('a threat area’s template offers its actions, each taken into the plan in one step; a key risk gets a plan of its own', async () => {
    const { group } = await takeawayGroup('Melton Road')
    const lro = api(POLICE_LRO)
    const page = await (await signedIn(t.app, POLICE_LRO)).get(`/groups/${group.id}/plan`)
    assert.match(page.body, /From the 4P plan templates/)
    const template = SHIPPED_TEMPLATES.find((x) => x.threatArea === 'county_lines')!
    assert.ok(page.body.includes(template.title), 'the county lines template is offered')
    const first = template.actions[0]!
    const taken = await created(await lro('POST', `/api/v1/groups/${group.id}/plan/template-actions`, { templateKey: template.key, index: 0, ownerEmail: POLICE_LRO, dueOn: daysFromNow(first.dueInDays) }))
    assert.equal(taken.title, first.title)
    assert.equal(taken.strand, first.strand)
    assert.equal(taken.powerId, first.powerId)
    // The page's own forms: a template action chosen from the list, and a power from beyond the first five suggestions.
    const pages = await signedIn(t.app, POLICE_LRO)
    const fromPage = await pages.submit(`/groups/${group.id}/plan`, `/groups/${group.id}/plan/template-actions`, { templateKey: template.key, index: '2', ownerEmail: POLICE_LRO, dueOn: daysFromNow(30) })
    assert.equal(fromPage.status, 303, /govuk-error-summary__list[\s\S]*?<\/ul>/.exec(fromPage.body)?.[0])
    const sixth = (await lro('GET', `/api/v1/groups/${group.id}/plan`)).body.suggestions.slice(5).find((x: any) => x.leadAgency.agencyType === 'police_force')
    const more = await pages.submit(`/groups/${group.id}/plan`, `/groups/${group.id}/plan/suggestions`, { powerId: sixth.powerId, ownerEmail: POLICE_LRO, dueOn: daysFromNow(30) })
    assert.equal(more.status, 303, /govuk-error-summary__list[\s\S]*?<\/ul>/.exec(more.body)?.[0])
    const titles = (await lro('GET', `/api/v1/groups/${group.id}/plan`)).body.plans[0].actions.map((a: any) => a.title)
    assert.ok(titles.includes(template.actions[2]!.title) && titles.includes(sixth.name), titles.join('; '))
    const unknown = await pages.submit(`/groups/${group.id}/plan`, `/groups/${group.id}/plan/suggestions`, { powerId: 'no_such_power', ownerEmail: POLICE_LRO, dueOn: daysFromNow(30) })
    assert.equal(unknown.status, 400)
    assert.match(unknown.body, /Choose one of the suggested powers/)
    const wrong = await lro('POST', `/api/v1/groups/${group.id}/plan/template-actions`, { templateKey: 'fraud', index: 0, ownerEmail: POLICE_LRO, dueOn: daysFromNow(7) })
    assert.deepEqual(fields(wrong.body), ['templateKey'], 'a template for a threat area the group does not have is refused')

    const keyRisk = await created(await lro('POST', `/api/v1/groups/${group.id}/plans`, { title: 'Cuckooed addresses', keyRisk: 'Vulnerable tenants on the Braunstone estate' }))
    const onIt = await created(await lro('POST', `/api/v1/groups/${group.id}/plan/actions`, { strand: 'protect', title: 'Safeguarding visits to the tenants', ownerEmail: POLICE_LRO, dueOn: daysFromNow(7), planId: keyRisk.id }))
    const plans = (await lro('GET', `/api/v1/groups/${group.id}/plan`)).body.plans
    assert.deepEqual(plans.map((p: any) => [p.title, p.keyRisk, p.actions.length]), [[`4P plan for ${group.name}`, null, 3], ['Cuckooed addresses', 'Vulnerable tenants on the Braunstone estate', 1]])
    assert.equal(plans[1].actions[0].id, onIt.id)
  })

  test('outcomes are reported by agency and power, plans and disruptions export as CSV with their handling, and the board shows progress', async () => {
    const { group } = await takeawayGroup('Welford Road')
    const lro = api(POLICE_LRO)
    await created(await lro('POST', `/api/v1/groups/${group.id}/plan/actions`, { strand: 'pursue', title: 'Warrant at the takeaway', ownerEmail: POLICE_LRO, dueOn: daysFromNow(5), powerId: 'drugs_search_warrant' }))
    await created(await lro('POST', `/api/v1/groups/${group.id}/disruptions`, {
      occurredOn: today(), description: 'Warrant executed; cash and cannabis seized', outcome: 'major', outcomeReason: 'The principal was charged and the line went quiet', powerId: 'drugs_search_warrant',
      assets: [{ kind: 'cash', description: 'Cash in the safe', valuePounds: '12,000' }, { kind: 'drugs', description: 'Cannabis', quantity: 2, unit: 'kg' }],
    }))
    const byPower = await lro('GET', `/api/v1/disruptions/outcomes?by=power&groupId=${group.id}`)
    assert.equal(byPower.status, 200, JSON.stringify(byPower.body))
    assert.deepEqual(byPower.body.rows.map((r: any) => [r.key, r.count, r.major, r.cashPence]), [['drugs_search_warrant', 1, 1, 1_200_000]])
    const byAgency = await lro('GET', '/api/v1/disruptions/outcomes?by=agency')
    assert.ok(byAgency.body.rows.some((r: any) => r.label === 'Leicestershire Police' && r.major >= 1))
    assert.equal((await lro('GET', '/api/v1/disruptions/outcomes?from=2027-02-01&to=2027-01-01')).status, 400)

    const noPurpose = await lro('GET', `/api/v1/groups/${group.id}/plan.csv`)
    assert.equal(noPurpose.status, 400)
    const csvRes = await t.app.inject({ method: 'GET', url: `/api/v1/groups/${group.id}/plan.csv?purpose=${encodeURIComponent('Briefing the partnership board')}`, headers: { authorization: bearer(POLICE_LRO) } })
    assert.equal(csvRes.statusCode, 200)
    const lines = csvRes.body.trim().split('\r\n')
    assert.match(lines[0]!, /^"?OFFICIAL\. HANDLING NOTICE/)
    assert.match(lines[1]!, /^group,plan,key_risk,strand,action/)
    assert.ok(lines.some((l) => l.includes('Warrant at the takeaway') && l.endsWith(',OFFICIAL,P,')), 'each row carries the marking and handling')
    const disclosures = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select(['purpose']).where('record_id', '=', group.id).where('action', '=', 'disclosure').execute())
    assert.ok(disclosures.some((d) => d.purpose === 'Briefing the partnership board'), 'the export is a logged disclosure')
    const dCsv = await t.app.inject({ method: 'GET', url: `/api/v1/disruptions/export.csv?groupId=${group.id}&purpose=${encodeURIComponent('Annual outcomes return')}`, headers: { authorization: bearer(POLICE_LRO) } })
    assert.equal(dCsv.statusCode, 200, dCsv.body)
    assert.match(dCsv.body, /Warrant executed; cash and cannabis seized/)
    assert.match(dCsv.body, /,12000\.00,12000\.00,/)

    const board = await lro('GET', '/api/v1/plans/progress')
    const row = board.body.rows.find((r: any) => r.groupId === group.id)
    assert.ok(row, 'the group is on the board')
    assert.deepEqual([row.open, row.byStrand.pursue.total, row.disruptions], [1, 1, 1])
    const lroPages = await signedIn(t.app, POLICE_LRO)
    for (const path of ['/plans', '/disruptions?by=outcome', `/disruptions?by=group&groupId=${group.id}`]) assert.equal((await lroPages.get(path)).status, 200, path)
    assert.match((await lroPages.get('/disruptions?by=outcome')).body, /Major/)
    assert.equal((await lroPages.get(`/groups/${group.id}/plan.csv`)).status, 400, 'the page asks for the purpose of an export')
    const member = await (await signedIn(t.app, 'board.member@demo.achilles.example')).get('/plans')
    assert.equal(member.status, 200)
    assert.ok(!member.body.includes('Welford Road'), 'a board member sees totals, never a group by name')
    assert.match(member.body, /Actions by strand/)
  })

  test('a threat area gets a plan of its own: its coordinator tasks partners, who are shown the plan, and takes template actions', async () => {
    const lro = api(POLICE_LRO)
    const bad = await lro('POST', '/api/v1/plans', { threatArea: 'fraud', title: '', ...held })
    assert.deepEqual(fields(bad.body), ['title'])
    const plan = await created(await lro('POST', '/api/v1/plans', { threatArea: 'fraud', title: 'Courier fraud against older people', keyRisk: 'Repeat victims in Oadby', ...held, sharedWithAgencyIds: [] }))
    const hmrcPage = async () => (await signedIn(t.app, HMRC_ANALYST)).get(`/plans/${plan.id}`)
    assert.equal((await hmrcPage()).status, 404, 'an agency-only plan is not seen by HMRC')
    const action = await created(await lro('POST', `/api/v1/plans/${plan.id}/actions`, { strand: 'protect', title: 'Banking Protocol checks with local branches', ownerEmail: HMRC_ANALYST, dueOn: daysFromNow(21) }))
    assert.equal(action.groupId, null)
    assert.equal((await hmrcPage()).status, 200, 'tasking showed the plan to its owner')
    assert.equal((await api(HMRC_ANALYST)('POST', `/api/v1/plans/${plan.id}/actions`, { strand: 'pursue', title: 'x', ownerEmail: HMRC_ANALYST, dueOn: daysFromNow(5) })).status, 403, 'the owner may not task others on it')
    const template = SHIPPED_TEMPLATES.find((x) => x.threatArea === 'fraud')!
    const coordinator = await signedIn(t.app, POLICE_LRO)
    const page = await coordinator.get(`/plans/${plan.id}`)
    assert.ok(page.body.includes(template.title))
    const taken = await coordinator.submit(`/plans/${plan.id}`, `/plans/${plan.id}/template-actions`, { templateKey: template.key, index: '1', ownerEmail: POLICE_LRO, dueOn: daysFromNow(template.actions[1]!.dueInDays) })
    assert.equal(taken.status, 303, taken.body.slice(0, 300))
    assert.ok((await coordinator.get(`/plans/${plan.id}`)).body.includes(template.actions[1]!.title.replace(/&/g, '&amp;').replace(/'/g, '&#39;')), 'the template action is on the plan')
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/plans/${plan.id}/actions`, headers: { authorization: bearer(POLICE_LRO), 'content-type': 'application/json' }, payload: JSON.stringify({ strand: 'pursue', title: 'Intercept couriers', ownerEmail: POLICE_LRO, dueOn: daysFromNow(3), targetEntityId: null }) })
    assert.equal(res.statusCode, 201, res.body)
    const board = await (await signedIn(t.app, POLICE_LRO)).get('/plans')
    assert.match(board.body, /Courier fraud against older people/)
  })

  test('the LRO changes an action and hands it to another agency; its owner may not, and a due date may not move into the past', async () => {
    const { group } = await takeawayGroup('London Road')
    const lro = api(POLICE_LRO)
    const action = await created(await lro('POST', `/api/v1/groups/${group.id}/plan/actions`, { strand: 'pursue', title: 'Check the takeaway’s VAT returns', ownerEmail: POLICE_LRO, dueOn: daysFromNow(10) }))
    const change = (email: string, over: Record<string, unknown>) => api(email)('PUT', `/api/v1/actions/${action.id}`, { strand: 'pursue', title: action.title, ownerUserId: action.ownerUserId, dueOn: action.dueOn, rowVersion: action.rowVersion, ...over })
    assert.deepEqual(fields((await change(POLICE_LRO, { dueOn: daysFromNow(-2) })).body), ['dueOn'])
    assert.equal((await api(HMRC_ANALYST)('GET', `/api/v1/groups/${group.id}`)).status, 404)
    const handed = await change(POLICE_LRO, { ownerUserId: null, ownerEmail: HMRC_ANALYST, powerId: 'hmrc_tax_investigation', title: 'Open a tax enquiry into the takeaway' })
    assert.equal(handed.status, 200, JSON.stringify(handed.body))
    assert.equal(handed.body.ownerAgencyName, 'HM Revenue and Customs – Fraud Investigation Service')
    assert.equal(handed.body.powerId, 'hmrc_tax_investigation')
    assert.equal((await api(HMRC_ANALYST)('GET', `/api/v1/groups/${group.id}`)).status, 200, 'the new owner is shown the group')
    const mail = await asSystem(t.db, (tx) => tx.selectFrom('mail_outbox').select('to_address').where('related_id', '=', action.id).where('kind', '=', 'action.assigned').execute())
    assert.deepEqual(mail.map((m) => m.to_address), [HMRC_ANALYST])
    assert.equal((await change(POLICE_LRO, { title: 'stale' })).status, 409, 'a stale row version is refused')
    const page = await signedIn(t.app, POLICE_LRO)
    const edited = await page.submit(`/actions/${action.id}`, `/actions/${action.id}/edit`, { rowVersion: String(handed.body.rowVersion), ownerUserId: handed.body.ownerUserId, ownerEmail: '', targetEntityId: '', strand: 'pursue', title: 'Open a tax enquiry into the takeaway and its owner', description: '', dueOn: handed.body.dueOn, powerId: 'hmrc_tax_investigation' })
    assert.equal(edited.status, 303, edited.body.slice(0, 400))
    const after = (await lro('GET', `/api/v1/actions/${action.id}`)).body
    assert.deepEqual([after.title, after.ownerUserId], ['Open a tax enquiry into the takeaway and its owner', user(HMRC_ANALYST).id], 'a blank new owner keeps the owner')
    assert.equal((await api(HMRC_ANALYST)('PUT', `/api/v1/actions/${action.id}`, { strand: 'pursue', title: 'Mine now', ownerUserId: user(HMRC_ANALYST).id, dueOn: daysFromNow(10), rowVersion: after.rowVersion })).status, 403, 'the owner records progress but does not rewrite the action')
  })

  test('someone who cannot see the group gets not found, logged as a refusal, and cannot record a disruption', async () => {
    const { group } = await takeawayGroup('Hinckley Road')
    assert.equal((await api(HMRC_ANALYST)('GET', `/api/v1/groups/${group.id}/plan`)).status, 404)
    assert.equal((await api(HMRC_ANALYST)('POST', `/api/v1/groups/${group.id}/disruptions`, { occurredOn: today(), description: 'x', outcome: 'none', outcomeReason: 'x' })).status, 404)
    const refusals = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select('outcome').where('record_id', '=', group.id).where('outcome', '=', 'refused').execute())
    assert.ok(refusals.length >= 2)
  })

  test('the overdue sweep tells the owner and the LRO once per lapse', async () => {
    const { group } = await takeawayGroup('Uppingham Road')
    const action = await created(await api(POLICE_LRO)('POST', `/api/v1/groups/${group.id}/plan/actions`, { strand: 'protect', title: 'Visit the flat above the takeaway', ownerEmail: TRADING_STANDARDS, dueOn: daysFromNow(3) }))
    const second = await created(await api(POLICE_LRO)('POST', `/api/v1/groups/${group.id}/plan/actions`, { strand: 'protect', title: 'Fit a door entry system', ownerEmail: TRADING_STANDARDS, dueOn: daysFromNow(4) }))
    const later = new Date(t.clock.now.getTime() + 5 * 86_400_000)
    const first = await sweepOverdueActions(t.db, later, { baseUrl: SITE })
    assert.ok(first.flagged >= 1)
    const queued = (await asSystem(t.db, (tx) => tx.selectFrom('mail_outbox').select(['to_address', 'body_text', 'subject']).where('kind', '=', 'action.overdue').execute()))
      .filter((m) => m.body_text.includes(`${SITE}/actions/${action.id}`))
    assert.deepEqual(queued.map((m) => m.to_address).sort(), [POLICE_LRO, TRADING_STANDARDS].sort(), 'one message each to the owner and the LRO')
    const owners = queued.find((m) => m.to_address === TRADING_STANDARDS)!.body_text
    assert.match(owners, /2 actions you own are now overdue/)
    assert.ok(owners.includes(`${SITE}/actions/${second.id}`), 'both of the owner’s actions are in the one message')
    assert.ok(!queued.some((m) => m.body_text.includes('Uppingham')), 'and no case detail')
    const again = await sweepOverdueActions(t.db, later, { baseUrl: SITE })
    assert.equal(again.flagged, 0, 'not flagged twice')
    const home = await (await signedIn(t.app, POLICE_LRO)).get('/')
    assert.match(home.body, /Groups I lead/)
    await asSystem(t.db, (tx) => sql`UPDATE plan_actions SET status = 'cancelled' WHERE id IN (${action.id}, ${second.id})`.execute(tx))
  })
})
