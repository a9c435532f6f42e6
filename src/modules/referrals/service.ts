import type { Actor } from '../../core/access/actor.ts'
import { handlingProblems, type HandlingCode, type ProtectiveMarking } from '../../core/access/visibility.ts'
import { ConflictError, ForbiddenError, ValidationError, type FieldIssue } from '../../core/errors.ts'
import { describeGrade, formatGrade, gradeProblems, type IntelligenceAssessment, type SourceEvaluation } from '../../core/grading/intelligenceGrade.ts'
import { LAWFUL_BASIS_INFO, type LawfulBasis } from '../../core/referrals/lawfulBases.ts'
import {
  availableActions, declineProblems, dueDateFor, isDueSoon, isOverdue, markingProblems, mayTake, nextState, referralReference, referralReviewDate,
  refusalReason, statedBasisProblems, DECLINE_GROUND_LABELS, URGENCY_SHORT_LABELS,
  type DeclineGround, type Party, type ReferralAction, type ReferralFacts, type ReferralKind, type ReferralState, type Urgency,
} from '../../core/referrals/referrals.ts'
import { longUkDate, ukDay } from '../../core/time/ukDates.ts'
import { capabilitiesOf, ROLES, type Capability } from '../../core/access/roles.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem, asUser, withOwnerPrivileges, type Tx } from '../../db/context.ts'
import { parseInput } from '../../http/validation.ts'
import { agenciesByName, agencyNames, agencyStatus } from '../agencies/service.ts'
import { recordAudit } from '../audit/service.ts'
import { ENTITY_KIND, entitySummaries } from '../entities/service.ts'
import { GROUP_KIND, groupSummaries } from '../groups/service.ts'
import { createIntelligenceInTx } from '../intelligence/service.ts'
import { queueMail } from '../mail/service.ts'
import * as records from '../records/service.ts'
import { credentials, displayNames } from '../users/service.ts'
import * as q from './queries.ts'
import {
  AcceptInput, AnswerInput, CloseInput, DeclineInput, ListQuery, ReferralInput, RouteInput, WithdrawInput,
  type AnswerOut, type ReferralOut, type ReferralSummaryOut,
} from './schema.ts'

// GAIN referrals and information requests. The requester discloses only what it writes on the
// referral (the subject's description and a summary), under a named lawful basis; sending it, routing
// it on and answering it are each a logged disclosure to the agency that receives it, and so is every
// reading of a referral or an answer by an agency that did not write it (reading its own is a
// consultation). The recipient never reads the requester's own record of the subject: it is not
// theirs to see.

export const REFERRAL_RECORD = q.REFERRAL_RECORD
export const ANSWER_RECORD = q.ANSWER_RECORD
export const PAGE_SIZE = 50
const REMINDER_BATCH = 5000

/** Where links in e-mail point: the site's address with no trailing slash. */
export type Site = { baseUrl: string }

function must(actor: Actor, capability: Capability, reason: string) {
  if (!actor.capabilities.includes(capability)) throw new ForbiddenError(reason)
}

const partyOf = (actor: Actor, r: q.ReferralRow): Party => ({
  requester: r.requestingAgencyId === actor.agencyId,
  recipient: r.recipientAgencyId === actor.agencyId,
  coordinator: r.coordinatorAgencyId === actor.agencyId,
})

const factsOf = (r: q.ReferralRow): ReferralFacts => ({
  state: r.state as ReferralState,
  withCoordinator: r.coordinatorAgencyId !== null && r.recipientAgencyId === r.coordinatorAgencyId && r.state === 'sent',
})

const referenceOf = (r: { id: string; createdAt: Date }) => referralReference(r.id, ukDay(r.createdAt))
const dateText = (isoDay: string) => longUkDate(new Date(`${isoDay}T12:00:00Z`))

/** A referral the actor's agency is a party to, or null after logging the refused disclosure. */
async function visibleReferral(tx: Tx, actor: Actor, id: string, purpose: string): Promise<q.ReferralRow | null> {
  const found = await q.findReferral(tx, actor, id)
  if (found) return found
  if (await withOwnerPrivileges(tx, () => q.referralExists(tx, id))) {
    await recordAudit(tx, actor, { action: 'disclosure', outcome: 'refused', recordType: REFERRAL_RECORD, recordId: id, purpose, recipients: [actor.agencyId] })
  }
  return null
}

/** Refuses an action the rule does not allow now, saying why: a wrong party is forbidden, a wrong state a conflict. */
function checkAction(action: ReferralAction, actor: Actor, r: q.ReferralRow): ReferralState {
  const facts = factsOf(r)
  const party = partyOf(actor, r)
  if (mayTake(action, facts, party)) return nextState(facts.state, action)!
  const reason = refusalReason(action, facts, party)
  if (nextState(facts.state, action) === null) throw new ConflictError(`${reason}. Reload the page to see where it stands.`)
  throw new ForbiddenError(reason)
}

