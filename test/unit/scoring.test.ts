import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { DEFAULT_MODELS, TACTICAL_MODEL } from '../../src/core/scoring/defaultModels.ts'
import { parseModelDefinition, type ModelDefinition } from '../../src/core/scoring/modelDefinition.ts'
import { explainAssessment, round1, scoreAssessment, type AssessmentAnswers, type AssessmentResult } from '../../src/core/scoring/scoreAssessment.ts'

const answersOf = (values: Record<string, number>, confidence = 3): AssessmentAnswers => ({
  factors: Object.fromEntries(Object.entries(values).map(([id, value]) => [id, { value, rationale: `Reason for ${id}` }])),
  confidence,
})

const scored = (model: ModelDefinition, answers: AssessmentAnswers): AssessmentResult => {
  const r = scoreAssessment(model, answers)
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems))
  return r.result
}

const near = (actual: number, expected: number, what = '') => assert.ok(Math.abs(actual - expected) < 1e-9, `${what} ${actual} should be ${expected}`)

// The worked example of docs/prioritisation.md, on the shipped tactical model.
const GROUP = {
  physical: 5, // weight 3, top of scale: 1.0
  psychological: 4, // weight 2: 0.75
  financial: 4, // weight 2: 0.75
  community_and_environment: 4, // weight 2: 0.75
  geographic_scope: 1, // weight 1: 0
  victim_vulnerability: 4, // weight 2: 0.75
  likelihood: 4, // 0.75
  capacity: 2, // 0.25 of full capacity: a gap of 0.75
  capability: 4, // 0.75 of full capability: a gap of 0.25
}

test('worked example: the tactical model scores the example group 45.0, Priority 2', () => {
  // Harm = (3×1 + 2×0.75 + 2×0.75 + 2×0.75 + 1×0 + 2×0.75) / 12 = 9/12 = 0.75
  // Likelihood 0.75 with floor 0.2: 0.2 + 0.8×0.75 = 0.8
  // Position gap (0.75 + 0.25)/2 = 0.5 with floor 0.5: 0.5 + 0.5×0.5 = 0.75
  // Score = 100 × 0.75 × 0.8 × 0.75 = 45.0
  const r = scored(TACTICAL_MODEL, answersOf(GROUP))
  assert.equal(r.score, 45)
  assert.deepEqual([r.band.id, r.band.label], ['priority_2', 'Priority 2 — medium'])
  assert.deepEqual(r.model, { key: 'tactical', version: 1, title: TACTICAL_MODEL.title })
  const part = (id: string) => r.parts.find((p) => p.part === id)!
  near(part('harm').towardsPriority, 0.75)
  near(part('likelihood').towardsPriority, 0.75)
  near(part('organisational_position').towardsPriority, 0.5)
  near(part('organisational_position').normalised, 0.5)
})

test('worked example: the parts share the score 24.375, 15 and 5.625 points', () => {
  // Each part's average extra score over every order of adding the parts, starting from their
  // lowest (harm factor 0, likelihood 0.2, position 0.5). Harm added first gives 100×0.75×0.2×0.5 = 7.5,
  // after likelihood 30, after position 11.25, last 45: 7.5/3 + 30/6 + 11.25/6 + 45/3 = 24.375.
  // Likelihood: 0/3 + 22.5/6 + 0/6 + 33.75/3 = 15. Position: 0/3 + 3.75/6 + 0/6 + 15/3 = 5.625.
  const r = scored(TACTICAL_MODEL, answersOf(GROUP))
  const points = Object.fromEntries(r.parts.map((p) => [p.part, p.points]))
  near(points.harm!, 24.375, 'harm')
  near(points.likelihood!, 15, 'likelihood')
  near(points.organisational_position!, 5.625, 'position')
  near(r.parts.reduce((a, p) => a + p.share, 0), 1, 'part shares')
})

