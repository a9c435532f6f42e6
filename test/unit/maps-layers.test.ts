import assert from 'node:assert/strict'
import { test } from 'node:test'
import { getisOrdGiStar } from '../../src/core/geo/getisOrd.ts'
import { crimeTypeSlug, layerCatalogue, layerGroups, type MapInput } from '../../src/core/maps/layers.ts'
import { DEFAULT_SLICES } from '../../src/core/profiles/slices.ts'

// Five LSOAs in a row (A touches B, B touches C, …), and a sixth, F, with no boundary loaded.
const LSOAS = ['A', 'B', 'C', 'D', 'E', 'F'].map((x) => ({ code: `E0100000${x.charCodeAt(0) - 64}`, name: `Town 00${x}` }))
const [A, B, C, D, E, F] = LSOAS.map((l) => l.code) as [string, string, string, string, string, string]
const chain = new Map<string, string[]>([[A, [B]], [B, [A, C]], [C, [B, D]], [D, [C, E]], [E, [D]]])

const input = (over: Partial<MapInput> = {}): MapInput => ({
  lsoas: LSOAS,
  counts: [
    { lsoaCode: A, crimeType: 'Drugs', n: 3 },
    { lsoaCode: A, crimeType: 'Burglary', n: 7 },
    { lsoaCode: B, crimeType: 'Burglary', n: 2 },
    { lsoaCode: B, crimeType: 'Robbery', n: 1 },
    { lsoaCode: C, crimeType: 'Violence and sexual offences', n: 12 },
    { lsoaCode: E, crimeType: 'Drugs', n: 1 },
    // Outside the area: never counted.
    { lsoaCode: 'E01999999', crimeType: 'Drugs', n: 50 },
  ],
  population: new Map([[A, 1000], [B, 2000], [C, 1500], [D, 800], [E, 0]]),
  imdDecile: new Map([[A, 3], [B, 1], [C, 10], [D, 1], [E, 5], [F, null]]),
  neighbours: () => chain,
  slices: DEFAULT_SLICES,
  ...over,
})

const layer = (id: string, measure: 'count' | 'rate' = 'count', over: Partial<MapInput> = {}) => {
  const d = layerCatalogue(input(over)).find((l) => l.id === id)
  assert.ok(d, `layer ${id}`)
  return d.build(measure)
}
const valuesOf = (l: ReturnType<typeof layer>) => Object.fromEntries(l.cells.map((c) => [c.code, c.value]))

test('the catalogue offers all crime, each type present, the SOC slices, hot spots and deprivation, grouped', () => {
  const ids = layerCatalogue(input()).map((l) => l.id)
  assert.deepEqual(ids, ['all', 'type:burglary', 'type:drugs', 'type:robbery', 'type:violence-and-sexual-offences', 'slice:drugs', 'slice:weapons', 'slice:acquisitive', 'hotspots', 'imd'])
  assert.deepEqual(layerGroups(layerCatalogue(input())).map((g) => [g.group, g.layers.length]), [['Recorded crime', 1], ['Crime types', 4], ['SOC slices', 3], ['Hot spots', 1], ['Deprivation', 1]])
  assert.ok(!layerCatalogue(input({ neighbours: null })).some((l) => l.id === 'hotspots'), 'no Gi* without boundaries')
  assert.equal(crimeTypeSlug('Criminal damage and arson'), 'criminal-damage-and-arson')
  assert.equal(crimeTypeSlug('Anti-social behaviour'), 'anti-social-behaviour')
})

test('all recorded crime counts every type in each LSOA of the area, highest first, and totals them', () => {
  const all = layer('all')
  assert.deepEqual(valuesOf(all), { [A]: 10, [B]: 3, [C]: 12, [D]: 0, [E]: 1, [F]: 0 })
  assert.deepEqual(all.cells.map((c) => c.code), [C, A, B, E, D, F], 'by value, then name')
  assert.equal(all.total, 26)
  assert.equal(all.measure, 'count')
  assert.equal(all.legend.items.reduce((s, i) => s + i.lsoas, 0), 6)
  for (const c of all.cells) assert.equal(c.band, all.legend.items.find((i) => i.key === c.classKey)!.label)
})

