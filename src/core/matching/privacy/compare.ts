import { blockingRulesFor, type BlockingRule } from '../blocking.ts'
import { NOT_COMPARED, type Comparison } from '../comparisons.ts'
import { DEFAULT_OPTIONS, linkRecords, type LinkageOptions, type LinkageResult } from '../linkage.ts'
import type { MatchModel } from '../model.ts'
import type { RecordKind } from '../record.ts'
import { countBits, dice, fromBase64 } from './bits.ts'
import { canonicalParameters, encodedFieldsOf, ENCODING_FORMAT, ENCODING_VERSION, type EncodedLine, type EncodedRecord, type EncodingHeader, type EncodingParameters } from './encode.ts'

// Matching encodings as plain records are matched (linkage.ts): the same blocking rules on keyed
// digests, the same Fellegi-Sunter model trained without labels, with each field's string
// similarity replaced by the Dice coefficient of its Bloom filters, sorted into bands.

/** A problem with an encodings file, with the line it is on (the header is line 1). */
export type EncodingProblem = { line: number | null; message: string }

export type ReadEncodings = { header: EncodingHeader; records: EncodedRecord[] } | { problems: EncodingProblem[] }

const HEX_DIGEST = /^[0-9a-f]{32}$/
const HEADER_KEYS = new Set(['format', 'version', 'parameters', 'keyCheck', 'records'])
const PARAMETER_KEYS = new Set(['kind', 'fieldBits', 'recordBits', 'hashes', 'hashing', 'tokenisation', 'fields', 'blocking'])
const LINE_KEYS = new Set(['ref', 'fields', 'clk', 'blocks'])

/** A first line that reads as a CSV heading or a record in clear: what a partner must never upload. */
function looksLikeRawValues(first: string): boolean {
  const t = first.trim()
  return !t.startsWith('{') && (t.includes(',') || t.includes('\t') || t.includes(';'))
}

function isParameters(p: unknown): p is EncodingParameters {
  if (typeof p !== 'object' || p === null) return false
  const o = p as Record<string, unknown>
  return (
    (o.kind === 'person' || o.kind === 'business') &&
    Number.isInteger(o.fieldBits) && (o.fieldBits as number) % 32 === 0 && (o.fieldBits as number) >= 64 && (o.fieldBits as number) <= 65_536 &&
    Number.isInteger(o.recordBits) && (o.recordBits as number) % 32 === 0 && (o.recordBits as number) >= 64 && (o.recordBits as number) <= 65_536 &&
    Number.isInteger(o.hashes) &&
    typeof o.hashing === 'string' && typeof o.tokenisation === 'string' &&
    Array.isArray(o.fields) && o.fields.every((f) => typeof f === 'string') &&
    Array.isArray(o.blocking) && o.blocking.every((f) => typeof f === 'string')
  )
}

/**
 * Reads an encodings file (JSON lines: a header, then one encoded record a line) for `source`.
 * Every fault is listed with its line; a file with any fault gives no records.
 */
