import { isInUk, looksLikeBng, normaliseCode, UK_BOUNDS_TEXT, isAreaCode } from './codes.ts'
import type { ColumnMap, ColumnSpec } from './columns.ts'
import { bngToWgs84 } from './projection.ts'
import type { Tally } from './tally.ts'
import { decimal, isFault, month, text, type Fault } from './values.ts'

// data.police.uk street-level crime files (https://data.police.uk/about/#columns): one row per
// crime or anti-social behaviour incident, located to an anonymised point on or near a street.

export const STREET_CRIME_COLUMNS: readonly ColumnSpec[] = [
  { key: 'crimeId', heading: 'Crime ID', aliases: ['crime reference', 'crime identifier'], required: false },
  { key: 'month', heading: 'Month', aliases: ['crime month', 'year month'], required: true },
  { key: 'reportedBy', heading: 'Reported by', aliases: ['reporting force', 'reported by force'], required: false },
  { key: 'fallsWithin', heading: 'Falls within', aliases: ['falls within force', 'force', 'police force', 'force name'], required: false },
  { key: 'longitude', heading: 'Longitude', aliases: ['lon', 'long', 'lng'], required: true },
  { key: 'latitude', heading: 'Latitude', aliases: ['lat'], required: true },
  { key: 'location', heading: 'Location', aliases: ['street', 'street name', 'location description'], required: false },
  { key: 'lsoaCode', heading: 'LSOA code', aliases: ['lsoa', 'lsoa11cd', 'lsoa code 2011', 'lsoa11 code'], required: true },
  { key: 'lsoaName', heading: 'LSOA name', aliases: ['lsoa11nm', 'lsoa name 2011', 'lsoa11 name'], required: false },
  { key: 'crimeType', heading: 'Crime type', aliases: ['crime category', 'category', 'offence type'], required: true },
  { key: 'lastOutcome', heading: 'Last outcome category', aliases: ['last outcome', 'outcome', 'outcome category'], required: false },
  { key: 'context', heading: 'Context', aliases: [], required: false },
]

/**
 * data.police.uk's crime categories, as its files spell them. "Violent crime" and "Public
 * disorder and weapons" were used until May 2013, when they were split into the categories that
 * replaced them.
 */
export const CRIME_TYPES = [
  'Anti-social behaviour',
  'Bicycle theft',
  'Burglary',
  'Criminal damage and arson',
  'Drugs',
  'Other crime',
  'Other theft',
  'Possession of weapons',
  'Public disorder and weapons',
  'Public order',
  'Robbery',
  'Shoplifting',
  'Theft from the person',
  'Vehicle crime',
  'Violence and sexual offences',
  'Violent crime',
] as const

const CANONICAL_TYPE = new Map(CRIME_TYPES.map((t) => [t.toLowerCase(), t]))

export type StreetCrimeRow = {
  fallsWithin: string
  month: string
  crimeId: string | null
  reportedBy: string
  longitude: string | null
  latitude: string | null
  location: string | null
  lsoaCode: string | null
  lsoaName: string | null
  crimeType: string
  lastOutcome: string | null
  context: string | null
}

/** A file needs a force column: "Falls within", "Reported by", or both. */
export function missingForceColumn(columns: ColumnMap): boolean {
  return columns.index.fallsWithin === undefined && columns.index.reportedBy === undefined
}

/** The month in a data.police.uk file name (2019-12-leicestershire-street.csv), as '2019-12-01'. */
export function monthInFileName(fileName: string): string | null {
  const m = /^(\d{4})-(0[1-9]|1[0-2])-/.exec(fileName)
  return m ? `${m[1]}-${m[2]}-01` : null
}

export type StreetCrimeContext = {
  file: string
  columns: ColumnMap
  tally: Tally
  now: Date
  /** The LSOA codes loaded as areas, when any are: a code outside them is noted. */
  knownLsoas: ReadonlySet<string> | null
  /** The month the file name gives, if any. */
  fileMonth: string | null
}

