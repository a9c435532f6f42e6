import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Power } from '../../src/core/powers/catalogue.ts'
import { ageOn, matches, suggestPowers, type GroupProfile } from '../../src/core/powers/suggestPowers.ts'

const power = (p: Partial<Power> & Pick<Power, 'id' | 'name' | 'indicators'>): Power => ({
  legalBasis: 'An Act', strands: ['pursue'], usedBy: [{ agencyType: 'police_force' }], leadAgency: { agencyType: 'police_force' }, whoMayApply: 'Police',
  court: null, subjects: ['person'], minimumAge: null, standardOfProof: 'balance_of_probabilities', duration: { description: 'None' }, noticePeriod: null,
  prerequisites: [], breachPenalty: null, reviewPoints: [], summary: 'A power', orderType: null, ...p,
})

const catalogue: Power[] = [
  power({ id: 'scpo', name: 'SCPO', minimumAge: 18, indicators: [{ when: { memberRoles: ['principal'] }, reason: 'A principal with a conviction can be bound by conditions', weight: 8 }] }),
  power({
    id: 'closure', name: 'Closure notice', subjects: ['premises'], indicators: [
      { when: { businessTypes: ['takeaway'], threatAreas: ['drugs', 'county_lines'] }, reason: 'Drugs are supplied from the takeaway', weight: 9 },
      { when: { holdings: ['premises'] }, reason: 'The group uses premises', weight: 2 },
    ],
  }),
  power({ id: 'nrm', name: 'NRM referral', strands: ['protect'], indicators: [{ when: { memberUnderAge: 18, threatAreas: ['county_lines'] }, reason: 'A child is being exploited', weight: 9 }] }),
  power({ id: 'vehicle_seizure', name: 'Vehicle seizure', subjects: ['vehicle'], indicators: [{ when: { threatAreas: ['county_lines'] }, reason: 'Lines move by car', weight: 5 }] }),
]

const profile: GroupProfile = {
  threatAreas: ['county_lines'],
  crossBorder: true,
  members: [
    { personId: 'p1', caption: 'Adult Principal', role: 'principal', enablerProfession: null, age: 34 },
    { personId: 'p2', caption: 'Young Runner', role: 'mule', enablerProfession: null, age: 15 },
    { personId: 'p3', caption: 'Unknown Age', role: 'associate', enablerProfession: null, age: null },
  ],
  holdings: [
    { entityId: 'b1', caption: 'Chicken Spot', kind: 'business_interest', businessType: 'takeaway' },
    { entityId: 'b2', caption: 'Nail Studio', kind: 'business_interest', businessType: 'nail_bar' },
  ],
}

test('works out an age in whole years, a day before and on the birthday', () => {
  assert.equal(ageOn('2009-01-11', '2027-01-10'), 17)
  assert.equal(ageOn('2009-01-10', '2027-01-10'), 18)
  assert.equal(ageOn('2008-02-29', '2027-02-28'), 18)
})

test('an indicator matches when every field it names matches, any value within a field', () => {
  assert.equal(matches({ businessTypes: ['takeaway'], threatAreas: ['drugs', 'county_lines'] }, profile), true)
  assert.equal(matches({ businessTypes: ['car_wash'], threatAreas: ['county_lines'] }, profile), false)
  assert.equal(matches({ memberUnderAge: 16 }, profile), true)
  assert.equal(matches({ memberUnderAge: 15 }, profile), false)
  assert.equal(matches({ crossBorder: false }, profile), false)
})

test('ranks by the weights of matching indicators and gives every reason', () => {
  const suggestions = suggestPowers(catalogue, profile)
  assert.deepEqual(suggestions.map((s) => [s.powerId, s.score]), [['closure', 9], ['nrm', 9], ['scpo', 8]])
  const closure = suggestions.find((s) => s.powerId === 'closure')!
  assert.deepEqual(closure.reasons, ['Drugs are supplied from the takeaway'])
})

test('aims a premises power at the businesses the indicator names, not every business', () => {
  const closure = suggestPowers(catalogue, profile).find((s) => s.powerId === 'closure')!
  assert.deepEqual(closure.targets, [{ id: 'b1', caption: 'Chicken Spot', note: null }])
})

test('leaves out people under the minimum age and asks to confirm the age of those with none', () => {
  const scpo = suggestPowers(catalogue, profile).find((s) => s.powerId === 'scpo')!
  assert.deepEqual(scpo.targets, [
    { id: 'p1', caption: 'Adult Principal', note: null },
    { id: 'p3', caption: 'Unknown Age', note: 'Confirm their age: this power needs someone aged 18 or over' },
  ])
})

test('suggests nothing the group gives it nothing to act on: no vehicles, no vehicle seizure', () => {
  assert.equal(suggestPowers(catalogue, profile).some((s) => s.powerId === 'vehicle_seizure'), false)
  const withCar = { ...profile, holdings: [...profile.holdings, { entityId: 'v1', caption: 'AB12 CDE', kind: 'vehicle' as const, businessType: null }] }
  assert.deepEqual(suggestPowers(catalogue, withCar).find((s) => s.powerId === 'vehicle_seizure')?.targets, [{ id: 'v1', caption: 'AB12 CDE', note: null }])
})

test('breaks ties by the 4Ps, Pursue first, then by name', () => {
  const tied = suggestPowers(catalogue, profile).filter((s) => s.score === 9).map((s) => s.powerId)
  assert.deepEqual(tied, ['closure', 'nrm'])
})

test('a group with nothing matching gets no suggestions', () => {
  assert.deepEqual(suggestPowers(catalogue, { threatAreas: ['fraud'], crossBorder: false, members: [], holdings: [] }), [])
})
