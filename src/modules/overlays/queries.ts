import { sql } from 'kysely'
import type { Viewer } from '../../core/access/visibility.ts'
import type { PlacedArea } from '../../core/geo/pointInPolygon.ts'
import type { AreaGeometry, Bbox } from '../../core/opendata/geometry.ts'
import type { Queryable, Tx } from '../../db/context.ts'
import { visibleTo } from '../../db/visibility.ts'
export { findArea, type AreaRow } from '../opendata/areaReads.ts'

// The SQL of overlays. Partner points (overlay_points) are this module's own table. The group
// layers read the groups register and the entities it points at (ocgs, ocg_members, ocg_holdings,
// entities, entity_links) directly, as one aggregate statement each under the viewer's row-level
// security, with the visibility rule applied in the SQL as well: the groups module's service has
// no function that returns locations without returning the records, and asking it for every
// member would put names and ids in this module's hands for nothing. Only positions leave these
// queries, never an id or a name.

export const RECORD_TYPE = 'overlay_point'

/** The LSOAs an area is made of, with their names, and the box around their boundaries (null when none has one). */
export async function areaLsoas(db: Queryable, code: string): Promise<{ lsoas: Array<{ code: string; name: string }>; box: Bbox | null }> {
  const { rows } = await sql<{ code: string; name: string; w: number | null; s: number | null; e: number | null; n: number | null }>`
    SELECT m.lsoa_code AS code, coalesce(l.name, m.lsoa_code) AS name, l.bbox[1] AS w, l.bbox[2] AS s, l.bbox[3] AS e, l.bbox[4] AS n
    FROM area_lsoas m LEFT JOIN areas l ON l.code = m.lsoa_code
    WHERE m.area_code = ${code} ORDER BY m.lsoa_code`.execute(db)
  let box: Bbox | null = null
  for (const r of rows) {
    if (r.w === null || r.s === null || r.e === null || r.n === null) continue
    box = box ? [Math.min(box[0], r.w), Math.min(box[1], r.s), Math.max(box[2], r.e), Math.max(box[3], r.n)] : [r.w, r.s, r.e, r.n]
  }
  return { lsoas: rows.map((r) => ({ code: r.code, name: r.name })), box }
}

/** The boundaries of an area's LSOAs, to place positions given without an LSOA. */
export async function areaLsoaBoundaries(db: Queryable, code: string): Promise<PlacedArea[]> {
  const { rows } = await sql<{ code: string; geometry: AreaGeometry; bbox: number[] | null }>`
    SELECT l.code, l.geometry, l.bbox FROM area_lsoas m JOIN areas l ON l.code = m.lsoa_code
    WHERE m.area_code = ${code} AND l.level = 'lsoa' AND l.geometry IS NOT NULL`.execute(db)
  return rows.map((r) => ({ code: r.code, geometry: r.geometry, ...(r.bbox ? { bbox: r.bbox.map(Number) as Bbox } : {}) }))
}

/** Where a record is: its LSOA, or its position when it has no LSOA. */
export type Location = { lsoa: string | null; lon: number | null; lat: number | null }

const visibleEntities = (tx: Tx, viewer: Viewer) => tx.selectFrom('entities').select('entities.id').where(visibleTo(viewer, 'entity', 'entities'))
const visibleGroups = (tx: Tx, viewer: Viewer) => tx.selectFrom('ocgs').select('ocgs.id').where(visibleTo(viewer, 'group', 'ocgs'))
const visibleLinks = (tx: Tx, viewer: Viewer) => tx.selectFrom('entity_links').select('entity_links.id').where(visibleTo(viewer, 'entity_link', 'entity_links'))

/** Only locations in the area: an LSOA of it, or (with no LSOA) a position inside its box. */
function inArea(areaCode: string, box: Bbox | null) {
  const positioned = box
    ? sql`OR (x.lsoa IS NULL AND x.lat IS NOT NULL AND x.lon BETWEEN ${box[0]}::float8 AND ${box[2]}::float8 AND x.lat BETWEEN ${box[1]}::float8 AND ${box[3]}::float8)`
    : sql``
  return sql`(x.lsoa IN (SELECT lsoa_code FROM area_lsoas WHERE area_code = ${areaCode}) ${positioned})`
}

