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

export type Position = { longitude: number; latitude: number; lsoa_code: string }
export type CrimePosition = Position & { crime_type: string }

/**
 * Where the street-level records of the area's LSOAs in the period were recorded (the anonymous
 * nearby points data.police.uk publishes), of the given crime types or of all of them.
 */
export async function crimePositions(db: Queryable, areaCode: string, from: string, to: string, crimeTypes: readonly string[] | null): Promise<CrimePosition[]> {
  const { rows } = await sql<CrimePosition>`
    SELECT c.longitude, c.latitude, c.lsoa_code, c.crime_type FROM street_crimes c
    WHERE c.lsoa_code IN (SELECT lsoa_code FROM area_lsoas WHERE area_code = ${areaCode})
      AND c.month BETWEEN ${`${from}-01`}::date AND ${`${to}-01`}::date
      AND c.longitude IS NOT NULL
      ${crimeTypes === null ? sql`` : sql`AND c.crime_type = ANY(${[...crimeTypes]}::text[])`}`.execute(db)
  return rows
}

/** Where the stop and searches placed in the area's LSOAs in the period took place. */
export async function stopSearchPositions(db: Queryable, areaCode: string, from: string, to: string): Promise<Position[]> {
  const { rows } = await sql<Position>`
    SELECT s.longitude, s.latitude, s.lsoa_code FROM stop_searches s
    WHERE s.lsoa_code IN (SELECT lsoa_code FROM area_lsoas WHERE area_code = ${areaCode})
      AND s.month BETWEEN ${`${from}-01`}::date AND ${`${to}-01`}::date
      AND s.longitude IS NOT NULL`.execute(db)
  return rows
}
