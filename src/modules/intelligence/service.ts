import { csvFile, csvLine } from '../../core/exports/csv.ts'
import { sql } from 'kysely'
import type { Actor } from '../../core/access/actor.ts'
import type { HandlingCode } from '../../core/access/visibility.ts'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldIssue } from '../../core/errors.ts'
import {
  describeGrade, formatGrade, gradeProblems, INTELLIGENCE_ASSESSMENT_LABELS, SOURCE_EVALUATION_LABELS,
  type IntelligenceAssessment, type IntelligenceGrade, type SourceEvaluation,
} from '../../core/grading/intelligenceGrade.ts'
import { mapLegacyGrade, parseLegacyGrade } from '../../core/grading/legacy5x5x5.ts'
import { ukDay } from '../../core/time/ukDates.ts'
import { groupLabel } from '../../core/groups/operationName.ts'
import type { Database } from '../../db/connection.ts'
import { asUser, withOwnerPrivileges, type Tx } from '../../db/context.ts'
import { issuesOf, parseInput } from '../../http/validation.ts'
import { agencyStatus } from '../agencies/service.ts'
import { recordAudit } from '../audit/service.ts'
import { markGroupChanged } from '../groups/service.ts'
import * as records from '../records/service.ts'
import { displayNames } from '../users/service.ts'
import * as q from './queries.ts'
import {
  EXPORT_LIMIT, ExportPurpose, HANDLING_NOTICE, IntelligenceExportQuery, IntelligenceListQuery, IntelligenceUpdate, listField, resolveIntelligenceInput,
  type IntelligenceExportOut, type IntelligenceInput, type IntelligenceOut, type IntelligenceSummaryOut, type LegacyMappingOut, type MentionsOut,
} from './schema.ts'

const { RECORD_TYPE } = q

export const INTELLIGENCE_KIND: records.RestrictedKind = { recordType: RECORD_TYPE, table: 'intelligence_records', noun: 'intelligence record' }

type Capability = 'records.read' | 'records.write' | 'records.share' | 'records.erase'
function must(actor: Pick<Actor, 'capabilities'>, capability: Capability, reason: string) {
  if (!actor.capabilities.includes(capability)) throw new ForbiddenError(reason)
}

// ---------------------------------------------------------------------------------------------
// Input

/** Today's date where the partnership works, so a report made late in the evening is not "in the future". */

function reportedOnProblems(reportedOn: unknown, now: Date): FieldIssue[] {
  if (typeof reportedOn !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(reportedOn)) return []
  if (reportedOn > ukDay(now)) return [{ field: 'reportedOn', message: 'The date reported cannot be in the future' }]
  if (reportedOn < '1900-01-01') return [{ field: 'reportedOn', message: 'The date reported must be in or after 1900' }]
  return []
}

/**
 * A new record's input, settled and checked: field errors for everything wrong at once (a grade
 * outside 3x5x2, C without conditions, an unreadable legacy grade, an impossible or future date).
 * A legacy 5x5x5 grade fills in the 3x5x2 parts not entered, under the documented mapping.
 */
export function parseIntelligenceInput(raw: unknown, now: Date = new Date()): IntelligenceInput {
  const { value, issues } = resolveIntelligenceInput(raw)
  const reportedOn = value?.reportedOn ?? (raw as { reportedOn?: unknown } | null)?.reportedOn
  if (!issues.some((i) => i.field === 'reportedOn')) issues.push(...reportedOnProblems(reportedOn, now))
  if (issues.length > 0 || !value) throw new ValidationError(issues)
  return value
}

/** What the record points at: the source agency, and entities and groups the user may see. */
async function referenceProblems(
  tx: Tx,
  actor: Actor,
  r: { sourceAgencyId: string; reference: string | null; mentionedEntityIds: readonly string[]; mentionedGroupIds: readonly string[] },
  selfId?: string,
): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = []
  if (!(await agencyStatus(tx, r.sourceAgencyId))) issues.push({ field: 'sourceAgencyId', message: 'The source agency does not exist: choose one from the list' })
  if (r.reference && (await q.referenceTaken(tx, r.sourceAgencyId, r.reference, selfId))) {
    issues.push({ field: 'reference', message: 'The source agency has already used this reference on another record' })
  }
  // Selected inside the user's transaction, so both the visibility rule and row-level security decide.
  const [entities, groups] = await Promise.all([q.visibleEntityIds(tx, actor, r.mentionedEntityIds), q.visibleGroupIds(tx, actor, r.mentionedGroupIds)])
  const missingEntities = r.mentionedEntityIds.filter((id) => !entities.has(id))
  const missingGroups = r.mentionedGroupIds.filter((id) => !groups.has(id))
  if (missingEntities.length > 0) {
    issues.push({ field: 'mentionedEntityIds', message: `No entity you are permitted to see has the id ${missingEntities.join(', ')}: remove it, or ask its agency to share it` })
  }
  if (missingGroups.length > 0) {
    issues.push({ field: 'mentionedGroupIds', message: `No group you are permitted to see has the id ${missingGroups.join(', ')}: remove it, or ask its agency to share it` })
  }
  return issues
}

