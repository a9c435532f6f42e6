import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { describe, test } from 'node:test'
import { febrlLinkage, LINKAGE_DATA, pairAccuracy } from '../../bench/linkageData.ts'
import { dice, fromBase64 } from '../../src/core/matching/privacy/bits.ts'
import { incompatibility, indexModel, linkEncoded, MIN_TRAINING_RECORDS, readEncodings } from '../../src/core/matching/privacy/compare.ts'
import { blockingDigest, dateTokens, encodeRecords, encodingsText, keyCheckValue, paddedBigrams } from '../../src/core/matching/privacy/encode.ts'
import { linkPrivately } from '../../src/core/matching/privacy/index.ts'
import { prepareRecord, type SourceRecord } from '../../src/core/matching/record.ts'

const SECRET = Buffer.from('the partnership secret, 32 bytes')
const OTHER = Buffer.from('another partnership secret, long')

const PEOPLE: SourceRecord[] = [
  { source: 1, id: 'PNC-0042', values: { given_name: 'Jonathan', family_name: 'Featherstonehaugh', birth_date: '12/03/1985', postcode: 'le1 6ha', address: '14 Granby Street', town: 'Leicester', email: 'jon.f+work@example.org', phone: '07700 900123', national_id: 'QQ 12 34 56 C' } },
  { source: 1, id: 'PNC-0043', values: { full_name: 'MOHAMMED, Yusuf', birth_date: '1979-11-02', postcode: 'NG7 2RD', address: 'Flat 3, 27 Derby Road', town: 'Nottingham' } },
]

function encodedOne(values: SourceRecord['values'], secret = SECRET) {
  const file = encodeRecords([{ source: 1, id: 'x', values }], secret)
  const read = readEncodings(encodingsText(file), 1)
  assert.ok('records' in read, JSON.stringify(read))
  return { header: read.header, record: read.records[0]! }
}

const fieldDice = (a: ReturnType<typeof encodedOne>, b: ReturnType<typeof encodedOne>, field: string) => {
  const i = a.header.parameters.fields.indexOf(field)
  return dice(a.record.filters[i]!, b.record.filters[i]!, a.record.counts[i]!, b.record.counts[i]!)
}

