import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import rankingJson from '../../config/prioritisation/people-ranking.v1.json' with { type: 'json' }
import { DEFAULT_PEOPLE_RANKING } from '../../src/core/scoring/defaultModels.ts'
import { parseRankingWeights, rankPeople, type RankingPerson, type RankingWeights } from '../../src/core/scoring/peopleRanking.ts'

// Weights chosen so the arithmetic can be followed by hand: links count in full from 10.
const WEIGHTS: RankingWeights = {
  version: 1,
  title: 'Test ranking',
  description: 'For tests',
  ownAssessment: { label: 'Own assessment', weight: 0.5 },
  groupMembership: { label: 'Group membership', weight: 0.3, aggregate: 'max_plus_decay', decay: 0.5 },
  links: { label: 'Known links', weight: 0.2, saturation: 'cap', saturateAt: 10 },
  centrality: { label: 'Network position', weight: 0 },
}

const person = (personId: string, over: Partial<RankingPerson> = {}): RankingPerson => ({ personId, ownScore: 50, groupScores: [], linkCount: 0, centrality: null, ...over })
const near = (actual: number, expected: number, what = '') => assert.ok(Math.abs(actual - expected) < 1e-9, `${what} ${actual} should be ${expected}`)
const only = (people: RankingPerson[], weights = WEIGHTS) => {
  const [r] = rankPeople(people, weights)
  assert.ok(r)
  return r
}

test('worked example: own score 80, groups 60 and 40, 5 links give 70.4', () => {
  // Own: 0.5 × 0.80 = 40 points. Groups: 0.60 + 0.5 × 0.40 × (1 − 0.60) = 0.68; 0.3 × 0.68 = 20.4 points.
  // Links: 5 of 10 = 0.5; 0.2 × 0.5 = 10 points. Total 70.4.
  const r = only([person('p1', { ownScore: 80, groupScores: [40, 60], linkCount: 5 })])
  assert.equal(r.total, 70.4)
  const c = Object.fromEntries(r.components.map((x) => [x.input, x]))
  near(c.ownAssessment!.contribution, 40)
  near(c.groupMembership!.normalised!, 0.68)
  near(c.groupMembership!.contribution, 20.4)
  near(c.links!.contribution, 10)
  near(c.links!.share, 10 / 70.4)
  assert.deepEqual(c.groupMembership!.raw, [60, 40])
  assert.equal(c.groupMembership!.detail, 'Current member of 2 assessed groups scoring 60 and 40')
  assert.deepEqual(r.missingInputs, [])
})

test('every input is shown, and the shares add up to the whole', () => {
  const r = only([person('p1', { ownScore: 80, groupScores: [40, 60], linkCount: 5 })])
  assert.deepEqual(r.components.map((c) => c.input), ['ownAssessment', 'groupMembership', 'links', 'centrality'])
  near(r.components.reduce((a, c) => a + c.share, 0), 1)
  // Centrality carries no weight in this version: shown, and marked as not yet analysed.
  const centrality = r.components[3]!
  assert.deepEqual([centrality.missing, centrality.weight, centrality.contribution], [true, 0, 0])
})

test('worked example on the shipped weights: own 80, groups 70 and 50, 10 links give 79.0', () => {
  // 0.5 × 0.80 + 0.3 × (0.70 + 0.5 × 0.50 × 0.30) + 0.2 × ln 11 / ln 21 = 0.40 + 0.2325 + 0.1575 = 0.7900
  const r = only([person('p1', { ownScore: 80, groupScores: [50, 70], linkCount: 10 })], DEFAULT_PEOPLE_RANKING)
  assert.equal(r.total, 79)
  near(r.components[2]!.normalised!, Math.log(11) / Math.log(21))
})

test('a missing own assessment is flagged, and its weight is shared among the inputs present', () => {
  // Present: groups 0.3 and links 0.2, rescaled to 0.6 and 0.4. Groups 0.60 → 36 points; links 2 of 10 → 8 points.
  const r = only([person('p2', { ownScore: null, groupScores: [60], linkCount: 2 })])
  assert.equal(r.total, 44)
  assert.deepEqual(r.missingInputs, ['ownAssessment'])
  const c = Object.fromEntries(r.components.map((x) => [x.input, x]))
  assert.deepEqual([c.ownAssessment!.missing, c.ownAssessment!.normalised, c.ownAssessment!.effectiveWeight, c.ownAssessment!.contribution], [true, null, 0, 0])
  assert.equal(c.ownAssessment!.detail, 'Not yet assessed: its weight was shared among the other inputs')
  near(c.groupMembership!.effectiveWeight, 0.6)
  near(c.links!.effectiveWeight, 0.4)
  near(r.components.reduce((a, x) => a + x.effectiveWeight, 0), 1)
})

