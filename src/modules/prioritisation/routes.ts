import fastifyMultipart from '@fastify/multipart'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { NotFoundError, ValidationError, type FieldIssue } from '../../core/errors.ts'
import { formBody, requireActor, requireCapability } from '../../http/auth.ts'
import { pathId } from '../../http/validation.ts'
import { formErrors, renderPage, setFlash } from '../../http/views.ts'
import {
  AssessmentInput, AssessmentOut, GroupBoardOut, GroupBoardQuery, HistoryOut, ModelKeyParams, ModelOut, ModelSummaryOut, ModelVersionParams,
  PeopleBoardOut, PeopleBoardQuery, PublishInput, RescoreOut, SubjectQuery, ThreatBoardOut, ThreatBoardQuery,
} from './schema.ts'
import * as service from './service.ts'

const TAG = 'prioritisation'
const IdParams = z.object({ id: z.uuid('id must be an assessment id') })
const MAX_MODEL_FILE = 512 * 1024

/** Tag colours for bands, by their place in the model: the first band is the highest priority. */
function bandColours(bands: ReadonlyArray<{ id: string }>): Record<string, string> {
  const colours = ['govuk-tag--red', 'govuk-tag--orange', 'govuk-tag--yellow']
  return Object.fromEntries(bands.map((b, i) => [b.id, colours[i] ?? 'govuk-tag--grey']))
}

/** A posted assessment form as the API's shape: "factors.physical.value" fields become factors.physical.value. */
function assessmentFromForm(body: Record<string, unknown>): Record<string, unknown> {
  const number = (v: unknown) => (v === '' || v === undefined ? undefined : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v)
  const factors: Record<string, Record<string, unknown>> = {}
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(body)) {
    const m = /^factors\.([^.]+)\.(value|rationale)$/.exec(key)
    if (m) {
      const answer = (factors[m[1]!] ??= {})
      answer[m[2]!] = m[2] === 'value' ? number(value) : value
    } else if (key === 'confidence') {
      out.confidence = number(value)
    } else if (value !== '' || key === 'reviewDate') {
      out[key] = value
    }
  }
  out.factors = factors
  return out
}

/** The publish form's problems: each problem inside the definition is listed with its path, all pointing at the definition field. */
function publishErrors(issues: readonly FieldIssue[]) {
  const inDefinition = issues.filter((i) => i.field === 'definition' || i.field.startsWith('definition.'))
  const others = formErrors(issues.filter((i) => !inDefinition.includes(i)))
  return {
    list: [
      ...inDefinition.map((i) => ({ text: i.field === 'definition' ? i.message : `${i.field.slice('definition.'.length)}: ${i.message}`, href: '#definition' })),
      ...others.list,
    ],
    fields: {
      ...others.fields,
      ...(inDefinition.length > 0
        ? { definition: { text: inDefinition.length === 1 && inDefinition[0]!.field === 'definition' ? inDefinition[0]!.message : `The definition has ${inDefinition.length} ${inDefinition.length === 1 ? 'problem' : 'problems'}, listed at the top of the page by where each is in the file` } }
        : {}),
    },
  }
}

