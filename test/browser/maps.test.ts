import assert from 'node:assert/strict'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { importOpenData } from '../../src/modules/opendata/service.ts'
import { AccessibilityAudit, launchChromium, serveTestApp, signIn, submit, watchForPageErrors, withoutChromium, type ServedApp } from '../support/browser.ts'

// An analyst in real Chromium opens the map of the Leicestershire force area (the shared LSOA
// boundaries and a month of police.uk crime), sees Leaflet draw every LSOA from the database with no
// base tiles, opens one LSOA's label, switches to hot spots and to a crime type and sees the key and
// the table follow, lays a heat map (kernel density) of drugs over the deprivation deciles and hides
// and shows it; axe-core checks each view and the page with an error.

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data')
const ANALYST = 'analyst@demo.achilles.example'
const skip = withoutChromium

let served: ServedApp
let browser: Browser
const contexts: BrowserContext[] = []

before(async () => {
  if (skip) return
  served = await serveTestApp()
  const hooks = { now: new Date('2026-12-02T12:00:00Z'), importedBy: 'maps browser test' }
  for (const request of [
    { kind: 'lookups', paths: [path.join(DATA, 'geo/LAD17_CSP17_PFA17_lookup_EW.csv'), path.join(DATA, 'deprivation/OA11_LSOA11_MSOA11_LAD17_classification_lookup.csv.gz')] },
    { kind: 'boundaries', level: 'lsoa', paths: ['lsoa11_E06000016.geojson', 'lsoa11_E10000018.geojson', 'lsoa11_E06000017.geojson'].map((f) => path.join(DATA, 'geo', f)) },
    { kind: 'police-crime', paths: [path.join(DATA, 'police/leicestershire/2020-01-leicestershire-street.csv')] },
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

const legend = async (page: Page) => (await page.locator('#legend .achilles-legend__label').allInnerTexts()).map((s) => s.trim())
const caption = async (page: Page) => (await page.locator('#layer-table caption').innerText()).trim()
const tableRows = (page: Page) => page.locator('#layer-table tbody tr')

/** Waits until the map has drawn the layer, and returns the fill colours of its paths. */
async function drawn(page: Page, layer: string): Promise<string[]> {
  await page.waitForSelector(`#map[data-drawn-layer="${layer}"]`, { timeout: 30_000 })
  return page.locator('#map path.leaflet-interactive').evaluateAll((paths) => paths.map((p) => p.getAttribute('fill') ?? ''))
}

test('the map draws every LSOA from the database, follows a change of layer, and passes axe-core', { skip }, async (t) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } })
  contexts.push(context)
  context.setDefaultTimeout(15_000)
  // No request may leave the machine: the map must work with no internet.
  const outside: string[] = []
  await context.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => {
    outside.push(route.request().url())
    return route.abort()
  })
  const page = await context.newPage()
  const pageErrors = watchForPageErrors(page)
  const audit = new AccessibilityAudit()

  await signIn(page, served.baseUrl, ANALYST)
  await page.getByRole('link', { name: 'Crime map' }).click()
  await page.waitForURL(/\/maps$/)
  assert.equal((await page.locator('h1').innerText()).trim(), 'Crime map: Leicestershire')

  let fills = await drawn(page, 'all')
  assert.equal(fills.length, 611, 'one path per LSOA')
  assert.equal(await page.locator('#map').getAttribute('data-drawn'), '611')
  const allKey = await page.locator('#legend .achilles-legend__item svg rect').evaluateAll((rects) => rects.map((r) => r.getAttribute('fill')))
  assert.ok(fills.every((f) => allKey.includes(f)), 'every LSOA is coloured from the key')
  assert.equal(await tableRows(page).count(), 611)
  assert.match(await caption(page), /^All recorded crime, crimes and anti-social behaviour incidents by LSOA, highest first$/)
  assert.match(await page.locator('#map .leaflet-control-attribution').innerText(), /Open Government Licence v3\.0.*data\.police\.uk.*Office for National Statistics/s)
  assert.equal(await page.locator('#map .leaflet-tile').count(), 0, 'no base tiles unless configured')
  await audit.check(page, 'map of all recorded crime')

  // Clicking an LSOA names it, with its code and value.
  await page.locator('#map').scrollIntoViewIfNeeded()
  const box = (await page.locator('#map').boundingBox())!
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
  const popup = (await page.locator('.leaflet-popup-content').innerText()).trim()
  assert.match(popup, /E01\d{6}/)
  assert.match(popup, /Crimes and anti-social behaviour incidents: \d+/)

  // Hot spots.
  await page.getByLabel('Layer', { exact: true }).selectOption('hotspots')
  let response = await submit(page, 'Show on the map')
  assert.equal(response?.status(), 200)
  fills = await drawn(page, 'hotspots')
  assert.equal(fills.length, 611)
  assert.ok(fills.includes('#b2182b'), 'a 99% hot spot is drawn in its colour')
  assert.deepEqual((await legend(page)).slice(0, 7), [
    'Hot spot, 99% confidence', 'Hot spot, 95% confidence', 'Hot spot, 90% confidence', 'Not significant',
    'Cold spot, 90% confidence', 'Cold spot, 95% confidence', 'Cold spot, 99% confidence',
  ])
  assert.match(await caption(page), /Getis-Ord Gi\*/)
  assert.equal((await tableRows(page).first().locator('td').nth(4).innerText()).trim(), 'Hot spot, 99% confidence', 'hottest first')
  await audit.check(page, 'map of hot spots')

  // A crime type, as a count.
  await page.getByLabel('Layer', { exact: true }).selectOption({ label: 'Drugs' })
  response = await submit(page, 'Show on the map')
  assert.equal(response?.status(), 200)
  fills = await drawn(page, 'type:drugs')
  assert.equal(fills.length, 611)
  assert.match(await caption(page), /^Drugs, crimes by LSOA/)
  assert.ok(!(await legend(page)).includes('Not significant'))
  assert.equal(await page.getByLabel('Layer', { exact: true }).inputValue(), 'type:drugs', 'the choice is kept')
  await audit.check(page, 'map of drugs crimes')

  // A heat map of drugs over the deprivation deciles: one image of the surface's cells over the LSOAs,
  // its own key, a table of the densest places, and a control to show or hide each.
  await page.getByLabel('Layer', { exact: true }).selectOption('imd')
  await page.getByLabel('Heat map over the layer').selectOption('slice:drugs')
  await page.getByLabel('Heat map bandwidth').selectOption('1000')
  response = await submit(page, 'Show on the map')
  assert.equal(response?.status(), 200)
  await drawn(page, 'imd')
  await page.waitForSelector('#map[data-density-runs]', { timeout: 30_000 })
  const image = page.locator('#map img.achilles-density')
  assert.equal(await image.count(), 1)
  assert.match((await image.getAttribute('src')) ?? '', /^data:image\/png;base64,/)
  // The image's pixels: shaded cells in the key's four colours, and clear where the density is under the mean.
  const pixels = await image.evaluate(async (img: HTMLImageElement) => {
    await img.decode()
    const canvas = document.createElement('canvas')
    canvas.width = img.naturalWidth
    canvas.height = img.naturalHeight
    const context = canvas.getContext('2d')!
    context.drawImage(img, 0, 0)
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data
    const colours = new Set<string>()
    let clear = 0
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) clear++
      else colours.add('#' + [data[i], data[i + 1], data[i + 2]].map((v) => v!.toString(16).padStart(2, '0')).join(''))
    }
    return { colours: [...colours].sort(), clear, total: data.length / 4 }
  })
  const densityKey = await page.locator('#density-legend svg rect').evaluateAll((rects) => rects.map((r) => r.getAttribute('fill')))
  assert.deepEqual(pixels.colours, [...densityKey].sort(), 'every shaded pixel is in a colour of the key, and every colour is used')
  assert.ok(pixels.clear > pixels.total / 2, `${pixels.clear} of ${pixels.total} pixels are clear`)
  assert.equal(await page.locator('#density-legend .achilles-legend__item').count(), 4)
  assert.ok((await page.locator('#density-table tbody tr').count()) >= 3)
  assert.match(await page.locator('#density-table tbody tr').first().innerText(), /Leicester \d{3}[A-Z] \(E01\d{6}\)/)
  // The layers control hides the heat map and brings it back.
  const toggle = page.getByRole('checkbox', { name: 'Heat map: drugs' })
  await toggle.uncheck()
  assert.equal(await image.count(), 0)
  await toggle.check()
  assert.equal(await page.locator('#map img.achilles-density').count(), 1)
  await audit.check(page, 'map of deprivation with a heat map of drugs')

  // A period that runs backwards is refused, naming the field.
  await page.getByLabel('From').selectOption('2020-01')
  await page.goto(`${served.baseUrl}/maps?area=E23000021&from=2020-02&to=2020-01&layer=all`)
  assert.deepEqual((await page.locator('.govuk-error-summary__list li').allInnerTexts()).map((s) => s.trim()), ['To must be the same month as From or after it'])
  assert.equal(await page.locator('#map').count(), 0)
  await audit.check(page, 'map page with an error')

  for (const line of audit.summary()) t.diagnostic(line)
  assert.deepEqual(pageErrors, [], 'the pages had script, Content-Security-Policy or loading errors')
  assert.deepEqual(outside, [], 'nothing was fetched from outside the machine')
  audit.assertClean()
})
