import { isAreaCode, isInUk, looksLikeBng, normaliseCode, UK_BOUNDS_TEXT } from './codes.ts'
import { rowAccess, type ColumnMap, type ColumnSpec } from './columns.ts'
import { bngToWgs84 } from './projection.ts'
import type { Tally } from './tally.ts'
import { decimal, instant, isFault, text, ukMonthOf, yesNo, type Fault } from './values.ts'

// data.police.uk stop and search files (https://data.police.uk/about/#stop-and-search): one row a
// search. They name neither the force nor an LSOA: the force comes from the file name or the
// command line, and the LSOA from the loaded LSOA boundaries that hold the search's position.

export const STOP_SEARCH_COLUMNS: readonly ColumnSpec[] = [
  { key: 'type', heading: 'Type', aliases: ['search type'], required: true },
  { key: 'date', heading: 'Date', aliases: ['date time', 'datetime', 'searched at'], required: true },
  { key: 'partOfOperation', heading: 'Part of a policing operation', aliases: ['part of policing operation'], required: false },
  { key: 'operationName', heading: 'Policing operation', aliases: ['operation name', 'policing operation name'], required: false },
  { key: 'latitude', heading: 'Latitude', aliases: ['lat'], required: true },
  { key: 'longitude', heading: 'Longitude', aliases: ['lon', 'long', 'lng'], required: true },
  { key: 'gender', heading: 'Gender', aliases: [], required: false },
  { key: 'ageRange', heading: 'Age range', aliases: [], required: false },
  { key: 'selfDefinedEthnicity', heading: 'Self-defined ethnicity', aliases: [], required: false },
  { key: 'officerDefinedEthnicity', heading: 'Officer-defined ethnicity', aliases: [], required: false },
  { key: 'legislation', heading: 'Legislation', aliases: [], required: false },
  { key: 'objectOfSearch', heading: 'Object of search', aliases: [], required: true },
  { key: 'outcome', heading: 'Outcome', aliases: [], required: true },
  { key: 'outcomeLinkedToObject', heading: 'Outcome linked to object of search', aliases: [], required: false },
  { key: 'removalOfOuterClothing', heading: 'Removal of more than just outer clothing', aliases: [], required: false },
  { key: 'lsoaCode', heading: 'LSOA code', aliases: ['lsoa', 'lsoa11cd'], required: false },
]

export type StopSearchRow = {
  month: string
  searchedAt: string
  searchType: string
  partOfOperation: boolean | null
  operationName: string | null
  longitude: number | null
  latitude: number | null
  lsoaCode: string | null
  gender: string | null
  ageRange: string | null
  selfDefinedEthnicity: string | null
  officerDefinedEthnicity: string | null
  legislation: string | null
  objectOfSearch: string | null
  outcome: string | null
  outcomeLinkedToObject: boolean | null
  removalOfOuterClothing: boolean | null
}

const TEXTS = ['operationName', 'gender', 'ageRange', 'selfDefinedEthnicity', 'officerDefinedEthnicity', 'legislation', 'objectOfSearch', 'outcome'] as const
const FLAGS = ['partOfOperation', 'outcomeLinkedToObject', 'removalOfOuterClothing'] as const

export type StopSearchContext = {
  file: string
  columns: ColumnMap
  tally: Tally
  /** The month the file name gives; without one, each search is filed under its own UK month. */
  fileMonth: string | null
}

/**
 * Reads one row. Rejected: no date, or one without its offset or not real, a search dated outside
 * the file's month (data.police.uk files each search under its month in UK time), no search
 * type, a flag that is not True or False, a position that is not a number or is outside the UK.
 */
export function readStopSearch(c: StopSearchContext, cells: readonly string[], row: number): StopSearchRow | null {
  const { tally, file } = c
  const { cell, heading, reject } = rowAccess(c.columns, cells, { tally, file, row }, (key) => STOP_SEARCH_COLUMNS.find((s) => s.key === key)!.heading)

  const dateCell = cell('date')
  const at = instant(dateCell, heading('date'))
  if (at === null) return reject({ reason: 'Date is blank', column: heading('date') }, dateCell)
  if (isFault(at)) return reject(at, dateCell)
  const searchMonth = ukMonthOf(at)
  if (c.fileMonth !== null && searchMonth !== c.fileMonth) {
    return reject({ reason: `Date is outside the month the file name gives (${c.fileMonth.slice(0, 7)}), in UK time`, column: heading('date') }, dateCell)
  }

  const typeCell = cell('type')
  const searchType = text(typeCell, heading('type'))
  if (searchType === null) return reject({ reason: 'Type is blank', column: heading('type') }, typeCell)
  if (isFault(searchType)) return reject(searchType, typeCell)

  const values: Record<string, string | null> = {}
  for (const key of TEXTS) {
    const v = text(cell(key), heading(key))
    if (isFault(v)) return reject(v, cell(key))
    values[key] = v
  }
  const flags: Record<string, boolean | null> = {}
  for (const key of FLAGS) {
    const v = yesNo(cell(key), heading(key))
    if (isFault(v)) return reject(v, cell(key))
    flags[key] = v
  }

  const lonCell = cell('longitude')
  const latCell = cell('latitude')
  const lon = decimal(lonCell, heading('longitude'))
  if (isFault(lon)) return reject(lon, lonCell)
  const lat = decimal(latCell, heading('latitude'))
  if (isFault(lat)) return reject(lat, latCell)
  let longitude: number | null = null
  let latitude: number | null = null
  if (lon && lat) {
    ;[longitude, latitude] = looksLikeBng(lon.value, lat.value) ? bngToWgs84(lon.value, lat.value) : [lon.value, lat.value]
    if (!isInUk(longitude, latitude)) {
      const reason = isInUk(latitude, longitude) ? 'Longitude and latitude are the wrong way round' : `Position is outside the UK (${UK_BOUNDS_TEXT})`
      return reject({ reason, column: null }, `${lonCell}, ${latCell}`)
    }
  } else if (lon || lat) {
    return reject({ reason: lon ? 'Longitude is given without a latitude' : 'Latitude is given without a longitude', column: null }, `${lonCell ?? ''}, ${latCell ?? ''}`)
  } else {
    tally.note(file, row, 'No location: kept, counted for the force but in no area', null)
  }

  let lsoaCode: string | null = null
  const lsoaCell = text(cell('lsoaCode'), heading('lsoaCode'))
  if (isFault(lsoaCell)) return reject(lsoaCell, cell('lsoaCode'))
  if (lsoaCell !== null) {
    lsoaCode = normaliseCode(lsoaCell)
    if (!isAreaCode('lsoa', lsoaCode)) tally.note(file, row, 'LSOA code is not a 2011 LSOA code (E01 or W01 and six digits): kept as written, in no area', heading('lsoaCode'), lsoaCell)
  }

  return {
    month: c.fileMonth ?? searchMonth,
    searchedAt: at.toISOString(),
    searchType,
    partOfOperation: flags.partOfOperation ?? null,
    operationName: values.operationName ?? null,
    longitude,
    latitude,
    lsoaCode,
    gender: values.gender ?? null,
    ageRange: values.ageRange ?? null,
    selfDefinedEthnicity: values.selfDefinedEthnicity ?? null,
    officerDefinedEthnicity: values.officerDefinedEthnicity ?? null,
    legislation: values.legislation ?? null,
    objectOfSearch: values.objectOfSearch ?? null,
    outcome: values.outcome ?? null,
    outcomeLinkedToObject: flags.outcomeLinkedToObject ?? null,
    removalOfOuterClothing: flags.removalOfOuterClothing ?? null,
  }
}
