import type { DemoReferrals } from '../../core/referrals/demonstration.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem } from '../../db/context.ts'
import { recordAudit } from '../audit/service.ts'
import { insertIntelligence, type IntelligenceRow } from '../intelligence/service.ts'
import * as q from './queries.ts'

/**
 * Loads the invented referrals, their timelines and answers as they are, as the platform; each
 * answer is filed first as the answering agency's intelligence, shared by name with the requester.
 */
export async function loadDemonstrationReferrals(db: Database, data: DemoReferrals): Promise<number> {
  if (data.referrals.length === 0) return 0
  const referrals = new Map(data.referrals.map((r) => [r.id, r]))
  const intelligence: IntelligenceRow[] = data.answers.map((a) => {
    const r = referrals.get(a.referralId)!
    return {
      id: a.intelligenceId, reference: null, legacyGrade: null, body: a.body, reportedOn: a.createdAt.slice(0, 10), sourceAgencyId: a.answeringAgencyId,
      sourceEvaluation: a.sourceEvaluation as IntelligenceRow['sourceEvaluation'], intelligenceAssessment: a.intelligenceAssessment,
      owningAgencyId: a.answeringAgencyId, createdBy: a.answeredBy, createdAt: a.createdAt, purpose: `Answer to a GAIN referral: ${r.purpose}`,
      protectiveMarking: a.protectiveMarking as IntelligenceRow['protectiveMarking'], handlingCode: a.handlingCode as IntelligenceRow['handlingCode'],
      handlingConditions: a.handlingConditions, sharingScope: 'named', sharedWithAgencyIds: [r.requestingAgencyId], reviewDate: r.reviewDate,
      mentionedEntityIds: [], mentionedGroupIds: [],
    }
  })
  return asSystem(db, async (tx) => {
    await insertIntelligence(tx, intelligence)
    await q.insertDemonstration(tx, data)
    await recordAudit(tx, 'system', { action: 'collection', recordType: 'demonstration_data', purpose: 'Invented GAIN referrals for the demonstration', detail: { referrals: data.referrals.length, answers: data.answers.length } })
    return data.referrals.length
  })
}
