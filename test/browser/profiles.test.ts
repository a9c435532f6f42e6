import assert from 'node:assert/strict'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext } from 'playwright-core'
import { importOpenData } from '../../src/modules/opendata/service.ts'
import { AccessibilityAudit, launchChromium, serveTestApp, signIn, submit, watchForPageErrors, withoutChromium, type ServedApp } from '../support/browser.ts'

// An analyst in real Chromium makes a local profile of Leicester from the shared data (the city's
// LSOA boundaries, the lookups, IMD 2019 and two months of police.uk crime), writes the narrative
// of one section, sees version 2 with the contribution listed and compares it with version 1;
// then draws a custom area by pasting a GeoJSON polygon over the city centre and opens the partner
// overlays of Leicester. axe-core checks each page.

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data')
const ANALYST = 'analyst@demo.achilles.example'
const LEICESTER = 'E06000016'
const skip = withoutChromium

let served: ServedApp
let browser: Browser
const contexts: BrowserContext[] = []

before(async () => {
  if (skip) return
  served = await serveTestApp()
  const hooks = { now: new Date('2026-12-02T12:00:00Z'), importedBy: 'profiles browser test' }
  for (const request of [
    { kind: 'lookups', paths: [path.join(DATA, 'geo/LAD17_CSP17_PFA17_lookup_EW.csv'), path.join(DATA, 'deprivation/OA11_LSOA11_MSOA11_LAD17_classification_lookup.csv.gz')] },
    { kind: 'imd', paths: [path.join(DATA, 'deprivation/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv'), path.join(DATA, 'deprivation/File_6_-_IoD2019_Population_Denominators.csv')] },
    { kind: 'boundaries', level: 'lsoa', paths: [path.join(DATA, 'geo/lsoa11_E06000016.geojson')] },
    { kind: 'police-crime', paths: ['2020-01', '2020-02'].map((m) => path.join(DATA, 'police/leicestershire', `${m}-leicestershire-street.csv`)) },
  ]) {
    const report = await importOpenData(served.db, request, hooks)
    assert.equal(report.status, 'loaded', JSON.stringify(report).slice(0, 500))
  }
  browser = await launchChromium()
})

after(async () => {
  if (skip) return
  for (const context of contexts) await context.close().catch(() => {})
  await browser?.close()
  await served?.close()
})


