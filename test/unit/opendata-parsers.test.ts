import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { mapColumns } from '../../src/core/opendata/columns.ts'
import { CsvRecordSplitter, type CsvRecord } from '../../src/core/opendata/csvRecords.ts'
import { decileOfRank, DeprivationReader, recogniseDeprivationFile } from '../../src/core/opendata/deprivation.ts'
import { forceName, stopSearchFileName } from '../../src/core/opendata/forces.ts'
import { LookupCollector, recogniseLookupFile } from '../../src/core/opendata/lookups.ts'
import { readStopSearch, STOP_SEARCH_COLUMNS } from '../../src/core/opendata/stopSearch.ts'
import { missingForceColumn, monthInFileName, STREET_CRIME_COLUMNS, StreetCrimeReader } from '../../src/core/opendata/streetCrime.ts'
import { Tally } from '../../src/core/opendata/tally.ts'
import { month, ukMonthOf, wholeNumber } from '../../src/core/opendata/values.ts'

const SHARED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data')
const NOW = new Date('2026-06-15T12:00:00Z')
const POLICE_UK_HEADER = 'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context'

function records(text: string): CsvRecord[] {
  const s = new CsvRecordSplitter()
  const out: CsvRecord[] = []
  s.push(text, out)
  s.end(out)
  return out
}

/** Reads street-level CSV text with the reader, as the importer does. */
function readStreet(text: string, knownLsoas: Set<string> | null = null) {
  const [head, ...rows] = records(text)
  const tally = new Tally()
  const columns = mapColumns(STREET_CRIME_COLUMNS, head!.cells)
  const reader = new StreetCrimeReader({ file: 'f.csv', columns, tally, now: NOW, knownLsoas, fileMonth: null })
  const loaded = rows.map((r) => reader.read(r.cells, r.row))
  return { columns, loaded, tally, rejected: tally.rejectionSummary(), notes: tally.noteSummary() }
}

test('finds the street-level columns under re-cased, snake_case and renamed headings, and reports the rest', () => {
  const headings = ['', 'crime_id', 'month', 'REPORTED BY', 'Falls Within', 'longitude', 'latitude', 'location', 'lsoa_code', 'LSOA11NM', 'CRIME TYPE', 'last_outcome_category', 'context', 'Unnamed: 0']
  const m = mapColumns(STREET_CRIME_COLUMNS, headings)
  assert.deepEqual(m.missing, [])
  assert.equal(m.index.crimeId, 1)
  assert.equal(m.index.fallsWithin, 4)
  assert.equal(m.index.lsoaCode, 8)
  assert.equal(m.index.lsoaName, 9)
  assert.equal(m.index.crimeType, 10)
  assert.equal(m.index.lastOutcome, 11)
  assert.deepEqual(m.ignored, [
    { column: 'A', heading: '' },
    { column: 'N', heading: 'Unnamed: 0' },
  ])
})

test('names the columns a stop-and-search file lacks to be street-level crime', () => {
  const header = fs.readFileSync(path.join(SHARED, 'police/stop-and-search/2019-06-greater-manchester-stop-and-search.csv'), 'utf8').split('\n')[0]!
  const m = mapColumns(STREET_CRIME_COLUMNS, header.split(','))
  assert.deepEqual(
    m.missing.map((s) => s.heading),
    ['Month', 'LSOA code', 'Crime type'],
  )
  assert.equal(missingForceColumn(m), true)
  assert.deepEqual(mapColumns(STOP_SEARCH_COLUMNS, header.split(',')).missing, [])
})

test('two columns for one field are reported as ambiguous', () => {
  const m = mapColumns(STREET_CRIME_COLUMNS, ['Crime ID', 'crime_id', 'Month'])
  assert.deepEqual(m.ambiguous, [{ key: 'crimeId', headings: ['Crime ID', 'crime_id'] }])
})