test('centrality counts once the network module supplies it, and is flagged while it is missing', () => {
  const weights: RankingWeights = { ...WEIGHTS, centrality: { label: 'Network position', weight: 0.2 } }
  const without = only([person('p', { ownScore: 80, linkCount: 10 })], weights)
  const withIt = only([person('p', { ownScore: 80, linkCount: 10, centrality: 0.5 })], weights)
  assert.deepEqual(without.missingInputs, ['centrality'])
  assert.deepEqual(withIt.missingInputs, [])
  // Without: (0.5×0.8 + 0.3×0 + 0.2×1) out of 1.0 (centrality left out) = 60. With: 0.4 + 0 + 0.2 + 0.2×0.5 = 0.7 out of 1.2 → 58.3.
  assert.equal(without.total, 60)
  assert.equal(withIt.total, 58.3)
})

test('not being in an assessed group is a known 0, not a missing input', () => {
  const r = only([person('p', { groupScores: [] })])
  assert.deepEqual(r.missingInputs, [])
  assert.equal(r.components[1]!.normalised, 0)
  assert.equal(r.components[1]!.detail, 'Not a current member of any assessed group')
})

test('the max rule counts only the highest group; max_plus_decay adds part of the rest', () => {
  const maxRule: RankingWeights = { ...WEIGHTS, groupMembership: { label: 'Group membership', weight: 0.3, aggregate: 'max' } }
  near(only([person('p', { groupScores: [40, 80, 60] })], maxRule).components[1]!.normalised!, 0.8)
  // 0.8, then + 0.5 × 0.6 × 0.2 = 0.06 → 0.86, then + 0.25 × 0.4 × 0.14 = 0.014 → 0.874.
  near(only([person('p', { groupScores: [40, 80, 60] })]).components[1]!.normalised!, 0.874)
})

test('links count in full at the saturation point and no further', () => {
  const at = (linkCount: number) => only([person('p', { linkCount })]).components[2]!.normalised
  assert.deepEqual([at(0), at(5), at(10), at(250)], [0, 0.5, 1, 1])
  const log = (linkCount: number) => only([person('p', { linkCount })], DEFAULT_PEOPLE_RANKING).components[2]!.normalised!
  assert.equal(log(20), 1)
  assert.equal(log(500), 1)
  assert.ok(log(3) > 3 / 20, 'the log rule counts the first few links for more')
})

test('people are ranked highest first, ties by personId, with ranks and a top N', () => {
  const people = [person('c', { ownScore: 20 }), person('b', { ownScore: 90 }), person('z', { ownScore: 60 }), person('a', { ownScore: 60 })]
  const ranked = rankPeople(people, WEIGHTS)
  assert.deepEqual(ranked.map((r) => [r.rank, r.personId, r.total]), [
    [1, 'b', 45],
    [2, 'a', 30],
    [3, 'z', 30],
    [4, 'c', 10],
  ])
  assert.deepEqual(rankPeople(people, WEIGHTS, { top: 2 }).map((r) => r.personId), ['b', 'a'])
  assert.deepEqual(rankPeople([...people].reverse(), WEIGHTS), ranked, 'input order does not matter')
})

test('refuses any detail beyond the five inputs, so protected characteristics cannot reach a ranking', () => {
  for (const extra of [{ ethnicity: 'any' }, { attributes: { age: 17 } }, { gender: 'any' }]) {
    const p = { ...person('p'), ...extra }
    assert.throws(() => rankPeople([p], WEIGHTS), (e: unknown) => e instanceof TypeError && /protected characteristics/.test(e.message))
  }
})

