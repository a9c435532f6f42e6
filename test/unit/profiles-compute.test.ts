import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assembleProfile } from '../../src/core/profiles/assemble.ts'
import { computeProfileFigures, monthsNeeded, type ComputeInput, type CountInput } from '../../src/core/profiles/compute.ts'
import type { Change } from '../../src/core/profiles/figures.ts'
import { DEFAULT_SLICES } from '../../src/core/profiles/slices.ts'
import { monthsBetween } from '../../src/core/profiles/periods.ts'

// A worked example: three LSOAs, a profile of 2021-01 to 2021-03, compared with 2020-10 to 2020-12
// and 2020-01 to 2020-03. A fixed "test" marks any change of 10 or more as significant, so the
// figures can be checked by hand.

const compare = (before: number, after: number): Change => ({
  before, after, difference: after - before, percent: before === 0 ? null : ((after - before) / before) * 100, pValue: Math.abs(after - before) >= 10 ? 0.01 : 0.5, significant: Math.abs(after - before) >= 10, test: 'exact conditional binomial',
})

const c = (lsoaCode: string, month: string, crimeType: string, n: number): CountInput => ({ lsoaCode, month, crimeType, n })

function example(overrides: Partial<ComputeInput> = {}): ComputeInput {
  return {
    area: { code: 'E07000000', name: 'Example district', level: 'local_authority' },
    from: '2021-01',
    to: '2021-03',
    lsoas: [{ code: 'E01000001', name: 'Example 001A' }, { code: 'E01000002', name: 'Example 001B' }, { code: 'E01000003', name: 'Example 001C' }],
    counts: [
      c('E01000001', '2021-01', 'Drugs', 12), c('E01000001', '2021-02', 'Drugs', 8), c('E01000002', '2021-03', 'Burglary', 5),
      c('E01000003', '2021-02', 'Anti-social behaviour', 20),
      // The previous period: 10 drugs, 5 burglaries.
      c('E01000001', '2020-11', 'Drugs', 10), c('E01000002', '2020-12', 'Burglary', 5),
      // A year earlier: 2 drugs.
      c('E01000001', '2020-02', 'Drugs', 2),
      // Outside the area: never counted.
      c('E01999999', '2021-01', 'Drugs', 500),
    ],
    monthsLoaded: new Set(monthsBetween('2020-01', '2021-03')),
    withoutLocation: 7,
    deprivation: [
      { lsoaCode: 'E01000001', lsoaName: 'Example 001A', imdDecile: 1, population: 1000 },
      { lsoaCode: 'E01000002', lsoaName: 'Example 001B', imdDecile: 10, population: 2500 },
      { lsoaCode: 'E01000003', lsoaName: 'Example 001C', imdDecile: 1, population: 1500 },
    ],
    slices: DEFAULT_SLICES,
    stopSearch: [{ objectOfSearch: 'Controlled drugs', outcome: 'Arrest', n: 3 }, { objectOfSearch: 'Controlled drugs', outcome: null, n: 2 }],
    compare,
    hotspots: (counts) => ({ variable: 'all recorded crime', neighbourhood: 'queen contiguity', islands: [], areas: [...counts].map(([code, count]) => ({ code, name: code, count, z: count / 10, pValue: 0.5, hotspotClass: 'none' as const })) }),
    ...overrides,
  }
}

test('counts, rates per 1,000 and changes add up from the LSOAs of the area alone', () => {
  const f = computeProfileFigures(example())
  assert.equal(f.total, 45, '12 + 8 drugs, 5 burglaries, 20 ASB; the 500 outside the area are not counted')
  assert.equal(f.population, 5000)
  const drugs = f.byType.find((t) => t.crimeType === 'Drugs')!
  assert.equal(drugs.count, 20)
  assert.equal(drugs.ratePer1000, 4, '20 for 5,000 residents')
  assert.deepEqual([drugs.previous?.before, drugs.previous?.after, drugs.previous?.significant], [10, 20, true])
  assert.deepEqual([drugs.lastYear?.before, drugs.lastYear?.percent], [2, 900])
  assert.deepEqual(f.byMonth.map((m) => m.count), [12, 28, 5])
  assert.deepEqual(f.byLsoa.map((l) => [l.code, l.count, l.ratePer1000]), [['E01000001', 20, 20], ['E01000002', 5, 2], ['E01000003', 20, 20 / 1.5]])
  assert.equal(f.withoutLocation, 7)
  assert.deepEqual(f.stopSearch?.byOutcome, [{ label: 'Arrest', count: 3 }, { label: 'Not recorded', count: 2 }])
})

