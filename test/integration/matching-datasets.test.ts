import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { COMMANDS, type CommandEnv } from '../../src/cli/commands.ts'
import { asSystem } from '../../src/db/context.ts'
import { issueApiToken, SESSION_COOKIE } from '../../src/modules/auth/service.ts'
import { signedIn, startTestApp, type TestApp } from '../support/app.ts'
import { FIRST_MAPPING, SECOND_MAPPING, csvOf, firstPartnerCsv, people, secondPartner, secondPartnerCsv } from '../support/partnerFiles.ts'
import { workbook } from '../support/workbook.ts'

// Partners' datasets imported for matching, through the API and the pages, on the database the tests
// run on: dry runs that name the file, row and column of every problem; imports that keep every
// record or none; runs that train the model of a dataset pair once, save it and reuse it; every pair
// explained field by field; the visibility rule; and the audit log.

let t: TestApp
before(async () => (t = await startTestApp()))
after(() => t.close())

const ANALYST = 'analyst@demo.achilles.example'
const HMRC_ANALYST = 'analyst.hmrc@demo.achilles.example'
const BOARD_MEMBER = 'board.member@demo.achilles.example'
const user = (email: string) => t.partnership.users.find((u) => u.email === email)!

type Api = (method: 'GET' | 'POST', url: string, json?: unknown) => Promise<{ status: number; body: any }>
const apis = new Map<string, Api>()
async function apiAs(email: string): Promise<Api> {
  const known = apis.get(email)
  if (known) return known
  const { token } = await issueApiToken(t.ctx, 'system', user(email).id, { name: 'matching test', scopes: ['records:read', 'records:write'] })
  const api: Api = async (method, url, json) => {
    const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) }, payload: json !== undefined ? JSON.stringify(json) : undefined })
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null }
  }
  apis.set(email, api)
  return api
}

