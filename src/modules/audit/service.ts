import { isUuid } from '../../core/ids.ts'
import type { Actor } from '../../core/access/actor.ts'
import { CHAIN_START, checkChain, type BrokenLink } from '../../core/audit/chain.ts'
import { ForbiddenError } from '../../core/errors.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem, asUser, type Queryable } from '../../db/context.ts'
import { parseInput } from '../../http/validation.ts'
import { appendAuditEvent, chainBatch, lastSeq, searchAuditEvents } from './queries.ts'
import { AuditSearch, type AuditEntry } from './schema.ts'
import { agencyNames } from '../agencies/service.ts'
import { displayNames } from '../users/service.ts'


export type { AuditEntry } from './schema.ts'

/** Writes one audit row in the caller's transaction, so the row exists exactly when the act does. */
export function recordAudit(tx: Queryable, actor: Actor | 'system', entry: AuditEntry): Promise<void> {
  const who =
    actor === 'system'
      ? { userId: null, agencyId: null, actor: 'system' }
      : { userId: actor.userId, agencyId: actor.agencyId, actor: actor.email }
  return appendAuditEvent(tx, who, entry)
}

export async function searchAudit(db: Database, actor: Actor, input: unknown) {
  if (!actor.capabilities.includes('audit.read')) throw new ForbiddenError('Searching the audit log needs the audit capability')
  const search = parseInput(AuditSearch, input)
  return asUser(db, actor, async (tx) => {
    const result = await searchAuditEvents(tx, search)
    // Recipients are stored as ids, which stay true if an agency is renamed; show names beside them.
    const recipients = [...new Set(result.rows.flatMap((r) => r.recipients))]
    const [agencies, users] = await Promise.all([
      agencyNames(tx, recipients.filter((r) => isUuid(r))),
      displayNames(tx, recipients.filter((r) => r.startsWith('user:')).map((r) => r.slice(5)).filter((r) => isUuid(r))),
    ])
    const names: Record<string, string> = { 'whole-partnership': 'The whole partnership' }
    for (const [id, name] of agencies) names[id] = name
    for (const [id, name] of users) names[`user:${id}`] = name
    return { search, ...result, names }
  })
}

export type VerifyResult = { checked: number; broken: BrokenLink | null; headHash: string }

/** Walks the whole chain in batches; reports the first broken link, or the hash at its head. */
export async function verifyAuditChain(
  db: Database,
  options: { batchSize?: number; onProgress?: (checked: number) => void } = {},
): Promise<VerifyResult> {
  const batchSize = options.batchSize ?? 20_000
  let position = CHAIN_START
  let checked = 0
  for (;;) {
    const rows = await asSystem(db, (tx) => chainBatch(tx, position.nextSeq - 1, batchSize))
    if (rows.length === 0) return { checked, broken: null, headHash: position.prevHash }
    const outcome = checkChain(
      position,
      rows.map((r) => ({ seq: r.seq, prevHash: r.prev_hash, hash: r.hash, recomputed: r.recomputed })),
    )
    if ('broken' in outcome) return { checked: checked + (outcome.broken.seq - position.nextSeq), broken: outcome.broken, headHash: position.prevHash }
    position = outcome.position
    checked += rows.length
    options.onProgress?.(checked)
  }
}

/** How many rows the chain holds (the newest sequence number). */
export function auditLength(db: Database): Promise<number> {
  return asSystem(db, (tx) => lastSeq(tx))
}
