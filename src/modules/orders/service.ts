import type { Actor } from '../../core/access/actor.ts'
import type { Capability } from '../../core/access/roles.ts'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldIssue } from '../../core/errors.ts'
import { checkRecordingProblem, checksToSchedule, isDueForRenewal, scheduleHorizon, type Obligation } from '../../core/orders/compliance.ts'
import { orderRuleProblems } from '../../core/orders/orderRules.ts'
import { mayUse, type OrderType, type Power, type PowerSubject } from '../../core/powers/catalogue.ts'
import type { EntitySchema } from '../../core/reference/crime.ts'
import { longUkDate, ukDay } from '../../core/time/ukDates.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem, asUser, withOwnerPrivileges, type Tx } from '../../db/context.ts'
import * as access from '../../db/visibility.ts'
import { parseInput } from '../../http/validation.ts'
import { agenciesByName, agencyKinds, agencyNames } from '../agencies/service.ts'
import { recordAudit } from '../audit/service.ts'
import { ENTITY_KIND, entitySummaries } from '../entities/service.ts'
import { GROUP_KIND, groupProfileFacts, groupSummaries } from '../groups/service.ts'
import { queueMail } from '../mail/service.ts'
import { storedPowers } from '../powers/service.ts'
import * as records from '../records/service.ts'
import { activeEmails, credentials, displayNames } from '../users/service.ts'
import * as q from './queries.ts'
import { BreachInput, CheckResultInput, OrderInput, OrderListQuery, VariationInput, type OrderOut } from './schema.ts'

// The orders register: each order is entered against the rules of its power in the catalogue
// (refused, naming the rule, when it breaks one), its conditions become obligations, and those that
// someone must check become compliance checks assigned to named agencies. Seed 000 (Bedfordshire)
// and seed 004 describe SCPOs monitored this way by several agencies at once.

export const ORDER_KIND: records.RestrictedKind = { recordType: q.ORDER_RECORD, table: 'orders', noun: 'order' }
const LIST_LIMIT = 200
/** Checks a home page lists at most. */
const DUE_LIMIT = 50
export const CHECKS_GRANT_REASON = 'Compliance checks of an order'
export type Site = { baseUrl: string }

function must(actor: Actor, capability: Capability, reason: string) {
  if (!actor.capabilities.includes(capability)) throw new ForbiddenError(reason)
}

const SUBJECT_OF: Partial<Record<EntitySchema, PowerSubject>> = {
  Person: 'person', Address: 'premises', Company: 'business', Organization: 'business', Vehicle: 'vehicle', BankAccount: 'money',
}

/** The powers the register holds orders of, by id. */
async function registerPowers(tx: Tx, db: Database): Promise<Map<string, Power>> {
  const { powers } = await storedPowers(tx, db)
  return new Map(powers.filter((p) => p.orderType !== null).map((p) => [p.id, p]))
}

/** An order the actor may see, or null once the refusal is logged. */
async function visibleOrder(tx: Tx, actor: Actor, id: string, purpose: string): Promise<q.OrderRow | null> {
  const order = await q.findOrder(tx, id)
  if (!order) await records.recordRefusal(tx, actor, ORDER_KIND, id, purpose)
  return order
}

