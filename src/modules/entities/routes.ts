import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { linkOptionsFor, linkPhrase } from '../../core/entities/links.ts'
import { displayPhone, displayRegistration, nationalPhone } from '../../core/entities/normalise.ts'
import { IDENTIFIER_TYPE_LABELS, IDENTIFIER_TYPES, PHONE_TYPE_LABELS, PHONE_TYPES, PREMISES_TYPE_LABELS, PREMISES_TYPES } from '../../core/entities/reference.ts'
import { ConflictError, ValidationError, type FieldIssue } from '../../core/errors.ts'
import { BUSINESS_TYPES, ENTITY_SCHEMA_LABELS, ENTITY_SCHEMAS, PERSON_ROLES, type EntitySchema } from '../../core/reference/crime.ts'
import { formBody, requireActor, requireCapability } from '../../http/auth.ts'
import { pathId } from '../../http/validation.ts'
import { formErrors, renderPage, setFlash } from '../../http/views.ts'
import { formAgencies, handlingChoices, registerSharingRoutes, renamed, sharingAgencies, withAgencyNames } from '../records/routes.ts'
import { EntityInput, EntityListQuery, EntityOut, EntitySummaryOut, EntityUpdate, LinkInput, RemovalInput } from './schema.ts'
import * as service from './service.ts'

const IdParams = z.object({ id: z.uuid('id must be a record id') })
const LinkParams = IdParams.extend({ linkId: z.uuid('linkId must be a link id') })
const idOf = (request: FastifyRequest) => pathId(request.params, 'id', 'Record')

// Lists the forms choose from that belong to entities alone (the rest are global `labels`).
const entityChoices = {
  schemas: ENTITY_SCHEMAS,
  personRoles: PERSON_ROLES,
  businessTypes: BUSINESS_TYPES,
  identifierTypes: IDENTIFIER_TYPES,
  premisesTypes: PREMISES_TYPES,
  phoneTypes: PHONE_TYPES,
  entityLabels: { identifierType: IDENTIFIER_TYPE_LABELS, premisesType: PREMISES_TYPE_LABELS, phoneType: PHONE_TYPE_LABELS },
}

/** "a person", "an address or premises": what the add page's heading names. */
const schemaNoun = (schema: EntitySchema) => {
  const label = ENTITY_SCHEMA_LABELS[schema].toLowerCase()
  return /^[aeiou]/.test(label) ? `an ${label}` : `a ${label}`
}

const isSchema = (v: unknown): v is EntitySchema => typeof v === 'string' && (ENTITY_SCHEMAS as readonly string[]).includes(v)

// The field a conflict message is pinned to: the first field of each schema's form.
const FIRST_FIELD: Record<EntitySchema, string> = {
  Person: 'fullName', Company: 'name', Organization: 'name', Address: 'street', Vehicle: 'registration', Phone: 'number', BankAccount: 'bankName',
}

/**
 * A posted entity form as the schema takes it: the repeated identifier type and value fields become
 * a list of identifiers (rows left wholly blank are not identifiers).
 */
function entityFromForm(body: Record<string, unknown>): Record<string, unknown> {
  const { identifierType, identifierValue, ...rest } = body
  if (rest.schema !== 'Person') return rest
  const types = [identifierType ?? []].flat().map(String)
  const values = [identifierValue ?? []].flat().map(String)
  const identifiers = Array.from({ length: Math.max(types.length, values.length) }, (_, i) => ({ type: types[i] ?? '', value: values[i] ?? '' }))
    .filter((id) => id.type.trim() !== '' || id.value.trim() !== '')
  return { ...rest, identifiers }
}

/** What the "add a link" page posts, turned into a link between this entity and the one chosen. */
function linkFromForm(entityId: string, body: Record<string, unknown>): { input: Record<string, unknown>; thisSide: 'subjectId' | 'objectId' | null; otherField: string } {
  const { linkOption, otherId, otherIdText, ...rest } = body
  const [linkType, side] = typeof linkOption === 'string' ? linkOption.split(':') : []
  const typed = typeof otherIdText === 'string' && otherIdText.trim() !== '' ? otherIdText.trim() : null
  const other = typed ?? (typeof otherId === 'string' ? otherId : '')
  const otherField = typed ? 'otherIdText' : 'otherId'
  const thisSide = side === 'subject' ? 'subjectId' : side === 'object' ? 'objectId' : null
  const input = {
    ...rest,
    linkType: linkType ?? '',
    subjectId: thisSide === 'objectId' ? other : entityId,
    objectId: thisSide === 'objectId' ? entityId : other,
  }
  return { input, thisSide, otherField }
}

