import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ValidationError } from '../../core/errors.ts'
import { ukDay } from '../../core/time/ukDates.ts'
import { formBody, requireActor } from '../../http/auth.ts'
import { acceptUploads, type UploadedFile } from '../../http/uploads.ts'
import { pathId } from '../../http/validation.ts'
import { formErrors, renderPage, setFlash } from '../../http/views.ts'
import { KIND_LABELS, KINDS, MAX_ENCODINGS_BYTES, MAX_QUERY_RECORDS, MODE_LABELS, QueryInput, QueryOut, STRENGTH_LABELS, UploadInput, UploadOut } from './schema.ts'
import * as service from './service.ts'

// Pages and API of the privacy-preserving index: upload encodings, ask, read the answer.

const TAG = 'privacy'
const labels = { kind: KIND_LABELS, mode: MODE_LABELS, strength: STRENGTH_LABELS }
const KindParams = z.object({ kind: z.enum(KINDS, { error: 'kind must be person or business' }) })
const QueryParams = z.object({ id: z.uuid('id must be a question id') })

/** The uploaded file's text; problems as issues on the file field, as every other fault of the form. */
function fileText(file: UploadedFile | undefined): { text: string | undefined; issue: string | null } {
  if (!file || file.data.length === 0) return { text: undefined, issue: null }
  if (file.truncated) return { text: undefined, issue: `The file is larger than ${MAX_ENCODINGS_BYTES / 1024 / 1024} MB` }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(file.data), issue: null }
  } catch {
    return { text: undefined, issue: 'The file is not text: choose the encodings file (.jsonl) written by achilles encode' }
  }
}

/**
 * Issues raised on the encodings move to the form's file field; every line's fault is listed in the
 * summary (formErrors keeps one a field), the first beside the field.
 */
function onFile(error: ValidationError): ReturnType<typeof formErrors> {
  const issues = error.issues.map((i) => ({ ...i, field: i.field === 'encodings' ? 'file' : i.field }))
  const errors = formErrors(issues)
  return { ...errors, list: issues.map((i) => ({ text: i.message, href: `#${i.field}` })) }
}

