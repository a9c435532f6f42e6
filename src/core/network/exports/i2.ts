import { csvFile, csvLine } from '../../exports/csv.ts'
import type { Network } from '../graph.ts'
import { MEASURE_KEYS, noticeText, type ExportMeta } from './meta.ts'

// Two sheets for i2 Analyst's Notebook's import wizard (or any link-chart tool): entities, one row
// each with identity, type, label and attributes; links, one row each naming its two ends by the
// entity sheet's identities. The first line of each is the handling notice (tell the wizard to
// start at row 2); every row carries its handling code and conditions.

export const I2_ENTITY_COLUMNS = ['entity_id', 'entity_type', 'label', 'person_role', 'protective_marking', 'handling_code', 'handling_conditions', ...MEASURE_KEYS] as const
export const I2_LINK_COLUMNS = ['link_id', 'from_entity_id', 'to_entity_id', 'from_label', 'to_label', 'link_type', 'arrow', 'strength', 'date_from', 'date_to', 'grading', 'source_records', 'handling_code', 'handling_conditions'] as const

export function toI2Entities(network: Network, meta: ExportMeta): string {
  const lines = [csvLine([noticeText(meta)]), csvLine([...I2_ENTITY_COLUMNS])]
  for (const n of network.nodes) {
    const a = n.attributes ?? {}
    const m = meta.measures?.get(n.id)
    const str = (v: unknown) => (v === null || v === undefined ? null : String(v))
    lines.push(csvLine([n.id, n.kind, n.label, str(a.personRole), str(a.protectiveMarking), str(a.handlingCode), str(a.handlingConditions), ...MEASURE_KEYS.map((k) => (m ? m[k] : null))]))
  }
  return csvFile(lines)
}

export function toI2Links(network: Network, meta: ExportMeta): string {
  const label = new Map(network.nodes.map((n) => [n.id, n.label]))
  const lines = [csvLine([noticeText(meta)]), csvLine([...I2_LINK_COLUMNS])]
  for (const e of network.edges) {
    lines.push(csvLine([
      e.id, e.source, e.target, label.get(e.source) ?? null, label.get(e.target) ?? null, e.type, e.directed ? 'forward' : 'none', e.weight,
      e.from, e.to, e.grading, e.sources.map((s) => `${s.kind}:${s.id}`).join(' '), e.handlingCode, e.handlingConditions,
    ]))
  }
  return csvFile(lines)
}
