import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { baseUrl, type Config } from '../config.ts'
import { DEMO_DOMAIN, demoPartnership, nationalPartnership, type Partnership } from '../core/demo/partnership.ts'
import { ValidationError } from '../core/errors.ts'
import { isUuid } from '../core/ids.ts'
import type { Database } from '../db/connection.ts'
import { asSystem } from '../db/context.ts'
import { refreshAfterBulkLoad } from '../db/maintenance.ts'
import { migrate } from '../db/migrate.ts'
import type { AppContext } from '../http/context.ts'
import { auditLength, verifyAuditChain } from '../modules/audit/service.ts'
import { issueApiToken, revokeApiToken } from '../modules/auth/service.ts'
import { addDays, crimePicture, DEMO_CRIME_SCALE, intelligenceBatches, NATIONAL_CRIME_SCALE } from '../core/demo/crime.ts'
import { seededRandom } from '../core/demo/random.ts'
import { isEmpty, loadCrimePicture, loadPartnership } from '../modules/demo/service.ts'
import { loadDemonstrationAssessments } from '../modules/prioritisation/demonstration.ts'
import { demonstrationPlans } from '../core/demo/plans.ts'
import { demonstrationReferrals } from '../core/referrals/demonstration.ts'
import { loadDemonstrationPlans } from '../modules/plans/demonstration.ts'
import { loadDemonstrationOrders } from '../modules/orders/demonstration.ts'
import { scheduleOrders } from '../modules/orders/service.ts'
import { loadDemonstrationReferrals } from '../modules/referrals/demonstration.ts'
import { ensureDefaultModels } from '../modules/prioritisation/service.ts'
import { ensurePowerCatalogue } from '../modules/powers/service.ts'
import { credentials, userIdByEmail } from '../modules/users/service.ts'
import { datasetCommandDefinition } from './dataset.ts'
import { encodeCommandDefinition } from './encode.ts'
import { importCommandDefinition } from './import.ts'
import { MATCH_USAGE, runMatch } from './match.ts'
import { NETWORK_USAGE, runNetwork } from './network.ts'
import { PROFILE_USAGE } from './profileArgs.ts'
import { progressBar } from './progress.ts'

/** What a command runs with: in its own process, or inside the server through the control socket. */
export type CommandEnv = {
  db: Database
  config: Config
  out: (text: string) => void
  err: (text: string) => void
  isTTY: boolean
  now: () => Date
}

export type Command = { summary: string; usage: string; run: (env: CommandEnv, args: string[]) => Promise<number> }

export const DEFAULT_ADMIN_EMAIL = `admin@${DEMO_DOMAIN}`

const line = (env: CommandEnv, text = '') => env.out(`${text}\n`)

/**
 * Brings a database up to date: its migrations, the shipped prioritisation models it lacks and the
 * shipped tools-and-powers catalogue when it holds an older one.
 */
export async function prepareDatabase(db: Database): Promise<{ migrations: string[]; models: string[]; powersCatalogue: number | null }> {
  const migrations = await migrate(db)
  const models = await ensureDefaultModels(db)
  return { migrations, models, powersCatalogue: await ensurePowerCatalogue(db) }
}

async function migrateCommand(env: CommandEnv): Promise<number> {
  const { migrations, models, powersCatalogue } = await prepareDatabase(env.db)
  line(env, migrations.length === 0 ? 'The database is up to date; nothing to apply.' : `Applied ${migrations.length} migration(s): ${migrations.join(', ')}`)
  if (models.length > 0) line(env, `Installed the shipped prioritisation models: ${models.join(', ')}.`)
  if (powersCatalogue !== null) line(env, `Loaded version ${powersCatalogue} of the tools-and-powers catalogue.`)
  return 0
}

export type SeedOutcome = { loaded: boolean; partnership?: Partnership; crime?: Awaited<ReturnType<typeof loadCrimePicture>> & { assessments: number }; password?: string; passwordGenerated: boolean; adminEmail: string }

