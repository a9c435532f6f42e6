// 4P plans, disruptions and the orders register (issue #4): with national-scale demonstration data
// (6,000 groups, each with a 4P plan of 30 actions and 5 disruptions, and 20,000 orders with their
// obligations) on PGlite and on a PostgreSQL server, the LRO home page and a group's plan page under
// load (1 and 10 clients), and, in the benchmark's own process, the power suggestions for a group,
// the full groupPlan service call, the overdue-actions sweep and the compliance-check scheduler.
// See bench/README.md.
//
//   npm run bench:plans -- [--engine pglite|postgres|both] [--quick] [--groups N] [--orders N] ...
//
// Progress and the summary go to stderr; with --json the JSON figures go to stdout. Each engine's
// figures are also written to bench/results/plans-<engine>-<timestamp>.json.

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { sql, type RawBuilder } from 'kysely'
import type { Actor } from '../src/core/access/actor.ts'
import { capabilitiesOf, isRole, ROLES } from '../src/core/access/roles.ts'
import { crimePicture, intelligenceBatches, NATIONAL_CRIME_SCALE, addDays } from '../src/core/demo/crime.ts'
import { nationalPartnership } from '../src/core/demo/partnership.ts'
import { seededRandom } from '../src/core/demo/random.ts'
import { SHIPPED_CATALOGUE } from '../src/core/powers/shippedCatalogue.ts'
import { suggestPowers } from '../src/core/powers/suggestPowers.ts'
import { ukDay } from '../src/core/time/ukDates.ts'
import { DEFAULT_ADMIN_EMAIL, prepareDatabase, seedDemonstration, type CommandEnv } from '../src/cli/commands.ts'
import { loadConfig } from '../src/config.ts'
import type { Database } from '../src/db/connection.ts'
import { asSystem, asUser, type Tx } from '../src/db/context.ts'
import { refreshAfterBulkLoad } from '../src/db/maintenance.ts'
import { groupProfileFacts } from '../src/modules/groups/service.ts'
import { loadCrimePicture, loadPartnership } from '../src/modules/demo/service.ts'
import { checksDueFor, scheduleOrders } from '../src/modules/orders/service.ts'
import { groupPlan, myWork, profileOf, sweepOverdueActions } from '../src/modules/plans/service.ts'
import { loadDemonstrationAssessments } from '../src/modules/prioritisation/demonstration.ts'
import { ensureDefaultModels } from '../src/modules/prioritisation/service.ts'
import { ensurePowerCatalogue } from '../src/modules/powers/service.ts'
import { cleanups, count, databaseUrlFor, enginesOf, log, machine, n, percentile, prepareTarget, RESULTS, round, ROOT, scenario, signIn, since, sleep, sourceVersion, startServer, stopServer, table, type ColdStart, type Engine, type ScenarioFigures, type Server, type Target, runEngines, verdictOf, endRun, summaryHeading } from './support.ts'

const BENCH_DB = 'achilles_bench_plans'

// ---------------------------------------------------------------------------------------------
// Options

