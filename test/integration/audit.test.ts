import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sql } from 'kysely'
import type { Actor } from '../../src/core/access/actor.ts'
import { capabilitiesOf } from '../../src/core/access/roles.ts'
import { asSystem, asUser } from '../../src/db/context.ts'
import { recordAudit, verifyAuditChain } from '../../src/modules/audit/service.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { ADMIN, Client, signedIn, startTestApp, type TestApp } from '../support/app.ts'

let t: TestApp
before(async () => (t = await startTestApp()))
after(() => t.close())

const user = (email: string) => t.partnership.users.find((u) => u.email === email)!

async function lastEvent() {
  return asSystem(t.db, (tx) => tx.selectFrom('audit_events').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow())
}

function analystActor(): Actor {
  const me = user('analyst@demo.achilles.example')
  return { userId: me.id, agencyId: me.agencyId, email: me.email, displayName: me.email, agencyName: 'Demo agency', roles: ['analyst'], capabilities: capabilitiesOf(['analyst']), via: 'session' }
}

/** Edits a row the way an intruder with the owner's password could: by switching the guard off. */
async function tamper(statement: ReturnType<typeof sql>) {
  await asSystem(t.db, async (tx) => {
    await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`.execute(tx)
    await statement.execute(tx)
    await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`.execute(tx)
  })
}

