import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify'
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ConflictError, ForbiddenError, ValidationError, type FieldIssue } from '../../core/errors.ts'
import { INTELLIGENCE_ASSESSMENT_LABELS, INTELLIGENCE_ASSESSMENTS, SOURCE_EVALUATION_LABELS, SOURCE_EVALUATIONS } from '../../core/grading/intelligenceGrade.ts'
import { isUuid } from '../../core/ids.ts'
import { ukDay } from '../../core/time/ukDates.ts'
import { formBody, requireActor } from '../../http/auth.ts'
import { formValues, pathId } from '../../http/validation.ts'
import { formErrors, renderPage, setFlash } from '../../http/views.ts'
import { agencyOptions } from '../agencies/service.ts'
import { formAgencies, handlingChoices, registerSharingRoutes, renamed, sharingAgencies, withAgencyNames } from '../records/routes.ts'
import {
  ExportPurpose, IntelligenceExportOut, IntelligenceExportQuery, IntelligenceInput, IntelligenceListQuery, IntelligenceOut, IntelligenceSummaryOut, IntelligenceUpdate,
} from './schema.ts'
import * as service from './service.ts'

// The service checks a new or changed record's body itself, so that every faulty field (grade
// included) is reported at once; the schema still describes the body in the OpenAPI document.
const serviceChecksBody: FastifySchemaCompiler<unknown> = (route) =>
  route.httpPart === 'body' ? (data: unknown) => ({ value: data }) : validatorCompiler(route as Parameters<typeof validatorCompiler>[0])

const IdParams = z.object({ id: z.uuid('id must be an intelligence record id') })
const idOf = (request: FastifyRequest) => pathId(request.params, 'id', 'Intelligence record')
const TAG = 'intelligence'

/** The choices every intelligence form offers, in the grading core's words. */
const gradeChoices = {
  sourceEvaluations: SOURCE_EVALUATIONS.map((s) => ({ value: s, text: `${s} – ${SOURCE_EVALUATION_LABELS[s]}` })),
  intelligenceAssessments: INTELLIGENCE_ASSESSMENTS.map((s) => ({ value: s, text: `${s} – ${INTELLIGENCE_ASSESSMENT_LABELS[s]}` })),
}

const UUID_IN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i

/**
 * A form names mentions two ways: ticked boxes for those already chosen, and a box where ids or
 * page addresses are pasted, one per line. Both become one list; a line that holds no id is an error
 * on the field, so nothing typed is dropped.
 */
function mentionsFromForm(body: Record<string, unknown>): { fields: Record<string, unknown>; issues: FieldIssue[] } {
  const { moreEntityIds, moreGroupIds, ...fields } = body
  const issues: FieldIssue[] = []
  const merge = (chosen: unknown, typed: unknown, field: string, noun: string) => {
    const ids = new Set(formValues(chosen).map((i) => i.toLowerCase()))
    for (const token of String(typed ?? '').split(/[\s,;]+/).filter(Boolean)) {
      const id = UUID_IN.exec(token)?.[0]
      if (id) ids.add(id.toLowerCase())
      else issues.push({ field, message: `"${token}" is not ${noun} id or the address of ${noun} page: paste the address of its page, or its id` })
    }
    return [...ids]
  }
  fields.mentionedEntityIds = merge(fields.mentionedEntityIds, moreEntityIds, 'mentionedEntityIds', 'an entity')
  fields.mentionedGroupIds = merge(fields.mentionedGroupIds, moreGroupIds, 'mentionedGroupIds', 'a group')
  return { fields, issues }
}

