import type { AgencyType, ServiceArea } from '../reference/agencies.ts'
import type { BusinessType, HoldingKind } from '../reference/crime.ts'
import type { Role } from '../access/roles.ts'
import { capabilitiesOf } from '../access/roles.ts'
import { orderRuleProblems } from '../orders/orderRules.ts'
import type { Obligation } from '../orders/compliance.ts'
import { mayUse, type Power } from '../powers/catalogue.ts'
import { ageOn, suggestPowers, type GroupProfile } from '../powers/suggestPowers.ts'
import { addDays, type CrimePicture } from './crime.ts'
import type { Random } from './random.ts'

// Invented 4P plans, disruptions and orders for the demonstration groups, made from the same
// suggestions and rules a person's would be: each action is a power the catalogue suggests for the
// group, owned by an officer of an agency that may use it; each order passes its power's rules.

type Agency = { id: string; name: string; agencyType: AgencyType; serviceArea: ServiceArea | null }
type User = { id: string; agencyId: string; roles: readonly Role[] }

export type DemoAction = {
  id: string; planId: string; groupId: string; strand: string; title: string; description: string; ownerAgencyId: string; ownerUserId: string
  dueOn: string; status: 'open' | 'in_progress' | 'done'; powerId: string; targetEntityId: string | null; outcomeNotes: string | null; completedAt: string | null; createdBy: string
}
export type DemoDisruption = {
  id: string; groupId: string; actionId: string | null; powerId: string | null; occurredOn: string; agencyId: string; description: string
  outcome: 'major' | 'moderate' | 'minor' | 'none' | 'negative'; outcomeReason: string; createdBy: string
  assets: Array<{ kind: 'cash' | 'drugs' | 'goods' | 'vehicles'; description: string; quantity: number | null; unit: string | null; valuePence: number | null }>
}
export type DemoOrder = {
  id: string; powerId: string; orderType: string; groupId: string; subjectEntityId: string; court: string; startsAt: string; endsAt: string
  officerId: string; owningAgencyId: string; obligations: Obligation[]
}
export type DemoPlans = {
  plans: Array<{ id: string; groupId: string; title: string; createdBy: string }>
  actions: DemoAction[]
  /** Officers of other agencies tasked on a group they could not otherwise see. */
  grants: Array<{ groupId: string; userId: string; by: string }>
  disruptions: DemoDisruption[]
  orders: DemoOrder[]
}

const OUTCOMES: ReadonlyArray<[DemoDisruption['outcome'], string]> = [
  ['major', 'Invented for the demonstration: the principal was charged and remanded, and the line stopped running.'],
  ['moderate', 'Invented for the demonstration: stock and cash lost; the group carried on at a smaller scale.'],
  ['minor', 'Invented for the demonstration: a warning and a small seizure; no change in what the group does.'],
  ['none', 'Invented for the demonstration: nothing found on the day.'],
  ['negative', 'Invented for the demonstration: the group moved to premises we do not know and is harder to see.'],
]

/** Officers who may record work: the roles with records.write. */
const mayWrite = (u: User) => capabilitiesOf([...u.roles]).includes('records.write')

