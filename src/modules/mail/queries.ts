import type { Queryable } from '../../db/context.ts'

// The only SQL on the mail outbox (migration 0018). Users' transactions may only add to it; every
// other statement here is the sender's, run as the owner.

export type NewMail = {
  id: string
  kind: string
  toAddress: string
  toUserId: string | null
  subject: string
  bodyText: string
  relatedType: string | null
  relatedId: string | null
  notBefore: Date | undefined
}

/** Adds a mail. No RETURNING: achilles_app may insert into the outbox but never read it. */
export async function insertMail(db: Queryable, m: NewMail): Promise<void> {
  await db
    .insertInto('mail_outbox')
    .values({
      id: m.id,
      kind: m.kind,
      to_address: m.toAddress,
      to_user_id: m.toUserId,
      subject: m.subject,
      body_text: m.bodyText,
      related_type: m.relatedType,
      related_id: m.relatedId,
      ...(m.notBefore ? { not_before: m.notBefore } : {}),
    })
    .execute()
}

export type ClaimedMail = {
  id: string
  kind: string
  toAddress: string
  subject: string
  bodyText: string
  /** Counting this one: the claim is the attempt, so a sender that dies mid-send still counts it. */
  attempts: number
  createdAt: Date
}

/**
 * Claims up to `batch` mails that are due and not given up, oldest first: each is leased (not due
 * again until `leaseUntil`) and its attempt counted, in one statement. Rows another sender has
 * locked are skipped rather than waited for; rows it has claimed and committed are no longer due.
 * So two senders never hold the same mail.
 */
export async function claimDueMail(db: Queryable, o: { now: Date; leaseUntil: Date; batch: number; maxAttempts: number }): Promise<ClaimedMail[]> {
  const rows = await db
    .updateTable('mail_outbox')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), not_before: o.leaseUntil }))
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('mail_outbox')
        .select('id')
        .where('sent_at', 'is', null)
        .where('not_before', '<=', o.now)
        .where('attempts', '<', o.maxAttempts)
        .orderBy('not_before')
        .limit(o.batch)
        .forUpdate()
        .skipLocked(),
    )
    .returning(['id', 'kind', 'to_address', 'subject', 'body_text', 'attempts', 'created_at'])
    .execute()
  return rows
    .map((r) => ({ id: r.id, kind: r.kind, toAddress: r.to_address, subject: r.subject, bodyText: r.body_text, attempts: r.attempts, createdAt: r.created_at }))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id))
}

// Each of these changes the row only while it is still this sender's claim (the attempt it
// counted), so a sender that overran its lease cannot overwrite the next one's outcome.

export async function markSent(db: Queryable, mail: Pick<ClaimedMail, 'id' | 'attempts'>, sentAt: Date): Promise<void> {
  await db
    .updateTable('mail_outbox')
    .set({ sent_at: sentAt, last_error: null })
    .where('id', '=', mail.id)
    .where('attempts', '=', mail.attempts)
    .where('sent_at', 'is', null)
    .execute()
}

export async function markFailed(db: Queryable, mail: Pick<ClaimedMail, 'id' | 'attempts'>, error: string, retryAt: Date): Promise<void> {
  await db
    .updateTable('mail_outbox')
    .set({ last_error: error, not_before: retryAt })
    .where('id', '=', mail.id)
    .where('attempts', '=', mail.attempts)
    .where('sent_at', 'is', null)
    .execute()
}

/** Hands back claimed mail not yet tried (the sender is stopping): due again, attempt uncounted. */
export async function releaseMail(db: Queryable, mails: ReadonlyArray<Pick<ClaimedMail, 'id' | 'attempts'>>, dueAt: Date): Promise<void> {
  for (const mail of mails) {
    await db
      .updateTable('mail_outbox')
      .set((eb) => ({ attempts: eb('attempts', '-', 1), not_before: dueAt }))
      .where('id', '=', mail.id)
      .where('attempts', '=', mail.attempts)
      .where('sent_at', 'is', null)
      .execute()
  }
}
