import assert from 'node:assert/strict'
import { test } from 'node:test'
import catalogue from '../../config/powers/catalogue.json' with { type: 'json' }
import {
  ORDER_TYPES, mayUse, parseCatalogue, periodHours,
  type Catalogue, type Power,
} from '../../src/core/powers/catalogue.ts'

// The shipped catalogue, parsed once; every test of its content starts from here.
const parsed = parseCatalogue(catalogue)
const shipped = (): Catalogue => {
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems))
  return parsed.catalogue
}
const power = (id: string): Power => {
  const found = shipped().powers.find((p) => p.id === id)
  assert.ok(found, `the catalogue has no power ${id}`)
  return found
}

test('the shipped catalogue parses with no problems', () => {
  assert.deepEqual(parsed.ok ? [] : parsed.problems, [])
  const c = shipped()
  assert.equal(c.version, 1)
  assert.equal(c.reviewed, '2026-12-04')
  assert.match(c.reviewNote, /not legal advice/)
  assert.match(c.reviewNote, /primary legislation and published guidance/)
  assert.match(c.reviewNote, /check every entry against current law/)
})

test('the catalogue holds at least 40 powers', () => {
  assert.ok(shipped().powers.length >= 40, `only ${shipped().powers.length} powers`)
})

test('every partner agency named in the domain leads or may use at least one power', () => {
  const agencies = [
    { agencyType: 'police_force', serviceArea: null },
    ...['licensing', 'trading_standards', 'environmental_health', 'planning', 'housing', 'revenues_benefits', 'community_safety']
      .map((serviceArea) => ({ agencyType: 'council_service', serviceArea })),
    ...['fire_rescue', 'hmrc', 'dwp', 'glaa', 'immigration_enforcement', 'dvsa', 'environment_agency']
      .map((agencyType) => ({ agencyType, serviceArea: null })),
  ]
  for (const agency of agencies) {
    const leads = shipped().powers.some((p) => p.leadAgency.agencyType === agency.agencyType && (p.leadAgency.serviceArea ?? null) === agency.serviceArea)
    const uses = shipped().powers.some((p) => mayUse(p, agency))
    assert.ok(leads || uses, `${agency.agencyType}${agency.serviceArea ? `/${agency.serviceArea}` : ''} has no power`)
  }
})

test('every order type in the register has exactly one power', () => {
  for (const orderType of ORDER_TYPES) {
    const ids = shipped().powers.filter((p) => p.orderType === orderType).map((p) => p.id)
    assert.equal(ids.length, 1, `${orderType}: ${ids.join(', ') || 'none'}`)
  }
})

test('the fixed ids carry the order types other code relies on', () => {
  const expected: Record<string, string> = {
    scpo: 'scpo', stpo: 'stpo', stro: 'stro', tro: 'tro',
    community_protection_warning: 'cpw', community_protection_notice: 'cpn',
    closure_notice: 'closure_notice', closure_order: 'closure_order',
    gang_injunction: 'gang_injunction', criminal_behaviour_order: 'cbo',
  }
  for (const [id, orderType] of Object.entries(expected)) assert.equal(power(id).orderType, orderType, id)
  for (const id of ['premises_licence_review', 'summary_licence_review', 'food_hygiene_enforcement', 'labour_abuse_prevention_order',
    'gangmaster_licence_action', 'national_minimum_wage_enforcement', 'illegal_working_closure_notice', 'illegal_working_civil_penalty',
    'hmrc_tax_investigation', 'cash_seizure', 'account_freezing_order', 'confiscation_order', 'fire_safety_prohibition_notice',
    'fire_safety_enforcement_notice']) {
    assert.equal(power(id).orderType, null, id)
  }
})

test('an SCPO is for adults only, lasts at most five years, and comes from the Crown Court or High Court', () => {
  const scpo = power('scpo')
  assert.equal(scpo.minimumAge, 18)
  assert.deepEqual(scpo.duration.maximum, { value: 5, unit: 'years' })
  assert.ok(scpo.court === 'crown_court' || scpo.court === 'high_court')
  assert.match(scpo.whoMayApply, /Crown Court/)
  assert.match(scpo.whoMayApply, /High Court/)
  assert.match(scpo.breachPenalty ?? '', /5 years/)
})

