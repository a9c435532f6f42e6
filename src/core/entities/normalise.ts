// Normalisers for what partners write about people, vehicles, phones, premises and accounts. Each
// agency writes a registration, a phone number or a postcode its own way; these turn every way into
// one form, so the same thing is recognised wherever it was recorded. Pure: no I/O, no clock.

/** A name as search and matching see it: lower case, accents and punctuation gone, single spaces. */
export function normaliseName(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[ßøØłŁđĐæÆœŒþÞıİ]/g, (c) => LETTERS_WITHOUT_DECOMPOSITION[c] ?? c)
    .toLowerCase()
    // O'Brien and OBrien are one name; Smith-Jones is two words.
    .replace(/['’‘`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
}

// Letters Unicode does not decompose into a base letter and an accent.
const LETTERS_WITHOUT_DECOMPOSITION: Record<string, string> = {
  ß: 'ss', ø: 'o', Ø: 'O', ł: 'l', Ł: 'L', đ: 'd', Đ: 'D', æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE', þ: 'th', Þ: 'TH', ı: 'i', İ: 'I',
}

// ---------------------------------------------------------------------------------------------
// Vehicle registration marks (DVLA formats: current since 2001, prefix 1983-2001, suffix 1963-1983,
// dateless before 1963 and in Northern Ireland).

/** A registration mark as stored: upper case, letters and digits only ("ab12 cde" → "AB12CDE"). */
export function normaliseRegistration(raw: string): string {
  return raw.toUpperCase().replace(/[^A-Z0-9]/g, '')
}

const VRM_FORMATS: ReadonlyArray<{ pattern: RegExp; display: (v: string) => string }> = [
  { pattern: /^[A-Z]{2}\d{2}[A-Z]{3}$/, display: (v) => `${v.slice(0, 4)} ${v.slice(4)}` }, // current: AB12 CDE
  { pattern: /^[A-Z]\d{1,3}[A-Z]{3}$/, display: (v) => `${v.slice(0, -3)} ${v.slice(-3)}` }, // prefix: A123 BCD
  { pattern: /^[A-Z]{3}\d{1,3}[A-Z]$/, display: (v) => `${v.slice(0, 3)} ${v.slice(3)}` }, // suffix: ABC 123D
  { pattern: /^[A-Z]{1,3}\d{1,4}$/, display: (v) => v.replace(/^([A-Z]+)(\d+)$/, '$1 $2') }, // dateless and NI: ABZ 1234
  { pattern: /^\d{1,4}[A-Z]{1,3}$/, display: (v) => v.replace(/^(\d+)([A-Z]+)$/, '$1 $2') }, // dateless: 1234 AB
]

/** Whether a normalised mark has one of the formats the DVLA has issued. */
export function isUkRegistration(vrm: string): boolean {
  return VRM_FORMATS.some((f) => f.pattern.test(vrm))
}

/** A normalised mark as it is written on the plate ("AB12CDE" → "AB12 CDE"); others unchanged. */
export function displayRegistration(vrm: string): string {
  const format = VRM_FORMATS.find((f) => f.pattern.test(vrm))
  return format ? format.display(vrm) : vrm
}

// ---------------------------------------------------------------------------------------------
// Telephone numbers (Ofcom's National Telephone Numbering Plan; ITU-T E.164).

/**
 * A phone number in E.164 form ("+447700900123"), or null if it cannot be one. Accepts UK numbers
 * written nationally (07700 900123, (0116) 496 0123), internationally (+44 7700 900123,
 * +44 (0)7700 900123, 0044 7700 900123) and other countries' numbers given with + or 00.
 */
export function normalisePhone(raw: string): string | null {
  const compact = raw.trim().replace(/^(\+|00)\s*44\s*\(0\)/, '+44').replace(/[\s().\-/]/g, '')
  if (!/^\+?\d+$/.test(compact)) return null
  let international: string
  if (compact.startsWith('+')) international = compact.slice(1)
  else if (compact.startsWith('00')) international = compact.slice(2)
  else if (compact.startsWith('0')) return ukNumber(compact.slice(1))
  // 447700900123: a UK number written internationally without its plus sign.
  else if (compact.startsWith('44') && compact.length === 12) international = compact
  else return null
  if (international.startsWith('44')) {
    // "+44 07700 900123" keeps a trunk zero it should have dropped.
    const nsn = international.slice(2)
    return ukNumber(nsn.startsWith('0') ? nsn.slice(1) : nsn)
  }
  // E.164: a country code that does not start with 0, and at most 15 digits in all.
  return /^[1-9]\d{6,14}$/.test(international) ? `+${international}` : null
}

/** A UK national significant number (the digits after the 0) as E.164, if it has a valid shape. */
function ukNumber(nsn: string): string | null {
  // Geographic (01, 02), non-geographic (03), personal and mobile (07), freephone and special (08, 09),
  // corporate and VoIP (05). Mobiles, London-style 02 and 03 numbers have ten digits.
  if (!/^[1235789]\d{8,9}$/.test(nsn)) return null
  if (/^[237]/.test(nsn) && nsn.length !== 10) return null
  return `+44${nsn}`
}

/** A UK number in E.164 form as dialled within the UK, digits only ("+447700900123" → "07700900123"). */
export function nationalPhone(e164: string): string | null {
  return e164.startsWith('+44') ? `0${e164.slice(3)}` : null
}

/** A number as people write it: UK numbers grouped nationally ("07700 900123", "020 7946 0123"). */
export function displayPhone(e164: string): string {
  if (!e164.startsWith('+44')) return e164
  const n = e164.slice(3)
  const group = (...cuts: number[]) => {
    const parts: string[] = []
    let from = 0
    for (const cut of cuts) {
      parts.push(n.slice(from, cut))
      from = cut
    }
    parts.push(n.slice(from))
    return `0${parts.join(' ')}`
  }
  if (n.startsWith('2')) return group(2, 6) // 020 7946 0123
  if (n.startsWith('1') && (n[1] === '1' || n[2] === '1')) return group(3, 6) // 0116 496 0123, 0121 496 0123
  if (n.startsWith('1') || n.startsWith('7')) return group(4) // 01632 960123, 07700 900123
  return group(3, 6) // 0300 123 4567, 0800 123 4567
}

// ---------------------------------------------------------------------------------------------
// Postcodes (Royal Mail's format: outward code, space, inward code).

const POSTCODE = /^([A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKPS-UW]|[A-HK-Y]\d[ABEHMNPRV-Y]))(\d[ABD-HJLNP-UW-Z]{2})$/

