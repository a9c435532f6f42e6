import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { baseUrl } from '../../config.ts'
import { HANDLING_CODES, PROTECTIVE_MARKINGS } from '../../core/access/visibility.ts'
import type { FieldIssue } from '../../core/errors.ts'
import { ValidationError } from '../../core/errors.ts'
import { INTELLIGENCE_ASSESSMENTS, INTELLIGENCE_ASSESSMENT_LABELS, SOURCE_EVALUATIONS, SOURCE_EVALUATION_LABELS } from '../../core/grading/intelligenceGrade.ts'
import { LAWFUL_BASES, LAWFUL_BASIS_INFO, LAWFUL_BASIS_LABELS } from '../../core/referrals/lawfulBases.ts'
import {
  DECLINE_GROUNDS, DECLINE_GROUND_LABELS, REFERRAL_KINDS, REFERRAL_KIND_LABELS, REFERRAL_STATES, REFERRAL_STATE_LABELS, URGENCIES, URGENCY_DAYS, URGENCY_LABELS, URGENCY_SHORT_LABELS,
} from '../../core/referrals/referrals.ts'
import { formBody, requireActor } from '../../http/auth.ts'
import { pathId } from '../../http/validation.ts'
import { formErrors, renderPage, setFlash } from '../../http/views.ts'
import { AcceptInput, AnswerInput, CloseInput, DeclineInput, LIST_VIEWS, ListQuery, ReferralInput, ReferralListOut, ReferralOut, RouteInput, WithdrawInput } from './schema.ts'
import * as service from './service.ts'

const TAG = 'referrals'
const Params = z.object({ id: z.uuid('id must be a referral id') })
const idOf = (request: FastifyRequest) => pathId(request.params, 'id', 'Referral')

export const referralLabels = {
  kind: REFERRAL_KIND_LABELS,
  state: REFERRAL_STATE_LABELS,
  urgency: URGENCY_LABELS,
  urgencyShort: URGENCY_SHORT_LABELS,
  lawfulBasis: LAWFUL_BASIS_LABELS,
  declineGround: DECLINE_GROUND_LABELS,
  source: SOURCE_EVALUATION_LABELS,
  assessment: INTELLIGENCE_ASSESSMENT_LABELS,
}

const choices = {
  kinds: REFERRAL_KINDS, states: REFERRAL_STATES, urgencies: URGENCIES, lawfulBases: LAWFUL_BASES, lawfulBasisInfo: LAWFUL_BASIS_INFO, declineGrounds: DECLINE_GROUNDS,
  markings: PROTECTIVE_MARKINGS, handlingCodes: HANDLING_CODES, sources: SOURCE_EVALUATIONS, assessments: INTELLIGENCE_ASSESSMENTS, views: LIST_VIEWS,
}

/** Field names as the page calls them: a form's prefix, and agencies named in words. */
function onPage(issues: readonly FieldIssue[], prefix: string, renames: Record<string, string> = {}): FieldIssue[] {
  return issues.map((i) => ({ ...i, field: `${prefix}${renames[i.field] ?? i.field}` }))
}

