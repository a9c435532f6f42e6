import type { TestApp } from '../support/app.ts'

// A small network the police analyst and the HMRC analyst see differently. Everything is shared
// with the partnership except what the test hides from HMRC: one link held by the police alone,
// a person held by the police alone (and the partnership link to him), and an intelligence record
// held by the police alone that mentions two of the people together.
//
//   Ann –associate– Bob –family– Cara          (partnership)
//   Ann, Cara occupants of 1 Mill Lane           (partnership: a shared address)
//   Bob uses 07700 900001; intelligence B2P mentions Bob and the phone (partnership)
//   Mill Lane crew: Ann, Bob, Cara               (partnership group)
//   Ann –associate– Cara, C "Police only: hidden link"   (police only)
//   Ann –associate– Dan; Dan is held by the police alone
//   intelligence A1C mentions Ann and Cara       (police only)
//   Lone Person, no links                        (partnership)

export const POLICE = 'analyst@demo.achilles.example'
export const HMRC = 'analyst.hmrc@demo.achilles.example'
export const HIDDEN_CONDITIONS = 'Police only: hidden link'

export type Fixture = Awaited<ReturnType<typeof seedNetwork>>

export async function seedNetwork(t: TestApp) {
  const police = t.partnership.users.find((u) => u.email === POLICE)!
  const db = t.ctx.db.kysely
  const handling = (scope: 'agency' | 'partnership', c?: string) => ({
    protective_marking: 'OFFICIAL' as const, handling_code: c ? ('C' as const) : ('P' as const), handling_conditions: c ?? null, sharing_scope: scope, owning_agency_id: police.agencyId,
  })
  const entity = async (caption: string, schema: string, scope: 'agency' | 'partnership' = 'partnership', extra: Record<string, unknown> = {}) =>
    (await db.insertInto('entities').values({
      schema, caption, person_role: schema === 'Person' ? 'suspect' : null, purpose: 'Testing the network', review_date: '2030-01-01', created_by: police.id, ...handling(scope), ...extra,
    } as never).returning('id').executeTakeFirstOrThrow()).id
  const link = async (linkType: string, subjectId: string, objectId: string, scope: 'agency' | 'partnership' = 'partnership', c?: string) =>
    (await db.insertInto('entity_links').values({
      link_type: linkType, subject_id: subjectId, object_id: objectId, source_reference: 'Network test', created_by: police.id, start_date: '2024-01-01', ...handling(scope, c),
    } as never).returning('id').executeTakeFirstOrThrow()).id
  const intelligence = async (body: string, scope: 'agency' | 'partnership', grade: [string, number], mentioned: string[], c?: string) => {
    const id = (await db.insertInto('intelligence_records').values({
      body, reported_on: '2025-02-01', source_agency_id: police.agencyId, source_evaluation: grade[0], intelligence_assessment: grade[1], purpose: 'Testing the network',
      review_date: '2030-01-01', created_by: police.id, ...handling(scope, c),
    } as never).returning('id').executeTakeFirstOrThrow()).id
    await db.insertInto('intelligence_mentions').values(mentioned.map((entity_id) => ({ intelligence_id: id, entity_id }))).execute()
    return id
  }
  const ann = await entity('Ann Network', 'Person')
  const bob = await entity('Bob Network', 'Person')
  const cara = await entity('Cara Network', 'Person')
  const dan = await entity('Dan Hidden', 'Person', 'agency')
  const lone = await entity('Lone Person', 'Person')
  const address = await entity('1 Mill Lane, Loughborough', 'Address', 'partnership', { postcode: 'LE11 1AA' })
  const phone = await entity('07700 900001', 'Phone', 'partnership', { phone_number: '07700900001' })
  const links = {
    annBob: await link('associate', ann, bob),
    bobCara: await link('family', bob, cara),
    annHome: await link('occupant', ann, address),
    caraHome: await link('occupant', cara, address),
    bobPhone: await link('uses_phone', bob, phone),
    hidden: await link('associate', ann, cara, 'agency', HIDDEN_CONDITIONS),
    toDan: await link('associate', ann, dan),
  }
  const seenIntel = await intelligence('Bob seen using the phone', 'partnership', ['B', 2], [bob, phone])
  const hiddenIntel = await intelligence('Ann and Cara seen together', 'agency', ['A', 1], [ann, cara], 'Police source: do not disclose')
  const group = (await db.insertInto('ocgs').values({
    name: 'Mill Lane crew', status: 'active', threat_areas: ['drugs'], purpose: 'Testing the network', review_date: '2030-01-01', created_by: police.id, ...handling('partnership'),
  } as never).returning('id').executeTakeFirstOrThrow()).id
  await db.insertInto('ocg_members').values([ann, bob, cara].map((person_id, i) => ({ group_id: group, person_id, role: i === 0 ? 'principal' : 'core_member', created_by: police.id }))).execute()
  return { ann, bob, cara, dan, lone, address, phone, links, seenIntel, hiddenIntel, group }
}
