import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { asSystem } from '../../src/db/context.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { SESSION_COOKIE } from '../../src/modules/auth/service.ts'
import { signedIn, startTestApp, type Client, type TestApp } from '../support/app.ts'

// CSV imports through the API and the pages, on the database the tests run on (PGlite, or the
// PostgreSQL server named by DATABASE_URL): dry runs that list every faulty row and column, and
// commits that keep every row or none.

let t: TestApp
before(async () => (t = await startTestApp()))
after(() => t.close())

const ANALYST = 'analyst@demo.achilles.example'
const HMRC_ANALYST = 'analyst.hmrc@demo.achilles.example'
const LRO = 'lro@demo.achilles.example'
const BOARD_MEMBER = 'board.member@demo.achilles.example'

const user = (email: string) => t.partnership.users.find((u) => u.email === email)!

type Api = (method: 'GET' | 'POST', url: string, json?: unknown) => Promise<{ status: number; body: any; headers: Record<string, unknown> }>
const apis = new Map<string, Api>()
async function apiAs(email: string): Promise<Api> {
  const known = apis.get(email)
  if (known) return known
  const { token } = await issueApiToken(t.ctx, 'system', user(email).id, { name: 'imports test', scopes: ['records:read', 'records:write'] })
  const api: Api = async (method, url, json) => {
    const res = await t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
      payload: json !== undefined ? JSON.stringify(json) : undefined,
    })
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null, headers: res.headers }
  }
  apis.set(email, api)
  return api
}

