import type { DemoPlans } from '../../core/demo/plans.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem } from '../../db/context.ts'
import { recordAudit } from '../audit/service.ts'
import { TASKED_GRANT_REASON } from './service.ts'
import { GROUP_KIND } from '../groups/service.ts'

/** Loads invented 4P plans, their actions and disruptions for the demonstration groups, as the platform. */
export async function loadDemonstrationPlans(db: Database, data: DemoPlans, groups: ReadonlyMap<string, { owningAgencyId: string; protectiveMarking: string; handlingCode: string; handlingConditions: string | null; sharingScope: string; purpose: string; reviewDate: string }>): Promise<{ plans: number; actions: number; disruptions: number }> {
  return asSystem(db, async (tx) => {
    if (data.plans.length > 0) {
      await tx.insertInto('action_plans').values(data.plans.map((p) => {
        const g = groups.get(p.groupId)!
        return {
          id: p.id, group_id: p.groupId, threat_area: null, title: p.title, owning_agency_id: g.owningAgencyId, purpose: g.purpose, protective_marking: g.protectiveMarking,
          handling_code: g.handlingCode, handling_conditions: g.handlingConditions, sharing_scope: g.sharingScope, review_date: g.reviewDate, created_by: p.createdBy, updated_by: p.createdBy,
        }
      })).execute()
    }
    for (let i = 0; i < data.actions.length; i += 500) {
      await tx.insertInto('plan_actions').values(data.actions.slice(i, i + 500).map((a) => ({
        id: a.id, plan_id: a.planId, group_id: a.groupId, strand: a.strand, title: a.title, description: a.description, owner_agency_id: a.ownerAgencyId,
        owner_user_id: a.ownerUserId, due_on: a.dueOn, status: a.status, power_id: a.powerId, target_entity_id: a.targetEntityId, outcome_notes: a.outcomeNotes,
        completed_at: a.completedAt, created_by: a.createdBy, updated_by: a.createdBy,
      }))).execute()
    }
    if (data.grants.length > 0) {
      await tx.insertInto('record_grants').values(data.grants.map((g) => ({ record_type: GROUP_KIND.recordType, record_id: g.groupId, grantee_user_id: g.userId, grantee_agency_id: null, reason: TASKED_GRANT_REASON, granted_by: g.by }))).execute()
    }
    for (const d of data.disruptions) {
      await tx.insertInto('disruptions').values({
        id: d.id, group_id: d.groupId, action_id: d.actionId, power_id: d.powerId, occurred_on: d.occurredOn, agency_id: d.agencyId, description: d.description,
        outcome: d.outcome, outcome_reason: d.outcomeReason, recorded_by_agency_id: d.agencyId, created_by: d.createdBy,
      }).execute()
      if (d.assets.length > 0) await tx.insertInto('disruption_assets').values(d.assets.map((a) => ({ disruption_id: d.id, kind: a.kind, description: a.description, quantity: a.quantity, unit: a.unit, value_pence: a.valuePence }))).execute()
    }
    await recordAudit(tx, 'system', { action: 'collection', recordType: 'demonstration_data', purpose: 'Invented 4P plans for the demonstration', detail: { plans: data.plans.length, actions: data.actions.length, disruptions: data.disruptions.length } })
    return { plans: data.plans.length, actions: data.actions.length, disruptions: data.disruptions.length }
  })
}