/** Enters an order in the register, under its power's rules, with its obligations and first checks. */
export async function createOrder(db: Database, actor: Actor, raw: unknown, now: Date): Promise<string> {
  must(actor, 'records.write', 'Your role cannot enter orders in the register')
  const input = parseInput(OrderInput, raw)
  if (input.sharingScope !== 'agency') must(actor, 'records.share', 'Your role cannot share orders beyond your agency')
  const today = ukDay(now)
  // Refusals are answered after the transaction commits, so a logged refusal to see the subject
  // stands; nothing else is written before every check has passed.
  const outcome = await asUser(db, actor, async (tx): Promise<{ id: string } | { issues: FieldIssue[] }> => {
    const issues: FieldIssue[] = []
    try {
      await records.checkHandling(tx, actor, input, 'order')
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      issues.push(...error.issues)
    }
    const powers = await registerPowers(tx, db)
    const power = powers.get(input.powerId)
    const subject = (await entitySummaries(tx, [input.subjectEntityId])).get(input.subjectEntityId)
    if (!power) issues.push({ field: 'powerId', message: 'Choose the kind of order from the list: the register holds orders of the catalogue’s order powers' })
    if (!subject) {
      await records.recordRefusal(tx, actor, ENTITY_KIND, input.subjectEntityId, 'Entering an order in the register')
      issues.push({ field: 'subjectEntityId', message: 'Choose who or what the order binds from the records you may see' })
    }
    const subjectKind = subject ? SUBJECT_OF[subject.schema] : undefined
    if (subject && !subjectKind) issues.push({ field: 'subjectEntityId', message: `An order cannot be made against a ${subject.schema.toLowerCase()}` })
    if (subject && subject.schema === 'Person' && subject.personRole !== 'suspect') {
      // Victims and people at risk are never the subjects of enforcement (domain.md, the Gangs Matrix lesson).
      issues.push({ field: 'subjectEntityId', message: 'An order is made against a suspect or subject, never a victim or person at risk' })
    }
    const agency = (await agencyKinds(tx, [actor.agencyId])).get(actor.agencyId)!
    if (power && !mayUse(power, agency)) issues.push({ field: 'powerId', message: `${agency.name} cannot obtain a ${power.name}: the agencies that may are listed on its page` })
    if (input.groupId && !(await groupSummaries(tx, [input.groupId])).has(input.groupId)) issues.push({ field: 'groupId', message: 'Choose a group you may see' })
    if (input.madeOn && input.madeOn > today) issues.push({ field: 'madeOn', message: 'The date the order was made must be today or in the past' })
    const officerId = input.officerId ?? actor.userId
    const officer = await credentials.profile(tx, officerId)
    if (!officer || !officer.active || officer.agencyId !== actor.agencyId) issues.push({ field: 'officerId', message: 'Choose an active officer of your agency to manage the order' })
    const obligations = await checkedObligations(tx, input.obligations, issues)
    if (subject) issues.push(...checkersProblems(actor, subject, obligations))
    if (power && subject && subjectKind) {
      const names = new Map([...powers].map(([id, p]) => [id, p.name]))
      issues.push(...orderRuleProblems(power, {
        startsAt: input.startsAt, endsAt: input.endsAt, subjectBirthDate: subject.birthDate, subjectKind, extendedAuthority: input.extendedAuthority,
        priorUses: await q.priorUses(tx, subject.id),
      }, names))
    }
    if (issues.length > 0) return { issues }
    const id = await q.insertOrder(tx, {
      orderType: power!.orderType as OrderType, powerId: power!.id, groupId: input.groupId, subjectEntityId: subject!.id, subjectKind: subjectKind!,
      court: input.court, courtReference: input.courtReference, madeOn: input.madeOn, startsAt: input.startsAt, endsAt: input.endsAt,
      extendedAuthority: input.extendedAuthority, authorisedBy: input.authorisedBy, officerId, notes: input.notes, owningAgencyId: actor.agencyId,
      purpose: input.purpose, protectiveMarking: input.protectiveMarking, handlingCode: input.handlingCode, handlingConditions: input.handlingConditions,
      sharingScope: input.sharingScope, reviewDate: input.reviewDate, by: actor.userId,
    })
    await shareSubjectWithCheckers(tx, actor, subject!, obligations)
    await q.insertObligations(tx, id, obligations)
    const first = checksToSchedule({ startsAt: input.startsAt, endsAt: input.endsAt, status: 'in_force', obligations }, new Set(), today)
    await q.insertChecks(tx, first.map((c) => ({ ...c, orderId: id })))
    await records.recordCollected(tx, actor, ORDER_KIND, id, input, { orderType: power!.orderType!, subject: subject!.id })
    return { id }
  })
  if ('issues' in outcome) throw new ValidationError(outcome.issues)
  return outcome.id
}

/** The agencies other than the actor's that check a condition of the order. */
const checkingAgencies = (actor: Actor, obligations: readonly Obligation[]) => [...new Set(obligations.flatMap((o) => o.checkAgencyIds))].filter((a) => a !== actor.agencyId)

