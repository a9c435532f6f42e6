import { createHash } from 'node:crypto'
import type { Actor } from '../../core/access/actor.ts'
import type { Capability } from '../../core/access/roles.ts'
import { ForbiddenError, NotFoundError, ValidationError, type FieldIssue } from '../../core/errors.ts'
import { DEFAULT_OPTIONS } from '../../core/matching/linkage.ts'
import type { MatchModel } from '../../core/matching/model.ts'
import { toBase64 } from '../../core/matching/privacy/bits.ts'
import { indexModel, linkEncoded, readEncodings, type EncodingProblem } from '../../core/matching/privacy/compare.ts'
import type { EncodedLine, EncodedRecord, EncodingHeader } from '../../core/matching/privacy/encode.ts'
import { ENCODING_FORMAT, ENCODING_VERSION } from '../../core/matching/privacy/encode.ts'
import { ukDay } from '../../core/time/ukDates.ts'
import type { Database } from '../../db/connection.ts'
import { asUser, withOwnerPrivileges, type Tx } from '../../db/context.ts'
import { issuesOf, parseInput } from '../../http/validation.ts'
import { agencyNames } from '../agencies/service.ts'
import { recordAudit } from '../audit/service.ts'
import * as q from './queries.ts'
import { MAX_QUERY_RECORDS, QueryInput, UploadInput, type QueryOut, type UploadOut } from './schema.ts'

// The hub of privacy-preserving matching: a hit/no-hit index in the spirit of ECINS's locked
// profiles. Agencies upload keyed Bloom-filter encodings made on their own machines with the
// partnership's secret (the hub never holds it, so it can neither read an encoding nor make one to
// test a guess); the hub links them, trained without labels as plain records are, and answers a
// requester only "agency X holds a probable match; contact ...". No score, no value and no other
// agency's data goes back. Every question is logged, and each agency it hit is told who asked.

/** A pair at or above this probability is a hit (the matcher's own threshold); at STRONG, a strong one. */
export const HIT_THRESHOLD = DEFAULT_OPTIONS.threshold
export const STRONG = 0.99
const RECENT = 20

function must(actor: Actor, capability: Capability, reason: string) {
  if (!actor.capabilities.includes(capability)) throw new ForbiddenError(reason)
}

/** An encodings file's faults as field issues, each naming its line ("row" of the file). */
function fileIssues(field: string, problems: readonly EncodingProblem[]): FieldIssue[] {
  return problems.map((p) => ({ field, message: p.line === null ? p.message : `Line ${p.line}: ${p.message}` }))
}

type Read = { header: EncodingHeader; records: EncodedRecord[] }

function readFile(field: string, text: string, source: number): Read {
  const read = readEncodings(text, source)
  if ('problems' in read) throw new ValidationError(fileIssues(field, read.problems))
  if (read.records.length === 0) throw new ValidationError([{ field, message: 'The file holds no encoded records' }])
  return read
}

/** An encoded record as it is stored and sent: the base64 filters by field, the CLK and the digests. */
function lineOf(header: EncodingHeader, r: EncodedRecord): EncodedLine {
  const fields: Record<string, string> = {}
  header.parameters.fields.forEach((f, i) => {
    if (r.texts[i] !== null) fields[f] = r.texts[i]!
  })
  return { ref: r.id, fields, clk: toBase64(r.clk), blocks: r.blocks }
}

/** A stored upload read back as its file, through the same strict reader as an uploaded one. */
function storedFile(upload: q.UploadRow, lines: readonly EncodedLine[], source: number): Read {
  const header: EncodingHeader = { format: ENCODING_FORMAT, version: ENCODING_VERSION, parameters: upload.parameters, keyCheck: upload.keyCheck, records: lines.length }
  const read = readEncodings([header, ...lines].map((l) => JSON.stringify(l)).join('\n'), source, 1)
  if ('problems' in read) throw new Error(`The stored upload ${upload.id} cannot be read back: ${read.problems[0]!.message}`)
  return read
}