async function handlingIssues(tx: Tx, actor: Actor, input: IntelligenceInput): Promise<FieldIssue[]> {
  try {
    await records.checkHandling(tx, actor, input, 'intelligence record')
    return []
  } catch (error) {
    if (error instanceof ValidationError) return error.issues
    throw error
  }
}

/**
 * Runs a write that may clash with a reference held on a record the user cannot see (references are
 * unique per source agency). The clash becomes a field error, and a savepoint keeps the caller's
 * transaction usable, so an import can go on to report its other rows.
 */
async function guardingReference<T>(tx: Tx, reference: string | null, work: () => Promise<T>): Promise<T> {
  if (reference === null) return work()
  await sql`SAVEPOINT intelligence_reference`.execute(tx)
  try {
    const result = await work()
    await sql`RELEASE SAVEPOINT intelligence_reference`.execute(tx)
    return result
  } catch (error) {
    const e = error as { code?: string; constraint?: string; message?: string }
    if (e.code === '23505' && (e.constraint === 'intelligence_reference_idx' || e.message?.includes('intelligence_reference_idx'))) {
      await sql`ROLLBACK TO SAVEPOINT intelligence_reference`.execute(tx)
      throw new ValidationError([{ field: 'reference', message: 'The source agency has already used this reference on another record' }])
    }
    throw error
  }
}

// ---------------------------------------------------------------------------------------------
// Output

const gradeOf = (r: { source_evaluation: string; intelligence_assessment: number; handling_code: string }): IntelligenceGrade => ({
  source: r.source_evaluation as SourceEvaluation,
  intelligence: String(r.intelligence_assessment) as IntelligenceAssessment,
  handling: r.handling_code as HandlingCode,
})

/** "B2 – untested source; known indirectly to the source but corroborated", in the core's words. */
function gradeDescription(g: IntelligenceGrade): string {
  return `${g.source}${g.intelligence} – ${SOURCE_EVALUATION_LABELS[g.source].toLowerCase()} source; ${INTELLIGENCE_ASSESSMENT_LABELS[g.intelligence].toLowerCase()}`
}

/** The legacy grade beside the 3x5x2 grade the local mapping gives for it, with the reason for each part. */
function legacyMappingOf(legacyGrade: string | null, recorded: IntelligenceGrade): LegacyMappingOut | null {
  const legacy = legacyGrade === null ? null : parseLegacyGrade(legacyGrade)
  if (!legacy) return null
  const mapped = mapLegacyGrade(legacy)
  const mappedGrade = formatGrade({ source: mapped.source, intelligence: mapped.intelligence, handling: mapped.handlingCode })
  return { legacy: mapped.legacy, mappedGrade, mappedHandlingConditions: mapped.handlingConditions, matchesRecordedGrade: mappedGrade === formatGrade(recorded), notes: mapped.notes }
}

function toSummary(r: q.SummaryRow & { excerpt?: string; body?: string }): IntelligenceSummaryOut {
  const grade = gradeOf(r)
  const text = r.excerpt ?? r.body ?? ''
  return {
    id: r.id,
    reference: r.reference,
    reportedOn: r.reported_on,
    excerpt: text.length >= 200 ? `${text.slice(0, 199)}…` : text,
    sourceAgencyId: r.source_agency_id,
    sourceAgencyName: r.source_agency_name,
    sourceEvaluation: grade.source,
    intelligenceAssessment: r.intelligence_assessment,
    grade: formatGrade(grade),
    gradeDescription: gradeDescription(grade),
    legacyGrade: r.legacy_grade,
    owningAgencyId: r.owning_agency_id,
    owningAgencyName: r.owning_agency_name,
    protectiveMarking: r.protective_marking as IntelligenceSummaryOut['protectiveMarking'],
    handlingCode: grade.handling,
    handlingConditions: r.handling_conditions,
    sharingScope: r.sharing_scope as IntelligenceSummaryOut['sharingScope'],
    reviewDate: r.review_date,
    createdAt: r.created_at.toISOString(),
  }
}

