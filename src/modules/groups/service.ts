import type { Actor } from '../../core/access/actor.ts'
import { capabilitiesOf, isRole, type Capability } from '../../core/access/roles.ts'
import type { Viewer } from '../../core/access/visibility.ts'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldIssue } from '../../core/errors.ts'
import {
  GROUP_FIELDS, HOLDING_FIELDS, MEMBER_FIELDS, changedFields, dateRangeProblem, describeValue, fieldLabel, groupChanges, holdingRefusal, isCurrent,
  membershipRefusal, type FieldChange, type GroupFields,
} from '../../core/groups/history.ts'
import { HOLDING_KIND_RULES, MEMBER_ROLE_LABELS, type HoldingKind, type MemberRole } from '../../core/reference/crime.ts'
import { ukDay } from '../../core/time/ukDates.ts'
import type { Database } from '../../db/connection.ts'
import { asUser, withOwnerPrivileges, type Tx } from '../../db/context.ts'
import * as access from '../../db/visibility.ts'
import { parseInput } from '../../http/validation.ts'
import { recordAudit } from '../audit/service.ts'
import * as records from '../records/service.ts'
import { credentials, displayNames, userIdByEmail } from '../users/service.ts'
import * as q from './queries.ts'
import {
  GroupInput, GroupListQuery, GroupUpdate, HistoryQuery, HoldingInput, HoldingUpdate, MemberEnd, MemberInput, MemberUpdate, ReasonInput,
  type GroupOut, type GroupSummaryOut, type HistoryEntryOut, type HoldingOut, type MemberOut,
} from './schema.ts'

export type { GroupSummary, GroupRowInput, MemberRowInput, HoldingRowInput } from './queries.ts'

const { RECORD_TYPE } = q
export const GROUP_KIND: records.RestrictedKind = { recordType: RECORD_TYPE, table: 'ocgs', noun: 'group' }

/** The reason written on the grant that lets a Lead Responsible Officer of another agency see the group. */
export const LRO_GRANT_REASON = 'Lead Responsible Officer'
export const HISTORY_PAGE_SIZE = 50
const RECENT_HISTORY = 10
/** How many people or records a member or holding form offers at once; a name narrows the list. */
export const CHOICES_LIMIT = 200

function must(actor: Actor, capability: Capability, reason: string) {
  if (!actor.capabilities.includes(capability)) throw new ForbiddenError(reason)
}

/** Runs checks that may each raise a ValidationError and raises one with every issue found. */
async function collect(issues: FieldIssue[], check: () => Promise<void>): Promise<void> {
  try {
    await check()
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    issues.push(...error.issues)
  }
}

function fail(issues: FieldIssue[]): void {
  if (issues.length > 0) throw new ValidationError(issues)
}

// ---------------------------------------------------------------------------------------------
// Lead Responsible Officer

type Officer = { id: string; agencyId: string }

/**
 * The officer named by id or e-mail address, checked: an active user of an active agency (of any
 * agency: domain.md) whose role can see and change records at the group's marking.
 */
async function resolveOfficer(
  tx: Tx,
  input: { leadResponsibleOfficerId: string | null; leadResponsibleOfficerEmail?: string | null },
  marking: string,
  issues: FieldIssue[],
  current: string | null = null,
): Promise<Officer | null | 'invalid'> {
  const field = input.leadResponsibleOfficerEmail ? 'leadResponsibleOfficerEmail' : 'leadResponsibleOfficerId'
  let id = input.leadResponsibleOfficerId
  if (input.leadResponsibleOfficerEmail) {
    id = await userIdByEmail(tx, input.leadResponsibleOfficerEmail)
    if (!id) {
      issues.push({ field, message: 'No user has that email address: enter the email address of the Lead Responsible Officer’s account' })
      return 'invalid'
    }
  }
  if (!id) return null
  const profile = await credentials.profile(tx, id)
  if (!profile) {
    issues.push({ field, message: 'No user has that id' })
    return 'invalid'
  }
  // An officer already leading the group is not checked again: an edit of something else must not
  // fail because their account has since changed. Replacing them is checked in full.
  if (id === current) return { id, agencyId: profile.agencyId }
  if (!profile.active || !profile.agencyActive) {
    issues.push({ field, message: `${profile.displayName}’s account is not active: choose an active user as Lead Responsible Officer` })
    return 'invalid'
  }
  const can = capabilitiesOf(profile.roles.filter(isRole))
  if (!can.includes('records.read') || !can.includes('records.write')) {
    issues.push({ field, message: `${profile.displayName}’s role cannot see and change records, so they cannot lead a group` })
    return 'invalid'
  }
  if (marking === 'OFFICIAL-SENSITIVE' && !can.includes('records.read_sensitive')) {
    issues.push({ field, message: `${profile.displayName}’s role cannot see OFFICIAL-SENSITIVE records: choose another officer or mark the group OFFICIAL` })
    return 'invalid'
  }
  return { id, agencyId: profile.agencyId }
}

