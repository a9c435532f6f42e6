import { seededRandom } from '../demo/random.ts'
import type { BlockingRule, CandidatePairs } from './blocking.ts'
import { NOT_COMPARED, type Comparison } from './comparisons.ts'

// The Fellegi-Sunter model (Fellegi and Sunter 1969), trained without labels as Splink trains it:
// u (how often a level occurs between two records of different people) from random pairs, which are
// nearly all non-matches; m (how often it occurs between two records of one person) by
// expectation-maximisation over the blocked pairs, one session per blocking rule, holding out the
// comparisons that rule's key is made of (within the block they agree by construction). A pair's match
// weight is the prior log-odds plus log2(m/u) for each field's level: the sum explains itself.

export type LevelParameters = { label: string; m: number; u: number }
export type ComparisonParameters = { key: string; label: string; levels: LevelParameters[]; termFrequency: boolean }

/** The trained model: saved per dataset pair and reused, so a rerun scores pairs the same way. */
export type MatchModel = {
  version: 1
  /** The probability that two records drawn at random are the same person or business. */
  prior: number
  comparisons: ComparisonParameters[]
  training: { randomPairs: number; sessions: Array<{ rule: string; pairs: number; estimatedMatches: number; iterations: number }> }
}

/** Per comparison, how often each value occurs: what exact agreement on it is worth. */
export type TermFrequencies = Map<string, Map<string, number>>

// Four bits per comparison and thirteen comparisons fill the 52 bits a double holds exactly.
const LEVEL_BITS = 4
const MAX_LEVELS = 1 << LEVEL_BITS
/** The pattern of levels of a pair, four bits per comparison (level + 1; 0 means not compared). */
export function patternOf<R>(comparisons: readonly Comparison<R>[], a: R, b: R): number {
  let pattern = 0
  for (let c = 0; c < comparisons.length; c++) pattern += (comparisons[c]!.compare(a, b) + 1) * 2 ** (LEVEL_BITS * c)
  return pattern
}

export const levelIn = (pattern: number, c: number) => (Math.floor(pattern / 2 ** (LEVEL_BITS * c)) % MAX_LEVELS) - 1

/** Checks the comparisons fit in a pattern: at most thirteen, with at most fifteen levels each. */
export function checkComparisons<R>(comparisons: readonly Comparison<R>[]): void {
  if (comparisons.length === 0) throw new Error('Nothing to compare: map at least one field that both sides hold')
  if (comparisons.length > 13) throw new Error('At most thirteen comparisons fit in a pattern')
  for (const c of comparisons) if (c.levels.length >= MAX_LEVELS) throw new Error(`Comparison ${c.key} has too many levels`)
}

/**
 * u for every level from random pairs. `drawPair` gives two record indices (from different sources
 * when linking), seeded so a rerun trains the same model.
 */
export function estimateU<R>(records: readonly R[], comparisons: readonly Comparison<R>[], drawPair: (random: () => number) => [number, number] | null, samples: number, seed = 1): { u: number[][]; pairs: number } {
  const random = seededRandom(seed)
  const counts = comparisons.map((c) => new Array<number>(c.levels.length).fill(0))
  let pairs = 0
  for (let s = 0; s < samples; s++) {
    const pair = drawPair(random.next)
    if (!pair) break
    const a = records[pair[0]]!
    const b = records[pair[1]]!
    pairs++
    for (let c = 0; c < comparisons.length; c++) {
      const level = comparisons[c]!.compare(a, b)
      if (level !== NOT_COMPARED) counts[c]![level]!++
    }
  }
  // One pseudo-count per level: a level never seen among random pairs (exact agreement on a
  // national identifier) is rare, not impossible.
  const u = counts.map((levels) => {
    const total = levels.reduce((s, n) => s + n, 0) + levels.length
    return levels.map((n) => (n + 1) / total)
  })
  return { u, pairs }
}

/** The count of candidate pairs for each pattern of levels, per blocking rule that found them. */
export type PatternCounts = Array<Map<number, number>>

