import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { AccessibilityAudit, launchChromium, serveTestApp, signIn, submit, watchForPageErrors, withoutChromium, type ServedApp } from '../support/browser.ts'

// A person imports a CSV file through the pages in real Chromium (a real multipart upload), and
// axe-core checks every page of the flow, the ones with errors included. Skipped, saying why,
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

const heading = async (page: Page) => (await page.locator('h1').first().innerText()).trim()
const errorSummary = async (page: Page) => (await page.locator('.govuk-error-summary__list li').allInnerTexts()).map((s) => s.trim())

const FILE = ['Full Name,DOB,Type,Notes', 'Dean Carver,14/05/1990,suspect,seen at the car wash', 'Kelly Marsh,31/02/1988,victim,', 'Paul Rigby,1985-07-19,suspect,'].join('\r\n')

test('an analyst uploads, maps, checks and imports a CSV file through the pages, and every page passes axe-core', { skip }, async (t) => {
  const context = await browser.newContext()
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  const pageErrors = watchForPageErrors(page)
  const audit = new AccessibilityAudit()
  await signIn(page, served.baseUrl, ANALYST)

  await page.goto(`${served.baseUrl}/imports`)
  assert.equal(await heading(page), 'Import from a CSV file')
  await audit.check(page, 'upload form')
  let response = await submit(page, 'Upload and continue')
  assert.equal(response?.status(), 400)
  assert.deepEqual(await errorSummary(page), ['Choose what the file holds', 'Choose a CSV file to upload, or paste the text of one'])
  await audit.check(page, 'upload form with errors')

  await page.getByLabel('People', { exact: true }).check()
  await page.getByLabel('Upload a CSV file').setInputFiles({ name: 'nominals.csv', mimeType: 'text/csv', buffer: Buffer.from(FILE) })
  response = await submit(page, 'Upload and continue')
  assert.equal(response?.status(), 200)
  assert.match(page.url(), /\/imports\/[0-9a-f-]{36}\/mapping$/)
  assert.equal(await heading(page), 'Map the columns of nominals.csv')
  assert.equal(await page.getByLabel('Column for Full name').inputValue(), 'Full Name', 'suggested from the heading')
  assert.equal(await page.getByLabel('Column for Date of birth').inputValue(), 'DOB')
  assert.equal(await page.getByLabel('Column for Role').inputValue(), 'Type')
  await audit.check(page, 'mapping form')

  // Checked as suggested: the fields the file does not hold, and the column not mapped, are named.
  response = await submit(page, 'Check the file')
  assert.equal(await heading(page), 'The file has problems')
  const mappingProblems = await errorSummary(page)
  assert.ok(mappingProblems.some((p) => /^Purpose must be given/.test(p)), mappingProblems.join('\n'))
  assert.ok(mappingProblems.some((p) => /^Column "Notes" is not mapped/.test(p)))
  await audit.check(page, 'check with mapping problems')

  await page.getByRole('link', { name: 'Change the column mapping' }).first().click()
  await page.waitForURL(/\/mapping$/)
  await page.getByLabel('Value of Purpose for the whole file').fill('Mapping county lines supply in Leicester')
  await page.getByLabel('Value of Review date for the whole file').fill('23/11/2028')
  await page.getByLabel('Value of Protective marking for the whole file').fill('OFFICIAL')
  await page.getByLabel('Value of Handling code for the whole file').fill('P')
  await page.getByLabel('Value of Shared with for the whole file').fill('agency')
  await page.getByLabel('Notes', { exact: true }).check()
  response = await submit(page, 'Check the file')
  assert.equal(await heading(page), 'The file has problems')
  assert.deepEqual(await errorSummary(page), ['Row 3, column "DOB": "31/02/1988" is not a real date'])
  assert.match(await page.locator('#faults').innerText(), /3\s+DOB\s+"31\/02\/1988" is not a real date/)
  await audit.check(page, 'check with a faulty row')

  // The corrected file, uploaded again.
  await page.goto(`${served.baseUrl}/imports`)
  await page.getByLabel('People', { exact: true }).check()
  await page.getByLabel('Or paste the text of a CSV file').fill(FILE.replace('31/02/1988', '28/02/1988').replace(',Notes', '').replace(',seen at the car wash', '').replace(/,$/gm, ''))
  await submit(page, 'Upload and continue')
  for (const [label, value] of [['Purpose', 'Mapping county lines supply in Leicester'], ['Review date', '2028-11-23'], ['Protective marking', 'OFFICIAL'], ['Handling code', 'P'], ['Shared with', 'agency']]) {
    await page.getByLabel(`Value of ${label} for the whole file`).fill(value!)
  }
  await submit(page, 'Check the file')
  assert.equal(await heading(page), 'Import 3 people')
  await audit.check(page, 'check of a clean file')
  response = await submit(page, 'Import 3 rows')
  assert.equal(response?.status(), 200)
  assert.match(page.url(), /\/imports\/[0-9a-f-]{36}$/)
  assert.match(await page.locator('.govuk-panel').innerText(), /3 people imported/)
  await audit.check(page, 'import summary')
  await page.getByRole('link', { name: 'Record from row 2' }).click()
  await page.waitForURL(/\/entities\/[0-9a-f-]{36}$/)
  assert.match(await heading(page), /^Dean Carver/)

  await page.goto(`${served.baseUrl}/imports`)
  assert.match(await page.locator('table').innerText(), /3 imported/)
  await audit.check(page, 'upload form with recent files')

  for (const line of audit.summary()) t.diagnostic(line)
  assert.deepEqual(pageErrors, [])
  audit.assertClean()
  await context.close()
})
