import { normaliseName, normalisePhone, normalisePostcode } from '../entities/normalise.ts'

// Normalisers for the other fields partners send: dates written every way, postcodes in or out of
// the UK, addresses with and without abbreviations, e-mail addresses and identifiers. Each returns
// the form comparisons read, or null when nothing usable was written.

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11, november: 11, dec: 12, december: 12,
}

function daysIn(year: number, month: number): number {
  return [31, (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!
}

const isDay = (y: number, m: number, d: number) => y >= 1000 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m)
const pad = (n: number, width: number) => String(n).padStart(width, '0')
const iso = (y: number, m: number, d: number) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`

export type DateReading = { date: string; note?: string } | { problem: string }

/**
 * Reads a date as partners write one: 1985-03-12, 19850312, 12/03/1985, 12-3-1985, 12.03.1985,
 * 12 March 1985, Mar 12 1985, 1985/03/12, or with a time after it as spreadsheets export. Day before
 * month is read first (UK order); a date that can only be month first (03/25/1985) is read so and noted.
 */
export function readDate(raw: string): DateReading {
  const s = raw.trim().replace(/[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/, '').trim()
  if (s === '') return { problem: 'is blank' }
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(s)
  if (m) return checked(+m[1]!, +m[2]!, +m[3]!, raw)
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(s)
  if (m) return checked(+m[1]!, +m[2]!, +m[3]!, raw)
  m = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(s)
  if (m) {
    const first = +m[1]!
    const second = +m[2]!
    const year = +m[3]!
    if (isDay(year, second, first)) return { date: iso(year, second, first) }
    if (isDay(year, first, second)) return { date: iso(year, first, second), note: `read as month ${first}, day ${second}: no month ${second}` }
    return { problem: `"${raw.trim()}" is not a real date` }
  }
  m = /^(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]+)[\s,-]+(\d{4})$/i.exec(s)
  if (m && MONTHS[m[2]!.toLowerCase()]) return checked(+m[3]!, MONTHS[m[2]!.toLowerCase()]!, +m[1]!, raw)
  m = /^([a-z]+)[\s-]+(\d{1,2})(?:st|nd|rd|th)?,?[\s-]+(\d{4})$/i.exec(s)
  if (m && MONTHS[m[1]!.toLowerCase()]) return checked(+m[3]!, MONTHS[m[1]!.toLowerCase()]!, +m[2]!, raw)
  if (/^\d{1,2}[-/.]\d{1,2}[-/.]\d{2}$/.test(s)) return { problem: `"${raw.trim()}" has a two-digit year: write the year in full, for example 1985` }
  return { problem: `"${raw.trim()}" is not a date in a form that can be read: write it as 12/03/1985 or 1985-03-12` }
}

function checked(y: number, m: number, d: number, raw: string): DateReading {
  return isDay(y, m, d) ? { date: iso(y, m, d) } : { problem: `"${raw.trim()}" is not a real date` }
}

/** A postcode as compared: a UK postcode in its canonical form, anything else upper case without spaces. */
export function matchPostcode(raw: string): { code: string; uk: boolean } | null {
  const uk = normalisePostcode(raw)
  if (uk) return { code: uk, uk: true }
  const compact = raw.toUpperCase().replace(/[^A-Z0-9]/g, '')
  return compact === '' ? null : { code: compact, uk: false }
}

/** The parts of a canonical UK postcode a comparison can agree on, from the widest to the narrowest. */
export function postcodeParts(canonical: string): { area: string; district: string; sector: string } {
  const [outward = '', inward = ''] = canonical.split(' ')
  return { area: outward.replace(/\d.*$/, ''), district: outward, sector: `${outward} ${inward.slice(0, 1)}` }
}

const ADDRESS_WORDS: Record<string, string> = {
  st: 'street', str: 'street', rd: 'road', ave: 'avenue', av: 'avenue', ln: 'lane', dr: 'drive', cres: 'crescent', cresc: 'crescent',
  ct: 'court', crt: 'court', pl: 'place', sq: 'square', gdns: 'gardens', gdn: 'gardens', cl: 'close', tce: 'terrace', terr: 'terrace',
  hse: 'house', hts: 'heights', pk: 'park', wy: 'way', gr: 'grove', gro: 'grove', mt: 'mount', nth: 'north', sth: 'south', cir: 'circuit', cct: 'circuit',
}

/** An address as compared: normalised like a name, common abbreviations spelt out, "flat" and "apartment" dropped. */
export function matchAddress(raw: string): string | null {
  const words = normaliseName(raw)
    .split(' ')
    .filter((w) => w !== '' && w !== 'flat' && w !== 'apartment' && w !== 'apt')
    .map((w) => ADDRESS_WORDS[w] ?? w)
  return words.length > 0 ? words.join(' ') : null
}

/** An e-mail address as compared: lower case, without a "+tag" on its local part; null if it has no @. */
export function matchEmail(raw: string): string | null {
  const s = raw.trim().toLowerCase()
  const at = s.lastIndexOf('@')
  if (at <= 0 || at === s.length - 1) return null
  return `${s.slice(0, at).replace(/\+.*$/, '')}@${s.slice(at + 1)}`
}

/** A phone number as compared: E.164 where it can be read, otherwise its digits (at least six). */
export function matchPhone(raw: string): string | null {
  const e164 = normalisePhone(raw)
  if (e164) return e164
  const digits = raw.replace(/\D/g, '')
  return digits.length >= 6 ? digits : null
}

/** An identifier (NI number, PNC, passport, social security number) as compared: letters and digits, upper case. */
export function matchIdentifier(raw: string): string | null {
  const s = raw.toUpperCase().replace(/[^A-Z0-9]/g, '')
  return s === '' ? null : s
}

const BUSINESS_NOISE = new Set(['ltd', 'limited', 'plc', 'llp', 'llc', 'lp', 'inc', 'co', 'company', 'the', 'uk', 'group', 'services', 'and'])

/** A business name as compared: "The Golden Spoon Ltd" and "GOLDEN SPOON LIMITED" both give "golden spoon". */
export function matchBusinessName(raw: string): string | null {
  // "Trading as" names are the name the business is known by.
  const tradingAs = /\b(?:t\/a|trading as)\b(.*)$/i.exec(raw)
  const name = tradingAs && tradingAs[1]!.trim() !== '' ? tradingAs[1]! : raw
  const words = normaliseName(name.replace(/&/g, ' and ')).split(' ').filter((w) => w !== '' && !BUSINESS_NOISE.has(w))
  return words.length > 0 ? words.join(' ') : null
}

/** A normalised single name word or words, or null when none is left. */
export function matchName(raw: string): string | null {
  const n = normaliseName(raw)
  return n === '' ? null : n
}