test('a crime type and a slice count only their types', () => {
  assert.deepEqual(valuesOf(layer('type:drugs')), { [A]: 3, [B]: 0, [C]: 0, [D]: 0, [E]: 1, [F]: 0 })
  // Acquisitive: burglary, robbery, vehicle crime, theft from the person.
  assert.deepEqual(valuesOf(layer('slice:acquisitive')), { [A]: 7, [B]: 3, [C]: 0, [D]: 0, [E]: 0, [F]: 0 })
})

test('rates are per 1,000 residents; an LSOA with no population or none living there has no rate, and says why', () => {
  const rate = layer('all', 'rate')
  assert.equal(rate.measure, 'rate')
  assert.deepEqual(valuesOf(rate), { [A]: 10, [B]: 1.5, [C]: 8, [D]: 0, [E]: null, [F]: null })
  assert.equal(rate.cells.find((c) => c.code === E)!.display, 'No rate (population is zero)')
  assert.equal(rate.cells.find((c) => c.code === F)!.display, 'No rate (no population figure)')
  assert.equal(rate.cells.find((c) => c.code === B)!.display, '1.5')
  assert.deepEqual(rate.cells.slice(-2).map((c) => c.classKey), ['no-data', 'no-data'])
  assert.ok(rate.legend.items.some((i) => i.key === 'no-data' && i.label === 'No population figure' && i.lsoas === 2))
  assert.ok(rate.notes.some((n) => n.includes('2 of 6 LSOAs')))
  assert.deepEqual(rate.sources, ['police', 'imd'])
})

test('hot spots are Gi* of all recorded crime over the LSOAs with boundaries, those with none left out', () => {
  const hot = layer('hotspots')
  const gi = getisOrdGiStar(new Map([[A, 10], [B, 3], [C, 12], [D, 0], [E, 1]]), chain)
  for (const a of gi.areas) {
    const cell = hot.cells.find((c) => c.code === a.code)!
    assert.equal(cell.classKey, a.hotspotClass)
    assert.ok(Math.abs(cell.value! - a.z) < 0.001)
  }
  const f = hot.cells.find((c) => c.code === F)!
  assert.deepEqual([f.value, f.classKey, f.display], [null, 'no-data', 'No boundary loaded'])
  assert.equal(hot.cells.at(-1)!.code, F)
  assert.deepEqual(hot.legend.items.map((i) => i.key), ['hot-99', 'hot-95', 'hot-90', 'none', 'cold-90', 'cold-95', 'cold-99', 'no-data'])
  assert.equal(hot.measure, null, 'classes are not counts or rates')
})

test('deprivation shows the IMD decile, most deprived first', () => {
  const imd = layer('imd')
  assert.deepEqual(imd.cells.map((c) => [c.code, c.value]), [[B, 1], [D, 1], [A, 3], [E, 5], [C, 10], [F, null]])
  assert.equal(imd.order, 'ascending')
  assert.equal(imd.cells[0]!.band, 'Decile 1, most deprived 10%')
  assert.equal(imd.legend.items.length, 11, 'ten deciles and no data')
  assert.deepEqual(imd.sources, ['imd'])
})

test('a partner overlay of suppressed counts is one more layer: fewer than the threshold shown as such, never as a number', () => {
  const overlays = [{ key: 'problem-premises', label: 'Problem premises', unit: 'premises', threshold: 5, cells: [{ lsoaCode: A, count: 12 }, { lsoaCode: B, count: null }, { lsoaCode: C, count: 6 }] }]
  const catalogue = layerCatalogue(input({ overlays }))
  assert.equal(catalogue.at(-1)!.group, 'Partner overlays')
  const overlay = layer('overlay:problem-premises', 'count', { overlays })
  const b = overlay.cells.find((c) => c.code === B)!
  assert.deepEqual([b.value, b.display, b.classKey, b.band], [null, 'fewer than 5', 'suppressed', 'Fewer than 5'])
  assert.deepEqual(valuesOf(overlay), { [A]: 12, [B]: null, [C]: 6, [D]: 0, [E]: 0, [F]: 0 })
  assert.deepEqual(overlay.sources, ['partners'])
})