describe('keyed Bloom-filter encodings', () => {
  test('tokens are padded bigrams, and a date is its parts, its day-month pair and its digits in place', () => {
    assert.deepEqual(paddedBigrams('ann'), [' a', 'an', 'nn', 'n '])
    assert.deepEqual(dateTokens('19850312'), ['y:1985', 'm:03', 'd:12', 'md:0312', '0:1', '1:9', '2:8', '3:5', '4:0', '5:3', '6:1', '7:2'])
  })

  test('one secret gives the same encoding every time; another secret a different one', () => {
    const a = encodingsText(encodeRecords(PEOPLE, SECRET))
    assert.equal(encodingsText(encodeRecords(PEOPLE, SECRET)), a)
    const b = encodingsText(encodeRecords(PEOPLE, OTHER))
    const [la, lb] = [a.split('\n'), b.split('\n')]
    for (let i = 1; i <= PEOPLE.length; i++) {
      const [x, y] = [JSON.parse(la[i]!), JSON.parse(lb[i]!)]
      assert.notEqual(x.ref, y.ref)
      assert.notEqual(x.fields.family_name, y.fields.family_name)
      assert.notEqual(x.clk, y.clk)
      assert.notEqual(x.blocks.name_sounds, y.blocks.name_sounds)
    }
    assert.notEqual(JSON.parse(la[0]!).keyCheck, JSON.parse(lb[0]!).keyCheck)
  })

  test('refuses a secret shorter than 16 bytes', () => {
    assert.throws(() => encodeRecords(PEOPLE, Buffer.from('too short')), /9 bytes: it must be at least 16 bytes/)
  })

  test('identical values have Dice 1; a typo keeps a high Dice; another name a low one', () => {
    const smith = encodedOne({ family_name: 'Featherstonehaugh', given_name: 'Jonathan', birth_date: '1985-03-12' })
    assert.equal(fieldDice(smith, encodedOne({ family_name: 'FEATHERSTONEHAUGH', given_name: 'jonathan', birth_date: '12/03/1985' }), 'family_name'), 1)
    const typo = encodedOne({ family_name: 'Featherstonhaugh', given_name: 'Jonathon', birth_date: '1985-03-13' })
    assert.ok(fieldDice(smith, typo, 'family_name') >= 0.85, String(fieldDice(smith, typo, 'family_name')))
    assert.ok(fieldDice(smith, typo, 'given_name') >= 0.7, String(fieldDice(smith, typo, 'given_name')))
    assert.ok(fieldDice(smith, typo, 'birth_date') >= 0.7, String(fieldDice(smith, typo, 'birth_date')))
    const swapped = encodedOne({ birth_date: '1985-12-03' })
    assert.ok(fieldDice(smith, swapped, 'birth_date') >= 0.45, 'a swapped day and month keeps the year and the pair')
    const other = encodedOne({ family_name: 'Okonkwo', given_name: 'Grace', birth_date: '2001-07-28' })
    assert.ok(fieldDice(smith, other, 'family_name') < 0.3)
    assert.ok(fieldDice(smith, other, 'birth_date') < 0.3)
  })

  test('a nickname and a sound-alike share their key tokens', () => {
    const bill = encodedOne({ given_name: 'Bill' })
    const william = encodedOne({ given_name: 'William' })
    const ben = encodedOne({ given_name: 'Ben' })
    assert.ok(fieldDice(bill, william, 'given_name') > fieldDice(bill, ben, 'given_name'))
  })

  test('the encoded file holds no input value, no normalised value and no token of three or more characters', () => {
    const text = encodingsText(encodeRecords(PEOPLE, SECRET))
    const said = new Set<string>()
    for (const r of PEOPLE) {
      said.add(r.id)
      for (const v of Object.values(r.values)) said.add(v!)
      const p = prepareRecord(r)
      for (const v of [p.given, p.middle, p.family, p.givenKey, p.familyKey, p.givenSound, p.familySound, p.birthDate, p.postcode, p.address, p.addressNumber, p.town, p.email, p.phone, p.nationalId]) if (v) said.add(v)
    }
    const tokens = new Set<string>()
    for (const s of said) {
      for (const word of s.split(/[^\p{L}\p{N}]+/u)) if (word.length >= 3) tokens.add(word)
      if (/^\d{8}$/.test(s)) for (const t of dateTokens(s)) tokens.add(t)
    }
    for (const s of [...said, ...tokens].filter((x) => x.length >= 3)) {
      assert.ok(!text.includes(s) && !text.toLowerCase().includes(s.toLowerCase()), `"${s}" appears in the encodings`)
    }
    // What is there: the header's parameters, then per record a digest, filters and digests only.
    const [header, ...lines] = text.trim().split('\n').map((l) => JSON.parse(l))
    assert.equal(header.keyCheck, keyCheckValue(SECRET, header.parameters))
    for (const line of lines) {
      assert.deepEqual(Object.keys(line), ['ref', 'fields', 'clk', 'blocks'])
      assert.match(line.ref, /^[0-9a-f]{32}$/)
      for (const f of Object.values(line.fields)) assert.ok(fromBase64(f as string, header.parameters.fieldBits), 'each field is a bare bitset')
      assert.ok(fromBase64(line.clk, header.parameters.recordBits))
    }
    // Blocking tokens are HMAC digests of the plaintext matcher's keys: the hub can block, not read.
    const first = lines[0]
    const p = prepareRecord(PEOPLE[0]!)
    assert.equal(first.blocks.name_sounds, blockingDigest(SECRET, 'name_sounds', `${p.givenSound}|${p.familySound}`))
    assert.equal(first.blocks.postcode_birth_year, blockingDigest(SECRET, 'postcode_birth_year', `${p.postcode}|1985`))
    const block = createHmac('sha256', createHmac('sha256', SECRET).update('achilles-pprl-v1:block').digest()).update(`birth_date_given_initial\u0000${p.birthDate}|j`).digest('hex').slice(0, 32)
    assert.equal(first.blocks.birth_date_given_initial, block)
  })

  test('files made with another secret or other parameters are told apart by their headers', () => {
    const a = readEncodings(encodingsText(encodeRecords(PEOPLE, SECRET)), 1)
    const b = readEncodings(encodingsText(encodeRecords(PEOPLE, OTHER)), 2)
    const c = readEncodings(encodingsText(encodeRecords(PEOPLE, SECRET, { fieldBits: 512 })), 2)
    assert.ok('header' in a && 'header' in b && 'header' in c)
    assert.equal(incompatibility(a.header, a.header), null)
    assert.match(incompatibility(a.header, b.header)!, /different secrets/)
    assert.match(incompatibility(a.header, c.header)!, /different parameters/)
  })

  test('a damaged file is refused with the line of each fault', () => {
    const text = encodingsText(encodeRecords(PEOPLE, SECRET)).split('\n')
    const bad = JSON.parse(text[2]!)
    bad.fields.given_name = 'bm90IGEgZmlsdGVy'
    const read = readEncodings([text[0], text[1], JSON.stringify(bad), '{oops'].join('\n'), 1)
    assert.ok('problems' in read)
    assert.deepEqual(read.problems, [
      { line: 3, message: 'field "given_name" is not a base64 filter of 1024 bits' },
      { line: 4, message: 'is not JSON' },
    ])
    assert.match((readEncodings('{oops\n', 1) as { problems: Array<{ message: string }> }).problems[0]!.message, /not JSON/)
  })

  test('a file of records in clear, or encodings with a value beside them, is refused', () => {
    const problem = (text: string) => (readEncodings(text, 1) as { problems: Array<{ line: number | null; message: string }> }).problems
    assert.match(problem('Ref,Forename,Surname\nHX-1,Jonathan,Smith\n')[0]!.message, /looks like records in clear .*never upload raw records/)
    const text = encodingsText(encodeRecords(PEOPLE, SECRET)).split('\n')
    const leaky = JSON.parse(text[1]!)
    leaky.surname = 'Featherstonehaugh'
    assert.deepEqual(problem([text[0], JSON.stringify(leaky), text[2]].join('\n')), [{ line: 2, message: 'holds "surname" beside the encodings: an encoded record holds only ref, fields, clk and blocks, never a value' }])
    const header = JSON.parse(text[0]!)
    assert.match(problem([JSON.stringify({ ...header, source: 'people.csv' }), text[1], text[2]].join('\n'))[0]!.message, /The header holds "source", which `achilles encode` never writes/)
    assert.match(problem([JSON.stringify({ ...header, parameters: { ...header.parameters, fields: [...header.parameters.fields, 'surname_clear'] } }), text[1], text[2]].join('\n'))[0]!.message, /other fields or blocking keys/)
    const empty = JSON.parse(text[1]!)
    empty.fields.given_name = Buffer.alloc(128).toString('base64')
    assert.deepEqual(problem([text[0], JSON.stringify(empty), text[2]].join('\n')), [{ line: 2, message: 'field "given_name" is an empty filter: leave out a field that has no value' }])
    const notDigest = JSON.parse(text[1]!)
    notDigest.ref = 'PNC-0042'
    assert.deepEqual(problem([text[0], JSON.stringify(notDigest), text[2]].join('\n')), [{ line: 2, message: 'is not an encoded record: it needs ref (a 32-character hex digest), fields, clk and blocks' }])
  })
})