/** One record whole, if the rule lets the actor see it; null (and a logged refusal) if not. */
async function loadRecord(tx: Tx, actor: Actor, id: string, now: Date, purpose: string): Promise<IntelligenceOut | null> {
  const found = await q.findVisible(tx, actor, id)
  const summary = found ? toSummary(found) : null
  // The SQL filter and row-level security let the row through; the core rule must agree too.
  const seen = found && summary ? await records.accessTo(tx, actor, INTELLIGENCE_KIND, id, summary, now) : null
  if (!found || !summary || !seen) {
    await records.recordRefusal(tx, actor, INTELLIGENCE_KIND, id, purpose)
    return null
  }
  const [users, mentions] = await Promise.all([displayNames(tx, found.created_by ? [found.created_by] : []), q.mentionsOf(tx, actor, [id])])
  const grade = gradeOf(found)
  return {
    ...summary,
    body: found.body,
    purpose: found.purpose,
    gradeExplained: describeGrade(grade),
    legacyMapping: legacyMappingOf(found.legacy_grade, grade),
    mentions: mentions.get(id)!,
    createdBy: (found.created_by && users.get(found.created_by)) || 'Unknown user',
    updatedAt: found.updated_at.toISOString(),
    rowVersion: found.row_version,
    ...seen,
  }
}

// ---------------------------------------------------------------------------------------------
// Operations

export async function listIntelligence(db: Database, actor: Actor, input: unknown) {
  must(actor, 'records.read', 'Your role cannot see intelligence records')
  const query = parseInput(IntelligenceListQuery, input)
  return asUser(db, actor, async (tx) => {
    const result = await q.listVisible(tx, actor, query, query.page)
    const rows = result.rows.map(toSummary)
    // The list shows what each record says, so seeing it is a consultation of those records.
    if (rows.length > 0) {
      await recordAudit(tx, actor, { action: 'consultation', recordType: RECORD_TYPE, purpose: 'Listing intelligence records', detail: { shown: rows.map((r) => r.id) } })
    }
    const about = await q.mentionNames(tx, actor, query.entityId ? [query.entityId] : [], query.groupId ? [query.groupId] : [])
    return { query, rows, total: result.total, totalCapped: result.totalCapped, about }
  })
}

/** One record, if the visibility rule lets the actor see it. Seeing it, and being refused it, are logged. */
export async function getIntelligence(db: Database, actor: Actor, id: string, now: Date, purpose = 'Viewing an intelligence record'): Promise<IntelligenceOut> {
  must(actor, 'records.read', 'Your role cannot see intelligence records')
  const record = await asUser(db, actor, async (tx) => {
    const found = await loadRecord(tx, actor, id, now, purpose)
    if (found) await recordAudit(tx, actor, { action: 'consultation', recordType: RECORD_TYPE, recordId: id, purpose })
    return found
  })
  if (!record) throw new NotFoundError('Intelligence record')
  return record
}

/** Records a new intelligence record inside the caller's transaction (pages, API and CSV import alike). */
export async function createIntelligenceInTx(tx: Tx, actor: Actor, input: IntelligenceInput): Promise<string> {
  must(actor, 'records.write', 'Your role cannot record intelligence')
  if (input.sharingScope !== 'agency') must(actor, 'records.share', 'Your role cannot share intelligence beyond your agency')
  const issues = [...(await referenceProblems(tx, actor, input)), ...(await handlingIssues(tx, actor, input))]
  if (issues.length > 0) throw new ValidationError(issues)
  const id = await guardingReference(tx, input.reference, () => q.insertRecord(tx, input, actor.agencyId, actor.userId))
  await q.insertMentions(tx, id, input.mentionedEntityIds, input.mentionedGroupIds)
  // New intelligence on a group prompts its re-assessment (issue 3, point 5).
  for (const groupId of input.mentionedGroupIds) await markGroupChanged(tx, groupId, 'intelligence')
  await records.recordCollected(tx, actor, INTELLIGENCE_KIND, id, input, {
    grade: formatGrade({ source: input.sourceEvaluation, intelligence: String(input.intelligenceAssessment) as IntelligenceAssessment, handling: input.handlingCode }),
    legacyGrade: input.legacyGrade,
    mentionedEntities: [...input.mentionedEntityIds],
    mentionedGroups: [...input.mentionedGroupIds],
  })
  return id
}

