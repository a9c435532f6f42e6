import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ValidationError } from '../../core/errors.ts'
import { CHECK_INTERVAL_UNITS, OBLIGATION_KINDS, OBLIGATION_KIND_LABELS } from '../../core/orders/compliance.ts'
import { ORDER_TYPES } from '../../core/powers/catalogue.ts'
import { ukDay } from '../../core/time/ukDates.ts'
import { formBody, requireActor } from '../../http/auth.ts'
import { pathId } from '../../http/validation.ts'
import { formErrors, renderPage, setFlash } from '../../http/views.ts'
import { handlingChoices, withAgencyNames } from '../records/routes.ts'
import { BreachInput, CHECK_RESULTS, CHECK_RESULT_LABELS, CheckResultInput, ORDER_STATUSES, ORDER_STATUS_LABELS, ORDER_TYPE_LABELS, OrderInput, OrderListQuery, OrderOut, VariationInput } from './schema.ts'
import * as service from './service.ts'

const OrderParams = z.object({ id: z.uuid('id must be an order id') })
const CheckParams = OrderParams.extend({ checkId: z.uuid('checkId must be a check id') })
const orderIdOf = (request: FastifyRequest) => pathId(request.params, 'id', 'Order')
const checkIdOf = (request: FastifyRequest) => pathId(request.params, 'checkId', 'Check')
const groupIdOf = (request: FastifyRequest) => pathId(request.params, 'id', 'Group')
const orderLabels = { type: ORDER_TYPE_LABELS, status: ORDER_STATUS_LABELS, result: CHECK_RESULT_LABELS, obligation: OBLIGATION_KIND_LABELS }
const TAG = 'orders'
const FORM_CONDITIONS = 4

/** The form's conditions as rows (obligations[0][text] and so on), without the rows left blank. */
function conditionsFromForm(body: Record<string, unknown>): { rows: Array<Record<string, unknown>>; formRows: number[] } {
  const byRow = new Map<number, Record<string, unknown>>()
  for (const [key, value] of Object.entries(body)) {
    const m = /^obligations\[(\d+)\]\[(kind|text|everyValue|everyUnit|noticeHours|checkAgencyNames)\]$/.exec(key)
    if (m) byRow.set(Number(m[1]), { ...byRow.get(Number(m[1])), [m[2]!]: value })
  }
  const kept = [...byRow].sort((a, b) => a[0] - b[0]).filter(([, r]) => typeof r.text === 'string' && r.text.trim() !== '')
  return { rows: kept.map(([, r]) => r), formRows: kept.map(([i]) => i) }
}

