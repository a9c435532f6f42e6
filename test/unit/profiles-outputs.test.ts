import assert from 'node:assert/strict'
import { test } from 'node:test'
import { unzipSync, strFromU8 } from 'fflate'
import type { DensityMapFigure, MapFigure, ProfileDocument } from '../../src/core/profiles/document.ts'
import { OGL_ATTRIBUTION, BOUNDARY_ATTRIBUTION } from '../../src/core/profiles/document.ts'
import { createViewEnvironment } from '../../src/http/views.ts'
import { profileDocx } from '../../src/modules/profiles/docx.ts'
import { profileHtml } from '../../src/modules/profiles/html.ts'
import { profilePdf } from '../../src/modules/profiles/pdf.ts'
import { figureSvg } from '../../src/modules/profiles/svg.ts'
import { mapFrame } from '../../src/modules/profiles/text.ts'

const ring: Array<[number, number]> = [[-1.2, 52.6], [-1.1, 52.6], [-1.1, 52.7], [-1.2, 52.6]]

const doc: ProfileDocument = {
  title: 'SOC local profile: Example <district> & Co',
  area: { code: 'E07000000', name: 'Example <district>', level: 'local_authority' },
  period: { from: '2020-01', to: '2020-12' },
  protectiveMarking: 'OFFICIAL-SENSITIVE',
  version: 3,
  builtAt: '2 December 2026',
  reviewDate: '2027-06-01',
  sections: [
    {
      key: 'summary', title: 'Summary', narrative: ['The analysts wrote this <b>paragraph</b>.'], findings: ['4,512 crimes were recorded.'],
      tables: [{ caption: 'Recorded crime by type', head: ['Crime type', 'Count'], rows: [['Drugs', 1234], ['Burglary', null]], numeric: [false, true] }],
      figures: [
        { kind: 'line', title: 'By month', unit: 'Count', points: [{ label: '2020-01', value: 10 }, { label: '2020-02', value: 14 }] },
        { kind: 'bars', title: 'By slice', unit: 'Count', bars: [{ label: 'Drugs', value: 1234 }] },
        { kind: 'map', title: 'Hot spots', legend: [{ key: 'hot-95', label: 'Hot spot, 95% confidence', colour: '#d4351c' }], areas: [{ code: 'E01000001', name: 'Example 001A', classKey: 'hot-95', rings: [ring] }] },
      ],
    },
    { key: 'gaps', title: 'Intelligence gaps', narrative: [], findings: ['Months with no police data loaded: 2020-04.'], tables: [], figures: [] },
  ],
  contributions: [{ agency: 'Leicester City Council', sections: ['Vulnerabilities'] }],
  attribution: [OGL_ATTRIBUTION, BOUNDARY_ATTRIBUTION],
}

test('the printable HTML holds every section, draws figures with their tables, escapes text and carries the licence', () => {
  const html = profileHtml(createViewEnvironment(), doc)
  assert.match(html, /<h1>SOC local profile: Example &lt;district&gt; &amp; Co<\/h1>/)
  assert.match(html, /The analysts wrote this &lt;b&gt;paragraph&lt;\/b&gt;\./)
  assert.ok(!html.includes('<b>paragraph'), 'narrative is never written as markup')
  assert.equal((html.match(/<svg /g) ?? []).length, 3)
  assert.match(html, /<td class="numeric">1,234<\/td>/)
  assert.match(html, /<td>–<\/td>|<td class="numeric">–<\/td>/)
  assert.ok(html.includes(OGL_ATTRIBUTION) && html.includes('Contains OS data © Crown copyright'))
  assert.equal((html.match(/OFFICIAL-SENSITIVE/g) ?? []).length, 2, 'the marking at the top and the foot')
  assert.ok(!/<script/i.test(html))
})

test('the Word document is a valid package with the title, narrative, tables of the figures and the licence', async () => {
  const buffer = await profileDocx(doc)
  const files = unzipSync(new Uint8Array(buffer))
  const body = strFromU8(files['word/document.xml']!)
  assert.ok(body.includes('SOC local profile: Example &lt;district&gt; &amp; Co'))
  assert.ok(body.includes('The analysts wrote this &lt;b&gt;paragraph&lt;/b&gt;.'))
  assert.ok(body.includes('Hot spot, 95% confidence'), 'a map goes in as the table of its classes')
  assert.ok(body.includes('1,234'))
  assert.ok(body.includes('Leicester City Council: Vulnerabilities'))
  const footers = Object.keys(files).filter((f) => /^word\/footer\d*\.xml$/.test(f)).map((f) => strFromU8(files[f]!)).join('')
  assert.ok(footers.includes('Open Government Licence v3.0') && footers.includes('OFFICIAL-SENSITIVE'))
})

