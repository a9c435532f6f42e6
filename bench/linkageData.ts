// The public record-linkage benchmarks in ../shared/data/linkage, read where they are (never copied
// into the repository), with the truth each carries kept apart from the records the matcher sees.

import fs from 'node:fs'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet'
import type { SourceRecord } from '../src/core/matching/record.ts'
import { ROOT } from './support.ts'

export const LINKAGE_DATA = path.resolve(ROOT, '..', 'shared', 'data', 'linkage')

export type Benchmark = {
  name: string
  /** Linkage between two files, or deduplication of one. */
  link: boolean
  records: SourceRecord[]
  /** The true entity of each record, by index. Never shown to the matcher. */
  truth: string[]
  mapped: Set<string>
  /** The CSV files and command-line mapping that reproduce the run with `achilles match`. */
  files: string[]
  idColumn: string
  map: string
}

function readCsvFile(file: string): Record<string, string>[] {
  return parse(fs.readFileSync(file, 'utf8'), { columns: true, trim: true, skip_empty_lines: true }) as Record<string, string>[]
}

// FEBRL (Christen 2008): Australian-style people; "rec-12-org" and "rec-12-dup-0" are one person.
const FEBRL_MAP = 'given_name=given_name,family_name=surname,address=street_number+address_1+address_2,town=suburb,postcode=postcode,birth_date=date_of_birth,national_id=soc_sec_id'
const FEBRL_FIELDS = { given_name: ['given_name'], family_name: ['surname'], address: ['street_number', 'address_1', 'address_2'], town: ['suburb'], postcode: ['postcode'], birth_date: ['date_of_birth'], national_id: ['soc_sec_id'] }

function febrlRecords(file: string, source: number): { records: SourceRecord[]; truth: string[] } {
  const rows = readCsvFile(file)
  return {
    records: rows.map((row) => ({ source, id: row.rec_id!, values: mapped(row, FEBRL_FIELDS) })),
    truth: rows.map((row) => /^rec-(\d+)-/.exec(row.rec_id!)![1]!),
  }
}

function mapped(row: Record<string, string>, fields: Record<string, string[]>): SourceRecord['values'] {
  const values: Record<string, string> = {}
  for (const [field, columns] of Object.entries(fields)) {
    const v = columns.map((c) => row[c] ?? '').filter((x) => x !== '').join(' ')
    if (v !== '') values[field] = v
  }
  return values as SourceRecord['values']
}

export function febrlLinkage(): Benchmark {
  const a = febrlRecords(path.join(LINKAGE_DATA, 'febrl', 'dataset4a.csv'), 1)
  const b = febrlRecords(path.join(LINKAGE_DATA, 'febrl', 'dataset4b.csv'), 2)
  return {
    name: 'FEBRL 4a against 4b (linkage)',
    link: true,
    records: [...a.records, ...b.records],
    truth: [...a.truth, ...b.truth],
    mapped: new Set(Object.keys(FEBRL_FIELDS)),
    files: [path.join(LINKAGE_DATA, 'febrl', 'dataset4a.csv'), path.join(LINKAGE_DATA, 'febrl', 'dataset4b.csv')],
    idColumn: 'rec_id',
    map: FEBRL_MAP,
  }
}

export function febrlDeduplication(dataset: 1 | 2): Benchmark {
  const file = path.join(LINKAGE_DATA, 'febrl', `dataset${dataset}.csv`)
  const { records, truth } = febrlRecords(file, 1)
  return { name: `FEBRL dataset ${dataset} (deduplication)`, link: false, records, truth, mapped: new Set(Object.keys(FEBRL_FIELDS)), files: [file], idColumn: 'rec_id', map: FEBRL_MAP }
}

// Splink's synthetic people (fake_1000): the cluster column is the truth.
const FAKE_FIELDS = { given_name: ['first_name'], family_name: ['surname'], birth_date: ['dob'], town: ['city'], email: ['email'] }

