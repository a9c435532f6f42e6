import assert from 'node:assert/strict'
import { test } from 'node:test'
import { crimePicture, DEMO_CRIME_SCALE } from '../../src/core/demo/crime.ts'
import { demoPartnership } from '../../src/core/demo/partnership.ts'
import { demonstrationPlans } from '../../src/core/demo/plans.ts'
import { seededRandom } from '../../src/core/demo/random.ts'
import { orderRuleProblems } from '../../src/core/orders/orderRules.ts'
import { mayUse } from '../../src/core/powers/catalogue.ts'
import { SHIPPED_CATALOGUE } from '../../src/core/powers/shippedCatalogue.ts'

const today = '2026-11-23'
const partnership = demoPartnership({ adminEmail: 'admin@demo.achilles.example', today })
const picture = crimePicture({ agencies: partnership.agencies, users: partnership.users, today, scale: DEMO_CRIME_SCALE })
const make = () => demonstrationPlans({ picture, agencies: partnership.agencies, users: partnership.users, catalogue: SHIPPED_CATALOGUE.powers, today, random: seededRandom(4_2026) })

test('the demonstration plans are the same for the same seed, and have something in every part', () => {
  const a = make()
  assert.deepEqual(a, make())
  assert.ok(a.plans.length > 10 && a.actions.length > 40 && a.disruptions.length > 0 && a.orders.length > 0, JSON.stringify([a.plans.length, a.actions.length, a.disruptions.length, a.orders.length]))
  assert.ok(a.actions.some((x) => x.dueOn < today && x.status !== 'done'), 'some actions are overdue, so the flags show')
})

test('every demonstration action is a power its owner’s agency may use, and every order keeps its power’s rules', () => {
  const agencies = new Map(partnership.agencies.map((x) => [x.id, x]))
  const powers = new Map(SHIPPED_CATALOGUE.powers.map((p) => [p.id, p]))
  const { actions, orders } = make()
  for (const x of actions) {
    assert.ok(mayUse(powers.get(x.powerId)!, agencies.get(x.ownerAgencyId)!), `${x.ownerAgencyId} may use ${x.powerId}`)
    assert.equal(partnership.users.find((u) => u.id === x.ownerUserId)!.agencyId, x.ownerAgencyId)
    assert.equal(x.status === 'done', x.completedAt !== null)
  }
  const people = new Map(picture.entities.flatMap((e) => (e.schema === 'Person' ? [[e.id, e.person] as const] : [])))
  for (const o of orders) {
    const draft = { startsAt: o.startsAt, endsAt: o.endsAt, subjectBirthDate: people.get(o.subjectEntityId)!.birthDate, subjectKind: 'person' as const, extendedAuthority: false, priorUses: [] }
    assert.deepEqual(orderRuleProblems(powers.get(o.powerId)!, draft, new Map()), [])
  }
})