function toUploadOut(u: q.UploadRow, matchedWith: number): UploadOut {
  return {
    id: u.id, kind: u.kind, records: u.records, keyCheck: u.keyCheck, fileName: u.fileName, contact: u.contact, purpose: u.purpose, reviewDate: u.reviewDate,
    uploadedAt: u.updatedAt.toISOString(), rowVersion: u.rowVersion, matchedWith,
  }
}

/** How many other agencies' uploads of each kind were made under the same secret (owner's privileges: counts only). */
async function matchedWithCounts(tx: Tx, agencyId: string, uploads: readonly q.UploadRow[]): Promise<Map<string, number>> {
  if (uploads.length === 0) return new Map()
  return withOwnerPrivileges(tx, async () => {
    const out = new Map<string, number>()
    for (const u of uploads) {
      const all = await q.uploadsOfKind(tx, u.kind)
      out.set(u.id, all.filter((o) => o.agencyId !== agencyId && o.keyCheck === u.keyCheck).length)
    }
    return out
  })
}

export type UploadOutcome = { upload: UploadOut; replaced: boolean; warning: string | null }

/**
 * Stores an agency's encodings, checked line by line first: all of the file or none of it. A new
 * upload of the same kind replaces the agency's earlier one whole.
 */
export async function uploadEncodings(db: Database, actor: Actor, raw: unknown, now: Date): Promise<UploadOutcome> {
  must(actor, 'records.write', 'Your role cannot offer your agency’s records for matching')
  // Every fault at once: the fields', the review date's and each line's of the file.
  const parsed = UploadInput.safeParse(raw)
  const issues: FieldIssue[] = parsed.success ? [] : issuesOf(parsed.error)
  const given = (raw ?? {}) as Record<string, unknown>
  if (typeof given.reviewDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(given.reviewDate) && given.reviewDate <= ukDay(now)) issues.push({ field: 'reviewDate', message: 'The review date must be in the future' })
  let read: Read | null = null
  if (typeof given.encodings === 'string' && given.encodings !== '' && !issues.some((i) => i.field === 'encodings')) {
    try {
      read = readFile('encodings', given.encodings, 1)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      issues.push(...error.issues)
    }
  }
  if (issues.length > 0 || !read || !parsed.success) throw new ValidationError(issues)
  const input = parsed.data
  const file = read
  return asUser(db, actor, async (tx) => {
    const { id, replaced } = await q.saveUpload(tx, {
      agencyId: actor.agencyId, kind: file.header.parameters.kind, keyCheck: file.header.keyCheck, parameters: file.header.parameters, records: file.records.length,
      fileName: input.fileName, contact: input.contact, purpose: input.purpose, reviewDate: input.reviewDate, by: actor.userId,
    })
    if (replaced) await q.deleteEncodings(tx, id)
    await q.insertEncodings(tx, id, file.records.map((r) => lineOf(file.header, r)))
    await recordAudit(tx, actor, {
      action: replaced ? 'alteration' : 'collection', recordType: q.UPLOAD_RECORD, recordId: id, purpose: input.purpose,
      detail: { kind: file.header.parameters.kind, records: file.records.length, keyCheck: file.header.keyCheck, replaced },
    })
    const upload = (await q.ownUploads(tx, actor)).find((u) => u.id === id)!
    const matchedWith = (await matchedWithCounts(tx, actor.agencyId, [upload])).get(id) ?? 0
    // The model is trained here, once per upload, so that a question is answered without waiting
    // for it (FEBRL's 10,000 people: about ten seconds to train, a second to answer).
    const others = await withOwnerPrivileges(tx, async () => {
      const all = await q.uploadsOfKind(tx, upload.kind)
      await currentModel(tx, all.filter((u) => u.keyCheck === upload.keyCheck))
      return all.filter((u) => u.agencyId !== actor.agencyId)
    })
    // A file made with another secret is kept (the partnership may be changing its secret), but it
    // can match only files made with the same one, and the uploader is told.
    const warning = others.length > 0 && matchedWith === 0
      ? `No other agency’s upload was encoded with the same secret (key check ${upload.keyCheck}): your records will match none of theirs until they are encoded alike. Check the secret file you used.`
      : null
    return { upload: toUploadOut(upload, matchedWith), replaced, warning }
  })
}

