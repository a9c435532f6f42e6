import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { csvLine } from '../core/exports/csv.ts'
import { parseFieldMap, type FieldMap } from '../core/matching/fieldMap.ts'
import { comparisonsFor } from '../core/matching/comparisons.ts'
import { DEFAULT_OPTIONS, explainScoredPair, linkSourceRecords, type LinkageResult, type Stage } from '../core/matching/linkage.ts'
import type { MatchModel } from '../core/matching/model.ts'
import { BUSINESS_FIELDS, PERSON_FIELDS, type PreparedRecord, type RecordKind, type SourceRecord } from '../core/matching/record.ts'
import { describeProblem, readTable, sourceRecords, type Table, type TabularProblem } from '../core/matching/tabular.ts'
import type { CommandEnv } from './commands.ts'
import { progressBar } from './progress.ts'

// `achilles match`: probabilistic record linkage of one CSV file (deduplication) or two (linkage)
// on the analyst's own machine, with no database: the same matcher the hub runs, trained without
// supervision on the files given. A file with faults is refused with every fault listed, so no
// record is quietly left out of the clusters; a date that cannot be read is reported and the record
// is matched without it.

export const MATCH_USAGE =
  'achilles match --input A.csv [--input B.csv] --id COLUMN [--id COLUMN_IN_B] --map canonical=column[+column],... [--map MAP_FOR_B] --out clusters.csv [--explain pairs.csv] [--kind person|business] [--threshold 0.9] [--encoding windows-1252] [--save-model model.json | --model model.json]'

/** What a command needs that runs with no database: where to write, and whether that is a terminal. */
export type LocalEnv = Pick<CommandEnv, 'out' | 'err' | 'isTTY'>

const n = (v: number) => v.toLocaleString('en-GB')
const MAX_LISTED = 50

const STAGE_LABELS: Record<Stage, string> = {
  blocking: 'Finding candidate pairs',
  comparing: 'Comparing pairs',
  training: 'Training the model',
  scoring: 'Scoring pairs',
  clustering: 'Clustering',
}

type Input = { file: string; id: string; map: FieldMap }

/** The arguments, or every problem with them. */
function readArguments(args: string[]): { inputs: Input[]; out: string; explain: string | null; kind: RecordKind; threshold: number; encoding: string | undefined; saveModel: string | null; model: string | null } | { problems: string[] } {
  let values
  try {
    values = parseArgs({
      args,
      options: {
        input: { type: 'string', multiple: true },
        id: { type: 'string', multiple: true },
        map: { type: 'string', multiple: true },
        out: { type: 'string' },
        explain: { type: 'string' },
        kind: { type: 'string' },
        threshold: { type: 'string' },
        encoding: { type: 'string' },
        'save-model': { type: 'string' },
        model: { type: 'string' },
      },
    }).values
  } catch (error) {
    return { problems: [(error as Error).message] }
  }
  const problems: string[] = []
  const files = values.input ?? []
  if (files.length === 0) problems.push('--input is required: the CSV file to deduplicate, or two to link')
  if (files.length > 2) problems.push(`--input is given ${files.length} times: give one file to deduplicate or two to link`)
  if (!values.out) problems.push('--out is required: the CSV file the clusters are written to')
  const kind = (values.kind ?? 'person') as RecordKind
  if (kind !== 'person' && kind !== 'business') problems.push(`--kind must be "person" or "business", not "${values.kind}"`)
  const threshold = values.threshold === undefined ? DEFAULT_OPTIONS.threshold : Number(values.threshold)
  if (!(threshold > 0 && threshold < 1)) problems.push(`--threshold must be a probability between 0 and 1 (exclusive), such as 0.9, not "${values.threshold}"`)
  if (values['save-model'] && values.model) problems.push('--model and --save-model cannot both be given: a saved model is used as it is, not trained again')
  const perInput = (name: 'id' | 'map', given: string[] | undefined): string[] => {
    const list = given ?? []
    if (list.length === 0) problems.push(name === 'id' ? '--id is required: the column that identifies each record' : '--map is required: canonical=column[+column],… for example given_name=Forename,family_name=Surname,birth_date=DOB')
    else if (list.length > 1 && list.length !== files.length) problems.push(`--${name} is given ${list.length} times for ${files.length} input file(s): give it once for all files or once per file, in the order of --input`)
    return files.map((_, i) => list[Math.min(i, list.length - 1)] ?? '')
  }
  const ids = perInput('id', values.id)
  const maps = perInput('map', values.map)
  const inputs: Input[] = []
  files.forEach((file, i) => {
    const reading = parseFieldMap(maps[i]!, kind === 'business' ? BUSINESS_FIELDS : PERSON_FIELDS)
    const which = (values.map ?? []).length > 1 ? `--map for ${file}` : '--map'
    if (!reading.map) {
      if (maps[i] !== '') problems.push(...reading.problems.map((p) => `${which}: ${p}`))
      return
    }
    if (ids[i]!.trim() === '' && (values.id ?? []).length > 0) problems.push(`--id for ${file} is empty: name the column that identifies each record`)
    inputs.push({ file, id: ids[i]!.trim(), map: reading.map })
  })
  if (problems.length > 0) return { problems: [...new Set(problems)] }
  return { inputs, out: values.out!, explain: values.explain ?? null, kind, threshold, encoding: values.encoding, saveModel: values['save-model'] ?? null, model: values.model ?? null }
}

