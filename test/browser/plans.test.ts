import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, test } from 'node:test'
import type { Browser, BrowserContext } from 'playwright-core'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { ensurePowerCatalogue } from '../../src/modules/powers/service.ts'
import { ensureDefaultModels } from '../../src/modules/prioritisation/service.ts'
import { AccessibilityAudit, launchChromium, serveTestApp, signIn, submit, watchForPageErrors, withoutChromium, type ServedApp } from '../support/browser.ts'

// In real Chromium: an LRO takes a suggested trading standards power into a group's 4P plan, the
// trading standards officer finds the task on their home page, completes it, records a disruption
// and sees the group prompted for re-assessment; axe-core checks every page on the way.

const POLICE_ANALYST = 'analyst@demo.achilles.example'
const LRO = 'lro@demo.achilles.example'
const OFFICER = 'partner.officer@demo.achilles.example'
const skip = withoutChromium
const NAME = `Market Street Traders ${randomUUID().slice(0, 6)}`

let served: ServedApp
let browser: Browser
const contexts: BrowserContext[] = []

before(async () => {
  if (skip) return
  served = await serveTestApp()
  await ensureDefaultModels(served.db)
  await ensurePowerCatalogue(served.db)
  browser = await launchChromium()
})

after(async () => {
  if (skip) return
  for (const context of contexts) await context.close().catch(() => {})
  await browser?.close()
  await served?.close()
})