async function moveOn(tx: Tx, actor: Actor, r: q.ReferralRow, rowVersion: number, change: { state: ReferralState; recipientAgencyId?: string }): Promise<void> {
  if (rowVersion !== r.rowVersion || !(await q.updateState(tx, r.id, rowVersion, change, actor.userId))) {
    throw new ConflictError('Someone else acted on this referral while you were looking at it. Reload the page to see where it stands, then act again.')
  }
}

// ---------------------------------------------------------------------------------------------
// Mail: a reference, a date and a link, never what the referral says (it stays in Achilles under
// its handling code; see src/modules/mail)

async function mailAgency(tx: Tx, agencyId: string, r: { id: string; createdAt: Date; urgency: string; dueOn: string }, kind: string, lead: string, site: Site): Promise<number> {
  const addresses = (await q.spocAddresses(tx, [agencyId])).get(agencyId) ?? []
  for (const a of addresses) {
    await queueMail(tx, {
      to: a.email, ...(a.userId ? { toUserId: a.userId } : {}), kind, relatedType: REFERRAL_RECORD, relatedId: r.id,
      subject: `Achilles: ${lead} (${referenceOf(r)})`,
      text: `${lead}: ${referenceOf(r)}, urgency ${URGENCY_SHORT_LABELS[r.urgency as Urgency].toLowerCase()}, answer due by ${dateText(r.dueOn)}.\n\nSign in to Achilles to read it:\n${site.baseUrl}/referrals/${r.id}\n\nThis e-mail holds no details of the referral on purpose: they are in Achilles, where their handling conditions apply and every reading is logged.\n`,
    })
  }
  return addresses.length
}

async function mailRequester(tx: Tx, actor: Actor, r: q.ReferralRow, kind: string, what: string, site: Site): Promise<void> {
  const requester = await credentials.profile(tx, r.requestedBy)
  if (!requester?.active || requester.id === actor.userId) return
  await queueMail(tx, {
    to: requester.email, toUserId: requester.id, kind, relatedType: REFERRAL_RECORD, relatedId: r.id,
    subject: `Achilles: your referral ${referenceOf(r)} has been ${what}`,
    text: `${actor.agencyName} has ${what} your referral ${referenceOf(r)}.\n\nSee it in Achilles:\n${site.baseUrl}/referrals/${r.id}\n\nThis e-mail holds no details of the referral on purpose: they are in Achilles, where their handling conditions apply.\n`,
  })
}

// ---------------------------------------------------------------------------------------------
// The subject and where a referral goes

type Subject = { type: 'entity' | 'group'; id: string; kind: string; caption: string; protectiveMarking: string; handlingCode: string }

/** The entity or group a referral is about, if the actor may see it; null after logging the refusal. */
async function visibleSubject(tx: Tx, actor: Actor, ids: { entityId: string | null; groupId: string | null }, purpose: string): Promise<Subject | null> {
  if (ids.entityId) {
    const e = (await entitySummaries(tx, [ids.entityId])).get(ids.entityId)
    if (!e) {
      await records.recordRefusal(tx, actor, ENTITY_KIND, ids.entityId, purpose)
      return null
    }
    return { type: 'entity', id: e.id, kind: e.schema, caption: e.caption, protectiveMarking: e.protectiveMarking, handlingCode: e.handlingCode }
  }
  const groupId = ids.groupId!
  const g = (await groupSummaries(tx, [groupId])).get(groupId)
  if (!g) {
    await records.recordRefusal(tx, actor, GROUP_KIND, groupId, purpose)
    return null
  }
  return { type: 'group', id: g.id, kind: 'Group', caption: g.operationName ? `${g.name} (${g.operationName})` : g.name, protectiveMarking: g.protectiveMarking, handlingCode: g.handlingCode }
}

function subjectIds(raw: unknown): { entityId: string | null; groupId: string | null } {
  const r = (raw ?? {}) as Record<string, unknown>
  const id = (v: unknown) => (typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v.trim()) ? v.trim().toLowerCase() : null)
  return { entityId: id(r.entityId), groupId: id(r.groupId) }
}

export type FormSubject = { type: 'entity' | 'group'; id: string; kind: string; caption: string; protectiveMarking: string }

/** What the new referral form shows of its subject, and the coordinators it may go through. */
export async function referralForm(db: Database, actor: Actor, raw: unknown) {
  must(actor, 'records.write', 'Your role cannot send referrals')
  must(actor, 'records.share', 'Your role cannot disclose information to other agencies')
  const ids = subjectIds(raw)
  if (!ids.entityId && !ids.groupId) throw new ValidationError([{ field: 'entityId', message: 'Start a referral from the page of the person, business, premises, vehicle or group it is about' }])
  const purpose = 'Preparing a GAIN referral'
  return records.seeing(db, actor, async (tx) => {
    const subject = await visibleSubject(tx, actor, ids, purpose)
    if (!subject) return null
    await recordAudit(tx, actor, { action: 'consultation', recordType: subject.type === 'entity' ? ENTITY_KIND.recordType : GROUP_KIND.recordType, recordId: subject.id, purpose })
    const coordinators = (await q.coordinatorAgencies(tx)).filter((c) => c.id !== actor.agencyId)
    return { subject: { type: subject.type, id: subject.id, kind: subject.kind, caption: subject.caption, protectiveMarking: subject.protectiveMarking } as FormSubject, coordinators }
  }, ids.entityId ? 'Record' : 'Group')
}