const handling = { purpose: 'GAIN: finding the people both partners hold', reviewDate: '2028-11-23', protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency' }
const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64')
const count = (table: 'match_datasets' | 'match_dataset_records' | 'match_models' | 'match_runs') =>
  asSystem(t.db, async (tx) => Number((await tx.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n))

function request(fileName: string, content: Uint8Array | string, extra: Record<string, unknown> = {}) {
  return { name: fileName, kind: 'person', fileName, content: b64(content), idColumn: 'Ref', mapping: FIRST_MAPPING, dryRun: true, ...handling, ...extra }
}

const first = people(60)
const second = secondPartner(first)

describe('importing a dataset', () => {
  test('a dry run lists every faulty row with its file, row and column, and saves nothing; the commit is refused whole', async () => {
    const api = await apiAs(ANALYST)
    const faulty = csvOf([
      'Ref,Forename,Surname,DOB,Postcode,Email',
      'P1,Dean,Carver,14/05/1990,LE1 5WW,dean@example.org',
      'P2,Kelly,Marsh,1988-01-31,LE2 0QN,',
      'P3,Paul,Rigby,19 July 1985,LE3 9PG,',
      'P4,Amy,Law,31/02/1988,LE4 6AB,',
      ',Joe,Bloggs,1970-01-01,LE5 3RT,',
      'P1,Dean,Carver,1990-05-14,LE1 5WW,',
      'P7,Sam,Cole,01/01/80,LE11 1HJ,',
    ])
    const before = await count('match_dataset_records')
    const dry = await api('POST', '/api/v1/matching/datasets', request('council.csv', faulty))
    assert.equal(dry.status, 200, JSON.stringify(dry.body))
    assert.deepEqual(dry.body.problems.map((p: { text: string }) => p.text), [
      'council.csv, row 2, column A ("Ref"): the identifier "P1" is on rows 2, 7: give each record its own identifier; these rows are left out',
      'council.csv, row 5, column D ("DOB"): the date of birth "31/02/1988" is not a real date; the record is kept without it',
      'council.csv, row 6, column A ("Ref"): the identifier is blank: every record needs its own identifier, so the row is left out',
      'council.csv, row 7, column A ("Ref"): the identifier "P1" is on rows 2, 7: give each record its own identifier; these rows are left out',
      'council.csv, row 8, column D ("DOB"): the date of birth "01/01/80" has a two-digit year: write the year in full, for example 1985; the record is kept without it',
    ])
    assert.equal(dry.body.records, 4, 'dates written three ways are all read')
    const refused = await api('POST', '/api/v1/matching/datasets', request('council.csv', faulty, { dryRun: false }))
    assert.equal(refused.status, 422)
    assert.equal(refused.body.problems.length, 5)
    assert.equal(await count('match_dataset_records'), before, 'nothing half imported')
  })

  test('a mapping naming a missing column or a field that is no field is refused, naming the file and the column', async () => {
    const api = await apiAs(ANALYST)
    const res = await api('POST', '/api/v1/matching/datasets', request('people.csv', firstPartnerCsv(first), { mapping: { ...FIRST_MAPPING, family_name: 'Last name', shoe_size: 'Size' } }))
    assert.equal(res.status, 200)
    const texts = res.body.problems.map((p: { text: string }) => p.text)
    assert.ok(texts.some((x: string) => x.startsWith('people.csv, column "Last name": family_name is mapped to a column "Last name" that people.csv does not have: its columns are "Ref", "Forename"')), texts.join('\n'))
    assert.ok(texts.some((x: string) => /"shoe_size" is not a field of people/.test(x)), texts.join('\n'))
    const noId = await api('POST', '/api/v1/matching/datasets', request('people.csv', firstPartnerCsv(first), { idColumn: 'Reference' }))
    assert.match(noId.body.problems[0].text, /^people\.csv, column "Reference": the identifier column "Reference" is not in people\.csv/)
  })

  test('an empty file, a file of headings alone and a file in another encoding are refused with words that name the file', async () => {
    const api = await apiAs(ANALYST)
    const empty = await api('POST', '/api/v1/matching/datasets', request('empty.csv', '', {}))
    assert.equal(empty.status, 400, 'no bytes at all is refused as input')
    const headings = await api('POST', '/api/v1/matching/datasets', request('headings.csv', 'Ref,Forename,Surname,DOB,Postcode,Email\r\n'))
    assert.ok(headings.body.problems.some((p: { text: string }) => /^headings\.csv: .*no rows/i.test(p.text)), JSON.stringify(headings.body.problems))
    const latin = new Uint8Array([...Buffer.from('Ref,Forename,Surname,DOB\r\nP1,Zo'), 0xeb, ...Buffer.from(',Bront'), 0xeb, ...Buffer.from(',1990-01-01\r\n')])
    const mapping = { given_name: 'Forename', family_name: 'Surname', birth_date: 'DOB' }
    const refused = await api('POST', '/api/v1/matching/datasets', request('old.csv', latin, { mapping }))
    assert.match(refused.body.problems[0].text, /^old\.csv: old\.csv is not UTF-8 text: name the encoding it was saved in/)
    const read = await api('POST', '/api/v1/matching/datasets', request('old.csv', latin, { mapping, encoding: 'windows-1252' }))
    assert.deepEqual(read.body.problems, [])
    assert.equal(read.body.encoding, 'windows-1252')
  })

  test('a file with a byte-order mark and a UTF-16 file are read as their text', async () => {
    const api = await apiAs(ANALYST)
    const text = firstPartnerCsv(first.slice(0, 5))
    const bom = await api('POST', '/api/v1/matching/datasets', request('bom.csv', new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(text)])))
    assert.deepEqual(bom.body.problems, [])
    assert.equal(bom.body.records, 5, 'the mark is not part of the "Ref" heading')
    const utf16 = await api('POST', '/api/v1/matching/datasets', request('utf16.csv', new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')])))
    assert.equal(utf16.body.encoding, 'utf-16le')
    assert.equal(utf16.body.records, 5)
  })

  test('an Excel workbook is imported, and the dataset seen by its agency only', async () => {
    const api = await apiAs(ANALYST)
    const bytes = workbook([{ name: 'People', rows: [['Ref', 'Forename', 'Surname', 'DOB', 'Postcode', 'Email'], ...first.slice(0, 8).map((p) => [p.ref, p.given, p.family, new Date(`${p.dob}T00:00:00Z`), p.postcode, p.email])] }])
    const res = await api('POST', '/api/v1/matching/datasets', request('partner.xlsx', bytes, { dryRun: false, name: 'Workbook people' }))
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.records, 8)
    const shown = await api('GET', `/api/v1/matching/datasets/${res.body.datasetId}`)
    assert.equal(shown.body.fileFormat, 'xlsx')
    assert.deepEqual(shown.body.sample[0].values, { given_name: first[0]!.given, family_name: first[0]!.family, birth_date: first[0]!.dob, postcode: first[0]!.postcode, email: first[0]!.email })
    const hmrc = await apiAs(HMRC_ANALYST)
    assert.equal((await hmrc('GET', `/api/v1/matching/datasets/${res.body.datasetId}`)).status, 404)
    assert.ok(!(await hmrc('GET', '/api/v1/matching/datasets')).body.datasets.some((d: { id: string }) => d.id === res.body.datasetId))
    const refusals = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select(['action', 'outcome', 'user_id']).where('record_type', '=', 'match_dataset').where('record_id', '=', res.body.datasetId).orderBy('seq').execute())
    assert.deepEqual(
      refusals.map((e) => [e.action, e.outcome, e.user_id]),
      [
        ['collection', 'done', user(ANALYST).id],
        ['consultation', 'done', user(ANALYST).id],
        ['disclosure', 'refused', user(HMRC_ANALYST).id],
      ],
    )
  })
})

