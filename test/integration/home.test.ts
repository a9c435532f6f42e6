import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { signedIn, startTestApp, type TestApp } from '../support/app.ts'

// The home page tells each user where their groups stand: how many their agency holds, how many
// they lead as Lead Responsible Officer, and how many are past review.

let t: TestApp
const user = (email: string) => t.partnership.users.find((u) => u.email === email)!

before(async () => {
  t = await startTestApp()
  const { token } = await issueApiToken(t.ctx, 'system', user('analyst@demo.achilles.example').id, { name: 't', scopes: ['records:read', 'records:write'] })
  const make = async (name: string, extra: Record<string, unknown>) => {
    const res = await t.app.inject({
      method: 'POST', url: '/api/v1/groups', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ name, status: 'active', threatAreas: ['drugs'], purpose: 'Disrupting drug supply', reviewDate: '2027-06-01', protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency', ...extra }),
    })
    assert.equal(res.statusCode, 201, res.body)
  }
  await make('Led Crew', { leadResponsibleOfficerId: user('lro@demo.achilles.example').id })
  await make('Overdue Crew', { reviewDate: '2025-01-01' })
})
after(() => t.close())

test('the LRO sees the groups they lead, the analyst those the agency holds and those past review', async () => {
  const lro = await (await signedIn(t.app, 'lro@demo.achilles.example')).get('/')
  assert.match(lro.body, /1 you lead as Lead Responsible Officer/)
  const analyst = await (await signedIn(t.app, 'analyst@demo.achilles.example')).get('/')
  assert.match(analyst.body, /You lead no groups/)
  assert.match(analyst.body, /<span class="achilles-stat">2<\/span> <a class="govuk-link" href="\/groups\?owner=agency">/)
  assert.match(analyst.body, /<strong>1<\/strong> due for review/)
  const councillor = await (await signedIn(t.app, 'councillor@demo.achilles.example')).get('/')
  assert.doesNotMatch(councillor.body, /Organised crime groups/)
})
