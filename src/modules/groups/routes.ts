import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ValidationError } from '../../core/errors.ts'
import { ENABLER_PROFESSIONS, GROUP_STATUSES, HOLDING_KINDS, HOLDING_KIND_RULES, MEMBER_ROLES, THREAT_AREAS } from '../../core/reference/crime.ts'
import { formBody, requireActor } from '../../http/auth.ts'
import { pathId } from '../../http/validation.ts'
import { formErrors, renderPage, setFlash } from '../../http/views.ts'
import { formAgencies, handlingChoices, registerSharingRoutes, renamed, sharingAgencies, withAgencyNames } from '../records/routes.ts'
import {
  GroupInput, GroupListQuery, GroupOut, GroupSummaryOut, GroupUpdate, HistoryEntryOut, HistoryQuery, HoldingInput, HoldingOut, HoldingUpdate,
  MemberEnd, MemberInput, MemberOut, MemberUpdate, ReasonInput, type GroupOut as GroupOutType,
} from './schema.ts'
import * as service from './service.ts'

const IdParams = z.object({ id: z.uuid('id must be a group id') })
const MemberParams = IdParams.extend({ memberId: z.uuid('memberId must be a membership id') })
const HoldingParams = IdParams.extend({ holdingId: z.uuid('holdingId must be a holding id') })
const idOf = (request: FastifyRequest) => pathId(request.params, 'id', 'Group')
const memberIdOf = (request: FastifyRequest) => pathId(request.params, 'memberId', 'Member')
const holdingIdOf = (request: FastifyRequest) => pathId(request.params, 'holdingId', 'Holding')
const lists = { statuses: GROUP_STATUSES, threatAreas: THREAT_AREAS, memberRoles: MEMBER_ROLES, professions: ENABLER_PROFESSIONS, holdingKinds: HOLDING_KINDS }
const TAG = 'groups'

/** The holdings of a group in the order the page shows them, one list per kind. */
function holdingsByKind(group: GroupOutType) {
  return HOLDING_KINDS.map((kind) => ({ kind, label: HOLDING_KIND_RULES[kind].label, items: group.holdings.filter((h) => h.kind === kind) })).filter((k) => k.items.length > 0)
}

const queryText = (query: unknown) => {
  const v = (query as Record<string, unknown> | undefined)?.q
  return typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 100) : null
}

