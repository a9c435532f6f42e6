import { z } from 'zod'
import type { FieldIssue } from '../errors.ts'
import { round1 } from './scoreAssessment.ts'

// "Top N people" for a partnership board, in the spirit of Operation Liberal's top nominals: a
// person's own tactical assessment, the assessed groups they currently belong to, and how connected
// they are, each shown with its share of the total so the board (and, on request, the person) can
// see exactly why someone is on the list. The weights are versioned configuration
// (config/prioritisation/people-ranking.v1.json), not a national standard.

export const RANKING_INPUTS = ['ownAssessment', 'groupMembership', 'links', 'centrality'] as const
export type RankingInput = (typeof RANKING_INPUTS)[number]

const text = (what: string) => z.string({ error: `Enter ${what}` }).trim().min(1, `Enter ${what}`)
const weight = z.number({ error: 'Enter a weight as a number' }).min(0, 'A weight cannot be negative')

const rankingWeightsSchema = z.strictObject({
  version: z.number({ error: 'Enter the version as a whole number' }).int('The version must be a whole number').positive('The version must be 1 or more'),
  title: text('a title'),
  description: text('a description'),
  ownAssessment: z.strictObject({ label: text('a label'), weight }),
  groupMembership: z.discriminatedUnion(
    'aggregate',
    [
      z.strictObject({ label: text('a label'), weight, aggregate: z.literal('max') }),
      z.strictObject({
        label: text('a label'),
        weight,
        aggregate: z.literal('max_plus_decay'),
        decay: z.number({ error: 'Enter a decay between 0 and 1' }).min(0, 'The decay is between 0 and 1').max(1, 'The decay is between 0 and 1'),
      }),
    ],
    { error: 'Choose how group scores combine: max or max_plus_decay' },
  ),
  links: z.strictObject({
    label: text('a label'),
    weight,
    saturation: z.enum(['cap', 'log'], { error: 'Choose how links saturate: cap or log' }),
    saturateAt: z.number({ error: 'Enter the number of links that counts in full' }).int('Enter a whole number of links').positive('Enter at least 1 link'),
  }),
  centrality: z.strictObject({ label: text('a label'), weight }),
})

export type RankingWeights = z.output<typeof rankingWeightsSchema>

export type ParsedRankingWeights = { ok: true; weights: RankingWeights } | { ok: false; problems: FieldIssue[] }

/** Checks a people-ranking configuration file, with a dotted path on each problem. */
export function parseRankingWeights(json: unknown): ParsedRankingWeights {
  const parsed = rankingWeightsSchema.safeParse(json)
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(weights)', message: i.message })) }
  }
  // Own assessment and centrality may be missing for a person; group membership and links never
  // are (none is a known 0), so one of them must carry weight for everyone to get a total.
  if (parsed.data.groupMembership.weight + parsed.data.links.weight === 0) {
    return { ok: false, problems: [{ field: 'groupMembership.weight', message: 'Give group membership or links a weight above 0, so that every person can be ranked' }] }
  }
  return { ok: true, weights: parsed.data }
}

/**
 * What the ranking may know about a person, and nothing else.
 *
 * There is deliberately no free-form field (no "attributes", no "notes", no demographics). The
 * Gangs Violence Matrix was found unlawful by the Information Commissioner (2018) and scrapped in
 * 2024 after a challenge over racial disproportionality (domain.md, "A lesson to design against"):
 * a ranking of people must never be able to use protected characteristics (Equality Act 2010 s.4),
 * even by accident. TypeScript lets extra properties through on objects that are not literals,
 * so rankPeople also refuses any other key at run time.
 */
export type RankingPerson = {
  readonly personId: string
  /** 0..100 from the person's own tactical assessment; null when never assessed. */
  readonly ownScore: number | null
  /** 0..100 scores of the groups the person currently belongs to; empty when none. */
  readonly groupScores: readonly number[]
  /** Known links to other people (associations, shared addresses, phones, vehicles). */
  readonly linkCount: number
  /** 0..1 from network analysis; null or absent until that has been run. */
  readonly centrality?: number | null
}