export async function intelligenceRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx
  const { db, config } = ctx
  const api = app.withTypeProvider<ZodTypeProvider>()
  const allAgencies = (request: FastifyRequest) => agencyOptions(db, requireActor(request))

  /** Mentions on a form being shown again: named boxes for those the user may see, the rest back in the text box. */
  async function mentionChoices(request: FastifyRequest, values: Record<string, unknown>) {
    const entityIds = formValues(values.mentionedEntityIds).filter(isUuid)
    const groupIds = formValues(values.mentionedGroupIds).filter(isUuid)
    const named = await service.mentionNames(db, requireActor(request), entityIds, groupIds)
    const unnamed = (ids: string[], known: Array<{ id: string }>) => ids.filter((id) => !known.some((k) => k.id === id))
    const text = (ids: string[], typed: unknown) => [...ids, typed].filter(Boolean).join('\n')
    return {
      mentions: named,
      moreEntityIds: text(unnamed(entityIds, named.entities), values.moreEntityIds),
      moreGroupIds: text(unnamed(groupIds, named.groups), values.moreGroupIds),
    }
  }

  async function formPage(request: FastifyRequest, reply: FastifyReply, values: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    return renderPage(request, reply, 'intelligence/views/form.njk', {
      title: 'Record intelligence',
      ...handlingChoices,
      ...gradeChoices,
      agencies: await formAgencies(app, request, values),
      sourceAgencies: await allAgencies(request),
      values,
      ...(await mentionChoices(request, values)),
      ...extra,
    })
  }

  async function editPage(request: FastifyRequest, reply: FastifyReply, id: string, values: Record<string, unknown> | null, extra: Record<string, unknown> = {}) {
    const actor = requireActor(request)
    const record = await service.getIntelligence(db, actor, id, ctx.now(), 'Changing an intelligence record')
    if (record.owningAgencyId !== actor.agencyId || !actor.capabilities.includes('records.write')) {
      throw new ForbiddenError('Only the agency that holds an intelligence record can change it')
    }
    const current = values ?? {
      ...record,
      intelligenceAssessment: String(record.intelligenceAssessment),
      mentionedEntityIds: record.mentions.entities.map((e) => e.id),
      mentionedGroupIds: record.mentions.groups.map((g) => g.id),
    }
    return renderPage(request, reply, 'intelligence/views/edit.njk', {
      title: 'Change an intelligence record',
      record,
      ...gradeChoices,
      sourceAgencies: await allAgencies(request),
      values: current,
      ...(await mentionChoices(request, current)),
      ...extra,
    })
  }

  async function showPage(request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) {
    const record = await service.getIntelligence(db, requireActor(request), id, ctx.now())
    return renderPage(request, reply, 'intelligence/views/show.njk', {
      title: record.reference ? `Intelligence ${record.reference}` : `Intelligence reported ${record.reportedOn}`,
      record,
      ...handlingChoices,
      agencies: await sharingAgencies(app, request, record, extra.sharingValues),
      sharingValues: { ...record, sharedWithAgencyIds: record.sharedWith.map((a) => a.id) },
      grantValues: {},
      exportValues: {},
      ...extra,
    })
  }
  registerSharingRoutes(app, { kind: service.INTELLIGENCE_KIND, pagePath: '/intelligence', apiPath: '/api/v1/intelligence', tag: TAG, showPage })

  async function listPage(request: FastifyRequest, reply: FastifyReply, raw: unknown, extra: Record<string, unknown> = {}) {
    const actor = requireActor(request)
    const sourceAgencies = await allAgencies(request)
    try {
      const result = await service.listIntelligence(db, actor, raw)
      return renderPage(request, reply, 'intelligence/views/list.njk', { title: 'Intelligence', ...result, values: result.query, sourceAgencies, ...gradeChoices, exportValues: {}, ...extra })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const result = await service.listIntelligence(db, actor, {})
      return renderPage(request, reply.status(400), 'intelligence/views/list.njk', {
        title: 'Intelligence', ...result, values: raw, sourceAgencies, ...gradeChoices, exportValues: {}, errors: formErrors(error.issues),
      })
    }
  }

  app.get('/intelligence', { schema: { hide: true } }, async (request, reply) => listPage(request, reply, request.query))

  app.get('/intelligence/export.csv', { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>
    try {
      const result = await service.exportIntelligenceCsv(db, requireActor(request), query, ctx.now())
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${result.filename}"`).send(result.csv)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const { purpose, ...filters } = query
      reply.status(400)
      return listPage(request, reply, filters, { exportValues: { purpose }, errors: formErrors(renamed(error.issues, 'purpose', 'exportPurpose')) })
    }
  })

  app.get('/intelligence/new', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const query = request.query as Record<string, unknown>
    // Group and entity pages link here to record intelligence about them.
    return formPage(request, reply, {
      // No handling code is chosen for the user: it may come from a legacy grade, and P is a decision.
      protectiveMarking: 'OFFICIAL',
      sharingScope: 'agency',
      sourceAgencyId: actor.agencyId,
      reportedOn: ukDay(ctx.now()),
      mentionedEntityIds: formValues(query.entityId).filter(isUuid),
      mentionedGroupIds: formValues(query.groupId).filter(isUuid),
    })
  })

  app.post('/intelligence', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const body = formBody(request)
    const { fields, issues } = mentionsFromForm(body)
    try {
      if (issues.length > 0) {
        // Report every other fault along with the unreadable mention.
        try {
          service.parseIntelligenceInput(fields, ctx.now())
        } catch (error) {
          if (error instanceof ValidationError) throw new ValidationError([...issues, ...error.issues])
          throw error
        }
        throw new ValidationError(issues)
      }
      const id = await service.createIntelligence(db, actor, await withAgencyNames(app, request, fields), ctx.now())
      setFlash(reply, 'Intelligence recorded.', config.cookieSecure)
      return reply.redirect(`/intelligence/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return formPage(request, reply.status(400), { ...fields, moreEntityIds: undefined, moreGroupIds: undefined, ...typedBack(body, issues) }, { errors: formErrors(error.issues) })
    }
  })

  app.get('/intelligence/:id', { schema: { hide: true } }, async (request, reply) => showPage(request, reply, idOf(request)))

  app.get('/intelligence/:id/export.json', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    try {
      const document = await service.exportIntelligence(db, requireActor(request), id, request.query, ctx.now())
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="intelligence-${id}.json"`)
        .send(JSON.stringify(document, null, 2))
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showPage(request, reply.status(400), id, { exportValues: request.query, errors: formErrors(renamed(error.issues, 'purpose', 'exportPurpose')) })
    }
  })

  app.get('/intelligence/:id/edit', { schema: { hide: true } }, async (request, reply) => editPage(request, reply, idOf(request), null))

  app.post('/intelligence/:id/edit', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const body = formBody(request)
    const { fields, issues } = mentionsFromForm(body)
    try {
      if (issues.length > 0) throw new ValidationError(issues)
      await service.updateIntelligence(db, requireActor(request), id, fields, ctx.now())
      setFlash(reply, 'Intelligence record changed.', config.cookieSecure)
      return reply.redirect(`/intelligence/${id}`, 303)
    } catch (error) {
      if (error instanceof ConflictError) {
        return editPage(request, reply.status(409), id, null, { errors: { list: [{ text: error.message, href: '#body' }], fields: {} } })
      }
      if (!(error instanceof ValidationError)) throw error
      return editPage(request, reply.status(400), id, { ...fields, moreEntityIds: undefined, moreGroupIds: undefined, ...typedBack(body, issues) }, { errors: formErrors(error.issues) })
    }
  })

  app.post('/intelligence/:id/erase', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const body = formBody(request)
    try {
      await service.eraseIntelligence(db, requireActor(request), id, body.reason)
      setFlash(reply, 'Intelligence record erased.', config.cookieSecure)
      return reply.redirect('/intelligence', 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showPage(request, reply.status(400), id, { eraseValues: body, errors: formErrors(renamed(error.issues, 'reason', 'eraseReason')) })
    }
  })

  // ---- API ----------------------------------------------------------------------------------

  const ListOut = z.object({ total: z.number(), totalCapped: z.boolean().describe('true when more records match than were counted'), page: z.number(), records: z.array(IntelligenceSummaryOut) })

  api.get(
    '/api/v1/intelligence',
    { schema: { tags: [TAG], summary: 'Intelligence records the caller may see, newest reported first (logged as a consultation)', querystring: IntelligenceListQuery, response: { 200: ListOut } } },
    async (request) => {
      const result = await service.listIntelligence(db, requireActor(request), request.query)
      return { total: result.total, totalCapped: result.totalCapped, page: result.query.page, records: result.rows }
    },
  )

  api.get(
    '/api/v1/intelligence/export.csv',
    {
      schema: {
        tags: [TAG],
        summary: 'The filtered list as CSV (at most 10,000 records), every row with its handling code and conditions (logged as a disclosure)',
        querystring: IntelligenceExportQuery,
        response: { 200: z.string().describe('text/csv') },
      },
    },
    async (request, reply) => {
      const result = await service.exportIntelligenceCsv(db, requireActor(request), request.query, ctx.now())
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${result.filename}"`).serializer((s: unknown) => String(s)).send(result.csv)
    },
  )

  api.post(
    '/api/v1/intelligence',
    {
      schema: {
        tags: [TAG],
        summary: 'Record intelligence, graded 3x5x2; a legacy 5x5x5 grade is kept as entered and maps the parts left out',
        body: IntelligenceInput,
        response: { 201: IntelligenceOut },
      },
      validatorCompiler: serviceChecksBody,
    },
    async (request, reply) => {
      const actor = requireActor(request)
      const id = await service.createIntelligence(db, actor, request.body, ctx.now())
      return reply.status(201).header('location', `/api/v1/intelligence/${id}`).send(await service.getIntelligence(db, actor, id, ctx.now()))
    },
  )

  const Purpose = z.strictObject({ purpose: z.string().trim().min(3).max(500).optional() })

  api.get(
    '/api/v1/intelligence/:id',
    {
      schema: {
        tags: [TAG],
        summary: 'One intelligence record with its grade, handling conditions and mentions, if the visibility rule allows (logged as a consultation; a refusal is logged too)',
        params: IdParams,
        querystring: Purpose,
        response: { 200: IntelligenceOut },
      },
    },
    async (request) => service.getIntelligence(db, requireActor(request), request.params.id, ctx.now(), request.query.purpose),
  )

  api.put(
    '/api/v1/intelligence/:id',
    {
      schema: { tags: [TAG], summary: 'Change a record\'s content, grade and mentions (owning agency only; send the rowVersion you read)', params: IdParams, body: IntelligenceUpdate, response: { 200: IntelligenceOut } },
      validatorCompiler: serviceChecksBody,
    },
    async (request) => {
      const actor = requireActor(request)
      await service.updateIntelligence(db, actor, request.params.id, request.body, ctx.now())
      return service.getIntelligence(db, actor, request.params.id, ctx.now())
    },
  )

  api.delete(
    '/api/v1/intelligence/:id',
    { schema: { tags: [TAG], summary: 'Erase an intelligence record (owning agency only)', params: IdParams, body: z.strictObject({ reason: z.string().trim().min(3).max(500) }), response: { 204: z.null() } } },
    async (request, reply) => {
      await service.eraseIntelligence(db, requireActor(request), request.params.id, request.body.reason)
      return reply.status(204).send(null)
    },
  )

  api.get(
    '/api/v1/intelligence/:id/export',
    {
      schema: {
        tags: [TAG],
        summary: 'One record as an export document carrying its handling code and conditions (logged as a disclosure to your agency)',
        params: IdParams,
        querystring: ExportPurpose,
        response: { 200: IntelligenceExportOut },
      },
    },
    async (request) => service.exportIntelligence(db, requireActor(request), request.params.id, request.query, ctx.now()),
  )
}

/** What the user typed in the mention boxes, given back when the form is shown again. */
function typedBack(body: Record<string, unknown>, issues: FieldIssue[]): Record<string, unknown> {
  if (issues.length === 0) return {}
  const unreadable = (typed: unknown) => String(typed ?? '').split(/[\s,;]+/).filter((t) => t && !UUID_IN.test(t)).join('\n')
  return { moreEntityIds: unreadable(body.moreEntityIds), moreGroupIds: unreadable(body.moreGroupIds) }
}
