import { areGivenNameVariants } from './names.ts'
import type { PreparedRecord, RecordKind } from './record.ts'
import { editDistance, jaroWinkler, sortedOverlap, wordOverlap } from './strings.ts'

// How two records are compared, field by field. Each comparison sorts a pair into one of its levels,
// from the strongest agreement to outright disagreement; the model learns how much each level says
// (Fellegi-Sunter). A pair where either side is blank is not compared on that field and counts neither
// way, so a missing e-mail address is no evidence against a match.

export const NOT_COMPARED = -1

export type Comparison<R> = {
  key: string
  label: string
  /** What each level means, strongest agreement first; the last is disagreement. */
  levels: readonly string[]
  /** The level of a pair, or NOT_COMPARED when either side gives nothing. */
  compare: (a: R, b: R) => number
  /** The value whose rarity adjusts the weight of exact agreement (level 0): a rare surname says more. */
  termFrequency?: (r: R) => string | null
}

// Names repeat across a large file, so their similarities are worth remembering; the memory is
// dropped when it grows past a bound, so a million distinct names cannot exhaust memory.
// Kept by the first string then the second, so no key string is built for each pair.
const MEMO_LIMIT = 2_000_000
let memo = new Map<string, Map<string, number>>()
let memoSize = 0
function similarity(a: string, b: string): number {
  const [x, y] = a < b ? [a, b] : [b, a]
  let inner = memo.get(x)
  let s = inner?.get(y)
  if (s === undefined) {
    s = jaroWinkler(x, y)
    if (memoSize >= MEMO_LIMIT) {
      memo = new Map()
      memoSize = 0
      inner = undefined
    }
    if (!inner) {
      inner = new Map()
      memo.set(x, inner)
    }
    inner.set(y, s)
    memoSize++
  }
  return s
}

const swappedNames = (a: PreparedRecord, b: PreparedRecord) => a.given !== null && a.family !== null && a.given === b.family && a.family === b.given

const amongMiddleNames = (name: string, middle: string | null) => middle !== null && ` ${middle} `.includes(` ${name} `)

const givenName: Comparison<PreparedRecord> = {
  key: 'given_name',
  label: 'Given name',
  levels: ['the same', 'given and family names swapped', 'the same name in another form (a nickname or transliteration)', 'spelt almost the same (Jaro-Winkler 0.92 or more)', 'sounds the same (Metaphone)', 'spelt similarly (Jaro-Winkler 0.80 or more)', 'an initial that agrees with the name (W and William)', 'different'],
  compare(a, b) {
    if (a.given === null || b.given === null) return NOT_COMPARED
    if (a.given === b.given) return 0
    if (swappedNames(a, b)) return 1
    if (areGivenNameVariants(a.given, b.given)) return 2
    const s = similarity(a.given, b.given)
    if (s >= 0.92) return 3
    if (a.givenSound !== null && a.givenSound === b.givenSound) return 4
    if (s >= 0.8) return 5
    if ((a.given.length === 1 || b.given.length === 1) && a.given[0] === b.given[0]) return 6
    return 7
  },
  termFrequency: (r) => r.given,
}

const familyName: Comparison<PreparedRecord> = {
  key: 'family_name',
  label: 'Family name',
  levels: ['the same', 'given and family names swapped', 'the same name in another form (Mc and Mac, a transliteration)', 'spelt almost the same (Jaro-Winkler 0.92 or more)', 'sounds the same (Metaphone)', 'spelt similarly (Jaro-Winkler 0.80 or more)', "one's family name is among the other's middle names (Pretyman and George Pretyman Tomline)", 'different'],
  compare(a, b) {
    if (a.family === null || b.family === null) return NOT_COMPARED
    if (a.family === b.family) return 0
    if (swappedNames(a, b)) return 1
    if (a.familyKey === b.familyKey) return 2
    const s = similarity(a.family, b.family)
    if (s >= 0.92) return 3
    if (a.familySound !== null && a.familySound === b.familySound) return 4
    if (s >= 0.8) return 5
    if (amongMiddleNames(a.family, b.middle) || amongMiddleNames(b.family, a.middle)) return 6
    return 7
  },
  termFrequency: (r) => r.family,
}

const birthDate: Comparison<PreparedRecord> = {
  key: 'birth_date',
  label: 'Date of birth',
  levels: ['the same', 'day and month swapped', 'one digit wrong or two swapped', 'two digits wrong', 'different'],
  compare(a, b) {
    const x = a.birthDate
    const y = b.birthDate
    if (x === null || y === null) return NOT_COMPARED
    if (x === y) return 0
    // YYYYMMDD: the same year with day and month exchanged (03/12 written as 12/03).
    if (x.slice(0, 4) === y.slice(0, 4) && x.slice(4, 6) === y.slice(6, 8) && x.slice(6, 8) === y.slice(4, 6)) return 1
    const d = editDistance(x, y, 2)
    if (d === 1) return 2
    if (d === 2) return 3
    return 4
  },
}

