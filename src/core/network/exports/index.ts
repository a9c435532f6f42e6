import type { Network } from '../graph.ts'
import { toFtmLines } from './ftm.ts'
import { toGexf } from './gexf.ts'
import { toGraphml } from './graphml.ts'
import { toI2Entities, toI2Links } from './i2.ts'
import type { ExportMeta } from './meta.ts'

export { highestMarking, noticeText, type ExportMeta } from './meta.ts'

export const EXPORT_FORMATS = ['graphml', 'gexf', 'i2-entities', 'i2-links', 'ftm'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export const EXPORT_FORMAT_RULES: Record<ExportFormat, { label: string; extension: string; contentType: string; write: (n: Network, m: ExportMeta) => string }> = {
  graphml: { label: 'GraphML (Gephi, yEd, Cytoscape)', extension: 'graphml', contentType: 'application/graphml+xml; charset=utf-8', write: toGraphml },
  gexf: { label: 'GEXF (Gephi)', extension: 'gexf', contentType: 'application/gexf+xml; charset=utf-8', write: toGexf },
  'i2-entities': { label: 'i2 entities sheet (CSV)', extension: 'entities.csv', contentType: 'text/csv; charset=utf-8', write: toI2Entities },
  'i2-links': { label: 'i2 links sheet (CSV)', extension: 'links.csv', contentType: 'text/csv; charset=utf-8', write: toI2Links },
  ftm: { label: 'FollowTheMoney (JSON lines)', extension: 'ftm.json', contentType: 'application/x-ndjson; charset=utf-8', write: toFtmLines },
}

/** The network in the format asked for, with its handling in the file. */
export function exportNetwork(format: ExportFormat, network: Network, meta: ExportMeta): string {
  return EXPORT_FORMAT_RULES[format].write(network, meta)
}
