import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rescorePrompts, type RescoreInput } from '../../src/core/scoring/rescore.ts'

const now = new Date('2026-11-23T12:00:00Z')
const assessed = new Date('2026-10-01T09:00:00Z')
const input = (over: Partial<RescoreInput> = {}): RescoreInput => ({ lastAssessedAt: assessed, reviewDate: '2027-04-01', changes: [], now, ...over })
const reasons = (over: Partial<RescoreInput>) => rescorePrompts(input(over)).map((p) => p.reason)

test('a recent assessment with nothing changed needs no re-score', () => {
  assert.deepEqual(rescorePrompts(input()), [])
})

test('a subject never assessed is prompted for a first score', () => {
  assert.deepEqual(rescorePrompts(input({ lastAssessedAt: null, reviewDate: null })), [
    { reason: 'never_assessed', message: 'Never assessed: score it with the current model', at: null, count: 1 },
  ])
})

test('changes before a first assessment add nothing to "never assessed"', () => {
  assert.deepEqual(reasons({ lastAssessedAt: null, changes: [{ kind: 'members', at: new Date('2026-11-01T10:00:00Z') }] }), ['never_assessed'])
})

test('a membership change after the last assessment prompts a re-score, dated', () => {
  const prompts = rescorePrompts(input({ changes: [{ kind: 'members', at: new Date('2026-11-03T10:00:00Z') }] }))
  assert.deepEqual(prompts, [{ reason: 'members', message: 'Membership changed on 3 November 2026', at: new Date('2026-11-03T10:00:00Z'), count: 1 }])
})

test('changes at or before the last assessment were already taken into account', () => {
  assert.deepEqual(reasons({ changes: [{ kind: 'members', at: assessed }, { kind: 'intelligence', at: new Date('2026-09-01T00:00:00Z') }] }), [])
})

test('several changes of a kind are counted, with the latest date', () => {
  const changes = [
    { kind: 'disruptions' as const, at: new Date('2026-11-10T10:00:00Z') },
    { kind: 'disruptions' as const, at: new Date('2026-10-20T10:00:00Z') },
    { kind: 'disruptions' as const, at: new Date('2026-11-02T10:00:00Z') },
  ]
  const [p] = rescorePrompts(input({ changes }))
  assert.equal(p!.message, '3 disruptions were recorded since the last assessment, most recently on 10 November 2026')
  assert.deepEqual([p!.count, p!.at], [3, new Date('2026-11-10T10:00:00Z')])
})

test('new intelligence and a new model version each prompt a re-score', () => {
  const prompts = rescorePrompts(input({ changes: [{ kind: 'model', at: new Date('2026-11-20T09:00:00Z') }, { kind: 'intelligence', at: new Date('2026-11-21T09:00:00Z') }] }))
  assert.deepEqual(prompts.map((p) => p.message), ['New intelligence was recorded on 21 November 2026', 'A new model version was published on 20 November 2026'])
})

test('a review date in the past is due', () => {
  const [p] = rescorePrompts(input({ reviewDate: '2026-11-01' }))
  assert.deepEqual([p!.reason, p!.message], ['review_date_passed', 'The review date, 1 November 2026, has passed'])
})

test('a review date of today is due today; tomorrow is not yet due', () => {
  assert.equal(rescorePrompts(input({ reviewDate: '2026-11-23' }))[0]!.message, 'The review date is today, 23 November 2026')
  assert.deepEqual(reasons({ reviewDate: '2026-11-24' }), [])
})

test('the review date is judged by the UK calendar, so British Summer Time is respected', () => {
  // 23:30 UTC on 30 June is 00:30 on 1 July in London.
  const lateJune = new Date('2026-06-30T23:30:00Z')
  assert.deepEqual(reasons({ reviewDate: '2026-07-01', now: lateJune, lastAssessedAt: new Date('2026-01-01T00:00:00Z') }), ['review_date_passed'])
  // In winter London is on UTC: 23:30 UTC on 31 December is still 31 December.
  assert.deepEqual(reasons({ reviewDate: '2027-01-01', now: new Date('2026-12-31T23:30:00Z') }), [])
})

test('the reasons come in a fixed order: never assessed, review date, then each kind of change', () => {
  const changes = (['model', 'intelligence', 'disruptions', 'members'] as const).map((kind) => ({ kind, at: new Date('2026-11-05T12:00:00Z') }))
  assert.deepEqual(reasons({ reviewDate: '2026-11-01', changes }), ['review_date_passed', 'members', 'disruptions', 'intelligence', 'model'])
  assert.deepEqual(reasons({ lastAssessedAt: null, reviewDate: '2026-11-01', changes }), ['never_assessed', 'review_date_passed'])
})

test('a malformed review date is a programming error, not a silent pass', () => {
  for (const reviewDate of ['2026-13-01', '2026-02-30', '23/11/2026', '']) {
    assert.throws(() => rescorePrompts(input({ reviewDate })), RangeError, reviewDate)
  }
})