export function readEncodings(text: string, source: number, maxProblems = 20): ReadEncodings {
  const lines = text.split(/\r?\n/)
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop()
  if (lines.length === 0) return { problems: [{ line: null, message: 'The file is empty: it should be the encodings file written by `achilles encode`' }] }
  let header: EncodingHeader
  try {
    header = JSON.parse(lines[0]!) as EncodingHeader
  } catch {
    if (looksLikeRawValues(lines[0]!)) return { problems: [{ line: 1, message: 'The file looks like records in clear (a CSV or spreadsheet), not encodings: never upload raw records. Encode them on your own machine with `achilles encode` and upload the file it writes' }] }
    return { problems: [{ line: 1, message: 'The first line is not JSON: this is not an encodings file written by `achilles encode`' }] }
  }
  if (typeof header !== 'object' || header === null || header.format !== ENCODING_FORMAT) return { problems: [{ line: 1, message: 'The first line does not name the encodings format: this is not a file written by `achilles encode`' }] }
  if (header.version !== ENCODING_VERSION) return { problems: [{ line: 1, message: `The file is encoding version ${String(header.version)}; this hub reads version ${ENCODING_VERSION}: encode it again with this version of Achilles` }] }
  if (!isParameters(header.parameters) || typeof header.keyCheck !== 'string' || !HEX_DIGEST.test(header.keyCheck)) return { problems: [{ line: 1, message: 'The header\'s parameters or key check are missing or malformed' }] }
  const p = header.parameters
  // Only what `achilles encode` writes is accepted: an extra key could carry a value in clear.
  const extraHeader = Object.keys(header).filter((k) => !HEADER_KEYS.has(k))
  const extraParameters = Object.keys(p).filter((k) => !PARAMETER_KEYS.has(k))
  if (extraHeader.length > 0 || extraParameters.length > 0) return { problems: [{ line: 1, message: `The header holds ${[...extraHeader, ...extraParameters.map((k) => `parameters.${k}`)].map((k) => `"${k}"`).join(', ')}, which \`achilles encode\` never writes: only encodings are accepted` }] }
  if (JSON.stringify(p.fields) !== JSON.stringify(encodedFieldsOf(p.kind)) || JSON.stringify(p.blocking) !== JSON.stringify(blockingRulesFor(p.kind).map((r) => r.key))) {
    return { problems: [{ line: 1, message: 'The header lists other fields or blocking keys than this version of Achilles encodes: encode the file again with this version' }] }
  }
  const problems: EncodingProblem[] = []
  const records: EncodedRecord[] = []
  const fieldIndex = new Map(p.fields.map((f, i) => [f, i]))
  const blockKeys = new Set(p.blocking)
  const seen = new Set<string>()
  for (let i = 1; i < lines.length && problems.length < maxProblems; i++) {
    const lineNumber = i + 1
    if (lines[i]!.trim() === '') continue
    let line: EncodedLine
    try {
      line = JSON.parse(lines[i]!) as EncodedLine
    } catch {
      problems.push({ line: lineNumber, message: 'is not JSON' })
      continue
    }
    if (typeof line !== 'object' || line === null || typeof line.ref !== 'string' || !HEX_DIGEST.test(line.ref) || typeof line.fields !== 'object' || line.fields === null || Array.isArray(line.fields) || typeof line.clk !== 'string' || typeof line.blocks !== 'object' || line.blocks === null || Array.isArray(line.blocks)) {
      problems.push({ line: lineNumber, message: 'is not an encoded record: it needs ref (a 32-character hex digest), fields, clk and blocks' })
      continue
    }
    const extra = Object.keys(line).filter((k) => !LINE_KEYS.has(k))
    if (extra.length > 0) {
      problems.push({ line: lineNumber, message: `holds ${extra.map((k) => `"${k}"`).join(', ')} beside the encodings: an encoded record holds only ref, fields, clk and blocks, never a value` })
      continue
    }
    if (seen.has(line.ref)) {
      problems.push({ line: lineNumber, message: 'repeats the reference of an earlier record: each record may appear once' })
      continue
    }
    seen.add(line.ref)
    const filters: EncodedRecord['filters'] = p.fields.map(() => null)
    const texts: EncodedRecord['texts'] = p.fields.map(() => null)
    const counts = new Int32Array(p.fields.length)
    let bad = false
    for (const [field, value] of Object.entries(line.fields)) {
      const index = fieldIndex.get(field)
      const filter = typeof value === 'string' ? fromBase64(value, p.fieldBits) : null
      if (index === undefined || filter === null) {
        problems.push({ line: lineNumber, message: index === undefined ? `holds a field "${field}" the header does not list` : `field "${field}" is not a base64 filter of ${p.fieldBits} bits` })
        bad = true
        break
      }
      filters[index] = filter
      texts[index] = value as string
      counts[index] = countBits(filter)
      // `achilles encode` leaves a field out rather than send an empty filter.
      if (counts[index] === 0) {
        problems.push({ line: lineNumber, message: `field "${field}" is an empty filter: leave out a field that has no value` })
        bad = true
        break
      }
    }
    const clk = fromBase64(line.clk, p.recordBits)
    if (!bad && clk === null) {
      problems.push({ line: lineNumber, message: `clk is not a base64 filter of ${p.recordBits} bits` })
      bad = true
    }
    for (const [rule, digest] of Object.entries(line.blocks)) {
      if (bad) break
      if (!blockKeys.has(rule) || typeof digest !== 'string' || !HEX_DIGEST.test(digest)) {
        problems.push({ line: lineNumber, message: `blocking digest "${rule}" is not one the header lists, or not a 32-character hex digest` })
        bad = true
      }
    }
    if (bad) continue
    records.push({ source, id: line.ref, filters, counts, texts, clk: clk!, clkCount: countBits(clk!), blocks: line.blocks })
  }
  if (problems.length > 0) return { problems }
  if (typeof header.records === 'number' && header.records !== records.length) return { problems: [{ line: 1, message: `The header says ${header.records} records but the file holds ${records.length}: it may have been cut short` }] }
  return { header, records }
}

/** Why two files cannot be compared, or null when they were encoded alike. */
export function incompatibility(a: EncodingHeader, b: EncodingHeader): string | null {
  if (canonicalParameters(a.parameters) !== canonicalParameters(b.parameters)) return 'The files were encoded with different parameters (kind, filter sizes, hashing or fields): encode both with the same version of Achilles and the same options'
  if (a.keyCheck !== b.keyCheck) return 'The files were encoded with different secrets: their key check values differ'
  return null
}