test('worked example: physical harm contributed 18.1% of the score, and the shares add up to 100%', () => {
  // Physical harm is 3/12 of harm's 9/12, a third of harm's 24.375 points: 8.125 of 45, 18.06%.
  const r = scored(TACTICAL_MODEL, answersOf(GROUP))
  const e = Object.fromEntries(r.explanation.map((x) => [x.factorId, x]))
  near(e.physical!.points, 8.125, 'physical points')
  near(e.physical!.share, 8.125 / 45, 'physical share')
  assert.equal(e.physical!.sharePercent, 18.1)
  assert.equal(e.psychological!.sharePercent, 9)
  assert.equal(e.geographic_scope!.sharePercent, 0)
  assert.equal(e.likelihood!.sharePercent, 33.3)
  assert.equal(e.capacity!.sharePercent, 9.4) // 4.21875 of 45: the larger gap
  assert.equal(e.capability!.sharePercent, 3.1) // 1.40625 of 45
  near(r.explanation.reduce((a, x) => a + x.share, 0), 1, 'factor shares')
  near(r.explanation.reduce((a, x) => a + x.points, 0), 45, 'factor points')
})

test('worked example: each factor is explained with its scale point, weight and reason', () => {
  const r = scored(TACTICAL_MODEL, answersOf(GROUP))
  const physical = r.explanation.find((x) => x.factorId === 'physical')!
  assert.deepEqual(
    { label: physical.label, part: physical.part, value: physical.value, scaleLabel: physical.scaleLabel, weight: physical.weight, rationale: physical.rationale },
    { label: 'Physical harm', part: 'harm', value: 5, scaleLabel: 'Critical', weight: 3, rationale: 'Reason for physical' },
  )
  assert.match(physical.descriptor, /firearms/)
  near(physical.contribution, 0.25, 'physical adds 3/12 to harm')
  assert.deepEqual(r.explanation.map((x) => x.factorId), TACTICAL_MODEL.factors.map((f) => f.id))
})

test('worked example: capacity 2 and capability 4 give a medium opportunity of 50', () => {
  const r = scored(TACTICAL_MODEL, answersOf(GROUP))
  assert.deepEqual(r.opportunity, {
    level: 'medium',
    label: 'Medium opportunity',
    description: TACTICAL_MODEL.opportunity.levels[1]!.description,
    score: 50,
  })
})

test('a weaker organisational position raises priority, as in MoRiLE', () => {
  // Capacity and capability both 4: gap 0.25, factor 0.625, score 37.5. Both 1: gap 1, factor 1, score 60.
  const strong = scored(TACTICAL_MODEL, answersOf({ ...GROUP, capacity: 4, capability: 4 }))
  const weak = scored(TACTICAL_MODEL, answersOf({ ...GROUP, capacity: 1, capability: 1 }))
  assert.equal(strong.score, 37.5)
  assert.equal(weak.score, 60)
  assert.equal(weak.band.id, 'priority_1')
  assert.equal(strong.opportunity.level, 'high')
  assert.equal(weak.opportunity.level, 'low')
})

test('confidence is shown beside the score and does not change it', () => {
  const results = [1, 2, 3, 4].map((c) => scored(TACTICAL_MODEL, answersOf(GROUP, c)))
  for (const r of results) {
    const { confidence, ...rest } = r
    const { confidence: _first, ...first } = results[0]!
    assert.deepEqual(rest, first)
  }
  assert.deepEqual(results.map((r) => r.confidence.label), ['Low', 'Limited', 'Reasonable', 'High'])
  assert.match(results[3]!.confidence.descriptor, /corroborated/)
})

test('no harm at all scores 0 whatever else is answered', () => {
  const none = { ...GROUP, physical: 1, psychological: 1, financial: 1, community_and_environment: 1, geographic_scope: 1, victim_vulnerability: 1 }
  const r = scored(TACTICAL_MODEL, answersOf({ ...none, likelihood: 5, capacity: 1, capability: 1 }))
  assert.equal(r.score, 0)
  assert.equal(r.band.id, 'priority_4')
  assert.ok(r.explanation.every((x) => x.share === 0 && x.sharePercent === 0))
})

test('the worst case on every factor scores 100, Priority 1', () => {
  const worst = Object.fromEntries(TACTICAL_MODEL.factors.map((f) => [f.id, f.part === 'organisational_position' ? 1 : 5]))
  const r = scored(TACTICAL_MODEL, answersOf(worst))
  assert.deepEqual([r.score, r.band.id], [100, 'priority_1'])
})

