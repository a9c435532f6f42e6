import { capabilitiesOf, type Role } from '../access/roles.ts'
import type { Random } from '../demo/random.ts'
import type { AgencyType, ServiceArea } from '../reference/agencies.ts'
import { defaultDueOn, referralReviewDate, type ReferralState, type Urgency } from './referrals.ts'

// A handful of invented GAIN referrals for the demonstration partnership, one in each state a user
// meets: an information request HMRC has answered, a referral waiting at the regional GAIN
// coordinator to be routed, one routed to trading standards, accepted and now overdue, and one the
// fire service declined. Each is about a group its requester's agency holds; the answer is filed as
// the answering agency's intelligence, shared with the requester, as answers given in Achilles are.
// Pure: the same data from the same seed.

type Agency = { id: string; agencyType: AgencyType; serviceArea: ServiceArea | null }
type User = { id: string; agencyId: string; roles: readonly Role[] }
type Group = { id: string; name: string; owningAgencyId: string; protectiveMarking: string }

export type DemoReferral = {
  id: string; kind: string; requestingAgencyId: string; requestedBy: string; recipientAgencyId: string; coordinatorAgencyId: string | null
  subjectType: 'group'; subjectEntityId: null; subjectGroupId: string; subjectKind: string; subjectDescription: string; summary: string; request: string
  purpose: string; lawfulBasis: string; lawfulBasisDetail: string | null; urgency: Urgency; dueOn: string; protectiveMarking: string; handlingCode: string
  handlingConditions: string | null; reviewDate: string; state: ReferralState; createdAt: string
}
export type DemoReferralEvent = { referralId: string; event: string; at: string; byUserId: string | null; byAgencyId: string | null; toAgencyId?: string | null; declineGround?: string | null; note?: string | null }
export type DemoReferralAnswer = {
  referralId: string; answeringAgencyId: string; answeredBy: string; body: string; sourceEvaluation: string; intelligenceAssessment: number
  protectiveMarking: string; handlingCode: string; handlingConditions: string | null; intelligenceId: string; createdAt: string
}
export type DemoReferrals = { referrals: DemoReferral[]; events: DemoReferralEvent[]; answers: DemoReferralAnswer[] }

