import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { decodeCsvFile, MAX_ROWS, readCsv } from '../core/imports/csv.ts'
import { columnIndexes, mappedValues, parseFieldMap } from '../core/matching/fieldMap.ts'
import { encoder, MIN_SECRET_BYTES } from '../core/matching/privacy/encode.ts'
import { BUSINESS_FIELDS, PERSON_FIELDS, prepareRecord, type RecordKind } from '../core/matching/record.ts'
import type { Command, CommandEnv } from './commands.ts'
import { progressBar } from './progress.ts'

// `achilles encode`: a partner turns its own records into keyed Bloom-filter encodings on its own
// machine, for the hub's hit/no-hit index (docs/privacy-matching.md). Nothing here
// touches the database or the network; the secret is read from a file, never from the command
// line, where other users of the machine could read it in the process list or the shell history.

export const ENCODE_USAGE = 'achilles encode --input FILE.csv --id COLUMN --map canonical=column[+column],... --secret-file PATH --out encodings.jsonl [--kind person|business] [--refs refs.csv]'

const n = (v: number) => v.toLocaleString('en-GB')

/** The secret as kept in its file: a trailing line ending is not part of it (editors add one). */
export function readSecretFile(file: string): { secret: Buffer } | { problem: string } {
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(file)
  } catch (error) {
    return { problem: `The secret file ${file} cannot be read: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such file' : (error as Error).message}` }
  }
  let end = bytes.length
  while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--
  const secret = bytes.subarray(0, end)
  if (secret.length < MIN_SECRET_BYTES) {
    return { problem: `The secret in ${file} is ${secret.length} byte(s) long: a partnership secret must be at least ${MIN_SECRET_BYTES} bytes. Make one with "openssl rand -base64 32 > ${path.basename(file)}" and share it with the partners, never with the hub` }
  }
  return { secret }
}

