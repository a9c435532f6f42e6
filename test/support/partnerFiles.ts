import { seededRandom } from '../../src/core/demo/random.ts'

// Two invented partners' files about many of the same people, made at test time: the second holds
// most of the first's people again, some with a typing slip, a date written another way or a new
// e-mail address, and people of its own. No real person is in them.

const GIVEN = ['Dean', 'Kelly', 'Paul', 'Amy', 'Marcus', 'Sophie', 'Daniel', 'Chloe', 'Ryan', 'Hannah', 'Liam', 'Jade', 'Kieran', 'Megan', 'Tyrone', 'Leanne', 'Callum', 'Aisha', 'Bilal', 'Priya']
const FAMILY = ['Carver', 'Marsh', 'Rigby', 'Law', 'Delaney', 'Okafor', 'Hussain', 'Kowalski', 'Patel', 'Walsh', 'Brennan', 'Achterberg', 'Nowak', 'Featherstone', 'Mistry', 'Osei', 'Doherty', 'Lindqvist', 'Quinlan', 'Begum']
const POSTCODES = ['LE1 5WW', 'LE2 0QN', 'LE3 9PG', 'LE4 6AB', 'LE5 3RT', 'LE11 1HJ', 'LE11 3TU', 'LE12 9BS', 'LE65 2AQ', 'LE67 4DF']

export type Person = { ref: string; given: string; family: string; dob: string; postcode: string; email: string }

export function people(count: number, seed = 7): Person[] {
  const random = seededRandom(seed)
  const out: Person[] = []
  const seen = new Set<string>()
  while (out.length < count) {
    const given = random.pick(GIVEN)
    const family = random.pick(FAMILY)
    const dob = `19${random.int(60, 99)}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`
    const key = `${given}|${family}|${dob}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push({ ref: `P${out.length + 1}`, given, family, dob, postcode: random.pick(POSTCODES), email: `${given}.${family}${random.int(1, 99)}@example.org`.toLowerCase() })
  }
  return out
}

const slip = (s: string) => (s.length > 3 ? s.slice(0, 2) + s[3] + s[2] + s.slice(4) : s)

/** The second partner's view of the first's people: dates as DD/MM/YYYY, some slips. */
export function secondPartner(first: Person[], seed = 11): Person[] {
  const random = seededRandom(seed)
  const kept = first.slice(0, Math.floor(first.length * 0.7)).map((p, i) => ({
    ...p,
    ref: `H-${1000 + i}`,
    family: i % 5 === 1 ? slip(p.family) : p.family,
    email: i % 3 === 0 ? `${p.given}${random.int(100, 999)}@example.net`.toLowerCase() : p.email,
  }))
  const others = people(Math.floor(first.length * 0.3), seed + 100).map((p, i) => ({ ...p, ref: `H-${5000 + i}` }))
  return [...kept, ...others]
}

export const csvOf = (lines: string[]) => lines.join('\r\n') + '\r\n'

export function firstPartnerCsv(list: Person[]): string {
  return csvOf(['Ref,Forename,Surname,DOB,Postcode,Email', ...list.map((p) => [p.ref, p.given, p.family, p.dob, p.postcode, p.email].join(','))])
}

export function secondPartnerCsv(list: Person[]): string {
  const ddmmyyyy = (d: string) => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`
  return csvOf(['Reference,First name,Last name,Date of birth,Post code,E-mail', ...list.map((p) => [p.ref, p.given, p.family, ddmmyyyy(p.dob), p.postcode, p.email].join(','))])
}

export const FIRST_MAPPING = { given_name: 'Forename', family_name: 'Surname', birth_date: 'DOB', postcode: 'Postcode', email: 'Email' }
export const SECOND_MAPPING = { given_name: 'First name', family_name: 'Last name', birth_date: 'Date of birth', postcode: 'Post code', email: 'E-mail' }