test('a slavery and trafficking prevention order runs at least five years and a risk order at least two, without a conviction', () => {
  assert.deepEqual(power('stpo').duration.minimum, { value: 5, unit: 'years' })
  const stro = power('stro')
  assert.deepEqual(stro.duration.minimum, { value: 2, unit: 'years' })
  assert.ok(stro.prerequisites.some((p) => /No conviction is required/.test(p.description)))
})

test('a closure notice lasts 24 hours, or 48 with a superintendent or the council head of paid service', () => {
  const notice = power('closure_notice')
  assert.deepEqual(notice.duration.maximum, { value: 24, unit: 'hours' })
  assert.deepEqual(notice.duration.extendedMaximum, { value: 48, unit: 'hours' })
  assert.match(notice.duration.extension ?? '', /superintendent/)
  assert.match(notice.duration.extension ?? '', /chief executive officer/)
  assert.match(notice.duration.extension ?? '', /head of paid service/)
  assert.match(notice.duration.extension ?? '', /designate/)
})

test('a closure order lasts 3 months, extendable to 6, and needs a closure notice first', () => {
  const order = power('closure_order')
  assert.deepEqual(order.duration.maximum, { value: 3, unit: 'months' })
  assert.deepEqual(order.duration.extendedMaximum, { value: 6, unit: 'months' })
  assert.ok(order.prerequisites.some((p) => p.kind === 'prior_power' && p.powerId === 'closure_notice'))
})

test('a community protection notice needs a written warning first, and both are for people aged 16 or over', () => {
  const notice = power('community_protection_notice')
  assert.ok(notice.prerequisites.some((p) => p.kind === 'prior_power' && p.powerId === 'community_protection_warning'))
  assert.equal(notice.minimumAge, 16)
  assert.equal(power('community_protection_warning').minimumAge, 16)
})

test('a gang injunction is for people aged 14 or over', () => {
  assert.equal(power('gang_injunction').minimumAge, 14)
})

// A small catalogue, valid as it stands; each refusal test breaks one thing in a fresh copy.
const draftPower = (id: string): Power => ({
  id,
  name: `Power ${id}`,
  legalBasis: 'Test Act 2020, s.1',
  strands: ['pursue'],
  usedBy: [{ agencyType: 'police_force' }, { agencyType: 'council_service', serviceArea: 'licensing' }],
  leadAgency: { agencyType: 'police_force' },
  whoMayApply: 'A constable',
  court: null,
  subjects: ['premises'],
  minimumAge: null,
  standardOfProof: 'reasonable_belief',
  duration: { description: 'No fixed period' },
  noticePeriod: null,
  prerequisites: [],
  breachPenalty: null,
  reviewPoints: [],
  summary: 'A power for tests',
  orderType: null,
  indicators: [{ when: { threatAreas: ['drugs'] }, reason: 'Groups dealing drugs', weight: 5 }],
})
const valid = (): Catalogue => ({ version: 1, reviewed: '2026-12-04', reviewNote: 'For tests', powers: [draftPower('first'), draftPower('second')] })

const problemsOf = (change: (c: Catalogue) => void) => {
  const c = valid()
  change(c)
  const result = parseCatalogue(c)
  assert.equal(result.ok, false, 'the broken catalogue should be refused')
  return result.ok ? [] : result.problems
}
const first = (c: Catalogue) => c.powers[0]!

test('the test catalogue is valid as it stands', () => {
  const result = parseCatalogue(valid())
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems))
})

test('two powers with the same id are refused at the second', () => {
  assert.deepEqual(problemsOf((c) => (c.powers[1]!.id = 'first')), [{ field: 'powers[1].id', message: 'Two powers have the id first' }])
})

test('a prerequisite naming a power the catalogue does not hold is refused', () => {
  const problems = problemsOf((c) => (first(c).prerequisites = [{ kind: 'prior_power', powerId: 'warning', description: 'A warning first' }]))
  assert.deepEqual(problems, [{ field: 'powers[0].prerequisites[0].powerId', message: 'first needs warning first, which the catalogue does not hold' }])
})

test('a prerequisite naming another power in the catalogue is accepted, whatever its order', () => {
  const c = valid()
  first(c).prerequisites = [{ kind: 'prior_power', powerId: 'second', description: 'The second power first' }]
  assert.ok(parseCatalogue(c).ok)
})

