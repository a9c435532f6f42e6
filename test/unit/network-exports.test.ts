import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { describe, test } from 'node:test'
import { parse } from 'csv-parse/sync'
import type { Network } from '../../src/core/network/graph.ts'
import { exportNetwork, type ExportMeta } from '../../src/core/network/exports/index.ts'
import { I2_ENTITY_COLUMNS, I2_LINK_COLUMNS } from '../../src/core/network/exports/i2.ts'
import type { NodeMeasures } from '../../src/core/network/measures.ts'

// Every export format: well-formed (XML parsed back by a strict parser), every node and link in it,
// and handling conditions carried in the file itself.

const network: Network = {
  nodes: [
    { id: 'entity:a', kind: 'Person', label: 'Ann <"Smith"> & Co', attributes: { personRole: 'suspect', protectiveMarking: 'OFFICIAL', handlingCode: 'P', handlingConditions: null } },
    { id: 'entity:b', kind: 'Phone', label: '=07700 900123', attributes: { protectiveMarking: 'OFFICIAL-SENSITIVE', handlingCode: 'C', handlingConditions: 'Police only -- no onward sharing' } },
    { id: 'group:g', kind: 'Group', label: 'Crew', attributes: { status: 'active', protectiveMarking: 'OFFICIAL', handlingCode: 'P', handlingConditions: null } },
  ],
  edges: [
    { id: 'uses_phone:entity:a|entity:b', source: 'entity:a', target: 'entity:b', type: 'uses_phone', directed: true, weight: 2, from: '2024-01-01', to: null, sources: [{ kind: 'entity_link', id: 'L1' }, { kind: 'entity_link', id: 'L2' }], grading: 'B2C', handlingCode: 'C', handlingConditions: 'Police only -- no onward sharing' },
    { id: 'member_of:entity:a|group:g', source: 'entity:a', target: 'group:g', type: 'member_of', directed: true, weight: 1, from: null, to: null, sources: [{ kind: 'membership', id: 'M1' }], grading: null, handlingCode: 'P', handlingConditions: null },
  ],
}
const measures = new Map<string, NodeMeasures>(network.nodes.map((n, i) => [n.id, { node: n.id, degree: i + 1, weightedDegree: i + 1, betweenness: i / 2, pagerank: 0.3, eigenvector: 0.5, clustering: 0, community: i % 2 }]))
const meta: ExportMeta = { title: 'Network of Ann', exportedBy: 'Alex Analyst', agency: 'Demo Police', exportedAt: '2026-12-07T10:00:00.000Z', purpose: 'Disruption planning', protectiveMarking: 'OFFICIAL-SENSITIVE', measures }

/** Parses XML with Python's ElementTree (strict: a malformed file raises) and returns what it found. */
function parseXml(xml: string): { root: string; nodes: Array<Record<string, string>>; edges: Array<Record<string, string>>; comment: boolean } {
  const script = `
import sys, json, xml.etree.ElementTree as ET
text = sys.stdin.read()
root = ET.fromstring(text)
def local(t): return t.split('}')[-1]
keys = {k.get('id'): k.get('attr.name') for k in root.iter() if local(k.tag) == 'key'}
titles = {a.get('id'): a.get('title') for a in root.iter() if local(a.tag) == 'attribute'}
def attrs(el):
  out = dict(el.attrib)
  for d in el.iter():
    if local(d.tag) == 'data': out[keys[d.get('key')]] = d.text or ''
    if local(d.tag) == 'attvalue': out[titles[d.get('for')]] = d.get('value')
  return out
print(json.dumps({'root': local(root.tag), 'comment': '<!--' in text.split('<graphml')[0].split('<gexf')[0],
  'nodes': [attrs(n) for n in root.iter() if local(n.tag) == 'node'], 'edges': [attrs(e) for e in root.iter() if local(e.tag) == 'edge']}))
`
  const run = spawnSync('python3', ['-c', script], { input: xml, encoding: 'utf8' })
  assert.equal(run.status, 0, `not well-formed XML: ${run.stderr}`)
  return JSON.parse(run.stdout)
}

describe('GraphML', () => {
  const xml = exportNetwork('graphml', network, meta)
  test('is well-formed, with every node and edge and their attributes, escaped', () => {
    const doc = parseXml(xml)
    assert.equal(doc.root, 'graphml')
    assert.deepEqual(doc.nodes.map((n) => n.id), ['entity:a', 'entity:b', 'group:g'])
    assert.equal(doc.nodes[0]!.label, 'Ann <"Smith"> & Co')
    assert.equal(doc.nodes[1]!.betweenness, '0.5')
    assert.deepEqual(doc.edges.map((e) => [e.source, e.target, e.type, e.grading ?? null, e.directed]), [['entity:a', 'entity:b', 'uses_phone', 'B2C', 'true'], ['entity:a', 'group:g', 'member_of', null, 'true']])
  })
  test('carries handling: a header comment with the marking and notice, and handling attributes on nodes and edges', () => {
    const doc = parseXml(xml)
    assert.ok(doc.comment)
    assert.match(xml.split('\n')[1]!, /^<!-- OFFICIAL-SENSITIVE\. HANDLING NOTICE: .*Disruption planning -->$/)
    assert.equal(doc.nodes[1]!.handlingConditions, 'Police only -- no onward sharing')
    assert.equal(doc.edges[0]!.handlingCode, 'C')
    assert.equal(doc.edges[0]!.handlingConditions, 'Police only -- no onward sharing')
  })
})

