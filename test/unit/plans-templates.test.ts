import assert from 'node:assert/strict'
import { test } from 'node:test'
import shippedJson from '../../config/plans/templates.json' with { type: 'json' }
import { SHIPPED_TEMPLATES } from '../../src/core/plans/shippedTemplates.ts'
import { actionsFromTemplate, parseTemplates, templateFor, type PlanTemplate } from '../../src/core/plans/templates.ts'
import { STRANDS, mayUse, type Power } from '../../src/core/powers/catalogue.ts'
import { SHIPPED_CATALOGUE } from '../../src/core/powers/shippedCatalogue.ts'
import { THREAT_AREAS } from '../../src/core/reference/crime.ts'

const power = (id: string): Power => {
  const found = SHIPPED_CATALOGUE.powers.find((p) => p.id === id)
  assert.ok(found, `the catalogue has no power ${id}`)
  return found
}

test('the shipped templates parse against the shipped catalogue with no problems', () => {
  const parsed = parseTemplates(shippedJson, SHIPPED_CATALOGUE.powers)
  assert.deepEqual(parsed.ok ? [] : parsed.problems, [])
  assert.equal(shippedJson.version, 1)
  assert.equal(shippedJson.reviewed, '2026-12-04')
  assert.match(shippedJson.reviewNote, /not legal advice/)
  assert.equal(SHIPPED_TEMPLATES.length, THREAT_AREAS.length)
})

test('every threat area has exactly one shipped template', () => {
  for (const area of THREAT_AREAS) {
    assert.equal(SHIPPED_TEMPLATES.filter((t) => t.threatArea === area).length, 1, area)
    assert.equal(templateFor(SHIPPED_TEMPLATES, area)?.threatArea, area)
  }
})

test('every shipped template has 6 to 10 actions covering Pursue, Prevent, Protect and Prepare', () => {
  for (const t of SHIPPED_TEMPLATES) {
    assert.ok(t.actions.length >= 6 && t.actions.length <= 10, `${t.key} has ${t.actions.length} actions`)
    for (const strand of STRANDS) assert.ok(t.actions.some((a) => a.strand === strand), `${t.key} has no ${strand} action`)
  }
})

test('every shipped action with a power is led by an agency that may use it, under one of its strands', () => {
  for (const t of SHIPPED_TEMPLATES) {
    for (const a of t.actions) {
      if (a.powerId === null) continue
      const p = power(a.powerId)
      assert.ok(mayUse(p, { agencyType: a.leadAgency.agencyType, serviceArea: a.leadAgency.serviceArea ?? null }), `${t.key}: ${a.title}`)
      assert.ok(p.strands.includes(a.strand), `${t.key}: ${a.title} uses ${p.id} as ${a.strand}`)
      assert.ok(a.dueInDays >= 7 && a.dueInDays <= 180 && Number.isInteger(a.dueInDays), `${t.key}: ${a.title}`)
    }
  }
})

test('the county lines template closes cuckooed addresses, refers young runners and visits the occupants', () => {
  const t = templateFor(SHIPPED_TEMPLATES, 'county_lines')
  assert.ok(t)
  const closure = t.actions.find((a) => a.powerId === 'closure_notice')
  assert.equal(closure?.strand, 'pursue')
  assert.deepEqual(closure?.leadAgency, { agencyType: 'police_force' })
  assert.ok(t.actions.some((a) => a.powerId === 'nrm_referral' && a.strand === 'prevent'))
  assert.ok(t.actions.some((a) => a.powerId === 'child_safeguarding_referral' && a.leadAgency.serviceArea === 'children_services'))
  assert.ok(t.actions.some((a) => a.strand === 'protect' && a.leadAgency.serviceArea === 'adult_social_care' && /cuckooed/.test(a.title)))
  assert.ok(t.actions.some((a) => a.strand === 'prepare' && /community impact assessment/i.test(a.title)))
})

