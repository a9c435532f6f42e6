import { readCsv } from '../imports/csv.ts'
import { isAreaCode, isInUk, normaliseCode, UK_BOUNDS_TEXT } from '../opendata/codes.ts'
import { describeIgnored, mapColumns, type ColumnSpec } from '../opendata/columns.ts'
import { bngToWgs84 } from '../opendata/projection.ts'

// Reading a partner's CSV file of points for one overlay layer: one point a row, placed by its
// latitude and longitude (WGS84), its easting and northing (British National Grid, EPSG:27700,
// converted to WGS84), or the 2011 LSOA it is in. Every faulty row is reported with its row
// number, as a spreadsheet numbers it, and the heading of the column at fault; the caller keeps
// the file only when there are none (all or nothing).

export type PointFault = { row: number | null; column: string | null; message: string }

export type ParsedPoint = {
  row: number
  label: string | null
  longitude: number | null
  latitude: number | null
  /** The LSOA the file gives; otherwise found from the position. */
  lsoaCode: string | null
  /** The heading of the column the position came from, for a fault about where it lies. */
  positionColumn: string | null
}

export type PointFile = {
  rows: number
  points: ParsedPoint[]
  faults: PointFault[]
  /** Columns the file has that no field reads: left out, never stored. */
  ignoredColumns: string[]
  /** The file's heading for the LSOA code, for faults about it. */
  lsoaHeading: string
}

export const MAX_LABEL = 200

export const POINT_COLUMNS: readonly ColumnSpec[] = [
  { key: 'label', heading: 'Label', aliases: ['name', 'description', 'site name', 'site', 'establishment name', 'premises name', 'title'], required: false },
  { key: 'latitude', heading: 'Latitude', aliases: ['lat', 'wgs84 latitude'], required: false },
  { key: 'longitude', heading: 'Longitude', aliases: ['lon', 'long', 'lng', 'wgs84 longitude'], required: false },
  { key: 'easting', heading: 'Easting', aliases: ['eastings', 'bng e', 'bng easting', 'grid easting', 'osgb easting'], required: false },
  { key: 'northing', heading: 'Northing', aliases: ['northings', 'bng n', 'bng northing', 'grid northing', 'osgb northing'], required: false },
  { key: 'lsoaCode', heading: 'LSOA code', aliases: ['lsoa', 'lsoa11cd', 'lsoa11', 'lsoa11 code', 'lsoa code 2011', 'lsoa 2011 code'], required: false },
]

const PAIRS: Array<[string, string, string]> = [
  ['latitude', 'longitude', 'latitude and longitude'],
  ['easting', 'northing', 'easting and northing'],
]

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)$/

/** The headings the file may use, for a message naming what it lacks. */
export const ACCEPTED_HEADINGS = POINT_COLUMNS.map((c) => `${c.heading} (or ${c.aliases.slice(0, 3).join(', ')})`)

