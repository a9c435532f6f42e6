import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, test } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { AccessibilityAudit, launchChromium, serveTestApp, signIn, submit, watchForPageErrors, withoutChromium, type ServedApp } from '../support/browser.ts'

// In real Chromium: a police analyst raises an information request to HMRC from a person's page,
// is told what is missing, sends it; HMRC finds it among the referrals to answer, answers it graded
// as intelligence with handling conditions, and the analyst reads the graded answer. axe-core
// checks every page on the way.

const POLICE_ANALYST = 'analyst@demo.achilles.example'
const HMRC = 'analyst.hmrc@demo.achilles.example'
const skip = withoutChromium
const NAME = `Kamran Referral ${randomUUID().slice(0, 6)}`

let served: ServedApp
let browser: Browser
const contexts: BrowserContext[] = []

before(async () => {
  if (skip) return
  served = await serveTestApp()
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

async function pageFor(email: string, errors: string[][]): Promise<Page> {
  const context = await browser.newContext()
  contexts.push(context)
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  errors.push(watchForPageErrors(page))
  await signIn(page, served.baseUrl, email)
  return page
}

test('an analyst raises an information request from a person’s page; HMRC answers it graded as intelligence; the analyst reads the answer', { skip }, async (t) => {
  const held = { purpose: 'Disrupting the Belgrave group', reviewDate: '2030-01-01', protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency' }
  const person = await call(POLICE_ANALYST, 'POST', '/api/v1/entities', { schema: 'Person', fullName: NAME, birthDate: '1984-03-02', personRole: 'suspect', ...held })
  const audit = new AccessibilityAudit()
  const errors: string[][] = []

  const police = await pageFor(POLICE_ANALYST, errors)
  assert.equal((await police.goto(`${served.baseUrl}/entities/${person.id}`))?.status(), 200)
  await Promise.all([police.waitForNavigation(), police.getByRole('link', { name: 'Send a GAIN referral or information request about this' }).click()])
  assert.match(new URL(police.url()).pathname, /^\/referrals\/new$/)
  await audit.check(police, 'new referral form')
  // Sent with nothing chosen: every missing answer is named, and the form keeps what was typed.
  await police.getByLabel('Summary', { exact: true }).fill('Believed to run cash car washes for the Belgrave group.')
  let response = await submit(police, 'Send the referral')
  assert.equal(response?.status(), 400)
  const summary = await police.locator('.govuk-error-summary').innerText()
  for (const message of [/Choose whether this is a referral or an information request/, /Choose the lawful basis/, /Choose how urgent/, /Enter what you are asking/]) assert.match(summary, message)
  assert.equal(await police.getByLabel('Summary', { exact: true }).inputValue(), 'Believed to run cash car washes for the Belgrave group.')
  await audit.check(police, 'new referral form with errors')

  await police.getByLabel('Information request (for the recipient to answer)').check()
  await police.getByLabel('A named agency', { exact: true }).check()
  await police.getByLabel('Agency name (for a named agency)').fill('HM Revenue and Customs – Fraud Investigation Service')
  await police.getByLabel('Your request').fill('Does he declare income from the car washes? Any business registered to him?')
  await police.getByLabel('Purpose', { exact: true }).fill('Disrupting the Belgrave group’s money laundering')
  await police.getByLabel('Crime and Disorder Act 1998, section 115').check()
  await police.getByLabel('Within 7 days', { exact: true }).check()
  await police.getByLabel('OFFICIAL', { exact: true }).check()
  await police.getByLabel('P – lawful sharing permitted', { exact: true }).check()
  response = await submit(police, 'Send the referral')
  assert.equal(response?.status(), 200)
  assert.match(new URL(police.url()).pathname, /^\/referrals\/[0-9a-f-]{36}$/)
  assert.match(await police.locator('.govuk-notification-banner--success').innerText(), /Referral sent/)
  const reference = (await police.locator('.govuk-caption-l').innerText()).match(/GAIN-\d{4}-[0-9A-F]{6}/)![0]
  await audit.check(police, 'referral as sent')

  const hmrc = await pageFor(HMRC, errors)
  assert.match(await hmrc.locator('#referrals + ul').innerText(), /1 to answer or route/)
  await audit.check(hmrc, 'home page with referrals to answer')
  await Promise.all([hmrc.waitForNavigation(), hmrc.getByRole('link', { name: '1 to answer or route' }).click()])
  await audit.check(hmrc, 'referrals to answer')
  await Promise.all([hmrc.waitForNavigation(), hmrc.getByRole('link', { name: reference }).click()])
  await audit.check(hmrc, 'referral to answer, with its forms')
  await hmrc.getByLabel('The information you give').fill('Two businesses registered to him; declared income well below comparable car washes.')
  response = await submit(hmrc, 'Send the answer')
  assert.equal(response?.status(), 400, 'not graded yet')
  assert.match(await hmrc.locator('.govuk-error-summary').innerText(), /Choose a source evaluation/)
  await audit.check(hmrc, 'answer form with errors')
  await hmrc.getByLabel('A – Reliable').check()
  await hmrc.getByLabel('2 – Known indirectly to the source but corroborated').check()
  await hmrc.getByLabel('OFFICIAL', { exact: true }).check()
  await hmrc.getByLabel('C – lawful sharing permitted with conditions', { exact: true }).check()
  await hmrc.getByLabel('Handling conditions', { exact: true }).fill('Not to be disclosed to the subject without HMRC consent.')
  response = await submit(hmrc, 'Send the answer')
  assert.equal(response?.status(), 200)
  assert.match(await hmrc.locator('.govuk-notification-banner--success').innerText(), /Answer sent/)

  assert.equal((await police.reload())?.status(), 200)
  const answers = await police.locator('#answers ~ .govuk-inset-text').first().innerText()
  assert.match(answers, /Graded A2C/)
  assert.match(answers, /Not to be disclosed to the subject without HMRC consent/)
  await audit.check(police, 'answered referral')
  await Promise.all([police.waitForNavigation(), police.getByRole('link', { name: 'The intelligence record of this answer' }).click()])
  assert.match(await police.locator('main').innerText(), /Two businesses registered to him/)
  assert.equal((await police.goto(`${served.baseUrl}/referrals?view=outgoing`))?.status(), 200)
  await audit.check(police, 'referrals sent')

  for (const line of audit.summary()) t.diagnostic(line)
  assert.deepEqual(errors.flat(), [], 'the pages had script, Content-Security-Policy or loading errors')
  audit.assertClean()
})
