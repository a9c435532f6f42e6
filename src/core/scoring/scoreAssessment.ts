import type { FieldIssue } from '../errors.ts'
import type { Aggregate, Direction, Factor, ModelDefinition, ScalePoint, ScoreRange } from './modelDefinition.ts'

// The scorer: a model definition and one assessor's answers in, a score with its full explanation
// out. Pure and deterministic, so the same answers under the same model version always give the
// same score, and a page, the API, the CLI and a benchmark all agree.
//
// Every score must be explainable to the people it affects (domain.md, "A lesson to design
// against"), so the result says how much of the score each factor accounts for.

export type FactorAnswer = { value: number; rationale: string }

export type AssessmentAnswers = {
  factors: Readonly<Record<string, FactorAnswer | undefined>>
  confidence: number
}

export type PartResult = {
  part: string
  label: string
  direction: Direction
  aggregate: Aggregate
  /** 0..1 as the part's scales read: for organisational position 1 means fully able to respond. */
  normalised: number
  /** 0..1 turned so that 1 always means more priority; the value the combination uses. */
  towardsPriority: number
  /** Points of the 0..100 score this part accounts for. */
  points: number
  /** This part's fraction of the score (0..1); the parts' shares add up to 1 when the score is above 0. */
  share: number
}

export type FactorExplanation = {
  factorId: string
  label: string
  part: string
  partLabel: string
  value: number
  scaleLabel: string
  descriptor: string
  weight: number
  /** What this factor adds to its part's towardsPriority value; a part's contributions add up to it. */
  contribution: number
  /** Points of the 0..100 score this factor accounts for. */
  points: number
  /** This factor's fraction of the score (0..1): "physical harm contributed 18%". */
  share: number
  /** share as a percentage rounded to 1 decimal place, for display. */
  sharePercent: number
  rationale: string
}

export type AssessmentResult = {
  model: { key: string; version: number; title: string }
  /** 0..100, rounded to 1 decimal place; the band is chosen from this rounded figure. */
  score: number
  band: { id: string; label: string; description: string }
  /** Shown beside the score, never multiplied into it. */
  confidence: { value: number; label: string; descriptor: string }
  opportunity: { level: string; label: string; description: string; score: number }
  parts: PartResult[]
  explanation: FactorExplanation[]
}

export type ScoredAssessment = { ok: true; result: AssessmentResult } | { ok: false; problems: FieldIssue[] }

/** Scores one assessment; the model must come from parseModelDefinition. */
export function scoreAssessment(model: ModelDefinition, answers: AssessmentAnswers): ScoredAssessment {
  const problems = assessmentProblems(model, answers)
  if (problems.length > 0) return { ok: false, problems }

  const valueOf = (f: Factor): number => answers.factors[f.id]!.value

  // 1. Each part: its factors placed between 0 and 1 on their scales, turned towards priority,
  //    and combined by the part's aggregate, remembering what each factor added.
  const contributionOf = new Map<string, number>()
  const partValues = new Map<string, number>()
  for (const part of model.parts) {
    const factors = model.factors.filter((f) => f.part === part.id)
    const towards = factors.map((f) => {
      const position = positionOnScale(f.scale, valueOf(f))
      return part.direction === 'higher_raises_priority' ? position : 1 - position
    })
    const contributions = aggregate(part.aggregate, factors, towards)
    factors.forEach((f, i) => contributionOf.set(f.id, contributions[i]!))
    partValues.set(part.id, contributions.reduce((a, b) => a + b, 0))
  }

  // 2. The parts combined into the score, and the score shared fairly among the parts.
  const raw = combine(model, partValues)
  const score = round1(100 * raw)
  const partPoints = shapleyPoints(model, partValues)

  const parts: PartResult[] = model.parts.map((p) => {
    const towardsPriority = partValues.get(p.id)!
    const points = partPoints.get(p.id)!
    return {
      part: p.id,
      label: p.label,
      direction: p.direction,
      aggregate: p.aggregate,
      normalised: p.direction === 'higher_raises_priority' ? towardsPriority : 1 - towardsPriority,
      towardsPriority,
      points,
      share: raw > 0 ? points / (100 * raw) : 0,
    }
  })

  // 3. Each part's points passed on to its factors in proportion to what each added to the part.
  const explanation: FactorExplanation[] = model.factors.map((f) => {
    const answer = answers.factors[f.id]!
    const point = f.scale.find((s) => s.value === answer.value)!
    const part = model.parts.find((p) => p.id === f.part)!
    const partValue = partValues.get(f.part)!
    const contribution = contributionOf.get(f.id)!
    const points = partValue > 0 ? (partPoints.get(f.part)! * contribution) / partValue : 0
    const share = raw > 0 ? points / (100 * raw) : 0
    return {
      factorId: f.id,
      label: f.label,
      part: f.part,
      partLabel: part.label,
      value: answer.value,
      scaleLabel: point.label,
      descriptor: point.descriptor,
      weight: f.weight,
      contribution,
      points,
      share,
      sharePercent: round1(100 * share),
      rationale: answer.rationale.trim(),
    }
  })

  const band = inRange(model.bands, score)
  const confidencePoint = model.confidence.scale.find((s) => s.value === answers.confidence)!
  const opportunityScore = round1(100 * opportunityValue(model, valueOf))
  const level = inRange(model.opportunity.levels, opportunityScore)

  return {
    ok: true,
    result: {
      model: { key: model.key, version: model.version, title: model.title },
      score,
      band: { id: band.id, label: band.label, description: band.description },
      confidence: { value: confidencePoint.value, label: confidencePoint.label, descriptor: confidencePoint.descriptor },
      opportunity: { level: level.id, label: level.label, description: level.description, score: opportunityScore },
      parts,
      explanation,
    },
  }
}

