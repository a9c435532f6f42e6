import { randomUUID } from 'node:crypto'
import type { Actor } from '../../core/access/actor.ts'
import type { Capability } from '../../core/access/roles.ts'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldIssue } from '../../core/errors.ts'
import { THREAT_AREA_LABELS, THREAT_AREAS, type ThreatArea } from '../../core/reference/crime.ts'
import { ukDay } from '../../core/time/ukDates.ts'
import { DEFAULT_MODELS } from '../../core/scoring/defaultModels.ts'
import { parseModelDefinition, SUBJECTS, type ModelDefinition, type Subject } from '../../core/scoring/modelDefinition.ts'
import { parseRankingWeights, rankPeople, type RankingWeights } from '../../core/scoring/peopleRanking.ts'
import peopleRankingWithNetwork from '../../../config/prioritisation/people-ranking.v2.json' with { type: 'json' }
import { personCentrality } from '../network/service.ts'
import { rescorePrompts, type ChangeKind } from '../../core/scoring/rescore.ts'
import { scoreAssessment, type AssessmentAnswers, type AssessmentResult } from '../../core/scoring/scoreAssessment.ts'
import { groupLabel } from '../../core/groups/operationName.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem, asUser, withOwnerPrivileges, type Queryable, type Tx } from '../../db/context.ts'
import { PAGE_SIZE } from '../../db/paging.ts'
import { issuesOf, parseInput } from '../../http/validation.ts'
import { agencyNames } from '../agencies/service.ts'
import { recordAudit } from '../audit/service.ts'
import * as records from '../records/service.ts'
import { entitySummaries } from '../entities/service.ts'
import { groupSummaries } from '../groups/service.ts'
import { displayNames } from '../users/service.ts'
import * as q from './queries.ts'
import {
  AssessmentInput, GroupBoardQuery, PeopleBoardQuery, PublishInput, SubjectQuery, ThreatBoardQuery,
  type AssessmentOut, type AssessmentSummaryOut, type GroupBoardRowOut, type HistoryOut, type ModelOut, type ModelSummaryOut,
  type PersonBoardRowOut, type PromptOut, type RescoreOut, type ThreatBoardRowOut,
} from './schema.ts'

// Prioritisation: versioned models, assessments scored with them, and the boards that rank groups,
// people and threat areas. Every rule of scoring lives in src/core/scoring; this module stores,
// checks access, logs and ranks what the core computes.

export const ASSESSMENT_RECORD = 'assessment'
export const MODEL_RECORD = 'prioritisation_model'
const GROUP_KIND: records.RestrictedKind = { recordType: q.GROUP_RECORD, table: 'ocgs', noun: 'group' }
const PERSON_KIND: records.RestrictedKind = { recordType: q.ENTITY_RECORD, table: 'entities', noun: 'person' }

function must(actor: Actor, capability: Capability, reason: string): void {
  if (!actor.capabilities.includes(capability)) throw new ForbiddenError(reason)
}

// Models

/** A stored model definition, checked once per version (versions never change once published). */
const checkedDefinitions = new Map<string, ModelDefinition>()
function definitionOf(row: q.ModelRow): ModelDefinition {
  const cached = checkedDefinitions.get(row.id)
  if (cached) return cached
  const parsed = parseModelDefinition(row.definition)
  if (!parsed.ok) throw new Error(`Stored model ${row.key} version ${row.version} is not a valid model: ${parsed.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`)
  checkedDefinitions.set(row.id, parsed.model)
  return parsed.model
}

type LoadedModel = { row: q.ModelRow; definition: ModelDefinition }

/**
 * Stores version 1 of each shipped model (config/prioritisation/*.v1.json) that the database does
 * not hold yet; a partnership's own later versions are left alone. Returns the keys it added.
 */
export async function ensureDefaultModels(db: Database): Promise<string[]> {
  return asSystem(db, async (tx) => {
    const added: string[] = []
    for (const model of DEFAULT_MODELS) {
      const id = await q.insertModel(
        tx,
        { key: model.key, version: model.version, title: model.title, definition: model, changeNote: `Shipped default model (config/prioritisation/${model.key}.v${model.version}.json)`, publishedBy: null },
        { ifAbsent: true },
      )
      if (id) {
        added.push(model.key)
        await recordAudit(tx, 'system', { action: 'collection', recordType: MODEL_RECORD, recordId: id, purpose: 'Installing the shipped prioritisation model', detail: { key: model.key, version: model.version } })
      }
    }
    return added
  })
}

function summaryOf(row: q.ModelRow, latestVersion: number, names: Map<string, string>): ModelSummaryOut {
  return {
    id: row.id,
    key: row.key,
    version: row.version,
    title: row.title,
    subjects: definitionOf(row).subjects,
    changeNote: row.change_note,
    publishedAt: row.published_at.toISOString(),
    publishedBy: row.published_by ? (names.get(row.published_by) ?? 'Unknown user') : null,
    current: row.version === latestVersion,
  }
}

/** Every version of every model. Models hold no personal data: anyone signed in may read them. */
export async function listModels(db: Database): Promise<ModelSummaryOut[]> {
  return asSystem(db, async (tx) => {
    const rows = await q.listModels(tx)
    const latest = latestByKey(rows)
    const names = await displayNames(tx, rows.flatMap((r) => (r.published_by ? [r.published_by] : [])))
    return rows.map((r) => summaryOf(r, latest.get(r.key)!, names))
  })
}

function latestByKey(rows: readonly q.ModelRow[]): Map<string, number> {
  const latest = new Map<string, number>()
  for (const r of rows) latest.set(r.key, Math.max(latest.get(r.key) ?? 0, r.version))
  return latest
}

