import type nunjucks from 'nunjucks'
import type { ProfileDocument, ProfileTable } from '../../core/profiles/document.ts'
import { figureSvg } from './svg.ts'
import { cellText, figureAsTable, periodLabel } from './text.ts'

const withCells = (t: ProfileTable) => ({ ...t, cells: t.rows.map((r) => r.map(cellText)) })

/** What the page and the printable HTML show: each figure drawn and followed by the table of its numbers. */
export function profileViewModel(doc: ProfileDocument) {
  return {
    doc,
    period: periodLabel(doc.period),
    sections: doc.sections.map((s) => ({
      ...s,
      figures: s.figures.map((f, i) => ({ title: f.title, svg: figureSvg(f, `figure-${s.key}-${i + 1}`), table: withCells(figureAsTable(f)) })),
      tables: s.tables.map(withCells),
    })),
  }
}

/** The profile as one printable HTML file, needing no network and no script. */
export function profileHtml(views: nunjucks.Environment, doc: ProfileDocument): string {
  return views.render('profiles/views/printable.njk', profileViewModel(doc))
}