const { values: flags } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    quick: { type: 'boolean', default: false },
    intelligence: { type: 'string' },
    groups: { type: 'string' },
    actions: { type: 'string' },
    disruptions: { type: 'string' },
    orders: { type: 'string' },
    ids: { type: 'string' },
    'suggestion-runs': { type: 'string' },
    'plan-calls': { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '1,10' },
    'database-url': { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/' },
    'log-level': { type: 'string', default: 'info' },
    'max-backlog': { type: 'string', default: '60' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

const NATIONAL_GROUPS = NATIONAL_CRIME_SCALE.groups

if (flags.help) {
  process.stdout.write(`npm run bench:plans -- [options]

  --engine pglite|postgres|both   which database engines to measure (default both)
  --quick                         a fast check: 600 groups, 2,000 orders, 3 s runs (each can still be set below)
  --intelligence N                intelligence records in the crime picture (default 20000; not what this measures)
  --groups N                      organised crime groups (default ${NATIONAL_GROUPS}, the national picture; quick 600)
  --actions N                     actions on each group's 4P plan (default 30)
  --disruptions N                 disruptions recorded against each group (default 5)
  --orders N                      orders in the register (default 20000; quick 2000)
  --ids N                         groups whose plan page is visited in turn (default 100; quick 30)
  --suggestion-runs N             timed runs of suggestPowers on one group (default 2000)
  --plan-calls N                  timed groupPlan service calls, groups in turn (default 50; quick 20)
  --duration S                    seconds per load run (default 10; quick 3)
  --warmup S                      seconds of unrecorded load before each run (default 2; quick 1)
  --connections LIST              concurrent connections per run (default 1,10)
  --database-url URL              PostgreSQL server to create ${BENCH_DB} on (default postgres://postgres@127.0.0.1:5432/)
  --log-level LEVEL               the server's LOG_LEVEL during the runs (default info, as shipped)
  --max-backlog S                 skip a load run whose queued requests would keep the server busy longer (default 60)
  --keep                          keep the PGlite data directory and the ${BENCH_DB} database
  --json                          print the JSON figures on stdout (the summary always goes to stderr)
`)
  process.exit(0)
}

const quick = flags.quick === true
const pickFlag = (name: string, text: string | undefined, full: number, fast: number, min = 0) => count(name, text ?? String(quick ? fast : full), min)
const engines = enginesOf(flags.engine)
const options = {
  quick,
  intelligence: pickFlag('intelligence', flags.intelligence, 20_000, 20_000),
  groups: pickFlag('groups', flags.groups, NATIONAL_GROUPS, 600, 1),
  actionsPerPlan: pickFlag('actions', flags.actions, 30, 30),
  disruptionsPerGroup: pickFlag('disruptions', flags.disruptions, 5, 5),
  orders: pickFlag('orders', flags.orders, 20_000, 2_000),
  ids: pickFlag('ids', flags.ids, 100, 30, 1),
  suggestionRuns: pickFlag('suggestion-runs', flags['suggestion-runs'], 2_000, 2_000, 1),
  planCalls: pickFlag('plan-calls', flags['plan-calls'], 50, 20, 1),
  duration: pickFlag('duration', flags.duration, 10, 3, 1),
  warmup: pickFlag('warmup', flags.warmup, 2, 1),
  connections: (flags.connections ?? '').split(',').map((c) => count('connections', c.trim(), 1)),
  databaseUrl: flags['database-url']!,
  logLevel: flags['log-level']!,
  maxBacklog: count('max-backlog', flags['max-backlog'], 1),
  keep: flags.keep === true,
}
const ADMIN_EMAIL = process.env.ACHILLES_ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL
const PASSWORD = process.env.ACHILLES_ADMIN_PASSWORD ?? 'benchmark password 2026'

/** The targets on the PostgreSQL server; PGlite's figures are stated beside them. */
const TARGETS = {
  pages: { label: 'LRO home and plan pages p95', limit: 100, unit: 'ms' },
  sweep: { label: 'Overdue-actions sweep, all plans', limit: 10, unit: 's' },
  schedule: { label: 'Compliance-check scheduler, all orders', limit: 10, unit: 's' },
} as const
type TargetKey = keyof typeof TARGETS

/** Roles whose users may own an action (records.read and records.write), from the role table itself. */
const WRITER_ROLES = ROLES.filter((r) => capabilitiesOf([r]).includes('records.write') && capabilitiesOf([r]).includes('records.read'))

const one = async (tx: Tx, q: RawBuilder<{ n: number }>) => Number((await q.execute(tx)).rows[0]!.n)

// ---------------------------------------------------------------------------------------------
// 1. Seed: the national demonstration data (as bench/groups.ts), then plans, disruptions and orders

type SeedFigures = {
  /** The demonstration seed: migrations, models, catalogue, partnership, crime picture, intelligence, assessments, VACUUM. */
  demonstrationSeconds: number
  openSeconds: number
  /** ensurePowerCatalogue and ensureDefaultModels again (the seed ran them; nothing to load the second time). */
  prepareSeconds: number
  plansSeconds: number
  actionsSeconds: number
  disruptionsSeconds: number
  ordersSeconds: number
  obligationsSeconds: number
  vacuumSeconds: number
  seedSeconds: number
  counts: Record<string, number>
  /** Actions by status, and those still to do whose due date has passed (what the sweep should flag). */
  actionStatuses: Record<string, number>
  overdueToFlag: number
  databaseBytes: number
  tableBytes: Record<string, number>
}

/** seedDemonstration's own steps with the national partnership and a crime picture of `groups` groups. */
async function seedSmallerPicture(env: CommandEnv, groups: number, intelligence: number): Promise<void> {
  await prepareDatabase(env.db)
  const today = env.now().toISOString().slice(0, 10)
  const partnership = nationalPartnership({ adminEmail: ADMIN_EMAIL, today })
  await loadPartnership(env.db, partnership, PASSWORD)
  const picture = crimePicture({ agencies: partnership.agencies, users: partnership.users, today, scale: { ...NATIONAL_CRIME_SCALE, groups } })
  await loadCrimePicture(env.db, picture, intelligenceBatches({ picture, users: partnership.users, agencies: partnership.agencies, today, count: intelligence }))
  const r = seededRandom(7_2026)
  const scorers = partnership.users.filter((u) => u.roles.includes('analyst') || u.roles.includes('lead_responsible_officer'))
  const subjects = picture.groups.filter(() => r.chance(0.85)).map((g) => {
    const scorer = scorers.find((u) => u.agencyId === g.owningAgencyId) ?? partnership.users.find((u) => u.id === g.createdBy)!
    return { groupId: g.id, owningAgencyId: scorer.agencyId, scoredBy: scorer.id, severity: r.next(), reviewDate: addDays(today, r.chance(0.1) ? -r.int(1, 30) : r.int(30, 365)) }
  })
  await loadDemonstrationAssessments(env.db, subjects, r)
  await refreshAfterBulkLoad(env.db)
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now()
  const value = await work()
  const seconds = round(since(started), 2)
  log(`  ${label}: ${seconds} s`)
  return { value, seconds }
}

/**
 * The plans, disruptions and orders, in set-based SQL as the owner (outside row-level security),
 * in one transaction with setseed so every run draws the same data.
 */
async function seedPlansAndOrders(db: Database): Promise<Omit<SeedFigures, 'demonstrationSeconds' | 'openSeconds' | 'prepareSeconds' | 'vacuumSeconds' | 'seedSeconds' | 'databaseBytes' | 'tableBytes'>> {
  return asSystem(db, async (tx) => {
    const run = (q: RawBuilder<unknown>) => q.execute(tx)
    await run(sql`SELECT setseed(0.2026)`)
    // Who may own an action or an order: active users of active agencies whose roles may read and write records.
    await run(sql`CREATE TEMP TABLE bench_owners ON COMMIT DROP AS
      SELECT row_number() OVER (ORDER BY u.id)::int AS rn, u.id, u.agency_id, a.agency_type, a.service_area
      FROM users u JOIN agencies a ON a.id = u.agency_id
      WHERE u.active AND a.active AND u.roles && ARRAY[${sql.join(WRITER_ROLES)}]::text[]`)
    await run(sql`CREATE UNIQUE INDEX ON bench_owners (rn)`)
    // Current members (people) of each group: numbered overall, and within their group.
    await run(sql`CREATE TEMP TABLE bench_members ON COMMIT DROP AS
      SELECT row_number() OVER (ORDER BY m.group_id, m.person_id)::int AS rn,
             row_number() OVER (PARTITION BY m.group_id ORDER BY m.person_id)::int AS k,
             m.group_id, m.person_id
      FROM ocg_members m JOIN entities e ON e.id = m.person_id AND e.schema = 'Person'
      WHERE m.end_date IS NULL OR m.end_date >= current_date`)
    await run(sql`CREATE UNIQUE INDEX ON bench_members (rn)`)
    await run(sql`CREATE UNIQUE INDEX ON bench_members (group_id, k)`)
    // Powers by strand (an action's power serves its strand), all powers, the order powers for people.
    await run(sql`CREATE TEMP TABLE bench_strand_powers ON COMMIT DROP AS
      SELECT p.id, p.name, s.strand, row_number() OVER (PARTITION BY s.strand ORDER BY p.id)::int AS k
      FROM powers p, jsonb_array_elements_text(p.definition->'strands') AS s(strand) WHERE NOT p.withdrawn`)
    await run(sql`CREATE UNIQUE INDEX ON bench_strand_powers (strand, k)`)
    await run(sql`CREATE TEMP TABLE bench_powers ON COMMIT DROP AS
      SELECT id, row_number() OVER (ORDER BY id)::int AS k FROM powers WHERE NOT withdrawn`)
    await run(sql`CREATE TEMP TABLE bench_order_powers ON COMMIT DROP AS
      SELECT id, definition->>'orderType' AS order_type, definition->'usedBy' AS used_by, row_number() OVER (ORDER BY id)::int AS k
      FROM powers WHERE NOT withdrawn AND definition->>'orderType' IS NOT NULL AND definition->'subjects' @> '["person"]'::jsonb`)
    // The officers who may obtain each order: owners whose agency is among the power's users.
    await run(sql`CREATE TEMP TABLE bench_officers ON COMMIT DROP AS
      SELECT p.id AS power_id, o.id AS user_id, o.agency_id,
             row_number() OVER (PARTITION BY p.id ORDER BY o.id)::int AS k, count(*) OVER (PARTITION BY p.id)::int AS of_power
      FROM bench_order_powers p JOIN bench_owners o ON EXISTS (
        SELECT 1 FROM jsonb_array_elements(p.used_by) u
        WHERE u->>'agencyType' = o.agency_type AND (u->>'serviceArea' IS NULL OR u->>'serviceArea' = o.service_area))`)
    await run(sql`CREATE UNIQUE INDEX ON bench_officers (power_id, k)`)
    await run(sql`CREATE TEMP TABLE bench_officer_counts ON COMMIT DROP AS SELECT power_id, max(of_power) AS n FROM bench_officers GROUP BY 1`)
    await run(sql`CREATE TEMP TABLE bench_agencies ON COMMIT DROP AS
      SELECT id, row_number() OVER (ORDER BY id)::int AS rn FROM agencies WHERE active`)
    await run(sql`CREATE UNIQUE INDEX ON bench_agencies (rn)`)
    await run(sql`ANALYZE bench_owners, bench_members, bench_strand_powers, bench_powers, bench_order_powers, bench_officers, bench_officer_counts, bench_agencies`)

    // One 4P plan for every group, marked and shared as its group is (as insertGroupPlan does).
    const plans = await timed('action plans', () => run(sql`
      INSERT INTO action_plans (group_id, title, key_risk, status, owning_agency_id, purpose, protective_marking, handling_code,
        handling_conditions, sharing_scope, review_date, created_at, created_by, updated_at, updated_by)
      SELECT g.id, left('4P plan for ' || g.name, 200), 'Benchmark key risk: ' || array_to_string(g.threat_areas, ', '), 'active',
        g.owning_agency_id, g.purpose, g.protective_marking, g.handling_code, g.handling_conditions, g.sharing_scope, g.review_date,
        now() - random() * interval '300 days', coalesce(g.lead_responsible_officer_id, g.created_by), now(), coalesce(g.lead_responsible_officer_id, g.created_by)
      FROM ocgs g ORDER BY g.id`))

    // The actions: strands across the 4Ps, owners drawn from those who may own one, due from 120 days
    // ago to 120 ahead, about 60% still to do (open or in progress), 30% done, 10% cancelled, a power
    // of the strand on most, and a current member as the target of some.
    const actions = await timed(`${options.actionsPerPlan} actions a plan`, () => run(sql`
      WITH draws AS MATERIALIZED (
        SELECT pl.id AS plan_id, pl.group_id, pl.created_by, i,
          (ARRAY['pursue', 'pursue', 'pursue', 'prevent', 'prevent', 'protect', 'protect', 'prepare'])[1 + floor(random() * 8)::int] AS strand,
          1 + floor(random() * (SELECT count(*) FROM bench_owners))::int AS owner_rn,
          current_date + (floor(random() * 241)::int - 120) AS due_on,
          random() AS status_r, random() AS power_r, random() AS power_k_r, random() AS target_r, random() AS target_k_r, random() AS done_r
        FROM action_plans pl CROSS JOIN generate_series(1, ${options.actionsPerPlan}::int) AS i
      ), shaped AS (
        SELECT d.*, CASE WHEN d.status_r < 0.35 THEN 'open' WHEN d.status_r < 0.6 THEN 'in_progress' WHEN d.status_r < 0.9 THEN 'done' ELSE 'cancelled' END AS status,
          CASE WHEN d.power_r < 0.7 THEN 1 + floor(d.power_k_r * sc.n)::int END AS power_k,
          CASE WHEN d.target_r < 0.3 THEN 1 + floor(d.target_k_r * gs.n)::int END AS target_k
        FROM draws d
        LEFT JOIN (SELECT strand, count(*)::int AS n FROM bench_strand_powers GROUP BY 1) sc ON sc.strand = d.strand
        LEFT JOIN (SELECT group_id, count(*)::int AS n FROM bench_members GROUP BY 1) gs ON gs.group_id = d.group_id
      )
      INSERT INTO plan_actions (plan_id, group_id, strand, title, description, owner_agency_id, owner_user_id, due_on, status, power_id,
        target_entity_id, outcome_notes, completed_at, created_at, created_by, updated_at, updated_by)
      SELECT s.plan_id, s.group_id, s.strand,
        left(coalesce(sp.name, initcap(s.strand) || ': partner action ' || s.i), 200),
        'Benchmark action ' || s.i || ' on the group''s 4P plan: ' || s.strand || ' strand.',
        o.agency_id, o.id, s.due_on, s.status, sp.id, t.person_id,
        CASE WHEN s.status IN ('done', 'cancelled') THEN 'Benchmark outcome: ' || s.status || '.' END,
        CASE WHEN s.status = 'done' THEN least(now() - interval '1 hour', ((s.due_on - floor(s.done_r * 30)::int) + interval '10 hours')::timestamptz) END,
        now() - interval '130 days', s.created_by, now(), s.created_by
      FROM shaped s
      JOIN bench_owners o ON o.rn = s.owner_rn
      LEFT JOIN bench_strand_powers sp ON sp.strand = s.strand AND sp.k = s.power_k
      LEFT JOIN bench_members t ON t.group_id = s.group_id AND t.k = s.target_k
      ORDER BY s.plan_id, s.i`))

    // Disruptions: by an officer of a partner, within the last two years, a power used on most, 0-2 assets each.
    const disruptions = await timed(`${options.disruptionsPerGroup} disruptions a group, with their assets`, async () => {
      await run(sql`
        WITH draws AS MATERIALIZED (
          SELECT g.id AS group_id, i, 1 + floor(random() * (SELECT count(*) FROM bench_owners))::int AS owner_rn,
            current_date - floor(random() * 730)::int AS occurred_on, random() AS power_r,
            1 + floor(random() * (SELECT count(*) FROM bench_powers))::int AS power_k,
            (ARRAY['major', 'moderate', 'moderate', 'minor', 'minor', 'minor', 'none', 'negative'])[1 + floor(random() * 8)::int] AS outcome
          FROM ocgs g CROSS JOIN generate_series(1, ${options.disruptionsPerGroup}::int) AS i
        )
        INSERT INTO disruptions (group_id, action_id, power_id, occurred_on, agency_id, description, outcome, outcome_reason, recorded_by_agency_id, created_at, created_by)
        SELECT d.group_id, NULL, CASE WHEN d.power_r < 0.6 THEN p.id END, d.occurred_on, o.agency_id,
          'Benchmark disruption ' || d.i || ' of the group.', d.outcome, 'Benchmark reason for a ' || d.outcome || ' outcome.', o.agency_id,
          d.occurred_on + interval '14 hours', o.id
        FROM draws d JOIN bench_owners o ON o.rn = d.owner_rn JOIN bench_powers p ON p.k = d.power_k
        ORDER BY d.group_id, d.i`)
      await run(sql`
        WITH draws AS MATERIALIZED (SELECT id, floor(random() * 3)::int AS assets FROM disruptions),
        assets AS MATERIALIZED (
          SELECT d.id AS disruption_id, j, (ARRAY['cash', 'drugs', 'goods', 'vehicles', 'firearms', 'property', 'other'])[1 + floor(random() * 7)::int] AS kind,
            random() AS size_r
          FROM draws d CROSS JOIN LATERAL generate_series(1, d.assets) AS j
        )
        INSERT INTO disruption_assets (disruption_id, kind, description, quantity, unit, value_pence)
        SELECT disruption_id, kind, 'Benchmark seizure: ' || kind,
          CASE kind WHEN 'drugs' THEN round((size_r * 5000)::numeric, 1) + 1 WHEN 'vehicles' THEN 1 + floor(size_r * 3) WHEN 'cash' THEN NULL ELSE 1 + floor(size_r * 20) END,
          CASE kind WHEN 'drugs' THEN 'g' WHEN 'vehicles' THEN 'vehicles' WHEN 'cash' THEN NULL ELSE 'items' END,
          floor(size_r * size_r * 50000000)::bigint
        FROM assets ORDER BY disruption_id, j`)
    })

    // Orders: a current member of a group as the subject, an order power for people, an officer of an
    // agency that may obtain it, started within the last two years for one to five years, in force.
    const orders = await timed(`${options.orders.toLocaleString('en-GB')} orders`, () => run(sql`
      WITH draws AS MATERIALIZED (
        SELECT i, 1 + floor(random() * (SELECT count(*) FROM bench_members))::int AS member_rn,
          1 + floor(random() * (SELECT count(*) FROM bench_order_powers))::int AS power_k,
          random() AS officer_r, now() - random() * interval '730 days' AS starts_at, 365 + random() * 4 * 365 AS term_days,
          random() AS marking_r, random() AS sharing_r, floor(random() * 700)::int AS review_in
        FROM generate_series(1, ${options.orders}::int) AS i
      )
      INSERT INTO orders (order_type, power_id, group_id, subject_entity_id, subject_kind, court, court_reference, made_on, starts_at, ends_at,
        status, officer_id, owning_agency_id, purpose, protective_marking, handling_code, sharing_scope, review_date, created_at, created_by, updated_at, updated_by)
      SELECT op.order_type, op.id, m.group_id, m.person_id, 'person', 'Benchmark Magistrates'' Court', 'BM/' || d.i,
        (d.starts_at - interval '1 day')::date, d.starts_at, d.starts_at + d.term_days * interval '1 day', 'in_force', off.user_id, off.agency_id,
        'Managing an order against a member of an organised crime group',
        CASE WHEN d.marking_r < 0.15 THEN 'OFFICIAL-SENSITIVE' ELSE 'OFFICIAL' END, 'P',
        CASE WHEN d.marking_r < 0.15 THEN 'agency' WHEN d.sharing_r < 0.75 THEN 'partnership' ELSE 'agency' END,
        current_date + d.review_in, d.starts_at, off.user_id, now(), off.user_id
      FROM draws d
      JOIN bench_members m ON m.rn = d.member_rn
      JOIN bench_order_powers op ON op.k = d.power_k
      JOIN bench_officer_counts oc ON oc.power_id = op.id
      JOIN bench_officers off ON off.power_id = op.id AND off.k = 1 + floor(d.officer_r * oc.n)::int
      ORDER BY d.i`))

    // Obligations: 1-3 an order; the first an inspection every 1-3 months checked by 1-3 agencies in
    // rotation; the others a monthly-to-quarterly report to the order's agency, a notification duty,
    // a prohibition or a requirement.
    const obligations = await timed('obligations', () => run(sql`
      WITH o AS MATERIALIZED (SELECT id, owning_agency_id, 1 + floor(random() * 3)::int AS how_many FROM orders),
      draws AS MATERIALIZED (
        SELECT o.id AS order_id, o.owning_agency_id, j,
          CASE WHEN j = 1 THEN 'inspection' ELSE (ARRAY['report', 'notify', 'prohibition', 'requirement'])[1 + floor(random() * 4)::int] END AS kind,
          1 + floor(random() * 3)::int AS every_months, 1 + floor(random() * 3)::int AS checkers,
          1 + floor(random() * (SELECT count(*) FROM bench_agencies))::int AS a1,
          1 + floor(random() * (SELECT count(*) FROM bench_agencies))::int AS a2,
          1 + floor(random() * (SELECT count(*) FROM bench_agencies))::int AS a3
        FROM o CROSS JOIN LATERAL generate_series(1, o.how_many) AS j
      )
      INSERT INTO order_obligations (order_id, key, position, kind, text, every_value, every_unit, notice_hours, check_agency_ids)
      SELECT d.order_id, 'c' || d.j, d.j - 1, d.kind,
        CASE d.kind
          WHEN 'inspection' THEN 'Allow officers to inspect business records and premises on request.'
          WHEN 'report' THEN 'Report in person to the order''s managing agency.'
          WHEN 'notify' THEN 'Notify the police of any new vehicle, phone or bank account.'
          WHEN 'prohibition' THEN 'Must not associate with named members of the group.'
          ELSE 'Must keep records of all cash transactions over 1,000 pounds.' END,
        CASE WHEN d.kind IN ('inspection', 'report') THEN d.every_months END,
        CASE WHEN d.kind IN ('inspection', 'report') THEN 'months' END,
        CASE WHEN d.kind = 'notify' THEN 72 END,
        CASE d.kind WHEN 'inspection' THEN (ARRAY[a1.id, a2.id, a3.id])[1:d.checkers] WHEN 'report' THEN ARRAY[d.owning_agency_id] ELSE '{}'::uuid[] END
      FROM draws d
      JOIN bench_agencies a1 ON a1.rn = d.a1 JOIN bench_agencies a2 ON a2.rn = d.a2 JOIN bench_agencies a3 ON a3.rn = d.a3
      ORDER BY d.order_id, d.j`))

    const counts = {
      groups: await one(tx, sql`SELECT count(*) AS n FROM ocgs`),
      currentMembers: await one(tx, sql`SELECT count(*) AS n FROM bench_members`),
      actionOwners: await one(tx, sql`SELECT count(*) AS n FROM bench_owners`),
      actionPlans: await one(tx, sql`SELECT count(*) AS n FROM action_plans`),
      planActions: await one(tx, sql`SELECT count(*) AS n FROM plan_actions`),
      actionsWithPower: await one(tx, sql`SELECT count(*) AS n FROM plan_actions WHERE power_id IS NOT NULL`),
      actionsWithTarget: await one(tx, sql`SELECT count(*) AS n FROM plan_actions WHERE target_entity_id IS NOT NULL`),
      disruptions: await one(tx, sql`SELECT count(*) AS n FROM disruptions`),
      disruptionAssets: await one(tx, sql`SELECT count(*) AS n FROM disruption_assets`),
      orders: await one(tx, sql`SELECT count(*) AS n FROM orders`),
      ordersAlreadyPastEnd: await one(tx, sql`SELECT count(*) AS n FROM orders WHERE ends_at <= now()`),
      obligations: await one(tx, sql`SELECT count(*) AS n FROM order_obligations`),
      checkedObligations: await one(tx, sql`SELECT count(*) AS n FROM order_obligations WHERE every_value IS NOT NULL`),
    }
    const statuses = await sql<{ status: string; n: number }>`SELECT status, count(*)::int AS n FROM plan_actions GROUP BY 1 ORDER BY 1`.execute(tx)
    const overdueToFlag = await one(tx, sql`SELECT count(*) AS n FROM plan_actions WHERE status IN ('open', 'in_progress') AND due_on < ${ukDay(new Date())}`)
    return {
      plansSeconds: plans.seconds,
      actionsSeconds: actions.seconds,
      disruptionsSeconds: disruptions.seconds,
      ordersSeconds: orders.seconds,
      obligationsSeconds: obligations.seconds,
      counts,
      actionStatuses: Object.fromEntries(statuses.rows.map((r) => [r.status, Number(r.n)])),
      overdueToFlag,
    }
  })
}

type Lro = { actor: Actor; ledGroups: number; ownedOpenActions: number }

async function seed(target: Target): Promise<{ figures: SeedFigures; lro: Lro }> {
  log(`${target.engine}: seeding the national demonstration data (${options.groups.toLocaleString('en-GB')} groups, ${options.intelligence.toLocaleString('en-GB')} intelligence records)`)
  const started = performance.now()
  const db = await target.open()
  const openSeconds = since(started)
  try {
    const env: CommandEnv = { db, config: loadConfig(target.env), isTTY: false, now: () => new Date(), err: (text) => process.stderr.write(text), out: () => {} }
    const demo = await timed('demonstration seed (migrations, models, catalogue, partnership, crime picture, intelligence, assessments, VACUUM)', async () => {
      if (options.groups === NATIONAL_GROUPS) {
        const outcome = await seedDemonstration(env, 'national', options.intelligence)
        if (!outcome.loaded) throw new Error('The benchmark database was not empty; nothing was seeded')
      } else {
        await seedSmallerPicture(env, options.groups, options.intelligence)
      }
    })
    // The seed ran both through prepareDatabase; run again, as the server does at every start, they load nothing.
    const prepared = await timed('ensurePowerCatalogue and ensureDefaultModels', async () => ({ catalogue: await ensurePowerCatalogue(db), models: await ensureDefaultModels(db) }))
    log(`${target.engine}: plans, disruptions and orders, in set-based SQL`)
    const planned = await seedPlansAndOrders(db)
    const vacuum = await timed('VACUUM (ANALYZE)', () => refreshAfterBulkLoad(db))
    const tableBytes: Record<string, number> = {}
    for (const t of ['ocgs', 'entities', 'action_plans', 'plan_actions', 'disruptions', 'disruption_assets', 'orders', 'order_obligations']) {
      tableBytes[t] = Number((await sql<{ n: number }>`SELECT pg_total_relation_size(${t}::regclass) AS n`.execute(db.kysely)).rows[0]!.n)
    }
    const figures: SeedFigures = {
      demonstrationSeconds: demo.seconds,
      openSeconds: round(openSeconds),
      prepareSeconds: prepared.seconds,
      ...planned,
      vacuumSeconds: vacuum.seconds,
      seedSeconds: round(since(started), 1),
      databaseBytes: await target.size(db),
      tableBytes,
    }
    const c = planned.counts
    log(`${target.engine}: seeded in ${figures.seedSeconds} s: ${n(c.actionPlans, 0)} plans, ${n(c.planActions, 0)} actions (${JSON.stringify(planned.actionStatuses)}; ${n(planned.overdueToFlag, 0)} overdue), ` +
      `${n(c.disruptions, 0)} disruptions with ${n(c.disruptionAssets, 0)} assets, ${n(c.orders, 0)} orders with ${n(c.obligations, 0)} obligations; ${(figures.databaseBytes / 2 ** 20).toFixed(0)} MiB`)
    if (prepared.value.catalogue !== null || prepared.value.models.length > 0) log(`${target.engine}: warning: the second prepare loaded something (${JSON.stringify(prepared.value)})`)
    return { figures, lro: await busiestLro(db) }
  } finally {
    await db.close()
  }
}

/** The Lead Responsible Officer who leads the most groups (ties to the lowest id), as an actor. */
async function busiestLro(db: Database): Promise<Lro> {
  return asSystem(db, async (tx) => {
    const { rows } = await sql<{ id: string; agency_id: string; agency_name: string; email: string; display_name: string; roles: string[]; led: number }>`
      SELECT u.id, u.agency_id, a.name AS agency_name, u.email, u.display_name, u.roles, count(*)::int AS led
      FROM ocgs g JOIN users u ON u.id = g.lead_responsible_officer_id JOIN agencies a ON a.id = u.agency_id
      WHERE u.active AND a.active AND 'lead_responsible_officer' = ANY (u.roles)
      GROUP BY u.id, a.name ORDER BY led DESC, u.id LIMIT 1`.execute(tx)
    const u = rows[0]
    if (!u) throw new Error('No active Lead Responsible Officer leads a group')
    const roles = u.roles.filter(isRole)
    const owned = await one(tx, sql`SELECT count(*) AS n FROM plan_actions WHERE owner_user_id = ${u.id} AND status IN ('open', 'in_progress')`)
    return {
      actor: { userId: u.id, agencyId: u.agency_id, agencyName: u.agency_name, email: u.email, displayName: u.display_name, roles, capabilities: capabilitiesOf(roles), via: 'session' },
      ledGroups: Number(u.led),
      ownedOpenActions: owned,
    }
  })
}

// ---------------------------------------------------------------------------------------------
// 2. In the benchmark's own process: suggestions, groupPlan, the sweep and the scheduler

type Timing = { runs: number; medianMs: number; p95Ms: number; minMs: number; maxMs: number; meanMs: number }

function timing(ms: number[]): Timing {
  const sorted = [...ms].sort((a, b) => a - b)
  return {
    runs: sorted.length,
    medianMs: round(percentile(sorted, 50), 3),
    p95Ms: round(percentile(sorted, 95), 3),
    minMs: round(sorted[0] ?? NaN, 3),
    maxMs: round(sorted[sorted.length - 1] ?? NaN, 3),
    meanMs: round(sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length), 3),
  }
}

type InProcessFigures = {
  suggestions: {
    catalogue: { version: number; powers: number }
    /** The group (of those visited) with the most current members and holdings. */
    group: { id: string; members: number; holdings: number; suggestions: number }
    oneGroup: Timing
    /** Each visited group's profile once, in turn, after the warm-up. */
    visitedGroups: Timing & { groups: number; meanSuggestions: number }
  }
  groupPlan: { coldMs: number; warm: Timing; actionsShown: number; disruptionsShown: number; suggestionsShown: number }
  home: { coldMs: number; warm: Timing; tasks: number; ledGroups: number; checksDue: number }
  sweep: { cold: { seconds: number; flagged: number; mailed: number }; again: { seconds: number; flagged: number; mailed: number }; mailOutboxRows: number }
  schedule: {
    cold: { seconds: number; expired: number; ordersScheduled: number; checksScheduled: number; renewalsFlagged: number }
    again: { seconds: number; expired: number; ordersScheduled: number; checksScheduled: number; renewalsFlagged: number }
    orderChecks: number
  }
}

/** Groups the LRO may see, to visit in turn: the groups they lead first, then others in a fixed shuffle. */
async function groupsToVisit(db: Database, lro: Lro, wanted: number): Promise<string[]> {
  return asUser(db, lro.actor, async (tx) => {
    const led = await sql<{ id: string }>`SELECT id FROM ocgs WHERE lead_responsible_officer_id = ${lro.actor.userId} ORDER BY name`.execute(tx)
    const others = await sql<{ id: string }>`SELECT id FROM ocgs WHERE lead_responsible_officer_id IS DISTINCT FROM ${lro.actor.userId} ORDER BY md5(id::text) LIMIT ${wanted}`.execute(tx)
    return [...led.rows, ...others.rows].map((r) => r.id).slice(0, Math.max(wanted, led.rows.length))
  })
}

async function inProcess(target: Target, lro: Lro, groupIds: readonly string[]): Promise<InProcessFigures> {
  const now = new Date()
  const today = ukDay(now)
  const site = { baseUrl: 'http://127.0.0.1' }
  // A database handle of its own, opened fresh: the first calls are cold.
  const db = await target.open()
  try {
    // The overdue sweep first, while every lapse is still to be flagged (the server runs it 30 s after starting).
    log(`${target.engine}: the overdue-actions sweep over every plan (cold)`)
    let started = performance.now()
    const sweepCold = await sweepOverdueActions(db, now, site)
    const sweepColdSeconds = round(since(started), 2)
    log(`  flagged ${n(sweepCold.flagged, 0)} actions, queued ${n(sweepCold.mailed, 0)} e-mails, in ${sweepColdSeconds} s`)
    started = performance.now()
    const sweepAgain = await sweepOverdueActions(db, now, site)
    const sweepAgainSeconds = round(since(started), 2)
    log(`  again: flagged ${n(sweepAgain.flagged, 0)} in ${sweepAgainSeconds} s`)

    log(`${target.engine}: the compliance-check scheduler over every order (cold)`)
    started = performance.now()
    const scheduleCold = await scheduleOrders(db, now, site)
    const scheduleColdSeconds = round(since(started), 2)
    log(`  ${n(scheduleCold.expired, 0)} expired, ${n(scheduleCold.ordersScheduled, 0)} scheduled, ${n(scheduleCold.checksScheduled, 0)} checks scheduled, ${n(scheduleCold.renewalsFlagged, 0)} renewals flagged, in ${scheduleColdSeconds} s`)
    started = performance.now()
    const scheduleAgain = await scheduleOrders(db, now, site)
    const scheduleAgainSeconds = round(since(started), 2)
    log(`  again: ${n(scheduleAgain.checksScheduled, 0)} checks scheduled in ${scheduleAgainSeconds} s`)
    const tallies = await asSystem(db, async (tx) => ({
      orderChecks: await one(tx, sql`SELECT count(*) AS n FROM order_checks`),
      mailOutboxRows: await one(tx, sql`SELECT count(*) AS n FROM mail_outbox`),
    }))

    // Suggestions: the shipped catalogue against each visited group's current members and holdings.
    log(`${target.engine}: suggestPowers on the shipped catalogue (${SHIPPED_CATALOGUE.powers.length} powers)`)
    const profiles = await asUser(db, lro.actor, async (tx) => {
      const out: Array<{ id: string; profile: ReturnType<typeof profileOf> }> = []
      for (const id of groupIds) {
        const facts = await groupProfileFacts(tx, id, today)
        if (facts) out.push({ id, profile: profileOf(facts, today) })
      }
      return out
    })
    if (profiles.length === 0) throw new Error('The LRO may see none of the groups to visit')
    const biggest = profiles.reduce((a, b) => (b.profile.members.length + b.profile.holdings.length > a.profile.members.length + a.profile.holdings.length ? b : a))
    const catalogue = SHIPPED_CATALOGUE.powers
    for (let i = 0; i < 200; i++) suggestPowers(catalogue, profiles[i % profiles.length]!.profile)
    const oneGroupMs: number[] = []
    let suggestionCount = 0
    for (let i = 0; i < options.suggestionRuns; i++) {
      const t = performance.now()
      suggestionCount = suggestPowers(catalogue, biggest.profile).length
      oneGroupMs.push(performance.now() - t)
    }
    const eachMs: number[] = []
    let totalSuggestions = 0
    for (const p of profiles) {
      const t = performance.now()
      totalSuggestions += suggestPowers(catalogue, p.profile).length
      eachMs.push(performance.now() - t)
    }
    const oneGroup = timing(oneGroupMs)
    log(`  one group (${biggest.profile.members.length} members, ${biggest.profile.holdings.length} holdings, ${suggestionCount} suggestions): median ${oneGroup.medianMs} ms over ${oneGroup.runs} runs`)

    // The full service call behind GET /groups/:id/plan, groups in turn.
    log(`${target.engine}: groupPlan, ${options.planCalls} calls over ${groupIds.length} groups in turn`)
    started = performance.now()
    const first = await groupPlan(db, lro.actor, groupIds[0]!, new Date())
    const planColdMs = performance.now() - started
    const planMs: number[] = []
    let shown = { actions: 0, disruptions: 0, suggestions: 0 }
    for (let i = 0; i < options.planCalls; i++) {
      const id = groupIds[(i + 1) % groupIds.length]!
      const t = performance.now()
      const out = await groupPlan(db, lro.actor, id, new Date())
      planMs.push(performance.now() - t)
      shown = { actions: shown.actions + out.plans.reduce((s, p) => s + p.actions.length, 0), disruptions: shown.disruptions + out.disruptions.length, suggestions: shown.suggestions + out.suggestions.length }
    }
    const planWarm = timing(planMs)
    log(`  cold ${round(planColdMs, 1)} ms (${first.plans[0]?.actions.length ?? 0} actions), then median ${planWarm.medianMs} ms, p95 ${planWarm.p95Ms} ms`)

    // What the home page reads for the LRO: their work and the checks due (the page adds its counts).
    const homeOnce = async () => asUser(db, lro.actor, async (tx) => {
      const work = await myWork(tx, db, lro.actor, new Date())
      const checks = await checksDueFor(tx, lro.actor, work.ledGroups.map((g) => g.id), endOfMonth(ukDay(new Date())))
      return { work, checks }
    })
    started = performance.now()
    const home = await homeOnce()
    const homeColdMs = performance.now() - started
    const homeMs: number[] = []
    for (let i = 0; i < 20; i++) {
      const t = performance.now()
      await homeOnce()
      homeMs.push(performance.now() - t)
    }
    const homeWarm = timing(homeMs)
    log(`  home page's work and checks: cold ${round(homeColdMs, 1)} ms, then median ${homeWarm.medianMs} ms (${home.work.tasks.length} tasks, ${home.work.ledGroups.length} led groups, ${home.checks.length} checks due)`)

    const visited = timing(eachMs)
    return {
      suggestions: {
        catalogue: { version: SHIPPED_CATALOGUE.version, powers: catalogue.length },
        group: { id: biggest.id, members: biggest.profile.members.length, holdings: biggest.profile.holdings.length, suggestions: suggestionCount },
        oneGroup,
        visitedGroups: { ...visited, groups: profiles.length, meanSuggestions: round(totalSuggestions / profiles.length, 1) },
      },
      groupPlan: {
        coldMs: round(planColdMs, 2), warm: planWarm,
        actionsShown: round(shown.actions / options.planCalls, 1), disruptionsShown: round(shown.disruptions / options.planCalls, 1), suggestionsShown: round(shown.suggestions / options.planCalls, 1),
      },
      home: { coldMs: round(homeColdMs, 2), warm: homeWarm, tasks: home.work.tasks.length, ledGroups: home.work.ledGroups.length, checksDue: home.checks.length },
      sweep: { cold: { seconds: sweepColdSeconds, ...sweepCold }, again: { seconds: sweepAgainSeconds, ...sweepAgain }, mailOutboxRows: tallies.mailOutboxRows },
      schedule: {
        cold: { seconds: scheduleColdSeconds, ...scheduleCold },
        again: { seconds: scheduleAgainSeconds, ...scheduleAgain },
        orderChecks: tallies.orderChecks,
      },
    }
  } finally {
    await db.close()
  }
}

/** The last day of the month a YYYY-MM-DD day falls in (as the home page computes it). */
function endOfMonth(day: string): string {
  const [y, m] = day.split('-').map(Number) as [number, number]
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10)
}

