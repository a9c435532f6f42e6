import assert from 'node:assert/strict'
import { test } from 'node:test'
import tacticalJson from '../../config/prioritisation/tactical.v1.json' with { type: 'json' }
import thematicJson from '../../config/prioritisation/thematic.v1.json' with { type: 'json' }
import { DEFAULT_MODELS, TACTICAL_MODEL, THEMATIC_MODEL } from '../../src/core/scoring/defaultModels.ts'
import { parseModelDefinition } from '../../src/core/scoring/modelDefinition.ts'

// A small model, valid as it stands; each test breaks one thing in a fresh copy.
const scale = (n: number) => Array.from({ length: n }, (_, i) => ({ value: i + 1, label: `Level ${i + 1}`, descriptor: `What level ${i + 1} means` }))
const range = (id: string, min: number, max: number) => ({ id, label: id, min, max, description: `The ${id} range` })
const valid = () => ({
  key: 'test',
  version: 1,
  title: 'Test model',
  description: 'A model for tests',
  subjects: ['group'],
  parts: [
    { id: 'harm', label: 'Harm', description: 'Harm', direction: 'higher_raises_priority', aggregate: 'weighted_mean' },
    { id: 'position', label: 'Position', description: 'Position', direction: 'lower_raises_priority', aggregate: 'weighted_mean' },
  ],
  factors: [
    { id: 'physical', label: 'Physical harm', part: 'harm', help: 'Help', weight: 1, scale: scale(5) },
    { id: 'capacity', label: 'Capacity', part: 'position', help: 'Help', weight: 1, scale: scale(5) },
  ],
  combination: { method: 'product', terms: [{ part: 'harm', floor: 0 }, { part: 'position', floor: 0.5 }] },
  confidence: { label: 'Confidence', help: 'Help', scale: scale(4) },
  opportunity: { label: 'Opportunity', help: 'Help', factors: [{ factor: 'capacity', weight: 1 }], levels: [range('high', 50, 100), range('low', 0, 50)] },
  bands: [range('p1', 60, 100), range('p2', 30, 60), range('p3', 0, 30)],
})
type Draft = ReturnType<typeof valid>

const problemsOf = (change: (m: Draft) => void) => {
  const m = valid()
  change(m)
  const parsed = parseModelDefinition(m)
  assert.equal(parsed.ok, false, 'the broken model should be refused')
  return parsed.ok ? [] : parsed.problems
}

test('the test model is valid as it stands', () => {
  const parsed = parseModelDefinition(valid())
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems))
})

test('the shipped tactical and thematic models are valid', () => {
  for (const json of [tacticalJson, thematicJson]) assert.ok(parseModelDefinition(json).ok)
  assert.deepEqual(DEFAULT_MODELS.map((m) => `${m.key}.v${m.version}`), ['tactical.v1', 'thematic.v1'])
})

test('the tactical model has the six MoRiLE harm factors, likelihood, and capacity and capability as organisational position', () => {
  const byPart = (part: string) => TACTICAL_MODEL.factors.filter((f) => f.part === part).map((f) => f.id)
  assert.deepEqual(byPart('harm'), ['physical', 'psychological', 'financial', 'community_and_environment', 'geographic_scope', 'victim_vulnerability'])
  assert.deepEqual(byPart('likelihood'), ['likelihood'])
  assert.deepEqual(byPart('organisational_position'), ['capacity', 'capability'])
  assert.equal(TACTICAL_MODEL.parts.find((p) => p.id === 'organisational_position')!.direction, 'lower_raises_priority')
  assert.deepEqual(TACTICAL_MODEL.subjects, ['group', 'person'])
})

test('the thematic model scores threat areas on harm, extent and the partnership position', () => {
  assert.deepEqual(THEMATIC_MODEL.subjects, ['threat_area'])
  for (const id of ['severity_of_harm', 'victim_vulnerability', 'community_impact', 'prevalence', 'trend', 'capacity', 'capability']) {
    assert.ok(THEMATIC_MODEL.factors.some((f) => f.id === id), id)
  }
})

test('every point of every shipped scale has its own plain descriptor', () => {
  for (const model of DEFAULT_MODELS) {
    for (const s of [...model.factors.map((f) => f.scale), model.confidence.scale]) {
      for (const point of s) assert.ok(point.descriptor.length >= 10, `${model.key}: ${point.label}`)
      assert.equal(new Set(s.map((p) => p.descriptor)).size, s.length, `${model.key}: descriptors repeat`)
    }
  }
})

test('a gap between bands is refused, naming both bands and the gap', () => {
  const problems = problemsOf((m) => (m.bands[1]!.max = 55))
  assert.deepEqual(problems, [{ field: 'bands.1.max', message: 'There is a gap between 55 and 60: the band "p2" ends at 55 but "p1" starts at 60' }])
})

test('overlapping bands are refused', () => {
  const problems = problemsOf((m) => (m.bands[2]!.max = 40))
  assert.equal(problems[0]!.field, 'bands.2.max')
  assert.match(problems[0]!.message, /overlap/)
})

test('bands must reach from 0 to 100', () => {
  assert.match(problemsOf((m) => (m.bands[0]!.max = 90))[0]!.message, /must reach 100/)
  assert.match(problemsOf((m) => (m.bands[2]!.min = 5))[0]!.message, /"p3", must start at 0/)
})

