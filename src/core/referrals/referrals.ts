import type { FieldIssue } from '../errors.ts'

// A GAIN referral or information request: one agency asks another (directly, or through the regional
// GAIN coordinator, who routes it on) for information about a person, business, premises, vehicle or
// group, naming its purpose and lawful basis. The rules here are what the partners rely on: who may
// move a referral on at each step, when it is due, what a refusal must say, and when it is late.
// Pure functions: no clock (pass today in), no database.

export const REFERRAL_KINDS = ['referral', 'information_request'] as const
export type ReferralKind = (typeof REFERRAL_KINDS)[number]
export const REFERRAL_KIND_LABELS: Record<ReferralKind, string> = {
  referral: 'GAIN referral (for the recipient to act on)',
  information_request: 'Information request (for the recipient to answer)',
}

export const REFERRAL_STATES = ['sent', 'routed', 'accepted', 'answered', 'declined', 'withdrawn', 'closed'] as const
export type ReferralState = (typeof REFERRAL_STATES)[number]
export const REFERRAL_STATE_LABELS: Record<ReferralState, string> = {
  sent: 'Sent',
  routed: 'Routed',
  accepted: 'Accepted',
  answered: 'Answered',
  declined: 'Declined',
  withdrawn: 'Withdrawn',
  closed: 'Closed',
}

/** The states in which the recipient still owes an answer: the referral can become overdue. */
export const OPEN_STATES: readonly ReferralState[] = ['sent', 'routed', 'accepted']
export const isOpen = (state: string): boolean => (OPEN_STATES as readonly string[]).includes(state)

export const URGENCIES = ['immediate', 'within_24_hours', 'within_7_days', 'routine'] as const
export type Urgency = (typeof URGENCIES)[number]
export const URGENCY_LABELS: Record<Urgency, string> = {
  immediate: 'Immediate (today: risk to life or of serious harm, or evidence about to be lost)',
  within_24_hours: 'Within 24 hours',
  within_7_days: 'Within 7 days',
  routine: 'Routine (within 28 days)',
}
export const URGENCY_SHORT_LABELS: Record<Urgency, string> = { immediate: 'Immediate', within_24_hours: 'Within 24 hours', within_7_days: 'Within 7 days', routine: 'Routine' }

/** Days from sending to the default due date, by urgency. */
export const URGENCY_DAYS: Record<Urgency, number> = { immediate: 0, within_24_hours: 1, within_7_days: 7, routine: 28 }

function addDays(isoDay: string, days: number): string {
  const d = new Date(`${isoDay}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/** The date an answer is due by when the requester names none: today plus the urgency's days. */
export function defaultDueOn(urgency: Urgency, today: string): string {
  return addDays(today, URGENCY_DAYS[urgency])
}

/**
 * The due date a referral carries, and what is wrong with the one asked for. A requester may ask
 * for an answer sooner than the urgency implies, never later: a "within 24 hours" referral due in a
 * month is a routine one mislabelled, and the recipient's SPOC triages by urgency.
 */
export function dueDateFor(urgency: Urgency, requested: string | null, today: string): { dueOn: string; issues: FieldIssue[] } {
  const latest = defaultDueOn(urgency, today)
  if (requested === null) return { dueOn: latest, issues: [] }
  const issues: FieldIssue[] = []
  if (requested < today) issues.push({ field: 'dueOn', message: 'The date the answer is needed by must be today or later' })
  else if (requested > latest) {
    issues.push({ field: 'dueOn', message: `An answer ${URGENCY_SHORT_LABELS[urgency].toLowerCase()} is due by ${latest} at the latest: choose an earlier date, or a lower urgency` })
  }
  return { dueOn: requested, issues }
}

/** A reminder is sent for open referrals due within a day, and for overdue ones. */
export const REMINDER_WINDOW_DAYS = 1

/** Whether the recipient still owes an answer and the due date has passed. */
export function isOverdue(r: { state: string; dueOn: string }, today: string): boolean {
  return isOpen(r.state) && r.dueOn < today
}

/** Whether the answer is due today or tomorrow, and not yet late. */
export function isDueSoon(r: { state: string; dueOn: string }, today: string): boolean {
  return isOpen(r.state) && r.dueOn >= today && r.dueOn <= addDays(today, REMINDER_WINDOW_DAYS)
}

/** Whether tonight's work should remind the recipient: open, due within a day or late, and not reminded today. */
export function needsReminder(r: { state: string; dueOn: string; remindedOn: string | null }, today: string): boolean {
  return isOpen(r.state) && r.dueOn <= addDays(today, REMINDER_WINDOW_DAYS) && (r.remindedOn === null || r.remindedOn < today)
}

/** Whole days late (0 when not late). */
export function daysOverdue(r: { state: string; dueOn: string }, today: string): number {
  if (!isOverdue(r, today)) return 0
  return Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${r.dueOn}T00:00:00Z`)) / 86_400_000)
}

