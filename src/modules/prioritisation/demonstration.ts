import { randomUUID } from 'node:crypto'
import { demonstrationAnswers } from '../../core/demo/assessments.ts'
import type { Random } from '../../core/demo/random.ts'
import { parseModelDefinition, type ModelDefinition } from '../../core/scoring/modelDefinition.ts'
import { scoreAssessment } from '../../core/scoring/scoreAssessment.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem } from '../../db/context.ts'
import { recordAudit } from '../audit/service.ts'

export type DemonstrationSubject = { groupId: string; owningAgencyId: string; scoredBy: string; severity: number; reviewDate: string }

/**
 * Scores groups of a demonstration or benchmark picture with the current tactical model, so the
 * boards have something to rank. Every answer is scored by the same pure scorer a person's is, and
 * every rationale says it was invented.
 */
export async function loadDemonstrationAssessments(db: Database, subjects: readonly DemonstrationSubject[], r: Random, modelKey = 'tactical'): Promise<number> {
  return asSystem(db, async (tx) => {
    const row = await tx.selectFrom('prioritisation_models').select(['id', 'version', 'definition']).where('key', '=', modelKey).orderBy('version', 'desc').executeTakeFirst()
    if (!row) throw new Error(`The ${modelKey} model is not installed: run achilles migrate first`)
    const parsed = parseModelDefinition(row.definition)
    if (!parsed.ok) throw new Error(`The stored ${modelKey} model is not valid`)
    const model: ModelDefinition = parsed.model
    const rows = subjects.map((s) => {
      const answers = demonstrationAnswers(model, r, s.severity)
      const scored = scoreAssessment(model, answers)
      if (!scored.ok) throw new Error(`A demonstration answer does not fit the ${modelKey} model: ${scored.problems.map((p) => p.message).join('; ')}`)
      return {
        id: randomUUID(),
        model_id: row.id,
        model_key: modelKey,
        subject_type: 'group',
        group_id: s.groupId,
        person_id: null,
        threat_area: null,
        answers: JSON.stringify(answers),
        score: scored.result.score,
        band: scored.result.band.id,
        confidence: scored.result.confidence.value,
        opportunity: scored.result.opportunity.level,
        result: JSON.stringify(scored.result),
        carried_from_id: null,
        review_date: s.reviewDate,
        owning_agency_id: s.owningAgencyId,
        scored_by: s.scoredBy,
      }
    })
    for (let i = 0; i < rows.length; i += 500) await tx.insertInto('assessments').values(rows.slice(i, i + 500)).execute()
    await recordAudit(tx, 'system', { action: 'collection', recordType: 'demonstration_data', purpose: 'Scoring invented groups for the demonstration', detail: { assessments: rows.length, model: modelKey, version: row.version } })
    return rows.length
  })
}
