import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checksToSchedule, checkKey, checkRecordingProblem, isDueForRenewal, type Obligation } from '../../src/core/orders/compliance.ts'
import { addPeriod, orderRuleProblems, type OrderDraft } from '../../src/core/orders/orderRules.ts'
import type { Power } from '../../src/core/powers/catalogue.ts'

// Small powers with the catalogue's rules, so each rule is tested on its own; the shipped
// catalogue's entries are checked against these rules in powers-catalogue.test.ts.
const base: Power = {
  id: 'scpo', name: 'Serious Crime Prevention Order', shortName: 'SCPO', legalBasis: 'Serious Crime Act 2007',
  strands: ['pursue'], usedBy: [{ agencyType: 'police_force' }], leadAgency: { agencyType: 'police_force' }, whoMayApply: 'CPS on police application',
  court: 'crown_court', subjects: ['person'], minimumAge: 18, standardOfProof: 'balance_of_probabilities',
  duration: { maximum: { value: 5, unit: 'years' }, description: 'Up to five years' }, noticePeriod: null, prerequisites: [], breachPenalty: 'An offence',
  reviewPoints: [], summary: 'Conditions on a convicted person', orderType: 'scpo', indicators: [{ when: { memberRoles: ['principal'] }, reason: 'A principal', weight: 9 }],
}
const closureNotice: Power = {
  ...base, id: 'closure_notice', name: 'Closure notice', shortName: undefined, legalBasis: 'ASB, Crime and Policing Act 2014 s.76', subjects: ['premises'], minimumAge: null,
  duration: { maximum: { value: 24, unit: 'hours' }, extendedMaximum: { value: 48, unit: 'hours' }, extension: 'when a superintendent signs it', description: '24 or 48 hours' }, orderType: 'closure_notice',
}
const cpw: Power = { ...base, id: 'community_protection_warning', name: 'Community Protection Warning', shortName: undefined, legalBasis: 'ASB, Crime and Policing Act 2014 s.43', minimumAge: 16, duration: { description: 'Until complied with' }, orderType: 'cpw' }
const cpn: Power = {
  ...cpw, id: 'community_protection_notice', name: 'Community Protection Notice', orderType: 'cpn',
  prerequisites: [{ kind: 'prior_power', powerId: 'community_protection_warning', description: 'a written warning that was not complied with (s.43(5))' }],
}
const stpo: Power = { ...base, id: 'stpo', name: 'Slavery and Trafficking Prevention Order', shortName: 'STPO', legalBasis: 'Modern Slavery Act 2015 s.14', minimumAge: null, duration: { minimum: { value: 5, unit: 'years' }, description: 'At least five years' }, orderType: 'stpo' }
const names = new Map([[cpw.id, cpw.name]])

const draft = (d: Partial<OrderDraft>): OrderDraft => ({
  startsAt: '2027-01-10T10:00:00Z', endsAt: '2029-01-10T10:00:00Z', subjectBirthDate: '1980-05-01', subjectKind: 'person', extendedAuthority: false, priorUses: [], ...d,
})

test('accepts an SCPO within its rules', () => {
  assert.deepEqual(orderRuleProblems(base, draft({}), names), [])
})

test('refuses an SCPO against someone under 18, naming the rule and its Act', () => {
  const problems = orderRuleProblems(base, draft({ subjectBirthDate: '2009-01-11' }), names)
  assert.deepEqual(problems, [{ field: 'subjectId', message: 'A Serious Crime Prevention Order (SCPO) cannot be made against someone under 18 (Serious Crime Act 2007)' }])
  // On their 18th birthday they may be bound.
  assert.deepEqual(orderRuleProblems(base, draft({ subjectBirthDate: '2009-01-10' }), names), [])
})

test('refuses an SCPO whose subject has no date of birth, since the age rule cannot be checked', () => {
  const [problem] = orderRuleProblems(base, draft({ subjectBirthDate: null }), names)
  assert.match(problem!.message, /needs the subject to be 18 or over .*record their date of birth first/)
})

