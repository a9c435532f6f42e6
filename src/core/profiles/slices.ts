import type { SliceDefinition } from './figures.ts'

// The SOC-relevant slices of police.uk crime types a profile reports by default. The partnership
// can choose its own (the command line's --slice). Drugs and possession of weapons are the two the
// street-level data names directly; organised acquisitive crime is the nearest the categories come
// to a third national threat area.
export const DEFAULT_SLICES: SliceDefinition[] = [
  { key: 'drugs', label: 'Drugs', threatArea: 'drugs', crimeTypes: ['Drugs'] },
  { key: 'weapons', label: 'Possession of weapons', threatArea: 'firearms', crimeTypes: ['Possession of weapons'] },
  { key: 'acquisitive', label: 'Acquisitive crime', threatArea: 'organised_acquisitive_crime', crimeTypes: ['Burglary', 'Robbery', 'Vehicle crime', 'Theft from the person'] },
]

/**
 * A slice written as `key=Label:Crime type|Crime type`, e.g. `violence=Violence:Violence and sexual
 * offences|Public order`. Returns the slice or a message saying what is wrong.
 */
export function parseSlice(text: string): SliceDefinition | { error: string } {
  const m = /^([a-z][a-z0-9_-]{0,39})=([^:]{1,80}):(.+)$/.exec(text.trim())
  if (!m) return { error: `A slice is written key=Label:Crime type|Crime type, not ${JSON.stringify(text)}` }
  const crimeTypes = m[3]!.split('|').map((t) => t.trim()).filter((t) => t.length > 0)
  if (crimeTypes.length === 0) return { error: `The slice ${m[1]} names no crime type` }
  return { key: m[1]!, label: m[2]!.trim(), threatArea: null, crimeTypes }
}
