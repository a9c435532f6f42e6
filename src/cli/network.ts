import fs from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { ValidationError } from '../core/errors.ts'
import { measuresCsv, parseEdgeList } from '../core/network/edgeList.ts'
import { measureNetwork, type MeasureStage } from '../core/network/measures.ts'
import type { LocalEnv } from './match.ts'
import { progressBar } from './progress.ts'

// `achilles network measures`: the network measures of an analyst's own edge list (call data,
// payments, associations), on their own machine with no database, by the same core the server uses.

export const NETWORK_USAGE = 'achilles network measures --edges FILE.csv --out measures.csv [--directed] [--betweenness exact|sampled|auto] [--samples N] [--seed N]'

const MAX_LISTED = 50
const n = (v: number) => v.toLocaleString('en-GB')

export async function runNetwork(env: LocalEnv, args: string[]): Promise<number> {
  const [sub, ...rest] = args
  if (sub !== 'measures') {
    env.err(`${sub ? `Unknown network command "${sub}"` : 'Name a network command'}.\nUsage: ${NETWORK_USAGE}\n`)
    return 2
  }
  let values
  try {
    values = parseArgs({
      args: rest,
      options: { edges: { type: 'string' }, out: { type: 'string' }, directed: { type: 'boolean' }, betweenness: { type: 'string' }, samples: { type: 'string' }, seed: { type: 'string' } },
    }).values
  } catch (error) {
    env.err(`${(error as Error).message}\nUsage: ${NETWORK_USAGE}\n`)
    return 2
  }
  const problems: string[] = []
  if (!values.edges) problems.push('--edges is required: the CSV file of links, with a header naming source and target (and optionally weight)')
  if (!values.out) problems.push('--out is required: the CSV file the measures are written to')
  const method = values.betweenness ?? 'auto'
  if (method !== 'exact' && method !== 'sampled' && method !== 'auto') problems.push(`--betweenness must be exact, sampled or auto, not "${method}"`)
  const samples = values.samples === undefined ? undefined : Number(values.samples)
  if (samples !== undefined && !(Number.isInteger(samples) && samples >= 1)) problems.push(`--samples must be a whole number of at least 1, not "${values.samples}"`)
  if (samples !== undefined && method === 'exact') problems.push('--samples is for sampled betweenness; it cannot be given with --betweenness exact')
  const seed = values.seed === undefined ? 1 : Number(values.seed)
  if (!Number.isInteger(seed)) problems.push(`--seed must be a whole number, not "${values.seed}"`)
  if (problems.length > 0) {
    env.err(`${problems.join('\n')}\nUsage: ${NETWORK_USAGE}\n`)
    return 2
  }
  const file = values.edges!
  const out = values.out!
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    env.err(`${file}: ${code === 'ENOENT' ? 'there is no such file' : `the file cannot be read: ${(error as Error).message}`}\n`)
    return 1
  }
  if (!fs.existsSync(path.dirname(path.resolve(out)))) {
    env.err(`--out: the folder ${path.dirname(path.resolve(out))} does not exist\n`)
    return 1
  }
  const started = performance.now()
  let network
  try {
    network = parseEdgeList(text, path.basename(file), { directed: values.directed ?? false })
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    const listed = error.issues.slice(0, MAX_LISTED)
    env.err(`${file} cannot be measured; fix these and run again:\n${listed.map((i) => `  ${i.field}: ${i.message}`).join('\n')}\n`)
    if (error.issues.length > MAX_LISTED) env.err(`  … and ${n(error.issues.length - MAX_LISTED)} more\n`)
    return 1
  }
  const selfLinks = network.edges.filter((e) => e.source === e.target).length
  let bar: ReturnType<typeof progressBar> | null = null
  let stage: MeasureStage | null = null
  const result = measureNetwork(network, {
    directed: values.directed ?? false,
    betweenness: method as 'exact' | 'sampled' | 'auto',
    samples,
    seed,
    onProgress: (now, done, total) => {
      if (now !== stage) {
        bar?.finish()
        stage = now
        bar = now === 'betweenness' ? progressBar(env.err, env.isTTY, 'Betweenness', total, (d, t) => `${n(d)} of ${n(t)} sources`) : null
        if (now !== 'betweenness' && env.isTTY) env.err(`Measuring ${now}…\n`)
      }
      bar?.update(done)
    },
  })
  bar = bar as ReturnType<typeof progressBar> | null
  bar?.finish()
  fs.writeFileSync(out, measuresCsv(result))
  const seconds = (performance.now() - started) / 1000
  const pairs = new Set(network.edges.filter((e) => e.source !== e.target).map((e) => (values.directed || e.source < e.target ? `${e.source}\u0000${e.target}` : `${e.target}\u0000${e.source}`))).size
  env.out(
    [
      `Measured ${n(network.nodes.length)} node(s) and ${n(network.edges.length)} link(s) from ${path.basename(file)} (${values.directed ? 'directed' : 'undirected'})`,
      `Distinct linked pairs: ${n(pairs)}${pairs < network.edges.length - selfLinks ? ' (repeated links between the same two nodes are counted once, weights summed)' : ''}`,
      ...(selfLinks > 0 ? [`Self-links ignored by every measure: ${n(selfLinks)}`] : []),
      `Betweenness: ${result.betweennessMethod === 'exact' ? 'exact' : `sampled from ${n(result.samples!)} pivot source(s), seed ${seed}`}`,
      `Communities: ${n(result.communities)}, modularity ${result.modularity.toFixed(4)}`,
      `Time: ${seconds.toFixed(2)} s`,
      `Wrote ${out}`,
      '',
    ].join('\n'),
  )
  return 0
}