const count = (table: 'entities' | 'ocgs' | 'ocg_members' | 'intelligence_records' | 'ocg_history' | 'imports') =>
  asSystem(t.db, async (tx) => Number((await tx.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n))
const importEvents = () =>
  asSystem(t.db, (tx) => tx.selectFrom('audit_events').select(['record_id', 'detail', 'action', 'user_id']).where('record_type', '=', 'import').orderBy('seq').execute())

const csv = (...lines: string[]) => lines.join('\r\n') + '\r\n'

/** The handling fields most files do not carry, given once for the whole file. */
const handling = {
  purpose: { value: 'Mapping county lines supply in Leicester' },
  reviewDate: { value: '2028-11-23' },
  protectiveMarking: { value: 'OFFICIAL' },
  handlingCode: { value: 'P' },
  sharingScope: { value: 'agency' },
}

const peopleMapping = { fullName: 'Full Name', birthDate: 'DOB', personRole: 'Role', aliases: 'Aliases', pncNumber: 'PNC', ...handling }

/** People made through the import itself, for later tests to mention and add to groups. */
async function importPeople(email: string, names: string[], sharingScope = 'agency'): Promise<string[]> {
  const api = await apiAs(email)
  const res = await api('POST', '/api/v1/imports/people', {
    csv: csv('Name,Role', ...names.map((n) => `${n},suspect`)),
    mapping: { fullName: 'Name', personRole: 'Role', ...handling, sharingScope: { value: sharingScope } },
    dryRun: false,
  })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body.created.map((c: { id: string }) => c.id)
}

describe('people', () => {
  const faulty = csv(
    'Full Name,DOB,Role,Aliases,PNC',
    'Dean Carver,14/05/1990,suspect,Deano;DC,',
    'Kelly Marsh,31/02/1988,victim,,',
    'Paul Rigby,1985-07-19,Suspect,,',
    ',2001-01-01,suspect,,',
    'Amy Law,,person at risk,,',
  )

  test('a bad date on row 3 and a missing name on row 5 are listed with their CSV columns; the commit is refused and nothing is saved', async () => {
    const api = await apiAs(ANALYST)
    const before = { entities: await count('entities'), events: (await importEvents()).length }

    const dry = await api('POST', '/api/v1/imports/people', { csv: faulty, mapping: peopleMapping, ignoredColumns: [], dryRun: true })
    assert.equal(dry.status, 200)
    assert.equal(dry.body.dryRun, true)
    assert.equal(dry.body.rows, 5)
    assert.equal(dry.body.valid, 3)
    assert.deepEqual(
      dry.body.faults.map((f: { row: number; column: string; field: string }) => [f.row, f.column, f.field]),
      [[3, 'DOB', 'birthDate'], [5, 'Full Name', 'fullName']],
    )
    assert.match(dry.body.faults[0].message, /"31\/02\/1988" is not a real date/)
    assert.match(dry.body.faults[1].message, /full name/i)
    assert.equal(await count('entities'), before.entities, 'a dry run saves nothing')

    const commit = await api('POST', '/api/v1/imports/people', { csv: faulty, mapping: peopleMapping, dryRun: false })
    assert.equal(commit.status, 422)
    assert.match(String(commit.headers['content-type']), /application\/problem\+json/)
    assert.deepEqual(commit.body.faults, dry.body.faults)
    assert.equal(await count('entities'), before.entities, 'a refused commit saves nothing')
    assert.equal((await importEvents()).length, before.events, 'and logs no import')
  })

  test('a clean file commits every row, converting dates, lists, choices and identifiers, each record logged and the import too', async () => {
    const api = await apiAs(ANALYST)
    const clean = csv(
      'Full Name,DOB,Role,Aliases,PNC',
      'Dean Carver,14/05/1990,suspect,Deano;DC,12/345678A',
      'Kelly Marsh,28/02/1988,victim,,',
      'Paul Rigby,1985-07-19,Suspect,,',
      'Amy Law,,person at risk,,',
    )
    const before = await count('entities')
    const res = await api('POST', '/api/v1/imports/people', { csv: clean, mapping: peopleMapping, dryRun: false, fileName: 'nominals.csv' })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.deepEqual(res.body.created.map((c: { row: number }) => c.row), [2, 3, 4, 5])
    assert.equal(await count('entities'), before + 4)

    const ids = res.body.created.map((c: { id: string }) => c.id)
    const rows = await asSystem(t.db, (tx) => tx.selectFrom('entities').select(['id', 'caption', 'birth_date', 'person_role', 'names', 'properties', 'owning_agency_id']).where('id', 'in', ids).execute())
    const byName = new Map(rows.map((r) => [r.caption, r]))
    assert.equal(byName.get('Dean Carver')?.birth_date, '1990-05-14')
    assert.equal(byName.get('Kelly Marsh')?.person_role, 'victim')
    assert.equal(byName.get('Paul Rigby')?.person_role, 'suspect')
    assert.equal(byName.get('Amy Law')?.person_role, 'person_at_risk')
    assert.ok(byName.get('Dean Carver')?.names.includes('deano'))
    assert.match(JSON.stringify(byName.get('Dean Carver')?.properties), /12\/345678A/)
    assert.ok(rows.every((r) => r.owning_agency_id === user(ANALYST).agencyId))

    const events = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select(['record_id']).where('record_type', '=', 'entity').where('action', '=', 'collection').where('record_id', 'in', ids).execute())
    assert.equal(events.length, 4, 'each record is logged by the module that made it')
    const imported = (await importEvents()).at(-1)!
    assert.equal(imported.record_id, res.body.importId)
    assert.equal(imported.action, 'collection')
    assert.deepEqual(imported.detail, { kind: 'people', rows: 4, fileName: 'nominals.csv', created: 4 })
  })

  test('without a mapping the suggestions are used, and every column must be mapped or left out', async () => {
    const api = await apiAs(ANALYST)
    const res = await api('POST', '/api/v1/imports/people', { csv: csv('Full Name,Date of birth,Shoe size', 'A Person,01/01/1990,9'), dryRun: true })
    assert.equal(res.status, 200)
    assert.deepEqual(res.body.mapping.fullName, { column: 'Full Name', value: null })
    assert.deepEqual(res.body.mapping.birthDate, { column: 'Date of birth', value: null })
    assert.ok(res.body.faults.every((f: { row: number | null }) => f.row === null), 'problems with the mapping are found before any row is read')
    assert.ok(res.body.faults.some((f: { column: string; message: string }) => f.column === 'Shoe size' && /not mapped/.test(f.message)))
    assert.ok(res.body.faults.some((f: { field: string }) => f.field === 'personRole'))
    const unknown = await api('POST', '/api/v1/imports/people', { csv: csv('Name', 'A'), mapping: { fullName: 'Name', shoeSize: 'Name' }, dryRun: true })
    assert.ok(unknown.body.faults.some((f: { field: string; message: string }) => f.field === 'shoeSize' && /not a field of an import of people/.test(f.message)))
  })

  test('a user whose role cannot record is refused, and an unreadable file is reported where it breaks', async () => {
    const { token } = await issueApiToken(t.ctx, 'system', user(BOARD_MEMBER).id, { name: 'board', scopes: ['records:read', 'records:write'] })
    const refused = await t.app.inject({ method: 'POST', url: '/api/v1/imports/people', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ csv: 'Name\nA\n' }) })
    assert.equal(refused.statusCode, 403)
    const api = await apiAs(ANALYST)
    const broken = await api('POST', '/api/v1/imports/people', { csv: 'Full Name,Role\nA,suspect\n"B,suspect\n', dryRun: false })
    assert.equal(broken.status, 422)
    assert.equal(broken.body.faults[0].row, 3)
    assert.equal((await api('POST', '/api/v1/imports/parrots', { csv: 'a\nb\n' })).status, 400)
  })
})

