// When a score has gone stale. A priority is only as good as its last assessment: MoRiLE scores are
// reviewed when the picture changes, and every record has a review date (retention and review,
// domain.md). Pure: the caller passes `now` and the changes it knows of.

import { longUkDate, ukDay } from '../time/ukDates.ts'

export const CHANGE_KINDS = ['members', 'disruptions', 'intelligence', 'model'] as const
export type ChangeKind = (typeof CHANGE_KINDS)[number]

export type RescoreReason = 'never_assessed' | 'review_date_passed' | ChangeKind

export type RescorePrompt = {
  reason: RescoreReason
  message: string
  /** When the reason arose: the latest change of its kind, or the review date. Null for never assessed. */
  at: Date | null
  /** How many changes of this kind since the last assessment (1 for the other reasons). */
  count: number
}

export type RescoreInput = {
  lastAssessedAt: Date | null
  /** YYYY-MM-DD, a calendar date in the UK. */
  reviewDate: string | null
  changes: ReadonlyArray<{ kind: ChangeKind; at: Date }>
  now: Date
}

// Calendar dates are UK dates (src/core/time/ukDates.ts).

const MESSAGES: Record<ChangeKind, (count: number, latest: string) => string> = {
  members: (n, d) => (n === 1 ? `Membership changed on ${d}` : `Membership changed ${n} times since the last assessment, most recently on ${d}`),
  disruptions: (n, d) => (n === 1 ? `A disruption was recorded on ${d}` : `${n} disruptions were recorded since the last assessment, most recently on ${d}`),
  intelligence: (n, d) => (n === 1 ? `New intelligence was recorded on ${d}` : `${n} new intelligence records since the last assessment, most recently on ${d}`),
  model: (n, d) => (n === 1 ? `A new model version was published on ${d}` : `${n} new model versions were published since the last assessment, most recently on ${d}`),
}

/** The reasons a subject's score is due for review, in a fixed order; empty when it is up to date. */
export function rescorePrompts(input: RescoreInput): RescorePrompt[] {
  const prompts: RescorePrompt[] = []
  if (input.lastAssessedAt === null) {
    prompts.push({ reason: 'never_assessed', message: 'Never assessed: score it with the current model', at: null, count: 1 })
  }

  if (input.reviewDate !== null) {
    const review = parseDay(input.reviewDate)
    const today = ukDay(input.now)
    if (input.reviewDate <= today) {
      prompts.push({
        reason: 'review_date_passed',
        message: input.reviewDate === today ? `The review date is today, ${longUkDate(review)}` : `The review date, ${longUkDate(review)}, has passed`,
        at: review,
        count: 1,
      })
    }
  }

  // Changes matter only after an assessment; before the first one, "never assessed" says it all.
  const since = input.lastAssessedAt
  if (since !== null) {
    for (const kind of CHANGE_KINDS) {
      const after = input.changes.filter((c) => c.kind === kind && c.at.getTime() > since.getTime())
      if (after.length === 0) continue
      const latest = new Date(Math.max(...after.map((c) => c.at.getTime())))
      prompts.push({ reason: kind, message: MESSAGES[kind](after.length, longUkDate(latest)), at: latest, count: after.length })
    }
  }
  return prompts
}

/** Noon UTC on the date, which is the same calendar date in London in every season. */
function parseDay(day: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12)) : null
  if (!date || date.toISOString().slice(0, 10) !== day) throw new RangeError(`reviewDate must be a real date written YYYY-MM-DD, not "${day}"`)
  return date
}
