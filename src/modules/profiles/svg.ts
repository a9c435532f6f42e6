import type { DensityMapFigure, Figure, MapFigure } from '../../core/profiles/document.ts'
import { cellText, mapFrame } from './text.ts'

// Figures as inline SVG for the page and the printable HTML: no script, no network, readable by a
// screen reader through the title, and each figure is followed by the table of its numbers.

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const BLUE = '#1d70b8'
const GREY = '#505a5f'
const FONT = 'font-family="Arial, sans-serif"'


function bars(f: Extract<Figure, { kind: 'bars' }>, id: string): string {
  const width = 640
  const labelWidth = 230
  const row = 20
  const height = f.bars.length * row + 10
  const max = Math.max(1, ...f.bars.map((b) => b.value))
  const rows = f.bars
    .map((b, i) => {
      const w = ((width - labelWidth - 70) * b.value) / max
      const y = i * row + 5
      return `<text x="${labelWidth - 6}" y="${y + 13}" text-anchor="end" font-size="12" ${FONT}>${escape(b.label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 2}" width="${Math.max(0.5, w).toFixed(1)}" height="${row - 6}" fill="${BLUE}"/>` +
        `<text x="${(labelWidth + w + 4).toFixed(1)}" y="${y + 13}" font-size="12" ${FONT}>${escape(cellText(b.value))}</text>`
    })
    .join('')
  return `<svg role="img" aria-labelledby="${id}" viewBox="0 0 ${width} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg"><title id="${id}">${escape(f.title)}</title>${rows}</svg>`
}

function line(f: Extract<Figure, { kind: 'line' }>, id: string): string {
  const width = 640
  const height = 220
  const left = 50
  const bottom = height - 30
  const plotWidth = width - left - 10
  const max = Math.max(1, ...f.points.map((p) => p.value))
  const step = f.points.length > 1 ? plotWidth / (f.points.length - 1) : 0
  const x = (i: number) => left + i * step
  const y = (v: number) => 10 + (bottom - 10) * (1 - v / max)
  const path = f.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ')
  const every = Math.max(1, Math.ceil(f.points.length / 8))
  const ticks = f.points
    .map((p, i) => (i % every === 0 ? `<text x="${x(i).toFixed(1)}" y="${bottom + 16}" text-anchor="middle" font-size="11" fill="${GREY}" ${FONT}>${escape(p.label)}</text>` : ''))
    .join('')
  return `<svg role="img" aria-labelledby="${id}" viewBox="0 0 ${width} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg"><title id="${id}">${escape(f.title)}</title>` +
    `<path d="M${left},10 L${left},${bottom} L${width - 10},${bottom}" fill="none" stroke="${GREY}" stroke-width="1"/>` +
    `<text x="${left - 6}" y="16" text-anchor="end" font-size="11" fill="${GREY}" ${FONT}>${escape(cellText(max))}</text>` +
    `<text x="${left - 6}" y="${bottom}" text-anchor="end" font-size="11" fill="${GREY}" ${FONT}>0</text>` +
    `<path d="${path}" fill="none" stroke="${BLUE}" stroke-width="2.5"/>${ticks}</svg>`
}

type Frame = NonNullable<ReturnType<typeof mapFrame>>

/** Rings as one path's data, in the frame's pixels. */
function pathData(rings: ReadonlyArray<ReadonlyArray<readonly [number, number]>>, frame: Frame): string {
  return rings
    .map((ring) => ring.map((p, i) => {
      const [x, y] = frame.project(p)
      return `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`
    }).join('') + 'Z')
    .join('')
}

/** The key below a map of the given height, and the height of map and key together. */
function legendBelow(legend: ReadonlyArray<{ label: string; colour: string }>, height: number): { svg: string; total: number } {
  const svg = legend
    .map((l, i) => `<rect x="0" y="${height + 10 + i * 18}" width="14" height="12" fill="${l.colour}"/><text x="20" y="${height + 20 + i * 18}" font-size="12" ${FONT}>${escape(l.label)}</text>`)
    .join('')
  return { svg, total: height + 20 + legend.length * 18 }
}

const svgOpen = (id: string, title: string, width: number, total: number) =>
  `<svg role="img" aria-labelledby="${id}" viewBox="0 0 ${width} ${total.toFixed(0)}" width="100%" xmlns="http://www.w3.org/2000/svg"><title id="${id}">${escape(title)}</title>`

const MAP_WIDTH = 640
const MAP_MAX_HEIGHT = 900

/** A map's frame in the drawing, its colours by class, and the drawing's opening and key; null when there is nothing to draw. */
function mapLayout(f: MapFigure | DensityMapFigure, id: string) {
  const frame = mapFrame(f, MAP_WIDTH, MAP_MAX_HEIGHT)
  if (!frame) return null
  const legend = legendBelow(f.legend, Math.max(120, frame.height))
  return { frame, colours: new Map(f.legend.map((l) => [l.key, l.colour])), open: svgOpen(id, f.title, MAP_WIDTH, legend.total), legend: legend.svg }
}

function map(f: MapFigure, id: string): string {
  const layout = mapLayout(f, id)
  if (!layout) return ''
  const { frame, colours } = layout
  const shapes = f.areas
    .map((a) => `<path d="${pathData(a.rings, frame)}" fill="${colours.get(a.classKey) ?? '#ffffff'}" stroke="#ffffff" stroke-width="0.4"><title>${escape(a.name)}</title></path>`)
    .join('')
  return `${layout.open}${shapes}${layout.legend}</svg>`
}

/**
 * A heat map: the LSOAs in one path (defined once, then used as the ground, as the clip that keeps
 * the cells inside the area, and as the outlines on top), and the shaded cells as rectangles.
 */
function density(f: DensityMapFigure, id: string): string {
  const layout = mapLayout(f, id)
  if (!layout) return ''
  const { frame, colours } = layout
  const lsoas = f.areas.map((a) => pathData(a.rings, frame)).join('')
  const cells = f.cells
    .map((c) => {
      const [x0, y0] = frame.project([c.west, c.north])
      const [x1, y1] = frame.project([c.east, c.south])
      return `<rect x="${x0.toFixed(1)}" y="${y0.toFixed(1)}" width="${(x1 - x0).toFixed(2)}" height="${(y1 - y0).toFixed(2)}" fill="${colours.get(c.classKey) ?? '#ffffff'}"/>`
    })
    .join('')
  const ground = lsoas
    ? `<defs><path id="${id}-lsoas" d="${lsoas}"/><clipPath id="${id}-clip"><use href="#${id}-lsoas"/></clipPath></defs><use href="#${id}-lsoas" fill="#f3f2f1"/>`
    : ''
  const outlines = lsoas ? `<use href="#${id}-lsoas" fill="none" stroke="#ffffff" stroke-width="0.4"/>` : ''
  return `${layout.open}${ground}<g${lsoas ? ` clip-path="url(#${id}-clip)"` : ''} shape-rendering="crispEdges">${cells}</g>${outlines}${layout.legend}</svg>`
}

/**
 * A figure as an SVG element, or an empty string when it has nothing to draw. `id` names its title
 * for aria-labelledby, so it must be unique on the page: the caller derives it from the figure's place.
 */
export function figureSvg(f: Figure, id: string): string {
  if (f.kind === 'bars') return bars(f, id)
  if (f.kind === 'line') return line(f, id)
  if (f.kind === 'density') return density(f, id)
  return map(f, id)
}
