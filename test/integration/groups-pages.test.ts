import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { AccessibilityAudit, launchChromium, serveTestApp, signIn, submit, watchForPageErrors, withoutChromium, type ServedApp } from '../support/browser.ts'

// A person records a group, its members and a holding through the pages in real Chromium, and
// axe-core checks every group page on the way, forms with errors included. Skipped, saying why,
// where Chromium is not installed.

const ANALYST = 'analyst@demo.achilles.example'
const skip = withoutChromium

let served: ServedApp
let browser: Browser

before(async () => {
  if (skip) return
  served = await serveTestApp()
  browser = await launchChromium()
})

after(async () => {
  if (skip) return
  await browser?.close()
  await served?.close()
})

async function entity(caption: string, schema: string, personRole: string | null): Promise<string> {
  const analyst = served.partnership.users.find((u) => u.email === ANALYST)!
  const row = await served.ctx.db.kysely
    .insertInto('entities')
    .values({
      schema, caption, person_role: personRole, purpose: 'Testing group pages', protective_marking: 'OFFICIAL', handling_code: 'C',
      handling_conditions: 'Not to be shared with the landlord', sharing_scope: 'agency', review_date: '2030-01-01', owning_agency_id: analyst.agencyId, created_by: analyst.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

const heading = async (page: Page) => (await page.locator('h1').first().innerText()).trim()
const errorSummary = async (page: Page) => (await page.locator('.govuk-error-summary__list li').allInnerTexts()).map((s) => s.trim())

test('an analyst records a group, a member and a holding through the pages, and every page passes axe-core', { skip }, async (t) => {
  await entity('Marcus Doyle', 'Person', 'suspect')
  await entity('Vera Victimson', 'Person', 'victim')
  await entity('Sparkle Hand Car Wash Ltd', 'Company', null)
  const context = await browser.newContext()
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  const pageErrors = watchForPageErrors(page)
  const audit = new AccessibilityAudit()
  await signIn(page, served.baseUrl, ANALYST)

  await page.goto(`${served.baseUrl}/groups/new`)
  assert.equal(await heading(page), 'Record an organised crime group')
  await audit.check(page, 'group form')
  let response = await submit(page, 'Save group')
  assert.equal(response?.status(), 400)
  assert.ok((await errorSummary(page)).includes('Choose at least one threat area'))
  await audit.check(page, 'group form with errors')

  await page.getByLabel('Name', { exact: true }).fill('Doyle brothers')
  await page.getByLabel('Drugs', { exact: true }).check()
  await page.getByLabel('Areas it operates in').fill('Leicester\nHinckley and Bosworth')
  await page.getByLabel('Purpose').fill('Disrupting the Doyle brothers')
  await page.getByLabel('Review date').fill('2027-11-30')
  response = await submit(page, 'Save group')
  assert.equal(response?.status(), 200)
  assert.match(page.url(), /\/groups\/[0-9a-f-]{36}$/)
  assert.equal(await heading(page), 'Doyle brothers')
  await audit.check(page, 'group page (new)')
  const groupUrl = page.url()

  await page.getByRole('button', { name: 'Add a member' }).click()
  await page.waitForURL(/\/members\/new$/)
  const options = await page.locator('#personId option').allInnerTexts()
  assert.ok(options.includes('Marcus Doyle'))
  assert.ok(!options.includes('Vera Victimson'), 'victims are not offered as members')
  await audit.check(page, 'member form')
  response = await submit(page, 'Add member')
  assert.equal(response?.status(), 400)
  await audit.check(page, 'member form with errors')
  await page.getByLabel('Person', { exact: true }).selectOption({ label: 'Marcus Doyle' })
  await page.getByLabel('Principal', { exact: true }).check()
  await page.getByLabel('Member from (optional)').fill('2023-05-01')
  response = await submit(page, 'Add member')
  assert.equal(response?.status(), 200)
  const members = page.locator('table.achilles-members')
  assert.match(await members.innerText(), /Marcus Doyle[\s\S]*Principal/)
  assert.match(await members.innerText(), /Not to be shared with the landlord/, "the person record's handling conditions travel with it")
  await audit.check(page, 'group page with a member')

  await members.getByRole('link', { name: /Change/ }).click()
  await page.waitForURL(/\/members\/[0-9a-f-]{36}$/)
  await audit.check(page, 'membership page')
  await page.getByLabel('Date they left').fill('2023-04-01')
  response = await submit(page, 'End membership')
  assert.equal(response?.status(), 400)
  assert.ok((await errorSummary(page))[0]?.startsWith('The end date must be the same as or after the start date'))
  await audit.check(page, 'membership page with errors')

  await page.goto(`${groupUrl}/holdings/new`)
  await audit.check(page, 'holding form')
  await page.getByLabel('Record', { exact: true }).selectOption({ label: 'Sparkle Hand Car Wash Ltd (Business)' })
  await page.getByLabel('Premises', { exact: true }).check()
  response = await submit(page, 'Add holding')
  assert.equal(response?.status(), 400)
  assert.match((await errorSummary(page))[0] ?? '', /A premises must be an address or premises record, not a business record/)
  await audit.check(page, 'holding form with errors')
  await page.getByLabel('Business interest', { exact: true }).check()
  response = await submit(page, 'Add holding')
  assert.equal(response?.status(), 200)
  assert.match(await page.locator('main').innerText(), /Business interest \(1\)/)

  await page.goto(`${groupUrl}/edit`)
  await audit.check(page, 'group edit form')
  await page.getByLabel('Disrupted', { exact: true }).check()
  response = await submit(page, 'Save changes')
  assert.equal(response?.status(), 200)
  assert.match(await page.locator('main').innerText(), /Status: Active → Disrupted/)
  await audit.check(page, 'group page after an edit')

  await page.goto(`${groupUrl}/history`)
  assert.equal(await heading(page), 'History')
  await audit.check(page, 'group history')
  await page.goto(`${served.baseUrl}/groups?status=disrupted`)
  assert.match(await page.locator('table').innerText(), /Doyle brothers/)
  await audit.check(page, 'group list')

  for (const line of audit.summary()) t.diagnostic(line)
  assert.deepEqual(pageErrors, [])
  audit.assertClean()
  await context.close()
})
