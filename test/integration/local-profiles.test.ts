import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { asSystem } from '../../src/db/context.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { importOpenData } from '../../src/modules/opendata/service.ts'
import { signedIn, startTestApp, type TestApp } from '../support/app.ts'

// Stored local profiles: built from the shared Leicester data, written by two agencies in turn,
// compared, rebuilt after another month is loaded, seen only as the visibility rule allows, and
// downloaded, with every step in the audit log.

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data')
const LEICESTER = 'E06000016'
const crimeFile = (m: string) => path.join(DATA, 'police/leicestershire', `${m}-leicestershire-street.csv`)

let t: TestApp
type Api = (method: 'GET' | 'POST', url: string, json?: unknown) => Promise<{ status: number; body: any; raw: Buffer; headers: Record<string, unknown> }>
let police: Api
let tradingStandards: Api
let hmrc: Api

const load = async (request: Record<string, unknown>) => {
  const report = await importOpenData(t.db, request, { now: new Date('2026-12-02T12:00:00Z'), importedBy: 'local profiles test' })
  assert.equal(report.status, 'loaded', JSON.stringify(report).slice(0, 500))
}

before(async () => {
  t = await startTestApp()
  const bearer = async (email: string): Promise<Api> => {
    const u = t.partnership.users.find((x) => x.email === email)!
    const { token } = await issueApiToken(t.ctx, 'system', u.id, { name: 'test', scopes: ['records:read', 'records:write'] })
    return async (method, url, json) => {
      const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) }, payload: json !== undefined ? JSON.stringify(json) : undefined })
      const type = String(res.headers['content-type'] ?? '')
      return { status: res.statusCode, body: type.includes('json') && res.body ? JSON.parse(res.body) : res.body, raw: res.rawPayload, headers: res.headers }
    }
  }
  police = await bearer('analyst@demo.achilles.example')
  tradingStandards = await bearer('partner.officer@demo.achilles.example')
  hmrc = await bearer('analyst.hmrc@demo.achilles.example')
  await load({ kind: 'lookups', paths: [path.join(DATA, 'geo/LAD17_CSP17_PFA17_lookup_EW.csv'), path.join(DATA, 'deprivation/OA11_LSOA11_MSOA11_LAD17_classification_lookup.csv.gz')] })
  await load({ kind: 'imd', paths: [path.join(DATA, 'deprivation/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv'), path.join(DATA, 'deprivation/File_6_-_IoD2019_Population_Denominators.csv')] })
  await load({ kind: 'boundaries', level: 'lsoa', paths: [path.join(DATA, 'geo/lsoa11_E06000016.geojson')] })
  await load({ kind: 'police-crime', paths: ['2020-01', '2020-02'].map(crimeFile) })
})
after(() => t.close())

