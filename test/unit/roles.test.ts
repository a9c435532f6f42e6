import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ROLES, capabilitiesOf, capabilitiesOfToken } from '../../src/core/access/roles.ts'

test('every role can see aggregate figures and the directory', () => {
  for (const role of ROLES) {
    assert.ok(capabilitiesOf([role]).includes('dashboard.aggregate'), role)
    assert.ok(capabilitiesOf([role]).includes('agencies.read'), role)
  }
})

test('only administrators manage agencies and users and read the audit log', () => {
  for (const role of ROLES) {
    const caps = capabilitiesOf([role])
    const admin = role === 'administrator'
    assert.equal(caps.includes('agencies.manage'), admin, role)
    assert.equal(caps.includes('users.manage'), admin, role)
    assert.equal(caps.includes('audit.read'), admin, role)
  }
})

test('councillors hold no capability that touches personal data', () => {
  assert.deepEqual(capabilitiesOf(['councillor']), ['dashboard.aggregate', 'agencies.read'])
})

test('several roles combine their capabilities without repeats', () => {
  const caps = capabilitiesOf(['administrator', 'analyst'])
  assert.ok(caps.includes('audit.read') && caps.includes('records.read_sensitive'))
  assert.equal(new Set(caps).size, caps.length)
})

test('a token can do only what both its scopes and its user allow', () => {
  assert.deepEqual(capabilitiesOfToken(['analyst'], ['records:read']), ['records.read', 'records.read_sensitive'])
  // A partner officer's token with records:read still lacks need-to-know access.
  assert.deepEqual(capabilitiesOfToken(['partner_officer'], ['records:read']), ['records.read'])
  // An analyst's token asking for agency administration gets only what the analyst has.
  assert.deepEqual(capabilitiesOfToken(['analyst'], ['agencies:write']), ['agencies.read'])
})