test('a dataset shared with named agencies is seen by them and by nobody else', async () => {
  const api = await apiAs(ANALYST)
  const hmrcAgency = user(HMRC_ANALYST).agencyId
  const made = await api('POST', '/api/v1/matching/datasets', request('named.csv', firstPartnerCsv(first.slice(0, 10)), { dryRun: false, name: 'For HMRC', sharingScope: 'named', sharedWithAgencyIds: [hmrcAgency] }))
  assert.equal(made.status, 201, JSON.stringify(made.body))
  assert.equal((await (await apiAs(HMRC_ANALYST))('GET', `/api/v1/matching/datasets/${made.body.datasetId}`)).status, 200)
  assert.equal((await (await apiAs('partner.officer@demo.achilles.example'))('GET', `/api/v1/matching/datasets/${made.body.datasetId}`)).status, 404)
  const disclosed = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select(['recipients']).where('record_id', '=', made.body.datasetId).where('action', '=', 'disclosure').where('outcome', '=', 'done').executeTakeFirstOrThrow())
  assert.deepEqual(disclosed.recipients, [hmrcAgency])
})

describe('matching runs', () => {
  let left: string
  let right: string

  before(async () => {
    const police = await apiAs(ANALYST)
    const a = await police('POST', '/api/v1/matching/datasets', request('police.csv', firstPartnerCsv(first), { dryRun: false, name: 'Police nominals', sharingScope: 'partnership' }))
    assert.equal(a.status, 201, JSON.stringify(a.body))
    left = a.body.datasetId
    const hmrc = await apiAs(HMRC_ANALYST)
    const b = await hmrc('POST', '/api/v1/matching/datasets', request('hmrc.csv', secondPartnerCsv(second), { dryRun: false, name: 'HMRC traders', idColumn: 'Reference', mapping: SECOND_MAPPING, sharingScope: 'partnership' }))
    assert.equal(b.status, 201, JSON.stringify(b.body))
    right = b.body.datasetId
  })

  test('the first run trains and saves the pair’s model; the next reuses it unless asked to retrain', async () => {
    const api = await apiAs(ANALYST)
    const run = await api('POST', '/api/v1/matching/runs', { leftDatasetId: left, rightDatasetId: right, purpose: 'GAIN: people known to police and HMRC' })
    assert.equal(run.status, 201, JSON.stringify(run.body))
    assert.equal(run.body.modelTrained, true)
    assert.ok(run.body.counts.match >= 30, `most of the 42 people both hold are matched: ${JSON.stringify(run.body.counts)}`)
    const names = run.body.model.comparisons.map((c: { key: string }) => c.key)
    assert.ok(names.length >= 3, names.join(','))
    for (const c of run.body.model.comparisons) for (const l of c.levels) assert.ok(l.m > 0 && l.u > 0 && Number.isFinite(l.weight))
    assert.equal(await count('match_models'), 1)

    const again = await api('POST', '/api/v1/matching/runs', { leftDatasetId: right, rightDatasetId: left, purpose: 'GAIN: people known to police and HMRC' })
    assert.equal(again.body.modelTrained, false, 'the same pair, either way round, reuses the saved model')
    assert.deepEqual(again.body.model.comparisons, run.body.model.comparisons)
    assert.equal(again.body.counts.match, run.body.counts.match)
    const retrained = await api('POST', '/api/v1/matching/runs', { leftDatasetId: left, rightDatasetId: right, retrain: true, purpose: 'GAIN: people known to police and HMRC' })
    assert.equal(retrained.body.modelTrained, true)
    assert.equal(await count('match_models'), 1, 'one model per dataset pair')
  })

  test('every pair is explained in the API: the prior and each field’s weight add up to the pair’s weight', async () => {
    const api = await apiAs(ANALYST)
    const run = await api('POST', '/api/v1/matching/runs', { leftDatasetId: left, rightDatasetId: right, purpose: 'GAIN: people known to police and HMRC' })
    const pairs = await api('GET', `/api/v1/matching/runs/${run.body.id}/pairs`)
    const top = pairs.body.matches[0]
    const pair = await api('GET', `/api/v1/matching/pairs/${top.id}`)
    assert.equal(pair.status, 200)
    const e = pair.body.explanation
    const sum = e.prior + e.fields.reduce((s: number, f: { weight: number }) => s + f.weight, 0)
    assert.ok(Math.abs(sum - e.weight) < 1e-9, `${sum} vs ${e.weight}`)
    assert.ok(Math.abs(e.weight - pair.body.weight) < 1e-9)
    const dob = e.fields.find((f: { key: string }) => f.key === 'birth_date')
    assert.ok(dob && dob.weight > 0 && dob.m !== null && dob.u !== null, JSON.stringify(e.fields))
    assert.ok(e.fields.some((f: { termFrequencyAdjustment: number }) => f.termFrequencyAdjustment !== 0), 'a name agreeing counts for more or less by how common it is')
    assert.equal(pair.body.left.datasetId, left < right ? left : right)
  })

  test('a run is logged as a combination of each dataset; another agency sees a run only through datasets it may see', async () => {
    const combos = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select(['record_id', 'detail']).where('record_type', '=', 'match_dataset').where('action', '=', 'combination').execute())
    assert.ok(combos.some((c) => c.record_id === left) && combos.some((c) => c.record_id === right))
    const board = await signedIn(t.app, BOARD_MEMBER)
    assert.equal((await board.get('/matching')).status, 403)
    const api = await apiAs(ANALYST)
    const mine = await api('POST', '/api/v1/matching/datasets', request('private.csv', firstPartnerCsv(first.slice(0, 30)), { dryRun: false, name: 'Police only' }))
    const hmrc = await apiAs(HMRC_ANALYST)
    const refused = await hmrc('POST', '/api/v1/matching/runs', { leftDatasetId: mine.body.datasetId, rightDatasetId: right, purpose: 'Trying' })
    assert.equal(refused.status, 400)
    assert.ok(refused.body.issues?.some?.((i: { field: string }) => i.field === 'leftDatasetId') ?? /leftDatasetId|No dataset/.test(JSON.stringify(refused.body)), JSON.stringify(refused.body))
    const dedupe = await api('POST', '/api/v1/matching/runs', { leftDatasetId: mine.body.datasetId, purpose: 'Finding duplicates' })
    assert.equal(dedupe.status, 201)
    assert.equal(dedupe.body.deduplication, true)
    assert.equal((await hmrc('GET', `/api/v1/matching/runs/${dedupe.body.id}`)).status, 404)
  })

  test('the pages: upload, map, check with every problem, import, and the run page with the model', async () => {
    const page = await signedIn(t.app, ANALYST)
    const form = await page.get('/matching/datasets/new')
    assert.equal(form.status, 200)
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!
    const boundary = '----achilles'
    const file = firstPartnerCsv(first.slice(0, 20)).replace('P3,', 'P2,')
    const payload = `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="licensing.csv"\r\nContent-Type: text/csv\r\n\r\n${file}\r\n--${boundary}--\r\n`
    const cookie = `${SESSION_COOKIE}=${page.cookie(SESSION_COOKIE)}; achilles_csrf=${page.cookie('achilles_csrf')}`
    const uploaded = await t.app.inject({ method: 'POST', url: '/matching/datasets/new', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie }, payload })
    assert.equal(uploaded.statusCode, 303, uploaded.body)
    const mappingUrl = uploaded.headers.location as string
    const mapping = await page.get(mappingUrl)
    assert.equal(mapping.status, 200)
    assert.match(mapping.body, /<option value="Forename" selected>/, 'the mapping is suggested from the headings')
    const fields = { name: 'Licensing', kind: 'person', idColumn: 'Ref', 'person-given_name': 'Forename', 'person-family_name': 'Surname', 'person-birth_date': 'DOB', 'person-postcode': 'Postcode', ...handling }
    const checked = await page.submit(mappingUrl, mappingUrl, fields)
    assert.equal(checked.status, 200)
    assert.match(checked.body, /The file has problems: nothing was imported/)
    assert.match(checked.body, /the identifier &quot;P2&quot; is on rows 3, 4/)
    const refused = await page.submit(mappingUrl, `${mappingUrl}/import`, fields)
    assert.equal(refused.status, 422, 'the import is refused while any row is faulty')
    const missing = await page.submit(mappingUrl, mappingUrl, { ...fields, name: '', purpose: '' })
    assert.equal(missing.status, 400)
    assert.match(missing.body, /href="#name">Enter a name for the dataset/)
    assert.match(missing.body, /href="#purpose">Enter why/)
  })
})

