import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compareVersions, contributionsOf, diffParagraphs, sectionsChanged } from '../../src/core/profiles/compare.ts'
import type { ProfileFigures } from '../../src/core/profiles/figures.ts'

test('a paragraph inserted in the middle is one addition, not every later paragraph changed', () => {
  assert.deepEqual(diffParagraphs(['a', 'b', 'c'], ['a', 'x', 'b', 'c']), [
    { change: 'kept', text: 'a' },
    { change: 'added', text: 'x' },
    { change: 'kept', text: 'b' },
    { change: 'kept', text: 'c' },
  ])
  assert.deepEqual(diffParagraphs(['a', 'b'], ['b']), [{ change: 'removed', text: 'a' }, { change: 'kept', text: 'b' }])
  assert.deepEqual(diffParagraphs([], ['a']), [{ change: 'added', text: 'a' }])
  // A rewritten paragraph is the old one removed and the new one added.
  assert.deepEqual(diffParagraphs(['old'], ['new']).map((p) => p.change).sort(), ['added', 'removed'])
})

test('the sections changed are those whose paragraphs differ, in document order', () => {
  assert.deepEqual(sectionsChanged({ threat: ['a'], summary: ['s'] }, { threat: ['a', 'b'], summary: ['s'], gaps: ['g'] }), ['threat', 'gaps'])
  assert.deepEqual(sectionsChanged({ risk: ['r'] }, { risk: ['r'] }), [])
  // An emptied section counts as changed; an absent one is the same as an empty one.
  assert.deepEqual(sectionsChanged({ risk: ['r'] }, { risk: [] }), ['risk'])
  assert.deepEqual(sectionsChanged({}, { risk: [] }), [])
})

test('contributions name each agency once with the sections its people changed', () => {
  const out = contributionsOf([
    { agency: 'Police', sectionsChanged: ['threat'] },
    { agency: 'Trading Standards', sectionsChanged: ['gaps', 'summary'] },
    { agency: 'Police', sectionsChanged: ['summary', 'threat'] },
    { agency: 'HMRC', sectionsChanged: [] },
  ])
  assert.deepEqual(out, [
    { agency: 'Police', sections: ['Summary', 'Threat by theme'] },
    { agency: 'Trading Standards', sections: ['Summary', 'Intelligence gaps'] },
  ])
})

function figures(total: number, byType: Array<[string, number]>, hot: string[]): ProfileFigures {
  return {
    period: { from: '2020-01', to: '2020-03', months: [] },
    total,
    byType: byType.map(([crimeType, count]) => ({ crimeType, count, ratePer1000: null, previous: null, lastYear: null })),
    withoutLocation: 0,
    missingMonths: [],
    hotspots: { variable: '', neighbourhood: '', islands: [], areas: hot.map((code) => ({ code, name: `LSOA ${code}`, count: 1, z: 3, pValue: 0.001, hotspotClass: 'hot-99' as const })) },
  } as unknown as ProfileFigures
}

test('figures that moved, and hot spots gained and lost, between a version and its rebuild', () => {
  const c = compareVersions(
    { narrative: { summary: ['s'] }, figures: figures(100, [['Drugs', 10], ['Burglary', 5]], ['E01000001', 'E01000002']) },
    { narrative: { summary: ['s'] }, figures: figures(120, [['Drugs', 30], ['Burglary', 5], ['Robbery', 2]], ['E01000002', 'E01000003']) },
  )
  assert.deepEqual(c.figures.map((f) => [f.label, f.before, f.after, f.difference]), [
    ['All recorded crime', 100, 120, 20],
    ['Drugs', 10, 30, 20],
    ['Robbery', 0, 2, 2],
  ])
  assert.deepEqual(c.hotspotsGained.map((h) => h.code), ['E01000003'])
  assert.deepEqual(c.hotspotsLost.map((h) => h.code), ['E01000001'])
  assert.equal(c.sections.every((s) => !s.changed), true)
  assert.equal(c.periodChanged, false)
})