export function splinkFake1000(): Benchmark {
  const file = path.join(LINKAGE_DATA, 'splink', 'fake_1000.csv')
  const rows = readCsvFile(file)
  return {
    name: "Splink's fake_1000 (deduplication)",
    link: false,
    records: rows.map((row) => ({ source: 1, id: row.unique_id!, values: mapped(row, FAKE_FIELDS) })),
    truth: rows.map((row) => row.cluster!),
    mapped: new Set(Object.keys(FAKE_FIELDS)),
    files: [file],
    idColumn: 'unique_id',
    map: 'given_name=first_name,family_name=surname,birth_date=dob,town=city,email=email',
  }
}

// Wikidata's historical figures with errors added (Splink's demo): the cluster column is the truth.
const HISTORICAL_FIELDS = { full_name: ['full_name'], given_name: ['first_name'], family_name: ['surname'], birth_date: ['dob'], town: ['birth_place'], postcode: ['postcode_fake'] }

export async function splinkHistorical(): Promise<Benchmark> {
  const file = path.join(LINKAGE_DATA, 'splink', 'historical_figures_with_errors_50k.parquet')
  const rows = (await parquetReadObjects({ file: await asyncBufferFromFile(file) })) as Array<Record<string, string | null>>
  const text = (row: Record<string, string | null>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v ?? '']))
  return {
    name: "Splink's historical_figures_with_errors_50k (deduplication)",
    link: false,
    records: rows.map((row) => ({ source: 1, id: row.unique_id!, values: mapped(text(row), HISTORICAL_FIELDS) })),
    truth: rows.map((row) => row.cluster!),
    mapped: new Set(Object.keys(HISTORICAL_FIELDS)),
    files: [file],
    idColumn: 'unique_id',
    map: 'full_name=full_name,given_name=first_name,family_name=surname,birth_date=dob,town=birth_place,postcode=postcode_fake',
  }
}

export type Accuracy = { truePairs: number; predictedPairs: number; correctPairs: number; precision: number; recall: number; f1: number }

/**
 * Precision, recall and F1 over pairs: every pair of records in one predicted cluster is a predicted
 * match (across the two files only, when linking), judged against the truth.
 */
export function pairAccuracy(truth: readonly string[], sources: readonly number[], clusters: Int32Array, link: boolean): Accuracy {
  const countPairs = (groups: Map<string | number, number[]>, judge: (members: number[]) => { all: number; correct: number }) => {
    let all = 0
    let correct = 0
    for (const members of groups.values()) {
      const r = judge(members)
      all += r.all
      correct += r.correct
    }
    return { all, correct }
  }
  const groupBy = <K>(keyOf: (i: number) => K) => {
    const groups = new Map<K, number[]>()
    for (let i = 0; i < truth.length; i++) {
      const k = keyOf(i)
      const g = groups.get(k)
      if (g) g.push(i)
      else groups.set(k, [i])
    }
    return groups
  }
  const pairsIn = (members: number[], counts: (i: number, j: number) => boolean) => {
    let all = 0
    let correct = 0
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        const i = members[x]!
        const j = members[y]!
        if (link && sources[i] === sources[j]) continue
        all++
        if (counts(i, j)) correct++
      }
    }
    return { all, correct }
  }
  const truePairs = countPairs(groupBy((i) => truth[i]!) as Map<string | number, number[]>, (m) => pairsIn(m, () => true)).all
  const predicted = countPairs(groupBy((i) => clusters[i]!) as Map<string | number, number[]>, (m) => pairsIn(m, (i, j) => truth[i] === truth[j]))
  const precision = predicted.all === 0 ? 1 : predicted.correct / predicted.all
  const recall = truePairs === 0 ? 1 : predicted.correct / truePairs
  return { truePairs, predictedPairs: predicted.all, correctPairs: predicted.correct, precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) }
}