/**
 * One location for each person who is now a member of a group the viewer may see (a group not
 * archived; the membership begun and not ended), counted once however many groups they are in:
 * the person's own LSOA or position, or else the address they occupy now (the latest occupancy
 * the viewer may see, of an address with a location).
 */
export async function groupMemberLocations(tx: Tx, viewer: Viewer, areaCode: string, box: Bbox | null): Promise<Location[]> {
  const { rows } = await sql<Location>`
    SELECT x.lsoa, x.lon, x.lat FROM (
      SELECT
        CASE WHEN p.lsoa_code IS NOT NULL OR p.latitude IS NOT NULL THEN p.lsoa_code ELSE home.lsoa_code END AS lsoa,
        CASE WHEN p.lsoa_code IS NOT NULL OR p.latitude IS NOT NULL THEN p.longitude ELSE home.longitude END AS lon,
        CASE WHEN p.lsoa_code IS NOT NULL OR p.latitude IS NOT NULL THEN p.latitude ELSE home.latitude END AS lat
      FROM entities p
      LEFT JOIN LATERAL (
        SELECT a.lsoa_code, a.longitude, a.latitude
        FROM entity_links l JOIN entities a ON a.id = l.object_id
        WHERE l.subject_id = p.id AND l.link_type = 'occupant'
          AND (l.end_date IS NULL OR l.end_date >= current_date)
          AND (a.lsoa_code IS NOT NULL OR a.latitude IS NOT NULL)
          AND l.id IN ${visibleLinks(tx, viewer)} AND a.id IN ${visibleEntities(tx, viewer)}
        ORDER BY l.start_date DESC NULLS LAST, l.created_at DESC
        LIMIT 1
      ) home ON true
      WHERE p.schema = 'Person'
        AND p.id IN ${visibleEntities(tx, viewer)}
        AND p.id IN (
          SELECT m.person_id FROM ocg_members m JOIN ocgs g ON g.id = m.group_id
          WHERE g.status <> 'archived'
            AND (m.end_date IS NULL OR m.end_date >= current_date) AND (m.start_date IS NULL OR m.start_date <= current_date)
            AND g.id IN ${visibleGroups(tx, viewer)})
    ) x
    WHERE ${inArea(areaCode, box)}`.execute(tx)
  return rows
}

/** One location for each premises a group the viewer may see uses now. */
export async function groupPremisesLocations(tx: Tx, viewer: Viewer, areaCode: string, box: Bbox | null): Promise<Location[]> {
  const { rows } = await sql<Location>`
    SELECT x.lsoa, x.lon, x.lat FROM (
      SELECT e.lsoa_code AS lsoa, e.longitude AS lon, e.latitude AS lat
      FROM entities e
      WHERE e.schema = 'Address'
        AND e.id IN ${visibleEntities(tx, viewer)}
        AND e.id IN (
          SELECT h.entity_id FROM ocg_holdings h JOIN ocgs g ON g.id = h.group_id
          WHERE h.kind = 'premises' AND g.status <> 'archived'
            AND (h.end_date IS NULL OR h.end_date >= current_date) AND (h.start_date IS NULL OR h.start_date <= current_date)
            AND g.id IN ${visibleGroups(tx, viewer)})
    ) x
    WHERE ${inArea(areaCode, box)}`.execute(tx)
  return rows
}

/** Partner points the viewer may see in the area's LSOAs, counted by layer and LSOA, and the agencies that supplied them. */
export async function partnerPointCounts(tx: Tx, viewer: Viewer, areaCode: string, layers: readonly string[]): Promise<{ counts: Array<{ layer: string; lsoa: string; n: number }>; suppliers: Array<{ layer: string; agencyId: string }> }> {
  if (layers.length === 0) return { counts: [], suppliers: [] }
  const base = tx
    .selectFrom('overlay_points')
    .where(visibleTo(viewer, RECORD_TYPE, 'overlay_points'))
    .where('overlay_points.layer', 'in', [...layers])
    .where('overlay_points.lsoa_code', 'in', tx.selectFrom('area_lsoas').select('area_lsoas.lsoa_code').where('area_lsoas.area_code', '=', areaCode))
  const counts = await base
    .select(['overlay_points.layer as layer', 'overlay_points.lsoa_code as lsoa', sql<number>`count(*)::int`.as('n')])
    .groupBy(['overlay_points.layer', 'overlay_points.lsoa_code'])
    .execute()
  const suppliers = await base.select(['overlay_points.layer as layer', 'overlay_points.owning_agency_id as agencyId']).distinct().execute()
  return { counts, suppliers }
}