/**
 * Lets a Lead Responsible Officer of another agency see the group. The grants policy allows only the
 * owning agency to grant, so this runs in the owning agency's transaction, and is logged as a disclosure.
 */
async function grantToOfficer(tx: Tx, actor: Actor, groupId: string, officerId: string, purpose: string): Promise<void> {
  const grants = await access.activeGrants(tx, RECORD_TYPE, groupId)
  if (grants.some((g) => g.grantee_user_id === officerId && g.reason === LRO_GRANT_REASON)) return
  const grantId = await access.insertGrant(tx, { recordType: RECORD_TYPE, recordId: groupId, granteeUserId: officerId, granteeAgencyId: null, reason: LRO_GRANT_REASON, expiresAt: null, by: actor.userId })
  await recordAudit(tx, actor, { action: 'disclosure', recordType: RECORD_TYPE, recordId: groupId, purpose, recipients: [`user:${officerId}`], detail: { grantId, reason: LRO_GRANT_REASON } })
}

/** Withdraws the grant an officer held only because they led the group. */
async function withdrawOfficerGrant(tx: Tx, actor: Actor, groupId: string, officerId: string): Promise<void> {
  for (const g of await access.activeGrants(tx, RECORD_TYPE, groupId)) {
    if (g.grantee_user_id !== officerId || g.reason !== LRO_GRANT_REASON) continue
    await access.revokeGrant(tx, RECORD_TYPE, groupId, g.id, actor.userId)
    await recordAudit(tx, actor, { action: 'alteration', recordType: RECORD_TYPE, recordId: groupId, purpose: 'Lead Responsible Officer replaced', detail: { revokedGrant: g.id } })
  }
}

// ---------------------------------------------------------------------------------------------
// Groups

/** The fields a group's history follows, from a stored group or an input. */
function fieldsOf(g: object): GroupFields {
  const out = {} as GroupFields
  for (const f of GROUP_FIELDS) out[f] = (g as Partial<GroupFields>)[f] ?? null
  return out
}

/** Records a group in the caller's transaction: validated, with its history, shares, grants and audit rows. */
export async function createGroupInTx(tx: Tx, actor: Actor, raw: unknown): Promise<string> {
  must(actor, 'records.write', 'Your role cannot record groups')
  const input = parseInput(GroupInput, raw)
  if (input.sharingScope !== 'agency') must(actor, 'records.share', 'Your role cannot share groups beyond your agency')
  const issues: FieldIssue[] = []
  await collect(issues, () => records.checkHandling(tx, actor, input, 'group'))
  const officer = await resolveOfficer(tx, input, input.protectiveMarking, issues)
  if (officer && officer !== 'invalid' && officer.agencyId !== actor.agencyId && !actor.capabilities.includes('records.share')) {
    issues.push({ field: input.leadResponsibleOfficerEmail ? 'leadResponsibleOfficerEmail' : 'leadResponsibleOfficerId', message: 'Your role cannot share a group with an officer of another agency' })
  }
  fail(issues)
  const lro = officer && officer !== 'invalid' ? officer : null
  const stored = { ...input, leadResponsibleOfficerId: lro?.id ?? null }
  const id = await q.insertGroup(tx, stored, actor.agencyId, actor.userId)
  await records.recordCollected(tx, actor, GROUP_KIND, id, input, { name: input.name })
  const initial = groupChanges(fieldsOf({}), fieldsOf(stored)).filter((c) => c.to !== false && !(Array.isArray(c.to) && c.to.length === 0))
  await q.insertHistory(tx, id, actor.userId, 'Group recorded', initial)
  if (lro && lro.agencyId !== actor.agencyId) await grantToOfficer(tx, actor, id, lro.id, input.purpose)
  return id
}

export async function createGroup(db: Database, actor: Actor, raw: unknown): Promise<string> {
  must(actor, 'records.write', 'Your role cannot record groups')
  return asUser(db, actor, (tx) => createGroupInTx(tx, actor, raw))
}

/** A group the actor may see, or a logged refusal and NotFoundError. */
async function visibleGroup(tx: Tx, actor: Actor, id: string, purpose: string): Promise<q.GroupRecord> {
  const group = await q.findVisibleGroup(tx, actor, id)
  if (!group) {
    await records.recordRefusal(tx, actor, GROUP_KIND, id, purpose)
    throw new NotFoundError('Group')
  }
  return group
}

/** A group the actor may change: its owning agency or its Lead Responsible Officer (policy ocgs_update). */
async function editableGroup(tx: Tx, actor: Actor, id: string, purpose: string): Promise<q.GroupRecord> {
  must(actor, 'records.write', 'Your role cannot change groups')
  const group = await visibleGroup(tx, actor, id, purpose)
  if (!(await q.mayEditGroup(tx, id))) throw new ForbiddenError('Only the agency that holds a group, or its Lead Responsible Officer, can change it')
  return group
}

