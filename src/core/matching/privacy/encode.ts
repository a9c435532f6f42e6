import { createHmac } from 'node:crypto'
import { blockingRulesFor } from '../blocking.ts'
import { prepareRecord, type PreparedRecord, type RecordKind, type SourceRecord } from '../record.ts'
import { postcodeParts } from '../values.ts'
import { countBits, toBase64, type Bitset } from './bits.ts'

// Privacy-preserving record linkage (Schnell, Bachteler and Reiher 2009): each partner turns its
// records into keyed Bloom-filter encodings on its own machine and sends only those. A value's
// tokens (padded character bigrams, with a name's Metaphone and nickname keys, a date's year, month
// and day) are each hashed with HMAC-SHA256 under the partnership's secret into k bit positions of a
// filter, one filter per field and one for the whole record (a cryptographic long-term key, CLK).
// Two encodings of similar values share most of their bits, so the Dice coefficient of their filters
// stands in for string similarity; without the secret nobody can hash a guessed name to test it.
// Blocking keys (the plaintext matcher's, blocking.ts) are sent as keyed digests, so the hub can
// find candidate pairs without seeing a value. See docs/privacy-matching.md for limits.

export const ENCODING_FORMAT = 'achilles-bloom-encodings'
export const ENCODING_VERSION = 1

/** A field of an encoding: which value of a prepared record it holds, and the domain its tokens are hashed in. */
type FieldSpec = {
  key: string
  /** Tokens hashed in one domain can meet: given and family names share "name" so a swap is seen. */
  domain: string
  tokens: (r: PreparedRecord) => string[] | null
}

/** Character bigrams of a value padded with a space at each end: "ann" gives " a", "an", "nn", "n ". */
export function paddedBigrams(value: string): string[] {
  const v = ` ${value} `
  const out: string[] = []
  for (let i = 0; i < v.length - 1; i++) out.push(v.slice(i, i + 2))
  return out
}

const name = (value: string | null, key: string | null, sound: string | null): string[] | null => {
  if (value === null) return null
  const tokens = paddedBigrams(value)
  // The nickname or transliteration key and the sound key let William meet Bill and Smith Smyth.
  if (key !== null) tokens.push(`key:${key}`)
  if (sound !== null) tokens.push(`sound:${sound}`)
  return tokens
}

/**
 * A date (YYYYMMDD) as separate year, month and day tokens, the unordered day-and-month pair and
 * each digit in its place: a swapped day and month keeps the year and the pair, a mistyped digit
 * keeps all but three tokens.
 */
export function dateTokens(date: string): string[] {
  const year = date.slice(0, 4)
  const month = date.slice(4, 6)
  const day = date.slice(6, 8)
  const tokens = [`y:${year}`, `m:${month}`, `d:${day}`, `md:${[month, day].sort().join('')}`]
  for (let i = 0; i < date.length; i++) tokens.push(`${i}:${date[i]}`)
  return tokens
}

const PERSON_SPECS: FieldSpec[] = [
  { key: 'given_name', domain: 'name', tokens: (r) => name(r.given, r.givenKey, r.givenSound) },
  { key: 'family_name', domain: 'name', tokens: (r) => name(r.family, r.familyKey, r.familySound) },
  { key: 'birth_date', domain: 'date', tokens: (r) => (r.birthDate === null ? null : dateTokens(r.birthDate)) },
  { key: 'postcode', domain: 'postcode', tokens: (r) => postcodeTokens(r) },
  { key: 'address', domain: 'address', tokens: (r) => (r.address === null ? null : [...paddedBigrams(r.address), ...(r.addressNumber ? [`number:${r.addressNumber}`] : [])]) },
  { key: 'town', domain: 'town', tokens: (r) => (r.town === null ? null : paddedBigrams(r.town)) },
  { key: 'email', domain: 'email', tokens: (r) => (r.email === null ? null : [...paddedBigrams(r.email), `local:${r.email.slice(0, r.email.indexOf('@'))}`]) },
  { key: 'phone', domain: 'phone', tokens: (r) => (r.phone === null ? null : [...paddedBigrams(r.phone), `last7:${r.phone.slice(-7)}`]) },
  { key: 'national_id', domain: 'identifier', tokens: (r) => (r.nationalId === null ? null : paddedBigrams(r.nationalId)) },
]

const BUSINESS_SPECS: FieldSpec[] = [
  { key: 'name', domain: 'business', tokens: (r) => (r.businessName === null ? null : paddedBigrams(r.businessName)) },
  { key: 'company_number', domain: 'identifier', tokens: (r) => (r.companyNumber === null ? null : paddedBigrams(r.companyNumber)) },
  { key: 'address', domain: 'address', tokens: (r) => (r.address === null ? null : [...paddedBigrams(r.address), ...(r.addressNumber ? [`number:${r.addressNumber}`] : [])]) },
  { key: 'postcode', domain: 'postcode', tokens: (r) => postcodeTokens(r) },
]