// ---------------------------------------------------------------------------------------------
// Who may do what, and when

export const REFERRAL_ACTIONS = ['route', 'accept', 'answer', 'decline', 'withdraw', 'close'] as const
export type ReferralAction = (typeof REFERRAL_ACTIONS)[number]

/** Where each action takes a referral, from the states it may be taken in. */
const TRANSITIONS: Record<ReferralAction, { from: readonly ReferralState[]; to: ReferralState }> = {
  // The coordinator routes what was sent to them, once; after that it is the named agency's.
  route: { from: ['sent'], to: 'routed' },
  accept: { from: ['sent', 'routed'], to: 'accepted' },
  // An answer may come straight away (it accepts the referral), and a further answer may follow.
  answer: { from: ['sent', 'routed', 'accepted', 'answered'], to: 'answered' },
  decline: { from: ['sent', 'routed', 'accepted'], to: 'declined' },
  withdraw: { from: ['sent', 'routed', 'accepted'], to: 'withdrawn' },
  close: { from: ['answered', 'declined'], to: 'closed' },
}

/** How the actor stands to the referral: the agency that asked, the one that must answer, the coordinator. */
export type Party = { requester: boolean; recipient: boolean; coordinator: boolean }

export type ReferralFacts = {
  state: ReferralState
  /** Whether it is still with the coordinator, waiting to be routed. */
  withCoordinator: boolean
}

/** The state an action leads to, or null when it may not be taken now. */
export function nextState(state: ReferralState, action: ReferralAction): ReferralState | null {
  const t = TRANSITIONS[action]
  return t.from.includes(state) ? t.to : null
}

/**
 * Whether a party may take an action on a referral as it stands. Routing is the coordinator's while
 * the referral is with them; accepting, answering and declining are the recipient's (the coordinator
 * is the recipient until they route it); withdrawing and closing are the requester's.
 */
export function mayTake(action: ReferralAction, facts: ReferralFacts, party: Party): boolean {
  if (nextState(facts.state, action) === null) return false
  switch (action) {
    case 'route':
      return party.coordinator && facts.withCoordinator
    case 'accept':
    case 'answer':
    case 'decline':
      return party.recipient
    case 'withdraw':
    case 'close':
      return party.requester
  }
}

/** The actions a party may take now, in the order a page offers them. */
export function availableActions(facts: ReferralFacts, party: Party): ReferralAction[] {
  return REFERRAL_ACTIONS.filter((a) => mayTake(a, facts, party))
}

/** Why an action is refused, in words for the person who tried it. */
export function refusalReason(action: ReferralAction, facts: ReferralFacts, party: Party): string {
  if (nextState(facts.state, action) === null) return `A referral that is ${REFERRAL_STATE_LABELS[facts.state].toLowerCase()} cannot be ${ACTION_PAST[action]}`
  if (action === 'route') return facts.withCoordinator ? 'Only the regional GAIN coordinator’s agency can route a referral sent to it' : 'Only a referral sent to the regional GAIN coordinator, and not yet routed, can be routed'
  if (action === 'withdraw' || action === 'close') return `Only the agency that sent a referral can ${action} it`
  return `Only the agency the referral is with can ${action} it`
}

const ACTION_PAST: Record<ReferralAction, string> = { route: 'routed', accept: 'accepted', answer: 'answered', decline: 'declined', withdraw: 'withdrawn', close: 'closed' }

// ---------------------------------------------------------------------------------------------
// Declining

