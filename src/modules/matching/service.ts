import type { Actor } from '../../core/access/actor.ts'
import { decideVisibility, type HandlingCode, type ProtectiveMarking, type SharingScope } from '../../core/access/visibility.ts'
import { ForbiddenError, NotFoundError, ValidationError, type FieldIssue } from '../../core/errors.ts'
import { comparisonsFor } from '../../core/matching/comparisons.ts'
import { explainScoredPair, linkSourceRecords, pairKey, type Decision } from '../../core/matching/linkage.ts'
import type { Explanation, MatchModel } from '../../core/matching/model.ts'
import { fieldsOf, type CanonicalField, type RecordKind, type SourceRecord } from '../../core/matching/record.ts'
import { describeProblem, readTable, sourceRecords, suggestMatchMapping, type MatchMapping, type Table, type TabularProblem } from '../../core/matching/tabular.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem, asUser, withOwnerPrivileges, type Tx } from '../../db/context.ts'
import * as access from '../../db/visibility.ts'
import { parseInput } from '../../http/validation.ts'
import { recordAudit } from '../audit/service.ts'
import * as entities from '../entities/service.ts'
import * as records from '../records/service.ts'
import { ReasonInput, SharingInput } from '../records/schema.ts'
import { displayNames } from '../users/service.ts'
import * as q from './queries.ts'
import { DatasetImportRequest, datasetFields, DecisionInput, EntityLinkInput, MAX_FILE_BYTES, RunInput } from './schema.ts'
import { z } from 'zod'

// Cross-agency matching (GAIN): partners' datasets imported whole or not at all, matching runs in
// the pure core with the model trained for each dataset pair saved and reused, every pair explained
// field by field, a clerical review queue for the uncertain ones whose decisions feed the next run,
// and confirmed matches linked to the people and businesses Achilles holds. Every reading of a
// partner's records is logged; a run is logged as the combination of the datasets it reads.

export type { DatasetRow, PairRow, RunRow } from './queries.ts'

function mustWrite(actor: Actor) {
  if (!actor.capabilities.includes('records.write')) throw new ForbiddenError('Your role cannot import or match partners’ datasets')
}
function mustRead(actor: Actor) {
  if (!actor.capabilities.includes('records.read')) throw new ForbiddenError('Your role cannot see partners’ datasets')
}

// ---------------------------------------------------------------------------------------------
// Reading a file under a mapping: the dry run. Pure apart from the workbook reader.

export type ProblemOut = TabularProblem & { text: string }
const problemOut = (p: TabularProblem): ProblemOut => ({ ...p, text: describeProblem(p) })

export type DatasetSettings = { kind: RecordKind; idColumn: string; mapping: MatchMapping; encoding?: string | null; sheet?: string | null }

export type FileCheck = {
  table: Table | null
  records: Array<SourceRecord & { row: number }>
  fields: CanonicalField[]
  /** Every problem: any one of them stops the import, so a file is never half imported. */
  problems: ProblemOut[]
  /** Headings no field (nor the identifier) is read from: left out of the dataset, and said so. */
  unusedColumns: string[]
}

export async function checkFile(bytes: Uint8Array, fileName: string, settings: DatasetSettings): Promise<FileCheck> {
  const reading = await readTable(bytes, fileName, { encoding: settings.encoding ?? undefined, sheet: settings.sheet ?? undefined })
  if (!reading.table) return { table: null, records: [], fields: [], problems: reading.problems.map(problemOut), unusedColumns: [] }
  if (reading.problems.length > 0) return { table: reading.table, records: [], fields: [], problems: reading.problems.map(problemOut), unusedColumns: [] }
  const read = sourceRecords(reading.table, { source: 1, idColumn: settings.idColumn, mapping: settings.mapping, kind: settings.kind })
  const fields = fieldsOf(settings.kind).filter((f) => read.records.some((r) => r.values[f] !== undefined) || mappedColumns(settings.mapping[f]).length > 0)
  if (read.records.length === 0 && read.problems.length === 0) {
    read.problems.push({ file: fileName, row: null, column: null, code: 'no_values', message: 'no row holds a record: there is nothing to import' })
  }
  const used = new Set([settings.idColumn, ...Object.values(settings.mapping).flatMap((c) => mappedColumns(c))].map((c) => c.trim().toLowerCase()))
  const unusedColumns = reading.table.headers.filter((h) => h !== '' && !used.has(h.toLowerCase()))
  return { table: reading.table, records: read.records, fields, problems: read.problems.map(problemOut), unusedColumns }
}

const mappedColumns = (given: string | readonly string[] | undefined): string[] => (given === undefined ? [] : (typeof given === 'string' ? [given] : [...given]).map((c) => c.trim()).filter((c) => c !== ''))

/** The mapping as stored: each field with its columns, blanks left out. */
function storedMapping(mapping: MatchMapping): Record<string, string[]> {
  return Object.fromEntries(Object.entries(mapping).map(([f, c]) => [f, mappedColumns(c)] as const).filter(([, c]) => c.length > 0))
}

