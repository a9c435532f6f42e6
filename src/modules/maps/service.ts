import type { Actor } from '../../core/access/actor.ts'
import { ForbiddenError, ValidationError, type FieldIssue } from '../../core/errors.ts'
import { queenContiguity, type PolygonGeometry } from '../../core/geo/contiguity.ts'
import { attributionLines, boundaryCollection, type BoundaryCollection } from '../../core/maps/boundaries.ts'
import { layerCatalogue, type LayerChoice, type MapInput, type MapLayer, type Measure, type OverlayCell, type OverlayInput } from '../../core/maps/layers.ts'
import { defaultPeriod, monthsWithoutData, periodIssues, periodLabel } from '../../core/maps/period.ts'
import { OVERLAY_LAYER_KEYS, OVERLAY_LAYERS, isOverlayLayerKey } from '../../core/overlays/layers.ts'
import { DEFAULT_SLICES } from '../../core/profiles/slices.ts'
import { densitySources, type DensitySource } from '../../core/maps/densitySources.ts'
import { densityOver, type DensityResult } from './density.ts'
import type { Database } from '../../db/connection.ts'
import { asUser, type Tx } from '../../db/context.ts'
import { parseInput } from '../../http/validation.ts'
import { overlayLayers } from '../overlays/service.ts'
import * as q from './queries.ts'
import { BoundariesQuery, MapQuery } from './schema.ts'

// The map page: an area's LSOAs coloured by one layer, from the public data loaded. Reads run as
// the signed-in user (achilles_app, which may read the public tables); nothing personal is read,
// so nothing is audited, except for the partner overlay layers: those count records about people
// and premises, through the overlays module under the viewer's visibility rule, which audits the
// reading. They are listed from the overlay catalogue for a viewer with records.read, and counted
// only when one is drawn, so an ordinary map view reads nothing personal.

export const AREA_LEVEL_LABELS: Record<string, string> = {
  police_force: 'Police force areas',
  local_authority: 'Local authorities',
  csp: 'Community safety partnerships',
  ward: 'Wards',
  custom: 'Custom areas',
}
const LEVEL_ORDER = Object.keys(AREA_LEVEL_LABELS)

export type AreaChoice = q.AreaRow
export type AreaGroup = { level: string; label: string; areas: AreaChoice[] }

export type MapOptions = {
  /** Overlay counts under this are shown as "fewer than N" (config.suppressionThreshold). */
  suppressionThreshold: number
}

export type MapView = {
  /** Every area that can be drawn, by level; the chosen area is among them even when it has no boundaries. */
  areaGroups: AreaGroup[]
  area: AreaChoice
  monthsLoaded: string[]
  period: { from: string; to: string; label: string; monthsWithoutData: string[] } | null
  layers: LayerChoice[]
  layer: MapLayer
  measure: Measure
  lsoaCount: number
  boundaryCount: number
  attribution: string[]
  /** What a heat map can be drawn of, for the form. */
  densitySources: DensitySource[]
  /** The heat map drawn over the layer, when one was asked for. */
  density: (DensityResult & { source: DensitySource }) | null
  /** The resolved query, for the form and the API links. */
  values: { area: string; from: string; to: string; layer: string; measure: Measure; density: string; bandwidth: string }
}

/** No area with LSOA boundaries is loaded yet, and none was asked for. */
export class NothingToMapError extends Error {
  constructor() {
    super('No area with LSOA boundaries is loaded: import the lookups and the LSOA boundaries first (achilles import lookups, achilles import boundaries --level lsoa)')
  }
}

function groupAreas(areas: readonly AreaChoice[]): AreaGroup[] {
  const levels = [...new Set(areas.map((a) => a.level))].sort((a, b) => LEVEL_ORDER.indexOf(a) - LEVEL_ORDER.indexOf(b))
  return levels.map((level) => ({ level, label: AREA_LEVEL_LABELS[level] ?? level, areas: areas.filter((a) => a.level === level) }))
}

const levelRank = (level: string) => (LEVEL_ORDER.includes(level) ? LEVEL_ORDER.indexOf(level) : LEVEL_ORDER.length)

/** The area asked for, or the first police force area that can be drawn. */
async function chooseArea(tx: Tx, code: string | undefined, areas: readonly AreaChoice[]): Promise<AreaChoice> {
  if (code === undefined) {
    const first = [...areas].sort((a, b) => levelRank(a.level) - levelRank(b.level))[0]
    if (!first) throw new NothingToMapError()
    return first
  }
  const area = /^([EWSN][0-9]{8}|custom-[0-9]+)$/.test(code) ? await q.findArea(tx, code) : null
  if (!area) throw new ValidationError([{ field: 'area', message: `There is no area ${code} loaded: choose an area from the list` }])
  if (area.level === 'lsoa') throw new ValidationError([{ field: 'area', message: `${area.name} (${code}) is an LSOA: choose the larger area to map its LSOAs` }])
  return area
}

