import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { NotFoundError, ValidationError } from '../core/errors.ts'
import { parseSlice } from '../core/profiles/slices.ts'
import type { SliceDefinition } from '../core/profiles/figures.ts'
import { createViewEnvironment } from '../http/views.ts'
import { profileDocx } from '../modules/profiles/docx.ts'
import { profileHtml } from '../modules/profiles/html.ts'
import { profilePdf } from '../modules/profiles/pdf.ts'
import { buildProfile, NoDataError, profileJson } from '../modules/profiles/service.ts'
import type { CommandEnv } from './commands.ts'
import { PROFILE_USAGE } from './profileArgs.ts'

// `achilles profile`: a SOC local profile of an area for a period, built from the public data
// loaded, written as JSON, printable HTML, Word or PDF.

export const PROFILE_FORMATS = ['json', 'html', 'docx', 'pdf'] as const
type Format = (typeof PROFILE_FORMATS)[number]

export const PROFILE_OPTIONS = {
  area: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  title: { type: 'string' },
  slice: { type: 'string', multiple: true },
} as const

const USAGE = PROFILE_USAGE

export async function runProfile(env: CommandEnv, args: string[]): Promise<number> {
  let values
  try {
    values = parseArgs({ args, options: PROFILE_OPTIONS, allowPositionals: false, strict: true }).values
  } catch (error) {
    env.err(`${(error as Error).message}\nusage: ${USAGE}\n`)
    return 2
  }
  const problems: string[] = []
  for (const name of ['area', 'from', 'to', 'out'] as const) if (!values[name]) problems.push(`--${name} is needed`)
  const format = (values.format ?? (values.out ? path.extname(values.out).slice(1).toLowerCase() : '')) as Format
  if (!PROFILE_FORMATS.includes(format)) problems.push(`--format must be one of ${PROFILE_FORMATS.join(', ')}${values.format ? `, not ${values.format}` : ''}`)
  const slices: SliceDefinition[] = []
  for (const text of values.slice ?? []) {
    const slice = parseSlice(text)
    if ('error' in slice) problems.push(slice.error)
    else slices.push(slice)
  }
  if (problems.length > 0) {
    env.err(`${problems.join('\n')}\nusage: ${USAGE}\n`)
    return 2
  }
  const started = performance.now()
  let built
  try {
    built = await buildProfile(env.db, { area: values.area!, from: values.from!, to: values.to!, slices: slices.length > 0 ? slices : undefined, title: values.title }, env.now())
  } catch (error) {
    if (error instanceof ValidationError) {
      env.err(`${error.issues.map((i) => i.message).join('\n')}\n`)
      return 2
    }
    if (error instanceof NotFoundError || error instanceof NoDataError) {
      env.err(`${error.message}\n`)
      return 1
    }
    throw error
  }
  const out = path.resolve(values.out!)
  const body =
    format === 'json' ? `${JSON.stringify(profileJson(built), null, 2)}\n`
    : format === 'html' ? profileHtml(createViewEnvironment(), built.document)
    : format === 'docx' ? await profileDocx(built.document)
    : await profilePdf(built.document)
  fs.mkdirSync(path.dirname(out), { recursive: true })
  fs.writeFileSync(out, body)
  const f = built.figures
  env.out(`Wrote the ${format.toUpperCase()} profile of ${f.area.name} (${f.area.code}), ${f.period.from} to ${f.period.to}, to ${out}\n`)
  env.out(`  ${f.total.toLocaleString('en-GB')} records in ${f.lsoaCount.toLocaleString('en-GB')} LSOAs; ${f.hotspots.areas.filter((a) => a.hotspotClass === 'hot-99' || a.hotspotClass === 'hot-95').length} hot spots at 95% or more; built in ${((performance.now() - started) / 1000).toFixed(2)} s\n`)
  if (f.missingMonths.length > 0) env.err(`Note: no police data is loaded for ${f.missingMonths.join(', ')}; the profile says so in its gaps section.\n`)
  return 0
}