export async function createIntelligence(db: Database, actor: Actor, raw: unknown, now: Date): Promise<string> {
  must(actor, 'records.write', 'Your role cannot record intelligence')
  const input = parseIntelligenceInput(raw, now)
  return asUser(db, actor, (tx) => createIntelligenceInTx(tx, actor, input))
}

/** Changes a record's content, grade and mentions, if nobody else changed it first. Owning agency only. */
export async function updateIntelligence(db: Database, actor: Actor, id: string, raw: unknown, now: Date): Promise<void> {
  must(actor, 'records.write', 'Your role cannot change intelligence records')
  const parsed = IntelligenceUpdate.safeParse(raw)
  const early = parsed.success ? [] : listField(issuesOf(parsed.error))
  await asUser(db, actor, async (tx) => {
    const record = await q.findVisible(tx, actor, id)
    if (!record) throw new NotFoundError('Intelligence record')
    if (record.owning_agency_id !== actor.agencyId) throw new ForbiddenError('Only the agency that holds an intelligence record can change it')
    const source = parsed.success ? parsed.data.sourceEvaluation : (raw as { sourceEvaluation?: unknown } | null)?.sourceEvaluation
    const assessment = parsed.success ? parsed.data.intelligenceAssessment : (raw as { intelligenceAssessment?: unknown } | null)?.intelligenceAssessment
    // The handling code is changed with the sharing; here the grade's other two parts are checked against it.
    const gradeIssues = gradeProblems({
      sourceEvaluation: typeof source === 'string' ? source.trim() : (source as null),
      intelligenceAssessment: typeof assessment === 'number' || typeof assessment === 'string' ? assessment : null,
      handlingCode: record.handling_code,
      handlingConditions: record.handling_conditions,
    })
    const issues = [...early]
    for (const issue of [...gradeIssues, ...reportedOnProblems(parsed.success ? parsed.data.reportedOn : (raw as { reportedOn?: unknown } | null)?.reportedOn, now)]) {
      if (!issues.some((i) => i.field === issue.field)) issues.push(issue)
    }
    if (!parsed.success || issues.length > 0) throw new ValidationError(issues)
    const input = parsed.data

    // Mentions the user cannot see stay as they are: a user changes only what they can see.
    const current = await q.mentionIdsOf(tx, id)
    const added = {
      entities: input.mentionedEntityIds.filter((e) => !current.entityIds.includes(e)),
      groups: input.mentionedGroupIds.filter((g) => !current.groupIds.includes(g)),
    }
    const removed = {
      entities: current.entityIds.filter((e) => !input.mentionedEntityIds.includes(e)),
      groups: current.groupIds.filter((g) => !input.mentionedGroupIds.includes(g)),
    }
    const refIssues = await referenceProblems(tx, actor, { ...input, mentionedEntityIds: added.entities, mentionedGroupIds: added.groups }, id)
    if (refIssues.length > 0) throw new ValidationError(refIssues)

    const change = {
      body: input.body,
      reportedOn: input.reportedOn,
      reference: input.reference,
      sourceAgencyId: input.sourceAgencyId,
      sourceEvaluation: input.sourceEvaluation!,
      intelligenceAssessment: Number(input.intelligenceAssessment),
    }
    const before: Record<keyof typeof change, unknown> = {
      body: record.body, reportedOn: record.reported_on, reference: record.reference, sourceAgencyId: record.source_agency_id,
      sourceEvaluation: record.source_evaluation, intelligenceAssessment: record.intelligence_assessment,
    }
    const changed = (Object.keys(change) as Array<keyof typeof change>).filter((k) => before[k] !== change[k])
    const updated = await guardingReference(tx, input.reference, () => q.updateContent(tx, id, input.rowVersion, change, actor.userId))
    if (!updated) {
      throw new ConflictError('Someone else changed this intelligence record while you were editing it. Reload the page to see their changes, then make yours again.')
    }
    await q.deleteMentions(tx, id, removed.entities, removed.groups)
    await q.insertMentions(tx, id, added.entities, added.groups)
    // Groups whose intelligence picture changed: those mentioned now if the record itself changed,
    // and those added or removed.
    const touched = new Set([...(changed.length > 0 ? input.mentionedGroupIds : added.groups), ...removed.groups])
    for (const groupId of touched) await markGroupChanged(tx, groupId, 'intelligence')
    await recordAudit(tx, actor, {
      action: 'alteration',
      recordType: RECORD_TYPE,
      recordId: id,
      purpose: input.reason,
      detail: {
        changed,
        previousGrade: formatGrade(gradeOf(record)),
        mentionsAdded: [...added.entities, ...added.groups],
        mentionsRemoved: [...removed.entities, ...removed.groups],
      },
    })
  })
}

