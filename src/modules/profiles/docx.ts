import {
  AlignmentType, BorderStyle, Document, Footer, Header, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType,
} from 'docx'
import type { Cell, Figure, ProfileDocument, ProfileTable } from '../../core/profiles/document.ts'
import { cellText, figureAsTable, periodLabel } from './text.ts'

// Word is how councils and boards read and edit a profile. Charts and maps go into the document as
// the tables of the figures they draw: Word shows SVG only with a raster fallback, and a table is
// what an editor can check and reuse. The printable page and the PDF draw them.

const FONT = 'Arial'

const text = (value: string, options: { bold?: boolean; size?: number } = {}) => new TextRun({ text: value, font: FONT, bold: options.bold, size: options.size })

function tableOf(t: ProfileTable): Table {
  const border = { style: BorderStyle.SINGLE, size: 4, color: 'B1B4B6' }
  const cell = (value: Cell, index: number, head: boolean) =>
    new TableCell({
      borders: { top: border, bottom: border, left: border, right: border },
      children: [new Paragraph({ alignment: t.numeric[index] ? AlignmentType.RIGHT : AlignmentType.LEFT, children: [text(cellText(value), { bold: head, size: 18 })] })],
    })
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: t.head.map((h, i) => cell(h, i, true)) }),
      ...t.rows.map((row) => new TableRow({ children: row.map((v, i) => cell(v, i, false)) })),
    ],
  })
}

function captioned(t: ProfileTable): Array<Paragraph | Table> {
  return [new Paragraph({ spacing: { before: 200, after: 80 }, children: [text(t.caption, { bold: true })] }), tableOf(t)]
}

function figureBlocks(f: Figure): Array<Paragraph | Table> {
  return captioned(figureAsTable(f))
}

/** The profile as a Word document. */
export async function profileDocx(doc: ProfileDocument): Promise<Buffer> {
  const marking = new Paragraph({ alignment: AlignmentType.CENTER, children: [text(doc.protectiveMarking, { bold: true })] })
  const body: Array<Paragraph | Table> = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [text(doc.title, { bold: true, size: 40 })] }),
    new Paragraph({ children: [text(`${doc.area.name} (${doc.area.code}), ${periodLabel(doc.period)}`)] }),
    new Paragraph({ children: [text(`${doc.version === null ? 'Built' : `Version ${doc.version}, built`} ${doc.builtAt}${doc.reviewDate ? `; review by ${doc.reviewDate}` : ''}`)] }),
  ]
  for (const section of doc.sections) {
    body.push(new Paragraph({ heading: HeadingLevel.HEADING_1, spacing: { before: 360 }, children: [text(section.title, { bold: true, size: 32 })] }))
    for (const p of section.narrative) body.push(new Paragraph({ spacing: { after: 120 }, children: [text(p)] }))
    if (section.findings.length > 0) {
      body.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: [text('From the data', { bold: true, size: 26 })] }))
      for (const p of section.findings) body.push(new Paragraph({ bullet: { level: 0 }, children: [text(p)] }))
    }
    for (const f of section.figures) body.push(...figureBlocks(f))
    for (const t of section.tables) body.push(...captioned(t))
  }
  if (doc.contributions.length > 0) {
    body.push(new Paragraph({ heading: HeadingLevel.HEADING_1, spacing: { before: 360 }, children: [text('Contributions', { bold: true, size: 32 })] }))
    for (const c of doc.contributions) body.push(new Paragraph({ bullet: { level: 0 }, children: [text(`${c.agency}: ${c.sections.join(', ')}`)] }))
  }
  body.push(new Paragraph({ spacing: { before: 360 }, children: [] }))
  for (const a of doc.attribution) body.push(new Paragraph({ children: [text(a, { size: 18 })] }))
  const document = new Document({
    creator: 'Achilles',
    title: doc.title,
    description: `Serious and organised crime local profile for ${doc.area.name}`,
    sections: [
      {
        headers: { default: new Header({ children: [marking] }) },
        footers: { default: new Footer({ children: [marking, ...doc.attribution.map((a) => new Paragraph({ alignment: AlignmentType.CENTER, children: [text(a, { size: 14 })] }))] }) },
        children: body,
      },
    ],
  })
  return Packer.toBuffer(document)
}