test('refuses an SCPO longer than five years, and allows exactly five', () => {
  const problems = orderRuleProblems(base, draft({ endsAt: '2032-01-10T10:00:01Z' }), names)
  assert.deepEqual(problems, [{ field: 'endsAt', message: 'A Serious Crime Prevention Order (SCPO) may last at most 5 years (Serious Crime Act 2007)' }])
  assert.deepEqual(orderRuleProblems(base, draft({ endsAt: '2032-01-10T10:00:00Z' }), names), [])
})

test('refuses an order that ends before it starts, and says nothing else until that is put right', () => {
  assert.deepEqual(orderRuleProblems(base, draft({ endsAt: '2027-01-09T10:00:00Z', subjectBirthDate: '2015-01-01' }), names), [{ field: 'endsAt', message: 'The order must end after it starts' }])
})

test('a closure notice may last 24 hours, or 48 only with the senior authorisation', () => {
  const notice = (endsAt: string, extendedAuthority = false) => orderRuleProblems(closureNotice, draft({ subjectKind: 'premises', subjectBirthDate: null, startsAt: '2027-03-01T18:00:00Z', endsAt, extendedAuthority }), names)
  assert.deepEqual(notice('2027-03-02T18:00:00Z'), [])
  assert.deepEqual(notice('2027-03-02T19:00:00Z'), [{
    field: 'endsAt', message: 'A Closure notice may last at most 24 hours (up to 48 hours only when a superintendent signs it) (ASB, Crime and Policing Act 2014 s.76)',
  }])
  assert.deepEqual(notice('2027-03-03T18:00:00Z', true), [])
  assert.match(notice('2027-03-03T19:00:00Z', true)[0]!.message, /at most 48 hours/)
})

test('refuses a Community Protection Notice with no prior warning to the same subject', () => {
  assert.deepEqual(orderRuleProblems(cpn, draft({ endsAt: null }), names), [{
    field: 'subjectId', message: 'A Community Protection Notice needs a Community Protection Warning on the same subject first: a written warning that was not complied with (s.43(5))',
  }])
  // A warning given after the notice's date does not count.
  assert.equal(orderRuleProblems(cpn, draft({ endsAt: null, priorUses: [{ powerId: 'community_protection_warning', at: '2027-02-01T00:00:00Z' }] }), names).length, 1)
  assert.deepEqual(orderRuleProblems(cpn, draft({ endsAt: null, priorUses: [{ powerId: 'community_protection_warning', at: '2026-12-01T00:00:00Z' }] }), names), [])
})

test('refuses a CPN against a 15-year-old (16 and over only)', () => {
  const problems = orderRuleProblems(cpn, draft({ endsAt: null, subjectBirthDate: '2011-06-01', priorUses: [{ powerId: 'community_protection_warning', at: '2026-12-01T00:00:00Z' }] }), names)
  assert.deepEqual(problems.map((p) => p.message), ['A Community Protection Notice cannot be made against someone under 16 (ASB, Crime and Policing Act 2014 s.43)'])
})

test('refuses an STPO shorter than its five-year minimum, and one with no end date', () => {
  assert.match(orderRuleProblems(stpo, draft({ endsAt: '2031-01-10T10:00:00Z' }), names)[0]!.message, /must last at least 5 years \(Modern Slavery Act 2015 s.14\)/)
  assert.match(orderRuleProblems(stpo, draft({ endsAt: null }), names)[0]!.message, /Enter when the Slavery and Trafficking Prevention Order \(STPO\) ends: At least five years/)
})

test('refuses an order against the wrong kind of subject', () => {
  assert.match(orderRuleProblems(closureNotice, draft({ subjectKind: 'person', startsAt: '2027-03-01T18:00:00Z', endsAt: '2027-03-02T10:00:00Z' }), names)[0]!.message, /made against premises, not a person/)
})

