import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { ForbiddenError, ValidationError } from '../core/errors.ts'
import { parseFieldMap } from '../core/matching/fieldMap.ts'
import { fieldsOf, type RecordKind } from '../core/matching/record.ts'
import type { MatchMapping } from '../core/matching/tabular.ts'
import { asSystem } from '../db/context.ts'
import type { AppContext } from '../http/context.ts'
import { actorFromToken, issueApiToken, revokeApiToken } from '../modules/auth/service.ts'
import { importDataset, parseDatasetMeta } from '../modules/matching/service.ts'
import { userIdByEmail } from '../modules/users/service.ts'
import type { Command, CommandEnv } from './commands.ts'
import { progressBar } from './progress.ts'

// `achilles dataset import FILE`: a partner's CSV or XLSX file imported for matching as a user of
// Achilles, exactly as the Import page does it: checked whole first, every problem listed by file,
// row and column, and then every record kept in one transaction, or none. The user is named by
// e-mail address; the command acts with their roles, through a token made for the import and
// revoked as soon as it ends, so the audit log records the import as theirs.

export const DATASET_USAGE = `usage: achilles dataset import FILE --user EMAIL --name NAME --id COLUMN --map canonical=column[+column],...
         --purpose TEXT --review-date YYYY-MM-DD [--kind person|business] [--marking OFFICIAL|OFFICIAL-SENSITIVE]
         [--handling P|C] [--conditions TEXT] [--sharing agency|partnership] [--encoding NAME] [--sheet NAME] [--dry-run]
The fields of people: ${fieldsOf('person').join(', ')}; of businesses and premises: ${fieldsOf('business').join(', ')}.`

const OPTIONS = {
  user: { type: 'string' },
  name: { type: 'string' },
  kind: { type: 'string' },
  id: { type: 'string' },
  map: { type: 'string' },
  purpose: { type: 'string' },
  'review-date': { type: 'string' },
  marking: { type: 'string' },
  handling: { type: 'string' },
  conditions: { type: 'string' },
  sharing: { type: 'string' },
  encoding: { type: 'string' },
  sheet: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const

/** The flag each field of the dataset's description is given by, for messages. */
const FLAGS: Record<string, string> = {
  name: 'name',
  kind: 'kind',
  idColumn: 'id',
  purpose: 'purpose',
  reviewDate: 'review-date',
  protectiveMarking: 'marking',
  handlingCode: 'handling',
  handlingConditions: 'conditions',
  sharingScope: 'sharing',
  sharedWithAgencyIds: 'sharing',
  encoding: 'encoding',
  sheet: 'sheet',
}

const n = (v: number) => v.toLocaleString('en-GB')

async function importCommand(env: CommandEnv, args: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true })
  } catch (error) {
    env.err(`${(error as Error).message}\n${DATASET_USAGE}\n`)
    return 2
  }
  const v = parsed.values
  const [file, ...extra] = parsed.positionals
  const problems: string[] = []
  if (!file) problems.push('Name the file to import: a .csv or .xlsx file')
  if (extra.length > 0) problems.push(`Import one file at a time: ${extra.join(', ')} too`)
  for (const flag of ['user', 'name', 'id', 'map', 'purpose', 'review-date'] as const) if (!v[flag]) problems.push(`--${flag} is required`)
  const kind = (v.kind ?? 'person') as RecordKind
  if (kind !== 'person' && kind !== 'business') problems.push('--kind must be "person" or "business"')
  const mapping = v.map ? parseFieldMap(v.map, fieldsOf(kind === 'business' ? 'business' : 'person')) : null
  if (mapping && mapping.map === null) problems.push(...mapping.problems.map((p) => `--map: ${p}`))
  if (problems.length > 0) {
    env.err(`${problems.join('\n')}\n${DATASET_USAGE}\n`)
    return 2
  }
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(file!)
  } catch (error) {
    env.err(`${file} cannot be read: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such file' : (error as Error).message}\n`)
    return 2
  }
  let meta
  try {
    meta = parseDatasetMeta({
      name: v.name,
      kind,
      idColumn: v.id,
      purpose: v.purpose,
      reviewDate: v['review-date'],
      protectiveMarking: v.marking ?? 'OFFICIAL',
      handlingCode: v.handling ?? 'P',
      handlingConditions: v.conditions ?? null,
      sharingScope: v.sharing ?? 'agency',
      encoding: v.encoding ?? null,
      sheet: v.sheet ?? null,
    })
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    for (const i of error.issues) env.err(`--${FLAGS[i.field.split('.')[0]!] ?? i.field}: ${i.message}\n`)
    return 2
  }
  const userId = await asSystem(env.db, (tx) => userIdByEmail(tx, v.user!))
  if (!userId) {
    env.err(`No user has the email address ${v.user}\n`)
    return 2
  }
  const ctx: AppContext = { db: env.db, config: env.config, now: env.now, cookieSecret: '' }
  const token = await issueApiToken(ctx, 'system', userId, { name: 'achilles dataset import', scopes: ['records:write'], expiresInDays: 1 })
  const bar: { current?: ReturnType<typeof progressBar> } = {}
  try {
    const actor = await actorFromToken(ctx, token.token)
    const fileName = path.basename(file!)
    const outcome = await importDataset(env.db, actor, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), fileName, meta, Object.fromEntries(mapping!.map!) as MatchMapping, {
      commit: v['dry-run'] !== true,
      onProgress: (done, total) => {
        bar.current ??= progressBar(env.out, env.isTTY, `Importing ${fileName}`, total, (d, t) => `${n(d)} of ${n(t)} records`)
        bar.current.update(done)
      },
    })
    bar.current?.finish()
    const { check } = outcome
    if (check.problems.length > 0) {
      env.err(`Nothing was imported: ${fileName} has ${n(check.problems.length)} problem(s).\n`)
      for (const p of check.problems) env.err(`  ${p.text}\n`)
      return 1
    }
    if (!outcome.imported) {
      env.out(`Dry run, nothing kept: ${fileName} would import ${n(check.records.length)} records (${check.fields.join(', ')}).\n`)
      return 0
    }
    env.out(`Imported ${n(check.records.length)} records from ${fileName} as dataset ${outcome.datasetId} (${check.fields.join(', ')}).\n`)
    return 0
  } catch (error) {
    bar.current?.finish()
    if (error instanceof ValidationError) {
      for (const i of error.issues) env.err(`--${FLAGS[i.field.split('.')[0]!] ?? i.field}: ${i.message}\n`)
      return 2
    }
    if (error instanceof ForbiddenError) {
      env.err(`${v.user} may not do this: ${error.reason}\n`)
      return 2
    }
    throw error
  } finally {
    await revokeApiToken(ctx, 'system', token.id)
  }
}

async function datasetCommand(env: CommandEnv, args: string[]): Promise<number> {
  const [action, ...rest] = args
  if (action === 'import') return importCommand(env, rest)
  env.err(`${action ? `"${action}" is not something achilles dataset does.\n` : ''}${DATASET_USAGE}\n`)
  return 2
}

export const datasetCommandDefinition: Command = {
  summary: 'import a partner’s CSV or XLSX file as a dataset for matching, checked whole first and kept whole or not at all',
  usage: 'achilles dataset import FILE --user EMAIL --name NAME --id COLUMN --map canonical=column,... --purpose TEXT --review-date YYYY-MM-DD (achilles dataset for details)',
  run: datasetCommand,
}