/** Field problems with a link, named by the fields of the page's form. */
function linkFormIssues(issues: FieldIssue[], thisSide: 'subjectId' | 'objectId' | null, otherField: string): FieldIssue[] {
  return issues.map((i) => {
    if (i.field === 'linkType') return { ...i, field: 'linkOption' }
    if (i.field === 'subjectId' || i.field === 'objectId') return { ...i, field: thisSide === null ? 'linkOption' : i.field === thisSide ? 'linkOption' : otherField }
    return i
  })
}

/** What a page shows of an entity beyond its stored properties: marks and numbers as people write them. */
function displayOf(entity: { schema: string; registration: string | null; phoneNumber: string | null }) {
  return {
    registration: entity.registration ? displayRegistration(entity.registration) : null,
    phone: entity.phoneNumber ? displayPhone(entity.phoneNumber) : null,
    nationalPhone: entity.phoneNumber ? nationalPhone(entity.phoneNumber) : null,
  }
}

export async function entityRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx
  const { db, config } = ctx
  const api = app.withTypeProvider<ZodTypeProvider>()

  async function showEntity(request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) {
    const actor = requireActor(request)
    const entity = await service.getEntity(db, actor, id, ctx.now())
    return renderPage(request, reply, 'entities/views/show.njk', {
      title: entity.caption,
      entity,
      display: displayOf(entity),
      canLink: actor.capabilities.includes('records.write') && linkOptionsFor(entity.schema).length > 0,
      ...entityChoices,
      ...handlingChoices,
      agencies: await sharingAgencies(app, request, entity, extra.sharingValues),
      sharingValues: { ...entity, sharedWithAgencyIds: entity.sharedWith.map((a) => a.id) },
      grantValues: {},
      ...extra,
    })
  }
  registerSharingRoutes(app, { kind: service.ENTITY_KIND, pagePath: '/entities', apiPath: '/api/v1/entities', tag: 'entities', showPage: showEntity })

  async function showForm(request: FastifyRequest, reply: FastifyReply, schema: EntitySchema, locals: { values: Record<string, unknown>; errors?: ReturnType<typeof formErrors>; editing?: { id: string; caption: string } }) {
    const label = schemaNoun(schema)
    return renderPage(request, reply, 'entities/views/form.njk', {
      title: locals.editing ? `Change ${locals.editing.caption}` : `Add ${label}`,
      schema,
      action: locals.editing ? `/entities/${locals.editing.id}` : '/entities',
      ...entityChoices,
      ...handlingChoices,
      agencies: locals.editing ? [] : await formAgencies(app, request, locals.values as Record<string, unknown> | undefined),
      ...locals,
    })
  }

  // ------------------------------------------------------------------------------ pages

  app.get('/entities', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    try {
      const result = await service.listEntities(db, actor, request.query)
      return renderPage(request, reply, 'entities/views/list.njk', { title: 'People and entities', ...entityChoices, ...result, values: result.query })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const result = await service.listEntities(db, actor, {})
      return renderPage(request, reply.status(400), 'entities/views/list.njk', { title: 'People and entities', ...entityChoices, ...result, values: request.query, errors: formErrors(error.issues) })
    }
  })

  app.get('/entities/new', { schema: { hide: true } }, async (request, reply) => {
    requireCapability(request, 'records.write', 'Your role cannot record people or entities')
    const schema = (request.query as Record<string, unknown>).schema
    if (!isSchema(schema)) {
      const errors = schema === undefined ? undefined : formErrors([{ field: 'schema', message: 'Choose what kind of record to add' }])
      return renderPage(request, reply.status(errors ? 400 : 200), 'entities/views/choose.njk', { title: 'What do you want to add?', ...entityChoices, errors })
    }
    return showForm(request, reply, schema, { values: { schema, protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency' } })
  })

  app.post('/entities', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const body = entityFromForm(formBody(request))
    try {
      const id = await service.createEntity(db, actor, await withAgencyNames(app, request, body))
      setFlash(reply, 'Record added.', config.cookieSecure)
      return reply.redirect(`/entities/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      if (!isSchema(body.schema)) return renderPage(request, reply.status(400), 'entities/views/choose.njk', { title: 'What do you want to add?', ...entityChoices, errors: formErrors(error.issues) })
      return showForm(request, reply.status(400), body.schema, { values: body, errors: formErrors(error.issues) })
    }
  })

  app.get('/entities/:id', { schema: { hide: true } }, async (request, reply) => showEntity(request, reply, idOf(request)))

  app.get('/entities/:id/edit', { schema: { hide: true } }, async (request, reply) => {
    const entity = await service.entityForEditing(db, requireActor(request), idOf(request))
    return showForm(request, reply, entity.schema, { values: entity, editing: { id: entity.id, caption: entity.caption } })
  })

  app.post('/entities/:id', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const id = idOf(request)
    const body = entityFromForm(formBody(request))
    try {
      await service.updateEntity(db, actor, id, body)
      setFlash(reply, 'Record changed.', config.cookieSecure)
      return reply.redirect(`/entities/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError || error instanceof ConflictError)) throw error
      const current = await service.entityForEditing(db, actor, id)
      const issues = error instanceof ValidationError ? error.issues : [{ field: FIRST_FIELD[current.schema], message: error.message }]
      return showForm(request, reply.status(error instanceof ConflictError ? 409 : 400), current.schema, {
        values: { ...body, schema: current.schema },
        errors: formErrors(issues),
        editing: { id, caption: current.caption },
      })
    }
  })

  app.post('/entities/:id/erase', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const body = formBody(request)
    try {
      await service.eraseEntity(db, requireActor(request), id, body)
      setFlash(reply, 'Record erased.', config.cookieSecure)
      return reply.redirect('/entities', 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showEntity(request, reply.status(400), id, { eraseValues: body, errors: formErrors(renamed(error.issues, 'reason', 'eraseReason')) })
    }
  })

  async function showLinkForm(request: FastifyRequest, reply: FastifyReply, id: string, locals: { values: Record<string, unknown>; errors?: ReturnType<typeof formErrors> }) {
    const actor = requireCapability(request, 'records.write', 'Your role cannot link people or entities')
    const entity = await service.getEntity(db, actor, id, ctx.now(), 'Linking people and entities')
    return renderPage(request, reply, 'entities/views/link-form.njk', {
      title: `Link ${entity.caption}`,
      entity,
      linkOptions: linkOptionsFor(entity.schema).map((o) => ({ ...o, phrase: linkPhrase(o.linkType, o.as) })),
      choices: await service.linkChoices(db, actor, entity),
      ...entityChoices,
      ...handlingChoices,
      agencies: await formAgencies(app, request, locals.values as Record<string, unknown> | undefined),
      ...locals,
    })
  }

  app.get('/entities/:id/links/new', { schema: { hide: true } }, async (request, reply) =>
    showLinkForm(request, reply, idOf(request), { values: { protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency' } }),
  )

  app.post('/entities/:id/links', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const id = idOf(request)
    const body = formBody(request)
    const { input, thisSide, otherField } = linkFromForm(id, body)
    try {
      await service.addLink(db, actor, await withAgencyNames(app, request, input), id)
      setFlash(reply, 'Link added.', config.cookieSecure)
      return reply.redirect(`/entities/${id}#links`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showLinkForm(request, reply.status(400), id, { values: body, errors: formErrors(linkFormIssues(error.issues, thisSide, otherField)) })
    }
  })

  async function showRemoveLink(request: FastifyRequest, reply: FastifyReply, locals: { values: Record<string, unknown>; errors?: ReturnType<typeof formErrors> }) {
    const id = idOf(request)
    const linkId = pathId(request.params, 'linkId', 'Link')
    const entity = await service.getEntity(db, requireActor(request), id, ctx.now(), 'Removing a link')
    const link = entity.links.find((l) => l.id === linkId)
    if (!link) return reply.callNotFound()
    return renderPage(request, reply, 'entities/views/remove-link.njk', { title: 'Remove a link', entity, link, ...locals })
  }

  app.get('/entities/:id/links/:linkId/remove', { schema: { hide: true } }, async (request, reply) => showRemoveLink(request, reply, { values: {} }))

  app.post('/entities/:id/links/:linkId/remove', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const linkId = pathId(request.params, 'linkId', 'Link')
    const body = formBody(request)
    try {
      await service.removeLink(db, requireActor(request), id, linkId, body)
      setFlash(reply, 'Link removed.', config.cookieSecure)
      return reply.redirect(`/entities/${id}#links`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showRemoveLink(request, reply.status(400), { values: body, errors: formErrors(error.issues) })
    }
  })

  // ------------------------------------------------------------------------------ API

  api.get(
    '/api/v1/entities',
    {
      schema: {
        tags: ['entities'],
        summary: 'People, businesses, organisations, addresses, vehicles, phones and bank accounts the caller may see (logged as a consultation)',
        querystring: EntityListQuery,
        response: { 200: z.object({ total: z.number(), page: z.number(), entities: z.array(EntitySummaryOut) }) },
      },
    },
    async (request) => {
      const result = await service.listEntities(db, requireActor(request), request.query)
      return { total: result.total, page: result.query.page, entities: result.rows }
    },
  )

  api.post(
    '/api/v1/entities',
    { schema: { tags: ['entities'], summary: 'Record a person or entity (the body\'s "schema" says which kind)', body: EntityInput, response: { 201: EntityOut } } },
    async (request, reply) => {
      const actor = requireActor(request)
      const id = await service.createEntity(db, actor, request.body)
      return reply.status(201).header('location', `/api/v1/entities/${id}`).send(await service.getEntity(db, actor, id, ctx.now(), 'Recording a person or entity'))
    },
  )

  api.get(
    '/api/v1/entities/:id',
    {
      schema: {
        tags: ['entities'],
        summary: 'One person or entity with its links both ways, if the visibility rule allows (logged as a consultation; a refusal is logged too)',
        params: IdParams,
        querystring: z.strictObject({ purpose: z.string().trim().min(3).max(500).optional() }),
        response: { 200: EntityOut },
      },
    },
    async (request) => service.getEntity(db, requireActor(request), request.params.id, ctx.now(), request.query.purpose),
  )

  api.put(
    '/api/v1/entities/:id',
    {
      schema: {
        tags: ['entities'],
        summary: "Replace a person or entity's details, purpose and review date (owning agency only; send the rowVersion you read; sharing changes through /sharing)",
        params: IdParams,
        body: EntityUpdate,
        response: { 200: EntityOut },
      },
    },
    async (request) => {
      const actor = requireActor(request)
      await service.updateEntity(db, actor, request.params.id, request.body)
      return service.getEntity(db, actor, request.params.id, ctx.now(), 'Changing a person or entity')
    },
  )

  api.delete(
    '/api/v1/entities/:id',
    { schema: { tags: ['entities'], summary: 'Erase a person or entity and its links (owning agency only)', params: IdParams, body: RemovalInput, response: { 204: z.null() } } },
    async (request, reply) => {
      await service.eraseEntity(db, requireActor(request), request.params.id, request.body)
      return reply.status(204).send(null)
    },
  )

  api.post(
    '/api/v1/entities/:id/links',
    {
      schema: {
        tags: ['entities'],
        summary: 'Link this entity to another (subjectId or objectId must be this entity; both must be visible to the caller)',
        params: IdParams,
        body: LinkInput,
        response: { 201: z.object({ id: z.string() }) },
      },
    },
    async (request, reply) => {
      const id = await service.addLink(db, requireActor(request), request.body, request.params.id)
      return reply.status(201).send({ id })
    },
  )

  api.delete(
    '/api/v1/entities/:id/links/:linkId',
    { schema: { tags: ['entities'], summary: 'Remove a link (the agency that recorded it only)', params: LinkParams, body: RemovalInput, response: { 204: z.null() } } },
    async (request, reply) => {
      await service.removeLink(db, requireActor(request), request.params.id, request.params.linkId, request.body)
      return reply.status(204).send(null)
    },
  )
}
