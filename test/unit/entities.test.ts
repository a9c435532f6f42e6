import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { entityCaption, entityNames, entitySearchText, phoneticTokens } from '../../src/core/entities/describe.ts'
import { metaphone } from '../../src/core/entities/phonetic.ts'
import { isSymmetricLink, linkableSchemas, linkOptionsFor, linkPhrase, linkRuleProblems, linkShapeProblems } from '../../src/core/entities/links.ts'
import {
  birthDateProblem, datesInText, displayPhone, displayRegistration, ibanMatchesAccount, isInUk, isUkRegistration, nationalPhone,
  normaliseAccountNumber, normaliseCompanyNumber, normaliseIban, normaliseIdentifier, normaliseLsoaCode, normaliseName, normalisePhone,
  normalisePostcode, normaliseProperties, normaliseRegistration, normaliseSortCode, parseDate, ukDate,
} from '../../src/core/entities/normalise.ts'
import { isEmptySearch, matchedOn, searchTermsOf } from '../../src/core/entities/search.ts'
import { ENTITY_SCHEMAS, LINK_TYPES, LINK_TYPE_RULES } from '../../src/core/reference/crime.ts'

describe('vehicle registration marks', () => {
  test('are stored upper case without spaces or punctuation, however they were written', () => {
    assert.equal(normaliseRegistration('ab12 cde'), 'AB12CDE')
    assert.equal(normaliseRegistration(' AB-12-CDE '), 'AB12CDE')
    assert.equal(normaliseRegistration('a123 bcd'), 'A123BCD')
  })

  test('are recognised in every format the DVLA has issued', () => {
    for (const vrm of ['AB12CDE', 'LM51XYZ', 'A123BCD', 'P7ABC', 'ABC123D', 'ABC1D', 'ABZ1234', 'AB1', '1234AB', 'A1']) assert.ok(isUkRegistration(vrm), vrm)
    for (const vrm of ['ABCDEFGH', '12345678', 'AB12CDEF', '', 'ABC']) assert.ok(!isUkRegistration(vrm), vrm)
  })

  test('are shown as on the plate', () => {
    assert.equal(displayRegistration('AB12CDE'), 'AB12 CDE')
    assert.equal(displayRegistration('A123BCD'), 'A123 BCD')
    assert.equal(displayRegistration('ABC123D'), 'ABC 123D')
    assert.equal(displayRegistration('ABZ1234'), 'ABZ 1234')
    assert.equal(displayRegistration('WX1234567'), 'WX1234567')
  })
})

describe('phone numbers', () => {
  test('written nationally or internationally become one E.164 number', () => {
    const mobile = '+447700900123'
    for (const written of ['07700 900123', '07700900123', '+44 7700 900123', '+44 (0)7700 900123', '+44(0)7700-900-123', '0044 7700 900123', '447700900123', '+44 07700 900123', '(07700) 900 123']) {
      assert.equal(normalisePhone(written), mobile, written)
    }
    assert.equal(normalisePhone('(0116) 496-0123'), '+441164960123')
    assert.equal(normalisePhone('020 7946 0123'), '+442079460123')
    assert.equal(normalisePhone('01632 960123'), '+441632960123')
  })

  test("keep another country's number given with its country code", () => {
    assert.equal(normalisePhone('+33 6 12 34 56 78'), '+33612345678')
    assert.equal(normalisePhone('0048 601 234 567'), '+48601234567')
  })

  test('that cannot be a number are refused', () => {
    for (const wrong of ['0770090012', '077009001234', '020 7946 012', '12345', 'call me', '+0 123 456 789', '', '06 12 34 56 78', '07700 9OO123']) {
      assert.equal(normalisePhone(wrong), null, wrong)
    }
  })

  test('are shown in national form, grouped as people write them', () => {
    assert.equal(nationalPhone('+447700900123'), '07700900123')
    assert.equal(nationalPhone('+33612345678'), null)
    assert.equal(displayPhone('+447700900123'), '07700 900123')
    assert.equal(displayPhone('+442079460123'), '020 7946 0123')
    assert.equal(displayPhone('+441164960123'), '0116 496 0123')
    assert.equal(displayPhone('+441214960123'), '0121 496 0123')
    assert.equal(displayPhone('+441632960123'), '01632 960123')
    assert.equal(displayPhone('+443001234567'), '0300 123 4567')
    assert.equal(displayPhone('+33612345678'), '+33612345678')
  })

  test('normalising a normalised number changes nothing', () => {
    fc.assert(
      fc.property(fc.constantFrom('7', '1', '2', '3'), fc.stringMatching(/^\d{9}$/), (first, rest) => {
        const e164 = normalisePhone(`0${first}${rest}`)
        assert.ok(e164)
        assert.equal(normalisePhone(e164), e164)
        assert.equal(normalisePhone(displayPhone(e164)), e164)
        assert.equal(normalisePhone(nationalPhone(e164)!), e164)
      }),
    )
  })
})

