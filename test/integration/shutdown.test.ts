import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadConfig } from '../../src/config.ts'
import { buildApp } from '../../src/http/app.ts'
import { freshDatabase } from '../support/database.ts'

test('stopping the server lets a request in flight finish and turns new ones away', async () => {
  const { db, drop } = await freshDatabase()
  const app = await buildApp({ db, config: loadConfig({}), now: () => new Date(), cookieSecret: 'x'.repeat(32) }, { logger: false })
  let release!: () => void
  const started = new Promise<void>((resolve) => {
    app.get('/test-slow', async () => {
      resolve()
      await new Promise<void>((r) => (release = r))
      return { finished: true }
    })
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.listeningOrigin
  try {
    const inFlight = fetch(`${address}/test-slow`)
    await started
    const closing = app.close()
    const refused = await fetch(`${address}/healthz`).then((r) => r.status, () => 'connection refused')
    assert.ok(refused === 503 || refused === 'connection refused', `a new request was answered ${refused}`)
    release()
    const res = await inFlight
    assert.equal(res.status, 200)
    assert.deepEqual(await res.json(), { finished: true })
    await closing
  } finally {
    await drop()
  }
})

test('each request is logged once, when it is answered, with what was asked and the answer', async () => {
  const { db, drop } = await freshDatabase()
  const lines: Array<Record<string, any>> = []
  const stream = { write: (line: string) => void lines.push(JSON.parse(line)) }
  const app = await buildApp({ db, config: loadConfig({}), now: () => new Date(), cookieSecret: 'x'.repeat(32) }, { logger: { level: 'info', stream } })
  try {
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200)
    assert.equal((await app.inject({ method: 'GET', url: '/no-such-page' })).statusCode, 404)
    const requests = lines.filter((l) => l.req)
    assert.deepEqual(requests.map((l) => [l.msg, l.req.method, l.req.url, l.res.statusCode]), [
      ['request completed', 'GET', '/healthz', 200],
      ['request completed', 'GET', '/no-such-page', 404],
    ])
    assert.ok(requests.every((l) => typeof l.responseTime === 'number'))
  } finally {
    await app.close()
    await drop()
  }
})