test('a lead agency not among those that may use the power is refused', () => {
  const problems = problemsOf((c) => (first(c).leadAgency = { agencyType: 'hmrc' }))
  assert.deepEqual(problems, [{ field: 'powers[0].leadAgency', message: 'The lead agency of first is not among the agencies that may use it' }])
})

test('a council lead must name a service the power lists', () => {
  assert.equal(problemsOf((c) => (first(c).leadAgency = { agencyType: 'council_service', serviceArea: 'planning' }))[0]!.field, 'powers[0].leadAgency')
  assert.equal(problemsOf((c) => (first(c).leadAgency = { agencyType: 'council_service' }))[0]!.field, 'powers[0].leadAgency')
  const c = valid()
  first(c).leadAgency = { agencyType: 'council_service', serviceArea: 'licensing' }
  assert.ok(parseCatalogue(c).ok)
})

test('an indicator with no conditions is refused, since it would never match', () => {
  const problems = problemsOf((c) => (first(c).indicators[0]!.when = {}))
  assert.deepEqual(problems, [{ field: 'powers[0].indicators[0].when', message: 'first: an indicator needs at least one condition' }])
})

test('an extended maximum without a maximum is refused', () => {
  const problems = problemsOf((c) => (first(c).duration = { extendedMaximum: { value: 48, unit: 'hours' }, extension: 'By a superintendent', description: 'Up to 48 hours' }))
  assert.deepEqual(problems, [{ field: 'powers[0].duration.extendedMaximum', message: 'first: an extended maximum needs a shorter maximum' }])
})

test('an extended maximum no longer than the maximum is refused', () => {
  const problems = problemsOf((c) => (first(c).duration = { maximum: { value: 2, unit: 'days' }, extendedMaximum: { value: 48, unit: 'hours' }, extension: 'By a superintendent', description: 'Two days' }))
  assert.deepEqual(problems, [{ field: 'powers[0].duration.extendedMaximum', message: 'first: an extended maximum needs a shorter maximum' }])
})

test('an extended maximum must say how and by whom it is extended', () => {
  const problems = problemsOf((c) => (first(c).duration = { maximum: { value: 24, unit: 'hours' }, extendedMaximum: { value: 48, unit: 'hours' }, description: 'A day or two' }))
  assert.deepEqual(problems, [{ field: 'powers[0].duration.extension', message: 'first: say how and by whom it may be extended' }])
})

test('a minimum longer than the maximum is refused', () => {
  const problems = problemsOf((c) => (first(c).duration = { minimum: { value: 3, unit: 'years' }, maximum: { value: 2, unit: 'years' }, description: 'Odd' }))
  assert.deepEqual(problems, [{ field: 'powers[0].duration', message: 'first: the minimum is longer than the maximum' }])
})

test('twelve months and one year compare as equal, so either may bound the other', () => {
  assert.equal(periodHours({ value: 12, unit: 'months' }), periodHours({ value: 1, unit: 'years' }))
  const c = valid()
  first(c).duration = { minimum: { value: 12, unit: 'months' }, maximum: { value: 1, unit: 'years' }, description: 'Exactly a year' }
  assert.ok(parseCatalogue(c).ok)
})

test('two powers registering as the same order type are refused', () => {
  const problems = problemsOf((c) => {
    first(c).orderType = 'cbo'
    c.powers[1]!.orderType = 'cbo'
  })
  assert.deepEqual(problems, [{ field: 'powers[1].orderType', message: 'second and first both register as cbo' }])
})

test('a power with no indicators is refused with the path to the list', () => {
  const problems = problemsOf((c) => (first(c).indicators = []))
  assert.deepEqual(problems, [{ field: 'powers[0].indicators', message: 'Give at least one indicator of when the power suits a group' }])
})

test('an unknown field is refused, so a misspelt setting is not silently ignored', () => {
  const problems = problemsOf((c) => Object.assign(first(c), { minimumAgee: 16 }))
  assert.equal(problems.length, 1)
  assert.equal(problems[0]!.field, 'powers[0]')
  assert.match(problems[0]!.message, /minimumAgee/)
})

test('something that is not a catalogue at all is refused, not thrown', () => {
  for (const json of [null, 'catalogue', [], 42, {}]) assert.equal(parseCatalogue(json).ok, false)
})
