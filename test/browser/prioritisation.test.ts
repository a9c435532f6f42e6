import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, test } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { TACTICAL_MODEL } from '../../src/core/scoring/defaultModels.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { ensureDefaultModels } from '../../src/modules/prioritisation/service.ts'
import { AccessibilityAudit, launchChromium, serveTestApp, signIn, submit, watchForPageErrors, withoutChromium, type ServedApp } from '../support/browser.ts'

// An analyst in real Chromium opens the priority board, scores a group lower on it so that it rises
// above another, and sees the board reorder; axe-core checks the board, the assessment form (also
// with errors) and the assessment page.

const ANALYST = 'analyst@demo.achilles.example'
const skip = withoutChromium
const AREA = `Browserton ${randomUUID().slice(0, 8)}`

let served: ServedApp
let browser: Browser
const contexts: BrowserContext[] = []

before(async () => {
  if (skip) return
  served = await serveTestApp()
  await ensureDefaultModels(served.db)
  browser = await launchChromium()
})

after(async () => {
  if (skip) return
  for (const context of contexts) await context.close().catch(() => {})
  await browser?.close()
  await served?.close()
})

const analyst = () => served.partnership.users.find((u) => u.email === ANALYST)!

async function group(name: string): Promise<string> {
  const row = await served.db.kysely
    .insertInto('ocgs')
    .values({
      name, status: 'active', threat_areas: ['drugs'], areas: [AREA], owning_agency_id: analyst().agencyId, purpose: 'Browser test of the priority board',
      protective_marking: 'OFFICIAL', handling_code: 'P', sharing_scope: 'partnership', review_date: '2027-06-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** Scores a group through the API, as another session of the analyst would. */
async function scoreThroughApi(groupId: string, values: Record<string, number>): Promise<void> {
  const { token } = await issueApiToken(served.ctx, 'system', analyst().id, { name: 'browser test', scopes: ['records:read', 'records:write'] })
  const factors = Object.fromEntries(Object.entries(values).map(([id, value]) => [id, { value, rationale: `Recorded by the test for ${id}` }]))
  const res = await served.app.inject({
    method: 'POST',
    url: '/api/v1/assessments',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ subjectType: 'group', subjectId: groupId, factors, confidence: 3, reviewDate: '2030-01-01' }),
  })
  assert.equal(res.statusCode, 201, res.body)
}

const boardOrder = async (page: Page) => (await page.locator('#group-board tbody tr td:nth-child(2) a').allInnerTexts()).map((s) => s.trim())

test('an analyst scores a group lower on the board and sees it rise above another; the pages pass axe-core', { skip }, async (t) => {
  const leader = 'Harbour Road Crew'
  const climber = 'Canal Street Network'
  await scoreThroughApi(await group(leader), { physical: 5, psychological: 4, financial: 4, community_and_environment: 4, geographic_scope: 1, victim_vulnerability: 4, likelihood: 4, capacity: 2, capability: 4 })
  await scoreThroughApi(await group(climber), { physical: 2, psychological: 2, financial: 2, community_and_environment: 1, geographic_scope: 1, victim_vulnerability: 1, likelihood: 2, capacity: 4, capability: 4 })

  const context = await browser.newContext()
  contexts.push(context)
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  const pageErrors = watchForPageErrors(page)
  const audit = new AccessibilityAudit()

  await signIn(page, served.baseUrl, ANALYST)
  const boardUrl = `${served.baseUrl}/priorities?area=${encodeURIComponent(AREA)}`
  assert.equal((await page.goto(boardUrl))?.status(), 200)
  assert.equal((await page.locator('h1').innerText()).trim(), 'Priority groups')
  assert.deepEqual(await boardOrder(page), [leader, climber])
  await audit.check(page, 'group priority board')

  // Re-score the group lower on the board.
  await page.getByRole('link', { name: `Re-score ${climber}` }).click()
  await page.waitForURL(/\/priorities\/assess\?/)
  assert.equal((await page.locator('h1').innerText()).trim(), `Assess ${climber}`)
  await audit.check(page, 'assessment form')

  // The form starts from the current answers; the analyst raises every harm to the top of its scale.
  for (const f of TACTICAL_MODEL.factors) {
    const point = f.part === 'organisational_position' ? f.scale[0]! : f.scale.at(-1)!
    await page.getByRole('group', { name: f.label, exact: true }).getByLabel(`${point.value} – ${point.label}`, { exact: true }).check()
    await page.getByLabel(`Why you chose this score for ${f.label.toLowerCase()}`, { exact: true }).fill(f.id === 'likelihood' ? '' : `New intelligence on ${f.label.toLowerCase()}`)
  }
  // A rationale left empty is refused with the error summary and the field's message.
  let response = await submit(page, 'Save assessment')
  assert.equal(response?.status(), 400)
  const summary = (await page.locator('.govuk-error-summary__list li').allInnerTexts()).map((s) => s.trim())
  assert.deepEqual(summary, ['Explain why you gave Likelihood this score: every score records its reason'])
  await page.waitForFunction(() => document.activeElement?.classList.contains('govuk-error-summary'))
  await audit.check(page, 'assessment form with errors')
  assert.equal(await page.getByRole('group', { name: 'Physical harm', exact: true }).getByLabel('5 – Critical', { exact: true }).isChecked(), true, 'answers are kept')

  await page.getByLabel('Why you chose this score for likelihood', { exact: true }).fill('Daily supply seen by three agencies')
  response = await submit(page, 'Save assessment')
  assert.equal(response?.status(), 200)
  assert.match(new URL(page.url()).pathname, /^\/assessments\/[0-9a-f-]{36}$/)
  assert.equal((await page.locator('h1').innerText()).trim(), climber)
  assert.match(await page.locator('.govuk-notification-banner--success').innerText(), /Assessment saved: 100\.0 out of 100, Priority 1/)
  assert.match(await page.locator('main').innerText(), /Daily supply seen by three agencies/)
  await audit.check(page, 'assessment page')

  await page.getByRole('link', { name: 'Back to the board' }).click()
  await page.waitForURL(/\/priorities$/)
  // The filters take part of a name, typed: the area in another case, the owning agency in part.
  await page.getByLabel('Area it operates in').fill(AREA.toLowerCase())
  await page.getByLabel('Owning agency').fill(served.partnership.agencies.find((a) => a.id === analyst().agencyId)!.name.slice(0, 12))
  await Promise.all([page.waitForURL(/\/priorities\?/), page.getByRole('button', { name: 'Filter' }).click()])
  assert.deepEqual(await boardOrder(page), [climber, leader], 'the re-scored group now leads the board')
  assert.equal(await page.getByLabel('Area it operates in').inputValue(), AREA.toLowerCase(), 'the filter is kept')
  await audit.check(page, 'group priority board after re-scoring')

  for (const [path, name] of [['/priorities/people', 'people priority board'], ['/priorities/threats', 'threat area board'], ['/models/tactical/1', 'model page']] as const) {
    assert.equal((await page.goto(`${served.baseUrl}${path}`))?.status(), 200)
    await audit.check(page, name)
  }

  for (const line of audit.summary()) t.diagnostic(line)
  assert.deepEqual(pageErrors, [], 'the pages had script, Content-Security-Policy or loading errors')
  audit.assertClean()
})
