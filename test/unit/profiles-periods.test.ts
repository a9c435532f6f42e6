import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isMonth, lastYearPeriod, monthsBetween, previousPeriod, shiftMonth } from '../../src/core/profiles/periods.ts'
import { DEFAULT_SLICES, parseSlice } from '../../src/core/profiles/slices.ts'

test('a period lists every month from the first to the last, across a year end', () => {
  assert.deepEqual(monthsBetween('2019-11', '2020-02'), ['2019-11', '2019-12', '2020-01', '2020-02'])
  assert.deepEqual(monthsBetween('2020-05', '2020-05'), ['2020-05'])
  assert.deepEqual(monthsBetween('2020-05', '2020-04'), [])
})

test('the previous period has the same length and ends the month before; last year is the same months', () => {
  assert.deepEqual(previousPeriod('2020-01', '2020-12'), { from: '2019-01', to: '2019-12' })
  assert.deepEqual(previousPeriod('2021-01', '2021-03'), { from: '2020-10', to: '2020-12' })
  assert.deepEqual(lastYearPeriod('2021-01', '2021-03'), { from: '2020-01', to: '2020-03' })
  assert.equal(shiftMonth('2020-01', -1), '2019-12')
  assert.equal(shiftMonth('2019-12', 13), '2021-01')
})

test('only YYYY-MM is a month', () => {
  assert.ok(isMonth('2020-01'))
  for (const bad of ['2020-13', '2020-00', '2020-1', '20-01', '2020-01-01', '']) assert.ok(!isMonth(bad), bad)
  assert.throws(() => monthsBetween('2020-13', '2021-01'), /YYYY-MM/)
})

test('a partnership writes its own slice as key=Label:type|type, and a malformed one is explained', () => {
  assert.deepEqual(parseSlice('violence=Violence:Violence and sexual offences| Public order'), {
    key: 'violence', label: 'Violence', threatArea: null, crimeTypes: ['Violence and sexual offences', 'Public order'],
  })
  assert.match((parseSlice('Violence and sexual offences') as { error: string }).error, /key=Label:Crime type/)
  assert.match((parseSlice('v=V:|') as { error: string }).error, /names no crime type/)
  assert.deepEqual(DEFAULT_SLICES.map((s) => s.crimeTypes[0]), ['Drugs', 'Possession of weapons', 'Burglary'])
})
