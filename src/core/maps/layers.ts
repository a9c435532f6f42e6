import { getisOrdGiStar, HOTSPOT_CLASS_LABELS, type HotspotClass } from '../geo/getisOrd.ts'
import { ratePer1000 } from '../geo/rates.ts'
import type { SliceDefinition } from '../profiles/figures.ts'
import { categoricalLegend, NO_DATA_KEY, quantityClasses, type Legend } from './legend.ts'
import { DECILE_COLOURS, HOTSPOT_COLOURS, NO_DATA_COLOUR } from './palettes.ts'

// The layers of the map page. A layer is a value or a class for each LSOA of the area, and a
// legend: the same shape whatever it shows, so the page, its table and the API treat every layer
// alike. Each kind of layer comes from one source below (recorded crime and its types, the SOC
// slices, hot spots, deprivation, partner overlays); a new source is one more block in
// layerCatalogue that turns its data into quantityLayer or classLayer.

export const MEASURES = ['count', 'rate'] as const
export type Measure = (typeof MEASURES)[number]

export const LAYER_GROUPS = ['Recorded crime', 'Crime types', 'SOC slices', 'Hot spots', 'Deprivation', 'Partner overlays'] as const
export type LayerGroup = (typeof LAYER_GROUPS)[number]

/** Whose data a layer shows, for the attribution the map must carry. */
export type LayerSource = 'police' | 'imd' | 'partners'

export type LayerCell = {
  code: string
  name: string
  /** The number the LSOA is classed by (a count, a rate, a z-score, a decile); null when it has none or it is suppressed. */
  value: number | null
  /** The value as the table and the map's label show it ("12", "3.4", "fewer than 5"). */
  display: string
  classKey: string
  colour: string
  /** The legend label of its class. */
  band: string
}

export type MapLayer = {
  id: string
  label: string
  group: LayerGroup
  /** Count or rate for the layers that can be either; null for classes (hot spots, deciles). */
  measure: Measure | null
  /** What the map shows, as a heading: "Drugs, crimes per 1,000 residents". */
  title: string
  /** The table's heading for the value column. */
  valueHeading: string
  /** The order of the table: highest first, or (for deprivation) most deprived first. */
  order: 'descending' | 'ascending'
  legend: Legend
  /** One per LSOA of the area, in the table's order. */
  cells: LayerCell[]
  /** The sum over the area's LSOAs, for counts. */
  total: number | null
  notes: string[]
  sources: LayerSource[]
}

export type LayerChoice = { id: string; label: string; group: LayerGroup; rateable: boolean }
export type LayerDefinition = LayerChoice & { build: (measure: Measure) => MapLayer }

export type Lsoa = { code: string; name: string }

/**
 * One LSOA's count of an overlay, already suppressed: `count: null` for a count under the
 * threshold, or (with `withheld`) for one withheld so that a lone small count cannot be worked out
 * from the total.
 */
export type OverlayCell = { lsoaCode: string; count: number | null; withheld?: boolean }

/** An aggregated count per LSOA from a partner's records, already suppressed where small. */
export type OverlayInput = {
  key: string
  label: string
  /** What is counted, for the table heading: "premises". */
  unit: string
  /** The suppression threshold: counts under it arrive with `count: null`. */
  threshold: number
  /**
   * The counts, or a function giving them, asked for only when this layer is built: counting an
   * overlay reads personal records and is audited, so listing the layer must not count it.
   */
  cells: ReadonlyArray<OverlayCell> | (() => ReadonlyArray<OverlayCell>)
}

export type MapInput = {
  lsoas: readonly Lsoa[]
  /** Street-level records in the period, by LSOA and crime type. */
  counts: ReadonlyArray<{ lsoaCode: string; crimeType: string; n: number }>
  /** Mid-2015 population by LSOA (IoD 2019 denominators), for rates. */
  population: ReadonlyMap<string, number | null>
  /** IMD 2019 decile by LSOA, 1 the most deprived tenth of England. */
  imdDecile: ReadonlyMap<string, number | null>
  /**
   * Queen contiguity of the LSOAs that have boundaries, asked for only when the hot spot layer is
   * built (building it from the polygons costs more than every other layer); null when fewer than
   * three LSOAs have a boundary, too few for Gi*.
   */
  neighbours: (() => ReadonlyMap<string, readonly string[]>) | null
  slices: readonly SliceDefinition[]
  overlays?: readonly OverlayInput[]
}

