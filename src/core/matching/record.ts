import { metaphone } from '../entities/phonetic.ts'
import { familyNameKey, givenNameKey, isTitle, nameWords, splitFullName } from './names.ts'
import { matchAddress, matchBusinessName, matchEmail, matchIdentifier, matchName, matchPhone, matchPostcode, postcodeParts, readDate } from './values.ts'

// The canonical fields a partner's columns are mapped to, and a record as the matcher reads it:
// every value normalised once, with the keys comparisons and blocking need worked out up front.

export const PERSON_FIELDS = ['full_name', 'given_name', 'family_name', 'birth_date', 'address', 'postcode', 'town', 'email', 'phone', 'national_id'] as const
export const BUSINESS_FIELDS = ['name', 'company_number', 'address', 'postcode'] as const
export type PersonField = (typeof PERSON_FIELDS)[number]
export type BusinessField = (typeof BUSINESS_FIELDS)[number]
export type CanonicalField = PersonField | BusinessField
export type RecordKind = 'person' | 'business'

export const FIELD_LABELS: Record<CanonicalField, string> = {
  full_name: 'Full name',
  given_name: 'Given name',
  family_name: 'Family name',
  birth_date: 'Date of birth',
  address: 'Address',
  postcode: 'Postcode',
  town: 'Town',
  email: 'E-mail address',
  phone: 'Phone number',
  national_id: 'National identifier',
  name: 'Business or premises name',
  company_number: 'Company number',
}

export const fieldsOf = (kind: RecordKind): readonly CanonicalField[] => (kind === 'person' ? PERSON_FIELDS : BUSINESS_FIELDS)

/** What one partner record says, field by field, as written (after the column mapping). */
export type SourceRecord = { source: number; id: string; values: Partial<Record<CanonicalField, string>> }

/** A record ready to compare. Null means the partner gave nothing usable for that field. */
export type PreparedRecord = {
  source: number
  id: string
  given: string | null
  givenKey: string | null
  givenSound: string | null
  middle: string | null
  family: string | null
  familyKey: string | null
  familySound: string | null
  /** YYYYMMDD, so edit distance counts a mistyped digit as one error. */
  birthDate: string | null
  postcode: string | null
  ukPostcode: boolean
  /** A UK postcode's sector (all but its last two letters) and district (its first half). */
  postcodeSector: string | null
  postcodeDistrict: string | null
  address: string | null
  /** The address's distinct words, sorted, for counting words in common without splitting per pair. */
  addressWords: readonly string[] | null
  /** The house number or name's first number, which decides between neighbours. */
  addressNumber: string | null
  town: string | null
  email: string | null
  phone: string | null
  nationalId: string | null
  businessName: string | null
  companyNumber: string | null
}

function nameSound(name: string | null): string | null {
  if (name === null) return null
  const key = metaphone(name.replace(/ /g, ''))
  return key === '' ? null : key
}

/**
 * A date that is no real date but has a date's eight digits in year-month-day order (1831-87-18):
 * a slip of the keyboard, still worth comparing digit by digit.
 */
function mistypedDate(raw: string): string | null {
  const digits = /^(\d{4})[-/.]?(\d{2})[-/.]?(\d{2})$/.exec(raw.trim())
  return digits ? `${digits[1]}${digits[2]}${digits[3]}` : null
}

const text = (v: string | undefined) => (v === undefined || v.trim() === '' ? null : v)

/** Normalises a source record. Values that cannot be read (a date that is no date) count as not given. */
export function prepareRecord(record: SourceRecord): PreparedRecord {
  const v = record.values
  const split = text(v.full_name) ? splitFullName(v.full_name!) : { given: null, middle: null, family: null }
  // A given-name column holding only "Sir" or a family-name column holding only "Baronet" says
  // nothing of the name, so the full name is read instead.
  const givenWords = text(v.given_name) ? nameWords(v.given_name!).filter((w) => !isTitle(w)) : []
  const familyWords = text(v.family_name) ? nameWords(v.family_name!) : []
  const given = givenWords[0] ?? split.given
  const middle = givenWords.length > 1 ? givenWords.slice(1).join(' ') : split.middle
  const family = familyWords.join(' ') || split.family
  const dateRead = text(v.birth_date) ? readDate(v.birth_date!) : null
  const postcode = text(v.postcode) ? matchPostcode(v.postcode!) : null
  const address = text(v.address) ? matchAddress(v.address!) : null
  const parts = postcode?.uk ? postcodeParts(postcode.code) : null
  return {
    source: record.source,
    id: record.id,
    given,
    givenKey: given ? givenNameKey(given) : null,
    givenSound: nameSound(given),
    middle,
    family,
    familyKey: family ? familyNameKey(family.replace(/ /g, '')) : null,
    familySound: nameSound(family),
    birthDate: dateRead ? ('date' in dateRead ? dateRead.date.replace(/-/g, '') : mistypedDate(v.birth_date!)) : null,
    postcode: postcode?.code ?? null,
    ukPostcode: postcode?.uk ?? false,
    postcodeSector: parts?.sector ?? null,
    postcodeDistrict: parts?.district ?? null,
    address,
    addressWords: address ? [...new Set(address.split(' ').filter((w) => w !== ''))].sort() : null,
    addressNumber: address ? (/\b(\d+[a-z]?)\b/.exec(address)?.[1] ?? null) : null,
    town: text(v.town) ? matchName(v.town!) : null,
    email: text(v.email) ? matchEmail(v.email!) : null,
    phone: text(v.phone) ? matchPhone(v.phone!) : null,
    nationalId: text(v.national_id) ? matchIdentifier(v.national_id!) : null,
    businessName: text(v.name) ? matchBusinessName(v.name!) : null,
    companyNumber: text(v.company_number) ? matchIdentifier(v.company_number!) : null,
  }
}

/**
 * Records that give a single name ("Stivenson", "Archie") leave open whether it is a given or a
 * family name, and a file's column for it says little: the same file may put either there. The
 * file itself decides: a lone name is read as a family name when, among the records that give
 * both, it appears more often as a family name than as a given one.
 */
export function placeLoneNames(records: readonly PreparedRecord[]): PreparedRecord[] {
  const asGiven = new Map<string, number>()
  const asFamily = new Map<string, number>()
  for (const r of records) {
    if (r.given === null || r.family === null) continue
    asGiven.set(r.given, (asGiven.get(r.given) ?? 0) + 1)
    asFamily.set(r.family, (asFamily.get(r.family) ?? 0) + 1)
  }
  return records.map((r) => {
    if (r.given === null || r.family !== null || r.middle !== null) return r
    if ((asFamily.get(r.given) ?? 0) <= (asGiven.get(r.given) ?? 0)) return r
    return { ...r, given: null, givenKey: null, givenSound: null, family: r.given, familyKey: familyNameKey(r.given), familySound: nameSound(r.given) }
  })
}