describe('groups', () => {
  test('a groups file with labels, lists, yes/no and an officer by e-mail is imported; a bad threat area is named by row and column', async () => {
    const api = await apiAs(ANALYST)
    const mapping = { name: 'Group', operationName: 'Operation', status: 'Status', threatAreas: 'Threats', areas: 'Areas', crossBorder: 'Cross border', leadResponsibleOfficerEmail: 'LRO', ...handling }
    const file = (threat: string) =>
      csv(
        'Group,Operation,Status,Threats,Areas,Cross border,LRO',
        'Carver family,Operation Lantern,Active,Drugs; county_lines,Leicester|Loughborough,yes,lro@demo.achilles.example',
        `Eastside crew,,dormant,${threat},Leicester,no,`,
      )
    const bad = await api('POST', '/api/v1/imports/groups', { csv: file('Fly-tipping'), mapping, dryRun: true })
    assert.equal(bad.status, 200)
    assert.deepEqual(bad.body.faults.map((f: { row: number; column: string }) => [f.row, f.column]), [[3, 'Threats']])
    assert.match(bad.body.faults[0].message, /"Fly-tipping" is not a threat area/)

    const before = await count('ocgs')
    const res = await api('POST', '/api/v1/imports/groups', { csv: file('Organised acquisitive crime'), mapping, dryRun: false })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(await count('ocgs'), before + 2)
    const carver = await asSystem(t.db, (tx) => tx.selectFrom('ocgs').selectAll().where('id', '=', res.body.created[0].id).executeTakeFirstOrThrow())
    assert.equal(carver.name, 'Carver family')
    assert.equal(carver.status, 'active')
    assert.deepEqual(carver.threat_areas, ['drugs', 'county_lines'])
    assert.deepEqual(carver.areas, ['Leicester', 'Loughborough'])
    assert.equal(carver.cross_border, true)
    assert.equal(carver.lead_responsible_officer_id, user(LRO).id)
    const eastside = await asSystem(t.db, (tx) => tx.selectFrom('ocgs').select(['threat_areas', 'cross_border']).where('id', '=', res.body.created[1].id).executeTakeFirstOrThrow())
    assert.deepEqual(eastside.threat_areas, ['organised_acquisitive_crime'])
  })

  test('all or nothing: a database failure on row 900 rolls back rows 2 to 899 and reports the row', async () => {
    const api = await apiAs(ANALYST)
    // A trigger stands in for any failure the database raises mid-file (a constraint, a lost lock).
    await sql.raw(`CREATE FUNCTION imports_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.name = 'Group 899' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$`).execute(t.db.kysely)
    await sql.raw('CREATE TRIGGER imports_test_refuse BEFORE INSERT ON ocgs FOR EACH ROW EXECUTE FUNCTION imports_test_refuse()').execute(t.db.kysely)
    try {
      const lines = ['Name,Status,Threat areas']
      for (let i = 1; i <= 950; i++) lines.push(`Group ${i},active,drugs`)
      const groupEvents = () => asSystem(t.db, async (tx) => Number((await tx.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).where('record_type', '=', 'group').executeTakeFirstOrThrow()).n))
      const before = { groups: await count('ocgs'), history: await count('ocg_history'), events: (await importEvents()).length, groupEvents: await groupEvents() }
      const res = await api('POST', '/api/v1/imports/groups', { csv: csv(...lines), mapping: { name: 'Name', status: 'Status', threatAreas: 'Threat areas', ...handling }, dryRun: false })
      assert.equal(res.status, 422, JSON.stringify(res.body).slice(0, 500))
      assert.equal(res.body.rows, 950)
      assert.deepEqual(res.body.faults.map((f: { row: number }) => f.row), [900])
      assert.match(res.body.faults[0].message, /database refused this row: refused for the test/)
      assert.equal(await count('ocgs'), before.groups, 'rows 2 to 899 and 901 to 951 are rolled back with row 900')
      assert.equal(await count('ocg_history'), before.history)
      assert.equal((await importEvents()).length, before.events)
      assert.equal(await groupEvents(), before.groupEvents, 'the collection rows written for the rolled-back groups are gone too')
    } finally {
      await sql.raw('DROP TRIGGER imports_test_refuse ON ocgs; DROP FUNCTION imports_test_refuse()').execute(t.db.kysely)
    }
  })
})