// ---------------------------------------------------------------------------------------------
// Importing: one transaction, every record or none.

type DatasetMeta = z.infer<z.ZodObject<typeof datasetFields>>

export type ImportOutcome = { imported: false; check: FileCheck } | { imported: true; datasetId: string; check: FileCheck }

export type Progress = (done: number, total: number) => void

const BATCH = 1000

/**
 * Checks the file and, when asked and nothing is wrong, keeps the dataset and all its records in one
 * transaction. Any problem, even one row's, keeps nothing: the partner fixes the file and sends it
 * again, so what is matched is what they hold.
 */
export async function importDataset(db: Database, actor: Actor, bytes: Uint8Array, fileName: string, meta: DatasetMeta, mapping: MatchMapping, options: { commit: boolean; onProgress?: Progress }): Promise<ImportOutcome> {
  mustWrite(actor)
  if (meta.sharingScope !== 'agency' && !actor.capabilities.includes('records.share')) throw new ForbiddenError('Your role cannot share records beyond your agency')
  const check = await checkFile(bytes, fileName, { kind: meta.kind, idColumn: meta.idColumn, mapping, encoding: meta.encoding, sheet: meta.sheet })
  if (!options.commit || check.problems.length > 0 || !check.table) return { imported: false, check }
  const table = check.table
  const datasetId = await asUser(db, actor, async (tx) => {
    await records.checkHandling(tx, actor, meta, 'dataset')
    const id = await q.insertDataset(
      tx,
      {
        name: meta.name,
        kind: meta.kind,
        fileName,
        fileFormat: table.format,
        encoding: table.encoding,
        sheet: table.sheet,
        idColumn: meta.idColumn,
        mapping: storedMapping(mapping),
        fields: check.fields,
        recordCount: check.records.length,
        purpose: meta.purpose,
        protectiveMarking: meta.protectiveMarking,
        handlingCode: meta.handlingCode,
        handlingConditions: meta.handlingConditions,
        sharingScope: meta.sharingScope,
        reviewDate: meta.reviewDate,
      },
      actor.agencyId,
      actor.userId,
    )
    const total = check.records.length
    options.onProgress?.(0, total)
    for (let i = 0; i < total; i += BATCH) {
      await q.insertRecords(tx, id, check.records.slice(i, i + BATCH).map((r) => ({ id: r.id, row: r.row, values: r.values as Record<string, string> })))
      options.onProgress?.(Math.min(total, i + BATCH), total)
    }
    await access.replaceShares(tx, q.RECORD_TYPE, id, meta.sharedWithAgencyIds, actor.userId)
    await recordAudit(tx, actor, {
      action: 'collection',
      recordType: q.RECORD_TYPE,
      recordId: id,
      purpose: meta.purpose,
      detail: { fileName, format: table.format, records: total, kind: meta.kind, marking: meta.protectiveMarking, handling: meta.handlingCode },
    })
    if (meta.sharingScope !== 'agency') {
      await recordAudit(tx, actor, { action: 'disclosure', recordType: q.RECORD_TYPE, recordId: id, purpose: meta.purpose, recipients: meta.sharingScope === 'partnership' ? ['whole-partnership'] : [...meta.sharedWithAgencyIds] })
    }
    return id
  })
  return { imported: true, datasetId, check }
}

/** A base64 text as bytes, or the field it came in named as faulty. */
function decodeContent(content: string): Uint8Array {
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(content)) throw new ValidationError([{ field: 'content', message: 'content must be the file’s bytes written in base64' }])
  const bytes = Buffer.from(content, 'base64')
  if (bytes.length > MAX_FILE_BYTES) throw new ValidationError([{ field: 'content', message: 'The file must be 50 MB or smaller' }])
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

export type ApiImportOutcome =
  | { status: 200; check: FileCheck; fileName: string }
  | { status: 201; datasetId: string; check: FileCheck }
  | { status: 422; check: FileCheck; fileName: string }

export async function importDatasetFromApi(db: Database, actor: Actor, raw: unknown, onProgress?: Progress): Promise<ApiImportOutcome> {
  mustWrite(actor)
  const request = parseInput(DatasetImportRequest, raw)
  const { fileName, content, mapping, dryRun, ...meta } = request
  const bytes = decodeContent(content)
  const outcome = await importDataset(db, actor, bytes, fileName, meta, mapping, { commit: !dryRun, onProgress })
  if (dryRun) return { status: 200, check: outcome.check, fileName }
  if (!outcome.imported) return { status: 422, check: outcome.check, fileName }
  return { status: 201, datasetId: outcome.datasetId, check: outcome.check }
}

// ---------------------------------------------------------------------------------------------
// The page flow: upload, map, check, import. The bytes wait in match_uploads between steps.

