import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ROLES } from '../../src/core/access/roles.ts'
import { handlingProblems } from '../../src/core/access/visibility.ts'
import { demoPartnership, nationalPartnership } from '../../src/core/demo/partnership.ts'
import { seededRandom } from '../../src/core/demo/random.ts'

const options = { adminEmail: 'admin@demo.achilles.example', today: '2026-11-23' }

test('the same seed builds the same partnership', () => {
  assert.deepEqual(demoPartnership(options), demoPartnership(options))
  assert.notDeepEqual(demoPartnership({ ...options, seed: 1 }).users, demoPartnership({ ...options, seed: 2 }).users)
})

test('the demonstration partnership has a user in every role and a login for each', () => {
  const p = demoPartnership(options)
  for (const role of ROLES) assert.ok(p.users.some((u) => u.roles.includes(role)), role)
  assert.equal(p.logins[0]!.email, options.adminEmail)
  assert.equal(new Set(p.users.map((u) => u.email)).size, p.users.length, 'emails are unique')
})

test('the demonstration agencies cover the partner types the issue names', () => {
  const types = new Set(demoPartnership(options).agencies.map((a) => a.agencyType))
  for (const t of ['police_force', 'local_authority', 'council_service', 'hmrc', 'dwp', 'fire_rescue', 'glaa', 'environment_agency', 'dvsa', 'immigration_enforcement', 'nca', 'rocu', 'health', 'voluntary']) {
    assert.ok(types.has(t as never), t)
  }
})

test('every generated note obeys the handling rules', () => {
  for (const note of [...demoPartnership(options).notes, ...nationalPartnership({ ...options, notes: 2000 }).notes]) {
    assert.deepEqual(handlingProblems(note), [], note.subject)
    assert.ok(!note.sharedWithAgencyIds.includes(note.owningAgencyId))
  }
})

test('national scale has the 43 forces and the sizes asked for', () => {
  const p = nationalPartnership({ ...options, notes: 1000, councilsPerForce: 2, usersPerAgency: 2 })
  assert.equal(p.agencies.filter((a) => a.agencyType === 'police_force').length, 43)
  assert.equal(p.notes.length, 1000)
  assert.equal(new Set(p.agencies.map((a) => a.name.toLowerCase())).size, p.agencies.length, 'agency names are unique')
})

test('seeded ids are valid version-4 uuids', () => {
  const r = seededRandom(7)
  for (let i = 0; i < 100; i++) assert.match(r.uuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
})
