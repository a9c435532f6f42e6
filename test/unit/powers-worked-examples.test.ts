import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SHIPPED_CATALOGUE } from '../../src/core/powers/shippedCatalogue.ts'
import { suggestPowers, type GroupProfile } from '../../src/core/powers/suggestPowers.ts'

// Worked examples on the shipped catalogue, as an LRO would check them: what the "Achilles heel"
// suggestions offer for the patterns seed 004 describes.

const carWash: GroupProfile = {
  threatAreas: ['modern_slavery', 'organised_immigration_crime'],
  crossBorder: false,
  members: [
    { personId: 'owner', caption: 'Car wash owner', role: 'principal', enablerProfession: null, age: 41 },
    { personId: 'controller', caption: 'Controls the workers', role: 'core_member', enablerProfession: null, age: 29 },
  ],
  holdings: [
    { entityId: 'wash', caption: 'Sparkle Hand Car Wash', kind: 'business_interest', businessType: 'car_wash' },
    { entityId: 'house', caption: 'House where the workers sleep', kind: 'premises', businessType: null },
  ],
}

const takeaway: GroupProfile = {
  threatAreas: ['drugs', 'county_lines'],
  crossBorder: true,
  members: [
    { personId: 'owner', caption: 'Takeaway owner', role: 'principal', enablerProfession: null, age: 33 },
    { personId: 'runner', caption: 'Runner', role: 'mule', enablerProfession: null, age: 15 },
  ],
  holdings: [{ entityId: 'shop', caption: 'Chicken Spot', kind: 'business_interest', businessType: 'takeaway' }],
}

const byId = (profile: GroupProfile) => new Map(suggestPowers(SHIPPED_CATALOGUE.powers, profile).map((s) => [s.powerId, s]))
const leads = (profile: GroupProfile) => new Set(suggestPowers(SHIPPED_CATALOGUE.powers, profile).map((s) => s.leadAgency.agencyType + (s.leadAgency.serviceArea ? `/${s.leadAgency.serviceArea}` : '')))

test('a hand car wash with suspected forced labour leads to GLAA, HMRC, immigration and council licensing options', () => {
  const s = byId(carWash)
  const agencies = leads(carWash)
  for (const a of ['glaa', 'hmrc', 'immigration_enforcement']) assert.ok(agencies.has(a), `${a} leads a suggestion`)
  for (const id of ['labour_abuse_investigation', 'labour_abuse_prevention_order', 'national_minimum_wage_enforcement', 'illegal_working_civil_penalty', 'illegal_working_closure_notice']) assert.ok(s.has(id), `${id} is suggested`)
  // No council licence covers a hand car wash in England or Wales: the council's levers are the
  // licensing of the housing where the workers sleep, planning and the Environment Agency's discharge rules.
  for (const id of ['property_licensing_action', 'planning_enforcement_notice', 'trade_effluent_discharge_enforcement']) assert.ok(s.has(id), `${id} is suggested`)
  assert.ok(![...s.values()].some((x) => x.leadAgency.serviceArea === 'licensing' && x.targets.some((t) => t.id === 'wash')), 'no council licence is offered against the car wash itself')
  assert.deepEqual(s.get('national_minimum_wage_enforcement')!.targets.map((x) => x.id), ['wash'], 'minimum wage enforcement is aimed at the car wash')
  // The strongest suggestion is a labour-exploitation power, not a generic one.
  assert.equal(suggestPowers(SHIPPED_CATALOGUE.powers, carWash)[0]!.leadAgency.agencyType, 'glaa')
})

test('a takeaway used for drug supply leads to a closure notice, food hygiene and licensing options aimed at the takeaway', () => {
  const s = byId(takeaway)
  for (const id of ['closure_notice', 'closure_order', 'food_hygiene_enforcement', 'premises_licence_review']) assert.ok(s.has(id), `${id} is suggested`)
  assert.deepEqual(s.get('closure_notice')!.targets.map((x) => x.id), ['shop'])
  assert.deepEqual(s.get('premises_licence_review')!.targets.map((x) => x.id), ['shop'])
  assert.match(SHIPPED_CATALOGUE.powers.find((p) => p.id === 'premises_licence_review')!.legalBasis, /Schedule 2/, 'late-night refreshment is licensed under Schedule 2')
  assert.ok(s.get('closure_order')!.prerequisites.some((p) => p.kind === 'prior_power' && p.powerId === 'closure_notice'), 'a closure order needs the notice first')
})

test('a group without the business a power needs is not offered it', () => {
  assert.ok(!byId(carWash).has('summary_licence_review'), 'no licensed premises, no summary review')
})

test('a 15-year-old runner is offered safeguarding, and never an adult-only order', () => {
  const s = byId(takeaway)
  assert.ok(s.has('nrm_referral'), 'a National Referral Mechanism referral for the exploited child')
  assert.ok(!s.get('scpo')!.targets.some((x) => x.id === 'runner'), 'an SCPO is for those 18 and over')
  for (const [id, power] of s) {
    const min = SHIPPED_CATALOGUE.powers.find((p) => p.id === id)!.minimumAge
    if (min !== null && min > 15) assert.ok(!power.targets.some((x) => x.id === 'runner'), `${id} (minimum age ${min}) is not aimed at the runner`)
  }
})
