import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gradeProblems } from '../../src/core/grading/intelligenceGrade.ts'
import {
  LEGACY_HANDLING_CODES,
  LEGACY_HANDLING_LABELS,
  LEGACY_INTELLIGENCE_ASSESSMENTS,
  LEGACY_MAPPING,
  LEGACY_SOURCE_EVALUATIONS,
  formatLegacyGrade,
  mapLegacyGrade,
  parseLegacyGrade,
  type LegacyGrade,
} from '../../src/core/grading/legacy5x5x5.ts'

const grade = (text: string): LegacyGrade => {
  const g = parseLegacyGrade(text)
  assert.ok(g, `${text} should read as a 5x5x5 grade`)
  return g
}

const allLegacyGrades = (): LegacyGrade[] =>
  LEGACY_SOURCE_EVALUATIONS.flatMap((source) =>
    LEGACY_INTELLIGENCE_ASSESSMENTS.flatMap((intelligence) => LEGACY_HANDLING_CODES.map((handling) => ({ source, intelligence, handling }))),
  )

test('the written forms met in legacy data all read as the same grade', () => {
  for (const text of ['B24', 'B/2/4', 'B 2 4', 'b2-4', 'B-2-4', ' B.2.4 ']) assert.deepEqual(parseLegacyGrade(text), { source: 'B', intelligence: '2', handling: '4' }, text)
})

test('text that is not a 5x5x5 grade is not read as one', () => {
  for (const text of ['F24', 'B64', 'B26', 'B2', 'B2P', 'B245', '', 'B//2/4']) assert.equal(parseLegacyGrade(text), null, text)
})

test('all 125 legacy grades read back as written', () => {
  const all = allLegacyGrades()
  assert.equal(all.length, 125)
  for (const g of all) assert.deepEqual(parseLegacyGrade(formatLegacyGrade(g)), g)
})

test('source evaluations map A and B to reliable, C and D to not reliable, E to untested', () => {
  const mapped = Object.fromEntries(LEGACY_SOURCE_EVALUATIONS.map((s) => [s, mapLegacyGrade({ source: s, intelligence: '1', handling: '2' }).source]))
  assert.deepEqual(mapped, { A: 'A', B: 'A', C: 'C', D: 'C', E: 'B' })
})

test('intelligence assessments map 1 and 2 to 1, 3 to 2, 4 to 4 and 5 to 5', () => {
  const mapped = Object.fromEntries(LEGACY_INTELLIGENCE_ASSESSMENTS.map((i) => [i, mapLegacyGrade({ source: 'A', intelligence: i, handling: '2' }).intelligence]))
  assert.deepEqual(mapped, { '1': '1', '2': '1', '3': '2', '4': '4', '5': '5' })
})

test('handling code 1 becomes C, limited to law enforcement and prosecuting agencies, shared with named agencies', () => {
  const m = mapLegacyGrade(grade('A11'))
  assert.deepEqual([m.handlingCode, m.sharingScope], ['C', 'named'])
  assert.match(m.handlingConditions!, /^Legacy 5x5x5 handling code 1: "May be disseminated to other law enforcement and prosecuting agencies"\. /)
})

test('handling code 2 becomes P with no conditions and no scope suggested', () => {
  const m = mapLegacyGrade(grade('A12'))
  assert.deepEqual([m.handlingCode, m.handlingConditions, m.sharingScope], ['P', null, null])
})

test('handling code 3 becomes C quoting its meaning, shared with named agencies', () => {
  const m = mapLegacyGrade(grade('A13'))
  assert.deepEqual([m.handlingCode, m.sharingScope], ['C', 'named'])
  assert.match(m.handlingConditions!, /"May be disseminated to non-EU foreign law enforcement agencies"/)
})

test('handling code 4 becomes C kept to the owning agency', () => {
  const m = mapLegacyGrade(grade('A14'))
  assert.deepEqual([m.handlingCode, m.sharingScope], ['C', 'agency'])
  assert.match(m.handlingConditions!, /"May be disseminated within the originating agency only"\. Do not share outside the originating agency without its agreement\.$/)
})

test('handling code 5 becomes C kept to the owning agency, referring requests to the originator', () => {
  const m = mapLegacyGrade(grade('A15'))
  assert.deepEqual([m.handlingCode, m.sharingScope], ['C', 'agency'])
  assert.match(m.handlingConditions!, /"No further dissemination: refer to the originator; special handling"\. Do not share any further/)
})

test('a mapped grade explains each part and keeps the legacy grade', () => {
  const m = mapLegacyGrade(grade('b/3/4'))
  assert.equal(m.legacy, 'B34')
  assert.deepEqual([m.source, m.intelligence, m.handlingCode], ['A', '2', 'C'])
  assert.equal(m.notes.source, LEGACY_MAPPING.source.B.why)
  assert.match(m.notes.source, /mostly reliable/)
  assert.match(m.notes.intelligence, /corroborated/)
  assert.match(m.notes.handling, /originating agency/)
})

test('every mapped grade is a valid 3x5x2 grade with its conditions', () => {
  for (const g of allLegacyGrades()) {
    const m = mapLegacyGrade(g)
    const problems = gradeProblems({ sourceEvaluation: m.source, intelligenceAssessment: m.intelligence, handlingCode: m.handlingCode, handlingConditions: m.handlingConditions })
    assert.deepEqual(problems, [], formatLegacyGrade(g))
  }
})

test('the mapping never widens sharing: only handling code 2 allows sharing without conditions', () => {
  for (const code of LEGACY_HANDLING_CODES) {
    const m = mapLegacyGrade({ source: 'A', intelligence: '1', handling: code })
    assert.equal(m.handlingCode === 'P', code === '2', code)
    if (m.handlingConditions !== null) assert.ok(m.handlingConditions.includes(LEGACY_HANDLING_LABELS[code]), code)
  }
})

test('the mapping never makes a source more reliable than "reliable" or an untested source tested', () => {
  assert.equal(mapLegacyGrade(grade('E11')).source, 'B')
  for (const s of ['C', 'D'] as const) assert.equal(mapLegacyGrade({ source: s, intelligence: '1', handling: '1' }).source, 'C')
})
