import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely'
import type { Viewer } from '../../core/access/visibility.ts'
import type { EntityRow, GroupRow, HoldingRow, LinkRow, MatchLinkRow, MembershipRow, MentionRow, NetworkRows } from '../../core/network/assemble.ts'
import type { Tx } from '../../db/context.ts'
import { visibleTo } from '../../db/visibility.ts'

// The network's reads. Every one runs in the user's transaction, so row-level security decides what
// comes back (a link only with both its ends, a membership only with its group and person, a
// mention only with its record); each also applies the visibility rule in its own SQL, as every
// module does, so a policy dropped by mistake cannot widen what the network shows. The tables
// belong to the entities, groups, intelligence and matching modules: the network only reads them.

export const ENTITY_RECORD = 'entity'
export const LINK_RECORD = 'entity_link'
export const GROUP_RECORD = 'group'
export const INTELLIGENCE_RECORD = 'intelligence'
export const DATASET_RECORD = 'match_dataset'
export const NETWORK_RECORD = 'network'

type Table = 'entities' | 'entity_links' | 'ocgs' | 'intelligence_records' | 'match_datasets'
function seen(viewer: Viewer, recordType: string, table: Table): Expression<SqlBool> {
  // visibleTo builds its condition from column references alone; the builder is not consulted.
  return visibleTo(viewer, recordType, table)(undefined as never)
}

const day = (column: RawBuilder<unknown>) => sql<string | null>`to_char(${column}, 'YYYY-MM-DD')`
const uuids = (ids: readonly string[]) => sql`${[...ids]}::uuid[]`
const GRADE = sql`intelligence_records.source_evaluation || intelligence_records.intelligence_assessment::text || intelligence_records.handling_code`

