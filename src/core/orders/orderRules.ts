import type { FieldIssue } from '../errors.ts'
import { ageOn } from '../powers/suggestPowers.ts'
import { describePeriod, type Period, type Power } from '../powers/catalogue.ts'

// The catalogue's rules, enforced when an order is entered in the register: who it may bind, how
// long it may run, and what must have come first. Each refusal names the rule and its legal basis,
// because the officer entering it needs to know which rule, not only that something is wrong.

export type OrderDraft = {
  /** When it takes effect and ends; ISO timestamps (a closure notice is measured in hours). */
  startsAt: string
  endsAt: string | null
  /** A subject person's date of birth, when the order binds a person and one is held. */
  subjectBirthDate: string | null
  subjectKind: 'person' | 'premises' | 'business' | 'vehicle' | 'money'
  /** For powers whose longer term needs a more senior authorisation (a 48-hour closure notice). */
  extendedAuthority: boolean
  /** Powers already used on the same subject, with when: a notice that needs a warning first. */
  priorUses: readonly { powerId: string; at: string }[]
}

/** The timestamp one period after another, in calendar terms for months and years (UTC). */
export function addPeriod(iso: string, p: Period): Date {
  const d = new Date(iso)
  if (p.unit === 'hours') return new Date(d.getTime() + p.value * 3_600_000)
  if (p.unit === 'days') return new Date(d.getTime() + p.value * 86_400_000)
  const months = p.unit === 'months' ? p.value : p.value * 12
  const out = new Date(d)
  out.setUTCMonth(out.getUTCMonth() + months)
  // 31 January plus a month is the last day of February, not 3 March.
  if (out.getUTCDate() !== d.getUTCDate()) out.setUTCDate(0)
  return out
}

function nameOf(power: Power): string {
  return power.shortName ? `${power.name} (${power.shortName})` : power.name
}

/** Every rule of the power the draft breaks, each naming the rule; empty when it may be registered. */
export function orderRuleProblems(power: Power, draft: OrderDraft, powerNames: ReadonlyMap<string, string>): FieldIssue[] {
  const issues: FieldIssue[] = []
  const name = nameOf(power)
  const start = new Date(draft.startsAt)
  const end = draft.endsAt ? new Date(draft.endsAt) : null
  if (end && end.getTime() <= start.getTime()) {
    issues.push({ field: 'endsAt', message: 'The order must end after it starts' })
    return issues
  }
  if (!power.subjects.includes(draft.subjectKind)) {
    issues.push({ field: 'subjectId', message: `A ${name} is made against ${power.subjects.join(' or ')}, not a ${draft.subjectKind}` })
  }
  if (power.minimumAge !== null && draft.subjectKind === 'person') {
    if (!draft.subjectBirthDate) {
      issues.push({ field: 'subjectId', message: `A ${name} needs the subject to be ${power.minimumAge} or over (${power.legalBasis}): record their date of birth first` })
    } else if (ageOn(draft.subjectBirthDate, draft.startsAt.slice(0, 10)) < power.minimumAge) {
      issues.push({ field: 'subjectId', message: `A ${name} cannot be made against someone under ${power.minimumAge} (${power.legalBasis})` })
    }
  }
  const { minimum, maximum, extendedMaximum } = power.duration
  if ((maximum || minimum) && !end) {
    issues.push({ field: 'endsAt', message: `Enter when the ${name} ends: ${power.duration.description}` })
  }
  if (end && maximum) {
    const limit = draft.extendedAuthority && extendedMaximum ? extendedMaximum : maximum
    if (end.getTime() > addPeriod(draft.startsAt, limit).getTime()) {
      const longer = extendedMaximum && !draft.extendedAuthority ? ` (up to ${describePeriod(extendedMaximum)} only ${power.duration.extension ?? 'when extended'})` : ''
      issues.push({ field: 'endsAt', message: `A ${name} may last at most ${describePeriod(limit)}${longer} (${power.legalBasis})` })
    }
  }
  if (draft.extendedAuthority && !extendedMaximum) {
    issues.push({ field: 'extendedAuthority', message: `A ${name} has no longer term for a more senior authorisation` })
  }
  if (end && minimum && end.getTime() < addPeriod(draft.startsAt, minimum).getTime()) {
    issues.push({ field: 'endsAt', message: `A ${name} must last at least ${describePeriod(minimum)} (${power.legalBasis})` })
  }
  for (const p of power.prerequisites) {
    if (p.kind !== 'prior_power') continue
    if (!draft.priorUses.some((u) => u.powerId === p.powerId && new Date(u.at).getTime() <= start.getTime())) {
      issues.push({ field: 'subjectId', message: `A ${name} needs a ${powerNames.get(p.powerId) ?? p.powerId} on the same subject first: ${p.description}` })
    }
  }
  return issues
}
