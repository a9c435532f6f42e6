// Metaphone (Lawrence Philips, 1990): a key for how an English word sounds, so that names spelt
// differently but said alike meet: Smith and Smyth (SM0), Jon and John (JN), Mohammed and Muhammad
// (MHMT), Stephen and Steven (STFN). Trigram similarity misses these when the differences are many
// and short; the two together find a name however it was written down.

const VOWELS = new Set(['A', 'E', 'I', 'O', 'U'])
const isVowel = (c: string | undefined) => c !== undefined && VOWELS.has(c)
const FRONT = new Set(['E', 'I', 'Y'])

/** The Metaphone key of one word (letters A-Z only are read; anything else is ignored). */
export function metaphone(word: string): string {
  let w = word.toUpperCase().replace(/[^A-Z]/g, '')
  if (w.length === 0) return ''
  // Doubled letters sound once, except C (as in "accident").
  w = w.replace(/([A-BD-Z])\1+/g, '$1')
  // Silent first letters.
  if (/^(KN|GN|PN|AE|WR)/.test(w)) w = w.slice(1)
  if (w.startsWith('X')) w = `S${w.slice(1)}`
  if (w.startsWith('WH')) w = `W${w.slice(2)}`
  let key = ''
  for (let i = 0; i < w.length; i++) {
    const c = w[i]!
    const prev = w[i - 1]
    const next = w[i + 1]
    const after = w[i + 2]
    switch (c) {
      case 'A': case 'E': case 'I': case 'O': case 'U':
        if (i === 0) key += c
        break
      case 'B':
        // Silent in a final "MB" (lamb, Coombe is "KM").
        if (!(prev === 'M' && i === w.length - 1)) key += 'B'
        break
      case 'C':
        if (next === 'I' && after === 'A') key += 'X'
        else if (next === 'H') key += prev === 'S' ? 'K' : 'X'
        else if (next !== undefined && FRONT.has(next)) { if (prev !== 'S') key += 'S' }
        else if (!(prev === 'S' && next === 'H')) key += 'K'
        if (next === 'H') i++
        break
      case 'D':
        if (next === 'G' && after !== undefined && FRONT.has(after)) { key += 'J'; i++ }
        else key += 'T'
        break
      case 'G': {
        if (next === 'H' && !(i + 2 >= w.length || isVowel(after))) break // "night": silent
        if (next === 'N' && (i + 2 === w.length || (after === 'E' && w[i + 3] === 'D' && i + 4 === w.length))) break // "sign", "signed"
        if (next !== undefined && FRONT.has(next) && prev !== 'G') key += 'J'
        else key += 'K'
        if (next === 'H') i++
        break
      }
      case 'H':
        if (isVowel(next) && !(prev !== undefined && 'CSPTG'.includes(prev))) key += 'H'
        break
      case 'K':
        if (prev !== 'C') key += 'K'
        break
      case 'P':
        if (next === 'H') { key += 'F'; i++ } else key += 'P'
        break
      case 'Q':
        key += 'K'
        break
      case 'S':
        if (next === 'H') { key += 'X'; i++ }
        else if (next === 'I' && (after === 'O' || after === 'A')) key += 'X'
        else key += 'S'
        break
      case 'T':
        if (next === 'I' && (after === 'O' || after === 'A')) key += 'X'
        else if (next === 'H') { key += '0'; i++ }
        else if (!(next === 'C' && after === 'H')) key += 'T'
        break
      case 'V':
        key += 'F'
        break
      case 'W': case 'Y':
        if (isVowel(next)) key += c
        break
      case 'X':
        key += 'KS'
        break
      case 'Z':
        key += 'S'
        break
      default:
        key += c // F, J, L, M, N, R
    }
  }
  return key
}