export function countPatterns(patterns: Uint32Array | Float64Array, pairs: CandidatePairs, rules: number): PatternCounts {
  const perRule: PatternCounts = Array.from({ length: rules }, () => new Map<number, number>())
  for (let p = 0; p < pairs.count; p++) {
    const mask = pairs.rules[p]!
    const pattern = patterns[p]!
    for (let r = 0; r < rules; r++) {
      if ((mask & (1 << r)) === 0) continue
      const counts = perRule[r]!
      counts.set(pattern, (counts.get(pattern) ?? 0) + 1)
    }
  }
  return perRule
}

type Session = { m: number[][]; heldOut: Set<number>; lambda: number; pairs: number; iterations: number }

/** One EM session over the pairs one rule found, m and the share of matches free, u fixed. */
function emSession<R>(counts: Map<number, number>, comparisons: readonly Comparison<R>[], u: number[][], heldOut: Set<number>, maxIterations: number): Session {
  // Start from the usual guess: matches mostly agree, and one pair in ten is a match.
  let m = comparisons.map((c) => c.levels.map((_, l) => (l === 0 ? 0.9 : 0.1 / (c.levels.length - 1))))
  let lambda = 0.1
  const patterns = [...counts.entries()]
  const levels = patterns.map(([pattern]) => comparisons.map((_, c) => levelIn(pattern, c)))
  let pairs = 0
  for (const [, n] of patterns) pairs += n
  let iterations = 0
  for (; iterations < maxIterations; iterations++) {
    const mNext = comparisons.map((c) => new Array<number>(c.levels.length).fill(0))
    let matches = 0
    for (let p = 0; p < patterns.length; p++) {
      const n = patterns[p]![1]
      let pm = lambda
      let pu = 1 - lambda
      const lv = levels[p]!
      for (let c = 0; c < comparisons.length; c++) {
        const level = lv[c]!
        if (level === NOT_COMPARED || heldOut.has(c)) continue
        pm *= m[c]![level]!
        pu *= u[c]![level]!
      }
      const share = pm + pu === 0 ? 0 : pm / (pm + pu)
      const w = share * n
      matches += w
      for (let c = 0; c < comparisons.length; c++) {
        const level = lv[c]!
        if (level !== NOT_COMPARED) mNext[c]![level]! += w
      }
    }
    const mNormalised = mNext.map((row) => {
      const total = row.reduce((s, x) => s + x, 0)
      // A level no match showed keeps a sliver of probability, so one typo never rules a pair out.
      return total === 0 ? row.map(() => 1 / row.length) : row.map((x) => Math.max(x / total, 1e-6))
    })
    const lambdaNext = pairs === 0 ? 0 : matches / pairs
    let change = Math.abs(lambdaNext - lambda)
    for (let c = 0; c < comparisons.length; c++) for (let l = 0; l < m[c]!.length; l++) change = Math.max(change, Math.abs(mNormalised[c]![l]! - m[c]![l]!))
    m = mNormalised
    lambda = lambdaNext
    if (change < 1e-5) {
      iterations++
      break
    }
  }
  return { m, heldOut, lambda, pairs, iterations }
}

/**
 * Trains m by EM, one session per blocking rule with enough pairs, and averages each comparison's m
 * over the sessions that did not hold it out. The prior comes from the session that found the most
 * matches, as a share of all the pairs there could be.
 */
export function trainModel<R>(
  comparisons: readonly Comparison<R>[],
  rules: readonly BlockingRule<R>[],
  counts: PatternCounts,
  u: { u: number[][]; pairs: number },
  possiblePairs: number,
  maxIterations = 50,
): MatchModel {
  const sessions: Session[] = []
  const described: MatchModel['training']['sessions'] = []
  for (let r = 0; r < rules.length; r++) {
    const ruleCounts = counts[r]!
    let n = 0
    for (const v of ruleCounts.values()) n += v
    if (n < 10) continue
    const heldOut = new Set(comparisons.flatMap((c, i) => (rules[r]!.uses.includes(c.key) ? [i] : [])))
    if (heldOut.size === comparisons.length) continue
    const session = emSession(ruleCounts, comparisons, u.u, heldOut, maxIterations)
    sessions.push(session)
    described.push({ rule: rules[r]!.key, pairs: session.pairs, estimatedMatches: Math.round(session.lambda * session.pairs), iterations: session.iterations })
  }
  const m = comparisons.map((c, ci) => {
    const estimates = sessions.filter((s) => !s.heldOut.has(ci)).map((s) => s.m[ci]!)
    if (estimates.length === 0) return c.levels.map((_, l) => (l === 0 ? 0.9 : 0.1 / (c.levels.length - 1)))
    return c.levels.map((_, l) => estimates.reduce((s, e) => s + e[l]!, 0) / estimates.length)
  })
  const matches = Math.max(1, ...sessions.map((s) => s.lambda * s.pairs))
  const prior = Math.min(0.5, matches / Math.max(1, possiblePairs))
  return {
    version: 1,
    prior,
    comparisons: comparisons.map((c, ci) => ({
      key: c.key,
      label: c.label,
      termFrequency: c.termFrequency !== undefined,
      levels: c.levels.map((label, l) => ({ label, m: m[ci]![l]!, u: u.u[ci]![l]! })),
    })),
    training: { randomPairs: u.pairs, sessions: described },
  }
}

