import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sql } from 'kysely'
import { asSystem } from '../../src/db/context.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { startTestApp, type TestApp } from '../support/app.ts'

// Saved link charts through the API: each bad field named, a private chart refused to another
// agency (and to a colleague), a chart shared with the agency opened by a colleague, and a chart
// whose nodes the user may no longer see handing back none of them.

type Api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, json?: unknown) => Promise<{ status: number; body: any }>

let t: TestApp
let police: Api
let colleague: Api
let hmrc: Api
const ids: Record<string, string> = {}

before(async () => {
  t = await startTestApp()
  const bearer = async (email: string): Promise<Api> => {
    const user = t.partnership.users.find((u) => u.email === email)!
    const { token } = await issueApiToken(t.ctx, 'system', user.id, { name: 'test', scopes: ['records:read', 'records:write'] })
    return async (method, url, json) => {
      const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) }, payload: json !== undefined ? JSON.stringify(json) : undefined })
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null }
    }
  }
  police = await bearer('analyst@demo.achilles.example')
  colleague = await bearer('lro@demo.achilles.example')
  hmrc = await bearer('analyst.hmrc@demo.achilles.example')
  const held = { purpose: 'Disrupting a county line', reviewDate: '2027-06-01', protectiveMarking: 'OFFICIAL', handlingCode: 'P' }
  const make = async (api: Api, fullName: string, sharingScope: string) => {
    const res = await api('POST', '/api/v1/entities', { schema: 'Person', fullName, personRole: 'suspect', sharingScope, ...held })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    return res.body.id as string
  }
  ids.start = await make(police, 'Aaron Vance', 'partnership')
  ids.shared = await make(hmrc, 'Hannah Reid', 'partnership')
})
after(() => t.close())

const chart = (overrides: Record<string, unknown> = {}) => ({
  title: 'Vance network',
  start: `entity:${ids.start}`,
  hops: 2,
  filters: { types: ['associate'], from: '2025-01-01' },
  expanded: [`entity:${ids.shared}`],
  pinned: { [`entity:${ids.start}`]: [10, 20], [`entity:${ids.shared}`]: [-5, 3.5] },
  ...overrides,
})

test('refuses a chart with faulty fields, naming each field', async () => {
  const res = await police('POST', '/api/network/charts', { title: '  ', start: 'person:123', hops: 9, filters: { from: '2025-02-30', handling: ['X'] }, pinned: { 'entity:nope': [1, 2] }, sizeBy: 'colour' })
  assert.equal(res.status, 400)
  const byField = Object.fromEntries(res.body.errors.map((e: { field: string; message: string }) => [e.field, e.message]))
  assert.equal(byField.title, 'Enter a title for the chart')
  assert.match(byField.start, /^Start must be a node id/)
  assert.equal(byField.hops, 'Hops must be a whole number from 1 to 6')
  assert.equal(byField['filters.from'], 'Filters from must be a real date')
  assert.match(byField['filters.handling.0'], /Filters handling must be P or C/)
  assert.match(byField.sizeBy, /^Size by must be one of degree, betweenness, pagerank, community/)
  assert.ok(Object.keys(byField).some((f) => f.startsWith('pinned')), JSON.stringify(byField))
  // A start the user cannot see is not found, as one that does not exist.
  const unseen = await police('POST', '/api/network/charts', chart({ start: 'entity:00000000-0000-4000-8000-000000000000' }))
  assert.equal(unseen.status, 404)
})

test('a private chart opens for its author only; another agency and a colleague get 404', async () => {
  const saved = await police('POST', '/api/network/charts', chart())
  assert.equal(saved.status, 201, JSON.stringify(saved.body))
  const opened = await police('GET', `/api/network/charts/${saved.body.id}`)
  assert.equal(opened.status, 200)
  assert.equal(opened.body.title, 'Vance network')
  assert.deepEqual(opened.body.filters, { types: ['associate'], from: '2025-01-01' })
  assert.deepEqual(opened.body.pinned[`entity:${ids.start}`], [10, 20])
  assert.equal(opened.body.sharingScope, 'private')
  assert.equal((await hmrc('GET', `/api/network/charts/${saved.body.id}`)).status, 404)
  assert.equal((await colleague('GET', `/api/network/charts/${saved.body.id}`)).status, 404)
  assert.ok(!(await hmrc('GET', '/api/network/charts')).body.charts.some((c: { id: string }) => c.id === saved.body.id))
  assert.equal((await hmrc('DELETE', `/api/network/charts/${saved.body.id}`)).status, 404)
  const audit = await asSystem(t.db, (tx) => sql<{ action: string }>`SELECT action FROM audit_events WHERE record_type = 'network_chart' AND record_id = ${saved.body.id} ORDER BY seq`.execute(tx))
  assert.deepEqual(audit.rows.map((r) => r.action), ['collection', 'consultation'])

  const shared = await police('POST', '/api/network/charts', chart({ title: 'For the team', sharingScope: 'agency' }))
  assert.equal((await colleague('GET', `/api/network/charts/${shared.body.id}`)).status, 200)
  assert.equal((await hmrc('GET', `/api/network/charts/${shared.body.id}`)).status, 404)
  assert.equal((await colleague('DELETE', `/api/network/charts/${shared.body.id}`)).status, 403, 'only its author deletes it')
})

test('opening a chart whose nodes the user can no longer see hands back none of them', async () => {
  const saved = await police('POST', '/api/network/charts', chart({ title: 'Before the change' }))
  assert.equal(saved.status, 201)
  assert.equal(Object.keys((await police('GET', `/api/network/charts/${saved.body.id}`)).body.pinned).length, 2)
  // HMRC narrows Hannah Reid to its own agency: the police analyst may no longer see her.
  await asSystem(t.db, (tx) => sql`UPDATE entities SET sharing_scope = 'agency' WHERE id = ${ids.shared}`.execute(tx))
  const opened = (await police('GET', `/api/network/charts/${saved.body.id}`)).body
  assert.equal(opened.startVisible, true)
  assert.deepEqual(Object.keys(opened.pinned), [`entity:${ids.start}`])
  assert.deepEqual(opened.expanded, [])
  assert.equal(opened.withheld, 2)
  assert.ok(!JSON.stringify(opened).includes(ids.shared!), 'the hidden node is not named at all')
})

test('lays out a chart with pinned nodes kept where they are', async () => {
  const res = await police('POST', '/api/network/layout', { nodes: ['a', 'b', 'c'], edges: [0, 1, 1, 2], positions: { a: [5, 5] }, pinned: ['a'] })
  assert.equal(res.status, 200, JSON.stringify(res.body))
  assert.deepEqual(res.body.positions.a, [5, 5])
  assert.equal(Object.keys(res.body.positions).length, 3)
  const bad = await police('POST', '/api/network/layout', { nodes: [], edges: [0] })
  assert.deepEqual(bad.body.errors.map((e: { field: string }) => e.field).sort(), ['edges', 'nodes'])
})
