import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { encodeRecords, encodingsText } from '../../src/core/matching/privacy/encode.ts'
import type { SourceRecord } from '../../src/core/matching/record.ts'
import { asSystem, asUser } from '../../src/db/context.ts'
import { SESSION_COOKIE } from '../../src/modules/auth/service.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { signedIn, startTestApp, type TestApp } from '../support/app.ts'
import { engineName } from '../support/database.ts'

// The hub of privacy-preserving matching (issue 5, item 6) on PGlite and on a PostgreSQL server:
// agencies upload only encodings, checked strictly and stored whole or not at all; a requester
// learns which agencies hold a probable match and whom to contact, nothing more; every question is
// logged, and the holder sees who asked.

let t: TestApp
type Api = (method: 'GET' | 'POST' | 'DELETE', url: string, json?: unknown) => Promise<{ status: number; body: any }>
const apis = new Map<string, Api>()
const POLICE = 'analyst@demo.achilles.example'
const HMRC = 'analyst.hmrc@demo.achilles.example'
const TRADING_STANDARDS = 'partner.officer@demo.achilles.example'
const COUNCILLOR = 'councillor@demo.achilles.example'
const SECRET = Buffer.from('the partnership’s shared secret, 32+ bytes')
const OTHER_SECRET = Buffer.from('a secret some other partnership uses')

const user = (email: string) => t.partnership.users.find((u) => u.email === email)!
const api = (email: string) => apis.get(email)!
const agencyOf = (email: string) => user(email).agencyId
const agencyName = (email: string) => t.partnership.agencies.find((a) => a.id === agencyOf(email))!.name

// Thirty people built here, by a rule anyone can follow: police hold them all, HMRC ten of them
// (some mistyped) and ten of its own, trading standards five.
const GIVEN = ['Jonathan', 'Grace', 'Yusuf', 'Amara', 'Callum', 'Priya', 'Declan', 'Siobhan', 'Tomasz', 'Leila']
const FAMILY = ['Featherstonehaugh', 'Okonkwo', 'Mohammed', 'Kowalczyk', 'Pemberton', 'Ramaswamy', 'Gallagher', 'Achterberg', 'Nwachukwu', 'Thistlewood']
const STREETS = ['Granby Street', 'Derby Road', 'Belgrave Gate', 'London Road', 'Narborough Road']
function person(i: number): SourceRecord['values'] {
  return {
    given_name: GIVEN[i % 10]!, family_name: FAMILY[(i * 3 + Math.floor(i / 10)) % 10]!, birth_date: `19${60 + i}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`,
    address: `${i + 3} ${STREETS[i % 5]}`, postcode: `LE${(i % 9) + 1} ${i % 10}HA`,
  }
}
// HMRC's own people share nothing with those: other names, dates, streets and postcodes.
const OWN_GIVEN = ['Ottoline', 'Barnaby', 'Xanthe', 'Ignatius', 'Peregrine', 'Wilhelmina', 'Cornelius', 'Philippa', 'Augustin', 'Rosalind']
const OWN_FAMILY = ['Quarrington', 'Vandersteen', 'Llewellyn-Bowen', 'Marchbanks', 'Ffoulkes', 'Zabludowicz', 'Heathcote', 'Ormerod', 'Underwood', 'Yeardley']
function stranger(i: number): SourceRecord['values'] {
  return { given_name: OWN_GIVEN[i]!, family_name: OWN_FAMILY[i]!, birth_date: `20${String(i).padStart(2, '0')}-0${(i % 9) + 1}-1${i}`, address: `${i + 50} Meridian Way`, postcode: `NG${i + 10} ${i}XY` }
}
const mistyped = (v: SourceRecord['values']): SourceRecord['values'] => ({ ...v, family_name: v.family_name!.slice(0, -2) + v.family_name!.slice(-1) })
const records = (prefix: string, list: Array<SourceRecord['values']>): SourceRecord[] => list.map((values, i) => ({ source: 1, id: `${prefix}-${1000 + i}`, values }))
const POLICE_RECORDS = records('PNC', [...Array(30).keys()].map(person))
const HMRC_RECORDS = records('HMRC', [...[...Array(10).keys()].map((i) => (i % 3 === 0 ? mistyped(person(i)) : person(i))), ...[...Array(10).keys()].map(stranger)])
const TS_RECORDS = records('TS', [20, 21, 22, 23, 24].map(person))
const file = (list: SourceRecord[], secret = SECRET) => encodingsText(encodeRecords(list, secret))
const upload = (email: string, list: SourceRecord[] | string, extra: Record<string, unknown> = {}) =>
  api(email)('POST', '/api/v1/privacy/uploads', { contact: `${agencyName(email)} intelligence desk, 0116 496 0000`, purpose: 'Serious organised crime partnership matching', reviewDate: '2027-11-01', encodings: typeof list === 'string' ? list : file(list), ...extra })
