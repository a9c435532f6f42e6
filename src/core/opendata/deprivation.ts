import { isAreaCode, normaliseCode } from './codes.ts'
import { listHeadings, mapColumns, rowAccess, type ColumnMap, type ColumnSpec } from './columns.ts'
import type { Tally } from './tally.ts'
import { isFault, text, wholeNumber, type Fault } from './values.ts'

// The English Indices of Deprivation 2019 (MHCLG), by 2011 LSOA: File 1 (the index's rank and
// decile), File 2 (the seven domains), File 6 (the mid-2015 population denominators). Each is
// recognised by its headings, so one command takes any of them, in any order.

/** LSOAs in England in 2011, ranked 1 (most deprived) to 32,844. */
export const LSOAS_RANKED = 32_844

export const DOMAINS = ['income', 'employment', 'education', 'health', 'crime', 'barriers', 'living_environment'] as const
export type Domain = (typeof DOMAINS)[number]

const DOMAIN_HEADINGS: Record<Domain, string> = {
  income: 'Income',
  employment: 'Employment',
  education: 'Education, Skills and Training',
  health: 'Health Deprivation and Disability',
  crime: 'Crime',
  barriers: 'Barriers to Housing and Services',
  living_environment: 'Living Environment',
}

const AREA_COLUMNS: ColumnSpec[] = [
  { key: 'lsoaCode', heading: 'LSOA code (2011)', aliases: ['lsoa code', 'lsoa11cd', 'lsoa'], required: true },
  { key: 'lsoaName', heading: 'LSOA name (2011)', aliases: ['lsoa name', 'lsoa11nm'], required: true },
  { key: 'localAuthorityCode', heading: 'Local Authority District code (2019)', aliases: ['local authority district code', 'lad19cd', 'la code'], required: false },
  { key: 'localAuthorityName', heading: 'Local Authority District name (2019)', aliases: ['local authority district name', 'lad19nm', 'la name'], required: false },
]
const IMD_COLUMNS: ColumnSpec[] = [
  { key: 'imdRank', heading: 'Index of Multiple Deprivation (IMD) Rank', aliases: ['imd rank', 'imd19 rank', 'imd rank 2019'], required: true },
  { key: 'imdDecile', heading: 'Index of Multiple Deprivation (IMD) Decile', aliases: ['imd decile', 'imd19 decile', 'imd decile 2019'], required: true },
]
const DOMAIN_COLUMNS: ColumnSpec[] = DOMAINS.flatMap((d) => [
  { key: `${d}Rank`, heading: `${DOMAIN_HEADINGS[d]} Rank`, aliases: [`${d} rank`], required: true },
  { key: `${d}Decile`, heading: `${DOMAIN_HEADINGS[d]} Decile`, aliases: [`${d} decile`], required: true },
])
const POPULATION_COLUMNS: ColumnSpec[] = [
  { key: 'population', heading: 'Total population', aliases: ['total population mid 2015', 'population'], required: true },
  { key: 'population0To15', heading: 'Dependent Children aged 0-15', aliases: ['population aged 0 15', 'children aged 0 15'], required: true },
  { key: 'population16To59', heading: 'Population aged 16-59', aliases: [], required: true },
  { key: 'population60Plus', heading: 'Older population aged 60 and over', aliases: ['population aged 60 and over'], required: true },
  { key: 'populationWorkingAge', heading: 'Working age population 18-59/64', aliases: ['working age population 18 59 64 for use with employment deprivation domain', 'working age population'], required: false },
]

export type DeprivationFileKind = 'imd' | 'domains' | 'population'

export const DEPRIVATION_FILES: Record<DeprivationFileKind, { title: string; columns: ColumnSpec[] }> = {
  imd: { title: 'File 1, the Index of Multiple Deprivation', columns: [...AREA_COLUMNS, ...IMD_COLUMNS] },
  domains: { title: 'File 2, the domains of deprivation', columns: [...AREA_COLUMNS, ...IMD_COLUMNS, ...DOMAIN_COLUMNS] },
  population: { title: 'File 6, the population denominators', columns: [...AREA_COLUMNS, ...POPULATION_COLUMNS] },
}

/**
 * The IoD files qualify their headings: "… Rank (where 1 is most deprived)", "…: mid 2015
 * (excluding prisoners)". Those qualifiers are the same for every column, so they are set aside
 * before the headings are compared.
 */
export function plainIodHeading(heading: string): string {
  return heading
    .replace(/\(where 1 is most deprived[^)]*\)/i, '')
    .replace(/\(excluding prisoners\)/i, '')
    .replace(/:\s*mid[- ]2015/i, '')
    .replace(/:\s*for use with employment deprivation domain/i, '')
    .trim()
}

export type Recognised = { kind: DeprivationFileKind; columns: ColumnMap } | { kind: null; message: string }

/** Which IoD file the headings belong to: the one whose every column is present, the fullest first. */
export function recogniseDeprivationFile(headings: readonly string[]): Recognised {
  const plain = headings.map(plainIodHeading)
  const candidates = (Object.keys(DEPRIVATION_FILES) as DeprivationFileKind[]).map((kind) => ({ kind, columns: mapColumns(DEPRIVATION_FILES[kind].columns, plain) }))
  const complete = candidates.filter((c) => c.columns.missing.length === 0).sort((a, b) => Object.keys(b.columns.index).length - Object.keys(a.columns.index).length)
  if (complete[0]) return complete[0]
  const nearest = [...candidates].sort((a, b) => a.columns.missing.length - b.columns.missing.length)[0]!
  return {
    kind: null,
    message: `Its headings are not those of the English Indices of Deprivation 2019 files this import reads (File 1, File 2 or File 6). Nearest is ${DEPRIVATION_FILES[nearest.kind].title}, which also has ${listHeadings(nearest.columns.missing)}`,
  }
}

