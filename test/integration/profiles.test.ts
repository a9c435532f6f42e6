import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import type { Database } from '../../src/db/connection.ts'
import { importOpenData } from '../../src/modules/opendata/service.ts'
import { buildProfile, profileJson } from '../../src/modules/profiles/service.ts'
import { ValidationError } from '../../src/core/errors.ts'
import { freshDatabase } from '../support/database.ts'
import { runProfile } from '../../src/cli/profile.ts'
import { withAbsoluteOut } from '../../src/cli/profileArgs.ts'
import { loadConfig } from '../../src/config.ts'
import os from 'node:os'

// A profile of the Leicestershire Police force area built from the shared public data, its counts
// checked against the raw files read here independently of the importer.

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data')
const MONTHS = ['2020-01', '2020-02', '2020-03']
const LEICS = 'E23000021'
const crimeFile = (m: string) => path.join(DATA, 'police/leicestershire', `${m}-leicestershire-street.csv`)

let db: Database
let drop: () => Promise<void>
before(async () => {
  ;({ db, drop } = await freshDatabase())
  const hooks = { now: new Date('2026-12-02T12:00:00Z'), importedBy: 'profiles test' }
  const load = async (request: Record<string, unknown>) => {
    const report = await importOpenData(db, request, hooks)
    assert.equal(report.status, 'loaded', JSON.stringify(report).slice(0, 500))
  }
  await load({ kind: 'lookups', paths: [path.join(DATA, 'geo/LAD17_CSP17_PFA17_lookup_EW.csv'), path.join(DATA, 'deprivation/OA11_LSOA11_MSOA11_LAD17_classification_lookup.csv.gz')] })
  await load({ kind: 'imd', paths: [path.join(DATA, 'deprivation/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv'), path.join(DATA, 'deprivation/File_6_-_IoD2019_Population_Denominators.csv')] })
  await load({ kind: 'boundaries', level: 'lsoa', paths: ['lsoa11_E06000016.geojson', 'lsoa11_E10000018.geojson', 'lsoa11_E06000017.geojson'].map((f) => path.join(DATA, 'geo', f)) })
  await load({ kind: 'police-crime', paths: MONTHS.map(crimeFile) })
})
after(() => drop())

type Row = Record<string, string>
const raw = (m: string): Row[] => parse(fs.readFileSync(crimeFile(m)), { columns: true, bom: true }) as Row[]

test('the force profile counts what the raw files hold in its LSOAs, by crime type and by month', async () => {
  const { figures } = await buildProfile(db, { area: LEICS, from: '2020-02', to: '2020-03' }, new Date('2026-12-02T12:00:00Z'))
  assert.equal(figures.lsoaCount, 611)
  const rows = ['2020-02', '2020-03'].flatMap(raw).filter((r) => r['LSOA code'])
  // Leicestershire Police's files also hold a few records placed in LSOAs of neighbouring forces.
  const lsoas = new Set(figures.byLsoa.map((l) => l.code))
  const inArea = rows.filter((r) => lsoas.has(r['LSOA code']!))
  assert.equal(figures.total, inArea.length)
  const byType = new Map<string, number>()
  for (const r of inArea) byType.set(r['Crime type']!, (byType.get(r['Crime type']!) ?? 0) + 1)
  for (const t of figures.byType) assert.equal(t.count, byType.get(t.crimeType) ?? 0, t.crimeType)
  assert.deepEqual(figures.byMonth.map((m) => m.count), ['2020-02', '2020-03'].map((m) => inArea.filter((r) => r.Month === m).length))
  const noLocation = ['2020-02', '2020-03'].flatMap(raw).filter((r) => !r['LSOA code']).length
  assert.equal(figures.withoutLocation, noLocation)
  // 2020-01 is loaded, so February-March can be compared with December-January? December 2019 is
  // not loaded, so the previous period is not compared; nor is a year earlier.
  assert.equal(figures.totalPrevious, null)
  assert.equal(figures.totalLastYear, null)
  assert.ok(figures.population! > 1_000_000, `population ${figures.population}`)
  assert.equal(figures.deprivation.lsoasWithout, 0)
  assert.equal(figures.hotspots.areas.length, 611)
  assert.ok(figures.hotspots.areas.some((a) => a.hotspotClass === 'hot-99'), 'Leicester city centre is a hot spot')
})

