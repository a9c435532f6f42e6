// String similarity for comparing what two agencies wrote about the same thing. Jaro-Winkler suits
// short strings such as names, where a typo near the end matters less than one at the start;
// Damerau-Levenshtein counts keystroke errors in codes and dates (a transposed pair is one error).

// Reused between calls: a hundred million comparisons should not make two hundred million arrays.
const scratchBuffers = [new Uint8Array(64), new Uint8Array(64)]
function scratch(which: 0 | 1, length: number): Uint8Array {
  if (scratchBuffers[which]!.length < length) scratchBuffers[which] = new Uint8Array(length * 2)
  const buffer = scratchBuffers[which]!
  buffer.fill(0, 0, length)
  return buffer
}

/** Jaro-Winkler similarity in [0, 1] (Winkler 1990: prefix scale 0.1, at most four prefix letters). */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length === 0 ? 0 : 1
  const la = a.length
  const lb = b.length
  if (la === 0 || lb === 0) return 0
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1)
  const matchedA = scratch(0, la)
  const matchedB = scratch(1, lb)
  let matches = 0
  for (let i = 0; i < la; i++) {
    const from = Math.max(0, i - window)
    const to = Math.min(lb - 1, i + window)
    const c = a.charCodeAt(i)
    for (let j = from; j <= to; j++) {
      if (matchedB[j] === 0 && b.charCodeAt(j) === c) {
        matchedA[i] = 1
        matchedB[j] = 1
        matches++
        break
      }
    }
  }
  if (matches === 0) return 0
  let transpositions = 0
  let k = 0
  for (let i = 0; i < la; i++) {
    if (matchedA[i] === 0) continue
    while (matchedB[k] === 0) k++
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++
    k++
  }
  const jaro = (matches / la + matches / lb + (matches - transpositions / 2) / matches) / 3
  let prefix = 0
  const limit = Math.min(4, la, lb)
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++
  return jaro + prefix * 0.1 * (1 - jaro)
}

const rows = [new Int32Array(32), new Int32Array(32), new Int32Array(32)]

/**
 * The optimal-string-alignment distance (insertions, deletions, substitutions and transpositions of
 * neighbours), or `limit + 1` as soon as it must exceed `limit`: callers only ask "within one?".
 */
export function editDistance(a: string, b: string, limit = Number.MAX_SAFE_INTEGER): number {
  if (a === b) return 0
  const la = a.length
  const lb = b.length
  if (Math.abs(la - lb) > limit) return limit + 1
  if (la === 0) return lb
  if (lb === 0) return la
  if (rows[0]!.length < lb + 1) for (let r = 0; r < 3; r++) rows[r] = new Int32Array((lb + 1) * 2)
  let before = rows[0]!
  let previous = rows[1]!
  let current = rows[2]!
  for (let j = 0; j <= lb; j++) previous[j] = j
  for (let i = 1; i <= la; i++) {
    current[0] = i
    let rowMin = i
    for (let j = 1; j <= lb; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) d = Math.min(d, before[j - 2]! + 1)
      current[j] = d
      if (d < rowMin) rowMin = d
    }
    if (rowMin > limit) return limit + 1
    const spare = before
    before = previous
    previous = current
    current = spare
  }
  return previous[lb]!
}

/** The share of distinct words two strings have in common (Jaccard), 0 when either has none. */
export function wordOverlap(a: string, b: string): number {
  const wa = new Set(a.split(' ').filter((w) => w !== ''))
  const wb = new Set(b.split(' ').filter((w) => w !== ''))
  if (wa.size === 0 || wb.size === 0) return 0
  let shared = 0
  for (const w of wa) if (wb.has(w)) shared++
  return shared / (wa.size + wb.size - shared)
}

/** wordOverlap for words already distinct and sorted (see PreparedRecord.addressWords). */
export function sortedOverlap(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0
  let shared = 0
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      shared++
      i++
      j++
    } else if (a[i]! < b[j]!) i++
    else j++
  }
  return shared / (a.length + b.length - shared)
}