// ---------------------------------------------------------------------------------------------
// 3. The server: its own nightly run, then the pages under load

type NightlyInServer = {
  waitedSeconds: number
  /** From 30 s after "Server listening" (when the server starts the work) to "nightly work done", from the log's own times. */
  serverSeconds: number | null
  report: unknown
}

/**
 * The server runs the nightly work (sweep and scheduler) 30 s after it starts. Waits for it to
 * finish, so it does not land in a load run; with a log level above info there is no line to wait
 * for, so it waits a fixed time.
 */
async function waitForNightly(server: Server, logLevel: string, fallbackSeconds: number): Promise<NightlyInServer> {
  const started = performance.now()
  if (!['info', 'debug', 'trace'].includes(logLevel)) {
    await sleep(fallbackSeconds * 1000)
    return { waitedSeconds: round(since(started), 1), serverSeconds: null, report: null }
  }
  for (;;) {
    let listeningAt: number | null = null
    for (const l of fs.readFileSync(server.logFile, 'utf8').split('\n')) {
      if (!l.startsWith('{')) continue
      let entry: Record<string, unknown>
      try {
        entry = JSON.parse(l) as Record<string, unknown>
      } catch {
        continue // a line still being written
      }
      const msg = typeof entry.msg === 'string' ? entry.msg : ''
      if (msg.startsWith('Server listening')) listeningAt = Number(entry.time)
      const done = msg === 'nightly work done'
      if (done || msg.includes('nightly work failed')) {
        const serverSeconds = listeningAt === null ? null : round((Number(entry.time) - listeningAt) / 1000 - 30, 2)
        return { waitedSeconds: round(since(started), 1), serverSeconds, report: done ? { actions: entry.actions, orders: entry.orders } : { failed: entry.err ?? msg } }
      }
    }
    if (since(started) > 600) throw new Error(`The server's nightly work had not finished 600 s after it started; see ${server.logFile}`)
    await sleep(250)
  }
}