describe('postcodes', () => {
  test('become the canonical form with one space before the inward code', () => {
    assert.equal(normalisePostcode('sw1a1aa'), 'SW1A 1AA')
    assert.equal(normalisePostcode('  le1  6zg '), 'LE1 6ZG')
    for (const pc of ['EC1A 1BB', 'W1A 0AX', 'M1 1AE', 'B33 8TH', 'CR2 6XH', 'DN55 1PT', 'LE65 2AB', 'GIR 0AA']) assert.equal(normalisePostcode(pc), pc)
  })

  test('that Royal Mail never issues are refused', () => {
    // C, I, K, M, O and V are never in an inward code; Q, V and X never start one; a postcode has both halves.
    for (const wrong of ['LE1 6CI', 'LE1 6ZK', 'QQ1 1AA', 'VX1 1AA', 'SW1A 1A', 'SW1A', '12345', 'LE1 6ZGG', '']) assert.equal(normalisePostcode(wrong), null, wrong)
  })

  test('normalising a normalised postcode changes nothing', () => {
    fc.assert(
      fc.property(fc.constantFrom('LE1', 'SW1A', 'M1', 'B33', 'EC1A', 'DN55'), fc.integer({ min: 0, max: 9 }), fc.constantFrom(...'ABDEFGHJLNPQRSTUWXYZ'), fc.constantFrom(...'ABDEFGHJLNPQRSTUWXYZ'), (out, d, a, b) => {
        const pc = normalisePostcode(`${out.toLowerCase()}${d}${a}${b}`)
        assert.equal(pc, `${out} ${d}${a}${b}`)
        assert.equal(normalisePostcode(pc!), pc)
      }),
    )
  })
})

describe('names for search', () => {
  test('lose case, accents, apostrophes and extra spaces', () => {
    assert.equal(normaliseName('  José   O’Brien-Smith '), 'jose obrien smith')
    assert.equal(normaliseName('ŁUKASZ Żółć'), 'lukasz zolc')
    assert.equal(normaliseName('Müller, Anneliese'), 'muller anneliese')
    assert.equal(normaliseName('Straße'), 'strasse')
    assert.equal(normaliseName('Søren Ødegård'), 'soren odegard')
  })

  test('normalising a normalised name changes nothing', () => {
    fc.assert(fc.property(fc.string(), (s) => assert.equal(normaliseName(normaliseName(s)), normaliseName(s))))
  })
})

