import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { baseUrl } from '../../config.ts'
import { NotFoundError, ValidationError } from '../../core/errors.ts'
import { ACTION_STATUSES, ACTION_STATUS_LABELS } from '../../core/plans/actions.ts'
import { POWER_SUBJECT_LABELS, STRANDS, STRAND_LABELS } from '../../core/powers/catalogue.ts'
import { ukDay } from '../../core/time/ukDates.ts'
import { formBody, requireActor } from '../../http/auth.ts'
import { pathId } from '../../http/validation.ts'
import { formErrors, renderPage, setFlash } from '../../http/views.ts'
import { storedPowers } from '../powers/service.ts'
import { formAgencies, handlingChoices, withAgencyNames } from '../records/routes.ts'
import { THREAT_AREAS } from '../../core/reference/crime.ts'
import { ActionInput, ActionOut, ActionProgress, ActionUpdate, ASSET_KINDS, ASSET_KIND_LABELS, DISRUPTION_OUTCOMES, DISRUPTION_OUTCOME_LABELS, BoardQuery, DisruptionInput, DisruptionOut, ExportQuery, OutcomeQuery, PlanInput, PlanOut, SuggestionInput, SuggestionOut, TemplateActionInput, ThreatPlanInput } from './schema.ts'
import * as service from './service.ts'

const GroupParams = z.object({ id: z.uuid('id must be a group id') })
const ActionParams = z.object({ id: z.uuid('id must be an action id') })
const SuggestionParams = GroupParams.extend({ powerId: z.string().regex(/^[a-z][a-z0-9_]*$/, 'powerId must be a power id').max(80) })
const groupIdOf = (request: FastifyRequest) => pathId(request.params, 'id', 'Group')
const actionIdOf = (request: FastifyRequest) => pathId(request.params, 'id', 'Action')
const powerIdOf = (request: FastifyRequest) => {
  const v = (request.params as { powerId?: string }).powerId ?? ''
  return /^[a-z][a-z0-9_]*$/.test(v) ? v : '-'
}
const planLabels = { strand: STRAND_LABELS, status: ACTION_STATUS_LABELS, outcome: DISRUPTION_OUTCOME_LABELS, asset: ASSET_KIND_LABELS, subject: POWER_SUBJECT_LABELS }
const TAG = 'plans'

/** Four weeks ahead: the date a suggestion's form offers, which the LRO changes as they see fit. */
function fourWeeksFrom(now: Date): string {
  return ukDay(new Date(now.getTime() + 28 * 86_400_000))
}

/**
 * The disruption form's assets as rows (assets[0][kind], assets[0][description] and so on), with
 * the form row each came from, so an error names the row the person filled in.
 */
function assetsFromForm(body: Record<string, unknown>): { rows: Array<Record<string, unknown>>; formRows: number[] } {
  const byRow = new Map<number, Record<string, unknown>>()
  for (const [key, value] of Object.entries(body)) {
    const m = /^assets\[(\d+)\]\[(kind|description|quantity|unit|valuePounds)\]$/.exec(key)
    if (!m) continue
    const i = Number(m[1])
    byRow.set(i, { ...byRow.get(i), [m[2]!]: value })
  }
  // A row left wholly blank is a spare row of the form, not an asset.
  const kept = [...byRow].sort((a, b) => a[0] - b[0]).filter(([, r]) => Object.values(r).some((v) => typeof v === 'string' && v.trim() !== ''))
  return { rows: kept.map(([, r]) => r), formRows: kept.map(([i]) => i) }
}