const PERSON_KEYS: ReadonlySet<string> = new Set(['personId', 'ownScore', 'groupScores', 'linkCount', 'centrality'])

export type RankingComponent = {
  input: RankingInput
  label: string
  /** The input as given: a score, the list of group scores, a count, a centrality, or null. */
  raw: number | readonly number[] | null
  /** 0..1, or null when missing. */
  normalised: number | null
  missing: boolean
  /** The configured weight. */
  weight: number
  /** The weight used for this person: the configured weights of the inputs present, scaled to add up to 1. */
  effectiveWeight: number
  /** Points of the 0..100 total. */
  contribution: number
  /** Fraction of the total (0..1); the components' shares add up to 1 when the total is above 0. */
  share: number
  /** The component in words, for the board. */
  detail: string
}

export type RankedPerson = {
  rank: number
  personId: string
  /** 0..100, rounded to 1 decimal place. */
  total: number
  components: RankingComponent[]
  /** Weighted inputs this person lacks; their weight was shared among the inputs present. */
  missingInputs: RankingInput[]
}

/**
 * Ranks people, highest total first; equal totals are ordered by personId so the list is the same
 * every time. `top` keeps only the first N.
 */
export function rankPeople(people: readonly RankingPerson[], weights: RankingWeights, options: { top?: number } = {}): RankedPerson[] {
  const seen = new Set<string>()
  for (const person of people) {
    checkPerson(person)
    if (seen.has(person.personId)) throw new RangeError(`Person ${person.personId} appears twice in the list to rank`)
    seen.add(person.personId)
  }
  // Totals first, explanations only for those kept: a national board ranks tens of thousands of
  // people to show twenty, and writing every explanation cost half a second.
  const totals = people.map((p) => ({ person: p, total: round1(totalOf(measure(p, weights))) }))
  totals.sort((a, b) => b.total - a.total || (a.person.personId < b.person.personId ? -1 : a.person.personId > b.person.personId ? 1 : 0))
  const kept = options.top === undefined ? totals : totals.slice(0, Math.max(0, options.top))
  return kept.map((r, i) => ({ rank: i + 1, ...scorePerson(r.person, weights) }))
}

type Measured = { input: RankingInput; normalised: number | null; missing: boolean; weight: number }

/** Each input as a value 0..1 with its weight: the numbers the total is made of, without words. */
function measure(person: RankingPerson, weights: RankingWeights): Measured[] {
  const own = person.ownScore
  const centrality = person.centrality ?? null
  const { saturation, saturateAt } = weights.links
  return [
    { input: 'ownAssessment', normalised: own === null ? null : own / 100, missing: own === null, weight: weights.ownAssessment.weight },
    { input: 'groupMembership', normalised: groupValue([...person.groupScores].sort((a, b) => b - a), weights.groupMembership), missing: false, weight: weights.groupMembership.weight },
    {
      input: 'links',
      normalised: saturation === 'cap' ? Math.min(person.linkCount, saturateAt) / saturateAt : Math.min(1, Math.log1p(person.linkCount) / Math.log1p(saturateAt)),
      missing: false,
      weight: weights.links.weight,
    },
    { input: 'centrality', normalised: centrality, missing: centrality === null, weight: weights.centrality.weight },
  ]
}

// A missing input is neither counted as 0 (which would lower the person's total for a gap in our
// knowledge) nor hidden: its weight is shared among the inputs present and the gap is listed.
function effectiveWeights(measured: readonly Measured[]): number[] {
  const presentWeight = measured.reduce((a, c) => a + (c.missing ? 0 : c.weight), 0)
  return measured.map((c) => (c.missing || presentWeight === 0 ? 0 : c.weight / presentWeight))
}

function totalOf(measured: readonly Measured[]): number {
  const w = effectiveWeights(measured)
  return measured.reduce((sum, c, i) => sum + (c.missing ? 0 : 100 * w[i]! * c.normalised!), 0)
}