export async function referralRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx
  const { db, config } = ctx
  const api = app.withTypeProvider<ZodTypeProvider>()
  const site = () => ({ baseUrl: baseUrl(config) })

  // -------------------------------------------------------------------------------------------
  // Pages

  app.get('/referrals', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const query = request.query as Record<string, unknown>
    try {
      const list = await service.listReferrals(db, actor, query, ctx.now())
      return renderPage(request, reply, 'referrals/views/list.njk', { title: 'Referrals and information requests', ...list, values: list.query, referralLabels, ...choices, pageSize: service.PAGE_SIZE })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const list = await service.listReferrals(db, actor, {}, ctx.now())
      return renderPage(request, reply.status(400), 'referrals/views/list.njk', { title: 'Referrals and information requests', ...list, values: query, errors: formErrors(error.issues), referralLabels, ...choices, pageSize: service.PAGE_SIZE })
    }
  })

  const newForm = async (request: FastifyRequest, reply: FastifyReply, values: Record<string, unknown>, errors?: ReturnType<typeof formErrors>) => {
    const actor = requireActor(request)
    const form = await service.referralForm(db, actor, values)
    return renderPage(request, reply, 'referrals/views/form.njk', {
      title: 'Send a referral or information request', ...form, values: { subjectDescription: form.subject.caption, protectiveMarking: form.subject.protectiveMarking, ...values },
      errors, referralLabels, urgencyDays: URGENCY_DAYS, ...choices,
    })
  }

  app.get('/referrals/new', { schema: { hide: true } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>
    return newForm(request, reply, { entityId: q.entityId, groupId: q.groupId })
  })

  app.post('/referrals', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const body = formBody(request)
    const { addressedTo, ...fields } = body
    const nameIssues: FieldIssue[] = []
    let input: Record<string, unknown> = { ...fields, toCoordinator: addressedTo === 'coordinator' }
    if (addressedTo === 'coordinator') delete input.recipientAgencyName
    try {
      input = await service.withAgencyName(db, actor, input, 'recipientAgencyName', 'recipientAgencyId')
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      nameIssues.push(...error.issues)
      delete input.recipientAgencyName
    }
    if (addressedTo !== 'agency' && addressedTo !== 'coordinator') nameIssues.push({ field: 'addressedTo', message: 'Choose whether to send it to a named agency or to the regional GAIN coordinator' })
    try {
      if (nameIssues.length > 0) {
        // Check the rest of the form too, so every problem is named at once.
        const rest = ReferralInput.safeParse({ ...input, recipientAgencyId: undefined, toCoordinator: true })
        throw new ValidationError([...nameIssues, ...(rest.success ? [] : rest.error.issues.map((i) => ({ field: i.path.join('.') || 'body', message: i.message })))])
      }
      const id = await service.sendReferral(db, actor, input, ctx.now(), site())
      setFlash(reply, 'Referral sent. The agency’s GAIN single points of contact have been told.', config.cookieSecure)
      return reply.redirect(`/referrals/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const issues = onPage(error.issues, '', { recipientAgencyId: 'recipientAgencyName', toCoordinator: 'addressedTo' })
      return newForm(request, reply.status(400), body, formErrors(issues))
    }
  })

  const showReferral = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) => {
    const referral = await service.getReferral(db, requireActor(request), id, ctx.now())
    return renderPage(request, reply, 'referrals/views/show.njk', {
      title: `${referral.reference}: ${referral.subjectDescription}`, referral, referralLabels, ...choices, values: {}, ...extra,
    })
  }

  app.get('/referrals/:id', { schema: { hide: true } }, async (request, reply) => showReferral(request, reply, idOf(request)))

  /** One action form on the referral's page: done, it returns to the page; refused, the page shows why. */
  const actionRoute = (path: string, prefix: string, flash: string, run: (request: FastifyRequest, id: string, body: Record<string, unknown>) => Promise<unknown>, renames: Record<string, string> = {}) => {
    app.post(`/referrals/:id/${path}`, { schema: { hide: true } }, async (request, reply) => {
      const id = idOf(request)
      const body = formBody(request)
      try {
        await run(request, id, body)
        setFlash(reply, flash, config.cookieSecure)
        return reply.redirect(`/referrals/${id}`, 303)
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error
        return showReferral(request, reply.status(400), id, { values: { [prefix]: body }, errors: formErrors(onPage(error.issues, `${prefix}-`, renames)), failed: prefix })
      }
    })
  }

  actionRoute('accept', 'accept', 'Referral accepted. Answer it, or decline it with a reason, by the date it is due.', (request, id, body) => service.acceptReferral(db, requireActor(request), id, body))
  actionRoute('answer', 'answer', 'Answer sent. It is recorded as intelligence of your agency, shared with the requesting agency.', (request, id, body) => service.answerReferral(db, requireActor(request), id, body, ctx.now(), site()))
  actionRoute('decline', 'decline', 'Referral declined. The requesting officer has been told why.', (request, id, body) => service.declineReferral(db, requireActor(request), id, body, site()))
  actionRoute('withdraw', 'withdraw', 'Referral withdrawn. The recipient has been told.', (request, id, body) => service.withdrawReferral(db, requireActor(request), id, body, site()))
  actionRoute('close', 'close', 'Referral closed.', (request, id, body) => service.closeReferral(db, requireActor(request), id, body))
  actionRoute('route', 'route', 'Referral routed. The agency’s GAIN single points of contact have been told.', async (request, id, body) => {
    const actor = requireActor(request)
    return service.routeReferral(db, actor, id, await service.withAgencyName(db, actor, body, 'recipientAgencyName', 'recipientAgencyId'), site())
  }, { recipientAgencyId: 'recipientAgencyName' })

  // -------------------------------------------------------------------------------------------
  // API

  api.get(
    '/api/v1/referrals/lawful-bases',
    { schema: { tags: [TAG], summary: 'The lawful bases a referral may name, the urgencies and their default days to answer, and the grounds for declining', response: { 200: z.object({ lawfulBases: z.array(z.object({ id: z.string(), label: z.string(), summary: z.string(), needsStatedBasis: z.boolean() })), urgencies: z.array(z.object({ id: z.string(), label: z.string(), days: z.number() })), declineGrounds: z.array(z.object({ id: z.string(), label: z.string() })) }) } } },
    async (request) => {
      requireActor(request)
      return {
        lawfulBases: LAWFUL_BASES.map((id) => ({ id, ...LAWFUL_BASIS_INFO[id] })),
        urgencies: URGENCIES.map((id) => ({ id, label: URGENCY_LABELS[id], days: URGENCY_DAYS[id] })),
        declineGrounds: DECLINE_GROUNDS.map((id) => ({ id, label: DECLINE_GROUND_LABELS[id] })),
      }
    },
  )

  api.get(
    '/api/v1/referrals',
    { schema: { tags: [TAG], summary: 'Referrals your agency sent, received or routes: incoming, outgoing, overdue or all, by state (still-open ones first, soonest due)', querystring: ListQuery, response: { 200: ReferralListOut } } },
    async (request) => service.listReferrals(db, requireActor(request), request.query, ctx.now()),
  )

  api.post(
    '/api/v1/referrals',
    { schema: { tags: [TAG], summary: 'Send a referral or information request about an entity or group you can see, to a named agency or the regional GAIN coordinator (logged as a disclosure)', body: ReferralInput, response: { 201: ReferralOut } } },
    async (request, reply) => {
      const actor = requireActor(request)
      const id = await service.sendReferral(db, actor, request.body, ctx.now(), site())
      return reply.status(201).header('location', `/api/v1/referrals/${id}`).send(await service.getReferral(db, actor, id, ctx.now()))
    },
  )

  api.get(
    '/api/v1/referrals/:id',
    { schema: { tags: [TAG], summary: 'One referral with its timeline and the answers you may see (the reading is logged)', params: Params, response: { 200: ReferralOut } } },
    async (request) => service.getReferral(db, requireActor(request), request.params.id, ctx.now()),
  )

  const actionApi = <S extends z.ZodType>(path: string, summary: string, body: S, run: (actor: ReturnType<typeof requireActor>, id: string, input: unknown) => Promise<unknown>) => {
    api.post(
      `/api/v1/referrals/:id/${path}`,
      { schema: { tags: [TAG], summary, params: Params, body, response: { 200: ReferralOut } } },
      async (request) => {
        const actor = requireActor(request)
        const { id } = request.params as { id: string }
        await run(actor, id, request.body)
        return service.getReferral(db, actor, id, ctx.now())
      },
    )
  }

  actionApi('route', 'Route a referral sent to your agency as GAIN coordinator on to the agency that should answer it (send the rowVersion you read)', RouteInput, (actor, id, input) => service.routeReferral(db, actor, id, input, site()))
  actionApi('accept', 'Accept a referral sent to your agency', AcceptInput, (actor, id, input) => service.acceptReferral(db, actor, id, input))
  actionApi('answer', 'Answer a referral with graded information (3x5x2); it is also recorded as your agency’s intelligence, shared with the requesting agency', AnswerInput, (actor, id, input) => service.answerReferral(db, actor, id, input, ctx.now(), site()))
  actionApi('decline', 'Decline a referral with the ground and a reason the requester can act on', DeclineInput, (actor, id, input) => service.declineReferral(db, actor, id, input, site()))
  actionApi('withdraw', 'Withdraw a referral your agency sent, with the reason', WithdrawInput, (actor, id, input) => service.withdrawReferral(db, actor, id, input, site()))
  actionApi('close', 'Close a referral your agency sent once it is answered or declined', CloseInput, (actor, id, input) => service.closeReferral(db, actor, id, input))
}
