import { isDeepStrictEqual } from 'node:util'
import type { Actor } from '../../core/access/actor.ts'
import { NotFoundError } from '../../core/errors.ts'
import { POWER_SUBJECTS, STRANDS, mayUse, type Power } from '../../core/powers/catalogue.ts'
import { SHIPPED_CATALOGUE } from '../../core/powers/shippedCatalogue.ts'
import { AGENCY_TYPES } from '../../core/reference/agencies.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem, type Queryable } from '../../db/context.ts'
import { parseInput } from '../../http/validation.ts'
import { recordAudit } from '../audit/service.ts'
import * as q from './queries.ts'
import { PowerListQuery } from './schema.ts'

export const CATALOGUE_RECORD = 'power_catalogue'

/**
 * Loads the shipped catalogue when the database holds none or an older version (run by `achilles
 * migrate` and at every start, like the shipped prioritisation models). Returns the version loaded.
 */
export async function ensurePowerCatalogue(db: Database): Promise<number | null> {
  return asSystem(db, async (tx) => {
    const stored = await q.storedCatalogueVersion(tx)
    if (stored !== null && stored > SHIPPED_CATALOGUE.version) return null
    // The same version is reloaded if its text differs, so an edit that forgot to bump the version
    // still reaches the database rather than leaving two copies of one version that disagree.
    if (stored === SHIPPED_CATALOGUE.version && sameAsStored(await q.allPowers(tx))) return null
    await q.storeCatalogue(tx, SHIPPED_CATALOGUE)
    await recordAudit(tx, 'system', {
      action: 'collection', recordType: CATALOGUE_RECORD, purpose: 'Loading the shipped tools-and-powers catalogue',
      detail: { version: SHIPPED_CATALOGUE.version, powers: SHIPPED_CATALOGUE.powers.length, reviewed: SHIPPED_CATALOGUE.reviewed },
    })
    cache.delete(db.kysely)
    return SHIPPED_CATALOGUE.version
  })
}

function sameAsStored(rows: readonly q.PowerRow[]): boolean {
  const live = rows.filter((r) => !r.withdrawn)
  if (live.length !== SHIPPED_CATALOGUE.powers.length) return false
  const byId = new Map(live.map((r) => [r.id, r.definition]))
  return SHIPPED_CATALOGUE.powers.every((p) => isDeepStrictEqual(byId.get(p.id), p))
}

type Loaded = { version: number; powers: Power[]; byId: Map<string, q.PowerRow>; checkedAt: number }
const cache = new WeakMap<object, Loaded>()
/**
 * How long a process trusts its copy before asking the database for the stored version again. The
 * catalogue changes only when a newer one is loaded (at start-up, or `achilles migrate` from another
 * process), and a plan page read it two or three times a request.
 */
const RECHECK_MS = 60_000

/**
 * The catalogue as the database holds it, withdrawn powers included (actions still name them).
 * Read once a process and again when the stored version has changed.
 */
export async function storedPowers(tx: Queryable, db?: Database): Promise<Loaded> {
  const key = db?.kysely
  const hit = key ? cache.get(key) : undefined
  if (hit && Date.now() - hit.checkedAt < RECHECK_MS) return hit
  const version = (await q.storedCatalogueVersion(tx)) ?? 0
  if (hit && hit.version === version) {
    hit.checkedAt = Date.now()
    return hit
  }
  const rows = await q.allPowers(tx)
  const loaded = { version, powers: rows.filter((r) => !r.withdrawn).map((r) => r.definition), byId: new Map(rows.map((r) => [r.id, r])), checkedAt: Date.now() }
  if (key) cache.set(key, loaded)
  return loaded
}

export async function listPowers(db: Database, actor: Actor, raw: unknown) {
  void actor // reference data: any signed-in user may read it
  const query = parseInput(PowerListQuery, raw)
  const { powers, version } = await storedPowers(db.kysely, db)
  const text = query.q?.toLowerCase()
  const rows = powers.filter((p) =>
    (!query.strand || p.strands.includes(query.strand)) &&
    (!query.subject || p.subjects.includes(query.subject)) &&
    (!query.agencyType || p.usedBy.some((u) => u.agencyType === query.agencyType)) &&
    (!text || `${p.name} ${p.shortName ?? ''} ${p.legalBasis} ${p.summary}`.toLowerCase().includes(text)))
  return { query, version, powers: rows, total: powers.length, strands: STRANDS, subjects: POWER_SUBJECTS, agencyTypes: AGENCY_TYPES }
}

export async function getPower(db: Database, actor: Actor, id: string): Promise<Power & { withdrawn: boolean; prerequisiteNames: Record<string, string> }> {
  void actor
  const { byId } = await storedPowers(db.kysely, db)
  const row = byId.get(id)
  if (!row) throw new NotFoundError('Power')
  const prerequisiteNames = Object.fromEntries(row.definition.prerequisites.flatMap((p) => (p.kind === 'prior_power' ? [[p.powerId, byId.get(p.powerId)?.name ?? p.powerId]] : [])))
  return { ...row.definition, withdrawn: row.withdrawn, prerequisiteNames }
}

export { mayUse }