const handling = { purpose: 'Annual SOC local profile for the Leicester community safety partnership', reviewDate: '2027-06-30', protectiveMarking: 'OFFICIAL', handlingCode: 'P', handlingConditions: null, sharingScope: 'partnership', sharedWithAgencyIds: [] }
const profileCount = () => asSystem(t.db, async (tx) => Number((await tx.selectFrom('local_profiles').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n))
const auditOf = (id: string) => asSystem(t.db, (tx) => tx.selectFrom('audit_events').select(['action', 'outcome', 'agency_id', 'detail']).where('record_id', '=', id).orderBy('seq').execute())

test('a profile is built, written by two agencies in turn, compared and rebuilt when another month is loaded', async () => {
  const created = await police('POST', '/api/v1/profiles', { title: 'Leicester SOC local profile', area: LEICESTER, from: '2020-01', to: '2020-03', ...handling })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  const id: string = created.body.id
  assert.equal(created.body.version, 1)
  assert.deepEqual(created.body.figures.missingMonths, ['2020-03'])
  // The figures count what the raw files hold in Leicester's LSOAs.
  const lsoas = new Set<string>(created.body.figures.byLsoa.map((l: { code: string }) => l.code))
  const raw = ['2020-01', '2020-02'].flatMap((m) => parse(fs.readFileSync(crimeFile(m)), { columns: true, bom: true }) as Array<Record<string, string>>)
  assert.equal(created.body.figures.total, raw.filter((r) => lsoas.has(r['LSOA code']!)).length)
  // The partnership's records come in as suppressed counts by LSOA, never as records or places.
  const overlays = created.body.figures.overlays
  assert.equal(overlays.threshold, 5)
  assert.equal(overlays.countedFor, 'Leicestershire Police')
  assert.ok(overlays.layers.some((l: { key: string }) => l.key === 'group_members'))
  for (const layer of overlays.layers) {
    assert.equal(layer.byLsoa.length, lsoas.size)
    for (const cell of layer.byLsoa) {
      assert.ok(Object.keys(cell).every((k) => ['code', 'suppressed', 'value', 'display', 'reason'].includes(k)), JSON.stringify(cell))
      if (cell.suppressed) assert.equal(cell.value, undefined)
    }
  }

  const threat = 'Drug supply through county lines is concentrated in the city centre.\n\nCannabis cultivation in rented houses is reported by housing officers.'
  const second = await tradingStandards('POST', `/api/v1/profiles/${id}/versions`, { expectedVersion: 1, note: 'Trading standards: threat section', narrative: { threat } })
  assert.equal(second.status, 201, JSON.stringify(second.body))
  assert.equal(second.body.version, 2)
  assert.deepEqual(second.body.narrative.threat, ['Drug supply through county lines is concentrated in the city centre.', 'Cannabis cultivation in rented houses is reported by housing officers.'])
  assert.deepEqual(second.body.contributions, [{ agency: 'Leicester City Council – Trading Standards', sections: ['Threat by theme'] }])

  // A partner saving over a version someone else has moved on from is told to reload; nothing is kept.
  const stale = await police('POST', `/api/v1/profiles/${id}/versions`, { expectedVersion: 1, note: 'Police: summary', narrative: { summary: 'A summary.' } })
  assert.equal(stale.status, 409)
  const unchanged = await police('POST', `/api/v1/profiles/${id}/versions`, { expectedVersion: 2, note: 'No change', narrative: { threat } })
  assert.equal(unchanged.status, 400)
  assert.equal(unchanged.body.errors[0].field, 'narrative')

  const third = await police('POST', `/api/v1/profiles/${id}/versions`, { expectedVersion: 2, note: 'Police: summary and a threat paragraph', narrative: { summary: 'Leicester is the county’s main drugs market.', threat: [...second.body.narrative.threat.slice(0, 1), 'Knife possession has risen in the night-time economy.', ...second.body.narrative.threat.slice(1)] } })
  assert.equal(third.status, 201, JSON.stringify(third.body))
  assert.deepEqual(third.body.versions.map((v: { version: number; sectionsChanged: string[] }) => [v.version, v.sectionsChanged]), [[3, ['summary', 'threat']], [2, ['threat']], [1, []]])
  assert.equal(third.body.contributions.length, 2)

  const compared = await police('GET', `/api/v1/profiles/${id}/compare?from=2&to=3`)
  assert.equal(compared.status, 200)
  const threatDiff = compared.body.sections.find((s: { key: string }) => s.key === 'threat')
  assert.deepEqual(threatDiff.paragraphs.map((p: { change: string }) => p.change), ['kept', 'added', 'kept'])
  assert.deepEqual(compared.body.figures, [])

  // March is loaded: a rebuild keeps the narrative and the figures now count it.
  await load({ kind: 'police-crime', paths: [crimeFile('2020-03')] })
  const rebuilt = await police('POST', `/api/v1/profiles/${id}/rebuild`, { expectedVersion: 3, note: 'March 2020 loaded' })
  assert.equal(rebuilt.status, 201, JSON.stringify(rebuilt.body))
  assert.deepEqual(rebuilt.body.figures.missingMonths, [])
  assert.ok(rebuilt.body.figures.total > created.body.figures.total)
  assert.deepEqual(rebuilt.body.narrative, third.body.narrative)
  const afterRebuild = await police('GET', `/api/v1/profiles/${id}/compare?from=3&to=4`)
  const total = afterRebuild.body.figures.find((f: { label: string }) => f.label === 'All recorded crime')
  assert.deepEqual([total.before, total.after], [created.body.figures.total, rebuilt.body.figures.total])
  // An earlier version is read as it stood.
  const v1 = await police('GET', `/api/v1/profiles/${id}?version=1`)
  assert.equal(v1.body.figures.total, created.body.figures.total)
  assert.deepEqual(v1.body.narrative, {})

  const actions = (await auditOf(id)).map((a) => a.action)
  assert.equal(actions[0], 'collection')
  assert.equal(actions.filter((a) => a === 'alteration').length, 3)
  const partnerEdit = (await auditOf(id)).find((a) => a.action === 'alteration' && (a.detail as { version?: number }).version === 2)!
  assert.equal(partnerEdit.agency_id, t.partnership.users.find((u) => u.email === 'partner.officer@demo.achilles.example')!.agencyId)
})

test('a profile kept to its agency is not seen by another agency, and the refusal is logged', async () => {
  const created = await police('POST', '/api/v1/profiles', { title: 'Police-only profile', area: LEICESTER, from: '2020-01', to: '2020-02', ...handling, protectiveMarking: 'OFFICIAL-SENSITIVE', sharingScope: 'agency' })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  const id: string = created.body.id
  assert.equal((await hmrc('GET', `/api/v1/profiles/${id}`)).status, 404)
  assert.equal((await hmrc('GET', `/api/v1/profiles/${id}/download/pdf`)).status, 404)
  assert.equal((await hmrc('POST', `/api/v1/profiles/${id}/versions`, { expectedVersion: 1, note: 'HMRC', narrative: { summary: 'x' } })).status, 404)
  const listed = await hmrc('GET', '/api/v1/profiles')
  assert.ok(!listed.body.profiles.some((p: { id: string }) => p.id === id))
  assert.ok((await auditOf(id)).some((a) => a.action === 'disclosure' && a.outcome === 'refused'))
})

test('bad requests name the field and save nothing', async () => {
  const before = await profileCount()
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ title: 'x', area: LEICESTER, from: '2020-03', to: '2020-01', ...handling }, 'to'],
    [{ title: 'x', area: 'Leicester', from: '2020-01', to: '2020-02', ...handling }, 'area'],
    [{ title: 'x', area: 'E06000099', from: '2020-01', to: '2020-02', ...handling }, 'area'],
    [{ title: 'x', area: LEICESTER, from: '2015-01', to: '2015-02', ...handling }, 'area'],
    [{ title: 'x', area: LEICESTER, from: '2020-1', to: '2020-02', ...handling }, 'from'],
    [{ title: 'x', area: LEICESTER, from: '2020-01', to: '2020-02', slices: ['drugs'], ...handling }, 'slices.0'],
    [{ title: '', area: LEICESTER, from: '2020-01', to: '2020-02', ...handling }, 'title'],
  ]
  for (const [body, field] of cases) {
    const res = await police('POST', '/api/v1/profiles', body)
    assert.equal(res.status, 400, `${field}: ${JSON.stringify(res.body)}`)
    assert.ok(res.body.errors.some((e: { field: string }) => e.field === field), `${field}: ${JSON.stringify(res.body.errors)}`)
    if (field === 'from') assert.deepEqual(res.body.errors.map((e: { field: string }) => e.field), ['from'], 'a badly written month is not also compared')
  }
  assert.equal(await profileCount(), before)
})

