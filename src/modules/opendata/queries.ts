import { sql, type RawBuilder } from 'kysely'
import type { AreaGeometry, Bbox } from '../../core/opendata/geometry.ts'
import type { StopSearchRow } from '../../core/opendata/stopSearch.ts'
import type { StreetCrimeRow } from '../../core/opendata/streetCrime.ts'
import type { DeprivationFileKind, DeprivationRow } from '../../core/opendata/deprivation.ts'
import type { AreaLevel } from '../../core/opendata/codes.ts'
import type { Database } from '../../db/connection.ts'
import type { Queryable } from '../../db/context.ts'

// The only SQL on the public-data tables. Imports run as the owner (asSystem): the data is
// published, not personal, and achilles_app may only read it.
//
// Rows go in as one INSERT per batch of thousands, each column sent as ONE text parameter, its
// values joined by the unit separator (U+001F) and split again by string_to_array, with the empty
// string read as NULL: INSERT … SELECT * FROM unnest(string_to_array($1, chr(31), ''), …).
// node-postgres would otherwise write each JS array as an array literal, quoting and escaping every
// value, which cost a third of the Node process's time per row (measured: 1.5 s against 0.5 s of
// CPU for the 188,175 Leicestershire rows, bench/README.md); the values never hold the separator,
// since the readers refuse control characters. The same statement runs on PGlite.

const column = (values: readonly string[]) => sql`string_to_array(${values.join('\u001f')}, chr(31), '')`
// A list of codes is joined as a table (unnest … AS c(code)) rather than tested with = ANY(…):
// the planner may evaluate and sort an ANY array once for every row of the other side of a join,
// which took 21 s on PGlite to delete from an empty table with the 34,753 LSOAs of the lookups.

// ---------------------------------------------------------------------------------------------
// Import runs