/**
 * Reads the rows of one file. A row is rejected (and counted with its reason) when it cannot be a
 * real record: no month or an impossible one, no crime type, no force, or a position that is not a
 * number or lies outside the UK. A row is kept, with a note, when it has no location (data.police.uk
 * publishes those), or an LSOA code that is not a 2011 LSOA or not one the loaded areas know.
 */
type StreetCrimeKey = 'crimeId' | 'month' | 'reportedBy' | 'fallsWithin' | 'longitude' | 'latitude' | 'location' | 'lsoaCode' | 'lsoaName' | 'crimeType' | 'lastOutcome' | 'context'

export class StreetCrimeReader {
  private readonly h: Record<string, string>
  // Column positions, -1 when the file lacks the column.
  private readonly at: Record<StreetCrimeKey, number>
  private lastMonthCell = ''
  private lastMonth: string | Fault | null = null
  private readonly types = new Map<string, { name: string; known: boolean }>()
  private row = 0

  constructor(private readonly c: StreetCrimeContext) {
    this.h = { ...Object.fromEntries(STREET_CRIME_COLUMNS.map((s) => [s.key, s.heading])), ...c.columns.headingOf }
    this.at = Object.fromEntries(STREET_CRIME_COLUMNS.map((s) => [s.key, c.columns.index[s.key] ?? -1])) as StreetCrimeReader['at']
  }

  // Written without a closure per row: this runs 6.6 million times for a national year, and each
  // closure made here cost more than the check it does (measured with --cpu-prof).
  private rejected(reason: string, column: string | null, value: string | undefined | null): null {
    this.c.tally.reject(this.c.file, this.row, reason, column, value ?? null)
    return null
  }

  private fault(f: Fault, value: string | undefined): null {
    return this.rejected(f.reason, f.column, value)
  }

