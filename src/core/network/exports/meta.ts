import { HANDLING_NOTICE } from '../../exports/csv.ts'
import type { NodeMeasures } from '../measures.ts'

// What every network export carries besides the network: who made it, when, why, the marking of
// the most sensitive record in it, and the handling notice. Handling conditions travel in the file
// itself (an attribute on each node and link), not only in the audit log.

export type ExportMeta = {
  title: string
  exportedBy: string
  agency: string
  /** ISO timestamp. */
  exportedAt: string
  purpose: string
  /** OFFICIAL or OFFICIAL-SENSITIVE: the highest marking of any record in the network. */
  protectiveMarking: string
  /** Measures per node id, written beside each node when given. */
  measures?: ReadonlyMap<string, NodeMeasures>
}

export { HANDLING_NOTICE }

/** One line saying what the file is and how it must be handled. */
export function noticeText(meta: ExportMeta): string {
  return `${meta.protectiveMarking}. HANDLING NOTICE: ${HANDLING_NOTICE} ${meta.title}. Exported by ${meta.exportedBy} (${meta.agency}) on ${meta.exportedAt} for: ${meta.purpose}`
}

export const MEASURE_KEYS = ['degree', 'weightedDegree', 'betweenness', 'pagerank', 'eigenvector', 'clustering', 'community'] as const

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }

/** Text for an XML attribute or element; characters XML 1.0 cannot hold at all are dropped. */
export function xmlText(value: string | number | boolean | null | undefined): string {
  // eslint-disable-next-line no-control-regex
  return String(value ?? '').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!)
}

/** A comment's text: "--" may not appear inside an XML comment. */
export const xmlComment = (text: string) => `<!-- ${xmlText(text).replace(/--+/g, '-')} -->`

/** The most restrictive marking among the records of a network. */
export function highestMarking(markings: Iterable<string | null | undefined>): string {
  for (const m of markings) if (m === 'OFFICIAL-SENSITIVE') return 'OFFICIAL-SENSITIVE'
  return 'OFFICIAL'
}
