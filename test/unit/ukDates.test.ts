import assert from 'node:assert/strict'
import { test } from 'node:test'
import { longCalendarDate, longUkDate, longUkDateTime, ukClock, ukDay } from '../../src/core/time/ukDates.ts'

test('the UK calendar date follows London, not UTC, in summer time', () => {
  // 23:30 UTC on 14 June is 00:30 BST on 15 June.
  assert.equal(ukDay(new Date('2026-06-14T23:30:00Z')), '2026-06-15')
  assert.equal(ukDay(new Date('2026-06-14T22:59:59Z')), '2026-06-14')
})

test('the UK calendar date equals the UTC date in winter', () => {
  assert.equal(ukDay(new Date('2026-12-31T23:59:59Z')), '2026-12-31')
  assert.equal(ukDay(new Date('2027-01-01T00:00:00Z')), '2027-01-01')
})

test('instants read as UK dates and times, across the change of the clocks', () => {
  assert.equal(longUkDate(new Date('2026-03-29T00:30:00Z')), '29 March 2026')
  assert.equal(longUkDateTime(new Date('2026-03-29T01:30:00Z')), '29 March 2026 at 02:30')
  assert.equal(ukClock(new Date('2026-10-25T00:30:00Z')), '01:30')
  assert.equal(ukClock(new Date('2026-10-25T01:30:00Z')), '01:30')
})

test('a calendar date keeps its day whatever the time zone', () => {
  assert.equal(longCalendarDate('2026-06-15'), '15 June 2026')
  assert.equal(longCalendarDate('2024-02-29'), '29 February 2024')
})