/**
 * An agency that checks an order must see whom it binds, so the actor's agency shares its record
 * of the subject with them. Another agency's record is not the actor's to share.
 */
function checkersProblems(actor: Actor, subject: { owningAgencyId: string; caption: string }, obligations: readonly Obligation[]): FieldIssue[] {
  if (checkingAgencies(actor, obligations).length === 0) return []
  if (subject.owningAgencyId !== actor.agencyId) {
    return [{ field: 'obligations', message: `The record of ${subject.caption} belongs to another agency: ask it to share the record with the agencies that check the order first` }]
  }
  if (!actor.capabilities.includes('records.share')) return [{ field: 'obligations', message: 'Your role cannot share the subject’s record with the agencies that check the order' }]
  return []
}

/** Grants each checking agency sight of the subject's record, logged as a disclosure to it. */
async function shareSubjectWithCheckers(tx: Tx, actor: Actor, subject: { id: string; owningAgencyId: string }, obligations: readonly Obligation[]): Promise<void> {
  const agencies = checkingAgencies(actor, obligations)
  if (agencies.length === 0) return
  const existing = await access.activeGrants(tx, ENTITY_KIND.recordType, subject.id)
  for (const agencyId of agencies) {
    if (existing.some((g) => g.grantee_agency_id === agencyId)) continue
    const grantId = await access.insertGrant(tx, { recordType: ENTITY_KIND.recordType, recordId: subject.id, granteeUserId: null, granteeAgencyId: agencyId, reason: CHECKS_GRANT_REASON, expiresAt: null, by: actor.userId })
    await recordAudit(tx, actor, { action: 'disclosure', recordType: ENTITY_KIND.recordType, recordId: subject.id, purpose: 'Compliance checks of an order in the register', recipients: [agencyId], detail: { grantId, reason: CHECKS_GRANT_REASON } })
  }
}

/** The conditions as obligations, keyed in order, with the checking agencies confirmed to exist. */
async function checkedObligations(tx: Tx, input: OrderInput['obligations'], issues: FieldIssue[]): Promise<Obligation[]> {
  const ids = [...new Set(input.flatMap((o) => o.checkAgencyIds))]
  const kinds = await agencyKinds(tx, ids)
  input.forEach((o, i) => {
    if (o.checkAgencyIds.some((a) => !kinds.get(a)?.active)) issues.push({ field: `obligations.${i}.checkAgencyIds`, message: 'One of the agencies named to check this condition does not exist or is inactive' })
  })
  return input.map((o, i) => ({
    key: `c${i + 1}`, kind: o.kind, text: o.text, every: o.everyValue !== null && o.everyUnit !== null ? { value: o.everyValue, unit: o.everyUnit } : null,
    noticeHours: o.noticeHours, checkAgencyIds: o.checkAgencyIds,
  }))
}

