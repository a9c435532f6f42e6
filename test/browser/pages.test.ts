import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, test, type TestContext } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { ADMIN, PASSWORD } from '../support/app.ts'
import { AccessibilityAudit, launchChromium, serveTestApp, signIn, submit, watchForPageErrors, withoutChromium, type ServedApp } from '../support/browser.ts'

// Real Chromium against the real server on 127.0.0.1: sign-in, forms, error summaries, sign-out,
// and axe-core on every page visited. Skipped, saying why, where Chromium is not installed.

const ANALYST = 'analyst@demo.achilles.example'
const skip = withoutChromium

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

/** A fresh browser profile (no cookies) with one page, watched for script, CSP and asset errors. */
async function freshPage(): Promise<{ page: Page; pageErrors: string[] }> {
  const context = await browser.newContext()
  contexts.push(context)
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  return { page, pageErrors: watchForPageErrors(page) }
}

const url = (path: string) => `${served.baseUrl}${path}`
const pathOf = (page: Page) => {
  const u = new URL(page.url())
  return u.pathname + u.search
}

async function visit(page: Page, path: string, expectedStatus = 200) {
  const response = await page.goto(url(path))
  assert.equal(response?.status(), expectedStatus, `GET ${path} answered ${response?.status()}`)
  return response
}

async function heading(page: Page) {
  return (await page.locator('h1').first().innerText()).trim()
}

async function errorSummaryItems(page: Page) {
  return (await page.locator('.govuk-error-summary__list li').allInnerTexts()).map((s) => s.trim())
}

function finish(t: TestContext, audit: AccessibilityAudit, pageErrors: string[]) {
  for (const line of audit.summary()) t.diagnostic(line)
  assert.deepEqual(pageErrors, [], 'the pages had script, Content-Security-Policy or loading errors')
  audit.assertClean()
}

/** Submits a form that should be refused: 400, an error summary, and messages by the fields. */
async function submitExpectingErrors(page: Page, button: string): Promise<void> {
  const response = await submit(page, button)
  assert.equal(response?.status(), 400)
  assert.ok((await errorSummaryItems(page)).length > 0)
  assert.ok((await page.locator('.govuk-error-message').count()) > 0)
}