/** Dice of one field's filters, or null when either side gave nothing. */
function fieldDice(a: EncodedRecord, b: EncodedRecord, i: number): number | null {
  const fa = a.filters[i]
  const fb = b.filters[i]
  if (!fa || !fb) return null
  if (a.texts[i] === b.texts[i]) return 1
  return dice(fa, fb, a.counts[i]!, b.counts[i]!)
}

/** Bands of Dice, strongest first: a pair in none of them disagrees. */
type Bands = readonly number[]

const band = (d: number, bands: Bands, offset: number) => {
  for (let l = 0; l < bands.length; l++) if (d >= bands[l]!) return l + offset
  return bands.length + offset
}

const bandLabels = (bands: Bands) => bands.map((b) => `similar filters (Dice ${b.toFixed(2)} or more)`)

function diceComparison(key: string, label: string, index: number, bands: Bands, termFrequency: boolean): Comparison<EncodedRecord> {
  return {
    key,
    label,
    levels: ['the same encoding', ...bandLabels(bands), 'different'],
    compare(a, b) {
      const d = fieldDice(a, b, index)
      if (d === null) return NOT_COMPARED
      if (d === 1) return 0
      return band(d, bands, 1)
    },
    // The encoding of a common name is itself common: agreement on it says less.
    ...(termFrequency ? { termFrequency: (r: EncodedRecord) => r.texts[index] ?? null } : {}),
  }
}

/** Given and family names share a hashing domain, so a swap shows as each agreeing with the other. */
function nameComparison(key: string, label: string, index: number, other: number, bands: Bands): Comparison<EncodedRecord> {
  return {
    key,
    label,
    levels: ['the same encoding', 'given and family names swapped', ...bandLabels(bands), 'different'],
    compare(a, b) {
      const d = fieldDice(a, b, index)
      if (d === null) return NOT_COMPARED
      if (d === 1) return 0
      if (other >= 0 && a.texts[index] !== null && a.texts[index] === b.texts[other] && a.texts[other] !== null && a.texts[other] === b.texts[index]) return 1
      return band(d, bands, 2)
    },
    termFrequency: (r) => r.texts[index] ?? null,
  }
}

// The bands follow from what a single error does to a field's tokens: one wrong letter in a name of
// n letters changes two of its n+1 bigrams (Dice about 1 - 2/(n+1)), so 0.9 is a typo in a long
// name, 0.8 in a short one, 0.6 two errors; a mistyped date digit keeps 9 of 12 tokens (0.75), a
// swapped day and month 6 of 12 (0.5).
const NAME_BANDS = [0.88, 0.78, 0.66, 0.55]
const DATE_BANDS = [0.7, 0.5, 0.4]
const TEXT_BANDS = [0.85, 0.7, 0.55]
const CODE_BANDS = [0.8, 0.6]

const LABELS: Record<string, string> = {
  given_name: 'Given name', family_name: 'Family name', birth_date: 'Date of birth', postcode: 'Postcode', address: 'Address', town: 'Town',
  email: 'E-mail address', phone: 'Phone number', national_id: 'National identifier', name: 'Business or premises name', company_number: 'Company number',
}

/**
 * The comparisons for encodings with these parameters, only on fields some record in the set holds,
 * or on exactly the fields `only` names (those of a model trained before, so its levels line up).
 */
export function encodedComparisons(parameters: EncodingParameters, records: readonly EncodedRecord[], only?: ReadonlySet<string>): Comparison<EncodedRecord>[] {
  const held = parameters.fields.map((f, i) => (only ? only.has(f) : records.some((r) => r.filters[i] !== null)))
  const index = (f: string) => parameters.fields.indexOf(f)
  const out: Comparison<EncodedRecord>[] = []
  parameters.fields.forEach((field, i) => {
    if (!held[i]) return
    const label = LABELS[field] ?? field
    if (field === 'given_name') out.push(nameComparison(field, label, i, index('family_name'), NAME_BANDS))
    else if (field === 'family_name') out.push(nameComparison(field, label, i, index('given_name'), NAME_BANDS))
    else if (field === 'name') out.push(diceComparison(field, label, i, NAME_BANDS, true))
    else if (field === 'birth_date') out.push(diceComparison(field, label, i, DATE_BANDS, false))
    else if (field === 'address') out.push(diceComparison(field, label, i, TEXT_BANDS, false))
    else if (field === 'postcode' || field === 'town') out.push(diceComparison(field, label, i, CODE_BANDS, true))
    else out.push(diceComparison(field, label, i, CODE_BANDS, false))
  })
  return out
}