/** A file as a table: a workbook by its content or name, anything else as CSV of any length (matching is not an import). */
async function readInput(file: string, encoding: string | undefined): Promise<{ table: Table | null; problems: TabularProblem[] }> {
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return { table: null, problems: [{ file, row: null, column: null, code: 'file', message: code === 'ENOENT' ? 'there is no such file' : `the file cannot be read: ${(error as Error).message}` }] }
  }
  return readTable(bytes, file, { encoding, maxRows: Number.POSITIVE_INFINITY })
}

function readModel(file: string, kind: RecordKind, fields: ReadonlySet<string>): { model: MatchModel } | { problem: string } {
  let model: MatchModel
  try {
    model = JSON.parse(fs.readFileSync(file, 'utf8')) as MatchModel
  } catch (error) {
    return { problem: `--model: ${file} cannot be read as a saved model: ${(error as Error).message}` }
  }
  const expected = comparisonsFor(kind, fields)
  const ok =
    model?.version === 1 &&
    typeof model.prior === 'number' &&
    Array.isArray(model.comparisons) &&
    model.comparisons.length === expected.length &&
    expected.every((c, i) => model.comparisons[i]?.key === c.key && model.comparisons[i]!.levels.length === c.levels.length)
  if (!ok) {
    const saved = Array.isArray(model?.comparisons) ? model.comparisons.map((c) => c?.key).join(', ') : 'none'
    return { problem: `--model: ${file} was trained on other fields (${saved}) than these files map (${expected.map((c) => c.key).join(', ')}): map the same fields, or train again with --save-model` }
  }
  return { model }
}

