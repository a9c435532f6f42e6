// Building the network from the database (issue 6, figures): the seeded synthetic network of
// bench/networkSynthetic.ts (50,000 nodes, 250,000 edges by default) is loaded into the embedded
// database as entities, typed links, intelligence records mentioning two phones (for the calls) and
// mapped groups with their members, then built for an analyst under row-level security: the whole
// partnership view, and from a group member with 1, 2 and 3 hops (3 is the hop limit at this size).
// One in ten entities is held by another agency and not shared, so the visibility rule has rows to
// refuse.
//
//   npm run bench:network-build -- [--nodes 50000] [--edges 250000] [--seed 1] [--repeat 3] [--json]
//
// Progress goes to stderr; a summary and the JSON figures go to stdout (only the JSON with --json).

import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { capabilitiesOf } from '../src/core/access/roles.ts'
import type { Actor } from '../src/core/access/actor.ts'
import { demoPartnership } from '../src/core/demo/partnership.ts'
import { openDatabase } from '../src/db/connection.ts'
import { asSystem, asUser } from '../src/db/context.ts'
import { migrate } from '../src/db/migrate.ts'
import { loadPartnership } from '../src/modules/demo/service.ts'
import { networkAround, wholeNetwork } from '../src/modules/network/service.ts'
import { syntheticNetwork } from './networkSynthetic.ts'

