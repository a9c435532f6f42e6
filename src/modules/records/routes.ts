import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { HANDLING_CODES, PROTECTIVE_MARKINGS, SHARING_SCOPES } from '../../core/access/visibility.ts'
import { ValidationError } from '../../core/errors.ts'
import { formBody, requireActor } from '../../http/auth.ts'
import { pathId } from '../../http/validation.ts'
import { formErrors, setFlash } from '../../http/views.ts'
import { GrantInput, SharingInput } from './schema.ts'
import * as service from './service.ts'

/** What a record page needs to offer the marking, sharing and grant forms. */
export const handlingChoices = { markings: PROTECTIVE_MARKINGS, handlingCodes: HANDLING_CODES, scopes: SHARING_SCOPES }

/**
 * The agencies a form with the marking and sharing fields shows ticked (handling.njk,
 * handlingFields): those its values name. Others are added by name, never chosen from the directory.
 */
export function formAgencies(app: FastifyInstance, request: FastifyRequest, values: Record<string, unknown> | undefined) {
  return service.chosenAgencies(app.ctx.db, requireActor(request), values)
}

/** A form's body with the agencies it names in words turned into ids (records service, withAgencyNames). */
export function withAgencyNames(app: FastifyInstance, request: FastifyRequest, body: Record<string, unknown>) {
  return service.withAgencyNames(app.ctx.db, requireActor(request), body)
}

/**
 * The same for a record page's sharing form, which only the owning agency's sharers see (accessPanel):
 * the agencies the record is shared with, or, when the form comes back with errors, those it ticked.
 */
export async function sharingAgencies(app: FastifyInstance, request: FastifyRequest, record: { owningAgencyId: string; sharedWith: Array<{ id: string; name: string }> }, posted: unknown) {
  const actor = requireActor(request)
  if (record.owningAgencyId !== actor.agencyId || !actor.capabilities.includes('records.share')) return []
  return posted ? formAgencies(app, request, posted as Record<string, unknown>) : record.sharedWith
}

// A record page holds several forms with a reason field; each keeps its own id for the error summary.
export const renamed = (issues: Array<{ field: string; message: string }>, from: string, to: string) => issues.map((i) => (i.field === from ? { ...i, field: to } : i))

export type SharingRouteOptions = {
  kind: service.RestrictedKind
  /** '/groups': pages post to '/groups/:id/sharing' and so on. */
  pagePath: string
  /** '/api/v1/groups' */
  apiPath: string
  tag: string
  /** Renders the record's page again, with a form's values and errors. */
  showPage: (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown>) => Promise<unknown>
}

/** The sharing, grant and withdrawal endpoints every restricted record has, on pages and in the API. */
export function registerSharingRoutes(app: FastifyInstance, o: SharingRouteOptions): void {
  const { db, config } = app.ctx
  const api = app.withTypeProvider<ZodTypeProvider>()
  const idOf = (request: FastifyRequest) => pathId(request.params, 'id', o.kind.noun)
  const Params = z.object({ id: z.uuid(`id must be a ${o.kind.noun} id`) })

  app.post(`${o.pagePath}/:id/sharing`, { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const body = formBody(request)
    try {
      const actor = requireActor(request)
      await service.changeSharing(db, actor, o.kind, id, await service.withAgencyNames(db, actor, body))
      setFlash(reply, 'Sharing changed.', config.cookieSecure)
      return reply.redirect(`${o.pagePath}/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return o.showPage(request, reply.status(400), id, { sharingValues: body, errors: formErrors(error.issues) })
    }
  })

  app.post(`${o.pagePath}/:id/grants`, { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const body = formBody(request)
    try {
      const actor = requireActor(request)
      await service.grantAccess(db, actor, o.kind, id, await service.withAgencyNames(db, actor, body), app.ctx.now())
      setFlash(reply, 'Access granted.', config.cookieSecure)
      return reply.redirect(`${o.pagePath}/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return o.showPage(request, reply.status(400), id, { grantValues: body, errors: formErrors(renamed(error.issues, 'reason', 'grantReason')) })
    }
  })

  app.post(`${o.pagePath}/:id/grants/:grantId/revoke`, { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const grantId = pathId(request.params, 'grantId', 'Grant')
    await service.revokeAccess(db, requireActor(request), o.kind, id, grantId)
    setFlash(reply, 'Access withdrawn.', config.cookieSecure)
    return reply.redirect(`${o.pagePath}/${id}`, 303)
  })

  api.put(
    `${o.apiPath}/:id/sharing`,
    { schema: { tags: [o.tag], summary: `Change a ${o.kind.noun}'s marking, handling and sharing (owning agency only)`, params: Params, body: SharingInput, response: { 204: z.null() } } },
    async (request, reply) => {
      await service.changeSharing(db, requireActor(request), o.kind, request.params.id, request.body)
      return reply.status(204).send(null)
    },
  )

  api.post(
    `${o.apiPath}/:id/grants`,
    { schema: { tags: [o.tag], summary: `Grant one user or agency access to a ${o.kind.noun}`, params: Params, body: GrantInput, response: { 201: z.object({ grantId: z.string() }) } } },
    async (request, reply) => reply.status(201).send({ grantId: await service.grantAccess(db, requireActor(request), o.kind, request.params.id, request.body, app.ctx.now()) }),
  )

  api.delete(
    `${o.apiPath}/:id/grants/:grantId`,
    { schema: { tags: [o.tag], summary: `Withdraw a grant of access to a ${o.kind.noun}`, params: Params.extend({ grantId: z.uuid('grantId must be a grant id') }), response: { 204: z.null() } } },
    async (request, reply) => {
      await service.revokeAccess(db, requireActor(request), o.kind, request.params.id, request.params.grantId)
      return reply.status(204).send(null)
    },
  )
}