/** The plaintext matcher's blocking rules, read on the keyed digests, for the fields the records hold. */
export function encodedBlockingRules(kind: RecordKind, comparisons: readonly Comparison<EncodedRecord>[]): BlockingRule<EncodedRecord>[] {
  const usable = new Set(comparisons.map((c) => c.key))
  return blockingRulesFor(kind)
    .filter((r) => r.uses.every((k) => usable.has(k)))
    .map((r) => ({ key: r.key, label: `${r.label} (keyed digest)`, uses: r.uses, keyOf: (e: EncodedRecord) => e.blocks[r.key] ?? null }))
}

/** Links encoded records (two or more partners' files read with readEncodings) as plain records are linked. */
export function linkEncoded(
  parameters: EncodingParameters,
  records: readonly EncodedRecord[],
  options: Partial<LinkageOptions> & { link: boolean },
): LinkageResult<EncodedRecord> & { comparisons: Comparison<EncodedRecord>[] } {
  const comparisons = encodedComparisons(parameters, records, options.model ? new Set(options.model.comparisons.map((c) => c.key)) : undefined)
  const rules = encodedBlockingRules(parameters.kind, comparisons)
  if (rules.length === 0) throw new Error('No blocking rule can be used with the fields encoded: encode a name, a date of birth, a postcode or an identifier')
  return { ...linkRecords(records, comparisons, rules, { ...DEFAULT_OPTIONS, ...options }), comparisons }
}

/**
 * How often two different people's encodings agree exactly on a field, for a starting model: about
 * one in the number of values in use in a local partnership's records (given names fewer than
 * family names; a date of birth one in some tens of thousands, allowing for shared birthdays of
 * twins and default dates).
 */
const CHANCE_AGREEMENT: Record<string, number> = {
  given_name: 0.02, family_name: 0.01, birth_date: 0.0005, postcode: 0.01, address: 0.002, town: 0.1,
  email: 0.0001, phone: 0.0001, national_id: 0.0001, name: 0.005, company_number: 0.0001,
}

/**
 * A model set by reasoning rather than trained, for uploads too few to train on (a handful of
 * records gives the EM sessions nothing to learn from): a match agrees exactly on a field 85 times
 * in 100, falls in the next band half as often as the one before, and disagrees once in 100;
 * unrelated records agree exactly by the chance above, each looser band three times as often, and
 * otherwise disagree. `prior` is the chance that two records drawn at random match: one over the
 * number of records a question is matched against.
 */
export function startingModel(parameters: EncodingParameters, records: readonly EncodedRecord[], prior: number): MatchModel {
  const comparisons = encodedComparisons(parameters, records)
  return {
    version: 1,
    prior,
    comparisons: comparisons.map((c) => {
      const n = c.levels.length
      const between = n - 2
      const weights = Array.from({ length: between }, (_, l) => 2 ** -l)
      const total = weights.reduce((s, x) => s + x, 0)
      const u0 = CHANCE_AGREEMENT[c.key] ?? 0.01
      const uBetween = Array.from({ length: between }, (_, l) => Math.min(u0 * 3 ** (l + 1), 0.1))
      const uDifferent = 1 - u0 - uBetween.reduce((s, x) => s + x, 0)
      return {
        key: c.key,
        label: c.label,
        termFrequency: c.termFrequency !== undefined,
        levels: c.levels.map((label, l) => ({
          label,
          m: l === 0 ? 0.85 : l === n - 1 ? 0.01 : (0.14 * weights[l - 1]!) / total,
          u: l === 0 ? u0 : l === n - 1 ? uDifferent : uBetween[l - 1]!,
        })),
      }
    }),
    training: { randomPairs: 0, sessions: [] },
  }
}

/** Below this many records in all, the index is scored with the starting model rather than trained. */
export const MIN_TRAINING_RECORDS = 200

/**
 * The model a hub scores questions with: trained without labels on all the uploads (linked between
 * agencies, or one agency's duplicates when it is alone), or the starting model when they are too
 * few to train on or training found no pairs to learn from.
 */
export function indexModel(parameters: EncodingParameters, records: readonly EncodedRecord[], link: boolean): { model: MatchModel; trained: boolean } {
  const prior = 1 / Math.max(records.length, 2)
  if (records.length < MIN_TRAINING_RECORDS) return { model: startingModel(parameters, records, prior), trained: false }
  const { model } = linkEncoded(parameters, records, { link })
  if (model.training.sessions.length === 0) return { model: startingModel(parameters, records, prior), trained: false }
  return { model, trained: true }
}