test('keeps anti-social behaviour without a crime ID, and rows without a location with a note', () => {
  const r = readStreet(`${POLICE_UK_HEADER}
,2019-12,Leicestershire Police,Leicestershire Police,-1.214176,52.621663,On or near Lowland Avenue,E01025631,Blaby 002A,Anti-social behaviour,,
abc,2019-12,Leicestershire Police,Leicestershire Police,,,No Location,,,Violence and sexual offences,Under investigation,
`)
  assert.equal(r.loaded.filter(Boolean).length, 2)
  assert.equal(r.loaded[0]!.crimeId, null)
  assert.equal(r.loaded[0]!.month, '2019-12-01')
  assert.equal(r.loaded[1]!.longitude, null)
  assert.deepEqual(r.rejected, [])
  assert.equal(r.notes[0]!.reason, 'No location: kept, counted for the force but in no area')
  assert.deepEqual(r.notes[0]!.examples, [{ file: 'f.csv', row: 3, value: null }])
})

test('rejects impossible months, positions outside the UK or swapped, and half a position, each with its reason and row', () => {
  const r = readStreet(`${POLICE_UK_HEADER}
a,2019-13,P,P,-1.2,52.6,x,E01025631,n,Burglary,,
b,Dec 2019,P,P,-1.2,52.6,x,E01025631,n,Burglary,,
c,2027-01,P,P,-1.2,52.6,x,E01025631,n,Burglary,,
d,2019-12,P,P,2.35,48.85,Paris,,,Burglary,,
e,2019-12,P,P,52.6,-1.2,x,E01025631,n,Burglary,,
f,2019-12,P,P,-1.2,,x,E01025631,n,Burglary,,
g,2019-12,P,P,west,52.6,x,E01025631,n,Burglary,,
h,2019-12,P,P,-1.2,52.6,x,E01025631,n,,,
i,2019-12,,,-1.2,52.6,x,E01025631,n,Burglary,,
j,2019-12,P,P,-1.2,52.6,x,E01025631,n,Burglary,,
`)
  const byReason = Object.fromEntries(r.rejected.map((x) => [x.reason, Object.values(x.rows).flat()]))
  assert.deepEqual(byReason, {
    'Month is not a month of the year (01 to 12)': [2],
    'Month is not a year and month (YYYY-MM)': [3],
    'Month is in the future': [4],
    'Position is outside the UK (longitude -8.7 to 1.8, latitude 49.8 to 60.9)': [5],
    'Longitude and latitude are the wrong way round': [6],
    'Longitude is given without a latitude': [7],
    'Longitude is not a number': [8],
    'Crime type is blank': [9],
    'No force is named (Reported by and Falls within are blank)': [10],
  })
  assert.equal(r.loaded.filter(Boolean).length, 1)
  assert.equal(r.rejected.find((x) => x.reason.startsWith('Position'))!.examples[0]!.value, '2.35, 48.85')
})

test('notes LSOA codes that are not 2011 LSOAs, or not among those loaded, and keeps the rows', () => {
  const text = `${POLICE_UK_HEADER}
a,2019-12,P,P,-1.2,52.6,x,e01025631,n,burglary,,
b,2019-12,P,P,-1.2,52.6,x,E01999999,n,Burglary,,
c,2019-12,P,P,-1.2,52.6,x,95AA01S1,n,Burglary,,
`
  const r = readStreet(text, new Set(['E01025631']))
  assert.equal(r.loaded.filter(Boolean).length, 3)
  assert.equal(r.loaded[0]!.lsoaCode, 'E01025631', 'upper-cased')
  assert.equal(r.loaded[0]!.crimeType, 'Burglary', "re-cased to data.police.uk's spelling")
  const notes = Object.fromEntries(r.notes.map((n) => [n.reason, n.examples.map((e) => e.row)]))
  assert.deepEqual(notes['LSOA code is not among the 1 LSOAs loaded: kept, in no loaded area until its boundary or lookup is imported'], [3])
  assert.deepEqual(notes['LSOA code is not a 2011 LSOA code (E01 or W01 and six digits): kept as written, in no area'], [4])
  const unchecked = readStreet(text, null)
  assert.equal(unchecked.notes.length, 1, 'with no LSOAs loaded only the form is checked')
})

