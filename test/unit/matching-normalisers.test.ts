import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { areGivenNameVariants, familyNameKey, givenNameKey, splitFullName } from '../../src/core/matching/names.ts'
import { prepareRecord } from '../../src/core/matching/record.ts'
import { editDistance, jaroWinkler, sortedOverlap, wordOverlap } from '../../src/core/matching/strings.ts'
import { matchAddress, matchBusinessName, matchEmail, matchIdentifier, matchPhone, matchPostcode, postcodeParts, readDate } from '../../src/core/matching/values.ts'

describe('string similarity', () => {
  test('Jaro-Winkler gives the published values', () => {
    // Winkler's worked examples.
    assert.equal(jaroWinkler('martha', 'marhta').toFixed(4), '0.9611')
    assert.equal(jaroWinkler('dwayne', 'duane').toFixed(4), '0.8400')
    assert.equal(jaroWinkler('dixon', 'dicksonx').toFixed(4), '0.8133')
    assert.equal(jaroWinkler('abc', 'xyz'), 0)
    assert.equal(jaroWinkler('', ''), 0)
    assert.equal(jaroWinkler('same', 'same'), 1)
  })

  test('Jaro-Winkler is symmetric and within 0 and 1, whatever the strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (a, b) => {
        const s = jaroWinkler(a, b)
        assert.ok(s >= 0 && s <= 1)
        assert.ok(Math.abs(s - jaroWinkler(b, a)) < 1e-12)
      }),
    )
  })

  test('edit distance counts a transposed pair as one error and stops past its limit', () => {
    assert.equal(editDistance('19850312', '19850312'), 0)
    assert.equal(editDistance('19850312', '19850321'), 1) // two digits swapped
    assert.equal(editDistance('19850312', '19850412'), 1)
    assert.equal(editDistance('19850312', '19860412'), 2)
    assert.equal(editDistance('kitten', 'sitting'), 3)
    assert.equal(editDistance('kitten', 'sitting', 1), 2)
    assert.equal(editDistance('', 'abc'), 3)
    assert.equal(editDistance('abcdef', 'ab', 2), 3)
  })

  test('edit distance is symmetric and at most the longer length', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const d = editDistance(a, b)
        assert.equal(d, editDistance(b, a))
        assert.ok(d <= Math.max(a.length, b.length))
        assert.equal(d === 0, a === b)
      }),
    )
  })

  test('word overlap is the share of distinct words in common, sorted or not', () => {
    assert.equal(wordOverlap('12 high street', 'high street 12'), 1)
    assert.equal(wordOverlap('12 high street', '14 high road'), 0.2)
    assert.equal(wordOverlap('', 'high street'), 0)
    assert.equal(sortedOverlap(['12', 'high', 'street'], ['14', 'high', 'road']), 0.2)
    assert.equal(sortedOverlap([], ['a']), 0)
  })
})

describe('given and family names', () => {
  test('nicknames, short forms and transliterations are one name', () => {
    assert.ok(areGivenNameVariants('bill', 'william'))
    assert.ok(areGivenNameVariants('bob', 'robert'))
    assert.ok(areGivenNameVariants('mohammed', 'muhammad'))
    assert.ok(areGivenNameVariants('sasha', 'alexander'))
    assert.ok(!areGivenNameVariants('bill', 'robert'))
    assert.ok(!areGivenNameVariants('zebedee', 'william'))
    assert.equal(givenNameKey('bill'), givenNameKey('william'))
    assert.equal(givenNameKey('zebedee'), 'zebedee')
  })

  test('family names: Mc and Mac, and spellings of one transliterated name, share a key', () => {
    assert.equal(familyNameKey('mcleod'), familyNameKey('macleod'))
    assert.equal(familyNameKey('chowdhury'), familyNameKey('chaudhry'))
    assert.equal(familyNameKey('hussein'), familyNameKey('hussain'))
    assert.notEqual(familyNameKey('smith'), familyNameKey('smyth'))
  })

  test('a full name is split however it is written, titles and suffixes left out', () => {
    assert.deepEqual(splitFullName('SMITH, John Paul'), { given: 'john', middle: 'paul', family: 'smith' })
    assert.deepEqual(splitFullName('Mr John Paul Smith Jnr'), { given: 'john', middle: 'paul', family: 'smith' })
    assert.deepEqual(splitFullName('Dr. Siobhán O’Neill'), { given: 'siobhan', middle: null, family: 'oneill' })
    assert.deepEqual(splitFullName('Cher'), { given: 'cher', middle: null, family: null })
  })

  test('honours after a comma and peerages are not names, and a title is dropped only before a name', () => {
    assert.deepEqual(splitFullName('Sir Ned Loder, Baronet'), { given: 'ned', middle: null, family: 'loder' })
    assert.deepEqual(splitFullName('Sir William Temple, 1st Baronet'), { given: 'william', middle: null, family: 'temple' })
    assert.deepEqual(splitFullName('The Rt Revd John Pelham DD'), { given: 'john', middle: null, family: 'pelham' })
    assert.deepEqual(splitFullName('Henry Lopes, 1st Baron Roborough'), { given: 'henry', middle: null, family: 'lopes' })
    assert.deepEqual(splitFullName('John Major'), { given: 'john', middle: null, family: 'major' })
    assert.deepEqual(splitFullName('Major'), { given: 'major', middle: null, family: null })
  })
})

