import { sql } from 'kysely'
import type { Actor } from '../../core/access/actor.ts'
import type { Viewer } from '../../core/access/visibility.ts'
import { linkableSchemas, linkPhrase, linkRuleProblems, linkShapeProblems, isSymmetricLink } from '../../core/entities/links.ts'
import { normaliseName, normalisePhone, normalisePostcode, normaliseProperties, normaliseRegistration, isUkRegistration } from '../../core/entities/normalise.ts'
import { isEmptySearch, matchedOn, NAME_SIMILARITY_THRESHOLD, searchTermsOf, SOUNDS_ALIKE_SCORE } from '../../core/entities/search.ts'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldIssue } from '../../core/errors.ts'
import { ENTITY_SCHEMAS, LINK_TYPE_RULES, type EntitySchema, type PersonRole } from '../../core/reference/crime.ts'
import type { Database } from '../../db/connection.ts'
import { asUser, withOwnerPrivileges, type Tx } from '../../db/context.ts'
import { parseInput } from '../../http/validation.ts'
import { recordAudit } from '../audit/service.ts'
import * as records from '../records/service.ts'
import { displayNames } from '../users/service.ts'
import * as q from './queries.ts'
import { EntityInput, EntityListQuery, EntityUpdate, LinkInput, RECORD_FIELD_NAMES, RemovalInput, type EntityOut, type LinkOut } from './schema.ts'

// People, businesses, organisations, premises, vehicles, phones and bank accounts, and the typed
// links between them. Every read goes through the visibility rule twice and is logged; every change
// is logged with its purpose (DPA 2018 s.62).

const { RECORD_TYPE, LINK_RECORD_TYPE } = q

// "record" keeps the shared messages grammatical: "only the agency that holds a record can…".
export const ENTITY_KIND: records.RestrictedKind = { recordType: RECORD_TYPE, table: 'entities', noun: 'record' }
export const LINK_KIND: records.RestrictedKind = { recordType: LINK_RECORD_TYPE, table: 'entity_links', noun: 'link' }

export type { EntityInput, EntityUpdate, LinkInput } from './schema.ts'

export type EntitySummary = q.EntitySummaryRow

type Capability = 'records.read' | 'records.write' | 'records.share' | 'records.erase'
function must(actor: Actor, capability: Capability, reason: string) {
  if (!actor.capabilities.includes(capability)) throw new ForbiddenError(reason)
}

/** Validates an entity as the API and forms do; throws ValidationError naming each faulty field. */
export function parseEntityInput(raw: unknown): EntityInput {
  return parseInput(EntityInput, raw)
}

/** Validates a link; throws ValidationError naming each faulty field. */
export function parseLinkInput(raw: unknown): LinkInput {
  return parseInput(LinkInput, raw)
}

const RECORD_FIELDS = new Set<string>(RECORD_FIELD_NAMES)

/** The entity's own content: everything but why it is held and how it is handled. */
function contentOf(input: EntityInput | EntityUpdate): q.EntityContent {
  return Object.fromEntries(Object.entries(input).filter(([k]) => k === 'schema' || !RECORD_FIELDS.has(k))) as q.EntityContent
}

const roleOf = (input: EntityInput | EntityUpdate): PersonRole | null => (input.schema === 'Person' ? input.personRole : null)

// ---------------------------------------------------------------------------------------------
// Entities.

/**
 * Records a validated entity in the caller's transaction (run as the actor with asUser): its
 * handling is checked, its named shares stored, and its collection (and any disclosure) logged.
 */
export async function createEntityInTx(tx: Tx, actor: Actor, input: EntityInput): Promise<string> {
  must(actor, 'records.write', 'Your role cannot record people or entities')
  if (input.sharingScope !== 'agency') must(actor, 'records.share', 'Your role cannot share records beyond your agency')
  await records.checkHandling(tx, actor, input, ENTITY_KIND.noun)
  const id = await q.insertEntity(tx, contentOf(input), input, actor.agencyId, actor.userId)
  const role = roleOf(input)
  await records.recordCollected(tx, actor, ENTITY_KIND, id, input, { schema: input.schema, ...(role ? { personRole: role } : {}) })
  return id
}

export async function createEntity(db: Database, actor: Actor, raw: unknown): Promise<string> {
  must(actor, 'records.write', 'Your role cannot record people or entities')
  const input = parseEntityInput(raw)
  return asUser(db, actor, (tx) => createEntityInTx(tx, actor, input))
}

