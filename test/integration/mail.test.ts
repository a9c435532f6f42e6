import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, test } from 'node:test'
import { sql } from 'kysely'
import { loadConfig } from '../../src/config.ts'
import { capabilitiesOf } from '../../src/core/access/roles.ts'
import type { Viewer } from '../../src/core/access/visibility.ts'
import type { Database } from '../../src/db/connection.ts'
import { asSystem, asUser } from '../../src/db/context.ts'
import { createMailTransport, deliverPendingMail, queueMail, retryDelayMs, startMailer, type MailerLog, type MailTransport } from '../../src/modules/mail/service.ts'
import { freshDatabase } from '../support/database.ts'
import { loopbackSmtp } from '../support/smtp.ts'

// E-mail from the platform: mail queued in a user's transaction goes out through a real SMTP
// server on loopback only if that transaction commits, failures are kept and retried later, and
// two senders at once never send one mail twice.

const FROM = 'Achilles Test <achilles@test.example>'
const REFUSED = 'nobody@refused.example'

let db: Database
let drop: () => Promise<void>
let smtp: Awaited<ReturnType<typeof loopbackSmtp>>
let smtpUrl: string
let transport: MailTransport
let refusing = true
const viewer: Viewer = { userId: randomUUID(), agencyId: randomUUID(), capabilities: capabilitiesOf(['analyst']) }

before(async () => {
  ;({ db, drop } = await freshDatabase())
  // The user mail is for (to_user_id refers to users), made here rather than taken from a seed.
  await asSystem(db, async (tx) => {
    await sql`INSERT INTO agencies (id, name, agency_type, region) VALUES (${viewer.agencyId}, 'Mail Test Police', 'police_force', 'east-midlands')`.execute(tx)
    await sql`INSERT INTO users (id, agency_id, email, display_name, roles) VALUES (${viewer.userId}, ${viewer.agencyId}, 'lro@mail.example', 'Lead Officer', ARRAY['lead_responsible_officer'])`.execute(tx)
  })
  smtp = await loopbackSmtp({ refuses: (address) => refusing && address === REFUSED })
  smtpUrl = smtp.url
  transport = createMailTransport({ smtpUrl, mailFrom: FROM })
})

after(async () => {
  transport?.close?.()
  await smtp.close()
  await drop()
})

/** Header fields and body of a received message (ASCII text, as the tests send). */
function parse(raw: string) {
  const split = raw.indexOf('\r\n\r\n')
  const headers = new Map<string, string>()
  for (const line of raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':')
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim())
  }
  let body = raw.slice(split + 4)
  if (headers.get('content-transfer-encoding') === 'quoted-printable') {
    body = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  }
  return { headers, body: body.replace(/\r\n$/, '').replace(/\r\n/g, '\n') }
}

const messagesFor = (id: string) => smtp.received.filter((r) => parse(r.raw).headers.get('message-id') === `<${id}@test.example>`)
const row = async (id: string) =>
  (await asSystem(db, (tx) => tx.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirst()))!
/** Later than any row's default not_before (the database's clock at queueing). */
const soon = () => new Date(Date.now() + 1_000)

const tasking = (to: string, n = 1) => ({
  to,
  subject: `New action assigned to you (${n})`,
  text: `You have been given an action on Operation Example.\n\nOpen it in Achilles: http://127.0.0.1:3000/actions/${randomUUID()}`,
  kind: 'action.assigned',
  relatedType: 'action',
  relatedId: randomUUID(),
})

test('mail queued in a committed transaction is delivered with its recipient, sender, subject and text', async () => {
  const mail = { ...tasking('lro@mail.example'), toUserId: viewer.userId }
  const { id } = await asUser(db, viewer, (tx) => queueMail(tx, mail))
  const report = await deliverPendingMail(db, transport, { now: soon() })
  assert.deepEqual({ ...report, failures: report.failures.length }, { claimed: 1, sent: 1, failed: 0, givenUp: 0, released: 0, failures: 0 })

  const [message, ...more] = messagesFor(id)
  assert.equal(more.length, 0)
  assert.equal(message!.from, 'achilles@test.example')
  assert.deepEqual(message!.to, ['lro@mail.example'])
  const { headers, body } = parse(message!.raw)
  assert.equal(headers.get('from'), FROM)
  assert.equal(headers.get('to'), 'lro@mail.example')
  assert.equal(headers.get('subject'), mail.subject)
  assert.equal(headers.get('auto-submitted'), 'auto-generated')
  assert.equal(body, mail.text)

  const r = await row(id)
  assert.ok(r.sent_at instanceof Date)
  assert.deepEqual([r.attempts, r.last_error, r.queued_by, r.to_user_id, r.kind, r.related_type, r.related_id], [1, null, viewer.userId, viewer.userId, 'action.assigned', 'action', mail.relatedId])
  // Sent mail is not sent again.
  assert.equal((await deliverPendingMail(db, transport, { now: new Date(Date.now() + 86_400_000) })).claimed, 0)
})