export async function uploadFile(db: Database, actor: Actor, file: { fileName: string | null; bytes: Uint8Array | null; tooLarge: boolean }, now: Date): Promise<string> {
  mustWrite(actor)
  if (file.tooLarge) throw new ValidationError([{ field: 'file', message: `The file must be smaller than ${MAX_FILE_BYTES / 1024 / 1024} MB: split it into smaller files` }])
  if (!file.bytes || file.bytes.length === 0) {
    throw new ValidationError([{ field: 'file', message: file.fileName ? `${file.fileName} is empty: it holds no bytes at all` : 'Choose a CSV or Excel (.xlsx) file to upload' }])
  }
  const fileName = (file.fileName?.trim() || 'upload.csv').slice(0, 255)
  await asSystem(db, (tx) => q.purgeUploads(tx, now))
  return asUser(db, actor, (tx) => q.insertUpload(tx, { fileName, content: Buffer.from(file.bytes!).toString('base64'), createdBy: actor.userId, agencyId: actor.agencyId }))
}

export type UploadView = { id: string; fileName: string; bytes: Uint8Array; settings: Record<string, unknown> }

export async function getUpload(db: Database, actor: Actor, id: string, now: Date): Promise<UploadView> {
  mustWrite(actor)
  const found = await asUser(db, actor, (tx) => q.findUpload(tx, actor.userId, id, now))
  if (!found) throw new NotFoundError('Upload')
  return { id: found.id, fileName: found.fileName, bytes: new Uint8Array(Buffer.from(found.content, 'base64')), settings: found.settings ?? {} }
}

/** The headings of an upload (read with the chosen encoding and sheet), and the mapping to offer. */
export async function uploadTable(upload: UploadView, kind: RecordKind) {
  const s = upload.settings
  const reading = await readTable(upload.bytes, upload.fileName, { encoding: typeof s.encoding === 'string' ? s.encoding : undefined, sheet: typeof s.sheet === 'string' ? s.sheet : undefined })
  const saved = (s.mapping as MatchMapping | undefined) ?? null
  const suggested = reading.table ? suggestMatchMapping(kind, reading.table.headers) : {}
  return { reading, mapping: saved ?? suggested, problems: reading.problems.map(problemOut) }
}

/** The mapping page's form: person-<canonical> or business-<canonical> holds a column heading. */
export function mappingFromForm(kind: RecordKind, body: Record<string, unknown>): MatchMapping {
  const mapping: MatchMapping = {}
  for (const f of fieldsOf(kind)) {
    const v = body[`${kind}-${f}`]
    if (typeof v === 'string' && v.trim() !== '') mapping[f] = v
  }
  return mapping
}

export async function saveUploadSettings(db: Database, actor: Actor, id: string, settings: Record<string, unknown>): Promise<void> {
  await asUser(db, actor, (tx) => q.saveUploadSettings(tx, actor.userId, id, settings))
}

/** The mapping page's fields as a dataset's description, naming each faulty field. */
export function parseDatasetMeta(body: Record<string, unknown>): DatasetMeta {
  return parseInput(z.object(datasetFields), body)
}

export async function importUpload(db: Database, actor: Actor, id: string, body: Record<string, unknown>, now: Date, commit: boolean, onProgress?: Progress): Promise<{ upload: UploadView; outcome: ImportOutcome; meta: DatasetMeta }> {
  const upload = await getUpload(db, actor, id, now)
  const meta = parseDatasetMeta(body)
  const mapping = mappingFromForm(meta.kind, body)
  await saveUploadSettings(db, actor, id, { ...body, _csrf: undefined, mapping })
  const outcome = await importDataset(db, actor, upload.bytes, upload.fileName, meta, mapping, { commit, onProgress })
  if (outcome.imported) await asUser(db, actor, (tx) => q.deleteUpload(tx, actor.userId, id))
  return { upload, outcome, meta }
}

export async function discardUpload(db: Database, actor: Actor, id: string): Promise<void> {
  mustWrite(actor)
  await asUser(db, actor, (tx) => q.deleteUpload(tx, actor.userId, id))
}

// ---------------------------------------------------------------------------------------------
// Datasets

/** A dataset the actor may see by the visibility rule (SQL, row-level security and the core rule), or null after logging the refusal. */
async function seenDataset(tx: Tx, actor: Actor, id: string, now: Date, purpose: string): Promise<q.DatasetRow | null> {
  const found = await q.findVisibleDataset(tx, actor, id)
  if (found) {
    const [shared, grants] = await Promise.all([access.sharedAgencyIds(tx, q.RECORD_TYPE, id), access.activeGrants(tx, q.RECORD_TYPE, id)])
    const decision = decideVisibility(
      actor,
      {
        owningAgencyId: found.owningAgencyId,
        protectiveMarking: found.protectiveMarking as ProtectiveMarking,
        handlingCode: found.handlingCode as HandlingCode,
        handlingConditions: found.handlingConditions,
        sharingScope: found.sharingScope as SharingScope,
        sharedWithAgencyIds: shared,
        grants: grants.map((g) => ({ granteeUserId: g.grantee_user_id, granteeAgencyId: g.grantee_agency_id, expiresAt: g.expires_at, revokedAt: g.revoked_at })),
      },
      now,
    )
    if (decision.visible) return found
  }
  if (await withOwnerPrivileges(tx, () => q.datasetExists(tx, id))) {
    await recordAudit(tx, actor, { action: 'disclosure', outcome: 'refused', recordType: q.RECORD_TYPE, recordId: id, purpose, recipients: [actor.agencyId] })
  }
  return null
}

