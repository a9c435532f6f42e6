import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { COURT_LABELS, POWER_SUBJECT_LABELS, STANDARD_OF_PROOF_LABELS, STRAND_LABELS } from '../../core/powers/catalogue.ts'
import { ValidationError } from '../../core/errors.ts'
import { requireActor } from '../../http/auth.ts'
import { formErrors, renderPage } from '../../http/views.ts'
import { PowerListQuery, PowerOut } from './schema.ts'
import * as service from './service.ts'

const labels = { strand: STRAND_LABELS, subject: POWER_SUBJECT_LABELS, court: COURT_LABELS, proof: STANDARD_OF_PROOF_LABELS }

export async function powerRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.ctx
  const api = app.withTypeProvider<ZodTypeProvider>()

  app.get('/powers', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    try {
      const result = await service.listPowers(db, actor, request.query)
      return renderPage(request, reply, 'powers/views/list.njk', { title: 'Tools and powers', ...result, values: result.query, powerLabels: labels })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const result = await service.listPowers(db, actor, {})
      return renderPage(request, reply.status(400), 'powers/views/list.njk', { title: 'Tools and powers', ...result, values: request.query, errors: formErrors(error.issues), powerLabels: labels })
    }
  })

  app.get('/powers/:id', { schema: { hide: true } }, async (request, reply) => {
    const power = await service.getPower(db, requireActor(request), String((request.params as { id: string }).id))
    return renderPage(request, reply, 'powers/views/show.njk', { title: power.name, power, powerLabels: labels })
  })

  api.get(
    '/api/v1/powers',
    { schema: { tags: ['powers'], summary: 'The tools-and-powers catalogue, filtered by 4P strand, subject or agency type', querystring: PowerListQuery, response: { 200: z.object({ version: z.number(), total: z.number(), powers: z.array(PowerOut) }) } } },
    async (request) => {
      const result = await service.listPowers(db, requireActor(request), request.query)
      return { version: result.version, total: result.powers.length, powers: result.powers }
    },
  )

  api.get(
    '/api/v1/powers/:id',
    { schema: { tags: ['powers'], summary: 'One power with its rules', params: z.object({ id: z.string().max(80) }), response: { 200: PowerOut } } },
    async (request) => service.getPower(db, requireActor(request), request.params.id),
  )
}