// A small model for arithmetic that is easy to follow: a weighted sum of three parts.
const scale5 = Array.from({ length: 5 }, (_, i) => ({ value: i + 1, label: `Level ${i + 1}`, descriptor: `What level ${i + 1} means` }))
const range = (id: string, min: number, max: number) => ({ id, label: id, min, max, description: id })
const smallModel = (over: { harmAggregate?: string; bScale?: unknown } = {}): ModelDefinition => {
  const parsed = parseModelDefinition({
    key: 'small',
    version: 2,
    title: 'Small model',
    description: 'For tests',
    subjects: ['group'],
    parts: [
      { id: 'harm', label: 'Harm', description: 'Harm', direction: 'higher_raises_priority', aggregate: over.harmAggregate ?? 'weighted_mean' },
      { id: 'likelihood', label: 'Likelihood', description: 'Likelihood', direction: 'higher_raises_priority', aggregate: 'weighted_mean' },
      { id: 'position', label: 'Position', description: 'Position', direction: 'lower_raises_priority', aggregate: 'weighted_mean' },
    ],
    factors: [
      { id: 'a', label: 'Harm A', part: 'harm', help: 'Help', weight: 1, scale: scale5 },
      { id: 'b', label: 'Harm B', part: 'harm', help: 'Help', weight: 3, scale: over.bScale ?? scale5 },
      { id: 'l', label: 'Likelihood', part: 'likelihood', help: 'Help', weight: 1, scale: scale5 },
      { id: 'capacity', label: 'Capacity', part: 'position', help: 'Help', weight: 1, scale: scale5 },
    ],
    combination: { method: 'weighted_sum', terms: [{ part: 'harm', weight: 2 }, { part: 'likelihood', weight: 1 }, { part: 'position', weight: 1 }] },
    confidence: { label: 'Confidence', help: 'Help', scale: scale5.slice(0, 4) },
    opportunity: { label: 'Opportunity', help: 'Help', factors: [{ factor: 'capacity', weight: 1 }], levels: [range('high', 50, 100), range('low', 0, 50)] },
    bands: [range('p1', 50, 100), range('p2', 25, 50), range('p3', 0, 25)],
  })
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems))
  return parsed.model
}

test('worked example: a weighted sum of parts, 68.75 rounding half up to 68.8', () => {
  // Harm = (1×1.0 + 3×0.5)/4 = 0.625; likelihood 4 = 0.75; capacity 2 = 0.25 of full, gap 0.75.
  // Score = 100 × (2×0.625 + 0.75 + 0.75)/4 = 68.75.
  const r = scored(smallModel(), answersOf({ a: 5, b: 3, l: 4, capacity: 2 }))
  assert.equal(r.score, 68.8)
  assert.equal(r.band.id, 'p1')
  const points = Object.fromEntries(r.explanation.map((x) => [x.factorId, x.points]))
  near(points.a!, 12.5, 'a')
  near(points.b!, 18.75, 'b')
  near(points.l!, 18.75, 'l')
  near(points.capacity!, 18.75, 'capacity')
  assert.deepEqual(r.explanation.map((x) => x.sharePercent), [18.2, 27.3, 27.3, 27.3])
})

test('a score on a band boundary belongs to the band above', () => {
  // Harm full (1.0) and nothing else: 100 × 2/4 = 50, the bottom of p1. Harm half: 25, the bottom of p2.
  assert.equal(scored(smallModel(), answersOf({ a: 5, b: 5, l: 1, capacity: 5 })).band.id, 'p1')
  assert.equal(scored(smallModel(), answersOf({ a: 3, b: 3, l: 1, capacity: 5 })).band.id, 'p2')
  assert.equal(scored(smallModel(), answersOf({ a: 3, b: 2, l: 1, capacity: 5 })).band.id, 'p3')
})

test('with the max aggregate the worst factor decides the part and takes its credit', () => {
  // Harm = max(0.75, 0.25) = 0.75, all of it from a; score = 100 × 2×0.75/4 = 37.5.
  const r = scored(smallModel({ harmAggregate: 'max' }), answersOf({ a: 4, b: 2, l: 1, capacity: 5 }))
  assert.equal(r.score, 37.5)
  assert.deepEqual(r.explanation.map((x) => x.sharePercent), [100, 0, 0, 0])
})

test('with the max aggregate tied factors share the credit equally', () => {
  const r = scored(smallModel({ harmAggregate: 'max' }), answersOf({ a: 4, b: 4, l: 1, capacity: 5 }))
  assert.deepEqual(r.explanation.map((x) => x.sharePercent), [50, 50, 0, 0])
})