export async function listDatasets(db: Database, actor: Actor) {
  mustRead(actor)
  return asUser(db, actor, (tx) => q.visibleDatasets(tx, actor))
}

const SAMPLE_RECORDS = 50

/** A dataset with its first records (a logged consultation), its runs and its saved models. */
export async function getDataset(db: Database, actor: Actor, id: string, now: Date) {
  mustRead(actor)
  const purpose = 'Viewing a partner’s dataset for matching'
  return records.seeing(
    db,
    actor,
    async (tx) => {
      const dataset = await seenDataset(tx, actor, id, now, purpose)
      if (!dataset) return null
      const sample = await q.datasetRecords(tx, id, SAMPLE_RECORDS)
      const [runs, models] = await Promise.all([q.recentRuns(tx, 20, id), q.modelsOf(tx, id)])
      await recordAudit(tx, actor, { action: 'consultation', recordType: q.RECORD_TYPE, recordId: id, purpose, detail: { shown: sample.map((r) => r.recordId) } })
      return { dataset, sample, runs, models: models.map((m) => ({ id: m.id, leftDatasetId: m.left_dataset_id, rightDatasetId: m.right_dataset_id, leftName: m.left_name, rightName: m.right_name, trainedAt: m.trained_at, fields: m.fields })) }
    },
    'Dataset',
  )
}

// ---------------------------------------------------------------------------------------------
// Runs

/** The model as shown: each level's m, u and the weight log2(m/u) agreement at it adds. */
export function modelOut(model: MatchModel) {
  return {
    prior: model.prior,
    comparisons: model.comparisons.map((c) => ({ key: c.key, label: c.label, termFrequency: c.termFrequency, levels: c.levels.map((l) => ({ label: l.label, m: l.m, u: l.u, weight: Math.log2(l.m / l.u) })) })),
    training: model.training,
  }
}

const sameKeys = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((k, i) => k === b[i])

/** The two datasets of a run in the order they are stored: smaller id first, the same twice for deduplication. */
const ordered = (a: string, b: string): [string, string] => (a <= b ? [a, b] : [b, a])

export type RunOutcome = { runId: string }

/**
 * Trains (or reuses the saved model of the dataset pair) and runs the matcher over one dataset or
 * two, with the clerical decisions already made for the pair, and keeps every pair at or above the
 * review threshold with its explanation. Logged as a combination of each dataset read.
 */