function postcodeTokens(r: PreparedRecord): string[] | null {
  if (r.postcode === null) return null
  const tokens = paddedBigrams(r.postcode)
  if (r.ukPostcode) {
    const parts = postcodeParts(r.postcode)
    tokens.push(`district:${parts.district}`, `sector:${parts.sector}`)
  }
  return tokens
}

export const encodedFieldsOf = (kind: RecordKind): string[] => (kind === 'person' ? PERSON_SPECS : BUSINESS_SPECS).map((s) => s.key)

/** What a file was encoded with. The hub refuses to compare files whose parameters differ. */
export type EncodingParameters = {
  kind: RecordKind
  /** Bits in each field's filter. */
  fieldBits: number
  /** Bits in the record-level filter (CLK). */
  recordBits: number
  /** Bit positions set per token. */
  hashes: number
  /** How positions are drawn: k independent 32-bit words of HMAC-SHA256(secret, domain, token, counter). */
  hashing: 'hmac-sha256-random'
  tokenisation: 'padded-bigrams+name-keys+date-parts'
  /** The fields encoded, in order. */
  fields: string[]
  /** The blocking keys sent as digests. */
  blocking: string[]
}

export type EncodingOptions = { kind?: RecordKind; fieldBits?: number; recordBits?: number; hashes?: number }

export const DEFAULT_ENCODING = { kind: 'person', fieldBits: 1024, recordBits: 2048, hashes: 20 } as const

/** The first line of an encodings file. */
export type EncodingHeader = {
  format: typeof ENCODING_FORMAT
  version: typeof ENCODING_VERSION
  parameters: EncodingParameters
  /** HMAC of a fixed text and the parameters under the secret: equal exactly when both are. */
  keyCheck: string
  records: number
}

/** One encoded record as written: base64 filters by field, the CLK and blocking digests. No value. */
export type EncodedLine = {
  /** A keyed digest of the partner's record id: the partner finds its record again, nobody else can. */
  ref: string
  fields: Record<string, string>
  clk: string
  blocks: Record<string, string>
}

/** An encoded record as the matcher reads it. */
export type EncodedRecord = {
  source: number
  id: string
  /** Per field of the parameters, its filter or null when not given; with bit counts and the base64 text. */
  filters: Array<Bitset | null>
  counts: Int32Array
  texts: Array<string | null>
  clk: Bitset
  clkCount: number
  /** Blocking digests by rule key. */
  blocks: Record<string, string>
}

/** Subkeys derived from the secret, one per use, so a digest made for one purpose serves no other. */
type Keys = { bloom: Buffer; block: Buffer; ref: Buffer; check: Buffer }

function deriveKeys(secret: Uint8Array): Keys {
  const sub = (purpose: string) => createHmac('sha256', secret).update(`achilles-pprl-v1:${purpose}`).digest()
  return { bloom: sub('bloom'), block: sub('block'), ref: sub('ref'), check: sub('check') }
}

export const MIN_SECRET_BYTES = 16

function checkSecret(secret: Uint8Array): void {
  if (secret.length < MIN_SECRET_BYTES) throw new Error(`The partnership secret is ${secret.length} bytes: it must be at least ${MIN_SECRET_BYTES} bytes (32 random bytes are recommended)`)
}

function parametersFor(options: EncodingOptions): EncodingParameters {
  const kind = options.kind ?? DEFAULT_ENCODING.kind
  const fieldBits = options.fieldBits ?? DEFAULT_ENCODING.fieldBits
  const recordBits = options.recordBits ?? DEFAULT_ENCODING.recordBits
  const hashes = options.hashes ?? DEFAULT_ENCODING.hashes
  for (const [label, bits] of [['fieldBits', fieldBits], ['recordBits', recordBits]] as const) {
    if (!Number.isInteger(bits) || bits < 64 || bits > 65_536 || bits % 32 !== 0) throw new Error(`${label} must be a multiple of 32 between 64 and 65536`)
  }
  if (!Number.isInteger(hashes) || hashes < 1 || hashes > 64) throw new Error('hashes must be a whole number from 1 to 64')
  return {
    kind,
    fieldBits,
    recordBits,
    hashes,
    hashing: 'hmac-sha256-random',
    tokenisation: 'padded-bigrams+name-keys+date-parts',
    fields: encodedFieldsOf(kind),
    blocking: blockingRulesFor(kind).map((r) => r.key),
  }
}

/** The parameters in one fixed order, so the key check is the same wherever it is computed. */
export function canonicalParameters(p: EncodingParameters): string {
  return JSON.stringify([p.kind, p.fieldBits, p.recordBits, p.hashes, p.hashing, p.tokenisation, p.fields, p.blocking])
}

