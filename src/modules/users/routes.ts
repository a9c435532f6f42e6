import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ROLES } from '../../core/access/roles.ts'
import { ConflictError, ValidationError } from '../../core/errors.ts'
import { formBody, requireActor, requireCapability } from '../../http/auth.ts'
import { pathId } from '../../http/validation.ts'
import { formErrors, renderPage, setFlash } from '../../http/views.ts'
import { agencyOptions } from '../agencies/service.ts'
import { SESSION_COOKIE, endAllSessions, endOtherSessions } from '../auth/service.ts'
import { UserInput, UserListQuery, UserOut, UserUpdate } from './schema.ts'
import * as service from './service.ts'

const MANAGE_REASON = 'Managing users needs the user administration capability'
const IdParams = z.object({ id: z.uuid('id must be a user id') })
const idOf = (request: FastifyRequest) => pathId(request.params, 'id', 'User')

export async function userRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx
  const { db, config } = ctx
  const api = app.withTypeProvider<ZodTypeProvider>()

  async function showForm(request: FastifyRequest, reply: FastifyReply, locals: { title: string; action: string; values: Record<string, unknown>; errors?: ReturnType<typeof formErrors>; editing?: boolean }) {
    const actor = requireActor(request)
    const chosen = locals.values.roles === undefined ? [] : Array.isArray(locals.values.roles) ? locals.values.roles : [locals.values.roles]
    return renderPage(request, reply, 'users/views/form.njk', { ...locals, chosenRoles: chosen, roles: ROLES, agencies: await agencyOptions(db, actor) })
  }

  app.get('/users', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const agencies = await agencyOptions(db, actor)
    try {
      const result = await service.listUsers(db, actor, request.query, ctx.now())
      return renderPage(request, reply, 'users/views/list.njk', { title: 'Users', ...result, values: result.query, agencies, roles: ROLES })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const result = await service.listUsers(db, actor, {}, ctx.now())
      return renderPage(request, reply.status(400), 'users/views/list.njk', { title: 'Users', ...result, values: request.query, agencies, roles: ROLES, errors: formErrors(error.issues) })
    }
  })

  app.get('/users/new', { schema: { hide: true } }, async (request, reply) => {
    requireCapability(request, 'users.manage', MANAGE_REASON)
    return showForm(request, reply, { title: 'Add a user', action: '/users', values: {} })
  })

  app.post('/users', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const body = formBody(request)
    try {
      const id = await service.createUser(db, actor, body)
      setFlash(reply, 'User added. Give them their initial password by a secure route; they should change it at first sign-in.', config.cookieSecure)
      return reply.redirect(`/users/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showForm(request, reply.status(400), { title: 'Add a user', action: '/users', values: { ...body, password: '' }, errors: formErrors(error.issues) })
    }
  })

  app.get('/users/:id', { schema: { hide: true } }, async (request, reply) => {
    const user = await service.getUser(db, requireActor(request), idOf(request), ctx.now())
    return renderPage(request, reply, 'users/views/show.njk', { title: user.displayName, user })
  })

  app.get('/users/:id/edit', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireCapability(request, 'users.manage', MANAGE_REASON)
    const user = await service.getUser(db, actor, idOf(request), ctx.now())
    return showForm(request, reply, { title: `Change ${user.displayName}`, action: `/users/${user.id}`, values: user, editing: true })
  })

  app.post('/users/:id', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const id = idOf(request)
    const body = formBody(request)
    try {
      await service.updateUser(db, actor, id, body, ctx.now())
      // Roles or status may have changed: make the user sign in again to pick them up.
      await endAllSessions(ctx, id)
      setFlash(reply, 'User updated.', config.cookieSecure)
      return reply.redirect(`/users/${id}`, 303)
    } catch (error) {
      if (error instanceof ValidationError || error instanceof ConflictError) {
        const issues = error instanceof ValidationError ? error.issues : [{ field: 'email', message: error.message }]
        return showForm(request, reply.status(error instanceof ConflictError ? 409 : 400), { title: 'Change user', action: `/users/${id}`, values: body, errors: formErrors(issues), editing: true })
      }
      throw error
    }
  })

  app.post('/users/:id/unlock', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    await service.unlockUser(db, requireActor(request), id)
    setFlash(reply, 'Account unlocked.', config.cookieSecure)
    return reply.redirect(`/users/${id}`, 303)
  })

  app.post('/users/:id/password', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const id = idOf(request)
    try {
      await service.resetPassword(db, actor, id, formBody(request), ctx.now())
      await endAllSessions(ctx, id)
      setFlash(reply, 'Password changed. The user has been signed out everywhere.', config.cookieSecure)
      return reply.redirect(`/users/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const user = await service.getUser(db, actor, id, ctx.now())
      return renderPage(request, reply.status(400), 'users/views/show.njk', { title: user.displayName, user, errors: formErrors(error.issues) })
    }
  })

  app.get('/account/password', { schema: { hide: true } }, async (request, reply) => {
    requireActor(request)
    return renderPage(request, reply, 'users/views/password.njk', { title: 'Change your password' })
  })

  app.post('/account/password', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    try {
      await service.changeOwnPassword(db, actor, formBody(request))
      // Other devices signed in with the old password are signed out; this one stays.
      await endOtherSessions(ctx, actor.userId, request.cookies[SESSION_COOKIE] ?? '')
      setFlash(reply, 'Your password has been changed. You have been signed out everywhere else.', config.cookieSecure)
      return reply.redirect('/', 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return renderPage(request, reply.status(400), 'users/views/password.njk', { title: 'Change your password', errors: formErrors(error.issues) })
    }
  })

  api.get(
    '/api/v1/users',
    { schema: { tags: ['users'], summary: 'List and search users', querystring: UserListQuery, response: { 200: z.object({ total: z.number(), page: z.number(), users: z.array(UserOut) }) } } },
    async (request) => {
      const result = await service.listUsers(db, requireActor(request), request.query, ctx.now())
      return { total: result.total, page: result.query.page, users: result.rows }
    },
  )

  api.post('/api/v1/users', { schema: { tags: ['users'], summary: 'Add a user', body: UserInput, response: { 201: UserOut } } }, async (request, reply) => {
    const actor = requireActor(request)
    const id = await service.createUser(db, actor, request.body)
    return reply.status(201).header('location', `/api/v1/users/${id}`).send(await service.getUser(db, actor, id, ctx.now()))
  })

  api.get('/api/v1/users/:id', { schema: { tags: ['users'], summary: 'One user (logged as a consultation)', params: IdParams, response: { 200: UserOut } } }, async (request) =>
    service.getUser(db, requireActor(request), request.params.id, ctx.now()),
  )

  api.put(
    '/api/v1/users/:id',
    { schema: { tags: ['users'], summary: "Replace a user's details (send the rowVersion you read)", params: IdParams, body: UserUpdate, response: { 200: UserOut } } },
    async (request) => {
      const actor = requireActor(request)
      await service.updateUser(db, actor, request.params.id, request.body, ctx.now())
      await endAllSessions(ctx, request.params.id)
      return service.getUser(db, actor, request.params.id, ctx.now())
    },
  )
}