// ---------------------------------------------------------------------------------------------
// Importing partner points

/** Which of these codes are loaded LSOAs. */
export async function loadedLsoas(db: Queryable, codes: readonly string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set()
  const { rows } = await sql<{ code: string }>`SELECT a.code FROM areas a WHERE a.level = 'lsoa' AND a.code IN (SELECT unnest(${sql.val([...codes])}::text[]))`.execute(db)
  return new Set(rows.map((r) => r.code))
}

/** LSOA boundaries whose box meets the given box. */
export async function lsoaBoundariesWithin(db: Queryable, box: Bbox): Promise<PlacedArea[]> {
  const [w, s, e, n] = box
  const { rows } = await sql<{ code: string; geometry: AreaGeometry; bbox: number[] }>`
    SELECT code, geometry, bbox FROM areas
    WHERE level = 'lsoa' AND geometry IS NOT NULL
      AND bbox[1] <= ${e}::float8 AND bbox[3] >= ${w}::float8 AND bbox[2] <= ${n}::float8 AND bbox[4] >= ${s}::float8`.execute(db)
  return rows.map((r) => ({ code: r.code, geometry: r.geometry, bbox: r.bbox.map(Number) as Bbox }))
}

export type PointRow = {
  layer: string
  label: string | null
  latitude: number | null
  longitude: number | null
  lsoaCode: string
  sourceRow: number
}

export type PointHandling = {
  importId: string
  sourceFile: string
  owningAgencyId: string
  purpose: string
  protectiveMarking: string
  handlingCode: string
  handlingConditions: string | null
  sharingScope: string
  reviewDate: string
  createdBy: string
}

/** Inserts the points of one import, a thousand rows a statement; returns their ids. */
export async function insertPoints(tx: Tx, rows: readonly PointRow[], h: PointHandling): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < rows.length; i += 1000) {
    const inserted = await tx
      .insertInto('overlay_points')
      .values(
        rows.slice(i, i + 1000).map((r) => ({
          layer: r.layer,
          label: r.label,
          latitude: r.latitude,
          longitude: r.longitude,
          lsoa_code: r.lsoaCode,
          import_id: h.importId,
          source_file: h.sourceFile,
          source_row: r.sourceRow,
          owning_agency_id: h.owningAgencyId,
          purpose: h.purpose,
          protective_marking: h.protectiveMarking,
          handling_code: h.handlingCode,
          handling_conditions: h.handlingConditions,
          sharing_scope: h.sharingScope,
          review_date: h.reviewDate,
          created_by: h.createdBy,
        })),
      )
      .returning('id')
      .execute()
    ids.push(...inserted.map((r) => r.id))
  }
  return ids
}

/** Deletes an agency's points of a layer, with their named shares; returns how many went. */
export async function deleteAgencyLayer(tx: Tx, agencyId: string, layer: string): Promise<number> {
  const owned = tx.selectFrom('overlay_points').select('overlay_points.id').where('overlay_points.owning_agency_id', '=', agencyId).where('overlay_points.layer', '=', layer)
  await tx.deleteFrom('record_shares').where('record_type', '=', RECORD_TYPE).where('record_id', 'in', owned).execute()
  const result = await tx.deleteFrom('overlay_points').where('owning_agency_id', '=', agencyId).where('layer', '=', layer).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** The layers an agency has supplied: how many points each, and when last imported. */
export async function agencyLayers(tx: Tx, agencyId: string): Promise<Array<{ layer: string; points: number; importedAt: Date }>> {
  return tx
    .selectFrom('overlay_points')
    .select(['layer', sql<number>`count(*)::int`.as('points'), sql<Date>`max(created_at)`.as('importedAt')])
    .where('owning_agency_id', '=', agencyId)
    .groupBy('layer')
    .orderBy('layer')
    .execute()
}