export const changeSharing = (db: Database, actor: Actor, id: string, raw: unknown) => records.changeSharing(db, actor, INTELLIGENCE_KIND, id, raw)
export const grantAccess = (db: Database, actor: Actor, id: string, raw: unknown, now: Date) => records.grantAccess(db, actor, INTELLIGENCE_KIND, id, raw, now)
export const revokeAccess = (db: Database, actor: Actor, id: string, grantId: string) => records.revokeAccess(db, actor, INTELLIGENCE_KIND, id, grantId)

export async function eraseIntelligence(db: Database, actor: Actor, id: string, reason: unknown): Promise<void> {
  must(actor, 'records.erase', 'Your role cannot erase intelligence records')
  const why = typeof reason === 'string' ? reason.trim() : ''
  if (why.length < 3 || why.length > 500) throw new ValidationError([{ field: 'reason', message: 'Enter why the record is being erased (3 to 500 characters)' }])
  await asUser(db, actor, async (tx) => {
    const record = await q.findVisible(tx, actor, id)
    if (!record) throw new NotFoundError('Intelligence record')
    if (record.owning_agency_id !== actor.agencyId) throw new ForbiddenError('Only the agency that holds an intelligence record can erase it')
    const { groupIds } = await q.mentionIdsOf(tx, id)
    // Links that cite the record as their source keep their written source reference but lose the
    // pointer (ON DELETE SET NULL), some of them other agencies' links: the log says which.
    const citing = await withOwnerPrivileges(tx, () => q.linksCiting(tx, id))
    await records.forgetAccess(tx, INTELLIGENCE_KIND, id)
    await q.deleteRecord(tx, id)
    // Intelligence withdrawn from a group changes its picture as much as intelligence added.
    for (const groupId of groupIds) await markGroupChanged(tx, groupId, 'intelligence')
    await recordAudit(tx, actor, { action: 'erasure', recordType: RECORD_TYPE, recordId: id, purpose: why, detail: { grade: formatGrade(gradeOf(record)), linksCitingIt: citing } })
  })
}

// ---------------------------------------------------------------------------------------------
// Exports: every one carries the handling code and conditions, and is logged as a disclosure to
// the exporting user's agency, with the purpose they gave.

/** One record as a JSON document for another system, with its handling on the outside and inside. */
export async function exportIntelligence(db: Database, actor: Actor, id: string, raw: unknown, now: Date): Promise<IntelligenceExportOut> {
  must(actor, 'records.read', 'Your role cannot see intelligence records')
  const { purpose } = parseInput(ExportPurpose, raw)
  const document = await asUser(db, actor, async (tx) => {
    const record = await loadRecord(tx, actor, id, now, purpose)
    if (!record) return null
    await recordAudit(tx, actor, { action: 'disclosure', recordType: RECORD_TYPE, recordId: id, purpose, recipients: [actor.agencyId], detail: { format: 'json', handling: record.handlingCode } })
    const { sharedWith: _s, grants: _g, visibleBecause: _v, rowVersion: _r, ...content } = record
    return {
      notice: HANDLING_NOTICE,
      protectiveMarking: record.protectiveMarking,
      handlingCode: record.handlingCode,
      handlingConditions: record.handlingConditions,
      exportedAt: now.toISOString(),
      exportedBy: actor.displayName,
      exportedByAgency: actor.agencyName,
      purpose,
      record: content,
    }
  })
  if (!document) throw new NotFoundError('Intelligence record')
  return document
}

export const CSV_COLUMNS = [
  'id', 'reference', 'reported_on', 'source_agency', 'source_evaluation', 'intelligence_assessment', 'grade', 'legacy_grade',
  'protective_marking', 'handling_code', 'handling_conditions', 'handling_notice', 'owning_agency', 'sharing_scope', 'review_date',
  'mentioned_entities', 'mentioned_groups', 'body',
] as const