test('collection, alteration, consultation, disclosure and erasure each write one row with who, agency, what and why', async () => {
  const analyst = await signedIn(t.app, 'analyst@demo.achilles.example')
  const me = user('analyst@demo.achilles.example')
  const hmrc = t.partnership.agencies.find((a) => a.shortName === 'HMRC')!
  const before = (await lastEvent()).seq
  const made = await analyst.submit('/notes/new', '/notes', {
    subject: 'Audit subject', body: 'b', purpose: 'Auditing test', reviewDate: '2027-01-01',
    protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'named', sharedWithAgencyIds: [hmrc.id],
  })
  const id = /\/notes\/([0-9a-f-]{36})/.exec(String(made.headers.location))![1]!
  await analyst.get(`/notes/${id}`)
  await analyst.submit(`/notes/${id}`, `/notes/${id}/sharing`, { protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency', reason: 'No longer needed by HMRC' })
  await analyst.submit(`/notes/${id}`, `/notes/${id}/erase`, { reason: 'Retention period ended' })
  const rows = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').selectAll().where('seq', '>', before).where('record_id', '=', id).orderBy('seq').execute())
  assert.deepEqual(
    rows.map((r) => r.action),
    // Each form is fetched before it is posted, and fetching the note's page consults it.
    ['collection', 'disclosure', 'consultation', 'consultation', 'alteration', 'consultation', 'erasure'],
  )
  for (const r of rows) {
    assert.equal(r.user_id, me.id)
    assert.equal(r.agency_id, me.agencyId)
    assert.equal(r.actor, me.email)
    assert.ok(r.purpose.length > 0)
  }
  assert.deepEqual(rows[1]!.recipients, [hmrc.id], 'a disclosure names its recipients')
  assert.equal(rows[4]!.purpose, 'No longer needed by HMRC')
  assert.equal(rows[6]!.purpose, 'Retention period ended')
})

test('viewing staff records, one or a list, and agency contacts is logged as a consultation', async () => {
  const admin = await signedIn(t.app, ADMIN)
  const target = user('analyst.hmrc@demo.achilles.example')
  await admin.get(`/users/${target.id}`)
  const last = await lastEvent()
  assert.deepEqual([last.action, last.record_type, last.record_id, last.actor], ['consultation', 'user', target.id, ADMIN])
  await admin.get('/users?q=analyst')
  const list = await lastEvent()
  assert.deepEqual([list.action, list.record_type, list.record_id], ['consultation', 'user', null])
  assert.ok((list.detail as { shown: string[] }).shown.includes(user('analyst@demo.achilles.example').id))
  const police = t.partnership.agencies.find((a) => a.name === 'Leicestershire Police')!
  await admin.get(`/agencies/${police.id}`)
  const contacts = await lastEvent()
  assert.deepEqual([contacts.action, contacts.record_type], ['consultation', 'agency_contact'])
})

test("a user's audit row is written with the commit, exactly as entered, and not at all when the work fails", async () => {
  const actor = analystActor()
  const before = (await lastEvent()).seq
  // Quotes, backslashes and characters outside ASCII: the append travels as literal SQL.
  const entry = {
    action: 'disclosure' as const, recordType: 'note', recordId: "it's \\ a record", purpose: "O'Brien asked: \"why\"? \\n café 🙂",
    recipients: ["agency's", 'back\\slash'], detail: { note: "line one\nline two 'quoted'", shown: ['a', "b'c"], count: 3, flag: true, nothing: null },
  }
  await asUser(t.db, actor, (tx) => recordAudit(tx, actor, entry))
  const me = user('analyst@demo.achilles.example')
  const written = await lastEvent()
  assert.equal(written.seq, before + 1)
  assert.deepEqual(
    [written.action, written.record_type, written.record_id, written.purpose, written.recipients, written.detail, written.user_id, written.actor],
    [entry.action, entry.recordType, entry.recordId, entry.purpose, entry.recipients, entry.detail, me.id, me.email],
  )
  await assert.rejects(
    asUser(t.db, actor, async (tx) => {
      await recordAudit(tx, actor, { action: 'consultation', recordType: 'note', purpose: 'Never happened' })
      throw new Error('the work failed')
    }),
    /the work failed/,
  )
  assert.equal((await lastEvent()).seq, before + 1, 'the failed work left no row')
  assert.deepEqual((await verifyAuditChain(t.db)).broken, null)
})

test("a user's transaction that has logged an act does not hold up another user's until it commits", { skip: process.env.DATABASE_URL ? false : 'PGlite runs one transaction at a time' }, async () => {
  // The chain's lock is taken when the row is appended; appended before the commit's round trip,
  // every request that logs anything would wait for the slowest one in flight.
  const actor = analystActor()
  const entry = { action: 'consultation' as const, recordType: 'note', purpose: 'Concurrent consultation' }
  const before = (await lastEvent()).seq
  await asUser(t.db, actor, async (tx) => {
    await recordAudit(tx, actor, entry)
    let timer: NodeJS.Timeout | undefined
    const other = asUser(t.db, actor, (tx2) => recordAudit(tx2, actor, { ...entry, purpose: 'The other consultation' }))
    const waited = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the other transaction waited for this one')), 5_000)))
    await Promise.race([other, waited]).finally(() => clearTimeout(timer))
  })
  const rows = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select(['seq', 'purpose']).where('seq', '>', before).orderBy('seq').execute())
  // Sequence follows commit order: the other transaction committed first.
  assert.deepEqual(rows.map((r) => r.purpose), ['The other consultation', 'Concurrent consultation'])
  assert.deepEqual((await verifyAuditChain(t.db)).broken, null)
})

test('the log cannot be changed or emptied, even by the owner, while its guard is on', async () => {
  await assert.rejects(asSystem(t.db, (tx) => sql`UPDATE audit_events SET purpose = 'rewritten' WHERE seq = 1`.execute(tx)), /append-only/)
  await assert.rejects(asSystem(t.db, (tx) => sql`DELETE FROM audit_events WHERE seq = 1`.execute(tx)), /append-only/)
  await assert.rejects(asSystem(t.db, (tx) => sql`TRUNCATE audit_events`.execute(tx)), /append-only/)
  const viewer = { userId: user(ADMIN).id, agencyId: user(ADMIN).agencyId, capabilities: capabilitiesOf(['administrator']) }
  await assert.rejects(asUser(t.db, viewer, (tx) => sql`INSERT INTO audit_events (seq, at, actor, action, outcome, record_type, purpose, prev_hash, hash) VALUES (999999, now(), 'x', 'collection', 'done', 'x', 'x', 'x', 'x')`.execute(tx)), /permission denied/)
})

test('the administrator searches the log by user, record, action and date, on the page and in the API', async () => {
  const admin = await signedIn(t.app, ADMIN)
  const target = user('analyst.hmrc@demo.achilles.example')
  await admin.get(`/users/${target.id}`)
  const byRecord = await admin.get(`/audit?recordType=user&recordId=${target.id}`)
  assert.equal(byRecord.status, 200)
  assert.match(byRecord.body, new RegExp(target.id))
  const { token } = await issueApiToken(t.ctx, 'system', user(ADMIN).id, { name: 't', scopes: ['audit:read'] })
  const api = new Client(t.app)
  const auth = { authorization: `Bearer ${token}` }
  const today = new Date().toISOString().slice(0, 10)
  const res = await api.request('GET', `/api/v1/audit?user=${encodeURIComponent(ADMIN)}&action=consultation&from=${today}&to=${today}`, { headers: auth })
  assert.equal(res.status, 200)
  const body = res.json()
  assert.ok(body.total >= 1, JSON.stringify(body).slice(0, 300))
  assert.ok(body.events.every((e: { actor: string; action: string }) => e.actor === ADMIN && e.action === 'consultation'))
  const none = await api.request('GET', `/api/v1/audit?user=${encodeURIComponent(ADMIN)}&from=2001-01-01&to=2001-01-31`, { headers: auth })
  assert.equal(none.json().total, 0)
  const bad = await api.request('GET', '/api/v1/audit?from=2026-13-45&to=2020-01-01', { headers: auth })
  assert.equal(bad.status, 400)
  assert.ok(bad.json().errors.some((e: { field: string }) => e.field === 'from'))
  const disclosures = await admin.get('/audit?action=disclosure')
  assert.match(disclosures.body, /HM Revenue and Customs – Fraud Investigation Service/, 'recipients are shown by name')
  const badPage = await admin.get('/audit?from=yesterday')
  assert.equal(badPage.status, 400)
  assert.match(badPage.body, /govuk-error-summary/)
  assert.match(badPage.body, /value="yesterday"/)
})

test('only the audit capability opens the log', async () => {
  const analyst = await signedIn(t.app, 'analyst@demo.achilles.example')
  const res = await analyst.get('/audit')
  assert.equal(res.status, 403)
  assert.match(res.body, /do not have permission/)
})

test('verify-audit finds an intact chain, then catches an altered row, and names it', async () => {
  const intact = await verifyAuditChain(t.db, { batchSize: 7 })
  assert.equal(intact.broken, null)
  assert.ok(intact.checked >= 8, JSON.stringify(intact))
  await tamper(sql`UPDATE audit_events SET purpose = 'nothing to see here' WHERE seq = 5`)
  const broken = await verifyAuditChain(t.db, { batchSize: 7 })
  assert.deepEqual([broken.broken?.seq, broken.broken?.problem], [5, 'altered'])
  assert.equal(broken.checked, 4)
})

test('verify-audit catches a removed row, reporting the earliest break', async () => {
  await tamper(sql`DELETE FROM audit_events WHERE seq = 3`)
  const result = await verifyAuditChain(t.db)
  assert.deepEqual([result.broken?.seq, result.broken?.problem], [3, 'missing-rows'])
})