/** One version of a model in full, with how many current assessments use it and older versions. */
export async function getModel(db: Database, key: string, version: number): Promise<ModelOut & { model: ModelDefinition }> {
  return asSystem(db, async (tx) => {
    const versions = (await q.listModels(tx)).filter((r) => r.key === key)
    const row = versions.find((r) => r.version === version)
    if (!row) throw new NotFoundError('Model version')
    const latest = Math.max(...versions.map((r) => r.version))
    const names = await displayNames(tx, row.published_by ? [row.published_by] : [])
    // Figures only: how many subjects each version scores, never which.
    const counts = await q.currentCountsByModel(tx, key)
    const onOlder = versions.filter((r) => r.version < version).reduce((n, r) => n + (counts.get(r.id) ?? 0), 0)
    const model = definitionOf(row)
    return {
      ...summaryOf(row, latest, names),
      definition: model as unknown as Record<string, unknown>,
      assessmentsOnThisVersion: counts.get(row.id) ?? 0,
      assessmentsOnOlderVersions: onOlder,
      model,
    }
  })
}

/** One version's definition, for pages that show an assessment scored with it. */
export async function modelDefinition(db: Database, key: string, version: number): Promise<ModelDefinition> {
  const row = await asSystem(db, (tx) => q.findModel(tx, key, version))
  if (!row) throw new NotFoundError('Model version')
  return definitionOf(row)
}

/** The newest version number of a key, or 0 if the key has never been published. */
export async function currentVersion(db: Database, key: string): Promise<number> {
  return asSystem(db, async (tx) => Math.max(0, ...(await q.listModels(tx)).filter((r) => r.key === key).map((r) => r.version)))
}

/**
 * Publishes a new version of a model (administrators). The definition must pass
 * parseModelDefinition, name the key it is published under, and be exactly one version above the
 * current one. Assessments already made keep the version they were scored with.
 */
export async function publishModel(db: Database, actor: Actor, key: string, raw: unknown): Promise<{ id: string; version: number }> {
  must(actor, 'prioritisation.manage', 'Only an administrator can publish a prioritisation model')
  const input = parseInput(PublishInput, raw)
  const parsed = parseModelDefinition(input.definition)
  const issues: FieldIssue[] = parsed.ok ? [] : parsed.problems.map((p) => ({ field: p.field === '(model)' ? 'definition' : `definition.${p.field}`, message: p.message }))
  return asSystem(db, async (tx) => {
    const current = Math.max(0, ...(await q.listModels(tx)).filter((r) => r.key === key).map((r) => r.version))
    const given = input.definition as { key?: unknown; version?: unknown }
    if (given.key !== key && !issues.some((i) => i.field === 'definition.key')) {
      issues.push({ field: 'definition.key', message: `The definition's key is ${JSON.stringify(given.key)}, but you are publishing a version of "${key}"` })
    }
    if (given.version !== current + 1 && !issues.some((i) => i.field === 'definition.version')) {
      issues.push({
        field: 'definition.version',
        message: current === 0 ? `A new model starts at version 1, not ${JSON.stringify(given.version)}` : `The version must be ${current + 1}, one above the current version ${current}; it is ${JSON.stringify(given.version)}`,
      })
    }
    if (issues.length > 0 || !parsed.ok) throw new ValidationError(issues)
    const model = parsed.model
    const id = await q.insertModel(tx, { key, version: model.version, title: model.title, definition: model, changeNote: input.changeNote, publishedBy: actor.userId }, { ifAbsent: true })
    if (!id) throw new ConflictError(`Version ${model.version} of "${key}" was published by someone else a moment ago`)
    await recordAudit(tx, actor, { action: 'collection', recordType: MODEL_RECORD, recordId: id, purpose: input.changeNote, detail: { key, version: model.version } })
    return { id, version: model.version }
  })
}

/** The answers stored with an assessment, as the scorer reads them. */
function answersOf(stored: unknown): AssessmentAnswers {
  const a = (stored ?? {}) as { factors?: Record<string, { value: number; rationale: string }>; confidence?: number }
  return { factors: a.factors ?? {}, confidence: a.confidence as number }
}

type Carried = { fromId: string; fromVersion: number; judgedAt: string; judgedBy: string }
type StoredResult = AssessmentResult & { carried?: Carried }

/**
 * Carries every current assessment of a key forward to its newest version (administrators, after
 * publishing). An assessment whose answers still fit the new model (the same factors, every value
 * on the new scales, the confidence on the new scale) is scored again from the same answers and
 * rationales: a new assessment with carried_from_id set supersedes it. One that does not fit keeps
 * its old version and is listed, to be re-scored by a person; the boards flag it meanwhile.
 *
 * Set-based: the assessments are read once, scored in memory and written in batches, in one
 * transaction, so 6,000 groups take seconds and a failure leaves nothing half-carried. It runs with
 * the owner's privileges because it must reach every agency's assessments, which no single user may
 * see; the capability check above stands in for row-level security and the log records it.
 */