describe('intelligence', () => {
  test('legacy 5x5x5 grades are kept as entered, a C code without conditions and a mention the user cannot see are flagged', async () => {
    const [visible] = await importPeople(ANALYST, ['Marcus Doyle'])
    const [hidden] = await importPeople(HMRC_ANALYST, ['Hidden Person'])
    const api = await apiAs(ANALYST)
    const mapping = {
      body: 'Log', reportedOn: 'Date', sourceAgencyId: 'Source', reference: 'Ref', grade: 'Grade', handlingConditions: 'Conditions', mentionedEntityIds: 'Mentions',
      purpose: handling.purpose, reviewDate: handling.reviewDate, protectiveMarking: handling.protectiveMarking, sharingScope: { value: 'agency' },
    }
    const rows = [
      'Log,Date,Source,Ref,Grade,Conditions,Mentions',
      `Seen collecting cash at the car wash,07/03/2024,Leicestershire Police,LP-1,B2P,,${visible}`,
      'Old system log of a county line,2009-01-02,Leicestershire Police,LP-2,B24,,',
      'Old record kept within the force,2011-06-30,Leicestershire Police,LP-3,c/3/4,,',
      `Meeting at the flat,2024-02-01,Leicestershire Police,LP-4,B2C,,${visible}`,
      `Named by a caller,2024-02-02,Leicestershire Police,LP-5,A1P,,${visible};${hidden}`,
    ]
    const before = await count('intelligence_records')
    const dry = await api('POST', '/api/v1/imports/intelligence', { csv: csv(...rows), mapping, dryRun: true })
    assert.equal(dry.status, 200)
    assert.deepEqual(
      dry.body.faults.map((f: { row: number; column: string; field: string }) => [f.row, f.column, f.field]),
      [[5, 'Conditions', 'handlingConditions'], [6, 'Mentions', 'mentionedEntityIds']],
    )
    assert.match(dry.body.faults[0].message, /handling conditions/i)
    assert.match(dry.body.faults[1].message, new RegExp(`permitted to see.*${hidden}`))
    assert.doesNotMatch(dry.body.faults[1].message, new RegExp(visible!), 'the visible mention is not at fault')
    assert.equal(dry.body.valid, 3)
    const refused = await api('POST', '/api/v1/imports/intelligence', { csv: csv(...rows), mapping, dryRun: false })
    assert.equal(refused.status, 422)
    assert.equal(await count('intelligence_records'), before)

    const fixed = [...rows.slice(0, 4), rows[4]!.replace('B2C,,', 'B2C,Police only until charge,'), rows[5]!.replace(`;${hidden}`, '')]
    const res = await api('POST', '/api/v1/imports/intelligence', { csv: csv(...fixed), mapping, dryRun: false })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    const stored = await asSystem(t.db, (tx) =>
      tx.selectFrom('intelligence_records').select(['reference', 'legacy_grade', 'source_evaluation', 'intelligence_assessment', 'handling_code', 'handling_conditions', 'reported_on'])
        .where('id', 'in', res.body.created.map((c: { id: string }) => c.id)).orderBy('reference').execute(),
    )
    assert.deepEqual(stored.map((r) => [r.reference, r.legacy_grade, `${r.source_evaluation}${r.intelligence_assessment}${r.handling_code}`]), [
      ['LP-1', null, 'B2P'],
      ['LP-2', 'B24', 'A1C'],
      ['LP-3', 'c/3/4', 'C2C'],
      ['LP-4', null, 'B2C'],
      ['LP-5', null, 'A1P'],
    ])
    assert.equal(stored[0]!.reported_on, '2024-03-07')
    assert.match(stored[1]!.handling_conditions!, /Legacy 5x5x5 handling code 4/)
    assert.match(stored[2]!.handling_conditions!, /Legacy 5x5x5 handling code 4/)
    assert.equal(stored[3]!.handling_conditions, 'Police only until charge')
    const mentions = await asSystem(t.db, (tx) => tx.selectFrom('intelligence_mentions').select('entity_id').where('intelligence_id', '=', res.body.created[0].id).execute())
    assert.deepEqual(mentions.map((m) => m.entity_id), [visible])

    const again = await api('POST', '/api/v1/imports/intelligence', { csv: csv(rows[0]!, rows[2]!, rows[2]!), mapping, dryRun: true })
    assert.deepEqual(again.body.faults.map((f: { row: number; column: string }) => [f.row, f.column]), [[2, 'Ref'], [3, 'Ref']], 'a reference already used, and one used twice in the file')
  })
})