describe('dates', () => {
  test('are read in UK order or ISO order, and only when they exist', () => {
    assert.equal(parseDate('27/03/1985'), '1985-03-27')
    assert.equal(parseDate('1/2/1980'), '1980-02-01')
    assert.equal(parseDate('1985-03-27'), '1985-03-27')
    assert.equal(parseDate('29/02/2024'), '2024-02-29')
    assert.equal(parseDate('29/02/2000'), '2000-02-29')
    for (const impossible of ['29/02/2023', '29/02/1900', '31/04/1990', '1985-13-01', '00/01/1990', '1985-02-30', '27-03-1985', 'yesterday']) assert.equal(parseDate(impossible), null, impossible)
    assert.equal(ukDate('1985-03-27'), '27/03/1985')
  })

  test('of birth must be in the past and not before 1900', () => {
    assert.equal(birthDateProblem('1985-03-27', '2026-11-23'), null)
    assert.equal(birthDateProblem('2026-11-23', '2026-11-23'), null)
    assert.match(birthDateProblem('2026-11-24', '2026-11-23')!, /in the past/)
    assert.match(birthDateProblem('1899-12-31', '2026-11-23')!, /1900/)
  })

  test('are found in search text and taken out of the words', () => {
    assert.deepEqual(datesInText('John Smith 01/02/1980'), { dates: ['1980-02-01'], rest: 'John Smith' })
    assert.deepEqual(datesInText('1980-02-01 smith'), { dates: ['1980-02-01'], rest: 'smith' })
    assert.deepEqual(datesInText('Smith 31/02/1980'), { dates: [], rest: 'Smith 31/02/1980' })
  })
})

describe('business and account numbers', () => {
  test('Companies House numbers are padded to eight characters or carry a two-letter prefix', () => {
    assert.equal(normaliseCompanyNumber('1234567'), '01234567')
    assert.equal(normaliseCompanyNumber('sc123456'), 'SC123456')
    assert.equal(normaliseCompanyNumber('OC 301234'), 'OC301234')
    assert.equal(normaliseCompanyNumber('R0123456'), 'R0123456')
    for (const wrong of ['ABC12345', '123456789', 'S1234567', '']) assert.equal(normaliseCompanyNumber(wrong), null, wrong)
  })

  test('sort codes, account numbers and IBANs are checked and written one way', () => {
    assert.equal(normaliseSortCode('601613'), '60-16-13')
    assert.equal(normaliseSortCode('60 16 13'), '60-16-13')
    assert.equal(normaliseSortCode('60-16-1'), null)
    assert.equal(normaliseAccountNumber('3192 6819'), '31926819')
    assert.equal(normaliseAccountNumber('1234567'), null)
    // The standard example from the ISO 13616 register.
    assert.equal(normaliseIban('gb29 nwbk 6016 1331 9268 19'), 'GB29NWBK60161331926819')
    assert.equal(normaliseIban('GB28 NWBK 6016 1331 9268 19'), null, 'check digits wrong')
    assert.equal(normaliseIban('DE89 3704 0044 0532 0130 00'), 'DE89370400440532013000')
    assert.ok(ibanMatchesAccount('GB29NWBK60161331926819', '60-16-13', '31926819'))
    assert.ok(!ibanMatchesAccount('GB29NWBK60161331926819', '60-16-14', '31926819'))
    assert.ok(ibanMatchesAccount('DE89370400440532013000', '60-16-14', '31926819'))
  })

  test('LSOA codes are English or Welsh lower layer areas', () => {
    assert.equal(normaliseLsoaCode(' e01013642 '), 'E01013642')
    assert.equal(normaliseLsoaCode('W01000001'), 'W01000001')
    assert.equal(normaliseLsoaCode('E02000001'), null)
    assert.equal(normaliseLsoaCode('S01006506'), null)
  })

  test('coordinates must fall in the UK', () => {
    assert.ok(isInUk(52.6369, -1.1398), 'Leicester')
    assert.ok(isInUk(54.597, -5.93), 'Belfast')
    assert.ok(isInUk(60.15, -1.15), 'Lerwick')
    assert.ok(!isInUk(48.8566, 2.3522), 'Paris')
    assert.ok(!isInUk(-1.1398, 52.6369), 'latitude and longitude swapped')
  })
})