describe('the model a hub scores questions with', () => {
  const SUBJECT = { given_name: 'Siobhan', family_name: 'Achterberg', birth_date: '1984-06-17', address: '22 Belgrave Gate', postcode: 'LE1 3GR' }
  const OTHERS = [
    { given_name: 'Tomasz', family_name: 'Kowalczyk', birth_date: '1979-11-02', address: '3 Derby Road', postcode: 'NG7 2RD' },
    { given_name: 'Amara', family_name: 'Nwachukwu', birth_date: '1991-01-30', address: '9 London Road', postcode: 'LE2 0QB' },
  ]
  const read = (list: Array<SourceRecord['values']>, source: number) => {
    const r = readEncodings(encodingsText(encodeRecords(list.map((values, i) => ({ source: 1, id: `${source}-${i}`, values })), SECRET)), source)
    assert.ok('records' in r)
    return r
  }

  test('a handful of uploads is scored with the starting model: a subject with a typo is a strong hit, a namesake elsewhere none', () => {
    const police = read([SUBJECT, ...OTHERS], 2)
    const { model, trained } = indexModel(police.header.parameters, [...police.records, ...read(OTHERS, 3).records], true)
    assert.equal(trained, false)
    assert.equal(model.prior, 1 / 5)
    // Exact agreement on a date of birth is worth more than on a given name: it happens by chance less.
    const level0 = (key: string) => model.comparisons.find((c) => c.key === key)!.levels[0]!
    assert.ok(level0('birth_date').m / level0('birth_date').u > level0('given_name').m / level0('given_name').u)
    const score = (values: SourceRecord['values']) => linkEncoded(police.header.parameters, [...read([values], 1).records, ...police.records], { link: true, model }).pairs.map((p) => p.probability)
    const typo = score({ ...SUBJECT, family_name: 'Achterburg' })
    assert.equal(typo.length, 1)
    assert.ok(typo[0]! >= 0.99, String(typo[0]))
    const namesake = score({ given_name: 'Siobhan', family_name: 'Kowalczyk', birth_date: '1990-06-17', postcode: 'LE1 3GR' })
    assert.ok(namesake.every((p) => p < 0.9), String(namesake))
  })

  test('enough records are trained on, without labels', () => {
    const people = [...Array(MIN_TRAINING_RECORDS).keys()].map((i) => ({ given_name: ['Ann', 'Bob', 'Cai', 'Dee'][i % 4]!, family_name: `Family${i}`, birth_date: `19${50 + (i % 50)}-0${(i % 9) + 1}-1${i % 10}`, postcode: `LE${i % 9} ${i % 10}AB` }))
    const a = read(people.slice(0, 120), 1)
    const b = read(people.slice(60), 2)
    assert.equal(indexModel(a.header.parameters, [...a.records, ...b.records], true).trained, true)
  })
})

describe('privacy-preserving linkage of FEBRL 4a and 4b', { skip: !fs.existsSync(path.join(LINKAGE_DATA, 'febrl', 'dataset4a.csv')) && 'the FEBRL data is not in ../shared/data' }, () => {
  test('encodings linked without labels reach F1 within 0.02 of plaintext matching (0.9995)', () => {
    const bench = febrlLinkage()
    // linkPrivately writes and reads back each side's file; its clusters line up with the truth by index.
    const result = linkPrivately(bench.records.filter((r) => r.source === 1), bench.records.filter((r) => r.source === 2), SECRET)
    assert.equal(result.records.length, bench.records.length)
    const accuracy = pairAccuracy(bench.truth, result.records.map((r) => r.source), result.clusters, true)
    assert.ok(accuracy.f1 >= 0.9995 - 0.02, JSON.stringify(accuracy))
  })
})
