import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Actor } from '../core/access/actor.ts'
import type { Capability } from '../core/access/roles.ts'
import { ForbiddenError, UnauthenticatedError } from '../core/errors.ts'
import { SESSION_COOKIE, actorFromSession, actorFromToken } from '../modules/auth/service.ts'
import type { AppContext } from './context.ts'
import { isApi } from './errors.ts'

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null
    sessionExpired: boolean
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Works out who is asking (session cookie or API token) and guards forms against CSRF. */
export const authentication = fp(async (app: FastifyInstance, ctx: AppContext) => {
  app.decorateRequest('actor', null)
  app.decorateRequest('sessionExpired', false)

  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization
    if (header !== undefined) {
      const [scheme, credential] = header.split(' ')
      if (!isApi(request) || scheme !== 'Bearer' || !credential) throw new UnauthenticatedError('invalid')
      request.actor = await actorFromToken(ctx, credential)
      return
    }
    const cookie = request.cookies[SESSION_COOKIE]
    if (!cookie) return
    try {
      request.actor = await actorFromSession(ctx, cookie)
    } catch (error) {
      if (!(error instanceof UnauthenticatedError)) throw error
      request.sessionExpired = error.reason === 'expired'
      reply.clearCookie(SESSION_COOKIE, { path: '/' })
    }
  })

  // Cookies ride along on forged cross-site requests; tokens in headers do not, so only cookie
  // sessions need the CSRF check. An expired session is sent to sign in again instead.
  app.addHook('preHandler', (request, reply, done) => {
    if (!UNSAFE.has(request.method) || request.actor?.via === 'token' || request.sessionExpired) return done()
    if (isApi(request) && !request.actor) return done()
    app.csrfProtection(request, reply, done)
  })
})

/** What each CSRF token is bound to: the session it was made in, or nothing before sign-in. */
export function csrfUserInfo(request: FastifyRequest): string {
  return (request.actor?.via === 'session' && request.cookies[SESSION_COOKIE]) || 'signed-out'
}

export function requireActor(request: FastifyRequest): Actor {
  if (request.actor) return request.actor
  throw new UnauthenticatedError(request.sessionExpired ? 'expired' : 'missing')
}

export function requireCapability(request: FastifyRequest, capability: Capability, reason: string): Actor {
  const actor = requireActor(request)
  if (!actor.capabilities.includes(capability)) throw new ForbiddenError(reason)
  return actor
}

/** Strips the CSRF field from a posted form so strict schemas see only the user's fields. */
export function formBody(request: FastifyRequest): Record<string, unknown> {
  const { _csrf: _ignored, ...fields } = (request.body ?? {}) as Record<string, unknown>
  return fields
}

export type Reply = FastifyReply