describe('identifiers on a person', () => {
  test('PNC and National Insurance numbers are checked and written one way; others are kept as given', () => {
    assert.equal(normaliseIdentifier('pnc', '12/345678a'), '12/345678A')
    assert.equal(normaliseIdentifier('pnc', '2012/0345678Z'), '2012/0345678Z')
    assert.equal(normaliseIdentifier('pnc', '12345678A'), null)
    assert.equal(normaliseIdentifier('ni_number', 'ab 12 34 56 c'), 'AB123456C')
    assert.equal(normaliseIdentifier('ni_number', 'AB123456D'), 'AB123456D')
    for (const wrong of ['BG123456A', 'DA123456A', 'AO123456A', 'QQ123456C', 'AB123456E', 'AB12345C']) assert.equal(normaliseIdentifier('ni_number', wrong), null, wrong)
    assert.equal(normaliseIdentifier('passport', ' 123456789 '), '123456789')
    assert.equal(normaliseIdentifier('other', '   '), null)
  })
})

describe('whole records from a bulk load', () => {
  test('have every number, mark and code in its stored form, and keep what cannot be read', () => {
    assert.deepEqual(normaliseProperties({ registration: 'ab51 cde', number: '07700 900123', postcode: 'le1 5ab', birthDate: '01/02/1980', identifiers: [{ type: 'pnc', value: '85/123456x' }] }), {
      registration: 'AB51CDE', number: '+447700900123', postcode: 'LE1 5AB', birthDate: '1980-02-01', identifiers: [{ type: 'pnc', value: '85/123456X' }],
    })
    assert.deepEqual(normaliseProperties({ sortCode: '601613', accountNumber: '31926819', companyNumber: '123', number: 'unreadable' }), { sortCode: '60-16-13', accountNumber: '31926819', companyNumber: '00000123', number: 'unreadable' })
    assert.deepEqual(normaliseProperties({ postcode: null }), { postcode: null })
  })
})

describe('captions', () => {
  test('name each kind of entity on one line', () => {
    assert.equal(entityCaption('Person', { fullName: 'Jon  Smyth' }), 'Jon Smyth')
    assert.equal(entityCaption('Company', { name: 'Sparkle Hand Car Wash Ltd' }), 'Sparkle Hand Car Wash Ltd')
    assert.equal(entityCaption('Address', { street: 'Flat 2\n14 High Street', town: 'Loughborough', postcode: 'LE11 1AA' }), 'Flat 2, 14 High Street, Loughborough, LE11 1AA')
    assert.equal(entityCaption('Vehicle', { registration: 'AB12CDE', make: 'Ford', model: 'Transit', colour: 'White' }), 'AB12 CDE – Ford Transit (white)')
    assert.equal(entityCaption('Vehicle', { registration: 'AB12CDE' }), 'AB12 CDE')
    assert.equal(entityCaption('Phone', { number: '+447700900123' }), '07700 900123')
    assert.equal(entityCaption('BankAccount', { sortCode: '60-16-13', accountNumber: '31926819', bankName: 'NatWest' }), '60-16-13 31926819 (NatWest)')
    assert.equal(entityCaption('BankAccount', { iban: 'DE89370400440532013000' }), 'DE89370400440532013000')
  })

  test('are never longer than the 300 characters the table allows', () => {
    assert.equal(entityCaption('Address', { street: 'x'.repeat(500) }).length, 300)
  })
})

describe('search text', () => {
  test('of a person holds names, aliases, both date forms, identifiers and how each name word sounds', () => {
    const p = { fullName: 'Jon Smyth', aliases: ['Jonny', 'Smythy'], birthDate: '1980-02-01', identifiers: [{ type: 'pnc', value: '12/345678A' }] }
    assert.deepEqual(entityNames('Person', p), ['jon smyth', 'jonny', 'smythy'])
    const text = entitySearchText('Person', p)
    assert.equal(text, 'jon smyth jonny smythy 1980-02-01 01/02/1980 12/345678a 12345678a ~jn ~sm0 ')
    // Each sound token is followed by a space, so a search can ask for the whole token.
    assert.ok(text.includes('~sm0 ') && text.includes('~jn '))
  })

  test('of a vehicle, a phone, premises, a business and an account holds every written form', () => {
    const has = (text: string, ...parts: string[]) => parts.forEach((part) => assert.ok(text.split(' ').join(' ').includes(part), `${part} in "${text}"`))
    has(entitySearchText('Vehicle', { registration: 'AB12CDE', make: 'Ford', model: 'Transit', colour: 'White' }), 'ab12cde', 'ab12 cde', 'ford transit white')
    has(entitySearchText('Phone', { number: '+447700900123' }), '+447700900123', '07700900123', '07700 900123')
    has(entitySearchText('Address', { street: '14 High Street', town: 'Loughborough', postcode: 'LE11 1AA', lsoaCode: 'E01025000' }), '14 high street', 'loughborough', 'le11 1aa', 'le111aa', 'e01025000')
    has(entitySearchText('Company', { name: 'Sparkle Car Wash Ltd', aliases: ['Sparkle Valeting'], companyNumber: '01234567', postcode: 'LE1 6ZG' }), 'sparkle car wash ltd', 'sparkle valeting', '01234567', 'le1 6zg', 'le16zg')
    has(entitySearchText('BankAccount', { sortCode: '60-16-13', accountNumber: '31926819', bankName: 'NatWest' }), '60-16-13', '601613', '31926819', 'natwest')
  })
})

