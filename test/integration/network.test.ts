import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { asSystem } from '../../src/db/context.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { signedIn, startTestApp, type TestApp } from '../support/app.ts'
import { engineName } from '../support/database.ts'
import { HIDDEN_CONDITIONS, HMRC, POLICE, seedNetwork, type Fixture } from './network-fixture.ts'

// The network API against the real database: what each user may see (a link, a person and an
// intelligence record hidden from HMRC never appear in its network, measures, key players or any
// export), a hidden start answered as a missing one, the audit log, and the answers to bad input.

let t: TestApp
let f: Fixture
type Api = (method: 'GET' | 'POST', url: string, json?: unknown) => Promise<{ status: number; body: any; text: string; headers: Record<string, unknown> }>
const apis = new Map<string, Api>()
const api = (email: string) => apis.get(email)!
const userId = (email: string) => t.partnership.users.find((u) => u.email === email)!.id

before(async () => {
  t = await startTestApp()
  f = await seedNetwork(t)
  for (const email of [POLICE, HMRC]) {
    const { token } = await issueApiToken(t.ctx, 'system', userId(email), { name: 'network test', scopes: ['records:read'] })
    apis.set(email, async (method, url, json) => {
      const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) }, payload: json === undefined ? undefined : JSON.stringify(json) })
      let body: any = null
      try { body = JSON.parse(res.body) } catch { body = null }
      return { status: res.statusCode, body, text: res.body, headers: res.headers }
    })
  }
})
after(() => t.close())

const auditRows = (user: string, recordId?: string) =>
  asSystem(t.db, (tx) => {
    let q = tx.selectFrom('audit_events').select(['action', 'outcome', 'record_type', 'record_id', 'purpose', 'detail', 'recipients']).where('user_id', '=', userId(user))
    if (recordId) q = q.where('record_id', '=', recordId)
    return q.orderBy('seq').execute()
  })

const hiddenThings = () => [f.links.hidden, f.links.toDan, f.hiddenIntel, f.dan, 'Dan Hidden', HIDDEN_CONDITIONS, 'Police source: do not disclose']