/** Imports of one kind wait for each other, so two loads of the same month cannot both keep theirs. */
export async function lockKind(db: Queryable, kind: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${7411900100 + (KIND_LOCKS[kind] ?? 0)}::bigint)`.execute(db)
}
// Boundaries and lookups share one lock: both rewrite which LSOAs make up which areas.
const KIND_LOCKS: Record<string, number> = { 'police-crime': 1, 'stop-search': 2, boundaries: 3, imd: 4, lookups: 3 }

export async function insertRun(db: Queryable, r: { id: string; kind: string; sources: string[]; importedBy: string; outcome?: 'loaded' | 'refused' }): Promise<void> {
  await db
    .insertInto('open_data_imports')
    .values({ id: r.id, kind: r.kind, outcome: r.outcome ?? 'loaded', sources: r.sources, rows_read: 0, rows_loaded: 0, rows_rejected: 0, imported_by: r.importedBy })
    .execute()
}

export async function finishRun(db: Queryable, id: string, r: { read: number; loaded: number; rejected: number; report: unknown }): Promise<void> {
  await db
    .updateTable('open_data_imports')
    .set({ rows_read: r.read, rows_loaded: r.loaded, rows_rejected: r.rejected, report: JSON.stringify(r.report), finished_at: sql<Date>`clock_timestamp()` })
    .where('id', '=', id)
    .execute()
}

/** After a bulk load: the planner's statistics (autovacuum may be off, or not yet round). */
export async function analyse(db: Database, tables: readonly string[]): Promise<void> {
  for (const t of tables) await sql`ANALYZE ${sql.table(t)}`.execute(db.kysely)
}

// ---------------------------------------------------------------------------------------------
// Areas

/** Every LSOA loaded as an area, from boundaries or lookups. */
export async function lsoaCodes(db: Queryable): Promise<Set<string>> {
  const { rows } = await sql<{ code: string }>`SELECT code FROM areas WHERE level = 'lsoa'`.execute(db)
  return new Set(rows.map((r) => r.code))
}

export type AreaRow = { code: string; level: AreaLevel; name: string; geometry?: AreaGeometry; bbox?: Bbox; centroid?: [number, number] }

/**
 * Adds areas, or renames those already there. With geometry (boundaries), the boundary, box and
 * point inside are replaced too; without (lookups), whatever boundary an area has is kept.
 */
export async function upsertAreas(db: Queryable, areas: readonly AreaRow[], withGeometry: boolean): Promise<void> {
  if (areas.length === 0) return
  const codes = areas.map((a) => a.code)
  const levels = areas.map((a) => a.level)
  const names = areas.map((a) => a.name)
  if (!withGeometry) {
    await sql`INSERT INTO areas (code, level, name)
      SELECT * FROM unnest(${column(codes)}, ${column(levels)}, ${column(names)})
      ON CONFLICT (code) DO UPDATE SET name = excluded.name, updated_at = now()`.execute(db)
    return
  }
  const part = (i: number) => areas.map((a) => String(a.bbox![i]))
  await sql`INSERT INTO areas (code, level, name, geometry, bbox, centroid_lon, centroid_lat)
    SELECT code, level, name, geometry::jsonb, ARRAY[w, s, e, n], lon, lat
    FROM unnest(${column(codes)}, ${column(levels)}, ${column(names)}, ${column(areas.map((a) => JSON.stringify(a.geometry)))},
      ${column(part(0))}::float8[], ${column(part(1))}::float8[], ${column(part(2))}::float8[], ${column(part(3))}::float8[],
      ${column(areas.map((a) => String(a.centroid![0])))}::float8[], ${column(areas.map((a) => String(a.centroid![1])))}::float8[])
      AS u(code, level, name, geometry, w, s, e, n, lon, lat)
    ON CONFLICT (code) DO UPDATE SET name = excluded.name, geometry = excluded.geometry, bbox = excluded.bbox,
      centroid_lon = excluded.centroid_lon, centroid_lat = excluded.centroid_lat, updated_at = now()`.execute(db)
}

/** Codes among these that are already areas of another level (a code names one area only). */
export async function codesAtOtherLevels(db: Queryable, codes: readonly string[], level: AreaLevel): Promise<Array<{ code: string; level: string }>> {
  if (codes.length === 0) return []
  const { rows } = await sql<{ code: string; level: string }>`SELECT a.code, a.level FROM unnest(${column(codes)}) AS c(code) JOIN areas a ON a.code = c.code WHERE a.level <> ${level}`.execute(db)
  return rows
}

/** An LSOA is its own only member, so figures for an LSOA go through the same table as any area's. */
export async function addLsoaSelfMembership(db: Queryable, codes: readonly string[]): Promise<void> {
  if (codes.length === 0) return
  await sql`INSERT INTO area_lsoas (area_code, lsoa_code) SELECT c, c FROM unnest(${column(codes)}) AS u(c) ON CONFLICT DO NOTHING`.execute(db)
}

/**
 * Replaces where the given areas sit: their parents of the given level are deleted and the new
 * ones inserted (an LSOA moves to another authority when a lookup says so).
 */
export async function replaceParents(db: Queryable, children: readonly string[], parentLevel: AreaLevel, placements: ReadonlyArray<{ code: string; parent: string }>): Promise<void> {
  if (children.length > 0) {
    await sql`DELETE FROM area_parents p USING unnest(${column(children)}) AS c(code)
      WHERE p.area_code = c.code AND EXISTS (SELECT 1 FROM areas a WHERE a.code = p.parent_code AND a.level = ${parentLevel})`.execute(db)
  }
  if (placements.length === 0) return
  await sql`INSERT INTO area_parents (area_code, parent_code)
    SELECT * FROM unnest(${column(placements.map((p) => p.code))}, ${column(placements.map((p) => p.parent))})
    ON CONFLICT DO NOTHING`.execute(db)
}

/**
 * Rebuilds the LSOAs of every local authority, community safety partnership and police force area
 * from the lookups' chain of parents (LSOA → authority → partnership → force area), so a larger
 * area's figures are the sum of its LSOAs'.
 */
export async function rebuildLookupMembership(db: Queryable): Promise<void> {
  await sql`DELETE FROM area_lsoas WHERE area_code IN (SELECT code FROM areas WHERE level IN ('local_authority', 'csp', 'police_force'))`.execute(db)
  await sql`INSERT INTO area_lsoas (area_code, lsoa_code)
    WITH RECURSIVE up (lsoa_code, ancestor) AS (
      SELECT p.area_code, p.parent_code FROM area_parents p JOIN areas a ON a.code = p.area_code AND a.level = 'lsoa'
      UNION
      SELECT up.lsoa_code, p.parent_code FROM up JOIN area_parents p ON p.area_code = up.ancestor
    )
    SELECT DISTINCT up.ancestor, up.lsoa_code FROM up
    JOIN areas a ON a.code = up.ancestor AND a.level IN ('local_authority', 'csp', 'police_force')`.execute(db)
}

export async function lsoaCounts(db: Queryable, codes: readonly string[]): Promise<Map<string, number>> {
  if (codes.length === 0) return new Map()
  const { rows } = await sql<{ code: string; n: number }>`
    SELECT c AS code, (SELECT count(*)::int FROM area_lsoas m WHERE m.area_code = c) AS n FROM unnest(${column(codes)}) AS u(c)`.execute(db)
  return new Map(rows.map((r) => [r.code, r.n]))
}

export type PlacedArea = { code: string; geometry: AreaGeometry }

/** Areas of a level with a boundary whose box meets the given box. */
export async function areasWithin(db: Queryable, level: AreaLevel, box: Bbox): Promise<PlacedArea[]> {
  const [w, s, e, n] = box
  const { rows } = await sql<PlacedArea>`
    SELECT code, geometry FROM areas
    WHERE level = ${level} AND geometry IS NOT NULL
      AND bbox[1] <= ${e}::float8 AND bbox[3] >= ${w}::float8 AND bbox[2] <= ${n}::float8 AND bbox[4] >= ${s}::float8`.execute(db)
  return rows
}

export type PointArea = { code: string; lon: number; lat: number }

/** LSOAs whose point inside lies in the box. */
export async function lsoaPointsWithin(db: Queryable, box: Bbox): Promise<PointArea[]> {
  const [w, s, e, n] = box
  const { rows } = await sql<PointArea>`
    SELECT code, centroid_lon AS lon, centroid_lat AS lat FROM areas
    WHERE level = 'lsoa' AND centroid_lon BETWEEN ${w}::float8 AND ${e}::float8 AND centroid_lat BETWEEN ${s}::float8 AND ${n}::float8`.execute(db)
  return rows
}

/** Sets which LSOAs make up wards: the pairs replace every earlier pair of the given wards, or of the given LSOAs in any ward. */
export async function replaceWardMembers(db: Queryable, scope: { wards: readonly string[] } | { lsoas: readonly string[] }, pairs: ReadonlyArray<{ ward: string; lsoa: string }>): Promise<void> {
  if ('wards' in scope) {
    if (scope.wards.length > 0) await sql`DELETE FROM area_lsoas m USING unnest(${column(scope.wards)}) AS c(code) WHERE m.area_code = c.code`.execute(db)
  } else if (scope.lsoas.length > 0) {
    await sql`DELETE FROM area_lsoas m USING unnest(${column(scope.lsoas)}) AS c(code)
      WHERE m.lsoa_code = c.code AND EXISTS (SELECT 1 FROM areas a WHERE a.code = m.area_code AND a.level = 'ward')`.execute(db)
  }
  if (pairs.length === 0) return
  await sql`INSERT INTO area_lsoas (area_code, lsoa_code)
    SELECT * FROM unnest(${column(pairs.map((p) => p.ward))}, ${column(pairs.map((p) => p.lsoa))}) ON CONFLICT DO NOTHING`.execute(db)
}

// ---------------------------------------------------------------------------------------------
// Street-level crime

/** One batch's values, column by column; '' stands for NULL. */
export class StreetCrimeBatch {
  fallsWithin: string[] = []
  month: string[] = []
  crimeId: string[] = []
  reportedBy: string[] = []
  longitude: string[] = []
  latitude: string[] = []
  location: string[] = []
  lsoaCode: string[] = []
  lsoaName: string[] = []
  crimeType: string[] = []
  lastOutcome: string[] = []
  context: string[] = []
  size = 0

  add(r: StreetCrimeRow): void {
    this.fallsWithin.push(r.fallsWithin)
    this.month.push(r.month)
    this.crimeId.push(r.crimeId ?? '')
    this.reportedBy.push(r.reportedBy)
    this.longitude.push(r.longitude ?? '')
    this.latitude.push(r.latitude ?? '')
    this.location.push(r.location ?? '')
    this.lsoaCode.push(r.lsoaCode ?? '')
    this.lsoaName.push(r.lsoaName ?? '')
    this.crimeType.push(r.crimeType)
    this.lastOutcome.push(r.lastOutcome ?? '')
    this.context.push(r.context ?? '')
    this.size++
  }
}

/**
 * The INSERT of one batch, built (its values joined) but not yet sent, so the next batch can be
 * made ready while the server is still inserting the one before.
 */
export function streetCrimesInsert(importId: string, b: StreetCrimeBatch): RawBuilder<unknown> {
  // unnest pads shorter arrays with NULL; every column here has one value per row (an all-blank
  // column of one row splits to an empty array, which pads to the NULL it stands for).
  return sql`INSERT INTO street_crimes (falls_within, month, crime_id, reported_by, longitude, latitude, location,
      lsoa_code, lsoa_name, crime_type, last_outcome, context, import_id)
    SELECT u.*, ${importId}::uuid FROM unnest(${column(b.fallsWithin)}, ${column(b.month)}::date[], ${column(b.crimeId)},
      ${column(b.reportedBy)}, ${column(b.longitude)}::float8[], ${column(b.latitude)}::float8[], ${column(b.location)},
      ${column(b.lsoaCode)}, ${column(b.lsoaName)}, ${column(b.crimeType)}, ${column(b.lastOutcome)}, ${column(b.context)}) AS u`
}

export type IndexDefinition = { name: string; definition: string }

/** The table's indexes as the migrations made them, to drop before a bulk load and make again after it. */
export async function indexesOf(db: Queryable, table: string): Promise<IndexDefinition[]> {
  const { rows } = await sql<IndexDefinition>`SELECT indexname AS name, indexdef AS definition FROM pg_indexes
    WHERE schemaname = current_schema() AND tablename = ${table} ORDER BY indexname`.execute(db)
  return rows
}

/** Rows the table holds, from the planner's statistics (kept fresh by the ANALYZE after each import), or counted. */
export async function estimatedRows(db: Queryable, table: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = to_regclass(${table})`.execute(db)
  const n = rows[0]?.n ?? -1
  if (n >= 0) return n
  const counted = await sql<{ n: number }>`SELECT count(*)::float8 AS n FROM ${sql.table(table)}`.execute(db)
  return counted.rows[0]!.n
}