export type DeprivationRow = {
  lsoaCode: string
  lsoaName: string
  localAuthorityCode: string | null
  imdRank?: number
  imdDecile?: number
  domains?: Record<Domain, { rank: number; decile: number }>
  population?: number
  population0To15?: number
  population16To59?: number
  population60Plus?: number
  populationWorkingAge?: number | null
}

/** The decile of a rank, as the IoD 2019 cuts them: tenths of the 32,844 LSOAs, 1 the most deprived. */
export function decileOfRank(rank: number): number {
  return Math.ceil((rank * 10) / LSOAS_RANKED)
}

/**
 * Reads one row. Rejected: an LSOA code that is not an English 2011 LSOA's, a rank outside 1 to
 * 32,844, a decile that is not the rank's, a population that is not a whole number, or parts of the
 * population that do not add up to its total. An LSOA given twice in one file is rejected the second
 * time (its first row is the one loaded).
 */
export class DeprivationReader {
  private readonly seen = new Map<string, number>()

  constructor(
    private readonly kind: DeprivationFileKind,
    private readonly columns: ColumnMap,
    private readonly file: string,
    private readonly tally: Tally,
  ) {}

  read(cells: readonly string[], row: number): DeprivationRow | null {
    const { cell, heading, reject } = rowAccess(this.columns, cells, { tally: this.tally, file: this.file, row }, (key) => key)

    const codeCell = cell('lsoaCode')
    const rawCode = text(codeCell, heading('lsoaCode'))
    if (rawCode === null) return reject({ reason: 'LSOA code is blank', column: heading('lsoaCode') }, codeCell)
    if (isFault(rawCode)) return reject(rawCode, codeCell)
    const lsoaCode = normaliseCode(rawCode)
    if (!isAreaCode('lsoa', lsoaCode) || !lsoaCode.startsWith('E')) return reject({ reason: 'LSOA code is not an English 2011 LSOA code (E01 and six digits)', column: heading('lsoaCode') }, codeCell)
    const first = this.seen.get(lsoaCode)
    if (first !== undefined) return reject({ reason: 'The LSOA is given again: its first row was loaded', column: heading('lsoaCode') }, `${rawCode} (first on row ${first})`)
    const name = text(cell('lsoaName'), heading('lsoaName'))
    if (name === null) return reject({ reason: 'LSOA name is blank', column: heading('lsoaName') }, null)
    if (isFault(name)) return reject(name, cell('lsoaName'))
    const la = text(cell('localAuthorityCode'), heading('localAuthorityCode'))
    if (isFault(la)) return reject(la, cell('localAuthorityCode'))
    const out: DeprivationRow = { lsoaCode, lsoaName: name.slice(0, 200), localAuthorityCode: la === null ? null : normaliseCode(la) }

    const rankAndDecile = (rankKey: string, decileKey: string): { rank: number; decile: number } | Fault => {
      const rank = wholeNumber(cell(rankKey), heading(rankKey))
      if (rank === null) return { reason: `${heading(rankKey)} is blank`, column: heading(rankKey) }
      if (isFault(rank)) return rank
      if (rank < 1 || rank > LSOAS_RANKED) return { reason: `${heading(rankKey)} is not a rank from 1 to 32,844`, column: heading(rankKey) }
      const decile = wholeNumber(cell(decileKey), heading(decileKey))
      if (decile === null) return { reason: `${heading(decileKey)} is blank`, column: heading(decileKey) }
      if (isFault(decile)) return decile
      if (decile !== decileOfRank(rank)) return { reason: `${heading(decileKey)} is not the decile of its rank`, column: heading(decileKey) }
      return { rank, decile }
    }

    if (this.kind === 'imd' || this.kind === 'domains') {
      const imd = rankAndDecile('imdRank', 'imdDecile')
      if (isFault(imd)) return reject(imd, `${cell('imdRank') ?? ''}, ${cell('imdDecile') ?? ''}`)
      out.imdRank = imd.rank
      out.imdDecile = imd.decile
    }
    if (this.kind === 'domains') {
      const domains = {} as Record<Domain, { rank: number; decile: number }>
      for (const d of DOMAINS) {
        const v = rankAndDecile(`${d}Rank`, `${d}Decile`)
        if (isFault(v)) return reject(v, `${cell(`${d}Rank`) ?? ''}, ${cell(`${d}Decile`) ?? ''}`)
        domains[d] = v
      }
      out.domains = domains
    }
    if (this.kind === 'population') {
      const counts: Record<string, number | null> = {}
      for (const key of ['population', 'population0To15', 'population16To59', 'population60Plus', 'populationWorkingAge']) {
        const v = wholeNumber(cell(key), heading(key))
        if (isFault(v)) return reject(v, cell(key))
        if (v === null && key !== 'populationWorkingAge') return reject({ reason: `${heading(key)} is blank`, column: heading(key) }, null)
        counts[key] = v
      }
      // The three age groups partition the total in every row of the published file.
      if (counts.population0To15! + counts.population16To59! + counts.population60Plus! !== counts.population) {
        return reject({ reason: 'The age groups do not add up to the total population', column: heading('population') }, cell('population'))
      }
      out.population = counts.population!
      out.population0To15 = counts.population0To15!
      out.population16To59 = counts.population16To59!
      out.population60Plus = counts.population60Plus!
      out.populationWorkingAge = counts.populationWorkingAge ?? null
    }
    this.seen.set(lsoaCode, row)
    return out
  }
}