/** "Violence and sexual offences" → "violence-and-sexual-offences": a crime type as it goes in a layer id. */
export function crimeTypeSlug(crimeType: string): string {
  return crimeType.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')
}

const whole = (n: number) => n.toLocaleString('en-GB')
const oneDecimal = (n: number) => n.toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 })

/** Orders cells for the table: by value (highest first, or lowest), those without a value last, then by name. */
function ordered(cells: LayerCell[], order: 'descending' | 'ascending'): LayerCell[] {
  const sign = order === 'descending' ? -1 : 1
  return [...cells].sort((a, b) => {
    if (a.value === null || b.value === null) return a.value === b.value ? a.name.localeCompare(b.name) : a.value === null ? 1 : -1
    return a.value !== b.value ? sign * (a.value - b.value) : a.name.localeCompare(b.name)
  })
}

type QuantityLayerInput = Omit<MapLayer, 'legend' | 'cells' | 'order'> & {
  values: ReadonlyArray<{ lsoa: Lsoa; value: number | null; display: string; suppressed?: boolean }>
  decimals: number
  noDataLabel?: string
  suppressedLabel?: string
}

/** A layer of numbers per LSOA, in quantile classes. */
export function quantityLayer(input: QuantityLayerInput): MapLayer {
  const { values, decimals, noDataLabel, suppressedLabel, ...layer } = input
  const classes = quantityClasses(values, { title: layer.title, decimals, noDataLabel, suppressedLabel })
  const byKey = new Map(classes.legend.items.map((i) => [i.key, i]))
  const cells = values.map((v, i): LayerCell => {
    const item = byKey.get(classes.keys[i]!)!
    return { code: v.lsoa.code, name: v.lsoa.name, value: v.suppressed ? null : v.value, display: v.display, classKey: item.key, colour: item.colour, band: item.label }
  })
  return { ...layer, order: 'descending', legend: classes.legend, cells: ordered(cells, 'descending') }
}

type ClassLayerInput = Omit<MapLayer, 'legend' | 'cells'> & {
  classes: ReadonlyArray<{ key: string; label: string; colour: string }>
  values: ReadonlyArray<{ lsoa: Lsoa; value: number | null; display: string; classKey: string }>
}

/** A layer of fixed classes per LSOA. */
export function classLayer(input: ClassLayerInput): MapLayer {
  const { classes, values, ...layer } = input
  const legend = categoricalLegend(layer.title, classes, values.map((v) => v.classKey))
  const byKey = new Map(legend.items.map((i) => [i.key, i]))
  const cells = values.map((v): LayerCell => {
    const item = byKey.get(v.classKey)
    if (!item) throw new RangeError(`LSOA ${v.lsoa.code}: no class ${v.classKey} in the legend of ${layer.id}`)
    return { code: v.lsoa.code, name: v.lsoa.name, value: v.value, display: v.display, classKey: item.key, colour: item.colour, band: item.label }
  })
  return { ...layer, legend, cells: ordered(cells, layer.order) }
}

/** Counts by LSOA of the crime types chosen (every type when `types` is null). */
function countsOf(input: MapInput, types: ReadonlySet<string> | null): Map<string, number> {
  const out = new Map<string, number>(input.lsoas.map((l) => [l.code, 0]))
  for (const c of input.counts) {
    if (!out.has(c.lsoaCode) || (types && !types.has(c.crimeType))) continue
    out.set(c.lsoaCode, out.get(c.lsoaCode)! + c.n)
  }
  return out
}

function crimeLayer(input: MapInput, choice: LayerChoice, what: string, types: ReadonlySet<string> | null, measure: Measure): MapLayer {
  const counts = countsOf(input, types)
  const total = [...counts.values()].reduce((s, n) => s + n, 0)
  const base = { id: choice.id, label: choice.label, group: choice.group, total, sources: ['police'] as LayerSource[] }
  if (measure === 'count') {
    return quantityLayer({
      ...base, measure, title: `${choice.label}, ${what}`, valueHeading: what.charAt(0).toUpperCase() + what.slice(1), notes: [], decimals: 0,
      values: input.lsoas.map((lsoa) => { const n = counts.get(lsoa.code)!; return { lsoa, value: n, display: whole(n) } }),
    })
  }
  let without = 0
  const values = input.lsoas.map((lsoa) => {
    const rate = ratePer1000(counts.get(lsoa.code)!, input.population.get(lsoa.code))
    if (rate.ratePer1000 === null) { without++; return { lsoa, value: null, display: `No rate (${rate.unavailable})` } }
    return { lsoa, value: rate.ratePer1000, display: oneDecimal(rate.ratePer1000) }
  })
  const notes = ['Rates are per 1,000 residents of the mid-2015 population (IoD 2019 denominators).']
  if (without > 0) notes.push(`${whole(without)} of ${whole(input.lsoas.length)} LSOAs have no population figure loaded, so no rate: import the IoD 2019 population denominators (File 6).`)
  return quantityLayer({
    ...base, measure, title: `${choice.label}, ${what} per 1,000 residents`, valueHeading: 'Per 1,000 residents', notes, decimals: 1,
    sources: ['police', 'imd'], values, noDataLabel: 'No population figure',
  })
}