describe('link rules', () => {
  test('allow only the kinds of entity each link type names at each end', () => {
    assert.deepEqual(linkRuleProblems('family', 'Person', 'Person'), [])
    assert.deepEqual(linkRuleProblems('director', 'Person', 'Company'), [])
    assert.deepEqual(linkRuleProblems('uses_phone', 'Organization', 'Phone'), [])
    const vehicleDirector = linkRuleProblems('director', 'Vehicle', 'Company')
    assert.deepEqual(vehicleDirector.map((i) => i.field), ['subjectId'])
    assert.match(vehicleDirector[0]!.message, /"Director of" link starts from a person, business or organisation, not a vehicle/)
    const wrongObject = linkRuleProblems('drives_vehicle', 'Person', 'Phone')
    assert.deepEqual(wrongObject.map((i) => i.field), ['objectId'])
    assert.match(wrongObject[0]!.message, /goes to a vehicle, not a phone/)
    assert.match(linkRuleProblems('occupant', 'Person', 'Vehicle')[0]!.message, /goes to an address or premises/)
    assert.deepEqual(linkRuleProblems('family', 'Phone', 'Address').map((i) => i.field), ['subjectId', 'objectId'])
  })

  test('every pair of schemas is either allowed or refused with a message, for every link type', () => {
    for (const linkType of LINK_TYPES) {
      for (const s of ENTITY_SCHEMAS) {
        for (const o of ENTITY_SCHEMAS) {
          const allowed = LINK_TYPE_RULES[linkType].subject.includes(s) && LINK_TYPE_RULES[linkType].object.includes(o)
          assert.equal(linkRuleProblems(linkType, s, o).length === 0, allowed, `${linkType} ${s} → ${o}`)
        }
      }
    }
  })

  test('refuse an entity linked to itself and an end before the start', () => {
    assert.deepEqual(linkShapeProblems({ subjectId: 'a', objectId: 'a', startDate: null, endDate: null }).map((i) => i.field), ['objectId'])
    assert.deepEqual(linkShapeProblems({ subjectId: 'a', objectId: 'b', startDate: '2024-05-01', endDate: '2024-04-30' }).map((i) => i.field), ['endDate'])
    assert.deepEqual(linkShapeProblems({ subjectId: 'a', objectId: 'b', startDate: '2024-05-01', endDate: '2024-05-01' }), [])
  })

  test('offer each entity the links it can take part in, a symmetric one once', () => {
    assert.deepEqual(linkOptionsFor('Phone').map((o) => `${o.linkType}:${o.as}`), ['uses_phone:object'])
    const person = linkOptionsFor('Person').map((o) => `${o.linkType}:${o.as}`)
    assert.equal(person.filter((o) => o.startsWith('family')).length, 1)
    assert.ok(person.includes('director:subject') && person.includes('drives_vehicle:subject') && !person.includes('director:object'))
    assert.deepEqual(linkableSchemas('Vehicle').sort(), ['Company', 'Organization', 'Person'])
    assert.ok(isSymmetricLink('family') && !isSymmetricLink('owner'))
    assert.equal(linkPhrase('owner', 'subject'), 'Owner of')
    assert.equal(linkPhrase('owner', 'object'), 'Owned by')
    assert.equal(linkPhrase('family', 'object'), 'Family')
  })
})

