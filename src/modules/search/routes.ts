import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ValidationError } from '../../core/errors.ts'
import { requireActor } from '../../http/auth.ts'
import { formErrors, renderPage } from '../../http/views.ts'
import { SEARCH_KINDS, SearchHit, SearchQuery } from './schema.ts'
import * as service from './service.ts'

export async function searchRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.ctx
  const api = app.withTypeProvider<ZodTypeProvider>()

  app.get('/search', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const raw = request.query as Record<string, unknown>
    const locals = { title: 'Search', kinds: SEARCH_KINDS, values: raw }
    // The empty page is the search form itself, not an error.
    if (raw.q === undefined) return renderPage(request, reply, 'search/views/search.njk', { ...locals, hits: null })
    try {
      const result = await service.search(db, actor, raw)
      return renderPage(request, reply, 'search/views/search.njk', { ...locals, hits: result.hits, query: result.query })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return renderPage(request, reply.status(400), 'search/views/search.njk', { ...locals, hits: null, errors: formErrors(error.issues) })
    }
  })

  api.get(
    '/api/v1/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Fuzzy search across people, businesses, addresses, vehicles, phones, accounts and groups the caller may see (logged)',
        querystring: SearchQuery,
        response: { 200: z.object({ query: z.string(), hits: z.array(SearchHit) }) },
      },
    },
    async (request) => {
      const result = await service.search(db, requireActor(request), request.query)
      return { query: result.query.q, hits: result.hits }
    },
  )
}