test('a band listed out of order is caught as a gap or overlap', () => {
  const problems = problemsOf((m) => m.bands.reverse())
  assert.ok(problems.length >= 2)
})

test('a scale point without a descriptor is refused, with the path to it', () => {
  const problems = problemsOf((m) => {
    delete (m.factors[0]!.scale[1] as { descriptor?: string }).descriptor
  })
  assert.equal(problems[0]!.field, 'factors.0.scale.1.descriptor')
  assert.match(problems[0]!.message, /every point needs one/)
})

test('a blank descriptor is refused like a missing one', () => {
  assert.equal(problemsOf((m) => (m.confidence.scale[3]!.descriptor = '   '))[0]!.field, 'confidence.scale.3.descriptor')
})

test('a factor naming a part the model lacks is refused, listing the parts', () => {
  const problems = problemsOf((m) => (m.factors[0]!.part = 'harms'))
  const p = problems.find((x) => x.field === 'factors.0.part')
  assert.ok(p)
  assert.match(p.message, /names part "harms", which is not one of the model's parts \(harm, position\)/)
})

test('a combination naming an unknown part is refused', () => {
  const problems = problemsOf((m) => (m.combination.terms[1]!.part = 'likelihood'))
  assert.ok(problems.some((p) => p.field === 'combination.terms.1.part' && /"likelihood", which is not one of the model's parts/.test(p.message)))
})

test('a part left out of the combination is refused, since its scores would be ignored', () => {
  const problems = problemsOf((m) => m.combination.terms.pop())
  assert.deepEqual(problems.map((p) => p.field), ['parts.1'])
  assert.match(problems[0]!.message, /not used by the combination rule/)
})

test('a product with no part at floor 0 is refused', () => {
  const problems = problemsOf((m) => (m.combination.terms[0]!.floor = 0.1))
  assert.deepEqual(problems.map((p) => p.field), ['combination.terms'])
})

test('a floor of 1 is refused: the part would count for nothing', () => {
  assert.equal(problemsOf((m) => (m.combination.terms[1]!.floor = 1))[0]!.field, 'combination.terms.1.floor')
})

test('an unknown combination method is refused with the methods named', () => {
  const problems = problemsOf((m) => ((m.combination as { method: string }).method = 'average'))
  assert.match(problems[0]!.message, /product or weighted_sum/)
})

test('scale values that repeat or fall are refused', () => {
  assert.match(problemsOf((m) => (m.factors[0]!.scale[2]!.value = 2))[0]!.message, /uses the scale value 2 twice/)
  assert.match(problemsOf((m) => (m.factors[0]!.scale[4]!.value = 0))[0]!.message, /must rise from first to last: 0 comes after 4/)
})

test('scale values must be whole numbers and a scale needs two points', () => {
  assert.equal(problemsOf((m) => (m.factors[0]!.scale[0]!.value = 0.5))[0]!.field, 'factors.0.scale.0.value')
  assert.equal(problemsOf((m) => m.factors[0]!.scale.splice(1))[0]!.field, 'factors.0.scale')
})

test('a part without factors, or whose factors all weigh 0, is refused', () => {
  assert.ok(problemsOf((m) => m.factors.pop()).some((p) => p.field === 'parts.1' && /has no factors/.test(p.message)))
  assert.ok(problemsOf((m) => (m.factors[0]!.weight = 0)).some((p) => p.field === 'parts.0' && /weight 0/.test(p.message)))
})

test('negative weights, duplicate factor ids and bad ids are refused', () => {
  assert.equal(problemsOf((m) => (m.factors[0]!.weight = -1))[0]!.field, 'factors.0.weight')
  assert.ok(problemsOf((m) => (m.factors[1]!.id = 'physical')).some((p) => p.field === 'factors.1.id'))
  assert.equal(problemsOf((m) => (m.factors[0]!.id = 'Physical Harm'))[0]!.field, 'factors.0.id')
})

test('the opportunity rule must name real factors', () => {
  const problems = problemsOf((m) => (m.opportunity.factors[0]!.factor = 'capability'))
  assert.deepEqual(problems.map((p) => p.field), ['opportunity.factors.0.factor'])
})

test('opportunity levels must cover 0 to 100 like bands', () => {
  assert.equal(problemsOf((m) => (m.opportunity.levels[1]!.max = 40))[0]!.field, 'opportunity.levels.1.max')
})

test('an unknown key is refused, so a misspelt setting is not silently ignored', () => {
  const problems = problemsOf((m) => Object.assign(m, { weigths: {} }))
  assert.equal(problems.length, 1)
  assert.match(problems[0]!.message, /weigths/)
})

test('the version is a positive whole number and subjects are the known kinds', () => {
  assert.equal(problemsOf((m) => (m.version = 0))[0]!.field, 'version')
  assert.equal(problemsOf((m) => (m.version = 1.5))[0]!.field, 'version')
  assert.equal(problemsOf((m) => (m.subjects = ['vehicle']))[0]!.field, 'subjects.0')
  assert.equal(problemsOf((m) => (m.subjects = ['group', 'group']))[0]!.field, 'subjects')
})

test('something that is not a model at all is refused, not thrown', () => {
  for (const json of [null, 'tactical', [], 42]) {
    const parsed = parseModelDefinition(json)
    assert.equal(parsed.ok, false)
  }
})