const ask = (email: string, body: Record<string, unknown>) => api(email)('POST', '/api/v1/privacy/queries', { purpose: 'Operation Keystone: subject of a GAIN referral', ...body })
const messages = (body: any) => (body.errors as Array<{ field: string; message: string }>).map((e) => `${e.field}: ${e.message}`)
const count = (table: string) => asSystem(t.db, async (tx) => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(tx)).rows[0]!.n))

before(async () => {
  t = await startTestApp()
  for (const email of [POLICE, HMRC, TRADING_STANDARDS, COUNCILLOR]) {
    const { token } = await issueApiToken(t.ctx, 'system', user(email).id, { name: 'privacy test', scopes: email === COUNCILLOR ? ['agencies:read'] : ['records:read', 'records:write'] })
    apis.set(email, async (method, url, json) => {
      const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) }, payload: json !== undefined ? JSON.stringify(json) : undefined })
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null }
    })
  }
})
after(() => t.close())

describe(`privacy-preserving matching on ${engineName()}`, () => {
  test('an upload that is not encodings, or has a faulty line, is refused with every line named, and nothing is stored', async () => {
    const csv = await upload(POLICE, 'Ref,Forename,Surname,Born\nPNC-1,Jonathan,Featherstonehaugh,1960-01-01\n')
    assert.equal(csv.status, 400)
    assert.match(messages(csv.body)[0]!, /^encodings: Line 1: The file looks like records in clear .*never upload raw records/)
    const lines = file(POLICE_RECORDS).trimEnd().split('\n')
    const leaky = JSON.parse(lines[3]!)
    leaky.name = 'Jonathan Featherstonehaugh'
    const broken = JSON.parse(lines[5]!)
    broken.clk = 'bm90IGEgZmlsdGVy'
    const faulty = await upload(POLICE, [lines[0], lines[1], lines[2], JSON.stringify(leaky), lines[4], JSON.stringify(broken), ...lines.slice(6)].join('\n'))
    assert.equal(faulty.status, 400)
    assert.deepEqual(messages(faulty.body), [
      'encodings: Line 4: holds "name" beside the encodings: an encoded record holds only ref, fields, clk and blocks, never a value',
      'encodings: Line 6: clk is not a base64 filter of 2048 bits',
    ])
    const short = await upload(POLICE, lines.slice(0, -1).join('\n'))
    assert.match(messages(short.body)[0]!, /Line 1: The header says 30 records but the file holds 29: it may have been cut short/)
    const fields = await upload(POLICE, POLICE_RECORDS, { contact: ' ', reviewDate: '2026-13-01' })
    assert.deepEqual(messages(fields.body), ['contact: Enter whom a partner with a match should contact: a team, a telephone number or an e-mail address', 'reviewDate: the review date must be a real date'])
    assert.deepEqual(messages((await upload(POLICE, POLICE_RECORDS, { reviewDate: '2020-01-01' })).body), ['reviewDate: The review date must be in the future'])
    assert.equal(await count('privacy_uploads'), 0)
    assert.equal(await count('privacy_encodings'), 0)
  })

  test('an agency’s upload is stored whole, replaces its earlier one, and is seen by that agency alone', async () => {
    const first = await upload(POLICE, POLICE_RECORDS.slice(0, 10))
    assert.equal(first.status, 201, JSON.stringify(first.body))
    assert.equal(first.body.replaced, false)
    assert.equal(first.body.upload.records, 10)
    assert.equal(first.body.upload.matchedWith, 0)
    const second = await upload(POLICE, POLICE_RECORDS)
    assert.equal(second.status, 201)
    assert.equal(second.body.replaced, true)
    assert.equal(second.body.upload.id, first.body.upload.id)
    assert.equal(second.body.upload.rowVersion, 2)
    assert.equal(await count('privacy_encodings'), 30)
    const hmrc = await upload(HMRC, HMRC_RECORDS)
    assert.equal(hmrc.body.upload.matchedWith, 1)
    assert.equal(hmrc.body.warning, null)
    assert.equal((await upload(TRADING_STANDARDS, TS_RECORDS)).status, 201)
    const seen = await api(POLICE)('GET', '/api/v1/privacy/uploads')
    assert.deepEqual(seen.body.uploads.map((u: any) => [u.records, u.matchedWith]), [[30, 2]])
    // Another secret is kept (a partnership may be changing its secret) but the uploader is warned.
    const stray = await upload(TRADING_STANDARDS, file(TS_RECORDS, OTHER_SECRET))
    assert.match(stray.body.warning, /No other agency’s upload was encoded with the same secret/)
    assert.equal((await upload(TRADING_STANDARDS, TS_RECORDS)).body.warning, null)
    const audit = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select(['action', 'purpose']).where('record_type', '=', 'privacy_upload').where('record_id', '=', first.body.upload.id).orderBy('seq').execute())
    assert.deepEqual(audit.map((a) => a.action), ['collection', 'alteration'])
  })

  test('the stored uploads hold no raw value: no id, name, date, address or postcode of any record', async () => {
    const stored = await asSystem(t.db, async (tx) => {
      const tables = ['privacy_uploads', 'privacy_encodings']
      const rows = await Promise.all(tables.map((table) => sql<{ r: string }>`SELECT row_to_json(x)::text AS r FROM ${sql.table(table)} x`.execute(tx)))
      return rows.flatMap((r) => r.rows.map((x) => x.r)).join('\n')
    })
    assert.ok(stored.length > 30 * 1000, 'the encodings are there')
    for (const r of [...POLICE_RECORDS, ...HMRC_RECORDS, ...TS_RECORDS]) {
      const values = [r.id, ...Object.values(r.values) as string[]]
      // Short numbers (house numbers, the digits of an id) occur by chance in base64 and hex; words and dates do not.
      const words = values.flatMap((v) => v.split(/[^\p{L}\p{N}]+/u)).filter((w) => w.length >= 4 && !/^\d{1,7}$/.test(w))
      for (const v of [...values, ...words, r.values.birth_date!.replace(/-/g, '')]) assert.ok(!stored.toLowerCase().includes(v.toLowerCase()), `"${v}" is stored`)
    }
  })

  test('a requester learns only which agencies hold a probable match and whom to contact; a stranger gets no hit', async () => {
    // Trading standards has in mind person 3, whom police and HMRC (mistyped) hold.
    const asked = await ask(TRADING_STANDARDS, { mode: 'encoded', encodings: file(records('TS-Q', [person(3)])) })
    assert.equal(asked.status, 201, JSON.stringify(asked.body))
    assert.deepEqual(Object.keys(asked.body).sort(), ['askedAt', 'hits', 'id', 'kind', 'mode', 'purpose', 'recordsAsked'])
    assert.deepEqual(asked.body.hits.map((h: any) => [h.agencyName, h.contact]).sort(), [
      [agencyName(HMRC), `${agencyName(HMRC)} intelligence desk, 0116 496 0000`],
      [agencyName(POLICE), `${agencyName(POLICE)} intelligence desk, 0116 496 0000`],
    ].sort())
    for (const h of asked.body.hits) {
      assert.deepEqual(Object.keys(h).sort(), ['agencyId', 'agencyName', 'askedRef', 'contact', 'strength'])
      assert.equal(h.askedRef, null)
      assert.ok(['strong', 'probable'].includes(h.strength))
    }
    const stranger = await ask(TRADING_STANDARDS, { mode: 'encoded', encodings: file(records('TS-Q', [{ given_name: 'Hephzibah', family_name: 'Drinkwater', birth_date: '2001-07-28', postcode: 'NG7 2RD' }])) })
    assert.deepEqual(stranger.body.hits, [])
    // The requester's own agency is never a hit: trading standards holds person 22 itself.
    const own = await ask(TRADING_STANDARDS, { mode: 'encoded', encodings: file(records('TS-Q', [person(22)])) })
    assert.deepEqual(own.body.hits.map((h: any) => h.agencyName), [agencyName(POLICE)])
    const read = await api(TRADING_STANDARDS)('GET', `/api/v1/privacy/queries/${asked.body.id}`)
    assert.deepEqual(read.body, asked.body)
    // Another agency cannot read the question.
    assert.equal((await api(HMRC)('GET', `/api/v1/privacy/queries/${asked.body.id}`)).status, 404)
  })

  test('an agency asks about its whole upload: each of its records held elsewhere, by its ref', async () => {
    const asked = await ask(HMRC, { mode: 'our_upload', kind: 'person' })
    assert.equal(asked.status, 201, JSON.stringify(asked.body))
    assert.equal(asked.body.recordsAsked, 20)
    const refs = new Set(encodeRecords(HMRC_RECORDS.slice(0, 10), SECRET).lines.map((l) => l.ref))
    const hitRefs = new Set(asked.body.hits.map((h: any) => h.askedRef))
    assert.deepEqual([...hitRefs].sort(), [...refs].sort(), 'the ten HMRC shares with police, mistyped or not, and no other')
    assert.ok(asked.body.hits.every((h: any) => h.agencyName === agencyName(POLICE) || h.agencyName === agencyName(TRADING_STANDARDS)))
  })

  test('businesses and premises are an index of their own', async () => {
    const business = (name: string, number: string, address: string, postcode: string) => ({ name, company_number: number, address, postcode })
    const held = [business('Kwik Kleen Hand Car Wash Ltd', '11223344', '2 Humberstone Gate', 'LE1 1WB'), business('Belgrave Nail Bar', '09876543', '88 Belgrave Road', 'LE4 5AT')]
    const made = await upload(POLICE, encodingsText(encodeRecords(records('BUS', held), SECRET, { kind: 'business' })))
    assert.equal(made.status, 201, JSON.stringify(made.body))
    assert.equal(made.body.upload.kind, 'business')
    const asked = await ask(HMRC, { mode: 'encoded', encodings: encodingsText(encodeRecords(records('Q', [business('Kwik Kleen Hand Carwash Limited', '11223344', '2 Humberstone Gate', 'LE1 1WB')]), SECRET, { kind: 'business' })) })
    assert.equal(asked.status, 201, JSON.stringify(asked.body))
    assert.equal(asked.body.kind, 'business')
    assert.deepEqual(asked.body.hits.map((h: any) => h.agencyName), [agencyName(POLICE)])
    assert.deepEqual((await api(POLICE)('GET', '/api/v1/privacy/uploads')).body.uploads.map((u: any) => u.kind), ['business', 'person'])
    assert.equal((await api(POLICE)('DELETE', '/api/v1/privacy/uploads/business')).status, 204)
    assert.equal((await api(POLICE)('DELETE', '/api/v1/privacy/uploads/business')).status, 404)
    const erased = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select('action').where('record_type', '=', 'privacy_upload').where('record_id', '=', made.body.upload.id).orderBy('seq').execute())
    assert.deepEqual(erased.map((e) => e.action), ['collection', 'erasure'])
    assert.deepEqual((await ask(HMRC, { mode: 'encoded', encodings: encodingsText(encodeRecords(records('Q', [held[0]!]), SECRET, { kind: 'business' })) })).body.hits, [])
  })

  test('every question is logged with its purpose, and a disclosure for each agency that holds a match', async () => {
    const asked = await ask(TRADING_STANDARDS, { mode: 'encoded', encodings: file(records('TS-Q', [person(5)])) })
    const audit = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select(['action', 'purpose', 'recipients', 'detail']).where('record_type', '=', 'privacy_query').where('record_id', '=', asked.body.id).orderBy('seq').execute())
    assert.deepEqual(audit.map((a) => a.action), ['combination', 'disclosure', 'disclosure', 'consultation'])
    assert.ok(audit.every((a) => a.purpose === 'Operation Keystone: subject of a GAIN referral' || a.action === 'consultation'))
    assert.deepEqual(audit.filter((a) => a.action === 'disclosure').map((a) => a.recipients), [[agencyOf(TRADING_STANDARDS)], [agencyOf(TRADING_STANDARDS)]])
    const combination = audit[0]!.detail as Record<string, unknown>
    assert.equal(combination.hits, 2)
    assert.deepEqual([...(combination.holders as string[])].sort(), [agencyOf(POLICE), agencyOf(HMRC)].sort())
  })

  test('a question encoded with another secret, or too large, is refused naming the file', async () => {
    const other = await ask(TRADING_STANDARDS, { mode: 'encoded', encodings: file(records('TS-Q', [person(3)]), OTHER_SECRET) })
    assert.equal(other.status, 400)
    assert.match(messages(other.body)[0]!, /^encodings: The file was encoded with a different secret from the other agencies’ uploads \(its key check is [0-9a-f]{32}\)/)
    const large = await ask(TRADING_STANDARDS, { mode: 'encoded', encodings: file(POLICE_RECORDS) })
    assert.match(messages(large.body)[0]!, /^encodings: The file holds 30 records; a question may hold at most 20/)
    assert.deepEqual(messages((await ask(TRADING_STANDARDS, { mode: 'encoded' })).body), ['encodings: Choose the encodings file written by achilles encode for the records you have in mind'])
    assert.equal((await ask(COUNCILLOR, { mode: 'our_upload' })).status, 403)
  })

  test('row-level security binds too: under the application role an agency reads its own encodings and nothing of another’s', async () => {
    const police = user(POLICE)
    const seen = await asUser(t.db, { userId: police.id, agencyId: police.agencyId, capabilities: ['records.read', 'records.write'] }, async (tx) => ({
      uploads: (await sql<{ n: number }>`SELECT count(*)::int AS n FROM privacy_uploads`.execute(tx)).rows[0]!.n,
      encodings: (await sql<{ n: number }>`SELECT count(*)::int AS n FROM privacy_encodings`.execute(tx)).rows[0]!.n,
      models: await sql`SELECT 1 FROM privacy_models`.execute(tx).then(() => 'read', () => 'refused'),
    }))
    assert.deepEqual(seen, { uploads: 1, encodings: 30, models: 'refused' })
    const matched = await api(HMRC)('GET', '/api/v1/privacy/matched-records')
    assert.ok(matched.body.matches.length > 0)
    assert.deepEqual(Object.keys(matched.body.matches[0]).sort(), ['agencyName', 'at', 'purpose', 'ref', 'strength'])
  })

  test('the pages: the holder sees who asked and which of its records matched; forms list every fault', async () => {
    const hmrc = await signedIn(t.app, HMRC)
    const overview = await hmrc.get('/privacy')
    assert.equal(overview.status, 200)
    assert.match(overview.body, /Questions that matched your records/)
    assert.ok(overview.body.includes(agencyName(TRADING_STANDARDS)))
    assert.ok(overview.body.includes(encodeRecords([HMRC_RECORDS[3]!], SECRET).lines[0]!.ref), 'the ref of the HMRC record person 3 hit')
    assert.ok(!overview.body.includes(encodeRecords([POLICE_RECORDS[3]!], SECRET).lines[0]!.ref), 'never another holder’s ref')
    for (const url of ['/privacy/upload', '/privacy/ask']) assert.equal((await hmrc.get(url)).status, 200)

    const ts = await signedIn(t.app, TRADING_STANDARDS)
    const form = await ts.get('/privacy/ask')
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!
    const boundary = '----achillesprivacy'
    const part = (name: string, value: string, filename?: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n${filename ? 'Content-Type: application/x-ndjson\r\n' : ''}\r\n${value}\r\n`
    const cookie = `${SESSION_COOKIE}=${ts.cookie(SESSION_COOKIE)}; achilles_csrf=${ts.cookie('achilles_csrf')}`
    const post = (url: string, payload: string) => t.app.inject({ method: 'POST', url, headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: payload + `--${boundary}--\r\n` })
    const answered = await post('/privacy/queries', part('_csrf', csrf) + part('mode', 'encoded') + part('purpose', 'Checking a premises licence applicant') + part('file', file(records('TS-Q', [person(7)])), 'subject.jsonl'))
    assert.equal(answered.statusCode, 303, answered.body)
    const answer = await ts.get(answered.headers.location as string)
    assert.match(answer.body, /Another agency holds a probable match/)
    assert.ok(answer.body.includes(`${agencyName(POLICE)} intelligence desk, 0116 496 0000`))
    const refused = await post('/privacy/uploads', part('_csrf', csrf) + part('contact', 'Desk') + part('purpose', 'Matching') + part('reviewDate', '2027-01-01') + part('file', 'Ref,Name\nTS-1,Jonathan Featherstonehaugh\n', 'people.csv'))
    assert.equal(refused.statusCode, 400)
    assert.match(refused.body, /There is a problem/)
    assert.match(refused.body, /href="#file">Line 1: The file looks like records in clear/)
  })
})