export function readPointFile(text: string): PointFile {
  const reading = readCsv(text)
  if (!reading.table) return { rows: 0, points: [], faults: reading.problems.map((p) => ({ row: p.row, column: null, message: p.message })), ignoredColumns: [], lsoaHeading: 'LSOA code' }
  const { table } = reading
  const faults: PointFault[] = reading.problems.map((p) => ({ row: p.row, column: null, message: p.message }))
  const columns = mapColumns(POINT_COLUMNS, table.headers)
  // A column with no heading and no values is nothing; one with values is a problem readCsv named.
  const ignoredColumns = columns.ignored.filter((c) => c.heading !== '').map((c) => describeIgnored([c]))
  for (const a of columns.ambiguous) {
    faults.push({ row: 1, column: a.headings.join(', '), message: `The columns ${a.headings.map((h) => `"${h}"`).join(' and ')} both mean ${POINT_COLUMNS.find((c) => c.key === a.key)!.heading}: keep one of them` })
  }
  const has = (key: string) => columns.index[key] !== undefined
  const lsoaHeading = columns.headingOf.lsoaCode ?? 'LSOA code'
  for (const [a, b, words] of PAIRS) {
    if (has(a) !== has(b)) {
      const present = has(a) ? a : b
      const absent = has(a) ? b : a
      faults.push({ row: 1, column: columns.headingOf[present]!, message: `The file has a ${POINT_COLUMNS.find((c) => c.key === present)!.heading} column but no ${POINT_COLUMNS.find((c) => c.key === absent)!.heading} column: give both (${words})` })
    }
  }
  if (!has('latitude') && !has('easting') && !has('lsoaCode')) {
    const headings = table.headers.filter((h) => h !== '')
    faults.push({
      row: 1,
      column: null,
      message: `The file has no column saying where each point is: it needs Latitude and Longitude, Easting and Northing, or LSOA code. Its columns are ${headings.map((h) => `"${h}"`).join(', ') || 'none'}`,
    })
  }
  // Problems with the headings stop the file here: every row would report the same thing.
  if (faults.length > 0) return { rows: table.rows.length, points: [], faults, ignoredColumns, lsoaHeading }

  const points: ParsedPoint[] = []
  for (const { row, cells } of table.rows) {
    const cell = (key: string) => {
      const at = columns.index[key]
      return at === undefined ? '' : (cells[at] ?? '').trim()
    }
    const heading = (key: string) => columns.headingOf[key] ?? POINT_COLUMNS.find((c) => c.key === key)!.heading
    const rowFaults: PointFault[] = []
    const fault = (key: string | null, message: string) => rowFaults.push({ row, column: key ? heading(key) : null, message })
    if (cells.length > table.headers.length && cells.slice(table.headers.length).some((c) => c.trim() !== '')) {
      fault(null, `The row has ${cells.length} values but the file has ${table.headers.length} columns: check for a comma that should be inside quotes`)
    }

    const label = cell('label') || null
    if (label !== null && label.length > MAX_LABEL) fault('label', `${heading('label')} must be ${MAX_LABEL} characters or fewer`)

    const number = (key: string): number | null | undefined => {
      const v = cell(key)
      if (v === '') return null
      if (!NUMBER.test(v)) {
        fault(key, `${heading(key)} must be a number, not "${v.slice(0, 40)}"`)
        return undefined
      }
      return Number(v)
    }
    let longitude: number | null = null
    let latitude: number | null = null
    let positionColumn: string | null = null
    const lat = number('latitude')
    const lon = number('longitude')
    const east = number('easting')
    const north = number('northing')
    if (lat !== undefined && lon !== undefined && (lat !== null || lon !== null)) {
      if (lat === null || lon === null) fault(lat === null ? 'latitude' : 'longitude', 'Give both the latitude and the longitude, or neither')
      else if (isInUk(lon, lat)) {
        ;[longitude, latitude, positionColumn] = [lon, lat, heading('latitude')]
      } else if (isInUk(lat, lon)) {
        fault('latitude', `The latitude and longitude look swapped: latitude ${lat} and longitude ${lon} lie outside the UK, the other way round they lie inside it`)
      } else {
        fault('latitude', `The point lies outside the UK (${UK_BOUNDS_TEXT}): latitude ${lat}, longitude ${lon}`)
      }
    }
    if (east !== undefined && north !== undefined && (east !== null || north !== null) && positionColumn === null && !rowFaults.some((f) => f.column === heading('latitude') || f.column === heading('longitude'))) {
      if (east === null || north === null) fault(east === null ? 'easting' : 'northing', 'Give both the easting and the northing, or neither')
      else if (!(east >= 0 && east <= 700_000 && north >= 0 && north <= 1_300_000)) {
        fault('easting', `The easting and northing are not on the British National Grid (eastings 0 to 700,000 m, northings 0 to 1,300,000 m): ${east}, ${north}`)
      } else {
        const [x, y] = bngToWgs84(east, north)
        if (!isInUk(x, y)) fault('easting', `The point lies outside the UK (${UK_BOUNDS_TEXT}): easting ${east}, northing ${north}`)
        // A millionth of a degree is about 10 cm, finer than any partner's positions.
        else [longitude, latitude, positionColumn] = [Math.round(x * 1e6) / 1e6, Math.round(y * 1e6) / 1e6, heading('easting')]
      }
    }
    let lsoaCode: string | null = null
    const rawLsoa = cell('lsoaCode')
    if (rawLsoa !== '') {
      const code = normaliseCode(rawLsoa)
      if (isAreaCode('lsoa', code)) lsoaCode = code
      else fault('lsoaCode', `${heading('lsoaCode')} must be a 2011 LSOA code (E01 or W01 and six digits), not "${rawLsoa.slice(0, 40)}"`)
    }
    if (rowFaults.length === 0 && positionColumn === null && lsoaCode === null) {
      fault(null, 'The row does not say where the point is: give its latitude and longitude, its easting and northing, or its LSOA code')
    }
    if (rowFaults.length > 0) faults.push(...rowFaults)
    else points.push({ row, label, longitude, latitude, lsoaCode, positionColumn })
  }
  return { rows: table.rows.length, points, faults, ignoredColumns, lsoaHeading }
}

export type ResolvedPoint = Omit<ParsedPoint, 'lsoaCode' | 'positionColumn'> & { lsoaCode: string }

export type LsoaLookup = {
  /** Whether an LSOA with this code is loaded (from boundaries or lookups). */
  isLoaded: (code: string) => boolean
  /** The loaded LSOA whose boundary holds the position, or null. */
  lsoaAt: (index: number) => string | null
}

/**
 * Each point's LSOA: the one the file gives, which must be loaded, or the loaded boundary that
 * holds its position. `lsoaAt` is asked by the point's index among `points`.
 */
export function resolvePoints(points: readonly ParsedPoint[], lookup: LsoaLookup, lsoaHeading = 'LSOA code'): { points: ResolvedPoint[]; faults: PointFault[] } {
  const resolved: ResolvedPoint[] = []
  const faults: PointFault[] = []
  points.forEach((p, i) => {
    const { positionColumn, lsoaCode, ...rest } = p
    if (lsoaCode !== null) {
      if (lookup.isLoaded(lsoaCode)) resolved.push({ ...rest, lsoaCode })
      else faults.push({ row: p.row, column: lsoaHeading, message: `No LSOA ${lsoaCode} is loaded: import the LSOA boundaries or the ONS lookups that hold it first, or correct the code` })
      return
    }
    const found = lookup.lsoaAt(i)
    if (found !== null) resolved.push({ ...rest, lsoaCode: found })
    else faults.push({ row: p.row, column: positionColumn, message: 'The point lies in none of the LSOA boundaries loaded: import the boundaries of the area it is in, or give its LSOA code' })
  })
  return { points: resolved, faults }
}

/** Faults in row order, whole-file problems first, for a report read from the top. */
export function sortFaults(faults: readonly PointFault[]): PointFault[] {
  return [...faults].sort((a, b) => (a.row ?? 0) - (b.row ?? 0))
}
