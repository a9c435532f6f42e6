import type { BusinessType, EnablerProfession, HoldingKind, MemberRole, ThreatArea } from '../reference/crime.ts'
import { STRANDS, type AgencyRef, type Condition, type Power, type PowerSubject, type Prerequisite } from './catalogue.ts'

// The "Achilles heel" approach (seed 004): look at what a group is made of (its businesses,
// premises, vehicles, money, members' ages and roles, threat areas) and propose every partner's
// power that could bite, with the reason each applies and who should lead. The LRO decides; these
// are suggestions, ranked by how strongly the catalogue's indicators match, never actions taken.

export type ProfileMember = {
  personId: string
  caption: string
  role: MemberRole
  enablerProfession: EnablerProfession | null
  /** Whole years on the day the suggestions are made; null when no date of birth is held. */
  age: number | null
}

export type ProfileEntity = { entityId: string; caption: string; kind: HoldingKind; businessType: BusinessType | null }

/** What the suggestions read of a group: its current members and holdings only. */
export type GroupProfile = {
  threatAreas: readonly ThreatArea[]
  crossBorder: boolean
  members: readonly ProfileMember[]
  holdings: readonly ProfileEntity[]
}

export type SuggestionTarget = { id: string; caption: string; note: string | null }

export type Suggestion = {
  powerId: string
  name: string
  strands: Power['strands']
  leadAgency: AgencyRef
  /** The sum of the weights of the indicators that matched. */
  score: number
  /** Why the power applies: one line per matching indicator, strongest first. */
  reasons: string[]
  /** The members, businesses, premises or vehicles it could be used on. */
  targets: SuggestionTarget[]
  /** What must be done or be true before it can be used. */
  prerequisites: Prerequisite[]
}

/** Whole years between a date of birth and a day, both YYYY-MM-DD. */
export function ageOn(birthDate: string, day: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number]
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0)
}

function any<T>(wanted: readonly T[] | undefined, held: readonly T[]): boolean {
  return wanted === undefined || wanted.some((w) => held.includes(w))
}

/** Whether a group matches every field an indicator names. */
export function matches(when: Condition, profile: GroupProfile): boolean {
  const businessTypes = profile.holdings.flatMap((h) => (h.businessType ? [h.businessType] : []))
  const professions = profile.members.flatMap((m) => (m.enablerProfession ? [m.enablerProfession] : []))
  return (
    any(when.threatAreas, profile.threatAreas) &&
    any(when.businessTypes, businessTypes) &&
    any(when.holdings, profile.holdings.map((h) => h.kind)) &&
    any(when.memberRoles, profile.members.map((m) => m.role)) &&
    any(when.enablerProfessions, professions) &&
    (when.memberUnderAge === undefined || profile.members.some((m) => m.age !== null && m.age < when.memberUnderAge!)) &&
    (when.crossBorder === undefined || when.crossBorder === profile.crossBorder)
  )
}

const SUBJECT_HOLDINGS: Record<Exclude<PowerSubject, 'person'>, readonly HoldingKind[]> = {
  // A business trades from somewhere: premises powers reach a business interest's premises too.
  premises: ['premises', 'business_interest'],
  business: ['business_interest'],
  vehicle: ['vehicle'],
  money: ['bank_account', 'business_interest'],
}

/**
 * What in the group a power could be used on. People below the power's minimum age are left
 * out; people of unknown age are kept with a note to confirm it. An indicator naming business
 * types narrows the businesses to those types.
 */
function targetsOf(power: Power, profile: GroupProfile, businessTypes: ReadonlySet<BusinessType> | null): SuggestionTarget[] {
  const out: SuggestionTarget[] = []
  const seen = new Set<string>()
  const add = (t: SuggestionTarget) => {
    if (!seen.has(t.id)) out.push(t)
    seen.add(t.id)
  }
  for (const subject of power.subjects) {
    if (subject === 'person') {
      for (const m of profile.members) {
        if (power.minimumAge !== null && m.age !== null && m.age < power.minimumAge) continue
        add({ id: m.personId, caption: m.caption, note: power.minimumAge !== null && m.age === null ? `Confirm their age: this power needs someone aged ${power.minimumAge} or over` : null })
      }
      continue
    }
    for (const h of profile.holdings) {
      if (!SUBJECT_HOLDINGS[subject].includes(h.kind)) continue
      if (h.kind === 'business_interest' && businessTypes && !(h.businessType && businessTypes.has(h.businessType))) continue
      add({ id: h.entityId, caption: h.caption, note: null })
    }
  }
  return out
}

/**
 * The catalogue's powers that suit the group, strongest first: a power is suggested when at least
 * one of its indicators matches and the group holds something it can be used on. Ties go to the
 * earlier of the 4Ps (Pursue first), then the name.
 */
export function suggestPowers(catalogue: readonly Power[], profile: GroupProfile): Suggestion[] {
  const out: Suggestion[] = []
  for (const power of catalogue) {
    const matched = power.indicators.filter((i) => matches(i.when, profile)).sort((a, b) => b.weight - a.weight)
    if (matched.length === 0) continue
    const named = matched.flatMap((i) => i.when.businessTypes ?? [])
    const targets = targetsOf(power, profile, named.length > 0 ? new Set(named) : null)
    if (targets.length === 0) continue
    out.push({
      powerId: power.id,
      name: power.name,
      strands: power.strands,
      leadAgency: power.leadAgency,
      score: matched.reduce((sum, i) => sum + i.weight, 0),
      reasons: [...new Set(matched.map((i) => i.reason))],
      targets,
      prerequisites: power.prerequisites,
    })
  }
  const strandRank = (s: Suggestion) => Math.min(...s.strands.map((x) => STRANDS.indexOf(x)))
  return out.sort((a, b) => b.score - a.score || strandRank(a) - strandRank(b) || a.name.localeCompare(b.name, 'en-GB'))
}
