import type { Actor } from '../../core/access/actor.ts'
import { ForbiddenError } from '../../core/errors.ts'
import type { EntitySchema } from '../../core/reference/crime.ts'
import { groupLabel } from '../../core/groups/operationName.ts'
import type { Database } from '../../db/connection.ts'
import { asUser } from '../../db/context.ts'
import { parseInput } from '../../http/validation.ts'
import { recordAudit } from '../audit/service.ts'
import { searchEntities } from '../entities/service.ts'
import { searchGroups } from '../groups/service.ts'
import { SearchQuery, type SearchHit, type SearchKind } from './schema.ts'

// One search box across people, businesses, premises, vehicles, phones, accounts and groups. Each
// module searches its own records under the visibility rule; this merges and ranks the answers.

const ENTITY_KINDS: readonly SearchKind[] = ['Person', 'Company', 'Organization', 'Address', 'Vehicle', 'Phone', 'BankAccount']

function detailOf(e: { schema: string; birthDate: string | null; postcode: string | null; registration: string | null; phoneNumber: string | null; businessType: string | null }): string | null {
  const parts = [e.birthDate ? `born ${e.birthDate}` : null, e.businessType, e.postcode, e.registration, e.phoneNumber].filter((p): p is string => Boolean(p))
  return parts.length > 0 ? parts.join(' · ') : null
}

export async function search(db: Database, actor: Actor, raw: unknown): Promise<{ query: SearchQuery; hits: SearchHit[] }> {
  if (!actor.capabilities.includes('records.read')) throw new ForbiddenError('Your role cannot search records')
  const query = parseInput(SearchQuery, raw)
  const wanted = new Set<SearchKind>(query.kinds.length > 0 ? query.kinds : [...ENTITY_KINDS, 'Group'])
  const schemas = ENTITY_KINDS.filter((k) => wanted.has(k)) as EntitySchema[]
  return asUser(db, actor, async (tx) => {
    // One after the other: each search switches the transaction's role for its candidate step,
    // and a role set by one must not be in force while the other runs.
    const entities = schemas.length > 0 ? await searchEntities(tx, actor, { text: query.q, schemas, limit: query.limit }) : []
    const groups = wanted.has('Group') ? await searchGroups(tx, actor, { text: query.q, limit: query.limit }) : []
    const hits: SearchHit[] = [
      ...entities.map((e) => ({
        kind: e.schema as SearchKind,
        id: e.id,
        caption: e.caption,
        detail: detailOf(e),
        personRole: (e.personRole ?? null) as SearchHit['personRole'],
        handlingCode: e.handlingCode as SearchHit['handlingCode'],
        handlingConditions: e.handlingConditions,
        protectiveMarking: e.protectiveMarking as SearchHit['protectiveMarking'],
        similarity: e.similarity,
        matchedOn: e.matchedOn,
        href: `/entities/${e.id}`,
      })),
      ...groups.map((g) => ({
        kind: 'Group' as const,
        id: g.id,
        caption: groupLabel(g.name, g.operationName),
        detail: g.threatAreas.join(', '),
        personRole: null,
        handlingCode: g.handlingCode as SearchHit['handlingCode'],
        handlingConditions: g.handlingConditions,
        protectiveMarking: g.protectiveMarking as SearchHit['protectiveMarking'],
        similarity: g.similarity,
        matchedOn: 'name',
        href: `/groups/${g.id}`,
      })),
    ]
    hits.sort((a, b) => b.similarity - a.similarity || a.caption.localeCompare(b.caption) || a.id.localeCompare(b.id))
    const shown = hits.slice(0, query.limit)
    // Who searched for whom is itself worth logging (DPA 2018 s.62: consultation).
    if (shown.length > 0) {
      await recordAudit(tx, actor, { action: 'consultation', recordType: 'search', purpose: 'Searching records', detail: { query: query.q, shown: shown.map((h) => `${h.kind}:${h.id}`) } })
    }
    return { query, hits: shown }
  })
}