const HOTSPOT_ORDER: HotspotClass[] = ['hot-99', 'hot-95', 'hot-90', 'none', 'cold-90', 'cold-95', 'cold-99']

function hotspotLayer(input: MapInput, choice: LayerChoice, neighbours: ReadonlyMap<string, readonly string[]>): MapLayer {
  const counts = countsOf(input, null)
  // Every LSOA with a boundary takes part, those with no crime at zero, as in the profile: leaving
  // them out would make the rest look hotter than they are.
  const values = new Map([...neighbours.keys()].map((code) => [code, counts.get(code) ?? 0]))
  const gi = new Map(getisOrdGiStar(values, neighbours).areas.map((a) => [a.code, a]))
  const islands = [...neighbours].filter(([, n]) => n.length === 0).length
  const noBoundary = input.lsoas.filter((l) => !gi.has(l.code)).length
  const notes = [
    'Getis-Ord Gi* of all recorded crime (with anti-social behaviour) over queen contiguity of the LSOA boundaries; p-values from the normal approximation, two-sided, not adjusted for multiple testing.',
  ]
  if (islands > 0) notes.push(`${whole(islands)} LSOAs touch no other and are compared with themselves alone.`)
  if (noBoundary > 0) notes.push(`${whole(noBoundary)} LSOAs have no boundary loaded and take no part.`)
  const pText = (p: number) => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`)
  return classLayer({
    id: choice.id, label: choice.label, group: choice.group, measure: null, title: 'Hot and cold spots of all recorded crime (Getis-Ord Gi*)', valueHeading: 'Gi* z-score',
    order: 'descending', total: null, notes, sources: ['police'],
    classes: [...HOTSPOT_ORDER.map((k) => ({ key: k, label: HOTSPOT_CLASS_LABELS[k], colour: HOTSPOT_COLOURS[k] })), ...(noBoundary > 0 ? [{ key: NO_DATA_KEY, label: 'No boundary loaded', colour: NO_DATA_COLOUR }] : [])],
    values: input.lsoas.map((lsoa) => {
      const a = gi.get(lsoa.code)
      if (!a) return { lsoa, value: null, display: 'No boundary loaded', classKey: NO_DATA_KEY }
      return { lsoa, value: roundZ(a.z), display: `${a.z.toFixed(2)} (${pText(a.pValue)}, ${whole(a.value)} recorded)`, classKey: a.hotspotClass }
    }),
  })
}

const roundZ = (z: number) => Math.round(z * 1000) / 1000

function deprivationLayer(input: MapInput, choice: LayerChoice): MapLayer {
  const label = (d: number) => (d === 1 ? '1, most deprived 10%' : d === 10 ? '10, least deprived 10%' : String(d))
  const without = input.lsoas.filter((l) => input.imdDecile.get(l.code) == null).length
  return classLayer({
    id: choice.id, label: choice.label, group: choice.group, measure: null, title: 'Index of Multiple Deprivation 2019, decile in England', valueHeading: 'IMD decile',
    order: 'ascending', total: null, sources: ['imd'],
    notes: ['Decile 1 is the most deprived tenth of the 32,844 LSOAs in England, decile 10 the least (English Indices of Deprivation 2019).',
      ...(without > 0 ? [`${whole(without)} LSOAs have no IMD decile loaded (IMD 2019 covers England only; import File 1).`] : [])],
    classes: DECILE_COLOURS.map((colour, i) => ({ key: `decile-${i + 1}`, label: `Decile ${label(i + 1)}`, colour })),
    values: input.lsoas.map((lsoa) => {
      const d = input.imdDecile.get(lsoa.code)
      return d == null ? { lsoa, value: null, display: 'No decile loaded', classKey: NO_DATA_KEY } : { lsoa, value: d, display: String(d), classKey: `decile-${d}` }
    }),
  })
}

function overlayLayer(input: MapInput, choice: LayerChoice, overlay: OverlayInput): MapLayer {
  const cells = typeof overlay.cells === 'function' ? overlay.cells() : overlay.cells
  const byLsoa = new Map(cells.map((c) => [c.lsoaCode, c]))
  const fewer = `Fewer than ${whole(overlay.threshold)}`
  const anyWithheld = cells.some((c) => c.count === null && c.withheld)
  const values = input.lsoas.map((lsoa) => {
    const cell = byLsoa.get(lsoa.code)
    if (!cell) return { lsoa, value: 0, display: '0' }
    if (cell.count === null) return { lsoa, value: null, display: cell.withheld ? 'withheld' : fewer.toLowerCase(), suppressed: true }
    return { lsoa, value: cell.count, display: whole(cell.count) }
  })
  const notes = [`Aggregated from partners' records; counts under ${whole(overlay.threshold)} are not shown, so no one can be picked out.`]
  if (anyWithheld) notes.push('Where only one LSOA\'s count was too small to show, the next smallest is withheld as well, so the hidden count cannot be worked out from the others.')
  return quantityLayer({
    id: choice.id, label: choice.label, group: choice.group, measure: 'count', title: `${overlay.label}, ${overlay.unit}`, valueHeading: overlay.unit.charAt(0).toUpperCase() + overlay.unit.slice(1),
    total: null, sources: ['partners'], decimals: 0, values, suppressedLabel: anyWithheld ? `${fewer}, or withheld` : fewer, notes,
  })
}