export async function updateGroup(db: Database, actor: Actor, id: string, raw: unknown): Promise<void> {
  must(actor, 'records.write', 'Your role cannot change groups')
  const input = parseInput(GroupUpdate, raw)
  await asUser(db, actor, async (tx) => {
    const before = await editableGroup(tx, actor, id, 'Changing a group')
    const issues: FieldIssue[] = []
    const officer = await resolveOfficer(tx, input, before.protectiveMarking, issues, before.leadResponsibleOfficerId)
    const officerField = input.leadResponsibleOfficerEmail ? 'leadResponsibleOfficerEmail' : 'leadResponsibleOfficerId'
    const lro = officer && officer !== 'invalid' ? officer : null
    const officerChanged = officer !== 'invalid' && (lro?.id ?? null) !== before.leadResponsibleOfficerId
    if (officerChanged && before.owningAgencyId !== actor.agencyId) {
      issues.push({ field: officerField, message: 'Only the agency that holds the group can change its Lead Responsible Officer' })
    } else if (officerChanged && lro && lro.agencyId !== actor.agencyId && !actor.capabilities.includes('records.share')) {
      issues.push({ field: officerField, message: 'Your role cannot share a group with an officer of another agency' })
    }
    fail(issues)
    const stored = { ...input, leadResponsibleOfficerId: lro?.id ?? null }
    if (!(await q.updateGroup(tx, id, stored, actor.userId))) {
      throw new ConflictError('Someone else changed this group while you were editing it. Reload the page to see their changes, then make yours again.')
    }
    const changes = groupChanges(fieldsOf(before), fieldsOf(stored))
    if (changes.length > 0) {
      await q.insertHistory(tx, id, actor.userId, `Changed ${changes.map((c) => fieldLabel(c.field).toLowerCase()).join(', ')}`, changes)
    }
    await recordAudit(tx, actor, { action: 'alteration', recordType: RECORD_TYPE, recordId: id, purpose: input.purpose, detail: { changed: changes.map((c) => c.field) } })
    if (officerChanged) {
      if (before.leadResponsibleOfficerId) await withdrawOfficerGrant(tx, actor, id, before.leadResponsibleOfficerId)
      if (lro && lro.agencyId !== actor.agencyId) await grantToOfficer(tx, actor, id, lro.id, input.purpose)
    }
  })
}

export async function listGroups(db: Database, actor: Actor, raw: unknown) {
  must(actor, 'records.read', 'Your role cannot see groups')
  const query = parseInput(GroupListQuery, raw)
  return asUser(db, actor, async (tx) => {
    const result = await q.listVisibleGroups(tx, actor, query)
    const names = await displayNames(tx, result.rows.flatMap((r) => (r.leadResponsibleOfficerId ? [r.leadResponsibleOfficerId] : [])))
    // A list names groups and their officers, so seeing it is a consultation of those groups.
    if (result.rows.length > 0) {
      await recordAudit(tx, actor, { action: 'consultation', recordType: RECORD_TYPE, purpose: 'Listing organised crime groups', detail: { shown: result.rows.map((r) => r.id) } })
    }
    const rows: GroupSummaryOut[] = result.rows.map((r) => ({
      ...r,
      status: r.status as GroupSummaryOut['status'],
      threatAreas: r.threatAreas as GroupSummaryOut['threatAreas'],
      leadResponsibleOfficerName: r.leadResponsibleOfficerId ? (names.get(r.leadResponsibleOfficerId) ?? null) : null,
    }))
    return { query, rows, total: result.total }
  })
}

function memberOut(m: q.MemberRow, today: string): MemberOut {
  return {
    id: m.id,
    personId: m.personId,
    caption: m.caption,
    personRole: m.personRole as MemberOut['personRole'],
    role: m.role as MemberOut['role'],
    enablerProfession: m.enablerProfession as MemberOut['enablerProfession'],
    startDate: m.startDate,
    endDate: m.endDate,
    notes: m.notes,
    current: isCurrent(m.endDate, today),
    rowVersion: m.rowVersion,
    person: { protectiveMarking: m.protectiveMarking, handlingCode: m.handlingCode, handlingConditions: m.handlingConditions },
  }
}

function holdingOut(h: q.HoldingRow, today: string): HoldingOut {
  return {
    id: h.id,
    entityId: h.entityId,
    caption: h.caption,
    schema: h.schema as HoldingOut['schema'],
    kind: h.kind as HoldingOut['kind'],
    startDate: h.startDate,
    endDate: h.endDate,
    notes: h.notes,
    current: isCurrent(h.endDate, today),
    entity: { protectiveMarking: h.protectiveMarking, handlingCode: h.handlingCode, handlingConditions: h.handlingConditions },
  }
}

