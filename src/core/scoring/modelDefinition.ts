import { z } from 'zod'
import type { FieldIssue } from '../errors.ts'

// A prioritisation model is data, not code. MoRiLE (NPCC) publishes its structure (harm, likelihood,
// organisational position, confidence) but not its exact scales and weights, so every partnership
// holds its own versioned model file (config/prioritisation/*.json) and every score records which
// version produced it. docs/prioritisation.md explains the fields and the arithmetic.

export const SUBJECTS = ['group', 'person', 'threat_area'] as const
export type Subject = (typeof SUBJECTS)[number]

/** How a part turns its factors into one value between 0 and 1. */
export const AGGREGATES = ['weighted_mean', 'max', 'sum'] as const
export type Aggregate = (typeof AGGREGATES)[number]

/**
 * Which end of a part's scales means more priority. Organisational position is scored as the
 * partnership's capacity and capability (high = well able to respond); as in MoRiLE, a weak
 * position raises priority, so that part is read the other way round.
 */
export const DIRECTIONS = ['higher_raises_priority', 'lower_raises_priority'] as const
export type Direction = (typeof DIRECTIONS)[number]

const SLUG = /^[a-z][a-z0-9_]*$/
const slug = (what: string) =>
  z.string({ error: `Enter ${what}` }).regex(SLUG, `${what[0]!.toUpperCase()}${what.slice(1)} must be lower-case letters, digits and underscores, starting with a letter`)
const text = (what: string) => z.string({ error: `Enter ${what}` }).trim().min(1, `Enter ${what}`)
const weight = z.number({ error: 'Enter a weight as a number' }).min(0, 'A weight cannot be negative')

const scalePoint = z.strictObject({
  value: z.number({ error: 'Enter the scale value as a whole number' }).int('A scale value must be a whole number'),
  label: text('a label for the scale point'),
  descriptor: text('a descriptor for the scale point: every point needs one, so scorers agree what it means'),
})
export type ScalePoint = z.output<typeof scalePoint>

const scale = z.array(scalePoint).min(2, 'A scale needs at least two points')

const part = z.strictObject({
  id: slug('a part id'),
  label: text('a label for the part'),
  description: text('a description of the part'),
  direction: z.enum(DIRECTIONS, { error: `Choose a direction: ${DIRECTIONS.join(' or ')}` }),
  aggregate: z.enum(AGGREGATES, { error: `Choose how the part combines its factors: ${AGGREGATES.join(', ')}` }),
})
export type Part = z.output<typeof part>

const factor = z.strictObject({
  id: slug('a factor id'),
  label: text('a label for the factor'),
  part: slug('the part the factor belongs to'),
  help: text('help text for the factor'),
  weight,
  scale,
})
export type Factor = z.output<typeof factor>

const productTerm = z.strictObject({
  part: slug('a part id'),
  floor: z.number({ error: 'Enter a floor between 0 and 1' }).min(0, 'A floor is at least 0').lt(1, 'A floor must be below 1, or the part would count for nothing'),
})
const sumTerm = z.strictObject({ part: slug('a part id'), weight })

/**
 * How the parts give the score. Both methods are explained in docs/prioritisation.md.
 * - product: score = 100 × Π (floor + (1 − floor) × part). A floor keeps a part from zeroing the
 *   score on its own (a remote but catastrophic threat still scores); harm normally has floor 0.
 * - weighted_sum: score = 100 × Σ weight × part / Σ weight.
 */
const combination = z.discriminatedUnion(
  'method',
  [
    z.strictObject({ method: z.literal('product'), terms: z.array(productTerm).min(1, 'Name at least one part') }),
    z.strictObject({ method: z.literal('weighted_sum'), terms: z.array(sumTerm).min(1, 'Name at least one part') }),
  ],
  { error: 'Choose a combination method: product or weighted_sum' },
)
export type Combination = z.output<typeof combination>

