import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isLawfulBasis, LAWFUL_BASES, LAWFUL_BASIS_INFO } from '../../src/core/referrals/lawfulBases.ts'
import {
  availableActions, daysOverdue, declineProblems, defaultDueOn, dueDateFor, isDueSoon, isOverdue, markingProblems, mayTake, needsReminder, nextState,
  referralReference, referralReviewDate, refusalReason, statedBasisProblems, type Party, type ReferralFacts,
} from '../../src/core/referrals/referrals.ts'

// The rules of a GAIN referral, as worked examples a GAIN coordinator could check by hand.

const requester: Party = { requester: true, recipient: false, coordinator: false }
const recipient: Party = { requester: false, recipient: true, coordinator: false }
const coordinatorHolding: Party = { requester: false, recipient: true, coordinator: true }
const coordinatorAfter: Party = { requester: false, recipient: false, coordinator: true }
const outsider: Party = { requester: false, recipient: false, coordinator: false }
const sentDirect: ReferralFacts = { state: 'sent', withCoordinator: false }
const withCoordinator: ReferralFacts = { state: 'sent', withCoordinator: true }
const routed: ReferralFacts = { state: 'routed', withCoordinator: false }
const fields = (issues: Array<{ field: string }>) => issues.map((i) => i.field)

test('an answer is due by the urgency’s days from sending: today, tomorrow, a week, 28 days', () => {
  assert.equal(defaultDueOn('immediate', '2026-12-07'), '2026-12-07')
  assert.equal(defaultDueOn('within_24_hours', '2026-12-31'), '2027-01-01')
  assert.equal(defaultDueOn('within_7_days', '2026-12-07'), '2026-12-14')
  assert.equal(defaultDueOn('routine', '2027-02-01'), '2027-03-01', '28 days in February is a calendar month')
})

test('a requester may ask for an answer sooner than the urgency implies, never later, and never in the past', () => {
  assert.deepEqual(dueDateFor('routine', null, '2026-12-07'), { dueOn: '2027-01-04', issues: [] })
  assert.deepEqual(dueDateFor('routine', '2026-12-20', '2026-12-07'), { dueOn: '2026-12-20', issues: [] })
  const late = dueDateFor('within_7_days', '2026-12-15', '2026-12-07')
  assert.deepEqual(fields(late.issues), ['dueOn'])
  assert.match(late.issues[0]!.message, /within 7 days is due by 2026-12-14 at the latest/)
  assert.match(dueDateFor('routine', '2026-12-06', '2026-12-07').issues[0]!.message, /today or later/)
})

test('a referral is overdue the day after it was due, due soon on the day and the day before, and only while an answer is owed', () => {
  const r = { state: 'accepted', dueOn: '2026-12-10' }
  assert.equal(isOverdue(r, '2026-12-10'), false)
  assert.equal(isOverdue(r, '2026-12-11'), true)
  assert.equal(daysOverdue(r, '2026-12-14'), 4)
  assert.equal(isDueSoon(r, '2026-12-08'), false)
  assert.equal(isDueSoon(r, '2026-12-09'), true)
  assert.equal(isDueSoon(r, '2026-12-10'), true)
  assert.equal(isDueSoon(r, '2026-12-11'), false, 'late is not "soon"')
  for (const state of ['answered', 'declined', 'withdrawn', 'closed']) assert.equal(isOverdue({ state, dueOn: '2026-12-10' }, '2027-01-01'), false, state)
  assert.equal(daysOverdue({ state: 'answered', dueOn: '2026-12-10' }, '2027-01-01'), 0)
})

test('reminders go for open referrals due within a day or late, once a day', () => {
  const r = { state: 'sent', dueOn: '2026-12-10', remindedOn: null }
  assert.equal(needsReminder(r, '2026-12-08'), false, 'two days ahead')
  assert.equal(needsReminder(r, '2026-12-09'), true)
  assert.equal(needsReminder({ ...r, remindedOn: '2026-12-09' }, '2026-12-09'), false, 'already reminded today')
  assert.equal(needsReminder({ ...r, remindedOn: '2026-12-09' }, '2026-12-12'), true, 'late, reminded again the next days')
  assert.equal(needsReminder({ ...r, state: 'answered' }, '2026-12-12'), false)
})

test('the coordinator routes what was sent to them, once; the agency it is with accepts, answers or declines; the requester withdraws or closes', () => {
  assert.deepEqual(availableActions(withCoordinator, coordinatorHolding), ['route', 'accept', 'answer', 'decline'])
  assert.deepEqual(availableActions(routed, coordinatorAfter), [], 'once routed it is the named agency’s')
  assert.deepEqual(availableActions(routed, recipient), ['accept', 'answer', 'decline'])
  assert.deepEqual(availableActions(sentDirect, recipient), ['accept', 'answer', 'decline'], 'sent to a named agency: no routing')
  assert.deepEqual(availableActions(sentDirect, requester), ['withdraw'])
  assert.deepEqual(availableActions({ state: 'answered', withCoordinator: false }, requester), ['close'])
  assert.deepEqual(availableActions({ state: 'answered', withCoordinator: false }, recipient), ['answer'], 'a further answer may follow')
  assert.deepEqual(availableActions({ state: 'declined', withCoordinator: false }, recipient), [])
  assert.deepEqual(availableActions({ state: 'closed', withCoordinator: false }, requester), [])
  for (const facts of [sentDirect, withCoordinator, routed]) assert.deepEqual(availableActions(facts, outsider), [])
})