/** The agency's own uploads, and how many other agencies' each is matched with. */
export async function ownUploads(db: Database, actor: Actor): Promise<UploadOut[]> {
  must(actor, 'records.read', 'Your role cannot use privacy-preserving matching')
  return asUser(db, actor, async (tx) => {
    const uploads = await q.ownUploads(tx, actor)
    const counts = await matchedWithCounts(tx, actor.agencyId, uploads)
    return uploads.map((u) => toUploadOut(u, counts.get(u.id) ?? 0))
  })
}

/** Withdraws the agency's upload of a kind: its encodings are erased and match nothing from now on. */
export async function withdrawUpload(db: Database, actor: Actor, kind: string): Promise<void> {
  must(actor, 'records.write', 'Your role cannot withdraw your agency’s records from matching')
  if (kind !== 'person' && kind !== 'business') throw new NotFoundError('Upload')
  await asUser(db, actor, async (tx) => {
    const id = await q.deleteUpload(tx, actor, kind)
    if (!id) throw new NotFoundError('Upload')
    await recordAudit(tx, actor, { action: 'erasure', recordType: q.UPLOAD_RECORD, recordId: id, purpose: 'Withdrawing records from privacy-preserving matching', detail: { kind } })
  })
}

/** Uploads named by id and version: a model trained on them is current while this is unchanged. */
const fingerprintOf = (uploads: readonly q.UploadRow[]) => createHash('sha256').update(uploads.map((u) => `${u.id}:${u.rowVersion}`).sort().join('|')).digest('hex')

/**
 * The model for uploads of a kind made under one secret, trained without labels on all of them as
 * plain records are (linkage.ts), or set by reasoning while they are too few to train on
 * (compare.ts, indexModel); kept until an upload changes. Runs with the owner's privileges.
 */
async function currentModel(tx: Tx, uploads: readonly q.UploadRow[]): Promise<MatchModel> {
  const { kind, keyCheck, parameters } = uploads[0]!
  const fingerprint = fingerprintOf(uploads)
  const stored = await q.storedModel(tx, kind, keyCheck)
  if (stored && stored.fingerprint === fingerprint) return stored.model
  const lines = await q.encodingsOf(tx, uploads.map((u) => u.id))
  const records = uploads.flatMap((u, i) => storedFile(u, lines.get(u.id)!, i + 1).records)
  // With one agency's upload alone there is nothing to link between, so its duplicates teach the model.
  const { model } = indexModel(parameters, records, uploads.length >= 2)
  await q.saveModel(tx, kind, keyCheck, fingerprint, model)
  return model
}

type Asked = { read: Read; mode: 'encoded' | 'our_upload'; refsShown: boolean }

/**
 * Matches the asked records against every other agency's upload of the kind made under the same
 * secret, and returns the hits (owner's privileges: the other agencies' encodings are read here
 * and nowhere else, and only hits leave this function).
 */
