// The matcher's accuracy and speed (issue #5): precision, recall and F1 of pairs against the known
// truth, wall time and peak memory, on the public benchmarks in ../shared/data/linkage, FEBRL 4a/4b
// again in privacy-preserving mode (through the encodings file a partner would upload), and a
// synthetic million against a million for throughput. Each case runs in a process of its own, so
// its peak memory is its own. Training never sees the truth: it is used only to score the result.
//
//   npm run bench:matching                       all cases (about 15 minutes on two cores)
//   npm run bench:matching -- --case febrl4      one case: febrl4 febrl1 febrl2 fake1000 historical febrl4-privacy synthetic
//   npm run bench:matching -- --synthetic 200000 a smaller throughput run

import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { DEFAULT_OPTIONS, linkSourceRecords, type LinkageResult } from '../src/core/matching/linkage.ts'
import { linkEncoded, readEncodings } from '../src/core/matching/privacy/compare.ts'
import { encodeRecords, encodingsText } from '../src/core/matching/privacy/encode.ts'
import { febrlDeduplication, febrlLinkage, pairAccuracy, splinkFake1000, splinkHistorical, type Accuracy, type Benchmark } from './linkageData.ts'
import { log, n, table } from './support.ts'
import { syntheticLinkage, SYNTHETIC_FIELDS } from './syntheticPeople.ts'

type Figures = {
  case: string
  name: string
  records: number
  candidatePairs: number
  leftOutRules: string[]
  accuracy: Accuracy
  loadSeconds: number
  linkSeconds: number
  encodeSeconds?: number
  peakMiB: number
  target: { f1?: number; seconds?: number; peakMiB?: number } | null
}

const CASES = ['febrl4', 'febrl1', 'febrl2', 'fake1000', 'historical', 'febrl4-privacy', 'synthetic'] as const
type Case = (typeof CASES)[number]

const seconds = (since: number) => (performance.now() - since) / 1000

async function load(c: Case, syntheticSize: number): Promise<Benchmark> {
  switch (c) {
    case 'febrl4':
    case 'febrl4-privacy':
      return febrlLinkage()
    case 'febrl1':
      return febrlDeduplication(1)
    case 'febrl2':
      return febrlDeduplication(2)
    case 'fake1000':
      return splinkFake1000()
    case 'historical':
      return splinkHistorical()
    case 'synthetic': {
      const s = syntheticLinkage(syntheticSize)
      return { name: `Synthetic ${n(syntheticSize)} against ${n(syntheticSize)} people (linkage)`, link: true, records: s.records, truth: s.truth, mapped: SYNTHETIC_FIELDS, files: [], idColumn: '', map: '' }
    }
  }
}

const TARGETS: Partial<Record<Case, Figures['target']>> = {
  febrl4: { f1: 0.99 },
  historical: { f1: 0.95 },
  synthetic: { seconds: 600, peakMiB: 8192 },
}

/** One case, in this process. */
async function runCase(c: Case, syntheticSize: number): Promise<Figures> {
  let started = performance.now()
  const b = await load(c, syntheticSize)
  const loadSeconds = seconds(started)
  log(`${b.name}: ${n(b.records.length)} records loaded in ${loadSeconds.toFixed(1)} s`)
  let lastStage = ''
  const onProgress = (stage: string) => {
    if (stage !== lastStage) log(`  ${stage} (${seconds(started).toFixed(1)} s)`)
    lastStage = stage
  }
  let result: LinkageResult<unknown>
  let encodeSeconds: number | undefined
  if (c === 'febrl4-privacy') {
    // As the hub sees it: each partner's file encoded with the shared secret, written out as the
    // upload, and read back from that text alone.
    started = performance.now()
    const secret = randomBytes(32)
    const texts = [1, 2].map((source) => encodingsText(encodeRecords(b.records.filter((r) => r.source === source), secret)))
    encodeSeconds = seconds(started)
    started = performance.now()
    const read = texts.map((text, i) => readEncodings(text, i + 1))
    const records = read.flatMap((r) => ('records' in r ? r.records : []))
    const header = read[0]!
    if (!('header' in header)) throw new Error(`the encodings could not be read: ${header.problems.map((p) => p.message).join('; ')}`)
    result = linkEncoded(header.header.parameters, records, { link: true, onProgress })
  } else {
    started = performance.now()
    result = linkSourceRecords('person', b.records, b.mapped, { ...DEFAULT_OPTIONS, link: b.link, onProgress })
  }
  const linkSeconds = seconds(started)
  const accuracy = pairAccuracy(b.truth, b.records.map((r) => r.source), result.clusters, b.link)
  return {
    case: c,
    name: c === 'febrl4-privacy' ? 'FEBRL 4a against 4b, privacy-preserving (Bloom-filter encodings)' : b.name,
    records: b.records.length,
    candidatePairs: result.figures.candidatePairs,
    leftOutRules: result.figures.perRule.filter((r) => r.leftOut).map((r) => r.key),
    accuracy,
    loadSeconds,
    linkSeconds,
    ...(encodeSeconds === undefined ? {} : { encodeSeconds }),
    peakMiB: process.resourceUsage().maxRSS / 1024,
    target: TARGETS[c] ?? null,
  }
}

