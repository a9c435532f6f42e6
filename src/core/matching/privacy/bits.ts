// Bitsets for Bloom-filter encodings: 32-bit words, counted and compared without allocating, and
// written as base64 so a JSON line carries them compactly.

export type Bitset = Uint32Array

export function popcount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555)
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24
}

export function countBits(bits: Bitset): number {
  let n = 0
  for (let i = 0; i < bits.length; i++) n += popcount(bits[i]!)
  return n
}

/**
 * The Dice coefficient 2|A∩B| / (|A| + |B|) of two filters of one length: 1 for identical
 * filters, near 0 for unrelated ones. `countA` and `countB` are the filters' bit counts, kept with
 * each record so a comparison counts only the intersection.
 */
export function dice(a: Bitset, b: Bitset, countA: number, countB: number): number {
  if (countA + countB === 0) return 0
  let shared = 0
  for (let i = 0; i < a.length; i++) shared += popcount(a[i]! & b[i]!)
  return (2 * shared) / (countA + countB)
}

export function toBase64(bits: Bitset): string {
  return Buffer.from(bits.buffer, bits.byteOffset, bits.byteLength).toString('base64')
}

/** Reads a base64 bitset of `length` bits; null when the text is not one (wrong length or alphabet). */
export function fromBase64(text: string, length: number): Bitset | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null
  const bytes = Buffer.from(text, 'base64')
  if (bytes.length * 8 !== length) return null
  const words = new Uint32Array(length / 32)
  // Copied rather than viewed: a Buffer's offset in its pool need not be word-aligned.
  new Uint8Array(words.buffer).set(bytes)
  return words
}