// ---------------------------------------------------------------------------------------------
// One engine, start to finish

/** A load scenario's figures, or why it could not be measured (a page that failed, say). */
type Measured = { key: string; label: string; figures: ScenarioFigures; error: string | null }

type TargetOutcome = { key: TargetKey; label: string; limit: number; unit: string; measured: number | null; where: string | null; met: boolean | null; note: string | null }

type EngineResult = {
  engine: Engine
  startedAt: string
  source: { commit: string; srcChanged: boolean } | null
  machine: Record<string, unknown>
  options: Record<string, unknown>
  seed: SeedFigures
  lro: { email: string; agency: string; ledGroups: number; ownedOpenActions: number; groupsVisited: number }
  inProcess: InProcessFigures
  coldStart: ColdStart
  nightlyInServer: NightlyInServer
  load: Measured[]
  shutdown: { seconds: number; code: number | null; signal: string | null; clean: boolean }
  targets: TargetOutcome[]
  totalSeconds: number
}

function outcomes(load: Measured[], ip: InProcessFigures): TargetOutcome[] {
  const out: TargetOutcome[] = []
  const t = TARGETS.pages
  let worst: { p95: number; where: string } | null = null
  const notes: string[] = []
  let unknown = false
  for (const m of load) {
    if (m.error) {
      unknown = true
      notes.push(`${m.label}: ${m.error}`)
    }
    for (const run of m.figures.runs) {
      if (run.skipped || run.requests === 0) {
        if (m.figures.probeMs >= t.limit) worst = { p95: m.figures.probeMs, where: `${m.label}, one request alone (the run at ${run.connections} clients was skipped)` }
        else unknown = true
        notes.push(`${m.label} at ${run.connections} clients: ${run.skipped ?? 'no request finished'}`)
        continue
      }
      if (!worst || run.p95Ms > worst.p95) worst = { p95: run.p95Ms, where: `${m.label}, ${run.connections} client${run.connections === 1 ? '' : 's'}` }
    }
  }
  out.push({ key: 'pages', label: t.label, limit: t.limit, unit: t.unit, measured: worst?.p95 ?? null, where: worst?.where ?? null, met: worst === null ? null : worst.p95 >= t.limit ? false : unknown ? null : true, note: notes.length > 0 ? notes.join('; ') : null })
  out.push({
    key: 'sweep', label: TARGETS.sweep.label, limit: TARGETS.sweep.limit, unit: 's', measured: ip.sweep.cold.seconds,
    where: `${ip.sweep.cold.flagged.toLocaleString('en-GB')} actions flagged, ${ip.sweep.cold.mailed.toLocaleString('en-GB')} e-mails queued (cold)`,
    met: ip.sweep.cold.seconds < TARGETS.sweep.limit, note: null,
  })
  out.push({
    key: 'schedule', label: TARGETS.schedule.label, limit: TARGETS.schedule.limit, unit: 's', measured: ip.schedule.cold.seconds,
    where: `${ip.schedule.cold.ordersScheduled.toLocaleString("en-GB")} orders scheduled, ${ip.schedule.cold.checksScheduled.toLocaleString('en-GB')} checks scheduled (cold); again ${ip.schedule.again.seconds} s`,
    met: ip.schedule.cold.seconds < TARGETS.schedule.limit && ip.schedule.again.seconds < TARGETS.schedule.limit, note: null,
  })
  return out
}