export async function getOrder(db: Database, actor: Actor, id: string, now: Date, purpose = 'Viewing an order in the register'): Promise<OrderOut> {
  must(actor, 'records.read', 'Your role cannot see the orders register')
  const today = ukDay(now)
  return records.seeing(db, actor, async (tx) => {
    const order = await visibleOrder(tx, actor, id, purpose)
    if (!order) return null
    const [obligations, checks, breaches, variations, subject, group, mayChange, powers] = await Promise.all([
      q.obligationsOf(tx, [id]), q.checksOf(tx, id), q.breachesOf(tx, id), q.variationsOf(tx, id),
      entitySummaries(tx, [order.subjectEntityId]), order.groupId ? groupSummaries(tx, [order.groupId]) : Promise.resolve(new Map()),
      q.mayChangeOrder(tx, id), storedPowers(tx, db),
    ])
    const obligationList = obligations.get(id) ?? []
    const agencyIds = [...new Set([...obligationList.flatMap((o) => o.checkAgencyIds), ...checks.map((c) => c.agencyId), ...breaches.map((b) => b.reported_by_agency_id)])]
    const [agencies, officers] = await Promise.all([agencyNames(tx, agencyIds), displayNames(tx, [order.officerId])])
    await recordAudit(tx, actor, { action: 'consultation', recordType: q.ORDER_RECORD, recordId: id, purpose })
    await recordAudit(tx, actor, { action: 'consultation', recordType: ENTITY_KIND.recordType, recordId: order.subjectEntityId, purpose })
    const may = actor.capabilities.includes('records.write')
    return {
      ...order,
      startsAt: order.startsAt.toISOString(),
      endsAt: order.endsAt?.toISOString() ?? null,
      powerName: powers.byId.get(order.powerId)?.name ?? order.powerId,
      groupName: order.groupId ? (group.get(order.groupId)?.name ?? null) : null,
      subjectCaption: subject.get(order.subjectEntityId)?.caption ?? 'A record you may not see',
      officerName: officers.get(order.officerId) ?? 'A user no longer listed',
      mayChange,
      obligations: obligationList.map((o) => ({
        key: o.key, kind: o.kind, text: o.text, everyValue: o.every?.value ?? null, everyUnit: o.every?.unit ?? null, noticeHours: o.noticeHours,
        checkAgencies: o.checkAgencyIds.map((a) => ({ id: a, name: agencies.get(a) ?? 'Unknown agency' })),
      })),
      checks: checks.map((c) => ({
        ...c, agencyName: agencies.get(c.agencyId) ?? 'Unknown agency', recordable: checkRecordingProblem(c, today) === null,
        mayRecord: may && (c.agencyId === actor.agencyId || mayChange),
      })),
      breaches: breaches.map((b) => ({ id: b.id, obligationKey: b.obligation_key, occurredOn: b.occurred_on, description: b.description, reportedByAgencyName: agencies.get(b.reported_by_agency_id) ?? 'Unknown agency', recordedAt: b.created_at.toISOString() })),
      variations: variations.map((v) => ({ variedOn: v.varied_on, summary: v.summary, recordedAt: v.created_at.toISOString() })),
    }
  }, 'Order')
}

export type OrderSummary = { id: string; orderType: string; powerName: string; subjectCaption: string; groupId: string | null; groupName: string | null; startsAt: string; endsAt: string | null; status: string; court: string | null }

/** The register as the actor may see it, newest first. */
export async function listOrders(db: Database, actor: Actor, raw: unknown): Promise<{ query: ReturnType<typeof OrderListQuery.parse>; orders: OrderSummary[] }> {
  must(actor, 'records.read', 'Your role cannot see the orders register')
  const query = parseInput(OrderListQuery, raw)
  return asUser(db, actor, async (tx) => {
    const rows = await q.listOrders(tx, query, LIST_LIMIT)
    const [subjects, groups, powers] = await Promise.all([
      entitySummaries(tx, rows.map((r) => r.subjectEntityId)), groupSummaries(tx, rows.flatMap((r) => (r.groupId ? [r.groupId] : []))), storedPowers(tx, db),
    ])
    if (rows.length > 0) await recordAudit(tx, actor, { action: 'consultation', recordType: q.ORDER_RECORD, purpose: 'Viewing the orders register', detail: { shown: rows.map((r) => r.id) } })
    return {
      query,
      orders: rows.map((r) => ({
        id: r.id, orderType: r.orderType, powerName: powers.byId.get(r.powerId)?.name ?? r.powerId, subjectCaption: subjects.get(r.subjectEntityId)?.caption ?? 'A record you may not see',
        groupId: r.groupId, groupName: r.groupId ? (groups.get(r.groupId)?.name ?? null) : null, startsAt: r.startsAt.toISOString(), endsAt: r.endsAt?.toISOString() ?? null, status: r.status, court: r.court,
      })),
    }
  })
}