test('mail queued in a transaction that rolls back is never sent', async () => {
  let queuedId = ''
  await assert.rejects(
    asUser(db, viewer, async (tx) => {
      queuedId = (await queueMail(tx, tasking('rolled.back@mail.example'))).id
      throw new Error('the work failed')
    }),
    /the work failed/,
  )
  assert.equal((await deliverPendingMail(db, transport, { now: soon() })).claimed, 0)
  assert.equal(messagesFor(queuedId).length, 0)
  assert.equal(await asSystem(db, (tx) => tx.selectFrom('mail_outbox').select('id').where('id', '=', queuedId).executeTakeFirst()), undefined)
})

test("a user's transaction may queue mail but not read the outbox or write the sender's columns", async () => {
  await assert.rejects(asUser(db, viewer, (tx) => sql`SELECT count(*) FROM mail_outbox`.execute(tx)), /permission denied/)
  await assert.rejects(
    asUser(db, viewer, (tx) => sql`INSERT INTO mail_outbox (kind, to_address, subject, body_text, sent_at) VALUES ('x', 'a@b.example', 's', 't', now())`.execute(tx)),
    /permission denied/,
  )
  await assert.rejects(asUser(db, viewer, (tx) => sql`UPDATE mail_outbox SET attempts = 0`.execute(tx)), /permission denied/)
})

test('queueing checks the mail: an address, a one-line subject, a kind, and a related record given whole', async () => {
  await assert.rejects(
    asUser(db, viewer, (tx) => queueMail(tx, { ...tasking('not an address'), subject: 'Two\r\nBcc: lines', kind: 'Action Assigned', relatedId: undefined })),
    (e: Error) => /to:/.test(e.message) && /subject: must be one line/.test(e.message) && /kind:/.test(e.message) && /relatedId:/.test(e.message),
  )
})

test('a refused recipient leaves the mail unsent with the error and the attempt counted, not tried again before its time', async () => {
  const { id } = await asUser(db, viewer, (tx) => queueMail(tx, tasking(REFUSED)))
  const now = soon()
  const report = await deliverPendingMail(db, transport, { now })
  assert.deepEqual([report.claimed, report.sent, report.failed, report.givenUp], [1, 0, 1, 0])
  assert.equal(report.failures[0]!.id, id)

  const failed = await row(id)
  assert.equal(failed.sent_at, null)
  assert.equal(failed.attempts, 1)
  assert.match(failed.last_error ?? '', /550/)
  assert.equal(failed.not_before.getTime(), now.getTime() + retryDelayMs(1))
  assert.equal(messagesFor(id).length, 0)

  // Not before not_before, however often the sender runs.
  assert.equal((await deliverPendingMail(db, transport, { now })).claimed, 0)
  assert.equal((await deliverPendingMail(db, transport, { now: new Date(failed.not_before.getTime() - 1) })).claimed, 0)
  assert.equal((await row(id)).attempts, 1)

  // Once it is due, it is tried again; the wait doubles after each failure.
  const second = await deliverPendingMail(db, transport, { now: failed.not_before })
  assert.deepEqual([second.claimed, second.failed], [1, 1])
  const again = await row(id)
  assert.equal(again.attempts, 2)
  assert.equal(again.not_before.getTime(), failed.not_before.getTime() + retryDelayMs(2))
  assert.equal(retryDelayMs(2), 2 * retryDelayMs(1))

  // The recipient's server recovers: the next attempt delivers it.
  refusing = false
  try {
    const third = await deliverPendingMail(db, transport, { now: again.not_before })
    assert.deepEqual([third.claimed, third.sent], [1, 1])
    const sent = await row(id)
    assert.ok(sent.sent_at instanceof Date)
    assert.deepEqual([sent.attempts, sent.last_error], [3, null])
    assert.equal(messagesFor(id).length, 1)
  } finally {
    refusing = true
  }
})

test('a mail is given up after the last attempt, and stays in the outbox unsent', async () => {
  const { id } = await asUser(db, viewer, (tx) => queueMail(tx, tasking(REFUSED)))
  const report = await deliverPendingMail(db, transport, { now: soon(), maxAttempts: 1 })
  assert.deepEqual([report.failed, report.givenUp, report.failures[0]!.givenUp], [1, 1, true])
  assert.equal((await deliverPendingMail(db, transport, { now: new Date(Date.now() + 30 * 86_400_000), maxAttempts: 1 })).claimed, 0)
  const r = await row(id)
  assert.deepEqual([r.sent_at, r.attempts], [null, 1])
  assert.match(r.last_error ?? '', /550/)
  // Delete it, so later tests (with the default limit of attempts) do not try it again.
  await asSystem(db, (tx) => tx.deleteFrom('mail_outbox').where('id', '=', id).execute())
})

