import PDFDocument from 'pdfkit'
import type { DensityMapFigure, Figure, MapFigure, ProfileDocument, ProfileTable } from '../../core/profiles/document.ts'
import { cellText, figureAsTable, mapFrame, periodLabel } from './text.ts'

// The PDF is what a board pack carries. pdfkit draws the maps and charts as vectors, so they stay
// sharp when printed, with the standard PDF fonts: no font files to ship.

const MARGIN = 50
const BLACK = '#0b0c0c'
const GREY = '#505a5f'
const BLUE = '#1d70b8'

type Pdf = InstanceType<typeof PDFDocument>

function ensureSpace(pdf: Pdf, height: number) {
  if (pdf.y + height > pdf.page.height - MARGIN - 30) pdf.addPage()
}

function drawTable(pdf: Pdf, t: ProfileTable) {
  ensureSpace(pdf, 60)
  pdf.font('Helvetica-Bold').fontSize(10).fillColor(BLACK).text(t.caption, MARGIN, pdf.y, { width: pdf.page.width - 2 * MARGIN })
  pdf.moveDown(0.3)
  // The table takes the document's current font for its cells.
  pdf.font('Helvetica').fontSize(8)
  pdf.table({
    defaultStyle: { border: 0.5, borderColor: '#b1b4b6', padding: 3 },
    columnStyles: t.head.map((_, i) => ({ align: { x: t.numeric[i] ? 'right' : 'left' } })),
    data: [t.head.map((h) => ({ text: h, type: 'TH' as const, font: { family: 'Helvetica-Bold', size: 8 } })), ...t.rows.map((r) => r.map((v) => cellText(v)))],
  })
  pdf.moveDown(0.8)
}

function drawBars(pdf: Pdf, f: Extract<Figure, { kind: 'bars' }>) {
  const width = pdf.page.width - 2 * MARGIN
  const labelWidth = 170
  const rowHeight = 13
  ensureSpace(pdf, 30 + f.bars.length * rowHeight)
  pdf.font('Helvetica-Bold').fontSize(10).fillColor(BLACK).text(f.title, MARGIN, pdf.y)
  const top = pdf.y + 4
  const max = Math.max(1, ...f.bars.map((b) => b.value))
  f.bars.forEach((b, i) => {
    const y = top + i * rowHeight
    const barWidth = ((width - labelWidth - 60) * b.value) / max
    pdf.font('Helvetica').fontSize(8).fillColor(BLACK).text(b.label, MARGIN, y + 2, { width: labelWidth - 6, lineBreak: false, ellipsis: true })
    pdf.rect(MARGIN + labelWidth, y + 1, Math.max(0.5, barWidth), rowHeight - 3).fill(BLUE)
    pdf.fillColor(BLACK).text(cellText(b.value), MARGIN + labelWidth + barWidth + 4, y + 2, { lineBreak: false })
  })
  pdf.x = MARGIN
  pdf.y = top + f.bars.length * rowHeight + 12
}

function drawLine(pdf: Pdf, f: Extract<Figure, { kind: 'line' }>) {
  const width = pdf.page.width - 2 * MARGIN
  const height = 140
  ensureSpace(pdf, height + 50)
  pdf.font('Helvetica-Bold').fontSize(10).fillColor(BLACK).text(f.title, MARGIN, pdf.y)
  const top = pdf.y + 8
  const left = MARGIN + 40
  const plotWidth = width - 50
  const max = Math.max(1, ...f.points.map((p) => p.value))
  pdf.lineWidth(0.5).strokeColor(GREY).moveTo(left, top).lineTo(left, top + height).lineTo(left + plotWidth, top + height).stroke()
  pdf.font('Helvetica').fontSize(7).fillColor(GREY).text(cellText(max), MARGIN, top - 3, { width: 36, align: 'right' }).text('0', MARGIN, top + height - 4, { width: 36, align: 'right' })
  const step = f.points.length > 1 ? plotWidth / (f.points.length - 1) : 0
  const at = (i: number, v: number): [number, number] => [left + i * step, top + height - (height * v) / max]
  f.points.forEach((p, i) => {
    const [x, y] = at(i, p.value)
    if (i === 0) pdf.moveTo(x, y)
    else pdf.lineTo(x, y)
  })
  if (f.points.length > 0) pdf.lineWidth(1.5).strokeColor(BLUE).stroke()
  const every = Math.max(1, Math.ceil(f.points.length / 12))
  f.points.forEach((p, i) => {
    if (i % every === 0) pdf.font('Helvetica').fontSize(6).fillColor(GREY).text(p.label, at(i, 0)[0] - 20, top + height + 3, { width: 40, align: 'center', lineBreak: false })
  })
  pdf.x = MARGIN
  pdf.y = top + height + 20
}

