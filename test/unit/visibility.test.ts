import assert from 'node:assert/strict'
import { test } from 'node:test'
import { capabilitiesOf } from '../../src/core/access/roles.ts'
import { decideVisibility, handlingProblems, type RestrictedRecord, type Viewer } from '../../src/core/access/visibility.ts'

const POLICE = 'police-agency'
const HMRC = 'hmrc-agency'
const COUNCIL = 'council-agency'
const now = new Date('2026-11-23T12:00:00Z')

const viewer = (agencyId: string, role: Parameters<typeof capabilitiesOf>[0][number], userId = `${agencyId}-user`): Viewer => ({ userId, agencyId, capabilities: capabilitiesOf([role]) })

const record = (over: Partial<RestrictedRecord> = {}): RestrictedRecord => ({
  owningAgencyId: POLICE,
  protectiveMarking: 'OFFICIAL',
  handlingCode: 'P',
  handlingConditions: null,
  sharingScope: 'agency',
  sharedWithAgencyIds: [],
  grants: [],
  ...over,
})

test('the owning agency sees its own record', () => {
  assert.deepEqual(decideVisibility(viewer(POLICE, 'analyst'), record(), now), { visible: true, basis: 'owning-agency', handlingConditions: null })
})

test('another agency does not see a record kept to its owner', () => {
  assert.deepEqual(decideVisibility(viewer(HMRC, 'analyst'), record(), now), { visible: false, reason: 'not-shared-with-you' })
})

test('a record shared with the whole partnership is seen by every agency', () => {
  const d = decideVisibility(viewer(COUNCIL, 'partner_officer'), record({ sharingScope: 'partnership' }), now)
  assert.equal(d.visible && d.basis, 'whole-partnership')
})

test('a record shared with named agencies is seen by those agencies only', () => {
  const r = record({ sharingScope: 'named', sharedWithAgencyIds: [HMRC] })
  assert.equal(decideVisibility(viewer(HMRC, 'analyst'), r, now).visible, true)
  assert.equal(decideVisibility(viewer(COUNCIL, 'analyst'), r, now).visible, false)
})

test('named agencies count only while the scope is "named"', () => {
  const r = record({ sharingScope: 'agency', sharedWithAgencyIds: [HMRC] })
  assert.equal(decideVisibility(viewer(HMRC, 'analyst'), r, now).visible, false)
})

test('OFFICIAL-SENSITIVE needs the need-to-know capability, even in the owning agency', () => {
  const r = record({ protectiveMarking: 'OFFICIAL-SENSITIVE' })
  assert.deepEqual(decideVisibility(viewer(POLICE, 'partner_officer'), r, now), { visible: false, reason: 'needs-sensitive-access' })
  assert.equal(decideVisibility(viewer(POLICE, 'analyst'), r, now).visible, true)
})

test('OFFICIAL-SENSITIVE is never seen through the whole-partnership scope', () => {
  const r = record({ protectiveMarking: 'OFFICIAL-SENSITIVE', sharingScope: 'partnership' })
  assert.equal(decideVisibility(viewer(HMRC, 'analyst'), r, now).visible, false)
})

test('an explicit grant to a user lets that user, and no colleague, see the record', () => {
  const r = record({ grants: [{ granteeUserId: 'hmrc-alice', granteeAgencyId: null, expiresAt: null, revokedAt: null }] })
  const d = decideVisibility(viewer(HMRC, 'analyst', 'hmrc-alice'), r, now)
  assert.equal(d.visible && d.basis, 'explicit-grant')
  assert.equal(decideVisibility(viewer(HMRC, 'analyst', 'hmrc-bob'), r, now).visible, false)
})

test('an expired or revoked grant gives nothing', () => {
  const expired = record({ grants: [{ granteeUserId: null, granteeAgencyId: HMRC, expiresAt: new Date('2026-11-23T11:59:59Z'), revokedAt: null }] })
  const revoked = record({ grants: [{ granteeUserId: null, granteeAgencyId: HMRC, expiresAt: null, revokedAt: new Date('2026-11-01') }] })
  assert.equal(decideVisibility(viewer(HMRC, 'analyst'), expired, now).visible, false)
  assert.equal(decideVisibility(viewer(HMRC, 'analyst'), revoked, now).visible, false)
})

test('councillors and board members see no personal record, even their own agency\'s', () => {
  for (const role of ['councillor', 'board_member', 'administrator'] as const) {
    assert.deepEqual(decideVisibility(viewer(POLICE, role), record({ sharingScope: 'partnership' }), now), { visible: false, reason: 'no-record-access' }, role)
  }
})

test('handling conditions travel with a C record and are absent for P', () => {
  const c = decideVisibility(viewer(POLICE, 'analyst'), record({ handlingCode: 'C', handlingConditions: 'Not for evidential use' }), now)
  assert.equal(c.visible && c.handlingConditions, 'Not for evidential use')
})

test('refuses a C handling code without conditions, and P with them', () => {
  const base = { protectiveMarking: 'OFFICIAL', sharingScope: 'agency', sharedWithAgencyIds: [] } as const
  assert.deepEqual(handlingProblems({ ...base, handlingCode: 'C', handlingConditions: '   ' }).map((p) => p.field), ['handlingConditions'])
  assert.deepEqual(handlingProblems({ ...base, handlingCode: 'P', handlingConditions: 'Do not share' }).map((p) => p.field), ['handlingConditions'])
  assert.deepEqual(handlingProblems({ ...base, handlingCode: 'C', handlingConditions: 'Do not share' }), [])
})

test('refuses OFFICIAL-SENSITIVE for the whole partnership and named scope without agencies', () => {
  const problems = handlingProblems({ protectiveMarking: 'OFFICIAL-SENSITIVE', handlingCode: 'P', handlingConditions: null, sharingScope: 'partnership', sharedWithAgencyIds: [] })
  assert.deepEqual(problems.map((p) => p.field), ['sharingScope'])
  const named = handlingProblems({ protectiveMarking: 'OFFICIAL', handlingCode: 'P', handlingConditions: null, sharingScope: 'named', sharedWithAgencyIds: [] })
  assert.deepEqual(named.map((p) => p.field), ['sharedWithAgencyIds'])
})
