import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  assembleNetwork, filterEdges, hopLimitFor, MENTION_FANOUT_LIMIT, neighbourhood, SHARED_FANOUT_LIMIT,
  type EntityRow, type LinkRow, type NetworkRows,
} from '../../src/core/network/assemble.ts'

// Building the network from the rows a user may see: which evidence makes an edge, how parallel
// evidence merges, and expanding from a start by hops.

const P = { handlingCode: 'P' as const, handlingConditions: null }
const C = (conditions: string) => ({ handlingCode: 'C' as const, handlingConditions: conditions })
const person = (id: string, caption = id): EntityRow => ({ id, schema: 'Person', caption, personRole: 'suspect', protectiveMarking: 'OFFICIAL', ...P })
const thing = (id: string, schema: EntityRow['schema']): EntityRow => ({ id, schema, caption: id, personRole: null, protectiveMarking: 'OFFICIAL', ...P })
let serial = 0
const link = (linkType: string, subjectId: string, objectId: string, o: Partial<LinkRow> = {}): LinkRow => ({
  id: `l${++serial}`, linkType, subjectId, objectId, startDate: null, endDate: null, grading: null, ...P, ...o,
})
const rows = (o: Partial<NetworkRows>): NetworkRows => ({ entities: [], groups: [], links: [], memberships: [], holdings: [], mentions: [], matches: [], ...o })
const edgeTypes = (r: NetworkRows) => assembleNetwork(r).edges.map((e) => `${e.type} ${e.source} ${e.target}`)

