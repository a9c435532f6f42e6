import { sql } from 'kysely'
import type { AreaGeometry, Bbox } from '../../core/opendata/geometry.ts'
import type { Queryable } from '../../db/context.ts'

// The only SQL of custom areas: rows of level 'custom' in areas and their LSOAs in area_lsoas
// (migration 0015). Areas are public reference data, not personal, and achilles_app may write
// them; every statement here is held to level 'custom', so no import's area can be touched.

export type CustomAreaRow = { code: string; name: string; lsoaCount: number; createdBy: string | null; createdByName: string | null; updatedAt: Date }

export async function listCustomAreas(db: Queryable): Promise<CustomAreaRow[]> {
  const { rows } = await sql<CustomAreaRow>`
    SELECT a.code, a.name, a.created_by AS "createdBy", NULL::text AS "createdByName", a.updated_at AS "updatedAt",
      (SELECT count(*)::int FROM area_lsoas m WHERE m.area_code = a.code) AS "lsoaCount"
    FROM areas a WHERE a.level = 'custom'
    ORDER BY lower(a.name), a.code`.execute(db)
  return rows
}

export type CustomAreaDetail = CustomAreaRow & { geometry: AreaGeometry | null; bbox: Bbox | null; lsoas: Array<{ code: string; name: string }> }

export async function findCustomArea(db: Queryable, code: string): Promise<CustomAreaDetail | null> {
  const { rows } = await sql<Omit<CustomAreaDetail, 'lsoas' | 'lsoaCount' | 'createdByName'>>`
    SELECT code, name, geometry, bbox, created_by AS "createdBy", updated_at AS "updatedAt"
    FROM areas WHERE code = ${code} AND level = 'custom'`.execute(db)
  const area = rows[0]
  if (!area) return null
  const members = await sql<{ code: string; name: string }>`
    SELECT m.lsoa_code AS code, coalesce(l.name, m.lsoa_code) AS name
    FROM area_lsoas m LEFT JOIN areas l ON l.code = m.lsoa_code
    WHERE m.area_code = ${code} ORDER BY m.lsoa_code`.execute(db)
  return { ...area, bbox: area.bbox ? (area.bbox.map(Number) as Bbox) : null, createdByName: null, lsoaCount: members.rows.length, lsoas: members.rows }
}

/** Loaded LSOAs whose point inside lies in the box: the candidates for a shape's membership. */
export async function lsoaPointsWithin(db: Queryable, box: Bbox): Promise<Array<{ code: string; lon: number; lat: number }>> {
  const [w, s, e, n] = box
  const { rows } = await sql<{ code: string; lon: number; lat: number }>`
    SELECT code, centroid_lon AS lon, centroid_lat AS lat FROM areas
    WHERE level = 'lsoa' AND centroid_lon BETWEEN ${w}::float8 AND ${e}::float8 AND centroid_lat BETWEEN ${s}::float8 AND ${n}::float8`.execute(db)
  return rows
}

export async function countLoadedLsoas(db: Queryable): Promise<{ all: number; placed: number }> {
  const { rows } = await sql<{ all: number; placed: number }>`
    SELECT count(*)::int AS all, count(centroid_lon)::int AS placed FROM areas WHERE level = 'lsoa'`.execute(db)
  return rows[0] ?? { all: 0, placed: 0 }
}

export async function insertCustomArea(
  db: Queryable,
  a: { name: string; geometry: AreaGeometry; bbox: Bbox; centroid: [number, number]; lsoas: readonly string[]; createdBy: string },
): Promise<string> {
  const { rows } = await sql<{ code: string }>`
    INSERT INTO areas (code, level, name, geometry, bbox, centroid_lon, centroid_lat, created_by)
    VALUES ('custom-' || nextval('custom_area_numbers'), 'custom', ${a.name}, ${JSON.stringify(a.geometry)}::jsonb,
      ARRAY[${a.bbox[0]}::float8, ${a.bbox[1]}::float8, ${a.bbox[2]}::float8, ${a.bbox[3]}::float8],
      ${a.centroid[0]}::float8, ${a.centroid[1]}::float8, ${a.createdBy})
    RETURNING code`.execute(db)
  const code = rows[0]!.code
  await sql`INSERT INTO area_lsoas (area_code, lsoa_code) SELECT ${code}, c FROM unnest(${sql.val([...a.lsoas])}::text[]) AS u(c)`.execute(db)
  return code
}

/** Deletes a custom area (its LSOA membership goes with it); false when there was none. */
export async function deleteCustomArea(db: Queryable, code: string): Promise<boolean> {
  const result = await sql`DELETE FROM areas WHERE code = ${code} AND level = 'custom'`.execute(db)
  return Number(result.numAffectedRows ?? 0) === 1
}
