import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { TOKEN_SCOPES } from '../../core/access/roles.ts'
import { ValidationError } from '../../core/errors.ts'
import { ukClock } from '../../core/time/ukDates.ts'
import { formBody, requireActor, requireCapability } from '../../http/auth.ts'
import { pathId } from '../../http/validation.ts'
import { formErrors, renderPage, setFlash } from '../../http/views.ts'
import { SESSION_COOKIE, issueApiToken, listApiTokens, revokeApiToken, signIn, signOut } from './service.ts'
import { TokenOut } from './schema.ts'

const safeNext = (next: unknown) => (typeof next === 'string' && /^\/(?!\/)[\w\-/?=&%.]*$/.test(next) ? next : '/')

export async function authRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx
  const api = app.withTypeProvider<ZodTypeProvider>()

  app.get('/sign-in', { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>
    if (request.actor) return reply.redirect(safeNext(query.next), 303)
    return renderPage(request, reply, 'auth/views/sign-in.njk', {
      title: 'Sign in',
      next: safeNext(query.next),
      expired: query.expired === '1' || request.sessionExpired,
      signedOut: query['signed-out'] === '1',
      values: {},
    })
  })

  app.post(
    '/sign-in',
    { schema: { hide: true }, config: { rateLimit: { max: ctx.config.signInRatePerMinute, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const body = formBody(request)
      const next = safeNext(body.next)
      delete body.next
      const show = (issues: Array<{ field: string; message: string }>, status: number) =>
        renderPage(request, reply.status(status), 'auth/views/sign-in.njk', { title: 'Sign in', next, values: { email: body.email }, errors: formErrors(issues) })
      try {
        const outcome = await signIn(ctx, body, { ip: request.ip, userAgent: request.headers['user-agent'] ?? null })
        if (!outcome.ok) {
          if (outcome.reason === 'locked') {
            request.log.warn({ email: body.email }, 'sign-in refused: account locked')
            const until = ukClock(outcome.lockedUntil)
            return show([{ field: 'email', message: `This account is locked after repeated failed sign-ins. Try again after ${until}, or ask an administrator to unlock it.` }], 423)
          }
          request.log.info({ email: body.email }, 'sign-in failed')
          return show([{ field: 'email', message: 'Enter a correct email address and password' }], 401)
        }
        reply.setCookie(SESSION_COOKIE, outcome.token, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: ctx.config.cookieSecure,
          maxAge: ctx.config.sessionMaxHours * 3600,
        })
        request.log.info({ userId: outcome.userId }, 'signed in')
        return reply.redirect(next, 303)
      } catch (error) {
        if (error instanceof ValidationError) return show(error.issues, 400)
        throw error
      }
    },
  )

  app.post('/sign-out', { schema: { hide: true } }, async (request, reply) => {
    const cookie = request.cookies[SESSION_COOKIE]
    if (cookie) await signOut(ctx, cookie)
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return reply.redirect('/sign-in?signed-out=1', 303)
  })

  app.get('/account/tokens', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireCapability(request, 'tokens.own', 'Your role cannot use API tokens')
    return renderPage(request, reply, 'auth/views/tokens.njk', { title: 'API tokens', tokens: await listApiTokens(ctx, actor), scopes: TOKEN_SCOPES, values: { expiresInDays: '90' } })
  })

  app.post('/account/tokens', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireCapability(request, 'tokens.own', 'Your role cannot use API tokens')
    const body = formBody(request)
    try {
      const made = await issueApiToken(ctx, actor, actor.userId, body)
      return renderPage(request, reply, 'auth/views/token-made.njk', { title: 'Your new API token', token: made.token, expiresAt: made.expiresAt })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return renderPage(request, reply.status(400), 'auth/views/tokens.njk', {
        title: 'API tokens',
        tokens: await listApiTokens(ctx, actor),
        scopes: TOKEN_SCOPES,
        values: body,
        errors: formErrors(error.issues),
      })
    }
  })

  app.post('/account/tokens/:id/revoke', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    await revokeApiToken(ctx, actor, pathId(request.params, 'id', 'Active token'))
    setFlash(reply, 'Token revoked: it no longer works.', ctx.config.cookieSecure)
    return reply.redirect('/account/tokens', 303)
  })

  api.get(
    '/api/v1/me',
    {
      schema: {
        tags: ['account'],
        summary: 'Who the token or session belongs to, and what it may do',
        response: {
          200: z.object({ userId: z.string(), email: z.string(), displayName: z.string(), agencyId: z.string(), agencyName: z.string(), roles: z.array(z.string()), capabilities: z.array(z.string()), via: z.enum(['session', 'token']) }),
        },
      },
    },
    async (request) => {
      const a = requireActor(request)
      return { userId: a.userId, email: a.email, displayName: a.displayName, agencyId: a.agencyId, agencyName: a.agencyName, roles: [...a.roles], capabilities: [...a.capabilities], via: a.via }
    },
  )

  api.get('/api/v1/tokens', { schema: { tags: ['account'], summary: "The caller's API tokens", response: { 200: z.array(TokenOut) } } }, async (request) =>
    listApiTokens(ctx, requireActor(request)),
  )

  api.delete(
    '/api/v1/tokens/:id',
    { schema: { tags: ['account'], summary: 'Revoke one of your API tokens', params: z.object({ id: z.uuid('id must be a token id') }), response: { 204: z.null() } } },
    async (request, reply) => {
      await revokeApiToken(ctx, requireActor(request), request.params.id)
      return reply.status(204).send(null)
    },
  )
}