/** What a list's text filter looks for: each word, or the registration, number or postcode it may be. */
function textFilterOf(text: string | null): q.TextFilter | null {
  if (!text) return null
  const registration = normaliseRegistration(text)
  return {
    words: normaliseName(text).split(' ').filter(Boolean),
    registration: isUkRegistration(registration) ? registration : null,
    phoneNumber: normalisePhone(text),
    postcode: normalisePostcode(text),
  }
}

export async function listEntities(db: Database, actor: Actor, input: unknown) {
  must(actor, 'records.read', 'Your role cannot see people or entities')
  const query = parseInput(EntityListQuery, input)
  if (query.role && query.schema && query.schema !== 'Person') {
    throw new ValidationError([{ field: 'role', message: 'Only people have a role: choose "Person" or no role' }])
  }
  return asUser(db, actor, async (tx) => {
    const result = await q.listVisibleEntities(tx, actor, { ...query, text: textFilterOf(query.q) })
    // A list names whom each record is about, so seeing it is a consultation of those records.
    if (result.rows.length > 0) {
      await recordAudit(tx, actor, { action: 'consultation', recordType: RECORD_TYPE, purpose: 'Listing people and entities', detail: { shown: result.rows.map((r) => r.id) } })
    }
    return { query, ...result }
  })
}

/**
 * One entity with its links both ways, if the visibility rule lets the actor see it. The reading
 * is logged as a consultation of the entity (naming the linked entities shown); a refusal is
 * logged as a refused disclosure.
 */
export async function getEntity(db: Database, actor: Actor, id: string, now: Date, purpose = 'Viewing a person or entity'): Promise<EntityOut> {
  must(actor, 'records.read', 'Your role cannot see people or entities')
  const entity = await asUser(db, actor, async (tx) => {
    const found = await q.findVisibleEntity(tx, actor, id)
    // The SQL filter and row-level security have let the row through; the core rule must agree.
    const seen = found ? await records.accessTo(tx, actor, ENTITY_KIND, id, found, now) : null
    if (!found || !seen) {
      await records.recordRefusal(tx, actor, ENTITY_KIND, id, purpose)
      return null
    }
    const links = await q.visibleLinksOf(tx, actor, id)
    const users = found.createdById ? await displayNames(tx, [found.createdById]) : new Map<string, string>()
    await recordAudit(tx, actor, {
      action: 'consultation',
      recordType: RECORD_TYPE,
      recordId: id,
      purpose,
      detail: links.length > 0 ? { links: links.map((l) => l.id), linked: [...new Set(links.map((l) => l.other.id))] } : {},
    })
    const { createdById, ...rest } = found
    return {
      ...rest,
      createdBy: (createdById && users.get(createdById)) ?? 'Unknown user',
      links: links.map((l): LinkOut => ({ ...l, phrase: linkPhrase(l.linkType, l.direction === 'outgoing' ? 'subject' : 'object') }) as LinkOut),
      ...seen,
    } as EntityOut
  })
  if (!entity) throw new NotFoundError('Record')
  return entity
}

/** Changes what an entity says, its purpose and review date; only its owning agency may. */
export async function updateEntity(db: Database, actor: Actor, id: string, raw: unknown): Promise<void> {
  must(actor, 'records.write', 'Your role cannot change people or entities')
  const input = parseInput(EntityUpdate, raw)
  await asUser(db, actor, async (tx) => {
    const before = await q.findVisibleEntity(tx, actor, id)
    if (!before) throw new NotFoundError('Record')
    if (before.owningAgencyId !== actor.agencyId) throw new ForbiddenError('Only the agency that holds a record can change it')
    if (before.schema !== input.schema) {
      throw new ValidationError([{ field: 'schema', message: `This record is a ${before.schema}: its kind cannot change. Record a new one instead.` }])
    }
    const content = contentOf(input)
    if (!(await q.updateEntity(tx, id, input.rowVersion, content, input, actor.userId))) {
      throw new ConflictError('Someone else changed this record while you were editing it. Reload the page to see their changes, then make yours again.')
    }
    const previous = before.properties as Record<string, unknown>
    const changed = Object.keys(content).filter((k) => k !== 'schema' && JSON.stringify(previous[k] ?? null) !== JSON.stringify(content[k] ?? null))
    if (before.purpose !== input.purpose) changed.push('purpose')
    if (before.reviewDate !== input.reviewDate) changed.push('reviewDate')
    const role = roleOf(input)
    await recordAudit(tx, actor, {
      action: 'alteration',
      recordType: RECORD_TYPE,
      recordId: id,
      purpose: input.purpose,
      // A change of role (victim to suspect, say) is named, so it can be reviewed.
      detail: { changed, ...(role && before.personRole !== role ? { personRole: role, previousPersonRole: before.personRole } : {}) },
    })
  })
}