test('an administrator signs in, creates an agency, sees the error summary on a bad form, and signs out', { skip }, async (t) => {
  const { page, pageErrors } = await freshPage()
  const audit = new AccessibilityAudit()

  // Signed out, the home page sends you to sign in and brings you back afterwards.
  await visit(page, '/')
  assert.equal(pathOf(page), '/sign-in?next=%2F')
  assert.equal(await heading(page), 'Sign in')
  await audit.check(page, 'sign-in')

  await page.getByLabel('Email address').fill(ADMIN)
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
  const signedIn = await submit(page, 'Sign in')
  assert.equal(signedIn?.status(), 200)
  assert.equal(pathOf(page), '/')
  assert.match(await page.locator('.achilles-signed-in').innerText(), /Signed in as/)
  const cookies = await page.context().cookies()
  const session = cookies.find((c) => c.name === 'achilles_session')
  assert.ok(session, 'the session cookie was stored over http://127.0.0.1')
  assert.equal(session.secure, true)
  assert.equal(session.httpOnly, true)
  await audit.check(page, 'home (administrator)')

  await visit(page, '/agencies')
  assert.equal(await heading(page), 'Agencies')
  await audit.check(page, 'agencies list')

  await page.getByRole('button', { name: 'Add an agency' }).click()
  await page.waitForURL(url('/agencies/new'))
  assert.equal(await heading(page), 'Add an agency')
  await audit.check(page, 'agency form')

  // Empty form: the summary lists every problem, each field shows its own message.
  let response = await submit(page, 'Save')
  assert.equal(response?.status(), 400)
  assert.match(await page.title(), /^Error: /)
  const summary = page.locator('.govuk-error-summary')
  assert.equal(await summary.count(), 1)
  assert.match(await summary.locator('.govuk-error-summary__title').innerText(), /There is a problem/)
  const problems = await errorSummaryItems(page)
  // The name's message for an empty field is worded by src/http/fields.ts requiredText.
  assert.ok(problems.some((p) => /name/i.test(p)), `summary: ${problems.join(' | ')}`)
  assert.ok(problems.includes('Choose the type of agency'), `summary: ${problems.join(' | ')}`)
  assert.ok(problems.includes('Choose the region'), `summary: ${problems.join(' | ')}`)
  const nameProblem = problems.find((p) => /name/i.test(p))!
  assert.equal((await page.locator('#name-error').innerText()).replace(/^Error:\s*/, '').trim(), nameProblem)
  assert.match(await page.locator('#agencyType-error').innerText(), /Choose the type of agency/)
  assert.match(await page.locator('#region-error').innerText(), /Choose the region/)
  assert.ok((await page.locator('.govuk-error-message').count()) >= 3)
  // GOV.UK Frontend's script ran under the CSP: it focuses the summary, and its links move focus to the field.
  await page.waitForFunction(() => document.activeElement?.classList.contains('govuk-error-summary'))
  await summary.getByRole('link', { name: nameProblem }).click()
  await page.waitForFunction(() => document.activeElement?.id === 'name')
  await audit.check(page, 'agency form with errors (empty)')

  // What the user typed is kept when another field is wrong.
  const name = 'Rutland Modern Slavery Partnership'
  await page.getByLabel('Name', { exact: true }).fill(name)
  await page.getByLabel('GAIN region').selectOption({ label: 'East Midlands' })
  response = await submit(page, 'Save')
  assert.equal(response?.status(), 400)
  assert.deepEqual(await errorSummaryItems(page), ['Choose the type of agency'])
  assert.equal(await page.locator('#name').inputValue(), name)
  assert.equal(await page.locator('#name-error').count(), 0)
  assert.equal(await page.locator('#region').inputValue(), 'east-midlands')
  assert.match(await page.locator('#agencyType-error').innerText(), /Choose the type of agency/)
  await audit.check(page, 'agency form with errors (type missing)')

  await page.getByLabel('Type', { exact: true }).selectOption({ label: 'Police force' })
  response = await submit(page, 'Save')
  assert.equal(response?.status(), 200)
  assert.match(pathOf(page), /^\/agencies\/[0-9a-f-]{36}$/)
  assert.equal(await heading(page), name)
  const banner = page.locator('.govuk-notification-banner--success')
  assert.equal(await banner.count(), 1)
  assert.match(await banner.innerText(), new RegExp(`${name} added to the partner directory`))
  assert.match(await page.locator('.govuk-summary-list').innerText(), /Police force[\s\S]*East Midlands/)
  await audit.check(page, 'agency page with success banner')

  // The banner is shown once.
  await page.reload()
  assert.equal(await page.locator('.govuk-notification-banner--success').count(), 0)

  const signedOut = await submit(page, 'Sign out')
  assert.equal(signedOut?.status(), 200)
  assert.equal(pathOf(page), '/sign-in?signed-out=1')
  assert.equal(await heading(page), 'Sign in')
  assert.match(await page.locator('.govuk-inset-text').innerText(), /You have signed out/)
  assert.equal(await page.locator('.achilles-signed-in').count(), 0)
  assert.equal((await page.context().cookies()).find((c) => c.name === 'achilles_session'), undefined)
  await audit.check(page, 'sign-in after signing out')

  await visit(page, '/')
  assert.equal(pathOf(page), '/sign-in?next=%2F')
  await visit(page, '/agencies')
  assert.equal(pathOf(page), '/sign-in?next=%2Fagencies')

  finish(t, audit, pageErrors)
})

test('a wrong password shows the error summary and keeps the email address', { skip }, async (t) => {
  const { page, pageErrors } = await freshPage()
  const audit = new AccessibilityAudit()
  const response = await signIn(page, served.baseUrl, ADMIN, 'not the right password')
  assert.equal(response?.status(), 401)
  assert.equal(pathOf(page), '/sign-in')
  assert.match(await page.title(), /^Error: Sign in/)
  assert.deepEqual(await errorSummaryItems(page), ['Enter a correct email address and password'])
  assert.match(await page.locator('#email-error').innerText(), /Enter a correct email address and password/)
  assert.equal(await page.locator('#email').inputValue(), ADMIN)
  assert.equal(await page.locator('#password').inputValue(), '')
  assert.equal((await page.context().cookies()).find((c) => c.name === 'achilles_session'), undefined)
  await audit.check(page, 'sign-in with errors')

  // Nothing else opens without signing in.
  await visit(page, '/users')
  assert.equal(pathOf(page), '/sign-in?next=%2Fusers')
  finish(t, audit, pageErrors)
})

