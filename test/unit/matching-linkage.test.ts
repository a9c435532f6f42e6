import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { syntheticLinkage, SYNTHETIC_FIELDS } from '../../bench/syntheticPeople.ts'
import { pairAccuracy } from '../../bench/linkageData.ts'
import { blockingRulesFor, candidatePairs, MAX_BLOCK_SIZE, type BlockingRule } from '../../src/core/matching/blocking.ts'
import { averageLinks, bestLinksForLoneRecords, connectedClusters } from '../../src/core/matching/clusters.ts'
import { comparisonsFor, NOT_COMPARED } from '../../src/core/matching/comparisons.ts'
import { DEFAULT_OPTIONS, explainScoredPair, linkSourceRecords, pairKey, type Decision } from '../../src/core/matching/linkage.ts'
import { placeLoneNames, prepareRecord, type SourceRecord } from '../../src/core/matching/record.ts'

const person = (values: SourceRecord['values'], id = 'x', source = 1) => prepareRecord({ source, id, values })
const ALL = new Set(['given_name', 'family_name', 'birth_date', 'postcode', 'address', 'town', 'email', 'phone', 'national_id'])
const comparison = (key: string) => comparisonsFor('person', ALL).find((c) => c.key === key)!

describe('comparison levels', () => {
  test('given names: exact, swapped, nickname, Jaro-Winkler bands, phonetic, different, and blank', () => {
    const c = comparison('given_name')
    const level = (a: SourceRecord['values'], b: SourceRecord['values']) => c.compare(person(a), person(b))
    assert.equal(level({ given_name: 'Jonathan', family_name: 'Reid' }, { given_name: 'JONATHAN', family_name: 'Reid' }), 0)
    assert.equal(level({ given_name: 'Jonathan', family_name: 'Reid' }, { given_name: 'Reid', family_name: 'Jonathan' }), 1)
    assert.equal(level({ given_name: 'William' }, { given_name: 'Bill' }), 2)
    assert.equal(level({ given_name: 'Marcella' }, { given_name: 'Marcela' }), 3)
    assert.equal(level({ given_name: 'Stephen' }, { given_name: 'Stevan' }), 4)
    assert.equal(level({ given_name: 'Marian' }, { given_name: 'Marion' }) <= 5, true)
    assert.equal(level({ given_name: 'W' }, { given_name: 'William' }), 6)
    assert.equal(level({ given_name: 'Oliver' }, { given_name: 'Priya' }), 7)
    assert.equal(level({ given_name: 'Oliver' }, {}), NOT_COMPARED)
    assert.equal(c.levels.length, 8)
  })

  test('dates of birth: the same, day and month swapped, one and two digits wrong, different', () => {
    const c = comparison('birth_date')
    const level = (a: string, b: string) => c.compare(person({ birth_date: a }), person({ birth_date: b }))
    assert.equal(level('12/03/1985', '1985-03-12'), 0)
    assert.equal(level('04/11/1990', '11/04/1990'), 1)
    assert.equal(level('12/03/1985', '13/03/1985'), 2)
    assert.equal(level('12/03/1985', '21/03/1985'), 2) // two digits swapped
    assert.equal(level('12/03/1985', '13/04/1985'), 3)
    assert.equal(level('12/03/1985', '02/07/1961'), 4)
  })

  test('postcodes: the same, sector, district, one character, different', () => {
    const c = comparison('postcode')
    const level = (a: string, b: string) => c.compare(person({ postcode: a }), person({ postcode: b }))
    assert.equal(level('LE1 6HA', 'le16ha'), 0)
    assert.equal(level('LE1 6HA', 'LE1 6RP'), 1)
    assert.equal(level('LE1 6HA', 'LE1 9ZZ'), 2)
    assert.equal(level('4223', '4233'), 3)
    assert.equal(level('LE1 6HA', 'NG7 2RD'), 4)
  })

  test('a family name found among the other record’s middle names is a level of its own', () => {
    const c = comparison('family_name')
    const level = (a: string, b: string) => c.compare(prepareRecord({ source: 1, id: 'a', values: { full_name: a } }), prepareRecord({ source: 1, id: 'b', values: { full_name: b } }))
    assert.equal(c.levels[level('George Pretyman', 'George Pretyman Tomline')], "one's family name is among the other's middle names (Pretyman and George Pretyman Tomline)")
    assert.equal(level('George Pretyman', 'George Thomson Omond'), 7)
  })

  test('the town counts only where a postcode does not already place both records', () => {
    const c = comparison('town')
    assert.equal(c.compare(person({ town: 'Leeds', postcode: 'LS1 4AP' }), person({ town: 'Leeds', postcode: 'LS2 9JT' })), NOT_COMPARED)
    assert.equal(c.compare(person({ town: 'Leeds', postcode: 'LS1 4AP' }), person({ town: 'Leeds' })), 0)
    assert.equal(c.compare(person({ town: 'Leeds' }), person({ town: 'Leicester' })), 2)
  })

  test('a given-name column holding only a title, or a family-name column only an honour, gives way to the full name', () => {
    const r = person({ full_name: 'Sir Ned Loder, Baronet', given_name: 'Sir', family_name: 'Baronet' })
    assert.equal(r.given, 'ned')
    assert.equal(r.family, 'loder')
  })

  test('phones and e-mail addresses: the same, nearly the same, different', () => {
    const phone = comparison('phone')
    assert.equal(phone.compare(person({ phone: '07700 900123' }), person({ phone: '+447700900123' })), 0)
    assert.equal(phone.compare(person({ phone: '07700 900123' }), person({ phone: '07800 900123' })), 1)
    const email = comparison('email')
    assert.equal(email.compare(person({ email: 'jo.reid@example.org' }), person({ email: 'jo.reid@example.net' })), 1)
    assert.equal(email.compare(person({ email: 'jo.reid@example.org' }), person({ email: 'sam@else.org' })), 3)
  })

  test('only fields that were mapped are compared', () => {
    assert.deepEqual(
      comparisonsFor('person', new Set(['full_name', 'birth_date'])).map((c) => c.key),
      ['given_name', 'family_name', 'birth_date'],
    )
    assert.deepEqual(comparisonsFor('business', new Set(['name', 'postcode'])).map((c) => c.key), ['name', 'postcode'])
  })
})