/** Every layer the data can give, in the order the page lists them. */
export function layerCatalogue(input: MapInput): LayerDefinition[] {
  const out: LayerDefinition[] = []
  const add = (choice: LayerChoice, build: (measure: Measure) => MapLayer) => out.push({ ...choice, build })

  const all: LayerChoice = { id: 'all', label: 'All recorded crime', group: 'Recorded crime', rateable: true }
  add(all, (m) => crimeLayer(input, all, 'crimes and anti-social behaviour incidents', null, m))

  const inArea = new Set(input.lsoas.map((l) => l.code))
  const types = [...new Set(input.counts.filter((c) => inArea.has(c.lsoaCode) && c.n > 0).map((c) => c.crimeType))].sort((a, b) => a.localeCompare(b))
  for (const type of types) {
    const choice: LayerChoice = { id: `type:${crimeTypeSlug(type)}`, label: type, group: 'Crime types', rateable: true }
    add(choice, (m) => crimeLayer(input, choice, type === 'Anti-social behaviour' ? 'incidents' : 'crimes', new Set([type]), m))
  }

  for (const slice of input.slices) {
    const choice: LayerChoice = { id: `slice:${slice.key}`, label: slice.label, group: 'SOC slices', rateable: true }
    add(choice, (m) => crimeLayer(input, choice, 'crimes', new Set(slice.crimeTypes), m))
  }

  const neighbours = input.neighbours
  if (neighbours) {
    const choice: LayerChoice = { id: 'hotspots', label: 'Hot and cold spots of all recorded crime (Gi*)', group: 'Hot spots', rateable: false }
    add(choice, () => hotspotLayer(input, choice, neighbours()))
  }

  const deprivation: LayerChoice = { id: 'imd', label: 'Index of Multiple Deprivation 2019 (decile)', group: 'Deprivation', rateable: false }
  add(deprivation, () => deprivationLayer(input, deprivation))

  for (const overlay of input.overlays ?? []) {
    const choice: LayerChoice = { id: `overlay:${overlay.key}`, label: overlay.label, group: 'Partner overlays', rateable: false }
    add(choice, () => overlayLayer(input, choice, overlay))
  }
  return out
}

/** The layers grouped as the page's list shows them. */
export function layerGroups(choices: readonly LayerChoice[]): Array<{ group: LayerGroup; layers: LayerChoice[] }> {
  return LAYER_GROUPS.map((group) => ({ group, layers: choices.filter((c) => c.group === group).map(({ id, label, group: g, rateable }) => ({ id, label, group: g, rateable })) }))
    .filter((g) => g.layers.length > 0)
}
