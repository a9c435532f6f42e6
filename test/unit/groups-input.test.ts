import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ValidationError } from '../../src/core/errors.ts'
import { parseInput } from '../../src/http/validation.ts'
import { GroupInput, MemberInput } from '../../src/modules/groups/schema.ts'
import { groupLabel, operationLabel } from '../../src/core/groups/operationName.ts'

// The group and member inputs as the API, the forms and the CSV importer all send them.

const base = {
  name: 'Kane family network',
  status: 'active',
  threatAreas: ['drugs'],
  purpose: 'Disrupting the network',
  reviewDate: '2027-06-01',
  protectiveMarking: 'OFFICIAL',
  handlingCode: 'P',
  sharingScope: 'agency',
}

const problems = (schema: Parameters<typeof parseInput>[0], raw: unknown) => {
  try {
    parseInput(schema, raw)
  } catch (error) {
    if (error instanceof ValidationError) return error.issues
    throw error
  }
  return []
}

test('a form post and a JSON body give the same group', () => {
  const fromForm = parseInput(GroupInput, { ...base, threatAreas: 'drugs', areas: 'Leicester\r\n\r\n  Charnwood  \n', crossBorder: 'true', legacyOcgmBand: ' 2b ', operationName: '' })
  const fromJson = parseInput(GroupInput, { ...base, areas: ['Leicester', 'Charnwood'], crossBorder: true, legacyOcgmBand: '2B' })
  assert.deepEqual(fromForm, fromJson)
  assert.deepEqual(fromForm.areas, ['Leicester', 'Charnwood'])
  assert.equal(fromForm.operationName, null)
  assert.equal(fromForm.leadResponsibleOfficerId, null)
})

test('parsing a parsed group again gives the same group (the importer checks, then saves)', () => {
  const once = parseInput(GroupInput, { ...base, areas: 'Leicester', crossBorder: 'on' })
  assert.deepEqual(parseInput(GroupInput, once), once)
})

test('threat areas: at least one, each from the list, each once', () => {
  assert.deepEqual(problems(GroupInput, { ...base, threatAreas: [] }), [{ field: 'threatAreas', message: 'Choose at least one threat area' }])
  assert.deepEqual(problems(GroupInput, { ...base, threatAreas: ['drugs', 'drugs'] }), [{ field: 'threatAreas', message: 'Choose each threat area once' }])
  assert.equal(problems(GroupInput, { ...base, threatAreas: ['piracy'] })[0]?.field, 'threatAreas.0')
})

test('areas are 1 to 100 characters and each is listed once, whatever its case', () => {
  assert.match(problems(GroupInput, { ...base, areas: ['Leicester', 'LEICESTER'] })[0]!.message, /"LEICESTER" is listed twice/)
  assert.equal(problems(GroupInput, { ...base, areas: ['x'.repeat(101)] })[0]?.message, 'Each area must be 100 characters or fewer')
  assert.equal(problems(GroupInput, { ...base, areas: [''] })[0]?.message, 'Enter a name or code for each area')
})

test('a legacy OCGM band is 1A to 3C', () => {
  for (const band of ['1A', '3C', '2b']) assert.deepEqual(problems(GroupInput, { ...base, legacyOcgmBand: band }), [])
  for (const band of ['4A', '1D', 'A1', '12A']) assert.equal(problems(GroupInput, { ...base, legacyOcgmBand: band })[0]?.field, 'legacyOcgmBand', band)
})

test('the officer is named once, by id or by e-mail address', () => {
  const both = problems(GroupInput, { ...base, leadResponsibleOfficerId: '6b0f0d6e-7c1e-4a51-9a36-2f7c1c0b7a11', leadResponsibleOfficerEmail: 'lro@example.org' })
  assert.deepEqual(both.map((i) => i.field), ['leadResponsibleOfficerEmail'])
  assert.equal(problems(GroupInput, { ...base, leadResponsibleOfficerId: 'not-an-id' })[0]?.field, 'leadResponsibleOfficerId')
})

test('unknown fields are named, not dropped', () => {
  assert.deepEqual(problems(GroupInput, { ...base, nickname: 'The Kanes' }), [{ field: 'nickname', message: 'Unknown field "nickname": remove it' }])
})

const person = '6b0f0d6e-7c1e-4a51-9a36-2f7c1c0b7a11'

test('a member: an enabler has a profession and nobody else does; impossible and backwards dates are refused', () => {
  assert.deepEqual(problems(MemberInput, { personId: person, role: 'enabler', enablerProfession: 'law' }), [])
  assert.deepEqual(problems(MemberInput, { personId: person, role: 'enabler', enablerProfession: '' }).map((i) => i.field), ['enablerProfession'])
  assert.deepEqual(problems(MemberInput, { personId: person, role: 'principal', enablerProfession: 'law' }).map((i) => i.field), ['enablerProfession'])
  assert.deepEqual(problems(MemberInput, { personId: person, role: 'mule', startDate: '2024-02-30' }).map((i) => i.field), ['startDate'])
  assert.deepEqual(problems(MemberInput, { personId: person, role: 'mule', startDate: '2024-03-01', endDate: '2024-02-29' }).map((i) => i.field), ['endDate'])
  assert.deepEqual(problems(MemberInput, { personId: person, role: 'mule', startDate: '2024-02-29', endDate: '2024-02-29' }), [])
  assert.deepEqual(problems(MemberInput, { role: 'gang leader' }).map((i) => i.field).sort(), ['personId', 'role'])
})

test('an operation reads "Operation Nightjar" whether the code word or the whole name was recorded', () => {
  assert.equal(operationLabel('Nightjar'), 'Operation Nightjar')
  assert.equal(operationLabel('Operation Nightjar'), 'Operation Nightjar')
  assert.equal(operationLabel('op nightjar'), 'op nightjar')
  // A code word that merely starts with the letters is still a code word.
  assert.equal(operationLabel('Opal'), 'Operation Opal')
  assert.equal(groupLabel('Kane family network', 'Nightjar'), 'Kane family network (Operation Nightjar)')
  assert.equal(groupLabel('Kane family network', null), 'Kane family network')
})
