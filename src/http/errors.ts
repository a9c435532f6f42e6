import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError, type FieldIssue } from '../core/errors.ts'
import { ZodError } from 'zod'
import { issuesOf } from './validation.ts'
import { renderPage } from './views.ts'

export const isApi = (request: FastifyRequest) => request.url.startsWith('/api/')

export type Problem = { type: string; title: string; status: number; detail?: string; errors?: FieldIssue[] }

export function sendProblem(reply: FastifyReply, problem: Omit<Problem, 'type'>): FastifyReply {
  return reply.status(problem.status).type('application/problem+json').send({ type: 'about:blank', ...problem })
}

/** What a failure means to the person who met it: status, title, explanation, field issues. */
function describe(error: FastifyError | Error): Omit<Problem, 'type'> {
  if (error instanceof ZodError) return describe(new ValidationError(issuesOf(error)))
  if (error instanceof ValidationError) return { status: 400, title: 'The request has problems', detail: error.message, errors: error.issues }
  if (error instanceof NotFoundError) return { status: 404, title: `${error.what} not found`, detail: `There is no ${error.what.toLowerCase()} with that id that you are permitted to see.` }
  if (error instanceof ForbiddenError) return { status: 403, title: 'You do not have permission to do this', detail: error.reason }
  if (error instanceof ConflictError) return { status: 409, title: 'Someone else changed this', detail: error.message }
  if (error instanceof UnauthenticatedError) {
    return error.reason === 'expired'
      ? { status: 401, title: 'Your session has expired', detail: 'Sign in again to continue.' }
      : { status: 401, title: 'You need to sign in', detail: 'Sign in, or send a valid API token as "Authorization: Bearer <token>".' }
  }
  const fe = error as FastifyError
  if (hasZodFastifySchemaValidationErrors(fe)) {
    const context = fe.validationContext ?? 'body'
    const errors = fe.validation.map((v) => {
      const path = v.instancePath.split('/').filter(Boolean).join('.')
      const keys = (v.params as { keys?: string[] }).keys
      if (v.keyword === 'unrecognized_keys' && keys) {
        return { field: [path, ...keys].filter(Boolean).join('.'), message: `Unknown field ${keys.map((k) => `"${k}"`).join(', ')}: remove it` }
      }
      return { field: path || context, message: v.message ?? 'is not valid' }
    })
    return { status: 400, title: 'The request has problems', detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors }
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, title: 'The request body is not valid JSON', detail: fe.message }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, title: 'The request body is empty', detail: 'Send a JSON object in the body, or no Content-Type header.' }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, title: 'Unsupported content type', detail: 'Send JSON with "Content-Type: application/json", or a form as application/x-www-form-urlencoded.' }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, title: 'The request body is too large', detail: fe.message }
    case 'FST_CSRF_MISSING_SECRET':
    case 'FST_CSRF_INVALID_TOKEN':
      return { status: 403, title: 'The form could not be accepted', detail: 'It was missing its security token, or the token had expired. Go back, reload the page and try again.' }
  }
  if (fe.statusCode === 429) return { status: 429, title: 'Too many requests', detail: fe.message }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return { status: fe.statusCode, title: 'The request could not be accepted', detail: fe.message }
  return { status: 500, title: 'Sorry, there is a problem with the service', detail: 'Try again later. The problem has been logged.' }
}

export async function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const problem = describe(error)
  if (problem.status >= 500) request.log.error({ err: error }, 'request failed')
  else request.log.info({ status: problem.status, title: problem.title, code: (error as FastifyError).code }, 'request refused')
  if (isApi(request)) return sendProblem(reply, problem)
  if (problem.status === 401) {
    const next = encodeURIComponent(request.method === 'GET' ? request.url : '/')
    return reply.redirect(`/sign-in?next=${next}${error instanceof UnauthenticatedError && error.reason === 'expired' ? '&expired=1' : ''}`, 303)
  }
  reply.status(problem.status)
  const paragraphs = [problem.detail, ...(problem.errors?.map((e) => `${e.field}: ${e.message}`) ?? [])].filter(Boolean)
  if (problem.status === 403) paragraphs.push('If you think you should have access, ask your partnership administrator.')
  const title = problem.status === 404 ? 'Page not found' : problem.title
  const body = problem.status === 404 ? ['If you typed the web address, check it is correct.', 'If you followed a link, the item may have been removed or you may not be permitted to see it.'] : paragraphs
  return renderPage(request, reply, 'error.njk', { title, paragraphs: body })
}

export async function handleNotFound(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  if (isApi(request)) return sendProblem(reply, { status: 404, title: 'No such endpoint', detail: `${request.method} ${request.url.split('?')[0]} is not part of the API; see /api/docs.` })
  reply.status(404)
  return renderPage(request, reply, 'error.njk', {
    title: 'Page not found',
    paragraphs: ['If you typed the web address, check it is correct.', 'If you pasted the web address, check you copied the entire address.'],
  })
}
