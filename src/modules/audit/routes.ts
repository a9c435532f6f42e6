import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ValidationError } from '../../core/errors.ts'
import { requireActor, requireCapability } from '../../http/auth.ts'
import { formErrors, renderPage } from '../../http/views.ts'
import { AUDIT_ACTIONS, AuditEventOut, AuditSearch } from './schema.ts'
import { searchAudit } from './service.ts'

const REASON = 'Searching the audit log needs the audit capability'

export async function auditRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.ctx
  const api = app.withTypeProvider<ZodTypeProvider>()

  app.get('/audit', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireCapability(request, 'audit.read', REASON)
    try {
      const result = await searchAudit(db, actor, request.query)
      return renderPage(request, reply, 'audit/views/search.njk', { title: 'Audit log', ...result, values: result.search, actions: AUDIT_ACTIONS })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return renderPage(request, reply.status(400), 'audit/views/search.njk', {
        title: 'Audit log',
        rows: [],
        total: 0,
        names: {},
        search: { page: 1 },
        values: request.query,
        actions: AUDIT_ACTIONS,
        errors: formErrors(error.issues),
      })
    }
  })

  api.get(
    '/api/v1/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Search the audit log by user, record, action and date (UK days)',
        querystring: AuditSearch,
        response: { 200: z.object({ total: z.number(), page: z.number(), events: z.array(AuditEventOut) }) },
      },
    },
    async (request) => {
      const result = await searchAudit(db, requireActor(request), request.query)
      return { total: result.total, page: result.search.page, events: result.rows }
    },
  )
}