/** A UK postcode in its canonical form ("sw1a1aa" → "SW1A 1AA"), or null if it cannot be one. */
export function normalisePostcode(raw: string): string | null {
  const compact = raw.toUpperCase().replace(/\s+/g, '')
  if (compact === 'GIR0AA') return 'GIR 0AA'
  const m = POSTCODE.exec(compact)
  return m ? `${m[1]} ${m[2]}` : null
}

/** A Lower layer Super Output Area code: E01 (England) or W01 (Wales) and six digits. */
export function normaliseLsoaCode(raw: string): string | null {
  const code = raw.trim().toUpperCase()
  return /^[EW]01\d{6}$/.test(code) ? code : null
}

// Great Britain, Northern Ireland, the Isle of Man and the Channel Islands, with a small margin.
export const UK_BOUNDS = { minLatitude: 49.8, maxLatitude: 60.95, minLongitude: -8.7, maxLongitude: 1.8 } as const

export function isInUk(latitude: number, longitude: number): boolean {
  return latitude >= UK_BOUNDS.minLatitude && latitude <= UK_BOUNDS.maxLatitude && longitude >= UK_BOUNDS.minLongitude && longitude <= UK_BOUNDS.maxLongitude
}

// ---------------------------------------------------------------------------------------------
// Businesses and accounts.

/**
 * A Companies House company number: eight digits (England and Wales, padded with leading zeros), or
 * a two-letter prefix and six digits (SC Scotland, NI Northern Ireland, OC LLPs, LP, FC and others).
 */
export function normaliseCompanyNumber(raw: string): string | null {
  const compact = raw.toUpperCase().replace(/\s+/g, '')
  const padded = /^\d{1,8}$/.test(compact) ? compact.padStart(8, '0') : compact
  return /^(\d{8}|[A-Z]{2}\d{6}|R\d{7})$/.test(padded) ? padded : null
}

/** A sort code as nn-nn-nn, from "123456", "12 34 56" or "12-34-56". */
export function normaliseSortCode(raw: string): string | null {
  const digits = raw.replace(/[\s-]/g, '')
  return /^\d{6}$/.test(digits) ? `${digits.slice(0, 2)}-${digits.slice(2, 4)}-${digits.slice(4)}` : null
}

/** A UK bank account number: eight digits. */
export function normaliseAccountNumber(raw: string): string | null {
  const digits = raw.replace(/[\s-]/g, '')
  return /^\d{8}$/.test(digits) ? digits : null
}

/** An IBAN, upper case without spaces, if its shape and ISO 13616 check digits are right. */
export function normaliseIban(raw: string): string | null {
  const iban = raw.toUpperCase().replace(/\s+/g, '')
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return null
  if (iban.startsWith('GB') && iban.length !== 22) return null
  // Move the first four characters to the end, letters become 10..35, the number mod 97 must be 1.
  const rearranged = iban.slice(4) + iban.slice(0, 4)
  let remainder = 0
  for (const ch of rearranged) {
    const value = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97
  }
  return remainder === 1 ? iban : null
}

/** Whether a GB IBAN carries the given sort code and account number (other countries: true). */
export function ibanMatchesAccount(iban: string, sortCode: string, accountNumber: string): boolean {
  if (!iban.startsWith('GB')) return true
  return iban.slice(8, 14) === sortCode.replace(/-/g, '') && iban.slice(14) === accountNumber
}

