import type { DemoReferrals } from '../../core/referrals/demonstration.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem } from '../../db/context.ts'
import { recordAudit } from '../audit/service.ts'
import * as q from './queries.ts'

/** Loads the invented referrals, their timelines and answers as they are, as the platform. */
export async function loadDemonstrationReferrals(db: Database, data: DemoReferrals): Promise<number> {
  if (data.referrals.length === 0) return 0
  return asSystem(db, async (tx) => {
    await q.insertDemonstration(tx, data)
    await recordAudit(tx, 'system', { action: 'collection', recordType: 'demonstration_data', purpose: 'Invented GAIN referrals for the demonstration', detail: { referrals: data.referrals.length, answers: data.answers.length } })
    return data.referrals.length
  })
}