describe(`the network API on ${engineName()}`, () => {
  test('builds the network from links, memberships, shared premises, co-mention, each edge with type, dates, sources, grading and handling', async () => {
    const res = await api(POLICE)('GET', `/api/network?start=entity:${f.ann}&hops=2`)
    assert.equal(res.status, 200, res.text)
    const types = new Set(res.body.edges.map((e: any) => e.type))
    for (const type of ['associate', 'family', 'occupant', 'uses_phone', 'member_of', 'shared_address', 'co_mentioned']) assert.ok(types.has(type), `has ${type}`)
    const annCara = res.body.edges.find((e: any) => e.type === 'associate' && [e.source, e.target].sort().join() === [`entity:${f.ann}`, `entity:${f.cara}`].sort().join())
    assert.deepEqual([annCara.handlingCode, annCara.handlingConditions, annCara.from], ['C', HIDDEN_CONDITIONS, '2024-01-01'])
    const together = res.body.edges.find((e: any) => e.type === 'co_mentioned' && e.sources.some((s: any) => s.id === f.hiddenIntel))
    assert.equal(together.grading, 'A1C')
    assert.equal(res.body.start, `entity:${f.ann}`)
    assert.ok(res.body.hopLimit >= 2)
    assert.equal(res.body.truncated, false)
    assert.ok(res.body.nodes.every((n: any) => typeof n.measures.betweenness === 'number'))
    assert.ok(res.body.nodes.some((n: any) => n.id === `entity:${f.dan}`))
    assert.deepEqual(res.body.dateRange.from, '2024-01-01')
  })

  test('HMRC never sees the hidden link, the hidden person or the hidden record: not in the network, the measures, key players or any export', async () => {
    const hmrc = api(HMRC)
    const network = await hmrc('GET', `/api/network?start=entity:${f.ann}&hops=3`)
    assert.equal(network.status, 200, network.text)
    const ids = network.body.edges.flatMap((e: any) => e.sources.map((s: any) => s.id))
    assert.ok(ids.includes(f.links.annBob), 'a partnership link is seen')
    for (const hidden of hiddenThings()) assert.ok(!network.text.includes(hidden), `network omits ${hidden}`)
    // Ann and Cara are still linked through the shared address, but not by an associate link.
    assert.ok(!network.body.edges.some((e: any) => e.type === 'associate' && [e.source, e.target].includes(`entity:${f.cara}`)))

    const measures = await hmrc('GET', `/api/network/measures?start=entity:${f.ann}&hops=3`)
    assert.equal(measures.status, 200, measures.text)
    for (const hidden of hiddenThings()) assert.ok(!measures.text.includes(hidden), `measures omit ${hidden}`)
    const police = await api(POLICE)('GET', `/api/network/measures?start=entity:${f.ann}&hops=3`)
    const degree = (body: any, id: string) => body.measures.find((m: any) => m.node === `entity:${id}`).degree
    assert.ok(degree(police.body, f.ann) > degree(measures.body, f.ann), 'the hidden links count for the police only')

    const players = await hmrc('POST', '/api/network/key-players', { start: `entity:${f.ann}`, count: 2 })
    assert.equal(players.status, 200, players.text)
    for (const hidden of hiddenThings()) assert.ok(!players.text.includes(hidden), `key players omit ${hidden}`)

    for (const format of ['graphml', 'gexf', 'i2-entities', 'i2-links', 'ftm']) {
      const file = await hmrc('GET', `/api/network/export?format=${format}&start=entity:${f.ann}&hops=3&purpose=Joint+visit+planning`)
      assert.equal(file.status, 200, `${format}: ${file.text.slice(0, 300)}`)
      assert.match(file.text, /HANDLING NOTICE/)
      assert.ok(file.text.includes(f.links.annBob) || file.text.includes('Bob Network'))
      for (const hidden of hiddenThings()) assert.ok(!file.text.includes(hidden), `${format} omits ${hidden}`)
    }
  })

  test('a start the user may not see is answered as one that does not exist, and the refusal is logged', async () => {
    const hidden = await api(HMRC)('GET', `/api/network?start=entity:${f.dan}`)
    const missing = await api(HMRC)('GET', `/api/network?start=entity:${randomUUID()}`)
    assert.equal(hidden.status, 404)
    assert.equal(missing.status, 404)
    assert.deepEqual([hidden.body.title, hidden.body.detail], [missing.body.title, missing.body.detail])
    for (const url of [`/api/network/measures?start=entity:${f.dan}`, `/api/network/export?format=graphml&start=entity:${f.dan}`]) assert.equal((await api(HMRC)('GET', url)).status, 404, url)
    assert.equal((await api(HMRC)('POST', '/api/network/key-players', { start: `entity:${f.dan}` })).status, 404)
    const refusals = (await auditRows(HMRC, f.dan)).filter((r) => r.outcome === 'refused')
    assert.ok(refusals.length >= 1)
    assert.equal(refusals[0]!.action, 'disclosure')
  })

  test('each view is a consultation naming the nodes shown, and each export a disclosure with its format and purpose', async () => {
    await api(HMRC)('GET', `/api/network?start=entity:${f.bob}&hops=1`)
    const consultation = (await auditRows(HMRC, f.bob)).find((r) => r.action === 'consultation')!
    const detail = consultation.detail as { shown: string[]; view: string }
    assert.equal(detail.view, 'network')
    assert.ok(detail.shown.includes(f.ann) && !detail.shown.includes(f.dan))
    await api(HMRC)('GET', `/api/network/export?format=ftm&start=entity:${f.bob}&purpose=Sharing+with+the+joint+team`)
    const disclosure = (await auditRows(HMRC, f.bob)).find((r) => r.action === 'disclosure')!
    assert.equal(disclosure.purpose, 'Sharing with the joint team')
    assert.equal((disclosure.detail as { format: string }).format, 'ftm')
    assert.deepEqual(disclosure.recipients, [t.partnership.users.find((u) => u.email === HMRC)!.agencyId])
  })

  test('key players of a group: the member whose removal fragments the rest most comes first', async () => {
    const res = await api(POLICE)('POST', '/api/v1/network/key-players', { group: f.group, count: 1 })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.members, 3)
    assert.equal(res.body.steps.length, 1)
    assert.equal(typeof res.body.steps[0].label, 'string')
    const measures = await api(POLICE)('GET', `/api/network/measures?start=group:${f.group}`)
    assert.equal(measures.status, 200, measures.text)
    assert.ok(Array.isArray(measures.body.boundaries.proposals))
  })

  test('filters: by link type, handling code and dates', async () => {
    const onlyFamily = await api(POLICE)('GET', `/api/network?start=entity:${f.bob}&types=family`)
    assert.equal(onlyFamily.status, 200)
    assert.deepEqual([...new Set(onlyFamily.body.edges.map((e: any) => e.type))], ['family'])
    const onlyC = await api(POLICE)('GET', `/api/network?start=entity:${f.ann}&handling=C`)
    assert.ok(onlyC.body.edges.length > 0 && onlyC.body.edges.every((e: any) => e.handlingCode === 'C'))
    const before = await api(POLICE)('GET', `/api/network?start=entity:${f.ann}&to=2020-01-01&types=associate`)
    assert.equal(before.body.edges.length, 0)
    assert.match(before.body.message, /no links you may see .* that match these filters/)
  })

  test('bad input gets a clear answer naming the field', async () => {
    const problem = async (url: string, field: string, pattern: RegExp, status = 400) => {
      const res = await api(POLICE)('GET', url)
      assert.equal(res.status, status, `${url}: ${res.text}`)
      const issue = res.body.errors?.find((e: any) => e.field === field)
      assert.ok(issue, `${url} names ${field}: ${res.text}`)
      assert.match(issue.message, pattern)
    }
    await problem('/api/network', 'start', /start is required/)
    await problem('/api/network?start=person:42', 'start', /entity:<id> or group:<id>/)
    await problem(`/api/network?start=entity:${f.ann}&hops=99`, 'hops', /hops must be \d+ or fewer: you may see [\d,]+ people, entities and groups/)
    await problem(`/api/network?start=entity:${f.ann}&types=friends`, 'types.0', /"friends" is not a link type/)
    await problem(`/api/network?start=entity:${f.ann}&from=2025-13-01`, 'from', /real date/)
    await problem(`/api/network/export?format=pdf&start=entity:${f.ann}`, 'format', /format must be one of graphml, gexf, i2-entities, i2-links, ftm/)
    await problem('/api/network/export?format=graphml', 'start', /start is required/)
    const lone = await api(POLICE)('GET', `/api/network?start=entity:${f.lone}`)
    assert.equal(lone.status, 200)
    assert.equal(lone.body.nodes.length, 1)
    assert.match(lone.body.message, /Lone Person has no links you may see within 2 hops/)
    await problem(`/api/network/export?format=graphml&start=entity:${f.lone}`, 'start', /nothing to export/)
    const players = await api(POLICE)('POST', '/api/network/key-players', { count: 2 })
    assert.equal(players.status, 400)
    assert.match(players.text, /Give either group/)
  })

  test('the network API is in the OpenAPI document', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/docs/json' })
    const paths = Object.keys(JSON.parse(res.body).paths)
    for (const p of ['/api/v1/network', '/api/v1/network/measures', '/api/v1/network/key-players', '/api/v1/network/export']) assert.ok(paths.includes(p), p)
  })
})
