import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import fc from 'fast-check'
import { sql } from 'kysely'
import { capabilitiesOf, type Role } from '../../src/core/access/roles.ts'
import { decideVisibility, type Viewer } from '../../src/core/access/visibility.ts'
import { asSystem, asUser } from '../../src/db/context.ts'
import { visibleTo } from '../../src/db/visibility.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { Client, signedIn, startTestApp, type TestApp } from '../support/app.ts'

let t: TestApp
before(async () => (t = await startTestApp()))
after(() => t.close())

const user = (email: string) => t.partnership.users.find((u) => u.email === email)!
const viewerOf = (email: string): Viewer => {
  const u = user(email)
  return { userId: u.id, agencyId: u.agencyId, capabilities: capabilitiesOf(u.roles) }
}
const POLICE_ANALYST = 'analyst@demo.achilles.example'
const HMRC_ANALYST = 'analyst.hmrc@demo.achilles.example'

/** A note held by Leicestershire Police for its own eyes only. */
async function restrictedPoliceNote(): Promise<string> {
  const police = await signedIn(t.app, POLICE_ANALYST)
  const res = await police.submit('/notes/new', '/notes', {
    subject: 'Restricted subject, 1 Test Street',
    body: 'Only Leicestershire Police may read this.',
    purpose: 'Testing the visibility rule',
    reviewDate: '2027-06-01',
    protectiveMarking: 'OFFICIAL-SENSITIVE',
    handlingCode: 'C',
    handlingConditions: 'Do not disclose outside the force',
    sharingScope: 'agency',
  })
  assert.equal(res.status, 303, res.body.slice(0, 400))
  return /\/notes\/([0-9a-f-]{36})/.exec(String(res.headers.location))![1]!
}

async function refusals(recordId: string): Promise<number> {
  const rows = await asSystem(t.db, (tx) =>
    tx.selectFrom('audit_events').select('seq').where('record_id', '=', recordId).where('outcome', '=', 'refused').where('action', '=', 'disclosure').execute(),
  )
  return rows.length
}

