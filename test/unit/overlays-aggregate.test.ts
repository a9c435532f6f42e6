import assert from 'node:assert/strict'
import { test } from 'node:test'
import { aggregateLayer, countByLsoa, listInWords } from '../../src/core/overlays/aggregate.ts'
import { OVERLAY_LAYER_KEYS, OVERLAY_LAYERS, PARTNER_LAYERS } from '../../src/core/overlays/layers.ts'

const layer = (counts: Record<string, number>) => ({ key: 'cuckooing', label: 'Cuckooing addresses', source: 'Points supplied by Leicester City Council', counts: new Map(Object.entries(counts)) })

test('an LSOA with 3 cuckooing addresses shows "fewer than 5", and its value is nowhere in the output', () => {
  // Three LSOAs: 3, 0 and 0 addresses; the area's total is 3, which is small too.
  const out = aggregateLayer(layer({ E01000001: 3 }), ['E01000002', 'E01000001', 'E01000003'])
  assert.deepEqual(out.byLsoa, [
    { code: 'E01000001', suppressed: true, reason: 'small number', display: 'fewer than 5' },
    { code: 'E01000002', suppressed: false, value: 0, display: '0' },
    { code: 'E01000003', suppressed: false, value: 0, display: '0' },
  ])
  assert.deepEqual(out.total, { suppressed: true, reason: 'small number', display: 'fewer than 5' })
  assert.ok(!JSON.stringify(out).includes('3,') && !JSON.stringify(out).includes(':3'))
})

test('a lone hidden cell beside a shown total forces the next smallest to be withheld', () => {
  // 2 + 7 + 12 = 21. Showing 7, 12 and 21 would give away the 2: the 7 is withheld too, leaving
  // 9 between two hidden cells.
  const out = aggregateLayer(layer({ E01000001: 2, E01000002: 7, E01000003: 12 }), ['E01000001', 'E01000002', 'E01000003'])
  assert.deepEqual(out.byLsoa.map((c) => c.display), ['fewer than 5', 'withheld', '12'])
  assert.deepEqual(out.byLsoa[1], { code: 'E01000002', suppressed: true, reason: 'complementary', display: 'withheld' })
  assert.deepEqual(out.total, { suppressed: false, value: 21, display: '21' })
  const shown = out.byLsoa.reduce((sum, c) => sum + (c.suppressed ? 0 : c.value), 0)
  assert.equal(21 - shown, 9, 'a reader can bound the hidden pair, not name either')
})

test('the threshold is a parameter', () => {
  const out = aggregateLayer(layer({ E01000001: 7, E01000002: 30 }), ['E01000001', 'E01000002'], 10)
  assert.deepEqual(out.byLsoa.map((c) => c.display), ['fewer than 10', 'withheld'])
  assert.equal(out.total.display, '37')
  assert.throws(() => aggregateLayer(layer({}), ['E01000001'], 0), /threshold/)
})

test('points outside the area are not counted, and every LSOA of the area has a cell', () => {
  const out = aggregateLayer(layer({ E01000001: 6, E01009999: 40 }), ['E01000001', 'E01000002'])
  assert.deepEqual(out.byLsoa.map((c) => [c.code, c.display]), [['E01000001', '6'], ['E01000002', '0']])
  assert.equal(out.total.display, '6')
})

test('the output holds only codes and published counts: no personal field', () => {
  const out = aggregateLayer(layer({ E01000001: 9, E01000002: 1 }), ['E01000001', 'E01000002'])
  assert.deepEqual(Object.keys(out).sort(), ['byLsoa', 'key', 'label', 'source', 'total'])
  for (const cell of out.byLsoa) {
    for (const key of Object.keys(cell)) assert.ok(['code', 'suppressed', 'value', 'reason', 'display'].includes(key), key)
  }
})

test('counting by LSOA leaves out what lies in none', () => {
  assert.deepEqual([...countByLsoa(['E01000001', null, 'E01000001', 'E01000002'])], [['E01000001', 2], ['E01000002', 1]])
  assert.equal(listInWords(['Leicestershire Police', 'Leicester City Council', 'Leicestershire Police']), 'Leicester City Council and Leicestershire Police')
  assert.equal(listInWords(['A', 'C', 'B']), 'A, B and C')
})

test('the catalogue has the two group layers and the seven partner layers', () => {
  assert.deepEqual(OVERLAY_LAYER_KEYS.slice(0, 2), ['group_members', 'group_premises'])
  assert.equal(PARTNER_LAYERS.length, 7)
  for (const k of OVERLAY_LAYER_KEYS) assert.equal(OVERLAY_LAYERS[k].key, k)
})
