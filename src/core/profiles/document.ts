// A serious and organised crime local profile as a document: sections of narrative, figures and
// tables, independent of how it is shown (page, printable HTML, DOCX, PDF). The sections follow the
// Home Office guidance on SOC local profiles (November 2014): threats, vulnerabilities and risks,
// a shared picture for a 4P plan, with governance and a review date.

export const SECTION_KEYS = ['summary', 'threat', 'vulnerabilities', 'risk', 'gaps', 'plan', 'governance'] as const
export type SectionKey = (typeof SECTION_KEYS)[number]

export const SECTION_TITLES: Record<SectionKey, string> = {
  summary: 'Summary',
  threat: 'Threat by theme',
  vulnerabilities: 'Vulnerabilities',
  risk: 'Risk and community impact',
  gaps: 'Intelligence gaps',
  plan: 'The 4P plan',
  governance: 'Governance and review',
}

// Every export or page that shows data from UK public bodies carries these (shared/data/README.md).
export const OGL_ATTRIBUTION = 'Contains public sector information licensed under the Open Government Licence v3.0.'
export const BOUNDARY_ATTRIBUTION =
  'Source: Office for National Statistics licensed under the OGL v3.0. Contains OS data © Crown copyright and database right.'

export type Cell = string | number | null

export type ProfileTable = {
  caption: string
  head: string[]
  rows: Cell[][]
  /** Columns to align as numbers. */
  numeric: boolean[]
}

/** A bar chart: one bar a label, in the order given. */
export type BarChart = { kind: 'bars'; title: string; unit: string; bars: Array<{ label: string; value: number }> }

/** A line of counts by month. */
export type LineChart = { kind: 'line'; title: string; unit: string; points: Array<{ label: string; value: number }> }

/** Areas shaded by class: polygons in longitude and latitude, each with a class from the legend. */
export type MapFigure = {
  kind: 'map'
  title: string
  legend: Array<{ key: string; label: string; colour: string }>
  areas: Array<{ code: string; name: string; classKey: string; rings: Array<Array<[number, number]>> }>
}

/**
 * A heat map: the area's LSOAs drawn plain, with the shaded cells of a kernel density surface over
 * them (rectangles in longitude and latitude, each with a class from the legend), and its densest
 * places for the table that goes with it.
 */
export type DensityMapFigure = {
  kind: 'density'
  title: string
  legend: Array<{ key: string; label: string; colour: string }>
  areas: Array<{ code: string; rings: Array<Array<[number, number]>> }>
  extent: { west: number; south: number; east: number; north: number }
  cells: Array<{ west: number; south: number; east: number; north: number; classKey: string }>
  bandwidthMetres: number
  peaks: Array<{ rank: number; place: string; code: string | null; densityPerSquareKm: number; timesMean: number; within: number }>
}

export type Figure = BarChart | LineChart | MapFigure | DensityMapFigure

export type ProfileSection = {
  key: SectionKey
  title: string
  /** What the analysts wrote, in paragraphs; empty until someone writes it. */
  narrative: string[]
  /** What Achilles drew from the data, in paragraphs, always beside the narrative and never mixed into it. */
  findings: string[]
  tables: ProfileTable[]
  figures: Figure[]
}

export type ProfileDocument = {
  title: string
  area: { code: string; name: string; level: string }
  period: { from: string; to: string }
  protectiveMarking: 'OFFICIAL' | 'OFFICIAL-SENSITIVE'
  /** Version of the stored profile, or null for one built on demand. */
  version: number | null
  builtAt: string
  reviewDate: string | null
  sections: ProfileSection[]
  /** Who contributed what, for the record of each partner's part. */
  contributions: Array<{ agency: string; sections: string[] }>
  attribution: string[]
}

/** Narrative text as paragraphs: blank lines separate them, and nothing the analyst wrote is dropped. */
export function paragraphsOf(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
}