describe("another agency's restricted record", () => {
  let noteId: string
  before(async () => (noteId = await restrictedPoliceNote()))

  test('cannot be read through the API, and the refusal is logged', async () => {
    const { token } = await issueApiToken(t.ctx, 'system', user(HMRC_ANALYST).id, { name: 'test', scopes: ['records:read'] })
    const before = await refusals(noteId)
    const res = await new Client(t.app).request('GET', `/api/v1/notes/${noteId}`, { headers: { authorization: `Bearer ${token}` } })
    assert.equal(res.status, 404)
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    assert.match(res.json().detail, /permitted to see/)
    assert.doesNotMatch(res.body, /Restricted subject/)
    assert.equal(await refusals(noteId), before + 1)
  })

  test('cannot be read through a page, and the refusal is logged', async () => {
    const hmrc = await signedIn(t.app, HMRC_ANALYST)
    const before = await refusals(noteId)
    const res = await hmrc.get(`/notes/${noteId}`)
    assert.equal(res.status, 404)
    assert.match(res.body, /Page not found/)
    assert.doesNotMatch(res.body, /Restricted subject|Only Leicestershire Police/)
    const list = await hmrc.get('/notes?q=Restricted')
    assert.doesNotMatch(list.body, /Restricted subject/)
    assert.equal(await refusals(noteId), before + 1)
  })

  test('is readable by its owner, with its handling conditions shown', async () => {
    const police = await signedIn(t.app, POLICE_ANALYST)
    const res = await police.get(`/notes/${noteId}`)
    assert.equal(res.status, 200)
    assert.match(res.body, /Restricted subject/)
    assert.match(res.body, /Do not disclose outside the force/)
    assert.match(res.body, /OFFICIAL-SENSITIVE/)
  })

  test('cannot be read, changed or shared by a raw query in the other agency\'s transaction', async () => {
    const hmrc = viewerOf(HMRC_ANALYST)
    await asUser(t.db, hmrc, async (tx) => {
      // No WHERE clause: row-level security alone must hide the note.
      const all = await sql<{ id: string }>`SELECT id FROM notes`.execute(tx)
      assert.ok(!all.rows.some((r) => r.id === noteId))
      const direct = await sql`SELECT * FROM notes WHERE id = ${noteId}`.execute(tx)
      assert.equal(direct.rows.length, 0)
      const changed = await sql`UPDATE notes SET body = 'overwritten' WHERE id = ${noteId}`.execute(tx)
      assert.equal(Number(changed.numAffectedRows ?? 0), 0)
      const erased = await sql`DELETE FROM notes WHERE id = ${noteId}`.execute(tx)
      assert.equal(Number(erased.numAffectedRows ?? 0), 0)
    })
    // Sharing someone else's note with yourself is refused by the policy on record_shares.
    await assert.rejects(
      asUser(t.db, hmrc, (tx) => sql`INSERT INTO record_shares (record_type, record_id, agency_id) VALUES ('note', ${noteId}, ${hmrc.agencyId})`.execute(tx)),
      /row-level security/,
    )
    await assert.rejects(
      asUser(t.db, hmrc, (tx) => sql`INSERT INTO record_grants (record_type, record_id, grantee_user_id, reason) VALUES ('note', ${noteId}, ${hmrc.userId}, 'let me in')`.execute(tx)),
      /row-level security/,
    )
    const still = await asSystem(t.db, (tx) => tx.selectFrom('notes').select('body').where('id', '=', noteId).executeTakeFirstOrThrow())
    assert.equal(still.body, 'Only Leicestershire Police may read this.')
  })

  test("a user's transaction cannot read credentials, sessions, tokens or, without the capability, the audit log", async () => {
    const hmrc = viewerOf(HMRC_ANALYST)
    await assert.rejects(asUser(t.db, hmrc, (tx) => sql`SELECT password_hash FROM users`.execute(tx)), /permission denied/)
    await assert.rejects(asUser(t.db, hmrc, (tx) => sql`SELECT * FROM sessions`.execute(tx)), /permission denied/)
    await assert.rejects(asUser(t.db, hmrc, (tx) => sql`SELECT * FROM api_tokens`.execute(tx)), /permission denied/)
    const audit = await asUser(t.db, hmrc, (tx) => sql`SELECT seq FROM audit_events`.execute(tx))
    assert.equal(audit.rows.length, 0)
    await assert.rejects(asUser(t.db, hmrc, (tx) => sql`UPDATE audit_events SET purpose = 'x'`.execute(tx)), /permission denied/)
  })

  test('an explicit grant by e-mail lets that one user read it, and an unknown e-mail is named', async () => {
    const police = await signedIn(t.app, POLICE_ANALYST)
    const unknown = await police.submit(`/notes/${noteId}`, `/notes/${noteId}/grants`, { granteeEmail: 'nobody@example.org', reason: 'Joint visit planned' })
    assert.equal(unknown.status, 400)
    assert.match(unknown.body, /No user has that email address/)
    const granted = await police.submit(`/notes/${noteId}`, `/notes/${noteId}/grants`, { granteeEmail: HMRC_ANALYST, reason: 'Joint visit planned' })
    assert.equal(granted.status, 303)
    const hmrc = await signedIn(t.app, HMRC_ANALYST)
    const res = await hmrc.get(`/notes/${noteId}`)
    assert.equal(res.status, 200)
    assert.match(res.body, /you or your agency were granted access/)
  })

  test('the sharing and grant forms name agencies in words; a name that fits none or several is refused and nothing changes', async () => {
    const police = await signedIn(t.app, POLICE_ANALYST)
    const id = await restrictedPoliceNote()
    const hmrcAgency = t.partnership.agencies.find((a) => a.id === user(HMRC_ANALYST).agencyId)!
    const councils = t.partnership.agencies.filter((a) => /council/i.test(a.name))
    assert.ok(councils.length > 1, 'the demonstration partnership has several councils')
    const sharing = { protectiveMarking: 'OFFICIAL-SENSITIVE', handlingCode: 'C', handlingConditions: 'Do not disclose outside the force', sharingScope: 'named', reason: 'Joint visit planned' }
    const sharedWith = async () => (await asSystem(t.db, (tx) => tx.selectFrom('record_shares').select('agency_id').where('record_id', '=', id).execute())).map((r) => r.agency_id)

    const page = await police.get(`/notes/${id}`)
    assert.equal((page.body.match(/name="sharedWithAgencyIds"/g) ?? []).length, 0, 'the directory is not listed on the page')
    assert.match(page.body, /name="sharedWithAgencyNames"/)

    const unclear = await police.submit(`/notes/${id}`, `/notes/${id}/sharing`, { ...sharing, sharedWithAgencyNames: `Ministry of Magic\ncouncil` })
    assert.equal(unclear.status, 400)
    assert.match(unclear.body, /No agency in the directory is called &quot;Ministry of Magic&quot;/)
    assert.match(unclear.body, /&quot;council&quot; is part of the names of/)
    assert.match(unclear.body, /Ministry of Magic\ncouncil<\/textarea>/, 'what was typed is kept')
    assert.deepEqual(await sharedWith(), [])

    // Part of a name is enough when only one agency has it, in any case.
    const shared = await police.submit(`/notes/${id}`, `/notes/${id}/sharing`, { ...sharing, sharedWithAgencyNames: hmrcAgency.name.toLowerCase().slice(0, 25) })
    assert.equal(shared.status, 303, shared.body.slice(0, 300))
    assert.deepEqual(await sharedWith(), [hmrcAgency.id])
    // The page now lists the one agency it is shared with, ticked, to keep or untick.
    const after = await police.get(`/notes/${id}`)
    assert.equal((after.body.match(/name="sharedWithAgencyIds"/g) ?? []).length, 1)
    assert.match(after.body, new RegExp(`value="${hmrcAgency.id}" checked`))
    const unticked = await police.submit(`/notes/${id}`, `/notes/${id}/sharing`, { ...sharing, sharingScope: 'agency' })
    assert.equal(unticked.status, 303)
    assert.deepEqual(await sharedWith(), [])

    const council = councils[0]!
    const vague = await police.submit(`/notes/${id}`, `/notes/${id}/grants`, { granteeAgencyName: 'council', reason: 'Joint visit planned' })
    assert.equal(vague.status, 400)
    assert.match(vague.body, /href="#granteeAgencyName"/)
    const granted = await police.submit(`/notes/${id}`, `/notes/${id}/grants`, { granteeAgencyName: council.name.toUpperCase(), reason: 'Joint visit planned' })
    assert.equal(granted.status, 303, granted.body.slice(0, 300))
    const grants = await asSystem(t.db, (tx) => tx.selectFrom('record_grants').select('grantee_agency_id').where('record_id', '=', id).execute())
    assert.deepEqual(grants.map((g) => g.grantee_agency_id), [council.id])
  })

  test('a partner officer of the owning agency still cannot see it, for it is OFFICIAL-SENSITIVE', async () => {
    const police = t.partnership.agencies.find((a) => a.name === 'Leicestershire Police')!
    const officer = t.partnership.users.find((u) => u.agencyId === police.id && u.roles.includes('partner_officer'))
    if (!officer) return // the seeded force has no partner officer in this seed
    const viewer: Viewer = { userId: officer.id, agencyId: officer.agencyId, capabilities: capabilitiesOf(officer.roles) }
    const rows = await asUser(t.db, viewer, (tx) => sql`SELECT id FROM notes WHERE id = ${noteId}`.execute(tx))
    assert.equal(rows.rows.length, 0)
  })
})

