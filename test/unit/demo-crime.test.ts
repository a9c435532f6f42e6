import assert from 'node:assert/strict'
import { test } from 'node:test'
import { crimePicture, DEMO_CRIME_SCALE, intelligenceBatches } from '../../src/core/demo/crime.ts'
import { demoPartnership } from '../../src/core/demo/partnership.ts'

const partnership = demoPartnership({ adminEmail: 'admin@demo.achilles.example', today: '2026-11-23' })
const make = () => crimePicture({ agencies: partnership.agencies, users: partnership.users, today: '2026-11-23', scale: DEMO_CRIME_SCALE })

test('the crime picture is the same for the same seed', () => {
  assert.deepEqual(make(), make())
})

test('every group has one principal and only suspects are members', () => {
  const picture = make()
  const people = new Map(picture.entities.flatMap((e) => (e.schema === 'Person' ? [[e.id, e.person] as const] : [])))
  assert.equal(picture.groups.length, DEMO_CRIME_SCALE.groups)
  for (const g of picture.groups) {
    const members = picture.members.filter((m) => m.groupId === g.id)
    assert.equal(members.filter((m) => m.role === 'principal').length, 1, g.name)
    assert.ok(members.length >= 4)
    for (const m of members) assert.equal(people.get(m.personId)?.personRole, 'suspect')
    for (const m of members) assert.equal(m.role === 'enabler', m.enablerProfession !== null)
  }
  // Victims and people at risk exist in the picture, apart from the groups.
  assert.ok([...people.values()].some((p) => p.personRole === 'victim'))
  assert.ok([...people.values()].some((p) => p.personRole === 'person_at_risk'))
})

test('handling follows the rules the database enforces', () => {
  const picture = make()
  for (const r of [...picture.entities, ...picture.groups, ...picture.links]) {
    assert.equal(r.handlingCode === 'C', Boolean(r.handlingConditions))
    assert.ok(!(r.protectiveMarking === 'OFFICIAL-SENSITIVE' && r.sharingScope === 'partnership'))
    assert.equal(r.sharingScope === 'named', r.sharedWithAgencyIds.length > 0)
    assert.ok(!r.sharedWithAgencyIds.includes(r.owningAgencyId))
  }
  const keys = picture.links.map((l) => `${l.subjectId}|${l.objectId}|${l.linkType}|${l.startDate}`)
  assert.equal(new Set(keys).size, keys.length, 'links are unique')
})

test('phone numbers come only from the ranges Ofcom reserves for drama, and are unique', () => {
  const numbers = make().entities.flatMap((e) => (e.schema === 'Phone' ? [e.phone.number] : []))
  assert.ok(numbers.length > 0)
  assert.equal(new Set(numbers).size, numbers.length)
  for (const n of numbers) assert.match(n, /^(07700 900|01632 960|020 7946 0|01\d\d 49[68] 0)\d{3}$/)
})

test('intelligence comes in batches, each record mentioning a group and its members', () => {
  const picture = make()
  const batches = [...intelligenceBatches({ picture, users: partnership.users, agencies: partnership.agencies, today: '2026-11-23', count: 120, batchSize: 50 })]
  assert.deepEqual(batches.map((b) => b.length), [50, 50, 20])
  const members = new Set(picture.members.map((m) => `${m.groupId}|${m.personId}`))
  for (const r of batches.flat()) {
    assert.equal(r.mentionedGroupIds.length, 1)
    for (const p of r.mentionedEntityIds) assert.ok(members.has(`${r.mentionedGroupIds[0]}|${p}`))
    assert.ok(r.reportedOn <= '2026-11-23')
  }
})

test('demonstration answers fit the shipped tactical model, say they were invented, and severe groups score higher', async () => {
  const { TACTICAL_MODEL } = await import('../../src/core/scoring/defaultModels.ts')
  const { scoreAssessment } = await import('../../src/core/scoring/scoreAssessment.ts')
  const { demonstrationAnswers } = await import('../../src/core/demo/assessments.ts')
  const { seededRandom } = await import('../../src/core/demo/random.ts')
  const r = seededRandom(1)
  const mean = (severity: number) => {
    let total = 0
    for (let i = 0; i < 50; i++) {
      const answers = demonstrationAnswers(TACTICAL_MODEL, r, severity)
      for (const a of Object.values(answers.factors)) assert.match(a!.rationale, /^Invented for the demonstration/)
      const scored = scoreAssessment(TACTICAL_MODEL, answers)
      assert.ok(scored.ok, JSON.stringify(!scored.ok && scored.problems))
      total += scored.ok ? scored.result.score : 0
    }
    return total / 50
  }
  assert.ok(mean(0.9) > mean(0.1) + 10)
})
