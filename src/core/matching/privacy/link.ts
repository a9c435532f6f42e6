import type { LinkageOptions } from '../linkage.ts'
import type { SourceRecord } from '../record.ts'
import { incompatibility, linkEncoded, readEncodings } from './compare.ts'
import { encodeRecords, encodingsText, type EncodedRecord, type EncodingOptions } from './encode.ts'

// Privacy-preserving linkage end to end, as a partnership runs it: each side encodes its own
// records with the shared secret and writes the file `achilles encode` writes; the hub reads the two
// files (and nothing else) and links them. For benchmarks (bench/matching.ts reports FEBRL 4a
// against 4b in privacy mode beside the plaintext figure) and for tests.

export type PrivateLinkage = {
  /** Per record of [...left, ...right], in that order, its cluster: the index of the cluster's first record. */
  clusters: Int32Array
  /** The encoded records the hub linked, in the same order. */
  records: EncodedRecord[]
  figures: { records: number; candidatePairs: number; matches: number; clusters: number }
}

/**
 * Encodes `left` and `right` (two partners' records, after the column mapping) with `secret`, reads
 * the files back as the hub would and links them without labels. The clusters line up with
 * [...left, ...right], so the benchmarks' truth applies by index.
 */
export function linkPrivately(
  left: readonly SourceRecord[],
  right: readonly SourceRecord[],
  secret: Uint8Array,
  options: { encoding?: EncodingOptions; linkage?: Partial<Omit<LinkageOptions, 'link'>> } = {},
): PrivateLinkage {
  const read = [left, right].map((records, i) => {
    const file = readEncodings(encodingsText(encodeRecords(records, secret, options.encoding)), i + 1, 1)
    if ('problems' in file) throw new Error(`The encodings of side ${i + 1} could not be read back: ${file.problems[0]!.message}`)
    return file
  })
  const [a, b] = read as [Extract<(typeof read)[number], { header: unknown }>, Extract<(typeof read)[number], { header: unknown }>]
  const problem = incompatibility(a.header, b.header)
  if (problem) throw new Error(problem)
  const records = [...a.records, ...b.records]
  const result = linkEncoded(a.header.parameters, records, { ...options.linkage, link: true })
  const { candidatePairs, matches, clusters } = result.figures
  return { clusters: result.clusters, records, figures: { records: records.length, candidatePairs, matches, clusters } }
}