/** How often each value occurs among the records, per comparison that adjusts for it. */
export function termFrequencies<R>(records: readonly R[], comparisons: readonly Comparison<R>[]): TermFrequencies {
  const out: TermFrequencies = new Map()
  for (const c of comparisons) {
    if (!c.termFrequency) continue
    const counts = new Map<string, number>()
    let total = 0
    for (const r of records) {
      const v = c.termFrequency(r)
      if (v === null) continue
      counts.set(v, (counts.get(v) ?? 0) + 1)
      total++
    }
    for (const [v, n] of counts) counts.set(v, n / total)
    out.set(c.key, counts)
  }
  return out
}

export const bits = (x: number) => Math.log2(x)
export const probabilityOf = (weight: number) => {
  const odds = 2 ** weight
  return Number.isFinite(odds) ? odds / (1 + odds) : 1
}
export const priorWeight = (model: MatchModel) => bits(model.prior / (1 - model.prior))

/** The weight of each pattern, before any adjustment for how rare the agreeing values are. */
export function patternWeight(model: MatchModel, pattern: number): number {
  let w = priorWeight(model)
  model.comparisons.forEach((c, ci) => {
    const level = levelIn(pattern, ci)
    if (level !== NOT_COMPARED) w += bits(c.levels[level]!.m / c.levels[level]!.u)
  })
  return w
}

/**
 * How much more (or less) exact agreement on this value says than exact agreement in general:
 * log2(u of exact agreement / how often the value occurs). Agreeing on "Smith" says less than
 * agreeing on "Featherstonehaugh".
 */
export function termFrequencyAdjustment(model: MatchModel, ci: number, frequencies: Map<string, number> | undefined, value: string | null): number {
  if (!frequencies || value === null) return 0
  const f = frequencies.get(value)
  if (f === undefined) return 0
  const u = model.comparisons[ci]!.levels[0]!.u
  return bits(u / f)
}

export type FieldWeight = {
  key: string
  label: string
  level: number
  /** What the level means, or "not compared" when either side was blank. */
  meaning: string
  /** Bits this field added (negative: evidence against). */
  weight: number
  /** The part of the weight that comes from how rare the agreeing value is. */
  termFrequencyAdjustment: number
  m: number | null
  u: number | null
}

export type Explanation = { weight: number; probability: number; prior: number; fields: FieldWeight[] }

/** The match weight of a pair, field by field. */
export function explainPair<R>(model: MatchModel, comparisons: readonly Comparison<R>[], frequencies: TermFrequencies, a: R, b: R): Explanation {
  const prior = priorWeight(model)
  let weight = prior
  const fields: FieldWeight[] = comparisons.map((c, ci) => {
    const level = c.compare(a, b)
    const parameters = model.comparisons[ci]!
    if (level === NOT_COMPARED) return { key: c.key, label: c.label, level, meaning: 'not compared: blank on one side or both', weight: 0, termFrequencyAdjustment: 0, m: null, u: null }
    const { m, u, label } = parameters.levels[level]!
    const tf = level === 0 && c.termFrequency ? termFrequencyAdjustment(model, ci, frequencies.get(c.key), c.termFrequency(a)) : 0
    const w = bits(m / u) + tf
    weight += w
    return { key: c.key, label: c.label, level, meaning: label, weight: w, termFrequencyAdjustment: tf, m, u }
  })
  return { weight, probability: probabilityOf(weight), prior, fields }
}
