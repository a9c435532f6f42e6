import { BOUNDARY_ATTRIBUTION, OGL_ATTRIBUTION, SECTION_KEYS, SECTION_TITLES, type DensityMapFigure, type MapFigure, type ProfileDocument, type ProfileSection, type SectionKey } from './document.ts'
import type { HotspotClass } from '../geo/getisOrd.ts'
import type { Change, DensityFigure, ProfileFigures } from './figures.ts'

// Turns the figures into the profile's sections. What Achilles finds in the data is written as
// findings, kept apart from what analysts write (the narrative), so a reader always knows which is
// which and a rebuild never overwrites a person's words.

export type Rings = Array<Array<[number, number]>>

export type AssembleInput = {
  figures: ProfileFigures
  title?: string
  narrative?: Partial<Record<SectionKey, string[]>>
  /** LSOA boundaries for the maps, by code; without them the maps are left out and said to be. */
  boundaries: ReadonlyMap<string, Rings>
  protectiveMarking?: 'OFFICIAL' | 'OFFICIAL-SENSITIVE'
  version?: number | null
  reviewDate?: string | null
  contributions?: ProfileDocument['contributions']
  builtAt: string
}

export const HOTSPOT_LEGEND: Array<{ key: HotspotClass; label: string; colour: string }> = [
  { key: 'hot-99', label: 'Hot spot, 99% confidence', colour: '#942514' },
  { key: 'hot-95', label: 'Hot spot, 95% confidence', colour: '#d4351c' },
  { key: 'hot-90', label: 'Hot spot, 90% confidence', colour: '#f499be' },
  { key: 'none', label: 'Not significant', colour: '#f3f2f1' },
  { key: 'cold-90', label: 'Cold spot, 90% confidence', colour: '#b7d3ec' },
  { key: 'cold-95', label: 'Cold spot, 95% confidence', colour: '#5694ca' },
  { key: 'cold-99', label: 'Cold spot, 99% confidence', colour: '#1d70b8' },
]

// Deciles of the Index of Multiple Deprivation, 1 the most deprived tenth of England.
const DECILE_COLOURS = ['#4c2c92', '#6f4aa8', '#8e6bbd', '#ab8fd1', '#c7b4e3', '#dcd0ee', '#e9e2f5', '#f1edf8', '#f7f5fb', '#ffffff']

const n = (x: number) => x.toLocaleString('en-GB', { maximumFractionDigits: 1 })

/** "up 12% (from 340 to 381), more than chance would explain (p = 0.03)". */
export function describeChange(c: Change, against: string): string {
  if (c.before === 0 && c.after === 0) return `none in either period (against ${against})`
  const direction = c.difference === 0 ? 'no change' : c.difference > 0 ? 'up' : 'down'
  const size = c.percent === null ? `from none to ${n(c.after)}` : `${Math.abs(Math.round(c.percent))}% (from ${n(c.before)} to ${n(c.after)})`
  const verdict = c.significant ? `a change larger than chance would explain (p = ${pText(c.pValue)})` : `within what chance would explain (p = ${pText(c.pValue)})`
  return `${direction === 'no change' ? `no change at ${n(c.after)}` : `${direction} ${size}`} against ${against}, ${verdict}`
}

const pText = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3))

const percentCell = (c: Change | null) => (c === null || c.percent === null ? null : `${c.percent > 0 ? '+' : ''}${Math.round(c.percent)}%${c.significant ? ' *' : ''}`)

function mapOf(title: string, legend: MapFigure['legend'], classes: ReadonlyMap<string, { name: string; classKey: string }>, boundaries: ReadonlyMap<string, Rings>): MapFigure | null {
  const areas: MapFigure['areas'] = []
  for (const [code, c] of classes) {
    const rings = boundaries.get(code)
    if (rings) areas.push({ code, name: c.name, classKey: c.classKey, rings })
  }
  return areas.length > 0 ? { kind: 'map', title, legend, areas } : null
}

const distance = (m: number) => (m >= 1000 ? `${(m / 1000).toLocaleString('en-GB', { maximumFractionDigits: 2 })} km` : `${n(m)} m`)

