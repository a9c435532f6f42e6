// Privacy-preserving matching (docs/privacy-matching.md): keyed Bloom-filter encodings made by each
// partner with the partnership's secret, and their linkage at the hub, which never holds the secret.

export { countBits, dice, fromBase64, toBase64, type Bitset } from './bits.ts'
export { encodedBlockingRules, encodedComparisons, incompatibility, indexModel, linkEncoded, MIN_TRAINING_RECORDS, readEncodings, startingModel, type EncodingProblem, type ReadEncodings } from './compare.ts'
export {
  blockingDigest, DEFAULT_ENCODING, encodeRecords, encodedFieldsOf, encoder, encodingsText, ENCODING_FORMAT, ENCODING_VERSION, keyCheckValue, MIN_SECRET_BYTES,
  type EncodedLine, type EncodedRecord, type EncodingHeader, type EncodingOptions, type EncodingParameters, type EncodingsFile,
} from './encode.ts'
export { linkPrivately, type PrivateLinkage } from './link.ts'