export async function prioritisationRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx
  const { db, config } = ctx
  const api = app.withTypeProvider<ZodTypeProvider>()
  // The publish form takes a model file as an upload as well as pasted; fields land on the body
  // before the CSRF check reads its token.
  await app.register(fastifyMultipart, { attachFieldsToBody: 'keyValues', limits: { fileSize: MAX_MODEL_FILE, files: 1, fields: 10 } })

  // Models

  app.get('/models', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const models = await service.listModels(db)
    const keys = [...new Set(models.map((m) => m.key))].map((key) => ({ key, versions: models.filter((m) => m.key === key) }))
    return renderPage(request, reply, 'prioritisation/views/models.njk', { title: 'Prioritisation models', keys, canPublish: actor.capabilities.includes('prioritisation.manage') })
  })

  async function showModel(request: FastifyRequest, reply: FastifyReply, key: string, version: number, extra: Record<string, unknown> = {}) {
    const actor = requireActor(request)
    const model = await service.getModel(db, key, version)
    return renderPage(request, reply, 'prioritisation/views/model.njk', {
      title: `${model.title}, version ${model.version}`,
      summary: model,
      model: model.model,
      bandClasses: bandColours(model.model.bands),
      termText: Object.fromEntries(model.model.combination.terms.map((t) => [t.part, 'floor' in t ? `Floor ${t.floor}` : `Weight ${t.weight}`])),
      canPublish: actor.capabilities.includes('prioritisation.manage'),
      ...extra,
    })
  }

  async function showPublish(request: FastifyRequest, reply: FastifyReply, key: string, extra: Record<string, unknown> = {}) {
    requireCapability(request, 'prioritisation.manage', 'Only an administrator can publish a prioritisation model')
    const current = await service.currentVersion(db, key)
    const definition = current > 0 ? JSON.stringify({ ...(await service.getModel(db, key, current)).model, version: current + 1 }, null, 2) : ''
    return renderPage(request, reply, 'prioritisation/views/publish.njk', {
      title: `Publish a new version of ${key}`,
      key,
      current,
      values: { definition, changeNote: '' },
      ...extra,
    })
  }

  app.get('/models/:key/publish', { schema: { hide: true } }, async (request, reply) => {
    const { key } = keyOf(request)
    return showPublish(request, reply, key)
  })

  app.post('/models/:key/publish', { schema: { hide: true } }, async (request, reply) => {
    const { key } = keyOf(request)
    const actor = requireCapability(request, 'prioritisation.manage', 'Only an administrator can publish a prioritisation model')
    const body = formBody(request)
    const pasted = typeof body.definition === 'string' ? body.definition : ''
    const file = Buffer.isBuffer(body.definitionFile) ? body.definitionFile.toString('utf8') : typeof body.definitionFile === 'string' ? body.definitionFile : ''
    const changeNote = typeof body.changeNote === 'string' ? body.changeNote : ''
    const values = { definition: pasted || file, changeNote }
    try {
      const issues: FieldIssue[] = []
      if (pasted.trim() && file.trim() && pasted.trim() !== file.trim()) {
        issues.push({ field: 'definition', message: 'You pasted a definition and chose a file: give the model one way only, so it is clear which to publish' })
      }
      const text = pasted.trim() || file.trim()
      let definition: unknown = undefined
      if (!text) issues.push({ field: 'definition', message: 'Paste the model definition, or choose a JSON file holding it' })
      else {
        try {
          definition = JSON.parse(text)
        } catch (error) {
          issues.push({ field: 'definition', message: `The definition is not valid JSON: ${(error as Error).message}` })
        }
      }
      if (issues.length > 0) {
        // Report the change note's problem too, so the form is corrected in one go.
        if (changeNote.trim().length < 3) issues.push({ field: 'changeNote', message: 'Enter a change note saying what changed in this version and why' })
        throw new ValidationError(issues)
      }
      const published = await service.publishModel(db, actor, key, { definition, changeNote })
      setFlash(reply, `Version ${published.version} of ${key} published. Assessments already made keep the version they were scored with.`, config.cookieSecure)
      return reply.redirect(`/models/${key}/${published.version}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showPublish(request, reply.status(400), key, { values, errors: publishErrors(error.issues) })
    }
  })

  app.post('/models/:key/rescore', { schema: { hide: true } }, async (request, reply) => {
    const { key } = keyOf(request)
    const actor = requireActor(request)
    const result = await service.rescoreAll(db, actor, key)
    return renderPage(request, reply, 'prioritisation/views/rescored.njk', { title: `Assessments carried forward to ${key} version ${result.version}`, result })
  })

  app.get('/models/:key/:version', { schema: { hide: true } }, async (request, reply) => {
    const parsed = ModelVersionParams.safeParse(request.params)
    if (!parsed.success) throw new NotFoundError('Model version')
    return showModel(request, reply, parsed.data.key, parsed.data.version)
  })

  // Assessments

  async function showForm(request: FastifyRequest, reply: FastifyReply, query: unknown, extra: Record<string, unknown> = {}) {
    const form = await service.assessmentForm(db, requireActor(request), query, ctx.now())
    return renderPage(request, reply, 'prioritisation/views/assess.njk', {
      title: `Assess ${form.subject.name}`,
      ...form,
      parts: form.model.definition.parts.map((p) => ({ ...p, factors: form.model.definition.factors.filter((f) => f.part === p.id) })),
      values: form.values,
      ...extra,
    })
  }

  app.get('/priorities/assess', { schema: { hide: true } }, async (request, reply) => showForm(request, reply, request.query))

  app.post('/priorities/assess', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const body = formBody(request)
    const input = assessmentFromForm(body)
    try {
      const saved = await service.scoreSubject(db, actor, input, ctx.now())
      setFlash(reply, `Assessment saved: ${saved.score.toFixed(1)} out of 100, ${saved.band.label}.`, config.cookieSecure)
      return reply.redirect(`/assessments/${saved.id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const query = { subjectType: body.subjectType, subjectId: body.subjectId, threatArea: body.threatArea, model: body.modelKey }
      const clean = Object.fromEntries(Object.entries(query).filter(([, v]) => typeof v === 'string' && v !== ''))
      return showForm(request, reply.status(400), clean, { values: body, errors: formErrors(error.issues) })
    }
  })

  app.get('/assessments/:id', { schema: { hide: true } }, async (request, reply) => {
    const id = pathId(request.params, 'id', 'Assessment')
    const assessment = await service.getAssessment(db, requireActor(request), id, ctx.now())
    const model = await service.modelDefinition(db, assessment.modelKey, assessment.modelVersion)
    return renderPage(request, reply, 'prioritisation/views/assessment.njk', {
      title: `Assessment of ${assessment.subjectName}`,
      assessment,
      bandClasses: bandColours(model.bands),
      historyQuery: historyQuery(assessment),
    })
  })

  app.get('/priorities/history', { schema: { hide: true } }, async (request, reply) => {
    const history = await service.assessmentHistory(db, requireActor(request), request.query)
    return renderPage(request, reply, 'prioritisation/views/history.njk', { title: `Assessments of ${history.subjectName}`, history, assessQuery: historyQuery(history) })
  })

  // Boards

  app.get('/priorities', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    try {
      const board = await service.groupBoard(db, actor, request.query, ctx.now())
      return renderPage(request, reply, 'prioritisation/views/board-groups.njk', { title: 'Priority groups', ...board, values: board.query, bandClasses: bandColours(board.choices.bands) })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const board = await service.groupBoard(db, actor, {}, ctx.now())
      return renderPage(request, reply.status(400), 'prioritisation/views/board-groups.njk', {
        title: 'Priority groups', ...board, values: request.query, bandClasses: bandColours(board.choices.bands), errors: formErrors(error.issues),
      })
    }
  })

  app.get('/priorities/people', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    try {
      const board = await service.peopleBoard(db, actor, request.query)
      return renderPage(request, reply, 'prioritisation/views/board-people.njk', { title: 'Priority people', ...board, values: board.query, bandClasses: bandColours(board.choices.bands) })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const board = await service.peopleBoard(db, actor, {})
      return renderPage(request, reply.status(400), 'prioritisation/views/board-people.njk', {
        title: 'Priority people', ...board, values: request.query, bandClasses: bandColours(board.choices.bands), errors: formErrors(error.issues),
      })
    }
  })

  app.get('/priorities/threats', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    try {
      const board = await service.threatBoard(db, actor, request.query, ctx.now())
      return renderPage(request, reply, 'prioritisation/views/board-threats.njk', { title: 'Priority threat areas', ...board, values: board.query, bandClasses: bandColours(board.choices.bands) })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const board = await service.threatBoard(db, actor, {}, ctx.now())
      return renderPage(request, reply.status(400), 'prioritisation/views/board-threats.njk', {
        title: 'Priority threat areas', ...board, values: request.query, bandClasses: bandColours(board.choices.bands), errors: formErrors(error.issues),
      })
    }
  })

  // API

  api.get('/api/v1/models', { schema: { tags: [TAG], summary: 'Every version of every prioritisation model', response: { 200: z.object({ models: z.array(ModelSummaryOut) }) } } }, async (request) => {
    requireActor(request)
    return { models: await service.listModels(db) }
  })

  api.get(
    '/api/v1/models/:key/:version',
    { schema: { tags: [TAG], summary: 'One version of a model in full: factors, every scale point with its descriptor, combination rule and bands', params: ModelVersionParams, response: { 200: ModelOut } } },
    async (request) => {
      requireActor(request)
      const { model: _model, ...out } = await service.getModel(db, request.params.key, request.params.version)
      return out
    },
  )

  api.post(
    '/api/v1/models/:key/versions',
    {
      schema: {
        tags: [TAG],
        summary: 'Publish a new version of a model (administrators). The version must be one above the current; problems in the definition are named by path',
        params: ModelKeyParams,
        body: PublishInput,
        response: { 201: ModelOut },
      },
    },
    async (request, reply) => {
      const published = await service.publishModel(db, requireActor(request), request.params.key, request.body)
      const { model: _model, ...out } = await service.getModel(db, request.params.key, published.version)
      return reply.status(201).header('location', `/api/v1/models/${request.params.key}/${published.version}`).send(out)
    },
  )

  api.post(
    '/api/v1/models/:key/rescore',
    {
      schema: {
        tags: [TAG],
        summary: 'Carry every current assessment of a model forward to its newest version where the answers still fit (administrators); lists those a person must re-score',
        params: ModelKeyParams,
        response: { 200: RescoreOut },
      },
    },
    async (request) => service.rescoreAll(db, requireActor(request), request.params.key),
  )

  api.post(
    '/api/v1/assessments',
    { schema: { tags: [TAG], summary: 'Score a group, person (suspects only) or threat area with the current model; supersedes the previous assessment', body: AssessmentInput, response: { 201: AssessmentOut } } },
    async (request, reply) => {
      const actor = requireActor(request)
      const { id } = await service.scoreSubject(db, actor, request.body, ctx.now())
      return reply.status(201).header('location', `/api/v1/assessments/${id}`).send(await service.getAssessment(db, actor, id, ctx.now()))
    },
  )

  api.get(
    '/api/v1/assessments/:id',
    { schema: { tags: [TAG], summary: "One assessment with its explanation factor by factor (a person's is logged as a consultation)", params: IdParams, response: { 200: AssessmentOut } } },
    async (request) => service.getAssessment(db, requireActor(request), request.params.id, ctx.now()),
  )

  api.get(
    '/api/v1/assessments',
    { schema: { tags: [TAG], summary: 'Every assessment of one subject, newest first (history)', querystring: SubjectQuery, response: { 200: HistoryOut } } },
    async (request) => service.assessmentHistory(db, requireActor(request), request.query),
  )

  api.get(
    '/api/v1/priorities/groups',
    { schema: { tags: [TAG], summary: 'Groups ranked by their current score, highest first, 50 a page', querystring: GroupBoardQuery, response: { 200: GroupBoardOut } } },
    async (request) => {
      const board = await service.groupBoard(db, requireActor(request), request.query, ctx.now())
      return { model: board.model, total: board.total, page: board.query.page, groups: board.groups }
    },
  )

  api.get(
    '/api/v1/priorities/people',
    {
      schema: {
        tags: [TAG],
        summary: 'Top N suspects by own score, group membership and links, each input with its share (logged as a consultation). Victims and people at risk are never ranked',
        querystring: PeopleBoardQuery,
        response: { 200: PeopleBoardOut },
      },
    },
    async (request) => {
      const board = await service.peopleBoard(db, requireActor(request), request.query)
      return { weights: board.weights, considered: board.considered, people: board.people }
    },
  )

  api.get(
    '/api/v1/priorities/threats',
    { schema: { tags: [TAG], summary: 'Threat areas ranked by their current thematic score', querystring: ThreatBoardQuery, response: { 200: ThreatBoardOut } } },
    async (request) => {
      const board = await service.threatBoard(db, requireActor(request), request.query, ctx.now())
      return { model: board.model, threats: board.threats }
    },
  )
}

/** A model key from a page address; one that cannot be a key is simply not found. */
function keyOf(request: FastifyRequest): { key: string } {
  const parsed = ModelKeyParams.safeParse(request.params)
  if (!parsed.success) throw new NotFoundError('Model')
  return parsed.data
}


const historyQuery = (s: { subjectType: string; subjectId: string | null; threatArea: string | null }) =>
  s.subjectType === 'threat_area' ? `subjectType=threat_area&threatArea=${encodeURIComponent(s.threatArea ?? '')}` : `subjectType=${s.subjectType}&subjectId=${s.subjectId}`