test('a period with a month not loaded says so, and the JSON holds counts, hot spots and every section', async () => {
  const built = await buildProfile(db, { area: LEICS, from: '2020-01', to: '2020-04' }, new Date('2026-12-02T12:00:00Z'))
  assert.deepEqual(built.figures.missingMonths, ['2020-04'])
  const json = profileJson(built)
  assert.deepEqual(json.sections.map((s) => s.key), ['summary', 'threat', 'vulnerabilities', 'risk', 'gaps', 'plan', 'governance'])
  assert.ok(json.sections.find((s) => s.key === 'gaps')!.findings.some((f) => f.includes('2020-04')))
  assert.ok(json.figures.byLsoa.length === 611 && json.figures.byType.length > 10)
  assert.ok(json.attribution.some((a) => a.includes('Open Government Licence')))
})

test('each SOC slice gets a heat map on one grid, its points the positioned records of the raw files, its peaks named', async () => {
  const built = await buildProfile(db, { area: LEICS, from: '2020-01', to: '2020-03' }, new Date('2026-12-02T12:00:00Z'))
  const { figures, document } = built
  const lsoas = new Set(figures.byLsoa.map((l) => l.code))
  const rows = MONTHS.flatMap(raw).filter((r) => lsoas.has(r['LSOA code']!) && r.Longitude !== '')
  const density = figures.density!
  assert.deepEqual(density.map((d) => d.key), figures.slices.filter((s) => s.count > 0).map((s) => s.key))
  assert.deepEqual(density.map((d) => d.key), ['drugs', 'weapons', 'acquisitive'])
  for (const d of density) {
    const slice = figures.slices.find((s) => s.key === d.key)!
    assert.equal(d.surface.points, rows.filter((r) => slice.crimeTypes.includes(r['Crime type']!)).length, d.key)
    assert.ok(d.peaks.length > 0 && d.peaks.every((p) => p.lsoa !== null && lsoas.has(p.lsoa.code)), `${d.key}: every peak is in an LSOA of the area`)
    assert.ok(d.surface.columns * d.surface.rows <= 44_000)
  }
  // One grid for all: the bandwidth is chosen from the area's size, not each slice's spread.
  assert.equal(new Set(density.map((d) => JSON.stringify([d.surface.bandwidthMetres, d.surface.cellSizeMetres, d.surface.extent, d.surface.columns, d.surface.rows]))).size, 1)
  assert.ok(density[0]!.surface.bandwidthChosen)

  const threat = document.sections.find((s) => s.key === 'threat')!
  const heatMaps = threat.figures.filter((f) => f.kind === 'density')
  assert.equal(heatMaps.length, 3)
  const drugs = heatMaps[0]!
  assert.match(drugs.title, /^Where drugs concentrates: kernel density of [\d,]+ positions \(quartic kernel, [\d.,]+ k?m bandwidth, \d+ m cells\)$/)
  assert.equal(drugs.areas.length, 611)
  assert.equal(drugs.cells.length, density[0]!.surface.runs.length)
  assert.ok(drugs.cells.every((c) => c.east > c.west && c.north > c.south && drugs.legend.some((l) => l.key === c.classKey)))
  const first = density[0]!.peaks[0]!
  assert.ok(threat.findings.some((f) => f.startsWith(`Drugs concentrates most in ${first.lsoa!.name} (`)), threat.findings.join('\n'))
})