/** The entity's current content and record fields, for its edit form. */
export async function entityForEditing(db: Database, actor: Actor, id: string): Promise<Record<string, unknown> & { id: string; schema: EntitySchema; caption: string; rowVersion: number }> {
  must(actor, 'records.write', 'Your role cannot change people or entities')
  return asUser(db, actor, async (tx) => {
    const found = await q.findVisibleEntity(tx, actor, id)
    if (!found) {
      await records.recordRefusal(tx, actor, ENTITY_KIND, id, 'Changing a person or entity')
      return null
    }
    if (found.owningAgencyId !== actor.agencyId) throw new ForbiddenError('Only the agency that holds a record can change it')
    await recordAudit(tx, actor, { action: 'consultation', recordType: RECORD_TYPE, recordId: id, purpose: 'Changing a person or entity' })
    return { ...(found.properties as Record<string, unknown>), id, schema: found.schema, caption: found.caption, purpose: found.purpose, reviewDate: found.reviewDate, rowVersion: found.rowVersion }
  }).then((r) => {
    if (!r) throw new NotFoundError('Record')
    return r
  })
}

/** Erases an entity and the links to and from it (owning agency only, with a reason). */
export async function eraseEntity(db: Database, actor: Actor, id: string, raw: unknown): Promise<void> {
  must(actor, 'records.erase', 'Your role cannot erase people or entities')
  const { reason } = parseInput(RemovalInput, typeof raw === 'string' ? { reason: raw } : raw)
  await asUser(db, actor, async (tx) => {
    const entity = await q.findVisibleEntity(tx, actor, id)
    if (!entity) throw new NotFoundError('Record')
    if (entity.owningAgencyId !== actor.agencyId) throw new ForbiddenError('Only the agency that holds a record can erase it')
    // Erasing would take other agencies' links, memberships and mentions with it (they cascade),
    // some of which this user cannot even see: those agencies must let go of them first.
    const held = await withOwnerPrivileges(tx, () => q.othersDependingOn(tx, id, actor.agencyId))
    if (held.total > 0) {
      throw new ConflictError(
        `Other agencies' records point at this record (${held.links} link(s), ${held.groups} group membership(s) or holding(s), ${held.mentions} intelligence mention(s)). ` +
          'Ask them to remove those first, or correct the record instead of erasing it.',
      )
    }
    const links = await q.visibleLinksOf(tx, actor, id)
    for (const link of links) {
      if (link.owningAgencyId === actor.agencyId) await records.forgetAccess(tx, LINK_KIND, link.id)
    }
    await records.forgetAccess(tx, ENTITY_KIND, id)
    // Links go with the entity (ON DELETE CASCADE); each one this user could see is logged too.
    await q.deleteEntity(tx, id)
    await recordAudit(tx, actor, { action: 'erasure', recordType: RECORD_TYPE, recordId: id, purpose: reason, detail: { schema: entity.schema, links: links.map((l) => l.id) } })
    for (const link of links) {
      await recordAudit(tx, actor, { action: 'erasure', recordType: LINK_RECORD_TYPE, recordId: link.id, purpose: reason, detail: { withEntity: id } })
    }
  })
}

export const changeSharing = (db: Database, actor: Actor, id: string, raw: unknown) => records.changeSharing(db, actor, ENTITY_KIND, id, raw)
export const grantAccess = (db: Database, actor: Actor, id: string, raw: unknown, now: Date) => records.grantAccess(db, actor, ENTITY_KIND, id, raw, now)
export const revokeAccess = (db: Database, actor: Actor, id: string, grantId: string) => records.revokeAccess(db, actor, ENTITY_KIND, id, grantId)

/**
 * Entities the actor may see that could be linked to this one (recently changed first), for the
 * page's "add a link" choice. Offering them names them, so it is logged as a consultation.
 */
export async function linkChoices(db: Database, actor: Actor, entity: { id: string; schema: EntitySchema }, limit = 50) {
  if (!actor.capabilities.includes('records.write')) return []
  return asUser(db, actor, async (tx) => {
    const rows = await q.recentVisibleEntities(tx, actor, linkableSchemas(entity.schema), entity.id, limit)
    if (rows.length > 0) {
      await recordAudit(tx, actor, { action: 'consultation', recordType: RECORD_TYPE, purpose: 'Choosing an entity to link', detail: { shown: rows.map((r) => r.id) } })
    }
    return rows
  })
}