test('two senders running at once never send the same mail twice', async () => {
  const ids = await asUser(db, viewer, async (tx) => {
    const made: string[] = []
    for (let n = 0; n < 30; n++) made.push((await queueMail(tx, tasking(`officer${n}@mail.example`, n))).id)
    return made
  })
  const now = soon()
  const sender = async () => {
    const own = createMailTransport({ smtpUrl, mailFrom: FROM })
    let sent = 0
    try {
      for (;;) {
        const report = await deliverPendingMail(db, own, { now, batch: 4 })
        assert.equal(report.failed, 0)
        sent += report.sent
        if (report.claimed === 0) return sent
      }
    } finally {
      own.close?.()
    }
  }
  const [a, b] = await Promise.all([sender(), sender()])
  assert.equal(a + b, 30)
  assert.ok(a > 0 && b > 0, `one sender did all the work (${a} and ${b})`)
  for (const id of ids) assert.equal(messagesFor(id).length, 1, `mail ${id} was sent ${messagesFor(id).length} times`)
  const unsent = await asSystem(db, (tx) => tx.selectFrom('mail_outbox').select('id').where('id', 'in', ids).where('sent_at', 'is', null).execute())
  assert.equal(unsent.length, 0)
})

// PGlite is one connection, so a second transaction cannot hold rows while a sender runs there.
test('a sender skips mail another transaction holds, rather than waiting for it or sending it', { skip: !process.env.DATABASE_URL && 'needs a PostgreSQL server' }, async () => {
  const { id: held } = await asUser(db, viewer, (tx) => queueMail(tx, tasking('held@mail.example')))
  const { id: free } = await asUser(db, viewer, (tx) => queueMail(tx, tasking('free@mail.example')))
  let release!: () => void
  let holding!: () => void
  const locked = new Promise<void>((resolve) => (holding = resolve))
  const holder = asSystem(db, async (tx) => {
    await sql`SELECT id FROM mail_outbox WHERE id = ${held} FOR UPDATE`.execute(tx)
    holding()
    await new Promise<void>((resolve) => (release = resolve))
  })
  await locked
  try {
    const report = await deliverPendingMail(db, transport, { now: soon() })
    assert.deepEqual([report.claimed, report.sent], [1, 1])
    assert.equal(messagesFor(free).length, 1)
    assert.equal(messagesFor(held).length, 0)
  } finally {
    release()
    await holder
  }
  assert.equal((await deliverPendingMail(db, transport, { now: soon() })).sent, 1)
  assert.equal(messagesFor(held).length, 1)
})

test('a sender stopping hands back the mail it claimed but did not try, uncounted', async () => {
  const { id } = await asUser(db, viewer, (tx) => queueMail(tx, tasking('handed.back@mail.example')))
  const stopped = new AbortController()
  stopped.abort()
  const now = soon()
  const report = await deliverPendingMail(db, transport, { now, signal: stopped.signal })
  assert.deepEqual([report.claimed, report.released, report.sent], [1, 1, 0])
  const r = await row(id)
  assert.deepEqual([r.attempts, r.sent_at, r.not_before.getTime()], [0, null, now.getTime()])
  assert.equal((await deliverPendingMail(db, transport, { now })).sent, 1)
})

function recordingLog() {
  const lines: string[] = []
  const log: MailerLog = { info: (t) => void lines.push(t), warn: (t) => void lines.push(t), error: (_d, t) => void lines.push(t) }
  return { lines, log }
}

test('without SMTP configured the mailer says so and leaves mail queued', async () => {
  const { lines, log } = recordingLog()
  const { id } = await asUser(db, viewer, (tx) => queueMail(tx, tasking('waiting@mail.example')))
  const mailer = startMailer({ db, config: loadConfig({}), log })
  await new Promise((r) => setTimeout(r, 50))
  await mailer.stop()
  assert.match(lines.join('\n'), /ACHILLES_SMTP_URL is not set.*queued/)
  assert.equal((await row(id)).attempts, 0)
  await asSystem(db, (tx) => tx.deleteFrom('mail_outbox').where('id', '=', id).execute())
})

test('with SMTP configured the mailer delivers queued mail every few moments and stops cleanly', async () => {
  const { lines, log } = recordingLog()
  const config = loadConfig({ ACHILLES_SMTP_URL: smtpUrl, ACHILLES_MAIL_FROM: FROM })
  const mailer = startMailer({ db, config, log }, { intervalMs: 20 })
  try {
    const { id } = await asUser(db, viewer, (tx) => queueMail(tx, tasking('by.the.mailer@mail.example')))
    for (let i = 0; i < 250 && messagesFor(id).length === 0; i++) await new Promise((r) => setTimeout(r, 20))
    assert.equal(messagesFor(id).length, 1)
  } finally {
    await mailer.stop()
  }
  assert.match(lines[0]!, new RegExp(`Sending e-mail through ${smtpUrl.replace(/[.]/g, '\\.')}`))
  // Stopped: mail queued now waits for the next start.
  const { id } = await asUser(db, viewer, (tx) => queueMail(tx, tasking('after.stop@mail.example')))
  await new Promise((r) => setTimeout(r, 100))
  assert.equal((await row(id)).attempts, 0)
})