const { values: flags } = parseArgs({
  options: {
    nodes: { type: 'string', default: '50000' },
    edges: { type: 'string', default: '250000' },
    seed: { type: 'string', default: '1' },
    repeat: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
})
const log = (text: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`)
const seconds = (start: number) => Math.round((performance.now() - start) / 10) / 100

const LINK_TYPE: Record<string, string> = {
  associate_of: 'associate', co_offender: 'associate', supplies: 'associate', linked_to: 'associate', family_of: 'family',
  uses_phone: 'uses_phone', resides_at: 'occupant', drives: 'drives_vehicle', director_of: 'director',
}
// The end a link of each type starts from (LINK_TYPE_RULES): the person for occupancy, phones and vehicles.
const SUBJECT_KIND: Record<string, string> = { uses_phone: 'Person', occupant: 'Person', drives_vehicle: 'Person', director: 'Person' }

async function main() {
  const nodes = Number(flags.nodes)
  const edges = Number(flags.edges)
  const repeat = Number(flags.repeat)
  const started = performance.now()
  log(`generating ${nodes.toLocaleString('en-GB')} nodes and ${edges.toLocaleString('en-GB')} edges (seed ${flags.seed})`)
  const net = syntheticNetwork({ nodes, edges, seed: Number(flags.seed) })
  const db = await openDatabase({})
  await migrate(db)
  const partnership = demoPartnership({ adminEmail: 'admin@bench.example', today: '2026-11-23' })
  await loadPartnership(db, partnership, 'correct horse battery staple')
  const analyst = partnership.users.find((u) => u.email === 'analyst@demo.achilles.example')!
  const other = partnership.users.find((u) => u.email === 'analyst.hmrc@demo.achilles.example')!
  const uuid = (id: string) => id.slice(id.indexOf(':') + 1)
  const kindOf = new Map(net.nodes.map((n) => [n.id, n.kind]))

  const loadStart = performance.now()
  const counts = { entities: 0, links: 0, intelligence: 0, groups: net.groups.length, members: 0 }
  await asSystem(db, async (tx) => {
    const rows = net.nodes.map((n, i) => {
      const hidden = i % 10 === 9
      const owner = hidden ? other : analyst
      return {
        id: uuid(n.id), schema: n.kind, caption: n.label, person_role: n.kind === 'Person' ? 'suspect' : null,
        purpose: 'Network benchmark', protective_marking: 'OFFICIAL', handling_code: 'P', handling_conditions: null,
        sharing_scope: hidden ? 'agency' : 'partnership', review_date: '2030-01-01', owning_agency_id: owner.agencyId, created_by: owner.id,
      }
    })
    for (let i = 0; i < rows.length; i += 2000) await tx.insertInto('entities').values(rows.slice(i, i + 2000) as never).execute()
    counts.entities = rows.length

    const links: Record<string, unknown>[] = []
    const calls: { id: string; a: string; b: string; on: string; grade: string; c: string | null }[] = []
    for (const e of net.edges) {
      if (e.type === 'called') {
        calls.push({ id: e.sources[0]!.id, a: uuid(e.source), b: uuid(e.target), on: e.from!, grade: e.grading!, c: e.handlingConditions })
        continue
      }
      const type = LINK_TYPE[e.type] ?? 'associate'
      const wantSubject = SUBJECT_KIND[type]
      const [s, o] = wantSubject && kindOf.get(e.source) !== wantSubject ? [e.target, e.source] : [e.source, e.target]
      links.push({
        link_type: type, subject_id: uuid(s), object_id: uuid(o), start_date: e.from, end_date: e.to, source_reference: 'Network benchmark',
        protective_marking: 'OFFICIAL', handling_code: e.handlingCode, handling_conditions: e.handlingConditions, sharing_scope: 'partnership',
        owning_agency_id: analyst.agencyId, created_by: analyst.id,
      })
    }
    for (let i = 0; i < links.length; i += 2000) {
      const r = await tx.insertInto('entity_links').values(links.slice(i, i + 2000) as never).onConflict((oc) => oc.doNothing()).executeTakeFirst()
      counts.links += Number(r.numInsertedOrUpdatedRows ?? 0)
    }
    for (let i = 0; i < calls.length; i += 2000) {
      const batch = calls.slice(i, i + 2000)
      await tx.insertInto('intelligence_records').values(batch.map((c) => ({
        id: c.id, body: 'Call data', reported_on: c.on, source_agency_id: analyst.agencyId, source_evaluation: c.grade[0]!, intelligence_assessment: Number(c.grade[1]),
        purpose: 'Network benchmark', protective_marking: 'OFFICIAL', handling_code: c.c ? 'C' : 'P', handling_conditions: c.c, sharing_scope: 'partnership',
        review_date: '2030-01-01', owning_agency_id: analyst.agencyId, created_by: analyst.id,
      })) as never).execute()
      await tx.insertInto('intelligence_mentions').values(batch.flatMap((c) => [{ intelligence_id: c.id, entity_id: c.a }, { intelligence_id: c.id, entity_id: c.b }])).execute()
    }
    counts.intelligence = calls.length
    for (const g of net.groups) {
      await tx.insertInto('ocgs').values({
        id: uuid(g.id), name: g.name, status: 'active', threat_areas: ['drugs'], purpose: 'Network benchmark', protective_marking: 'OFFICIAL', handling_code: 'P',
        handling_conditions: null, sharing_scope: 'partnership', review_date: '2030-01-01', owning_agency_id: analyst.agencyId, created_by: analyst.id,
      } as never).execute()
      if (g.members.length > 0) await tx.insertInto('ocg_members').values(g.members.map((m) => ({ group_id: uuid(g.id), person_id: uuid(m), role: 'core_member', created_by: analyst.id })) as never).execute()
      counts.members += g.members.length
    }
  })
  await asSystem(db, async (tx) => {
    for (const table of ['entities', 'entity_links', 'intelligence_records', 'intelligence_mentions', 'ocgs', 'ocg_members']) await sql.raw(`ANALYZE ${table}`).execute(tx)
  })
  const loadSeconds = seconds(loadStart)
  log(`loaded ${JSON.stringify(counts)} in ${loadSeconds} s`)

  const actor: Actor = {
    userId: analyst.id, agencyId: analyst.agencyId, capabilities: capabilitiesOf(analyst.roles), email: analyst.email, displayName: analyst.displayName,
    agencyName: 'Police', roles: analyst.roles, via: 'session',
  }
  const timed = async <T>(label: string, work: () => Promise<T>, describe: (r: T) => Record<string, unknown>) => {
    const times: number[] = []
    let last: T | undefined
    for (let i = 0; i < repeat; i++) {
      const s = performance.now()
      last = await work()
      times.push(seconds(s))
    }
    const figures = { label, seconds: times, best: Math.min(...times), ...describe(last!) }
    log(`${label}: best ${figures.best} s of ${times.join(', ')} ${JSON.stringify(describe(last!))}`)
    return figures
  }
  const results = []
  results.push(await timed('whole partnership view', () => asUser(db, actor, (tx) => wholeNetwork(tx, actor)), (n) => ({ nodes: n.nodes.length, edges: n.edges.length })))
  // A member of the largest mapped group, visible to the analyst.
  const start = net.groups[0]!.members.find((m) => net.nodes.findIndex((n) => n.id === m) % 10 !== 9)!
  for (const hops of [1, 2, 3]) {
    results.push(await timed(`from a group member, ${hops} ${hops === 1 ? 'hop' : 'hops'}`, () => asUser(db, actor, (tx) => networkAround(tx, actor, { start, hops }, 'Network benchmark')), (b) => ({ nodes: b.network.nodes.length, edges: b.network.edges.length, truncated: b.truncated, hopLimit: b.hopLimit })))
  }
  const startGroup = `group:${uuid(net.groups[0]!.id)}`
  results.push(await timed('from a group, 2 hops', () => asUser(db, actor, (tx) => networkAround(tx, actor, { start: startGroup, hops: 2 }, 'Network benchmark')), (b) => ({ nodes: b.network.nodes.length, edges: b.network.edges.length, truncated: b.truncated })))
  await db.close()
  const figures = { benchmark: 'network-build', engine: 'PGlite (embedded)', synthetic: { nodes, edges, seed: Number(flags.seed) }, loaded: counts, loadSeconds, results, totalSeconds: seconds(started), node: process.version }
  if (!flags.json) {
    console.log(`Network build from the database (${nodes.toLocaleString('en-GB')} nodes, ${edges.toLocaleString('en-GB')} edges, PGlite, row-level security on)`)
    for (const r of results) console.log(`  ${r.label.padEnd(32)} best ${String(r.best).padStart(6)} s  ${JSON.stringify({ ...r, label: undefined, seconds: undefined, best: undefined })}`)
  }
  console.log(JSON.stringify(figures, null, flags.json ? 0 : 2))
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