export async function startRun(db: Database, actor: Actor, raw: unknown, now: Date): Promise<RunOutcome> {
  mustWrite(actor)
  const input = parseInput(RunInput, raw)
  const [leftId, rightId] = ordered(input.leftDatasetId, input.rightDatasetId ?? input.leftDatasetId)
  const link = leftId !== rightId
  const purpose = input.purpose
  const outcome = await asUser(db, actor, async (tx) => {
    const left = await seenDataset(tx, actor, leftId, now, purpose)
    const right = link ? await seenDataset(tx, actor, rightId, now, purpose) : left
    if (!left || !right) return { refused: leftId === input.leftDatasetId ? (!left ? 'leftDatasetId' : 'rightDatasetId') : !left ? 'rightDatasetId' : 'leftDatasetId' } as const
    if (left.kind !== right.kind) {
      throw new ValidationError([{ field: 'rightDatasetId', message: `A dataset of ${left.kind === 'person' ? 'people' : 'businesses and premises'} can be matched only with another of the same kind` }])
    }
    const kind = left.kind
    const fields = link ? left.fields.filter((f) => right.fields.includes(f)) : left.fields
    const comparisons = comparisonsFor(kind, new Set(fields))
    const [leftRecords, rightRecords] = await Promise.all([q.datasetRecords(tx, leftId), link ? q.datasetRecords(tx, rightId) : Promise.resolve([])])
    const source: SourceRecord[] = [...leftRecords.map((r) => ({ source: 1, id: r.recordId, values: r.values })), ...rightRecords.map((r) => ({ source: 2, id: r.recordId, values: r.values }))]
    const rightSource = link ? 2 : 1

    const saved = await q.findModel(tx, leftId, rightId)
    const savedModel = saved?.model as MatchModel | undefined
    const reuse = !input.retrain && savedModel !== undefined && sameKeys(savedModel.comparisons.map((c) => c.key), comparisons.map((c) => c.key))

    const decided = await q.currentDecisions(tx, leftId, rightId)
    const decisions = new Map<string, Decision>(decided.map((d) => [pairKey({ source: 1, id: d.leftRecordId }, { source: rightSource, id: d.rightRecordId }), d.decision as Decision]))

    let result
    try {
      result = linkSourceRecords(kind, source, new Set(fields), { link, threshold: input.matchThreshold, keepFrom: input.reviewThreshold, uSamples: 200_000, seed: 1, model: reuse ? savedModel : undefined, decisions })
    } catch (error) {
      throw new ValidationError([{ field: link ? 'rightDatasetId' : 'leftDatasetId', message: `These datasets cannot be matched: ${(error as Error).message}. The fields both hold are ${fields.join(', ') || 'none'}` }])
    }
    if (!reuse) await q.saveModel(tx, { left: leftId, right: rightId, kind, fields, model: result.model, by: actor.userId })

    const pairs: q.PairInsert[] = result.pairs.map((pair) => {
      const a = result.records[pair.left]!
      const b = result.records[pair.right]!
      // The left record is the left dataset's; within one dataset, the smaller identifier.
      const [l, r] = link ? (a.source === 1 ? [a, b] : [b, a]) : a.id < b.id ? [a, b] : [b, a]
      const band = pair.probability >= input.matchThreshold ? 'match' : pair.probability >= input.reviewThreshold ? 'review' : 'below'
      return { leftRecordId: l.id, rightRecordId: r.id, weight: pair.weight, probability: pair.probability, band, decision: pair.decision, explanation: explainScoredPair(result, result.comparisons, pair), cluster: result.clusters[pair.left]! }
    })
    const runId = await q.insertRun(tx, {
      left: leftId,
      right: rightId,
      kind,
      matchThreshold: input.matchThreshold,
      reviewThreshold: input.reviewThreshold,
      model: result.model,
      modelTrained: !reuse,
      decisionsApplied: result.pairs.filter((p) => p.decision !== null).length,
      figures: { ...result.figures, fields },
      runBy: actor.userId,
      agencyId: actor.agencyId,
    })
    await q.insertPairs(tx, runId, pairs)
    for (const dataset of link ? [left, right] : [left]) {
      await recordAudit(tx, actor, {
        action: 'combination',
        recordType: q.RECORD_TYPE,
        recordId: dataset.id,
        purpose,
        detail: { run: runId, datasets: link ? [leftId, rightId] : [leftId], records: result.figures.records, pairsKept: pairs.length, modelReused: reuse },
      })
    }
    return { runId }
  })
  if ('refused' in outcome) throw new ValidationError([{ field: outcome.refused!, message: 'No dataset you are permitted to see has this id' }])
  return outcome
}

export async function listRuns(db: Database, actor: Actor) {
  mustRead(actor)
  return asUser(db, actor, (tx) => q.recentRuns(tx, 50))
}

const PAIRS_SHOWN = 200

/** The caption of a partner record: its name as the partner wrote it. */
function captionOf(values: Record<string, string> | undefined, id: string): string {
  if (!values) return id
  const name = values.full_name ?? ([values.given_name, values.family_name].filter(Boolean).join(' ') || values.name)
  return name ? `${name} (${id})` : id
}

async function withCaptions(tx: Tx, run: { leftDatasetId: string; rightDatasetId: string }, pairs: readonly q.PairRow[]) {
  const [left, right] = await Promise.all([q.recordsByIds(tx, run.leftDatasetId, pairs.map((p) => p.leftRecordId)), q.recordsByIds(tx, run.rightDatasetId, pairs.map((p) => p.rightRecordId))])
  const decided = await q.currentDecisions(tx, run.leftDatasetId, run.rightDatasetId)
  const current = new Map(decided.map((d) => [`${d.leftRecordId}|${d.rightRecordId}`, d.decision]))
  return pairs.map((p) => ({
    id: p.id,
    runId: p.runId,
    leftRecordId: p.leftRecordId,
    rightRecordId: p.rightRecordId,
    leftCaption: captionOf(left.get(p.leftRecordId)?.values, p.leftRecordId),
    rightCaption: captionOf(right.get(p.rightRecordId)?.values, p.rightRecordId),
    weight: p.weight,
    probability: p.probability,
    band: p.band,
    decision: current.get(`${p.leftRecordId}|${p.rightRecordId}`) ?? null,
  }))
}