/** History entries as a person reads them: names for officers and, where the viewer may see them, members. */
async function historyOut(tx: Tx, viewer: Viewer, rows: q.HistoryRow[]): Promise<HistoryEntryOut[]> {
  const userIds = new Set<string>()
  const entityIds = new Set<string>()
  for (const r of rows) {
    if (r.changedById) userIds.add(r.changedById)
    for (const c of r.changes) {
      if (c.entityId) entityIds.add(c.entityId)
      if (c.field === 'leadResponsibleOfficerId') for (const v of [c.from, c.to]) if (typeof v === 'string') userIds.add(v)
    }
  }
  const [names, entities] = await Promise.all([displayNames(tx, [...userIds]), q.visibleEntityFacts(tx, viewer, [...entityIds])])
  return rows.map((r) => ({
    id: r.id,
    changedAt: r.changedAt.toISOString(),
    changedById: r.changedById,
    changedBy: r.changedById ? (names.get(r.changedById) ?? 'A user no longer listed') : 'The system',
    summary: r.summary,
    changes: r.changes.map((c: FieldChange) => ({
      field: c.field,
      label: fieldLabel(c.field),
      from: c.from,
      to: c.to,
      fromText: describeValue(c.field, c.from, names),
      toText: describeValue(c.field, c.to, names),
      entityId: c.entityId ?? null,
      // A member or holding the viewer may not see stays unnamed in the history too.
      entityCaption: c.entityId ? (entities.get(c.entityId)?.caption ?? null) : null,
    })),
  }))
}

/** Everything a group's page shows, if the visibility rule lets the actor see it. */
export async function getGroup(db: Database, actor: Actor, id: string, now: Date, purpose = 'Viewing an organised crime group'): Promise<GroupOut> {
  must(actor, 'records.read', 'Your role cannot see groups')
  const today = ukDay(now)
  const group = await asUser(db, actor, async (tx) => {
    const found = await q.findVisibleGroup(tx, actor, id)
    // The SQL filter and row-level security have let the row through; the core rule must agree.
    const seen = found ? await records.accessTo(tx, actor, GROUP_KIND, id, found, now) : null
    if (!found || !seen) {
      await records.recordRefusal(tx, actor, GROUP_KIND, id, purpose)
      return null
    }
    const [members, holdings, history, mayEdit] = await Promise.all([
      q.membersOf(tx, actor, id),
      q.holdingsOf(tx, actor, id),
      q.historyOf(tx, id, 1, RECENT_HISTORY),
      q.mayEditGroup(tx, id),
    ])
    const userIds = [found.leadResponsibleOfficerId, found.createdById, found.updatedById].filter((u): u is string => Boolean(u))
    const [names, recentHistory] = await Promise.all([displayNames(tx, userIds), historyOut(tx, actor, history.rows)])
    await recordAudit(tx, actor, { action: 'consultation', recordType: RECORD_TYPE, recordId: id, purpose })
    // The page names the members and holdings: a consultation of those records as well.
    const shown = [...new Set([...members.map((m) => m.personId), ...holdings.map((h) => h.entityId)])]
    if (shown.length > 0) await recordAudit(tx, actor, { action: 'consultation', recordType: 'entity', purpose, detail: { group: id, shown } })
    const name = (u: string | null) => (u ? (names.get(u) ?? 'A user no longer listed') : 'The system')
    return {
      ...found,
      status: found.status as GroupOut['status'],
      threatAreas: found.threatAreas as GroupOut['threatAreas'],
      leadResponsibleOfficerName: found.leadResponsibleOfficerId ? name(found.leadResponsibleOfficerId) : null,
      createdAt: found.createdAt.toISOString(),
      createdBy: name(found.createdById),
      updatedBy: name(found.updatedById),
      membersChangedAt: found.membersChangedAt?.toISOString() ?? null,
      intelligenceChangedAt: found.intelligenceChangedAt?.toISOString() ?? null,
      disruptionsChangedAt: found.disruptionsChangedAt?.toISOString() ?? null,
      mayEdit,
      members: members.map((m) => memberOut(m, today)),
      holdings: holdings.map((h) => holdingOut(h, today)),
      recentHistory,
      historyTotal: history.total,
      ...seen,
    }
  })
  if (!group) throw new NotFoundError('Group')
  return group
}

/** A group's whole history, a page at a time. */
export async function groupHistory(db: Database, actor: Actor, id: string, raw: unknown) {
  must(actor, 'records.read', 'Your role cannot see groups')
  const { page } = parseInput(HistoryQuery, raw)
  return asUser(db, actor, async (tx) => {
    const group = await visibleGroup(tx, actor, id, 'Viewing a group’s history')
    const history = await q.historyOf(tx, id, page, HISTORY_PAGE_SIZE)
    await recordAudit(tx, actor, { action: 'consultation', recordType: RECORD_TYPE, recordId: id, purpose: 'Viewing a group’s history' })
    return { group: { id: group.id, name: group.name, operationName: group.operationName }, page, total: history.total, entries: await historyOut(tx, actor, history.rows) }
  })
}

