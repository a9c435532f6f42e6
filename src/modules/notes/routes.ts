import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { HANDLING_CODES, PROTECTIVE_MARKINGS, SHARING_SCOPES } from '../../core/access/visibility.ts'
import { ValidationError } from '../../core/errors.ts'
import { formBody, requireActor } from '../../http/auth.ts'
import { pathId } from '../../http/validation.ts'
import { formErrors, renderPage, setFlash } from '../../http/views.ts'
import { agencyOptions } from '../agencies/service.ts'
import { GrantInput, NoteInput, NoteListQuery, NoteOut, NoteSummaryOut, SharingInput } from './schema.ts'
import * as service from './service.ts'

const IdParams = z.object({ id: z.uuid('id must be a note id') })
const idOf = (request: FastifyRequest) => pathId(request.params, 'id', 'Note')
// The note page holds three forms with a reason field; each keeps its own id for the error summary.
const renamed = (issues: Array<{ field: string; message: string }>, from: string, to: string) => issues.map((i) => (i.field === from ? { ...i, field: to } : i))
const choices = { markings: PROTECTIVE_MARKINGS, handlingCodes: HANDLING_CODES, scopes: SHARING_SCOPES }

export async function noteRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx
  const { db, config } = ctx
  const api = app.withTypeProvider<ZodTypeProvider>()

  async function otherAgencies(request: FastifyRequest) {
    const actor = requireActor(request)
    return (await agencyOptions(db, actor)).filter((a) => a.id !== actor.agencyId)
  }

  async function showNote(request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) {
    const note = await service.getNote(db, requireActor(request), id, ctx.now())
    return renderPage(request, reply, 'notes/views/show.njk', {
      title: note.subject,
      note,
      ...choices,
      agencies: await otherAgencies(request),
      sharingValues: { ...note, sharedWithAgencyIds: note.sharedWith.map((a) => a.id) },
      grantValues: {},
      ...extra,
    })
  }

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
    return renderPage(request, reply, 'notes/views/form.njk', { title: 'Record a note', ...choices, agencies: await otherAgencies(request), values: { protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency' } })
  })

  app.post('/notes', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const body = formBody(request)
    try {
      const id = await service.createNote(db, actor, body)
      setFlash(reply, 'Note recorded.', config.cookieSecure)
      return reply.redirect(`/notes/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return renderPage(request, reply.status(400), 'notes/views/form.njk', { title: 'Record a note', ...choices, agencies: await otherAgencies(request), values: body, errors: formErrors(error.issues) })
    }
  })

  app.get('/notes/:id', { schema: { hide: true } }, async (request, reply) => showNote(request, reply, idOf(request)))

  app.post('/notes/:id/sharing', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const body = formBody(request)
    try {
      await service.changeSharing(db, requireActor(request), id, body)
      setFlash(reply, 'Sharing changed.', config.cookieSecure)
      return reply.redirect(`/notes/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showNote(request, reply.status(400), id, { sharingValues: body, errors: formErrors(error.issues) })
    }
  })

  app.post('/notes/:id/grants', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const body = formBody(request)
    try {
      await service.grantAccess(db, requireActor(request), id, body, ctx.now())
      setFlash(reply, 'Access granted.', config.cookieSecure)
      return reply.redirect(`/notes/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showNote(request, reply.status(400), id, { grantValues: body, errors: formErrors(renamed(error.issues, 'reason', 'grantReason')) })
    }
  })

  app.post('/notes/:id/grants/:grantId/revoke', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const grantId = pathId(request.params, 'grantId', 'Grant')
    await service.revokeAccess(db, requireActor(request), id, grantId)
    setFlash(reply, 'Access withdrawn.', config.cookieSecure)
    return reply.redirect(`/notes/${id}`, 303)
  })

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

  api.put(
    '/api/v1/notes/:id/sharing',
    { schema: { tags: ['notes'], summary: "Change a note's marking, handling and sharing (owning agency only)", params: IdParams, body: SharingInput, response: { 200: NoteOut } } },
    async (request) => {
      const actor = requireActor(request)
      await service.changeSharing(db, actor, request.params.id, request.body)
      return service.getNote(db, actor, request.params.id, ctx.now())
    },
  )

  api.post(
    '/api/v1/notes/:id/grants',
    { schema: { tags: ['notes'], summary: 'Grant one user or agency access to a note', params: IdParams, body: GrantInput, response: { 201: z.object({ grantId: z.string() }) } } },
    async (request, reply) => reply.status(201).send({ grantId: await service.grantAccess(db, requireActor(request), request.params.id, request.body, ctx.now()) }),
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