export async function runEncode(env: CommandEnv, args: string[]): Promise<number> {
  let values
  try {
    values = parseArgs({ args, options: { input: { type: 'string' }, id: { type: 'string' }, map: { type: 'string' }, 'secret-file': { type: 'string' }, out: { type: 'string' }, kind: { type: 'string' }, secret: { type: 'string' }, refs: { type: 'string' } } }).values
  } catch (error) {
    env.err(`${(error as Error).message}\nusage: ${ENCODE_USAGE}\n`)
    return 2
  }
  if (values.secret !== undefined) {
    env.err('The secret is never given on the command line, where others can read it: put it in a file readable only by you and give --secret-file PATH\n')
    return 2
  }
  const missing = (['input', 'id', 'map', 'secret-file', 'out'] as const).filter((k) => values[k] === undefined || values[k] === '')
  if (missing.length > 0) {
    env.err(`${missing.map((m) => `--${m} is required`).join('\n')}\nusage: ${ENCODE_USAGE}\n`)
    return 2
  }
  const kind = (values.kind ?? 'person') as RecordKind
  if (kind !== 'person' && kind !== 'business') {
    env.err('--kind must be "person" or "business"\n')
    return 2
  }
  const started = process.hrtime.bigint()
  const mapping = parseFieldMap(values.map!, kind === 'person' ? PERSON_FIELDS : BUSINESS_FIELDS)
  if (!mapping.map) {
    env.err(`--map: ${mapping.problems.join('\n--map: ')}\n`)
    return 2
  }
  const secret = readSecretFile(values['secret-file']!)
  if ('problem' in secret) {
    env.err(`${secret.problem}\n`)
    return 2
  }
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(values.input!)
  } catch (error) {
    env.err(`The input file ${values.input} cannot be read: ${(error as Error).message}\n`)
    return 2
  }
  const decoded = decodeCsvFile(bytes)
  if ('problem' in decoded) {
    env.err(`${values.input}: ${decoded.problem}\n`)
    return 2
  }
  const reading = readCsv(decoded.text)
  // An encoding is not an import: a national file larger than one import is fine here.
  const problems = reading.problems.filter((p) => !(reading.table && reading.table.rows.length > MAX_ROWS && p.row === null && p.message.includes(MAX_ROWS.toLocaleString('en-GB'))))
  if (!reading.table || problems.length > 0) {
    for (const p of problems) env.err(`${values.input}${p.row === null ? '' : `, row ${p.row}`}: ${p.message}\n`)
    return 2
  }
  const { headers, rows } = reading.table
  const idIndex = headers.findIndex((h) => h === values.id) >= 0 ? headers.findIndex((h) => h === values.id) : headers.findIndex((h) => h.toLowerCase() === values.id!.toLowerCase())
  const columns = columnIndexes(mapping.map, headers)
  if (idIndex < 0 || columns.problems.length > 0) {
    if (idIndex < 0) env.err(`--id: the file has no column "${values.id}". Its columns are: ${headers.filter((h) => h !== '').map((h) => `"${h}"`).join(', ')}\n`)
    for (const p of columns.problems) env.err(`--map: ${p}\n`)
    return 2
  }
  const seen = new Map<string, number>()
  const idProblems: string[] = []
  for (const row of rows) {
    const id = (row.cells[idIndex] ?? '').trim()
    if (id === '') idProblems.push(`row ${row.row}: the id column "${headers[idIndex]}" is blank`)
    else if (seen.has(id)) idProblems.push(`row ${row.row}: id "${id}" is also on row ${seen.get(id)}: each record needs its own id`)
    else seen.set(id, row.row)
    if (idProblems.length >= 20) break
  }
  if (idProblems.length > 0) {
    for (const p of idProblems) env.err(`${values.input}, ${p}\n`)
    env.err('Nothing was encoded.\n')
    return 2
  }

  const e = encoder(secret.secret, { kind })
  const out = values.out!
  if (values.refs !== undefined && path.resolve(values.refs) === path.resolve(out)) {
    env.err('--refs must name another file than --out: the references with your ids stay with you, the encodings go to the hub\n')
    return 2
  }
  const temporary = `${out}.partial`
  const fd = fs.openSync(temporary, 'w', 0o640)
  const bar = progressBar(env.out, env.isTTY, 'Encoding records', rows.length)
  let fieldsEncoded = 0
  try {
    fs.writeSync(fd, `${JSON.stringify(e.header(rows.length))}\n`)
    let batch: string[] = []
    const step = Math.max(1, Math.floor(rows.length / 200))
    rows.forEach((row, i) => {
      const record = prepareRecord({ source: 1, id: row.cells[idIndex]!.trim(), values: mappedValues(row.cells, columns.indexes) })
      const { line, fieldsGiven } = e.encode(record)
      fieldsEncoded += fieldsGiven
      batch.push(JSON.stringify(line))
      if (batch.length >= 1000) {
        fs.writeSync(fd, `${batch.join('\n')}\n`)
        batch = []
      }
      if (i % step === 0) bar.update(i)
    })
    if (batch.length > 0) fs.writeSync(fd, `${batch.join('\n')}\n`)
    bar.update(rows.length)
    bar.finish()
  } finally {
    fs.closeSync(fd)
  }
  // Written whole or not at all: a file cut short by an interruption is never left under the name asked for.
  fs.renameSync(temporary, out)
  if (values.refs !== undefined) {
    // Each record's id beside the reference the hub knows it by, so the partner can tell which of
    // its records a hit names. It holds the ids in clear: it is never uploaded, and only its owner may read it.
    const lines = ['id,ref', ...rows.map((row) => { const id = row.cells[idIndex]!.trim(); return `${/[",\r\n]/.test(id) ? `"${id.replace(/"/g, '""')}"` : id},${e.refOf(id)}` })]
    fs.writeFileSync(`${values.refs}.partial`, `${lines.join('\r\n')}\r\n`, { mode: 0o600 })
    fs.renameSync(`${values.refs}.partial`, values.refs)
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  env.out(`Encoded ${n(rows.length)} record(s), ${n(fieldsEncoded)} field value(s) in ${n(mapping.map.size)} mapped field(s) (${[...mapping.map.keys()].join(', ')}), in ${seconds.toFixed(2)} s.\n`)
  env.out(`Wrote ${out}: Bloom-filter encodings only, no value from the file. Key check ${e.keyCheck}.\n`)
  if (values.refs !== undefined) env.out(`Wrote ${values.refs}: your ids beside the references the hub names them by. Keep it: never upload it.\n`)
  return 0
}

export const encodeCommandDefinition: Command = {
  summary: "encode a partner's records into keyed Bloom-filter encodings for the hit/no-hit index (no raw value leaves the partner)",
  usage: ENCODE_USAGE,
  run: runEncode,
}