/** What the edit form starts from: the group as stored, with its officer's e-mail address. */
export async function groupForEditing(db: Database, actor: Actor, id: string) {
  return asUser(db, actor, async (tx) => {
    const group = await editableGroup(tx, actor, id, 'Changing a group')
    const officer = group.leadResponsibleOfficerId ? await credentials.profile(tx, group.leadResponsibleOfficerId) : null
    await recordAudit(tx, actor, { action: 'consultation', recordType: RECORD_TYPE, recordId: id, purpose: 'Changing a group' })
    return { ...group, leadResponsibleOfficerEmail: officer?.email ?? null, mayChangeOfficer: group.owningAgencyId === actor.agencyId }
  })
}

export async function eraseGroup(db: Database, actor: Actor, id: string, raw: unknown): Promise<void> {
  must(actor, 'records.erase', 'Your role cannot erase groups')
  const { reason } = parseInput(ReasonInput, raw)
  await asUser(db, actor, async (tx) => {
    const group = await visibleGroup(tx, actor, id, 'Erasing a group')
    if (group.owningAgencyId !== actor.agencyId) throw new ForbiddenError('Only the agency that holds a group can erase it')
    await records.forgetAccess(tx, GROUP_KIND, id)
    await q.deleteGroup(tx, id)
    await recordAudit(tx, actor, { action: 'erasure', recordType: RECORD_TYPE, recordId: id, purpose: reason, detail: { name: group.name } })
  })
}

export const changeSharing = (db: Database, actor: Actor, id: string, raw: unknown) => records.changeSharing(db, actor, GROUP_KIND, id, raw)

// ---------------------------------------------------------------------------------------------
// Members

const roleLabel = (role: string) => MEMBER_ROLE_LABELS[role as MemberRole] ?? role

/** Adds a member in the caller's transaction: validated, with the group's history and audit rows. */
export async function addMemberInTx(tx: Tx, actor: Actor, groupId: string, raw: unknown): Promise<string> {
  must(actor, 'records.write', 'Your role cannot change groups')
  const input = parseInput(MemberInput, raw)
  await editableGroup(tx, actor, groupId, 'Adding a group member')
  const person = (await q.visibleEntityFacts(tx, actor, [input.personId])).get(input.personId)
  const issues: FieldIssue[] = []
  if (!person) {
    issues.push({ field: 'personId', message: 'The person was not found or is not visible to you' })
  } else {
    const refusal = membershipRefusal(person)
    if (refusal) issues.push({ field: 'personId', message: refusal })
    else if (await q.memberExists(tx, groupId, input.personId)) {
      issues.push({ field: 'personId', message: `${person.caption} is already a member of this group: change their membership instead` })
    }
  }
  fail(issues)
  const id = await q.insertMember(tx, groupId, input, actor.userId)
  await q.insertHistory(tx, groupId, actor.userId, `Member added as ${roleLabel(input.role).toLowerCase()}`, [
    { field: 'member', from: null, to: input.role, entityId: input.personId },
    ...changedFields(MEMBER_FIELDS.filter((f) => f !== 'role'), {}, input, input.personId),
  ])
  await q.markGroupChanged(tx, groupId, 'members')
  await recordAudit(tx, actor, { action: 'alteration', recordType: RECORD_TYPE, recordId: groupId, purpose: 'Recording a group member', detail: { memberAdded: input.personId, role: input.role } })
  return id
}

export function addMember(db: Database, actor: Actor, groupId: string, raw: unknown): Promise<string> {
  must(actor, 'records.write', 'Your role cannot change groups')
  return asUser(db, actor, (tx) => addMemberInTx(tx, actor, groupId, raw))
}

async function visibleMember(tx: Tx, actor: Actor, groupId: string, memberId: string): Promise<q.MemberRow> {
  const member = await q.findMember(tx, actor, groupId, memberId)
  if (!member) throw new NotFoundError('Member')
  return member
}

async function changeMembership(tx: Tx, actor: Actor, groupId: string, before: q.MemberRow, after: MemberUpdate, verb: string): Promise<void> {
  if (!(await q.updateMember(tx, groupId, before.id, after, actor.userId))) {
    throw new ConflictError('Someone else changed this membership while you were editing it. Reload the page to see their changes, then make yours again.')
  }
  const changes = changedFields(MEMBER_FIELDS, before, after, before.personId)
  if (changes.length === 0) return
  await q.insertHistory(tx, groupId, actor.userId, `${verb}: ${changes.map((c) => fieldLabel(c.field).toLowerCase()).join(', ')}`, changes)
  await q.markGroupChanged(tx, groupId, 'members')
  await recordAudit(tx, actor, { action: 'alteration', recordType: RECORD_TYPE, recordId: groupId, purpose: 'Changing a group membership', detail: { member: before.personId, changed: changes.map((c) => c.field) } })
}

export async function updateMember(db: Database, actor: Actor, groupId: string, memberId: string, raw: unknown): Promise<void> {
  must(actor, 'records.write', 'Your role cannot change groups')
  const input = parseInput(MemberUpdate, raw)
  await asUser(db, actor, async (tx) => {
    await editableGroup(tx, actor, groupId, 'Changing a group membership')
    const before = await visibleMember(tx, actor, groupId, memberId)
    await changeMembership(tx, actor, groupId, before, input, 'Membership changed')
  })
}