async function runEngine(engine: Engine, stamp: string): Promise<EngineResult> {
  const started = performance.now()
  const startedAt = new Date().toISOString()
  const source = sourceVersion()
  const target = await prepareTarget(engine, {
    serverUrl: options.databaseUrl,
    dbName: BENCH_DB,
    keep: options.keep,
    // No SMTP relay: the sweep's e-mail stays queued in the outbox, and the server's mailer stays idle.
    env: { ACHILLES_ADMIN_EMAIL: ADMIN_EMAIL, ACHILLES_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: options.logLevel },
  })
  delete target.env.ACHILLES_SMTP_URL
  cleanups.add(target.cleanup)
  let server: Server | undefined
  try {
    const { figures: seedFigures, lro } = await seed(target)
    log(`${engine}: LRO ${lro.actor.email} of ${lro.actor.agencyName} leads ${lro.ledGroups} groups (the most of any) and owns ${lro.ownedOpenActions} open actions`)

    // In this process first: the server sweeps and schedules by itself 30 s after it starts, and
    // PGlite's directory can be open in one process at a time.
    const visitDb = await target.open()
    const groupIds = await groupsToVisit(visitDb, lro, options.ids).finally(() => visitDb.close())
    const ip = await inProcess(target, lro, groupIds)

    const startedServer = await startServer(target, path.join(RESULTS, `server-plans-${engine}-${stamp}.log`))
    server = startedServer.server
    const cookie = await signIn(server.base, lro.actor.email, PASSWORD)
    log(`${engine}: waiting for the server's own nightly run (30 s after it starts) to finish before the load runs`)
    const nightlyInServer = await waitForNightly(server, options.logLevel, 30 + Math.ceil(3 * (ip.sweep.again.seconds + ip.schedule.again.seconds)) + 5)
    log(`${engine}: the server's nightly work finished after ${nightlyInServer.waitedSeconds} s more (it took about ${nightlyInServer.serverSeconds} s): ${JSON.stringify(nightlyInServer.report)}`)

    const parallel = engine === 'pglite' ? 1 : Math.max(1, Math.min(os.cpus().length, 10))
    const session = { cookie }
    const plan = [
      { key: 'home', label: 'GET / (LRO home)', paths: ['/'] },
      { key: 'planPage', label: `GET /groups/:id/plan (${groupIds.length} in turn)`, paths: groupIds.map((id) => `/groups/${id}/plan`) },
    ]
    const load: Measured[] = []
    for (const s of plan) {
      try {
        const figures = await scenario(server, target.activeQueries, { label: s.label, headers: session, paths: s.paths, parallel }, options)
        load.push({ key: s.key, label: s.label, figures, error: null })
      } catch (error) {
        // Others may be changing src/ while this runs: say what failed (the server log has the cause) and go on.
        log(`  ${s.label}: FAILED: ${(error as Error).message}; see ${server.logFile}`)
        load.push({ key: s.key, label: s.label, figures: { probeMs: NaN, runs: [] }, error: (error as Error).message })
      }
    }

    const sourceAfter = sourceVersion()
    if (source && sourceAfter && (sourceAfter.commit !== source.commit || sourceAfter.srcChanged !== source.srcChanged)) {
      log(`${engine}: warning: src/ changed while the benchmark ran (${source.commit} -> ${sourceAfter.commit}${sourceAfter.srcChanged ? ' with changes' : ''})`)
      source.srcChanged = true
    }
    const shutdown = await stopServer(server)
    server = undefined

    return {
      engine,
      startedAt,
      source,
      machine: await machine(engine, options.databaseUrl),
      options: { ...options, databaseUrl: engine === 'postgres' ? databaseUrlFor(options.databaseUrl, BENCH_DB) : undefined },
      seed: seedFigures,
      lro: { email: lro.actor.email, agency: lro.actor.agencyName, ledGroups: lro.ledGroups, ownedOpenActions: lro.ownedOpenActions, groupsVisited: groupIds.length },
      inProcess: ip,
      coldStart: startedServer.cold,
      nightlyInServer,
      load,
      shutdown,
      targets: outcomes(load, ip),
      totalSeconds: round(since(started), 1),
    }
  } finally {
    await endRun(server, target)
  }
}

