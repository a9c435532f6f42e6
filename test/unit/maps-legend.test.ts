import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { categoricalLegend, classIndex, classRanges, quantileBreaks, quantityClasses, rangeLabel } from '../../src/core/maps/legend.ts'
import { DECILE_COLOURS, HOTSPOT_COLOURS, sequentialPalette } from '../../src/core/maps/palettes.ts'

test('quantile breaks split ten counts into five classes of two, labelled by the whole numbers each can hold', () => {
  // Sorted: 0 1 2 3 5 8 13 21 34 55. Nearest-rank quantiles at 20%, 40%, 60%, 80% are the 2nd, 4th,
  // 6th and 8th values: 1, 3, 8, 21.
  const breaks = quantileBreaks([5, 0, 34, 1, 2, 55, 3, 8, 13, 21], 5)!
  assert.deepEqual(breaks.thresholds, [1, 3, 8, 21])
  assert.deepEqual(classRanges(breaks).map((r) => rangeLabel(r, 0)), ['0 to 1', '2 to 3', '4 to 8', '9 to 21', '22 to 55'])
  assert.deepEqual([0, 1, 2, 3, 4, 8, 9, 21, 22, 55].map((v) => classIndex(v, breaks)), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4])
})

test('a layer where most LSOAs have none gets a class of its own for 0, and fewer classes', () => {
  const breaks = quantileBreaks([0, 0, 0, 0, 0, 0, 0, 1, 2, 7], 5)!
  assert.deepEqual(breaks.thresholds, [0, 1])
  assert.deepEqual(classRanges(breaks).map((r) => rangeLabel(r, 0)), ['0', '1', '2 to 7'])
})

test('every value equal gives one class; no values give no breaks', () => {
  const breaks = quantileBreaks([4, 4, 4], 5)!
  assert.deepEqual(breaks.thresholds, [])
  assert.deepEqual(classRanges(breaks).map((r) => rangeLabel(r, 0)), ['4'])
  assert.equal(quantileBreaks([], 5), null)
  assert.throws(() => quantileBreaks([1, Number.NaN], 5), /finite/)
})

test('rates are classed at the one decimal they are shown at, so a label never contradicts its members', () => {
  const breaks = quantileBreaks([0.04, 1.26, 2.5, 12.349, 40], 5, 1)!
  assert.deepEqual(breaks.thresholds, [0, 1.3, 2.5, 12.3])
  assert.deepEqual(classRanges(breaks).map((r) => rangeLabel(r, 1)), ['0.0', '0.1 to 1.3', '1.4 to 2.5', '2.6 to 12.3', '12.4 to 40.0'])
  assert.equal(classIndex(12.349, breaks), 3)
  assert.equal(classIndex(12.35, breaks), 4)
})

test('every value falls in exactly the class whose range holds it (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 7 }), (values, classes) => {
      const breaks = quantileBreaks(values, classes)!
      const ranges = classRanges(breaks)
      assert.ok(ranges.length <= classes)
      for (const v of values) {
        const i = classIndex(v, breaks)
        assert.ok(ranges[i]!.lower <= v && v <= ranges[i]!.upper, `${v} in ${JSON.stringify(ranges[i])}`)
      }
      // No class is empty.
      for (let i = 0; i < ranges.length; i++) assert.ok(values.some((v) => classIndex(v, breaks) === i), `class ${i} has a member`)
    }),
  )
})

test('a quantity legend lists the classes light to dark, then the suppressed and the missing, with the LSOAs in each', () => {
  const classes = quantityClasses(
    [{ value: 0 }, { value: 10 }, { value: 20 }, { value: null }, { value: null, suppressed: true }],
    { title: 'Drugs, crimes', classes: 2, suppressedLabel: 'Fewer than 5', noDataLabel: 'No population figure' },
  )
  assert.deepEqual(classes.keys, ['q0', 'q0', 'q1', 'no-data', 'suppressed'])
  assert.deepEqual(classes.legend.items.map((i) => [i.label, i.lsoas]), [['0 to 10', 2], ['11 to 20', 1], ['Fewer than 5', 1], ['No population figure', 1]])
  assert.deepEqual(classes.legend.items.slice(0, 2).map((i) => i.colour), [...sequentialPalette(2)])
})

test('a categorical legend keeps every class, empty ones too, so the key reads the same on every map', () => {
  const legend = categoricalLegend('Hot spots', [{ key: 'a', label: 'A', colour: '#000' }, { key: 'b', label: 'B', colour: '#fff' }], ['a', 'a', 'no-data'])
  assert.deepEqual(legend.items.map((i) => [i.key, i.lsoas]), [['a', 2], ['b', 0], ['no-data', 1]])
})

test('palettes darken step by step (so order survives greyscale), and hot spots have seven distinct colours', () => {
  const lightness = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!
  }
  for (let n = 1; n <= 7; n++) {
    const p = sequentialPalette(n)
    assert.equal(p.length, n)
    for (let i = 1; i < n; i++) assert.ok(lightness(p[i]!) < lightness(p[i - 1]!), `YlGnBu ${n}: step ${i} darker`)
  }
  for (let i = 1; i < 10; i++) assert.ok(lightness(DECILE_COLOURS[i]!) > lightness(DECILE_COLOURS[i - 1]!), `decile ${i + 1} lighter than ${i}`)
  assert.equal(new Set(Object.values(HOTSPOT_COLOURS)).size, 7)
  assert.throws(() => sequentialPalette(8), /1 to 7/)
})