describe('how names sound', () => {
  test('names spelt differently but said alike have one Metaphone key', () => {
    const same = [['Smith', 'Smyth'], ['John', 'Jon'], ['Mohammed', 'Muhammad'], ['Stephen', 'Steven'], ['Catherine', 'Kathryn'], ['Philip', 'Phillip'], ['Knight', 'Night'], ['Taylor', 'Tailor']]
    for (const [a, b] of same) assert.equal(metaphone(a!), metaphone(b!), `${a} and ${b}`)
    assert.equal(metaphone('Smith'), 'SM0')
    assert.equal(metaphone('Mohammed'), 'MHMT')
    assert.notEqual(metaphone('Smith'), metaphone('Smithson'))
    assert.notEqual(metaphone('Kowalski'), metaphone('Jones'))
    assert.equal(metaphone("O'Brien"), metaphone('OBrien'))
    assert.equal(metaphone('1234'), '')
  })

  test('each word of a name gives one token, once', () => {
    assert.deepEqual(phoneticTokens('Jon Smyth'), ['~jn', '~sm0'])
    assert.deepEqual(phoneticTokens('John JOHN smith'), ['~jn', '~sm0'])
    assert.deepEqual(phoneticTokens('12/345678A'), [])
    assert.deepEqual(phoneticTokens('J Smith'), ['~sm0'])
    assert.deepEqual(phoneticTokens(''), [])
  })
})

describe('search terms', () => {
  test('recognise a name with a date of birth, a registration, a phone number, a postcode and a company number', () => {
    assert.deepEqual(searchTermsOf('John Smith 01/02/1980'), { name: 'john smith', sounds: ['~jn', '~sm0'], dates: ['1980-02-01'], registration: null, phoneNumber: null, postcode: null, companyNumber: null })
    assert.equal(searchTermsOf('ab12 cde').registration, 'AB12CDE')
    assert.equal(searchTermsOf('07700 900123').phoneNumber, '+447700900123')
    assert.equal(searchTermsOf('07700 900123').name, '', 'a whole phone number is not searched as words')
    assert.equal(searchTermsOf('le1 6zg').postcode, 'LE1 6ZG')
    assert.equal(searchTermsOf('SC123456').companyNumber, 'SC123456')
    assert.equal(searchTermsOf('John Smith').registration, null)
    assert.ok(isEmptySearch(searchTermsOf('  -- ')))
  })

  test('say what a result matched on', () => {
    const none = { nameScore: 0, soundHit: false, dateHit: false, registrationHit: false, phoneHit: false, postcodeHit: false, companyNumberHit: false }
    const terms = searchTermsOf('john smith')
    assert.equal(matchedOn('Vehicle', { ...none, registrationHit: true }, terms), 'registration')
    assert.equal(matchedOn('Person', { ...none, nameScore: 0.7, dateHit: true }, terms), 'name and date of birth')
    assert.equal(matchedOn('Person', { ...none, nameScore: 0.3, soundHit: true, dateHit: true }, terms), 'name and date of birth')
    assert.equal(matchedOn('Person', { ...none, nameScore: 0.1, dateHit: true }, terms), 'date of birth')
    assert.equal(matchedOn('Person', { ...none, nameScore: 0.5 }, terms), 'name or alias')
    assert.equal(matchedOn('Person', { ...none, nameScore: 0.36, soundHit: true }, terms), 'name or alias (sounds alike)')
    assert.equal(matchedOn('Person', { ...none, nameScore: 1, soundHit: true }, terms), 'name or alias')
    assert.equal(matchedOn('Address', { ...none, nameScore: 0.6 }, terms), 'details')
    assert.equal(matchedOn('Person', { ...none, nameScore: 0.9 }, searchTermsOf('12/345678A')), 'identifier')
  })
})
