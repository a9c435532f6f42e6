import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import nodemailer, { type SendMailOptions } from 'nodemailer'
import { z } from 'zod'
import type { Config } from '../../config.ts'
import { isUuid } from '../../core/ids.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem, type Tx } from '../../db/context.ts'
import { parseInput } from '../../http/validation.ts'
import * as q from './queries.ts'

// E-mail from the platform: an outbox table and an SMTP sender (architecture: nodemailer over SMTP,
// jobs in a table read with FOR UPDATE SKIP LOCKED). A module queues mail in the transaction of
// the work it is about, so the mail exists exactly when the work does; the sender delivers it
// later, at least once: a sender that dies after the relay accepted a mail and before recording it
// sends that mail again (with the same Message-ID, so mail clients can tell).

const KIND = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/
const oneLine = /^[^\r\n]*$/

const MailInput = z
  .object({
    to: z.string().trim().max(254).email('Enter an e-mail address'),
    toUserId: z.string().refine(isUuid, 'must be a user id').optional(),
    subject: z.string().trim().min(1, 'Enter a subject').max(200).regex(oneLine, 'must be one line'),
    text: z.string().min(1, 'Enter the text').max(20_000),
    kind: z.string().max(60).regex(KIND, 'must be lower-case words joined by dots, e.g. action.assigned'),
    relatedType: z.string().min(1).max(60).optional(),
    relatedId: z.string().refine(isUuid, 'must be a record id').optional(),
    notBefore: z.date().optional(),
  })
  .strict()
  .refine((m) => (m.relatedType === undefined) === (m.relatedId === undefined), {
    path: ['relatedId'],
    message: 'give the related record type and its id together, or neither',
  })

export type MailInput = z.input<typeof MailInput>

/**
 * Queues a mail in the caller's transaction: it is sent only if that transaction commits, and
 * never if it rolls back. Works in a user's transaction (achilles_app may add to the outbox but not
 * read it) and in the platform's own.
 *
 * Personal data: e-mail leaves Achilles's controls and cannot be recalled. The text of a tasking
 * must NOT carry personal data of subjects (names, dates of birth, addresses, intelligence): give
 * a title and a link to the record (see baseUrl in src/config.ts), which the recipient opens in
 * Achilles under the visibility rule, where the reading is logged (DPA 2018 s.40).
 */
export async function queueMail(tx: Tx, input: MailInput): Promise<{ id: string }> {
  const m = parseInput(MailInput, input)
  const id = randomUUID()
  await q.insertMail(tx, {
    id,
    kind: m.kind,
    toAddress: m.to,
    toUserId: m.toUserId?.toLowerCase() ?? null,
    subject: m.subject,
    bodyText: m.text,
    relatedType: m.relatedType ?? null,
    relatedId: m.relatedId?.toLowerCase() ?? null,
    notBefore: m.notBefore,
  })
  return { id }
}

/** What the sender needs of nodemailer's transporter (or of a stand-in). */
export type MailTransport = {
  sendMail(message: SendMailOptions): Promise<{ accepted?: unknown[]; rejected?: unknown[] }>
  close?(): void
  /** The sender's address, for mail that does not name one. */
  from?: string
}

/** An SMTP transport for the configured relay, sending from ACHILLES_MAIL_FROM. */
export function createMailTransport(config: Pick<Config, 'smtpUrl' | 'mailFrom'>): MailTransport {
  if (!config.smtpUrl) throw new Error('ACHILLES_SMTP_URL is not set')
  // Nodemailer waits up to 2 minutes to connect and 10 minutes on a silent socket; shorter limits
  // keep one dead relay from holding a batch (and the sender's lease on it) for long.
  const smtp = nodemailer.createTransport({ url: config.smtpUrl, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 })
  return { from: config.mailFrom, sendMail: (message) => smtp.sendMail(message), close: () => smtp.close() }
}

export const MAX_ATTEMPTS = 10
export const BATCH = 20
/** How long a claimed mail is held for its sender before another may take it. */
export const LEASE_MS = 10 * 60_000
const FIRST_RETRY_MS = 60_000
const LONGEST_RETRY_MS = 6 * 60 * 60_000

/** The wait after a failed attempt: a minute, doubling each time, at most six hours. */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), LONGEST_RETRY_MS)
}

export type DeliveryOptions = {
  /** The time to judge what is due by, and to record; the clock when not given. */
  now?: Date
  batch?: number
  /** Attempts after which a mail is given up (it stays in the outbox, unsent, with its error). */
  maxAttempts?: number
  /** The sender, when not the transport's. */
  from?: string
  /** Stops before the next mail; mail claimed but not tried is handed back. */
  signal?: AbortSignal
  leaseMs?: number
}

export type DeliveryFailure = { id: string; kind: string; attempts: number; error: string; givenUp: boolean }

export type DeliveryReport = {
  claimed: number
  sent: number
  failed: number
  /** Of those failed, how many reached the last attempt. */
  givenUp: number
  /** Claimed but handed back untried, because the sender was stopping or its lease ran short. */
  released: number
  failures: DeliveryFailure[]
}

/**
 * Sends the outbox's due mail, as the platform. The claim is one short transaction (the rows are
 * leased, see claimDueMail), and each outcome another: no transaction stays open while a relay is
 * talked to, which on PGlite would stop every other request for as long.
 */