describe('achilles dataset import', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'achilles-dataset-'))
  async function cli(args: string[]) {
    const out: string[] = []
    const err: string[] = []
    const env: CommandEnv = { db: t.db, config: t.ctx.config, out: (s) => out.push(s), err: (s) => err.push(s), isTTY: false, now: () => t.clock.now }
    const code = await COMMANDS.dataset!.run(env, args)
    return { code, out: out.join(''), err: err.join('') }
  }
  const base = (file: string) => [
    'import', file, '--user', ANALYST, '--name', 'Licensing (command line)', '--id', 'Ref',
    '--map', 'given_name=Forename,family_name=Surname,birth_date=DOB,postcode=Postcode', '--purpose', handling.purpose, '--review-date', handling.reviewDate,
  ]

  test('names every problem of the command, the mapping and the file, and imports nothing from a faulty file', async () => {
    const usage = await cli(['import'])
    assert.equal(usage.code, 2)
    assert.match(usage.err, /Name the file to import/)
    assert.match(usage.err, /--user is required/)
    const file = path.join(dir, 'faulty.csv')
    writeFileSync(file, firstPartnerCsv(first.slice(0, 10)).replace('\r\nP3,', '\r\nP2,'))
    const badMap = await cli([...base(file).slice(0, 8), '--map', 'shoe=Size', ...base(file).slice(10)])
    assert.equal(badMap.code, 2)
    assert.match(badMap.err, /--map: This is not a canonical field: "shoe"/)
    const before = await count('match_datasets')
    const faulty = await cli(base(file))
    assert.equal(faulty.code, 1)
    assert.match(faulty.err, /Nothing was imported: faulty\.csv has 2 problem\(s\)/)
    assert.match(faulty.err, /faulty\.csv, row 3, column A \("Ref"\): the identifier "P2" is on rows 3, 4/)
    assert.equal(await count('match_datasets'), before)
  })

  test('imports a clean file as the user named, with a progress bar, and a dry run keeps nothing', async () => {
    const file = path.join(dir, 'clean.csv')
    writeFileSync(file, firstPartnerCsv(first))
    const before = await count('match_datasets')
    const dry = await cli([...base(file), '--dry-run'])
    assert.equal(dry.code, 0, dry.err)
    assert.match(dry.out, /Dry run, nothing kept: clean\.csv would import 60 records/)
    assert.equal(await count('match_datasets'), before)
    const done = await cli(base(file))
    assert.equal(done.code, 0, done.err)
    assert.match(done.out, /Importing clean\.csv: 60 of 60 records/)
    const id = /as dataset ([0-9a-f-]{36})/.exec(done.out)![1]!
    const collected = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select(['user_id']).where('record_type', '=', 'match_dataset').where('record_id', '=', id).where('action', '=', 'collection').executeTakeFirstOrThrow())
    assert.equal(collected.user_id, user(ANALYST).id)
    const tokens = await asSystem(t.db, (tx) => tx.selectFrom('api_tokens').select(['revoked_at']).where('name', '=', 'achilles dataset import').execute())
    assert.ok(tokens.length >= 3 && tokens.every((k) => k.revoked_at !== null), 'the import’s tokens are revoked when it ends')
  })
})