test('with the sum aggregate a longer scale counts for more', () => {
  // b runs 0..10 (span 10, weight 3), a 1..5 (span 4, weight 1). a at top, b at bottom:
  // sum = (1×4×1.0 + 3×10×0)/(1×4 + 3×10) = 4/34; the weighted mean would give 1/4.
  const bScale = Array.from({ length: 11 }, (_, i) => ({ value: i, label: `${i}`, descriptor: `Level ${i}` }))
  const sum = scored(smallModel({ harmAggregate: 'sum', bScale }), answersOf({ a: 5, b: 0, l: 1, capacity: 5 }))
  const mean = scored(smallModel({ bScale }), answersOf({ a: 5, b: 0, l: 1, capacity: 5 }))
  near(sum.parts[0]!.towardsPriority, 4 / 34)
  near(mean.parts[0]!.towardsPriority, 1 / 4)
  assert.equal(sum.score, round1((100 * 2 * (4 / 34)) / 4))
})

test('scores round half up to one decimal place despite binary fractions', () => {
  assert.deepEqual([round1(48.75000000000001), round1(48.74999999999999), round1(0.05), round1(99.94)], [48.8, 48.8, 0.1, 99.9])
})

test('a score outside the scale is refused, naming the allowed values', () => {
  const r = scoreAssessment(TACTICAL_MODEL, answersOf({ ...GROUP, physical: 6 }))
  assert.deepEqual(r, {
    ok: false,
    problems: [
      {
        field: 'factors.physical.value',
        message: 'Physical harm must be scored 1 (None known), 2 (Minor), 3 (Moderate), 4 (Serious) or 5 (Critical); 6 is not on its scale',
      },
    ],
  })
})

test('fractions, text and numbers off the scale are refused as scores', () => {
  for (const value of [0, 2.5, Number.NaN, '4' as unknown as number]) {
    const r = scoreAssessment(TACTICAL_MODEL, answersOf({ ...GROUP, likelihood: value }))
    assert.ok(!r.ok)
    assert.deepEqual(r.problems.map((p) => p.field), ['factors.likelihood.value'], String(value))
  }
})

test('a missing factor is refused on both its score and its reason', () => {
  const { financial: _, ...rest } = GROUP
  const r = scoreAssessment(TACTICAL_MODEL, answersOf(rest))
  assert.ok(!r.ok)
  assert.deepEqual(r.problems.map((p) => p.field), ['factors.financial.value', 'factors.financial.rationale'])
  assert.match(r.problems[0]!.message, /^Choose a score for Financial harm: 1 \(None known\), .* or 5 \(Critical\)$/)
})

test('an empty or blank rationale is refused: every score records its reason', () => {
  for (const rationale of ['', '   ', undefined as unknown as string]) {
    const answers = answersOf(GROUP)
    const factors = { ...answers.factors, psychological: { value: 3, rationale } }
    const r = scoreAssessment(TACTICAL_MODEL, { ...answers, factors })
    assert.ok(!r.ok)
    assert.deepEqual(r.problems.map((p) => p.field), ['factors.psychological.rationale'])
    assert.match(r.problems[0]!.message, /Explain why you gave Psychological harm this score/)
  }
})

test('an unknown factor is refused, listing the model’s factors', () => {
  const r = scoreAssessment(TACTICAL_MODEL, answersOf({ ...GROUP, ethnicity: 3 }))
  assert.ok(!r.ok)
  assert.equal(r.problems.length, 1)
  assert.equal(r.problems[0]!.field, 'factors.ethnicity')
  assert.match(r.problems[0]!.message, /"ethnicity" is not a factor of .* \(version 1\); its factors are physical, psychological, .*capability$/)
})

test('a confidence outside its scale or missing is refused, naming the allowed values', () => {
  for (const confidence of [0, 5, 2.5, undefined as unknown as number]) {
    const r = scoreAssessment(TACTICAL_MODEL, { ...answersOf(GROUP), confidence })
    assert.ok(!r.ok)
    assert.deepEqual(r.problems.map((p) => p.field), ['confidence'])
    assert.match(r.problems[0]!.message, /1 \(Low\), 2 \(Limited\), 3 \(Reasonable\) or 4 \(High\)/)
  }
})

