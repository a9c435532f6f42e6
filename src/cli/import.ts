import os from 'node:os'
import { parseArgs } from 'node:util'
import { ValidationError } from '../core/errors.ts'
import { OPEN_DATA_KINDS, type OpenDataKind, type OpenDataReport } from '../modules/opendata/schema.ts'
import { importOpenData } from '../modules/opendata/service.ts'
import type { Command, CommandEnv } from './commands.ts'
import { IMPORT_OPTIONS } from './importArgs.ts'
import { progressBar } from './progress.ts'

// `achilles import KIND PATH…`: public data for local profiles (src/modules/opendata). The CSV
// imports of people, groups and intelligence are on the Import pages and the API instead, since
// they need a user to map the columns and own the records.

const USAGE = `usage: achilles import police-crime PATH... [--strict] [--dry-run] [--list-rejected]
       achilles import stop-search PATH... [--force NAME] [--strict] [--dry-run] [--list-rejected]
       achilles import boundaries FILE... --level lsoa|ward|local_authority|police_force [--code-property P] [--name-property P] [--strict] [--dry-run]
       achilles import imd PATH... [--strict] [--dry-run] [--list-rejected]
       achilles import lookups PATH... [--strict] [--dry-run] [--list-rejected]
A PATH is a file or a folder (its files of the kind, in every folder below it).`

const NOUNS: Record<OpenDataKind, string> = {
  'police-crime': 'street-level crime',
  'stop-search': 'stop and search',
  boundaries: 'boundaries',
  imd: 'the Indices of Deprivation',
  lookups: 'the ONS lookups',
}

const FLAGS: Record<string, string> = { paths: 'PATH', codeProperty: 'code-property', nameProperty: 'name-property', dryRun: 'dry-run' }

const n = (v: number) => v.toLocaleString('en-GB')
const megabytes = (bytes: number) => (bytes / 1_000_000).toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 })

async function importCommand(env: CommandEnv, args: string[]): Promise<number> {
  const [kind, ...rest] = args
  if (!kind || !(OPEN_DATA_KINDS as readonly string[]).includes(kind)) {
    env.err(`${kind ? `"${kind}" is not something achilles can import.\n` : ''}${USAGE}\n`)
    return 2
  }
  let parsed
  try {
    parsed = parseArgs({ args: rest, options: IMPORT_OPTIONS, allowPositionals: true })
  } catch (error) {
    env.err(`${(error as Error).message}\n${USAGE}\n`)
    return 2
  }
  const v = parsed.values
  const only = (name: string, kinds: OpenDataKind[]) => (v[name as keyof typeof v] !== undefined && !kinds.includes(kind as OpenDataKind) ? [`--${name} is for ${kinds.join(', ')} only`] : [])
  const misplaced = [...only('force', ['stop-search']), ...only('level', ['boundaries']), ...only('code-property', ['boundaries']), ...only('name-property', ['boundaries'])]
  if (misplaced.length > 0) {
    env.err(`${misplaced.join('\n')}\n${USAGE}\n`)
    return 2
  }
  const request: Record<string, unknown> = { kind, paths: parsed.positionals, strict: v.strict ?? false, dryRun: v['dry-run'] ?? false }
  if (kind === 'stop-search' && v.force !== undefined) request.force = v.force
  if (kind === 'boundaries') {
    request.level = v.level
    if (v['code-property'] !== undefined) request.codeProperty = v['code-property']
    if (v['name-property'] !== undefined) request.nameProperty = v['name-property']
  }

  // Made at the first report of progress, which brings the files' total size.
  const progress: { bar?: ReturnType<typeof progressBar>; shown: number } = { shown: -1 }
  let report: OpenDataReport
  try {
    report = await importOpenData(env.db, request, {
      now: env.now(),
      importedBy: `command line (${os.userInfo().username})`,
      onProgress: (done, total) => {
        // By the files' bytes: counting their rows first would mean reading every file twice.
        const bar = (progress.bar ??= progressBar(env.out, env.isTTY, `Importing ${NOUNS[kind as OpenDataKind]}`, total, (d, t) => `${megabytes(d)} of ${megabytes(t)} MB read`))
        const permille = total > 0 ? Math.floor((done / total) * 1000) : 1000
        if (permille !== progress.shown) {
          progress.shown = permille
          bar.update(done)
        }
      },
    })
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    for (const i of error.issues) {
      const key = i.field.split('.')[0]!
      env.err(`${key === 'kind' || key === 'body' ? '' : `--${FLAGS[key] ?? key}: `}${i.message}\n`)
    }
    env.err(`${USAGE}\n`)
    return 2
  } finally {
    progress.bar?.finish()
  }
  printReport(env, report, v['list-rejected'] === true)
  return report.status === 'refused' ? 1 : 0
}