/** The problems with a set of answers, by field ("factors.physical.value"), each naming what is allowed. */
export function assessmentProblems(model: ModelDefinition, answers: AssessmentAnswers): FieldIssue[] {
  const problems: FieldIssue[] = []
  const given = answers.factors ?? {}
  for (const f of model.factors) {
    const answer = given[f.id]
    const value: unknown = answer?.value
    if (value === undefined || value === null) {
      problems.push({ field: `factors.${f.id}.value`, message: `Choose a score for ${f.label}: ${choices(f.scale)}` })
    } else if (typeof value !== 'number' || !f.scale.some((s) => s.value === value)) {
      problems.push({ field: `factors.${f.id}.value`, message: `${f.label} must be scored ${choices(f.scale)}; ${JSON.stringify(value)} is not on its scale` })
    }
    const rationale: unknown = answer?.rationale
    if (typeof rationale !== 'string' || rationale.trim() === '') {
      problems.push({ field: `factors.${f.id}.rationale`, message: `Explain why you gave ${f.label} this score: every score records its reason` })
    }
  }
  const known = new Set(model.factors.map((f) => f.id))
  for (const id of Object.keys(given)) {
    if (!known.has(id)) {
      problems.push({
        field: `factors.${id}`,
        message: `"${id}" is not a factor of ${model.title} (version ${model.version}); its factors are ${model.factors.map((f) => f.id).join(', ')}`,
      })
    }
  }
  const confidence: unknown = answers.confidence
  if (confidence === undefined || confidence === null) {
    problems.push({ field: 'confidence', message: `Choose a confidence level: ${choices(model.confidence.scale)}` })
  } else if (typeof confidence !== 'number' || !model.confidence.scale.some((s) => s.value === confidence)) {
    problems.push({ field: 'confidence', message: `Confidence must be ${choices(model.confidence.scale)}; ${JSON.stringify(confidence)} is not on its scale` })
  }
  return problems
}

/** The result as sentences for a page, a board paper or the command line. */
export function explainAssessment(result: AssessmentResult): string[] {
  const lines = [
    `${result.model.title} (version ${result.model.version}): score ${result.score.toFixed(1)} out of 100, ${result.band.label}.`,
    `Confidence: ${result.confidence.value} ${result.confidence.label} (shown beside the score, not part of it). ${result.confidence.descriptor}`,
    `Opportunity: ${result.opportunity.label} (${result.opportunity.score.toFixed(1)} out of 100). ${result.opportunity.description}`,
  ]
  for (const part of result.parts) {
    lines.push(`${part.label}: ${percent(part.normalised)} of its range; ${part.share > 0 ? `${percent(part.share)} of the score` : 'adds nothing to the score'}.`)
  }
  for (const e of [...result.explanation].sort((a, b) => b.share - a.share)) {
    const label = e.label === e.partLabel ? e.label : `${e.label} (${e.partLabel})`
    lines.push(`${label}: ${e.value} ${e.scaleLabel}, ${e.sharePercent.toFixed(1)}% of the score. ${e.descriptor} Reason given: ${e.rationale}`)
  }
  return lines
}

/** Where a value sits on its scale, 0 at the lowest point and 1 at the highest. */
function positionOnScale(scale: readonly ScalePoint[], value: number): number {
  const lowest = scale[0]!.value
  const highest = scale.at(-1)!.value
  return (value - lowest) / (highest - lowest)
}

