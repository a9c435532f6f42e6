import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { ensureDefaultModels } from '../../src/modules/prioritisation/service.ts'
import { ADMIN } from '../support/app.ts'
import { AccessibilityAudit, launchChromium, serveTestApp, signIn, submit, watchForPageErrors, withoutChromium, type ServedApp } from '../support/browser.ts'

// What an analyst does with the records of issue 3 in a real browser: records a suspect, records
// graded intelligence about them (and is told a C code needs its conditions), finds the person by
// a misspelt name, and reads the prioritisation model; axe-core on every page on the way.

const ANALYST = 'analyst@demo.achilles.example'
const skip = withoutChromium

let served: ServedApp
let browser: Browser

before(async () => {
  if (skip) return
  served = await serveTestApp()
  await ensureDefaultModels(served.db)
  browser = await launchChromium()
})
after(async () => {
  if (skip) return
  await browser?.close()
  await served?.close()
})

async function visit(page: Page, path: string) {
  const response = await page.goto(`${served.baseUrl}${path}`)
  assert.equal(response?.status(), 200, `GET ${path} answered ${response?.status()}`)
}

async function handling(page: Page, code: 'P' | 'C', scope: 'agency' | 'partnership') {
  await page.check('input[name=protectiveMarking][value=OFFICIAL]')
  await page.check(`input[name=handlingCode][value=${code}]`)
  await page.check(`input[name=sharingScope][value=${scope}]`)
  await page.fill('#purpose', 'Disrupting a group supplying drugs in Loughborough')
  await page.fill('#reviewDate', '2027-06-30')
}

test('an analyst records a suspect and graded intelligence, finds them by a misspelt name, and reads the model', { skip }, async (t) => {
  const context = await browser.newContext()
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  const pageErrors = watchForPageErrors(page)
  const audit = new AccessibilityAudit()
  await signIn(page, served.baseUrl, ANALYST)

  await visit(page, '/entities')
  await audit.check(page, 'entities list')
  await visit(page, '/entities/new?schema=Person')
  await audit.check(page, 'person form')
  await page.fill('#fullName', 'Marcus Delaney')
  await page.fill('#birthDate', '31/02/1990')
  await page.check('input[name=personRole][value=suspect]')
  await handling(page, 'P', 'partnership')
  let response = await submit(page, 'Save')
  assert.equal(response?.status(), 400, 'an impossible date of birth is refused')
  assert.match(await page.locator('.govuk-error-summary').innerText(), /date/i)
  assert.equal(await page.locator('#fullName').inputValue(), 'Marcus Delaney', 'what was typed is kept')
  await audit.check(page, 'person form with errors')
  await page.fill('#birthDate', '28/02/1990')
  response = await submit(page, 'Save')
  assert.equal(response?.status(), 200)
  const personPath = new URL(page.url()).pathname
  assert.match(personPath, /^\/entities\/[0-9a-f-]{36}$/)
  assert.match(await page.locator('h1').innerText(), /Marcus Delaney/)
  assert.match(await page.locator('h1').innerText(), /Suspect/)
  await audit.check(page, 'person page')

  await visit(page, `/intelligence/new?entityId=${personPath.split('/').pop()}`)
  await audit.check(page, 'intelligence form')
  await page.fill('#body', 'Marcus Delaney is collecting cash from street dealers twice a week.')
  await page.fill('#reportedOn', '2026-11-01')
  await page.check('input[name=sourceEvaluation][value=B]')
  await page.check('input[name=intelligenceAssessment][value="2"]')
  await handling(page, 'C', 'agency')
  response = await submit(page, 'Save intelligence')
  assert.equal(response?.status(), 400, 'a C handling code without conditions is refused')
  assert.match(await page.locator('#handlingConditions-error').innerText(), /conditions/i)
  await audit.check(page, 'intelligence form with errors')
  await page.fill('#handlingConditions', 'Not to be shared outside law enforcement without the originator’s consent.')
  response = await submit(page, 'Save intelligence')
  assert.equal(response?.status(), 200)
  assert.match(page.url(), /\/intelligence\/[0-9a-f-]{36}$/)
  assert.match(await page.locator('.achilles-handling-conditions').innerText(), /originator’s consent/)
  assert.match(await page.locator('main').innerText(), /B2/)
  assert.match(await page.locator('main').innerText(), /Marcus Delaney/)
  await audit.check(page, 'intelligence page')
  await visit(page, '/intelligence')
  await audit.check(page, 'intelligence list')

  await visit(page, '/search?q=Markus+Delany')
  assert.ok(await page.getByRole('link', { name: 'Marcus Delaney' }).count() > 0, 'a misspelt name finds the person')
  await audit.check(page, 'search results')

  await visit(page, '/models')
  await audit.check(page, 'models list')
  await visit(page, '/models/tactical/1')
  assert.match(await page.locator('main').innerText(), /Physical/i)
  await audit.check(page, 'tactical model')

  // The administrator reaches the models from the navigation, and is shown no personal records.
  const adminPage = await (await browser.newContext()).newPage()
  await signIn(adminPage, served.baseUrl, ADMIN)
  await adminPage.getByRole('link', { name: 'Prioritisation models' }).click()
  await adminPage.waitForURL(`${served.baseUrl}/models`)
  assert.equal((await adminPage.goto(`${served.baseUrl}${personPath}`))?.status(), 403)
  await adminPage.context().close()

  for (const line of audit.summary()) t.diagnostic(line)
  assert.deepEqual(pageErrors, [])
  audit.assertClean()
  await context.close()
})