export async function dropIndexes(db: Queryable, indexes: readonly IndexDefinition[]): Promise<void> {
  for (const i of indexes) await sql`DROP INDEX ${sql.id(i.name)}`.execute(db)
}

export async function createIndexes(db: Queryable, indexes: readonly IndexDefinition[], engine: Database['engine']): Promise<void> {
  // Room to sort a national year's keys in memory; PGlite's WebAssembly heap is smaller, and its default holds.
  if (engine === 'postgres') await sql`SET LOCAL maintenance_work_mem = '512MB'`.execute(db)
  for (const i of indexes) await sql.raw(i.definition).execute(db)
}

/**
 * After a bulk load: deletes what earlier imports left of the months this one loaded, in one pass
 * over the table (the indexes are not there to find them month by month).
 */
export async function deleteEarlierMonths(db: Queryable, importId: string, months: ReadonlyArray<{ reportedBy: string; fallsWithin: string; month: string }>): Promise<Array<{ reportedBy: string; fallsWithin: string; month: string; rows: number }>> {
  if (months.length === 0) return []
  const { rows } = await sql<{ reported_by: string; falls_within: string; month: string; n: number }>`
    WITH gone AS (
      DELETE FROM street_crimes s
      USING unnest(${column(months.map((m) => m.reportedBy))}, ${column(months.map((m) => m.fallsWithin))}, ${column(months.map((m) => m.month))}::date[]) AS k(reported_by, falls_within, month)
      WHERE s.falls_within = k.falls_within AND s.month = k.month AND s.reported_by = k.reported_by AND s.import_id <> ${importId}::uuid
      RETURNING s.reported_by, s.falls_within, s.month
    )
    SELECT reported_by, falls_within, month::text AS month, count(*)::int AS n FROM gone GROUP BY 1, 2, 3 ORDER BY 3, 1, 2`.execute(db)
  return rows.map((r) => ({ reportedBy: r.reported_by, fallsWithin: r.falls_within, month: r.month, rows: r.n }))
}

