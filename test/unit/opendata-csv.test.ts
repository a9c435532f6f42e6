import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import fc from 'fast-check'
import { CsvFormatError, CsvRecordSplitter, type CsvRecord } from '../../src/core/opendata/csvRecords.ts'

const SHARED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data')

/** Splits text fed in the given piece sizes (cycled), as a file arrives in chunks. */
function split(text: string, sizes: readonly number[] = [1 << 16]): CsvRecord[] {
  const s = new CsvRecordSplitter()
  const out: CsvRecord[] = []
  let i = 0
  let k = 0
  while (i < text.length) {
    const size = Math.max(1, sizes[k++ % sizes.length]!)
    s.push(text.slice(i, i + size), out)
    i += size
  }
  s.end(out)
  return out
}

const csvParse = (text: string) => parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][]

test('splits every sample file into the records csv-parse reads, whatever the chunk sizes', () => {
  const files = [
    'police/leicestershire/2019-12-leicestershire-street.csv', // quoted locations with commas
    'police/city-of-london/2018-06-city-of-london-street.csv',
    'police/stop-and-search/2021-08-west-yorkshire-stop-and-search.csv',
    'deprivation/File_2_-_IoD2019_Domains_of_Deprivation.csv', // a byte-order mark, CRLF, quoted headings
    'geo/LAD17_CSP17_PFA17_lookup_EW.csv',
  ]
  for (const file of files) {
    const text = fs.readFileSync(path.join(SHARED, file), 'utf8')
    const expected = csvParse(text)
    for (const sizes of [[1 << 20], [4096, 17, 100_003], [1, 2, 3, 5, 7, 11, 13]]) {
      if (sizes[0] === 1 && text.length > 400_000) continue // one character at a time: only for the small files
      const got = split(text, sizes)
      assert.equal(got.length, expected.length, `${file} in pieces of ${sizes.join(',')}`)
      got.forEach((r, i) => {
        assert.equal(r.row, i + 1)
        assert.deepEqual(r.cells, expected[i], `${file} record ${i + 1}`)
      })
    }
  }
})

test('a quoted value may hold commas, doubled quotes and line breaks, in CRLF or LF files', () => {
  const text = '\uFEFFa,b,c\r\n1,"On or near Asda, Thurmaston",x\r\n2,"say ""hello""",y\r\n3,"two\r\nlines",z\r\n4,,\r\n'
  const records = split(text, [3])
  assert.deepEqual(
    records.map((r) => r.cells),
    [
      ['a', 'b', 'c'],
      ['1', 'On or near Asda, Thurmaston', 'x'],
      ['2', 'say "hello"', 'y'],
      ['3', 'two\r\nlines', 'z'],
      ['4', '', ''],
    ],
  )
  assert.deepEqual(
    records.map((r) => r.row),
    [1, 2, 3, 4, 5],
  )
  assert.equal(split('x,y\n1,2').length, 2, 'the last line needs no line break')
})

test('agrees with csv-parse on generated CSV cut into random chunks', () => {
  const cell = fc.oneof(fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r\n', ' ', 'é', '1') }), fc.constantFrom('', 'E01025631', '-1.214176'))
  const table = fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 12 })
  const quote = (v: string) => (/[",\r\n]/.test(v) || v === '' ? `"${v.replace(/"/g, '""')}"` : v)
  fc.assert(
    fc.property(table, fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }), fc.boolean(), (rows, sizes, crlf) => {
      const text = rows.map((r) => r.map(quote).join(',')).join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n')
      assert.deepEqual(
        split(text, sizes).map((r) => r.cells),
        csvParse(text),
      )
    }),
    { numRuns: 300 },
  )
})

test('a quote never closed, or a stray quote, stops the file with the row it is on', () => {
  assert.throws(
    () => split('a,b\n1,"open\n2,3\n'),
    (e: unknown) => e instanceof CsvFormatError && e.row === 2 && /never closed/.test(e.message),
  )
  assert.throws(
    () => split('a,b\n1,2\n3,5\'10" tall\n'),
    (e: unknown) => e instanceof CsvFormatError && e.row === 3 && /does not start with one/.test(e.message),
  )
  assert.throws(
    () => split('a,b\n1,"quoted"then more\n'),
    (e: unknown) => e instanceof CsvFormatError && e.row === 2 && /followed by more text/.test(e.message),
  )
})

test('flags a record that holds a control character', () => {
  const records = split('a,b\n1,fine\n2,bad\u0001value\n3,"quoted\u001f"\n')
  assert.deepEqual(
    records.map((r) => r.control),
    [false, false, true, true],
  )
})