describe('memberships', () => {
  test('the same person twice in a file, or a person already a member, is flagged; a clean file adds every member', async () => {
    const api = await apiAs(ANALYST)
    const [a, b, c] = (await importPeople(ANALYST, ['Member One', 'Member Two', 'Member Three'])) as [string, string, string]
    const [hidden] = await importPeople(HMRC_ANALYST, ['Not Yours'])
    const groups = await api('POST', '/api/v1/imports/groups', { csv: csv('Name,Status,Threat areas', 'Membership test group,active,drugs'), mapping: { name: 'Name', status: 'Status', threatAreas: 'Threat areas', ...handling }, dryRun: false })
    assert.equal(groups.status, 201)
    const group = groups.body.created[0].id as string
    const mapping = { groupId: 'Group', personId: 'Person', role: 'Role', enablerProfession: 'Profession', startDate: 'Joined' }

    const first = await api('POST', '/api/v1/imports/memberships', { csv: csv('Group,Person,Role,Profession,Joined', `${group},${a},principal,,01/06/2021`), mapping, dryRun: false })
    assert.equal(first.status, 201, JSON.stringify(first.body))

    const file = csv(
      'Group,Person,Role,Profession,Joined',
      `${group},${b},Core member,,2022-01-01`,
      `${group},${c},enabler,,`,
      `${group},${b},mule,,`,
      `${group},${a},associate,,`,
      `${group},${hidden},mule,,`,
      `${group},${c.toUpperCase()},mule,,`,
      `not-a-group,${c},mule,,`,
    )
    const dry = await api('POST', '/api/v1/imports/memberships', { csv: file, mapping, dryRun: true })
    assert.deepEqual(dry.body.faults.map((f: { row: number; column: string }) => [f.row, f.column]), [
      [3, 'Profession'],
      [4, 'Person'],
      [5, 'Person'],
      [6, 'Person'],
      [7, 'Person'],
      [8, 'Group'],
    ])
    assert.match(dry.body.faults[1].message, /Row 2 already adds this person to this group/)
    assert.match(dry.body.faults[2].message, /already a member/)
    assert.match(dry.body.faults[3].message, /not visible to you|not found/)
    assert.match(dry.body.faults[4].message, /Row 3 already adds this person/)

    const before = await count('ocg_members')
    assert.equal((await api('POST', '/api/v1/imports/memberships', { csv: file, mapping, dryRun: false })).status, 422)
    assert.equal(await count('ocg_members'), before)
    const clean = csv('Group,Person,Role,Profession,Joined', `${group},${b},Core member,,2022-01-01`, `${group},${c},enabler,Finance,`)
    const res = await api('POST', '/api/v1/imports/memberships', { csv: clean, mapping, dryRun: false })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    const members = await asSystem(t.db, (tx) => tx.selectFrom('ocg_members').select(['person_id', 'role', 'enabler_profession', 'start_date']).where('group_id', '=', group).orderBy('role', 'desc').execute())
    assert.deepEqual(members.map((m) => [m.person_id, m.role, m.enabler_profession, m.start_date]), [
      [a, 'principal', null, '2021-06-01'],
      [c, 'enabler', 'finance', null],
      [b, 'core_member', null, '2022-01-01'],
    ])
  })

  test('a member cannot be added to a group the user may not change', async () => {
    const hmrc = await apiAs(HMRC_ANALYST)
    const [person] = await importPeople(HMRC_ANALYST, ['Partner Person'], 'partnership')
    const api = await apiAs(ANALYST)
    const groups = await api('POST', '/api/v1/imports/groups', { csv: csv('Name,Status,Threat areas', 'Police only group,active,drugs'), mapping: { name: 'Name', status: 'Status', threatAreas: 'Threat areas', ...handling, sharingScope: { value: 'partnership' } }, dryRun: false })
    const group = groups.body.created[0].id as string
    const res = await hmrc('POST', '/api/v1/imports/memberships', { csv: csv('Group,Person,Role', `${group},${person},mule`), mapping: { groupId: 'Group', personId: 'Person', role: 'Role' }, dryRun: true })
    assert.deepEqual(res.body.faults.map((f: { row: number; column: string }) => [f.row, f.column]), [[2, 'Group']])
    assert.match(res.body.faults[0].message, /Only the agency that holds a group/)
  })
})