/** Intelligence records loaded with each scale unless asked otherwise. */
export const DEFAULT_INTELLIGENCE = { demo: 2_000, national: 100_000 }

/** Loads demonstration data into an empty database, or (when asked) resets the demo password. */
export async function seedDemonstration(env: CommandEnv, scale: 'demo' | 'national', intelligence = DEFAULT_INTELLIGENCE[scale]): Promise<SeedOutcome> {
  await prepareDatabase(env.db)
  const adminEmail = env.config.adminEmail ?? DEFAULT_ADMIN_EMAIL
  if (!(await isEmpty(env.db))) {
    if (env.config.adminPassword) {
      const id = await asSystem(env.db, (tx) => userIdByEmail(tx, adminEmail))
      if (id) await credentials.setPassword(env.db, id, env.config.adminPassword)
    }
    return { loaded: false, passwordGenerated: false, adminEmail, password: env.config.adminPassword }
  }
  const today = env.now().toISOString().slice(0, 10)
  const partnership = scale === 'national' ? nationalPartnership({ adminEmail, today }) : demoPartnership({ adminEmail, today })
  const password = env.config.adminPassword ?? randomBytes(12).toString('base64url')
  await loadPartnership(env.db, partnership, password)
  const picture = crimePicture({ agencies: partnership.agencies, users: partnership.users, today, scale: scale === 'national' ? NATIONAL_CRIME_SCALE : DEMO_CRIME_SCALE })
  const bar = progressBar(env.out, env.isTTY, 'Loading intelligence', intelligence)
  const crime = await loadCrimePicture(env.db, picture, intelligenceBatches({ picture, users: partnership.users, agencies: partnership.agencies, today, count: intelligence }), (n) => bar.update(n))
  bar.finish()
  // Most groups carry an assessment (a few are left for the user to score), scored by an
  // analyst or LRO of the group's owning agency where there is one.
  const r = seededRandom(7_2026)
  const scorers = partnership.users.filter((u) => u.roles.includes('analyst') || u.roles.includes('lead_responsible_officer'))
  const subjects = picture.groups.filter(() => r.chance(0.85)).map((g) => {
    const scorer = scorers.find((u) => u.agencyId === g.owningAgencyId) ?? partnership.users.find((u) => u.id === g.createdBy)!
    return { groupId: g.id, owningAgencyId: scorer.agencyId, scoredBy: scorer.id, severity: r.next(), reviewDate: addDays(today, r.chance(0.1) ? -r.int(1, 30) : r.int(30, 365)) }
  })
  const assessments = await loadDemonstrationAssessments(env.db, subjects, r)
  if (scale === 'demo') {
    // 4P plans, disruptions and orders for the demonstration groups, from the catalogue's own suggestions.
    const { storedPowers } = await import('../modules/powers/service.ts')
    const catalogue = (await storedPowers(env.db.kysely, env.db)).powers
    const plans = demonstrationPlans({ picture, agencies: partnership.agencies, users: partnership.users, catalogue, today, random: seededRandom(4_2026) })
    await loadDemonstrationPlans(env.db, plans, new Map(picture.groups.map((g) => [g.id, g])))
    await loadDemonstrationOrders(env.db, plans.orders)
    await scheduleOrders(env.db, env.now(), { baseUrl: baseUrl(env.config) })
    await loadDemonstrationReferrals(env.db, demonstrationReferrals({ groups: picture.groups, agencies: partnership.agencies, users: partnership.users, today, random: seededRandom(5_2026) }))
  }
  await refreshAfterBulkLoad(env.db)
  return { loaded: true, partnership, crime: { ...crime, assessments }, password, passwordGenerated: !env.config.adminPassword, adminEmail }
}