test('converts a position given in British National Grid metres', () => {
  const r = readStreet(`${POLICE_UK_HEADER}
a,2019-12,P,P,457761,308486,x,E01013600,n,Burglary,,
`)
  const row = r.loaded[0]!
  // ONS's own pair for Leicester 003A (lsoa11_E06000016.geojson: BNG_E, BNG_N, LONG, LAT).
  assert.ok(Math.abs(Number(row.longitude) - -1.14723) < 1e-4, row.longitude!)
  assert.ok(Math.abs(Number(row.latitude) - 52.67103) < 1e-4, row.latitude!)
  assert.match(r.notes[0]!.reason, /British National Grid/)
})

test('months: data.police.uk form and spreadsheet forms; the month of a file name', () => {
  assert.equal(month('2019-12', 'Month', NOW), '2019-12-01')
  assert.equal(month('2019-12-01', 'Month', NOW), '2019-12-01')
  assert.equal(month('2019/3', 'Month', NOW), '2019-03-01')
  assert.deepEqual(month('2019-12-15', 'Month', NOW), { reason: 'Month is not a year and month (YYYY-MM)', column: 'Month' })
  assert.equal(monthInFileName('2019-12-leicestershire-street.csv'), '2019-12-01')
  assert.equal(monthInFileName('street.csv'), null)
})

test('stop and search: the force and month come from the file name, or --force', () => {
  assert.deepEqual(stopSearchFileName('2019-06-greater-manchester-stop-and-search.csv'), { month: '2019-06-01', force: 'Greater Manchester Police', forceId: 'greater-manchester' })
  assert.deepEqual(stopSearchFileName('2019-06-atlantis-stop-and-search.csv'), { month: '2019-06-01', force: null, forceId: 'atlantis' })
  assert.deepEqual(stopSearchFileName('searches.csv'), { month: null, force: null, forceId: null })
  assert.equal(forceName('west-yorkshire'), 'West Yorkshire Police')
  assert.equal(forceName('WEST YORKSHIRE POLICE'), 'West Yorkshire Police')
  assert.equal(forceName('Ministry of Defence Police'), 'Ministry of Defence Police')
})

test('stop and search: an instant needs its offset, falls in the file month in UK time, and flags are True or False', () => {
  // 23:01 UTC on 31 May 2019 is 00:01 BST on 1 June: data.police.uk files it under June.
  assert.equal(ukMonthOf(new Date('2019-05-31T23:01:00+00:00')), '2019-06-01')
  assert.equal(ukMonthOf(new Date('2019-12-31T23:30:00Z')), '2019-12-01')
  const header = 'Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search,Removal of more than just outer clothing'
  const [head, ...rows] = records(`${header}
Person search,2019-05-31T23:01:00+00:00,False,,53.407704,-2.162284,Female,10-17,,Black,PACE,Offensive weapons,A no further action disposal,,False
Person search,2019-06-03 10:00:00,False,,53.4,-2.1,Male,18-24,,,PACE,Controlled drugs,Arrest,True,False
Person search,2019-07-01T10:00:00+01:00,False,,53.4,-2.1,Male,18-24,,,PACE,Controlled drugs,Arrest,True,False
Person search,2019-06-02T10:00:00Z,Maybe,,53.4,-2.1,Male,18-24,,,PACE,Controlled drugs,Arrest,True,False
Vehicle search,2019-06-02T10:00:00Z,True,Op Nimrod,,,,,,,PACE,Stolen goods,Arrest,True,False
`)
  const tally = new Tally()
  const columns = mapColumns(STOP_SEARCH_COLUMNS, head!.cells)
  const read = rows.map((r) => readStopSearch({ file: 's.csv', columns, tally, fileMonth: '2019-06-01' }, r.cells, r.row))
  assert.equal(read[0]!.month, '2019-06-01')
  assert.equal(read[0]!.searchedAt, '2019-05-31T23:01:00.000Z')
  assert.equal(read[0]!.removalOfOuterClothing, false)
  assert.equal(read[0]!.outcomeLinkedToObject, null)
  assert.equal(read[4]!.partOfOperation, true)
  assert.equal(read[4]!.longitude, null)
  assert.deepEqual(
    tally.rejectionSummary().map((x) => [x.reason, Object.values(x.rows).flat()]),
    [
      ['Date is not a date and time with its offset from UTC (2019-05-31T23:01:00+00:00)', [3]],
      ['Date is outside the month the file name gives (2019-06), in UK time', [4]],
      ['Part of a policing operation is not True or False', [5]],
    ],
  )
})

