import { blockingRulesFor, candidatePairs, type BlockingRule, type CandidatePairs } from './blocking.ts'
import { averageLinks, bestLinksForLoneRecords, connectedClusters } from './clusters.ts'
import { comparisonsFor, NOT_COMPARED, type Comparison } from './comparisons.ts'
import { checkComparisons, countPatterns, estimateU, explainPair, levelIn, patternOf, patternWeight, probabilityOf, termFrequencies, termFrequencyAdjustment, trainModel, type Explanation, type MatchModel, type TermFrequencies } from './model.ts'
import { placeLoneNames, prepareRecord, type PreparedRecord, type RecordKind, type SourceRecord } from './record.ts'

// A whole linkage run: block, compare, train (unless a saved model is given), score, apply the
// clerical decisions already made, and cluster. The same run serves the command line, the server
// and the benchmarks, for plain records and for privacy-preserving encodings alike.

export type Decision = 'same' | 'not_same' | 'unsure'

export type LinkageOptions = {
  /** Only pairs from different sources (two partners' files); otherwise duplicates within them too. */
  link: boolean
  /** A pair at or above this probability is a match. */
  threshold: number
  /** A record no match reached joins its one probable cluster from this probability (null: never); see bestLinksForLoneRecords. */
  attachFrom?: number | null
  /** Pairs kept for review and explanation: at or above this probability. */
  keepFrom: number
  /** Random pairs drawn to estimate u. */
  uSamples: number
  seed: number
  /** Candidate pairs at most; by default in proportion to the records (see PAIRS_PER_RECORD). */
  pairBudget?: number
  /** A model trained before for this dataset pair: scored with, not retrained. */
  model?: MatchModel
  /** Clerical decisions by source record ids ("1:id|2:id", see pairKey): they override the score. */
  decisions?: ReadonlyMap<string, Decision>
  onProgress?: (stage: Stage, done: number, total: number) => void
}

export type Stage = 'blocking' | 'comparing' | 'training' | 'scoring' | 'clustering'

export const DEFAULT_OPTIONS = { threshold: 0.9, attachFrom: 0.5, keepFrom: 0.05, uSamples: 1_000_000, seed: 1 } as const

export type ScoredPair = { left: number; right: number; weight: number; probability: number; decision: Decision | null }

export type LinkageResult<R> = {
  records: readonly R[]
  model: MatchModel
  frequencies: TermFrequencies
  /** Pairs at or above `keepFrom`, strongest first. */
  pairs: ScoredPair[]
  /** Per record, its cluster: the index of the cluster's first record. */
  clusters: Int32Array
  figures: { records: number; candidatePairs: number; possiblePairs: number; pairBudget: number; matches: number; loneRecordsJoined: number; clusters: number; perRule: CandidatePairs['perRule'] }
}

/** The key a decision is stored under: both records by source and id, the smaller first. */
export function pairKey(a: { source: number; id: string }, b: { source: number; id: string }): string {
  const x = `${a.source}:${a.id}`
  const y = `${b.source}:${b.id}`
  return x < y ? `${x}|${y}` : `${y}|${x}`
}