test('the PDF is a PDF with the title in its information and a page count', async () => {
  const pdf = await profilePdf(doc)
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-')
  const text = pdf.toString('latin1')
  // pdfkit writes the title as an object of its own that the information dictionary refers to.
  const titleRef = /\/Title (\d+) 0 R/.exec(text)?.[1]
  assert.ok(titleRef, 'the information dictionary names a title')
  assert.ok(text.includes(`${titleRef} 0 obj\n(SOC local profile: Example <district> & Co)`), 'the title object holds the title')
  const pages = Number(/\/Type \/Pages[\s\S]*?\/Count (\d+)/.exec(text)?.[1])
  assert.ok(pages >= 1, `pages: ${pages}`)
  assert.ok(text.trimEnd().endsWith('%%EOF'))
})

test('a map of a large force (200,000 boundary points) is drawn in SVG and PDF without overflowing the stack', async () => {
  // Math.min(...points) fails somewhere past 120,000 arguments; the Metropolitan Police area's
  // 4,835 LSOAs have about 300,000 boundary points.
  const ring = (i: number): Array<[number, number]> => Array.from({ length: 50 }, (_, j) => [-0.5 + (i % 70) * 0.01 + Math.cos(j / 8) * 0.004, 51.3 + Math.floor(i / 70) * 0.01 + Math.sin(j / 8) * 0.004] as [number, number])
  const map: MapFigure = { kind: 'map', title: 'Big', legend: [{ key: 'a', label: 'A', colour: '#000000' }], areas: Array.from({ length: 4_000 }, (_, i) => ({ code: `E0100${String(i).padStart(4, '0')}`, name: `LSOA ${i}`, classKey: 'a', rings: [ring(i)] })) }
  const svg = figureSvg(map, 'big')
  assert.equal((svg.match(/<path /g) ?? []).length, 4_000)
  const frame = mapFrame(map, 640, 900)!
  const [x, y] = frame.project([-0.5 - 0.004, 51.3 + 57 * 0.01 + 0.004])
  assert.ok(Math.abs(x) < 1 && Math.abs(y) < 1, `the north-west corner is within a unit of the origin: ${x}, ${y}`)
  const pdf = await profilePdf({ ...doc, sections: doc.sections.map((sec, i) => (i === 0 ? { ...sec, figures: [map] } : sec)) })
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-')
})

test('a heat map draws its cells where they are, clipped to the LSOAs, and goes into Word as its table of peaks', async () => {
  const heat: DensityMapFigure = {
    kind: 'density',
    title: 'Where drugs concentrates',
    legend: [{ key: 'x1', label: '1 to 2 times the mean', colour: '#fecc5c' }, { key: 'x8', label: '8 or more times the mean', colour: '#bd0026' }],
    areas: [{ code: 'E01000001', rings: [[[-1.2, 52.6], [-1.1, 52.6], [-1.1, 52.7], [-1.2, 52.7], [-1.2, 52.6]]] }],
    extent: { west: -1.25, south: 52.55, east: -1.05, north: 52.75 },
    cells: [{ west: -1.2, south: 52.6, east: -1.15, north: 52.65, classKey: 'x8' }, { west: -1.15, south: 52.65, east: -1.1, north: 52.7, classKey: 'x1' }],
    bandwidthMetres: 1000,
    peaks: [{ rank: 1, place: 'Example 001A', code: 'E01000001', densityPerSquareKm: 15.2, timesMean: 25.9, within: 160 }],
  }
  const svg = figureSvg(heat, 'figure-threat-4')
  // The area is 0.1 degrees square; the frame shrinks longitude by cos(52.65 degrees) and fits a box
  // 640 px wide and 900 tall: here the height decides, 9,000 px a degree.
  const k = Math.cos((52.65 * Math.PI) / 180)
  const scale = Math.min(640 / (0.1 * k), 900 / 0.1)
  const rects = [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="(#[0-9a-f]{6})"\/>/g)].slice(0, 2)
  assert.deepEqual(rects.map((r) => r[5]), ['#bd0026', '#fecc5c'])
  const [x, y, w, h] = rects[0]!.slice(1, 5).map(Number)
  assert.ok(Math.abs(x! - 0) < 0.1 && Math.abs(y! - 0.05 * scale) < 0.1, `the 8x cell's corner at (${x}, ${y})`)
  assert.ok(Math.abs(w! - 0.05 * k * scale) < 0.1 && Math.abs(h! - 0.05 * scale) < 0.1, `its size ${w} by ${h}`)
  assert.match(svg, /<clipPath id="figure-threat-4-clip"><use href="#figure-threat-4-lsoas"\/><\/clipPath>/)
  assert.match(svg, /<g clip-path="url\(#figure-threat-4-clip\)"/)
  assert.equal((svg.match(/ d="/g) ?? []).length, 1, 'the LSOAs are written once')

  const withHeat: ProfileDocument = { ...doc, sections: [{ ...doc.sections[0]!, figures: [heat] }] }
  const body = strFromU8(unzipSync(new Uint8Array(await profileDocx(withHeat)))['word/document.xml']!)
  assert.ok(body.includes('Example 001A') && body.includes('25.9') && body.includes('Within 1,000 m'), 'Word has the table of peaks')
  const pdf = await profilePdf(withHeat)
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-')
})
