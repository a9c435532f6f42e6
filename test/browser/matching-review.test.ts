import assert from 'node:assert/strict'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { AccessibilityAudit, launchChromium, serveTestApp, signIn, submit, watchForPageErrors, withoutChromium, type ServedApp } from '../support/browser.ts'
import { apiFor, firstPartnerCsv, people, twoPartners, WIDE } from '../support/partnerFiles.ts'

// What a reviewer does with the clerical review queue in a real browser: opens the queue, reads why a
// pair scored as it did, decides, is sent back to the queue without it, then changes the decision
// (told first that a change needs a reason); and a partner's file imported through the pages with
// its problems listed. axe-core checks every page on the way.

const ANALYST = 'analyst@demo.achilles.example'
const HMRC_ANALYST = 'analyst.hmrc@demo.achilles.example'
const skip = withoutChromium

let served: ServedApp
let browser: Browser
let entityId: string

before(async () => {
  if (skip) return
  served = await serveTestApp()
  const police = await apiFor(served, ANALYST)
  const hmrc = await apiFor(served, HMRC_ANALYST)
  const { left, right } = await twoPartners(police, hmrc)
  const run = await police('POST', '/api/v1/matching/runs', { leftDatasetId: left, rightDatasetId: right, purpose: 'GAIN: people known to police and HMRC', ...WIDE })
  assert.equal(run.status, 201, JSON.stringify(run.body))
  const entity = await police('POST', '/api/v1/entities', { schema: 'Person', fullName: 'Tyrone Kowalski', personRole: 'suspect', purpose: 'GAIN subject', reviewDate: '2028-01-01', protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency' })
  assert.equal(entity.status, 201, JSON.stringify(entity.body))
  entityId = entity.body.id
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

test('a reviewer works through the review queue, decides a pair and changes the decision with a reason', { skip }, async (t) => {
  const context = await browser.newContext()
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  const pageErrors = watchForPageErrors(page)
  const audit = new AccessibilityAudit()
  await signIn(page, served.baseUrl, ANALYST)

  await visit(page, '/matching')
  await audit.check(page, 'matching overview')
  await page.getByRole('link', { name: /Clerical review queue/ }).click()
  await page.waitForURL('**/matching/review')
  await audit.check(page, 'review queue')
  const rows = page.locator('table tbody tr')
  const before = await rows.count()
  assert.ok(before >= 3, `pairs to review: ${before}`)
  const firstLink = rows.first().locator('a')
  const pairName = await firstLink.innerText()
  await firstLink.click()
  await page.waitForURL('**/matching/pairs/**')
  const pairUrl = new URL(page.url()).pathname
  await audit.check(page, 'pair for review')
  assert.match(await page.locator('h1').innerText(), /Possible match/)
  const explanation = await page.locator('table', { hasText: 'Of which for a rare value' }).innerText()
  assert.match(explanation, /Date of birth/)
  assert.match(explanation, /Prior/)
  assert.match(explanation, /Total/)

  await page.check('input[name=decision][value=same]')
  await page.fill('#reason', 'Same date of birth and postcode; the e-mail address changed')
  let response = await submit(page, 'Save the decision')
  assert.equal(response?.status(), 200)
  assert.match(page.url(), /\/matching\/review$/, 'back to the queue')
  assert.match(await page.locator('body').innerText(), /Decision recorded/)
  assert.equal(await rows.count(), before - 1, 'the decided pair has left the queue')
  assert.ok(!(await page.locator('table tbody').innerText()).includes(pairName))
  await audit.check(page, 'review queue after a decision')

  // The decided pair again: changing the decision needs a reason.
  await visit(page, pairUrl)
  assert.match(await page.locator('#decide').innerText(), /Change the decision/)
  await page.check('input[name=decision][value=not_same]')
  response = await submit(page, 'Save the decision')
  assert.equal(response?.status(), 400)
  const summary = page.locator('.govuk-error-summary')
  assert.match(await summary.innerText(), /Enter why the earlier decision is being changed/)
  await audit.check(page, 'pair with a missing reason')
  await summary.getByRole('link', { name: /Enter why/ }).click()
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'reason', 'the summary link takes the reviewer to the field')
  await page.check('input[name=decision][value=not_same]')
  await page.fill('#reason', 'HMRC confirms these are brothers')
  response = await submit(page, 'Save the decision')
  assert.equal(response?.status(), 200)
  assert.match(await page.locator('body').innerText(), /Decision changed; the earlier one is kept/)
  const history = await page.locator('#history + table, #history ~ table').first().innerText()
  assert.match(history, /Not the same \(in force\)/)
  assert.match(history, /The same/)
  assert.match(history, /HMRC confirms these are brothers/)
  await audit.check(page, 'pair after a change of decision')

  await visit(page, '/matching')
  await page.locator('table a[href^="/matching/runs/"]').first().click()
  await page.waitForURL('**/matching/runs/**')
  assert.match(await page.locator('#model').innerText(), /parameters/)
  await audit.check(page, 'run with its model')

  // A match, linked to the person Achilles holds.
  await page.locator('table', { hasText: 'Weight (bits)' }).first().locator('tbody a').first().click()
  await page.waitForURL('**/matching/pairs/**')
  await audit.check(page, 'a match, with the form to link it')
  await page.check('input[name=entityId][value=other]')
  await page.fill('#entityIdOther', entityId)
  await page.fill('#linkReason', 'Our nominal')
  response = await submit(page, 'Link to the Achilles record')
  assert.equal(response?.status(), 200)
  assert.match(await page.locator('#entity-links + ul').innerText(), /Tyrone Kowalski: Our nominal/)
  await audit.check(page, 'a match linked to an Achilles record')

  t.diagnostic(audit.summary().join('\n'))
  audit.assertClean()
  assert.deepEqual(pageErrors, [])
  await context.close()
})

test('a partner’s file is uploaded, mapped and checked, with every problem listed, then imported', { skip }, async (t) => {
  const context = await browser.newContext()
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  const pageErrors = watchForPageErrors(page)
  const audit = new AccessibilityAudit()
  await signIn(page, served.baseUrl, ANALYST)
  const dir = mkdtempSync(path.join(tmpdir(), 'achilles-matching-'))
  const list = people(12, 3)
  const faulty = path.join(dir, 'licensing.csv')
  writeFileSync(faulty, firstPartnerCsv(list).replace(`\r\nP3,`, '\r\nP2,'))
  const clean = path.join(dir, 'licensing-fixed.csv')
  writeFileSync(clean, firstPartnerCsv(list))

  for (const [file, expectProblems] of [[faulty, true], [clean, false]] as const) {
    await visit(page, '/matching/datasets/new')
    await audit.check(page, 'upload form')
    await page.setInputFiles('#file', file)
    await submit(page, 'Upload and continue')
    assert.match(page.url(), /\/matching\/uploads\//)
    await audit.check(page, 'mapping page')
    assert.equal(await page.locator('#person-given_name').inputValue(), 'Forename', 'suggested from the headings')
    await page.selectOption('#idColumn', 'Ref')
    await page.fill('#purpose', 'GAIN: licence holders linked to a group')
    await page.fill('#reviewDate', '2028-06-30')
    await submit(page, 'Check the file')
    await audit.check(page, expectProblems ? 'check page with problems' : 'check page, clean')
    if (expectProblems) {
      assert.match(await page.locator('h1').innerText(), /The file has problems: nothing was imported/)
      assert.match(await page.locator('.govuk-error-summary').innerText(), /licensing\.csv, row 3, column A \("Ref"\): the identifier "P2" is on rows 3, 4/)
      continue
    }
    assert.equal(await page.locator('progress').isHidden(), true, 'the progress bar waits for the import')
    await submit(page, 'Import 12 records')
    assert.match(page.url(), /\/matching\/datasets\//)
    assert.match(await page.locator('body').innerText(), /12 records imported/)
    await audit.check(page, 'dataset page')
  }
  t.diagnostic(audit.summary().join('\n'))
  audit.assertClean()
  assert.deepEqual(pageErrors, [])
  await context.close()
})
