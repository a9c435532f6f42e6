// Checking the audit log's hash chain. The database recomputes each row's hash from its content
// (achilles_audit_canonical); this walks the rows in order and finds the first broken link.

export const GENESIS_HASH = '0'.repeat(64)

export type ChainLink = { seq: number; prevHash: string; hash: string; recomputed: string }

export type ChainPosition = { nextSeq: number; prevHash: string }

export type BrokenLink = {
  seq: number
  problem: 'altered' | 'relinked' | 'missing-rows'
  explanation: string
}

export const CHAIN_START: ChainPosition = { nextSeq: 1, prevHash: GENESIS_HASH }

/** Checks a batch that continues from `position`; returns the first break, or where the next batch starts. */
export function checkChain(position: ChainPosition, links: readonly ChainLink[]): { broken: BrokenLink } | { position: ChainPosition } {
  let { nextSeq, prevHash } = position
  for (const link of links) {
    if (link.seq !== nextSeq) {
      return { broken: { seq: nextSeq, problem: 'missing-rows', explanation: `row ${nextSeq} is missing: the next row present is ${link.seq}` } }
    }
    if (link.prevHash !== prevHash) {
      return { broken: { seq: link.seq, problem: 'relinked', explanation: `row ${link.seq} does not point at the hash of row ${link.seq - 1}` } }
    }
    if (link.recomputed !== link.hash) {
      return { broken: { seq: link.seq, problem: 'altered', explanation: `row ${link.seq} has been changed since it was written: its content no longer matches its hash` } }
    }
    nextSeq = link.seq + 1
    prevHash = link.hash
  }
  return { position: { nextSeq, prevHash } }
}
