import { CODE_DESCRIPTIONS, isAreaCode, normaliseCode, type AreaLevel } from './codes.ts'
import { listHeadings, mapColumns, type ColumnMap, type ColumnSpec } from './columns.ts'
import type { Tally } from './tally.ts'
import { isFault, text } from './values.ts'

// The ONS lookups that place each LSOA in its local authority, each authority in its community
// safety partnership, and each partnership in its police force area:
// - output area → LSOA → MSOA → local authority (OA11_LSOA11_MSOA11_LAD17_classification_lookup),
//   one row per output area, so each LSOA comes once for each of its output areas;
// - local authority → community safety partnership → police force area (LAD17_CSP17_PFA17_lookup_EW).
// Each is recognised by its headings. The ONS puts the year in each heading (LAD17CD, LAD19CD):
// any year is read for the authorities and partnerships, but only 2011 LSOAs, which are the ones
// data.police.uk and the IoD 2019 use.

const years = (stem: string, suffix: string) => Array.from({ length: 16 }, (_, i) => `${stem}${String(i + 10)}${suffix}`)

const OA_COLUMNS: ColumnSpec[] = [
  { key: 'oaCode', heading: 'OA11CD', aliases: ['oa code', 'output area code'], required: true },
  { key: 'lsoaCode', heading: 'LSOA11CD', aliases: ['lsoa code', 'lsoa11 code'], required: true },
  { key: 'lsoaName', heading: 'LSOA11NM', aliases: ['lsoa name', 'lsoa11 name'], required: true },
  { key: 'ladCode', heading: 'LAD17CD', aliases: years('lad', 'cd').filter((a) => a !== 'lad17cd'), required: true },
  { key: 'ladName', heading: 'LAD17NM', aliases: years('lad', 'nm').filter((a) => a !== 'lad17nm'), required: true },
]

const CSP_COLUMNS: ColumnSpec[] = [
  { key: 'ladCode', heading: 'LAD17CD', aliases: years('lad', 'cd').filter((a) => a !== 'lad17cd'), required: true },
  { key: 'ladName', heading: 'LAD17NM', aliases: years('lad', 'nm').filter((a) => a !== 'lad17nm'), required: true },
  { key: 'cspCode', heading: 'CSP17CD', aliases: years('csp', 'cd').filter((a) => a !== 'csp17cd'), required: true },
  { key: 'cspName', heading: 'CSP17NM', aliases: years('csp', 'nm').filter((a) => a !== 'csp17nm'), required: true },
  { key: 'pfaCode', heading: 'PFA17CD', aliases: years('pfa', 'cd').filter((a) => a !== 'pfa17cd'), required: true },
  { key: 'pfaName', heading: 'PFA17NM', aliases: years('pfa', 'nm').filter((a) => a !== 'pfa17nm'), required: true },
]

export type LookupFileKind = 'oa_lsoa_lad' | 'lad_csp_pfa'

export const LOOKUP_FILES: Record<LookupFileKind, { title: string; columns: ColumnSpec[] }> = {
  oa_lsoa_lad: { title: 'the output area to LSOA to local authority lookup', columns: OA_COLUMNS },
  lad_csp_pfa: { title: 'the local authority to community safety partnership to police force area lookup', columns: CSP_COLUMNS },
}

export type RecognisedLookup = { kind: LookupFileKind; columns: ColumnMap } | { kind: null; message: string }

export function recogniseLookupFile(headings: readonly string[]): RecognisedLookup {
  const candidates = (Object.keys(LOOKUP_FILES) as LookupFileKind[]).map((kind) => ({ kind, columns: mapColumns(LOOKUP_FILES[kind].columns, headings) }))
  const complete = candidates.find((c) => c.columns.missing.length === 0)
  if (complete) return complete
  const nearest = [...candidates].sort((a, b) => a.columns.missing.length - b.columns.missing.length)[0]!
  return {
    kind: null,
    message: `Its headings are not those of an ONS lookup this import reads (output area to LSOA to local authority, or local authority to community safety partnership to police force area). Nearest is ${LOOKUP_FILES[nearest.kind].title}, which also has ${listHeadings(nearest.columns.missing)}`,
  }
}