export async function groupRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx
  const { db, config } = ctx
  const api = app.withTypeProvider<ZodTypeProvider>()

  async function showGroup(request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) {
    const group = await service.getGroup(db, requireActor(request), id, ctx.now())
    return renderPage(request, reply, 'groups/views/show.njk', {
      title: group.name,
      group,
      current: group.members.filter((m) => m.current),
      past: group.members.filter((m) => !m.current),
      holdingsByKind: holdingsByKind(group),
      ...handlingChoices,
      agencies: await sharingAgencies(app, request, group, extra.sharingValues),
      sharingValues: { ...group, sharedWithAgencyIds: group.sharedWith.map((a) => a.id) },
      grantValues: {},
      eraseValues: {},
      ...extra,
    })
  }
  registerSharingRoutes(app, { kind: service.GROUP_KIND, pagePath: '/groups', apiPath: '/api/v1/groups', tag: TAG, showPage: showGroup })

  // -------------------------------------------------------------------------------------------
  // Pages: groups

  app.get('/groups', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    try {
      const result = await service.listGroups(db, actor, request.query)
      return renderPage(request, reply, 'groups/views/list.njk', { title: 'Organised crime groups', ...lists, ...result, values: result.query })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const result = await service.listGroups(db, actor, {})
      return renderPage(request, reply.status(400), 'groups/views/list.njk', { title: 'Organised crime groups', ...lists, ...result, values: request.query, errors: formErrors(error.issues) })
    }
  })

  const newForm = async (request: FastifyRequest, reply: FastifyReply, values: Record<string, unknown>, errors?: ReturnType<typeof formErrors>) =>
    renderPage(request, reply, 'groups/views/form.njk', {
      title: 'Record an organised crime group', action: '/groups', editing: false, mayChangeOfficer: true, ...lists, ...handlingChoices,
      agencies: await formAgencies(app, request, values), values, errors,
    })

  app.get('/groups/new', { schema: { hide: true } }, async (request, reply) => {
    requireActor(request)
    return newForm(request, reply, { status: 'active', protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency' })
  })

  app.post('/groups', { schema: { hide: true } }, async (request, reply) => {
    const body = formBody(request)
    try {
      const id = await service.createGroup(db, requireActor(request), await withAgencyNames(app, request, body))
      setFlash(reply, 'Group recorded.', config.cookieSecure)
      return reply.redirect(`/groups/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return newForm(request, reply.status(400), body, formErrors(error.issues))
    }
  })

  app.get('/groups/:id', { schema: { hide: true } }, async (request, reply) => showGroup(request, reply, idOf(request)))

  const editForm = async (request: FastifyRequest, reply: FastifyReply, id: string, values?: Record<string, unknown>, errors?: ReturnType<typeof formErrors>) => {
    const group = await service.groupForEditing(db, requireActor(request), id)
    return renderPage(request, reply, 'groups/views/form.njk', {
      title: `Change ${group.name}`, action: `/groups/${id}/edit`, editing: true, group, mayChangeOfficer: group.mayChangeOfficer, ...lists,
      values: values ?? { ...group, areas: group.areas.join('\n') },
      errors,
    })
  }

  app.get('/groups/:id/edit', { schema: { hide: true } }, async (request, reply) => editForm(request, reply, idOf(request)))

  app.post('/groups/:id/edit', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const body = formBody(request)
    try {
      await service.updateGroup(db, requireActor(request), id, body)
      setFlash(reply, 'Group changed.', config.cookieSecure)
      return reply.redirect(`/groups/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return editForm(request, reply.status(400), id, body, formErrors(error.issues))
    }
  })

  app.get('/groups/:id/history', { schema: { hide: true } }, async (request, reply) => {
    const history = await service.groupHistory(db, requireActor(request), idOf(request), request.query)
    return renderPage(request, reply, 'groups/views/history.njk', { title: `History of ${history.group.name}`, ...history, pageSize: service.HISTORY_PAGE_SIZE })
  })

  app.post('/groups/:id/erase', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const body = formBody(request)
    try {
      await service.eraseGroup(db, requireActor(request), id, body)
      setFlash(reply, 'Group erased.', config.cookieSecure)
      return reply.redirect('/groups', 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showGroup(request, reply.status(400), id, { eraseValues: body, errors: formErrors(renamed(error.issues, 'reason', 'eraseReason')) })
    }
  })

  // -------------------------------------------------------------------------------------------
  // Pages: members

  const newMemberForm = async (request: FastifyRequest, reply: FastifyReply, id: string, values: Record<string, unknown>, errors?: ReturnType<typeof formErrors>) => {
    const text = queryText(request.query)
    const { group, choices, more } = await service.formChoices(db, requireActor(request), id, 'members', text)
    return renderPage(request, reply, 'groups/views/member-form.njk', { title: `Add a member to ${group.name}`, group, choices, more, q: text, ...lists, values, errors })
  }

  app.get('/groups/:id/members/new', { schema: { hide: true } }, async (request, reply) => newMemberForm(request, reply, idOf(request), {}))

  app.post('/groups/:id/members', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const body = formBody(request)
    try {
      await service.addMember(db, requireActor(request), id, body)
      setFlash(reply, 'Member added.', config.cookieSecure)
      return reply.redirect(`/groups/${id}#members`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return newMemberForm(request, reply.status(400), id, body, formErrors(error.issues))
    }
  })

  const memberPage = async (request: FastifyRequest, reply: FastifyReply, id: string, memberId: string, extra: Record<string, unknown> = {}) => {
    const { group, member } = await service.getMember(db, requireActor(request), id, memberId, ctx.now())
    return renderPage(request, reply, 'groups/views/member-edit.njk', { title: `${member.caption} in ${group.name}`, group, member, ...lists, values: member, endValues: {}, removeValues: {}, ...extra })
  }

  app.get('/groups/:id/members/:memberId', { schema: { hide: true } }, async (request, reply) => memberPage(request, reply, idOf(request), memberIdOf(request)))

  app.post('/groups/:id/members/:memberId', { schema: { hide: true } }, async (request, reply) => {
    const [id, memberId] = [idOf(request), memberIdOf(request)]
    const body = formBody(request)
    try {
      await service.updateMember(db, requireActor(request), id, memberId, body)
      setFlash(reply, 'Membership changed.', config.cookieSecure)
      return reply.redirect(`/groups/${id}#members`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return memberPage(request, reply.status(400), id, memberId, { values: body, errors: formErrors(error.issues) })
    }
  })

  app.post('/groups/:id/members/:memberId/end', { schema: { hide: true } }, async (request, reply) => {
    const [id, memberId] = [idOf(request), memberIdOf(request)]
    const body = formBody(request)
    try {
      await service.endMember(db, requireActor(request), id, memberId, body)
      setFlash(reply, 'Membership ended.', config.cookieSecure)
      return reply.redirect(`/groups/${id}#members`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return memberPage(request, reply.status(400), id, memberId, { endValues: body, errors: formErrors(renamed(error.issues, 'endDate', 'leftOn')) })
    }
  })

  app.post('/groups/:id/members/:memberId/remove', { schema: { hide: true } }, async (request, reply) => {
    const [id, memberId] = [idOf(request), memberIdOf(request)]
    const body = formBody(request)
    try {
      await service.removeMember(db, requireActor(request), id, memberId, body)
      setFlash(reply, 'Member removed.', config.cookieSecure)
      return reply.redirect(`/groups/${id}#members`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return memberPage(request, reply.status(400), id, memberId, { removeValues: body, errors: formErrors(renamed(error.issues, 'reason', 'removeReason')) })
    }
  })

  // -------------------------------------------------------------------------------------------
  // Pages: holdings

  const newHoldingForm = async (request: FastifyRequest, reply: FastifyReply, id: string, values: Record<string, unknown>, errors?: ReturnType<typeof formErrors>) => {
    const text = queryText(request.query)
    const { group, choices, more } = await service.formChoices(db, requireActor(request), id, 'holdings', text)
    return renderPage(request, reply, 'groups/views/holding-form.njk', { title: `Add a holding to ${group.name}`, group, choices, more, q: text, ...lists, values, errors })
  }

  app.get('/groups/:id/holdings/new', { schema: { hide: true } }, async (request, reply) => newHoldingForm(request, reply, idOf(request), {}))

  app.post('/groups/:id/holdings', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const body = formBody(request)
    try {
      await service.addHolding(db, requireActor(request), id, body)
      setFlash(reply, 'Holding added.', config.cookieSecure)
      return reply.redirect(`/groups/${id}#holdings`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return newHoldingForm(request, reply.status(400), id, body, formErrors(error.issues))
    }
  })

  const holdingPage = async (request: FastifyRequest, reply: FastifyReply, id: string, holdingId: string, extra: Record<string, unknown> = {}) => {
    const { group, holding } = await service.getHolding(db, requireActor(request), id, holdingId, ctx.now())
    return renderPage(request, reply, 'groups/views/holding-edit.njk', { title: `${holding.caption} held by ${group.name}`, group, holding, values: holding, removeValues: {}, ...extra })
  }

  app.get('/groups/:id/holdings/:holdingId', { schema: { hide: true } }, async (request, reply) => holdingPage(request, reply, idOf(request), holdingIdOf(request)))

  app.post('/groups/:id/holdings/:holdingId', { schema: { hide: true } }, async (request, reply) => {
    const [id, holdingId] = [idOf(request), holdingIdOf(request)]
    const body = formBody(request)
    try {
      await service.updateHolding(db, requireActor(request), id, holdingId, body)
      setFlash(reply, 'Holding changed.', config.cookieSecure)
      return reply.redirect(`/groups/${id}#holdings`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return holdingPage(request, reply.status(400), id, holdingId, { values: body, errors: formErrors(error.issues) })
    }
  })

  app.post('/groups/:id/holdings/:holdingId/remove', { schema: { hide: true } }, async (request, reply) => {
    const [id, holdingId] = [idOf(request), holdingIdOf(request)]
    const body = formBody(request)
    try {
      await service.removeHolding(db, requireActor(request), id, holdingId, body)
      setFlash(reply, 'Holding removed.', config.cookieSecure)
      return reply.redirect(`/groups/${id}#holdings`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return holdingPage(request, reply.status(400), id, holdingId, { removeValues: body, errors: formErrors(renamed(error.issues, 'reason', 'removeReason')) })
    }
  })

  // -------------------------------------------------------------------------------------------
  // API

  api.get(
    '/api/v1/groups',
    {
      schema: {
        tags: [TAG],
        summary: 'Organised crime groups the caller may see, filtered by status, threat area, area, or the caller’s agency or LRO groups (logged as a consultation)',
        querystring: GroupListQuery,
        response: { 200: z.object({ total: z.number(), page: z.number(), groups: z.array(GroupSummaryOut) }) },
      },
    },
    async (request) => {
      const result = await service.listGroups(db, requireActor(request), request.query)
      return { total: result.total, page: result.query.page, groups: result.rows }
    },
  )

  api.post(
    '/api/v1/groups',
    { schema: { tags: [TAG], summary: 'Record an organised crime group. The Lead Responsible Officer may be named by leadResponsibleOfficerId or leadResponsibleOfficerEmail', body: GroupInput, response: { 201: GroupOut } } },
    async (request, reply) => {
      const actor = requireActor(request)
      const id = await service.createGroup(db, actor, request.body)
      return reply.status(201).header('location', `/api/v1/groups/${id}`).send(await service.getGroup(db, actor, id, ctx.now()))
    },
  )

  api.get(
    '/api/v1/groups/:id',
    {
      schema: {
        tags: [TAG],
        summary: 'One group with its members, holdings and recent history, if the visibility rule allows (logged as a consultation; a refusal is logged too)',
        params: IdParams,
        querystring: z.strictObject({ purpose: z.string().trim().min(3).max(500).optional() }),
        response: { 200: GroupOut },
      },
    },
    async (request) => service.getGroup(db, requireActor(request), request.params.id, ctx.now(), request.query.purpose),
  )

  api.put(
    '/api/v1/groups/:id',
    {
      schema: {
        tags: [TAG],
        summary: 'Replace a group’s details (owning agency or its Lead Responsible Officer). Send the rowVersion you read: a stale one gets 409. Marking and sharing change through /sharing',
        params: IdParams,
        body: GroupUpdate,
        response: { 200: GroupOut },
      },
    },
    async (request) => {
      const actor = requireActor(request)
      await service.updateGroup(db, actor, request.params.id, request.body)
      return service.getGroup(db, actor, request.params.id, ctx.now())
    },
  )

  api.delete(
    '/api/v1/groups/:id',
    { schema: { tags: [TAG], summary: 'Erase a group with its members, holdings and history (owning agency only)', params: IdParams, body: ReasonInput, response: { 204: z.null() } } },
    async (request, reply) => {
      await service.eraseGroup(db, requireActor(request), request.params.id, request.body)
      return reply.status(204).send(null)
    },
  )

  api.get(
    '/api/v1/groups/:id/history',
    {
      schema: {
        tags: [TAG],
        summary: 'Who changed what in a group, and when, newest first',
        params: IdParams,
        querystring: HistoryQuery,
        response: { 200: z.object({ total: z.number(), page: z.number(), history: z.array(HistoryEntryOut) }) },
      },
    },
    async (request) => {
      const result = await service.groupHistory(db, requireActor(request), request.params.id, request.query)
      return { total: result.total, page: result.page, history: result.entries }
    },
  )

  api.post(
    '/api/v1/groups/:id/members',
    { schema: { tags: [TAG], summary: 'Add a member (a person recorded as a suspect) to a group', params: IdParams, body: MemberInput, response: { 201: MemberOut } } },
    async (request, reply) => {
      const actor = requireActor(request)
      const memberId = await service.addMember(db, actor, request.params.id, request.body)
      const { member } = await service.getMember(db, actor, request.params.id, memberId, ctx.now())
      return reply.status(201).send(member)
    },
  )

  api.put(
    '/api/v1/groups/:id/members/:memberId',
    { schema: { tags: [TAG], summary: 'Change a membership: role, profession, dates, notes. Send the rowVersion you read', params: MemberParams, body: MemberUpdate, response: { 200: MemberOut } } },
    async (request) => {
      const actor = requireActor(request)
      await service.updateMember(db, actor, request.params.id, request.params.memberId, request.body)
      return (await service.getMember(db, actor, request.params.id, request.params.memberId, ctx.now())).member
    },
  )

  api.post(
    '/api/v1/groups/:id/members/:memberId/end',
    { schema: { tags: [TAG], summary: 'Record that a member left the group (they stay as a past member)', params: MemberParams, body: MemberEnd, response: { 200: MemberOut } } },
    async (request) => {
      const actor = requireActor(request)
      await service.endMember(db, actor, request.params.id, request.params.memberId, request.body)
      return (await service.getMember(db, actor, request.params.id, request.params.memberId, ctx.now())).member
    },
  )

  api.delete(
    '/api/v1/groups/:id/members/:memberId',
    { schema: { tags: [TAG], summary: 'Remove a membership recorded in error; the history keeps the reason', params: MemberParams, body: ReasonInput, response: { 204: z.null() } } },
    async (request, reply) => {
      await service.removeMember(db, requireActor(request), request.params.id, request.params.memberId, request.body)
      return reply.status(204).send(null)
    },
  )

  api.post(
    '/api/v1/groups/:id/holdings',
    { schema: { tags: [TAG], summary: 'Record a business interest, premises, vehicle, phone or bank account the group uses', params: IdParams, body: HoldingInput, response: { 201: HoldingOut } } },
    async (request, reply) => {
      const actor = requireActor(request)
      const holdingId = await service.addHolding(db, actor, request.params.id, request.body)
      const { holding } = await service.getHolding(db, actor, request.params.id, holdingId, ctx.now())
      return reply.status(201).send(holding)
    },
  )

  api.put(
    '/api/v1/groups/:id/holdings/:holdingId',
    { schema: { tags: [TAG], summary: 'Change a holding’s dates or notes; an end date records that the group no longer holds it', params: HoldingParams, body: HoldingUpdate, response: { 200: HoldingOut } } },
    async (request) => {
      const actor = requireActor(request)
      await service.updateHolding(db, actor, request.params.id, request.params.holdingId, request.body)
      return (await service.getHolding(db, actor, request.params.id, request.params.holdingId, ctx.now())).holding
    },
  )

  api.delete(
    '/api/v1/groups/:id/holdings/:holdingId',
    { schema: { tags: [TAG], summary: 'Remove a holding recorded in error; the history keeps the reason', params: HoldingParams, body: ReasonInput, response: { 204: z.null() } } },
    async (request, reply) => {
      await service.removeHolding(db, requireActor(request), request.params.id, request.params.holdingId, request.body)
      return reply.status(204).send(null)
    },
  )
}