test('IoD 2019: recognises File 1, 2 and 6 by their headings, reads ranks quoted with thousands separators', () => {
  const read = (file: string) => {
    const text = fs.readFileSync(path.join(SHARED, 'deprivation', file), 'utf8')
    return records(text.slice(0, 4000).slice(0, text.slice(0, 4000).lastIndexOf('\n') + 1))
  }
  const f1 = read('File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv')
  const f2 = read('File_2_-_IoD2019_Domains_of_Deprivation.csv')
  const f6 = read('File_6_-_IoD2019_Population_Denominators.csv')
  const r1 = recogniseDeprivationFile(f1[0]!.cells)
  const r2 = recogniseDeprivationFile(f2[0]!.cells)
  const r6 = recogniseDeprivationFile(f6[0]!.cells)
  assert.equal(r1.kind, 'imd')
  assert.equal(r2.kind, 'domains')
  assert.equal(r6.kind, 'population')
  assert.equal(f1[0]!.cells[0], 'LSOA code (2011)', 'the byte-order mark is not part of the first heading')
  const tally = new Tally()
  if (r1.kind !== 'imd' || r2.kind !== 'domains' || r6.kind !== 'population') throw new Error('unrecognised')
  // E01000001, City of London 001A: rank "29,199", decile 9 (File 1, row 2).
  const imd = new DeprivationReader('imd', r1.columns, 'File_1', tally).read(f1[1]!.cells, 2)!
  assert.equal(imd.lsoaCode, 'E01000001')
  assert.equal(imd.imdRank, 29_199)
  assert.equal(imd.imdDecile, 9)
  const domains = new DeprivationReader('domains', r2.columns, 'File_2', tally).read(f2[1]!.cells, 2)!
  // File 2, row 2: … Crime 32662, 10; Barriers to Housing and Services 7319, 3 …
  assert.deepEqual(domains.domains!.crime, { rank: 32_662, decile: 10 })
  assert.deepEqual(domains.domains!.barriers, { rank: 7_319, decile: 3 })
  assert.deepEqual(domains.domains!.education, { rank: 32_842, decile: 10 })
  const pop = new DeprivationReader('population', r6.columns, 'File_6', tally).read(f6[1]!.cells, 2)!
  assert.equal(pop.population, 1_296)
  assert.equal(pop.population0To15! + pop.population16To59! + pop.population60Plus!, 1_296)
  assert.deepEqual(tally.rejectionSummary(), [])
  assert.equal(wholeNumber('29,199', 'Rank'), 29_199)
  assert.deepEqual(wholeNumber('29,19', 'Rank'), { reason: 'Rank is not a whole number', column: 'Rank' })
  assert.equal(decileOfRank(3_284), 1)
  assert.equal(decileOfRank(3_285), 2)
  assert.equal(decileOfRank(32_844), 10)
})

test('IoD 2019: rejects a decile that is not its rank’s, a rank out of range, a Welsh code and an LSOA given twice', () => {
  const header = 'LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile'
  const [head, ...rows] = records(`${header}
E01000001,City of London 001A,E09000001,City of London,"29,199",3
E01000002,City of London 001B,E09000001,City of London,"40,000",10
W01000001,Somewhere,W06000001,Anglesey,100,1
E01000003,City of London 001C,E09000001,City of London,100,1
E01000003,City of London 001C,E09000001,City of London,100,1
`)
  const recognised = recogniseDeprivationFile(head!.cells)
  if (recognised.kind !== 'imd') throw new Error('not File 1')
  const tally = new Tally()
  const reader = new DeprivationReader('imd', recognised.columns, 'f', tally)
  const loaded = rows.map((r) => reader.read(r.cells, r.row)).filter(Boolean)
  assert.equal(loaded.length, 1)
  assert.deepEqual(
    tally.rejectionSummary().map((x) => [x.reason, Object.values(x.rows).flat()]),
    [
      ['Index of Multiple Deprivation (IMD) Decile is not the decile of its rank', [2]],
      ['Index of Multiple Deprivation (IMD) Rank is not a rank from 1 to 32,844', [3]],
      ['LSOA code is not an English 2011 LSOA code (E01 and six digits)', [4]],
      ['The LSOA is given again: its first row was loaded', [6]],
    ],
  )
})