/** The coordinator a referral to "the regional GAIN coordinator" goes to: the one named, the region's, or the only one. */
async function chooseCoordinator(tx: Tx, actor: Actor, named: string | null, issues: FieldIssue[]): Promise<string | null> {
  const all = await q.coordinatorAgencies(tx)
  if (all.some((c) => c.id === actor.agencyId) && (named === null || named === actor.agencyId)) {
    issues.push({ field: 'toCoordinator', message: 'Your agency is the GAIN coordinator: send the referral to the agency that should answer it' })
    return null
  }
  const others = all.filter((c) => c.id !== actor.agencyId)
  if (named) {
    if (!others.some((c) => c.id === named)) issues.push({ field: 'coordinatorAgencyId', message: 'Choose a GAIN coordinator from the list' })
    return named
  }
  if (others.length === 1) return others[0]!.id
  const region = await q.agencyRegion(tx, actor.agencyId)
  const regional = others.filter((c) => c.region === region)
  if (regional.length === 1) return regional[0]!.id
  issues.push({ field: others.length === 0 ? 'toCoordinator' : 'coordinatorAgencyId', message: others.length === 0 ? 'The partnership has no GAIN coordinator yet: send the referral to a named agency' : 'Choose which GAIN coordinator to send it to' })
  return null
}

// ---------------------------------------------------------------------------------------------
// Sending

/** The roles that read OFFICIAL-SENSITIVE records. */
const SENSITIVE_READERS = ROLES.filter((role) => capabilitiesOf([role]).includes('records.read_sensitive'))

/**
 * An OFFICIAL-SENSITIVE referral sent or routed to an agency where nobody's role may read that
 * marking would wait unseen until it was late: refused, saying so.
 */
async function sensitiveReaderProblems(tx: Tx, agencyId: string | null, marking: string, field: string): Promise<FieldIssue[]> {
  if (marking !== 'OFFICIAL-SENSITIVE' || agencyId === null) return []
  if (await q.agencyHasReaderOf(tx, agencyId, SENSITIVE_READERS)) return []
  return [{ field, message: 'Nobody at that agency can read OFFICIAL-SENSITIVE records in Achilles: send it to another agency, or through the GAIN coordinator' }]
}


/**
 * Sends a referral or information request about an entity or group the actor may see, to a named
 * agency or to the regional GAIN coordinator to route. Logged as the collection of the referral and
 * the disclosure, to the recipient, of the referral and of the subject it names; the recipient's
 * single points of contact are e-mailed a link.
 */
