import type { FastifyInstance } from 'fastify'
import type { Capability } from '../../core/access/roles.ts'
import { asUser } from '../../db/context.ts'
import { requireActor } from '../../http/auth.ts'
import { renderPage } from '../../http/views.ts'
import { agencyCounts } from '../agencies/service.ts'
import { groupCounts } from '../groups/service.ts'
import { noteCounts } from '../notes/service.ts'
import { myWork } from '../plans/service.ts'
import { ACTION_STATUS_LABELS } from '../../core/plans/actions.ts'
import { STRAND_LABELS } from '../../core/powers/catalogue.ts'
import { DISRUPTION_OUTCOME_LABELS } from '../plans/schema.ts'
import { checksDueFor } from '../orders/service.ts'
import { ORDER_TYPE_LABELS } from '../orders/schema.ts'
import { referralCountsFor } from '../referrals/service.ts'
import { ukDay } from '../../core/time/ukDates.ts'
import { userCounts } from '../users/service.ts'

/** The last day of the month a YYYY-MM-DD day falls in. */
function endOfMonth(day: string): string {
  const [y, m] = day.split('-').map(Number) as [number, number]
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10)
}

const planLabels = { strand: STRAND_LABELS, status: ACTION_STATUS_LABELS, outcome: DISRUPTION_OUTCOME_LABELS }

export async function homeRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.ctx

  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const can = (c: Capability) => actor.capabilities.includes(c)
    // The page is shaped by role: people who work cases see their agency's notes, their tasks and
    // the groups they lead; those who run the directory, coordinate GAIN or see aggregate figures
    // only see the partnership's shape.
    const showDirectory = can('users.read') || !can('records.read')
    // One transaction for the whole page: on the embedded database each costs round trips.
    const { agencies, users, notes, groups, work, checks, referrals } = await asUser(db, actor, async (tx) => {
      const work = can('records.read') ? await myWork(tx, db, actor, app.ctx.now()) : null
      return {
        agencies: showDirectory ? await agencyCounts(tx) : null,
        users: can('users.read') ? await userCounts(tx) : null,
        notes: can('records.read') ? await noteCounts(tx, actor) : null,
        groups: can('records.read') ? await groupCounts(tx, actor) : null,
        work,
        // Checks still to record by the end of this month (overdue ones too): on the orders of the
        // groups the user leads, and those assigned to their agency.
        checks: work ? await checksDueFor(tx, actor, work.ledGroups.map((g) => g.id), endOfMonth(ukDay(app.ctx.now()))) : null,
        referrals: await referralCountsFor(tx, actor, app.ctx.now()),
      }
    })
    return renderPage(request, reply, 'home/views/dashboard.njk', { title: 'Home', agencies, users, notes, groups, work, checks, referrals, planLabels, orderTypes: ORDER_TYPE_LABELS, today: ukDay(app.ctx.now()) })
  })
}