// ---------------------------------------------------------------------------------------------
// Links.

type LinkOutcome = { id: string } | { issues: FieldIssue[] }

/**
 * Adds a typed link between two entities. Both ends must exist and be visible to the actor, the
 * schemas must suit the link type, and the same link must not be recorded twice; otherwise each
 * problem is named on its field and nothing is saved (a refused look at an unseen end is logged).
 */
export async function addLinkInTx(tx: Tx, actor: Actor, input: LinkInput): Promise<LinkOutcome> {
  must(actor, 'records.write', 'Your role cannot link people or entities')
  if (input.sharingScope !== 'agency') must(actor, 'records.share', 'Your role cannot share records beyond your agency')
  const issues: FieldIssue[] = [...linkShapeProblems(input)]
  const ends = await q.visibleSchemas(tx, actor, [input.subjectId, input.objectId])
  for (const field of ['subjectId', 'objectId'] as const) {
    if (!ends.has(input[field])) {
      await records.recordRefusal(tx, actor, ENTITY_KIND, input[field], 'Linking people and entities')
      issues.push({ field, message: 'There is no person or entity with this id that you are permitted to see' })
    }
  }
  const subject = ends.get(input.subjectId)
  const object = ends.get(input.objectId)
  if (subject && object) issues.push(...linkRuleProblems(input.linkType, subject.schema, object.schema))
  if (input.sourceIntelligenceId && !(await q.intelligenceVisible(tx, actor, input.sourceIntelligenceId))) {
    issues.push({ field: 'sourceIntelligenceId', message: 'There is no intelligence record with this id that you are permitted to see' })
  }
  try {
    await records.checkHandling(tx, actor, input, LINK_KIND.noun)
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    issues.push(...error.issues)
  }
  if (issues.length > 0) return { issues }
  const already = `${subject!.caption} and ${object!.caption} are already linked as "${LINK_TYPE_RULES[input.linkType].label}"${input.startDate ? ` from ${input.startDate}` : ''}`
  if (await q.findSameLink(tx, actor, input, isSymmetricLink(input.linkType))) return { issues: [{ field: 'objectId', message: already }] }
  const id = await q.insertLink(tx, input, actor.agencyId, actor.userId)
  // The unique index also holds links this user cannot see; the answer is the same.
  if (!id) return { issues: [{ field: 'objectId', message: `${already} in a record another agency holds` }] }
  const purpose = `Recording a link: ${input.sourceReference}`
  await records.recordCollected(tx, actor, LINK_KIND, id, { ...input, purpose }, { linkType: input.linkType, subjectId: input.subjectId, objectId: input.objectId })
  // Linking two records about people combines them (DPA 2018 s.62(1)(f)).
  await recordAudit(tx, actor, { action: 'combination', recordType: LINK_RECORD_TYPE, recordId: id, purpose, recipients: [], detail: { linkType: input.linkType, entities: [input.subjectId, input.objectId] } })
  return { id }
}

export async function addLink(db: Database, actor: Actor, raw: unknown, atEntityId?: string): Promise<string> {
  must(actor, 'records.write', 'Your role cannot link people or entities')
  const input = parseLinkInput(raw)
  if (atEntityId && input.subjectId !== atEntityId && input.objectId !== atEntityId) {
    throw new ValidationError([{ field: 'subjectId', message: 'A link added here must start from or go to this record' }])
  }
  // Refusals are committed even when the link is refused; the link itself is not saved.
  const outcome = await asUser(db, actor, (tx) => addLinkInTx(tx, actor, input))
  if ('issues' in outcome) throw new ValidationError(outcome.issues)
  return outcome.id
}

/** Removes a link (its owning agency only), with a reason. */
export async function removeLink(db: Database, actor: Actor, entityId: string, linkId: string, raw: unknown): Promise<void> {
  must(actor, 'records.write', 'Your role cannot remove links')
  const { reason } = parseInput(RemovalInput, raw)
  await asUser(db, actor, async (tx) => {
    const link = await q.findVisibleLink(tx, actor, linkId)
    if (!link || (link.subject_id !== entityId && link.object_id !== entityId)) throw new NotFoundError('Link')
    if (link.owning_agency_id !== actor.agencyId) throw new ForbiddenError('Only the agency that recorded a link can remove it')
    await records.forgetAccess(tx, LINK_KIND, linkId)
    if (!(await q.deleteLink(tx, linkId))) throw new NotFoundError('Link')
    await recordAudit(tx, actor, { action: 'erasure', recordType: LINK_RECORD_TYPE, recordId: linkId, purpose: reason, detail: { linkType: link.link_type, entities: [link.subject_id, link.object_id] } })
  })
}

