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
  /** Finds pairs beside the other rules but is never enough alone: a postcode says nothing of who. */
  loose?: true
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
  { key: 'family_sound_town', label: 'a family name that sounds the same and the same town', uses: ['family_name', 'town'], keyOf: (r) => both(r.familySound, r.town) },
  { key: 'birth_year_town', label: 'the same year of birth and town', uses: ['birth_date', 'town'], keyOf: (r) => both(year(r.birthDate), r.town) },
  { key: 'given_key_town', label: 'the same given name in any form and the same town', uses: ['given_name', 'town'], keyOf: (r) => both(r.givenKey, r.town) },
  { key: 'name_prefixes_birth_year', label: 'given and family names that start alike and the same year of birth', uses: ['given_name', 'family_name', 'birth_date'], keyOf: (r) => both(both(prefix(r.given), prefix(r.family)), year(r.birthDate)) },
  { key: 'given_key_family_prefix', label: 'the same given name in any form and family names that start alike', uses: ['given_name', 'family_name'], keyOf: (r) => both(r.givenKey, prefix(r.family)) },
  { key: 'postcode', label: 'the same postcode', uses: ['postcode'], keyOf: (r) => r.postcode, loose: true },
  { key: 'family_key', label: 'the same family name in any form', uses: ['family_name'], keyOf: (r) => r.familyKey, loose: true },
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

/**
 * Candidate pairs allowed per record, beyond a floor no run needs to go below. Rules on names alone
 * find pairs in proportion to the square of the file: harmless at fifty thousand records, a billion
 * pairs at a million against a million. Past the budget the loosest rules are left out (and said so),
 * the tighter rules on names with a date, a postcode or an identifier still finding the matches.
 */
export const PAIRS_PER_RECORD = 60
export const MIN_PAIR_BUDGET = 5_000_000

export type RuleFigures = {
  key: string
  /** Pairs this rule found that no earlier rule had. */
  pairs: number
  /** Pairs its blocks hold, before pairs found by earlier rules are set aside. */
  blockPairs: number
  skippedBlocks: number
  skippedRecords: number
  /** Left out because the run's pairs would have passed the budget. */
  leftOut: boolean
}

export type CandidatePairs = {
  count: number
  left: Int32Array
  right: Int32Array
  /** Bit r set when the pair agrees on rule r's key (rules left out never set theirs). */
  rules: Uint32Array
  /** Per rule: pairs it found first, and blocks skipped as too large (with their size). */
  perRule: RuleFigures[]
  budget: number
}

export type BlockingOptions = { link: boolean; budget?: number; onProgress?: (rule: number) => void }

/** Each rule's key for each record as a small number (-1 for none): a million records by fourteen rules as strings would not fit. */
function ruleKeys<R>(records: readonly R[], rule: BlockingRule<R>): { keys: Int32Array; blocks: number[][] } {
  const ids = new Map<string, number>()
  const keys = new Int32Array(records.length)
  const blocks: number[][] = []
  for (let i = 0; i < records.length; i++) {
    const k = rule.keyOf(records[i]!)
    if (k === null) {
      keys[i] = -1
      continue
    }
    let id = ids.get(k)
    if (id === undefined) {
      id = blocks.length
      ids.set(k, id)
      blocks.push([])
    }
    keys[i] = id
    blocks[id]!.push(i)
  }
  return { keys, blocks }
}

/** The pairs a block holds: all of them, or only those across sources when linking. */
function pairsIn<R extends { source: number }>(records: readonly R[], block: readonly number[], link: boolean): number {
  if (!link) return (block.length * (block.length - 1)) / 2
  const bySource = new Map<number, number>()
  for (const i of block) bySource.set(records[i]!.source, (bySource.get(records[i]!.source) ?? 0) + 1)
  let all = 0
  let within = 0
  for (const n of bySource.values()) {
    all += n
    within += (n * (n - 1)) / 2
  }
  return (all * (all - 1)) / 2 - within
}

/**
 * The pairs that agree on at least one rule's key, each once. `link` compares only records from
 * different sources (two partners' files); otherwise every pair (one file's duplicates, or both).
 */
export function candidatePairs<R extends { source: number }>(records: readonly R[], rules: readonly BlockingRule<R>[], options: BlockingOptions): CandidatePairs {
  const { link, onProgress } = options
  const budget = options.budget ?? Math.max(MIN_PAIR_BUDGET, PAIRS_PER_RECORD * records.length)
  const keyed = rules.map((rule) => ruleKeys(records, rule))
  const perRule: RuleFigures[] = keyed.map(({ blocks }, r) => {
    const stats = { key: rules[r]!.key, pairs: 0, blockPairs: 0, skippedBlocks: 0, skippedRecords: 0, leftOut: false }
    for (const block of blocks) {
      if (block.length < 2) continue
      if (block.length > MAX_BLOCK_SIZE) {
        stats.skippedBlocks++
        stats.skippedRecords += block.length
      } else stats.blockPairs += pairsIn(records, block, link)
    }
    return stats
  })
  // The loosest rules go first; the tightest always stays, so a run always has pairs to compare.
  let total = perRule.reduce((s, r) => s + r.blockPairs, 0)
  for (const r of [...perRule].sort((a, b) => b.blockPairs - a.blockPairs).slice(0, -1)) {
    if (total <= budget) break
    r.leftOut = true
    total -= r.blockPairs
  }
  const keys = keyed.map((k, r) => (perRule[r]!.leftOut ? null : k.keys))

  let capacity = Math.max(1024, Math.min(total, records.length * 4))
  let left: Int32Array<ArrayBuffer> = new Int32Array(capacity)
  let right: Int32Array<ArrayBuffer> = new Int32Array(capacity)
  let masks = new Uint32Array(capacity)
  let count = 0
  const agree = (k: Int32Array | null, i: number, j: number) => k !== null && k[i] !== -1 && k[i] === k[j]
  for (let r = 0; r < rules.length; r++) {
    onProgress?.(r)
    const stats = perRule[r]!
    if (stats.leftOut) continue
    for (const block of keyed[r]!.blocks) {
      if (block.length < 2 || block.length > MAX_BLOCK_SIZE) continue
      for (let x = 0; x < block.length; x++) {
        const i = block[x]!
        for (let y = x + 1; y < block.length; y++) {
          const j = block[y]!
          if (link && records[i]!.source === records[j]!.source) continue
          // Found already by an earlier rule: every rule's agreement is recorded in the mask there.
          let earlier = false
          for (let e = 0; e < r; e++) {
            if (agree(keys[e] ?? null, i, j)) {
              earlier = true
              break
            }
          }
          if (earlier) continue
          let mask = 1 << r
          for (let later = r + 1; later < rules.length; later++) if (agree(keys[later] ?? null, i, j)) mask |= 1 << later
          if (count === capacity) {
            // Grown by half, not doubled: at a hundred million pairs a doubling is a gigabyte wasted.
            capacity = Math.min(Math.max(capacity + 1024, Math.ceil(capacity * 1.5)), Math.max(total, capacity + 1024))
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
  }
  return { count, left: left.subarray(0, count), right: right.subarray(0, count), rules: masks.subarray(0, count), perRule, budget }
}

function grow(array: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(capacity)
  bigger.set(array)
  return bigger
}
