import { sql } from 'kysely'
import type { Queryable } from '../../db/context.ts'

// Reads of the loaded areas that the profile, map and overlay modules share. Areas are published
// boundaries and lookups (Open Government Licence), not personal data: no visibility rule applies.

export type AreaRow = { code: string; level: string; name: string }

export async function findArea(db: Queryable, code: string): Promise<AreaRow | null> {
  const { rows } = await sql<AreaRow>`SELECT code, level, name FROM areas WHERE code = ${code}`.execute(db)
  return rows[0] ?? null
}

export type GeometryRow = { code: string; name: string; geometry: { type: string; coordinates: unknown } }

/** The area's LSOA boundaries that are loaded, as GeoJSON geometries in WGS84, in code order. */
export async function lsoaGeometries(db: Queryable, areaCode: string): Promise<GeometryRow[]> {
  const { rows } = await sql<GeometryRow>`
    SELECT a.code, a.name, a.geometry FROM areas a
    WHERE a.code IN (SELECT lsoa_code FROM area_lsoas WHERE area_code = ${areaCode}) AND a.geometry IS NOT NULL
    ORDER BY a.code`.execute(db)
  return rows
}