async function call(email: string, method: 'GET' | 'POST', url: string, json?: unknown): Promise<any> {
  const u = served.partnership.users.find((x) => x.email === email)!
  const { token } = await issueApiToken(served.ctx, 'system', u.id, { name: 'browser test', scopes: ['records:read', 'records:write'] })
  const res = await served.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}) }, payload: json ? JSON.stringify(json) : undefined })
  assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`)
  return JSON.parse(res.body)
}

const held = { purpose: 'Disrupting a group selling counterfeit goods', reviewDate: '2027-11-23', protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency' }

test('an LRO tasks trading standards with a suggested power; the officer completes it, records a disruption and sees the re-assessment prompt', { skip }, async (t) => {
  const group = await call(POLICE_ANALYST, 'POST', '/api/v1/groups', { name: NAME, status: 'active', threatAreas: ['counterfeit_illicit_goods'], areas: ['Leicester'], leadResponsibleOfficerEmail: LRO, sharedWithAgencyIds: [], ...held })
  const shop = await call(POLICE_ANALYST, 'POST', '/api/v1/entities', { schema: 'Company', name: `${NAME} Mini Market`, businessType: 'shop', ...held })
  await call(POLICE_ANALYST, 'POST', `/api/v1/groups/${group.id}/holdings`, { entityId: shop.id, kind: 'business_interest' })
  const factors = Object.fromEntries(['physical', 'psychological', 'financial', 'community_and_environment', 'geographic_scope', 'victim_vulnerability', 'likelihood', 'capacity', 'capability'].map((f) => [f, { value: 3, rationale: 'Scored before the disruption' }]))
  await call(POLICE_ANALYST, 'POST', '/api/v1/assessments', { subjectType: 'group', subjectId: group.id, factors, confidence: 3, reviewDate: '2030-01-01' })
  const plan = await call(LRO, 'GET', `/api/v1/groups/${group.id}/plan`)
  const suggestion = plan.suggestions.find((s: any) => s.leadAgency.agencyType === 'council_service' && s.leadAgency.serviceArea === 'trading_standards')
  assert.ok(suggestion, `a trading standards power is suggested: ${plan.suggestions.map((s: any) => s.powerId).join(', ')}`)

  const audit = new AccessibilityAudit()
  const lroContext = await browser.newContext()
  contexts.push(lroContext)
  lroContext.setDefaultTimeout(15_000)
  const lroPage = await lroContext.newPage()
  const errors = watchForPageErrors(lroPage)
  await signIn(lroPage, served.baseUrl, LRO)
  assert.equal((await lroPage.goto(`${served.baseUrl}/groups/${group.id}/plan`))?.status(), 200)
  await audit.check(lroPage, 'group 4P plan')
  const card = lroPage.locator('.govuk-summary-card', { has: lroPage.getByRole('link', { name: suggestion.name, exact: true }) })
  // A mistyped address is refused, with the error summary linking to the card's field.
  await card.getByLabel('Owner’s email address').fill('nobody@demo.achilles.example')
  let response = await submit(lroPage, `Add ${suggestion.name} to the plan`)
  assert.equal(response?.status(), 400)
  assert.match(await lroPage.locator('.govuk-error-summary').innerText(), /No user has that email address/)
  await audit.check(lroPage, 'group 4P plan with an error')
  await lroPage.locator('.govuk-summary-card', { has: lroPage.getByRole('link', { name: suggestion.name, exact: true }) }).getByLabel('Owner’s email address').fill(OFFICER)
  response = await submit(lroPage, `Add ${suggestion.name} to the plan`)
  assert.equal(response?.status(), 200)
  assert.match(await lroPage.locator('.govuk-notification-banner--success').innerText(), /added to the plan/)
  const actionLink = lroPage.locator('table a[href^="/actions/"]', { hasText: suggestion.name })
  assert.equal(await actionLink.count(), 1, 'the action is in the plan')

  const officerContext = await browser.newContext()
  contexts.push(officerContext)
  officerContext.setDefaultTimeout(15_000)
  const page = await officerContext.newPage()
  errors.push(...watchForPageErrors(page))
  await signIn(page, served.baseUrl, OFFICER)
  assert.equal((await page.goto(`${served.baseUrl}/`))?.status(), 200)
  await audit.check(page, 'home page with a task')
  await Promise.all([page.waitForURL(/\/actions\//), page.locator('#my-tasks ~ table a', { hasText: suggestion.name }).first().click()])
  await audit.check(page, 'action page')
  await page.getByLabel('Done', { exact: true }).check()
  await page.getByLabel('Outcome notes').fill('Seized 300 counterfeit items on a visit with the police')
  response = await submit(page, 'Save progress')
  assert.equal(response?.status(), 200)
  assert.match(await page.locator('main').innerText(), /Seized 300 counterfeit items/)

  await Promise.all([page.waitForURL(/\/disruptions\/new/), page.getByRole('link', { name: 'Record a disruption from this action' }).click()])
  await audit.check(page, 'disruption form')
  await page.getByLabel('What was done').fill('Counterfeit goods seized from the mini market')
  await page.getByLabel('Moderate', { exact: true }).check()
  response = await submit(page, 'Record the disruption')
  assert.equal(response?.status(), 400, 'a disruption needs the reason for its outcome')
  assert.match(await page.locator('.govuk-error-summary').innerText(), /Give the reason for the outcome/)
  await audit.check(page, 'disruption form with errors')
  await page.getByLabel('Why that outcome').fill('Most of their stock was taken; they will restock within weeks')
  await page.getByLabel('Asset 1: kind').selectOption('goods')
  await page.locator('[id="assets[0][description]"]').fill('Counterfeit cigarettes and perfume')
  await page.locator('[id="assets[0][valuePounds]"]').fill('4,500')
  response = await submit(page, 'Record the disruption')
  assert.equal(response?.status(), 200)
  assert.match(new URL(page.url()).pathname, new RegExp(`/groups/${group.id}/plan$`))
  const prompt = await page.locator('#reassessment .govuk-warning-text').innerText()
  assert.match(prompt, /due for re-assessment/)
  assert.match(prompt, /disruption/i)
  assert.match(await page.locator('#disruptions ~ table').innerText(), /Counterfeit cigarettes and perfume.*£4,500/s)
  await audit.check(page, 'group 4P plan after a disruption')

  // The LRO enters an order from the group; one that breaks its power's rules is refused, naming the rule.
  const principal = await call(POLICE_ANALYST, 'POST', '/api/v1/entities', { schema: 'Person', fullName: `${NAME} Principal`, birthDate: '1980-03-03', personRole: 'suspect', ...held })
  await call(POLICE_ANALYST, 'POST', `/api/v1/groups/${group.id}/members`, { personId: principal.id, role: 'principal' })
  assert.equal((await lroPage.goto(`${served.baseUrl}/groups/${group.id}/orders/new`))?.status(), 200)
  await audit.check(lroPage, 'order form')
  await lroPage.getByLabel('Kind of order').selectOption('scpo')
  await lroPage.getByLabel('Made against').selectOption(principal.id)
  const year = (n: number) => `${new Date().getUTCFullYear() + n}${new Date().toISOString().slice(4, 10)}`
  await lroPage.getByLabel('Takes effect').fill(year(0))
  await lroPage.getByLabel('Ends', { exact: true }).fill(year(6))
  await lroPage.getByLabel('Condition 1: wording').fill('Business records inspected every three months by trading standards')
  await lroPage.getByLabel('Checked every').first().fill('3')
  await lroPage.getByLabel('Unit').first().selectOption('months')
  await lroPage.getByLabel('Condition 1: agencies that check it').fill('Leicester City Council – Trading Standards')
  await lroPage.getByLabel('Purpose', { exact: true }).fill('Monitoring the SCPO on the principal')
  await lroPage.getByLabel('Review by').fill('2030-01-01')
  response = await submit(lroPage, 'Enter the order')
  assert.equal(response?.status(), 400)
  assert.match(await lroPage.locator('.govuk-error-summary').innerText(), /may last at most 5 years/)
  await audit.check(lroPage, 'order form with errors')
  await lroPage.getByLabel('Ends', { exact: true }).fill(year(3))
  response = await submit(lroPage, 'Enter the order')
  assert.equal(response?.status(), 200)
  assert.match(new URL(lroPage.url()).pathname, /^\/orders\/[0-9a-f-]{36}$/)
  assert.match(await lroPage.locator('#checks ~ table').innerText(), /Trading Standards/)
  await audit.check(lroPage, 'order page')
  const orderId = new URL(lroPage.url()).pathname.split('/')[2]!
  const entered = await call(LRO, 'GET', `/api/v1/orders/${orderId}`)
  const lroAction = (await call(LRO, 'GET', `/api/v1/groups/${group.id}/plan`)).plans[0].actions[0]
  for (const [path, name] of [[`/actions/${lroAction.id}`, 'action page with the change form'], [`/orders/${orderId}/checks/${entered.checks[0].id}`, 'compliance check form'], ['/plans/new', 'threat area plan form']] as const) {
    assert.equal((await lroPage.goto(`${served.baseUrl}${path}`))?.status(), 200, path)
    await audit.check(lroPage, name)
  }
  await lroPage.getByLabel('Threat area').selectOption('fraud')
  await lroPage.getByLabel('Title of the plan').fill('Courier fraud in Oadby and Wigston')
  await lroPage.getByLabel('Purpose').fill('Protecting older residents from courier fraud')
  await lroPage.getByLabel('Review by').fill('2030-01-01')
  response = await submit(lroPage, 'Start the plan')
  assert.equal(response?.status(), 200)
  assert.match(new URL(lroPage.url()).pathname, /^\/plans\/[0-9a-f-]{36}$/)
  await audit.check(lroPage, 'threat area plan')
  for (const [path, name] of [['/orders', 'orders register'], ['/powers', 'tools and powers'], ['/powers/closure_notice', 'a power'], ['/plans', 'plan progress'], ['/disruptions', 'disruption outcomes']] as const) {
    assert.equal((await page.goto(`${served.baseUrl}${path}`))?.status(), 200, path)
    await audit.check(page, name)
  }

  for (const line of audit.summary()) t.diagnostic(line)
  assert.deepEqual(errors, [], 'the pages had script, Content-Security-Policy or loading errors')
  audit.assertClean()
})