describe('blocking', () => {
  const rules = blockingRulesFor('person')
  const records = [
    person({ given_name: 'Amy', family_name: 'Reid', birth_date: '01/02/1990', postcode: 'LE1 6HA' }, 'a1', 1),
    person({ given_name: 'Amy', family_name: 'Reed', birth_date: '01/02/1990', postcode: 'LE1 6HA' }, 'b1', 2),
    person({ given_name: 'Amy', family_name: 'Reid', birth_date: '01/02/1990', postcode: 'LE1 6HA' }, 'a2', 1),
    person({ given_name: 'Zed', family_name: 'Quist', birth_date: '09/09/1950', postcode: 'NG7 2RD' }, 'b2', 2),
  ]

  test('each pair agreeing on any rule is found once, with every rule it agrees on marked', () => {
    const pairs = candidatePairs(records, rules, { link: false })
    const found = Array.from({ length: pairs.count }, (_, p) => `${records[pairs.left[p]!]!.id}-${records[pairs.right[p]!]!.id}`).sort()
    assert.deepEqual(found, ['a1-a2', 'a1-b1', 'b1-a2'].sort())
    const exact = Array.from({ length: pairs.count }).findIndex((_, p) => records[pairs.left[p]!]!.id === 'a1' && records[pairs.right[p]!]!.id === 'a2')
    const agreeing = rules.filter((_, r) => (pairs.rules[exact]! & (1 << r)) !== 0).map((r) => r.key)
    assert.ok(agreeing.includes('name_sounds') && agreeing.includes('birth_date_given_initial') && agreeing.includes('postcode_birth_year'), agreeing.join())
  })

  test('linking compares only records from different files', () => {
    const pairs = candidatePairs(records, rules, { link: true })
    for (let p = 0; p < pairs.count; p++) assert.notEqual(records[pairs.left[p]!]!.source, records[pairs.right[p]!]!.source)
    assert.equal(pairs.count, 2)
  })

  test('a block too large to tell anyone apart is skipped and reported', () => {
    const rule: BlockingRule<{ source: number; k: string }> = { key: 'placeholder', label: 'a placeholder', uses: [], keyOf: (r) => r.k }
    const many = Array.from({ length: MAX_BLOCK_SIZE + 3 }, (_, i) => ({ source: 1, k: i < 2 ? 'rare' : '01/01/1900' }))
    const pairs = candidatePairs(many, [rule], { link: false })
    assert.equal(pairs.count, 1)
    assert.deepEqual({ ...pairs.perRule[0]!, blockPairs: undefined }, { key: 'placeholder', pairs: 1, blockPairs: undefined, skippedBlocks: 1, skippedRecords: MAX_BLOCK_SIZE + 1, leftOut: false })
  })

  test('past the pair budget the loosest rule is left out, and the tightest always kept', () => {
    const loose: BlockingRule<{ source: number; k: string; id: number }> = { key: 'loose', label: 'everyone', uses: [], keyOf: () => 'all' }
    const tight: BlockingRule<{ source: number; k: string; id: number }> = { key: 'tight', label: 'twins', uses: [], keyOf: (r) => String(Math.floor(r.id / 2)) }
    const people = Array.from({ length: 100 }, (_, id) => ({ source: 1, k: '', id }))
    const within = candidatePairs(people, [loose, tight], { link: false, budget: 10_000 })
    assert.equal(within.count, 4950)
    const over = candidatePairs(people, [loose, tight], { link: false, budget: 100 })
    assert.equal(over.count, 50)
    assert.deepEqual(over.perRule.map((r) => [r.key, r.leftOut]), [['loose', true], ['tight', false]])
    const tiny = candidatePairs(people, [loose, tight], { link: false, budget: 1 })
    assert.equal(tiny.perRule[1]!.leftOut, false, 'the tightest rule is never left out')
  })
})