/** A slice's density surface as a heat map over the area's LSOAs, with its cells as rectangles. */
function densityMap(d: DensityFigure, boundaries: ReadonlyMap<string, Rings>): DensityMapFigure {
  const s = d.surface
  const cells: DensityMapFigure['cells'] = s.runs.map(([row, column, span, k]) => ({
    west: s.extent.west + column * s.cellWidthDegrees,
    east: s.extent.west + (column + span) * s.cellWidthDegrees,
    south: s.extent.south + row * s.cellHeightDegrees,
    north: s.extent.south + (row + 1) * s.cellHeightDegrees,
    classKey: s.classes[k]!.key,
  }))
  return {
    kind: 'density',
    title: `Where ${d.label.toLowerCase()} concentrates: kernel density of ${n(s.points)} positions (quartic kernel, ${distance(s.bandwidthMetres)} bandwidth, ${distance(s.cellSizeMetres)} cells)`,
    legend: s.classes.map((c) => ({ key: c.key, label: c.label, colour: c.colour })),
    areas: [...boundaries].map(([code, rings]) => ({ code, rings })),
    extent: s.extent,
    cells,
    bandwidthMetres: s.bandwidthMetres,
    peaks: d.peaks.map((p) => ({ rank: p.rank, place: p.lsoa?.name ?? 'Outside the LSOA boundaries', code: p.lsoa?.code ?? null, densityPerSquareKm: round(p.densityPerSquareKm), timesMean: round(p.timesMean), within: p.within })),
  }
}

/** "Drugs concentrates most in Leicester 041A (18 times the mean density; 36 within 1 km), …" */
function densityFinding(d: DensityFigure): string | null {
  const top = d.peaks.filter((p) => p.lsoa).slice(0, 3)
  if (top.length === 0) return null
  const places = top.map((p) => `${p.lsoa!.name} (${n(Math.round(p.timesMean * 10) / 10)} times the area's mean density; ${n(p.within)} within ${distance(d.surface.bandwidthMetres)})`)
  return `${d.label} concentrates most in ${places.length === 1 ? places[0] : `${places.slice(0, -1).join(', ')} and ${places[places.length - 1]}`}.`
}

/**
 * The partnership's own records as counts: a layer's total and how many LSOAs hold at least the
 * threshold, never a location or anything below it, so no person can be picked out.
 */
function partnerOverlays(f: ProfileFigures, section: ProfileSection): void {
  const o = f.overlays
  if (!o) {
    section.findings.push("No partner overlays: this profile was built from public data alone (a stored profile counts the partnership's records).")
    return
  }
  section.findings.push(`Partner overlays count the partnership's records in the area as ${o.countedFor} could see them; a count from 1 to ${o.threshold - 1} is shown as "fewer than ${o.threshold}" and, where one hidden count could be worked out from the total, another is withheld too.`)
  section.tables.push({
    caption: 'Partner overlays by layer',
    head: ['Layer', 'Source', 'In the area', `LSOAs with ${o.threshold} or more`],
    rows: o.layers.map((l) => [l.label, l.source || 'No records', l.total.display, l.byLsoa.filter((c) => !c.suppressed && c.value >= o.threshold).length]),
    numeric: [false, false, true, true],
  })
}

