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