test('every problem is reported at once, in the order of the form', () => {
  const answers = answersOf({ ...GROUP, physical: 9, unknown_factor: 1 }, 7)
  const factors = { ...answers.factors, capability: { value: 3, rationale: '' } }
  const r = scoreAssessment(TACTICAL_MODEL, { ...answers, factors })
  assert.ok(!r.ok)
  assert.deepEqual(r.problems.map((p) => p.field), ['factors.physical.value', 'factors.capability.rationale', 'factors.unknown_factor', 'confidence'])
})

test('the explanation reads as sentences, largest share first', () => {
  const lines = explainAssessment(scored(TACTICAL_MODEL, answersOf(GROUP)))
  assert.equal(lines[0], 'Tactical prioritisation of groups and people (version 1): score 45.0 out of 100, Priority 2 — medium.')
  assert.match(lines[1]!, /^Confidence: 3 Reasonable \(shown beside the score, not part of it\)/)
  assert.match(lines[2]!, /^Opportunity: Medium opportunity \(50\.0 out of 100\)/)
  const factorLines = lines.filter((l) => /Reason given/.test(l))
  assert.equal(factorLines.length, TACTICAL_MODEL.factors.length)
  assert.match(factorLines[0]!, /^Likelihood: 4 Likely, 33\.3% of the score\./)
  assert.match(factorLines[1]!, /^Physical harm \(Harm\): 5 Critical, 18\.1% of the score\..*Reason given: Reason for physical$/)
})

// Properties that must hold for any answers on the shipped models.
const answersArbitrary = (model: ModelDefinition) =>
  fc.record({
    values: fc.record(Object.fromEntries(model.factors.map((f) => [f.id, fc.constantFrom(...f.scale.map((s) => s.value))]))),
    confidence: fc.constantFrom(...model.confidence.scale.map((s) => s.value)),
  })

for (const model of DEFAULT_MODELS) {
  test(`${model.key}: any valid answers score within 0..100, in the band that holds the score`, () => {
    fc.assert(
      fc.property(answersArbitrary(model), ({ values, confidence }) => {
        const r = scored(model, answersOf(values, confidence))
        assert.ok(r.score >= 0 && r.score <= 100, String(r.score))
        const band = model.bands.find((b) => b.id === r.band.id)!
        assert.ok(r.score >= band.min && (r.score < band.max || band.max === 100))
        assert.ok(r.opportunity.score >= 0 && r.opportunity.score <= 100)
      }),
    )
  })

  test(`${model.key}: the factors' shares add up to the whole score`, () => {
    fc.assert(
      fc.property(answersArbitrary(model), ({ values, confidence }) => {
        const r = scored(model, answersOf(values, confidence))
        const points = r.explanation.reduce((a, x) => a + x.points, 0)
        assert.ok(Math.abs(points - r.score) <= 0.05 + 1e-9, `${points} vs ${r.score}`)
        if (r.score > 0) assert.ok(Math.abs(r.explanation.reduce((a, x) => a + x.share, 0) - 1) < 1e-9)
        assert.ok(r.explanation.every((x) => x.share >= -1e-12))
      }),
    )
  })

  test(`${model.key}: a worse answer on a harm-side factor never lowers the score; a stronger position never raises it`, () => {
    fc.assert(
      fc.property(answersArbitrary(model), fc.constantFrom(...model.factors), ({ values, confidence }, factor) => {
        const at = factor.scale.findIndex((s) => s.value === values[factor.id])
        fc.pre(at < factor.scale.length - 1)
        const before = scored(model, answersOf(values, confidence)).score
        const after = scored(model, answersOf({ ...values, [factor.id]: factor.scale[at + 1]!.value }, confidence)).score
        const direction = model.parts.find((p) => p.id === factor.part)!.direction
        if (direction === 'higher_raises_priority') assert.ok(after >= before, `${factor.id}: ${before} -> ${after}`)
        else assert.ok(after <= before, `${factor.id}: ${before} -> ${after}`)
      }),
    )
  })

  test(`${model.key}: confidence never changes the score, and the same answers always give the same result`, () => {
    fc.assert(
      fc.property(answersArbitrary(model), ({ values }) => {
        const low = scored(model, answersOf(values, model.confidence.scale[0]!.value))
        const high = scored(model, answersOf(values, model.confidence.scale.at(-1)!.value))
        assert.equal(low.score, high.score)
        assert.deepEqual(low.explanation, high.explanation)
        assert.deepEqual(scored(model, answersOf(values, 2)), scored(model, answersOf(values, 2)))
      }),
    )
  })
}
