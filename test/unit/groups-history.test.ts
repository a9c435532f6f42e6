import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  changedFields, dateRangeProblem, describeValue, groupChanges, holdingRefusal, isCurrent, membershipRefusal, MEMBER_FIELDS, type GroupFields,
} from '../../src/core/groups/history.ts'

const group = (over: Partial<GroupFields> = {}): GroupFields => ({
  name: 'Kane family network',
  operationName: 'Nightjar',
  status: 'active',
  threatAreas: ['drugs', 'county_lines'],
  areas: ['Leicester', 'Charnwood'],
  crossBorder: false,
  summary: null,
  legacyOcgmBand: null,
  leadResponsibleOfficerId: 'officer-1',
  purpose: 'Disrupting the network',
  reviewDate: '2027-06-01',
  ...over,
})

test('an unchanged group has no history entry', () => {
  assert.deepEqual(groupChanges(group(), group()), [])
})

test('threat areas and areas are sets: ticking them in another order changes nothing', () => {
  assert.deepEqual(groupChanges(group(), group({ threatAreas: ['county_lines', 'drugs'], areas: ['Charnwood', 'Leicester'] })), [])
})

test('each changed field is listed once, in form order, with its old and new value', () => {
  const changes = groupChanges(group(), group({ status: 'disrupted', areas: ['Leicester'], crossBorder: true, leadResponsibleOfficerId: null }))
  assert.deepEqual(changes, [
    { field: 'status', from: 'active', to: 'disrupted' },
    { field: 'areas', from: ['Leicester', 'Charnwood'], to: ['Leicester'] },
    { field: 'crossBorder', from: false, to: true },
    { field: 'leadResponsibleOfficerId', from: 'officer-1', to: null },
  ])
})

test('an empty text and no text are the same; a new summary is a change', () => {
  assert.deepEqual(groupChanges(group({ summary: null }), group({ summary: null })), [])
  assert.deepEqual(groupChanges(group(), group({ summary: 'New summary' })), [{ field: 'summary', from: null, to: 'New summary' }])
})

test('a membership change names the person it is about', () => {
  const before = { role: 'mule', enablerProfession: null, startDate: '2025-01-01', endDate: null, notes: null }
  const after = { ...before, role: 'enabler', enablerProfession: 'law' }
  assert.deepEqual(changedFields(MEMBER_FIELDS, before, after, 'person-9'), [
    { field: 'role', from: 'mule', to: 'enabler', entityId: 'person-9' },
    { field: 'enablerProfession', from: null, to: 'law', entityId: 'person-9' },
  ])
})

test('values read as a person would say them', () => {
  assert.equal(describeValue('status', 'disrupted'), 'Disrupted')
  assert.equal(describeValue('threatAreas', ['drugs', 'modern_slavery']), 'Drugs, Human trafficking and modern slavery')
  assert.equal(describeValue('role', 'enabler'), 'Professional enabler')
  assert.equal(describeValue('enablerProfession', 'property'), 'Property and lettings')
  assert.equal(describeValue('kind', 'bank_account'), 'Bank account')
  assert.equal(describeValue('crossBorder', true), 'Yes')
  assert.equal(describeValue('areas', []), '(none)')
  assert.equal(describeValue('summary', null), '(none)')
  assert.equal(describeValue('leadResponsibleOfficerId', 'u1', new Map([['u1', 'DI Sam Patel']])), 'DI Sam Patel')
  assert.equal(describeValue('leadResponsibleOfficerId', 'gone'), 'A user no longer listed')
})

test('a membership ending today is over; one ending tomorrow, or with no end, is current', () => {
  assert.equal(isCurrent(null, '2026-11-23'), true)
  assert.equal(isCurrent('2026-11-24', '2026-11-23'), true)
  assert.equal(isCurrent('2026-11-23', '2026-11-23'), false)
  assert.equal(isCurrent('2025-01-01', '2026-11-23'), false)
})

test('an end date before the start date is a problem; the same day or an open end is not', () => {
  assert.match(dateRangeProblem('2025-06-01', '2025-05-31') ?? '', /same as or after the start date/)
  assert.equal(dateRangeProblem('2025-06-01', '2025-06-01'), null)
  assert.equal(dateRangeProblem(null, '2025-06-01'), null)
  assert.equal(dateRangeProblem('2025-06-01', null), null)
})

test('only a person recorded as a suspect may be a member', () => {
  assert.equal(membershipRefusal({ schema: 'Person', personRole: 'suspect' }), null)
  assert.match(membershipRefusal({ schema: 'Person', personRole: 'victim' })!, /recorded as a victim\. Victims and people at risk are never made members/)
  assert.match(membershipRefusal({ schema: 'Person', personRole: 'person_at_risk' })!, /recorded as a person at risk.*link them .* as people at risk instead/)
  assert.match(membershipRefusal({ schema: 'Person', personRole: 'other' })!, /only a suspect/)
  assert.match(membershipRefusal({ schema: 'Company', personRole: null })!, /Only a person/)
})

test('a holding must be a record of the schema its kind allows', () => {
  assert.equal(holdingRefusal('business_interest', 'Company'), null)
  assert.equal(holdingRefusal('business_interest', 'Organization'), null)
  assert.equal(holdingRefusal('premises', 'Address'), null)
  assert.equal(holdingRefusal('premises', 'Vehicle'), 'A premises must be an address or premises record, not a vehicle record')
  assert.equal(holdingRefusal('phone', 'Person'), 'A phone must be a phone record, not a person record')
})

test('a holding refusal reads naturally for every schema', () => {
  assert.equal(holdingRefusal('business_interest', 'Address'), 'A business interest must be a business or organisation record, not an address or premises record')
})

test('dates read as dates, and a member or holding entry names the role or kind', () => {
  assert.equal(describeValue('startDate', '2024-01-01'), '1 January 2024')
  assert.equal(describeValue('reviewDate', '2027-11-30'), '30 November 2027')
  assert.equal(describeValue('member', 'core_member'), 'Core member')
  assert.equal(describeValue('holding', 'premises'), 'Premises')
})