export async function planRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx
  const { db, config } = ctx
  const api = app.withTypeProvider<ZodTypeProvider>()
  const site = () => ({ baseUrl: baseUrl(config) })

  async function showPlan(request: FastifyRequest, reply: FastifyReply, groupId: string, extra: Record<string, unknown> = {}) {
    const plan = await service.groupPlan(db, requireActor(request), groupId, ctx.now())
    return renderPage(request, reply, 'plans/views/group-plan.njk', {
      title: `4P plan: ${plan.group.name}`, ...plan, planLabels, defaultDue: fourWeeksFrom(ctx.now()), suggestionValues: {}, planValues: {}, exportValues: {}, ...extra,
    })
  }

  app.get('/groups/:id/plan', { schema: { hide: true } }, async (request, reply) => showPlan(request, reply, groupIdOf(request)))

  const actionForm = async (request: FastifyRequest, reply: FastifyReply, groupId: string, values: Record<string, unknown>, errors?: ReturnType<typeof formErrors>) => {
    const plan = await service.groupPlan(db, requireActor(request), groupId, ctx.now(), 'Adding an action to a group’s 4P plan')
    const { powers } = await storedPowers(db.kysely, db)
    return renderPage(request, reply, 'plans/views/action-form.njk', {
      title: `Add an action: ${plan.group.name}`, ...plan, powers, strands: STRANDS, planLabels, values, errors,
    })
  }

  app.get('/groups/:id/plan/actions/new', { schema: { hide: true } }, async (request, reply) =>
    actionForm(request, reply, groupIdOf(request), { dueOn: fourWeeksFrom(ctx.now()), ...(request.query as object) }))

  app.post('/groups/:id/plan/actions', { schema: { hide: true } }, async (request, reply) => {
    const groupId = groupIdOf(request)
    const body = formBody(request)
    try {
      await service.addAction(db, requireActor(request), groupId, body, ctx.now(), site())
      setFlash(reply, 'Action added to the plan. Its owner has been told.', config.cookieSecure)
      return reply.redirect(`/groups/${groupId}/plan`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return actionForm(request, reply.status(400), groupId, body, formErrors(error.issues))
    }
  })

  // The form for the further suggestions names the power in its body.
  app.post('/groups/:id/plan/suggestions', { schema: { hide: true } }, async (request, reply) => {
    const groupId = groupIdOf(request)
    const body = formBody(request)
    const powerId = typeof body.powerId === 'string' && /^[a-z][a-z0-9_]*$/.test(body.powerId) ? body.powerId : '-'
    try {
      await service.addSuggestedAction(db, requireActor(request), groupId, powerId, { ...body, powerId: undefined }, ctx.now(), site())
      setFlash(reply, 'Suggested power added to the plan as an action. Its owner has been told.', config.cookieSecure)
      return reply.redirect(`/groups/${groupId}/plan`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError) && !(error instanceof NotFoundError && error.what === 'Suggestion')) throw error
      const issues = error instanceof ValidationError ? error.issues : [{ field: 'powerId', message: 'Choose one of the suggested powers' }]
      return showPlan(request, reply.status(400), groupId, { suggestionValues: { more: body }, errors: formErrors(issues.map((i) => ({ ...i, field: `more-${i.field === 'powerId' && error instanceof ValidationError ? 'ownerEmail' : i.field}` }))) })
    }
  })

  app.post('/groups/:id/plan/suggestions/:powerId', { schema: { hide: true } }, async (request, reply) => {
    const groupId = groupIdOf(request)
    const powerId = powerIdOf(request)
    const body = formBody(request)
    try {
      await service.addSuggestedAction(db, requireActor(request), groupId, powerId, body, ctx.now(), site())
      setFlash(reply, 'Suggested power added to the plan as an action. Its owner has been told.', config.cookieSecure)
      return reply.redirect(`/groups/${groupId}/plan`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      // Field ids on the page carry the power's id, so the error summary links to the right form.
      // A power the owner's agency cannot use is put right by choosing another owner.
      const issues = error.issues.map((i) => ({ ...i, field: `${powerId}-${i.field === 'powerId' ? 'ownerEmail' : i.field}` }))
      return showPlan(request, reply.status(400), groupId, { suggestionValues: { [powerId]: body }, errors: formErrors(issues), failedPower: powerId })
    }
  })

  app.post('/groups/:id/plan/template-actions', { schema: { hide: true } }, async (request, reply) => {
    const groupId = groupIdOf(request)
    const body = formBody(request)
    try {
      await service.addTemplateAction(db, requireActor(request), groupId, body, ctx.now(), site())
      setFlash(reply, 'Template action added to the plan. Its owner has been told.', config.cookieSecure)
      return reply.redirect(`/groups/${groupId}/plan`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const prefix = `tpl-${String(body.templateKey)}`
      const issues = error.issues.map((i) => ({ ...i, field: `${prefix}-${i.field === 'powerId' ? 'ownerEmail' : i.field}` }))
      return showPlan(request, reply.status(400), groupId, { suggestionValues: { [prefix]: body }, errors: formErrors(issues), failedTemplate: String(body.templateKey) })
    }
  })

  app.post('/groups/:id/plans', { schema: { hide: true } }, async (request, reply) => {
    const groupId = groupIdOf(request)
    const body = formBody(request)
    try {
      await service.createGroupPlan(db, requireActor(request), groupId, body, ctx.now())
      setFlash(reply, 'Plan added.', config.cookieSecure)
      return reply.redirect(`/groups/${groupId}/plan`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showPlan(request, reply.status(400), groupId, { planValues: body, errors: formErrors(error.issues.map((i) => ({ ...i, field: `plan-${i.field}` }))) })
    }
  })

  const showAction = async (request: FastifyRequest, reply: FastifyReply, id: string, values?: Record<string, unknown>, errors?: ReturnType<typeof formErrors>, editValues?: Record<string, unknown>) => {
    const action = await service.getAction(db, requireActor(request), id, ctx.now())
    const powers = action.mayEdit ? (await storedPowers(db.kysely, db)).powers : []
    return renderPage(request, reply, 'plans/views/action.njk', { title: action.title, action, statuses: ACTION_STATUSES, strands: STRANDS, powers, planLabels, values: values ?? action, editValues: editValues ?? action, errors })
  }

  app.get('/actions/:id', { schema: { hide: true } }, async (request, reply) => showAction(request, reply, actionIdOf(request)))

  app.post('/actions/:id/progress', { schema: { hide: true } }, async (request, reply) => {
    const id = actionIdOf(request)
    const body = formBody(request)
    try {
      await service.updateActionProgress(db, requireActor(request), id, body, ctx.now(), site())
      setFlash(reply, 'Progress recorded.', config.cookieSecure)
      return reply.redirect(`/actions/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showAction(request, reply.status(400), id, body, formErrors(error.issues))
    }
  })

  app.post('/actions/:id/edit', { schema: { hide: true } }, async (request, reply) => {
    const id = actionIdOf(request)
    const body = formBody(request)
    // A new owner's address replaces the current owner; left blank, the owner stays.
    const input = typeof body.ownerEmail === 'string' && body.ownerEmail.trim() !== '' ? { ...body, ownerUserId: undefined } : { ...body, ownerEmail: undefined }
    try {
      await service.updateAction(db, requireActor(request), id, input, ctx.now(), site())
      setFlash(reply, 'Action changed.', config.cookieSecure)
      return reply.redirect(`/actions/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showAction(request, reply.status(400), id, undefined, formErrors(error.issues.map((i) => ({ ...i, field: `edit-${i.field === 'ownerUserId' ? 'ownerEmail' : i.field}` }))), body)
    }
  })

  const disruptionForm = async (request: FastifyRequest, reply: FastifyReply, groupId: string, values: Record<string, unknown>, errors?: ReturnType<typeof formErrors>) => {
    const plan = await service.groupPlan(db, requireActor(request), groupId, ctx.now(), 'Recording a disruption of a group')
    const { powers } = await storedPowers(db.kysely, db)
    const actions = plan.plans.flatMap((p) => p.actions)
    const assets = [0, 1, 2].map((i) => ({ kind: values[`assets[${i}][kind]`], description: values[`assets[${i}][description]`], quantity: values[`assets[${i}][quantity]`], unit: values[`assets[${i}][unit]`], valuePounds: values[`assets[${i}][valuePounds]`] }))
    return renderPage(request, reply, 'plans/views/disruption-form.njk', {
      title: `Record a disruption: ${plan.group.name}`, ...plan, actions, powers, outcomes: DISRUPTION_OUTCOMES, assetKinds: ASSET_KINDS, assets, planLabels, values, errors,
    })
  }

  app.get('/groups/:id/disruptions/new', { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>
    return disruptionForm(request, reply, groupIdOf(request), { occurredOn: ukDay(ctx.now()), actionId: query.actionId, powerId: query.powerId })
  })

  app.post('/groups/:id/disruptions', { schema: { hide: true } }, async (request, reply) => {
    const groupId = groupIdOf(request)
    const body = formBody(request)
    const assets = assetsFromForm(body)
    try {
      await service.recordDisruption(db, requireActor(request), groupId, { ...Object.fromEntries(Object.entries(body).filter(([k]) => !k.startsWith('assets['))), assets: assets.rows }, ctx.now())
      setFlash(reply, 'Disruption recorded. The group is now due for re-assessment.', config.cookieSecure)
      return reply.redirect(`/groups/${groupId}/plan#reassessment`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const issues = error.issues.map((i) => ({ ...i, field: i.field.replace(/^assets\.(\d+)\.(\w+)$/, (_, n: string, f: string) => `assets[${assets.formRows[Number(n)] ?? n}][${f}]`) }))
      return disruptionForm(request, reply.status(400), groupId, body, formErrors(issues))
    }
  })

  app.get('/groups/:id/plan.csv', { schema: { hide: true } }, async (request, reply) => {
    const groupId = groupIdOf(request)
    try {
      const out = await service.exportGroupPlanCsv(db, requireActor(request), groupId, request.query, ctx.now())
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${out.filename}"`).send(out.csv)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showPlan(request, reply.status(400), groupId, { exportValues: request.query, errors: formErrors(error.issues.map((i) => ({ ...i, field: `export-${i.field}` }))) })
    }
  })

  app.get('/plans', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const board = await service.planBoard(db, actor, request.query, ctx.now())
    const threatPlans = await service.listThreatPlans(db, actor, ctx.now())
    return renderPage(request, reply, 'plans/views/board.njk', { title: 'Plan progress', ...board, threatPlans, planLabels, pageSize: service.BOARD_PAGE_SIZE })
  })

  const threatPlanForm = async (request: FastifyRequest, reply: FastifyReply, values: Record<string, unknown>, errors?: ReturnType<typeof formErrors>) =>
    renderPage(request, reply, 'plans/views/threat-plan-form.njk', { title: 'Start a plan for a threat area', threatAreas: THREAT_AREAS, ...handlingChoices, agencies: await formAgencies(app, request, values), values, errors })

  app.get('/plans/new', { schema: { hide: true } }, async (request, reply) => {
    requireActor(request)
    return threatPlanForm(request, reply, { protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'partnership', ...(request.query as object) })
  })

  app.post('/plans', { schema: { hide: true } }, async (request, reply) => {
    const body = formBody(request)
    try {
      const id = await service.createThreatPlan(db, requireActor(request), await withAgencyNames(app, request, body))
      setFlash(reply, 'Plan started.', config.cookieSecure)
      return reply.redirect(`/plans/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return threatPlanForm(request, reply.status(400), body, formErrors(error.issues))
    }
  })

  const showThreatPlan = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) => {
    const page = await service.threatPlan(db, requireActor(request), id, ctx.now())
    const { powers } = await storedPowers(db.kysely, db)
    return renderPage(request, reply, 'plans/views/threat-plan.njk', { title: page.plan.title, ...page, powers, strands: STRANDS, planLabels, values: { dueOn: fourWeeksFrom(ctx.now()) }, suggestionValues: {}, ...extra })
  }

  app.get('/plans/:id', { schema: { hide: true } }, async (request, reply) => showThreatPlan(request, reply, pathId(request.params, 'id', 'Plan')))

  app.post('/plans/:id/actions', { schema: { hide: true } }, async (request, reply) => {
    const id = pathId(request.params, 'id', 'Plan')
    const body = formBody(request)
    try {
      await service.addThreatPlanAction(db, requireActor(request), id, body, ctx.now(), site())
      setFlash(reply, 'Action added to the plan. Its owner has been told.', config.cookieSecure)
      return reply.redirect(`/plans/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showThreatPlan(request, reply.status(400), id, { values: body, errors: formErrors(error.issues) })
    }
  })

  app.post('/plans/:id/template-actions', { schema: { hide: true } }, async (request, reply) => {
    const id = pathId(request.params, 'id', 'Plan')
    const body = formBody(request)
    try {
      await service.addThreatTemplateAction(db, requireActor(request), id, body, ctx.now(), site())
      setFlash(reply, 'Template action added to the plan. Its owner has been told.', config.cookieSecure)
      return reply.redirect(`/plans/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const prefix = `tpl-${String(body.templateKey)}`
      return showThreatPlan(request, reply.status(400), id, { suggestionValues: { [prefix]: body }, errors: formErrors(error.issues.map((i) => ({ ...i, field: `${prefix}-${i.field === 'powerId' ? 'ownerEmail' : i.field}` }))), failedTemplate: String(body.templateKey) })
    }
  })

  const showOutcomes = async (request: FastifyRequest, reply: FastifyReply, raw: unknown, extra: Record<string, unknown> = {}) => {
    const report = await service.outcomeReport(db, requireActor(request), raw, ctx.now())
    return renderPage(request, reply, 'plans/views/outcomes.njk', { title: 'Disruption outcomes', ...report, values: report.query, exportValues: { from: report.query.from, to: report.query.to }, planLabels, ...extra })
  }

  app.get('/disruptions', { schema: { hide: true } }, async (request, reply) => {
    try {
      return await showOutcomes(request, reply, request.query)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showOutcomes(request, reply.status(400), {}, { values: request.query, errors: formErrors(error.issues) })
    }
  })

  app.get('/disruptions.csv', { schema: { hide: true } }, async (request, reply) => {
    try {
      const out = await service.exportDisruptionsCsv(db, requireActor(request), request.query, ctx.now())
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${out.filename}"`).send(out.csv)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showOutcomes(request, reply.status(400), {}, { exportValues: request.query, errors: formErrors(error.issues.map((i) => ({ ...i, field: `export-${i.field}` }))) })
    }
  })

  // API

  api.post(
    '/api/v1/plans',
    { schema: { tags: [TAG], summary: 'Start a 4P plan for a threat area across the partnership', body: ThreatPlanInput, response: { 201: z.object({ id: z.string() }) } } },
    async (request, reply) => reply.status(201).send({ id: await service.createThreatPlan(db, requireActor(request), request.body) }),
  )

  api.post(
    '/api/v1/plans/:id/actions',
    { schema: { tags: [TAG], summary: 'Task a partner on a threat area’s plan (its owner is e-mailed)', params: z.object({ id: z.uuid('id must be a plan id') }), body: ActionInput, response: { 201: ActionOut } } },
    async (request, reply) => {
      const actor = requireActor(request)
      const id = await service.addThreatPlanAction(db, actor, request.params.id, request.body, ctx.now(), site())
      return reply.status(201).send(await service.getAction(db, actor, id, ctx.now()))
    },
  )

  api.get(
    '/api/v1/plans/progress',
    { schema: { tags: [TAG], summary: 'Plan progress across the groups you may see, most overdue first (totals by strand for aggregate-only roles)', querystring: BoardQuery } },
    async (request) => service.planBoard(db, requireActor(request), request.query, ctx.now()),
  )

  api.get(
    '/api/v1/disruptions/outcomes',
    { schema: { tags: [TAG], summary: 'Disruption outcomes in a period by agency, power, group or outcome level', querystring: OutcomeQuery } },
    async (request) => service.outcomeReport(db, requireActor(request), request.query, ctx.now()),
  )

  api.get(
    '/api/v1/disruptions/export.csv',
    { schema: { tags: [TAG], summary: 'Disruptions in a period as CSV with handling conditions (logged as a disclosure with its purpose)', querystring: ExportQuery } },
    async (request, reply) => {
      const out = await service.exportDisruptionsCsv(db, requireActor(request), request.query, ctx.now())
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${out.filename}"`).send(out.csv)
    },
  )

  api.get(
    '/api/v1/groups/:id/plan.csv',
    { schema: { tags: [TAG], summary: 'A group’s 4P plans and actions as CSV with its handling conditions (logged as a disclosure)', params: GroupParams, querystring: ExportQuery.pick({ purpose: true }) } },
    async (request, reply) => {
      const out = await service.exportGroupPlanCsv(db, requireActor(request), request.params.id, request.query, ctx.now())
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${out.filename}"`).send(out.csv)
    },
  )

  api.get(
    '/api/v1/groups/:id/plan',
    { schema: { tags: [TAG], summary: 'A group’s 4P plans and actions, the powers suggested for it and its recent disruptions', params: GroupParams, response: { 200: z.object({ plans: z.array(PlanOut), suggestions: z.array(SuggestionOut), disruptions: z.array(DisruptionOut) }) } } },
    async (request) => {
      const plan = await service.groupPlan(db, requireActor(request), request.params.id, ctx.now())
      return { plans: plan.plans, suggestions: plan.suggestions, disruptions: plan.disruptions }
    },
  )

  api.post(
    '/api/v1/groups/:id/plan/actions',
    { schema: { tags: [TAG], summary: 'Task a partner: add an action to the group’s 4P plan (its owner is e-mailed)', params: GroupParams, body: ActionInput, response: { 201: ActionOut } } },
    async (request, reply) => {
      const actor = requireActor(request)
      const id = await service.addAction(db, actor, request.params.id, request.body, ctx.now(), site())
      return reply.status(201).header('location', `/api/v1/actions/${id}`).send(await service.getAction(db, actor, id, ctx.now()))
    },
  )

  api.post(
    '/api/v1/groups/:id/plan/suggestions/:powerId',
    { schema: { tags: [TAG], summary: 'Take a suggested power into the plan as an action, in one step', params: SuggestionParams, body: SuggestionInput, response: { 201: ActionOut } } },
    async (request, reply) => {
      const actor = requireActor(request)
      const id = await service.addSuggestedAction(db, actor, request.params.id, request.params.powerId, request.body, ctx.now(), site())
      return reply.status(201).header('location', `/api/v1/actions/${id}`).send(await service.getAction(db, actor, id, ctx.now()))
    },
  )

  api.post(
    '/api/v1/groups/:id/plan/template-actions',
    { schema: { tags: [TAG], summary: 'Take one action of a threat area’s 4P template into the group’s plan', params: GroupParams, body: TemplateActionInput, response: { 201: ActionOut } } },
    async (request, reply) => {
      const actor = requireActor(request)
      const id = await service.addTemplateAction(db, actor, request.params.id, request.body, ctx.now(), site())
      return reply.status(201).header('location', `/api/v1/actions/${id}`).send(await service.getAction(db, actor, id, ctx.now()))
    },
  )

  api.post(
    '/api/v1/groups/:id/plans',
    { schema: { tags: [TAG], summary: 'Add a plan to a group, for one key risk', params: GroupParams, body: PlanInput, response: { 201: z.object({ id: z.string() }) } } },
    async (request, reply) => reply.status(201).send({ id: await service.createGroupPlan(db, requireActor(request), request.params.id, request.body, ctx.now()) }),
  )

  api.get(
    '/api/v1/actions/:id',
    { schema: { tags: [TAG], summary: 'One action on a 4P plan', params: ActionParams, response: { 200: ActionOut } } },
    async (request) => service.getAction(db, requireActor(request), request.params.id, ctx.now()),
  )

  api.put(
    '/api/v1/actions/:id',
    { schema: { tags: [TAG], summary: 'Change an action: what, who, by when, which power (the plan’s LRO, agency or coordinator; send the rowVersion you read)', params: ActionParams, body: ActionUpdate, response: { 200: ActionOut } } },
    async (request) => {
      const actor = requireActor(request)
      await service.updateAction(db, actor, request.params.id, request.body, ctx.now(), site())
      return service.getAction(db, actor, request.params.id, ctx.now())
    },
  )

  api.post(
    '/api/v1/actions/:id/progress',
    { schema: { tags: [TAG], summary: 'Record an action’s status and outcome (send the rowVersion you read)', params: ActionParams, body: ActionProgress, response: { 200: ActionOut } } },
    async (request) => {
      const actor = requireActor(request)
      await service.updateActionProgress(db, actor, request.params.id, request.body, ctx.now(), site())
      return service.getAction(db, actor, request.params.id, ctx.now())
    },
  )

  api.post(
    '/api/v1/groups/:id/disruptions',
    { schema: { tags: [TAG], summary: 'Record a disruption against a group (it becomes due for re-assessment)', params: GroupParams, body: DisruptionInput, response: { 201: z.object({ id: z.string(), prompts: z.array(z.object({ reason: z.string(), message: z.string() })) }) } } },
    async (request, reply) => {
      const actor = requireActor(request)
      const id = await service.recordDisruption(db, actor, request.params.id, request.body, ctx.now())
      const prompts = await service.reassessmentPrompts(db, actor, request.params.id, ctx.now())
      return reply.status(201).send({ id, prompts: prompts.map((p) => ({ reason: p.reason, message: p.message })) })
    },
  )
}