export function demonstrationPlans(o: { picture: CrimePicture; agencies: readonly Agency[]; users: readonly User[]; catalogue: readonly Power[]; today: string; random: Random }): DemoPlans {
  const { picture, today, random: r } = o
  const out: DemoPlans = { plans: [], actions: [], grants: [], disruptions: [], orders: [] }
  const entities = new Map(picture.entities.map((e) => [e.id, e]))
  const agencies = new Map(o.agencies.map((a) => [a.id, a]))
  const writers = o.users.filter(mayWrite)
  const officerFor = (power: Power) => {
    const able = writers.filter((u) => { const a = agencies.get(u.agencyId); return a && mayUse(power, a) })
    return able.length > 0 ? r.pick(able) : null
  }
  const scpo = o.catalogue.find((p) => p.id === 'scpo')
  const checkers = ['trading_standards', 'hmrc'].flatMap((kind) => o.agencies.filter((a) => a.serviceArea === kind || a.agencyType === kind).slice(0, 1).map((a) => a.id))
  for (const g of picture.groups) {
    if (!g.leadResponsibleOfficerId || g.status === 'archived') continue
    const members = picture.members.filter((m) => m.groupId === g.id && !m.endDate)
    const holdings = picture.holdings.filter((h) => h.groupId === g.id)
    const caption = (id: string) => {
      const e = entities.get(id)
      return e?.schema === 'Person' ? e.person.fullName : e?.schema === 'Company' ? e.business.name : id
    }
    const profile: GroupProfile = {
      threatAreas: g.threatAreas,
      crossBorder: g.crossBorder,
      members: members.map((m) => {
        const e = entities.get(m.personId)
        const birth = e?.schema === 'Person' ? e.person.birthDate : null
        return { personId: m.personId, caption: caption(m.personId), role: m.role, enablerProfession: m.enablerProfession, age: birth ? ageOn(birth, today) : null }
      }),
      holdings: holdings.map((h) => {
        const e = entities.get(h.entityId)
        return { entityId: h.entityId, caption: caption(h.entityId), kind: h.kind as HoldingKind, businessType: e?.schema === 'Company' ? (e.business.businessType as BusinessType) : null }
      }),
    }
    const planId = r.uuid()
    out.plans.push({ id: planId, groupId: g.id, title: `4P plan for ${g.name}`, createdBy: g.leadResponsibleOfficerId })
    const taken = suggestPowers(o.catalogue, profile).slice(0, 8).filter(() => r.chance(0.6)).slice(0, 5)
    for (const s of taken) {
      const power = o.catalogue.find((p) => p.id === s.powerId)!
      const owner = officerFor(power)
      if (!owner) continue
      const dueOn = addDays(today, r.int(-30, 75))
      const finished = dueOn < today && r.chance(0.55)
      const action: DemoAction = {
        id: r.uuid(), planId, groupId: g.id, strand: s.strands[0]!, title: s.name, description: s.reasons.join('\n'), ownerAgencyId: owner.agencyId, ownerUserId: owner.id,
        dueOn, status: finished ? 'done' : r.chance(0.4) ? 'in_progress' : 'open', powerId: s.powerId, targetEntityId: s.targets.length === 1 ? s.targets[0]!.id : null,
        outcomeNotes: finished ? 'Invented for the demonstration: done as planned.' : null, completedAt: finished ? `${dueOn}T15:00:00Z` : null, createdBy: g.leadResponsibleOfficerId,
      }
      out.actions.push(action)
      const sees = owner.agencyId === g.owningAgencyId || (g.sharingScope === 'partnership' && g.protectiveMarking === 'OFFICIAL') || g.sharedWithAgencyIds.includes(owner.agencyId)
      if (!sees && !out.grants.some((x) => x.groupId === g.id && x.userId === owner.id)) out.grants.push({ groupId: g.id, userId: owner.id, by: g.leadResponsibleOfficerId })
      if (finished && r.chance(0.7)) {
        const [outcome, reason] = r.pick(OUTCOMES)
        const cash = r.chance(0.4) ? r.int(5, 400) * 10_000 : null
        out.disruptions.push({
          id: r.uuid(), groupId: g.id, actionId: action.id, powerId: s.powerId, occurredOn: addDays(dueOn, -r.int(0, 10)), agencyId: owner.agencyId,
          description: `Invented for the demonstration: ${s.name.toLowerCase()} carried out.`, outcome, outcomeReason: reason, createdBy: owner.id,
          assets: cash ? [{ kind: 'cash', description: 'Cash found on the premises', quantity: null, unit: null, valuePence: cash }] : [],
        })
      }
    }
    // Some principals are under a Serious Crime Prevention Order, checked by trading standards and HMRC.
    const principal = profile.members.find((m) => m.role === 'principal' && m.age !== null && m.age >= 18)
    const officer = scpo ? writers.find((u) => u.agencyId === g.owningAgencyId && agencies.get(u.agencyId) && mayUse(scpo, agencies.get(u.agencyId)!)) : undefined
    if (scpo && principal && officer && checkers.length > 0 && r.chance(0.35)) {
      const startsAt = `${addDays(today, -r.int(30, 600))}T00:00:00.000Z`
      const endsAt = `${addDays(startsAt.slice(0, 10), r.pick([3, 5]) * 365 - 2)}T00:00:00.000Z`
      const birth = entities.get(principal.personId)
      const draft = { startsAt, endsAt, subjectBirthDate: birth?.schema === 'Person' ? birth.person.birthDate : null, subjectKind: 'person' as const, extendedAuthority: false, priorUses: [] }
      if (orderRuleProblems(scpo, draft, new Map()).length === 0) {
        out.orders.push({
          id: r.uuid(), powerId: scpo.id, orderType: scpo.orderType!, groupId: g.id, subjectEntityId: principal.personId, court: 'Leicester Crown Court', startsAt, endsAt,
          officerId: officer.id, owningAgencyId: g.owningAgencyId,
          obligations: [
            { key: 'c1', kind: 'inspection', text: 'Business records inspected every three months by trading standards or HMRC', every: { value: 3, unit: 'months' }, checkAgencyIds: checkers, noticeHours: null },
            { key: 'c2', kind: 'notify', text: 'Notify the police 24 hours before employing anyone', every: null, checkAgencyIds: [], noticeHours: 24 },
            { key: 'c3', kind: 'prohibition', text: 'Must not hold more than £1,000 in cash', every: null, checkAgencyIds: [], noticeHours: null },
          ],
        })
      }
    }
  }
  return out
}