/** Records a compliance check's result, once, when it is due; a breach goes on the order's record. */
export async function recordCheck(db: Database, actor: Actor, checkId: string, raw: unknown, now: Date): Promise<{ orderId: string; breachId: string | null }> {
  must(actor, 'records.write', 'Your role cannot record compliance checks')
  const input = parseInput(CheckResultInput, raw)
  const today = ukDay(now)
  return records.seeing(db, actor, async (tx) => {
    const check = await q.findCheck(tx, checkId)
    if (!check) return null
    if (check.agencyId !== actor.agencyId && !(await q.mayChangeOrder(tx, check.orderId))) {
      throw new ForbiddenError('Only the agency the check is assigned to, or the order’s own agency, can record its result')
    }
    const problem = checkRecordingProblem(check, today)
    if (problem) throw new ValidationError([{ field: 'result', message: problem }])
    if (!(await q.recordCheckResult(tx, checkId, { result: input.result, notes: input.notes, checkedOn: today, by: actor.userId }))) {
      throw new ConflictError('Someone else recorded this check while you were entering it. Reload the page to see their result.')
    }
    const breachId = input.result === 'breach'
      ? await q.insertBreach(tx, { orderId: check.orderId, obligationKey: check.obligationKey, checkId, occurredOn: today, description: input.breachDescription!, by: actor.userId, agencyId: actor.agencyId })
      : null
    await recordAudit(tx, actor, { action: 'alteration', recordType: q.ORDER_RECORD, recordId: check.orderId, purpose: 'Recording a compliance check of an order', detail: { check: checkId, result: input.result } })
    return { orderId: check.orderId, breachId }
  }, 'Check')
}

/** Records a breach reported outside a scheduled check (for example, by a neighbour or a patrol). */
export async function recordBreach(db: Database, actor: Actor, orderId: string, raw: unknown, now: Date): Promise<string> {
  must(actor, 'records.write', 'Your role cannot record breaches')
  const input = parseInput(BreachInput, raw)
  return records.seeing(db, actor, async (tx) => {
    const order = await visibleOrder(tx, actor, orderId, 'Recording a breach of an order')
    if (!order) return null
    const issues: FieldIssue[] = []
    if (input.occurredOn > ukDay(now)) issues.push({ field: 'occurredOn', message: 'The date of the breach must be today or in the past' })
    if (input.occurredOn < order.startsAt.toISOString().slice(0, 10)) issues.push({ field: 'occurredOn', message: 'A breach cannot come before the order took effect' })
    if (input.obligationKey && !(await q.obligationsOf(tx, [orderId])).get(orderId)?.some((o) => o.key === input.obligationKey)) issues.push({ field: 'obligationKey', message: 'Choose one of the order’s conditions' })
    if (issues.length > 0) throw new ValidationError(issues)
    const id = await q.insertBreach(tx, { orderId, obligationKey: input.obligationKey, checkId: null, occurredOn: input.occurredOn, description: input.description, by: actor.userId, agencyId: actor.agencyId })
    await recordAudit(tx, actor, { action: 'collection', recordType: q.ORDER_RECORD, recordId: orderId, purpose: 'Recording a breach of an order', detail: { breach: id } })
    return id
  }, 'Order')
}

/** A variation by the court: a new end, a longer term on senior authority, or discharge. */
export async function varyOrder(db: Database, actor: Actor, orderId: string, raw: unknown, now: Date): Promise<void> {
  must(actor, 'records.write', 'Your role cannot vary orders')
  const input = parseInput(VariationInput, raw)
  await records.seeing(db, actor, async (tx) => {
    const order = await visibleOrder(tx, actor, orderId, 'Varying an order')
    if (!order) return null
    if (!(await q.mayChangeOrder(tx, orderId))) throw new ForbiddenError('Only the agency that holds an order can record its variation')
    const issues: FieldIssue[] = []
    if (input.variedOn > ukDay(now)) issues.push({ field: 'variedOn', message: 'The date of the variation must be today or in the past' })
    const powers = await registerPowers(tx, db)
    const power = powers.get(order.powerId)
    const endsAt = input.endsAt ?? order.endsAt?.toISOString() ?? null
    const subject = (await entitySummaries(tx, [order.subjectEntityId])).get(order.subjectEntityId)
    if (power) {
      // The varied order must still keep its power's rules; its own earlier self is not a prior use.
      issues.push(...orderRuleProblems(power, {
        startsAt: order.startsAt.toISOString(), endsAt, subjectBirthDate: subject?.birthDate ?? null, subjectKind: order.subjectKind as PowerSubject,
        extendedAuthority: input.extendedAuthority, priorUses: (await q.priorUses(tx, order.subjectEntityId)),
      }, new Map([...powers].map(([id, p]) => [id, p.name]))).filter((i) => i.field !== 'subjectId'))
    }
    if (issues.length > 0) throw new ValidationError(issues)
    const previous = { endsAt: order.endsAt?.toISOString() ?? null, extendedAuthority: order.extendedAuthority, status: order.status }
    if (!(await q.varyOrder(tx, orderId, input.rowVersion, { endsAt, extendedAuthority: input.extendedAuthority, status: input.status ?? order.status, summary: input.summary, variedOn: input.variedOn, previous, by: actor.userId }))) {
      throw new ConflictError('Someone else changed this order while you were editing it. Reload the page to see their changes, then make yours again.')
    }
    await recordAudit(tx, actor, { action: 'alteration', recordType: q.ORDER_RECORD, recordId: orderId, purpose: 'Recording a variation of an order', detail: { status: input.status ?? order.status } })
    return true
  }, 'Order')
}

