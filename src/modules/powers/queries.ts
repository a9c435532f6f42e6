import { sql } from 'kysely'
import type { Catalogue, Power } from '../../core/powers/catalogue.ts'
import type { Queryable } from '../../db/context.ts'

export type PowerRow = { id: string; name: string; catalogueVersion: number; definition: Power; withdrawn: boolean }

export async function storedCatalogueVersion(db: Queryable): Promise<number | null> {
  const row = await db.selectFrom('powers').select(sql<number | null>`max(catalogue_version)`.as('v')).executeTakeFirst()
  return row?.v ?? null
}

/**
 * Replaces the stored catalogue with a newer one in one statement each way: every power in it is
 * inserted or updated, and any no longer in it is marked withdrawn (kept, since actions and
 * disruptions name it).
 */
export async function storeCatalogue(db: Queryable, catalogue: Catalogue): Promise<void> {
  await db
    .insertInto('powers')
    .values(catalogue.powers.map((p) => ({ id: p.id, name: p.name, catalogue_version: catalogue.version, definition: JSON.stringify(p) })))
    .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({
      name: eb.ref('excluded.name'),
      catalogue_version: eb.ref('excluded.catalogue_version'),
      definition: eb.ref('excluded.definition'),
      withdrawn: false,
      loaded_at: sql`now()`,
    })))
    .execute()
  await db.updateTable('powers').set({ withdrawn: true }).where('id', 'not in', catalogue.powers.map((p) => p.id)).execute()
}

export async function allPowers(db: Queryable): Promise<PowerRow[]> {
  const rows = await db.selectFrom('powers').select(['id', 'name', 'catalogue_version', 'definition', 'withdrawn']).orderBy('name').execute()
  return rows.map((r) => ({ id: r.id, name: r.name, catalogueVersion: r.catalogue_version, definition: r.definition as Power, withdrawn: r.withdrawn }))
}
