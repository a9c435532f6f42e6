import type { Actor } from '../../core/access/actor.ts'
import { capabilitiesOf, isRole, type Capability } from '../../core/access/roles.ts'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldIssue } from '../../core/errors.ts'
import { actionProblems, isOverdue, type ActionStatus } from '../../core/plans/actions.ts'
import { mayUse, type Power, type Strand } from '../../core/powers/catalogue.ts'
import { ageOn, suggestPowers, type GroupProfile, type Suggestion } from '../../core/powers/suggestPowers.ts'
import { SHIPPED_TEMPLATES } from '../../core/plans/shippedTemplates.ts'
import { actionsFromTemplate, templateFor, type TemplateActionDraft } from '../../core/plans/templates.ts'
import type { BusinessType, EnablerProfession, HoldingKind, MemberRole, ThreatArea } from '../../core/reference/crime.ts'
import { longUkDate, ukDay } from '../../core/time/ukDates.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem, asUser, withOwnerPrivileges, type Tx } from '../../db/context.ts'
import * as access from '../../db/visibility.ts'
import { parseInput } from '../../http/validation.ts'
import { agencyKinds, agencyNames, type AgencyKind } from '../agencies/service.ts'
import { recordAudit } from '../audit/service.ts'
import { GROUP_KIND, groupProfileFacts, groupsILead, groupSummaries, markGroupChanged, mayEditGroup } from '../groups/service.ts'
import { queueMail } from '../mail/service.ts'
import { storedPowers } from '../powers/service.ts'
import { groupStandings, type GroupStanding } from '../prioritisation/service.ts'
import * as records from '../records/service.ts'
import { activeEmails, credentials, displayNames, userIdByEmail, type Profile } from '../users/service.ts'
import * as q from './queries.ts'
import { ActionInput, ActionProgress, ActionUpdate, BoardQuery, ThreatPlanInput, DISRUPTION_OUTCOME_LABELS, DisruptionInput, ExportQuery, OutcomeQuery, PlanInput, SuggestionInput, TemplateActionInput, type ActionOut, type DisruptionOut } from './schema.ts'
import { csvFile, csvLine, HANDLING_NOTICE } from '../../core/exports/csv.ts'

// 4P plans: an LRO tasks partners with actions under Pursue, Prevent, Protect and Prepare, takes
// the catalogue's suggested powers into the plan, and partners record what they did. Tasking a
// partner who could not see the group shares it with them (a logged disclosure): they cannot act
// on a group they cannot read.

export const TASKED_GRANT_REASON = 'Tasked with a 4P action'
const HOME_LIMIT = 50
const RECENT_DISRUPTIONS = 20

function must(actor: Actor, capability: Capability, reason: string) {
  if (!actor.capabilities.includes(capability)) throw new ForbiddenError(reason)
}

/** Where links in e-mail point: the site's address with no trailing slash. */
export type Site = { baseUrl: string }

type FactsOf = NonNullable<Awaited<ReturnType<typeof groupProfileFacts>>>

/**
 * Runs work as the user on a group they may see, with what the suggestions read of it; when they
 * may not, the refusal is logged (and committed) and the caller is answered "group not found".
 */
function onVisibleGroup<T>(db: Database, actor: Actor, groupId: string, today: string, purpose: string, work: (tx: Tx, facts: FactsOf) => Promise<T>): Promise<T> {
  return records.seeing(db, actor, async (tx) => {
    const facts = await groupProfileFacts(tx, groupId, today)
    if (facts) return work(tx, facts)
    await records.recordRefusal(tx, actor, GROUP_KIND, groupId, purpose)
    return null
  }, 'Group')
}