export function linkRecords<R extends { source: number; id: string }>(records: readonly R[], comparisons: readonly Comparison<R>[], rules: readonly BlockingRule<R>[], options: LinkageOptions): LinkageResult<R> {
  checkComparisons(comparisons)
  const progress = options.onProgress ?? (() => {})
  const bySource = new Map<number, number[]>()
  records.forEach((r, i) => {
    const list = bySource.get(r.source)
    if (list) list.push(i)
    else bySource.set(r.source, [i])
  })
  const sources = [...bySource.values()]
  const linking = options.link && sources.length >= 2
  const possiblePairs = linking ? sources[0]!.length * sources.slice(1).reduce((s, l) => s + l.length, 0) : (records.length * (records.length - 1)) / 2

  const pairs = candidatePairs(records, rules, { link: linking, budget: options.pairBudget, onProgress: (r) => progress('blocking', r, rules.length) })
  progress('blocking', rules.length, rules.length)

  const patterns = new Float64Array(pairs.count)
  const step = Math.max(1, Math.floor(pairs.count / 100))
  for (let p = 0; p < pairs.count; p++) {
    patterns[p] = patternOf(comparisons, records[pairs.left[p]!]!, records[pairs.right[p]!]!)
    if (p % step === 0) progress('comparing', p, pairs.count)
  }
  progress('comparing', pairs.count, pairs.count)

  const frequencies = termFrequencies(records, comparisons)
  let model = options.model
  if (!model) {
    progress('training', 0, 1)
    const first = sources[0] ?? []
    const rest = sources.slice(1).flat()
    const drawPair = (random: () => number): [number, number] | null => {
      if (linking) return [first[Math.floor(random() * first.length)]!, rest[Math.floor(random() * rest.length)]!]
      if (records.length < 2) return null
      const i = Math.floor(random() * records.length)
      let j = Math.floor(random() * (records.length - 1))
      if (j >= i) j++
      return [i, j]
    }
    const u = estimateU(records, comparisons, drawPair, Math.min(options.uSamples, Math.max(possiblePairs, 1)), options.seed)
    model = trainModel(comparisons, rules, countPatterns(patterns, pairs, rules.length), u, possiblePairs)
    progress('training', 1, 1)
  }

  const weights = new Map<number, number>()
  const tfComparisons = comparisons.flatMap((c, ci) => (c.termFrequency ? [ci] : []))
  const scored: ScoredPair[] = []
  const links: Array<[number, number]> = []
  const decisions = options.decisions ?? new Map<string, Decision>()
  for (let p = 0; p < pairs.count; p++) {
    const pattern = patterns[p]!
    let w = weights.get(pattern)
    if (w === undefined) {
      w = patternWeight(model, pattern)
      weights.set(pattern, w)
    }
    const a = records[pairs.left[p]!]!
    for (const ci of tfComparisons) {
      if (levelIn(pattern, ci) === 0) w += termFrequencyAdjustment(model, ci, frequencies.get(comparisons[ci]!.key), comparisons[ci]!.termFrequency!(a))
    }
    const probability = probabilityOf(w)
    const decision = decisions.size > 0 ? (decisions.get(pairKey(a, records[pairs.right[p]!]!)) ?? null) : null
    const isMatch = decision === 'same' || (decision !== 'not_same' && probability >= options.threshold)
    if (isMatch) links.push([pairs.left[p]!, pairs.right[p]!])
    if (probability >= options.keepFrom || decision !== null) scored.push({ left: pairs.left[p]!, right: pairs.right[p]!, weight: w, probability, decision })
    if (p % step === 0) progress('scoring', p, pairs.count)
  }
  progress('scoring', pairs.count, pairs.count)
  scored.sort((x, y) => y.weight - x.weight)

  progress('clustering', 0, 1)
  let clusters = connectedClusters(records.length, links)
  const judged = scored.map((p) => ({ ...p, refused: p.decision === 'not_same' }))
  const lone = options.attachFrom === null ? [] : bestLinksForLoneRecords(clusters, judged, options.attachFrom ?? DEFAULT_OPTIONS.attachFrom)
  if (lone.length > 0) clusters = connectedClusters(records.length, [...links, ...lone])
  const averaged = averageLinks(clusters, judged, 0.5)
  if (averaged.length > 0) clusters = connectedClusters(records.length, [...links, ...lone, ...averaged])
  let clusterCount = 0
  for (let i = 0; i < clusters.length; i++) if (clusters[i] === i) clusterCount++
  progress('clustering', 1, 1)
  return {
    records,
    model,
    frequencies,
    pairs: scored,
    clusters,
    figures: { records: records.length, candidatePairs: pairs.count, possiblePairs, pairBudget: pairs.budget, matches: links.length, loneRecordsJoined: lone.length, clusters: clusterCount, perRule: pairs.perRule },
  }
}

/** Links partner records of one kind (people, or businesses and premises) with the shipped comparisons and rules. */
export function linkSourceRecords(kind: RecordKind, source: readonly SourceRecord[], mappedFields: ReadonlySet<string>, options: LinkageOptions): LinkageResult<PreparedRecord> & { comparisons: Comparison<PreparedRecord>[] } {
  const records = placeLoneNames(source.map(prepareRecord))
  const comparisons = comparisonsFor(kind, mappedFields)
  const usable = new Set(comparisons.map((c) => c.key))
  // A rule on a field nobody mapped would block on nothing.
  const rules = blockingRulesFor(kind).filter((r) => r.uses.every((k) => usable.has(k)))
  if (rules.every((r) => r.loose)) throw new Error('No blocking rule can be used with the fields mapped: map a name, a date of birth, a postcode or an identifier')
  return { ...linkRecords(records, comparisons, rules, options), comparisons }
}

/** The explanation of one scored pair. */
export function explainScoredPair<R>(result: LinkageResult<R>, comparisons: readonly Comparison<R>[], pair: ScoredPair): Explanation {
  return explainPair(result.model, comparisons, result.frequencies, result.records[pair.left]!, result.records[pair.right]!)
}

export { NOT_COMPARED }