async function hitsFor(tx: Tx, agencyId: string, asked: Asked): Promise<{ hits: q.NewHit[]; searched: number }> {
  const { header, records } = asked.read
  const all = (await q.uploadsOfKind(tx, header.parameters.kind)).filter((u) => u.keyCheck === header.keyCheck)
  const others = all.filter((u) => u.agencyId !== agencyId)
  if (others.length === 0) {
    const any = (await q.uploadsOfKind(tx, header.parameters.kind)).some((u) => u.agencyId !== agencyId)
    if (any && asked.mode === 'encoded') {
      throw new ValidationError([{ field: 'encodings', message: `The file was encoded with a different secret from the other agencies’ uploads (its key check is ${header.keyCheck}): encode it with the partnership’s shared secret` }])
    }
    return { hits: [], searched: 0 }
  }
  const model = await currentModel(tx, all)
  const lines = await q.encodingsOf(tx, others.map((u) => u.id))
  const holders: q.UploadRow[] = []
  const held: EncodedRecord[] = []
  for (const u of others) {
    for (const r of storedFile(u, lines.get(u.id)!, 2).records) {
      held.push(r)
      holders.push(u)
    }
  }
  const linked = linkEncoded(header.parameters, [...records, ...held], { link: true, model })
  const hits: q.NewHit[] = []
  for (const pair of linked.pairs) {
    if (pair.probability < HIT_THRESHOLD) continue
    const [a, h] = pair.left < records.length ? [pair.left, pair.right] : [pair.right, pair.left]
    if (a >= records.length || h < records.length) continue
    const holder = holders[h - records.length]!
    hits.push({ askedRef: asked.refsShown ? records[a]!.id : null, holderAgencyId: holder.agencyId, holderRef: held[h - records.length]!.id, strength: pair.probability >= STRONG ? 'strong' : 'probable', contact: holder.contact })
  }
  return { hits, searched: others.length }
}

/** Asks the index about records encoded for the question, or about the agency's whole upload; the question's id. */
export async function askIndex(db: Database, actor: Actor, raw: unknown): Promise<string> {
  must(actor, 'records.read', 'Your role cannot ask the privacy-preserving index')
  const input = parseInput(QueryInput, raw)
  let encoded: Read | null = null
  if (input.mode === 'encoded') {
    encoded = readFile('encodings', input.encodings!, 1)
    if (encoded.records.length > MAX_QUERY_RECORDS) {
      throw new ValidationError([{ field: 'encodings', message: `The file holds ${encoded.records.length} records; a question may hold at most ${MAX_QUERY_RECORDS}. To match all your records, upload them and ask about your agency’s upload` }])
    }
  }
  return asUser(db, actor, async (tx) => {
    let asked: Asked
    if (encoded) asked = { read: encoded, mode: 'encoded', refsShown: encoded.records.length > 1 }
    else {
      const own = (await q.ownUploads(tx, actor)).find((u) => u.kind === input.kind)
      if (!own) throw new ValidationError([{ field: 'mode', message: `Your agency has not uploaded encodings of ${input.kind === 'person' ? 'people' : 'businesses and premises'}: upload them first, or choose a file encoded for this question` }])
      const lines = await q.encodingsOf(tx, [own.id])
      asked = { read: storedFile(own, lines.get(own.id)!, 1), mode: 'our_upload', refsShown: true }
    }
    const { hits } = await withOwnerPrivileges(tx, () => hitsFor(tx, actor.agencyId, asked))
    const kind = asked.read.header.parameters.kind
    const id = await q.insertQuery(tx, { agencyId: actor.agencyId, by: actor.userId, kind, mode: asked.mode, purpose: input.purpose, recordsAsked: asked.read.records.length, hits })
    const holders = [...new Set(hits.map((h) => h.holderAgencyId))]
    // The question combines the requester's encodings with every other agency's; each agency that
    // holds a match has the fact disclosed to the requester.
    await recordAudit(tx, actor, {
      action: 'combination', recordType: q.QUERY_RECORD, recordId: id, purpose: input.purpose,
      detail: { kind, mode: asked.mode, recordsAsked: asked.read.records.length, hits: hits.length, holders },
    })
    for (const holder of holders) {
      await recordAudit(tx, actor, {
        action: 'disclosure', recordType: q.QUERY_RECORD, recordId: id, purpose: input.purpose, recipients: [actor.agencyId],
        detail: { holder, hits: hits.filter((h) => h.holderAgencyId === holder).length, disclosed: 'that the agency holds a probable match, and its contact' },
      })
    }
    return id
  })
}

