import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AGENCY_REGIONS, AGENCY_TYPES, SERVICE_AREAS } from '../../core/reference/agencies.ts'
import { ConflictError, ValidationError } from '../../core/errors.ts'
import { formBody, requireActor, requireCapability } from '../../http/auth.ts'
import { pathId } from '../../http/validation.ts'
import { formErrors, renderPage, setFlash } from '../../http/views.ts'
import { AgencyDetailOut, AgencyInput, AgencyListQuery, AgencyOut, AgencyUpdate, ContactInput, ContactOut } from './schema.ts'
import * as service from './service.ts'

const MANAGE_REASON = 'Changing the partner directory needs the agency administration capability'
const IdParams = z.object({ id: z.uuid('id must be an agency id') })
const idOf = (request: FastifyRequest) => pathId(request.params, 'id', 'Agency')

export async function agencyRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app.ctx
  const api = app.withTypeProvider<ZodTypeProvider>()

  async function showForm(request: FastifyRequest, reply: FastifyReply, locals: { title: string; action: string; values: Record<string, unknown>; errors?: ReturnType<typeof formErrors>; editing?: boolean }) {
    const actor = requireActor(request)
    return renderPage(request, reply, 'agencies/views/form.njk', {
      ...locals,
      agencyTypes: AGENCY_TYPES,
      regions: AGENCY_REGIONS,
      serviceAreas: SERVICE_AREAS,
      councils: await service.agencyOptions(db, actor, true),
    })
  }

  // Pages

  app.get('/agencies', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    try {
      const result = await service.listAgencies(db, actor, request.query)
      return renderPage(request, reply, 'agencies/views/list.njk', { title: 'Agencies', ...result, regions: AGENCY_REGIONS, agencyTypes: AGENCY_TYPES, values: result.query })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const result = await service.listAgencies(db, actor, {})
      return renderPage(request, reply.status(400), 'agencies/views/list.njk', { title: 'Agencies', ...result, regions: AGENCY_REGIONS, agencyTypes: AGENCY_TYPES, values: request.query, errors: formErrors(error.issues) })
    }
  })

  app.get('/agencies/new', { schema: { hide: true } }, async (request, reply) => {
    requireCapability(request, 'agencies.manage', MANAGE_REASON)
    return showForm(request, reply, { title: 'Add an agency', action: '/agencies', values: { region: '' } })
  })

  app.post('/agencies', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const body = formBody(request)
    try {
      const id = await service.createAgency(db, actor, body)
      setFlash(reply, `${String(body.name).trim()} added to the partner directory.`, config.cookieSecure)
      return reply.redirect(`/agencies/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showForm(request, reply.status(400), { title: 'Add an agency', action: '/agencies', values: body, errors: formErrors(error.issues) })
    }
  })

  app.get('/agencies/:id', { schema: { hide: true } }, async (request, reply) => {
    const agency = await service.getAgency(db, requireActor(request), idOf(request))
    return renderPage(request, reply, 'agencies/views/show.njk', { title: agency.name, agency, contactValues: {} })
  })

  app.get('/agencies/:id/edit', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireCapability(request, 'agencies.manage', MANAGE_REASON)
    const agency = await service.getAgency(db, actor, idOf(request))
    return showForm(request, reply, { title: `Change ${agency.name}`, action: `/agencies/${agency.id}`, values: agency, editing: true })
  })

  app.post('/agencies/:id', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const id = idOf(request)
    const body = formBody(request)
    try {
      await service.updateAgency(db, actor, id, body)
      setFlash(reply, 'Agency updated.', config.cookieSecure)
      return reply.redirect(`/agencies/${id}`, 303)
    } catch (error) {
      if (error instanceof ValidationError || error instanceof ConflictError) {
        const issues = error instanceof ValidationError ? error.issues : [{ field: 'name', message: error.message }]
        return showForm(request, reply.status(error instanceof ConflictError ? 409 : 400), { title: 'Change agency', action: `/agencies/${id}`, values: body, errors: formErrors(issues), editing: true })
      }
      throw error
    }
  })

  app.post('/agencies/:id/contacts', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const id = idOf(request)
    const body = formBody(request)
    try {
      await service.addContact(db, actor, id, body)
      setFlash(reply, 'Contact added.', config.cookieSecure)
      return reply.redirect(`/agencies/${id}#contacts`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const agency = await service.getAgency(db, actor, id)
      return renderPage(request, reply.status(400), 'agencies/views/show.njk', { title: agency.name, agency, contactValues: body, errors: formErrors(error.issues) })
    }
  })

  app.post('/agencies/:id/contacts/:contactId/remove', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const contactId = pathId(request.params, 'contactId', 'Contact')
    await service.removeContact(db, requireActor(request), id, contactId)
    setFlash(reply, 'Contact removed.', config.cookieSecure)
    return reply.redirect(`/agencies/${id}#contacts`, 303)
  })

  // API

  api.get(
    '/api/v1/agencies',
    { schema: { tags: ['agencies'], summary: 'List and search the partner directory', querystring: AgencyListQuery, response: { 200: z.object({ total: z.number(), page: z.number(), agencies: z.array(AgencyOut) }) } } },
    async (request) => {
      const result = await service.listAgencies(db, requireActor(request), request.query)
      return { total: result.total, page: result.query.page, agencies: result.rows }
    },
  )

  api.post(
    '/api/v1/agencies',
    { schema: { tags: ['agencies'], summary: 'Add an agency', body: AgencyInput, response: { 201: AgencyDetailOut } } },
    async (request, reply) => {
      const actor = requireActor(request)
      const id = await service.createAgency(db, actor, request.body)
      return reply.status(201).header('location', `/api/v1/agencies/${id}`).send(await service.getAgency(db, actor, id))
    },
  )

  api.get(
    '/api/v1/agencies/:id',
    { schema: { tags: ['agencies'], summary: 'One agency with its contacts', params: IdParams, response: { 200: AgencyDetailOut } } },
    async (request) => service.getAgency(db, requireActor(request), request.params.id),
  )

  api.put(
    '/api/v1/agencies/:id',
    { schema: { tags: ['agencies'], summary: 'Replace an agency\'s details (send the rowVersion you read)', params: IdParams, body: AgencyUpdate, response: { 200: AgencyDetailOut } } },
    async (request) => {
      const actor = requireActor(request)
      await service.updateAgency(db, actor, request.params.id, request.body)
      return service.getAgency(db, actor, request.params.id)
    },
  )

  api.post(
    '/api/v1/agencies/:id/contacts',
    { schema: { tags: ['agencies'], summary: 'Add a contact to an agency', params: IdParams, body: ContactInput, response: { 201: ContactOut } } },
    async (request, reply) => {
      const actor = requireActor(request)
      const contactId = await service.addContact(db, actor, request.params.id, request.body)
      const agency = await service.getAgency(db, actor, request.params.id)
      return reply.status(201).send(agency.contacts.find((c) => c.id === contactId)!)
    },
  )
}