export async function sendReferral(db: Database, actor: Actor, raw: unknown, now: Date, site: Site): Promise<string> {
  must(actor, 'records.write', 'Your role cannot send referrals')
  must(actor, 'records.share', 'Your role cannot disclose information to other agencies')
  const input = parseInput(ReferralInput, raw)
  const today = ukDay(now)
  if (!input.entityId === !input.groupId) throw new ValidationError([{ field: 'entityId', message: 'A referral is about one person, business, premises, vehicle or group: give entityId or groupId, not both' }])
  const purpose = 'Sending a GAIN referral'
  return records.seeing(db, actor, async (tx) => {
    const subject = await visibleSubject(tx, actor, input, purpose)
    if (!subject) return null
    const issues: FieldIssue[] = []
    let recipient: string | null = null
    let coordinator: string | null = null
    if (input.toCoordinator) {
      coordinator = await chooseCoordinator(tx, actor, input.coordinatorAgencyId, issues)
      recipient = coordinator
    } else if (!input.recipientAgencyId) {
      issues.push({ field: 'recipientAgencyId', message: 'Choose the agency to send it to, or send it to the regional GAIN coordinator to route' })
    } else if (input.recipientAgencyId === actor.agencyId) {
      issues.push({ field: 'recipientAgencyId', message: 'Your own agency already holds this: choose another agency' })
    } else {
      const status = await agencyStatus(tx, input.recipientAgencyId)
      if (!status || !status.active) issues.push({ field: 'recipientAgencyId', message: 'The agency does not exist or is no longer active: choose another' })
      recipient = input.recipientAgencyId
    }
    const due = dueDateFor(input.urgency, input.dueOn ?? null, today)
    issues.push(...due.issues)
    issues.push(...statedBasisProblems(LAWFUL_BASIS_INFO[input.lawfulBasis].needsStatedBasis, input.lawfulBasisDetail))
    issues.push(...markingProblems(subject.protectiveMarking, input.protectiveMarking))
    if (!input.toCoordinator && issues.every((i) => i.field !== 'recipientAgencyId')) issues.push(...(await sensitiveReaderProblems(tx, recipient, input.protectiveMarking, 'recipientAgencyId')))
    issues.push(...handlingProblems({ ...input, sharingScope: 'named', sharedWithAgencyIds: [recipient ?? actor.agencyId] }))
    if (issues.length > 0) throw new ValidationError(issues)
    const id = await q.insertReferral(tx, {
      kind: input.kind, requestingAgencyId: actor.agencyId, requestedBy: actor.userId, recipientAgencyId: recipient!, coordinatorAgencyId: coordinator,
      subjectType: subject.type, subjectEntityId: subject.type === 'entity' ? subject.id : null, subjectGroupId: subject.type === 'group' ? subject.id : null,
      subjectKind: subject.kind, subjectDescription: input.subjectDescription, summary: input.summary, request: input.request, purpose: input.purpose,
      lawfulBasis: input.lawfulBasis, lawfulBasisDetail: input.lawfulBasisDetail, urgency: input.urgency, dueOn: due.dueOn,
      protectiveMarking: input.protectiveMarking, handlingCode: input.handlingCode, handlingConditions: input.handlingConditions, reviewDate: referralReviewDate(due.dueOn),
    })
    await q.insertEvents(tx, [{ referralId: id, event: 'sent', byUserId: actor.userId, byAgencyId: actor.agencyId, toAgencyId: recipient }])
    const basis = { lawfulBasis: input.lawfulBasis, ...(input.lawfulBasisDetail ? { lawfulBasisDetail: input.lawfulBasisDetail } : {}) }
    await recordAudit(tx, actor, { action: 'collection', recordType: REFERRAL_RECORD, recordId: id, purpose: input.purpose, detail: { kind: input.kind, subjectType: subject.type, subject: subject.id, urgency: input.urgency, dueOn: due.dueOn, viaCoordinator: coordinator !== null } })
    await recordAudit(tx, actor, { action: 'disclosure', recordType: REFERRAL_RECORD, recordId: id, purpose: input.purpose, recipients: [recipient!], detail: { ...basis, disclosed: ['subjectDescription', 'summary', 'request'], marking: input.protectiveMarking, handling: input.handlingCode } })
    // The referral names the subject to another agency: a disclosure of the subject's record too,
    // found when the log is searched for that person or group.
    await recordAudit(tx, actor, { action: 'disclosure', recordType: subject.type === 'entity' ? ENTITY_KIND.recordType : GROUP_KIND.recordType, recordId: subject.id, purpose: input.purpose, recipients: [recipient!], detail: { referral: id, ...basis, disclosed: 'the description and summary written on the referral' } })
    const row = { id, createdAt: now, urgency: input.urgency, dueOn: due.dueOn }
    await mailAgency(tx, recipient!, row, 'referral.received', coordinator ? 'a GAIN referral for your agency to route' : `a GAIN ${input.kind === 'information_request' ? 'information request' : 'referral'} for your agency`, site)
    return id
  }, subject404(input))
}

const subject404 = (ids: { entityId: string | null }) => (ids.entityId ? 'Record' : 'Group')

// ---------------------------------------------------------------------------------------------
// Reading

async function summariesOut(tx: Tx, actor: Actor, rows: readonly q.ReferralRow[], today: string): Promise<ReferralSummaryOut[]> {
  const names = await agencyNames(tx, [...new Set(rows.flatMap((r) => [r.requestingAgencyId, r.recipientAgencyId, ...(r.coordinatorAgencyId ? [r.coordinatorAgencyId] : [])]))])
  const name = (id: string) => names.get(id) ?? 'Unknown agency'
  return rows.map((r) => ({
    id: r.id,
    reference: referenceOf(r),
    kind: r.kind as ReferralKind,
    state: r.state as ReferralState,
    urgency: r.urgency as Urgency,
    dueOn: r.dueOn,
    overdue: isOverdue(r, today),
    dueSoon: isDueSoon(r, today),
    subjectType: r.subjectType,
    subjectKind: r.subjectKind,
    subjectDescription: r.subjectDescription,
    requestingAgencyId: r.requestingAgencyId,
    requestingAgencyName: name(r.requestingAgencyId),
    recipientAgencyId: r.recipientAgencyId,
    recipientAgencyName: name(r.recipientAgencyId),
    coordinatorAgencyId: r.coordinatorAgencyId,
    coordinatorAgencyName: r.coordinatorAgencyId ? name(r.coordinatorAgencyId) : null,
    direction: r.requestingAgencyId === actor.agencyId ? 'outgoing' : r.recipientAgencyId === actor.agencyId ? 'incoming' : 'coordinating',
    protectiveMarking: r.protectiveMarking as ProtectiveMarking,
    sentAt: r.createdAt.toISOString(),
    stateChangedAt: r.stateChangedAt.toISOString(),
  }))
}

