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

// The two files imported (shared with the whole partnership) by the police and HMRC analysts of the
// demonstration partnership, through the API, and a run over them with a wide review band.

type Injectable = { app: { inject: (o: any) => Promise<{ statusCode: number; body: string }> }; ctx: any; partnership: { users: Array<{ id: string; email: string }> } }
export type Api = (method: 'GET' | 'POST', url: string, json?: unknown) => Promise<{ status: number; body: any }>

export async function apiFor(t: Injectable, email: string): Promise<Api> {
  const { issueApiToken } = await import('../../src/modules/auth/service.ts')
  const id = t.partnership.users.find((u) => u.email === email)!.id
  const { token } = await issueApiToken(t.ctx, 'system', id, { name: 'matching test', scopes: ['records:read', 'records:write'] })
  return async (method, url, json) => {
    const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) }, payload: json !== undefined ? JSON.stringify(json) : undefined })
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null }
  }
}

export const HANDLING = { purpose: 'GAIN: finding the people both partners hold', reviewDate: '2028-11-23', protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'partnership' }

export async function twoPartners(police: Api, hmrc: Api, size = 60): Promise<{ left: string; right: string }> {
  const first = people(size)
  const second = secondPartner(first)
  const b64 = (s: string) => Buffer.from(s).toString('base64')
  const a = await police('POST', '/api/v1/matching/datasets', { name: 'Police nominals', kind: 'person', fileName: 'police.csv', content: b64(firstPartnerCsv(first)), idColumn: 'Ref', mapping: FIRST_MAPPING, dryRun: false, ...HANDLING })
  const b = await hmrc('POST', '/api/v1/matching/datasets', { name: 'HMRC traders', kind: 'person', fileName: 'hmrc.csv', content: b64(secondPartnerCsv(second)), idColumn: 'Reference', mapping: SECOND_MAPPING, dryRun: false, ...HANDLING })
  if (a.status !== 201 || b.status !== 201) throw new Error(`Could not import the partners' files: ${JSON.stringify([a.body, b.body])}`)
  return { left: a.body.datasetId, right: b.body.datasetId }
}

/** A band wide enough that the pairs with a slip or a new e-mail address go to review. */
export const WIDE = { matchThreshold: 0.999, reviewThreshold: 0.01 }