export async function rescoreAll(db: Database, actor: Actor, modelKey: string): Promise<RescoreOut> {
  must(actor, 'prioritisation.manage', 'Only an administrator can carry assessments forward to a new model version')
  return asSystem(db, async (tx) => {
    const versions = (await q.listModels(tx)).filter((r) => r.key === modelKey)
    if (versions.length === 0) throw new NotFoundError('Model')
    const newest = versions.reduce((a, b) => (b.version > a.version ? b : a))
    const model = definitionOf(newest)
    const candidates = await q.lockOlderCurrent(tx, modelKey, newest.version)
    const carried: q.NewAssessment[] = []
    const needsRescore: RescoreOut['needsRescore'] = []
    for (const c of candidates) {
      const subject: q.SubjectRef = { subjectType: c.subject_type, groupId: c.group_id, personId: c.person_id, threatArea: c.threat_area }
      const problems: FieldIssue[] = []
      if (!model.subjects.includes(c.subject_type)) problems.push({ field: 'subjectType', message: `Version ${model.version} no longer scores a ${c.subject_type}` })
      const answers = answersOf(c.answers)
      const scored = problems.length === 0 ? scoreAssessment(model, answers) : null
      if (!scored || !scored.ok) {
        needsRescore.push({ assessmentId: c.id, subjectType: c.subject_type, subjectId: c.group_id ?? c.person_id, threatArea: c.threat_area, problems: scored && !scored.ok ? scored.problems : problems })
        continue
      }
      const result: StoredResult = {
        ...scored.result,
        carried: { fromId: c.id, fromVersion: c.model_version, judgedAt: c.judged_at ?? c.scored_at.toISOString(), judgedBy: c.judged_by ?? c.scored_by },
      }
      carried.push({
        id: randomUUID(),
        modelId: newest.id,
        modelKey,
        subject,
        answers: c.answers,
        score: scored.result.score,
        band: scored.result.band.id,
        confidence: scored.result.confidence.value,
        opportunity: scored.result.opportunity.level,
        result,
        carriedFromId: c.id,
        reviewDate: c.review_date,
        owningAgencyId: c.owning_agency_id,
        scoredBy: actor.userId,
      })
    }

    const BATCH = 1000
    for (let i = 0; i < carried.length; i += BATCH) {
      const batch = carried.slice(i, i + BATCH)
      const written = await q.supersedeWith(tx, batch)
      // The rows were locked when read, so every one must have been carried.
      if (written !== batch.length) throw new ConflictError(`Carrying forward wrote ${written} of ${batch.length} assessments; nothing was changed`)
    }
    await recordAudit(tx, actor, {
      action: 'alteration',
      recordType: ASSESSMENT_RECORD,
      purpose: `Carrying ${modelKey} assessments forward to version ${newest.version}`,
      detail: {
        modelKey,
        version: newest.version,
        considered: candidates.length,
        carried: carried.length,
        needsRescore: needsRescore.length,
        // People's scores are personal data: name whose were re-scored.
        people: carried.flatMap((a) => (a.subject.personId ? [a.subject.personId] : [])),
      },
    })
    return { modelKey, version: newest.version, considered: candidates.length, carried: carried.length, needsRescore }
  })
}

/** The newest version of the model that scores a kind of subject: the named key, or the first key that covers it. */
function modelFor(models: Catalogue, subjectType: Subject, key?: string): LoadedModel {
  const latest = models.latest
  const covering = latest.filter((r) => definitionOf(r).subjects.includes(subjectType))
  if (key) {
    const named = latest.find((r) => r.key === key)
    if (!named) throw new ValidationError([{ field: 'modelKey', message: `There is no model "${key}"` }])
    if (!covering.includes(named)) throw new ValidationError([{ field: 'modelKey', message: `The "${key}" model does not score a ${subjectLabel(subjectType)}` }])
    return { row: named, definition: definitionOf(named) }
  }
  const first = covering[0]
  if (!first) throw new NotFoundError(`Prioritisation model for a ${subjectLabel(subjectType)}`)
  return { row: first, definition: definitionOf(first) }
}

const subjectLabel = (s: Subject) => (s === 'threat_area' ? 'threat area' : s)

// Subjects

/** What a re-score prompt needs to know about a group. */
type GroupChanges = Pick<q.GroupSubject, 'members_changed_at' | 'intelligence_changed_at' | 'disruptions_changed_at'>

type ResolvedSubject = {
  ref: q.SubjectRef
  name: string
  href: string | null
  group: GroupChanges | null
  person: { role: string | null } | null
}

const refOf = (subjectType: Subject, subjectId: string | undefined | null, threatArea: string | undefined | null): q.SubjectRef => ({
  subjectType,
  groupId: subjectType === 'group' ? (subjectId ?? null) : null,
  personId: subjectType === 'person' ? (subjectId ?? null) : null,
  threatArea: subjectType === 'threat_area' ? (threatArea ?? null) : null,
})

/** Raised inside a transaction when the subject is not visible, after the refusal has been logged. */
class RefusedSubject extends Error {
  constructor(readonly what: string) {
    super(`${what} not visible`)
  }
}

/**
 * Runs work as the user. If the subject turns out not to be visible, the transaction still commits
 * (so the logged refusal stands) and the caller gets "not found". resolveSubject is always called
 * before anything is written, so nothing else can be committed with the refusal.
 */
async function asUserSeeing<T>(db: Database, actor: Actor, work: (tx: Tx) => Promise<T>): Promise<T> {
  const outcome = await asUser(db, actor, async (tx): Promise<{ value: T } | { refused: string }> => {
    try {
      return { value: await work(tx) }
    } catch (error) {
      if (error instanceof RefusedSubject) return { refused: error.what }
      throw error
    }
  })
  if ('refused' in outcome) throw new NotFoundError(outcome.refused)
  return outcome.value
}

/** The subject if the actor may see it; otherwise the refusal is logged and RefusedSubject raised. */
async function resolveSubject(tx: Tx, actor: Actor, ref: q.SubjectRef, purpose: string): Promise<ResolvedSubject> {
  if (ref.subjectType === 'group') {
    const group = (await groupSummaries(tx, [ref.groupId!])).get(ref.groupId!)
    if (!group) {
      await records.recordRefusal(tx, actor, GROUP_KIND, ref.groupId!, purpose)
      throw new RefusedSubject('Group')
    }
    return {
      ref,
      name: groupLabel(group.name, group.operationName),
      href: `/groups/${group.id}`,
      group: { members_changed_at: group.membersChangedAt, intelligence_changed_at: group.intelligenceChangedAt, disruptions_changed_at: group.disruptionsChangedAt },
      person: null,
    }
  }
  if (ref.subjectType === 'person') {
    const person = (await entitySummaries(tx, [ref.personId!])).get(ref.personId!)
    if (!person || person.schema !== 'Person') {
      await records.recordRefusal(tx, actor, PERSON_KIND, ref.personId!, purpose)
      throw new RefusedSubject('Person')
    }
    return { ref, name: person.caption, href: `/entities/people/${person.id}`, group: null, person: { role: person.personRole } }
  }
  return { ref, name: THREAT_AREA_LABELS[ref.threatArea as ThreatArea] ?? ref.threatArea!, href: null, group: null, person: null }
}