describe('GEXF', () => {
  const xml = exportNetwork('gexf', network, meta)
  test('is well-formed GEXF 1.3 with nodes, edges, weights, dates and handling attributes', () => {
    const doc = parseXml(xml)
    assert.equal(doc.root, 'gexf')
    assert.ok(doc.comment)
    assert.match(xml, /<description>OFFICIAL-SENSITIVE\. HANDLING NOTICE/)
    assert.deepEqual(doc.nodes.map((n) => [n.id, n.label, n.kind]), [['entity:a', 'Ann <"Smith"> & Co', 'Person'], ['entity:b', '=07700 900123', 'Phone'], ['group:g', 'Crew', 'Group']])
    assert.equal(doc.nodes[1]!.handlingConditions, 'Police only -- no onward sharing')
    const e = doc.edges[0]!
    assert.deepEqual([e.type, e.weight, e.start, e.linkType, e.grading, e.handlingCode], ['directed', '2', '2024-01-01', 'uses_phone', 'B2C', 'C'])
  })
})

describe('i2 CSV sheets', () => {
  const rowsOf = (text: string) => parse(text, { relax_column_count: true }) as string[][]
  test('the entities sheet: notice line, then the columns, one row a node with attributes and measures', () => {
    const rows = rowsOf(exportNetwork('i2-entities', network, meta))
    assert.match(rows[0]![0]!, /^OFFICIAL-SENSITIVE\. HANDLING NOTICE:/)
    assert.deepEqual(rows[1], [...I2_ENTITY_COLUMNS])
    const phone = Object.fromEntries(I2_ENTITY_COLUMNS.map((c, i) => [c, rows[3]![i]]))
    // A label a spreadsheet would run as a formula is written as text.
    assert.deepEqual([phone.entity_id, phone.entity_type, phone.label, phone.handling_code, phone.handling_conditions, phone.degree], ['entity:b', 'Phone', "'=07700 900123", 'C', 'Police only -- no onward sharing', '2'])
    assert.equal(rows.length, 2 + network.nodes.length)
  })
  test('the links sheet names both ends by the entity ids, with type, arrow, dates, grading, sources and handling', () => {
    const rows = rowsOf(exportNetwork('i2-links', network, meta))
    assert.deepEqual(rows[1], [...I2_LINK_COLUMNS])
    const l = Object.fromEntries(I2_LINK_COLUMNS.map((c, i) => [c, rows[2]![i]]))
    assert.deepEqual([l.from_entity_id, l.to_entity_id, l.link_type, l.arrow, l.strength, l.date_from, l.date_to, l.grading, l.source_records, l.handling_code, l.handling_conditions], [
      'entity:a', 'entity:b', 'uses_phone', 'forward', '2', '2024-01-01', '', 'B2C', 'entity_link:L1 entity_link:L2', 'C', 'Police only -- no onward sharing',
    ])
  })
})

describe('FollowTheMoney JSON lines', () => {
  const lines = exportNetwork('ftm', network, meta).trimEnd().split('\n').map((l) => JSON.parse(l))
  test('one entity a line: nodes in their schemas, links as FtM interval schemas pointing at the node ids', () => {
    assert.equal(lines.length, network.nodes.length + network.edges.length)
    assert.deepEqual(lines.map((l) => l.schema), ['Person', 'Phone', 'Organization', 'UnknownLink', 'Membership'])
    const membership = lines[4]
    assert.deepEqual([membership.properties.member, membership.properties.organization], [['entity-a'], ['group-g']])
    assert.deepEqual(lines[3].properties.role, ['uses_phone'])
    assert.deepEqual(lines[3].properties.startDate, ['2024-01-01'])
    for (const l of lines) for (const values of Object.values(l.properties)) assert.ok(Array.isArray(values) && values.every((v) => typeof v === 'string'))
  })
  test('handling travels in each entity: notes on nodes, description on links, the notice as publisher', () => {
    assert.match(lines[1].properties.notes[0], /OFFICIAL-SENSITIVE\. Handling code C: Police only/)
    assert.match(lines[3].properties.description[0], /Handling code C: Police only -- no onward sharing\. Grading B2C/)
    assert.ok(lines.every((l) => /HANDLING NOTICE/.test(l.properties.publisher[0])))
  })
})
