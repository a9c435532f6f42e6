import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { AccessibilityAudit, launchChromium, serveTestApp, signIn, submit, watchForPageErrors, withoutChromium, type ServedApp } from '../support/browser.ts'
import { signedIn } from '../support/app.ts'
import { HIDDEN_CONDITIONS, HMRC, POLICE, seedNetwork, type Fixture } from './network-fixture.ts'

// The network pages in real Chromium, each checked by axe-core: the start form and search, the
// list view with measures and links, key players of a group, the export form and the edge-list
// upload; and the list page never shows HMRC what it may not see. Skipped where Chromium is missing.

const skip = withoutChromium
let served: ServedApp
let browser: Browser
let f: Fixture

before(async () => {
  if (skip) return
  served = await serveTestApp()
  f = await seedNetwork(served)
  browser = await launchChromium()
})
after(async () => {
  if (skip) return
  await browser?.close()
  await served?.close()
})

test('the list view never shows HMRC the hidden link, person or record', { skip }, async () => {
  const hmrc = await signedIn(served.app, HMRC)
  const page = await hmrc.get(`/network?start=entity:${f.ann}&hops=3`)
  assert.equal(page.status, 200)
  assert.match(page.body, /Bob Network/)
  for (const hidden of ['Dan Hidden', HIDDEN_CONDITIONS, 'Police source: do not disclose']) assert.ok(!page.body.includes(hidden), hidden)
  assert.equal((await hmrc.get(`/network?start=entity:${f.dan}`)).status, 404)
  const police = await signedIn(served.app, POLICE)
  assert.match((await police.get(`/network?start=entity:${f.ann}&hops=3`)).body, new RegExp(HIDDEN_CONDITIONS))
})

test('an analyst starts from a search, reads the network, finds key players, exports and measures an edge list; every page passes axe-core', { skip }, async (t) => {
  const context = await browser.newContext()
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  const pageErrors = watchForPageErrors(page)
  const audit = new AccessibilityAudit()
  await signIn(page, served.baseUrl, POLICE)

  await page.goto(`${served.baseUrl}/network`)
  await audit.check(page, 'network start form')
  await page.getByLabel('Start from').fill('Ann Net')
  await submit(page, 'Find')
  await audit.check(page, 'network search results')
  await page.getByRole('link', { name: 'Ann Network' }).click()
  await page.waitForURL(/start=entity/)
  assert.match(await page.locator('h1').innerText(), /Network of Ann Network/)
  assert.match(await page.locator('main').innerText(), /Share an address/)
  assert.match(await page.locator('main').innerText(), new RegExp(HIDDEN_CONDITIONS))
  await audit.check(page, 'network list view')
  await page.getByRole('link', { name: 'Links', exact: true }).click()
  await audit.check(page, 'network list sorted by links')

  await page.goto(`${served.baseUrl}/network?start=entity:${f.ann}&hops=99`)
  assert.match(await page.locator('.govuk-error-summary').innerText(), /hops must be \d+ or fewer/)
  await audit.check(page, 'network with a hop error')

  await page.goto(`${served.baseUrl}/groups/${f.group}`)
  await page.getByRole('link', { name: 'Network and key players' }).click()
  await page.getByLabel('How many members to remove').fill('2')
  await submit(page, 'Find key players')
  assert.match(await page.locator('#key-players ~ table').first().innerText(), /Network/)
  await audit.check(page, 'key players of a group')

  const download = page.waitForEvent('download')
  await page.getByLabel('GEXF (Gephi)').check()
  await page.getByLabel('Why you are exporting it').fill('Joint disruption planning')
  await page.getByRole('button', { name: 'Export' }).click()
  const file = await download
  assert.match(file.suggestedFilename(), /\.gexf$/)

  await page.goto(`${served.baseUrl}/network/measures`)
  await audit.check(page, 'edge-list upload form')
  await page.setInputFiles('#file', { name: 'calls.csv', mimeType: 'text/csv', buffer: Buffer.from('source,target,weight\nA,B,2\nB,C,1\nC,A,1\nC,D,1\n') })
  await submit(page, 'Show the measures')
  assert.match(await page.locator('table').innerText(), /C\s+3/)
  await audit.check(page, 'edge-list measures')
  await page.setInputFiles('#file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('from,to\nA,B\n') })
  const bad = await submit(page, 'Show the measures')
  assert.equal(bad?.status(), 400)
  await audit.check(page, 'edge-list with errors')

  for (const line of audit.summary()) t.diagnostic(line)
  assert.deepEqual(pageErrors, [])
  audit.assertClean()
  await context.close()
})