/** A person's assessments are personal data: every look at one is logged against the person. */
async function auditPersonConsultation(tx: Tx, actor: Actor, subject: ResolvedSubject, purpose: string, detail: Record<string, string | string[]>): Promise<void> {
  if (subject.ref.subjectType !== 'person') return
  await recordAudit(tx, actor, { action: 'consultation', recordType: q.ENTITY_RECORD, recordId: subject.ref.personId, purpose, detail })
}

// Re-score prompts

type ModelVersions = Map<string, Array<{ version: number; published_at: Date }>>

/**
 * Every model version, by id and by key, and the newest of each key, read once a request: boards take
 * labels and versions from here, not from each row.
 */
type Catalogue = { byId: Map<string, LoadedModel>; versions: ModelVersions; latest: q.ModelRow[] }

async function catalogue(tx: Queryable): Promise<Catalogue> {
  // Ordered by key, newest version first. Definitions are read only for versions this process has
  // not yet checked: a version never changes, and the two shipped models are 19 KB of JSON that
  // every board request parsed.
  const heads = await q.listModelHeads(tx)
  const unchecked = heads.filter((h) => !checkedDefinitions.has(h.id)).map((h) => h.id)
  if (unchecked.length > 0) for (const row of await q.modelsById(tx, unchecked)) definitionOf(row)
  const rows: q.ModelRow[] = heads.map((h) => ({ ...h, definition: checkedDefinitions.get(h.id) }))
  const versions: ModelVersions = new Map()
  for (const r of rows) versions.set(r.key, [...(versions.get(r.key) ?? []), { version: r.version, published_at: r.published_at }])
  const latest = rows.filter((r, i) => i === 0 || rows[i - 1]!.key !== r.key)
  return { byId: new Map(rows.map((r) => [r.id, { row: r, definition: definitionOf(r) }])), versions, latest }
}


type Staleness = {
  modelKey: string
  assessment: { judgedAt: Date; reviewDate: string | null; modelVersion: number } | null
  group: GroupChanges | null
}

/** Why a subject's score may be out of date, from the pure rule in src/core/scoring/rescore.ts. */
function promptsFor(s: Staleness, versions: ModelVersions, now: Date): PromptOut[] {
  const changes: Array<{ kind: ChangeKind; at: Date }> = []
  if (s.group) {
    if (s.group.members_changed_at) changes.push({ kind: 'members', at: s.group.members_changed_at })
    if (s.group.intelligence_changed_at) changes.push({ kind: 'intelligence', at: s.group.intelligence_changed_at })
    if (s.group.disruptions_changed_at) changes.push({ kind: 'disruptions', at: s.group.disruptions_changed_at })
  }
  if (s.assessment) {
    for (const v of versions.get(s.modelKey) ?? []) {
      // Every version newer than the one scored with; dated no earlier than the judgement so that a
      // version published before an assessment carried forward still counts.
      if (v.version > s.assessment.modelVersion) changes.push({ kind: 'model', at: new Date(Math.max(v.published_at.getTime(), s.assessment.judgedAt.getTime() + 1)) })
    }
  }
  return rescorePrompts({ lastAssessedAt: s.assessment?.judgedAt ?? null, reviewDate: s.assessment?.reviewDate ?? null, changes, now }).map((p) => ({
    reason: p.reason,
    message: p.message,
    at: p.at ? p.at.toISOString() : null,
    count: p.count,
  }))
}

const judgedAtOf = (result: unknown, scoredAt: Date): Date => {
  const carried = (result as StoredResult | null)?.carried
  return carried?.judgedAt ? new Date(carried.judgedAt) : scoredAt
}

// Assessments

/** A date some months after the UK date of `now`, for the form's suggested review date. */
function monthsAfter(now: Date, months: number): string {
  const [y, m, d] = ukDay(now).split('-').map(Number) as [number, number, number]
  const date = new Date(Date.UTC(y, m - 1 + months, Math.min(d, 28)))
  return date.toISOString().slice(0, 10)
}

function summaryOfAssessment(row: q.AssessmentRow, agencies: Map<string, string>, users: Map<string, string>): AssessmentSummaryOut {
  const result = row.result as StoredResult
  return {
    id: row.id,
    modelId: row.model_id,
    modelKey: row.model_key,
    modelVersion: row.model_version,
    modelTitle: row.model_title,
    subjectType: row.subject_type,
    subjectId: row.group_id ?? row.person_id,
    threatArea: row.threat_area,
    score: Number(row.score),
    band: result.band,
    confidence: result.confidence,
    opportunity: result.opportunity,
    reviewDate: row.review_date,
    owningAgencyId: row.owning_agency_id,
    owningAgencyName: agencies.get(row.owning_agency_id) ?? 'Unknown agency',
    scoredBy: users.get(row.scored_by) ?? 'Unknown user',
    scoredAt: row.scored_at.toISOString(),
    carriedFromId: row.carried_from_id,
    judgedAt: judgedAtOf(row.result, row.scored_at).toISOString(),
    supersededAt: row.superseded_at?.toISOString() ?? null,
    supersededById: row.superseded_by_id,
    current: row.superseded_at === null,
  }
}

