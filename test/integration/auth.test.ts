import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { asSystem } from '../../src/db/context.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { ADMIN, Client, PASSWORD, signedIn, startTestApp, type TestApp } from '../support/app.ts'

let t: TestApp
before(async () => (t = await startTestApp({ signInMaxFailures: 3, lockoutMinutes: 15, sessionIdleMinutes: 30, sessionMaxHours: 12 })))
after(() => t.close())

const user = (email: string) => t.partnership.users.find((u) => u.email === email)!
const LRO = 'lro@demo.achilles.example'

describe('sign-in', () => {
  test('a correct password signs in with a secure, HttpOnly session cookie whose value is not stored', async () => {
    const client = new Client(t.app)
    const res = await client.signIn(LRO)
    assert.equal(res.status, 303)
    assert.equal(res.headers.location, '/')
    const cookie = [res.headers['set-cookie']].flat().find((c) => String(c).startsWith('achilles_session='))!
    assert.match(String(cookie), /HttpOnly/)
    assert.match(String(cookie), /Secure/)
    assert.match(String(cookie), /SameSite=Lax/)
    const value = client.cookie('achilles_session')!
    const stored = await asSystem(t.db, (tx) => tx.selectFrom('sessions').select('id').where('user_id', '=', user(LRO).id).execute())
    assert.ok(stored.every((s) => s.id !== value))
    assert.ok(stored.some((s) => s.id === createHash('sha256').update(value).digest('hex')))
    const home = await client.get('/')
    assert.equal(home.status, 200)
    assert.match(home.body, /Leicestershire Police/)
  })

  test('passwords are stored as argon2id hashes', async () => {
    const row = await asSystem(t.db, (tx) => tx.selectFrom('users').select('password_hash').where('id', '=', user(LRO).id).executeTakeFirstOrThrow())
    assert.match(row.password_hash!, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
  })

  test('a wrong password shows the error summary and keeps the email typed', async () => {
    const client = new Client(t.app)
    const res = await client.signIn('safeguarding@demo.achilles.example', 'not the password')
    assert.equal(res.status, 401)
    assert.match(res.body, /govuk-error-summary/)
    assert.match(res.body, /Enter a correct email address and password/)
    assert.match(res.body, /value="safeguarding@demo.achilles.example"/)
    const empty = await client.submit('/sign-in', '/sign-in', { email: '', password: '' })
    assert.equal(empty.status, 400)
    assert.match(empty.body, /Enter your email address/)
    assert.match(empty.body, /Enter your password/)
  })

  test('an account locks after repeated failures, refuses even the right password, and an administrator can unlock it', async () => {
    const email = 'board.member@demo.achilles.example'
    const client = new Client(t.app)
    for (let i = 0; i < 3; i++) await client.signIn(email, 'wrong password here')
    const locked = await client.signIn(email, PASSWORD)
    assert.equal(locked.status, 423)
    assert.match(locked.body, /locked after repeated failed sign-ins/)
    const admin = await signedIn(t.app, ADMIN)
    const page = await admin.get(`/users/${user(email).id}`)
    assert.match(page.body, /Unlock account/)
    const unlocked = await admin.submit(`/users/${user(email).id}`, `/users/${user(email).id}/unlock`, {})
    assert.equal(unlocked.status, 303)
    assert.equal((await client.signIn(email, PASSWORD)).status, 303)
  })

  test('the lock lifts by itself when the lockout period has passed', async () => {
    const email = 'councillor@demo.achilles.example'
    const client = new Client(t.app)
    for (let i = 0; i < 3; i++) await client.signIn(email, 'wrong password here')
    assert.equal((await client.signIn(email, PASSWORD)).status, 423)
    await asSystem(t.db, (tx) => tx.updateTable('users').set({ locked_until: new Date(t.clock.now.getTime() - 1000) }).where('email', '=', email).execute())
    assert.equal((await client.signIn(email, PASSWORD)).status, 303)
  })

  test('an unknown email gets the same answer as a wrong password', async () => {
    const res = await new Client(t.app).signIn('nobody@example.org', 'whatever password')
    assert.equal(res.status, 401)
    assert.match(res.body, /Enter a correct email address and password/)
  })

  test('a deactivated user cannot sign in', async () => {
    await asSystem(t.db, (tx) => tx.updateTable('users').set({ active: false }).where('email', '=', 'gain.coordinator@demo.achilles.example').execute())
    assert.equal((await new Client(t.app).signIn('gain.coordinator@demo.achilles.example')).status, 401)
  })

  test('sign-in attempts from one address are rate limited', async () => {
    const limited = await startTestApp({ signInRatePerMinute: 3 })
    try {
      const client = new Client(limited.app)
      const statuses = []
      for (let i = 0; i < 5; i++) statuses.push((await client.signIn('nobody@example.org', 'wrong')).status)
      assert.deepEqual(statuses.slice(0, 3), [401, 401, 401])
      assert.equal(statuses[4], 429)
    } finally {
      await limited.close()
    }
  })
})

describe('sessions', () => {
  test('signing out ends the session: the old cookie no longer works', async () => {
    const client = await signedIn(t.app, LRO)
    const cookie = client.cookie('achilles_session')!
    const out = await client.submit('/', '/sign-out', {})
    assert.equal(out.status, 303)
    assert.equal(out.headers.location, '/sign-in?signed-out=1')
    const replay = new Client(t.app)
    replay.setCookie('achilles_session', cookie)
    const res = await replay.get('/')
    assert.equal(res.status, 303)
    assert.match(String(res.headers.location), /^\/sign-in/)
  })

  test('an idle session expires: pages send you to sign in with a message, the API answers 401', async () => {
    const client = await signedIn(t.app, LRO)
    t.clock.now = new Date(Date.now() + 31 * 60_000)
    try {
      const page = await client.get('/agencies')
      assert.equal(page.status, 303)
      assert.equal(page.headers.location, '/sign-in?next=%2Fagencies&expired=1')
      const signIn = await client.get('/sign-in?next=%2Fagencies&expired=1')
      assert.match(signIn.body, /Your session has expired/)
    } finally {
      t.clock.now = new Date()
    }
    const again = await signedIn(t.app, LRO)
    t.clock.now = new Date(Date.now() + 13 * 3_600_000)
    try {
      const api = await again.get('/api/v1/me')
      assert.equal(api.status, 401)
      assert.equal(api.json().title, 'Your session has expired')
    } finally {
      t.clock.now = new Date()
    }
  })

  test('a form posted after the session expired sends you to sign in, and writes nothing', async () => {
    const admin = await signedIn(t.app, ADMIN)
    const form = await admin.get('/agencies/new')
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!
    t.clock.now = new Date(Date.now() + 31 * 60_000)
    try {
      const res = await admin.request('POST', '/agencies', { form: { _csrf: token, name: 'Expired Session Agency', agencyType: 'other', region: 'london' } })
      assert.equal(res.status, 303)
      assert.match(String(res.headers.location), /expired=1/)
    } finally {
      t.clock.now = new Date()
    }
    const rows = await asSystem(t.db, (tx) => tx.selectFrom('agencies').select('id').where('name', '=', 'Expired Session Agency').execute())
    assert.equal(rows.length, 0)
  })
})

describe('changing your own password', () => {
  test('needs the current password, matching new ones, and signs out your other sessions', async () => {
    const email = 'partner.officer@demo.achilles.example'
    const here = await signedIn(t.app, email)
    const elsewhere = await signedIn(t.app, email)
    const wrong = await here.submit('/account/password', '/account/password', { currentPassword: 'not it', password: 'a brand new password', confirmPassword: 'a brand new passwort' })
    assert.equal(wrong.status, 400)
    assert.match(wrong.body, /href="#currentPassword">Your current password is not correct|href="#confirmPassword">The new passwords do not match/)
    const mismatch = await here.submit('/account/password', '/account/password', { currentPassword: PASSWORD, password: 'a brand new password', confirmPassword: 'a brand new passwort' })
    assert.match(mismatch.body, /The new passwords do not match/)
    const done = await here.submit('/account/password', '/account/password', { currentPassword: PASSWORD, password: 'a brand new password', confirmPassword: 'a brand new password' })
    assert.equal(done.status, 303)
    assert.equal((await here.get('/')).status, 200, 'this session stays signed in')
    assert.equal((await elsewhere.get('/')).status, 303, 'other sessions are signed out')
    assert.equal((await new Client(t.app).signIn(email, PASSWORD)).status, 401)
    assert.equal((await new Client(t.app).signIn(email, 'a brand new password')).status, 303)
  })
})

describe('CSRF protection', () => {
  test('a form without its token is refused with a clear page and changes nothing', async () => {
    const admin = await signedIn(t.app, ADMIN)
    const res = await admin.request('POST', '/agencies', { form: { name: 'Forged Agency', agencyType: 'other', region: 'london' } })
    assert.equal(res.status, 403)
    assert.match(res.body, /missing its security token/)
    const rows = await asSystem(t.db, (tx) => tx.selectFrom('agencies').select('id').where('name', '=', 'Forged Agency').execute())
    assert.equal(rows.length, 0)
  })

  test('a token made for another session is refused', async () => {
    const first = await signedIn(t.app, ADMIN)
    const form = await first.get('/agencies/new')
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!
    const second = await signedIn(t.app, ADMIN)
    const res = await second.request('POST', '/agencies', { form: { _csrf: token, name: 'Cross Session Agency', agencyType: 'other', region: 'london' } })
    assert.equal(res.status, 403)
  })

  test('the API with a session cookie needs the token in a header', async () => {
    const admin = await signedIn(t.app, ADMIN)
    const res = await admin.request('POST', '/api/v1/agencies', { json: { name: 'Cookie API Agency', agencyType: 'other', region: 'london' } })
    assert.equal(res.status, 403)
    assert.equal(res.json().title, 'The form could not be accepted')
  })
})

describe('API tokens', () => {
  test('a token works as its user, limited to its scopes, and is stored only as a hash', async () => {
    const admin = user(ADMIN)
    const { id, token } = await issueApiToken(t.ctx, 'system', admin.id, { name: 'Directory sync', scopes: ['agencies:read'] })
    const api = new Client(t.app)
    const auth = { authorization: `Bearer ${token}` }
    const me = await api.request('GET', '/api/v1/me', { headers: auth })
    assert.equal(me.status, 200)
    assert.deepEqual(me.json().capabilities, ['dashboard.aggregate', 'agencies.read'])
    assert.equal((await api.request('GET', '/api/v1/agencies', { headers: auth })).status, 200)
    const write = await api.request('POST', '/api/v1/agencies', { headers: auth, json: { name: 'Token Agency', agencyType: 'other', region: 'london' } })
    assert.equal(write.status, 403)
    assert.equal((await api.request('GET', '/api/v1/users', { headers: auth })).status, 403)
    const stored = await asSystem(t.db, (tx) => tx.selectFrom('api_tokens').select('token_hash').where('id', '=', id).executeTakeFirstOrThrow())
    assert.ok(!token.includes(stored.token_hash) && stored.token_hash.length === 64)
  })

  test('a revoked token stops working at once, and a wrong one is refused', async () => {
    const client = await signedIn(t.app, 'analyst@demo.achilles.example')
    const made = await client.submit('/account/tokens', '/account/tokens', { name: 'Case system', scopes: 'records:read', expiresInDays: '30' })
    assert.equal(made.status, 200)
    const token = /<code id="token"[^>]*>([^<]+)<\/code>/.exec(made.body)![1]!
    const api = new Client(t.app)
    const auth = { authorization: `Bearer ${token}` }
    assert.equal((await api.request('GET', '/api/v1/notes', { headers: auth })).status, 200)
    const list = await client.get('/account/tokens')
    const tokenId = /\/account\/tokens\/([0-9a-f-]{36})\/revoke/.exec(list.body)![1]!
    assert.equal((await client.submit('/account/tokens', `/account/tokens/${tokenId}/revoke`, {})).status, 303)
    const after = await api.request('GET', '/api/v1/notes', { headers: auth })
    assert.equal(after.status, 401)
    assert.equal((await api.request('GET', '/api/v1/notes', { headers: { authorization: 'Bearer ach_not-a-real-token' } })).status, 401)
    assert.equal((await api.request('GET', '/api/v1/notes', { headers: { authorization: 'Basic abc' } })).status, 401)
  })

  test('the token form shows its errors and keeps what was typed', async () => {
    const client = await signedIn(t.app, 'analyst@demo.achilles.example')
    const res = await client.submit('/account/tokens', '/account/tokens', { name: 'Keep me', expiresInDays: '900' })
    assert.equal(res.status, 400)
    assert.match(res.body, /Choose at least one scope/)
    assert.match(res.body, /A token lasts at most 365 days/)
    assert.match(res.body, /value="Keep me"/)
  })

  test('an expired token is refused', async () => {
    const { token } = await issueApiToken(t.ctx, 'system', user(ADMIN).id, { name: 'Short', scopes: ['agencies:read'], expiresInDays: 1 })
    t.clock.now = new Date(Date.now() + 2 * 86_400_000)
    try {
      assert.equal((await new Client(t.app).request('GET', '/api/v1/me', { headers: { authorization: `Bearer ${token}` } })).status, 401)
    } finally {
      t.clock.now = new Date()
    }
  })
})

test('every page carries the security headers', async () => {
  const res = await new Client(t.app).get('/sign-in')
  assert.match(String(res.headers['content-security-policy']), /default-src 'self'/)
  assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/)
  assert.equal(res.headers['x-content-type-options'], 'nosniff')
  assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN')
  assert.equal(res.headers['referrer-policy'], 'no-referrer')
  assert.equal(res.headers['cache-control'], 'no-store')
  assert.match(String(res.headers['strict-transport-security']), /max-age=31536000/)
})