test('on the pages an analyst builds a profile, a partner writes a section, and the downloads carry the licence', async () => {
  const analyst = await signedIn(t.app, 'analyst@demo.achilles.example')
  const form = await analyst.get('/profiles/new')
  assert.equal(form.status, 200)
  assert.match(form.body, /Leicester \(local authority, E06000016\)/)
  const bad = await analyst.submit('/profiles/new', '/profiles', { title: 'Leicester', area: LEICESTER, from: '2020-02', to: '2020-01', ...handling, handlingConditions: '' } as never)
  assert.equal(bad.status, 400)
  assert.match(bad.body, /To must be the same month as From or after it/)
  const made = await analyst.submit('/profiles/new', '/profiles', { title: 'Leicester SOC profile (pages)', area: LEICESTER, from: '2020-01', to: '2020-02', slices: 'violence=Violence:Violence and sexual offences', purpose: handling.purpose, reviewDate: handling.reviewDate, protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'partnership' })
  assert.equal(made.status, 303, made.body.slice(0, 2000))
  const url = String(made.headers.location)
  const page = await analyst.get(url)
  assert.equal(page.status, 200)
  for (const heading of ['Summary', 'Threat by theme', 'Vulnerabilities', 'Risk and community impact', 'Intelligence gaps', 'The 4P plan', 'Governance and review']) assert.match(page.body, new RegExp(`<h2 class="govuk-heading-l">${heading}</h2>`))
  assert.match(page.body, /Violence/)
  assert.match(page.body, /Open Government Licence/)

  const partner = await signedIn(t.app, 'partner.officer@demo.achilles.example')
  const saved = await partner.submit(`${url}/edit`, `${url}/versions`, { expectedVersion: '1', note: 'Trading standards: vulnerabilities', 'section-vulnerabilities': 'Older residents are targeted by doorstep fraud.' })
  assert.equal(saved.status, 303, saved.body.slice(0, 2000))
  const shown = await partner.get(url)
  assert.match(shown.body, /Older residents are targeted by doorstep fraud\./)
  assert.match(shown.body, /Leicester City Council – Trading Standards: Vulnerabilities/)

  const docx = await partner.get(`${url}/download/docx`)
  assert.equal(docx.status, 200)
  assert.equal(docx.body.slice(0, 2), 'PK')
  const pdf = await partner.get(`${url}/download/pdf?version=1`)
  assert.equal(pdf.body.slice(0, 5), '%PDF-')
  const html = await partner.get(`${url}/download/html`)
  assert.match(html.body, /Open Government Licence/)
  assert.match(html.body, /Older residents are targeted/)
  assert.equal((await partner.get(`${url}/download/exe`)).status, 400)
  const id = url.split('/').pop()!
  assert.equal((await auditOf(id)).filter((a) => a.action === 'disclosure' && (a.detail as { format?: string }).format).length, 3)
})