/** The key check value of a secret and parameters: shows two files were made alike, reveals neither. */
export function keyCheckValue(secret: Uint8Array, parameters: EncodingParameters): string {
  checkSecret(secret)
  return createHmac('sha256', deriveKeys(secret).check).update(`key check|${canonicalParameters(parameters)}`).digest('hex').slice(0, 32)
}

/** The keyed digest under which a blocking key is sent: 128 bits of HMAC-SHA256. */
export function blockingDigest(secret: Uint8Array, rule: string, key: string): string {
  return createHmac('sha256', deriveKeys(secret).block).update(`${rule}\u0000${key}`).digest('hex').slice(0, 32)
}

/** An encoder for one secret and set of parameters; token positions are remembered, since bigrams repeat. */
export function encoder(secret: Uint8Array, options: EncodingOptions = {}) {
  checkSecret(secret)
  const parameters = parametersFor(options)
  const keys = deriveKeys(secret)
  const specs = parameters.kind === 'person' ? PERSON_SPECS : BUSINESS_SPECS
  const rules = blockingRulesFor(parameters.kind)
  const positions = new Map<string, Uint32Array>()
  const words = Math.ceil(parameters.hashes / 8)

  /** k pseudo-random 32-bit words for a token: HMAC-SHA256 gives eight a call. */
  const positionsOf = (domain: string, token: string): Uint32Array => {
    const id = `${domain}\u0000${token}`
    let p = positions.get(id)
    if (p) return p
    p = new Uint32Array(parameters.hashes)
    for (let w = 0; w < words; w++) {
      const digest = createHmac('sha256', keys.bloom).update(`${id}\u0000${w}`).digest()
      for (let j = 0; j < 8 && w * 8 + j < parameters.hashes; j++) p[w * 8 + j] = digest.readUInt32BE(j * 4)
    }
    if (positions.size > 1_000_000) positions.clear()
    positions.set(id, p)
    return p
  }
  const setBits = (filter: Bitset, bits: number, hashed: Uint32Array) => {
    for (let i = 0; i < hashed.length; i++) {
      const position = hashed[i]! % bits
      filter[position >>> 5]! |= 1 << (position & 31)
    }
  }

  const keyCheck = keyCheckValue(secret, parameters)

  return {
    parameters,
    keyCheck,
    header(records: number): EncodingHeader {
      return { format: ENCODING_FORMAT, version: ENCODING_VERSION, parameters, keyCheck, records }
    },
    /** The encoding of a prepared record, and how many of its fields were given. */
    encode(r: PreparedRecord): { line: EncodedLine; fieldsGiven: number } {
      const fields: Record<string, string> = {}
      const clk = new Uint32Array(parameters.recordBits / 32)
      let fieldsGiven = 0
      for (const spec of specs) {
        const tokens = spec.tokens(r)
        if (tokens === null || tokens.length === 0) continue
        fieldsGiven++
        const filter = new Uint32Array(parameters.fieldBits / 32)
        for (const token of tokens) {
          setBits(filter, parameters.fieldBits, positionsOf(spec.domain, token))
          // In the CLK each field's tokens are kept apart, so "ann" in a name and in a town differ.
          setBits(clk, parameters.recordBits, positionsOf(`clk:${spec.key}`, token))
        }
        fields[spec.key] = toBase64(filter)
      }
      const blocks: Record<string, string> = {}
      for (const rule of rules) {
        const key = rule.keyOf(r)
        if (key !== null) blocks[rule.key] = createHmac('sha256', keys.block).update(`${rule.key}\u0000${key}`).digest('hex').slice(0, 32)
      }
      const ref = createHmac('sha256', keys.ref).update(r.id).digest('hex').slice(0, 32)
      return { line: { ref, fields, clk: toBase64(clk), blocks }, fieldsGiven }
    },
    /** The reference a record id is sent under: lets a partner find which of its records was hit. */
    refOf(id: string): string {
      return createHmac('sha256', keys.ref).update(id).digest('hex').slice(0, 32)
    },
  }
}

export type EncodingsFile = { header: EncodingHeader; lines: EncodedLine[] }

/** Encodes partner records (after the column mapping) with the partnership secret. */
export function encodeRecords(records: readonly SourceRecord[], secret: Uint8Array, options: EncodingOptions = {}): EncodingsFile {
  const e = encoder(secret, options)
  return { header: e.header(records.length), lines: records.map((r) => e.encode(prepareRecord(r)).line) }
}

/** The encodings file as JSON lines: the header, then one record a line. */
export function encodingsText(file: EncodingsFile): string {
  return `${[file.header, ...file.lines].map((l) => JSON.stringify(l)).join('\n')}\n`
}

/** Counts the bits set in a filter read back, for callers building EncodedRecords. */
export { countBits }