export async function privacyRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx
  const { db, config } = ctx
  const api = app.withTypeProvider<ZodTypeProvider>()
  await acceptUploads(app, { maxBytes: MAX_ENCODINGS_BYTES, fields: 10 })

  app.get('/privacy', { schema: { hide: true } }, async (request, reply) => {
    const view = await service.overview(db, requireActor(request))
    return renderPage(request, reply, 'privacy/views/index.njk', { title: 'Privacy-preserving matching', ...view, labels2: labels })
  })

  const uploadPage = (request: FastifyRequest, reply: FastifyReply, values: Record<string, unknown>, errors?: ReturnType<typeof formErrors>) =>
    renderPage(request, reply, 'privacy/views/upload.njk', { title: 'Upload encoded records', values, errors, maxMegabytes: MAX_ENCODINGS_BYTES / 1024 / 1024 })

  app.get('/privacy/upload', { schema: { hide: true } }, async (request, reply) => {
    const nextYear = new Date(ctx.now().getTime() + 365 * 86_400_000)
    return uploadPage(request, reply, { reviewDate: ukDay(nextYear) })
  })

  app.post('/privacy/uploads', { schema: { hide: true }, bodyLimit: MAX_ENCODINGS_BYTES + 1024 * 1024 }, async (request, reply) => {
    const body = formBody(request)
    const file = body.file as UploadedFile | undefined
    const values = { contact: body.contact, purpose: body.purpose, reviewDate: body.reviewDate }
    const { text, issue } = fileText(file)
    try {
      if (issue) throw new ValidationError([{ field: 'encodings', message: issue }])
      const outcome = await service.uploadEncodings(db, requireActor(request), { ...values, fileName: file?.filename ?? null, encodings: text }, ctx.now())
      const done = `${outcome.replaced ? 'Your earlier upload was replaced by' : 'Uploaded'} ${outcome.upload.records.toLocaleString('en-GB')} encoded record(s).`
      setFlash(reply, outcome.warning ? `${done} ${outcome.warning}` : done, config.cookieSecure)
      return reply.redirect('/privacy', 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return uploadPage(request, reply.status(400), values, onFile(error))
    }
  })

  app.post('/privacy/uploads/:kind/withdraw', { schema: { hide: true } }, async (request, reply) => {
    const { kind } = request.params as { kind: string }
    await service.withdrawUpload(db, requireActor(request), kind)
    setFlash(reply, 'Your upload was withdrawn: its encodings are erased and match nothing.', config.cookieSecure)
    return reply.redirect('/privacy', 303)
  })

  const askPage = (request: FastifyRequest, reply: FastifyReply, values: Record<string, unknown>, errors?: ReturnType<typeof formErrors>) =>
    renderPage(request, reply, 'privacy/views/ask.njk', { title: 'Ask whether another agency holds a match', values, errors, maxRecords: MAX_QUERY_RECORDS, labels2: labels })

  app.get('/privacy/ask', { schema: { hide: true } }, async (request, reply) => askPage(request, reply, { mode: 'encoded', kind: 'person' }))

  app.post('/privacy/queries', { schema: { hide: true }, bodyLimit: MAX_ENCODINGS_BYTES + 1024 * 1024 }, async (request, reply) => {
    const body = formBody(request)
    const values = { mode: body.mode, kind: body.kind, purpose: body.purpose }
    const { text, issue } = fileText(body.file as UploadedFile | undefined)
    try {
      if (issue) throw new ValidationError([{ field: 'encodings', message: issue }])
      const id = await service.askIndex(db, requireActor(request), { ...values, ...(body.mode === 'encoded' ? { encodings: text } : {}) })
      return reply.redirect(`/privacy/queries/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return askPage(request, reply.status(400), values, onFile(error))
    }
  })

  app.get('/privacy/queries/:id', { schema: { hide: true } }, async (request, reply) => {
    const query = await service.getQuery(db, requireActor(request), pathId(request.params, 'id', 'Question'))
    const agencies = new Set(query.hits.map((h) => h.agencyId)).size
    return renderPage(request, reply, 'privacy/views/answer.njk', { title: query.hits.length > 0 ? 'Another agency holds a probable match' : 'No match found', query, agencies, labels2: labels })
  })

  // API

  api.get(
    '/api/v1/privacy/uploads',
    { schema: { tags: [TAG], summary: 'Your agency’s uploads of encoded records, and how many other agencies’ uploads each is matched with', response: { 200: z.object({ uploads: z.array(UploadOut) }) } } },
    async (request) => ({ uploads: await service.ownUploads(db, requireActor(request)) }),
  )

  api.post(
    '/api/v1/privacy/uploads',
    {
      bodyLimit: 2 * MAX_ENCODINGS_BYTES + 1024 * 1024,
      schema: {
        tags: [TAG],
        summary: 'Upload the encodings file written by achilles encode (all of it or none); it replaces your agency’s earlier upload of the kind',
        description: 'encodings is the text of the file exactly as achilles encode wrote it. Every fault is reported with its line, and nothing is stored. A file of records in clear, or with any key beside the encodings, is refused.',
        body: UploadInput,
        response: { 201: z.object({ upload: UploadOut, replaced: z.boolean(), warning: z.string().nullable() }) },
      },
    },
    async (request, reply) => reply.status(201).send(await service.uploadEncodings(db, requireActor(request), request.body, ctx.now())),
  )

  api.delete(
    '/api/v1/privacy/uploads/:kind',
    { schema: { tags: [TAG], summary: 'Withdraw your agency’s upload of a kind: its encodings are erased', params: KindParams, response: { 204: z.null() } } },
    async (request, reply) => {
      await service.withdrawUpload(db, requireActor(request), request.params.kind)
      return reply.status(204).send(null)
    },
  )

  api.get(
    '/api/v1/privacy/matched-records',
    {
      schema: {
        tags: [TAG],
        summary: 'Other agencies’ questions that matched your agency’s records: when, by whom, why, and which record (by its reference)',
        response: { 200: z.object({ matches: z.array(z.object({ at: z.string(), agencyName: z.string(), purpose: z.string(), ref: z.string(), strength: z.string() })) }) },
      },
    },
    async (request) => ({ matches: (await service.overview(db, requireActor(request))).hitsOnOurs }),
  )

  api.post(
    '/api/v1/privacy/queries',
    {
      bodyLimit: 2 * MAX_ENCODINGS_BYTES + 1024 * 1024,
      schema: {
        tags: [TAG],
        summary: 'Ask whether another agency holds a match: for records encoded with achilles encode, or for your agency’s whole upload',
        description: `The answer names, per record asked, each agency holding a probable match, its contact and a strength band; nothing else. A question file holds at most ${MAX_QUERY_RECORDS} records. Every question is logged.`,
        body: QueryInput,
        response: { 201: QueryOut },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request)
      const id = await service.askIndex(db, actor, request.body)
      return reply.status(201).header('location', `/api/v1/privacy/queries/${id}`).send(await service.getQuery(db, actor, id))
    },
  )

  api.get(
    '/api/v1/privacy/queries/:id',
    { schema: { tags: [TAG], summary: 'The answer to one of your agency’s questions', params: QueryParams, response: { 200: QueryOut } } },
    async (request) => service.getQuery(db, requireActor(request), request.params.id),
  )
}
