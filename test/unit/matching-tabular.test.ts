import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { checkMatchMapping, decodeText, describeProblem, readTable, sourceRecords, suggestMatchMapping, type Table } from '../../src/core/matching/tabular.ts'
import { workbook } from '../support/workbook.ts'

// A partner's file as the matcher reads it: CSV in the encodings partners send, or a workbook, and a
// mapping of its columns to canonical fields, with every problem named by file, row and column.

const utf8 = (s: string) => new TextEncoder().encode(s)
const csv = (...lines: string[]) => utf8(lines.join('\r\n') + '\r\n')

async function table(bytes: Uint8Array, file = 'people.csv', options = {}): Promise<Table> {
  const reading = await readTable(bytes, file, options)
  assert.ok(reading.table, JSON.stringify(reading.problems))
  return reading.table
}

describe('reading a file', () => {
  test('reads UTF-8 with and without a byte-order mark alike', async () => {
    const plain = await table(csv('Name,Town', 'Zoë Brontë,Leicester'))
    const marked = await table(new Uint8Array([0xef, 0xbb, 0xbf, ...csv('Name,Town', 'Zoë Brontë,Leicester')]))
    assert.deepEqual(marked.headers, ['Name', 'Town'], 'the mark is not part of the first heading')
    assert.deepEqual(marked.rows, plain.rows)
    assert.equal(marked.encoding, 'utf-8')
  })

  test('reads UTF-16 with a byte-order mark, little- and big-endian', async () => {
    const text = 'Name,Town\r\nZoë Brontë,Leicester\r\n'
    const le = new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')])
    const swapped = Buffer.from(text, 'utf16le')
    for (let i = 0; i < swapped.length; i += 2) [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!]
    const be = new Uint8Array([0xfe, 0xff, ...swapped])
    assert.equal((await table(le)).rows[0]!.cells[0], 'Zoë Brontë')
    assert.equal((await table(be)).encoding, 'utf-16be')
    assert.equal((await table(be)).rows[0]!.cells[0], 'Zoë Brontë')
  })

  test('refuses windows-1252 text unless its encoding is named, then reads it', async () => {
    const bytes = new Uint8Array([...utf8('Name\r\n'), 0x5a, 0x6f, 0xeb, 0x0d, 0x0a]) // "Zoë" in windows-1252
    const refused = await readTable(bytes, 'council.csv')
    assert.equal(refused.table, null)
    assert.match(describeProblem(refused.problems[0]!), /^council\.csv: council\.csv is not UTF-8 text: name the encoding/)
    const read = await table(bytes, 'council.csv', { encoding: 'windows-1252' })
    assert.equal(read.rows[0]!.cells[0], 'Zoë')
    const unknown = await readTable(bytes, 'council.csv', { encoding: 'klingon' })
    assert.match(unknown.problems[0]!.message, /"klingon" is not an encoding that can be read/)
  })

  test('says a UTF-16 file that lost its byte-order mark is UTF-16', () => {
    const decoded = decodeText(new Uint8Array(Buffer.from('Name,Town\r\nAmy,Derby\r\n\u00ff', 'utf16le')), 'x.csv')
    assert.ok('problem' in decoded)
    assert.match(decoded.problem, /looks like UTF-16 text without a byte-order mark/)
  })

  test('refuses an empty file, a file of headings alone and an old .xls workbook, naming the file', async () => {
    const empty = await readTable(new Uint8Array(), 'empty.csv')
    assert.equal(empty.table, null)
    assert.equal(describeProblem(empty.problems[0]!), 'empty.csv: the file is empty: it holds no bytes at all')
    const headings = await readTable(csv('Name,Town'), 'headings.csv')
    assert.ok(headings.problems.some((p) => /no rows/i.test(p.message)), JSON.stringify(headings.problems))
    const old = await readTable(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0, 0]), 'old.xls')
    assert.match(old.problems[0]!.message, /old Excel workbook/)
  })

  test('reads a workbook: numbers keep their leading zeros, dates come as YYYY-MM-DD, a sheet is chosen by name', async () => {
    const bytes = workbook([
      { name: 'Notes', rows: [['Nothing here']] },
      { name: 'People', rows: [['Ref', 'Name', 'DOB', 'Phone'], ['P1', 'Dean Carver', new Date(Date.UTC(1990, 4, 14)), '07700900123'], [], ['P2', 'Kelly Marsh', '31/01/1988', 7700900456]] },
    ])
    const t = await table(bytes, 'partner.xlsx', { sheet: 'people' })
    assert.equal(t.format, 'xlsx')
    assert.equal(t.sheet, 'People')
    assert.deepEqual(t.headers, ['Ref', 'Name', 'DOB', 'Phone'])
    assert.deepEqual(t.rows.map((r) => r.row), [2, 4], 'a blank row keeps its number')
    assert.deepEqual(t.rows[0]!.cells, ['P1', 'Dean Carver', '1990-05-14', '07700900123'])
    assert.equal(t.rows[1]!.cells[3], '7700900456')
    const missing = await readTable(bytes, 'partner.xlsx', { sheet: 'Suspects' })
    assert.match(missing.problems[0]!.message, /no sheet named "Suspects": its sheets are "Notes", "People"/)
  })

  test('refuses a file named .xlsx that is no workbook', async () => {
    const reading = await readTable(csv('a,b', '1,2'), 'fake.xlsx')
    assert.equal(reading.table, null)
    assert.match(reading.problems[0]!.message, /cannot be read as an Excel workbook/)
  })
})

