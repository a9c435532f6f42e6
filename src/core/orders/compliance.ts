import type { Period } from '../powers/catalogue.ts'
import { addPeriod } from './orderRules.ts'

// An order's conditions are obligations, and those that someone must check (records inspected every
// three months, a monthly report) become scheduled compliance checks, each assigned to one of the
// agencies the condition names. Bedfordshire's SCPOs (seed 000) rotate inspections between trading
// standards, HMRC, the GLAA and the HSE; the rotation here does the same, in the order given.

export const OBLIGATION_KINDS = ['notify', 'inspection', 'report', 'prohibition', 'requirement'] as const
export type ObligationKind = (typeof OBLIGATION_KINDS)[number]
export const OBLIGATION_KIND_LABELS: Record<ObligationKind, string> = {
  notify: 'Notify before doing something',
  inspection: 'Allow inspection',
  report: 'Report regularly',
  prohibition: 'Must not',
  requirement: 'Must',
}

export const CHECK_INTERVAL_UNITS = ['days', 'weeks', 'months'] as const
export type CheckIntervalUnit = (typeof CHECK_INTERVAL_UNITS)[number]

export type Obligation = {
  key: string
  kind: ObligationKind
  text: string
  /** How often someone checks it; none for an obligation checked only when a breach is reported. */
  every: { value: number; unit: CheckIntervalUnit } | null
  /** The agencies that carry out the checks, in rotation. */
  checkAgencyIds: readonly string[]
  /** For a notification duty: how long before the act the subject must tell (e.g. 24 hours). */
  noticeHours: number | null
}

export type ScheduledCheck = { obligationKey: string; sequence: number; dueOn: string; agencyId: string }

export type SchedulableOrder = {
  startsAt: string
  endsAt: string | null
  status: string
  obligations: readonly Obligation[]
}

/** How far ahead the scheduler makes checks, so agencies see what is coming. */
export const CHECK_HORIZON_DAYS = 92
/** A check can be recorded from this many days before it falls due. */
export const CHECK_EARLY_DAYS = 14

function intervalPeriod(every: NonNullable<Obligation['every']>): Period {
  return every.unit === 'weeks' ? { value: every.value * 7, unit: 'days' } : { value: every.value, unit: every.unit }
}

function dayOf(d: Date): string {
  return d.toISOString().slice(0, 10)
}

function plusDays(day: string, days: number): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000))
}

/**
 * The checks an order needs that do not exist yet: one per interval from the start for each checked
 * obligation, up to the order's end and no further ahead than the horizon. `existing` holds the
 * (obligationKey, sequence) pairs already scheduled, so running it again makes nothing twice.
 */
export function checksToSchedule(order: SchedulableOrder, existing: ReadonlySet<string>, today: string, horizonDays = CHECK_HORIZON_DAYS): ScheduledCheck[] {
  if (order.status !== 'in_force') return []
  const until = plusDays(today, horizonDays)
  const out: ScheduledCheck[] = []
  for (const o of order.obligations) {
    if (!o.every || o.checkAgencyIds.length === 0) continue
    const step = intervalPeriod(o.every)
    for (let sequence = 1; ; sequence++) {
      const due = dayOf(addPeriod(order.startsAt, { value: step.value * sequence, unit: step.unit }))
      if (due > until || (order.endsAt && due > order.endsAt.slice(0, 10))) break
      if (existing.has(checkKey(o.key, sequence))) continue
      out.push({ obligationKey: o.key, sequence, dueOn: due, agencyId: o.checkAgencyIds[(sequence - 1) % o.checkAgencyIds.length]! })
    }
  }
  return out
}

export function checkKey(obligationKey: string, sequence: number): string {
  return `${obligationKey}#${sequence}`
}

/** The last day the scheduler makes checks for, from today. */
export function scheduleHorizon(today: string, horizonDays = CHECK_HORIZON_DAYS): string {
  return plusDays(today, horizonDays)
}

/** Why a check's result cannot be recorded today, or null. */
export function checkRecordingProblem(check: { dueOn: string; result: string | null }, today: string): string | null {
  if (check.result !== null) return 'This check has already been recorded'
  const opens = plusDays(check.dueOn, -CHECK_EARLY_DAYS)
  if (today < opens) return `This check is not due until ${check.dueOn}; its result can be recorded from ${opens}`
  return null
}

/** Days before an order ends when its renewal or extension should be in hand, by its term. */
export function renewalNoticeDays(startsAt: string, endsAt: string): number {
  const termDays = (Date.parse(endsAt) - Date.parse(startsAt)) / 86_400_000
  if (termDays >= 365) return 90
  if (termDays >= 28) return 14
  return 0
}

/** Whether an order in force should be flagged for renewal or expiry today. */
export function isDueForRenewal(order: { status: string; startsAt: string; endsAt: string | null }, today: string): boolean {
  if (order.status !== 'in_force' || !order.endsAt) return false
  const days = renewalNoticeDays(order.startsAt, order.endsAt)
  return days > 0 && plusDays(today, days) >= order.endsAt.slice(0, 10) && today <= order.endsAt.slice(0, 10)
}