describe('businesses and premises', () => {
  const NAMES = ['Quick Wash Hand Car Wash', 'Golden Nails', 'Spice Route Takeaway', 'City Mini Market', 'Premier Barbers', 'Eastgate Vapes', 'Northfield Tyres', 'Royal Kebab House', 'Fresh Start Cleaning', 'Belgrave Phone Repairs', 'Crown Off Licence', 'Sparkle Beauty Lounge']
  const STREETS = ['Belgrave Gate', 'Narborough Road', 'London Road', 'Melton Road', 'Humberstone Gate', 'Uppingham Road']
  const rows = NAMES.flatMap((name, i) => {
    const line = [`B${i + 1}`, name, `0${8000000 + i * 7}`, `${10 + i} ${STREETS[i % STREETS.length]}`, `LE${1 + (i % 5)} ${i + 1}AB`, 'ignored']
    // Every third business is on the register twice: under its trading name with "Ltd", the number without its leading zero.
    return i % 3 === 0 ? [line, [`B${i + 1}-dup`, `${name} Ltd`, `${8000000 + i * 7}`, line[3]!, line[4]!, '']] : [line]
  })
  const csv = csvOf(['Ref,Trading name,Company number,Premises address,Postcode,Notes', ...rows.map((r) => r.map((c) => (c.includes(',') ? `"${c}"` : c)).join(','))])
  const mapping = { name: 'Trading name', company_number: 'Company number', address: 'Premises address', postcode: 'Postcode' }

  test('a business file is read with its own fields; a person’s field is refused, and unread columns are named', async () => {
    const api = await apiAs(ANALYST)
    const wrong = await api('POST', '/api/v1/matching/datasets', request('premises.csv', csv, { kind: 'business', mapping: { ...mapping, given_name: 'Trading name' } }))
    assert.match(JSON.stringify(wrong.body.problems), /\\"given_name\\" is not a field of businesses and premises: the fields are name, company_number, address, postcode/)
    const dry = await api('POST', '/api/v1/matching/datasets', request('premises.csv', csv, { kind: 'business', mapping }))
    assert.deepEqual(dry.body.problems, [])
    assert.deepEqual(dry.body.fields, ['name', 'company_number', 'address', 'postcode'])
    assert.deepEqual(dry.body.unusedColumns, ['Notes'])
  })

  test('a business dataset is searched for its duplicates, and cannot be matched with a dataset of people', async () => {
    const api = await apiAs(ANALYST)
    const made = await api('POST', '/api/v1/matching/datasets', request('premises.csv', csv, { kind: 'business', mapping, dryRun: false, name: 'Licensed premises' }))
    assert.equal(made.status, 201, JSON.stringify(made.body))
    const run = await api('POST', '/api/v1/matching/runs', { leftDatasetId: made.body.datasetId, purpose: 'Finding premises registered twice', matchThreshold: 0.9, reviewThreshold: 0.1 })
    assert.equal(run.status, 201, JSON.stringify(run.body))
    const pairs = await api('GET', `/api/v1/matching/runs/${run.body.id}/pairs`)
    const found = [...pairs.body.matches, ...pairs.body.review].map((p: { leftRecordId: string; rightRecordId: string }) => `${p.leftRecordId}|${p.rightRecordId}`)
    for (const i of [1, 4, 7, 10]) assert.ok(found.includes(`B${i}|B${i}-dup`), `B${i} and its duplicate are found: ${found.join(', ')}`)
    const people = await api('POST', '/api/v1/matching/datasets', request('few.csv', firstPartnerCsv(first.slice(0, 12)), { dryRun: false, name: 'A few people' }))
    const mixed = await api('POST', '/api/v1/matching/runs', { leftDatasetId: made.body.datasetId, rightDatasetId: people.body.datasetId, purpose: 'Mixing' })
    assert.equal(mixed.status, 400)
    assert.match(JSON.stringify(mixed.body), /can be matched only with another of the same kind/)
  })
})