function writeAtomically(file: string, write: (fd: number) => void): void {
  const temporary = `${file}.partial`
  const fd = fs.openSync(temporary, 'w')
  try {
    write(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(temporary, file)
}

/** Writes lines in batches, so a million-row file is not one string. */
function lineWriter(fd: number) {
  let batch: string[] = []
  return {
    line(text: string) {
      batch.push(text)
      if (batch.length >= 5000) this.flush()
    },
    flush() {
      if (batch.length > 0) fs.writeSync(fd, `${batch.join('\r\n')}\r\n`)
      batch = []
    },
  }
}

/** One row per record, clusters numbered from 1 in the order their first record is written. */
function writeClusters(file: string, result: LinkageResult<PreparedRecord>): { rows: number } {
  const number = new Map<number, number>()
  writeAtomically(file, (fd) => {
    const w = lineWriter(fd)
    w.line('source,record_id,cluster_id')
    result.records.forEach((r, i) => {
      const root = result.clusters[i]!
      let id = number.get(root)
      if (id === undefined) {
        id = number.size + 1
        number.set(root, id)
      }
      w.line(csvLine([r.source, r.id, id]))
    })
    w.flush()
  })
  return { rows: result.records.length }
}

const round = (x: number, places: number) => Number(x.toFixed(places))

/** Every pair kept (probability from the review floor up), with each field's share of the weight. */
function writeExplanations(file: string, result: LinkageResult<PreparedRecord> & { comparisons: ReturnType<typeof comparisonsFor> }, threshold: number): { rows: number } {
  const tf = result.comparisons.filter((c) => c.termFrequency)
  writeAtomically(file, (fd) => {
    const w = lineWriter(fd)
    w.line(
      csvLine([
        'source_1',
        'record_id_1',
        'source_2',
        'record_id_2',
        'probability',
        'match_weight',
        'linked',
        'same_cluster',
        'prior_weight',
        ...result.comparisons.flatMap((c) => [c.key, `${c.key}_weight`]),
        ...tf.map((c) => `${c.key}_frequency_adjustment`),
      ]),
    )
    for (const pair of result.pairs) {
      const a = result.records[pair.left]!
      const b = result.records[pair.right]!
      const e = explainScoredPair(result, result.comparisons, pair)
      const byKey = new Map(e.fields.map((f) => [f.key, f]))
      w.line(
        csvLine([
          a.source,
          a.id,
          b.source,
          b.id,
          round(pair.probability, 6),
          round(pair.weight, 3),
          pair.probability >= threshold ? 'yes' : 'no',
          result.clusters[pair.left] === result.clusters[pair.right] ? 'yes' : 'no',
          round(e.prior, 3),
          ...e.fields.flatMap((f) => [f.meaning, round(f.weight, 3)]),
          ...tf.map((c) => round(byKey.get(c.key)!.termFrequencyAdjustment, 3)),
        ]),
      )
    }
    w.flush()
  })
  return { rows: result.pairs.length }
}

export async function runMatch(env: LocalEnv, args: string[]): Promise<number> {
  const started = process.hrtime.bigint()
  const parsed = readArguments(args)
  if ('problems' in parsed) {
    env.err(`${parsed.problems.join('\n')}\nusage: ${MATCH_USAGE}\n`)
    return 2
  }
  const { inputs, kind, threshold } = parsed

  const records: SourceRecord[] = []
  const faults: string[] = []
  const warnings: string[] = []
  const perFile: number[] = []
  for (const [i, input] of inputs.entries()) {
    const { table, problems } = await readInput(input.file, parsed.encoding)
    faults.push(...problems.map(describeProblem))
    if (!table || problems.length > 0) continue
    const mapping = Object.fromEntries(input.map)
    const reading = sourceRecords(table, { source: i + 1, idColumn: input.id, mapping, kind })
    for (const p of reading.problems) (p.code === 'bad_date' ? warnings : faults).push(describeProblem(p))
    perFile.push(reading.records.length)
    for (const r of reading.records) records.push({ source: r.source, id: r.id, values: r.values })
  }
  const list = (lines: string[], write: (t: string) => void) => {
    for (const l of lines.slice(0, MAX_LISTED)) write(`${l}\n`)
    if (lines.length > MAX_LISTED) write(`… and ${n(lines.length - MAX_LISTED)} more.\n`)
  }
  if (faults.length > 0) {
    list([...faults, ...warnings], env.err)
    env.err(`Nothing was matched: ${faults.length === 1 ? 'correct this fault' : `correct these ${n(faults.length)} faults`} and run again, so that every record is in the clusters.\n`)
    return 2
  }
  list(warnings, env.err)

  const fields = new Set(inputs.flatMap((input) => [...input.map.keys()]))
  let model: MatchModel | undefined
  if (parsed.model) {
    const read = readModel(parsed.model, kind, fields)
    if ('problem' in read) {
      env.err(`${read.problem}\n`)
      return 2
    }
    model = read.model
  }

  let bar: ReturnType<typeof progressBar> | null = null
  let stage: Stage | null = null
  const stageStarted = new Map<Stage, bigint>()
  const stageSeconds = new Map<Stage, number>()
  const onProgress = (s: Stage, done: number, total: number) => {
    if (s !== stage) {
      bar?.finish()
      if (stage) stageSeconds.set(stage, Number(process.hrtime.bigint() - stageStarted.get(stage)!) / 1e9)
      stage = s
      stageStarted.set(s, process.hrtime.bigint())
      bar = progressBar(env.out, env.isTTY, STAGE_LABELS[s], total)
    }
    bar!.update(done)
  }
  let result
  try {
    result = linkSourceRecords(kind, records, fields, { ...DEFAULT_OPTIONS, threshold, link: inputs.length === 2, model, onProgress })
  } catch (error) {
    ;(bar as ReturnType<typeof progressBar> | null)?.finish()
    env.err(`${(error as Error).message}\n`)
    return 2
  }
  ;(bar as ReturnType<typeof progressBar> | null)?.finish()
  if (stage) stageSeconds.set(stage, Number(process.hrtime.bigint() - stageStarted.get(stage)!) / 1e9)

  const clustersWritten = writeClusters(parsed.out, result)
  const explained = parsed.explain ? writeExplanations(parsed.explain, result, threshold) : null
  if (parsed.saveModel) writeAtomically(parsed.saveModel, (fd) => fs.writeSync(fd, `${JSON.stringify(result.model, null, 2)}\n`))

  const sizes = new Map<number, number>()
  for (const c of result.clusters) sizes.set(c, (sizes.get(c) ?? 0) + 1)
  const multi = [...sizes.values()].filter((s) => s > 1)
  const review = result.pairs.filter((p) => p.probability < threshold).length
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const peakMb = process.resourceUsage().maxRSS / 1024
  const f = result.figures
  const out = (text: string) => env.out(`${text}\n`)
  out(
    `Matched ${n(f.records)} record(s) ${inputs.length === 2 ? 'linking' : 'deduplicating'} ${inputs.map((input, i) => `${i + 1}: ${path.basename(input.file)} (${n(perFile[i]!)})`).join(' with ')} in ${seconds.toFixed(1)} s, peak memory ${n(Math.round(peakMb))} MB.`,
  )
  out(`Stages: ${[...stageSeconds].map(([s, t]) => `${STAGE_LABELS[s].toLowerCase()} ${t.toFixed(1)} s`).join(', ')}.`)
  out(`Candidate pairs: ${n(f.candidatePairs)} of ${n(f.possiblePairs)} possible, by blocking rule: ${f.perRule.map((r) => `${r.key} ${n(r.pairs)}`).join(', ')}.`)
  for (const r of f.perRule.filter((x) => x.skippedBlocks > 0)) {
    out(`Rule ${r.key} skipped ${n(r.skippedBlocks)} block(s) of ${n(r.skippedRecords)} record(s) in all, each too large to compare pair by pair; other rules still compare those records.`)
  }
  out(
    model
      ? `Model: read from ${parsed.model} (prior ${result.model.prior.toExponential(3)}), not trained again.`
      : `Model: trained without supervision on ${n(result.model.training.randomPairs)} random pairs (u) and ${result.model.training.sessions.length} expectation-maximisation session(s) (m); prior probability of a match ${result.model.prior.toExponential(3)}.`,
  )
  if (!model && result.model.training.sessions.length === 0) {
    env.err(`Warning: the files hold too few candidate pairs to learn from (${n(f.candidatePairs)}), so the model keeps its starting guesses and the clusters are not to be relied on. Train on a larger file with --save-model and use that model here with --model.\n`)
  }
  out(`Linked pairs (probability at least ${threshold}): ${n(f.matches)}; pairs below it kept for review: ${n(review)}.`)
  if (f.loneRecordsJoined > 0) out(`Records no link reached that joined the one cluster they probably belong to (probability at least ${DEFAULT_OPTIONS.attachFrom}): ${n(f.loneRecordsJoined)}.`)
  out(`Clusters: ${n(f.clusters)}, of which ${n(multi.length)} hold more than one record (largest ${n(Math.max(1, ...multi))}).`)
  if (warnings.length > 0) out(`${n(warnings.length)} date(s) of birth could not be read (listed above); those records were matched without them.`)
  out(`Wrote ${parsed.out} (${n(clustersWritten.rows)} rows)${explained ? ` and ${parsed.explain} (${n(explained.rows)} scored pairs with each field's weight)` : ''}${parsed.saveModel ? ` and the trained model to ${parsed.saveModel}` : ''}.`)
  return 0
}