function scorePerson(person: RankingPerson, weights: RankingWeights): Omit<RankedPerson, 'rank'> {
  const measured = measure(person, weights)
  const groups = [...person.groupScores].sort((a, b) => b - a)
  const centrality = person.centrality ?? null
  const { saturateAt } = weights.links
  const words: Record<RankingInput, { label: string; raw: RankingComponent['raw']; detail: string }> = {
    ownAssessment: { label: weights.ownAssessment.label, raw: person.ownScore, detail: person.ownScore === null ? 'Not yet assessed' : `Own assessment scored ${person.ownScore}` },
    groupMembership: {
      label: weights.groupMembership.label,
      raw: groups,
      detail:
        groups.length === 0
          ? 'Not a current member of any assessed group'
          : `Current member of ${groups.length === 1 ? '1 assessed group' : `${groups.length} assessed groups`} scoring ${listOf(groups.map(String))}`,
    },
    links: { label: weights.links.label, raw: person.linkCount, detail: `${person.linkCount === 1 ? '1 known link' : `${person.linkCount} known links`} (${saturateAt} or more count in full)` },
    centrality: { label: weights.centrality.label, raw: centrality, detail: centrality === null ? 'Network position not yet analysed' : `Betweenness centrality ${centrality} (1 is the most central in the network you may see)` },
  }
  const w = effectiveWeights(measured)
  const components: RankingComponent[] = measured.map((c, i) => {
    const said = words[c.input]
    return {
      input: c.input,
      label: said.label,
      raw: said.raw,
      normalised: c.normalised,
      missing: c.missing,
      weight: c.weight,
      detail: c.missing && c.weight > 0 ? `${said.detail}: its weight was shared among the other inputs` : said.detail,
      effectiveWeight: w[i]!,
      contribution: c.missing ? 0 : 100 * w[i]! * c.normalised!,
      share: 0,
    }
  })
  const sum = components.reduce((a, c) => a + c.contribution, 0)
  for (const c of components) c.share = sum > 0 ? c.contribution / sum : 0
  return {
    personId: person.personId,
    total: round1(sum),
    components,
    missingInputs: components.filter((c) => c.missing && c.weight > 0).map((c) => c.input),
  }
}

/**
 * The groups a person belongs to, as one value 0..1. 'max': the highest-scoring group. 'max_plus_decay':
 * the highest counts in full, and each further group (highest first) closes part of the gap left
 * to 1: the second by decay × its score, the third by decay² × its score, and so on. More groups
 * never lower the value and it never passes 1.
 */
function groupValue(sortedDescending: readonly number[], rule: RankingWeights['groupMembership']): number {
  if (sortedDescending.length === 0) return 0
  if (rule.aggregate === 'max') return sortedDescending[0]! / 100
  let value = 0
  sortedDescending.forEach((score, i) => {
    value += rule.decay ** i * (score / 100) * (1 - value)
  })
  return value
}

function checkPerson(person: RankingPerson): void {
  for (const key of Object.keys(person)) {
    if (!PERSON_KEYS.has(key)) {
      throw new TypeError(
        `rankPeople takes only personId, ownScore, groupScores, linkCount and centrality, not "${key}": ` +
          'other details are refused so that protected characteristics can never reach a ranking',
      )
    }
  }
  const id = person.personId
  if (typeof id !== 'string' || id === '') throw new RangeError('Every person to rank needs a personId')
  const isScore = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100
  if (person.ownScore !== null && !isScore(person.ownScore)) throw new RangeError(`Person ${id}: ownScore must be between 0 and 100 or null, not ${person.ownScore}`)
  if (!Array.isArray(person.groupScores) || !person.groupScores.every(isScore)) throw new RangeError(`Person ${id}: every group score must be between 0 and 100`)
  if (!Number.isInteger(person.linkCount) || person.linkCount < 0) throw new RangeError(`Person ${id}: linkCount must be a whole number of 0 or more, not ${person.linkCount}`)
  const c = person.centrality
  if (c !== undefined && c !== null && !(typeof c === 'number' && c >= 0 && c <= 1)) throw new RangeError(`Person ${id}: centrality must be between 0 and 1 or null, not ${c}`)
}

const listOf = (items: string[]): string => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`)