export type DueCheck = { id: string; orderId: string; orderType: string; dueOn: string; agencyName: string; groupId: string | null; subjectCaption: string }

/** Unrecorded checks due by a day: those assigned to the user's agency, and those on the given groups' orders. */
export async function checksDueFor(tx: Tx, actor: Actor, groupIds: readonly string[], until: string): Promise<DueCheck[]> {
  const mine = await q.checksDueForAgency(tx, actor.agencyId, until, DUE_LIMIT)
  const visible = await q.visibleOrdersOfGroups(tx, groupIds)
  const theirs = await withOwnerPrivileges(tx, () => q.checksDueOnOrders(tx, visible, until, DUE_LIMIT))
  const rows = [...new Map([...mine, ...theirs].map((r) => [r.id, r])).values()].sort((a, b) => a.due_on.localeCompare(b.due_on) || a.id.localeCompare(b.id)).slice(0, DUE_LIMIT)
  const [agencies, subjects] = await Promise.all([agencyNames(tx, [...new Set(rows.map((r) => r.agency_id))]), entitySummaries(tx, rows.map((r) => r.subject_entity_id))])
  if (rows.length > 0) await recordAudit(tx, actor, { action: 'consultation', recordType: q.ORDER_RECORD, purpose: 'Viewing the compliance checks due', detail: { shown: [...new Set(rows.map((r) => r.order_id))] } })
  return rows.map((r) => ({ id: r.id, orderId: r.order_id, orderType: r.order_type, dueOn: r.due_on, agencyName: agencies.get(r.agency_id) ?? 'Unknown agency', groupId: r.group_id, subjectCaption: subjects.get(r.subject_entity_id)?.caption ?? 'A record you may not see' }))
}

export type ScheduleReport = { expired: number; ordersScheduled: number; checksScheduled: number; renewalsFlagged: number }

/** Marks an order whose last check falls before the horizon as needing no more scheduling. */
const SCHEDULED_TO_ITS_END = '9999-12-31'
/** The longest renewal notice (renewalNoticeDays): orders ending further off need no reminder yet. */
const LONGEST_RENEWAL_NOTICE_DAYS = 90

/**
 * The nightly work of the register, over every order: orders past their end expire, checks are
 * scheduled up to the horizon for the orders not yet scheduled that far, and orders nearing their
 * end are flagged to their officer once. Each order is scheduled once a day however often this runs.
 */
