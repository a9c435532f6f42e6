import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ValidationError } from '../../core/errors.ts'
import { formBody, requireActor } from '../../http/auth.ts'
import { pathId } from '../../http/validation.ts'
import { formErrors, renderPage, setFlash } from '../../http/views.ts'
import { formAgencies, handlingChoices, registerSharingRoutes, renamed, sharingAgencies, withAgencyNames } from '../records/routes.ts'
import { NoteInput, NoteListQuery, NoteOut, NoteSummaryOut } from './schema.ts'
import * as service from './service.ts'

const IdParams = z.object({ id: z.uuid('id must be a note id') })
const idOf = (request: FastifyRequest) => pathId(request.params, 'id', 'Note')
const choices = handlingChoices

export async function noteRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx
  const { db, config } = ctx
  const api = app.withTypeProvider<ZodTypeProvider>()

  async function showNote(request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) {
    const note = await service.getNote(db, requireActor(request), id, ctx.now())
    return renderPage(request, reply, 'notes/views/show.njk', {
      title: note.subject,
      note,
      ...choices,
      agencies: await sharingAgencies(app, request, note, extra.sharingValues),
      sharingValues: { ...note, sharedWithAgencyIds: note.sharedWith.map((a) => a.id) },
      grantValues: {},
      ...extra,
    })
  }
  registerSharingRoutes(app, { kind: service.KIND, pagePath: '/notes', apiPath: '/api/v1/notes', tag: 'notes', showPage: showNote })

  app.get('/notes', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    try {
      const result = await service.listNotes(db, actor, request.query)
      return renderPage(request, reply, 'notes/views/list.njk', { title: 'Shared notes', ...result, values: result.query })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const result = await service.listNotes(db, actor, {})
      return renderPage(request, reply.status(400), 'notes/views/list.njk', { title: 'Shared notes', ...result, values: request.query, errors: formErrors(error.issues) })
    }
  })

  app.get('/notes/new', { schema: { hide: true } }, async (request, reply) => {
    requireActor(request)
    return renderPage(request, reply, 'notes/views/form.njk', { title: 'Record a note', ...choices, agencies: [], values: { protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency' } })
  })

  app.post('/notes', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const body = formBody(request)
    try {
      const id = await service.createNote(db, actor, await withAgencyNames(app, request, body))
      setFlash(reply, 'Note recorded.', config.cookieSecure)
      return reply.redirect(`/notes/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return renderPage(request, reply.status(400), 'notes/views/form.njk', { title: 'Record a note', ...choices, agencies: await formAgencies(app, request, body), values: body, errors: formErrors(error.issues) })
    }
  })

  app.get('/notes/:id', { schema: { hide: true } }, async (request, reply) => showNote(request, reply, idOf(request)))

  app.post('/notes/:id/erase', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const body = formBody(request)
    try {
      await service.eraseNote(db, requireActor(request), id, body.reason)
      setFlash(reply, 'Note erased.', config.cookieSecure)
      return reply.redirect('/notes', 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showNote(request, reply.status(400), id, { eraseValues: body, errors: formErrors(renamed(error.issues, 'reason', 'eraseReason')) })
    }
  })

  api.get(
    '/api/v1/notes',
    { schema: { tags: ['notes'], summary: 'Shared notes the caller may see (logged as a consultation)', querystring: NoteListQuery, response: { 200: z.object({ total: z.number(), page: z.number(), notes: z.array(NoteSummaryOut) }) } } },
    async (request) => {
      const result = await service.listNotes(db, requireActor(request), request.query)
      return { total: result.total, page: result.query.page, notes: result.rows }
    },
  )

  api.post('/api/v1/notes', { schema: { tags: ['notes'], summary: 'Record a note', body: NoteInput, response: { 201: NoteOut } } }, async (request, reply) => {
    const actor = requireActor(request)
    const id = await service.createNote(db, actor, request.body)
    return reply.status(201).header('location', `/api/v1/notes/${id}`).send(await service.getNote(db, actor, id, ctx.now()))
  })

  api.get(
    '/api/v1/notes/:id',
    {
      schema: {
        tags: ['notes'],
        summary: 'One note, if the visibility rule allows (logged as a consultation; a refusal is logged too)',
        params: IdParams,
        querystring: z.strictObject({ purpose: z.string().trim().min(3).max(500).optional() }),
        response: { 200: NoteOut },
      },
    },
    async (request) => service.getNote(db, requireActor(request), request.params.id, ctx.now(), request.query.purpose),
  )

  api.delete(
    '/api/v1/notes/:id',
    { schema: { tags: ['notes'], summary: 'Erase a note (owning agency only)', params: IdParams, body: z.strictObject({ reason: z.string().trim().min(3).max(500) }), response: { 204: z.null() } } },
    async (request, reply) => {
      await service.eraseNote(db, requireActor(request), request.params.id, request.body.reason)
      return reply.status(204).send(null)
    },
  )
}