/** What each factor adds to its part; the additions sum to the part's value, always within 0..1. */
function aggregate(method: Aggregate, factors: readonly Factor[], towards: readonly number[]): number[] {
  switch (method) {
    case 'weighted_mean': {
      const total = factors.reduce((a, f) => a + f.weight, 0)
      return factors.map((f, i) => (f.weight * towards[i]!) / total)
    }
    case 'sum': {
      // Points above each scale's lowest value, weighted, out of the most that could be scored:
      // a factor with a longer scale counts for more.
      const span = (f: Factor) => f.scale.at(-1)!.value - f.scale[0]!.value
      const total = factors.reduce((a, f) => a + f.weight * span(f), 0)
      return factors.map((f, i) => (f.weight * span(f) * towards[i]!) / total)
    }
    case 'max': {
      // The worst factor decides; factors of weight 0 are left out. Ties share the credit equally.
      const counted = factors.map((f) => f.weight > 0)
      const top = Math.max(...towards.filter((_, i) => counted[i]))
      const tied = towards.filter((t, i) => counted[i] && t === top).length
      return towards.map((t, i) => (counted[i] && t === top ? top / tied : 0))
    }
  }
}

/** The score as a fraction 0..1 from the parts' towardsPriority values. */
function combine(model: ModelDefinition, partValues: ReadonlyMap<string, number>): number {
  const c = model.combination
  if (c.method === 'product') {
    return c.terms.reduce((acc, t) => acc * (t.floor + (1 - t.floor) * partValues.get(t.part)!), 1)
  }
  const total = c.terms.reduce((a, t) => a + t.weight, 0)
  return c.terms.reduce((acc, t) => acc + t.weight * partValues.get(t.part)!, 0) / total
}

/**
 * Points of the score owed to each part: its Shapley value, the average extra score it brings when
 * the parts are added one at a time in every possible order, starting from every part at its lowest.
 * For a weighted sum this is simply each part's term; for a product it is the fair split of the
 * interaction. The model rules guarantee the all-lowest score is 0, so the points add up to the score.
 */
function shapleyPoints(model: ModelDefinition, partValues: ReadonlyMap<string, number>): Map<string, number> {
  const ids = model.parts.map((p) => p.id)
  const n = ids.length
  const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1))
  const worth = (mask: number): number => {
    const values = new Map(ids.map((id, i) => [id, mask & (1 << i) ? partValues.get(id)! : 0]))
    return 100 * combine(model, values)
  }
  const worths = Array.from({ length: 1 << n }, (_, mask) => worth(mask))
  const points = new Map<string, number>()
  ids.forEach((id, i) => {
    let total = 0
    for (let mask = 0; mask < 1 << n; mask++) {
      if (mask & (1 << i)) continue
      const size = popcount(mask)
      total += ((factorial(size) * factorial(n - size - 1)) / factorial(n)) * (worths[mask | (1 << i)]! - worths[mask]!)
    }
    points.set(id, total)
  })
  return points
}

/** How able the partnership is to act: weighted mean of the named factors read the natural way round. */
function opportunityValue(model: ModelDefinition, valueOf: (f: Factor) => number): number {
  let weighted = 0
  let total = 0
  for (const o of model.opportunity.factors) {
    const f = model.factors.find((x) => x.id === o.factor)!
    weighted += o.weight * positionOnScale(f.scale, valueOf(f))
    total += o.weight
  }
  return weighted / total
}

/** The range holding a score; ranges tile 0..100 with the top one including 100. */
function inRange(ranges: readonly ScoreRange[], score: number): ScoreRange {
  const found = ranges.find((r) => score >= r.min && (score < r.max || (r.max === 100 && score <= 100)))
  if (!found) throw new RangeError(`No range holds ${score}: the model was not checked with parseModelDefinition`)
  return found
}

function popcount(x: number): number {
  let count = 0
  for (let v = x; v; v &= v - 1) count++
  return count
}

/** Rounds half up to 1 decimal place, ignoring binary noise (48.75000000000001 and 48.74999999999999 both give 48.8). */
export function round1(x: number): number {
  return Math.round(Number((x * 10).toPrecision(12))) / 10
}

const percent = (fraction: number): string => `${round1(100 * fraction).toFixed(1)}%`

const choices = (scale: readonly ScalePoint[]): string => {
  const items = scale.map((s) => `${s.value} (${s.label})`)
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`
}