/** The map of an area for a period and layer: everything the page and the layer API show. */
export async function mapView(db: Database, actor: Actor, input: unknown, options: MapOptions): Promise<MapView> {
  const query = parseInput(MapQuery, input ?? {})
  const layerId = query.layer ?? 'all'
  const mayReadRecords = actor.capabilities.includes('records.read')
  if (layerId.startsWith('overlay:') && !mayReadRecords) {
    throw new ForbiddenError(`The layer ${JSON.stringify(layerId)} is a partner overlay: it counts records about people and premises, and your role cannot see those records`)
  }
  // Filled in below, after the transaction, when an overlay layer is drawn (and only then).
  const overlayCells = new Map<string, OverlayCell[]>()

  const chosen = await asUser(db, actor, async (tx) => {
    const areas = await q.mappableAreas(tx)
    const area = await chooseArea(tx, query.area, areas)
    const [months, lsoaRows] = await Promise.all([q.monthsLoaded(tx, area.code), q.lsoasOf(tx, area.code)])
    if (lsoaRows.length === 0) throw new ValidationError([{ field: 'area', message: `${area.name} (${area.code}) has no LSOAs recorded: import the lookups (achilles import lookups) that say which LSOAs make it up` }])

    const fallback = defaultPeriod(months)
    const from = query.from ?? fallback?.from ?? query.to
    const to = query.to ?? fallback?.to ?? query.from
    const issues: FieldIssue[] = from !== undefined && to !== undefined ? periodIssues(from, to) : []
    if (issues.length > 0) throw new ValidationError(issues)
    const period = from !== undefined && to !== undefined ? { from, to, label: periodLabel(from, to), monthsWithoutData: monthsWithoutData(from, to, months) } : null

    const counts = period ? await q.crimeCounts(tx, area.code, period.from, period.to) : []
    const boundaryCount = lsoaRows.filter((l) => l.has_geometry).length
    let neighbours: ReadonlyMap<string, readonly string[]> | undefined
    const overlays: OverlayInput[] = mayReadRecords
      ? OVERLAY_LAYER_KEYS.map((key) => ({
          key,
          label: OVERLAY_LAYERS[key].label,
          unit: OVERLAY_LAYERS[key].noun,
          threshold: options.suppressionThreshold,
          cells: () => overlayCells.get(key)!,
        }))
      : []
    const mapInput: MapInput = {
      lsoas: lsoaRows.map((l) => ({ code: l.code, name: l.name ?? l.imd_name ?? l.code })),
      counts: counts.map((c) => ({ lsoaCode: c.lsoa_code, crimeType: c.crime_type, n: c.n })),
      population: new Map(lsoaRows.map((l) => [l.code, l.population])),
      imdDecile: new Map(lsoaRows.map((l) => [l.code, l.imd_decile])),
      // Contiguity is built from the boundaries only when the hot spot layer is drawn (below).
      neighbours: boundaryCount >= 3 ? () => neighbours! : null,
      slices: DEFAULT_SLICES,
      overlays,
    }
    const catalogue = layerCatalogue(mapInput)
    const definition = catalogue.find((d) => d.id === layerId)
    if (!definition) {
      throw new ValidationError([{ field: 'layer', message: `There is no layer ${JSON.stringify(layerId)} for ${area.name}${period ? ` in ${period.label}` : ''}: choose a layer from the list` }])
    }
    const inArea = new Set(lsoaRows.map((l) => l.code))
    const sources = densitySources(counts.filter((c) => c.n > 0 && inArea.has(c.lsoa_code)).map((c) => c.crime_type), DEFAULT_SLICES)
    const source = query.density === undefined ? null : sources.find((s) => s.id === query.density)
    if (source === undefined) {
      throw new ValidationError([{ field: 'density', message: `There is no heat map ${JSON.stringify(query.density)} for ${area.name}${period ? ` in ${period.label}` : ''}: choose one from the list` }])
    }
    const geometries = definition.id === 'hotspots' || source ? await q.lsoaGeometries(tx, area.code) : []
    if (definition.id === 'hotspots') {
      neighbours = queenContiguity(geometries.map((g) => ({ code: g.code, geometry: g.geometry as unknown as PolygonGeometry }))).neighbours
    }
    let density: MapView['density'] = null
    if (source && period) {
      density = { source, ...(await densityOver(tx, { areaCode: area.code, areaName: area.name, period, source, bandwidthMetres: query.bandwidth, geometries })) }
    } else if (source) {
      density = { source, surface: null, peaks: [], notes: [`No police data is loaded for ${area.name}, so there is no heat map.`] }
    }
    return { areas, area, months, period, lsoaRows, boundaryCount, catalogue, definition, sources, density }
  })
  const { areas, area, months, period, lsoaRows, boundaryCount, catalogue, definition, sources, density } = chosen

  // An overlay is counted in the overlays module's own transaction (and audited there), after this
  // one has ended: one connection at a time, which PGlite needs.
  const overlayKey = definition.id.startsWith('overlay:') ? definition.id.slice('overlay:'.length) : null
  if (overlayKey !== null && isOverlayLayerKey(overlayKey)) {
    const [counted] = await overlayLayers(db, actor, area.code, { threshold: options.suppressionThreshold, layers: [overlayKey] })
    overlayCells.set(overlayKey, (counted?.byLsoa ?? []).map((c) => (c.suppressed ? { lsoaCode: c.code, count: null, withheld: c.reason === 'complementary' } : { lsoaCode: c.code, count: c.value })))
  }

  const measure = query.measure ?? 'count'
  const layer = definition.build(measure)
  if (!period) layer.notes.unshift(`No police street-level data is loaded for ${area.name}: import it with achilles import police-crime.`)
  else if (period.monthsWithoutData.length > 0) {
    layer.notes.unshift(`No police street-level data is loaded for ${area.name} for ${period.monthsWithoutData.join(', ')}: the counts leave those months out.`)
  }
  if (boundaryCount < lsoaRows.length) {
    layer.notes.push(boundaryCount === 0
      ? `No LSOA boundaries are loaded for ${area.name}, so the map cannot be drawn; the table has every LSOA. Import them with achilles import boundaries --level lsoa.`
      : `${(lsoaRows.length - boundaryCount).toLocaleString('en-GB')} of ${lsoaRows.length.toLocaleString('en-GB')} LSOAs have no boundary loaded and are in the table only.`)
  }
  const choices = areas.some((a) => a.code === area.code) ? areas : [...areas, area]
  return {
    areaGroups: groupAreas(choices),
    area,
    monthsLoaded: months,
    period,
    layers: catalogue.map(({ id, label, group, rateable }) => ({ id, label, group, rateable })),
    layer,
    measure,
    lsoaCount: lsoaRows.length,
    boundaryCount,
    attribution: attributionLines(layer.sources),
    densitySources: sources,
    density,
    values: { area: area.code, from: period?.from ?? '', to: period?.to ?? '', layer: layer.id, measure, density: density?.source.id ?? '', bandwidth: query.bandwidth === undefined ? '' : String(query.bandwidth) },
  }
}