async function namesFor(tx: Queryable, rows: readonly q.AssessmentRow[]) {
  const [agencies, users] = await Promise.all([
    agencyNames(tx, [...new Set(rows.map((r) => r.owning_agency_id))]),
    displayNames(tx, [...new Set(rows.flatMap((r) => [r.scored_by, ...((r.result as StoredResult).carried ? [(r.result as StoredResult).carried!.judgedBy] : [])]))]),
  ])
  return { agencies, users }
}

export type AssessmentForm = {
  subject: { type: Subject; id: string | null; threatArea: string | null; name: string; href: string | null }
  model: { id: string; key: string; version: number; title: string; definition: ModelDefinition }
  current: AssessmentSummaryOut | null
  prompts: PromptOut[]
  /** What the form starts with: the current assessment's answers where they fit this model. */
  values: Record<string, string>
}

/** What the assessment form needs: the subject, the current model for it, and the answers to start from. */
export async function assessmentForm(db: Database, actor: Actor, raw: unknown, now: Date): Promise<AssessmentForm> {
  must(actor, 'records.write', 'Your role cannot score assessments')
  const query = parseInput(SubjectQuery, raw)
  return asUserSeeing(db, actor, async (tx) => {
    const models = await catalogue(tx)
    const model = modelFor(models, query.subjectType, query.model)
    const subject = await resolveSubject(tx, actor, refOf(query.subjectType, query.subjectId, query.threatArea), 'Scoring an assessment')
    if (subject.person && subject.person.role !== 'suspect') throw new ValidationError([notASuspect(subject.person.role)])
    const current = await q.currentAssessment(tx, actor, model.row.key, subject.ref)
    const { agencies, users } = await namesFor(tx, current ? [current] : [])
    await auditPersonConsultation(tx, actor, subject, 'Scoring an assessment', { model: model.row.key })
    const values: Record<string, string> = { reviewDate: monthsAfter(now, 3) }
    if (current) {
      const previous = answersOf(current.answers)
      for (const f of model.definition.factors) {
        const a = previous.factors[f.id]
        if (a && f.scale.some((s) => s.value === a.value)) values[`factors.${f.id}.value`] = String(a.value)
        if (a?.rationale) values[`factors.${f.id}.rationale`] = a.rationale
      }
      if (model.definition.confidence.scale.some((s) => s.value === previous.confidence)) values.confidence = String(previous.confidence)
    }
    const versions = models.versions
    return {
      subject: { type: query.subjectType, id: query.subjectId ?? null, threatArea: query.threatArea ?? null, name: subject.name, href: subject.href },
      model: { id: model.row.id, key: model.row.key, version: model.row.version, title: model.row.title, definition: model.definition },
      current: current ? summaryOfAssessment(current, agencies, users) : null,
      prompts: promptsFor(
        { modelKey: model.row.key, assessment: current ? { judgedAt: judgedAtOf(current.result, current.scored_at), reviewDate: current.review_date, modelVersion: current.model_version } : null, group: subject.group },
        versions,
        now,
      ),
      values,
    }
  })
}

const notASuspect = (role: string | null): FieldIssue => ({
  field: 'subjectId',
  message: `Only people recorded as suspects are scored for priority: this person is recorded as ${role === 'victim' ? 'a victim' : role === 'person_at_risk' ? 'a person at risk' : 'another party'}, and victims and people at risk are never ranked`,
})

/** Keeps the first issue for each field, so a field is not told the same thing twice. */
function firstPerField(issues: readonly FieldIssue[]): FieldIssue[] {
  const seenFields = new Set<string>()
  return issues.filter((i) => (seenFields.has(i.field) ? false : (seenFields.add(i.field), true)))
}

/**
 * Scores a subject with the current model and stores the answers, rationales and explanation. The
 * subject's previous current assessment under that model is superseded, never changed or deleted,
 * so the history stays whole. Invalid answers are refused field by field and nothing is saved.
 */
export async function scoreSubject(db: Database, actor: Actor, raw: unknown, now: Date): Promise<{ id: string; score: number; band: { id: string; label: string } }> {
  must(actor, 'records.write', 'Your role cannot score assessments')
  const parsed = AssessmentInput.safeParse(raw)
  const issues: FieldIssue[] = parsed.success ? [] : issuesOf(parsed.error)
  const loose = (raw ?? {}) as Record<string, unknown>
  const subjectType = SUBJECTS.find((s) => s === loose.subjectType)
  if (!subjectType) throw new ValidationError(firstPerField(issues))
  const input = parsed.success ? parsed.data : null
  if (input && input.reviewDate <= ukDay(now)) issues.push({ field: 'reviewDate', message: 'The review date must be after today' })

  return asUserSeeing(db, actor, async (tx) => {
    const model = modelFor(await catalogue(tx), subjectType, input?.modelKey ?? (typeof loose.modelKey === 'string' && loose.modelKey !== '' ? loose.modelKey : undefined))
    const subjectId = input?.subjectId ?? null
    const threatArea = input?.threatArea ?? null
    const subject = (subjectType === 'threat_area' ? threatArea : subjectId) ? await resolveSubject(tx, actor, refOf(subjectType, subjectId, threatArea), 'Scoring an assessment') : null
    if (subject?.person && subject.person.role !== 'suspect') issues.push(notASuspect(subject.person.role))

    // The scorer checks every answer against the model, whatever shape the request had.
    const answers: AssessmentAnswers = {
      factors: (input?.factors ?? (typeof loose.factors === 'object' && loose.factors !== null ? loose.factors : {})) as AssessmentAnswers['factors'],
      confidence: (input ? input.confidence : loose.confidence) as number,
    }
    const scored = scoreAssessment(model.definition, answers)
    if (!scored.ok) issues.push(...scored.problems)
    if (issues.length > 0 || !input || !subject || !scored.ok) throw new ValidationError(firstPerField(issues))

    const stored = {
      factors: Object.fromEntries(model.definition.factors.map((f) => [f.id, { value: answers.factors[f.id]!.value, rationale: answers.factors[f.id]!.rationale.trim() }])),
      confidence: answers.confidence,
    }
    const previous = await q.lockCurrent(tx, model.row.key, subject.ref)
    const id = randomUUID()
    if (previous) await supersede(tx, [previous.id])
    await q.insertAssessment(tx, {
      id,
      modelId: model.row.id,
      modelKey: model.row.key,
      subject: subject.ref,
      answers: stored,
      score: scored.result.score,
      band: scored.result.band.id,
      confidence: scored.result.confidence.value,
      opportunity: scored.result.opportunity.level,
      result: scored.result,
      carriedFromId: null,
      reviewDate: input.reviewDate,
      owningAgencyId: actor.agencyId,
      scoredBy: actor.userId,
    })
    // The old row is no longer current, so the supersede policy no longer lets the user touch it;
    // pointing it at its successor (which must exist first, for the foreign key) is the platform's.
    if (previous) await withOwnerPrivileges(tx, () => q.linkSuccessors(tx, [{ oldId: previous.id, newId: id }]))
    await recordAudit(tx, actor, {
      action: 'collection',
      recordType: ASSESSMENT_RECORD,
      recordId: id,
      purpose: `Scoring a ${subjectLabel(subjectType)} with ${model.row.title} version ${model.row.version}`,
      detail: { subjectType, subjectId: subject.ref.groupId ?? subject.ref.personId ?? subject.ref.threatArea, score: scored.result.score, band: scored.result.band.id, supersedes: previous?.id ?? null },
    })
    return { id, score: scored.result.score, band: { id: scored.result.band.id, label: scored.result.band.label } }
  })
}

