import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { ADMIN, Client, signedIn, startTestApp, type TestApp } from '../support/app.ts'

let t: TestApp
before(async () => (t = await startTestApp()))
after(() => t.close())

test('a visitor who is not signed in is sent to sign in, and back afterwards', async () => {
  const client = new Client(t.app)
  const res = await client.get('/agencies?region=london')
  assert.equal(res.status, 303)
  assert.equal(res.headers.location, '/sign-in?next=%2Fagencies%3Fregion%3Dlondon')
  const signIn = await client.submit('/sign-in?next=%2Fagencies%3Fregion%3Dlondon', '/sign-in', { email: ADMIN, password: 'correct horse battery staple', next: '/agencies?region=london' })
  assert.equal(signIn.headers.location, '/agencies?region=london')
})

test('sign-in never redirects to another site', async () => {
  const client = new Client(t.app)
  const res = await client.submit('/sign-in', '/sign-in', { email: ADMIN, password: 'correct horse battery staple', next: '//evil.example/' })
  assert.equal(res.headers.location, '/')
})

test('the agency form shows the error summary with field messages and keeps what was typed', async () => {
  const admin = await signedIn(t.app, ADMIN)
  const res = await admin.submit('/agencies/new', '/agencies', { name: 'Half-typed Trading Standards', agencyType: 'council_service', region: '', website: 'not a url' })
  assert.equal(res.status, 400)
  assert.match(res.body, /<title>Error: Add an agency/)
  assert.match(res.body, /class="govuk-error-summary"/)
  for (const [field, message] of [['region', 'Choose the region'], ['website', 'Enter the website as a full address']] as const) {
    assert.match(res.body, new RegExp(`href="#${field}">${message}`), field)
  }
  assert.match(res.body, /value="Half-typed Trading Standards"/)
  assert.match(res.body, /value="not a url"/)
  assert.match(res.body, /<option value="council_service" selected>/)
  const fixed = await admin.submit('/agencies/new', '/agencies', { name: 'Half-typed Trading Standards', agencyType: 'other', region: 'london' })
  assert.equal(fixed.status, 303)
  const page = await admin.get(String(fixed.headers.location))
  assert.match(page.body, /Half-typed Trading Standards added to the partner directory/)
})

test('the user form shows its errors, keeps what was typed, and never echoes the password', async () => {
  const admin = await signedIn(t.app, ADMIN)
  const res = await admin.submit('/users/new', '/users', { displayName: 'Jo Typed', email: 'jo@', password: 'secret-pass' })
  assert.equal(res.status, 400)
  assert.match(res.body, /Enter an email address in the correct format/)
  assert.match(res.body, /Choose at least one role/)
  assert.match(res.body, /Choose the agency the user works for/)
  assert.match(res.body, /Password must be at least 12 characters/)
  assert.match(res.body, /value="Jo Typed"/)
  assert.doesNotMatch(res.body, /secret-pass/)
})

test('the note form enforces the handling rules on the fields concerned', async () => {
  const analyst = await signedIn(t.app, 'analyst@demo.achilles.example')
  const res = await analyst.submit('/notes/new', '/notes', {
    subject: 'Typed subject', body: 'Typed body', purpose: 'Typed purpose', reviewDate: '2027-01-01',
    protectiveMarking: 'OFFICIAL-SENSITIVE', handlingCode: 'C', handlingConditions: '', sharingScope: 'partnership',
  })
  assert.equal(res.status, 400)
  assert.match(res.body, /href="#handlingConditions">Enter the handling conditions/)
  assert.match(res.body, /href="#sharingScope">OFFICIAL-SENSITIVE records are need-to-know/)
  assert.match(res.body, />Typed body</)
})

test('a page the role may not use answers 403 with a clear explanation', async () => {
  const analyst = await signedIn(t.app, 'analyst@demo.achilles.example')
  for (const url of ['/users/new', '/agencies/new', '/audit', '/users']) {
    const res = await analyst.get(url)
    assert.equal(res.status, 403, url)
    assert.match(res.body, /You do not have permission to do this/)
    assert.match(res.body, /ask your partnership administrator/)
  }
})

test('an unknown page and an unknown record answer 404 pages', async () => {
  const admin = await signedIn(t.app, ADMIN)
  const res = await admin.get('/no-such-page')
  assert.equal(res.status, 404)
  assert.match(res.body, /Page not found/)
  const agency = await admin.get('/agencies/6b0f0d6e-7c1e-4a51-9a36-2f7c1c0b7a11')
  assert.equal(agency.status, 404)
  for (const url of ['/agencies/not-an-id', '/agencies/x/edit', '/users/not-an-id', '/notes/not-an-id']) {
    const res = await admin.get(url)
    assert.equal(res.status, 404, url)
    assert.match(res.body, /Page not found/)
  }
  const revoke = await admin.submit('/account/tokens', '/account/tokens/not-an-id/revoke', {})
  assert.equal(revoke.status, 404)
})

test('a councillor sees aggregate figures and no personal data', async () => {
  const councillor = await signedIn(t.app, 'councillor@demo.achilles.example')
  const home = await councillor.get('/')
  assert.equal(home.status, 200)
  assert.match(home.body, /Partner agencies by GAIN region/)
  assert.doesNotMatch(home.body, /Shared notes/)
  assert.equal((await councillor.get('/notes')).status, 403)
})

test("an analyst's home page counts their agency's notes and what partners shared this week", async () => {
  const analyst = await signedIn(t.app, 'analyst@demo.achilles.example')
  const police = t.partnership.agencies.find((a) => a.name === 'Leicestershire Police')!
  const mine = t.partnership.notes.filter((n) => n.owningAgencyId === police.id).length
  const home = await analyst.get('/')
  assert.equal(home.status, 200)
  assert.match(home.body, /New from other agencies this week/)
  assert.match(home.body, new RegExp(`${mine} held by your agency`))
  assert.doesNotMatch(home.body, /Partner agencies by GAIN region/)
})

test('an analyst sees the notes shared with their agency, with handling conditions on the list', async () => {
  const hmrc = await signedIn(t.app, 'analyst.hmrc@demo.achilles.example')
  const list = await hmrc.get('/notes')
  assert.equal(list.status, 200)
  const hmrcAgency = t.partnership.agencies.find((a) => a.shortName === 'HMRC')!
  const visible = t.partnership.notes.filter((n) => n.owningAgencyId === hmrcAgency.id || (n.sharingScope === 'partnership' && n.protectiveMarking === 'OFFICIAL') || (n.sharingScope === 'named' && n.sharedWithAgencyIds.includes(hmrcAgency.id)))
  assert.match(list.body, new RegExp(`${visible.length} notes?`))
  const withConditions = visible.find((n) => n.handlingCode === 'C')
  if (withConditions) {
    const page = await hmrc.get(`/notes/${withConditions.id}`)
    assert.match(page.body, /Handling conditions/)
    assert.ok(page.body.includes(withConditions.handlingConditions!.replace(/'/g, '&#39;')))
  }
})