test("the administrator's pages pass axe-core", { skip }, async (t) => {
  const { page, pageErrors } = await freshPage()
  const audit = new AccessibilityAudit()
  await signIn(page, served.baseUrl, ADMIN)
  assert.equal(pathOf(page), '/')

  await visit(page, '/users')
  assert.equal(await heading(page), 'Users')
  await audit.check(page, 'users list')
  await page.locator('table a[href^="/users/"]').first().click()
  await page.waitForURL(/\/users\/[0-9a-f-]{36}$/)
  await audit.check(page, 'user page')

  await visit(page, '/users/new')
  assert.equal(await heading(page), 'Add a user')
  await audit.check(page, 'user form')
  await submitExpectingErrors(page, 'Save')
  await audit.check(page, 'user form with errors')

  await visit(page, '/audit')
  assert.equal(await heading(page), 'Audit log')
  await audit.check(page, 'audit log')
  await visit(page, '/audit?from=yesterday', 400)
  assert.ok((await errorSummaryItems(page)).length > 0)
  await audit.check(page, 'audit log search with errors')

  await visit(page, '/account/tokens')
  assert.equal(await heading(page), 'API tokens')
  await audit.check(page, 'API tokens (administrator)')

  const agencyId = served.partnership.agencies[0]!.id
  await visit(page, `/agencies/${agencyId}/edit`)
  await audit.check(page, 'agency change form')

  await visit(page, '/no-such-page', 404)
  assert.equal(await heading(page), 'Page not found')
  await audit.check(page, '404 (no such page)')
  await visit(page, `/agencies/${randomUUID()}`, 404)
  assert.equal(await heading(page), 'Page not found')
  await audit.check(page, '404 (no such agency)')

  // Administrators do not see personal records.
  await visit(page, '/notes', 403)
  assert.equal(await heading(page), 'You do not have permission to do this')
  await audit.check(page, '403 (notes as administrator)')

  finish(t, audit, pageErrors)
})

test("the analyst's pages pass axe-core, and the pages the analyst may not open say so", { skip }, async (t) => {
  const { page, pageErrors } = await freshPage()
  const audit = new AccessibilityAudit()
  await signIn(page, served.baseUrl, ANALYST)
  assert.equal(pathOf(page), '/')
  await audit.check(page, 'home (analyst)')

  await visit(page, '/notes')
  assert.equal(await heading(page), 'Shared notes')
  await audit.check(page, 'notes list')
  const first = page.locator('table a[href^="/notes/"]').first()
  const subject = (await first.innerText()).trim()
  await first.click()
  await page.waitForURL(/\/notes\/[0-9a-f-]{36}$/)
  assert.equal(await heading(page), subject)
  await audit.check(page, 'note page')

  await visit(page, '/notes/new')
  assert.equal(await heading(page), 'Record a note')
  await audit.check(page, 'note form')
  await submitExpectingErrors(page, 'Save note')
  await audit.check(page, 'note form with errors')

  await visit(page, '/account/tokens')
  let response = await submit(page, 'Make token')
  assert.equal(response?.status(), 400)
  assert.ok((await errorSummaryItems(page)).length > 0)
  await audit.check(page, 'API tokens with errors')
  await page.getByLabel('Name', { exact: true }).fill('Case system')
  await page.getByLabel('records:read', { exact: true }).check()
  response = await submit(page, 'Make token')
  assert.equal(response?.status(), 200)
  assert.equal(await heading(page), 'Token made')
  assert.match(await page.locator('#token').innerText(), /\S{20,}/)
  await audit.check(page, 'new API token')
  await visit(page, '/account/tokens')
  assert.match(await page.locator('table').innerText(), /Case system/)
  await audit.check(page, 'API tokens (analyst, one token)')

  await visit(page, '/audit', 403)
  assert.equal(await heading(page), 'You do not have permission to do this')
  assert.match(await page.locator('main').innerText(), /audit capability/)
  await audit.check(page, '403 (audit log as analyst)')
  await visit(page, '/agencies/new', 403)
  await audit.check(page, '403 (agency form as analyst)')
  await visit(page, `/notes/${randomUUID()}`, 404)
  await audit.check(page, '404 (no such note)')

  // A form whose security token was tampered with is refused with an explanation.
  await visit(page, '/notes/new')
  await page.locator('form[action="/notes"] input[name="_csrf"]').evaluate((input) => ((input as HTMLInputElement).value = 'forged'))
  response = await submit(page, 'Save note')
  assert.equal(response?.status(), 403)
  assert.equal(await heading(page), 'The form could not be accepted')
  await audit.check(page, '403 (form with a forged CSRF token)')

  finish(t, audit, pageErrors)
})