/** The referrals the actor's agency is party to: incoming, outgoing, overdue or all, by state. */
export async function listReferrals(db: Database, actor: Actor, raw: unknown, now: Date) {
  must(actor, 'records.read', 'Your role cannot see referrals')
  const query = parseInput(ListQuery, raw)
  const today = ukDay(now)
  return asUser(db, actor, async (tx) => {
    const [{ rows, total }, counts] = await Promise.all([
      q.listReferrals(tx, actor, { view: query.view, state: query.state ?? null, today, entityId: query.entityId, groupId: query.groupId }, query.page, PAGE_SIZE),
      q.referralCounts(tx, actor, today),
    ])
    // The list names each referral's subject as disclosed: seeing it is a consultation of those referrals.
    // The list names each referral's subject as disclosed: for the agency's own referrals that is a
    // consultation; for those another agency sent, a disclosure of what it wrote to the reader's agency.
    const own = rows.filter((r) => r.requestingAgencyId === actor.agencyId)
    const others = rows.filter((r) => r.requestingAgencyId !== actor.agencyId)
    if (own.length > 0) await recordAudit(tx, actor, { action: 'consultation', recordType: REFERRAL_RECORD, purpose: 'Listing GAIN referrals', detail: { shown: own.map((r) => r.id) } })
    if (others.length > 0) await recordAudit(tx, actor, { action: 'disclosure', recordType: REFERRAL_RECORD, purpose: 'Listing GAIN referrals', recipients: [actor.agencyId], detail: { shown: others.map((r) => r.id), fields: ['subjectDescription'] } })
    return { query, rows: await summariesOut(tx, actor, rows, today), total, counts }
  })
}

/**
 * How many referrals are open with the actor's agency to answer or route, sent by it, and late, for
 * the home page. Counts only: no referral is shown, so nothing is disclosed or logged.
 */
export async function referralCountsFor(tx: Tx, actor: Actor, now: Date): Promise<{ incoming: number; outgoing: number; overdue: number } | null> {
  if (!actor.capabilities.includes('records.read')) return null
  return q.referralCounts(tx, actor, ukDay(now))
}

/**
 * One referral with its timeline and the answers the reader may see, and the actions open to them.
 * The reading is logged for the referral and for each answer shown: a consultation of what the
 * reader's agency wrote, a disclosure to it of what another agency wrote.
 */
export async function getReferral(db: Database, actor: Actor, id: string, now: Date, purpose = 'Reading a GAIN referral'): Promise<ReferralOut> {
  must(actor, 'records.read', 'Your role cannot see referrals')
  const today = ukDay(now)
  return records.seeing(db, actor, async (tx) => {
    const r = await visibleReferral(tx, actor, id, purpose)
    if (!r) return null
    const party = partyOf(actor, r)
    const [events, answers, answerCount] = await Promise.all([q.eventsOf(tx, id), q.answersOf(tx, actor, id), withOwnerPrivileges(tx, () => q.answerCount(tx, id))])
    const [summary] = await summariesOut(tx, actor, [r], today)
    const agencies = await agencyNames(tx, [...new Set([...events.flatMap((e) => [e.byAgencyId, e.toAgencyId]), ...answers.map((a) => a.answeringAgencyId)].filter((x): x is string => Boolean(x)))])
    const users = await displayNames(tx, [...new Set([r.requestedBy, ...events.flatMap((e) => (e.byUserId ? [e.byUserId] : [])), ...answers.map((a) => a.answeredBy)])])
    const as = party.requester ? 'requester' : party.recipient ? 'recipient' : 'coordinator'
    // What an agency reads of its own (the requester its referral, the answerer its answer) is a
    // consultation; what it reads of another agency's is a disclosure to it, logged with the reader's
    // agency as recipient, so the log answers "who outside the holding agency saw this, and when".
    if (party.requester) await recordAudit(tx, actor, { action: 'consultation', recordType: REFERRAL_RECORD, recordId: id, purpose, detail: { as } })
    else await recordAudit(tx, actor, { action: 'disclosure', recordType: REFERRAL_RECORD, recordId: id, purpose, recipients: [actor.agencyId], detail: { as, lawfulBasis: r.lawfulBasis, reading: true } })
    for (const a of answers) {
      if (a.answeringAgencyId === actor.agencyId) await recordAudit(tx, actor, { action: 'consultation', recordType: ANSWER_RECORD, recordId: a.id, purpose, detail: { referral: id, as } })
      else await recordAudit(tx, actor, { action: 'disclosure', recordType: ANSWER_RECORD, recordId: a.id, purpose, recipients: [actor.agencyId], detail: { referral: id, as, reading: true } })
    }
    return {
      ...summary!,
      summary: r.summary,
      request: r.request,
      purpose: r.purpose,
      lawfulBasis: r.lawfulBasis as LawfulBasis,
      lawfulBasisLabel: LAWFUL_BASIS_INFO[r.lawfulBasis as LawfulBasis].label,
      lawfulBasisDetail: r.lawfulBasisDetail,
      handlingCode: r.handlingCode as HandlingCode,
      handlingConditions: r.handlingConditions,
      requestedBy: users.get(r.requestedBy) ?? 'A user no longer listed',
      reviewDate: r.reviewDate,
      // Only the requester holds the subject's record; the others have what was disclosed.
      subjectEntityId: party.requester ? r.subjectEntityId : null,
      subjectGroupId: party.requester ? r.subjectGroupId : null,
      rowVersion: r.rowVersion,
      actions: actor.capabilities.includes('records.write') ? availableActions(factsOf(r), party).filter((a) => (a === 'route' || a === 'answer' ? actor.capabilities.includes('records.share') : true)) : [],
      timeline: events.map((e) => ({
        event: e.event,
        at: e.at.toISOString(),
        by: e.byUserId ? (users.get(e.byUserId) ?? 'A user no longer listed') : e.event === 'reminded' ? 'Achilles' : null,
        byAgency: e.byAgencyId ? (agencies.get(e.byAgencyId) ?? null) : null,
        toAgency: e.toAgencyId ? (agencies.get(e.toAgencyId) ?? null) : null,
        declineGround: e.declineGround as DeclineGround | null,
        note: e.note,
      })),
      answers: answers.map((a) => answerOut(a, agencies, users)),
      answersWithheld: answerCount - answers.length,
    }
  }, 'Referral')
}