const mentionText = (m: MentionsOut) => ({
  entities: m.entities.map((e) => `${e.caption} (${e.schema}${e.personRole ? `, ${e.personRole}` : ''}; ${e.id})`).join('; '),
  groups: m.groups.map((g) => `${groupLabel(g.name, g.operationName)} (${g.id})`).join('; '),
})

/**
 * The filtered list as CSV, at most 10,000 records. Its first line is the handling notice (with the
 * highest marking it holds), and every row carries its own handling code, conditions and notice.
 */
export async function exportIntelligenceCsv(db: Database, actor: Actor, raw: unknown, now: Date): Promise<{ filename: string; csv: string; count: number }> {
  must(actor, 'records.read', 'Your role cannot see intelligence records')
  const query = parseInput(IntelligenceExportQuery, raw)
  return asUser(db, actor, async (tx) => {
    const rows = await q.exportRows(tx, actor, query, EXPORT_LIMIT + 1)
    if (rows.length > EXPORT_LIMIT) {
      throw new ValidationError([{ field: 'reportedFrom', message: `More than ${EXPORT_LIMIT.toLocaleString('en-GB')} records match: narrow the filters, for example by the dates reported, and export again` }])
    }
    if (rows.length === 0) throw new ValidationError([{ field: 'q', message: 'No records match these filters: there is nothing to export' }])
    const mentions = await q.mentionsOf(tx, actor, rows.map((r) => r.id))
    const marking = rows.some((r) => r.protective_marking === 'OFFICIAL-SENSITIVE') ? 'OFFICIAL-SENSITIVE' : 'OFFICIAL'
    const lines = [
      csvLine([`${marking}. HANDLING NOTICE: ${HANDLING_NOTICE} Exported by ${actor.displayName} (${actor.agencyName}) on ${now.toISOString()} for: ${query.purpose}`]),
      csvLine([...CSV_COLUMNS]),
    ]
    for (const r of rows) {
      const s = toSummary(r)
      const m = mentionText(mentions.get(r.id)!)
      const notice = s.handlingCode === 'C' ? `Handling code C: the conditions in handling_conditions travel with this record and bind every recipient` : 'Handling code P: lawful sharing permitted'
      lines.push(csvLine([
        s.id, s.reference, s.reportedOn, s.sourceAgencyName, s.sourceEvaluation, s.intelligenceAssessment, s.grade, s.legacyGrade,
        s.protectiveMarking, s.handlingCode, s.handlingConditions, notice, s.owningAgencyName, s.sharingScope, s.reviewDate,
        m.entities, m.groups, r.body,
      ]))
    }
    const { purpose, ...filters } = query
    await recordAudit(tx, actor, {
      action: 'disclosure',
      recordType: RECORD_TYPE,
      purpose,
      recipients: [actor.agencyId],
      detail: { format: 'csv', count: rows.length, filters: JSON.stringify(filters), exported: rows.map((r) => r.id) },
    })
    return { filename: `intelligence-${ukDay(now)}.csv`, csv: csvFile(lines), count: rows.length }
  })
}

// ---------------------------------------------------------------------------------------------
// For other modules

/** Names of entities and groups the actor may see, for forms that mention them. */
export function mentionNames(db: Database, actor: Actor, entityIds: readonly string[], groupIds: readonly string[]): Promise<MentionsOut> {
  return asUser(db, actor, (tx) => q.mentionNames(tx, actor, entityIds, groupIds))
}

/**
 * How many intelligence records mentioning each group the transaction's user may see. The user is
 * read from the transaction's settings so the visibility rule is applied in SQL as well as by
 * row-level security; in the platform's own transactions every record counts.
 */
export async function intelligenceCountsForGroups(tx: Tx, groupIds: readonly string[]): Promise<Map<string, number>> {
  return q.countsForGroups(tx, await q.transactionViewer(tx), groupIds)
}

export type IntelligenceRow = q.IntelligenceRow

/** Loads many records with their mentions and named-agency shares (demonstration and benchmark data), 1,000 at a time. */
export async function insertIntelligence(tx: Tx, rows: readonly IntelligenceRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000)
    await q.insertRows(tx, chunk)
    await records.insertShares(tx, INTELLIGENCE_KIND, chunk)
  }
}