/** A range of a 0..100 score: [min, max), the top range including 100. */
const range = z.strictObject({
  id: slug('an id'),
  label: text('a label'),
  min: z.number({ error: 'Enter the lowest score as a number' }).min(0, 'Scores run from 0 to 100').max(100, 'Scores run from 0 to 100'),
  max: z.number({ error: 'Enter the highest score as a number' }).min(0, 'Scores run from 0 to 100').max(100, 'Scores run from 0 to 100'),
  description: text('a description'),
})
export type ScoreRange = z.output<typeof range>

const confidence = z.strictObject({
  label: text('a label for the confidence scale'),
  help: text('help text for the confidence scale'),
  scale,
})

/**
 * Opportunity: how able the partnership is to act, from the factors named (normally capacity and
 * capability), read the natural way round: 100 × weighted mean of their normalised values.
 */
const opportunity = z.strictObject({
  label: text('a label for the opportunity rating'),
  help: text('help text for the opportunity rating'),
  factors: z.array(z.strictObject({ factor: slug('a factor id'), weight })).min(1, 'Name at least one factor'),
  levels: z.array(range).min(1, 'Give at least one opportunity level'),
})

export const modelDefinitionSchema = z.strictObject({
  key: slug('a model key'),
  version: z.number({ error: 'Enter the version as a whole number' }).int('The version must be a whole number').positive('The version must be 1 or more'),
  title: text('a title'),
  description: text('a description'),
  subjects: z.array(z.enum(SUBJECTS, { error: `A subject is one of ${SUBJECTS.join(', ')}` })).min(1, 'Name at least one kind of subject'),
  parts: z.array(part).min(1, 'Give at least one part'),
  factors: z.array(factor).min(1, 'Give at least one factor'),
  combination,
  confidence,
  opportunity,
  bands: z.array(range).min(1, 'Give at least one band'),
})

export type ModelDefinition = z.output<typeof modelDefinitionSchema>

export type ParsedModel = { ok: true; model: ModelDefinition } | { ok: false; problems: FieldIssue[] }

/**
 * Checks a model file: first its shape, then that its pieces agree with each other (parts named by
 * factors and the combination exist, scales rise, bands cover 0..100). Problems carry a dotted path
 * to the field ("factors.0.scale.2.descriptor").
 */
export function parseModelDefinition(json: unknown): ParsedModel {
  const parsed = modelDefinitionSchema.safeParse(json)
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(model)', message: i.message })) }
  }
  const problems = crossReferenceProblems(parsed.data)
  return problems.length > 0 ? { ok: false, problems } : { ok: true, model: parsed.data }
}

function crossReferenceProblems(m: ModelDefinition): FieldIssue[] {
  const problems: FieldIssue[] = []
  const add = (field: string, message: string) => problems.push({ field, message })

  duplicates(m.subjects).forEach((s) => add('subjects', `"${s}" is listed twice`))

  const partIds = new Set<string>()
  m.parts.forEach((p, i) => {
    if (partIds.has(p.id)) add(`parts.${i}.id`, `Part id "${p.id}" is used twice`)
    partIds.add(p.id)
  })
  const partList = [...partIds].join(', ')

  const factorIds = new Set<string>()
  m.factors.forEach((f, i) => {
    if (factorIds.has(f.id)) add(`factors.${i}.id`, `Factor id "${f.id}" is used twice`)
    factorIds.add(f.id)
    if (!partIds.has(f.part)) add(`factors.${i}.part`, `Factor "${f.id}" names part "${f.part}", which is not one of the model's parts (${partList})`)
    scaleProblems(f.scale, `factors.${i}.scale`, `Factor "${f.id}"`, add)
  })
  scaleProblems(m.confidence.scale, 'confidence.scale', 'The confidence scale', add)

  m.parts.forEach((p, i) => {
    const own = m.factors.filter((f) => f.part === p.id)
    if (own.length === 0) add(`parts.${i}`, `Part "${p.id}" has no factors`)
    else if (own.every((f) => f.weight === 0)) add(`parts.${i}`, `Part "${p.id}" has only factors of weight 0, so it cannot be worked out`)
  })

  const termParts = new Set<string>()
  m.combination.terms.forEach((t, i) => {
    if (!partIds.has(t.part)) add(`combination.terms.${i}.part`, `The combination names part "${t.part}", which is not one of the model's parts (${partList})`)
    if (termParts.has(t.part)) add(`combination.terms.${i}.part`, `The combination names part "${t.part}" twice`)
    termParts.add(t.part)
  })
  m.parts.forEach((p, i) => {
    // A part left out of the combination would be scored by people and then silently ignored.
    if (!termParts.has(p.id)) add(`parts.${i}`, `Part "${p.id}" is not used by the combination rule: add it to combination.terms or remove it`)
  })
  if (m.combination.method === 'product' && !m.combination.terms.some((t) => t.floor === 0)) {
    // With one floor at 0 the lowest possible answers score exactly 0, so every point of a score
    // can be traced to a factor (see the explanation shares in scoreAssessment.ts).
    add('combination.terms', 'At least one part of a product must have floor 0 (normally harm), so that a subject with no harm scores 0')
  }
  if (m.combination.method === 'weighted_sum' && m.combination.terms.every((t) => t.weight === 0)) {
    add('combination.terms', 'At least one part must have a weight above 0')
  }

  const oppSeen = new Set<string>()
  m.opportunity.factors.forEach((o, i) => {
    if (!factorIds.has(o.factor)) add(`opportunity.factors.${i}.factor`, `The opportunity rule names factor "${o.factor}", which is not one of the model's factors`)
    if (oppSeen.has(o.factor)) add(`opportunity.factors.${i}.factor`, `The opportunity rule names factor "${o.factor}" twice`)
    oppSeen.add(o.factor)
  })
  if (m.opportunity.factors.every((o) => o.weight === 0)) add('opportunity.factors', 'At least one opportunity factor must have a weight above 0')

  rangeProblems(m.bands, 'bands', 'band', add)
  rangeProblems(m.opportunity.levels, 'opportunity.levels', 'opportunity level', add)
  return problems
}