/** A run, its model and its pairs (matches and those for review); a logged consultation of the datasets. */
export async function getRun(db: Database, actor: Actor, id: string, now: Date) {
  mustRead(actor)
  return records.seeing(
    db,
    actor,
    async (tx) => {
      const run = await q.findRun(tx, id)
      if (!run) {
        if (await withOwnerPrivileges(tx, () => q.runExists(tx, id))) await recordAudit(tx, actor, { action: 'disclosure', outcome: 'refused', recordType: q.RUN_RECORD_TYPE, recordId: id, purpose: 'Viewing a matching run', recipients: [actor.agencyId] })
        return null
      }
      for (const d of new Set([run.leftDatasetId, run.rightDatasetId])) if (!(await seenDataset(tx, actor, d, now, 'Viewing a matching run'))) return null
      const [matches, review, counts] = await Promise.all([q.runPairs(tx, id, 'match', PAIRS_SHOWN), q.runPairs(tx, id, 'review', PAIRS_SHOWN), q.pairCounts(tx, id)])
      const shown = await withCaptions(tx, run, [...matches, ...review])
      const names = await displayNames(tx, [run.runBy])
      for (const d of new Set([run.leftDatasetId, run.rightDatasetId])) {
        await recordAudit(tx, actor, { action: 'consultation', recordType: q.RECORD_TYPE, recordId: d, purpose: 'Viewing a matching run', detail: { run: id, pairs: shown.length } })
      }
      return {
        run: { ...run, runByName: names.get(run.runBy) ?? run.runBy },
        model: modelOut(run.model as MatchModel),
        matches: shown.filter((p) => p.band === 'match'),
        review: shown.filter((p) => p.band === 'review'),
        counts: { match: counts.match ?? 0, review: counts.review ?? 0, awaitingReview: shown.filter((p) => p.band === 'review' && (p.decision === null || p.decision === 'unsure')).length },
      }
    },
    'Matching run',
  )
}

// ---------------------------------------------------------------------------------------------
// Pairs, their explanation, and clerical decisions

async function seenPair(tx: Tx, actor: Actor, id: string, now: Date, purpose: string) {
  const pair = await q.findPair(tx, id)
  const run = pair ? await q.findRun(tx, pair.runId) : null
  if (!pair || !run) {
    if (await withOwnerPrivileges(tx, () => q.pairExists(tx, id))) await recordAudit(tx, actor, { action: 'disclosure', outcome: 'refused', recordType: q.PAIR_RECORD_TYPE, recordId: id, purpose, recipients: [actor.agencyId] })
    return null
  }
  const left = await seenDataset(tx, actor, run.leftDatasetId, now, purpose)
  const right = run.rightDatasetId === run.leftDatasetId ? left : await seenDataset(tx, actor, run.rightDatasetId, now, purpose)
  if (!left || !right) return null
  return { pair, run, left, right }
}

/** One pair: both records, the explanation of its weight field by field, its decisions and links. Logged. */
export async function getPair(db: Database, actor: Actor, id: string, now: Date) {
  mustRead(actor)
  const purpose = 'Reviewing a possible match between partners’ records'
  return records.seeing(
    db,
    actor,
    async (tx) => {
      const seen = await seenPair(tx, actor, id, now, purpose)
      if (!seen) return null
      const { pair, run, left, right } = seen
      const [leftRecords, rightRecords] = await Promise.all([q.recordsByIds(tx, left.id, [pair.leftRecordId]), q.recordsByIds(tx, right.id, [pair.rightRecordId])])
      const history = await q.decisionHistory(tx, left.id, right.id, pair.leftRecordId, pair.rightRecordId)
      const names = await displayNames(tx, history.map((h) => h.decidedBy))
      const links = await q.entityLinksOf(tx, [
        { datasetId: left.id, recordId: pair.leftRecordId },
        { datasetId: right.id, recordId: pair.rightRecordId },
      ])
      const [summary] = await withCaptions(tx, run, [pair])
      // For a confirmed match, the people or businesses Achilles holds by the same name, to link to.
      const current = history[0]?.decision ?? null
      const confirmed = current === 'same' || (current === null && pair.band === 'match')
      const leftValues = leftRecords.get(pair.leftRecordId)?.values ?? {}
      const name = leftValues.full_name ?? ([leftValues.given_name, leftValues.family_name].filter(Boolean).join(' ') || leftValues.name || '')
      const candidates = confirmed && name !== '' && actor.capabilities.includes('records.write')
        ? await entities.searchEntities(tx, actor, { text: name, schemas: left.kind === 'person' ? ['Person'] : ['Company', 'Organization', 'Address'], limit: 5 })
        : []
      if (candidates.length > 0) await recordAudit(tx, actor, { action: 'consultation', recordType: 'entity', purpose: 'Finding the Achilles record of a confirmed match', detail: { shown: candidates.map((c) => c.id), pair: id } })
      for (const d of new Set([left.id, right.id])) {
        await recordAudit(tx, actor, { action: 'consultation', recordType: q.RECORD_TYPE, recordId: d, purpose, detail: { pair: id, records: d === left.id ? [pair.leftRecordId, ...(d === right.id ? [pair.rightRecordId] : [])] : [pair.rightRecordId] } })
      }
      const side = (r: q.PartnerRecord | undefined, dataset: q.DatasetRow, recordId: string) => ({ datasetId: dataset.id, datasetName: dataset.name, recordId, row: r?.row ?? null, values: r?.values ?? {} })
      return {
        ...summary!,
        explanation: pair.explanation as Explanation,
        left: side(leftRecords.get(pair.leftRecordId), left, pair.leftRecordId),
        right: side(rightRecords.get(pair.rightRecordId), right, pair.rightRecordId),
        decisionAtRun: pair.decisionAtRun,
        history: history.map((h) => ({ id: h.id, decision: h.decision, reason: h.reason, replacesId: h.replacesId, decidedBy: names.get(h.decidedBy) ?? h.decidedBy, decidedAt: h.decidedAt.toISOString() })),
        entityLinks: links.map((k) => ({
          id: k.id,
          side: k.dataset_id === left.id && k.record_id === pair.leftRecordId ? ('left' as const) : ('right' as const),
          entityId: k.entity_id,
          entityCaption: k.caption,
          reason: k.reason,
          linkedAt: k.linked_at.toISOString(),
        })),
        kind: left.kind,
        thresholds: { match: run.matchThreshold, review: run.reviewThreshold },
        candidates: candidates.map((c) => ({ id: c.id, caption: c.caption, schema: c.schema, birthDate: c.birthDate, postcode: c.postcode })),
      }
    },
    'Pair',
  )
}