test('refuses inputs out of range and repeated people', () => {
  assert.throws(() => rankPeople([person('p', { ownScore: 101 })], WEIGHTS), /ownScore/)
  assert.throws(() => rankPeople([person('p', { groupScores: [50, -1] })], WEIGHTS), /group score/)
  assert.throws(() => rankPeople([person('p', { linkCount: 2.5 })], WEIGHTS), /linkCount/)
  assert.throws(() => rankPeople([person('p', { centrality: 1.5 })], WEIGHTS), /centrality/)
  assert.throws(() => rankPeople([person('p'), person('p')], WEIGHTS), /appears twice/)
})

test('the shipped weights file is valid and versioned', () => {
  const parsed = parseRankingWeights(rankingJson)
  assert.ok(parsed.ok)
  assert.equal(parsed.weights.version, 1)
  assert.deepEqual(DEFAULT_PEOPLE_RANKING, parsed.weights)
})

test('weights files are checked: a decay is needed for max_plus_decay, unknown keys and unrankable weights are refused', () => {
  const base = () => structuredClone(rankingJson) as Record<string, any>
  const fields = (json: unknown) => {
    const parsed = parseRankingWeights(json)
    assert.equal(parsed.ok, false)
    return parsed.ok ? [] : parsed.problems.map((p) => p.field)
  }
  const noDecay = base()
  delete noDecay.groupMembership.decay
  assert.deepEqual(fields(noDecay), ['groupMembership.decay'])
  assert.deepEqual(fields({ ...base(), ethnicity: { weight: 1 } }).length, 1)
  const unrankable = base()
  unrankable.groupMembership.weight = 0
  unrankable.links.weight = 0
  assert.deepEqual(fields(unrankable), ['groupMembership.weight'])
  const negative = base()
  negative.ownAssessment.weight = -0.5
  assert.deepEqual(fields(negative), ['ownAssessment.weight'])
})

const personArbitrary = fc.record({
  personId: fc.string({ minLength: 1, maxLength: 6 }),
  ownScore: fc.option(fc.integer({ min: 0, max: 1000 }).map((n) => n / 10)),
  groupScores: fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 5 }),
  linkCount: fc.nat(200),
  centrality: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
})

test('any person totals within 0..100 with shares adding up to the whole', () => {
  fc.assert(
    fc.property(personArbitrary, (p) => {
      for (const weights of [WEIGHTS, DEFAULT_PEOPLE_RANKING]) {
        const r = only([p], weights)
        assert.ok(r.total >= 0 && r.total <= 100, String(r.total))
        if (r.total > 0) near(r.components.reduce((a, c) => a + c.share, 0), 1)
      }
    }),
  )
})

test('joining another group or gaining links never lowers a person’s total', () => {
  fc.assert(
    fc.property(personArbitrary, fc.integer({ min: 0, max: 100 }), fc.nat(50), (p, group, links) => {
      const before = only([p]).total
      assert.ok(only([{ ...p, groupScores: [...p.groupScores, group] }]).total >= before)
      assert.ok(only([{ ...p, linkCount: p.linkCount + links }]).total >= before)
    }),
  )
})

test('the board’s weights (version 2) give network centrality a share of each person’s score', async () => {
  const { PEOPLE_RANKING_WITH_NETWORK } = await import('../../src/modules/prioritisation/service.ts')
  assert.equal(PEOPLE_RANKING_WITH_NETWORK.version, 2)
  assert.ok(PEOPLE_RANKING_WITH_NETWORK.centrality.weight > 0)
  // 0.45 × 0.8 + 0.25 × 0 + 0.15 × ln 11 / ln 21 + 0.15 × 0.6 = 0.36 + 0.1181 + 0.09 = 0.5681
  const r = only([person('p', { ownScore: 80, linkCount: 10, centrality: 0.6 })], PEOPLE_RANKING_WITH_NETWORK)
  assert.equal(r.total, 56.8)
  const c = r.components.find((x) => x.input === 'centrality')!
  assert.ok(Math.abs(c.contribution - 9) < 1e-9)
  assert.ok(Math.abs(c.share - 9 / 56.81) < 1e-3)
  assert.match(c.detail, /Betweenness centrality 0.6/)
  const broker = only([person('q', { ownScore: 80, linkCount: 10, centrality: 1 })], PEOPLE_RANKING_WITH_NETWORK)
  assert.ok(broker.total > r.total, 'a more central person ranks higher, all else equal')
})