describe('the three statements of the rule agree', () => {
  test('for random notes and viewers, the core rule, the SQL filter and row-level security give the same answer', async () => {
    const agencies = t.partnership.agencies.slice(0, 6).map((a) => a.id)
    const roles: Role[] = ['analyst', 'partner_officer', 'councillor', 'safeguarding_practitioner']
    const viewers: Viewer[] = agencies.flatMap((agencyId) =>
      roles.map((role) => {
        const u = t.partnership.users.find((x) => x.agencyId === agencyId) ?? t.partnership.users[0]!
        return { userId: u.id, agencyId, capabilities: capabilitiesOf([role]) }
      }),
    )
    const authors = new Map(agencies.map((a) => [a, t.partnership.users.find((u) => u.agencyId === a)?.id ?? t.partnership.users[0]!.id]))
    const noteArb = fc
      .record({
        owner: fc.constantFrom(...agencies),
        marking: fc.constantFrom('OFFICIAL', 'OFFICIAL-SENSITIVE' as const),
        scope: fc.constantFrom('agency', 'named', 'partnership' as const),
        named: fc.subarray(agencies, { maxLength: 3 }),
        grantTo: fc.option(fc.constantFrom(...viewers.map((v, i) => i)), { nil: null }),
        grantKind: fc.constantFrom('user', 'agency', 'expired', 'revoked' as const),
      })
      .filter((n) => !(n.marking === 'OFFICIAL-SENSITIVE' && n.scope === 'partnership'))

    await fc.assert(
      fc.asyncProperty(fc.array(noteArb, { minLength: 5, maxLength: 15 }), async (specs) => {
        const now = new Date()
        const ids = await asSystem(t.db, async (tx) => {
          await sql`DELETE FROM record_grants WHERE reason = 'property test'`.execute(tx)
          await sql`DELETE FROM record_shares WHERE record_id IN (SELECT id FROM notes WHERE purpose = 'property test')`.execute(tx)
          await sql`DELETE FROM notes WHERE purpose = 'property test'`.execute(tx)
          const made: Array<{ id: string; spec: (typeof specs)[number]; named: string[] }> = []
          for (const spec of specs) {
            const row = await tx
              .insertInto('notes')
              .values({
                owning_agency_id: spec.owner, subject: 'Property subject', body: 'x', purpose: 'property test', protective_marking: spec.marking,
                handling_code: 'P', handling_conditions: null, sharing_scope: spec.scope, review_date: '2030-01-01', created_by: authors.get(spec.owner)!,
              })
              .returning('id')
              .executeTakeFirstOrThrow()
            const named = spec.named.filter((a) => a !== spec.owner)
            for (const agency of named) await tx.insertInto('record_shares').values({ record_type: 'note', record_id: row.id, agency_id: agency }).execute()
            if (spec.grantTo !== null) {
              const v = viewers[spec.grantTo]!
              await tx
                .insertInto('record_grants')
                .values({
                  record_type: 'note', record_id: row.id, reason: 'property test',
                  grantee_user_id: spec.grantKind === 'agency' ? null : v.userId,
                  grantee_agency_id: spec.grantKind === 'agency' ? v.agencyId : null,
                  expires_at: spec.grantKind === 'expired' ? new Date(now.getTime() - 60_000) : null,
                  revoked_at: spec.grantKind === 'revoked' ? new Date(now.getTime() - 60_000) : null,
                })
                .execute()
            }
            made.push({ id: row.id, spec, named })
          }
          return made
        })
        for (const v of viewers) {
          const expected = new Set(
            ids
              .filter(({ spec, named }) => {
                const g = spec.grantTo === null ? [] : [viewers[spec.grantTo]!]
                return decideVisibility(
                  v,
                  {
                    owningAgencyId: spec.owner, protectiveMarking: spec.marking, handlingCode: 'P', handlingConditions: null, sharingScope: spec.scope,
                    sharedWithAgencyIds: named,
                    grants: g.map((gv) => ({
                      granteeUserId: spec.grantKind === 'agency' ? null : gv.userId,
                      granteeAgencyId: spec.grantKind === 'agency' ? gv.agencyId : null,
                      expiresAt: spec.grantKind === 'expired' ? new Date(now.getTime() - 60_000) : null,
                      revokedAt: spec.grantKind === 'revoked' ? new Date(now.getTime() - 60_000) : null,
                    })),
                  },
                  now,
                ).visible
              })
              .map((x) => x.id),
          )
          const [byFilter, byPolicy] = await asUser(t.db, v, async (tx) => [
            await tx.selectFrom('notes').select('id').where('purpose', '=', 'property test').where(visibleTo(v, 'note', 'notes')).execute(),
            await sql<{ id: string }>`SELECT id FROM notes WHERE purpose = 'property test'`.execute(tx),
          ])
          const filterIds = new Set(byFilter.map((r) => r.id))
          const policyIds = new Set((byPolicy as { rows: Array<{ id: string }> }).rows.map((r) => r.id))
          assert.deepEqual([...filterIds].sort(), [...expected].sort(), 'SQL filter agrees with the core rule')
          assert.deepEqual([...policyIds].sort(), [...expected].sort(), 'row-level security agrees with the core rule')
        }
      }),
      { numRuns: 8, seed: 20261123 },
    )
  })
})