describe('assembleNetwork', () => {
  test('makes nodes of entities and groups with entity: and group: ids and their handling', () => {
    const n = assembleNetwork(rows({
      entities: [{ ...person('a', 'Ann'), ...C('Not to be shared with housing') }],
      groups: [{ id: 'g', name: 'Crew', status: 'active', protectiveMarking: 'OFFICIAL', ...P }],
    }))
    assert.deepEqual(n.nodes.map((x) => [x.id, x.kind, x.label]), [['entity:a', 'Person', 'Ann'], ['group:g', 'Group', 'Crew']])
    assert.equal(n.nodes[0]!.attributes!.handlingConditions, 'Not to be shared with housing')
    assert.equal(n.nodes[0]!.attributes!.personRole, 'suspect')
  })

  test('a typed link is an edge of its type, directed unless symmetric, keeping dates, grading, handling and source', () => {
    const n = assembleNetwork(rows({
      entities: [person('b'), person('a'), thing('co', 'Company')],
      links: [link('associate', 'b', 'a', { id: 'L1', startDate: '2024-01-01', grading: 'B2P' }), link('director', 'a', 'co', { id: 'L2', ...C('Police only') })],
    }))
    const associate = n.edges.find((e) => e.type === 'associate')!
    // Symmetric: the ends are put in order, so "a – b" and "b – a" are one edge.
    assert.deepEqual([associate.source, associate.target, associate.directed], ['entity:a', 'entity:b', false])
    assert.deepEqual([associate.from, associate.to, associate.grading], ['2024-01-01', null, 'B2P'])
    assert.deepEqual(associate.sources, [{ kind: 'entity_link', id: 'L1' }])
    const director = n.edges.find((e) => e.type === 'director')!
    assert.deepEqual([director.source, director.target, director.directed, director.handlingCode, director.handlingConditions], ['entity:a', 'entity:co', true, 'C', 'Police only'])
  })

  test('parallel evidence is one edge: weight counts records, dates span them, best grade, strictest handling', () => {
    const n = assembleNetwork(rows({
      entities: [person('a'), person('b')],
      links: [
        link('associate', 'a', 'b', { id: 'L1', startDate: '2023-05-01', endDate: '2023-06-01', grading: 'C3P' }),
        link('associate', 'b', 'a', { id: 'L2', startDate: '2022-01-01', endDate: '2024-01-01', grading: 'A1P', ...C('Do not disclose to the subject') }),
      ],
    }))
    assert.equal(n.edges.length, 1)
    const e = n.edges[0]!
    assert.deepEqual([e.weight, e.from, e.to, e.grading, e.handlingCode, e.handlingConditions], [2, '2022-01-01', '2024-01-01', 'A1P', 'C', 'Do not disclose to the subject'])
    assert.deepEqual(e.sources.map((s) => s.id), ['L1', 'L2'])
  })

  test('two people at the same address, phone or vehicle get a shared edge when their links overlap in time', () => {
    const n = assembleNetwork(rows({
      entities: [person('a'), person('b'), person('c'), thing('home', 'Address'), thing('tel', 'Phone'), thing('car', 'Vehicle')],
      links: [
        link('occupant', 'a', 'home', { startDate: '2020-01-01', endDate: '2021-01-01' }),
        link('occupant', 'b', 'home', { startDate: '2020-06-01' }),
        // c lived there after a had left: no shared edge between them.
        link('occupant', 'c', 'home', { startDate: '2022-01-01' }),
        link('uses_phone', 'a', 'tel'), link('uses_phone', 'c', 'tel', { ...C('Lawful intercept: police only') }),
        link('drives_vehicle', 'b', 'car'), link('owner', 'c', 'car'),
      ],
    }))
    const shared = n.edges.filter((e) => e.type.startsWith('shared_'))
    assert.deepEqual(shared.map((e) => `${e.type} ${e.source} ${e.target}`).sort(), [
      'shared_address entity:a entity:b', 'shared_address entity:b entity:c', 'shared_phone entity:a entity:c', 'shared_vehicle entity:b entity:c',
    ])
    const address = shared.find((e) => e.type === 'shared_address' && e.source === 'entity:a')!
    assert.deepEqual([address.from, address.to, address.sources], ['2020-06-01', '2021-01-01', [{ kind: 'shared_address', id: 'home' }]])
    // Derived from a C link, the shared edge is C with its conditions.
    const phone = shared.find((e) => e.type === 'shared_phone')!
    assert.deepEqual([phone.handlingCode, phone.handlingConditions], ['C', 'Lawful intercept: police only'])
  })

  test(`no pairwise shared edges past ${SHARED_FANOUT_LIMIT} people on one address`, () => {
    const people = Array.from({ length: SHARED_FANOUT_LIMIT + 1 }, (_, i) => person(`p${i}`))
    const n = assembleNetwork(rows({ entities: [...people, thing('hostel', 'Address')], links: people.map((p) => link('occupant', p.id, 'hostel')) }))
    assert.equal(n.edges.filter((e) => e.type === 'shared_address').length, 0)
    assert.equal(n.edges.filter((e) => e.type === 'occupant').length, SHARED_FANOUT_LIMIT + 1)
  })

  test('memberships join people to groups, holdings join groups to what they hold, with the group’s handling', () => {
    const n = assembleNetwork(rows({
      entities: [person('a'), thing('unit', 'Address')],
      groups: [{ id: 'g', name: 'Crew', status: 'active', protectiveMarking: 'OFFICIAL', ...C('Partnership only') }],
      memberships: [{ id: 'm1', groupId: 'g', personId: 'a', role: 'principal', startDate: '2021-01-01', endDate: null, ...C('Partnership only') }],
      holdings: [{ id: 'h1', groupId: 'g', entityId: 'unit', kind: 'premises', startDate: null, endDate: null, ...C('Partnership only') }],
    }))
    assert.deepEqual(n.edges.map((e) => `${e.type} ${e.source} ${e.target} ${e.handlingCode}`).sort(), ['holds group:g entity:unit C', 'member_of entity:a group:g C'])
  })

  test('everything one intelligence record mentions is joined pairwise, graded and dated by the record', () => {
    const n = assembleNetwork(rows({
      entities: [person('a'), person('b'), thing('car', 'Vehicle')],
      groups: [{ id: 'g', name: 'Crew', status: 'active', protectiveMarking: 'OFFICIAL', ...P }],
      mentions: [
        { intelligenceId: 'i1', reportedOn: '2025-03-01', grading: 'B2P', mentioned: ['entity:a', 'entity:b', 'group:g'], ...P },
        { intelligenceId: 'i2', reportedOn: '2025-04-01', grading: 'A2C', mentioned: ['entity:b', 'entity:a'], ...C('Source protection') },
        // What the user may not see never reaches the rows; an id outside the nodes is dropped.
        { intelligenceId: 'i3', reportedOn: '2025-05-01', grading: 'C1P', mentioned: ['entity:a', 'entity:hidden'], ...P },
      ],
    }))
    const ab = n.edges.find((e) => e.source === 'entity:a' && e.target === 'entity:b')!
    assert.deepEqual([ab.type, ab.weight, ab.from, ab.to, ab.grading, ab.handlingCode], ['co_mentioned', 2, '2025-03-01', '2025-04-01', 'A2C', 'C'])
    assert.equal(n.edges.length, 3)
    assert.ok(!n.edges.some((e) => e.target === 'entity:hidden' || e.source === 'entity:hidden'))
  })

  test(`a record mentioning more than ${MENTION_FANOUT_LIMIT} things adds no co-mention edges`, () => {
    const people = Array.from({ length: MENTION_FANOUT_LIMIT + 1 }, (_, i) => person(`p${i}`))
    const n = assembleNetwork(rows({ entities: people, mentions: [{ intelligenceId: 'bulletin', reportedOn: '2025-01-01', grading: null, mentioned: people.map((p) => `entity:${p.id}`), ...P }] }))
    assert.equal(n.edges.length, 0)
  })

  test('entities linked to one partner record are the same: a confirmed match', () => {
    assert.deepEqual(edgeTypes(rows({
      entities: [person('a'), person('b'), person('c')],
      matches: [
        { id: 'x1', partnerRecord: 'ds1/42', entityId: 'a', linkedOn: '2026-01-02', ...P },
        { id: 'x2', partnerRecord: 'ds1/42', entityId: 'b', linkedOn: '2026-01-05', ...P },
        { id: 'x3', partnerRecord: 'ds1/43', entityId: 'c', linkedOn: '2026-01-05', ...P },
      ],
    })), ['same_as entity:a entity:b'])
  })

  test('a link whose end is not among the nodes is dropped', () => {
    assert.deepEqual(edgeTypes(rows({ entities: [person('a')], links: [link('associate', 'a', 'gone')] })), [])
  })
})