// Small invented inputs: a two-power catalogue and a county lines template of six actions.
const catalogue = [power('closure_notice'), power('nrm_referral')]
type ActionIn = { strand: string; title: string; description: string; powerId: string | null; leadAgency: { agencyType: string; serviceArea?: string }; dueInDays: number }
const police = { agencyType: 'police_force' }
const baseActions = (): ActionIn[] => [
  { strand: 'pursue', title: 'Close the cuckooed flat', description: 'Serve a closure notice on 12 Mill Lane.', powerId: 'closure_notice', leadAgency: police, dueInDays: 7 },
  { strand: 'pursue', title: 'Arrest the line holder', description: 'Arrest and interview the line holder.', powerId: null, leadAgency: police, dueInDays: 14 },
  { strand: 'prevent', title: 'Refer the runners', description: 'Make NRM referrals for the two runners.', powerId: 'nrm_referral', leadAgency: police, dueInDays: 7 },
  { strand: 'protect', title: 'Visit the occupant', description: 'Safeguarding visit with adult social care.', powerId: null, leadAgency: { agencyType: 'council_service', serviceArea: 'adult_social_care' }, dueInDays: 7 },
  { strand: 'protect', title: 'Change the locks', description: 'Target hardening at the flat.', powerId: null, leadAgency: { agencyType: 'local_authority' }, dueInDays: 10 },
  { strand: 'prepare', title: 'Reassure the street', description: 'Community impact assessment and leaflet drop.', powerId: null, leadAgency: police, dueInDays: 7 },
]
const templateIn = (over: Record<string, unknown> = {}) => ({
  key: 'county_lines', threatArea: 'county_lines', title: 'County lines', description: 'A line from the city.', actions: baseActions(), ...over,
})
const fileWith = (...templates: unknown[]) => ({ version: 1, reviewed: '2027-01-01', reviewNote: 'Test templates.', templates })
const problemsOf = (json: unknown) => {
  const parsed = parseTemplates(json, catalogue)
  assert.equal(parsed.ok, false)
  return parsed.ok ? [] : parsed.problems
}

test('accepts the invented template as written', () => {
  const parsed = parseTemplates(fileWith(templateIn()), catalogue)
  assert.deepEqual(parsed.ok ? [] : parsed.problems, [])
})

test('refuses an action naming a power the catalogue does not hold', () => {
  const actions = baseActions()
  actions[0] = { ...actions[0]!, powerId: 'crack_house_order' }
  assert.deepEqual(problemsOf(fileWith(templateIn({ actions }))), [
    { field: 'templates[0].actions[0].powerId', message: 'county_lines: crack_house_order is not a power in the catalogue' },
  ])
})

test('refuses a lead agency that may not use the power, including the wrong council service', () => {
  const actions = baseActions()
  actions[0] = { ...actions[0]!, leadAgency: { agencyType: 'hmrc' } }
  actions[2] = { ...actions[2]!, leadAgency: { agencyType: 'council_service', serviceArea: 'trading_standards' } }
  assert.deepEqual(problemsOf(fileWith(templateIn({ actions }))), [
    { field: 'templates[0].actions[0].leadAgency', message: 'county_lines: HM Revenue and Customs may not use the Closure notice (premises associated with nuisance or disorder)' },
    { field: 'templates[0].actions[2].leadAgency', message: 'county_lines: Council service (Trading standards) may not use the National Referral Mechanism referral and duty to notify' },
  ])
})

test('refuses a power used under a strand it does not serve', () => {
  const actions = baseActions()
  actions[1] = { ...actions[1]!, strand: 'prepare', powerId: 'closure_notice' }
  assert.deepEqual(problemsOf(fileWith(templateIn({ actions }))), [
    { field: 'templates[0].actions[1].strand', message: 'county_lines: the Closure notice (premises associated with nuisance or disorder) is not a Prepare power (it serves Pursue, Protect)' },
  ])
})

test('refuses two templates with the same key', () => {
  assert.deepEqual(problemsOf(fileWith(templateIn(), templateIn({ threatArea: 'drugs' }))), [
    { field: 'templates[1].key', message: 'Two templates have the key county_lines' },
  ])
})

test('refuses two templates for the same threat area', () => {
  assert.deepEqual(problemsOf(fileWith(templateIn(), templateIn({ key: 'county_lines_rural' }))), [
    { field: 'templates[1].threatArea', message: 'county_lines_rural and county_lines are both templates for County lines' },
  ])
})