function scaleProblems(points: ScalePoint[], path: string, owner: string, add: (field: string, message: string) => void): void {
  const seen = new Set<number>()
  points.forEach((p, i) => {
    if (seen.has(p.value)) add(`${path}.${i}.value`, `${owner} uses the scale value ${p.value} twice`)
    else if (i > 0 && p.value < points[i - 1]!.value) add(`${path}.${i}.value`, `${owner}'s scale values must rise from first to last: ${p.value} comes after ${points[i - 1]!.value}`)
    seen.add(p.value)
  })
}

/**
 * Ranges are listed from the top down (Priority 1 first) and must tile 0..100 exactly: the first
 * ends at 100, each starts where the one below ends, the last starts at 0.
 */
function rangeProblems(ranges: ScoreRange[], path: string, noun: string, add: (field: string, message: string) => void): void {
  duplicates(ranges.map((r) => r.id)).forEach((id) => add(path, `The ${noun} id "${id}" is used twice`))
  ranges.forEach((r, i) => {
    if (r.min >= r.max) add(`${path}.${i}`, `The ${noun} "${r.id}" must have min below max (it runs from ${r.min} to ${r.max})`)
  })
  const first = ranges[0]!
  const last = ranges.at(-1)!
  if (first.max !== 100) add(`${path}.0.max`, `The first ${noun}, "${first.id}", must reach 100 (it ends at ${first.max}); list ${noun}s from the highest down`)
  if (last.min !== 0) add(`${path}.${ranges.length - 1}.min`, `The last ${noun}, "${last.id}", must start at 0 (it starts at ${last.min})`)
  for (let i = 1; i < ranges.length; i++) {
    const above = ranges[i - 1]!
    const below = ranges[i]!
    if (below.max < above.min) add(`${path}.${i}.max`, `There is a gap between ${below.max} and ${above.min}: the ${noun} "${below.id}" ends at ${below.max} but "${above.id}" starts at ${above.min}`)
    else if (below.max > above.min) add(`${path}.${i}.max`, `The ${noun}s "${below.id}" and "${above.id}" overlap: "${below.id}" ends at ${below.max} but "${above.id}" starts at ${above.min}`)
  }
}

function duplicates<T>(items: readonly T[]): T[] {
  const seen = new Set<T>()
  const twice = new Set<T>()
  for (const item of items) (seen.has(item) ? twice : seen).add(item)
  return [...twice]
}