/**
 * Takes the previous assessment out of the current set, inside the scorer's transaction, under the
 * supersede policy of 0009_prioritisation.sql (the row was found and locked under row-level security
 * just before).
 */
async function supersede(tx: Tx, ids: readonly string[]): Promise<void> {
  await q.markSuperseded(tx, ids)
}

/** One assessment with its explanation, if its subject is visible to the actor. */
export async function getAssessment(db: Database, actor: Actor, id: string, now: Date): Promise<AssessmentOut> {
  must(actor, 'records.read', 'Your role cannot see assessments')
  const found = await asUserSeeing(db, actor, async (tx) => {
    const row = await q.findVisibleAssessment(tx, actor, id)
    if (!row) {
      // Tell a refusal from an absence, as for every restricted record.
      const subject = await withOwnerPrivileges(tx, () => tx.selectFrom('assessments').select(['subject_type', 'group_id', 'person_id']).where('id', '=', id).executeTakeFirst())
      if (subject?.group_id) await records.recordRefusal(tx, actor, GROUP_KIND, subject.group_id, 'Viewing an assessment')
      if (subject?.person_id) await records.recordRefusal(tx, actor, PERSON_KIND, subject.person_id, 'Viewing an assessment')
      return null
    }
    const subject = await resolveSubject(tx, actor, refOf(row.subject_type, row.group_id ?? row.person_id, row.threat_area), 'Viewing an assessment')
    await auditPersonConsultation(tx, actor, subject, 'Viewing an assessment', { assessment: row.id })
    const { agencies, users } = await namesFor(tx, [row])
    const versions = (await catalogue(tx)).versions
    const result = row.result as StoredResult
    const summary = summaryOfAssessment(row, agencies, users)
    const prompts = summary.current
      ? promptsFor({ modelKey: row.model_key, assessment: { judgedAt: judgedAtOf(row.result, row.scored_at), reviewDate: row.review_date, modelVersion: row.model_version }, group: subject.group }, versions, now)
      : []
    const judgedBy = result.carried ? (users.get(result.carried.judgedBy) ?? 'Unknown user') : null
    return { ...summary, subjectName: subject.name, subjectHref: subject.href, judgedBy, parts: result.parts, explanation: result.explanation, prompts }
  })
  if (!found) throw new NotFoundError('Assessment')
  return found
}

/** Every assessment of one subject, newest first, under every model and version. */
export async function assessmentHistory(db: Database, actor: Actor, raw: unknown): Promise<HistoryOut & { subjectHref: string | null }> {
  must(actor, 'records.read', 'Your role cannot see assessments')
  const query = parseInput(SubjectQuery, raw)
  return asUserSeeing(db, actor, async (tx) => {
    const subject = await resolveSubject(tx, actor, refOf(query.subjectType, query.subjectId, query.threatArea), 'Viewing the history of assessments')
    const rows = await q.subjectHistory(tx, actor, subject.ref)
    const { agencies, users } = await namesFor(tx, rows)
    await auditPersonConsultation(tx, actor, subject, 'Viewing the history of assessments', { shown: rows.map((r) => r.id) })
    return {
      subjectType: query.subjectType,
      subjectId: query.subjectId ?? null,
      threatArea: query.threatArea ?? null,
      subjectName: subject.name,
      subjectHref: subject.href,
      assessments: rows.map((r) => summaryOfAssessment(r, agencies, users)),
    }
  })
}

// Boards

type BoardChoices = {
  bands: Array<{ id: string; label: string }>
  confidences: Array<{ value: number; label: string }>
}

const choicesOf = (model: ModelDefinition): BoardChoices => ({
  bands: model.bands.map((b) => ({ id: b.id, label: b.label })),
  confidences: model.confidence.scale.map((s) => ({ value: s.value, label: `${s.value} – ${s.label}` })),
})