/** One case in a child process: its peak memory is then its own. */
function runChild(c: Case, syntheticSize: number): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', c, '--synthetic', String(syntheticSize)], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Figures) : reject(new Error(`case ${c} failed with exit code ${code}`))))
  })
}

function verdicts(f: Figures, plain: Figures | undefined): string {
  const out: string[] = []
  if (f.target?.f1 !== undefined) out.push(`F1 ≥ ${f.target.f1}: ${f.accuracy.f1 >= f.target.f1 ? 'met' : 'NOT met'}`)
  if (f.target?.seconds !== undefined) out.push(`under ${f.target.seconds / 60} min: ${f.loadSeconds + f.linkSeconds <= f.target.seconds ? 'met' : 'NOT met'}`)
  if (f.target?.peakMiB !== undefined) out.push(`under 8 GB: ${f.peakMiB <= f.target.peakMiB ? 'met' : 'NOT met'}`)
  if (f.case === 'febrl4-privacy' && plain) out.push(`within 0.02 of plaintext F1 (${plain.accuracy.f1.toFixed(4)}): ${plain.accuracy.f1 - f.accuracy.f1 <= 0.02 ? 'met' : 'NOT met'}`)
  return out.join('; ')
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { case: { type: 'string', multiple: true }, child: { type: 'string' }, synthetic: { type: 'string' }, json: { type: 'boolean' } } })
  const syntheticSize = Number(values.synthetic ?? 1_000_000)
  if (!(syntheticSize >= 100)) throw new Error('--synthetic must be a number of people, at least 100')
  if (values.child) {
    process.stdout.write(JSON.stringify(await runCase(values.child as Case, syntheticSize)))
    return
  }
  const chosen = (values.case ?? [...CASES]) as Case[]
  const unknown = chosen.filter((c) => !CASES.includes(c))
  if (unknown.length > 0) throw new Error(`unknown case ${unknown.join(', ')}: the cases are ${CASES.join(', ')}`)
  const results: Figures[] = []
  for (const c of chosen) results.push(await runChild(c, syntheticSize))
  if (values.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`)
    return
  }
  const plain = results.find((r) => r.case === 'febrl4')
  const rows = [['case', 'records', 'candidate pairs', 'precision', 'recall', 'F1', 'load s', 'link s', 'peak MiB', 'targets']]
  for (const f of results) {
    rows.push([f.name, n(f.records, 0), n(f.candidatePairs, 0), f.accuracy.precision.toFixed(4), f.accuracy.recall.toFixed(4), f.accuracy.f1.toFixed(4), f.loadSeconds.toFixed(1) + (f.encodeSeconds ? ` (+${f.encodeSeconds.toFixed(1)} encoding)` : ''), f.linkSeconds.toFixed(1), n(f.peakMiB, 0), verdicts(f, plain)])
  }
  process.stdout.write(`${table(rows)}\n`)
  for (const f of results.filter((r) => r.leftOutRules.length > 0)) process.stdout.write(`${f.name}: blocking rules left out past the pair budget: ${f.leftOutRules.join(', ')}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/matching: ${(error as Error).message}\n`)
  process.exitCode = 1
})
