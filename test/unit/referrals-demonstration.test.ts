import assert from 'node:assert/strict'
import { test } from 'node:test'
import { crimePicture, DEMO_CRIME_SCALE } from '../../src/core/demo/crime.ts'
import { demoPartnership } from '../../src/core/demo/partnership.ts'
import { seededRandom } from '../../src/core/demo/random.ts'
import { demonstrationReferrals } from '../../src/core/referrals/demonstration.ts'
import { availableActions, isOverdue } from '../../src/core/referrals/referrals.ts'

// The demonstration referrals: one in each state a user meets, each sent by the agency that holds
// its subject, and the same from the same seed.

const today = '2026-12-07'
const partnership = demoPartnership({ adminEmail: 'admin@demo.achilles.example', today })
const picture = crimePicture({ agencies: partnership.agencies, users: partnership.users, today, scale: DEMO_CRIME_SCALE })
const make = () => demonstrationReferrals({ groups: picture.groups, agencies: partnership.agencies, users: partnership.users, today, random: seededRandom(5_2026) })

test('four invented referrals: answered by HMRC, waiting at the GAIN coordinator, accepted and overdue, declined with a ground', () => {
  const demo = make()
  assert.deepEqual(demo.referrals.map((r) => r.state), ['answered', 'sent', 'accepted', 'declined'])
  const groups = new Map(picture.groups.map((g) => [g.id, g]))
  for (const r of demo.referrals) {
    assert.equal(groups.get(r.subjectGroupId)!.owningAgencyId, r.requestingAgencyId, 'sent by the agency that holds the group')
    assert.notEqual(r.recipientAgencyId, r.requestingAgencyId)
    assert.equal(demo.events.filter((e) => e.referralId === r.id)[0]!.event, 'sent')
  }
  const [answered, waiting, late, declined] = demo.referrals
  assert.equal(demo.answers.length, 1)
  assert.equal(demo.answers[0]!.referralId, answered!.id)
  assert.match(demo.answers[0]!.intelligenceId, /^[0-9a-f-]{36}$/, 'filed as intelligence')
  assert.equal(waiting!.recipientAgencyId, waiting!.coordinatorAgencyId, 'with the coordinator to route')
  assert.deepEqual(availableActions({ state: 'sent', withCoordinator: true }, { requester: false, recipient: true, coordinator: true }), ['route', 'accept', 'answer', 'decline'])
  assert.ok(isOverdue(late!, today))
  assert.equal(demo.events.find((e) => e.referralId === declined!.id && e.event === 'declined')!.declineGround, 'no_information_held')
  assert.deepEqual(make(), demo, 'the same from the same seed')
})