/**
 * Records a clerical decision on a pair. The first decision may give a reason; changing one in force
 * must (the earlier one is kept, and the new one names it). The next run of the dataset pair reads
 * the decision in force and lets it override the score.
 */
export async function decide(db: Database, actor: Actor, pairId: string, raw: unknown, now: Date): Promise<{ decisionId: string; reversed: boolean }> {
  mustWrite(actor)
  const input = parseInput(DecisionInput, raw)
  const purpose = 'Deciding whether partners’ records are the same person or business'
  const out = await asUser(db, actor, async (tx) => {
    const seen = await seenPair(tx, actor, pairId, now, purpose)
    if (!seen) return null
    const { pair, left, right } = seen
    const [current] = await q.decisionHistory(tx, left.id, right.id, pair.leftRecordId, pair.rightRecordId)
    if (current && current.decision === input.decision) {
      throw new ValidationError([{ field: 'decision', message: `The decision in force is already "${input.decision.replace('_', ' ')}": choose another to change it` }])
    }
    const issues: FieldIssue[] = []
    if (current && (input.reason === null || input.reason.length < 3)) issues.push({ field: 'reason', message: 'Enter why the earlier decision is being changed (at least 3 characters)' })
    if (issues.length > 0) throw new ValidationError(issues)
    const decisionId = await q.insertDecision(tx, {
      left: left.id,
      leftRecordId: pair.leftRecordId,
      right: right.id,
      rightRecordId: pair.rightRecordId,
      decision: input.decision,
      reason: input.reason,
      replacesId: current?.id ?? null,
      pairId,
      by: actor.userId,
      agencyId: actor.agencyId,
    })
    for (const d of new Set([left.id, right.id])) {
      await recordAudit(tx, actor, {
        action: input.decision === 'same' ? 'combination' : 'alteration',
        recordType: q.RECORD_TYPE,
        recordId: d,
        purpose: input.reason ?? purpose,
        detail: { pair: pairId, decision: input.decision, decisionId, replaces: current?.id ?? null, records: [pair.leftRecordId, pair.rightRecordId] },
      })
    }
    return { decisionId, reversed: current !== undefined }
  })
  if (!out) throw new NotFoundError('Pair')
  return out
}

export async function reviewQueue(db: Database, actor: Actor, now: Date, limit = 100) {
  mustRead(actor)
  return asUser(db, actor, async (tx) => {
    const queue = await q.reviewQueue(tx, limit)
    const byRun = new Map<string, typeof queue>()
    for (const p of queue) byRun.set(p.runId, [...(byRun.get(p.runId) ?? []), p])
    const out = []
    for (const pairs of byRun.values()) {
      const first = pairs[0]!
      out.push(...(await withCaptions(tx, first, pairs)).map((p, i) => ({ ...p, leftName: pairs[i]!.leftName, rightName: pairs[i]!.rightName })))
    }
    out.sort((a, b) => Number(a.decision !== null) - Number(b.decision !== null) || b.probability - a.probability)
    const datasets = [...new Set(queue.flatMap((p) => [p.leftDatasetId, p.rightDatasetId]))]
    for (const d of datasets) await recordAudit(tx, actor, { action: 'consultation', recordType: q.RECORD_TYPE, recordId: d, purpose: 'Reading the clerical review queue', detail: { pairs: out.filter((p) => queue.find((x) => x.id === p.id && (x.leftDatasetId === d || x.rightDatasetId === d))).map((p) => p.id) } })
    void now
    return out
  })
}

// ---------------------------------------------------------------------------------------------
// Links from partner records to Achilles entities

/**
 * Links both records of a pair judged the same (by decision, or by a score at or above the match
 * threshold with no decision against) to a person or business Achilles holds, which the actor must
 * be permitted to see. Logged as a combination of the entity with the partners' records.
 */
