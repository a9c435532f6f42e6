import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  HANDLING_CODES,
  INTELLIGENCE_ASSESSMENTS,
  SOURCE_EVALUATIONS,
  describeGrade,
  formatGrade,
  gradeProblems,
  parseGrade,
  type GradeInput,
} from '../../src/core/grading/intelligenceGrade.ts'
import { HANDLING_CODES as VISIBILITY_HANDLING_CODES } from '../../src/core/access/visibility.ts'

const valid: GradeInput = { sourceEvaluation: 'B', intelligenceAssessment: '2', handlingCode: 'P', handlingConditions: null }
const fieldsOf = (input: GradeInput) => gradeProblems(input).map((p) => p.field)

test('3x5x2 has three source evaluations, five intelligence assessments and the two handling codes the visibility rule uses', () => {
  assert.deepEqual([...SOURCE_EVALUATIONS], ['A', 'B', 'C'])
  assert.deepEqual([...INTELLIGENCE_ASSESSMENTS], ['1', '2', '3', '4', '5'])
  assert.equal(HANDLING_CODES, VISIBILITY_HANDLING_CODES)
})

test('a grade is written source, intelligence, handling: B2P', () => {
  assert.equal(formatGrade({ source: 'B', intelligence: '2', handling: 'P' }), 'B2P')
  assert.equal(formatGrade({ source: 'A', intelligence: '5', handling: 'C' }), 'A5C')
})

test('every one of the 30 grades reads back as it was written', () => {
  for (const source of SOURCE_EVALUATIONS) {
    for (const intelligence of INTELLIGENCE_ASSESSMENTS) {
      for (const handling of HANDLING_CODES) {
        const grade = { source, intelligence, handling }
        assert.deepEqual(parseGrade(formatGrade(grade)), grade)
      }
    }
  }
})

test('common written forms of a grade are read', () => {
  const b2c = { source: 'B', intelligence: '2', handling: 'C' }
  for (const text of ['B2C', 'b2c', 'B/2/C', 'B 2 C', 'B-2-C', ' b.2.c ']) assert.deepEqual(parseGrade(text), b2c, text)
})

test('text that is not a 3x5x2 grade is not read as one', () => {
  // D and handling 4 belong to 5x5x5; "B2" lacks a handling code; "B6P" is off the scale.
  for (const text of ['D2P', 'B24', 'B2', 'B6P', 'B2PX', '', 'AB2P']) assert.equal(parseGrade(text), null, text)
})

test('a grade is described in words', () => {
  assert.equal(
    describeGrade({ source: 'B', intelligence: '2', handling: 'P' }),
    'B2P: source untested; known indirectly to the source but corroborated; lawful sharing permitted',
  )
})

test('a complete grade has no problems', () => {
  assert.deepEqual(gradeProblems(valid), [])
  assert.deepEqual(gradeProblems({ ...valid, handlingCode: 'C', handlingConditions: 'Not to be shared with licensing' }), [])
})

test('the intelligence assessment may be given as a number, as a form library might send it', () => {
  assert.deepEqual(gradeProblems({ ...valid, intelligenceAssessment: 3 }), [])
})

test('refuses a C handling code without conditions', () => {
  for (const handlingConditions of [null, undefined, '', '   ']) {
    assert.deepEqual(gradeProblems({ ...valid, handlingCode: 'C', handlingConditions }), [
      { field: 'handlingConditions', message: 'Enter the handling conditions: handling code C needs them written on the record' },
    ])
  }
})

test('refuses conditions on a P handling code', () => {
  assert.deepEqual(fieldsOf({ ...valid, handlingConditions: 'Police only' }), ['handlingConditions'])
})

test('a source evaluation outside A, B and C is refused with the allowed values named', () => {
  const [problem] = gradeProblems({ ...valid, sourceEvaluation: 'X' })
  assert.equal(problem!.field, 'sourceEvaluation')
  assert.match(problem!.message, /"X" is not a 3x5x2 source evaluation: choose A \(reliable\), B \(untested\) or C \(not reliable\)/)
  assert.doesNotMatch(problem!.message, /5x5x5/)
})

test('a 5x5x5 source grade is refused with a pointer to converting it', () => {
  for (const source of ['D', 'E', 'e']) {
    const [problem] = gradeProblems({ ...valid, sourceEvaluation: source })
    assert.match(problem!.message, /older 5x5x5 system: convert the legacy grade first/, source)
  }
})

test('lower-case values are refused: what is checked is what is stored', () => {
  assert.deepEqual(fieldsOf({ ...valid, sourceEvaluation: 'b', handlingCode: 'p' }), ['sourceEvaluation', 'handlingCode'])
})

test('an intelligence assessment outside 1 to 5 is refused with the allowed values named', () => {
  for (const intelligenceAssessment of ['0', '6', 6, 'two']) {
    const [problem] = gradeProblems({ ...valid, intelligenceAssessment })
    assert.equal(problem!.field, 'intelligenceAssessment')
    assert.match(problem!.message, /is not a 3x5x2 intelligence assessment: choose 1 \(known directly to the source\), .* or 5 \(suspected to be false\)/)
  }
})

test('a 5x5x5 handling code is refused with a pointer to converting it', () => {
  const [problem] = gradeProblems({ ...valid, handlingCode: '4' })
  assert.equal(problem!.field, 'handlingCode')
  assert.match(problem!.message, /choose P \(lawful sharing permitted\) or C \(lawful sharing permitted with conditions\)/)
  assert.match(problem!.message, /Handling codes 1 to 5 belong to the older 5x5x5 system/)
})

test('missing fields are each reported, by field', () => {
  const problems = gradeProblems({ sourceEvaluation: '', intelligenceAssessment: null, handlingCode: undefined, handlingConditions: null })
  assert.deepEqual(problems.map((p) => p.field), ['sourceEvaluation', 'intelligenceAssessment', 'handlingCode'])
  assert.match(problems[0]!.message, /^Choose a source evaluation: A \(reliable\)/)
  assert.match(problems[1]!.message, /^Choose an intelligence assessment: 1 /)
  assert.match(problems[2]!.message, /^Choose a handling code: P /)
})