/** The profile the suggestions read, with ages worked out for today. */
export function profileOf(facts: FactsOf, today: string): GroupProfile {
  return {
    threatAreas: facts.group.threatAreas as ThreatArea[],
    crossBorder: facts.group.crossBorder,
    members: facts.members.map((m) => ({
      personId: m.personId, caption: m.caption, role: m.role as MemberRole, enablerProfession: m.enablerProfession as EnablerProfession | null,
      age: m.birthDate ? ageOn(m.birthDate, today) : null,
    })),
    holdings: facts.holdings.map((h) => ({ entityId: h.entityId, caption: h.caption, kind: h.kind as HoldingKind, businessType: h.businessType as BusinessType | null })),
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

type Names = { users: Map<string, string>; agencies: Map<string, string>; powers: Map<string, string>; captions: Map<string, string> }

function actionOut(a: q.ActionRow, names: Names, today: string, actor: Actor, mayEditPlan: boolean): ActionOut {
  return {
    id: a.id,
    planId: a.planId,
    groupId: a.groupId,
    strand: a.strand as Strand,
    title: a.title,
    description: a.description,
    ownerAgencyId: a.ownerAgencyId,
    ownerAgencyName: names.agencies.get(a.ownerAgencyId) ?? 'Unknown agency',
    ownerUserId: a.ownerUserId,
    ownerName: names.users.get(a.ownerUserId) ?? 'A user no longer listed',
    dueOn: a.dueOn,
    status: a.status as ActionStatus,
    overdue: isOverdue(a, today),
    powerId: a.powerId,
    powerName: a.powerId ? (names.powers.get(a.powerId) ?? a.powerId) : null,
    targetEntityId: a.targetEntityId,
    targetCaption: a.targetEntityId ? (names.captions.get(a.targetEntityId) ?? null) : null,
    outcomeNotes: a.outcomeNotes,
    completedAt: a.completedAt?.toISOString() ?? null,
    rowVersion: a.rowVersion,
    mayEdit: mayEditPlan,
    mayUpdateProgress: mayEditPlan || (a.ownerUserId === actor.userId && actor.capabilities.includes('records.write')),
  }
}

async function namesFor(tx: Tx, db: Database, actions: readonly q.ActionRow[], disruptions: readonly q.DisruptionRow[], captions: Map<string, string>): Promise<Names> {
  const [users, agencies, catalogue] = await Promise.all([
    displayNames(tx, [...new Set(actions.map((a) => a.ownerUserId))]),
    agencyNames(tx, [...new Set([...actions.map((a) => a.ownerAgencyId), ...disruptions.map((d) => d.agencyId)])]),
    storedPowers(tx, db),
  ])
  return { users, agencies, powers: new Map([...catalogue.byId].map(([id, row]) => [id, row.name])), captions }
}

function disruptionOut(d: q.DisruptionRow, names: Names): DisruptionOut {
  return {
    id: d.id,
    groupId: d.groupId,
    occurredOn: d.occurredOn,
    agencyId: d.agencyId,
    agencyName: names.agencies.get(d.agencyId) ?? 'Unknown agency',
    description: d.description,
    outcome: d.outcome as DisruptionOut['outcome'],
    outcomeReason: d.outcomeReason,
    actionId: d.actionId,
    powerId: d.powerId,
    powerName: d.powerId ? (names.powers.get(d.powerId) ?? d.powerId) : null,
    assets: d.assets,
    recordedAt: d.createdAt.toISOString(),
  }
}

export type GroupPlanOut = {
  group: FactsOf['group']
  mayEdit: boolean
  mayRecordDisruption: boolean
  plans: Array<q.PlanRow & { actions: ActionOut[] }>
  suggestions: Suggestion[]
  disruptions: DisruptionOut[]
  standing: GroupStanding | null
  /** The current members and holdings an action may be aimed at. */
  targets: Array<{ id: string; caption: string; kind: string }>
  /** The shipped 4P templates for the group's threat areas, their actions dated from today. */
  templates: Array<{ key: string; title: string; description: string; actions: TemplateActionDraft[] }>
}

/** The templates for a group's threat areas, each once. */
function templatesFor(threatAreas: readonly string[], today: string): GroupPlanOut['templates'] {
  const seen = new Set<string>()
  return threatAreas.flatMap((area) => {
    const t = templateFor(SHIPPED_TEMPLATES, area as ThreatArea)
    if (!t || seen.has(t.key)) return []
    seen.add(t.key)
    return [{ key: t.key, title: t.title, description: t.description, actions: actionsFromTemplate(t, today) }]
  })
}

/** A group's 4P plans with their actions, the powers suggested for it and its disruptions. */
export async function groupPlan(db: Database, actor: Actor, groupId: string, now: Date, purpose = 'Viewing a group’s 4P plan'): Promise<GroupPlanOut> {
  must(actor, 'records.read', 'Your role cannot see groups')
  const today = ukDay(now)
  return onVisibleGroup(db, actor, groupId, today, purpose, async (tx, facts) => {
    const [plans, mayEdit, tasked, disruptions, catalogue] = await Promise.all([
      q.plansOfGroup(tx, groupId),
      mayEditGroup(tx, groupId),
      q.taskedOnGroup(tx, groupId),
      q.disruptionsOfGroups(tx, [groupId], RECENT_DISRUPTIONS),
      storedPowers(tx, db),
    ])
    const actions = await q.actionsOfPlans(tx, plans.map((p) => p.id))
    const captions = new Map([...facts.members.map((m) => [m.personId, m.caption] as const), ...facts.holdings.map((h) => [h.entityId, h.caption] as const)])
    const names = await namesFor(tx, db, actions, disruptions, captions)
    const suggestions = suggestPowers(catalogue.powers, profileOf(facts, today))
    const standing = (await groupStandings(tx, actor, [facts.group], now)).get(groupId) ?? null
    await recordAudit(tx, actor, { action: 'consultation', recordType: GROUP_KIND.recordType, recordId: groupId, purpose })
    const shown = [...captions.keys()]
    if (shown.length > 0) await recordAudit(tx, actor, { action: 'consultation', recordType: 'entity', purpose, detail: { group: groupId, shown } })
    return {
      group: facts.group,
      mayEdit,
      mayRecordDisruption: actor.capabilities.includes('records.write') && (mayEdit || tasked),
      plans: plans.map((p) => ({ ...p, actions: actions.filter((a) => a.planId === p.id).map((a) => actionOut(a, names, today, actor, mayEdit)) })),
      suggestions,
      disruptions: disruptions.map((d) => disruptionOut(d, names)),
      standing,
      templates: templatesFor(facts.group.threatAreas, today),
      targets: [
        ...facts.members.map((m) => ({ id: m.personId, caption: m.caption, kind: 'member' })),
        ...facts.holdings.map((h) => ({ id: h.entityId, caption: h.caption, kind: h.kind.replace('_', ' ') })),
      ],
    }
  })
}

export type ActionPageOut = ActionOut & { groupName: string | null; planTitle: string }

/** One action, for its owner or anyone who may see its plan. */
export async function getAction(db: Database, actor: Actor, actionId: string, now: Date): Promise<ActionPageOut> {
  must(actor, 'records.read', 'Your role cannot see plans')
  const today = ukDay(now)
  return records.seeing(db, actor, async (tx) => {
    const action = await q.findAction(tx, actionId)
    if (!action) return null
    const plan = await q.findPlan(tx, action.planId)
    const group = action.groupId ? (await groupSummaries(tx, [action.groupId])).get(action.groupId) : undefined
    const captions = new Map<string, string>()
    if (action.groupId && action.targetEntityId && group) {
      const facts = await groupProfileFacts(tx, action.groupId, today)
      for (const e of [...(facts?.members.map((m) => [m.personId, m.caption] as const) ?? []), ...(facts?.holdings.map((h) => [h.entityId, h.caption] as const) ?? [])]) captions.set(e[0], e[1])
    }
    const names = await namesFor(tx, db, [action], [], captions)
    const mayEdit = plan ? await q.mayEditPlan(tx, plan.id) : false
    await recordAudit(tx, actor, { action: 'consultation', recordType: q.ACTION_RECORD, recordId: actionId, purpose: 'Viewing an action on a 4P plan' })
    // The page names the person or premises the action is aimed at: a consultation of that record too.
    if (action.targetEntityId && captions.has(action.targetEntityId)) {
      await recordAudit(tx, actor, { action: 'consultation', recordType: 'entity', recordId: action.targetEntityId, purpose: 'Viewing an action on a 4P plan' })
    }
    return { ...actionOut(action, names, today, actor, mayEdit), groupName: group?.name ?? null, planTitle: plan?.title ?? '4P plan' }
  }, 'Action')
}

// ---------------------------------------------------------------------------------------------
// Plans and actions

/** The group's first active plan, made when it has none: an action always belongs to a plan. */
async function planForGroup(tx: Tx, actor: Actor, facts: FactsOf, planId: string | null): Promise<q.PlanRow> {
  const plans = await q.plansOfGroup(tx, facts.group.id)
  if (planId) {
    const named = plans.find((p) => p.id === planId)
    if (!named) throw new ValidationError([{ field: 'planId', message: 'Choose one of this group’s plans' }])
    return named
  }
  const active = plans.find((p) => p.status === 'active')
  if (active) return active
  const id = await insertGroupPlan(tx, actor, facts, { title: `4P plan for ${facts.group.name}`, keyRisk: null })
  return (await q.findPlan(tx, id))!
}

async function insertGroupPlan(tx: Tx, actor: Actor, facts: FactsOf, input: { title: string; keyRisk: string | null; purpose?: string }): Promise<string> {
  const g = facts.group
  // A group's plan is seen where the group is (row-level security); its own marking copies the group's
  // so that exports carry the same handling conditions.
  const id = await q.insertPlan(tx, {
    groupId: g.id, threatArea: null, title: input.title, keyRisk: input.keyRisk, coordinatorId: null, owningAgencyId: g.owningAgencyId,
    purpose: input.purpose ?? g.purpose, protectiveMarking: g.protectiveMarking, handlingCode: g.handlingCode, handlingConditions: g.handlingConditions,
    sharingScope: g.sharingScope, reviewDate: g.reviewDate, by: actor.userId,
  })
  await recordAudit(tx, actor, { action: 'collection', recordType: q.PLAN_RECORD, recordId: id, purpose: input.purpose ?? 'Planning the disruption of an organised crime group', detail: { group: g.id } })
  return id
}

/** A further plan for a group, for one key risk (Operation Genga keeps a plan per key risk). */
export async function createGroupPlan(db: Database, actor: Actor, groupId: string, raw: unknown, now: Date): Promise<string> {
  must(actor, 'records.write', 'Your role cannot change plans')
  const input = parseInput(PlanInput, raw)
  return onVisibleGroup(db, actor, groupId, ukDay(now), 'Adding a plan to a group', async (tx, facts) => {
    if (!(await mayEditGroup(tx, groupId))) throw new ForbiddenError('Only the agency that holds a group, or its Lead Responsible Officer, can add a plan')
    return insertGroupPlan(tx, actor, facts, input)
  })
}

type Owner = { user: Profile; agency: AgencyKind; can: readonly Capability[] }

/** The officer named by id or e-mail, checked: active, of an active agency, able to record work. */
async function resolveOwner(tx: Tx, input: { ownerEmail: string | null; ownerUserId: string | null }, issues: FieldIssue[]): Promise<Owner | null> {
  const field = input.ownerUserId ? 'ownerUserId' : 'ownerEmail'
  const id = input.ownerUserId ?? (input.ownerEmail ? await userIdByEmail(tx, input.ownerEmail) : null)
  if (!input.ownerUserId && !input.ownerEmail) {
    issues.push({ field: 'ownerEmail', message: 'Enter the email address of the officer who will own the action' })
    return null
  }
  const user = id ? await credentials.profile(tx, id) : null
  if (!user) {
    issues.push({ field, message: input.ownerUserId ? 'No user has that id' : 'No user has that email address: enter the email address of the officer’s Achilles account' })
    return null
  }
  if (!user.active || !user.agencyActive) {
    issues.push({ field, message: `${user.displayName}’s account is not active: choose an active officer` })
    return null
  }
  const can = capabilitiesOf(user.roles.filter(isRole))
  if (!can.includes('records.read') || !can.includes('records.write')) {
    issues.push({ field, message: `${user.displayName}’s role cannot see and record work on groups, so they cannot own an action` })
    return null
  }
  const agency = (await agencyKinds(tx, [user.agencyId])).get(user.agencyId)!
  return { user, agency, can }
}

/**
 * Lets the owner see the group when nothing else does. The grants policy lets only the owning
 * agency grant, but a Lead Responsible Officer of another agency runs the plan: the service has
 * checked they may change the group, so the grant is written with the owner's privileges and
 * logged as a disclosure by the officer who made it.
 */
async function shareWithOwner(tx: Tx, actor: Actor, facts: FactsOf, owner: Owner, purpose: string): Promise<void> {
  const g = facts.group
  if (owner.agency.id === g.owningAgencyId || owner.user.id === g.leadResponsibleOfficerId) return
  if (g.sharingScope === 'partnership' && g.protectiveMarking === 'OFFICIAL') return
  if (g.sharingScope === 'named' && (await access.sharedAgencyIds(tx, GROUP_KIND.recordType, g.id)).includes(owner.agency.id)) return
  const grants = await withOwnerPrivileges(tx, () => access.activeGrants(tx, GROUP_KIND.recordType, g.id))
  if (grants.some((x) => x.grantee_user_id === owner.user.id || x.grantee_agency_id === owner.agency.id)) return
  const grantId = await withOwnerPrivileges(tx, () => access.insertGrant(tx, {
    recordType: GROUP_KIND.recordType, recordId: g.id, granteeUserId: owner.user.id, granteeAgencyId: null, reason: TASKED_GRANT_REASON, expiresAt: null, by: actor.userId,
  }))
  await recordAudit(tx, actor, { action: 'disclosure', recordType: GROUP_KIND.recordType, recordId: g.id, purpose, recipients: [`user:${owner.user.id}`], detail: { grantId, reason: TASKED_GRANT_REASON } })
}

type ActionFields = { strand: Strand; title: string; description: string | null; dueOn: string; powerId: string | null; targetEntityId: string | null; ownerEmail: string | null; ownerUserId: string | null; planId: string | null }

/** Where an action goes and what the plan's subject allows: a group's plan or a threat area's. */
type Tasking = {
  /** The plan, found or started once the input is known to be good. */
  plan: () => Promise<q.PlanRow>
  groupId: string | null
  marking: string
  /** What an action may be aimed at: the group's current members and holdings. */
  targets: ReadonlySet<string>
  /** Lets the owner see what they are tasked on, when nothing else does. */
  share: (owner: Owner, purpose: string) => Promise<void>
}

/** The owner and power of an action as entered, checked against the plan; raises every problem at once. */
async function checkedTasking(tx: Tx, db: Database, tasking: Tasking, input: ActionFields, today: string, dateIsNew: boolean): Promise<{ owner: Owner; power: Power | null }> {
  const issues: FieldIssue[] = []
  const owner = await resolveOwner(tx, input, issues)
  const catalogue = await storedPowers(tx, db)
  const powerRow = input.powerId ? catalogue.byId.get(input.powerId) : undefined
  if (input.powerId && (!powerRow || powerRow.withdrawn)) issues.push({ field: 'powerId', message: 'Choose a power from the catalogue' })
  const power: Power | null = powerRow && !powerRow.withdrawn ? powerRow.definition : null
  const problems = actionProblems({ dueOn: input.dueOn, ownerAgency: owner?.agency ?? null, ownerUserAgencyId: owner?.user.agencyId ?? null, power }, today, dateIsNew)
  // Without an owner, resolveOwner has said why; only the date is still worth checking.
  issues.push(...(owner ? problems : problems.filter((i) => i.field === 'dueOn')))
  if (owner && tasking.marking === 'OFFICIAL-SENSITIVE' && !owner.can.includes('records.read_sensitive')) {
    issues.push({ field: input.ownerUserId ? 'ownerUserId' : 'ownerEmail', message: `${owner.user.displayName}’s role cannot see OFFICIAL-SENSITIVE records, and this plan is marked OFFICIAL-SENSITIVE` })
  }
  if (input.targetEntityId && !tasking.targets.has(input.targetEntityId)) {
    issues.push({ field: 'targetEntityId', message: 'Choose a current member, business, premises or vehicle of this group' })
  }
  if (issues.length > 0) throw new ValidationError(issues)
  return { owner: owner!, power }
}

/** Tells an officer they own an action, with a link and no case detail (those stay in Achilles, under the handling code). */
async function mailOwner(tx: Tx, actor: Actor, owner: Owner, actionId: string, dueOn: string, site: Site): Promise<void> {
  if (owner.user.id === actor.userId) return
  await queueMail(tx, {
    to: owner.user.email, toUserId: owner.user.id, kind: 'action.assigned', relatedType: q.ACTION_RECORD, relatedId: actionId,
    subject: 'Achilles: you have a new action on a 4P plan',
    text: `${actor.displayName} (${actor.agencyName}) has given you an action on a 4P plan, due by ${longUkDate(new Date(`${dueOn}T12:00:00Z`))}.\n\nSign in to Achilles to see it:\n${site.baseUrl}/actions/${actionId}\n\nThis e-mail holds no details of the case on purpose: they are in Achilles, where their handling conditions apply.\n`,
  })
}

/** Validates and records an action, shares its plan with the owner if need be, and e-mails them a link. */
async function taskPartner(tx: Tx, db: Database, actor: Actor, tasking: Tasking, input: ActionFields, today: string, site: Site): Promise<string> {
  const { owner, power } = await checkedTasking(tx, db, tasking, input, today, true)
  const plan = await tasking.plan()
  const purpose = tasking.groupId ? 'Tasking a partner on a group’s 4P plan' : 'Tasking a partner on a threat area’s 4P plan'
  const id = await q.insertAction(tx, {
    planId: plan.id, groupId: tasking.groupId, strand: input.strand, title: input.title, description: input.description, ownerAgencyId: owner.agency.id,
    ownerUserId: owner.user.id, dueOn: input.dueOn, powerId: power ? input.powerId : null, targetEntityId: input.targetEntityId, by: actor.userId,
  })
  await recordAudit(tx, actor, { action: 'collection', recordType: q.ACTION_RECORD, recordId: id, purpose, detail: { group: tasking.groupId, plan: plan.id, owner: owner.user.id } })
  await tasking.share(owner, purpose)
  await mailOwner(tx, actor, owner, id, input.dueOn, site)
  return id
}

function groupTasking(tx: Tx, actor: Actor, facts: FactsOf, planId: string | null): Tasking {
  return {
    plan: () => planForGroup(tx, actor, facts, planId),
    groupId: facts.group.id,
    marking: facts.group.protectiveMarking,
    targets: new Set([...facts.members.map((m) => m.personId), ...facts.holdings.map((h) => h.entityId)]),
    share: (owner, purpose) => shareWithOwner(tx, actor, facts, owner, purpose),
  }
}

async function addActionInTx(tx: Tx, db: Database, actor: Actor, facts: FactsOf, input: ActionFields, today: string, site: Site): Promise<string> {
  if (!(await mayEditGroup(tx, facts.group.id))) throw new ForbiddenError('Only the agency that holds a group, or its Lead Responsible Officer, can task partners on its plan')
  return taskPartner(tx, db, actor, groupTasking(tx, actor, facts, input.planId), input, today, site)
}

/**
 * Changes an action: what it is, who owns it, by when and with which power. For the plan's LRO,
 * agency or coordinator; a new owner is shown the plan if need be and told, and a due date moved
 * may not be moved into the past.
 */
export async function updateAction(db: Database, actor: Actor, actionId: string, raw: unknown, now: Date, site: Site): Promise<void> {
  must(actor, 'records.write', 'Your role cannot change plans')
  const input = parseInput(ActionUpdate, raw)
  const today = ukDay(now)
  await records.seeing(db, actor, async (tx) => {
    const action = await q.findAction(tx, actionId)
    if (!action) return null
    if (!(await q.mayEditPlan(tx, action.planId))) throw new ForbiddenError('Only the plan’s Lead Responsible Officer, agency or coordinator can change an action; its owner records its progress')
    let tasking: Tasking
    if (action.groupId) {
      const facts = await groupProfileFacts(tx, action.groupId, today)
      if (!facts) throw new NotFoundError('Group')
      tasking = groupTasking(tx, actor, facts, action.planId)
    } else {
      const found = await threatTasking(tx, actor, action.planId, 'Changing an action on a threat area’s 4P plan')
      if (!found) throw new NotFoundError('Plan')
      tasking = found.tasking
    }
    const { owner, power } = await checkedTasking(tx, db, tasking, { ...input, planId: action.planId }, today, input.dueOn !== action.dueOn)
    const changed = await q.updateAction(tx, actionId, input.rowVersion, {
      strand: input.strand, title: input.title, description: input.description, ownerAgencyId: owner.agency.id, ownerUserId: owner.user.id, dueOn: input.dueOn,
      powerId: power ? input.powerId : null, targetEntityId: input.targetEntityId,
    }, actor.userId)
    if (!changed) throw new ConflictError('Someone else changed this action while you were editing it. Reload the page to see their changes, then make yours again.')
    await recordAudit(tx, actor, { action: 'alteration', recordType: q.ACTION_RECORD, recordId: actionId, purpose: 'Changing an action on a 4P plan', detail: { owner: owner.user.id, dueOn: input.dueOn } })
    if (owner.user.id !== action.ownerUserId) {
      await tasking.share(owner, 'Tasking a partner on a 4P plan')
      await mailOwner(tx, actor, owner, actionId, input.dueOn, site)
    }
    return true
  }, 'Action')
}

export async function addAction(db: Database, actor: Actor, groupId: string, raw: unknown, now: Date, site: Site): Promise<string> {
  must(actor, 'records.write', 'Your role cannot change plans')
  const input = parseInput(ActionInput, raw)
  const today = ukDay(now)
  return onVisibleGroup(db, actor, groupId, today, 'Tasking a partner on a group’s 4P plan', (tx, facts) => addActionInTx(tx, db, actor, facts, input, today, site))
}

/** Takes a suggested power into the plan in one step: the action is the power, aimed and reasoned. */
export async function addSuggestedAction(db: Database, actor: Actor, groupId: string, powerId: string, raw: unknown, now: Date, site: Site): Promise<string> {
  must(actor, 'records.write', 'Your role cannot change plans')
  const input = parseInput(SuggestionInput, raw)
  const today = ukDay(now)
  return onVisibleGroup(db, actor, groupId, today, 'Taking a suggested power into a group’s 4P plan', async (tx, facts) => {
    const catalogue = await storedPowers(tx, db)
    const suggestion = suggestPowers(catalogue.powers, profileOf(facts, today)).find((s) => s.powerId === powerId)
    if (!suggestion) throw new NotFoundError('Suggestion')
    const target = input.targetEntityId ?? (suggestion.targets.length === 1 ? suggestion.targets[0]!.id : null)
    if (input.targetEntityId && !suggestion.targets.some((t) => t.id === input.targetEntityId)) {
      throw new ValidationError([{ field: 'targetEntityId', message: `Choose one of those the ${suggestion.name} could be used on` }])
    }
    const prerequisites = suggestion.prerequisites.map((p) => `Must come first: ${p.description}`)
    return addActionInTx(tx, db, actor, facts, {
      strand: suggestion.strands[0]!, title: suggestion.name, description: [...suggestion.reasons, ...prerequisites].join('\n'), dueOn: input.dueOn,
      powerId, targetEntityId: target, ownerEmail: input.ownerEmail, ownerUserId: input.ownerUserId, planId: input.planId,
    }, today, site)
  })
}

/** Takes one action of a threat area's 4P template into the group's plan, with an owner and a date. */
export async function addTemplateAction(db: Database, actor: Actor, groupId: string, raw: unknown, now: Date, site: Site): Promise<string> {
  must(actor, 'records.write', 'Your role cannot change plans')
  const input = parseInput(TemplateActionInput, raw)
  const today = ukDay(now)
  return onVisibleGroup(db, actor, groupId, today, 'Taking a template action into a group’s 4P plan', async (tx, facts) => {
    const template = templatesFor(facts.group.threatAreas, today).find((t) => t.key === input.templateKey)
    const action = template?.actions[input.index]
    if (!action) throw new ValidationError([{ field: 'templateKey', message: 'Choose an action from a template for one of this group’s threat areas' }])
    return addActionInTx(tx, db, actor, facts, {
      strand: action.strand, title: action.title, description: action.description, dueOn: input.dueOn, powerId: action.powerId,
      targetEntityId: null, ownerEmail: input.ownerEmail, ownerUserId: input.ownerUserId, planId: input.planId,
    }, today, site)
  })
}

/**
 * Records an action's progress. Its owner may change only its status and outcome; the plan's
 * editors may too. Completing an action tells the LRO.
 */
export async function updateActionProgress(db: Database, actor: Actor, actionId: string, raw: unknown, now: Date, site: Site): Promise<void> {
  must(actor, 'records.write', 'Your role cannot record work on plans')
  const input = parseInput(ActionProgress, raw)
  await records.seeing(db, actor, async (tx) => {
    const action = await q.findAction(tx, actionId)
    if (!action) return null
    const mayEdit = await q.mayEditPlan(tx, action.planId)
    if (!mayEdit && action.ownerUserId !== actor.userId) throw new ForbiddenError('Only the action’s owner or the plan’s Lead Responsible Officer can record its progress')
    if (!(await q.updateProgress(tx, actionId, input.rowVersion, input, actor.userId))) {
      throw new ConflictError('Someone else changed this action while you were editing it. Reload the page to see their changes, then make yours again.')
    }
    await recordAudit(tx, actor, { action: 'alteration', recordType: q.ACTION_RECORD, recordId: actionId, purpose: 'Recording progress on a 4P action', detail: { status: input.status } })
    if (input.status === 'done' && action.status !== 'done') {
      const lead = (await q.planLeads(tx, [action.planId])).get(action.planId)
      const leadProfile = lead && lead !== actor.userId ? await credentials.profile(tx, lead) : null
      if (leadProfile?.active) {
        await queueMail(tx, {
          to: leadProfile.email, toUserId: leadProfile.id, kind: 'action.completed', relatedType: q.ACTION_RECORD, relatedId: actionId,
          subject: 'Achilles: an action on a plan you lead is done',
          text: `${actor.displayName} (${actor.agencyName}) has marked an action on a 4P plan you lead as done.\n\nSee it in Achilles:\n${site.baseUrl}/actions/${actionId}\n`,
        })
      }
    }
    return true
  }, 'Action')
}

// ---------------------------------------------------------------------------------------------
// Disruptions

/**
 * Records a disruption against a group, by its LRO or agency or by a partner tasked on its plan,
 * and marks the group due for re-assessment. Returns the disruption's id.
 */
export async function recordDisruption(db: Database, actor: Actor, groupId: string, raw: unknown, now: Date): Promise<string> {
  must(actor, 'records.write', 'Your role cannot record disruptions')
  const input = parseInput(DisruptionInput, raw)
  const today = ukDay(now)
  return onVisibleGroup(db, actor, groupId, today, 'Recording a disruption of a group', async (tx, facts) => {
    if (!(await mayEditGroup(tx, groupId)) && !(await q.taskedOnGroup(tx, groupId))) {
      throw new ForbiddenError('Only the group’s Lead Responsible Officer, its agency or a partner tasked on its plan can record a disruption')
    }
    const issues: FieldIssue[] = []
    if (input.occurredOn > today) issues.push({ field: 'occurredOn', message: 'The date of the disruption must be today or in the past' })
    const agencyId = input.agencyId ?? actor.agencyId
    const agency = (await agencyKinds(tx, [agencyId])).get(agencyId)
    if (!agency || !agency.active) issues.push({ field: 'agencyId', message: 'Choose an active agency from the list' })
    if (input.actionId) {
      const action = await q.findAction(tx, input.actionId)
      if (!action || action.groupId !== groupId) issues.push({ field: 'actionId', message: 'Choose an action on this group’s plan' })
    }
    if (input.powerId) {
      const power = (await storedPowers(tx, db)).byId.get(input.powerId)
      if (!power) issues.push({ field: 'powerId', message: 'Choose a power from the catalogue' })
      else if (agency && !mayUse(power.definition, agency)) issues.push({ field: 'powerId', message: `${agency.name} cannot use the ${power.name}: choose the agency that used it, or another power` })
    }
    if (issues.length > 0) throw new ValidationError(issues)
    const id = await q.insertDisruption(tx, {
      groupId, actionId: input.actionId, powerId: input.powerId, occurredOn: input.occurredOn, agencyId, description: input.description,
      outcome: input.outcome, outcomeReason: input.outcomeReason, recordedByAgencyId: actor.agencyId, by: actor.userId,
      assets: input.assets.map((a) => ({ kind: a.kind, description: a.description, quantity: a.quantity, unit: a.unit, valuePence: a.valuePounds === null ? null : Math.round(a.valuePounds * 100) })),
    })
    await markGroupChanged(tx, groupId, 'disruptions')
    await recordAudit(tx, actor, { action: 'collection', recordType: q.DISRUPTION_RECORD, recordId: id, purpose: 'Recording a disruption of a group', detail: { group: groupId, outcome: input.outcome } })
    return id
  })
}

/** Why the group may now need re-scoring, as its page shows it after a disruption is recorded. */
export async function reassessmentPrompts(db: Database, actor: Actor, groupId: string, now: Date) {
  return onVisibleGroup(db, actor, groupId, ukDay(now), 'Recording a disruption of a group', async (tx, facts) =>
    (await groupStandings(tx, actor, [facts.group], now)).get(groupId)?.prompts ?? [])
}

// ---------------------------------------------------------------------------------------------
// The home page

export type MyWork = {
  tasks: Array<ActionOut & { groupName: string | null }>
  ledGroups: Array<{ id: string; name: string; operationName: string | null; reviewDate: string; standing: GroupStanding | null; open: number; overdue: number; lastDisruption: DisruptionOut | null }>
}

/** The actions a user owns and the groups they lead, for their home page, in the caller's transaction. */
export async function myWork(tx: Tx, db: Database, actor: Actor, now: Date): Promise<MyWork> {
  const today = ukDay(now)
  const [owned, led] = await Promise.all([q.openActionsOwnedBy(tx, actor.userId, HOME_LIMIT), groupsILead(tx, HOME_LIMIT)])
  const groupIds = [...new Set([...owned.flatMap((a) => (a.groupId ? [a.groupId] : [])), ...led.map((g) => g.id)])]
  const [summaries, counts, disruptions] = await Promise.all([
    groupSummaries(tx, groupIds),
    q.actionCountsByGroup(tx, led.map((g) => g.id), today),
    q.disruptionRows(tx, { groupIds: led.map((g) => g.id), latestOfEach: true }, HOME_LIMIT),
  ])
  const standings = await groupStandings(tx, actor, led, now)
  const names = await namesFor(tx, db, owned, disruptions, new Map())
  const shownGroups = [...summaries.keys()]
  if (shownGroups.length > 0) await recordAudit(tx, actor, { action: 'consultation', recordType: GROUP_KIND.recordType, purpose: 'Viewing my tasks and the groups I lead', detail: { shown: shownGroups } })
  return {
    tasks: owned.map((a) => ({ ...actionOut(a, names, today, actor, false), groupName: a.groupId ? (summaries.get(a.groupId)?.name ?? null) : null })),
    ledGroups: led.map((g) => {
      const last = disruptions.find((d) => d.groupId === g.id)
      return {
        id: g.id, name: g.name, operationName: g.operationName, reviewDate: g.reviewDate, standing: standings.get(g.id) ?? null,
        open: counts.get(g.id)?.open ?? 0, overdue: counts.get(g.id)?.overdue ?? 0, lastDisruption: last ? disruptionOut(last, names) : null,
      }
    }),
  }
}

// ---------------------------------------------------------------------------------------------
// The overdue sweep

export type SweepReport = { flagged: number; mailed: number }

/** How many actions one overdue e-mail lists by link; the rest are on the person's home page. */
const DIGEST_LINKS = 20

/**
 * Flags every action that has become overdue since the last sweep and tells the owners and the
 * plans' LROs by e-mail, once per lapse: one message a person, listing their newly overdue actions
 * (at national scale a cold sweep flagged 53,746 actions for 8,136 people; a message each action
 * was 99,197 e-mails and most of the sweep's 26 s). Runs as the platform, over every plan.
 */
export async function sweepOverdueActions(db: Database, now: Date, site: Site): Promise<SweepReport> {
  const today = ukDay(now)
  return asSystem(db, async (tx) => {
    const flagged = await q.flagOverdueActions(tx, today)
    if (flagged.length === 0) return { flagged: 0, mailed: 0 }
    const leads = await q.planLeads(tx, [...new Set(flagged.map((a) => a.planId))])
    const owned = new Map<string, q.OverdueRow[]>()
    const led = new Map<string, q.OverdueRow[]>()
    const add = (to: Map<string, q.OverdueRow[]>, userId: string, a: q.OverdueRow) => to.set(userId, [...(to.get(userId) ?? []), a])
    for (const a of flagged) {
      add(owned, a.ownerUserId, a)
      const lead = leads.get(a.planId)
      if (lead && lead !== a.ownerUserId) add(led, lead, a)
    }
    const people = await activeEmails(tx, [...new Set([...owned.keys(), ...led.keys()])])
    const list = (actions: readonly q.OverdueRow[]) => [
      ...actions.slice(0, DIGEST_LINKS).map((a) => `- due by ${longUkDate(new Date(`${a.dueOn}T12:00:00Z`))}: ${site.baseUrl}/actions/${a.id}`),
      ...(actions.length > DIGEST_LINKS ? [`- and ${actions.length - DIGEST_LINKS} more: see your home page, ${site.baseUrl}/`] : []),
    ].join('\n')
    let mailed = 0
    for (const [userId, person] of people) {
      const mine = owned.get(userId) ?? []
      const theirs = led.get(userId) ?? []
      const parts = [
        ...(mine.length > 0 ? [`${mine.length === 1 ? 'An action you own is' : `${mine.length} actions you own are`} now overdue:\n${list(mine)}`] : []),
        ...(theirs.length > 0 ? [`${theirs.length === 1 ? 'An action on a plan you lead is' : `${theirs.length} actions on plans you lead are`} now overdue:\n${list(theirs)}`] : []),
      ]
      const [first] = [...mine, ...theirs]
      await queueMail(tx, {
        to: person.email, toUserId: person.id, kind: 'action.overdue', ...(mine.length + theirs.length === 1 ? { relatedType: q.ACTION_RECORD, relatedId: first!.id } : {}),
        subject: mine.length > 0 ? 'Achilles: actions you own are overdue' : 'Achilles: actions on plans you lead are overdue',
        text: `${parts.join('\n\n')}\n\nThis e-mail holds no details of the cases on purpose: they are in Achilles, where their handling conditions apply.\n`,
      })
      mailed++
    }
    await recordAudit(tx, 'system', { action: 'alteration', recordType: q.ACTION_RECORD, purpose: 'Flagging overdue 4P actions', detail: { flagged: flagged.length, mailed, day: today } })
    return { flagged: flagged.length, mailed }
  })
}

// ---------------------------------------------------------------------------------------------
// The board's view, outcome reports and exports

export const BOARD_PAGE_SIZE = 50

export type BoardRow = q.ProgressRow & { name: string; leadName: string | null; disruptions: number; lastDisruption: string | null }

/**
 * Plan progress across the groups the actor may see, most overdue first. A user who sees only
 * aggregate figures (a board member, a councillor) gets the partnership's totals by strand, with
 * no group named.
 */
export async function planBoard(db: Database, actor: Actor, raw: unknown, now: Date) {
  const query = parseInput(BoardQuery, raw)
  const today = ukDay(now)
  if (!actor.capabilities.includes('records.read')) {
    must(actor, 'dashboard.aggregate', 'Your role cannot see plan progress')
    const totals = await asSystem(db, (tx) => q.progressTotals(tx, today))
    return { query, rows: null, total: 0, totals }
  }
  return asUser(db, actor, async (tx) => {
    const { rows, total } = await q.progressByGroup(tx, today, query.page, BOARD_PAGE_SIZE)
    const ids = rows.map((r) => r.groupId)
    const [groups, disruptions] = await Promise.all([groupSummaries(tx, ids), q.disruptionCounts(tx, ids)])
    const leads = await displayNames(tx, [...groups.values()].flatMap((g) => (g.leadResponsibleOfficerId ? [g.leadResponsibleOfficerId] : [])))
    if (ids.length > 0) await recordAudit(tx, actor, { action: 'consultation', recordType: GROUP_KIND.recordType, purpose: 'Viewing plan progress across groups', detail: { shown: ids } })
    const out: BoardRow[] = rows.flatMap((r) => {
      const g = groups.get(r.groupId)
      if (!g) return []
      const d = disruptions.get(r.groupId)
      return [{ ...r, name: g.name, leadName: g.leadResponsibleOfficerId ? (leads.get(g.leadResponsibleOfficerId) ?? null) : null, disruptions: d?.count ?? 0, lastDisruption: d?.last ?? null }]
    })
    return { query, rows: out, total, totals: null }
  })
}

const yearAgo = (today: string) => `${Number(today.slice(0, 4)) - 1}${today.slice(4)}`

/** Disruption outcomes in a period by agency, power, group or outcome level, over what the actor may see. */
export async function outcomeReport(db: Database, actor: Actor, raw: unknown, now: Date) {
  must(actor, 'records.read', 'Your role cannot see disruptions')
  const query = parseInput(OutcomeQuery, raw)
  const today = ukDay(now)
  const from = query.from ?? yearAgo(today)
  const to = query.to ?? today
  if (from > to) throw new ValidationError([{ field: 'to', message: 'The last day must be on or after the first day' }])
  return asUser(db, actor, async (tx) => {
    const rows = await q.outcomeReport(tx, query.by, from, to, query.groupId ?? null)
    const keys = rows.flatMap((r) => (r.key ? [r.key] : []))
    const names: Map<string, string> =
      query.by === 'agency' ? await agencyNames(tx, keys)
        : query.by === 'group' ? new Map([...(await groupSummaries(tx, keys))].map(([id, g]) => [id, g.name]))
          : query.by === 'power' ? new Map([...(await storedPowers(tx, db)).byId].map(([id, p]) => [id, p.name]))
            : new Map(Object.entries(DISRUPTION_OUTCOME_LABELS))
    if (query.by === 'group' && keys.length > 0) await recordAudit(tx, actor, { action: 'consultation', recordType: GROUP_KIND.recordType, purpose: 'Viewing disruption outcomes by group', detail: { shown: keys } })
    return { query: { ...query, from, to }, rows: rows.map((r) => ({ ...r, label: r.key ? (names.get(r.key) ?? r.key) : query.by === 'power' ? 'No particular power' : 'Unknown' })) }
  })
}

const EXPORT_LIMIT = 50_000

function noticeLine(actor: Actor, now: Date, purpose: string, marking: string): string {
  return csvLine([`${marking}. HANDLING NOTICE: ${HANDLING_NOTICE} Exported by ${actor.displayName} (${actor.agencyName}) on ${now.toISOString()} for: ${purpose}`])
}

/** A group's plans and actions as CSV, carrying the group's marking and handling; logged as a disclosure. */
export async function exportGroupPlanCsv(db: Database, actor: Actor, groupId: string, raw: unknown, now: Date): Promise<{ filename: string; csv: string }> {
  const { purpose } = parseInput(ExportQuery, raw)
  const plan = await groupPlan(db, actor, groupId, now, `Exporting a group’s 4P plan: ${purpose}`)
  const g = plan.group
  const lines = [
    noticeLine(actor, now, purpose, g.protectiveMarking),
    csvLine(['group', 'plan', 'key_risk', 'strand', 'action', 'details', 'owner_agency', 'owner', 'due_on', 'status', 'overdue', 'power', 'aimed_at', 'outcome_notes', 'completed_at', 'protective_marking', 'handling_code', 'handling_conditions']),
  ]
  for (const p of plan.plans) {
    for (const a of p.actions) {
      lines.push(csvLine([g.name, p.title, p.keyRisk, a.strand, a.title, a.description, a.ownerAgencyName, a.ownerName, a.dueOn, a.status, a.overdue ? 'yes' : 'no', a.powerName, a.targetCaption, a.outcomeNotes, a.completedAt, g.protectiveMarking, g.handlingCode, g.handlingConditions]))
    }
  }
  await asUser(db, actor, (tx) => recordAudit(tx, actor, { action: 'disclosure', recordType: GROUP_KIND.recordType, recordId: groupId, purpose, recipients: [actor.agencyId], detail: { format: 'csv', export: '4P plan', actions: plan.plans.reduce((n, p) => n + p.actions.length, 0) } }))
  return { filename: `4p-plan-${ukDay(now)}.csv`, csv: csvFile(lines) }
}

/** Disruptions in a period as CSV, each with its group's marking and handling; logged as a disclosure. */
export async function exportDisruptionsCsv(db: Database, actor: Actor, raw: unknown, now: Date): Promise<{ filename: string; csv: string; count: number }> {
  must(actor, 'records.read', 'Your role cannot see disruptions')
  const query = parseInput(ExportQuery, raw)
  const today = ukDay(now)
  const from = query.from ?? yearAgo(today)
  const to = query.to ?? today
  return asUser(db, actor, async (tx) => {
    const rows = await q.disruptionRows(tx, { from, to, ...(query.groupId ? { groupIds: [query.groupId] } : {}) }, EXPORT_LIMIT + 1)
    if (rows.length > EXPORT_LIMIT) throw new ValidationError([{ field: 'from', message: `More than ${EXPORT_LIMIT.toLocaleString('en-GB')} disruptions match: narrow the period and export again` }])
    if (rows.length === 0) throw new ValidationError([{ field: 'from', message: 'No disruptions in that period: there is nothing to export' }])
    const groups = await groupSummaries(tx, [...new Set(rows.map((r) => r.groupId))])
    const names = await namesFor(tx, db, [], rows, new Map())
    const marking = [...groups.values()].some((g) => g.protectiveMarking === 'OFFICIAL-SENSITIVE') ? 'OFFICIAL-SENSITIVE' : 'OFFICIAL'
    const lines = [
      noticeLine(actor, now, query.purpose, marking),
      csvLine(['occurred_on', 'group', 'agency', 'what_was_done', 'power', 'outcome', 'outcome_reason', 'cash_seized_gbp', 'value_seized_gbp', 'assets', 'protective_marking', 'handling_code', 'handling_conditions']),
    ]
    for (const d of [...rows].reverse()) {
      const g = groups.get(d.groupId)
      const cash = d.assets.filter((a) => a.kind === 'cash').reduce((s, a) => s + (a.valuePence ?? 0), 0)
      const value = d.assets.reduce((s, a) => s + (a.valuePence ?? 0), 0)
      const assets = d.assets.map((a) => `${a.kind}: ${a.description}${a.quantity ? ` (${a.quantity}${a.unit ? ` ${a.unit}` : ''})` : ''}`).join('; ')
      lines.push(csvLine([d.occurredOn, g?.name ?? null, names.agencies.get(d.agencyId) ?? null, d.description, d.powerId ? (names.powers.get(d.powerId) ?? d.powerId) : null, d.outcome, d.outcomeReason, (cash / 100).toFixed(2), (value / 100).toFixed(2), assets, g?.protectiveMarking ?? null, g?.handlingCode ?? null, g?.handlingConditions ?? null]))
    }
    await recordAudit(tx, actor, { action: 'disclosure', recordType: q.DISRUPTION_RECORD, purpose: query.purpose, recipients: [actor.agencyId], detail: { format: 'csv', count: rows.length, from, to, exported: rows.map((r) => r.id) } })
    return { filename: `disruptions-${from}-to-${to}.csv`, csv: csvFile(lines), count: rows.length }
  })
}

// ---------------------------------------------------------------------------------------------
// Threat-area plans: a partnership's plan against a threat (county lines, fraud) beyond one group

export const PLAN_KIND: records.RestrictedKind = { recordType: q.PLAN_RECORD, table: 'action_plans', noun: 'plan' }

/** Starts a plan for a threat area, coordinated by the officer who starts it. */
export async function createThreatPlan(db: Database, actor: Actor, raw: unknown): Promise<string> {
  must(actor, 'records.write', 'Your role cannot start plans')
  const input = parseInput(ThreatPlanInput, raw)
  if (input.sharingScope !== 'agency') must(actor, 'records.share', 'Your role cannot share plans beyond your agency')
  return asUser(db, actor, async (tx) => {
    await records.checkHandling(tx, actor, input, 'plan')
    const id = await q.insertPlan(tx, {
      groupId: null, threatArea: input.threatArea, title: input.title, keyRisk: input.keyRisk, coordinatorId: actor.userId, owningAgencyId: actor.agencyId,
      purpose: input.purpose, protectiveMarking: input.protectiveMarking, handlingCode: input.handlingCode, handlingConditions: input.handlingConditions,
      sharingScope: input.sharingScope, reviewDate: input.reviewDate, by: actor.userId,
    })
    await records.recordCollected(tx, actor, PLAN_KIND, id, input, { threatArea: input.threatArea })
    return id
  })
}

type ThreatPlan = q.ThreatPlanRow

/** A threat-area plan the actor may see, or a logged refusal. */
async function visibleThreatPlan(tx: Tx, actor: Actor, planId: string, purpose: string): Promise<ThreatPlan | null> {
  const plan = await q.findThreatPlan(tx, planId)
  if (!plan) await records.recordRefusal(tx, actor, PLAN_KIND, planId, purpose)
  return plan
}

export async function threatPlan(db: Database, actor: Actor, planId: string, now: Date) {
  must(actor, 'records.read', 'Your role cannot see plans')
  const today = ukDay(now)
  return records.seeing(db, actor, async (tx) => {
    const plan = await visibleThreatPlan(tx, actor, planId, 'Viewing a threat area’s 4P plan')
    if (!plan) return null
    const [actions, mayEdit] = await Promise.all([q.actionsOfPlans(tx, [planId]), q.mayEditPlan(tx, planId)])
    const names = await namesFor(tx, db, actions, [], new Map())
    const coordinator = plan.coordinatorId ? (await displayNames(tx, [plan.coordinatorId])).get(plan.coordinatorId) ?? null : null
    await recordAudit(tx, actor, { action: 'consultation', recordType: q.PLAN_RECORD, recordId: planId, purpose: 'Viewing a threat area’s 4P plan' })
    return {
      plan, coordinator, mayEdit,
      actions: actions.map((a) => actionOut(a, names, today, actor, mayEdit)),
      templates: templatesFor([plan.threatArea], today),
    }
  }, 'Plan')
}

/** Lets an owner of another agency see the threat-area plan they are tasked on, logged as a disclosure. */
async function shareThreatPlan(tx: Tx, actor: Actor, plan: ThreatPlan, owner: Owner, purpose: string): Promise<void> {
  if (owner.agency.id === plan.owningAgencyId || owner.user.id === plan.coordinatorId) return
  if (plan.sharingScope === 'partnership' && plan.protectiveMarking === 'OFFICIAL') return
  if (plan.sharingScope === 'named' && (await access.sharedAgencyIds(tx, q.PLAN_RECORD, plan.id)).includes(owner.agency.id)) return
  const grants = await withOwnerPrivileges(tx, () => access.activeGrants(tx, q.PLAN_RECORD, plan.id))
  if (grants.some((g) => g.grantee_user_id === owner.user.id || g.grantee_agency_id === owner.agency.id)) return
  // The coordinator may be of another agency than the plan's; the service has checked they may change it.
  const grantId = await withOwnerPrivileges(tx, () => access.insertGrant(tx, { recordType: q.PLAN_RECORD, recordId: plan.id, granteeUserId: owner.user.id, granteeAgencyId: null, reason: TASKED_GRANT_REASON, expiresAt: null, by: actor.userId }))
  await recordAudit(tx, actor, { action: 'disclosure', recordType: q.PLAN_RECORD, recordId: plan.id, purpose, recipients: [`user:${owner.user.id}`], detail: { grantId, reason: TASKED_GRANT_REASON } })
}

async function threatTasking(tx: Tx, actor: Actor, planId: string, purpose: string): Promise<{ plan: ThreatPlan; tasking: Tasking } | null> {
  const plan = await visibleThreatPlan(tx, actor, planId, purpose)
  if (!plan) return null
  if (!(await q.mayEditPlan(tx, planId))) throw new ForbiddenError('Only the plan’s agency or its coordinator can task partners on it')
  const row = (await q.findPlan(tx, planId))!
  return { plan, tasking: { plan: async () => row, groupId: null, marking: plan.protectiveMarking, targets: new Set(), share: (owner, p) => shareThreatPlan(tx, actor, plan, owner, p) } }
}

export async function addThreatPlanAction(db: Database, actor: Actor, planId: string, raw: unknown, now: Date, site: Site): Promise<string> {
  must(actor, 'records.write', 'Your role cannot change plans')
  const input = parseInput(ActionInput, raw)
  const today = ukDay(now)
  return records.seeing(db, actor, async (tx) => {
    const found = await threatTasking(tx, actor, planId, 'Tasking a partner on a threat area’s 4P plan')
    return found ? taskPartner(tx, db, actor, found.tasking, { ...input, planId }, today, site) : null
  }, 'Plan')
}

export async function addThreatTemplateAction(db: Database, actor: Actor, planId: string, raw: unknown, now: Date, site: Site): Promise<string> {
  must(actor, 'records.write', 'Your role cannot change plans')
  const input = parseInput(TemplateActionInput, raw)
  const today = ukDay(now)
  return records.seeing(db, actor, async (tx) => {
    const found = await threatTasking(tx, actor, planId, 'Taking a template action into a threat area’s 4P plan')
    if (!found) return null
    const action = templatesFor([found.plan.threatArea], today).find((t) => t.key === input.templateKey)?.actions[input.index]
    if (!action) throw new ValidationError([{ field: 'templateKey', message: 'Choose an action from this threat area’s template' }])
    return taskPartner(tx, db, actor, found.tasking, {
      strand: action.strand, title: action.title, description: action.description, dueOn: input.dueOn, powerId: action.powerId, targetEntityId: null,
      ownerEmail: input.ownerEmail, ownerUserId: input.ownerUserId, planId,
    }, today, site)
  }, 'Plan')
}

/** The threat-area plans the actor may see, with their progress. */
export async function listThreatPlans(db: Database, actor: Actor, now: Date) {
  if (!actor.capabilities.includes('records.read')) return []
  const today = ukDay(now)
  return asUser(db, actor, async (tx) => {
    const plans = await q.threatPlans(tx, 100)
    const counts = await q.actionCountsByPlan(tx, plans.map((p) => p.id), today)
    return plans.map((p) => ({ ...p, ...(counts.get(p.id) ?? { open: 0, overdue: 0, done: 0 }) }))
  })
}
