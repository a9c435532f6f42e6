import type { SliceDefinition } from '../profiles/figures.ts'
import { crimeTypeSlug } from './layers.ts'

// What a heat map (kernel density) can be drawn of: the positions data.police.uk publishes, of all
// recorded crime, of one crime type, of a SOC slice, or of stop and search. Partner overlays are
// never among them: their records are counted by LSOA with small numbers suppressed, and a surface
// drawn from their positions would show where the people and premises are.

export type DensitySourceGroup = 'Recorded crime' | 'Crime types' | 'SOC slices' | 'Stop and search'

export type DensitySource = {
  id: string
  label: string
  group: DensitySourceGroup
  /** The crime types whose positions are read; null for all of them. */
  crimeTypes: readonly string[] | null
  table: 'street_crimes' | 'stop_searches'
  /** What one point is, for the page's words. */
  noun: string
}

/** The sources for an area and period: the crime types recorded there, the slices, and stop and search. */
export function densitySources(crimeTypes: readonly string[], slices: readonly SliceDefinition[]): DensitySource[] {
  const out: DensitySource[] = [{ id: 'all', label: 'All recorded crime', group: 'Recorded crime', crimeTypes: null, table: 'street_crimes', noun: 'crimes and incidents' }]
  for (const type of [...new Set(crimeTypes)].sort((a, b) => a.localeCompare(b))) {
    out.push({ id: `type:${crimeTypeSlug(type)}`, label: type, group: 'Crime types', crimeTypes: [type], table: 'street_crimes', noun: type === 'Anti-social behaviour' ? 'incidents' : 'crimes' })
  }
  for (const s of slices) out.push({ id: `slice:${s.key}`, label: s.label, group: 'SOC slices', crimeTypes: s.crimeTypes, table: 'street_crimes', noun: 'crimes' })
  out.push({ id: 'stop-search', label: 'Stop and search', group: 'Stop and search', crimeTypes: null, table: 'stop_searches', noun: 'stop and searches' })
  return out
}

/** The sources grouped as the page's list shows them. */
export function densitySourceGroups(sources: readonly DensitySource[]): Array<{ group: DensitySourceGroup; sources: DensitySource[] }> {
  const groups: DensitySourceGroup[] = ['Recorded crime', 'Crime types', 'SOC slices', 'Stop and search']
  return groups.map((group) => ({ group, sources: sources.filter((s) => s.group === group) })).filter((g) => g.sources.length > 0)
}