/** Refuses a band or confidence the board's model does not have, naming the field. */
function checkBoardFilters(model: ModelDefinition, f: { band?: string; confidence?: number }): void {
  const issues: FieldIssue[] = []
  if (f.band && !model.bands.some((b) => b.id === f.band)) issues.push({ field: 'band', message: `Choose a band from the list: ${model.bands.map((b) => b.id).join(', ')}` })
  if (f.confidence !== undefined && !model.confidence.scale.some((s) => s.value === f.confidence)) {
    issues.push({ field: 'confidence', message: `Choose a confidence level from the list: ${model.confidence.scale.map((s) => s.value).join(', ')}` })
  }
  if (issues.length > 0) throw new ValidationError(issues)
}

/** A board row's assessment, labelled from the model version it was scored with. */
function boardAssessment(r: q.BoardAssessmentColumns, models: Catalogue) {
  if (!r.assessment_id) return null
  const model = models.byId.get(r.model_id!)!
  const d = model.definition
  const confidence = Number(r.confidence)
  return {
    id: r.assessment_id,
    score: Number(r.score),
    band: { id: r.band!, label: d.bands.find((b) => b.id === r.band)?.label ?? r.band! },
    confidence: { value: confidence, label: d.confidence.scale.find((p) => p.value === confidence)?.label ?? String(confidence) },
    opportunity: { level: r.opportunity!, label: d.opportunity.levels.find((l) => l.id === r.opportunity)?.label ?? r.opportunity! },
    modelVersion: model.row.version,
    scoredAt: r.scored_at!.toISOString(),
    reviewDate: r.review_date,
  }
}

function stalenessOf(r: q.BoardAssessmentColumns, models: Catalogue) {
  if (!r.assessment_id) return null
  return { judgedAt: r.carried_judged_at ? new Date(r.carried_judged_at) : r.scored_at!, reviewDate: r.review_date, modelVersion: models.byId.get(r.model_id!)!.row.version }
}

/** Groups the actor may see, ranked by their current score under the group model; one page. */
export async function groupBoard(db: Database, actor: Actor, raw: unknown, now: Date) {
  must(actor, 'records.read', 'Your role cannot see the priority boards')
  const query = parseInput(GroupBoardQuery, raw)
  return asUser(db, actor, async (tx) => {
    const models = await catalogue(tx)
    const model = modelFor(models, 'group')
    checkBoardFilters(model.definition, query)
    const { rows, total } = await q.groupBoard(tx, actor, model.row.key, query, query.page, PAGE_SIZE)
    // A board names groups, and groups are restricted records: showing them is a consultation.
    if (rows.length > 0) {
      await recordAudit(tx, actor, { action: 'consultation', recordType: 'group', purpose: 'Viewing the group priority board', detail: { shown: rows.map((r) => r.id) } })
    }
    const offset = (query.page - 1) * PAGE_SIZE
    const groups: GroupBoardRowOut[] = rows.map((r, i) => ({
      rank: r.assessment_id ? offset + i + 1 : null,
      groupId: r.id,
      name: r.name,
      operationName: r.operation_name,
      status: r.status,
      threatAreas: r.threat_areas,
      areas: r.areas,
      owningAgencyId: r.owning_agency_id,
      owningAgencyName: r.owning_agency_name ?? 'Unknown agency',
      assessment: boardAssessment(r, models),
      prompts: promptsFor({ modelKey: model.row.key, assessment: stalenessOf(r, models), group: r }, models.versions, now),
    }))
    return {
      query,
      model: { key: model.row.key, version: model.row.version, title: model.row.title },
      total,
      groups,
      choices: choicesOf(model.definition),
    }
  })
}

/** The people ranking the board uses: version 1's inputs with network centrality (config/prioritisation/people-ranking.v2.json). */
export const PEOPLE_RANKING_WITH_NETWORK: RankingWeights = (() => {
  const parsed = parseRankingWeights(peopleRankingWithNetwork)
  if (!parsed.ok) throw new Error(`config/prioritisation/people-ranking.v2.json is not valid: ${parsed.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`)
  return parsed.weights
})()

/**
 * "Top N people", in the spirit of Operation Liberal: suspects the actor may see, ranked by
 * rankPeople from their own current score, the current scores of the visible groups they belong to
 * and their number of visible links, with each input's share. Victims and people at risk are never
 * candidates, and nothing else about a person reaches the ranking (see peopleRanking.ts). The ids
 * shown are logged as a consultation.
 */
export async function peopleBoard(db: Database, actor: Actor, raw: unknown) {
  must(actor, 'records.read', 'Your role cannot see the priority boards')
  const query = parseInput(PeopleBoardQuery, raw)
  return asUser(db, actor, async (tx) => {
    const models = await catalogue(tx)
    const personModel = modelFor(models, 'person')
    const groupModel = modelFor(models, 'group')
    checkBoardFilters(personModel.definition, query)
    const inputs = await q.peopleRankingInputs(tx, actor, { personKey: personModel.row.key, groupKey: groupModel.row.key }, query)
    const weights = PEOPLE_RANKING_WITH_NETWORK
    // Network position from the network this viewer may see, so a hidden link never moves anyone.
    const centrality = await personCentrality(tx, actor, inputs.map((r) => r.id))
    const ranked = rankPeople(
      inputs.map((r) => ({ personId: r.id, ownScore: r.own_score === null ? null : Number(r.own_score), groupScores: (r.group_scores ?? []).map(Number), linkCount: r.link_count, centrality: centrality.get(r.id) ?? null })),
      weights,
      { top: query.top },
    )
    const details = new Map((await q.peopleBoardDetails(tx, actor, { personKey: personModel.row.key, groupKey: groupModel.row.key }, ranked.map((r) => r.personId))).map((d) => [d.id, d]))
    const linkCounts = new Map(inputs.map((r) => [r.id, r.link_count]))
    const people: PersonBoardRowOut[] = ranked.map((r) => {
      const d = details.get(r.personId)
      return {
        rank: r.rank,
        personId: r.personId,
        name: d?.caption ?? 'Unknown person',
        total: r.total,
        ownAssessment: d?.own_id ? ownAssessmentOf(d, models) : null,
        groups: (d?.groups ?? []).map((g) => ({ id: g.id, name: g.name, score: Number(g.score) })),
        linkCount: linkCounts.get(r.personId) ?? 0,
        components: r.components.map((c) => ({ ...c, raw: c.raw === null ? null : typeof c.raw === 'number' ? c.raw : [...c.raw], sharePercent: Math.round(c.share * 1000) / 10 })),
        missingInputs: r.missingInputs,
      }
    })
    if (people.length > 0) {
      await recordAudit(tx, actor, { action: 'consultation', recordType: q.ENTITY_RECORD, purpose: 'Ranking people on the priority board', detail: { shown: people.map((p) => p.personId), top: query.top } })
    }
    return {
      query,
      weights: { version: weights.version, title: weights.title, description: weights.description },
      weightList: [weights.ownAssessment, weights.groupMembership, weights.links, weights.centrality].filter((w) => w.weight > 0).map((w) => ({ label: w.label, weight: w.weight })),
      considered: inputs.length,
      people,
      choices: choicesOf(personModel.definition),
    }
  })
}