/** Records that a member left the group; they stay on its page as a past member. */
export async function endMember(db: Database, actor: Actor, groupId: string, memberId: string, raw: unknown): Promise<void> {
  must(actor, 'records.write', 'Your role cannot change groups')
  const input = parseInput(MemberEnd, raw)
  await asUser(db, actor, async (tx) => {
    await editableGroup(tx, actor, groupId, 'Ending a group membership')
    const before = await visibleMember(tx, actor, groupId, memberId)
    const problem = dateRangeProblem(before.startDate, input.endDate)
    if (problem) throw new ValidationError([{ field: 'endDate', message: `${problem} (${before.startDate})` }])
    const after: MemberUpdate = {
      role: before.role as MemberUpdate['role'], enablerProfession: before.enablerProfession as MemberUpdate['enablerProfession'],
      startDate: before.startDate, endDate: input.endDate, notes: before.notes, rowVersion: input.rowVersion,
    }
    await changeMembership(tx, actor, groupId, before, after, 'Membership ended')
  })
}

/** Removes a membership recorded in error; the history keeps that it was there and why it went. */
export async function removeMember(db: Database, actor: Actor, groupId: string, memberId: string, raw: unknown): Promise<void> {
  must(actor, 'records.write', 'Your role cannot change groups')
  const { reason } = parseInput(ReasonInput, raw)
  await asUser(db, actor, async (tx) => {
    await editableGroup(tx, actor, groupId, 'Removing a group member')
    const before = await visibleMember(tx, actor, groupId, memberId)
    await q.deleteMember(tx, groupId, memberId)
    await q.insertHistory(tx, groupId, actor.userId, `Member removed: ${reason}`, [{ field: 'member', from: before.role, to: null, entityId: before.personId }])
    await q.markGroupChanged(tx, groupId, 'members')
    await recordAudit(tx, actor, { action: 'alteration', recordType: RECORD_TYPE, recordId: groupId, purpose: reason, detail: { memberRemoved: before.personId } })
  })
}

/** One membership, for its edit form. */
export async function getMember(db: Database, actor: Actor, groupId: string, memberId: string, now: Date) {
  return asUser(db, actor, async (tx) => {
    const group = await editableGroup(tx, actor, groupId, 'Changing a group membership')
    const member = await visibleMember(tx, actor, groupId, memberId)
    await recordAudit(tx, actor, { action: 'consultation', recordType: 'entity', recordId: member.personId, purpose: 'Changing a group membership', detail: { group: groupId } })
    return { group: { id: group.id, name: group.name }, member: memberOut(member, ukDay(now)) }
  })
}

// ---------------------------------------------------------------------------------------------
// Holdings

const kindLabel = (kind: string) => HOLDING_KIND_RULES[kind as HoldingKind]?.label ?? kind

export async function addHoldingInTx(tx: Tx, actor: Actor, groupId: string, raw: unknown): Promise<string> {
  must(actor, 'records.write', 'Your role cannot change groups')
  const input = parseInput(HoldingInput, raw)
  await editableGroup(tx, actor, groupId, 'Adding a group holding')
  const entity = (await q.visibleEntityFacts(tx, actor, [input.entityId])).get(input.entityId)
  const issues: FieldIssue[] = []
  if (!entity) {
    issues.push({ field: 'entityId', message: 'The record was not found or is not visible to you' })
  } else {
    const refusal = holdingRefusal(input.kind, entity.schema)
    if (refusal) issues.push({ field: 'kind', message: refusal })
    else if (await q.holdingExists(tx, groupId, input.entityId, input.kind)) {
      issues.push({ field: 'entityId', message: `${entity.caption} is already recorded as a ${kindLabel(input.kind).toLowerCase()} of this group` })
    }
  }
  fail(issues)
  const id = await q.insertHolding(tx, groupId, input, actor.userId)
  await q.insertHistory(tx, groupId, actor.userId, `${kindLabel(input.kind)} added`, [
    { field: 'holding', from: null, to: input.kind, entityId: input.entityId },
    ...changedFields(HOLDING_FIELDS.filter((f) => f !== 'kind'), {}, input, input.entityId),
  ])
  await recordAudit(tx, actor, { action: 'alteration', recordType: RECORD_TYPE, recordId: groupId, purpose: 'Recording what a group holds', detail: { holdingAdded: input.entityId, kind: input.kind } })
  return id
}

export function addHolding(db: Database, actor: Actor, groupId: string, raw: unknown): Promise<string> {
  must(actor, 'records.write', 'Your role cannot change groups')
  return asUser(db, actor, (tx) => addHoldingInTx(tx, actor, groupId, raw))
}

async function visibleHolding(tx: Tx, actor: Actor, groupId: string, holdingId: string): Promise<q.HoldingRow> {
  const holding = await q.findHolding(tx, actor, groupId, holdingId)
  if (!holding) throw new NotFoundError('Holding')
  return holding
}