export const DECLINE_GROUNDS = ['no_information_held', 'lawful_basis_insufficient', 'not_necessary_or_proportionate', 'prejudice_to_investigation', 'not_our_remit', 'other'] as const
export type DeclineGround = (typeof DECLINE_GROUNDS)[number]
export const DECLINE_GROUND_LABELS: Record<DeclineGround, string> = {
  no_information_held: 'We hold no information on the subject',
  lawful_basis_insufficient: 'The lawful basis given does not permit this disclosure',
  not_necessary_or_proportionate: 'Disclosure is not necessary or proportionate for the purpose given',
  prejudice_to_investigation: 'Disclosure would prejudice an investigation or proceedings',
  not_our_remit: 'The request is for another agency',
  other: 'Another reason',
}

export const MIN_DECLINE_REASON = 20
const EMPTY_WORDS = /^(no|n\/?a|none|declined?|refused?|rejected?|not applicable|see above|as above|-+|\.+)$/i

/**
 * What is wrong with a refusal. The requester must be able to act on it: the ground, and a reason
 * in the recipient's own words of at least 20 characters and three words (not "no" or "n/a"). A
 * refusal because the request is for another agency names that agency, so the requester can ask it;
 * one on the lawful basis says what basis would serve, or why none would.
 */
export function declineProblems(input: { ground: string | null; reason: string | null; suggestedAgency?: string | null }): FieldIssue[] {
  const issues: FieldIssue[] = []
  const ground = input.ground
  if (!ground || !(DECLINE_GROUNDS as readonly string[]).includes(ground)) issues.push({ field: 'declineGround', message: 'Choose why you are declining the referral' })
  const reason = input.reason?.trim() ?? ''
  if (reason === '') issues.push({ field: 'reason', message: 'Explain why you are declining, so the requester can act on it' })
  else if (EMPTY_WORDS.test(reason) || reason.length < MIN_DECLINE_REASON || reason.split(/\s+/).length < 3) {
    issues.push({ field: 'reason', message: `Explain why you are declining in at least ${MIN_DECLINE_REASON} characters and a few words: the requester must be able to act on it` })
  }
  if (ground === 'not_our_remit' && !(input.suggestedAgency?.trim())) {
    issues.push({ field: 'suggestedAgency', message: 'Name the agency the requester should ask instead' })
  }
  if (ground === 'lawful_basis_insufficient' && reason !== '' && !/\b(basis|gateway|section|s\.?\s?\d|act|consent|schedule|power|law)/i.test(reason)) {
    issues.push({ field: 'reason', message: 'Say what lawful basis would permit the disclosure, or why none would' })
  }
  return issues
}

/** What is wrong with a stated lawful basis: "other" must be named with its provision. */
export function statedBasisProblems(needsStatedBasis: boolean, detail: string | null): FieldIssue[] {
  if (!needsStatedBasis) return []
  const d = detail?.trim() ?? ''
  if (d.length < 10) return [{ field: 'lawfulBasisDetail', message: 'Name the lawful basis you rely on and its provision, for example the Act and section' }]
  return []
}

/** A short reference partners quote on the telephone: GAIN-YYYY- and the first six of the id. */
export function referralReference(id: string, sentOn: string): string {
  return `GAIN-${sentOn.slice(0, 4)}-${id.replace(/-/g, '').slice(0, 6).toUpperCase()}`
}

/**
 * What is wrong with a referral's marking. What it discloses comes from the requester's record of
 * the subject, so it is marked at least as high: a summary of an OFFICIAL-SENSITIVE record is
 * OFFICIAL-SENSITIVE too (Government Security Classifications: the marking follows the content).
 */
export function markingProblems(subjectMarking: string, referralMarking: string): FieldIssue[] {
  if (subjectMarking === 'OFFICIAL-SENSITIVE' && referralMarking !== 'OFFICIAL-SENSITIVE') {
    return [{ field: 'protectiveMarking', message: 'The subject’s record is OFFICIAL-SENSITIVE, so what you disclose from it must be marked OFFICIAL-SENSITIVE too' }]
  }
  return []
}

/** When a referral's retention is next reviewed: a year after its answer was due. */
export function referralReviewDate(dueOn: string): string {
  return addDays(dueOn, 365)
}