test('the moves match the database’s rule: no reopening, no routing twice', () => {
  assert.equal(nextState('sent', 'route'), 'routed')
  assert.equal(nextState('routed', 'route'), null)
  assert.equal(nextState('accepted', 'answer'), 'answered')
  assert.equal(nextState('declined', 'accept'), null)
  assert.equal(nextState('withdrawn', 'close'), null)
  assert.equal(nextState('declined', 'close'), 'closed')
  assert.equal(mayTake('route', sentDirect, coordinatorHolding), false, 'a referral sent straight to an agency is not routed')
})

test('a refused action says why in words for the person who tried it', () => {
  assert.equal(refusalReason('accept', { state: 'declined', withCoordinator: false }, recipient), 'A referral that is declined cannot be accepted')
  assert.equal(refusalReason('withdraw', sentDirect, recipient), 'Only the agency that sent a referral can withdraw it')
  assert.equal(refusalReason('answer', sentDirect, requester), 'Only the agency the referral is with can answer it')
  assert.match(refusalReason('route', sentDirect, coordinatorAfter), /Only a referral sent to the regional GAIN coordinator/)
})

test('a refusal gives the ground and a reason the requester can act on', () => {
  assert.deepEqual(fields(declineProblems({ ground: null, reason: null })), ['declineGround', 'reason'])
  assert.deepEqual(fields(declineProblems({ ground: 'other', reason: 'n/a' })), ['reason'])
  assert.deepEqual(fields(declineProblems({ ground: 'other', reason: 'Not for us sorry' })), ['reason'], 'under 20 characters')
  assert.deepEqual(declineProblems({ ground: 'no_information_held', reason: 'We hold no record of him or his businesses.' }), [])
  assert.deepEqual(fields(declineProblems({ ground: 'not_our_remit', reason: 'Premises licensing is not ours at all.' })), ['suggestedAgency'])
  assert.deepEqual(declineProblems({ ground: 'not_our_remit', reason: 'Premises licensing is not ours at all.', suggestedAgency: 'Leicester City Council – Licensing' }), [])
  assert.deepEqual(fields(declineProblems({ ground: 'lawful_basis_insufficient', reason: 'We cannot give you this information today.' })), ['reason'])
  assert.deepEqual(declineProblems({ ground: 'lawful_basis_insufficient', reason: 'Tax records need a request under the Commissioners for Revenue and Customs Act 2005 s.18.' }), [])
})

test('the lawful bases: Crime and Disorder Act 1998 s.115 among them, and "other" must be named with its provision', () => {
  assert.ok(LAWFUL_BASES.includes('cda1998_s115'))
  assert.equal(LAWFUL_BASIS_INFO.cda1998_s115.label, 'Crime and Disorder Act 1998, section 115')
  assert.ok(isLawfulBasis('other') && !isLawfulBasis('because'))
  assert.deepEqual(LAWFUL_BASES.filter((b) => LAWFUL_BASIS_INFO[b].needsStatedBasis), ['other'])
  assert.deepEqual(fields(statedBasisProblems(true, 'PACE')), ['lawfulBasisDetail'])
  assert.deepEqual(statedBasisProblems(true, 'Localism Act 2011 s.1 general power'), [])
  assert.deepEqual(statedBasisProblems(false, null), [])
})

test('what is disclosed from an OFFICIAL-SENSITIVE record is marked OFFICIAL-SENSITIVE', () => {
  assert.deepEqual(fields(markingProblems('OFFICIAL-SENSITIVE', 'OFFICIAL')), ['protectiveMarking'])
  assert.deepEqual(markingProblems('OFFICIAL-SENSITIVE', 'OFFICIAL-SENSITIVE'), [])
  assert.deepEqual(markingProblems('OFFICIAL', 'OFFICIAL-SENSITIVE'), [], 'a higher marking is allowed')
})

test('a reference partners quote on the telephone, and a retention review a year after the answer was due', () => {
  assert.equal(referralReference('3f2a9c1e-0b7d-4e7a-9d3c-1a2b3c4d5e6f', '2026-12-07'), 'GAIN-2026-3F2A9C')
  assert.equal(referralReviewDate('2026-12-14'), '2027-12-14')
  assert.equal(referralReviewDate('2028-02-29'), '2029-02-28', '365 days on from a leap day')
})