/** Changes a holding's dates or notes; an end date records that the group no longer holds it. */
export async function updateHolding(db: Database, actor: Actor, groupId: string, holdingId: string, raw: unknown): Promise<void> {
  must(actor, 'records.write', 'Your role cannot change groups')
  const input = parseInput(HoldingUpdate, raw)
  await asUser(db, actor, async (tx) => {
    await editableGroup(tx, actor, groupId, 'Changing a group holding')
    const before = await visibleHolding(tx, actor, groupId, holdingId)
    await q.updateHolding(tx, groupId, holdingId, input)
    const changes = changedFields(HOLDING_FIELDS, before, { ...input, kind: before.kind }, before.entityId)
    if (changes.length === 0) return
    await q.insertHistory(tx, groupId, actor.userId, `${kindLabel(before.kind)} changed: ${changes.map((c) => fieldLabel(c.field).toLowerCase()).join(', ')}`, changes)
    await recordAudit(tx, actor, { action: 'alteration', recordType: RECORD_TYPE, recordId: groupId, purpose: 'Changing what a group holds', detail: { holding: before.entityId, changed: changes.map((c) => c.field) } })
  })
}

export async function removeHolding(db: Database, actor: Actor, groupId: string, holdingId: string, raw: unknown): Promise<void> {
  must(actor, 'records.write', 'Your role cannot change groups')
  const { reason } = parseInput(ReasonInput, raw)
  await asUser(db, actor, async (tx) => {
    await editableGroup(tx, actor, groupId, 'Removing a group holding')
    const before = await visibleHolding(tx, actor, groupId, holdingId)
    await q.deleteHolding(tx, groupId, holdingId)
    await q.insertHistory(tx, groupId, actor.userId, `${kindLabel(before.kind)} removed: ${reason}`, [{ field: 'holding', from: before.kind, to: null, entityId: before.entityId }])
    await recordAudit(tx, actor, { action: 'alteration', recordType: RECORD_TYPE, recordId: groupId, purpose: reason, detail: { holdingRemoved: before.entityId } })
  })
}

export async function getHolding(db: Database, actor: Actor, groupId: string, holdingId: string, now: Date) {
  return asUser(db, actor, async (tx) => {
    const group = await editableGroup(tx, actor, groupId, 'Changing a group holding')
    const holding = await visibleHolding(tx, actor, groupId, holdingId)
    await recordAudit(tx, actor, { action: 'consultation', recordType: 'entity', recordId: holding.entityId, purpose: 'Changing a group holding', detail: { group: groupId } })
    return { group: { id: group.id, name: group.name }, holding: holdingOut(holding, ukDay(now)) }
  })
}

// ---------------------------------------------------------------------------------------------
// Choices for the member and holding forms

/**
 * The suspects (for members) or records of the holding schemas the actor may see, to choose from;
 * `text` narrows by name. Listing names is a consultation of those records, so it is logged.
 */
export async function formChoices(db: Database, actor: Actor, groupId: string, what: 'members' | 'holdings', text: string | null) {
  return asUser(db, actor, async (tx) => {
    const group = await editableGroup(tx, actor, groupId, what === 'members' ? 'Adding a group member' : 'Adding a group holding')
    const schemas = what === 'members' ? ['Person'] : [...new Set(Object.values(HOLDING_KIND_RULES).flatMap((r) => r.schemas))]
    const choices = await q.entityChoices(tx, actor, { schemas, personRole: what === 'members' ? 'suspect' : undefined, text: text?.trim() || null, limit: CHOICES_LIMIT + 1 })
    const shown = choices.slice(0, CHOICES_LIMIT)
    if (shown.length > 0) {
      await recordAudit(tx, actor, { action: 'consultation', recordType: 'entity', purpose: what === 'members' ? 'Choosing a group member' : 'Choosing what a group holds', detail: { group: groupId, shown: shown.map((c) => c.id) } })
    }
    return { group: { id: group.id, name: group.name }, choices: shown, more: choices.length > CHOICES_LIMIT }
  })
}

// ---------------------------------------------------------------------------------------------
// For other modules, in the caller's transaction

async function viewerOf(tx: Tx, what: string): Promise<Viewer> {
  const viewer = await q.viewerOfTransaction(tx)
  if (!viewer) throw new Error(`${what} runs inside a user's transaction (asUser), so the visibility rule knows whom it serves`)
  return viewer
}

/** Summaries of the groups among `ids` that the transaction's user may see. */
export async function groupSummaries(tx: Tx, ids: readonly string[]): Promise<Map<string, q.GroupSummary>> {
  if (ids.length === 0) return new Map()
  const rows = await q.groupSummaries(tx, await viewerOf(tx, 'groupSummaries'), ids)
  return new Map(rows.map((r) => [r.id, r]))
}

/**
 * Groups whose name or operation name is like the text, best first, that the viewer may see. The
 * candidates are found with the owner's privileges so the trigram index can serve them (see
 * q.searchCandidates), under the visibility rule in SQL; only ids and scores leave that step, and
 * the groups are read back as the user, where row-level security applies again. Do not run other
 * queries on the same transaction while this one is in flight: the role is the transaction's.
 */