const postcode: Comparison<PreparedRecord> = {
  key: 'postcode',
  label: 'Postcode',
  levels: ['the same', 'the same sector (all but the last two letters)', 'the same district (the first half)', 'one character different', 'different'],
  compare(a, b) {
    if (a.postcode === null || b.postcode === null) return NOT_COMPARED
    if (a.postcode === b.postcode) return 0
    if (a.postcodeSector !== null && b.postcodeSector !== null) {
      if (a.postcodeSector === b.postcodeSector) return 1
      if (a.postcodeDistrict === b.postcodeDistrict) return 2
    }
    return editDistance(a.postcode, b.postcode, 1) <= 1 ? 3 : 4
  },
  termFrequency: (r) => r.postcode,
}

const address: Comparison<PreparedRecord> = {
  key: 'address',
  label: 'Address',
  levels: ['the same', 'the same number and almost the same (Jaro-Winkler 0.90 or more)', 'mostly the same words', 'different'],
  compare(a, b) {
    if (a.address === null || b.address === null) return NOT_COMPARED
    if (a.address === b.address) return 0
    const sameNumber = a.addressNumber === b.addressNumber
    if (sameNumber && jaroWinkler(a.address, b.address) >= 0.9) return 1
    if (sortedOverlap(a.addressWords!, b.addressWords!) >= 0.5) return 2
    return 3
  },
}

const town: Comparison<PreparedRecord> = {
  key: 'town',
  label: 'Town',
  levels: ['the same', 'spelt almost the same (Jaro-Winkler 0.90 or more)', 'different'],
  compare(a, b) {
    // Where both give a postcode, it already says where they are; the town again would count the
    // same evidence twice (a postcode and its town agree together or not at all).
    if (a.town === null || b.town === null || (a.postcode !== null && b.postcode !== null)) return NOT_COMPARED
    if (a.town === b.town) return 0
    return similarity(a.town, b.town) >= 0.9 ? 1 : 2
  },
  termFrequency: (r) => r.town,
}

const email: Comparison<PreparedRecord> = {
  key: 'email',
  label: 'E-mail address',
  levels: ['the same', 'the same before the @', 'spelt almost the same (Jaro-Winkler 0.90 or more)', 'different'],
  compare(a, b) {
    if (a.email === null || b.email === null) return NOT_COMPARED
    if (a.email === b.email) return 0
    if (a.email.slice(0, a.email.indexOf('@')) === b.email.slice(0, b.email.indexOf('@'))) return 1
    return jaroWinkler(a.email, b.email) >= 0.9 ? 2 : 3
  },
}

const phone: Comparison<PreparedRecord> = {
  key: 'phone',
  label: 'Phone number',
  levels: ['the same', 'the same last seven digits', 'different'],
  compare(a, b) {
    if (a.phone === null || b.phone === null) return NOT_COMPARED
    if (a.phone === b.phone) return 0
    return a.phone.slice(-7) === b.phone.slice(-7) ? 1 : 2
  },
}

const nationalId: Comparison<PreparedRecord> = {
  key: 'national_id',
  label: 'National identifier',
  levels: ['the same', 'one character wrong or two swapped', 'different'],
  compare(a, b) {
    if (a.nationalId === null || b.nationalId === null) return NOT_COMPARED
    if (a.nationalId === b.nationalId) return 0
    return editDistance(a.nationalId, b.nationalId, 1) === 1 ? 1 : 2
  },
}

const businessName: Comparison<PreparedRecord> = {
  key: 'name',
  label: 'Business or premises name',
  levels: ['the same', 'spelt almost the same (Jaro-Winkler 0.92 or more)', 'mostly the same words', 'different'],
  compare(a, b) {
    if (a.businessName === null || b.businessName === null) return NOT_COMPARED
    if (a.businessName === b.businessName) return 0
    if (jaroWinkler(a.businessName, b.businessName) >= 0.92) return 1
    return wordOverlap(a.businessName, b.businessName) >= 0.5 ? 2 : 3
  },
  termFrequency: (r) => r.businessName,
}

const companyNumber: Comparison<PreparedRecord> = {
  key: 'company_number',
  label: 'Company number',
  levels: ['the same', 'one character wrong or two swapped', 'different'],
  compare(a, b) {
    if (a.companyNumber === null || b.companyNumber === null) return NOT_COMPARED
    if (a.companyNumber === b.companyNumber) return 0
    return editDistance(a.companyNumber, b.companyNumber, 1) === 1 ? 1 : 2
  },
}

const PERSON_COMPARISONS = [givenName, familyName, birthDate, postcode, address, town, email, phone, nationalId]
const BUSINESS_COMPARISONS = [businessName, companyNumber, address, postcode]

/**
 * The comparisons for records of a kind, keeping only those on fields both sides were given: a
 * field nobody mapped would otherwise be trained on nothing.
 */
export function comparisonsFor(kind: RecordKind, mapped: ReadonlySet<string>): Comparison<PreparedRecord>[] {
  const all = kind === 'person' ? PERSON_COMPARISONS : BUSINESS_COMPARISONS
  return all.filter((c) => {
    if (c.key === 'given_name') return mapped.has('given_name') || mapped.has('full_name')
    if (c.key === 'family_name') return mapped.has('family_name') || mapped.has('full_name')
    return mapped.has(c.key)
  })
}
