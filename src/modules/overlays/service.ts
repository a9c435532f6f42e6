import { randomUUID } from 'node:crypto'
import type { Actor } from '../../core/access/actor.ts'
import type { Viewer } from '../../core/access/visibility.ts'
import { ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.ts'
import { bboxOfPoints, placePoints } from '../../core/geo/pointInPolygon.ts'
import { DEFAULT_SUPPRESSION_THRESHOLD } from '../../core/geo/suppression.ts'
import { aggregateLayer, countByLsoa, listInWords, type OverlayLayer } from '../../core/overlays/aggregate.ts'
import { OVERLAY_LAYER_KEYS, OVERLAY_LAYERS, PARTNER_LAYERS, isPartnerLayer, type OverlayLayerKey, type PartnerLayer } from '../../core/overlays/layers.ts'
import { readPointFile, resolvePoints, sortFaults, type PointFault } from '../../core/overlays/points.ts'
import type { Database } from '../../db/connection.ts'
import { asUser, type Tx } from '../../db/context.ts'
import { insertShares } from '../../db/visibility.ts'
import { parseInput } from '../../http/validation.ts'
import { agencyNames } from '../agencies/service.ts'
import { recordAudit } from '../audit/service.ts'
import * as records from '../records/service.ts'
import * as q from './queries.ts'
import { OverlayQuery, PointImportRequest } from './schema.ts'

// Partner overlays of a local profile (issue #7, point 3): group members' and premises' locations
// from the groups register, and the points partner agencies supply, counted by LSOA over an area
// and published only with small numbers suppressed. Everything is read under the viewer's
// row-level security and visibility rule, so each viewer counts only what they may see, and the
// reading is written to the audit log as a consultation of personal data for aggregate use.

export type { OverlayLayer } from '../../core/overlays/aggregate.ts'

export type OverlayOptions = { threshold?: number; layers?: string[] }

export type AreaOverlays = {
  area: { code: string; name: string; level: string }
  threshold: number
  lsoas: Array<{ code: string; name: string }>
  layers: OverlayLayer[]
}

/** The actor an audit row names: a viewer from a request is an Actor and has its e-mail address. */
const auditActor = (viewer: Viewer): Actor => ({ ...(viewer as Actor), email: (viewer as Partial<Actor>).email ?? `user:${viewer.userId}` })

function chosenLayers(layers: readonly string[] | undefined): OverlayLayerKey[] {
  if (layers === undefined) return [...OVERLAY_LAYER_KEYS]
  const unknown = layers.filter((l) => !(OVERLAY_LAYER_KEYS as readonly string[]).includes(l))
  if (unknown.length > 0) throw new ValidationError([{ field: 'layers', message: `There is no overlay layer ${unknown.map((l) => `"${l}"`).join(', ')}: the layers are ${OVERLAY_LAYER_KEYS.join(', ')}` }])
  if (layers.length === 0) throw new ValidationError([{ field: 'layers', message: 'Choose at least one layer' }])
  return OVERLAY_LAYER_KEYS.filter((k) => layers.includes(k))
}

function checkedThreshold(threshold: number | undefined): number {
  const t = threshold ?? DEFAULT_SUPPRESSION_THRESHOLD
  if (!(Number.isInteger(t) && t >= 1)) throw new ValidationError([{ field: 'threshold', message: 'The suppression threshold must be a whole number of 1 or more' }])
  return t
}

/**
 * The overlay layers of an area: for each, the count of points the viewer may see in each of the
 * area's LSOAs and in all, suppressed (fewer than the threshold shown as "fewer than N", with
 * complementary suppression). No name, id, address or position leaves this function.
 */
export async function overlayLayers(db: Database, viewer: Viewer, areaCode: string, options: OverlayOptions = {}): Promise<OverlayLayer[]> {
  return (await areaOverlays(db, viewer, areaCode, options)).layers
}

/** overlayLayers with the area, its LSOAs' names and the threshold, for the page and the API. */
export async function areaOverlays(db: Database, viewer: Viewer, areaCode: string, options: OverlayOptions = {}): Promise<AreaOverlays> {
  if (!viewer.capabilities.includes('records.read')) {
    throw new ForbiddenError('Overlays count records about people and premises, and your role cannot see those records')
  }
  const code = areaCode.trim()
  if (!/^([EWSN][0-9]{8}|custom-[0-9]+)$/.test(code)) throw new ValidationError([{ field: 'area', message: `Area must be an ONS area code such as E23000021 or a custom area code such as custom-3, not ${JSON.stringify(areaCode)}` }])
  const layers = chosenLayers(options.layers)
  const threshold = checkedThreshold(options.threshold)

  return asUser(db, viewer, async (tx) => {
    const area = await q.findArea(tx, code)
    if (!area) throw new NotFoundError('Area')
    const { lsoas, box } = await q.areaLsoas(tx, code)
    const lsoaCodes = lsoas.map((l) => l.code)
    let boundaries: Awaited<ReturnType<typeof q.areaLsoaBoundaries>> | null = null
    /** Each location's LSOA: its own, or the area's LSOA boundary that holds its position. */
    const lsoaOfEach = async (locations: q.Location[]): Promise<Array<string | null>> => {
      const positioned = locations.filter((l) => l.lsoa === null && l.lon !== null && l.lat !== null)
      let placed: Array<string | null> = []
      if (positioned.length > 0) {
        boundaries ??= await q.areaLsoaBoundaries(tx, code)
        placed = placePoints(positioned.map((l) => ({ lon: l.lon!, lat: l.lat! })), boundaries)
      }
      let i = 0
      return locations.map((l) => (l.lsoa !== null ? l.lsoa : l.lon !== null && l.lat !== null ? placed[i++]! : null))
    }

    const out: OverlayLayer[] = []
    let counted = 0
    const add = (key: OverlayLayerKey, counts: Map<string, number>, source: string) => {
      const inArea = new Set(lsoaCodes)
      for (const [lsoa, n] of counts) if (inArea.has(lsoa)) counted += n
      out.push(aggregateLayer({ key, label: OVERLAY_LAYERS[key].label, source, counts }, lsoaCodes, threshold))
    }
    const registerSource = 'Organised crime groups recorded in Achilles that you may see'
    for (const key of layers) {
      if (key === 'group_members') add(key, countByLsoa(await lsoaOfEach(await q.groupMemberLocations(tx, viewer, code, box))), registerSource)
      else if (key === 'group_premises') add(key, countByLsoa(await lsoaOfEach(await q.groupPremisesLocations(tx, viewer, code, box))), registerSource)
    }
    const partner = layers.filter(isPartnerLayer)
    if (partner.length > 0) {
      const { counts, suppliers } = await q.partnerPointCounts(tx, viewer, code, partner)
      const names = await agencyNames(tx, [...new Set(suppliers.map((s) => s.agencyId))])
      for (const key of partner) {
        const byLsoa = new Map(counts.filter((c) => c.layer === key).map((c) => [c.lsoa, c.n]))
        const agencies = suppliers.filter((s) => s.layer === key).map((s) => names.get(s.agencyId) ?? 'an agency')
        add(key, byLsoa, agencies.length > 0 ? `Points supplied by ${listInWords(agencies)}` : 'No points you may see have been supplied for this area')
      }
    }
    // Keep the layers in the catalogue's order whatever order they were counted in.
    out.sort((a, b) => OVERLAY_LAYER_KEYS.indexOf(a.key as OverlayLayerKey) - OVERLAY_LAYER_KEYS.indexOf(b.key as OverlayLayerKey))

    // The counting consulted personal records: logged once, naming the area and the layers, with
    // no record named (none was shown) (DPA 2018 s.62).
    await recordAudit(tx, auditActor(viewer), {
      action: 'consultation',
      recordType: 'overlay',
      recordId: code,
      purpose: 'Partner overlays of an area: counts by LSOA with small numbers suppressed (aggregate use)',
      detail: { area: code, layers: [...layers], lsoas: lsoaCodes.length, counted, threshold, aggregate: true },
    })
    return { area, threshold, lsoas, layers: out }
  })
}

/** The page's and the API's query, validated. */
export function parseOverlayQuery(raw: unknown): OverlayQuery {
  return parseInput(OverlayQuery, raw)
}

// ---------------------------------------------------------------------------------------------
// Importing a partner's points, one CSV file a layer.

export type PointReport = { rows: number; valid: number; lsoas: number; faults: PointFault[]; ignoredColumns: string[] }

export type PointImportOutcome =
  | { status: 200; layer: PartnerLayer; dryRun: true; report: PointReport }
  | { status: 201; layer: PartnerLayer; importId: string; rows: number; lsoas: number; replaced: number }
  | { status: 422; layer: PartnerLayer; report: PointReport }

function mustImport(actor: Actor) {
  if (!actor.capabilities.includes('records.write')) throw new ForbiddenError('Your role cannot record information, so it cannot import overlay points')
}

/** Reads the file and places every point in a loaded LSOA; every fault with its row and column. */
async function preparePoints(tx: Tx, layer: PartnerLayer, text: string) {
  const file = readPointFile(text)
  const givenCodes = [...new Set(file.points.flatMap((p) => (p.lsoaCode ? [p.lsoaCode] : [])))]
  const loaded = await q.loadedLsoas(tx, givenCodes)
  const positioned = file.points.map((p, i) => ({ p, i })).filter(({ p }) => p.lsoaCode === null && p.longitude !== null && p.latitude !== null)
  const box = bboxOfPoints(positioned.map(({ p }) => ({ lon: p.longitude!, lat: p.latitude! })))
  const boundaries = box ? await q.lsoaBoundariesWithin(tx, box) : []
  const placed = placePoints(positioned.map(({ p }) => ({ lon: p.longitude!, lat: p.latitude! })), boundaries)
  const at = new Map(positioned.map(({ i }, k) => [i, placed[k]!]))
  const resolution = resolvePoints(file.points, { isLoaded: (c) => loaded.has(c), lsoaAt: (i) => at.get(i) ?? null }, file.lsoaHeading)
  const rows = resolution.points.map((p) => ({ layer, label: p.label, latitude: p.latitude, longitude: p.longitude, lsoaCode: p.lsoaCode, sourceRow: p.row }))
  return { file, resolved: rows, faults: sortFaults([...file.faults, ...resolution.faults]) }
}

/**
 * Imports a CSV file of points for a partner layer, all or nothing. With dryRun (the default)
 * every row is checked and nothing is kept; otherwise the file is checked again and, only if no
 * row has a fault, every point is stored with the handling given, in one transaction. With
 * replace, the agency's earlier points of the layer go in the same transaction.
 */
export async function importPoints(db: Database, actor: Actor, layer: unknown, raw: unknown): Promise<PointImportOutcome> {
  mustImport(actor)
  if (!isPartnerLayer(layer)) throw new ValidationError([{ field: 'layer', message: `Choose the layer the file holds: one of ${PARTNER_LAYERS.join(', ')}` }])
  const request = parseInput(PointImportRequest, raw)
  if (request.sharingScope !== 'agency' && !actor.capabilities.includes('records.share')) {
    throw new ValidationError([{ field: 'sharingScope', message: 'Your role cannot share records beyond your agency: share with your agency only' }])
  }
  const fileName = request.fileName ?? 'API import'
  return asUser(db, actor, async (tx) => {
    await records.checkHandling(tx, actor, request, 'point')
    const { file, resolved, faults } = await preparePoints(tx, layer, request.csv)
    const report: PointReport = {
      rows: file.rows,
      valid: resolved.length,
      lsoas: new Set(resolved.map((r) => r.lsoaCode)).size,
      faults,
      ignoredColumns: file.ignoredColumns,
    }
    if (request.dryRun) return { status: 200, layer, dryRun: true, report }
    if (faults.length > 0) return { status: 422, layer, report }

    const importId = randomUUID()
    const replaced = request.replace ? await q.deleteAgencyLayer(tx, actor.agencyId, layer) : 0
    if (replaced > 0) {
      await recordAudit(tx, actor, { action: 'erasure', recordType: q.RECORD_TYPE, recordId: null, purpose: `Replaced by the import of ${fileName}`, detail: { layer, points: replaced, replacedBy: importId } })
    }
    const ids = await q.insertPoints(tx, resolved, {
      importId,
      sourceFile: fileName.slice(0, 255),
      owningAgencyId: actor.agencyId,
      purpose: request.purpose,
      protectiveMarking: request.protectiveMarking,
      handlingCode: request.handlingCode,
      handlingConditions: request.handlingConditions,
      sharingScope: request.sharingScope,
      reviewDate: request.reviewDate,
      createdBy: actor.userId,
    })
    if (request.sharingScope === 'named') {
      await insertShares(tx, ids.flatMap((id) => request.sharedWithAgencyIds.map((agencyId) => ({ recordType: q.RECORD_TYPE, recordId: id, agencyId, by: actor.userId }))))
    }
    // One collection row (and one disclosure, when shared) for the file: its points are one layer
    // of one agency, imported, handled and replaced together.
    await recordAudit(tx, actor, {
      action: 'collection',
      recordType: q.RECORD_TYPE,
      recordId: importId,
      purpose: request.purpose,
      detail: { layer, points: ids.length, fileName, marking: request.protectiveMarking, handling: request.handlingCode, replaced },
    })
    if (request.sharingScope !== 'agency') {
      await recordAudit(tx, actor, {
        action: 'disclosure',
        recordType: q.RECORD_TYPE,
        recordId: importId,
        purpose: request.purpose,
        recipients: request.sharingScope === 'partnership' ? ['whole-partnership'] : [...request.sharedWithAgencyIds],
        detail: { layer, points: ids.length },
      })
    }
    return { status: 201, layer, importId, rows: ids.length, lsoas: report.lsoas, replaced }
  })
}

/** The layers the actor's agency has supplied, for the import page. Counts only: nothing personal. */
export async function myAgencyLayers(db: Database, actor: Actor) {
  mustImport(actor)
  return asUser(db, actor, (tx) => q.agencyLayers(tx, actor.agencyId))
}