function answerOut(a: q.AnswerRow, agencies: Map<string, string>, users: Map<string, string>): AnswerOut {
  const grade = { source: a.sourceEvaluation as SourceEvaluation, intelligence: String(a.intelligenceAssessment) as IntelligenceAssessment, handling: a.handlingCode as HandlingCode }
  return {
    id: a.id,
    body: a.body,
    answeringAgencyName: agencies.get(a.answeringAgencyId) ?? 'Unknown agency',
    answeredBy: users.get(a.answeredBy) ?? 'A user no longer listed',
    grade: formatGrade(grade),
    gradeExplained: describeGrade(grade),
    sourceEvaluation: grade.source,
    intelligenceAssessment: a.intelligenceAssessment,
    protectiveMarking: a.protectiveMarking as ProtectiveMarking,
    handlingCode: grade.handling,
    handlingConditions: a.handlingConditions,
    intelligenceId: a.intelligenceId,
    answeredAt: a.createdAt.toISOString(),
  }
}

// ---------------------------------------------------------------------------------------------
// Moving a referral on

/** Runs one action on a referral the actor's agency is party to; a referral they cannot see is not found. */
function acting<T>(db: Database, actor: Actor, id: string, purpose: string, work: (tx: Tx, r: q.ReferralRow) => Promise<T>): Promise<T> {
  must(actor, 'records.write', 'Your role cannot act on referrals')
  return records.seeing(db, actor, async (tx) => {
    const r = await visibleReferral(tx, actor, id, purpose)
    return r ? work(tx, r) : null
  }, 'Referral')
}

/** The coordinator routes a referral sent to them on to the agency that should answer it: a disclosure to that agency. */
export async function routeReferral(db: Database, actor: Actor, id: string, raw: unknown, site: Site): Promise<void> {
  must(actor, 'records.share', 'Your role cannot pass referrals on to other agencies')
  const input = parseInput(RouteInput, raw)
  await acting(db, actor, id, 'Routing a GAIN referral', async (tx, r) => {
    const state = checkAction('route', actor, r)
    const issues: FieldIssue[] = []
    if (input.recipientAgencyId === r.requestingAgencyId) issues.push({ field: 'recipientAgencyId', message: 'That is the agency that sent the referral: choose the agency that should answer it' })
    else if (input.recipientAgencyId === actor.agencyId) issues.push({ field: 'recipientAgencyId', message: 'To answer it yourself, accept it instead of routing it' })
    else {
      const status = await agencyStatus(tx, input.recipientAgencyId)
      if (!status || !status.active) issues.push({ field: 'recipientAgencyId', message: 'The agency does not exist or is no longer active: choose another' })
      else issues.push(...(await sensitiveReaderProblems(tx, input.recipientAgencyId, r.protectiveMarking, 'recipientAgencyId')))
    }
    if (issues.length > 0) throw new ValidationError(issues)
    await moveOn(tx, actor, r, input.rowVersion, { state, recipientAgencyId: input.recipientAgencyId })
    await q.insertEvents(tx, [{ referralId: id, event: 'routed', byUserId: actor.userId, byAgencyId: actor.agencyId, toAgencyId: input.recipientAgencyId, note: input.note }])
    await recordAudit(tx, actor, { action: 'disclosure', recordType: REFERRAL_RECORD, recordId: id, purpose: r.purpose, recipients: [input.recipientAgencyId], detail: { routedBy: 'GAIN coordinator', lawfulBasis: r.lawfulBasis, disclosed: ['subjectDescription', 'summary', 'request'] } })
    await mailAgency(tx, input.recipientAgencyId, r, 'referral.received', 'a GAIN referral routed to your agency', site)
    await mailRequester(tx, actor, r, 'referral.routed', 'routed to the agency that should answer it', site)
    return true
  })
}

export async function acceptReferral(db: Database, actor: Actor, id: string, raw: unknown): Promise<void> {
  const input = parseInput(AcceptInput, raw)
  await acting(db, actor, id, 'Accepting a GAIN referral', async (tx, r) => {
    const state = checkAction('accept', actor, r)
    await moveOn(tx, actor, r, input.rowVersion, { state })
    await q.insertEvents(tx, [{ referralId: id, event: 'accepted', byUserId: actor.userId, byAgencyId: actor.agencyId, note: input.note }])
    await recordAudit(tx, actor, { action: 'alteration', recordType: REFERRAL_RECORD, recordId: id, purpose: 'Accepting a GAIN referral', detail: { state } })
    return true
  })
}