describe('pages', () => {
  const pasted = (name: string) => csv('Full Name,DOB,Type', `${name},14/05/1990,suspect`, 'Second Person,1985-07-19,victim', 'Third Person,,suspect')

  async function upload(client: Client, text: string, kind = 'people'): Promise<string> {
    const res = await client.submit('/imports', '/imports', { kind, csv: text })
    assert.equal(res.status, 303, res.body.slice(0, 500))
    const id = /^\/imports\/([0-9a-f-]{36})\/mapping$/.exec(String(res.headers.location))?.[1]
    assert.ok(id, String(res.headers.location))
    return id
  }

  const mappingForm = (overrides: Record<string, string> = {}) => ({
    'column-fullName': 'Full Name',
    'column-birthDate': 'DOB',
    'column-personRole': 'Type',
    'value-purpose': 'Mapping county lines supply in Leicester',
    'value-reviewDate': '23/11/2028',
    'value-protectiveMarking': 'OFFICIAL',
    'value-handlingCode': 'P',
    'value-sharingScope': 'agency',
    ...overrides,
  })

  test('upload, map, check and import: the file waits on the server, faults are shown by row and column, and the import shows what it made', async () => {
    const client = await signedIn(t.app, ANALYST)
    const page = await client.get('/imports')
    assert.equal(page.status, 200)
    assert.match(page.body, /enctype="multipart\/form-data"/)

    const missing = await client.submit('/imports', '/imports', { kind: 'people', csv: '' })
    assert.equal(missing.status, 400)
    assert.match(missing.body, /govuk-error-summary/)
    assert.match(missing.body, /Choose a CSV file to upload, or paste the text of one/)

    const id = await upload(client, pasted('Broken Date').replace('14/05/1990', '31/02/1990'))
    const mapping = await client.get(`/imports/${id}/mapping`)
    assert.equal(mapping.status, 200)
    assert.match(mapping.body, /<option value="Full Name" selected>Full Name<\/option>/, 'the full name column is suggested')
    assert.match(mapping.body, /Broken Date/, 'the first rows are shown')
    assert.match(mapping.body, /id="column-fullName"/)

    const saved = await client.submit(`/imports/${id}/mapping`, `/imports/${id}/mapping`, mappingForm())
    assert.equal(saved.status, 303)
    assert.equal(saved.headers.location, `/imports/${id}/check`)
    const check = await client.get(`/imports/${id}/check`)
    assert.match(check.body, /The file has problems/)
    assert.match(check.body, /govuk-error-summary/)
    assert.match(check.body, /Row 2, column &quot;DOB&quot;: &quot;31\/02\/1990&quot; is not a real date/)
    assert.doesNotMatch(check.body, /action="\/imports\/[^"]+\/commit"/, 'no import button while the file has problems')
    const faults = await client.get(`/imports/${id}/faults.csv`)
    assert.match(String(faults.headers['content-type']), /text\/csv/)
    assert.match(faults.body, /^Row,Column,Field,Problem\r\n2,DOB,birthDate,"""31\/02\/1990"" is not a real date"/)
    // Importing anyway is refused and saves nothing.
    const before = await count('entities')
    const forced = await client.submit(`/imports/${id}/mapping`, `/imports/${id}/commit`, {})
    assert.equal(forced.status, 422)
    assert.equal(await count('entities'), before)

    const good = await upload(client, pasted('Page Person'))
    await client.submit(`/imports/${good}/mapping`, `/imports/${good}/mapping`, mappingForm())
    const ready = await client.get(`/imports/${good}/check`)
    assert.match(ready.body, /Import 3 rows/)
    const done = await client.submit(`/imports/${good}/check`, `/imports/${good}/commit`, {})
    assert.equal(done.status, 303)
    assert.equal(done.headers.location, `/imports/${good}`)
    assert.equal(await count('entities'), before + 3)
    const summary = await client.get(`/imports/${good}`)
    assert.match(summary.body, /3 people imported/)
    assert.equal((summary.body.match(/href="\/entities\/[0-9a-f-]{36}"/g) ?? []).length, 3)
    const receipt = await asSystem(t.db, (tx) => tx.selectFrom('imports').select(['csv_text', 'status']).where('id', '=', good).executeTakeFirstOrThrow())
    assert.deepEqual(receipt, { csv_text: null, status: 'imported' }, 'the uploaded text is deleted once imported')
    // A second click imports nothing more.
    const twice = await client.submit(`/imports/${good}`, `/imports/${good}/commit`, {})
    assert.equal(twice.status, 303)
    assert.equal(await count('entities'), before + 3)
  })

  test('a file is uploaded as multipart form data, and an upload is seen only by the user who made it', async () => {
    const client = await signedIn(t.app, ANALYST)
    const form = await client.get('/imports')
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!
    const boundary = '----achillesTestBoundary'
    const part = (name: string, value: string, filename?: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"\r\nContent-Type: text/csv` : ''}\r\n\r\n${value}\r\n`
    const body = part('_csrf', token) + part('kind', 'people') + part('file', '\ufeffFull Name,DOB,Type\r\n"Doyle, Marcus",01/02/1980,suspect\r\n', 'nominals.csv') + part('csv', '') + `--${boundary}--\r\n`
    const res = await t.app.inject({
      method: 'POST',
      url: '/imports',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        cookie: `${SESSION_COOKIE}=${client.cookie(SESSION_COOKIE)}; achilles_csrf=${client.cookie('achilles_csrf')}`,
      },
      payload: body,
    })
    assert.equal(res.statusCode, 303, res.body.slice(0, 500))
    const id = /\/imports\/([0-9a-f-]{36})\/mapping/.exec(String(res.headers.location))![1]!
    const mapping = await client.get(`/imports/${id}/mapping`)
    assert.match(mapping.body, /Map the columns of nominals\.csv/)
    assert.match(mapping.body, /Doyle, Marcus/)

    const other = await signedIn(t.app, HMRC_ANALYST)
    assert.equal((await other.get(`/imports/${id}/mapping`)).status, 404)
    assert.equal((await other.get(`/imports/${id}/check`)).status, 404)
    const board = await signedIn(t.app, BOARD_MEMBER)
    assert.equal((await board.get('/imports')).status, 403)

    const discarded = await client.submit(`/imports/${id}/mapping`, `/imports/${id}/discard`, {})
    assert.equal(discarded.status, 303)
    assert.equal((await client.get(`/imports/${id}/mapping`)).status, 404)
  })

  test('uploads older than a day are deleted', async () => {
    const client = await signedIn(t.app, ANALYST)
    const id = await upload(client, pasted('Old Upload'))
    await asSystem(t.db, (tx) => sql`UPDATE imports SET created_at = created_at - interval '25 hours' WHERE id = ${id}`.execute(tx))
    assert.equal((await client.get(`/imports/${id}/mapping`)).status, 404, 'an old upload is no longer offered')
    await upload(client, pasted('New Upload'))
    const left = await asSystem(t.db, (tx) => tx.selectFrom('imports').select('id').where('id', '=', id).execute())
    assert.equal(left.length, 0, 'and the next upload deletes it')
  })
})