  read(cells: readonly string[], row: number): StreetCrimeRow | null {
    const { tally, file } = this.c
    const at = this.at
    const h = this.h
    this.row = row

    const monthCell = at.month < 0 ? '' : (cells[at.month] ?? '')
    if (monthCell !== this.lastMonthCell || this.lastMonth === null) {
      // Every row of a file usually has the same month: read it once.
      this.lastMonthCell = monthCell
      this.lastMonth = month(monthCell, h.month!, this.c.now)
    }
    const m = this.lastMonth
    if (m === null) return this.rejected('Month is blank', h.month!, monthCell)
    if (isFault(m)) return this.fault(m, monthCell)

    const typeCell = cellAt(cells, at.crimeType)
    const rawType = text(typeCell, h.crimeType!)
    if (rawType === null) return this.rejected('Crime type is blank', h.crimeType!, typeCell)
    if (isFault(rawType)) return this.fault(rawType, typeCell)
    let type = this.types.get(rawType)
    if (type === undefined) {
      // Re-cased categories ("BURGLARY") take data.police.uk's spelling, so counts by type add up.
      const canonical = CANONICAL_TYPE.get(rawType.toLowerCase())
      type = { name: canonical ?? rawType, known: canonical !== undefined }
      this.types.set(rawType, type)
    }

    // data.police.uk documents "Falls within" as, at present, also the force that provided the
    // data; either column stands for the other when a file has only one.
    const reportedCell = cellAt(cells, at.reportedBy)
    const reported = text(reportedCell, h.reportedBy!)
    if (isFault(reported)) return this.fault(reported, reportedCell)
    const fallsCell = cellAt(cells, at.fallsWithin)
    const falls = text(fallsCell, h.fallsWithin!)
    if (isFault(falls)) return this.fault(falls, fallsCell)
    if (reported === null && falls === null) return this.rejected('No force is named (Reported by and Falls within are blank)', null, null)

    const idCell = cellAt(cells, at.crimeId)
    const crimeId = text(idCell, h.crimeId!)
    if (isFault(crimeId)) return this.fault(crimeId, idCell)
    const locationCell = cellAt(cells, at.location)
    const location = text(locationCell, h.location!)
    if (isFault(location)) return this.fault(location, locationCell)
    const nameCell = cellAt(cells, at.lsoaName)
    const lsoaName = text(nameCell, h.lsoaName!)
    if (isFault(lsoaName)) return this.fault(lsoaName, nameCell)
    const outcomeCell = cellAt(cells, at.lastOutcome)
    const lastOutcome = text(outcomeCell, h.lastOutcome!)
    if (isFault(lastOutcome)) return this.fault(lastOutcome, outcomeCell)
    const contextCell = cellAt(cells, at.context)
    const context = text(contextCell, h.context!)
    if (isFault(context)) return this.fault(context, contextCell)

    const lonCell = cellAt(cells, at.longitude)
    const latCell = cellAt(cells, at.latitude)
    const lon = decimal(lonCell, h.longitude!)
    if (isFault(lon)) return this.fault(lon, lonCell)
    const lat = decimal(latCell, h.latitude!)
    if (isFault(lat)) return this.fault(lat, latCell)
    let longitude: string | null = null
    let latitude: string | null = null
    if (lon && lat) {
      let x = lon.value
      let y = lat.value
      longitude = lon.text
      latitude = lat.text
      if (looksLikeBng(x, y)) {
        // Eastings and northings in the longitude and latitude columns: a file from a GIS.
        ;[x, y] = bngToWgs84(x, y)
        longitude = x.toFixed(6)
        latitude = y.toFixed(6)
        tally.note(file, row, 'Position given as British National Grid metres, converted to longitude and latitude', null, `${lonCell}, ${latCell}`)
      }
      if (!isInUk(x, y)) {
        const reason = isInUk(y, x) ? 'Longitude and latitude are the wrong way round' : `Position is outside the UK (${UK_BOUNDS_TEXT})`
        return this.rejected(reason, null, `${lonCell}, ${latCell}`)
      }
    } else if (lon || lat) {
      return this.rejected(lon ? 'Longitude is given without a latitude' : 'Latitude is given without a longitude', lon ? h.latitude! : h.longitude!, `${lonCell ?? ''}, ${latCell ?? ''}`)
    }

    const lsoaCell = cellAt(cells, at.lsoaCode)
    const rawLsoa = text(lsoaCell, h.lsoaCode!)
    if (isFault(rawLsoa)) return this.fault(rawLsoa, lsoaCell)
    let lsoaCode: string | null = null
    if (rawLsoa !== null) {
      lsoaCode = normaliseCode(rawLsoa)
      if (!isAreaCode('lsoa', lsoaCode)) {
        tally.note(file, row, 'LSOA code is not a 2011 LSOA code (E01 or W01 and six digits): kept as written, in no area', h.lsoaCode!, rawLsoa)
      } else if (this.c.knownLsoas && !this.c.knownLsoas.has(lsoaCode)) {
        tally.note(file, row, `LSOA code is not among the ${this.c.knownLsoas.size.toLocaleString('en-GB')} LSOAs loaded: kept, in no loaded area until its boundary or lookup is imported`, h.lsoaCode!, rawLsoa)
      }
    }
    if (longitude === null && lsoaCode === null) tally.note(file, row, 'No location: kept, counted for the force but in no area', null)
    if (!type.known) tally.note(file, row, "Crime type is not one of data.police.uk's categories: kept as written", h.crimeType!, rawType)
    if (this.c.fileMonth !== null && m !== this.c.fileMonth) tally.note(file, row, "Month differs from the month in the file's name: kept under its own month", h.month!, monthCell)

    return {
      fallsWithin: falls ?? reported!,
      month: m,
      crimeId,
      reportedBy: reported ?? falls!,
      longitude,
      latitude,
      location,
      lsoaCode,
      lsoaName,
      crimeType: type.name,
      lastOutcome,
      context,
    }
  }
}

function cellAt(cells: readonly string[], at: number): string | undefined {
  return at < 0 ? undefined : cells[at]
}