test('the owning agency changes a dataset’s sharing and erases it, with a reason; nobody else may', async () => {
  const api = await apiAs(ANALYST)
  const hmrc = await apiAs(HMRC_ANALYST)
  const made = await api('POST', '/api/v1/matching/datasets', request('later.csv', firstPartnerCsv(first.slice(0, 20)), { dryRun: false, name: 'Shared later' }))
  const id = made.body.datasetId
  assert.equal((await hmrc('GET', `/api/v1/matching/datasets/${id}`)).status, 404)
  const sharing = { protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'named', sharedWithAgencyIds: [user(HMRC_ANALYST).agencyId], reason: 'HMRC joins the GAIN case' }
  const changed = await api('POST', `/api/v1/matching/datasets/${id}/sharing`, sharing)
  assert.equal(changed.status, 200, JSON.stringify(changed.body))
  assert.equal(changed.body.sharingScope, 'named')
  assert.equal((await hmrc('GET', `/api/v1/matching/datasets/${id}`)).status, 200)
  assert.equal((await hmrc('POST', `/api/v1/matching/datasets/${id}/sharing`, { ...sharing, sharingScope: 'partnership', sharedWithAgencyIds: [] })).status, 403)
  assert.equal((await hmrc('POST', `/api/v1/matching/datasets/${id}/erase`, { reason: 'Not ours to erase' })).status, 403)
  const run = await hmrc('POST', '/api/v1/matching/runs', { leftDatasetId: id, purpose: 'Duplicates' })
  assert.equal(run.status, 201)

  const page = await signedIn(t.app, ANALYST)
  const shown = await page.get(`/matching/datasets/${id}`)
  assert.equal(shown.status, 200)
  const noReason = await page.submit(`/matching/datasets/${id}`, `/matching/datasets/${id}/erase`, { eraseReason: '' })
  assert.equal(noReason.status, 400)
  assert.match(noReason.body, /href="#eraseReason">Enter the reason/)
  const erased = await api('POST', `/api/v1/matching/datasets/${id}/erase`, { reason: 'The case is closed' })
  assert.equal(erased.status, 204)
  const left = await asSystem(t.db, (tx) => tx.selectFrom('match_dataset_records').select('record_id').where('dataset_id', '=', id).execute())
  assert.deepEqual(left, [])
  assert.equal((await hmrc('GET', `/api/v1/matching/runs/${run.body.id}`)).status, 404, 'the runs made from it go with it')
  const events = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select(['action', 'purpose']).where('record_type', '=', 'match_dataset').where('record_id', '=', id).where('action', 'in', ['alteration', 'erasure']).orderBy('seq').execute())
  assert.deepEqual(events.map((e) => [e.action, e.purpose]), [['alteration', 'HMRC joins the GAIN case'], ['erasure', 'The case is closed']])
})