/** The LSOA boundaries of an area as a GeoJSON FeatureCollection in WGS84. */
export async function mapBoundaries(db: Database, actor: Actor, input: unknown): Promise<BoundaryCollection> {
  const query = parseInput(BoundariesQuery, input ?? {})
  return asUser(db, actor, async (tx) => {
    const area = await chooseArea(tx, query.area, query.area === undefined ? await q.mappableAreas(tx) : [])
    return boundaryCollection(await q.lsoaGeometries(tx, area.code))
  })
}

/** The heat map as the API gives it (an empty surface when none was asked for or there are no points). */
export function densityJson(view: MapView) {
  const d = view.density
  if (!d) throw new Error('densityJson needs a view with a heat map')
  const surface = d.surface
  return {
    area: view.area,
    period: view.period ? { from: view.period.from, to: view.period.to, monthsWithoutData: view.period.monthsWithoutData } : null,
    source: { id: d.source.id, label: d.source.label, noun: d.source.noun },
    notes: d.notes,
    surface: surface ? (({ peaks: _peaks, ...rest }) => rest)(surface) : null,
    peaks: d.peaks,
    sources: view.densitySources.map(({ id, label, group }) => ({ id, label, group })),
    attribution: view.attribution,
  }
}

/** The layer as the API gives it. */
export function layerJson(view: MapView) {
  const { layer } = view
  return {
    area: view.area,
    period: view.period ? { from: view.period.from, to: view.period.to, monthsWithoutData: view.period.monthsWithoutData } : null,
    layer: {
      id: layer.id, label: layer.label, group: layer.group, measure: layer.measure, title: layer.title, valueHeading: layer.valueHeading, order: layer.order,
      total: layer.total, notes: layer.notes, legend: layer.legend, values: layer.cells,
    },
    layers: view.layers,
    attribution: view.attribution,
  }
}