export async function deliverPendingMail(db: Database, transport: MailTransport, options: DeliveryOptions = {}): Promise<DeliveryReport> {
  const clock = () => options.now ?? new Date()
  const maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS
  const leaseMs = options.leaseMs ?? LEASE_MS
  const claimedAt = clock()
  const claimed = await asSystem(db, (tx) =>
    q.claimDueMail(tx, { now: claimedAt, leaseUntil: new Date(claimedAt.getTime() + leaseMs), batch: options.batch ?? BATCH, maxAttempts }),
  )
  const report: DeliveryReport = { claimed: claimed.length, sent: 0, failed: 0, givenUp: 0, released: 0, failures: [] }
  const started = performance.now()
  for (const [i, mail] of claimed.entries()) {
    // Only start a send with half the lease left, so no other sender can take the mail meanwhile.
    if (options.signal?.aborted || performance.now() - started > leaseMs / 2) {
      const rest = claimed.slice(i)
      await asSystem(db, (tx) => q.releaseMail(tx, rest, clock()))
      report.released = rest.length
      break
    }
    let failure: string | null = null
    try {
      const info = await transport.sendMail(messageOf(mail, options.from ?? transport.from))
      if ((info.rejected?.length ?? 0) > 0 || (info.accepted !== undefined && info.accepted.length === 0)) failure = 'The relay refused the recipient'
    } catch (error) {
      failure = describeFailure(error)
    }
    if (failure === null) {
      await asSystem(db, (tx) => q.markSent(tx, mail, clock()))
      report.sent += 1
      continue
    }
    const givenUp = mail.attempts >= maxAttempts
    await asSystem(db, (tx) => q.markFailed(tx, mail, failure, new Date(clock().getTime() + retryDelayMs(mail.attempts))))
    report.failed += 1
    if (givenUp) report.givenUp += 1
    report.failures.push({ id: mail.id, kind: mail.kind, attempts: mail.attempts, error: failure, givenUp })
  }
  return report
}

function messageOf(mail: q.ClaimedMail, from: string | undefined): SendMailOptions {
  const domain = from ? /@([^>\s]+)>?\s*$/.exec(from)?.[1] : undefined
  return {
    ...(from ? { from } : {}),
    to: mail.toAddress,
    subject: mail.subject,
    text: mail.bodyText,
    // The same id on every attempt, so a mail sent twice (see above) is recognisably one.
    messageId: `<${mail.id}@${domain ?? 'achilles'}>`,
    // RFC 3834: automatic mail, to which out-of-office replies should not be sent.
    headers: { 'Auto-Submitted': 'auto-generated' },
  }
}

/** The relay's answer, or the error, short enough to keep with the mail. */
function describeFailure(error: unknown): string {
  const message = (error as { message?: unknown }).message
  const text = typeof message === 'string' ? message : String(error)
  return text.replace(/\s+/g, ' ').trim().slice(0, 1000) || 'Sending failed'
}

export type MailerLog = {
  info(text: string): void
  warn(text: string): void
  error(detail: { err: unknown }, text: string): void
}

export type Mailer = { stop(): Promise<void> }

/**
 * Delivers queued mail every few seconds in the server process, when ACHILLES_SMTP_URL is set;
 * without it, says so and leaves mail queued (none is lost: it goes once SMTP is set). stop() lets a
 * send in flight finish, hands back what is not yet tried and closes the transport; call it before
 * the database closes.
 */
export function startMailer(
  ctx: { db: Database; config: Pick<Config, 'smtpUrl' | 'mailFrom'>; now?: () => Date; log: MailerLog },
  options: { intervalMs?: number; transport?: MailTransport; batch?: number; maxAttempts?: number } = {},
): Mailer {
  const { config, log } = ctx
  if (!config.smtpUrl) {
    log.info('E-mail is not sent: ACHILLES_SMTP_URL is not set. Mail stays queued in the outbox and is sent once it is set.')
    return { stop: async () => {} }
  }
  const relay = new URL(config.smtpUrl)
  log.info(`Sending e-mail through ${relay.protocol}//${relay.host} as ${config.mailFrom}`)
  const transport = options.transport ?? createMailTransport(config)
  const intervalMs = options.intervalMs ?? 5_000
  const batch = options.batch ?? BATCH
  const stopping = new AbortController()
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()

  const run = async (): Promise<boolean> => {
    try {
      const report = await deliverPendingMail(ctx.db, transport, {
        now: ctx.now?.(),
        batch,
        maxAttempts: options.maxAttempts,
        signal: stopping.signal,
      })
      for (const f of report.failures) {
        const what = `E-mail ${f.id} (${f.kind}) failed on attempt ${f.attempts}: ${f.error}`
        if (f.givenUp) log.error({ err: new Error(f.error) }, `${what}. Given up: it stays unsent in the outbox.`)
        else log.warn(`${what}. It will be tried again.`)
      }
      if (report.sent > 0) log.info(`Sent ${report.sent} e-mail${report.sent === 1 ? '' : 's'}`)
      return report.claimed === batch
    } catch (error) {
      log.error({ err: error }, 'E-mail delivery failed; it will be tried again')
      return false
    }
  }
  const schedule = (delayMs: number) => {
    if (stopping.signal.aborted) return
    timer = setTimeout(() => {
      running = run().then((more) => schedule(more ? 0 : intervalMs))
    }, delayMs)
  }
  schedule(0)

  return {
    async stop() {
      stopping.abort()
      clearTimeout(timer)
      await running
      transport.close?.()
    },
  }
}