export function describeSeed(env: CommandEnv, outcome: SeedOutcome): void {
  if (!outcome.loaded) {
    line(env, 'The database already holds data; demonstration data was not loaded again.')
    line(env, outcome.password ? `Sign in as ${outcome.adminEmail} with the password from ACHILLES_ADMIN_PASSWORD.` : `Sign in as ${outcome.adminEmail} with the password printed when the data was first loaded (set ACHILLES_ADMIN_PASSWORD to reset it).`)
    return
  }
  const p = outcome.partnership!
  line(env, `Loaded invented demonstration data: ${p.agencies.length} agencies, ${p.users.length} users, ${p.notes.length} shared notes.`)
  const c = outcome.crime
  if (c) line(env, `  and a crime picture: ${c.groups} organised crime groups, ${c.members} memberships, ${c.entities} people and other entities, ${c.links} links, ${c.intelligence} intelligence records, ${c.assessments} group assessments.`)
  line(env, `Administrator: ${outcome.adminEmail}  password: ${outcome.password}${outcome.passwordGenerated ? '  (generated: keep it, it is not shown again)' : ''}`)
  if (p.logins.length > 1) {
    line(env, 'Other demonstration accounts, with the same password:')
    for (const l of p.logins.slice(1)) line(env, `  ${l.role.replace(/_/g, ' ').padEnd(26)} ${l.email.padEnd(44)} ${l.agency}`)
  }
}

async function seedCommand(env: CommandEnv, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { scale: { type: 'string', default: 'demo' }, intelligence: { type: 'string' } } })
  if (values.scale !== 'demo' && values.scale !== 'national') {
    env.err('--scale must be "demo" (one force area) or "national" (benchmark sizes)\n')
    return 2
  }
  const intelligence = values.intelligence === undefined ? DEFAULT_INTELLIGENCE[values.scale] : Number(values.intelligence.replace(/_/g, ''))
  if (!Number.isInteger(intelligence) || intelligence < 0 || intelligence > 10_000_000) {
    env.err('--intelligence must be a whole number of records from 0 to 10,000,000\n')
    return 2
  }
  const started = Date.now()
  const outcome = await seedDemonstration(env, values.scale, intelligence)
  describeSeed(env, outcome)
  if (outcome.loaded) line(env, `Took ${((Date.now() - started) / 1000).toFixed(1)} s.`)
  return 0
}

async function verifyAuditCommand(env: CommandEnv): Promise<number> {
  const total = await auditLength(env.db)
  const bar = progressBar(env.out, env.isTTY, 'Checking audit chain', total)
  const started = process.hrtime.bigint()
  const result = await verifyAuditChain(env.db, { onProgress: (n) => bar.update(n) })
  bar.finish()
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (result.broken) {
    line(env, `BROKEN at row ${result.broken.seq} (${result.broken.problem}): ${result.broken.explanation}.`)
    line(env, `${result.checked.toLocaleString('en-GB')} row(s) before it are intact.`)
    return 1
  }
  line(env, `Audit chain intact: ${result.checked.toLocaleString('en-GB')} row(s) checked in ${seconds.toFixed(2)} s.`)
  line(env, `Head hash: ${result.headHash} (record it elsewhere to detect removal of the newest rows).`)
  return 0
}

/** The nightly work the server also does hourly, for a partnership that prefers cron. */
async function sweepCommand(env: CommandEnv): Promise<number> {
  const started = process.hrtime.bigint()
  const { runNightlyWork } = await import('./nightly.ts')
  const { actions, orders, referrals } = await runNightlyWork(env.db, env.config, env.now())
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const n = (x: number) => x.toLocaleString('en-GB')
  line(env, `Overdue actions: ${n(actions.flagged)} newly flagged, ${n(actions.mailed)} e-mail(s) queued to owners and Lead Responsible Officers.`)
  line(env, `Orders register: ${n(orders.expired)} expired, ${n(orders.ordersScheduled)} scheduled ahead, ${n(orders.checksScheduled)} compliance check(s) made, ${n(orders.renewalsFlagged)} renewal reminder(s) queued.`)
  line(env, `GAIN referrals: ${n(referrals.reminded)} due or overdue, ${n(referrals.mailed)} reminder(s) queued.`)
  line(env, `Took ${seconds.toFixed(2)} s.`)
  return 0
}