test('a lone name is read as a family name when the file uses it more often as one', () => {
  const records = placeLoneNames(
    [
      { given_name: 'Ann', family_name: 'Sugden' },
      { given_name: 'Henry', family_name: 'Sugden' },
      { given_name: 'Archie', family_name: 'Reid' },
      { given_name: 'Sugden' },
      { given_name: 'Archie' },
    ].map((values, i) => person(values, String(i))),
  )
  assert.deepEqual([records[3]!.given, records[3]!.family], [null, 'sugden'])
  assert.deepEqual([records[4]!.given, records[4]!.family], ['archie', null])
})

test('clusters held together by the evidence between them as a whole merge, never across a refusal', () => {
  // Records 0-1 and 2-3 are two clusters; between them three of the four pairs are probable.
  const clusters = Int32Array.from([0, 0, 2, 2, 4])
  const pairs = [
    { left: 0, right: 2, probability: 0.8, refused: false },
    { left: 0, right: 3, probability: 0.7, refused: false },
    { left: 1, right: 2, probability: 0.75, refused: false },
    { left: 3, right: 4, probability: 0.6, refused: false },
  ]
  const links = averageLinks(clusters, pairs, 0.5)
  assert.deepEqual([...connectedClusters(5, [[0, 1], [2, 3], ...links])], [0, 0, 0, 0, 4])
  assert.deepEqual(averageLinks(clusters, pairs.map((p, i) => ({ ...p, refused: i === 1 })), 0.5), [])
})

test('clusters join records linked directly or through others', () => {
  const clusters = connectedClusters(6, [[0, 1], [1, 2], [4, 5]])
  assert.equal(clusters[0], clusters[2])
  assert.equal(clusters[4], clusters[5])
  assert.notEqual(clusters[0], clusters[3])
  assert.notEqual(clusters[3], clusters[4])
})