export async function orderRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx
  const { db, config } = ctx
  const api = app.withTypeProvider<ZodTypeProvider>()

  app.get('/orders', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    try {
      const result = await service.listOrders(db, actor, request.query)
      return renderPage(request, reply, 'orders/views/list.njk', { title: 'Orders register', ...result, values: result.query, orderTypes: ORDER_TYPES, statuses: ORDER_STATUSES, orderLabels })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const result = await service.listOrders(db, actor, {})
      return renderPage(request, reply.status(400), 'orders/views/list.njk', { title: 'Orders register', ...result, values: request.query, errors: formErrors(error.issues), orderTypes: ORDER_TYPES, statuses: ORDER_STATUSES, orderLabels })
    }
  })

  const newForm = async (request: FastifyRequest, reply: FastifyReply, groupId: string, values: Record<string, unknown>, errors?: ReturnType<typeof formErrors>) => {
    const form = await service.orderFormFor(db, requireActor(request), groupId, ctx.now())
    return renderPage(request, reply, 'orders/views/form.njk', {
      title: `Enter an order: ${form.group.name}`, ...form, values, errors, ...handlingChoices, agencies: [],
      conditionRows: [...Array(FORM_CONDITIONS).keys()], obligationKinds: OBLIGATION_KINDS, intervalUnits: CHECK_INTERVAL_UNITS, orderLabels,
    })
  }

  app.get('/groups/:id/orders/new', { schema: { hide: true } }, async (request, reply) => {
    const group = groupIdOf(request)
    return newForm(request, reply, group, { startsAt: ukDay(ctx.now()), protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency', ...(request.query as object) })
  })

  app.post('/groups/:id/orders', { schema: { hide: true } }, async (request, reply) => {
    const groupId = groupIdOf(request)
    const body = formBody(request)
    const conditions = conditionsFromForm(body)
    const actor = requireActor(request)
    try {
      const fields = Object.fromEntries(Object.entries(body).filter(([k]) => !k.startsWith('obligations[')))
      const input = { ...(await withAgencyNames(app, request, fields)), groupId, obligations: await service.withCheckAgencyNames(db, actor, conditions.rows) }
      const id = await service.createOrder(db, actor, input, ctx.now())
      setFlash(reply, 'Order entered in the register, with its compliance checks scheduled.', config.cookieSecure)
      return reply.redirect(`/orders/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const issues = error.issues.map((i) => ({ ...i, field: i.field.replace(/^obligations\.(\d+)\.(\w+)$/, (_, n: string, f: string) => `obligations[${conditions.formRows[Number(n)] ?? n}][${f === 'checkAgencyIds' ? 'checkAgencyNames' : f}]`) }))
      return newForm(request, reply.status(400), groupId, body, formErrors(issues))
    }
  })

  const showOrder = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) => {
    const order = await service.getOrder(db, requireActor(request), id, ctx.now())
    return renderPage(request, reply, 'orders/views/show.njk', { title: order.powerName, order, orderLabels, statuses: ['in_force', 'discharged', 'revoked'], today: ukDay(ctx.now()), breachValues: {}, variationValues: {}, ...extra })
  }

  app.get('/orders/:id', { schema: { hide: true } }, async (request, reply) => showOrder(request, reply, orderIdOf(request)))

  app.post('/orders/:id/breaches', { schema: { hide: true } }, async (request, reply) => {
    const id = orderIdOf(request)
    const body = formBody(request)
    try {
      await service.recordBreach(db, requireActor(request), id, body, ctx.now())
      setFlash(reply, 'Breach recorded.', config.cookieSecure)
      return reply.redirect(`/orders/${id}#breaches`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showOrder(request, reply.status(400), id, { breachValues: body, errors: formErrors(error.issues.map((i) => ({ ...i, field: `breach-${i.field}` }))) })
    }
  })

  app.post('/orders/:id/variations', { schema: { hide: true } }, async (request, reply) => {
    const id = orderIdOf(request)
    const body = formBody(request)
    try {
      await service.varyOrder(db, requireActor(request), id, body, ctx.now())
      setFlash(reply, 'Variation recorded.', config.cookieSecure)
      return reply.redirect(`/orders/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showOrder(request, reply.status(400), id, { variationValues: body, errors: formErrors(error.issues.map((i) => ({ ...i, field: `variation-${i.field}` }))) })
    }
  })

  const checkForm = async (request: FastifyRequest, reply: FastifyReply, orderId: string, checkId: string, values: Record<string, unknown>, errors?: ReturnType<typeof formErrors>) => {
    const order = await service.getOrder(db, requireActor(request), orderId, ctx.now())
    const check = order.checks.find((c) => c.id === checkId)
    if (!check) return reply.callNotFound()
    const obligation = order.obligations.find((o) => o.key === check.obligationKey)
    return renderPage(request, reply, 'orders/views/check.njk', { title: `Record a compliance check: ${order.powerName}`, order, check, obligation, results: CHECK_RESULTS, orderLabels, values, errors })
  }

  app.get('/orders/:id/checks/:checkId', { schema: { hide: true } }, async (request, reply) => checkForm(request, reply, orderIdOf(request), checkIdOf(request), {}))

  app.post('/orders/:id/checks/:checkId', { schema: { hide: true } }, async (request, reply) => {
    const orderId = orderIdOf(request)
    const checkId = checkIdOf(request)
    const body = formBody(request)
    try {
      const { breachId } = await service.recordCheck(db, requireActor(request), checkId, body, ctx.now())
      setFlash(reply, breachId ? 'Check recorded, and the breach added to the order’s record.' : 'Check recorded.', config.cookieSecure)
      return reply.redirect(`/orders/${orderId}#checks`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return checkForm(request, reply.status(400), orderId, checkId, body, formErrors(error.issues))
    }
  })

  // API

  api.get(
    '/api/v1/orders',
    { schema: { tags: [TAG], summary: 'The orders register, filtered by kind, status or group', querystring: OrderListQuery, response: { 200: z.object({ orders: z.array(z.object({ id: z.string(), orderType: z.string(), powerName: z.string(), subjectCaption: z.string(), groupId: z.string().nullable(), groupName: z.string().nullable(), startsAt: z.string(), endsAt: z.string().nullable(), status: z.string(), court: z.string().nullable() })) }) } } },
    async (request) => ({ orders: (await service.listOrders(db, requireActor(request), request.query)).orders }),
  )

  api.post(
    '/api/v1/orders',
    { schema: { tags: [TAG], summary: 'Enter an order in the register; refused, naming the rule, when it breaks its power’s rules', body: OrderInput, response: { 201: OrderOut } } },
    async (request, reply) => {
      const actor = requireActor(request)
      const id = await service.createOrder(db, actor, request.body, ctx.now())
      return reply.status(201).header('location', `/api/v1/orders/${id}`).send(await service.getOrder(db, actor, id, ctx.now()))
    },
  )

  api.get(
    '/api/v1/orders/:id',
    { schema: { tags: [TAG], summary: 'One order with its conditions, checks, breaches and variations', params: OrderParams, response: { 200: OrderOut } } },
    async (request) => service.getOrder(db, requireActor(request), request.params.id, ctx.now()),
  )

  api.post(
    '/api/v1/orders/:id/checks/:checkId',
    { schema: { tags: [TAG], summary: 'Record a compliance check’s result (from 14 days before it is due)', params: CheckParams, body: CheckResultInput, response: { 200: OrderOut } } },
    async (request) => {
      const actor = requireActor(request)
      await service.recordCheck(db, actor, request.params.checkId, request.body, ctx.now())
      return service.getOrder(db, actor, request.params.id, ctx.now())
    },
  )

  api.post(
    '/api/v1/orders/:id/breaches',
    { schema: { tags: [TAG], summary: 'Record a breach of an order', params: OrderParams, body: BreachInput, response: { 201: OrderOut } } },
    async (request, reply) => {
      const actor = requireActor(request)
      await service.recordBreach(db, actor, request.params.id, request.body, ctx.now())
      return reply.status(201).send(await service.getOrder(db, actor, request.params.id, ctx.now()))
    },
  )

  api.post(
    '/api/v1/orders/:id/variations',
    { schema: { tags: [TAG], summary: 'Record a variation, extension or discharge (send the rowVersion you read)', params: OrderParams, body: VariationInput, response: { 200: OrderOut } } },
    async (request) => {
      const actor = requireActor(request)
      await service.varyOrder(db, actor, request.params.id, request.body, ctx.now())
      return service.getOrder(db, actor, request.params.id, ctx.now())
    },
  )
}
