import type { PreparedRecord, RecordKind } from './record.ts'

// Blocking: which pairs are compared at all. Comparing every record with every other is n², too
// slow for a million; a pair is compared when it agrees on at least one blocking key. Several loose
// rules together keep almost every true match (a typo in the surname still leaves the date of birth
// and the postcode) while comparing a tiny share of all pairs.

export type BlockingRule<R> = {
  key: string
  label: string
  /** The comparisons whose fields make the key: the model does not learn their m from this rule's pairs. */
  uses: readonly string[]
  keyOf: (r: R) => string | null
}

const both = (a: string | null, b: string | null) => (a === null || b === null ? null : `${a}|${b}`)
const initial = (s: string | null) => (s === null ? null : s.slice(0, 1))
const year = (d: string | null) => (d === null ? null : d.slice(0, 4))
const prefix = (s: string | null) => (s === null ? null : s.slice(0, 2))
// The outward code of a UK postcode; other postcodes have no district and are blocked whole.
const district = (r: PreparedRecord) => (r.postcode === null ? null : r.ukPostcode ? r.postcode.split(' ')[0]! : r.postcode)

const PERSON_RULES: BlockingRule<PreparedRecord>[] = [
  { key: 'national_id', label: 'the same national identifier', uses: ['national_id'], keyOf: (r) => r.nationalId },
  { key: 'email', label: 'the same e-mail address', uses: ['email'], keyOf: (r) => r.email },
  { key: 'phone', label: 'the same phone number', uses: ['phone'], keyOf: (r) => r.phone },
  { key: 'name_sounds', label: 'given and family names that sound the same', uses: ['given_name', 'family_name'], keyOf: (r) => both(r.givenSound, r.familySound) },
  { key: 'given_key_family_sound', label: 'the same given name in any form (Tom and Thomas) and a family name that sounds the same', uses: ['given_name', 'family_name'], keyOf: (r) => both(r.givenKey, r.familySound) },
  { key: 'birth_date_given_initial', label: 'the same date of birth and given-name initial', uses: ['birth_date', 'given_name'], keyOf: (r) => both(r.birthDate, initial(r.given)) },
  { key: 'birth_date_family_initial', label: 'the same date of birth and family-name initial', uses: ['birth_date', 'family_name'], keyOf: (r) => both(r.birthDate, initial(r.family)) },
  { key: 'postcode_birth_year', label: 'the same postcode and year of birth', uses: ['postcode', 'birth_date'], keyOf: (r) => both(r.postcode, year(r.birthDate)) },
  { key: 'family_sound_birth_year', label: 'a family name that sounds the same and the same year of birth', uses: ['family_name', 'birth_date'], keyOf: (r) => both(r.familySound, year(r.birthDate)) },
  { key: 'postcode_given_sound', label: 'the same postcode and a given name that sounds the same', uses: ['postcode', 'given_name'], keyOf: (r) => both(r.postcode, r.givenSound) },
  { key: 'district_family_sound', label: 'the same postcode district and a family name that sounds the same', uses: ['postcode', 'family_name'], keyOf: (r) => both(district(r), r.familySound) },
  { key: 'district_birth_date', label: 'the same postcode district and date of birth', uses: ['postcode', 'birth_date'], keyOf: (r) => both(district(r), r.birthDate) },
  { key: 'birth_date_town', label: 'the same date of birth and town', uses: ['birth_date', 'town'], keyOf: (r) => both(r.birthDate, r.town) },
  { key: 'name_prefixes_birth_year', label: 'given and family names that start alike and the same year of birth', uses: ['given_name', 'family_name', 'birth_date'], keyOf: (r) => both(both(prefix(r.given), prefix(r.family)), year(r.birthDate)) },
]

const firstWord = (s: string | null) => (s === null ? null : s.split(' ')[0]!)