function ownAssessmentOf(d: q.PersonBoardDetail, models: Catalogue) {
  const a = boardAssessment({ assessment_id: d.own_id, score: d.own_score, band: d.own_band, confidence: d.own_confidence, opportunity: d.own_opportunity, model_id: d.own_model_id, scored_at: d.own_scored_at, review_date: null, carried_from_id: null, carried_judged_at: null }, models)!
  return { id: a.id, score: a.score, band: a.band, confidence: a.confidence }
}

/** Threat areas ranked by their current thematic assessment; those not yet assessed come last. */
export async function threatBoard(db: Database, actor: Actor, raw: unknown, now: Date) {
  must(actor, 'records.read', 'Your role cannot see the priority boards')
  const query = parseInput(ThreatBoardQuery, raw)
  return asUser(db, actor, async (tx) => {
    const models = await catalogue(tx)
    const model = modelFor(models, 'threat_area')
    checkBoardFilters(model.definition, query)
    const found = await q.threatBoard(tx, model.row.key)
    const rows = new Map(found.map((r) => [r.threat_area, r]))
    const filtered = query.band !== undefined || query.confidence !== undefined
    const all = THREAT_AREAS.map((t) => ({ t, r: rows.get(t) }))
      .filter(({ r }) => !filtered || (r && (!query.band || r.band === query.band) && (query.confidence === undefined || Number(r.confidence) === query.confidence)))
      .sort((a, b) => (b.r ? Number(b.r.score) : -1) - (a.r ? Number(a.r.score) : -1) || THREAT_AREA_LABELS[a.t].localeCompare(THREAT_AREA_LABELS[b.t]))
    const threats: ThreatBoardRowOut[] = all.map(({ t, r }, i) => ({
      rank: r ? i + 1 : null,
      threatArea: t,
      label: THREAT_AREA_LABELS[t],
      assessment: r ? boardAssessment(r, models) : null,
      prompts: promptsFor({ modelKey: model.row.key, assessment: r ? stalenessOf(r, models) : null, group: null }, models.versions, now),
    }))
    return { query, model: { key: model.row.key, version: model.row.version, title: model.row.title }, threats, choices: choicesOf(model.definition) }
  })
}

export type GroupStanding = {
  assessment: { id: string; score: number; band: { id: string; label: string }; reviewDate: string | null; scoredAt: string } | null
  prompts: PromptOut[]
}

/**
 * Each group's current score and band under the group model and why it may be due for re-scoring,
 * for pages beyond the boards (the LRO's home page, a plan after a disruption). The groups must
 * be ones the transaction's user may see; the caller logs what it shows.
 */
export async function groupStandings(
  tx: Tx,
  actor: Actor,
  groups: ReadonlyArray<{ id: string; membersChangedAt: Date | null; intelligenceChangedAt: Date | null; disruptionsChangedAt: Date | null }>,
  now: Date,
): Promise<Map<string, GroupStanding>> {
  const out = new Map<string, GroupStanding>()
  if (groups.length === 0) return out
  const models = await catalogue(tx)
  // A database without a group model yet (before `achilles migrate` installs the shipped ones) has
  // no scores to show and nothing to prompt.
  if (!models.latest.some((r) => definitionOf(r).subjects.includes('group'))) {
    for (const g of groups) out.set(g.id, { assessment: null, prompts: [] })
    return out
  }
  const model = modelFor(models, 'group')
  const current = new Map((await q.currentGroupAssessments(tx, actor, model.row.key, groups.map((g) => g.id))).map((a) => [a.group_id!, a]))
  for (const g of groups) {
    const row = current.get(g.id) ?? null
    const d = row ? models.byId.get(row.model_id)?.definition : undefined
    const staleness = row ? { judgedAt: judgedAtOf(row.result, row.scored_at), reviewDate: row.review_date, modelVersion: row.model_version } : null
    out.set(g.id, {
      assessment: row ? {
        id: row.id,
        score: Number(row.score),
        band: { id: row.band, label: d?.bands.find((b) => b.id === row.band)?.label ?? row.band },
        reviewDate: row.review_date,
        scoredAt: row.scored_at.toISOString(),
      } : null,
      prompts: promptsFor({
        modelKey: model.row.key,
        assessment: staleness,
        group: { members_changed_at: g.membersChangedAt, intelligence_changed_at: g.intelligenceChangedAt, disruptions_changed_at: g.disruptionsChangedAt },
      }, models.versions, now),
    })
  }
  return out
}
