import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { asSystem } from '../../src/db/context.ts'
import { signedIn, startTestApp, type TestApp } from '../support/app.ts'
import { apiFor, twoPartners, WIDE, type Api } from '../support/partnerFiles.ts'

// The clerical review of uncertain pairs, on the database the tests run on: the queue, decisions
// stored and fed back to the next run, reversed only with a reason (the history kept), confirmed
// matches linked to the people Achilles holds, the visibility rule and the audit log.

let t: TestApp
let police: Api
let hmrc: Api
let left: string
let right: string
const ANALYST = 'analyst@demo.achilles.example'
const HMRC_ANALYST = 'analyst.hmrc@demo.achilles.example'
const PARTNER_OFFICER = 'partner.officer@demo.achilles.example'
const purpose = 'GAIN: people known to police and HMRC'

before(async () => {
  t = await startTestApp()
  police = await apiFor(t, ANALYST)
  hmrc = await apiFor(t, HMRC_ANALYST)
  ;({ left, right } = await twoPartners(police, hmrc))
})
after(() => t.close())

const run = async (api: Api = police) => {
  const res = await api('POST', '/api/v1/matching/runs', { leftDatasetId: left, rightDatasetId: right, purpose, ...WIDE })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

test('uncertain pairs go to the review queue; a decision takes a pair out of it and is reused by the next run', async () => {
  const first = await run()
  assert.ok(first.counts.review >= 3, JSON.stringify(first.counts))
  const queue = (await police('GET', '/api/v1/matching/review')).body.pairs
  assert.equal(queue.length, first.counts.review)
  assert.ok(queue.every((p: { band: string; runId: string; decision: string | null }) => p.band === 'review' && p.runId === first.id && p.decision === null))
  const matches = (await police('GET', `/api/v1/matching/runs/${first.id}/pairs`)).body.matches

  const [same, unsure] = queue
  const decided = await police('POST', `/api/v1/matching/pairs/${same.id}/decisions`, { decision: 'same', reason: 'Same date of birth and address; the e-mail changed' })
  assert.equal(decided.status, 201, JSON.stringify(decided.body))
  assert.equal(decided.body.decision, 'same')
  await police('POST', `/api/v1/matching/pairs/${unsure.id}/decisions`, { decision: 'unsure' })
  const notSame = await hmrc('POST', `/api/v1/matching/pairs/${matches[0].id}/decisions`, { decision: 'not_same', reason: 'Twins: HMRC holds both' })
  assert.equal(notSame.status, 201, 'another agency that sees both datasets decides too')

  const after = (await police('GET', '/api/v1/matching/review')).body.pairs
  assert.ok(!after.some((p: { leftRecordId: string; rightRecordId: string }) => p.leftRecordId === same.leftRecordId && p.rightRecordId === same.rightRecordId), 'a decided pair leaves the queue')
  assert.ok(after.some((p: { leftRecordId: string; decision: string }) => p.leftRecordId === unsure.leftRecordId && p.decision === 'unsure'), 'a pair marked unsure stays, marked')

  const second = await run()
  assert.equal(second.modelTrained, false)
  assert.equal(second.decisionsApplied, 3, 'the three decisions are passed to the matcher')
  assert.equal(second.figures.matches, first.figures.matches, 'one pair is added by decision and one taken away')
  const pairs = (await police('GET', `/api/v1/matching/runs/${second.id}/pairs`)).body
  const overruled = pairs.matches.find((p: { leftRecordId: string; rightRecordId: string }) => p.leftRecordId === matches[0].leftRecordId && p.rightRecordId === matches[0].rightRecordId)
  assert.equal(overruled.decision, 'not_same')
})

test('a decision is reversed only with a reason, and the history keeps every decision', async () => {
  const runNow = await run()
  const pairs = (await police('GET', `/api/v1/matching/runs/${runNow.id}/pairs`)).body
  const pair = pairs.review.find((p: { decision: string | null }) => p.decision === null) ?? pairs.review[0]
  if (pair.decision === null) assert.equal((await police('POST', `/api/v1/matching/pairs/${pair.id}/decisions`, { decision: 'same' })).status, 201, 'a first decision needs no reason')
  const current = (await police('GET', `/api/v1/matching/pairs/${pair.id}`)).body.decision
  const other = current === 'same' ? 'not_same' : 'same'
  const again = await police('POST', `/api/v1/matching/pairs/${pair.id}/decisions`, { decision: current })
  assert.equal(again.status, 400)
  assert.match(JSON.stringify(again.body), /already/)
  const noReason = await police('POST', `/api/v1/matching/pairs/${pair.id}/decisions`, { decision: other })
  assert.equal(noReason.status, 400)
  assert.match(JSON.stringify(noReason.body), /reason/)
  assert.match(JSON.stringify(noReason.body), /Enter why the earlier decision is being changed/)
  const reversed = await police('POST', `/api/v1/matching/pairs/${pair.id}/decisions`, { decision: other, reason: 'The date of birth was the partner’s error' })
  assert.equal(reversed.status, 201)
  assert.equal(reversed.body.decision, other)
  const [latest, earlier] = reversed.body.history
  assert.equal(latest.decision, other)
  assert.equal(latest.replacesId, earlier.id)
  assert.equal(latest.reason, 'The date of birth was the partner’s error')
  assert.equal(earlier.decision, current)
  const next = await run()
  const kept = await asSystem(t.db, (tx) => tx.selectFrom('match_pairs').select('decision').where('run_id', '=', next.id).where('left_record_id', '=', pair.leftRecordId).where('right_record_id', '=', pair.rightRecordId).executeTakeFirstOrThrow())
  assert.equal(kept.decision, other, 'the reversed decision is the one the next run uses')
})

test('a confirmed match links both partner records to a person Achilles holds; an unconfirmed one cannot be linked', async () => {
  const entity = await police('POST', '/api/v1/entities', { schema: 'Person', fullName: 'Dean Marsh', personRole: 'suspect', purpose: 'GAIN subject', reviewDate: '2028-01-01', protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency' })
  assert.equal(entity.status, 201, JSON.stringify(entity.body))
  const runNow = await run()
  const pairs = (await police('GET', `/api/v1/matching/runs/${runNow.id}/pairs`)).body
  const match = pairs.matches.find((p: { decision: string | null; leftCaption: string }) => p.decision === null && p.leftCaption.startsWith('Dean Marsh'))
  assert.ok(match, 'Dean Marsh is a match of the two files')
  const offered = await police('GET', `/api/v1/matching/pairs/${match.id}`)
  assert.ok(offered.body.candidates.some((c: { id: string }) => c.id === entity.body.id), 'the person Achilles holds by that name is offered')
  const linked = await police('POST', `/api/v1/matching/pairs/${match.id}/entity-links`, { entityId: entity.body.id, reason: 'Same person as our nominal' })
  assert.equal(linked.status, 201, JSON.stringify(linked.body))
  assert.deepEqual(linked.body.entityLinks.map((k: { side: string }) => k.side).sort(), ['left', 'right'])
  assert.equal(linked.body.entityLinks[0].entityCaption, 'Dean Marsh')

  const review = pairs.review.find((p: { decision: string | null }) => p.decision === null)
  if (review) {
    const refused = await police('POST', `/api/v1/matching/pairs/${review.id}/entity-links`, { entityId: entity.body.id, reason: 'Guessing' })
    assert.equal(refused.status, 400)
    assert.match(JSON.stringify(refused.body), /Only a confirmed match can be linked/)
  }
  const otherAgency = await hmrc('POST', `/api/v1/matching/pairs/${match.id}/entity-links`, { entityId: entity.body.id, reason: 'Same person' })
  assert.equal(otherAgency.status, 400, 'the police record is not HMRC’s to see')
  assert.match(JSON.stringify(otherAgency.body), /No person or business you are permitted to see/)
  const hmrcView = await hmrc('GET', `/api/v1/matching/pairs/${match.id}`)
  assert.deepEqual(hmrcView.body.entityLinks, [], 'nor is the link to it')
  const combination = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select(['action']).where('record_type', '=', 'entity').where('record_id', '=', entity.body.id).where('action', '=', 'combination').execute())
  assert.equal(combination.length, 1)
})

test('pairs are seen only through datasets the viewer may see, and every reading and decision is logged', async () => {
  const runNow = await run()
  const pairs = (await police('GET', `/api/v1/matching/runs/${runNow.id}/pairs`)).body
  const officer = await apiFor(t, PARTNER_OFFICER)
  assert.equal((await officer('GET', `/api/v1/matching/pairs/${pairs.matches[0].id}`)).status, 200, 'shared with the whole partnership')
  // HMRC (whose dataset is the second) narrows it to itself: the police no longer see the pairs, nor the run.
  const narrow = (scope: string) => asSystem(t.db, (tx) => tx.updateTable('match_datasets').set({ sharing_scope: scope }).where('id', '=', right).execute())
  await narrow('agency')
  const pairId = pairs.matches[0].id
  assert.equal((await police('GET', `/api/v1/matching/pairs/${pairId}`)).status, 404)
  assert.equal((await police('GET', `/api/v1/matching/runs/${runNow.id}`)).status, 404)
  assert.deepEqual((await police('GET', '/api/v1/matching/review')).body.pairs, [])
  assert.equal((await hmrc('GET', `/api/v1/matching/pairs/${pairId}`)).status, 200, 'HMRC sees its own and the police’s shared dataset')
  const refused = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select(['action']).where('outcome', '=', 'refused').where('record_type', '=', 'match_pair').where('record_id', '=', pairId).execute())
  assert.equal(refused.length, 1, 'the refusal is logged')
  await narrow('partnership')

  const events = await asSystem(t.db, (tx) => tx.selectFrom('audit_events').select(['action', 'detail']).where('record_type', '=', 'match_dataset').where('record_id', '=', left).execute())
  const actions = new Set(events.map((e) => e.action))
  for (const a of ['collection', 'disclosure', 'combination', 'consultation', 'alteration']) assert.ok(actions.has(a), `${a} is logged (${[...actions].join(', ')})`)
})

test('the pages: the queue, a pair with its explanation, and a decision that names the missing reason', async () => {
  await run()
  const page = await signedIn(t.app, ANALYST)
  const queue = await page.get('/matching/review')
  assert.equal(queue.status, 200)
  const link = /href="(\/matching\/pairs\/[0-9a-f-]{36})\?next=review"/.exec(queue.body)
  assert.ok(link, 'the queue links to its pairs')
  const pairPage = await page.get(link[1]!)
  assert.equal(pairPage.status, 200)
  assert.match(pairPage.body, /Why it scored as it did/)
  assert.match(pairPage.body, /Date of birth/)
  const decided = await page.submit(link[1]!, `${link[1]}/decision`, { decision: 'not_same', next: 'review' })
  assert.equal(decided.status, 303)
  assert.equal(decided.headers.location, '/matching/review')
  const changed = await page.submit(link[1]!, `${link[1]}/decision`, { decision: 'same' })
  assert.equal(changed.status, 400)
  assert.match(changed.body, /href="#reason">Enter why the earlier decision is being changed/)
})