// ---------------------------------------------------------------------------------------------
// Identifiers on a person.

/** An identifier as stored: PNC and NI numbers in their canonical form, others trimmed. Null if malformed. */
export function normaliseIdentifier(type: string, raw: string): string | null {
  const value = raw.trim()
  if (type === 'pnc') {
    // Year (two or four digits), a slash, a serial number and a check letter: 12/345678A.
    const pnc = value.toUpperCase().replace(/\s+/g, '')
    return /^(\d{2}|\d{4})\/\d{1,7}[A-Z]$/.test(pnc) ? pnc : null
  }
  if (type === 'ni_number') {
    // HMRC's format: two prefix letters (not D, F, I, Q, U, V; second not O; never BG, GB, KN, NK,
    // NT, TN, ZZ), six digits, a suffix A-D.
    const ni = value.toUpperCase().replace(/\s+/g, '')
    return /^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$/.test(ni) ? ni : null
  }
  return value.length > 0 ? value : null
}

// ---------------------------------------------------------------------------------------------
// Dates as people write them.

/** Whether y-m-d names a day that exists in the Gregorian calendar. */
function isRealDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
  return d <= days[m - 1]!
}

const iso = (y: number, m: number, d: number) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`

/** A date written as YYYY-MM-DD or DD/MM/YYYY (UK order) as YYYY-MM-DD, or null if it is not a real date. */
export function parseDate(raw: string): string | null {
  const s = raw.trim()
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (m) return isRealDay(+m[1]!, +m[2]!, +m[3]!) ? iso(+m[1]!, +m[2]!, +m[3]!) : null
  m = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/.exec(s)
  if (m) return isRealDay(+m[3]!, +m[2]!, +m[1]!) ? iso(+m[3]!, +m[2]!, +m[1]!) : null
  return null
}

/** DD/MM/YYYY for a YYYY-MM-DD date. */
export function ukDate(isoDate: string): string {
  return `${isoDate.slice(8, 10)}/${isoDate.slice(5, 7)}/${isoDate.slice(0, 4)}`
}

export const EARLIEST_BIRTH_DATE = '1900-01-01'

/** Why a date of birth cannot be right, or null. `today` is YYYY-MM-DD. */
export function birthDateProblem(isoDate: string, today: string): string | null {
  if (isoDate > today) return 'Date of birth must be in the past'
  if (isoDate < EARLIEST_BIRTH_DATE) return 'Date of birth must be on or after 1 January 1900'
  return null
}

/** The real dates in a piece of text (DD/MM/YYYY or YYYY-MM-DD), and the text without them. */
export function datesInText(text: string): { dates: string[]; rest: string } {
  const dates: string[] = []
  const rest = text.replace(/\b(\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{4})\b/g, (found) => {
    const parsed = parseDate(found)
    if (!parsed) return found
    dates.push(parsed)
    return ' '
  })
  return { dates: [...new Set(dates)], rest: rest.replace(/\s+/g, ' ').trim() }
}

// ---------------------------------------------------------------------------------------------
// Whole records.

type Normalisable = {
  birthDate?: string | null
  identifiers?: ReadonlyArray<{ type: string; value: string }> | null
  companyNumber?: string | null
  postcode?: string | null
  lsoaCode?: string | null
  registration?: string | null
  number?: string | null
  sortCode?: string | null
  accountNumber?: string | null
  iban?: string | null
}

/**
 * The same properties with every number, mark and code in its stored form, where it can be read;
 * a value no normaliser can read is kept as given. Bulk loads (demonstration data, imports already
 * checked) pass through this so what they store is found by search like anything entered by hand.
 */
export function normaliseProperties<P extends Normalisable>(p: P): P {
  const keep = <T>(value: T | null | undefined, normalise: (v: T) => T | null): T | null | undefined =>
    value === null || value === undefined ? value : (normalise(value) ?? value)
  const out: Normalisable = { ...p }
  if ('birthDate' in p) out.birthDate = keep(p.birthDate, parseDate)
  if ('identifiers' in p && p.identifiers) out.identifiers = p.identifiers.map((i) => ({ type: i.type, value: normaliseIdentifier(i.type, i.value) ?? i.value }))
  if ('companyNumber' in p) out.companyNumber = keep(p.companyNumber, normaliseCompanyNumber)
  if ('postcode' in p) out.postcode = keep(p.postcode, normalisePostcode)
  if ('lsoaCode' in p) out.lsoaCode = keep(p.lsoaCode, normaliseLsoaCode)
  if ('registration' in p) out.registration = keep(p.registration, (v) => normaliseRegistration(v) || null)
  if ('number' in p) out.number = keep(p.number, normalisePhone)
  if ('sortCode' in p) out.sortCode = keep(p.sortCode, normaliseSortCode)
  if ('accountNumber' in p) out.accountNumber = keep(p.accountNumber, normaliseAccountNumber)
  if ('iban' in p) out.iban = keep(p.iban, normaliseIban)
  return out as P
}