async function tokenCommand(env: CommandEnv, args: string[]): Promise<number> {
  const [action, ...rest] = args
  const ctx: AppContext = { db: env.db, config: env.config, now: env.now, cookieSecret: '' }
  if (action === 'create') {
    const { values } = parseArgs({ args: rest, options: { user: { type: 'string' }, scope: { type: 'string', multiple: true }, name: { type: 'string' }, days: { type: 'string' } } })
    if (!values.user) {
      env.err('--user EMAIL is required\n')
      return 2
    }
    const userId = await asSystem(env.db, (tx) => userIdByEmail(tx, values.user!))
    if (!userId) {
      env.err(`No user has the email address ${values.user}\n`)
      return 2
    }
    const scopes = (values.scope ?? []).flatMap((s) => s.split(','))
    try {
      const made = await issueApiToken(ctx, 'system', userId, { name: values.name ?? 'Command line', scopes, expiresInDays: values.days ?? 90 })
      env.out(`${made.token}\n`)
      env.err(`Token ${made.id} for ${values.user}, scopes ${scopes.join(',')}, expires ${made.expiresAt.toISOString()}\n`)
      return 0
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const flag: Record<string, string> = { scopes: 'scope', expiresInDays: 'days', name: 'name' }
      for (const i of error.issues) env.err(`--${flag[i.field.split('.')[0]!] ?? i.field}: ${i.message}\n`)
      return 2
    }
  }
  if (action === 'revoke') {
    const [id] = rest
    if (!id || !isUuid(id)) {
      env.err('usage: achilles token revoke TOKEN_ID\n')
      return 2
    }
    await revokeApiToken(ctx, 'system', id)
    line(env, `Token ${id} revoked.`)
    return 0
  }
  env.err('usage: achilles token create --user EMAIL --scope SCOPE[,SCOPE] [--name NAME] [--days N]\n       achilles token revoke TOKEN_ID\n')
  return 2
}

export const COMMANDS: Record<string, Command> = {
  migrate: { summary: 'apply database migrations not yet applied', usage: 'achilles migrate', run: migrateCommand },
  seed: { summary: 'load invented demonstration data into an empty database', usage: 'achilles seed [--scale demo|national] [--intelligence N]', run: seedCommand },
  'verify-audit': { summary: "check the audit log's hash chain and report the first broken link", usage: 'achilles verify-audit', run: verifyAuditCommand },
  sweep: { summary: 'flag overdue 4P actions, expire orders, schedule compliance checks, remind agencies of GAIN referrals due and queue reminders (the server also does this hourly)', usage: 'achilles sweep', run: sweepCommand },
  token: { summary: 'make or revoke an API token', usage: 'achilles token create --user EMAIL --scope SCOPE | achilles token revoke ID', run: tokenCommand },
  import: importCommandDefinition,
  encode: encodeCommandDefinition,
  dataset: datasetCommandDefinition,
  // Listed for help; main.ts runs it without opening the database.
  match: { summary: 'link one CSV or XLSX file (deduplication) or two (linkage) by probabilistic matching, with every pair explained', usage: MATCH_USAGE, run: (env, args) => runMatch(env, args) },
  // Listed for help; main.ts runs it without opening the database.
  network: { summary: 'measure a network from your own CSV edge list (source,target[,weight]): degree, betweenness, PageRank, communities', usage: NETWORK_USAGE, run: (env, args) => runNetwork(env, args) },
  // The document libraries load only when a profile is asked for.
  profile: { summary: 'build a SOC local profile of an area from the public data loaded', usage: PROFILE_USAGE, run: async (env, args) => (await import('./profile.ts')).runProfile(env, args) },
}