export function printReport(env: CommandEnv, r: OpenDataReport, listAll: boolean): void {
  const line = (text = '') => env.out(`${text}\n`)
  const unit = r.unit
  const units = (count: number) => `${n(count)} ${unit}${count === 1 ? '' : 's'}`
  const files = `${n(r.files.length)} file${r.files.length === 1 ? '' : 's'}`
  if (r.status === 'refused') {
    env.err(`Nothing was imported. ${r.refusal?.message ?? ''}\n`)
    if (r.rowsRead > 0) env.err(`(${units(r.rowsRead)} had been read when the import stopped; the run is recorded as ${r.importId}.)\n`)
  } else {
    line(`${r.status === 'dry-run' ? 'Dry run, nothing kept: would import' : 'Imported'} ${NOUNS[r.kind]} from ${files} (import ${r.importId}).`)
    line(`  ${units(r.rowsRead)} read, ${n(r.rowsLoaded)} loaded, ${n(r.rowsRejected)} rejected${r.rowsSkipped > 0 ? `, ${n(r.rowsSkipped)} skipped` : ''}.`)
  }
  for (const f of r.files) {
    if (!f.detail) continue
    const counts = r.status === 'refused' ? `${units(f.rows)} read` : `${units(f.rows)}, ${n(f.loaded)} loaded${f.rejected > 0 ? `, ${n(f.rejected)} rejected` : ''}`
    line(`  ${f.label}: ${f.detail} (${counts})`)
  }
  if (r.rejected.length > 0) {
    line(`  Rejected, not loaded${r.status === 'refused' ? '' : ' (the other rows were)'}:`)
    for (const reason of r.rejected) {
      line(`    ${units(reason.count).padStart(12)}  ${reason.reason}${reason.column ? ` [${reason.column}]` : ''}`)
      const byFile = Object.entries(reason.rows)
      for (const [file, rows] of byFile.slice(0, listAll ? undefined : 3)) {
        const shownRows = listAll ? rows : rows.slice(0, 10)
        line(`    ${''.padStart(12)}  ${file}: ${unit}${rows.length === 1 ? '' : 's'} ${shownRows.map(n).join(', ')}${shownRows.length < rows.length ? `, … (${n(rows.length - shownRows.length)} more)` : ''}`)
      }
      if (!listAll && byFile.length > 3) line(`    ${''.padStart(12)}  and in ${byFile.length - 3} more file(s)`)
      const example = reason.examples.find((e) => e.value !== null)
      if (example) line(`    ${''.padStart(12)}  e.g. ${JSON.stringify(example.value)} (${example.file}, ${unit} ${n(example.row)})`)
    }
    if (!listAll) line('  (--list-rejected lists every rejected row; the import record holds them all.)')
  }
  if (r.notes.length > 0) {
    line('  Noted:')
    for (const note of r.notes) {
      if (note.wholeFile) {
        line(`    ${note.examples[0]!.file}: ${note.reason}`)
        continue
      }
      const first = examplesByFile(note.examples, unit)
      line(`    ${units(note.count).padStart(12)}  ${note.reason}${note.column ? ` [${note.column}]` : ''}`)
      line(`    ${''.padStart(12)}  e.g. ${first}`)
    }
  }
  if (r.replaced.length > 0) {
    const total = r.replaced.reduce((s, x) => s + x.rows, 0)
    line(`  Replaced ${n(total)} rows of earlier imports: ${r.replaced.slice(0, 6).map((x) => `${x.what} (${n(x.rows)})`).join('; ')}${r.replaced.length > 6 ? `; and ${r.replaced.length - 6} more` : ''}.`)
  }
  for (const d of r.details) line(`  ${d}.`)
  if (r.skippedFiles.length > 0) line(`  Left out of the folders named, as not of this kind: ${r.skippedFiles.slice(0, 5).join(', ')}${r.skippedFiles.length > 5 ? `, and ${r.skippedFiles.length - 5} more` : ''}.`)
  if (r.status !== 'refused') {
    const rate = r.seconds > 0 ? ` (${n(Math.round(r.rowsRead / r.seconds))} ${unit}s a second)` : ''
    line(`Took ${r.seconds.toFixed(1)} s${rate}.`)
  }
}

/** "a.csv rows 7, 9 ("x", "y"); b.csv row 3" */
function examplesByFile(examples: OpenDataReport['notes'][number]['examples'], unit: string): string {
  const byFile = new Map<string, string[]>()
  for (const e of examples) byFile.set(e.file, [...(byFile.get(e.file) ?? []), `${n(e.row)}${e.value ? ` (${JSON.stringify(e.value)})` : ''}`])
  return [...byFile].map(([file, rows]) => `${file} ${unit}${rows.length === 1 ? '' : 's'} ${rows.join(', ')}`).join('; ')
}

export const importCommandDefinition: Command = {
  summary: 'import public data: street-level crime, stop and search, boundaries, IMD, ONS lookups',
  usage: 'achilles import police-crime|stop-search|boundaries|imd|lookups PATH... (achilles import for details)',
  run: importCommand,
}
