import { parseGrade } from '../grading/intelligenceGrade.ts'
import { parseLegacyGrade } from '../grading/legacy5x5x5.ts'
import { isUuid } from '../ids.ts'

// Turning the text of one CSV cell into the value an input schema expects. Each function either
// returns the value or says, in words a user can act on, why it cannot: nothing is guessed.

export type Converted<T> = { value: T } | { problem: string }

/** Headings and aliases compared without case, spaces or punctuation: "Date of birth" = "date_of_birth" = "DATEOFBIRTH". */
export function normaliseHeading(heading: string): string {
  return heading
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']

function realDate(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1 || day > 31) return null
  const d = new Date(Date.UTC(year, month - 1, day))
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

/**
 * A date as YYYY-MM-DD. Accepted: 2024-03-07, 07/03/2024 or 7/3/2024 (day first, as in the UK),
 * and 7 March 2024 or 7 Mar 2024. Refused rather than guessed: two-digit years (is 07/03/24 in 1924
 * or 2024?), other separators and orders, and dates that do not exist (31/02/2024).
 */
export function convertDate(text: string): Converted<string> {
  const s = text.trim()
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s)
  if (m) {
    const iso = realDate(Number(m[1]), Number(m[2]), Number(m[3]))
    return iso ? { value: iso } : { problem: `"${s}" is not a real date` }
  }
  m = /^(\d{1,2})\/(\d{1,2})\/(\d+)$/.exec(s)
  if (m) {
    if (m[3]!.length !== 4) return { problem: `"${s}" has a ${m[3]!.length}-digit year: write the year in full, like 07/03/2024, so the century is not guessed` }
    const iso = realDate(Number(m[3]), Number(m[2]), Number(m[1]))
    if (iso) return { value: iso }
    // 03/13/2024 reads as a month-first (American) date; say so rather than swap day and month.
    const monthFirst = realDate(Number(m[3]), Number(m[1]), Number(m[2]))
    return {
      problem: monthFirst
        ? `"${s}" is not a real date read day first (DD/MM/YYYY); it looks month first, which is not accepted: write it as ${monthFirst}`
        : `"${s}" is not a real date`,
    }
  }
  m = /^(\d{1,2})\s+([a-z]+)\.?,?\s+(\d{4})$/i.exec(s)
  if (m) {
    const name = m[2]!.toLowerCase()
    const month = MONTHS.findIndex((full) => full === name || (name.length === 3 && full.startsWith(name)) || (name === 'sept' && full === 'september'))
    if (month >= 0) {
      const iso = realDate(Number(m[3]), month + 1, Number(m[1]))
      return iso ? { value: iso } : { problem: `"${s}" is not a real date` }
    }
  }
  return { problem: `"${s}" is not a date in a form this import reads: write it as YYYY-MM-DD (2024-03-07) or DD/MM/YYYY (07/03/2024)` }
}

/** A list in one cell, items separated by semicolons or vertical bars; blank items are dropped. */
export function splitList(text: string): string[] {
  return text
    .split(/[;|]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

const choiceKey = (s: string) => s.trim().toLowerCase().replace(/[\s\-–]+/g, '_')

/**
 * A choice from a reference list, given as its code (core_member), the code written loosely
 * (Core Member, core-member) or its label (Core member). Anything else names the allowed codes.
 */
export function convertChoice(text: string, choices: Readonly<Record<string, string>>, what: string): Converted<string> {
  const s = text.trim()
  const codes = Object.keys(choices)
  if (codes.includes(s)) return { value: s }
  const key = choiceKey(s)
  const byCode = codes.find((c) => choiceKey(c) === key)
  if (byCode) return { value: byCode }
  const byLabel = codes.find((c) => choiceKey(choices[c]!) === key)
  if (byLabel) return { value: byLabel }
  return { problem: `"${s}" is not ${what}: use one of ${codes.join(', ')}` }
}

const YES = ['yes', 'y', 'true', '1']
const NO = ['no', 'n', 'false', '0']

export function convertBoolean(text: string): Converted<boolean> {
  const s = text.trim().toLowerCase()
  if (YES.includes(s)) return { value: true }
  if (NO.includes(s)) return { value: false }
  return { problem: `"${text.trim()}" is not yes or no: write yes or no` }
}

/** A record id (UUID), lower-cased so the same id written twice in two cases is one id. */
export function convertId(text: string): Converted<string> {
  const s = text.trim()
  return isUuid(s) ? { value: s.toLowerCase() } : { problem: `"${s}" is not an Achilles id: give the record's id, like 3f2b8c1e-5d4a-4b7e-9c2d-1a2b3c4d5e6f, from the address of its page` }
}

export type SplitGrade =
  | { system: '3x5x2'; sourceEvaluation: string; intelligenceAssessment: string; handlingCode: string }
  | { system: '5x5x5'; legacyGrade: string }

/**
 * A combined grade in one cell. A 3x5x2 grade ends in a letter (B2P, B/2/C) and is split into its
 * three parts; a 5x5x5 grade ends in a digit (B24, E/4/5) and is kept exactly as written, for the
 * intelligence module to store and map. The two cannot be confused: 3x5x2 handling codes are
 * letters, 5x5x5 handling codes are digits.
 */
export function splitGrade(text: string): Converted<SplitGrade> {
  const s = text.trim()
  const current = parseGrade(s)
  if (current) return { value: { system: '3x5x2', sourceEvaluation: current.source, intelligenceAssessment: current.intelligence, handlingCode: current.handling } }
  if (parseLegacyGrade(s)) return { value: { system: '5x5x5', legacyGrade: s } }
  return {
    problem: `"${s}" is not a grade: write a 3x5x2 grade as source (A to C), intelligence (1 to 5) and handling code (P or C), like B2P, or a legacy 5x5x5 grade as source (A to E), intelligence (1 to 5) and handling code (1 to 5), like B24`,
  }
}