test('refuses a template with no Prepare action', () => {
  const actions = baseActions()
  actions[5] = { ...actions[5]!, strand: 'protect' }
  assert.deepEqual(problemsOf(fileWith(templateIn({ actions }))), [
    { field: 'templates[0].actions', message: 'county_lines has no Prepare action: a 4P plan needs all four' },
  ])
})

test('refuses a due date outside 7 to 180 days, a fractional one, and a council service with no service area', () => {
  const actions = baseActions()
  actions[0] = { ...actions[0]!, dueInDays: 200 }
  actions[1] = { ...actions[1]!, dueInDays: 3 }
  actions[2] = { ...actions[2]!, dueInDays: 10.5 }
  actions[3] = { ...actions[3]!, leadAgency: { agencyType: 'council_service' } }
  assert.deepEqual(problemsOf(fileWith(templateIn({ actions }))), [
    { field: 'templates[0].actions[0].dueInDays', message: 'An action is due at most 180 days after the plan starts' },
    { field: 'templates[0].actions[1].dueInDays', message: 'An action is due at least 7 days after the plan starts' },
    { field: 'templates[0].actions[2].dueInDays', message: 'Days until due is a whole number' },
    { field: 'templates[0].actions[3].leadAgency.serviceArea', message: 'Choose which council service leads the action' },
  ])
})

test('refuses a template with fewer than six actions', () => {
  assert.deepEqual(problemsOf(fileWith(templateIn({ actions: baseActions().slice(0, 5) }))), [
    { field: 'templates[0].actions', message: 'A template needs at least 6 actions' },
  ])
})

test('templateFor gives null for a threat area with no template', () => {
  const parsed = parseTemplates(fileWith(templateIn()), catalogue)
  assert.ok(parsed.ok)
  assert.equal(templateFor(parsed.templates, 'fuel_fraud'), null)
  assert.equal(templateFor(parsed.templates, 'county_lines')?.key, 'county_lines')
})

const parsedTemplate = (dueInDays: readonly number[]): PlanTemplate => {
  const actions = baseActions().map((a, i) => ({ ...a, dueInDays: dueInDays[i] ?? a.dueInDays }))
  const parsed = parseTemplates(fileWith(templateIn({ actions })), catalogue)
  assert.ok(parsed.ok)
  return parsed.templates[0]!
}

test('actionsFromTemplate dates each action its days after today: 2027-01-30 plus 30 days is 2027-03-01', () => {
  const drafts = actionsFromTemplate(parsedTemplate([30, 7, 180, 29, 60, 31]), '2027-01-30')
  assert.deepEqual(drafts.map((d) => d.dueOn), ['2027-03-01', '2027-02-06', '2027-07-29', '2027-02-28', '2027-03-31', '2027-03-02'])
})

test('actionsFromTemplate counts 29 February in a leap year and is not moved when the clocks change', () => {
  assert.equal(actionsFromTemplate(parsedTemplate([7]), '2028-02-25')[0]!.dueOn, '2028-03-03')
  assert.equal(actionsFromTemplate(parsedTemplate([7]), '2027-03-25')[0]!.dueOn, '2027-04-01')
  assert.equal(actionsFromTemplate(parsedTemplate([7]), '2027-10-28')[0]!.dueOn, '2027-11-04')
})

test('actionsFromTemplate carries strand, title, description, power and lead agency over in the template order', () => {
  const drafts = actionsFromTemplate(parsedTemplate([]), '2027-01-30')
  assert.deepEqual(drafts[0], {
    strand: 'pursue', title: 'Close the cuckooed flat', description: 'Serve a closure notice on 12 Mill Lane.',
    powerId: 'closure_notice', leadAgency: { agencyType: 'police_force' }, dueOn: '2027-02-06',
  })
  assert.deepEqual(drafts[3]?.leadAgency, { agencyType: 'council_service', serviceArea: 'adult_social_care' })
  assert.deepEqual(drafts.map((d) => d.strand), ['pursue', 'pursue', 'prevent', 'protect', 'protect', 'prepare'])
})

test('actionsFromTemplate refuses a today that is not a calendar date', () => {
  const t = parsedTemplate([])
  assert.throws(() => actionsFromTemplate(t, '2027-02-30'), RangeError)
  assert.throws(() => actionsFromTemplate(t, '30/01/2027'), RangeError)
})