// ---------------------------------------------------------------------------------------------
// Summary

const verdict = verdictOf

function summary(results: EngineResult[]): string {
  const out: string[] = []
  out.push(...summaryHeading(results))
  const head = ['', ...results.map((r) => r.engine)]
  const row = (label: string, pick: (r: EngineResult) => string) => [label, ...results.map(pick)]
  const c = (r: EngineResult) => r.seed.counts
  out.push(
    table([
      head,
      row('groups / current members', (r) => `${n(c(r).groups, 0)} / ${n(c(r).currentMembers, 0)}`),
      row('plans / actions', (r) => `${n(c(r).actionPlans, 0)} / ${n(c(r).planActions, 0)}`),
      row('  actions open / in progress / done / cancelled', (r) => ['open', 'in_progress', 'done', 'cancelled'].map((s) => n(r.seed.actionStatuses[s] ?? 0, 0)).join(' / ')),
      row('  overdue (to be flagged)', (r) => n(r.seed.overdueToFlag, 0)),
      row('disruptions / assets', (r) => `${n(c(r).disruptions, 0)} / ${n(c(r).disruptionAssets, 0)}`),
      row('orders / obligations (checked)', (r) => `${n(c(r).orders, 0)} / ${n(c(r).obligations, 0)} (${n(c(r).checkedObligations, 0)})`),
      row('demonstration seed (s)', (r) => n(r.seed.demonstrationSeconds, 1)),
      row('plans / actions / disruptions (s)', (r) => [r.seed.plansSeconds, r.seed.actionsSeconds, r.seed.disruptionsSeconds].map((x) => n(x, 2)).join(' / ')),
      row('orders / obligations / VACUUM (s)', (r) => [r.seed.ordersSeconds, r.seed.obligationsSeconds, r.seed.vacuumSeconds].map((x) => n(x, 2)).join(' / ')),
      row('seed in all (s)', (r) => n(r.seed.seedSeconds, 1)),
      row('database size (MiB)', (r) => n(r.seed.databaseBytes / 2 ** 20, 0)),
      row('LRO: groups led / open actions owned', (r) => `${r.lro.ledGroups} / ${r.lro.ownedOpenActions}`),
      row('suggestPowers, one group: median (p95) ms', (r) => `${n(r.inProcess.suggestions.oneGroup.medianMs, 3)} (${n(r.inProcess.suggestions.oneGroup.p95Ms, 3)})`),
      row('  that group: members / holdings / suggestions', (r) => `${r.inProcess.suggestions.group.members} / ${r.inProcess.suggestions.group.holdings} / ${r.inProcess.suggestions.group.suggestions}`),
      row('suggestPowers, visited groups: median ms', (r) => `${n(r.inProcess.suggestions.visitedGroups.medianMs, 3)} (${r.inProcess.suggestions.visitedGroups.groups} groups)`),
      row('groupPlan service call: cold / median / p95 ms', (r) => [r.inProcess.groupPlan.coldMs, r.inProcess.groupPlan.warm.medianMs, r.inProcess.groupPlan.warm.p95Ms].map((x) => n(x, 1)).join(' / ')),
      row('home work + checks: cold / median ms', (r) => `${n(r.inProcess.home.coldMs, 1)} / ${n(r.inProcess.home.warm.medianMs, 1)}`),
      row('overdue sweep, cold (s)', (r) => `${n(r.inProcess.sweep.cold.seconds, 2)} (${n(r.inProcess.sweep.cold.flagged, 0)} flagged, ${n(r.inProcess.sweep.cold.mailed, 0)} e-mails)`),
      row('overdue sweep, again (s)', (r) => `${n(r.inProcess.sweep.again.seconds, 2)} (${n(r.inProcess.sweep.again.flagged, 0)} flagged)`),
      row('scheduler, cold (s)', (r) => `${n(r.inProcess.schedule.cold.seconds, 2)} (${n(r.inProcess.schedule.cold.ordersScheduled, 0)} scheduled, ${n(r.inProcess.schedule.cold.expired, 0)} expired, ${n(r.inProcess.schedule.cold.checksScheduled, 0)} checks)`),
      row('scheduler, again (s)', (r) => `${n(r.inProcess.schedule.again.seconds, 2)} (${n(r.inProcess.schedule.again.checksScheduled, 0)} checks)`),
      row('cold start to first page (s)', (r) => n(r.coldStart.toFirstPageSeconds, 2)),
      row("the server's own nightly run, after ours (s)", (r) => n(r.nightlyInServer.serverSeconds, 2)),
      row('SIGTERM to exit (s)', (r) => `${n(r.shutdown.seconds, 2)}${r.shutdown.clean ? ' clean' : ' NOT CLEAN'}`),
      row('whole run (s)', (r) => n(r.totalSeconds, 0)),
    ]),
  )
  out.push('', 'Load (signed in as the LRO; p95 from every 2xx response; CPU % is the Node server process, load the 1-minute load average at the start)')
  const rows = [['request', 'engine', 'clients', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'non-2xx', 'CPU %', 'load', 'target', 'server']]
  const skipped: string[] = []
  const limit = TARGETS.pages.limit
  for (const key of results[0]?.load.map((m) => m.key) ?? []) {
    for (const r of results) {
      const m = r.load.find((x) => x.key === key)
      if (!m) continue
      if (m.error) {
        rows.push([m.label, r.engine, 'failed*', '', '', '', '', '', '', '', '', '', `< ${limit}`, ''])
        skipped.push(`* ${m.label}, ${r.engine}: ${m.error}`)
        continue
      }
      rows.push([m.label, r.engine, 'alone', '1', '', '', n(m.figures.probeMs), '', '', '', '', '', `< ${limit}`, ''])
      for (const f of m.figures.runs) {
        if (f.skipped) {
          rows.push([m.label, r.engine, String(f.connections), 'skipped*', '', '', '', '', '', '', '', n(f.loadAverage), `< ${limit}`, ''])
          skipped.push(`* ${m.label}, ${r.engine}, ${f.connections} clients: ${f.skipped}`)
          continue
        }
        const mark = r.engine === 'postgres' ? (f.p95Ms < limit ? 'MET' : 'MISSED') : ''
        rows.push([m.label, r.engine, String(f.connections), n(f.requests, 0), n(f.rps), n(f.p50Ms), n(f.p95Ms), n(f.p99Ms), n(f.maxMs), n(f.non2xx + f.errors, 0), n(f.serverCpuPercent, 0), n(f.loadAverage), `< ${limit}`, mark])
      }
    }
  }
  out.push(table(rows), ...skipped)
  out.push('', 'Targets (on the PostgreSQL server; PGlite beside them)')
  const pgResult = results.find((r) => r.engine === 'postgres')
  const liteResult = results.find((r) => r.engine === 'pglite')
  const trows = [['target', 'PostgreSQL server', 'verdict', 'PGlite', 'PGlite verdict', 'worst on the server']]
  for (const key of Object.keys(TARGETS) as TargetKey[]) {
    const t = TARGETS[key]
    const onServer = pgResult?.targets.find((x) => x.key === key)
    const onLite = liteResult?.targets.find((x) => x.key === key)
    const fig = (x: TargetOutcome | undefined) => (x?.measured === null || x === undefined ? '–' : `${n(x.measured, t.unit === 's' ? 2 : 1)} ${t.unit}`)
    trows.push([`${t.label} < ${t.limit} ${t.unit}`, fig(onServer), onServer ? verdict(onServer) : 'not run', fig(onLite), onLite ? verdict(onLite) : 'not run', onServer?.where ?? onLite?.where ?? ''])
  }
  out.push(table(trows))
  return out.join('\n')
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const results = await runEngines('plans', engines, runEngine)
  process.stderr.write(`\n${summary(results)}\n`)
  if (flags.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`)
  process.exitCode = 1
})