test('a CSV of another kind is not taken for an IoD file or a lookup', () => {
  const r = recogniseDeprivationFile(POLICE_UK_HEADER.split(','))
  assert.equal(r.kind, null)
  assert.match((r as { message: string }).message, /not those of the English Indices of Deprivation 2019 files/)
  const l = recogniseLookupFile(['name', 'value'])
  assert.equal(l.kind, null)
  assert.match((l as { message: string }).message, /"LAD17CD"/)
})

test('lookups: place LSOAs in authorities, authorities in partnerships and force areas; skip Scotland; refuse contradictions', () => {
  const tally = new Tally()
  const c = new LookupCollector(tally)
  const oa = ['OA11CD', 'LSOA11CD', 'LSOA11NM', 'LAD17CD', 'LAD17NM']
  const oaColumns = recogniseLookupFile(oa)
  const csp = ['LAD19CD', 'LAD19NM', 'CSP19CD', 'CSP19NM', 'PFA19CD', 'PFA19NM']
  const cspColumns = recogniseLookupFile(csp)
  if (oaColumns.kind !== 'oa_lsoa_lad' || cspColumns.kind !== 'lad_csp_pfa') throw new Error('not recognised')
  assert.equal(c.read('oa_lsoa_lad', oaColumns.columns, 'oa', ['E00069000', 'E01013600', 'Leicester 003A', 'E06000016', 'Leicester'], 2), true)
  assert.equal(c.read('oa_lsoa_lad', oaColumns.columns, 'oa', ['E00069001', 'E01013600', 'Leicester 003A', 'E06000016', 'Leicester'], 3), true)
  assert.equal(c.read('oa_lsoa_lad', oaColumns.columns, 'oa', ['E00069002', 'E01013600', 'Leicester 003A', 'E07000129', 'Blaby'], 4), false)
  assert.equal(c.read('oa_lsoa_lad', oaColumns.columns, 'oa', ['S00096204', 'S01010206', 'Somewhere', 'S12000033', 'Aberdeen City'], 5), false)
  assert.equal(c.skipped, 1)
  assert.equal(c.read('lad_csp_pfa', cspColumns.columns, 'csp', ['E06000016', 'Leicester', 'E22000168', 'Leicester', 'E23000021', 'Leicestershire'], 2), true)
  assert.equal(c.read('lad_csp_pfa', cspColumns.columns, 'csp', ['W06000001', 'Isle of Anglesey', 'W14000001', 'Isle of Anglesey', 'W15000001', 'North Wales'], 3), true)
  assert.equal(c.read('lad_csp_pfa', cspColumns.columns, 'csp', ['E06000016', 'Leicester', 'E22999999', 'Nowhere', 'E23000021', 'Leicestershire'], 4), false)
  assert.deepEqual(
    c.placements().sort((a, b) => a.code.localeCompare(b.code)),
    [
      { code: 'E01013600', parent: 'E06000016' },
      { code: 'E06000016', parent: 'E22000168' },
      { code: 'E22000168', parent: 'E23000021' },
      { code: 'W06000001', parent: 'W14000001' },
      { code: 'W14000001', parent: 'W15000001' },
    ],
  )
  assert.equal(c.areas.get('E23000021')!.level, 'police_force')
  const rejected = tally.rejectionSummary()
  assert.deepEqual(
    rejected.map((r) => r.rows),
    [{ oa: [4], csp: [4] }],
  )
})
