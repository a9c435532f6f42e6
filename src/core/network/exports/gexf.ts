import type { Network } from '../graph.ts'
import { MEASURE_KEYS, noticeText, xmlComment, xmlText, type ExportMeta } from './meta.ts'

// GEXF 1.3 (gexf.net), Gephi's own format. Node and edge attributes carry handling code and
// conditions; the meta description carries the marking and notice. Edge dates become the edge's
// start and end, so Gephi's timeline can play the network.

const NODE_ATTRIBUTES = ['kind', 'protectiveMarking', 'handlingCode', 'handlingConditions'] as const
const EDGE_ATTRIBUTES = ['linkType', 'grading', 'handlingCode', 'handlingConditions', 'sources'] as const

export function toGexf(network: Network, meta: ExportMeta): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', xmlComment(noticeText(meta))]
  out.push('<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">')
  out.push(`  <meta lastmodifieddate="${xmlText(meta.exportedAt.slice(0, 10))}">`)
  out.push('    <creator>Achilles</creator>')
  out.push(`    <description>${xmlText(noticeText(meta))}</description>`)
  out.push('  </meta>')
  const dated = network.edges.some((e) => e.from !== null || e.to !== null)
  out.push(`  <graph defaultedgetype="undirected" mode="${dated ? 'dynamic' : 'static'}"${dated ? ' timeformat="date"' : ''}>`)
  out.push('    <attributes class="node">')
  NODE_ATTRIBUTES.forEach((name, i) => out.push(`      <attribute id="n${i}" title="${name}" type="string"/>`))
  if (meta.measures) MEASURE_KEYS.forEach((name, i) => out.push(`      <attribute id="m${i}" title="${name}" type="${name === 'community' || name === 'degree' ? 'integer' : 'double'}"/>`))
  out.push('    </attributes>')
  out.push('    <attributes class="edge">')
  EDGE_ATTRIBUTES.forEach((name, i) => out.push(`      <attribute id="e${i}" title="${name}" type="string"/>`))
  out.push('    </attributes>')
  const att = (id: string, value: string | number | boolean | null | undefined) => (value === null || value === undefined ? '' : `<attvalue for="${id}" value="${xmlText(value)}"/>`)
  out.push('    <nodes>')
  for (const n of network.nodes) {
    const a = n.attributes ?? {}
    const m = meta.measures?.get(n.id)
    const values = [att('n0', n.kind), att('n1', a.protectiveMarking), att('n2', a.handlingCode), att('n3', a.handlingConditions), ...(m ? MEASURE_KEYS.map((k, i) => att(`m${i}`, m[k])) : [])].join('')
    out.push(`      <node id="${xmlText(n.id)}" label="${xmlText(n.label)}"><attvalues>${values}</attvalues></node>`)
  }
  out.push('    </nodes>')
  out.push('    <edges>')
  for (const e of network.edges) {
    const span = `${e.from ? ` start="${xmlText(e.from)}"` : ''}${e.to ? ` end="${xmlText(e.to)}"` : ''}`
    const values = [att('e0', e.type), att('e1', e.grading), att('e2', e.handlingCode), att('e3', e.handlingConditions), att('e4', e.sources.map((s) => `${s.kind}:${s.id}`).join(' '))].join('')
    out.push(`      <edge id="${xmlText(e.id)}" source="${xmlText(e.source)}" target="${xmlText(e.target)}" type="${e.directed ? 'directed' : 'undirected'}" weight="${e.weight}" label="${xmlText(e.type)}"${span}><attvalues>${values}</attvalues></edge>`)
  }
  out.push('    </edges>')
  out.push('  </graph>', '</gexf>', '')
  return out.join('\n')
}
