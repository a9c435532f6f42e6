import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { encodeRecords, encodingsText } from '../../src/core/matching/privacy/encode.ts'
import type { SourceRecord } from '../../src/core/matching/record.ts'
import { AccessibilityAudit, launchChromium, serveTestApp, signIn, submit, watchForPageErrors, withoutChromium, type ServedApp } from '../support/browser.ts'

// Privacy-preserving matching as people do it in a real browser: two agencies upload the files
// `achilles encode` wrote (one tries a CSV first and is told why not), a third asks about a subject
// it encoded and is told which agency to call; the holder sees who asked. axe-core on every page.

const POLICE = 'analyst@demo.achilles.example'
const HMRC = 'analyst.hmrc@demo.achilles.example'
const TRADING_STANDARDS = 'partner.officer@demo.achilles.example'
const SECRET = Buffer.from('the partnership’s shared secret, 32+ bytes')
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

const people = (prefix: string, list: Array<SourceRecord['values']>): SourceRecord[] => list.map((values, i) => ({ source: 1, id: `${prefix}-${i}`, values }))
const SUBJECT = { given_name: 'Siobhan', family_name: 'Achterberg', birth_date: '1984-06-17', address: '22 Belgrave Gate', postcode: 'LE1 3GR' }
const OTHERS = [
  { given_name: 'Tomasz', family_name: 'Kowalczyk', birth_date: '1979-11-02', address: '3 Derby Road', postcode: 'NG7 2RD' },
  { given_name: 'Amara', family_name: 'Nwachukwu', birth_date: '1991-01-30', address: '9 London Road', postcode: 'LE2 0QB' },
  { given_name: 'Declan', family_name: 'Gallagher', birth_date: '1966-03-12', address: '40 Narborough Road', postcode: 'LE3 0BQ' },
]
const file = (list: SourceRecord[]) => ({ name: 'encodings.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(encodingsText(encodeRecords(list, SECRET))) })

async function visit(page: Page, path: string) {
  const response = await page.goto(`${served.baseUrl}${path}`)
  assert.equal(response?.status(), 200, `GET ${path} answered ${response?.status()}`)
}

async function as(email: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext()
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  const errors = watchForPageErrors(page)
  await signIn(page, served.baseUrl, email)
  return { context, page, errors }
}

async function uploadThrough(page: Page, audit: AccessibilityAudit, upload: ReturnType<typeof file>, contact: string) {
  await visit(page, '/privacy/upload')
  await page.setInputFiles('#file', upload)
  await page.fill('#contact', contact)
  await page.fill('#purpose', 'Serious organised crime partnership matching')
  const response = await submit(page, 'Upload')
  assert.equal(response?.status(), 200)
  assert.match(await page.locator('.govuk-notification-banner').innerText(), /Uploaded \d+ encoded record/)
  await audit.check(page, 'overview after an upload')
}

test('agencies upload encodings, a third asks about a subject and is told whom to contact; the holder sees who asked', { skip }, async (t) => {
  const audit = new AccessibilityAudit()
  const police = await as(POLICE)
  await visit(police.page, '/privacy')
  await audit.check(police.page, 'privacy overview, empty')
  await visit(police.page, '/privacy/upload')
  await audit.check(police.page, 'upload form')
  // A CSV is refused, the reason given at the field.
  await police.page.setInputFiles('#file', { name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from('Ref,Forename,Surname\nPNC-1,Siobhan,Achterberg\n') })
  await police.page.fill('#contact', 'Force intelligence bureau, 0116 496 0000')
  await police.page.fill('#purpose', 'Serious organised crime partnership matching')
  const refused = await submit(police.page, 'Upload')
  assert.equal(refused?.status(), 400)
  assert.match(await police.page.locator('.govuk-error-summary').innerText(), /Line 1: The file looks like records in clear/)
  assert.equal(await police.page.locator('#contact').inputValue(), 'Force intelligence bureau, 0116 496 0000', 'what was typed is kept')
  await audit.check(police.page, 'upload form with errors')
  await uploadThrough(police.page, audit, file(people('PNC', [SUBJECT, ...OTHERS])), 'Force intelligence bureau, 0116 496 0000')

  const hmrc = await as(HMRC)
  await uploadThrough(hmrc.page, audit, file(people('HMRC', OTHERS.slice(1))), 'HMRC Fraud Investigation Service, 03000 000000')

  const ts = await as(TRADING_STANDARDS)
  await visit(ts.page, '/privacy/ask')
  await audit.check(ts.page, 'ask form')
  await ts.page.check('input[name=mode][value=encoded]')
  await ts.page.setInputFiles('#file', file(people('TS-Q', [{ ...SUBJECT, family_name: 'Achterburg' }])))
  await ts.page.fill('#purpose', 'Checking a premises licence applicant')
  const answered = await submit(ts.page, 'Ask')
  assert.equal(answered?.status(), 200)
  assert.match(await ts.page.locator('h1').innerText(), /Another agency holds a probable match/)
  const table = await ts.page.locator('table').innerText()
  assert.match(table, /Force intelligence bureau, 0116 496 0000/)
  assert.doesNotMatch(table, /HMRC/, 'HMRC does not hold the subject')
  await audit.check(ts.page, 'answer with a hit')

  await visit(police.page, '/privacy')
  assert.match(await police.page.locator('main').innerText(), /Checking a premises licence applicant/)
  await audit.check(police.page, 'overview with a question that hit our records')

  for (const line of audit.summary()) t.diagnostic(line)
  for (const who of [police, hmrc, ts]) {
    assert.deepEqual(who.errors, [])
    await who.context.close()
  }
  audit.assertClean()
})