function drawMap(pdf: Pdf, f: MapFigure | DensityMapFigure) {
  const width = pdf.page.width - 2 * MARGIN
  const height = 320
  ensureSpace(pdf, height + 40 + f.legend.length * 12)
  pdf.font('Helvetica-Bold').fontSize(10).fillColor(BLACK).text(f.title, MARGIN, pdf.y)
  const top = pdf.y + 6
  const frame = mapFrame(f, width, height)
  if (!frame) {
    pdf.font('Helvetica').fontSize(9).text('No boundaries are loaded for these areas, so there is no map.', MARGIN, top)
    pdf.moveDown()
    return
  }
  const project = (p: [number, number]): [number, number] => {
    const [x, y] = frame.project(p)
    return [MARGIN + x, top + y]
  }
  const colours = new Map(f.legend.map((l) => [l.key, l.colour]))
  const trace = (rings: ReadonlyArray<ReadonlyArray<[number, number]>>) => {
    for (const ring of rings) {
      ring.forEach((p, i) => (i === 0 ? pdf.moveTo(...project(p)) : pdf.lineTo(...project(p))))
      pdf.closePath()
    }
  }
  if (f.kind === 'map') {
    for (const a of f.areas) {
      trace(a.rings)
      pdf.lineWidth(0.2).fillAndStroke(colours.get(a.classKey) ?? '#ffffff', '#ffffff')
    }
  } else {
    // The LSOAs as the ground, the cells clipped to them (one fill a class), the outlines on top.
    const lsoas = () => f.areas.forEach((a) => trace(a.rings))
    if (f.areas.length > 0) {
      lsoas()
      pdf.fill('#f3f2f1')
    }
    pdf.save()
    if (f.areas.length > 0) {
      lsoas()
      pdf.clip()
    }
    for (const l of f.legend) {
      const cells = f.cells.filter((c) => c.classKey === l.key)
      if (cells.length === 0) continue
      for (const c of cells) {
        const [x0, y0] = project([c.west, c.north])
        const [x1, y1] = project([c.east, c.south])
        pdf.rect(x0, y0, x1 - x0, y1 - y0)
      }
      pdf.fill(l.colour)
    }
    pdf.restore()
    if (f.areas.length > 0) {
      lsoas()
      pdf.lineWidth(0.2).stroke('#ffffff')
    }
  }
  let y = top + frame.height + 8
  for (const l of f.legend) {
    pdf.rect(MARGIN, y, 10, 8).fill(l.colour)
    pdf.font('Helvetica').fontSize(8).fillColor(BLACK).text(l.label, MARGIN + 14, y, { lineBreak: false })
    y += 12
  }
  pdf.x = MARGIN
  pdf.y = y + 8
}

function drawFigure(pdf: Pdf, f: Figure) {
  if (f.kind === 'bars') drawBars(pdf, f)
  else if (f.kind === 'line') drawLine(pdf, f)
  else {
    drawMap(pdf, f)
    drawTable(pdf, figureAsTable(f))
  }
}

/** The profile as a PDF, with the marking and the licence on every page. */
export function profilePdf(doc: ProfileDocument): Promise<Buffer> {
  const pdf = new PDFDocument({ size: 'A4', margin: MARGIN, bufferPages: true, info: { Title: doc.title, Creator: 'Achilles', Subject: `SOC local profile, ${doc.area.name}` } })
  const chunks: Buffer[] = []
  pdf.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)))
    pdf.on('error', reject)
  })
  const width = pdf.page.width - 2 * MARGIN
  pdf.font('Helvetica-Bold').fontSize(22).fillColor(BLACK).text(doc.title, { width })
  pdf.moveDown(0.3)
  pdf.font('Helvetica').fontSize(11).text(`${doc.area.name} (${doc.area.code}), ${periodLabel(doc.period)}`)
  pdf.fontSize(9).fillColor(GREY).text(`${doc.version === null ? 'Built' : `Version ${doc.version}, built`} ${doc.builtAt}${doc.reviewDate ? `; review by ${doc.reviewDate}` : ''}`)
  pdf.moveDown()
  for (const section of doc.sections) {
    ensureSpace(pdf, 80)
    pdf.font('Helvetica-Bold').fontSize(15).fillColor(BLACK).text(section.title, MARGIN, pdf.y, { width })
    pdf.moveDown(0.3)
    for (const p of section.narrative) pdf.font('Helvetica').fontSize(10).fillColor(BLACK).text(p, { width }).moveDown(0.4)
    if (section.findings.length > 0) {
      pdf.font('Helvetica-Bold').fontSize(11).text('From the data').moveDown(0.2)
      for (const p of section.findings) pdf.font('Helvetica').fontSize(9.5).text(`•  ${p}`, { width, indent: 0 }).moveDown(0.2)
      pdf.moveDown(0.4)
    }
    for (const f of section.figures) drawFigure(pdf, f)
    for (const t of section.tables) drawTable(pdf, t)
    pdf.moveDown()
  }
  if (doc.contributions.length > 0) {
    ensureSpace(pdf, 60)
    pdf.font('Helvetica-Bold').fontSize(15).fillColor(BLACK).text('Contributions', MARGIN, pdf.y, { width })
    for (const c of doc.contributions) pdf.font('Helvetica').fontSize(9.5).text(`${c.agency}: ${c.sections.join(', ')}`, { width })
  }
  const range = pdf.bufferedPageRange()
  for (let i = range.start; i < range.start + range.count; i++) {
    pdf.switchToPage(i)
    // Writing in the margin would otherwise make pdfkit start a new page.
    const bottom = pdf.page.margins.bottom
    pdf.page.margins.bottom = 0
    pdf.font('Helvetica-Bold').fontSize(9).fillColor(BLACK).text(doc.protectiveMarking, MARGIN, 20, { width, align: 'center', lineBreak: false })
    pdf.text(doc.protectiveMarking, MARGIN, pdf.page.height - 42, { width, align: 'center', lineBreak: false })
    pdf.font('Helvetica').fontSize(6.5).fillColor(GREY).text(doc.attribution.join(' '), MARGIN, pdf.page.height - 30, { width, align: 'center' })
    pdf.text(`Page ${i - range.start + 1} of ${range.count}`, MARGIN, pdf.page.height - 16, { width, align: 'right', lineBreak: false })
    pdf.page.margins.bottom = bottom
  }
  pdf.end()
  return done
}