/**
 * A question of the actor's agency and its answer: per record asked, the agencies holding a
 * match, their contact and the strength band. Nothing else about the match is kept or shown.
 */
export async function getQuery(db: Database, actor: Actor, id: string): Promise<QueryOut> {
  must(actor, 'records.read', 'Your role cannot ask the privacy-preserving index')
  const found = await asUser(db, actor, async (tx) => {
    const query = await q.findOwnQuery(tx, actor, id)
    if (!query) return null
    const hits = await q.hitsOfOwnQuery(tx, actor, id)
    const names = await agencyNames(tx, [...new Set(hits.map((h) => h.holderAgencyId))])
    await recordAudit(tx, actor, { action: 'consultation', recordType: q.QUERY_RECORD, recordId: id, purpose: 'Reading the answer of a privacy-preserving match' })
    // One line per record asked and agency, at its strongest.
    const best = new Map<string, QueryOut['hits'][number]>()
    for (const h of hits) {
      const key = `${h.askedRef ?? ''}|${h.holderAgencyId}`
      const seen = best.get(key)
      if (!seen || (seen.strength === 'probable' && h.strength === 'strong')) {
        best.set(key, { askedRef: h.askedRef, agencyId: h.holderAgencyId, agencyName: names.get(h.holderAgencyId) ?? 'An agency no longer listed', contact: h.contact, strength: h.strength })
      }
    }
    return {
      id: query.id, kind: query.kind as QueryOut['kind'], mode: query.mode as QueryOut['mode'], purpose: query.purpose, recordsAsked: query.recordsAsked,
      askedAt: query.createdAt.toISOString(), hits: [...best.values()].sort((a, b) => (a.askedRef ?? '').localeCompare(b.askedRef ?? '') || a.agencyName.localeCompare(b.agencyName)),
    }
  })
  if (!found) throw new NotFoundError('Question')
  return found
}

export type Overview = {
  uploads: UploadOut[]
  queries: Array<{ id: string; kind: string; mode: string; purpose: string; recordsAsked: number; hits: number; askedAt: string }>
  hitsOnOurs: Array<{ at: string; agencyName: string; purpose: string; ref: string; strength: string }>
}

/** The agency's uploads, its recent questions, and other agencies' questions that hit its records. */
export async function overview(db: Database, actor: Actor): Promise<Overview> {
  must(actor, 'records.read', 'Your role cannot use privacy-preserving matching')
  return asUser(db, actor, async (tx) => {
    const uploads = await q.ownUploads(tx, actor)
    const counts = await matchedWithCounts(tx, actor.agencyId, uploads)
    const queries = await q.recentOwnQueries(tx, actor, RECENT)
    const hitsOnOurs = await q.hitsOnOwnRecords(tx, actor, RECENT)
    const names = await agencyNames(tx, [...new Set(hitsOnOurs.map((h) => h.requestingAgencyId))])
    if (hitsOnOurs.length > 0) {
      await recordAudit(tx, actor, { action: 'consultation', recordType: q.QUERY_RECORD, purpose: 'Reading the questions that hit our encoded records', detail: { shown: [...new Set(hitsOnOurs.map((h) => h.queryId))] } })
    }
    return {
      uploads: uploads.map((u) => toUploadOut(u, counts.get(u.id) ?? 0)),
      queries: queries.map((x) => ({ id: x.id, kind: x.kind, mode: x.mode, purpose: x.purpose, recordsAsked: x.recordsAsked, hits: x.hits, askedAt: x.createdAt.toISOString() })),
      hitsOnOurs: hitsOnOurs.map((h) => ({ at: h.at.toISOString(), agencyName: names.get(h.requestingAgencyId) ?? 'An agency no longer listed', purpose: h.purpose, ref: h.holderRef, strength: h.strength })),
    }
  })
}
