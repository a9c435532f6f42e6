import { sql } from 'kysely'
import type { Queryable } from '../../db/context.ts'
export { crimePositions, findArea, type AreaRow, lsoaGeometries, type GeometryRow } from '../opendata/areaReads.ts'

// The profile reads the public data the opendata module imports (areas, street_crimes,
// stop_searches, deprivation). It is published data under the Open Government Licence, not
// personal data, so no visibility rule applies to it; a profile's own record (versions and
// narrative) is another matter.

export type LsoaRow = { code: string; name: string | null; has_geometry: boolean }

/** The LSOAs an area is made of, with the names the boundaries gave them. */
export async function lsoasOf(db: Queryable, areaCode: string): Promise<LsoaRow[]> {
  const { rows } = await sql<LsoaRow>`
    SELECT m.lsoa_code AS code, a.name, a.geometry IS NOT NULL AS has_geometry
    FROM area_lsoas m LEFT JOIN areas a ON a.code = m.lsoa_code
    WHERE m.area_code = ${areaCode}
    ORDER BY m.lsoa_code`.execute(db)
  return rows
}

export type CountRow = { lsoa_code: string; month: string; crime_type: string; n: number }

/**
 * Street-level counts by LSOA, month and crime type over the area's LSOAs, from one month to
 * another. Every column is in street_crimes_lsoa_idx, so the server reads the index alone, in
 * order (the LSOA names come from the areas instead: asking for them here made it read the whole
 * table, 22 s against 5 s over a national year, bench/README.md).
 */
export async function crimeCounts(db: Queryable, areaCode: string, from: string, to: string): Promise<CountRow[]> {
  const { rows } = await sql<CountRow>`
    SELECT c.lsoa_code, to_char(c.month, 'YYYY-MM') AS month, c.crime_type, count(*)::int AS n
    FROM street_crimes c
    WHERE c.lsoa_code IN (SELECT lsoa_code FROM area_lsoas WHERE area_code = ${areaCode})
      AND c.month BETWEEN ${`${from}-01`}::date AND ${`${to}-01`}::date
    GROUP BY c.lsoa_code, c.month, c.crime_type`.execute(db)
  return rows
}

/** The forces whose data covers the area's LSOAs, and the months each has loaded in the range. */
export async function monthsLoaded(db: Queryable, areaCode: string, from: string, to: string): Promise<{ forces: string[]; months: string[] }> {
  const { rows } = await sql<{ falls_within: string; month: string }>`
    WITH forces AS (
      SELECT DISTINCT c.falls_within FROM street_crimes c
      WHERE c.lsoa_code IN (SELECT lsoa_code FROM area_lsoas WHERE area_code = ${areaCode})
    )
    SELECT DISTINCT c.falls_within, to_char(c.month, 'YYYY-MM') AS month
    FROM street_crimes c JOIN forces f ON f.falls_within = c.falls_within
    WHERE c.month BETWEEN ${`${from}-01`}::date AND ${`${to}-01`}::date`.execute(db)
  return { forces: [...new Set(rows.map((r) => r.falls_within))].sort(), months: [...new Set(rows.map((r) => r.month))].sort() }
}

/** Records of the given forces in the range with no location. */
export async function withoutLocation(db: Queryable, forces: readonly string[], from: string, to: string): Promise<number> {
  if (forces.length === 0) return 0
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM street_crimes
    WHERE falls_within = ANY(${[...forces]}::text[]) AND lsoa_code IS NULL
      AND month BETWEEN ${`${from}-01`}::date AND ${`${to}-01`}::date`.execute(db)
  return rows[0]?.n ?? 0
}

export type DeprivationRow = { lsoa_code: string; lsoa_name: string; imd_decile: number | null; population: number | null }

export async function deprivationOf(db: Queryable, areaCode: string): Promise<DeprivationRow[]> {
  const { rows } = await sql<DeprivationRow>`
    SELECT d.lsoa_code, d.lsoa_name, d.imd_decile, d.population
    FROM deprivation d
    WHERE d.lsoa_code IN (SELECT lsoa_code FROM area_lsoas WHERE area_code = ${areaCode})`.execute(db)
  return rows
}

export type StopSearchRow = { object_of_search: string | null; outcome: string | null; n: number }

export async function stopSearchCounts(db: Queryable, areaCode: string, from: string, to: string): Promise<StopSearchRow[]> {
  const { rows } = await sql<StopSearchRow>`
    SELECT s.object_of_search, s.outcome, count(*)::int AS n FROM stop_searches s
    WHERE s.lsoa_code IN (SELECT lsoa_code FROM area_lsoas WHERE area_code = ${areaCode})
      AND s.month BETWEEN ${`${from}-01`}::date AND ${`${to}-01`}::date
    GROUP BY 1, 2`.execute(db)
  return rows
}