const BUSINESS_RULES: BlockingRule<PreparedRecord>[] = [
  { key: 'company_number', label: 'the same company number', uses: ['company_number'], keyOf: (r) => r.companyNumber },
  { key: 'name', label: 'the same name', uses: ['name'], keyOf: (r) => r.businessName },
  { key: 'postcode_name_word', label: 'the same postcode and first word of the name', uses: ['postcode', 'name'], keyOf: (r) => both(r.postcode, firstWord(r.businessName)) },
  { key: 'postcode_address', label: 'the same postcode and address', uses: ['postcode', 'address'], keyOf: (r) => both(r.postcode, r.address) },
]

export const blockingRulesFor = (kind: RecordKind): BlockingRule<PreparedRecord>[] => (kind === 'person' ? PERSON_RULES : BUSINESS_RULES)

/** A block this large is a value shared by too many records to tell anyone apart (a placeholder date, say). */
export const MAX_BLOCK_SIZE = 5_000

export type CandidatePairs = {
  count: number
  left: Int32Array
  right: Int32Array
  /** Bit r set when the pair agrees on rule r's key. */
  rules: Uint32Array
  /** Per rule: pairs it found first, and blocks skipped as too large (with their size). */
  perRule: Array<{ key: string; pairs: number; skippedBlocks: number; skippedRecords: number }>
}

/**
 * The pairs that agree on at least one rule's key, each once. `link` compares only records from
 * different sources (two partners' files); otherwise every pair (one file's duplicates, or both).
 */
export function candidatePairs<R extends { source: number }>(records: readonly R[], rules: readonly BlockingRule<R>[], link: boolean, onProgress?: (rule: number) => void): CandidatePairs {
  const keys = rules.map((rule) => records.map((r) => rule.keyOf(r)))
  let capacity = Math.max(1024, records.length * 4)
  let left: Int32Array<ArrayBuffer> = new Int32Array(capacity)
  let right: Int32Array<ArrayBuffer> = new Int32Array(capacity)
  let masks = new Uint32Array(capacity)
  let count = 0
  const perRule: CandidatePairs['perRule'] = []
  for (let r = 0; r < rules.length; r++) {
    onProgress?.(r)
    const blocks = new Map<string, number[]>()
    const ruleKeys = keys[r]!
    for (let i = 0; i < records.length; i++) {
      const k = ruleKeys[i]
      if (k === null || k === undefined) continue
      const block = blocks.get(k)
      if (block) block.push(i)
      else blocks.set(k, [i])
    }
    const stats = { key: rules[r]!.key, pairs: 0, skippedBlocks: 0, skippedRecords: 0 }
    for (const block of blocks.values()) {
      if (block.length < 2) continue
      if (block.length > MAX_BLOCK_SIZE) {
        stats.skippedBlocks++
        stats.skippedRecords += block.length
        continue
      }
      for (let x = 0; x < block.length; x++) {
        const i = block[x]!
        for (let y = x + 1; y < block.length; y++) {
          const j = block[y]!
          if (link && records[i]!.source === records[j]!.source) continue
          // Found already by an earlier rule: every rule's agreement is recorded in the mask there.
          let earlier = false
          for (let e = 0; e < r; e++) {
            const ke = keys[e]![i]
            if (ke !== null && ke === keys[e]![j]) {
              earlier = true
              break
            }
          }
          if (earlier) continue
          let mask = 1 << r
          for (let later = r + 1; later < rules.length; later++) {
            const kl = keys[later]![i]
            if (kl !== null && kl === keys[later]![j]) mask |= 1 << later
          }
          if (count === capacity) {
            capacity *= 2
            left = grow(left, capacity)
            right = grow(right, capacity)
            const m = new Uint32Array(capacity)
            m.set(masks)
            masks = m
          }
          left[count] = i
          right[count] = j
          masks[count] = mask
          count++
          stats.pairs++
        }
      }
    }
    perRule.push(stats)
  }
  return { count, left: left.subarray(0, count), right: right.subarray(0, count), rules: masks.subarray(0, count), perRule }
}

function grow(array: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(capacity)
  bigger.set(array)
  return bigger
}
