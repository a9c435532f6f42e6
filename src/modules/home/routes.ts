import type { FastifyInstance } from 'fastify'
import { requireActor } from '../../http/auth.ts'
import { renderPage } from '../../http/views.ts'
import { agencyCounts } from '../agencies/service.ts'
import { noteCounts } from '../notes/service.ts'
import { userCounts } from '../users/service.ts'

export async function homeRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.ctx

  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const can = (c: string) => actor.capabilities.includes(c as (typeof actor.capabilities)[number])
    const [agencies, users, notes] = await Promise.all([
      agencyCounts(db, actor),
      can('users.read') ? userCounts(db, actor) : null,
      can('records.read') ? noteCounts(db, actor) : null,
    ])
    return renderPage(request, reply, 'home/views/dashboard.njk', { title: 'Home', agencies, users, notes })
  })
}