describe('a mapping', () => {
  const headers = ['Ref', 'Forename', 'Surname', 'DOB', 'Postcode']

  test('names a field that is not canonical, and a column the file lacks with the columns it has', () => {
    const check = checkMatchMapping('person', headers, { given_name: 'Forename', family_name: 'Last name', shoe_size: 'Size' }, 'people.csv')
    const messages = check.problems.map((p) => p.message)
    assert.ok(messages.some((m) => /"shoe_size" is not a field of people: the fields are full_name, given_name/.test(m)), messages.join('\n'))
    assert.ok(messages.some((m) => /family_name is mapped to a column "Last name" that people\.csv does not have: its columns are "Ref", "Forename"/.test(m)), messages.join('\n'))
    assert.ok(check.problems.every((p) => p.code === 'mapping'))
  })

  test('finds columns ignoring case, and joins several columns', () => {
    const check = checkMatchMapping('person', headers, { given_name: 'forename', family_name: 'SURNAME', birth_date: 'DOB' })
    assert.deepEqual(check.problems, [])
    assert.deepEqual([...check.fields].sort(), ['birth_date', 'family_name', 'given_name'])
  })

  test('refuses a mapping from which no candidate pairs could be found', () => {
    const check = checkMatchMapping('person', headers, { postcode: 'Postcode' })
    assert.match(check.problems[0]!.message, /not enough to find candidate pairs/)
    assert.match(checkMatchMapping('person', headers, {}).problems[0]!.message, /no field is mapped/)
  })

  test('suggests fields from the headings', () => {
    assert.deepEqual(suggestMatchMapping('person', headers), { given_name: 'Forename', family_name: 'Surname', birth_date: 'DOB', postcode: 'Postcode' })
    assert.deepEqual(suggestMatchMapping('business', ['Trading name', 'CRN', 'Address']), { name: 'Trading name', company_number: 'CRN', address: 'Address' })
  })
})

describe('records of a file', () => {
  test('reads dates in several forms, and names the row and column of every faulty row', async () => {
    const t = await table(
      csv(
        'Ref,Forename,Surname,DOB',
        'P1,Dean,Carver,14/05/1990',
        'P2,Kelly,Marsh,1988-01-31',
        'P3,Paul,Rigby,19 July 1985',
        'P4,Amy,Law,31/02/1988',
        ',Joe,Bloggs,1970-01-01',
        'P6,Ann,Hill,01/01/80',
        'P7,Sam,Cole,1999-09-09',
        'P7,Sam,Coles,1999-09-09',
        'P9,Tom,Kerr,1990-01-01,extra',
      ),
    )
    const reading = sourceRecords(t, { source: 1, idColumn: 'Ref', mapping: { given_name: 'Forename', family_name: 'Surname', birth_date: 'DOB' }, kind: 'person' })
    const lines = reading.problems.map(describeProblem)
    assert.deepEqual(lines, [
      'people.csv, row 5, column D ("DOB"): the date of birth "31/02/1988" is not a real date; the record is kept without it',
      'people.csv, row 6, column A ("Ref"): the identifier is blank: every record needs its own identifier, so the row is left out',
      'people.csv, row 7, column D ("DOB"): the date of birth "01/01/80" has a two-digit year: write the year in full, for example 1985; the record is kept without it',
      'people.csv, row 8, column A ("Ref"): the identifier "P7" is on rows 8, 9: give each record its own identifier; these rows are left out',
      'people.csv, row 9, column A ("Ref"): the identifier "P7" is on rows 8, 9: give each record its own identifier; these rows are left out',
      'people.csv, row 10, column E: the row has 5 values but there are 4 headings: a value may hold an unquoted comma',
    ])
    assert.deepEqual(reading.records.map((r) => r.id), ['P1', 'P2', 'P3', 'P4', 'P6', 'P9'])
    assert.deepEqual(reading.records[2], { source: 1, id: 'P3', values: { given_name: 'Paul', family_name: 'Rigby', birth_date: '19 July 1985' }, row: 4 })
  })

  test('names an identifier column the file lacks, and reads no records', async () => {
    const t = await table(csv('Ref,Name', 'P1,Dean Carver'))
    const reading = sourceRecords(t, { source: 1, idColumn: 'Reference', mapping: { full_name: 'Name' }, kind: 'person' })
    assert.deepEqual(reading.records, [])
    assert.equal(describeProblem(reading.problems[0]!), 'people.csv, column "Reference": the identifier column "Reference" is not in people.csv: its columns are "Ref", "Name"')
  })
})