test('adds months the way a court counts them: 31 January plus one month is 28 February', () => {
  assert.equal(addPeriod('2027-01-31T00:00:00Z', { value: 1, unit: 'months' }).toISOString(), '2027-02-28T00:00:00.000Z')
  assert.equal(addPeriod('2028-02-29T00:00:00Z', { value: 1, unit: 'years' }).toISOString(), '2029-02-28T00:00:00.000Z')
  assert.equal(addPeriod('2027-01-10T10:00:00Z', { value: 48, unit: 'hours' }).toISOString(), '2027-01-12T10:00:00.000Z')
})

const inspection: Obligation = {
  key: 'records', kind: 'inspection', text: 'Business records inspected every three months by trading standards, HMRC or the GLAA',
  every: { value: 3, unit: 'months' }, checkAgencyIds: ['ts', 'hmrc', 'glaa'], noticeHours: null,
}
const notify: Obligation = { key: 'employ', kind: 'notify', text: 'Notify the police 24 hours before employing anyone', every: null, checkAgencyIds: ['police'], noticeHours: 24 }
const order = { startsAt: '2027-01-15T00:00:00Z', endsAt: '2028-01-15T00:00:00Z', status: 'in_force', obligations: [inspection, notify] }

test('schedules inspections every three months in rotation between the named agencies, up to the horizon', () => {
  const checks = checksToSchedule(order, new Set(), '2027-01-15', 200)
  assert.deepEqual(checks, [
    { obligationKey: 'records', sequence: 1, dueOn: '2027-04-15', agencyId: 'ts' },
    { obligationKey: 'records', sequence: 2, dueOn: '2027-07-15', agencyId: 'hmrc' },
  ])
  // Later in the order's life, the rotation carries on, and nothing past the order's end is made.
  assert.deepEqual(checksToSchedule(order, new Set([checkKey('records', 1), checkKey('records', 2)]), '2027-11-01', 200).map((c) => [c.dueOn, c.agencyId]), [
    ['2027-10-15', 'glaa'], ['2028-01-15', 'ts'],
  ])
})

test('scheduling twice makes nothing twice, and an order no longer in force gets no checks', () => {
  const first = checksToSchedule(order, new Set(), '2027-06-01')
  const again = checksToSchedule(order, new Set(first.map((c) => checkKey(c.obligationKey, c.sequence))), '2027-06-01')
  assert.deepEqual(again, [])
  assert.deepEqual(checksToSchedule({ ...order, status: 'discharged' }, new Set(), '2027-06-01'), [])
})

test('a check result can be recorded from 14 days before it is due, once', () => {
  assert.equal(checkRecordingProblem({ dueOn: '2027-04-15', result: null }, '2027-04-01'), null)
  assert.equal(checkRecordingProblem({ dueOn: '2027-04-15', result: null }, '2027-03-31'), 'This check is not due until 2027-04-15; its result can be recorded from 2027-04-01')
  assert.equal(checkRecordingProblem({ dueOn: '2027-04-15', result: 'compliant' }, '2027-04-20'), 'This check has already been recorded')
})

test('flags a long order for renewal 90 days before it ends and a closure order 14 days before', () => {
  assert.equal(isDueForRenewal({ status: 'in_force', startsAt: '2027-01-15T00:00:00Z', endsAt: '2032-01-15T00:00:00Z' }, '2031-10-16'), false)
  assert.equal(isDueForRenewal({ status: 'in_force', startsAt: '2027-01-15T00:00:00Z', endsAt: '2032-01-15T00:00:00Z' }, '2031-10-17'), true)
  assert.equal(isDueForRenewal({ status: 'in_force', startsAt: '2027-01-01T00:00:00Z', endsAt: '2027-04-01T00:00:00Z' }, '2027-03-18'), true)
  assert.equal(isDueForRenewal({ status: 'in_force', startsAt: '2027-01-01T00:00:00Z', endsAt: '2027-04-01T00:00:00Z' }, '2027-03-17'), false)
  assert.equal(isDueForRenewal({ status: 'expired', startsAt: '2027-01-01T00:00:00Z', endsAt: '2027-04-01T00:00:00Z' }, '2027-03-20'), false)
})
