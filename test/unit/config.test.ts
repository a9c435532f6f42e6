import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError, loadConfig } from '../../src/config.ts'

test('defaults give an embedded database in ./data on 127.0.0.1:3000', () => {
  const c = loadConfig({})
  assert.equal(c.databaseUrl, undefined)
  assert.ok(c.dataDir.endsWith('/data'))
  assert.deepEqual([c.host, c.port, c.cookieSecure], ['127.0.0.1', 3000, true])
})

test('a bad setting is refused with the variable named', () => {
  assert.throws(() => loadConfig({ PORT: 'eighty' }), (e: unknown) => e instanceof ConfigError && /PORT/.test(e.message))
  assert.throws(() => loadConfig({ ACHILLES_ADMIN_PASSWORD: 'short' }), (e: unknown) => e instanceof ConfigError && /ACHILLES_ADMIN_PASSWORD/.test(e.message))
  assert.throws(() => loadConfig({ ACHILLES_COOKIE_SECURE: 'maybe' }), /ACHILLES_COOKIE_SECURE/)
})

test('settings are read from the environment', () => {
  const c = loadConfig({ PORT: '8080', HOST: '0.0.0.0', ACHILLES_COOKIE_SECURE: 'false', ACHILLES_SESSION_IDLE_MINUTES: '5' })
  assert.deepEqual([c.port, c.host, c.cookieSecure, c.sessionIdleMinutes], [8080, '0.0.0.0', false, 5])
})

// Appended with the e-mail settings (the import is hoisted like those above).
import { baseUrl } from '../../src/config.ts'

test('e-mail settings: SMTP off by default, a default sender, links to the listening address', () => {
  const c = loadConfig({})
  assert.deepEqual([c.smtpUrl, c.mailFrom, c.baseUrl], [undefined, 'Achilles <achilles@localhost>', undefined])
  assert.equal(baseUrl(c), 'http://127.0.0.1:3000')
  assert.equal(baseUrl(loadConfig({ HOST: '::1', PORT: '8080' })), 'http://[::1]:8080')
})

test('e-mail settings are read from the environment, the base address without its trailing slash', () => {
  const c = loadConfig({
    ACHILLES_SMTP_URL: 'smtps://achilles:secret@relay.example.org:465',
    ACHILLES_MAIL_FROM: 'Partnership Hub <hub@partnership.example>',
    ACHILLES_BASE_URL: 'https://achilles.partnership.example/',
  })
  assert.deepEqual([c.smtpUrl, c.mailFrom, c.baseUrl], ['smtps://achilles:secret@relay.example.org:465', 'Partnership Hub <hub@partnership.example>', 'https://achilles.partnership.example'])
  assert.equal(baseUrl(c), 'https://achilles.partnership.example')
  assert.equal(loadConfig({ ACHILLES_SMTP_URL: 'smtp://127.0.0.1:2525' }).smtpUrl, 'smtp://127.0.0.1:2525')
  assert.equal(loadConfig({ ACHILLES_MAIL_FROM: 'hub@partnership.example' }).mailFrom, 'hub@partnership.example')
})

test('bad e-mail settings are refused with the variable named', () => {
  for (const url of ['http://relay.example.org', 'relay.example.org:25', 'smtp://']) {
    assert.throws(() => loadConfig({ ACHILLES_SMTP_URL: url }), /ACHILLES_SMTP_URL/, url)
  }
  for (const from of ['Achilles', 'Achilles <achilles>', 'a@b.example\r\nBcc: c@d.example']) {
    assert.throws(() => loadConfig({ ACHILLES_MAIL_FROM: from }), /ACHILLES_MAIL_FROM/, from)
  }
  for (const url of ['ftp://achilles.example', 'achilles.example', 'https://achilles.example/?a=1']) {
    assert.throws(() => loadConfig({ ACHILLES_BASE_URL: url }), /ACHILLES_BASE_URL/, url)
  }
})