// ---------------------------------------------------------------------------------------------
// For other modules, in the caller's transaction (opened with asUser). The caller logs what it
// shows: these only read.

/** Short descriptions of the entities the current user may see, of those asked about (RLS + visibleTo). */
export async function entitySummaries(tx: Tx, ids: readonly string[]): Promise<Map<string, EntitySummary>> {
  if (ids.length === 0) return new Map()
  const viewer = await q.viewerOfTransaction(tx)
  const rows = await q.summariesOf(tx, viewer, ids)
  return new Map(rows.map((r) => [r.id, r]))
}

/** How many links the current user may see from or to each entity, both directions together. */
export async function linkCounts(tx: Tx, personIds: readonly string[]): Promise<Map<string, number>> {
  if (personIds.length === 0) return new Map()
  return q.visibleLinkCounts(tx, await q.viewerOfTransaction(tx), personIds)
}

/**
 * Fuzzy search over the entities the viewer may see, best match first: trigram word similarity of
 * names and aliases (either word order) and other words, exact dates of birth found in the text,
 * and registrations, phone numbers, postcodes and company numbers normalised before matching.
 *
 * Row-level security stops PostgreSQL using an index for any condition that is not leakproof, and
 * pg_trgm's operators are not, so under the user's role a trigram search reads every row (over a
 * second at national scale). The candidates are therefore found with the owner's privileges, through
 * entities_search_trgm_idx, under the visibility rule in SQL; only their ids and scores leave that
 * step, and the rows shown are read back as the user, where row-level security applies again. Do not
 * run other queries on the same transaction while this one is in flight.
 */
export async function searchEntities(
  tx: Tx,
  viewer: Viewer,
  query: { text: string; schemas?: EntitySchema[]; limit: number },
): Promise<Array<EntitySummary & { similarity: number; matchedOn: string }>> {
  const terms = searchTermsOf(query.text)
  const schemas = query.schemas ?? [...ENTITY_SCHEMAS]
  if (isEmptySearch(terms) || schemas.length === 0 || query.limit <= 0) return []
  const candidates = await withOwnerPrivileges(tx, () => q.searchCandidates(tx, viewer, { ...terms, schemas, limit: query.limit }, SOUNDS_ALIKE_SCORE), {
    // What `<%` lets through (pg_trgm's own default is 0.6).
    'pg_trgm.word_similarity_threshold': { value: String(NAME_SIMILARITY_THRESHOLD), otherwise: '0.6' },
  })
  const summaries = new Map((await q.summariesOf(tx, viewer, candidates.map((c) => c.id))).map((s) => [s.id, s]))
  return candidates.flatMap((c) => {
    const s = summaries.get(c.id)
    return s ? [{ ...s, similarity: Math.round(c.score * 1000) / 1000, matchedOn: matchedOn(s.schema, c, terms) }] : []
  })
}

// ---------------------------------------------------------------------------------------------
// Bulk loads (demonstration data, benchmarks, imports). Not audited row by row: the caller logs the
// load as a whole.

export type EntityRowInput = EntityInput & { id: string; owningAgencyId: string; createdBy: string | null; createdAt?: string }
export type LinkRowInput = LinkInput & { id: string; owningAgencyId: string; createdBy: string | null; createdAt?: string }

/**
 * Loads many entities with their named shares: numbers, marks and codes normalised as a form would
 * store them; caption, names, search text and lifted columns computed.
 */
export async function insertEntities(tx: Tx, rows: readonly EntityRowInput[]): Promise<void> {
  await q.insertEntityRows(tx, rows as unknown as q.EntityRowInput[], (r) => {
    const { id: _id, owningAgencyId: _owner, createdBy: _by, createdAt: _at, ...input } = r as unknown as EntityRowInput
    return normaliseProperties(contentOf(input as EntityInput))
  })
  await records.insertShares(tx, ENTITY_KIND, rows)
}

/** Loads many links with their named shares. */
export async function insertLinks(tx: Tx, rows: readonly LinkRowInput[]): Promise<void> {
  await q.insertLinkRows(tx, rows)
  await records.insertShares(tx, LINK_KIND, rows)
}
