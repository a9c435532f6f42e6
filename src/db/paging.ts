import { sql, type SelectQueryBuilder } from 'kysely'

export const PAGE_SIZE = 50

/** One page of an ordered query, with how many rows the whole query holds. */
export async function pageOf<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, page: number, size = PAGE_SIZE): Promise<{ rows: O[]; total: number }> {
  const rows = await query.limit(size).offset((page - 1) * size).execute()
  const count = await query.clearSelect().clearOrderBy().select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()
  return { rows, total: Number((count as { n: number }).n) }
}