export async function linkToEntity(db: Database, actor: Actor, pairId: string, raw: unknown, now: Date): Promise<string[]> {
  mustWrite(actor)
  const input = parseInput(EntityLinkInput, raw)
  const purpose = 'Linking partners’ records to a person or business Achilles holds'
  const entity = await entities.getEntity(db, actor, input.entityId, now, purpose).catch((error) => {
    if (error instanceof NotFoundError) throw new ValidationError([{ field: 'entityId', message: 'No person or business you are permitted to see has this id' }])
    throw error
  })
  const out = await asUser(db, actor, async (tx) => {
    const seen = await seenPair(tx, actor, pairId, now, purpose)
    if (!seen) return null
    const { pair, left, right } = seen
    const expected = left.kind === 'person' ? ['Person'] : ['Company', 'Organization', 'Address']
    if (!expected.includes(entity.schema)) throw new ValidationError([{ field: 'entityId', message: left.kind === 'person' ? 'These records are of people: choose a person' : 'These records are of businesses and premises: choose a company, organisation or address' }])
    const [current] = await q.decisionHistory(tx, left.id, right.id, pair.leftRecordId, pair.rightRecordId)
    const same = current ? current.decision === 'same' : pair.band === 'match'
    if (!same) throw new ValidationError([{ field: 'entityId', message: 'Only a confirmed match can be linked: decide first that the two records are the same' }])
    const made: string[] = []
    for (const [dataset, recordId] of [[left.id, pair.leftRecordId], [right.id, pair.rightRecordId]] as const) {
      const id = await q.insertEntityLink(tx, { datasetId: dataset, recordId, entityId: input.entityId, pairId, reason: input.reason, by: actor.userId, agencyId: actor.agencyId })
      if (id) made.push(id)
    }
    await recordAudit(tx, actor, { action: 'combination', recordType: 'entity', recordId: input.entityId, purpose: input.reason, detail: { pair: pairId, datasets: [...new Set([left.id, right.id])], records: [pair.leftRecordId, pair.rightRecordId] } })
    return made
  })
  if (!out) throw new NotFoundError('Pair')
  return out
}

// ---------------------------------------------------------------------------------------------
// A dataset's sharing, and its erasure when the partnership no longer needs it

async function ownDataset(tx: Tx, actor: Actor, id: string, doing: string): Promise<q.DatasetRow> {
  const found = await q.findVisibleDataset(tx, actor, id)
  if (!found) throw new NotFoundError('Dataset')
  if (found.owningAgencyId !== actor.agencyId) throw new ForbiddenError(`Only the agency that holds a dataset can ${doing}`)
  return found
}

/** Changes a dataset's marking, handling and sharing: its owning agency only, logged with the reason. */
export async function changeDatasetSharing(db: Database, actor: Actor, id: string, raw: unknown): Promise<void> {
  if (!actor.capabilities.includes('records.share')) throw new ForbiddenError('Your role cannot change how a dataset is shared')
  const input = parseInput(SharingInput, raw)
  await asUser(db, actor, async (tx) => {
    const dataset = await ownDataset(tx, actor, id, 'change how it is shared')
    await records.checkHandling(tx, actor, input, 'dataset')
    const before = await access.sharedAgencyIds(tx, q.RECORD_TYPE, id)
    await q.updateHandling(tx, id, input, actor.userId)
    await access.replaceShares(tx, q.RECORD_TYPE, id, input.sharedWithAgencyIds, actor.userId)
    await recordAudit(tx, actor, { action: 'alteration', recordType: q.RECORD_TYPE, recordId: id, purpose: input.reason, detail: { marking: input.protectiveMarking, handling: input.handlingCode, scope: input.sharingScope, previousScope: dataset.sharingScope, previousAgencies: before } })
    const added = input.sharingScope === 'partnership' && dataset.sharingScope !== 'partnership' ? ['whole-partnership'] : input.sharedWithAgencyIds.filter((a) => !before.includes(a))
    if (input.sharingScope !== 'agency' && added.length > 0) await recordAudit(tx, actor, { action: 'disclosure', recordType: q.RECORD_TYPE, recordId: id, purpose: input.reason, recipients: added })
  })
}

/**
 * Erases a dataset with its records, and with them the runs, pairs, models, decisions and entity
 * links made from it (they say what the partner held). Its owning agency only, with a reason.
 */
export async function eraseDataset(db: Database, actor: Actor, id: string, raw: unknown): Promise<void> {
  if (!actor.capabilities.includes('records.erase')) throw new ForbiddenError('Your role cannot erase a dataset')
  const input = parseInput(ReasonInput, raw)
  await asUser(db, actor, async (tx) => {
    const dataset = await ownDataset(tx, actor, id, 'erase it')
    await access.forgetRecordAccess(tx, q.RECORD_TYPE, id)
    await q.deleteDataset(tx, id)
    await recordAudit(tx, actor, { action: 'erasure', recordType: q.RECORD_TYPE, recordId: id, purpose: input.reason, detail: { name: dataset.name, records: dataset.recordCount } })
  })
}
