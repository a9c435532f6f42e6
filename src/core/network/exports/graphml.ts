import type { Network } from '../graph.ts'
import { MEASURE_KEYS, noticeText, xmlComment, xmlText, type ExportMeta } from './meta.ts'

// GraphML (graphml.graphdrawing.org), as Gephi, yEd, Cytoscape and networkx read it. Each node and
// edge carries its handling code and conditions as data; the graph carries the marking and notice.

const NODE_KEYS = [
  ['label', 'string'], ['kind', 'string'], ['protectiveMarking', 'string'], ['handlingCode', 'string'], ['handlingConditions', 'string'],
] as const
const EDGE_KEYS = [
  ['type', 'string'], ['weight', 'double'], ['from', 'string'], ['to', 'string'], ['grading', 'string'],
  ['handlingCode', 'string'], ['handlingConditions', 'string'], ['sources', 'string'],
] as const

export function toGraphml(network: Network, meta: ExportMeta): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', xmlComment(noticeText(meta))]
  out.push('<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">')
  out.push('  <key id="g_marking" for="graph" attr.name="protectiveMarking" attr.type="string"/>')
  out.push('  <key id="g_notice" for="graph" attr.name="handlingNotice" attr.type="string"/>')
  for (const [name, type] of NODE_KEYS) out.push(`  <key id="n_${name}" for="node" attr.name="${name}" attr.type="${type}"/>`)
  if (meta.measures) for (const name of MEASURE_KEYS) out.push(`  <key id="n_${name}" for="node" attr.name="${name}" attr.type="${name === 'community' || name === 'degree' ? 'int' : 'double'}"/>`)
  for (const [name, type] of EDGE_KEYS) out.push(`  <key id="e_${name}" for="edge" attr.name="${name}" attr.type="${type}"/>`)
  const anyDirected = network.edges.some((e) => e.directed)
  out.push(`  <graph id="network" edgedefault="${anyDirected ? 'directed' : 'undirected'}">`)
  out.push(`    <data key="g_marking">${xmlText(meta.protectiveMarking)}</data>`)
  out.push(`    <data key="g_notice">${xmlText(noticeText(meta))}</data>`)
  const data = (key: string, value: string | number | boolean | null | undefined) => (value === null || value === undefined ? '' : `<data key="${key}">${xmlText(value)}</data>`)
  for (const n of network.nodes) {
    const a = n.attributes ?? {}
    const m = meta.measures?.get(n.id)
    out.push(
      `    <node id="${xmlText(n.id)}">${data('n_label', n.label)}${data('n_kind', n.kind)}${data('n_protectiveMarking', a.protectiveMarking)}` +
        `${data('n_handlingCode', a.handlingCode)}${data('n_handlingConditions', a.handlingConditions)}` +
        `${m ? MEASURE_KEYS.map((k) => data(`n_${k}`, m[k])).join('') : ''}</node>`,
    )
  }
  for (const e of network.edges) {
    out.push(
      `    <edge id="${xmlText(e.id)}" source="${xmlText(e.source)}" target="${xmlText(e.target)}" directed="${e.directed}">` +
        `${data('e_type', e.type)}${data('e_weight', e.weight)}${data('e_from', e.from)}${data('e_to', e.to)}${data('e_grading', e.grading)}` +
        `${data('e_handlingCode', e.handlingCode)}${data('e_handlingConditions', e.handlingConditions)}${data('e_sources', e.sources.map((s) => `${s.kind}:${s.id}`).join(' '))}</edge>`,
    )
  }
  out.push('  </graph>', '</graphml>', '')
  return out.join('\n')
}