/** The profile's sections from its figures, with the narrative analysts have written. */
export function assembleProfile(input: AssembleInput): ProfileDocument {
  const f = input.figures
  const sections = Object.fromEntries(
    SECTION_KEYS.map((key): [SectionKey, ProfileSection] => [key, { key, title: SECTION_TITLES[key], narrative: input.narrative?.[key] ?? [], findings: [], tables: [], figures: [] }]),
  ) as Record<SectionKey, ProfileSection>
  const rate = (x: number | null) => (x === null ? '' : ` (${n(x)} per 1,000 residents)`)
  const previousLabel = `${f.previousPeriod.from} to ${f.previousPeriod.to}`
  const lastYearLabel = `${f.lastYearPeriod.from} to ${f.lastYearPeriod.to}`
  const maps = (m: MapFigure | null, s: ProfileSection) => {
    if (m) s.figures.push(m)
    else s.findings.push('No boundaries are loaded for these LSOAs, so the map is left out (import them with `achilles import boundaries`).')
  }

  // Summary
  const summary = sections.summary
  const totalRate = f.population ? (f.total / f.population) * 1000 : null
  summary.findings.push(`${n(f.total)} crimes and anti-social behaviour incidents were recorded in ${f.area.name} in the period${rate(totalRate)}, across ${n(f.lsoaCount)} LSOAs.`)
  if (f.totalPrevious) summary.findings.push(`Overall: ${describeChange(f.totalPrevious, `the previous period (${previousLabel})`)}.`)
  if (f.totalLastYear) summary.findings.push(`Overall: ${describeChange(f.totalLastYear, `the same period a year earlier (${lastYearLabel})`)}.`)
  const top = [...f.byType].sort((a, b) => b.count - a.count).slice(0, 3)
  if (top.length > 0) summary.findings.push(`The most recorded types were ${top.map((t) => `${t.crimeType.toLowerCase()} (${n(t.count)})`).join(', ')}.`)
  const hot = f.hotspots.areas.filter((a) => a.hotspotClass === 'hot-99' || a.hotspotClass === 'hot-95')
  if (f.hotspots.areas.length > 0) summary.findings.push(`${n(hot.length)} LSOAs are hot spots of ${f.hotspots.variable} at 95% confidence or more (Getis-Ord Gi*).`)
  if (f.missingMonths.length > 0) summary.findings.push(`No data is loaded for ${f.missingMonths.join(', ')}: figures for the period leave those months out.`)
  summary.figures.push({ kind: 'line', title: `Recorded crime and anti-social behaviour by month, ${f.area.name}`, unit: 'Count', points: f.byMonth.map((m) => ({ label: m.month, value: m.count })) })
  summary.tables.push({
    caption: 'Recorded crime by type (* a change larger than chance would explain, p < 0.05)',
    head: ['Crime type', 'Count', 'Per 1,000 residents', 'Against previous period', 'Against a year earlier'],
    rows: [...f.byType].sort((a, b) => b.count - a.count).map((t) => [t.crimeType, t.count, t.ratePer1000 === null ? null : round(t.ratePer1000), percentCell(t.previous), percentCell(t.lastYear)]),
    numeric: [false, true, true, true, true],
  })

  // Threat by theme
  const threat = sections.threat
  for (const s of f.slices) {
    const parts = [`${s.label}: ${n(s.count)} recorded${rate(s.ratePer1000)}`]
    if (s.previous) parts.push(describeChange(s.previous, 'the previous period'))
    if (s.lastYear) parts.push(describeChange(s.lastYear, 'a year earlier'))
    threat.findings.push(`${parts.join('; ')}.`)
  }
  threat.figures.push({ kind: 'bars', title: 'SOC-relevant crime in the period', unit: 'Count', bars: f.slices.map((s) => ({ label: s.label, value: s.count })) })
  threat.tables.push({
    caption: 'SOC-relevant slices of recorded crime (* p < 0.05)',
    head: ['Slice', 'Crime types', 'Count', 'Per 1,000 residents', 'Against previous period', 'Against a year earlier'],
    rows: f.slices.map((s) => [s.label, s.crimeTypes.join(', '), s.count, s.ratePer1000 === null ? null : round(s.ratePer1000), percentCell(s.previous), percentCell(s.lastYear)]),
    numeric: [false, false, true, true, true, true],
  })
  for (const s of f.slices) {
    const ranked = [...f.byLsoa].filter((l) => (l.slices[s.key] ?? 0) > 0).sort((a, b) => (b.slices[s.key] ?? 0) - (a.slices[s.key] ?? 0)).slice(0, 10)
    if (ranked.length === 0) continue
    threat.tables.push({ caption: `LSOAs with the most ${s.label.toLowerCase()}`, head: ['LSOA', 'Code', 'Count'], rows: ranked.map((l) => [l.name, l.code, l.slices[s.key] ?? 0]), numeric: [false, false, true] })
  }
  const densities = f.density ?? []
  for (const d of densities) {
    const finding = densityFinding(d)
    if (finding) threat.findings.push(finding)
    threat.figures.push(densityMap(d, input.boundaries))
  }
  if (densities.length > 0) {
    threat.findings.push("Heat maps shade the cells at or above the area's mean density, in multiples of it; data.police.uk moves each position to an anonymous point nearby, so they show streets and neighbourhoods, not addresses.")
  }
  if (f.stopSearch) {
    threat.findings.push(`${n(f.stopSearch.count)} stop and searches were recorded in the area in the period.`)
    threat.tables.push({ caption: 'Stop and search by object of search', head: ['Object of search', 'Count'], rows: f.stopSearch.byObject.map((o) => [o.label, o.count]), numeric: [false, true] })
    threat.tables.push({ caption: 'Stop and search by outcome', head: ['Outcome', 'Count'], rows: f.stopSearch.byOutcome.map((o) => [o.label, o.count]), numeric: [false, true] })
  }

  // Vulnerabilities: deprivation
  const vulnerabilities = sections.vulnerabilities
  const deciles = f.deprivation.deciles.filter((d) => d.lsoas > 0)
  if (deciles.length === 0) {
    vulnerabilities.findings.push('No Indices of Deprivation are loaded for these LSOAs (import them with `achilles import imd`).')
  } else {
    if (f.deprivation.mostToLeastRatio !== null) {
      vulnerabilities.findings.push(`The crime rate in the most deprived tenth of LSOAs is ${n(f.deprivation.mostToLeastRatio)} times that in the least deprived tenth present in the area.`)
    }
    vulnerabilities.figures.push({ kind: 'bars', title: 'Crime per 1,000 residents by deprivation decile (1 is the most deprived tenth of England)', unit: 'Per 1,000 residents', bars: deciles.map((d) => ({ label: `Decile ${d.decile}`, value: d.ratePer1000 === null ? 0 : round(d.ratePer1000) })) })
    vulnerabilities.tables.push({
      caption: 'Crime by Index of Multiple Deprivation 2019 decile',
      head: ['Decile', 'LSOAs', 'Residents', 'Count', 'Per 1,000 residents'],
      rows: deciles.map((d) => [d.decile, d.lsoas, d.population, d.count, d.ratePer1000 === null ? null : round(d.ratePer1000)]),
      numeric: [true, true, true, true, true],
    })
    const decileClasses = new Map(f.byLsoa.filter((l) => l.imdDecile !== null).map((l) => [l.code, { name: l.name, classKey: String(l.imdDecile) }]))
    maps(mapOf('Index of Multiple Deprivation 2019 by LSOA', DECILE_COLOURS.map((colour, i) => ({ key: String(i + 1), label: `Decile ${i + 1}${i === 0 ? ' (most deprived)' : i === 9 ? ' (least deprived)' : ''}`, colour })), decileClasses, input.boundaries), vulnerabilities)
  }
  if (f.deprivation.lsoasWithout > 0) vulnerabilities.findings.push(`${n(f.deprivation.lsoasWithout)} LSOAs of the area have no deprivation figures and are left out of the deprivation rates.`)
  partnerOverlays(f, vulnerabilities)

  // Risk and community impact: hot spots
  const risk = sections.risk
  if (f.hotspots.areas.length > 0) {
    const classes = new Map(f.hotspots.areas.map((a) => [a.code, { name: a.name, classKey: a.hotspotClass }]))
    maps(mapOf(`Hot and cold spots of ${f.hotspots.variable} (Getis-Ord Gi*, ${f.hotspots.neighbourhood})`, HOTSPOT_LEGEND, classes, input.boundaries), risk)
    const hottest = [...f.hotspots.areas].filter((a) => a.hotspotClass.startsWith('hot')).sort((a, b) => b.z - a.z).slice(0, 15)
    risk.tables.push({
      caption: `Hot spots of ${f.hotspots.variable}, strongest first`,
      head: ['LSOA', 'Code', 'Count', 'Gi* z-score', 'p-value', 'Confidence'],
      rows: hottest.map((a) => [a.name, a.code, a.count, round(a.z, 2), pText(a.pValue), a.hotspotClass.replace('hot-', '') + '%']),
      numeric: [false, false, true, true, true, true],
    })
    if (f.hotspots.islands.length > 0) risk.findings.push(`${n(f.hotspots.islands.length)} LSOAs touch no other LSOA of the area and are measured on their own count alone.`)
  } else {
    risk.findings.push('No hot spot analysis: it needs LSOA boundaries and at least three LSOAs with data.')
  }
  const asb = f.byType.find((t) => t.crimeType === 'Anti-social behaviour')
  if (asb) {
    risk.findings.push(`Anti-social behaviour, a measure of community impact: ${n(asb.count)} incidents${rate(asb.ratePer1000)}${asb.lastYear ? `; ${describeChange(asb.lastYear, 'a year earlier')}` : ''}.`)
  }

  // Intelligence gaps: what the data cannot say
  const gaps = sections.gaps
  if (f.missingMonths.length > 0) gaps.findings.push(`Months with no police data loaded: ${f.missingMonths.join(', ')}.`)
  if (f.withoutLocation > 0) gaps.findings.push(`${n(f.withoutLocation)} records of the force have no location and are counted in no area below the force.`)
  if (f.population === null) gaps.findings.push('No population figures are loaded, so there are no rates per 1,000 residents.')
  gaps.findings.push('Police open data is published monthly with locations moved to an anonymous nearby point; it counts what was recorded, not all that happened.')

  // The 4P plan and governance are written by the partnership.
  if (sections.plan.narrative.length === 0) sections.plan.findings.push('No 4P plan has been written for this profile yet.')
  if (input.reviewDate) sections.governance.findings.push(`This profile is to be reviewed by ${input.reviewDate}.`)

  return {
    title: input.title ?? `Serious and organised crime local profile: ${f.area.name}`,
    area: f.area,
    period: { from: f.period.from, to: f.period.to },
    protectiveMarking: input.protectiveMarking ?? 'OFFICIAL',
    version: input.version ?? null,
    builtAt: input.builtAt,
    reviewDate: input.reviewDate ?? null,
    sections: SECTION_KEYS.map((k) => sections[k]),
    contributions: input.contributions ?? [],
    attribution: [OGL_ATTRIBUTION, BOUNDARY_ATTRIBUTION],
  }
}

const round = (x: number, places = 1) => Math.round(x * 10 ** places) / 10 ** places