test('crime by deprivation decile: the most deprived tenth against the least', () => {
  const d = computeProfileFigures(example()).deprivation
  // Decile 1: LSOAs 1 and 3, 40 crimes for 2,500 residents = 16 per 1,000. Decile 10: 5 for 2,500 = 2.
  assert.deepEqual(d.deciles[0], { decile: 1, lsoas: 2, population: 2500, count: 40, ratePer1000: 16 })
  assert.equal(d.deciles[9]!.ratePer1000, 2)
  assert.equal(d.mostToLeastRatio, 8)
  assert.equal(d.lsoasWithout, 0)
})

test('the SOC slices count their crime types, and a slice an LSOA never had is absent from it', () => {
  const f = computeProfileFigures(example())
  assert.deepEqual(f.slices.map((s) => [s.key, s.count]), [['drugs', 20], ['weapons', 0], ['acquisitive', 5]])
  assert.deepEqual(f.byLsoa[0]!.slices, { drugs: 20 })
})

test('a month with no data loaded is a gap, not a zero, and stops a comparison that would include it', () => {
  const loaded = new Set(monthsBetween('2020-01', '2021-03').filter((m) => m !== '2020-11' && m !== '2021-02'))
  const f = computeProfileFigures(example({ monthsLoaded: loaded }))
  assert.deepEqual(f.missingMonths, ['2021-02'])
  assert.equal(f.totalPrevious, null, 'November 2020 is missing from the previous period')
  assert.notEqual(f.totalLastYear, null)
})

test('the counts a profile needs reach back to the earlier of its two comparisons', () => {
  assert.deepEqual(monthsNeeded('2021-01', '2021-03'), { from: '2020-01', to: '2021-03' })
  assert.deepEqual(monthsNeeded('2019-12', '2021-10'), { from: '2018-01', to: '2021-10' }, '23 months: the previous period starts earlier than a year before')
})

test('the assembled profile has every section, findings apart from narrative, and the licence', () => {
  const figures = computeProfileFigures(example())
  const ring: Array<[number, number]> = [[-1.2, 52.6], [-1.1, 52.6], [-1.1, 52.7], [-1.2, 52.6]]
  const doc = assembleProfile({
    figures, builtAt: '2 December 2026', boundaries: new Map([['E01000001', [ring]]]), reviewDate: '2027-06-01',
    narrative: { summary: ['Written by the analyst.'] },
  })
  assert.deepEqual(doc.sections.map((s) => s.key), ['summary', 'threat', 'vulnerabilities', 'risk', 'gaps', 'plan', 'governance'])
  const summary = doc.sections[0]!
  assert.deepEqual(summary.narrative, ['Written by the analyst.'])
  assert.ok(summary.findings.some((p) => p.startsWith('45 crimes') && p.includes('9 per 1,000 residents')), summary.findings.join('\n'))
  assert.ok(!summary.findings.includes('Written by the analyst.'))
  const threat = doc.sections[1]!
  assert.ok(threat.findings[0]!.startsWith('Drugs: 20 recorded (4 per 1,000 residents); up 100% (from 10 to 20) against the previous period, a change larger than chance'), threat.findings[0])
  assert.ok(doc.sections.find((s) => s.key === 'gaps')!.findings.some((p) => p.startsWith('7 records of the force have no location')))
  assert.ok(doc.attribution.some((a) => a.includes('Open Government Licence v3.0')))
  assert.ok(doc.attribution.some((a) => a.includes('Contains OS data © Crown copyright')))
  const deprivationMap = doc.sections.find((s) => s.key === 'vulnerabilities')!.figures.find((f) => f.kind === 'map')
  assert.equal(deprivationMap?.kind === 'map' ? deprivationMap.areas.length : 0, 1, 'only the LSOA with a boundary is drawn')
})

test('an LSOA the boundaries and lookups did not name takes its name from the IMD files, and else its code', () => {
  const f = computeProfileFigures(example({ lsoas: [{ code: 'E01000001', name: null }, { code: 'E01000002', name: 'Example 001B' }, { code: 'E01000004', name: null }] }))
  assert.deepEqual(f.byLsoa.map((l) => [l.code, l.name]).sort(), [['E01000001', 'Example 001A'], ['E01000002', 'Example 001B'], ['E01000004', 'E01000004']])
})
