import { phoneticTokens } from './describe.ts'
import { datesInText, isUkRegistration, normaliseCompanyNumber, normaliseName, normalisePhone, normalisePostcode, normaliseRegistration } from './normalise.ts'

// What a search box's text asks for. People type a name, a date of birth, a registration, a phone
// number, a postcode or a company number, in whatever form they have it; each is recognised and
// normalised the way it was stored, so "ab12 cde" finds AB12CDE and "07700 900123" finds
// +447700900123.

/**
 * The least trigram word similarity (pg_trgm word_similarity, 0 to 1) at which a spelling counts as
 * a match: pg_trgm's own default, 0.6. "Jon Smith" meets "John Smith" (0.62) and "Sana Whyte" meets
 * "Sana White" (0.64). Lower thresholds let so many rows through the trigram index that at national
 * scale PostgreSQL reads the whole table instead; names that are said alike but spelt further apart
 * ("Jon Smyth", "Mohammed") are found by how they sound.
 */
export const NAME_SIMILARITY_THRESHOLD = 0.6

/**
 * The score of a name whose every word sounds like a word of the entity's names (Metaphone), when
 * trigrams score it lower: "John Smith" and "Jon Smyth" sound alike though they share few trigrams.
 * Below an exact spelling (1), above most near spellings.
 */
export const SOUNDS_ALIKE_SCORE = 0.8

export type SearchTerms = {
  /** The words of the text that are not a date, normalised as names are: '' if none. */
  name: string
  /** The sound of each word of the name, as stored in the search text ("~jn", "~sm0"). */
  sounds: string[]
  /** Dates in the text (DD/MM/YYYY or YYYY-MM-DD), as YYYY-MM-DD: matched to dates of birth. */
  dates: string[]
  registration: string | null
  phoneNumber: string | null
  postcode: string | null
  companyNumber: string | null
}

export function searchTermsOf(text: string): SearchTerms {
  const { dates, rest } = datesInText(text)
  const whole = text.trim()
  const vrm = normaliseRegistration(whole)
  const digits = whole.replace(/\D/g, '')
  const registration = dates.length === 0 && isUkRegistration(vrm) && /[A-Z]/.test(vrm) && /\d/.test(vrm) ? vrm : null
  const phoneNumber = digits.length >= 9 && dates.length === 0 ? normalisePhone(whole) : null
  const postcode = normalisePostcode(whole)
  const companyNumber = /^[A-Za-z]{0,2}\s*\d{6,8}$/.test(whole) ? normaliseCompanyNumber(whole) : null
  // Text that is wholly a registration, phone number, postcode or company number is looked up
  // exactly, not as words: thousands of plates share "AB51", phones "07700" and postcodes "LE1", and
  // near spellings of them are noise. (The list page's filter finds part of a mark or number.)
  const exact = registration !== null || phoneNumber !== null || postcode !== null || companyNumber !== null
  return {
    name: exact ? '' : normaliseName(rest),
    sounds: exact ? [] : phoneticTokens(rest),
    dates,
    registration,
    phoneNumber,
    postcode,
    companyNumber,
  }
}

export function isEmptySearch(t: SearchTerms): boolean {
  return t.name === '' && t.dates.length === 0 && !t.registration && !t.phoneNumber && !t.postcode && !t.companyNumber
}

export type MatchFlags = {
  /** Trigram word similarity of the name words (0 to 1). */
  nameScore: number
  /** Whether every word of the name sounds like one of the entity's. */
  soundHit: boolean
  dateHit: boolean
  registrationHit: boolean
  phoneHit: boolean
  postcodeHit: boolean
  companyNumberHit: boolean
}

/** What a result matched on, in the words a results page shows. */
export function matchedOn(schema: string, m: MatchFlags, terms: SearchTerms): string {
  if (m.registrationHit) return 'registration'
  if (m.phoneHit) return 'phone number'
  if (m.companyNumberHit) return 'company number'
  if (m.postcodeHit) return 'postcode'
  const named = schema === 'Person' || schema === 'Company' || schema === 'Organization'
  if (m.dateHit) return m.nameScore >= NAME_SIMILARITY_THRESHOLD || m.soundHit ? 'name and date of birth' : 'date of birth'
  // Digits in the words mean an identifier (a PNC or NI number, say) rather than a name.
  if (/\d/.test(terms.name)) return named ? 'identifier' : 'details'
  if (!named) return 'details'
  return m.soundHit && m.nameScore < SOUNDS_ALIKE_SCORE ? 'name or alias (sounds alike)' : 'name or alias'
}
