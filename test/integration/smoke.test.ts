import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { signedIn, startTestApp, type TestApp } from '../support/app.ts'

let t: TestApp
before(async () => (t = await startTestApp()))
after(() => t.close())

test('every page renders for the administrator', async () => {
  const admin = await signedIn(t.app, 'admin@demo.achilles.example')
  for (const url of ['/', '/agencies', '/agencies/new', '/users', '/users/new', '/audit', '/account/tokens', '/api/docs']) {
    const res = await admin.get(url)
    assert.ok([200, 302].includes(res.status), `${url}: ${res.status} ${res.body.slice(0, 500)}`)
  }
})