test('a lone record joins the one cluster it probably belongs to, never two clusters joined through it', () => {
  // Records 0-1 and 2-3 are clusters; 4 is alone, probable with 0 only; 5 is probable with both clusters; 6 was refused by a clerk.
  const clusters = connectedClusters(7, [[0, 1], [2, 3]])
  const pair = (left: number, right: number, probability: number, refused = false) => ({ left, right, probability, refused })
  const links = bestLinksForLoneRecords(clusters, [pair(4, 0, 0.7), pair(4, 2, 0.1), pair(5, 1, 0.8), pair(5, 3, 0.6), pair(6, 2, 0.85, true), pair(1, 2, 0.6)], 0.5)
  assert.deepEqual(links, [[4, 0]])
  const joined = connectedClusters(7, [[0, 1], [2, 3], ...links])
  assert.equal(joined[4], joined[0])
  assert.notEqual(joined[0], joined[2], 'a probable pair between two clusters does not merge them')
  assert.equal(bestLinksForLoneRecords(clusters, [pair(4, 0, 0.4)], 0.5).length, 0)
})

describe('a linkage run', () => {
  const data = syntheticLinkage(2000, 11)
  const run = (decisions?: Map<string, Decision>) => linkSourceRecords('person', data.records, SYNTHETIC_FIELDS, { ...DEFAULT_OPTIONS, uSamples: 200_000, link: true, decisions })
  const result = run()

  test('trains without the truth and finds the shared people with high precision and recall', () => {
    const accuracy = pairAccuracy(data.truth, data.records.map((r) => r.source), result.clusters, true)
    assert.ok(accuracy.precision >= 0.98, `precision ${accuracy.precision}`)
    assert.ok(accuracy.recall >= 0.93, `recall ${accuracy.recall}`)
    assert.ok(result.model.prior > 0 && result.model.prior < 0.01)
    for (const c of result.model.comparisons) {
      const total = c.levels.reduce((s, l) => s + l.u, 0)
      assert.ok(Math.abs(total - 1) < 1e-9, `u of ${c.key} sums to ${total}`)
      assert.ok(c.levels[0]!.m > c.levels[0]!.u * 10, `${c.key}: agreeing is far likelier among matches`)
    }
  })

  test('every pair is explained: the prior and each field’s weight add up to the pair’s weight', () => {
    const pair = result.pairs[0]!
    const e = explainScoredPair(result, result.comparisons, pair)
    const sum = e.prior + e.fields.reduce((s, f) => s + f.weight, 0)
    assert.ok(Math.abs(sum - pair.weight) < 1e-9)
    assert.ok(Math.abs(e.probability - pair.probability) < 1e-12)
    assert.deepEqual(e.fields.map((f) => f.key), result.comparisons.map((c) => c.key))
    for (const f of e.fields) if (f.level === NOT_COMPARED) assert.equal(f.weight, 0)
  })

  test('a rare family name agreeing counts for more than a common one', () => {
    const common = result.records.findIndex((r) => r.family === 'smith')
    const rareIndex = result.records.findIndex((r) => r.family !== null && result.records.filter((x) => x.family === r.family).length === 1)
    const family = result.comparisons.findIndex((c) => c.key === 'family_name')
    const weightOf = (i: number) => explainScoredPair(result, result.comparisons, { left: i, right: i, weight: 0, probability: 0, decision: null }).fields[family]!.weight
    assert.ok(common >= 0 && rareIndex >= 0)
    assert.ok(weightOf(rareIndex) > weightOf(common) + 2, `${weightOf(rareIndex)} vs ${weightOf(common)}`)
  })

  test('clerical decisions override the score, and a saved model scores the same without retraining', () => {
    const strong = result.pairs[0]!
    const weakest = result.pairs[result.pairs.length - 1]!
    const key = (p: typeof strong) => pairKey(result.records[p.left]!, result.records[p.right]!)
    const decided = run(new Map<string, Decision>([[key(strong), 'not_same'], [key(weakest), 'same']]))
    assert.notEqual(decided.clusters[strong.left], decided.clusters[strong.right])
    assert.equal(decided.clusters[weakest.left], decided.clusters[weakest.right])
    assert.equal(decided.pairs.find((p) => p.left === strong.left && p.right === strong.right)!.decision, 'not_same')

    const again = linkSourceRecords('person', data.records, SYNTHETIC_FIELDS, { ...DEFAULT_OPTIONS, link: true, model: result.model })
    assert.deepEqual(again.model, result.model)
    assert.deepEqual([...again.clusters], [...result.clusters])
  })
})