export async function scheduleOrders(db: Database, now: Date, site: Site): Promise<ScheduleReport> {
  const today = ukDay(now)
  const until = scheduleHorizon(today)
  return asSystem(db, async (tx) => {
    const expired = await q.expireOrders(tx, now)
    const due = await q.ordersToSchedule(tx, until)
    const ids = due.map((o) => o.id)
    const [obligations, existing] = await Promise.all([q.obligationsOf(tx, ids), q.scheduledCheckKeys(tx, ids)])
    const checks = due.flatMap((o) =>
      checksToSchedule({ startsAt: o.startsAt.toISOString(), endsAt: o.endsAt?.toISOString() ?? null, status: 'in_force', obligations: obligations.get(o.id) ?? [] }, existing.get(o.id) ?? new Set(), today)
        .map((c) => ({ ...c, orderId: o.id })))
    await q.insertChecks(tx, checks)
    const toTheEnd = due.filter((o) => o.endsAt && o.endsAt.toISOString().slice(0, 10) <= until).map((o) => o.id)
    await q.markScheduled(tx, toTheEnd, SCHEDULED_TO_ITS_END)
    await q.markScheduled(tx, ids.filter((id) => !toTheEnd.includes(id)), until)
    const renewing = (await q.ordersEndingWithin(tx, now, LONGEST_RENEWAL_NOTICE_DAYS + 1))
      .filter((o) => isDueForRenewal({ status: 'in_force', startsAt: o.startsAt.toISOString(), endsAt: o.endsAt!.toISOString() }, today))
    const officers = await activeEmails(tx, [...new Set(renewing.map((o) => o.officerId))])
    for (const o of renewing) {
      const officer = officers.get(o.officerId)
      if (!officer) continue
      await queueMail(tx, {
        to: officer.email, toUserId: officer.id, kind: 'order.renewal', relatedType: q.ORDER_RECORD, relatedId: o.id,
        subject: 'Achilles: an order you manage ends soon',
        text: `An order you manage in the register ends on ${longUkDate(o.endsAt!)}. If it should continue, apply for its renewal or extension in good time.\n\nSee it in Achilles:\n${site.baseUrl}/orders/${o.id}\n`,
      })
    }
    await q.markRenewalFlagged(tx, renewing.map((o) => o.id))
    await recordAudit(tx, 'system', { action: 'alteration', recordType: q.ORDER_RECORD, purpose: 'The orders register’s nightly schedule', detail: { expired, scheduled: due.length, checks: checks.length, renewals: renewing.length, day: today } })
    return { expired, ordersScheduled: due.length, checksScheduled: checks.length, renewalsFlagged: renewing.length }
  })
}

/**
 * A form's conditions with the checking agencies named in words (one per line) turned into ids;
 * every name that matches no agency, or more than one, is reported against its condition.
 */
export async function withCheckAgencyNames(db: Database, actor: Actor, obligations: ReadonlyArray<Record<string, unknown>>): Promise<Array<Record<string, unknown>>> {
  const texts = obligations.map((o) => (typeof o.checkAgencyNames === 'string' ? o.checkAgencyNames.split(/\r?\n/).map((t) => t.trim()).filter((t) => t !== '') : []))
  const all = [...new Set(texts.flat())]
  const found = all.length > 0 ? new Map((await asUser(db, actor, (tx) => agenciesByName(tx, all))).map((f) => [f.text, f])) : new Map()
  const issues: FieldIssue[] = []
  const out = obligations.map((o, i) => {
    const { checkAgencyNames: _, ...rest } = o
    const problems = texts[i]!.flatMap((t) => (found.get(t)?.problem ? [found.get(t)!.problem!] : []))
    if (problems.length > 0) issues.push({ field: `obligations.${i}.checkAgencyIds`, message: problems.join('. ') })
    return { ...rest, checkAgencyIds: texts[i]!.flatMap((t) => (found.get(t)?.agency ? [found.get(t)!.agency!.id] : [])) }
  })
  if (issues.length > 0) throw new ValidationError(issues)
  return out
}

/** What the form for a group's order offers: the group's current members and holdings as subjects. */
export async function orderFormFor(db: Database, actor: Actor, groupId: string, now: Date) {
  must(actor, 'records.write', 'Your role cannot enter orders in the register')
  return records.seeing(db, actor, async (tx) => {
    const facts = await groupProfileFacts(tx, groupId, ukDay(now))
    if (!facts) {
      await records.recordRefusal(tx, actor, GROUP_KIND, groupId, 'Entering an order in the register')
      return null
    }
    return {
      group: facts.group,
      subjects: [
        ...facts.members.map((m) => ({ id: m.personId, caption: `${m.caption} (member)` })),
        ...facts.holdings.filter((h) => h.kind !== 'phone').map((h) => ({ id: h.entityId, caption: `${h.caption} (${h.kind.replace('_', ' ')})` })),
      ],
      // Read in this transaction: on the embedded database a second connection would wait for this one.
      powers: [...(await registerPowers(tx, db)).values()],
    }
  }, 'Group')
}
