import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readPointFile, resolvePoints } from '../../src/core/overlays/points.ts'
import { wgs84ToBng } from '../../src/core/opendata/projection.ts'

test('points are read from latitude and longitude, easting and northing, or an LSOA code', () => {
  const [e, n] = wgs84ToBng(-1.1398, 52.6369).map((v) => Math.round(v))
  const file = readPointFile(`Name,Lat,Long,Easting,Northing,LSOA11CD,Notes\nOak House,52.6369,-1.1398,,,,x\nGrid,,,${e},${n},,\nCoded,,,,,e01013642,\n`)
  assert.deepEqual(file.faults, [])
  assert.equal(file.rows, 3)
  assert.deepEqual(file.points.map((p) => [p.row, p.label, p.lsoaCode]), [[2, 'Oak House', null], [3, 'Grid', null], [4, 'Coded', 'E01013642']])
  assert.ok(Math.abs(file.points[1]!.longitude! + 1.1398) < 0.001 && Math.abs(file.points[1]!.latitude! - 52.6369) < 0.001, 'the grid reference is converted to WGS84')
  assert.deepEqual(file.ignoredColumns, ['column G "Notes"'])
})

test('every faulty row is listed with its row number and column, and the file keeps none', () => {
  const file = readPointFile(
    [
      'Label,Latitude,Longitude,LSOA code',
      'ok,52.63,-1.13,',
      'outside,48.85,2.35,',
      'swapped,-1.13,52.63,',
      'half,52.63,,',
      'words,north,-1.13,',
      'nothing,,,',
      'badcode,,,E02000001',
    ].join('\n'),
  )
  assert.equal(file.points.length, 1)
  assert.deepEqual(
    file.faults.map((f) => [f.row, f.column]),
    [[3, 'Latitude'], [4, 'Latitude'], [5, 'Longitude'], [6, 'Latitude'], [7, null], [8, 'LSOA code']],
  )
  assert.match(file.faults[0]!.message, /outside the UK/)
  assert.match(file.faults[1]!.message, /swapped/)
  assert.match(file.faults[3]!.message, /must be a number/)
  assert.match(file.faults[4]!.message, /does not say where/)
})

test('a file with nowhere to put its points is refused as a whole, naming its columns', () => {
  const none = readPointFile('Name,Postcode\nA,LE1 1AA\n')
  assert.deepEqual(none.points, [])
  assert.equal(none.faults.length, 1)
  assert.equal(none.faults[0]!.row, 1)
  assert.match(none.faults[0]!.message, /Latitude and Longitude, Easting and Northing, or LSOA code.*"Name", "Postcode"/)
  const half = readPointFile('Latitude,Label\n52.6,A\n')
  assert.match(half.faults[0]!.message, /no Longitude column/)
  assert.match(readPointFile('').faults[0]!.message, /empty/)
})

test('each point is placed in its LSOA: one given must be loaded, a position must lie in a loaded boundary', () => {
  const file = readPointFile('Label,Latitude,Longitude,LSOA code\na,52.6,-1.1,\nb,,,E01000001\nc,,,E01000002\nd,52.7,-1.2,\n')
  const { points, faults } = resolvePoints(file.points, { isLoaded: (c) => c === 'E01000001', lsoaAt: (i) => (i === 0 ? 'E01013642' : null) }, file.lsoaHeading)
  assert.deepEqual(points.map((p) => [p.row, p.lsoaCode]), [[2, 'E01013642'], [3, 'E01000001']])
  assert.deepEqual(faults.map((f) => [f.row, f.column]), [[4, 'LSOA code'], [5, 'Latitude']])
  assert.match(faults[0]!.message, /No LSOA E01000002 is loaded/)
  assert.match(faults[1]!.message, /none of the LSOA boundaries loaded/)
})