/** How many entities and groups the user may see: the size the hop limit is judged by. */
export async function visibleNodeCount(tx: Tx, viewer: Viewer): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    SELECT (SELECT count(*) FROM entities WHERE ${seen(viewer, ENTITY_RECORD, 'entities')})
      + (SELECT count(*) FROM ocgs WHERE ${seen(viewer, GROUP_RECORD, 'ocgs')}) AS n`.execute(tx)
  return Number(rows[0]?.n ?? 0)
}

export async function entityRows(tx: Tx, viewer: Viewer, ids: readonly string[] | 'all'): Promise<EntityRow[]> {
  if (ids !== 'all' && ids.length === 0) return []
  const { rows } = await sql<EntityRow>`
    SELECT id, schema, caption, person_role AS "personRole", protective_marking AS "protectiveMarking",
      handling_code AS "handlingCode", handling_conditions AS "handlingConditions"
    FROM entities
    WHERE ${seen(viewer, ENTITY_RECORD, 'entities')} ${ids === 'all' ? sql`` : sql`AND id = ANY(${uuids(ids)})`}`.execute(tx)
  return rows
}

export async function groupRows(tx: Tx, viewer: Viewer, ids: readonly string[] | 'all'): Promise<GroupRow[]> {
  if (ids !== 'all' && ids.length === 0) return []
  const { rows } = await sql<GroupRow>`
    SELECT id, name, status, protective_marking AS "protectiveMarking", handling_code AS "handlingCode", handling_conditions AS "handlingConditions"
    FROM ocgs
    WHERE ${seen(viewer, GROUP_RECORD, 'ocgs')} ${ids === 'all' ? sql`` : sql`AND id = ANY(${uuids(ids)})`}`.execute(tx)
  return rows
}

/** What is around some entities and groups (or everything, for the whole network). */
export type Around = { entityIds: readonly string[]; groupIds: readonly string[] } | 'all'

const SHARING_LINKS = sql`ARRAY['occupant', 'owner', 'uses_phone', 'drives_vehicle']::text[]`

/**
 * Typed links touching the entities, and the links by which other people share an address, phone or
 * vehicle with them (so a shared edge is one hop, as it is in the assembled network).
 */
export async function linkRows(tx: Tx, viewer: Viewer, around: Around): Promise<LinkRow[]> {
  if (around !== 'all' && around.entityIds.length === 0) return []
  const ids = around === 'all' ? null : uuids(around.entityIds)
  const where =
    ids === null
      ? sql`true`
      : sql`(entity_links.subject_id = ANY(${ids}) OR entity_links.object_id = ANY(${ids})
          OR (entity_links.link_type = ANY(${SHARING_LINKS}) AND entity_links.object_id IN (
            SELECT mine.object_id FROM entity_links mine WHERE mine.subject_id = ANY(${ids}) AND mine.link_type = ANY(${SHARING_LINKS}))))`
  const { rows } = await sql<LinkRow>`
    SELECT entity_links.id, entity_links.link_type AS "linkType", entity_links.subject_id AS "subjectId", entity_links.object_id AS "objectId",
      ${day(sql`entity_links.start_date`)} AS "startDate", ${day(sql`entity_links.end_date`)} AS "endDate",
      entity_links.handling_code AS "handlingCode", entity_links.handling_conditions AS "handlingConditions",
      (SELECT ${GRADE} FROM intelligence_records
        WHERE intelligence_records.id = entity_links.source_intelligence_id AND ${seen(viewer, INTELLIGENCE_RECORD, 'intelligence_records')}) AS grading
    FROM entity_links
    WHERE ${seen(viewer, LINK_RECORD, 'entity_links')} AND ${where}`.execute(tx)
  return rows
}

export async function membershipRows(tx: Tx, viewer: Viewer, around: Around): Promise<MembershipRow[]> {
  if (around !== 'all' && around.entityIds.length === 0 && around.groupIds.length === 0) return []
  const where = around === 'all' ? sql`true` : sql`(ocg_members.person_id = ANY(${uuids(around.entityIds)}) OR ocg_members.group_id = ANY(${uuids(around.groupIds)}))`
  const { rows } = await sql<MembershipRow>`
    SELECT ocg_members.id, ocg_members.group_id AS "groupId", ocg_members.person_id AS "personId", ocg_members.role,
      ${day(sql`ocg_members.start_date`)} AS "startDate", ${day(sql`ocg_members.end_date`)} AS "endDate",
      ocgs.handling_code AS "handlingCode", ocgs.handling_conditions AS "handlingConditions"
    FROM ocg_members JOIN ocgs ON ocgs.id = ocg_members.group_id
    WHERE ${seen(viewer, GROUP_RECORD, 'ocgs')} AND ${where}`.execute(tx)
  return rows
}

export async function holdingRows(tx: Tx, viewer: Viewer, around: Around): Promise<HoldingRow[]> {
  if (around !== 'all' && around.entityIds.length === 0 && around.groupIds.length === 0) return []
  const where = around === 'all' ? sql`true` : sql`(ocg_holdings.entity_id = ANY(${uuids(around.entityIds)}) OR ocg_holdings.group_id = ANY(${uuids(around.groupIds)}))`
  const { rows } = await sql<HoldingRow>`
    SELECT ocg_holdings.id, ocg_holdings.group_id AS "groupId", ocg_holdings.entity_id AS "entityId", ocg_holdings.kind,
      ${day(sql`ocg_holdings.start_date`)} AS "startDate", ${day(sql`ocg_holdings.end_date`)} AS "endDate",
      ocgs.handling_code AS "handlingCode", ocgs.handling_conditions AS "handlingConditions"
    FROM ocg_holdings JOIN ocgs ON ocgs.id = ocg_holdings.group_id
    WHERE ${seen(viewer, GROUP_RECORD, 'ocgs')} AND ${where}`.execute(tx)
  return rows
}

/** Intelligence records the user may see that mention the entities or groups, with everything each mentions. */
export async function mentionRows(tx: Tx, viewer: Viewer, around: Around): Promise<MentionRow[]> {
  if (around !== 'all' && around.entityIds.length === 0 && around.groupIds.length === 0) return []
  const where =
    around === 'all'
      ? sql`true`
      : sql`intelligence_records.id IN (SELECT m.intelligence_id FROM intelligence_mentions m
          WHERE m.entity_id = ANY(${uuids(around.entityIds)}) OR m.group_id = ANY(${uuids(around.groupIds)}))`
  const { rows } = await sql<MentionRow>`
    SELECT intelligence_records.id AS "intelligenceId", ${day(sql`intelligence_records.reported_on`)} AS "reportedOn", ${GRADE} AS grading,
      intelligence_records.handling_code AS "handlingCode", intelligence_records.handling_conditions AS "handlingConditions",
      array_agg(CASE WHEN mm.entity_id IS NOT NULL THEN 'entity:' || mm.entity_id ELSE 'group:' || mm.group_id END) AS mentioned
    FROM intelligence_records JOIN intelligence_mentions mm ON mm.intelligence_id = intelligence_records.id
    WHERE ${seen(viewer, INTELLIGENCE_RECORD, 'intelligence_records')} AND ${where}
    GROUP BY intelligence_records.id
    HAVING count(*) >= 2`.execute(tx)
  return rows
}

/** Current links from partner records to the entities, with every other entity linked to the same partner record. */
export async function matchRows(tx: Tx, viewer: Viewer, around: Around): Promise<MatchLinkRow[]> {
  if (around !== 'all' && around.entityIds.length === 0) return []
  const where =
    around === 'all'
      ? sql`true`
      : sql`(match_entity_links.dataset_id, match_entity_links.record_id) IN (SELECT x.dataset_id, x.record_id FROM match_entity_links x
          WHERE x.entity_id = ANY(${uuids(around.entityIds)}) AND x.removed_at IS NULL)`
  const { rows } = await sql<MatchLinkRow>`
    SELECT match_entity_links.id, match_entity_links.dataset_id || '/' || match_entity_links.record_id AS "partnerRecord",
      match_entity_links.entity_id AS "entityId", ${day(sql`match_entity_links.linked_at`)} AS "linkedOn",
      match_datasets.handling_code AS "handlingCode", match_datasets.handling_conditions AS "handlingConditions"
    FROM match_entity_links JOIN match_datasets ON match_datasets.id = match_entity_links.dataset_id
    WHERE match_entity_links.removed_at IS NULL AND ${seen(viewer, DATASET_RECORD, 'match_datasets')} AND ${where}`.execute(tx)
  return rows
}

/** Every row of evidence around the entities and groups (not the node rows themselves). */
export async function evidenceAround(tx: Tx, viewer: Viewer, around: Around): Promise<Omit<NetworkRows, 'entities' | 'groups'>> {
  // One after another: a transaction's statements cannot run at once on one connection.
  const links = await linkRows(tx, viewer, around)
  const memberships = await membershipRows(tx, viewer, around)
  const holdings = await holdingRows(tx, viewer, around)
  const mentions = await mentionRows(tx, viewer, around)
  const matches = await matchRows(tx, viewer, around)
  return { links, memberships, holdings, mentions, matches }
}

/** Visible people, groups, phones and addresses whose name or number matches, to start a network from. */
export async function startCandidates(tx: Tx, viewer: Viewer, text: string, limit: number): Promise<Array<{ id: string; kind: string; label: string }>> {
  const like = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  const { rows } = await sql<{ id: string; kind: string; label: string }>`
    (SELECT 'entity:' || id AS id, schema AS kind, caption AS label FROM entities
      WHERE ${seen(viewer, ENTITY_RECORD, 'entities')} AND (lower(caption) LIKE ${like} OR search_text LIKE ${like})
      ORDER BY caption LIMIT ${limit})
    UNION ALL
    (SELECT 'group:' || id, 'Group', name FROM ocgs
      WHERE ${seen(viewer, GROUP_RECORD, 'ocgs')} AND lower(name || ' ' || coalesce(operation_name, '')) LIKE ${like}
      ORDER BY name LIMIT ${limit})`.execute(tx)
  return rows
}

/** Whether an entity or group exists at all, whoever may see it (asked with the owner's privileges, to log a refusal). */
export async function nodeExists(tx: Tx, kind: 'entity' | 'group', id: string): Promise<boolean> {
  const { rows } = kind === 'entity'
    ? await sql`SELECT 1 FROM entities WHERE id = ${id}::uuid`.execute(tx)
    : await sql`SELECT 1 FROM ocgs WHERE id = ${id}::uuid`.execute(tx)
  return rows.length > 0
}