/** Deletes a force's month as an earlier import left it; the number of rows it had. */
export async function deleteStreetMonth(db: Queryable, k: { reportedBy: string; fallsWithin: string; month: string }): Promise<number> {
  const r = await sql`DELETE FROM street_crimes WHERE falls_within = ${k.fallsWithin} AND month = ${k.month}::date AND reported_by = ${k.reportedBy}`.execute(db)
  return Number(r.numAffectedRows ?? 0)
}

// ---------------------------------------------------------------------------------------------
// Stop and search

export async function deleteStopSearchMonth(db: Queryable, force: string, month: string): Promise<number> {
  const r = await sql`DELETE FROM stop_searches WHERE force = ${force} AND month = ${month}::date`.execute(db)
  return Number(r.numAffectedRows ?? 0)
}

const flag = (v: boolean | null) => (v === null ? '' : v ? 'true' : 'false')

export async function insertStopSearches(db: Queryable, importId: string, force: string, rows: readonly StopSearchRow[]): Promise<void> {
  if (rows.length === 0) return
  const col = (f: (r: StopSearchRow) => string | null) => column(rows.map((r) => f(r) ?? ''))
  await sql`INSERT INTO stop_searches (force, month, searched_at, search_type, part_of_operation, operation_name, longitude, latitude,
      lsoa_code, gender, age_range, self_defined_ethnicity, officer_defined_ethnicity, legislation, object_of_search, outcome,
      outcome_linked_to_object, removal_of_outer_clothing, import_id)
    SELECT ${force}, u.*, ${importId}::uuid FROM unnest(${col((r) => r.month)}::date[], ${col((r) => r.searchedAt)}::timestamptz[],
      ${col((r) => r.searchType)}, ${col((r) => flag(r.partOfOperation))}::boolean[], ${col((r) => r.operationName)},
      ${col((r) => (r.longitude === null ? null : String(r.longitude)))}::float8[], ${col((r) => (r.latitude === null ? null : String(r.latitude)))}::float8[],
      ${col((r) => r.lsoaCode)}, ${col((r) => r.gender)}, ${col((r) => r.ageRange)}, ${col((r) => r.selfDefinedEthnicity)},
      ${col((r) => r.officerDefinedEthnicity)}, ${col((r) => r.legislation)}, ${col((r) => r.objectOfSearch)}, ${col((r) => r.outcome)},
      ${col((r) => flag(r.outcomeLinkedToObject))}::boolean[], ${col((r) => flag(r.removalOfOuterClothing))}::boolean[]) AS u`.execute(db)
}