const addDays = (isoDay: string, days: number) => {
  const d = new Date(`${isoDay}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}
const at = (isoDay: string, hour: number) => `${isoDay}T${String(hour).padStart(2, '0')}:15:00Z`

export function demonstrationReferrals(o: { groups: readonly Group[]; agencies: readonly Agency[]; users: readonly User[]; today: string; random: Random }): DemoReferrals {
  const out: DemoReferrals = { referrals: [], events: [], answers: [] }
  const { today, random: r } = o
  const sharer = (agencyId: string) => o.users.find((u) => u.agencyId === agencyId && capabilitiesOf([...u.roles]).includes('records.share'))
  const agency = (type: AgencyType, serviceArea: ServiceArea | null = null) => o.agencies.find((a) => a.agencyType === type && (serviceArea === null || a.serviceArea === serviceArea))
  const hmrc = agency('hmrc')
  const coordinatorUser = o.users.find((u) => u.roles.includes('gain_coordinator'))
  const tradingStandards = agency('council_service', 'trading_standards')
  const fire = agency('fire_rescue')
  const groups = o.groups.filter((g) => g.protectiveMarking === 'OFFICIAL' && sharer(g.owningAgencyId))
  if (!hmrc || !coordinatorUser || !tradingStandards || !fire || groups.length < 4) return out
  const coordinator = coordinatorUser.agencyId
  const [answered, waiting, overdue, declined] = groups.slice(0, 4) as [Group, Group, Group, Group]

  const add = (g: Group, f: { kind: string; to: string; via: string | null; urgency: Urgency; sentDaysAgo: number; state: ReferralState; request: string; purpose: string }) => {
    const requester = sharer(g.owningAgencyId)!
    const sentOn = addDays(today, -f.sentDaysAgo)
    const id = r.uuid()
    const dueOn = defaultDueOn(f.urgency, sentOn)
    out.referrals.push({
      id, kind: f.kind, requestingAgencyId: g.owningAgencyId, requestedBy: requester.id, recipientAgencyId: f.to, coordinatorAgencyId: f.via,
      subjectType: 'group', subjectEntityId: null, subjectGroupId: g.id, subjectKind: 'Group', subjectDescription: g.name,
      summary: 'Invented for the demonstration: an organised crime group believed to launder cash through local businesses.',
      request: f.request, purpose: f.purpose, lawfulBasis: 'cda1998_s115', lawfulBasisDetail: null, urgency: f.urgency, dueOn,
      protectiveMarking: 'OFFICIAL', handlingCode: 'P', handlingConditions: null, reviewDate: referralReviewDate(dueOn), state: f.state, createdAt: at(sentOn, 9),
    })
    out.events.push({ referralId: id, event: 'sent', at: at(sentOn, 9), byUserId: requester.id, byAgencyId: g.owningAgencyId, toAgencyId: f.via ?? f.to })
    return { id, sentOn, requester }
  }

  // Answered by HMRC, graded B2 and freely shareable.
  const a = add(answered, { kind: 'information_request', to: hmrc.id, via: null, urgency: 'routine', sentDaysAgo: 20, state: 'answered', request: 'Are any businesses registered to the group’s members, and what turnover do they declare?', purpose: 'Disrupting the group’s money laundering' })
  const hmrcOfficer = sharer(hmrc.id)
  if (hmrcOfficer) {
    out.answers.push({
      referralId: a.id, answeringAgencyId: hmrc.id, answeredBy: hmrcOfficer.id, sourceEvaluation: 'B', intelligenceAssessment: 2, protectiveMarking: 'OFFICIAL', handlingCode: 'P', handlingConditions: null,
      body: 'Invented for the demonstration: two hand car washes are registered to members; declared turnover is well below that of comparable sites.', intelligenceId: r.uuid(), createdAt: at(addDays(a.sentOn, 15), 14),
    })
    out.events.push({ referralId: a.id, event: 'answered', at: at(addDays(a.sentOn, 15), 14), byUserId: hmrcOfficer.id, byAgencyId: hmrc.id, toAgencyId: answered.owningAgencyId, note: 'Graded B2P' })
  }

  // Waiting at the regional GAIN coordinator to be routed.
  add(waiting, { kind: 'referral', to: coordinator, via: coordinator, urgency: 'within_7_days', sentDaysAgo: 1, state: 'sent', request: 'Please route to the partner that licenses the group’s premises, for a joint visit.', purpose: 'A joint licensing and police visit to the group’s premises' })

  // Routed to trading standards, accepted, and now overdue.
  const late = add(overdue, { kind: 'information_request', to: tradingStandards.id, via: coordinator, urgency: 'within_7_days', sentDaysAgo: 10, state: 'accepted', request: 'Have there been complaints or test purchases at the group’s shops?', purpose: 'Disrupting the group’s sale of counterfeit goods' })
  out.events.push({ referralId: late.id, event: 'routed', at: at(addDays(late.sentOn, 1), 10), byUserId: coordinatorUser.id, byAgencyId: coordinator, toAgencyId: tradingStandards.id })
  const tsOfficer = sharer(tradingStandards.id)
  out.events.push({ referralId: late.id, event: 'accepted', at: at(addDays(late.sentOn, 2), 11), byUserId: tsOfficer?.id ?? null, byAgencyId: tsOfficer ? tradingStandards.id : null })

  // Declined by the fire service: it holds nothing.
  const d = add(declined, { kind: 'referral', to: fire.id, via: null, urgency: 'routine', sentDaysAgo: 30, state: 'declined', request: 'Please inspect the group’s premises for fire safety.', purpose: 'Protecting residents of premises the group uses' })
  const fireOfficer = sharer(fire.id)
  out.events.push({ referralId: d.id, event: 'declined', at: at(addDays(d.sentOn, 4), 15), byUserId: fireOfficer?.id ?? null, byAgencyId: fireOfficer ? fire.id : null, declineGround: 'no_information_held', note: 'Invented for the demonstration: we hold no record of the premises named; they are not on our risk register.' })
  return out
}