test('an unknown area, an area with no data and impossible months get clear messages', async () => {
  await assert.rejects(buildProfile(db, { area: 'E23000099', from: '2020-01', to: '2020-02' }, new Date()), /Area E23000099/)
  await assert.rejects(buildProfile(db, { area: LEICS, from: '2015-01', to: '2015-02' }, new Date()), /No police street-level data is loaded for Leicestershire/)
  await assert.rejects(buildProfile(db, { area: LEICS, from: '2020-13', to: '2020-02' }, new Date()), (e: unknown) => e instanceof ValidationError && e.issues.some((i) => i.field === 'from'))
  await assert.rejects(buildProfile(db, { area: LEICS, from: '2020-03', to: '2020-02' }, new Date()), (e: unknown) => e instanceof ValidationError && e.issues.some((i) => i.field === 'to'))
})

test('achilles profile writes JSON, printable HTML, Word and PDF, and explains bad options', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'achilles-profile-'))
  let out = ''
  let err = ''
  const env = { db, config: loadConfig({}), now: () => new Date('2026-12-02T12:00:00Z'), out: (t: string) => void (out += t), err: (t: string) => void (err += t), isTTY: false }
  try {
    for (const format of ['json', 'html', 'docx', 'pdf']) {
      const file = path.join(dir, `leicestershire.${format}`)
      assert.equal(await runProfile(env, ['--area', LEICS, '--from', '2020-01', '--to', '2020-03', '--format', format, '--out', file]), 0, err)
      assert.ok(fs.statSync(file).size > 1000, `${format} written`)
    }
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'leicestershire.json'), 'utf8'))
    assert.equal(json.figures.total, json.figures.byMonth.reduce((s: number, m: { count: number }) => s + m.count, 0))
    assert.ok(json.figures.hotspots.areas[0].z !== undefined)
    const html = fs.readFileSync(path.join(dir, 'leicestershire.html'), 'utf8')
    assert.match(html, /Open Government Licence v3\.0/)
    assert.ok(json.figures.density.length === 3 && json.figures.density[0].peaks[0].lsoa.code, 'the JSON holds the heat maps and their peaks')
    // The heat maps are drawn: the LSOAs once, as ground, clip and outline, and the cells clipped to them.
    assert.equal((html.match(/<clipPath id="figure-threat-\d+-clip">/g) ?? []).length, 3)
    assert.match(html, /Where drugs concentrates: kernel density/)
    assert.equal(fs.readFileSync(path.join(dir, 'leicestershire.pdf')).subarray(0, 5).toString(), '%PDF-')
    assert.equal(fs.readFileSync(path.join(dir, 'leicestershire.docx')).subarray(0, 2).toString(), 'PK')
    assert.match(out, /Wrote the PDF profile of Leicestershire/)
    err = ''
    assert.equal(await runProfile(env, ['--area', LEICS, '--from', '2020-1', '--to', '2020-03', '--format', 'odt', '--out', path.join(dir, 'x')]), 2)
    assert.match(err, /--format must be one of json, html, docx, pdf, not odt/)
    err = ''
    assert.equal(await runProfile(env, ['--area', LEICS, '--from', '2020-1', '--to', '2020-03', '--out', path.join(dir, 'x.json')]), 2)
    assert.match(err, /From must be a month written YYYY-MM/)
    assert.equal(await runProfile(env, ['--area', 'E23000099', '--from', '2020-01', '--to', '2020-03', '--out', path.join(dir, 'x.json')]), 1)
    assert.ok(!fs.existsSync(path.join(dir, 'x.json')), 'nothing is written when the profile cannot be built')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  assert.deepEqual(withAbsoluteOut(['profile', '--out', 'p.pdf', '--area', 'E1'], '/home/me'), ['profile', '--out', '/home/me/p.pdf', '--area', 'E1'])
  assert.deepEqual(withAbsoluteOut(['token', '--out', 'p.pdf'], '/home/me'), ['token', '--out', 'p.pdf'])
})
