import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CHAIN_START, GENESIS_HASH, checkChain, type ChainLink } from '../../src/core/audit/chain.ts'

const link = (seq: number, prevHash: string, hash: string, recomputed = hash): ChainLink => ({ seq, prevHash, hash, recomputed })
const good = [link(1, GENESIS_HASH, 'a'), link(2, 'a', 'b'), link(3, 'b', 'c')]

test('an intact chain ends where the next batch starts', () => {
  assert.deepEqual(checkChain(CHAIN_START, good), { position: { nextSeq: 4, prevHash: 'c' } })
})

test('a batch continues from the position the last one ended at', () => {
  const first = checkChain(CHAIN_START, good.slice(0, 2))
  assert.ok('position' in first)
  assert.deepEqual(checkChain(first.position, good.slice(2)), { position: { nextSeq: 4, prevHash: 'c' } })
})

test('a row whose content no longer matches its hash is reported as altered', () => {
  const altered = [good[0]!, link(2, 'a', 'b', 'changed'), good[2]!]
  const result = checkChain(CHAIN_START, altered)
  assert.ok('broken' in result)
  assert.equal(result.broken.seq, 2)
  assert.equal(result.broken.problem, 'altered')
})

test('a removed row is reported at the first missing number', () => {
  const result = checkChain(CHAIN_START, [good[0]!, good[2]!])
  assert.ok('broken' in result)
  assert.deepEqual([result.broken.seq, result.broken.problem], [2, 'missing-rows'])
})

test('removing the first rows is caught too', () => {
  const result = checkChain(CHAIN_START, [good[2]!])
  assert.ok('broken' in result)
  assert.deepEqual([result.broken.seq, result.broken.problem], [1, 'missing-rows'])
})

test('a row rehashed to hide an edit breaks the link from the next row', () => {
  const rehashed = [good[0]!, link(2, 'a', 'b2'), good[2]!]
  const result = checkChain(CHAIN_START, rehashed)
  assert.ok('broken' in result)
  assert.deepEqual([result.broken.seq, result.broken.problem], [3, 'relinked'])
})
