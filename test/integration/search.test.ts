import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { signedIn, startTestApp, type TestApp } from '../support/app.ts'

// One search box across people, businesses, vehicles, phones and groups, under the visibility rule
// and in the audit log.

const POLICE_ANALYST = 'analyst@demo.achilles.example'
const HMRC_ANALYST = 'analyst.hmrc@demo.achilles.example'

type Api = (method: 'GET' | 'POST', url: string, json?: unknown) => Promise<{ status: number; body: any }>
let t: TestApp
let police: Api
let hmrc: Api
const user = (email: string) => t.partnership.users.find((u) => u.email === email)!
const ids: Record<string, string> = {}

const held = (sharingScope: 'agency' | 'partnership' = 'partnership') => ({
  purpose: 'Disrupting a group supplying drugs in Loughborough', reviewDate: '2027-06-01', protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope,
})

before(async () => {
  t = await startTestApp()
  const bearer = async (email: string): Promise<Api> => {
    const { token } = await issueApiToken(t.ctx, 'system', user(email).id, { name: 'test', scopes: ['records:read', 'records:write'] })
    return async (method, url, json) => {
      const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}) }, payload: json ? JSON.stringify(json) : undefined })
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null }
    }
  }
  police = await bearer(POLICE_ANALYST)
  hmrc = await bearer(HMRC_ANALYST)
  const make = async (name: string, body: Record<string, unknown>, api = police) => {
    const res = await api('POST', '/api/v1/entities', body)
    assert.equal(res.status, 201, JSON.stringify(res.body))
    ids[name] = res.body.id
  }
  await make('john', { schema: 'Person', fullName: 'John Smith', aliases: ['Smudger'], birthDate: '1988-04-12', personRole: 'suspect', ...held() })
  await make('victim', { schema: 'Person', fullName: 'Joan Smith', birthDate: '1950-01-30', personRole: 'victim', ...held() })
  await make('hidden', { schema: 'Person', fullName: 'Johnny Smithson', personRole: 'suspect', ...held('agency') })
  await make('van', { schema: 'Vehicle', registration: 'ab12cde', make: 'Ford', model: 'Transit', ...held() })
  await make('phone', { schema: 'Phone', number: '+44 7700 900123', ...held() })
  await make('carwash', { schema: 'Company', name: 'Sparkle Hand Car Wash', businessType: 'car_wash', ...held() })
  const group = await police('POST', '/api/v1/groups', { name: 'Smith network', operationName: 'Operation Kestrel', status: 'active', threatAreas: ['drugs'], ...held() })
  assert.equal(group.status, 201, JSON.stringify(group.body))
  ids.group = group.body.id
})
after(() => t.close())

const found = (hits: Array<{ id: string }>, name: string) => hits.some((h) => h.id === ids[name])

test('finds a person from a misspelt name, and shows a victim as a victim', async () => {
  const res = await police('GET', '/api/v1/search?q=Jon%20Smyth')
  assert.equal(res.status, 200, JSON.stringify(res.body))
  assert.ok(found(res.body.hits, 'john'), JSON.stringify(res.body.hits))
  const victim = res.body.hits.find((h: { id: string }) => h.id === ids.victim)
  if (victim) assert.equal(victim.personRole, 'victim')
  const john = res.body.hits.find((h: { id: string }) => h.id === ids.john)
  assert.equal(john.personRole, 'suspect')
})

test('finds people by date of birth, a vehicle by its registration written loosely, a phone written nationally, a group by operation name', async () => {
  assert.ok(found((await police('GET', '/api/v1/search?q=12/04/1988')).body.hits, 'john'))
  assert.ok(found((await police('GET', '/api/v1/search?q=AB12%20CDE')).body.hits, 'van'))
  assert.ok(found((await police('GET', '/api/v1/search?q=07700%20900123')).body.hits, 'phone'))
  assert.ok(found((await police('GET', '/api/v1/search?q=kestrel')).body.hits, 'group'))
  const onlyGroups = await police('GET', '/api/v1/search?q=Smith&kinds=Group')
  assert.ok(onlyGroups.body.hits.every((h: { kind: string }) => h.kind === 'Group'))
  assert.ok(found(onlyGroups.body.hits, 'group'))
})

test('never finds what the searcher may not see', async () => {
  assert.ok(found((await police('GET', '/api/v1/search?q=Johnny%20Smithson')).body.hits, 'hidden'))
  const other = await hmrc('GET', '/api/v1/search?q=Johnny%20Smithson')
  assert.equal(other.status, 200)
  assert.ok(!found(other.body.hits, 'hidden'))
  assert.ok(found((await hmrc('GET', '/api/v1/search?q=John%20Smith')).body.hits, 'john'), 'the partnership-wide record is found by another agency')
})

test('who searched for whom is in the audit log', async () => {
  await police('GET', '/api/v1/search?q=Sparkle%20car%20wash')
  const rows = await t.ctx.db.kysely.selectFrom('audit_events').selectAll().where('record_type', '=', 'search').where('user_id', '=', user(POLICE_ANALYST).id).orderBy('seq').execute()
  const last = rows.at(-1) as unknown as { action: string; detail: { query: string; shown: string[] } }
  assert.equal(last.action, 'consultation')
  assert.equal(last.detail.query, 'Sparkle car wash')
  assert.ok(last.detail.shown.includes(`Company:${ids.carwash}`))
})

test('a search too short or of an unknown kind is refused, naming the field', async () => {
  const short = await police('GET', '/api/v1/search?q=J')
  assert.equal(short.status, 400)
  assert.ok(JSON.stringify(short.body).includes('q'))
  const kind = await police('GET', '/api/v1/search?q=John&kinds=Spaceship')
  assert.equal(kind.status, 400)
})

test('the search page lists results with each person’s role and handling, and roles without record access are refused', async () => {
  const analyst = await signedIn(t.app, POLICE_ANALYST)
  const page = await analyst.get('/search?q=Jon+Smyth')
  assert.equal(page.status, 200)
  assert.match(page.body, /John Smith/)
  assert.match(page.body, /Suspect or subject/)
  const empty = await analyst.get('/search')
  assert.equal(empty.status, 200)
  assert.doesNotMatch(empty.body, /results? for/)
  const tooShort = await analyst.get('/search?q=J')
  assert.equal(tooShort.status, 400)
  assert.match(tooShort.body, /govuk-error-summary/)
  const councillor = await signedIn(t.app, 'councillor@demo.achilles.example')
  assert.equal((await councillor.get('/search?q=John+Smith')).status, 403)
})