// ---------------------------------------------------------------------------------------------
// Deprivation

/**
 * Adds or replaces the LSOAs' figures that one IoD file gives; what other files gave stays (File 6
 * does not clear the ranks File 1 loaded).
 */
export async function upsertDeprivation(db: Queryable, kind: DeprivationFileKind, importId: string, rows: readonly DeprivationRow[]): Promise<void> {
  if (rows.length === 0) return
  const col = (f: (r: DeprivationRow) => string | number | null | undefined) => column(rows.map((r) => String(f(r) ?? '')))
  const base = { codes: col((r) => r.lsoaCode), names: col((r) => r.lsoaName), las: col((r) => r.localAuthorityCode) }
  let statement: RawBuilder<unknown>
  if (kind === 'population') {
    statement = sql`INSERT INTO deprivation (lsoa_code, lsoa_name, local_authority_code, population, population_0_15, population_16_59,
        population_60_plus, population_working_age, import_id)
      SELECT u.*, ${importId}::uuid FROM unnest(${base.codes}, ${base.names}, ${base.las}, ${col((r) => r.population)}::int[],
        ${col((r) => r.population0To15)}::int[], ${col((r) => r.population16To59)}::int[], ${col((r) => r.population60Plus)}::int[],
        ${col((r) => r.populationWorkingAge)}::int[]) AS u
      ON CONFLICT (lsoa_code) DO UPDATE SET lsoa_name = excluded.lsoa_name, local_authority_code = excluded.local_authority_code,
        population = excluded.population, population_0_15 = excluded.population_0_15, population_16_59 = excluded.population_16_59,
        population_60_plus = excluded.population_60_plus, population_working_age = excluded.population_working_age, import_id = excluded.import_id`
  } else {
    const domains = kind === 'domains' ? col((r) => JSON.stringify(r.domains)) : null
    statement = sql`INSERT INTO deprivation (lsoa_code, lsoa_name, local_authority_code, imd_rank, imd_decile, domains, import_id)
      SELECT code, name, la, rank, decile, ${domains ? sql`domains::jsonb` : sql`'{}'::jsonb`}, ${importId}::uuid
      FROM unnest(${base.codes}, ${base.names}, ${base.las}, ${col((r) => r.imdRank)}::int[], ${col((r) => r.imdDecile)}::int[]${domains ? sql`, ${domains}` : sql``})
        AS u(code, name, la, rank, decile${domains ? sql`, domains` : sql``})
      ON CONFLICT (lsoa_code) DO UPDATE SET lsoa_name = excluded.lsoa_name, local_authority_code = excluded.local_authority_code,
        imd_rank = excluded.imd_rank, imd_decile = excluded.imd_decile, import_id = excluded.import_id
        ${domains ? sql`, domains = excluded.domains` : sql``}`
  }
  await statement.execute(db)
}