test('an analyst makes, edits and compares a local profile, draws a custom area and opens the overlays, and axe-core passes', { skip }, async (t) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } })
  contexts.push(context)
  context.setDefaultTimeout(20_000)
  // No request may leave the machine.
  const outside: string[] = []
  await context.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => {
    outside.push(route.request().url())
    return route.abort()
  })
  const page = await context.newPage()
  const pageErrors = watchForPageErrors(page)
  const audit = new AccessibilityAudit()
  const h1 = async () => (await page.locator('h1').innerText()).trim()
  const banner = async () => (await page.locator('.govuk-notification-banner').innerText()).trim()

  await signIn(page, served.baseUrl, ANALYST)
  const nav = page.getByRole('navigation', { name: 'Main menu' })

  // Make the profile.
  await nav.getByRole('link', { name: 'Local profiles', exact: true }).click()
  await page.waitForURL(/\/profiles$/)
  await page.getByRole('button', { name: 'Make a local profile' }).click()
  await page.waitForURL(/\/profiles\/new$/)
  await page.getByLabel('Title', { exact: true }).fill('Leicester SOC local profile, early 2020')
  await page.getByLabel('Area', { exact: true }).selectOption(LEICESTER)
  await page.getByLabel('From (month)').fill('2020-01')
  await page.getByLabel('To (month)').fill('2020-02')
  await page.getByLabel('Purpose').fill('SOC local profile for the Leicester community safety partnership board')
  await page.getByLabel('Review date').fill('2027-06-30')
  await audit.check(page, 'make a local profile')
  let response = await submit(page, 'Build the profile')
  assert.equal(response?.status(), 200)
  assert.match(page.url(), /\/profiles\/[0-9a-f-]{36}$/)
  const profileUrl = page.url()
  assert.equal(await h1(), 'Leicester SOC local profile, early 2020')
  assert.match(await banner(), /Local profile built: version 1 holds the figures/)
  assert.match(await page.locator('.govuk-summary-list').innerText(), /Leicester \(E06000016\)/)
  assert.match(await page.locator('.govuk-summary-list').innerText(), /1 of 1/)
  await audit.check(page, 'local profile, version 1')

  // Write the narrative of one section.
  await page.getByRole('button', { name: 'Edit the narrative' }).click()
  await page.waitForURL(/\/edit$/)
  assert.equal(await h1(), 'Edit the narrative')
  await page.getByLabel('Threat by theme', { exact: true }).fill('Drug supply through county lines is concentrated in the city centre.\n\nCannabis cultivation in rented houses is reported by housing officers.')
  await page.getByLabel('What you changed').fill('Police: threat section')
  await audit.check(page, 'edit the narrative')
  response = await submit(page, 'Save a new version')
  assert.equal(response?.status(), 200)
  assert.equal(page.url(), profileUrl)
  assert.match(await banner(), /Version 2 saved/)
  assert.match(await page.locator('.govuk-summary-list').innerText(), /2 of 2/)
  const threat = page.locator('section#threat')
  assert.match(await threat.innerText(), /Drug supply through county lines is concentrated in the city centre\./)
  const contributions = page.locator('h2:text-is("Contributions") + ul')
  assert.deepEqual((await contributions.locator('li').allInnerTexts()).map((s) => s.trim()), ['Leicestershire Police: Threat by theme'])
  const versions = page.locator('h2:text-is("Versions") + table tbody tr')
  assert.equal(await versions.count(), 2)
  assert.match(await versions.first().innerText(), /Version 2.*Threat by theme.*Police: threat section/s)
  await audit.check(page, 'local profile, version 2')

  // Compare the two versions.
  assert.equal(await page.getByLabel('Compare version').inputValue(), '1')
  assert.equal(await page.getByLabel('with version').inputValue(), '2')
  response = await submit(page, 'Compare')
  assert.equal(response?.status(), 200)
  assert.match(page.url(), /\/compare\?from=1&to=2$/)
  assert.equal(await h1(), 'Version 1 against version 2')
  assert.equal(await page.locator('.achilles-added').count(), 2, 'both paragraphs are new in version 2')
  assert.match(await page.locator('main').innerText(), /The figures are the same in both versions\./)
  await audit.check(page, 'compare versions')

  // A custom area drawn on the map over Leicester's middle: four corners clicked round its centre.
  await nav.getByRole('link', { name: 'Custom areas', exact: true }).click()
  await page.waitForURL(/\/areas\/custom$/)
  await page.getByRole('button', { name: 'Make a custom area' }).click()
  await page.waitForURL(/\/areas\/custom\/new$/)
  await page.getByLabel('Name', { exact: true }).fill('Leicester city centre')
  const drawMap = page.locator('#draw-map')
  // Leicester's 192 LSOA outlines drawn, besides the empty shape.
  await page.waitForFunction(() => document.querySelectorAll('#draw-map path').length > 192)
  const box = (await drawMap.boundingBox())!
  const cx = box.width / 2
  const cy = box.height / 2
  for (const [dx, dy] of [[-70, -70], [70, -70], [70, 70], [-70, 70], [0, 0]]) await drawMap.click({ position: { x: cx + dx!, y: cy + dy! } })
  await page.getByRole('button', { name: 'Undo the last corner' }).click()
  assert.match(await page.locator('#draw-status').innerText(), /^4 corners/)
  const drawn = JSON.parse(await page.getByLabel('Or paste the GeoJSON').inputValue())
  assert.equal(drawn.type, 'Polygon')
  assert.equal(drawn.coordinates[0].length, 5, 'four corners and the first again')
  await audit.check(page, 'make a custom area')
  response = await submit(page, 'Make the area')
  assert.equal(response?.status(), 200)
  assert.match(page.url(), /\/areas\/custom\/custom-\d+$/)
  const made = /Leicester city centre made from (\d+) LSOAs/.exec(await banner())
  assert.ok(made, await banner())
  assert.ok(Number(made[1]) >= 5 && Number(made[1]) < 192, `part of Leicester's 192 LSOAs: ${made[1]}`)
  await audit.check(page, 'custom area')

  // The partner overlays of Leicester.
  response = await page.goto(`${served.baseUrl}/overlays?area=${LEICESTER}`)
  assert.equal(response?.status(), 200)
  assert.match(await page.locator('main').innerText(), /Leicester/)
  assert.match(await page.locator('main').innerText(), /Group members/)
  await audit.check(page, 'partner overlays of Leicester')

  for (const line of audit.summary()) t.diagnostic(line)
  assert.deepEqual(pageErrors, [], 'the pages had script, Content-Security-Policy or loading errors')
  assert.deepEqual(outside, [], 'nothing was fetched from outside the machine')
  audit.assertClean()
})
