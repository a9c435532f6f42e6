import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyCookie from '@fastify/cookie'
import fastifyCsrf from '@fastify/csrf-protection'
import fastifyFormbody from '@fastify/formbody'
import fastifyHelmet from '@fastify/helmet'
import fastifyRateLimit from '@fastify/rate-limit'
import fastifyStatic from '@fastify/static'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import { sql } from 'kysely'
import type nunjucks from 'nunjucks'
import { authentication, csrfUserInfo } from './auth.ts'
import type { AppContext } from './context.ts'
import { handleError, handleNotFound } from './errors.ts'
import { createViewEnvironment, GOVUK_FRONTEND_DIST } from './views.ts'
import { agencyRoutes } from '../modules/agencies/routes.ts'
import { areaRoutes } from '../modules/areas/routes.ts'
import { auditRoutes } from '../modules/audit/routes.ts'
import { authRoutes } from '../modules/auth/routes.ts'
import { homeRoutes } from '../modules/home/routes.ts'
import { entityRoutes } from '../modules/entities/routes.ts'
import { groupRoutes } from '../modules/groups/routes.ts'
import { importRoutes } from '../modules/imports/routes.ts'
import { intelligenceRoutes } from '../modules/intelligence/routes.ts'
import { mapRoutes } from '../modules/maps/routes.ts'
import { noteRoutes } from '../modules/notes/routes.ts'
import { overlayRoutes } from '../modules/overlays/routes.ts'
import { prioritisationRoutes } from '../modules/prioritisation/routes.ts'
import { searchRoutes } from '../modules/search/routes.ts'
import { userRoutes } from '../modules/users/routes.ts'
import { localProfileRoutes } from '../modules/profiles/routes.ts'
import { orderRoutes } from '../modules/orders/routes.ts'
import { matchingRoutes } from '../modules/matching/routes.ts'
import { planRoutes } from '../modules/plans/routes.ts'
import { powerRoutes } from '../modules/powers/routes.ts'
import { privacyRoutes } from '../modules/privacy/routes.ts'
import { referralRoutes } from '../modules/referrals/routes.ts'
import { networkRoutes } from '../modules/network/routes.ts'
import { networkChartRoutes } from '../modules/network/chart/routes.ts'

declare module 'fastify' {
  interface FastifyInstance {
    views: nunjucks.Environment
    ctx: AppContext
  }
}

const here = path.dirname(fileURLToPath(import.meta.url))

/**
 * One log line a request, written when it is answered and naming the request, rather than Fastify's
 * two (one on arrival): each line is a write to the log, and under load the second was 2-3% of the
 * server's time (bench/README.md).
 */
class OneLineARequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { req: request, res: reply, responseTime: reply.elapsedTime }
    if (error) reply.log.error({ ...line, err: error }, 'request errored')
    else reply.log.info(line, 'request completed')
  }
}

export async function buildApp(ctx: AppContext, options: { logger?: FastifyServerOptions['logger'] } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? { level: ctx.config.logLevel },
    trustProxy: false,
    bodyLimit: 1_048_576,
    // Requests arriving while the server shuts down get 503, those in flight finish.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
    logController: new OneLineARequest(),
  })
  app.decorate('views', createViewEnvironment())
  app.decorate('ctx', ctx)
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  app.setErrorHandler(handleError)
  app.setNotFoundHandler(handleNotFound)

  await app.register(fastifyHelmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        // Partnerships often serve Achilles over plain HTTP on an internal network.
        upgradeInsecureRequests: null,
      },
    },
    // Pages may show personal data: never let a shared cache keep them.
    hsts: ctx.config.cookieSecure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  })
  app.addHook('onSend', async (request, reply) => {
    if (!request.url.startsWith('/assets/') && !request.url.startsWith('/public/')) reply.header('cache-control', 'no-store')
  })
  await app.register(fastifyCookie, { secret: ctx.cookieSecret, hook: 'onRequest' })
  await app.register(fastifyFormbody)
  await app.register(fastifyCsrf, {
    cookieKey: 'achilles_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: ctx.config.cookieSecure, signed: true },
    // Binds each form's token to the session it was made for.
    getUserInfo: csrfUserInfo,
    csrfOpts: { hmacKey: ctx.cookieSecret },
  })
  await app.register(fastifyRateLimit, { global: false })
  await app.register(fastifyStatic, {
    root: [path.join(GOVUK_FRONTEND_DIST, 'govuk/assets'), path.join(GOVUK_FRONTEND_DIST, 'govuk')],
    prefix: '/assets/',
    index: false,
    maxAge: '1d',
  })
  await app.register(fastifyStatic, { root: path.join(here, '../../web'), prefix: '/public/', decorateReply: false, index: false, maxAge: '1h' })

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Achilles API',
        version: '1',
        description: 'Partner directory, users, shared notes, people and entities, organised crime groups, intelligence, prioritisation, the tools-and-powers catalogue, 4P plans and disruptions, the orders register, GAIN referrals and information requests, search, CSV import and the audit log. Authenticate with "Authorization: Bearer <token>" (make one with `npx achilles token create`).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  })
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true })

  await app.register(authentication, ctx)

  app.get('/healthz', { schema: { hide: true } }, async () => {
    await sql`SELECT 1`.execute(ctx.db.kysely)
    return { status: 'ok', engine: ctx.db.engine }
  })

  await app.register(authRoutes)
  await app.register(homeRoutes)
  await app.register(agencyRoutes)
  await app.register(userRoutes)
  await app.register(auditRoutes)
  await app.register(noteRoutes)
  await app.register(entityRoutes)
  await app.register(groupRoutes)
  await app.register(intelligenceRoutes)
  await app.register(prioritisationRoutes)
  await app.register(searchRoutes)
  await app.register(importRoutes)
  await app.register(areaRoutes)
  await app.register(overlayRoutes)
  await app.register(mapRoutes)
  await app.register(localProfileRoutes)
  await app.register(powerRoutes)
  await app.register(planRoutes)
  await app.register(orderRoutes)
  await app.register(matchingRoutes)
  await app.register(privacyRoutes)
  await app.register(referralRoutes)
  await app.register(networkRoutes)
  await app.register(networkChartRoutes)
  return app
}