export type NamedArea = { code: string; name: string; level: AreaLevel }
/** An area and the larger area it sits in. */
export type Placement = { code: string; parent: string }

/**
 * What a set of lookup rows says: the areas with their names, and where each sits. A row that
 * contradicts an earlier one (an LSOA placed in two authorities) is rejected, and the earlier row
 * stands; a row with a code of the wrong kind is rejected. Rows of Scottish output areas are
 * skipped: Scotland's data zones are not LSOAs, and no street-level file or IoD figure uses them.
 */
export class LookupCollector {
  readonly areas = new Map<string, NamedArea>()
  readonly parents = new Map<string, { parent: string; row: number; file: string }>()
  skipped = 0

  constructor(private readonly tally: Tally) {}

  read(kind: LookupFileKind, columns: ColumnMap, file: string, cells: readonly string[], row: number): boolean {
    const get = (key: string) => {
      const at = columns.index[key]
      return at === undefined ? null : text(cells[at], columns.headingOf[key] ?? key, 200)
    }
    const reject = (reason: string, column: string | null, value: string | null) => {
      this.tally.reject(file, row, reason, column, value)
      return false
    }
    const chain: Array<{ codeKey: string; nameKey: string | null; level: AreaLevel }> =
      kind === 'oa_lsoa_lad'
        ? [
            { codeKey: 'lsoaCode', nameKey: 'lsoaName', level: 'lsoa' },
            { codeKey: 'ladCode', nameKey: 'ladName', level: 'local_authority' },
          ]
        : [
            { codeKey: 'ladCode', nameKey: 'ladName', level: 'local_authority' },
            { codeKey: 'cspCode', nameKey: 'cspName', level: 'csp' },
            { codeKey: 'pfaCode', nameKey: 'pfaName', level: 'police_force' },
          ]
    if (kind === 'oa_lsoa_lad') {
      const oa = get('oaCode')
      if (isFault(oa)) return reject(oa.reason, oa.column, null)
      if (oa === null) return reject('Output area code is blank', columns.headingOf.oaCode ?? null, null)
      const code = normaliseCode(oa)
      if (/^S00\d{6}$/.test(code)) {
        this.skipped++
        this.tally.note(file, row, "Scottish output area: skipped (Scotland's data zones are not LSOAs, and no street-level or IoD figure uses them)", columns.headingOf.oaCode ?? null, oa)
        return false
      }
      if (!/^[EW]00\d{6}$/.test(code)) return reject('Output area code is not an English or Welsh output area code (E00 or W00 and six digits)', columns.headingOf.oaCode ?? null, oa)
    }
    const found: NamedArea[] = []
    for (const link of chain) {
      const heading = columns.headingOf[link.codeKey] ?? link.codeKey
      const raw = get(link.codeKey)
      if (isFault(raw)) return reject(raw.reason, raw.column, null)
      if (raw === null) return reject(`${heading} is blank`, heading, null)
      const code = normaliseCode(raw)
      if (!isAreaCode(link.level, code)) return reject(`${heading} is not ${CODE_DESCRIPTIONS[link.level]}`, heading, raw)
      const nameHeading = columns.headingOf[link.nameKey!] ?? link.nameKey!
      const name = get(link.nameKey!)
      if (isFault(name)) return reject(name.reason, name.column, null)
      if (name === null) return reject(`${nameHeading} is blank`, nameHeading, null)
      found.push({ code, name, level: link.level })
    }
    for (let i = 0; i + 1 < found.length; i++) {
      const child = found[i]!
      const parent = found[i + 1]!
      const earlier = this.parents.get(child.code)
      if (earlier && earlier.parent !== parent.code) {
        return reject(`Places an area in a different larger area from an earlier row: the earlier row stands`, null, `${child.code} in ${parent.code}, but in ${earlier.parent} on row ${earlier.row} of ${earlier.file}`)
      }
    }
    for (let i = 0; i < found.length; i++) {
      const area = found[i]!
      this.areas.set(area.code, area)
      const parent = found[i + 1]
      if (parent && !this.parents.has(area.code)) this.parents.set(area.code, { parent: parent.code, row, file })
    }
    return true
  }

  placements(): Placement[] {
    return [...this.parents].map(([code, p]) => ({ code, parent: p.parent }))
  }
}