/**
 * Answers a referral with graded information. The answer is kept on the referral as disclosed, and
 * recorded as an intelligence record of the answering agency (the source), graded and handled as
 * given and shared by name with the requesting agency, so it appears in the requester's
 * intelligence under the visibility rule. Logged as a disclosure of the answer to the requester.
 */
export async function answerReferral(db: Database, actor: Actor, id: string, raw: unknown, now: Date, site: Site): Promise<string> {
  must(actor, 'records.share', 'Your role cannot disclose information to other agencies')
  const input = parseInput(AnswerInput, raw)
  const grade = gradeProblems(input)
  if (grade.length > 0) throw new ValidationError(grade)
  const today = ukDay(now)
  return acting(db, actor, id, 'Answering a GAIN referral', async (tx, r) => {
    const state = checkAction('answer', actor, r)
    // The subject is mentioned on the intelligence record only when the answering agency may itself see it.
    const mentioned = r.subjectEntityId ? (await entitySummaries(tx, [r.subjectEntityId])).has(r.subjectEntityId) : false
    const mentionedGroup = r.subjectGroupId ? (await groupSummaries(tx, [r.subjectGroupId])).has(r.subjectGroupId) : false
    const reference = referenceOf(r)
    const intelligenceId = await createIntelligenceInTx(tx, actor, {
      body: input.body, reportedOn: today, reference: null, sourceAgencyId: actor.agencyId,
      sourceEvaluation: input.sourceEvaluation, intelligenceAssessment: Number(input.intelligenceAssessment), legacyGrade: null,
      mentionedEntityIds: mentioned ? [r.subjectEntityId!] : [], mentionedGroupIds: mentionedGroup ? [r.subjectGroupId!] : [],
      purpose: `Answer to GAIN referral ${reference}: ${r.purpose}`.slice(0, 500), reviewDate: r.reviewDate,
      protectiveMarking: input.protectiveMarking, handlingCode: input.handlingCode, handlingConditions: input.handlingConditions,
      sharingScope: 'named', sharedWithAgencyIds: [r.requestingAgencyId],
    })
    const answerId = await q.insertAnswer(tx, {
      referralId: id, answeringAgencyId: actor.agencyId, answeredBy: actor.userId, body: input.body, sourceEvaluation: input.sourceEvaluation,
      intelligenceAssessment: Number(input.intelligenceAssessment), protectiveMarking: input.protectiveMarking, handlingCode: input.handlingCode,
      handlingConditions: input.handlingConditions, intelligenceId,
    })
    await moveOn(tx, actor, r, input.rowVersion, { state })
    const graded = formatGrade({ source: input.sourceEvaluation, intelligence: input.intelligenceAssessment, handling: input.handlingCode })
    await q.insertEvents(tx, [{ referralId: id, event: 'answered', byUserId: actor.userId, byAgencyId: actor.agencyId, toAgencyId: r.requestingAgencyId, note: `Graded ${graded}` }])
    await recordAudit(tx, actor, { action: 'disclosure', recordType: ANSWER_RECORD, recordId: answerId, purpose: r.purpose, recipients: [r.requestingAgencyId], detail: { referral: id, grade: graded, marking: input.protectiveMarking, handling: input.handlingCode, intelligence: intelligenceId, lawfulBasis: r.lawfulBasis } })
    await mailRequester(tx, actor, r, 'referral.answered', 'answered', site)
    return answerId
  })
}

export async function declineReferral(db: Database, actor: Actor, id: string, raw: unknown, site: Site): Promise<void> {
  const input = parseInput(DeclineInput, raw)
  const issues = declineProblems({ ground: input.declineGround ?? null, reason: input.reason, suggestedAgency: input.suggestedAgency })
  if (issues.length > 0) throw new ValidationError(issues)
  await acting(db, actor, id, 'Declining a GAIN referral', async (tx, r) => {
    const state = checkAction('decline', actor, r)
    await moveOn(tx, actor, r, input.rowVersion, { state })
    const note = input.suggestedAgency ? `${input.reason}\nAsk instead: ${input.suggestedAgency}` : input.reason
    await q.insertEvents(tx, [{ referralId: id, event: 'declined', byUserId: actor.userId, byAgencyId: actor.agencyId, declineGround: input.declineGround!, note }])
    await recordAudit(tx, actor, { action: 'alteration', recordType: REFERRAL_RECORD, recordId: id, purpose: 'Declining a GAIN referral', detail: { state, ground: input.declineGround!, groundText: DECLINE_GROUND_LABELS[input.declineGround!] } })
    await mailRequester(tx, actor, r, 'referral.declined', 'declined', site)
    return true
  })
}