export async function searchGroups(tx: Tx, viewer: Viewer, query: { text: string; limit: number }): Promise<Array<q.GroupSummary & { similarity: number }>> {
  const candidates = await withOwnerPrivileges(tx, () => q.searchCandidates(tx, viewer, query.text, query.limit), q.SEARCH_SETTINGS)
  const summaries = new Map((await q.groupSummaries(tx, viewer, candidates.map((c) => c.id))).map((g) => [g.id, g]))
  return candidates.flatMap((c) => {
    const g = summaries.get(c.id)
    return g ? [{ ...g, similarity: c.similarity }] : []
  })
}

/** Each person's current memberships (no end date, or one still to come) of groups the user may see. */
export async function currentMemberships(tx: Tx, personIds: readonly string[]): Promise<Map<string, Array<{ groupId: string; role: string }>>> {
  const out = new Map<string, Array<{ groupId: string; role: string }>>()
  if (personIds.length === 0) return out
  for (const m of await q.currentMemberships(tx, await viewerOf(tx, 'currentMemberships'), personIds)) {
    const list = out.get(m.personId) ?? []
    list.push({ groupId: m.groupId, role: m.role })
    out.set(m.personId, list)
  }
  return out
}

/**
 * Marks a group due for re-assessment because its members, intelligence or disruptions changed.
 * Anyone who can see the group may (achilles_mark_group_changed); false if they cannot see it.
 */
export function markGroupChanged(tx: Tx, groupId: string, kind: 'members' | 'intelligence' | 'disruptions'): Promise<boolean> {
  return q.markGroupChanged(tx, groupId, kind)
}

/** Parses a group as the CSV importer reads it, or raises a ValidationError naming each field. */
export function parseGroupInput(raw: unknown): GroupInput {
  return parseInput(GroupInput, raw)
}

export function parseMemberInput(raw: unknown): MemberInput {
  return parseInput(MemberInput, raw)
}

/**
 * Loads many groups with their named shares (demonstration data, benchmarks, import). Rows are
 * trusted as they are: officers are given by id; one of another agency gets the grant that lets them
 * see the group, as createGroupInTx gives it.
 */
export async function insertGroups(tx: Tx, rows: readonly q.GroupRowInput[]): Promise<void> {
  const unresolved = rows.find((r) => r.leadResponsibleOfficerEmail && !r.leadResponsibleOfficerId)
  if (unresolved) throw new Error(`insertGroups takes officers by id: group ${unresolved.id} names one by e-mail address only`)
  await q.insertGroups(tx, rows)
  await records.insertShares(tx, GROUP_KIND, rows)
  const officers = new Map<string, string | null>()
  for (const r of rows) {
    const officerId = r.leadResponsibleOfficerId
    if (!officerId) continue
    if (!officers.has(officerId)) officers.set(officerId, (await credentials.profile(tx, officerId))?.agencyId ?? null)
    if (officers.get(officerId) !== r.owningAgencyId) {
      await access.insertGrant(tx, { recordType: RECORD_TYPE, recordId: r.id, granteeUserId: officerId, granteeAgencyId: null, reason: LRO_GRANT_REASON, expiresAt: null, by: r.createdBy ?? officerId })
    }
  }
}

/** Loads many memberships (demonstration data, benchmarks, import); the rows are trusted as they are. */
export function insertMembers(tx: Tx, rows: readonly q.MemberRowInput[]): Promise<void> {
  return q.insertMembers(tx, rows)
}

export function insertHoldings(tx: Tx, rows: readonly q.HoldingRowInput[]): Promise<void> {
  return q.insertHoldings(tx, rows)
}

/** Aggregate figures for the home page, in the caller's transaction. */
export function groupCounts(tx: Tx, viewer: Viewer) {
  return q.groupCounts(tx, viewer)
}

/**
 * What the powers suggestions read of a group the transaction's user may see: its threat areas,
 * cross-border flag and current members and holdings. Null when the group is not visible.
 */
export async function groupProfileFacts(tx: Tx, groupId: string, today: string) {
  const viewer = await viewerOf(tx, 'groupProfileFacts')
  const group = await q.findVisibleGroup(tx, viewer, groupId)
  if (!group) return null
  return { group, ...(await q.currentProfileFacts(tx, viewer, groupId, today)) }
}

/** The groups the transaction's user leads as Lead Responsible Officer, by name. */
export async function groupsILead(tx: Tx, limit: number): Promise<q.GroupSummary[]> {
  const viewer = await viewerOf(tx, 'groupsILead')
  return q.groupsLedBy(tx, viewer, viewer.userId, limit)
}

/** Whether the transaction's user may change the group (its agency or its LRO). */
export function mayEditGroup(tx: Tx, groupId: string): Promise<boolean> {
  return q.mayEditGroup(tx, groupId)
}
