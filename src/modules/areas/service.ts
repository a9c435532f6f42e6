import type { Actor } from '../../core/access/actor.ts'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.ts'
import { codesInside } from '../../core/geo/pointInPolygon.ts'
import type { Database } from '../../db/connection.ts'
import { asUser, type Tx } from '../../db/context.ts'
import { parseInput } from '../../http/validation.ts'
import { displayNames } from '../users/service.ts'
import * as q from './queries.ts'
import { CustomAreaInput, type CustomAreaOut, type CustomAreaSummaryOut } from './schema.ts'
import { readCustomShape } from './shape.ts'

// Custom areas, drawn on a map or uploaded as GeoJSON. An area is reference data, not personal
// data: it names no one, so making, reading and deleting one is not written to the audit log (the
// figures later read through it are, by the modules that read them). Its members are the loaded
// LSOAs whose point inside (areas.centroid_lon, centroid_lat) it holds: an LSOA is in or out
// whole, since every figure is counted by LSOA.

const isCustomCode = (code: string) => /^custom-\d{1,18}$/.test(code)

function mustWrite(actor: Actor) {
  if (!actor.capabilities.includes('records.write')) throw new ForbiddenError('Your role cannot make or delete custom areas')
}

async function withNames(tx: Tx, rows: q.CustomAreaRow[]): Promise<q.CustomAreaRow[]> {
  const ids = [...new Set(rows.flatMap((r) => (r.createdBy ? [r.createdBy] : [])))]
  const names = ids.length > 0 ? await displayNames(tx, ids) : new Map<string, string>()
  return rows.map((r) => ({ ...r, createdByName: r.createdBy ? (names.get(r.createdBy) ?? null) : null }))
}

const summaryOut = (r: q.CustomAreaRow): CustomAreaSummaryOut => ({
  code: r.code,
  name: r.name,
  lsoaCount: r.lsoaCount,
  createdBy: r.createdByName,
  updatedAt: new Date(r.updatedAt).toISOString(),
})

export async function listCustomAreas(db: Database, actor: Actor): Promise<CustomAreaSummaryOut[]> {
  return asUser(db, actor, async (tx) => (await withNames(tx, await q.listCustomAreas(tx))).map(summaryOut))
}

export async function getCustomArea(db: Database, actor: Actor, code: string): Promise<CustomAreaOut & { createdById: string | null }> {
  if (!isCustomCode(code)) throw new NotFoundError('Custom area')
  return asUser(db, actor, async (tx) => {
    const found = await q.findCustomArea(tx, code)
    if (!found) throw new NotFoundError('Custom area')
    const [named] = await withNames(tx, [found])
    return { ...summaryOut(named!), lsoas: found.lsoas, bbox: found.bbox, geometry: found.geometry, createdById: found.createdBy }
  })
}

/**
 * Makes a custom area from a name and a GeoJSON shape. Refused, naming the field, when the shape
 * has no usable polygon, reaches outside the UK, or holds no loaded LSOA.
 */
export async function createCustomArea(db: Database, actor: Actor, raw: unknown): Promise<CustomAreaOut> {
  mustWrite(actor)
  const input = parseInput(CustomAreaInput, raw)
  const shape = readCustomShape(input.geometry)
  if (!shape.ok) throw new ValidationError([{ field: 'geometry', message: `The shape cannot be used. ${shape.message}` }])
  const code = await asUser(db, actor, async (tx) => {
    const candidates = await q.lsoaPointsWithin(tx, shape.bbox)
    const lsoas = codesInside(shape.geometry, candidates)
    if (lsoas.length === 0) {
      const loaded = await q.countLoadedLsoas(tx)
      const message =
        loaded.all === 0
          ? 'No LSOAs are loaded yet: import the LSOA boundaries (achilles import boundaries FILE --level lsoa) before making a custom area'
          : loaded.placed === 0
            ? 'The LSOAs loaded have no boundaries, so none can be placed in the shape: import the LSOA boundaries (achilles import boundaries FILE --level lsoa)'
            : 'The shape holds no loaded LSOA: no LSOA’s centre lies inside it. Draw it to take in at least one LSOA’s centre, or import the boundaries of the LSOAs it covers'
      throw new ValidationError([{ field: 'geometry', message }])
    }
    return q.insertCustomArea(tx, { name: input.name, geometry: shape.geometry, bbox: shape.bbox, centroid: shape.centroid, lsoas, createdBy: actor.userId })
  })
  const { createdById: _id, ...area } = await getCustomArea(db, actor, code)
  return area
}

/** Deletes a custom area: its maker may, or anyone whose role may erase records. */
export async function deleteCustomArea(db: Database, actor: Actor, code: string): Promise<void> {
  mustWrite(actor)
  if (!isCustomCode(code)) throw new NotFoundError('Custom area')
  try {
    await asUser(db, actor, async (tx) => {
      const found = await q.findCustomArea(tx, code)
      if (!found) throw new NotFoundError('Custom area')
      if (found.createdBy !== actor.userId && !actor.capabilities.includes('records.erase')) {
        throw new ForbiddenError('Only the person who made a custom area, or someone whose role may erase records, can delete it')
      }
      if (!(await q.deleteCustomArea(tx, code))) throw new NotFoundError('Custom area')
    })
  } catch (error) {
    // local_profiles.area_code refers to the area, and a profile may be one this user cannot see.
    if ((error as { code?: unknown }).code === '23503') {
      throw new ConflictError('Local profiles are built on this area, so it cannot be deleted: the agencies that hold them must delete those profiles first')
    }
    throw error
  }
}