describe('dates written every way', () => {
  test('the usual forms all read as the same day, day before month', () => {
    for (const written of ['1985-03-12', '19850312', '12/03/1985', '12-3-1985', '12.03.1985', '12 March 1985', '12th Mar 1985', 'March 12, 1985', '1985/03/12', '1985-03-12T00:00:00', '12/03/1985 00:00']) {
      assert.deepEqual(readDate(written), { date: '1985-03-12' }, written)
    }
  })

  test('a date that can only be month first is read so, with a note saying why', () => {
    const r = readDate('03/25/1985')
    assert.ok('date' in r)
    assert.equal(r.date, '1985-03-25')
    assert.match(r.note!, /month 3, day 25/)
  })

  test('impossible dates, two-digit years and prose are refused with a reason', () => {
    assert.match((readDate('31/02/1985') as { problem: string }).problem, /not a real date/)
    assert.match((readDate('12/03/85') as { problem: string }).problem, /two-digit year/)
    assert.match((readDate('sometime in 1985') as { problem: string }).problem, /cannot be read|form that can be read/)
    assert.match((readDate('  ') as { problem: string }).problem, /blank/)
    assert.equal('date' in readDate('29/02/2000'), true)
    assert.equal('date' in readDate('29/02/1900'), false)
  })

  test('day and month swapped by another agency read as different days that prepare to swapped digits', () => {
    const a = prepareRecord({ source: 1, id: 'a', values: { birth_date: '04/11/1990' } })
    const b = prepareRecord({ source: 2, id: 'b', values: { birth_date: '11/04/1990' } })
    assert.equal(a.birthDate, '19901104')
    assert.equal(b.birthDate, '19900411')
  })

  test('a mistyped date with eight digits is kept as digits to compare; a date that is no date is not given', () => {
    assert.equal(prepareRecord({ source: 1, id: 'a', values: { birth_date: '19450493' } }).birthDate, '19450493')
    assert.equal(prepareRecord({ source: 1, id: 'a', values: { birth_date: 'unknown' } }).birthDate, null)
  })
})

describe('postcodes, phones, e-mail, identifiers, addresses and business names', () => {
  test('UK postcodes read however spaced or cased; others kept compact', () => {
    assert.deepEqual(matchPostcode('le1 6ha'), { code: 'LE1 6HA', uk: true })
    assert.deepEqual(matchPostcode('LE16HA'), { code: 'LE1 6HA', uk: true })
    assert.deepEqual(matchPostcode(' sw1a 1aa '), { code: 'SW1A 1AA', uk: true })
    assert.deepEqual(matchPostcode('4223'), { code: '4223', uk: false })
    assert.equal(matchPostcode(' - '), null)
    assert.deepEqual(postcodeParts('SW1A 1AA'), { area: 'SW', district: 'SW1A', sector: 'SW1A 1' })
    assert.deepEqual(postcodeParts('LE1 6HA'), { area: 'LE', district: 'LE1', sector: 'LE1 6' })
  })

  test('phone numbers in national and international form are one number', () => {
    assert.equal(matchPhone('07700 900123'), matchPhone('+44 7700 900123'))
    assert.equal(matchPhone('(0116) 496 0000'), matchPhone('+441164960000'))
    assert.equal(matchPhone('12'), null)
  })

  test('e-mail addresses ignore case and a +tag; identifiers ignore spacing', () => {
    assert.equal(matchEmail('Jo.Bloggs+tenancy@Example.org'), 'jo.bloggs@example.org')
    assert.equal(matchEmail('no-at-sign'), null)
    assert.equal(matchIdentifier('ab 12 34 56 c'), 'AB123456C')
    assert.equal(matchIdentifier('--'), null)
  })

  test('addresses spell out abbreviations and drop flat words; business names drop legal forms', () => {
    assert.equal(matchAddress('Flat 2, 14 Granby St.'), matchAddress('2 14 granby street'))
    assert.equal(matchAddress('3 Elm Gr'), '3 elm grove')
    assert.equal(matchBusinessName('The Golden Spoon Ltd'), 'golden spoon')
    assert.equal(matchBusinessName('GOLDEN SPOON LIMITED'), 'golden spoon')
    assert.equal(matchBusinessName('J Patel t/a Corner Stores'), 'corner stores')
  })

  test('a prepared record works out sector, district and address words once', () => {
    const r = prepareRecord({ source: 1, id: 'x', values: { full_name: 'Bill Smith', postcode: 'le16ha', address: '14 Granby St' } })
    assert.equal(r.given, 'bill')
    assert.equal(r.givenKey, 'william')
    assert.equal(r.family, 'smith')
    assert.equal(r.postcodeSector, 'LE1 6')
    assert.equal(r.postcodeDistrict, 'LE1')
    assert.deepEqual(r.addressWords, ['14', 'granby', 'street'])
    assert.equal(r.addressNumber, '14')
  })
})