describe('filterEdges', () => {
  const n = assembleNetwork(rows({
    entities: [person('a'), person('b'), person('c')],
    links: [
      link('associate', 'a', 'b', { startDate: '2020-01-01', endDate: '2020-12-31', grading: 'B2P' }),
      link('family', 'b', 'c', { startDate: '2023-01-01', grading: 'A1C', ...C('Police only') }),
    ],
  }))
  const types = (f: Parameters<typeof filterEdges>[1]) => filterEdges(n, f).edges.map((e) => e.type)
  test('by link type, handling code and grading (a grade prefix matches)', () => {
    assert.deepEqual(types({ types: ['family'] }), ['family'])
    assert.deepEqual(types({ handling: ['P'] }), ['associate'])
    assert.deepEqual(types({ gradings: ['b2'] }), ['associate'])
  })
  test('by period: an edge is kept when its span meets the period, an open end reaching on', () => {
    assert.deepEqual(types({ from: '2021-01-01' }), ['family'])
    assert.deepEqual(types({ to: '2022-01-01' }), ['associate'])
    assert.deepEqual(types({ from: '2020-06-01', to: '2030-01-01' }), ['associate', 'family'])
  })
})

describe('neighbourhood', () => {
  // a – b – c – d – e, and b – f
  const n = assembleNetwork(rows({
    entities: ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => person(x)),
    links: [link('associate', 'a', 'b'), link('associate', 'b', 'c'), link('associate', 'c', 'd'), link('associate', 'd', 'e'), link('associate', 'b', 'f')],
  }))
  test('keeps the nodes within the hops and the edges among them', () => {
    const r = neighbourhood(n, 'entity:a', 2, 100)
    assert.deepEqual(r.network.nodes.map((x) => x.id), ['entity:a', 'entity:b', 'entity:c', 'entity:f'])
    assert.equal(r.network.edges.length, 3)
    assert.equal(r.truncated, false)
    assert.equal(r.distance.get('entity:c'), 2)
  })
  test('stops at the cap, nearest first, and says it was truncated', () => {
    const r = neighbourhood(n, 'entity:a', 5, 3)
    assert.equal(r.network.nodes.length, 3)
    assert.equal(r.truncated, true)
    assert.ok(r.distance.has('entity:b'))
  })
  test('the hop limit shrinks as the network grows', () => {
    assert.deepEqual([hopLimitFor(100), hopLimitFor(10_000), hopLimitFor(50_000)], [6, 4, 3])
  })
})
