import assert from 'node:assert/strict'
import { test } from 'node:test'
import { actionProblems, actionsToFlag, isOverdue } from '../../src/core/plans/actions.ts'

const tradingStandards = { id: 'ts', agencyType: 'council_service', serviceArea: 'trading_standards', name: 'Leicester City Council Trading Standards' }
const police = { id: 'police', agencyType: 'police_force', serviceArea: null, name: 'Leicestershire Police' }
const closureNotice = { name: 'Closure notice', usedBy: [{ agencyType: 'police_force' as const }, { agencyType: 'local_authority' as const }] }

test('an action is overdue only while it is still to do and its due date has passed', () => {
  assert.equal(isOverdue({ status: 'open', dueOn: '2027-01-09' }, '2027-01-10'), true)
  assert.equal(isOverdue({ status: 'in_progress', dueOn: '2027-01-09' }, '2027-01-10'), true)
  assert.equal(isOverdue({ status: 'open', dueOn: '2027-01-10' }, '2027-01-10'), false)
  assert.equal(isOverdue({ status: 'done', dueOn: '2027-01-01' }, '2027-01-10'), false)
  assert.equal(isOverdue({ status: 'cancelled', dueOn: '2027-01-01' }, '2027-01-10'), false)
})

test('refuses a new action due in the past, but lets an existing one keep its lapsed date', () => {
  const draft = { dueOn: '2027-01-09', ownerAgency: police, ownerUserAgencyId: 'police', power: closureNotice }
  assert.deepEqual(actionProblems(draft, '2027-01-10', true), [{ field: 'dueOn', message: 'The due date must be today or later' }])
  assert.deepEqual(actionProblems(draft, '2027-01-10', false), [])
})

test('refuses an action with no owning agency or officer, or an officer of another agency', () => {
  assert.deepEqual(actionProblems({ dueOn: '2027-02-01', ownerAgency: null, ownerUserAgencyId: null, power: null }, '2027-01-10', true), [
    { field: 'ownerAgencyId', message: 'Choose the agency that owns the action' },
  ])
  assert.deepEqual(actionProblems({ dueOn: '2027-02-01', ownerAgency: police, ownerUserAgencyId: null, power: null }, '2027-01-10', true), [
    { field: 'ownerUserId', message: 'Choose the officer who owns the action' },
  ])
  assert.deepEqual(actionProblems({ dueOn: '2027-02-01', ownerAgency: police, ownerUserAgencyId: 'ts', power: null }, '2027-01-10', true), [
    { field: 'ownerUserId', message: 'The owner must be an officer of Leicestershire Police' },
  ])
})

test('refuses a power the owning agency cannot use', () => {
  assert.deepEqual(actionProblems({ dueOn: '2027-02-01', ownerAgency: tradingStandards, ownerUserAgencyId: 'ts', power: closureNotice }, '2027-01-10', true), [
    { field: 'powerId', message: 'Leicester City Council Trading Standards cannot use the Closure notice: choose an agency that may, or another power' },
  ])
  assert.deepEqual(actionProblems({ dueOn: '2027-02-01', ownerAgency: police, ownerUserAgencyId: 'police', power: closureNotice }, '2027-01-10', true), [])
})

test('the overdue sweep flags each lapse once, and again after the date is moved and lapses again', () => {
  const actions = [
    { id: 'a', status: 'open', dueOn: '2027-01-05', overdueFlaggedFor: null },
    { id: 'b', status: 'open', dueOn: '2027-01-05', overdueFlaggedFor: '2027-01-05' },
    { id: 'c', status: 'open', dueOn: '2027-01-08', overdueFlaggedFor: '2027-01-05' },
    { id: 'd', status: 'done', dueOn: '2027-01-01', overdueFlaggedFor: null },
    { id: 'e', status: 'open', dueOn: '2027-01-20', overdueFlaggedFor: null },
  ]
  assert.deepEqual(actionsToFlag(actions, '2027-01-10').map((a) => a.id), ['a', 'c'])
})
