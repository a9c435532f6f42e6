import type { DemoOrder } from '../../core/demo/plans.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem } from '../../db/context.ts'
import { recordAudit } from '../audit/service.ts'
import * as q from './queries.ts'
import { CHECKS_GRANT_REASON } from './service.ts'

/** Loads invented orders with their conditions, sharing each subject with the agencies that check it. */
export async function loadDemonstrationOrders(db: Database, orders: readonly DemoOrder[]): Promise<number> {
  return asSystem(db, async (tx) => {
    for (const o of orders) {
      await tx.insertInto('orders').values({
        id: o.id, order_type: o.orderType, power_id: o.powerId, group_id: o.groupId, subject_entity_id: o.subjectEntityId, subject_kind: 'person', court: o.court,
        made_on: o.startsAt.slice(0, 10), starts_at: o.startsAt, ends_at: o.endsAt, officer_id: o.officerId, owning_agency_id: o.owningAgencyId,
        purpose: 'Invented for the demonstration: monitoring an SCPO', protective_marking: 'OFFICIAL', handling_code: 'P', sharing_scope: 'agency', review_date: o.endsAt.slice(0, 10),
        created_by: o.officerId, updated_by: o.officerId,
      }).execute()
      await q.insertObligations(tx, o.id, o.obligations)
      const checkers = [...new Set(o.obligations.flatMap((x) => x.checkAgencyIds))].filter((a) => a !== o.owningAgencyId)
      if (checkers.length > 0) {
        await tx.insertInto('record_grants').values(checkers.map((agencyId) => ({ record_type: 'entity', record_id: o.subjectEntityId, grantee_user_id: null, grantee_agency_id: agencyId, reason: CHECKS_GRANT_REASON, granted_by: o.officerId }))).execute()
      }
    }
    await recordAudit(tx, 'system', { action: 'collection', recordType: 'demonstration_data', purpose: 'Invented orders for the demonstration', detail: { orders: orders.length } })
    return orders.length
  })
}
