import { sql } from 'kysely'
import type { Queryable } from '../../db/context.ts'
export { findArea, type AreaRow, lsoaGeometries, type GeometryRow } from '../opendata/areaReads.ts'
import type { AreaRow } from '../opendata/areaReads.ts'

// The map reads the public data the opendata module imports (areas, area_lsoas, street_crimes,
// deprivation), as the profile does: published under the Open Government Licence, not personal
// data, so no visibility rule applies to it. Every query is over one area's LSOAs (area_lsoas).

/** Areas larger than an LSOA with at least one LSOA boundary loaded: the areas a map can draw. */
export async function mappableAreas(db: Queryable): Promise<AreaRow[]> {
  const { rows } = await sql<AreaRow>`
    SELECT a.code, a.level, a.name FROM areas a
    WHERE a.level <> 'lsoa' AND a.code IN (
      SELECT m.area_code FROM areas l JOIN area_lsoas m ON m.lsoa_code = l.code
      WHERE l.level = 'lsoa' AND l.geometry IS NOT NULL)
    ORDER BY a.name, a.code`.execute(db)
  return rows
}

export type LsoaRow = { code: string; name: string | null; has_geometry: boolean; population: number | null; imd_decile: number | null; imd_name: string | null }

/** The area's LSOAs with their names, whether a boundary is loaded, and their IMD decile and population. */
export async function lsoasOf(db: Queryable, areaCode: string): Promise<LsoaRow[]> {
  const { rows } = await sql<LsoaRow>`
    SELECT m.lsoa_code AS code, a.name, a.geometry IS NOT NULL AS has_geometry, d.population, d.imd_decile, d.lsoa_name AS imd_name
    FROM area_lsoas m
    LEFT JOIN areas a ON a.code = m.lsoa_code
    LEFT JOIN deprivation d ON d.lsoa_code = m.lsoa_code
    WHERE m.area_code = ${areaCode}
    ORDER BY m.lsoa_code`.execute(db)
  return rows
}

/** Months with street-level records in the area's LSOAs, ascending. */
export async function monthsLoaded(db: Queryable, areaCode: string): Promise<string[]> {
  const { rows } = await sql<{ month: string }>`
    SELECT to_char(c.month, 'YYYY-MM') AS month FROM street_crimes c
    WHERE c.lsoa_code IN (SELECT lsoa_code FROM area_lsoas WHERE area_code = ${areaCode})
    GROUP BY c.month ORDER BY c.month`.execute(db)
  return rows.map((r) => r.month)
}

export type CountRow = { lsoa_code: string; crime_type: string; n: number }

/** Street-level records by LSOA and crime type over the area's LSOAs, from one month to another. */
export async function crimeCounts(db: Queryable, areaCode: string, from: string, to: string): Promise<CountRow[]> {
  const { rows } = await sql<CountRow>`
    SELECT c.lsoa_code, c.crime_type, count(*)::int AS n FROM street_crimes c
    WHERE c.lsoa_code IN (SELECT lsoa_code FROM area_lsoas WHERE area_code = ${areaCode})
      AND c.month BETWEEN ${`${from}-01`}::date AND ${`${to}-01`}::date
    GROUP BY c.lsoa_code, c.crime_type`.execute(db)
  return rows
}