export async function withdrawReferral(db: Database, actor: Actor, id: string, raw: unknown, site: Site): Promise<void> {
  const input = parseInput(WithdrawInput, raw)
  await acting(db, actor, id, 'Withdrawing a GAIN referral', async (tx, r) => {
    const state = checkAction('withdraw', actor, r)
    await moveOn(tx, actor, r, input.rowVersion, { state })
    await q.insertEvents(tx, [{ referralId: id, event: 'withdrawn', byUserId: actor.userId, byAgencyId: actor.agencyId, note: input.reason }])
    await recordAudit(tx, actor, { action: 'alteration', recordType: REFERRAL_RECORD, recordId: id, purpose: input.reason, detail: { state } })
    await mailAgency(tx, r.recipientAgencyId, r, 'referral.withdrawn', 'a GAIN referral to your agency has been withdrawn', site)
    return true
  })
}

export async function closeReferral(db: Database, actor: Actor, id: string, raw: unknown): Promise<void> {
  const input = parseInput(CloseInput, raw)
  await acting(db, actor, id, 'Closing a GAIN referral', async (tx, r) => {
    const state = checkAction('close', actor, r)
    await moveOn(tx, actor, r, input.rowVersion, { state })
    await q.insertEvents(tx, [{ referralId: id, event: 'closed', byUserId: actor.userId, byAgencyId: actor.agencyId, note: input.note }])
    await recordAudit(tx, actor, { action: 'alteration', recordType: REFERRAL_RECORD, recordId: id, purpose: 'Closing a GAIN referral', detail: { state } })
    return true
  })
}

// ---------------------------------------------------------------------------------------------
// The nightly reminders

export type ReminderReport = { reminded: number; mailed: number }

/**
 * Reminds the agencies that owe an answer, once a day a referral, of every referral due within a
 * day or late: one e-mail an address, listing its agency's referrals by reference and link. Runs as
 * the platform; the day is marked on each referral so a second run that day sends nothing.
 */
export async function sendReferralReminders(db: Database, now: Date, site: Site): Promise<ReminderReport> {
  const today = ukDay(now)
  return asSystem(db, async (tx) => {
    const due = await q.dueForReminder(tx, today, REMINDER_BATCH)
    if (due.length === 0) return { reminded: 0, mailed: 0 }
    const byAgency = new Map<string, q.ReminderRow[]>()
    for (const d of due) byAgency.set(d.recipientAgencyId, [...(byAgency.get(d.recipientAgencyId) ?? []), d])
    const addresses = await q.spocAddresses(tx, [...byAgency.keys()])
    let mailed = 0
    for (const [agencyId, list] of byAgency) {
      const late = list.filter((d) => isOverdue(d, today))
      const lines = list.map((d) => {
        return `- ${referralReference(d.id, ukDay(d.createdAt))}, ${URGENCY_SHORT_LABELS[d.urgency as Urgency].toLowerCase()}, ${isOverdue(d, today) ? `overdue since ${dateText(d.dueOn)}` : `due by ${dateText(d.dueOn)}`}: ${site.baseUrl}/referrals/${d.id}`
      })
      for (const a of addresses.get(agencyId) ?? []) {
        await queueMail(tx, {
          to: a.email, ...(a.userId ? { toUserId: a.userId } : {}), kind: 'referral.reminder',
          ...(list.length === 1 ? { relatedType: REFERRAL_RECORD, relatedId: list[0]!.id } : {}),
          subject: late.length > 0 ? 'Achilles: GAIN referrals to your agency are overdue' : 'Achilles: GAIN referrals to your agency are due soon',
          text: `${list.length === 1 ? 'A GAIN referral your agency has to answer is' : `${list.length} GAIN referrals your agency has to answer are`} due within a day or overdue:\n${lines.join('\n')}\n\nThis e-mail holds no details of the referrals on purpose: they are in Achilles, where their handling conditions apply.\n`,
        })
        mailed++
      }
    }
    await q.markReminded(tx, due.map((d) => d.id), today)
    await q.insertEvents(tx, due.map((d) => ({ referralId: d.id, event: 'reminded', byUserId: null, byAgencyId: null, toAgencyId: d.recipientAgencyId, note: isOverdue(d, today) ? 'Overdue' : 'Due within a day' })))
    await recordAudit(tx, 'system', { action: 'alteration', recordType: REFERRAL_RECORD, purpose: 'Reminding agencies of GAIN referrals due or overdue', detail: { reminded: due.length, mailed, day: today } })
    return { reminded: due.length, mailed }
  })
}

// ---------------------------------------------------------------------------------------------
// For forms, which name agencies in words (the directory is too long for a list)

/**
 * A form's agency name (field `nameField`) turned into the id field the service takes; a name that
 * matches no agency, or several, is an error on the form's field. A blank name leaves the body as it is.
 */
export async function withAgencyName(db: Database, actor: Actor, body: Record<string, unknown>, nameField: string, idField: string): Promise<Record<string, unknown>> {
  const { [nameField]: text, ...rest } = body
  const name = typeof text === 'string' ? text.trim() : ''
  if (name === '') return rest
  const [found] = await asUser(db, actor, (tx) => agenciesByName(tx, [name]))
  if (!found?.agency) throw new ValidationError([{ field: nameField, message: found?.problem ?? 'Enter the name of an agency in the directory' }])
  return { ...rest, [idField]: found.agency.id }
}
