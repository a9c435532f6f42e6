import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ValidationError } from '../../core/errors.ts'
import { SECTION_KEYS, SECTION_TITLES } from '../../core/profiles/document.ts'
import { formBody, requireActor } from '../../http/auth.ts'
import { parseInput, pathId } from '../../http/validation.ts'
import { formErrors, renderPage, setFlash } from '../../http/views.ts'
import { recordAudit } from '../audit/service.ts'
import { asUser } from '../../db/context.ts'
import { formAgencies, handlingChoices, registerSharingRoutes, sharingAgencies, withAgencyNames } from '../records/routes.ts'
import { profileDocx } from './docx.ts'
import { profileHtml, profileViewModel } from './html.ts'
import { profilePdf } from './pdf.ts'
import { CompareQuery, LocalProfileSummaryOut, VersionOut, VersionQuery } from './schema.ts'
import * as stored from './stored.ts'
import { periodLabel } from './text.ts'

const IdParams = z.object({ id: z.uuid('id must be a local profile id') })
const idOf = (request: FastifyRequest) => pathId(request.params, 'id', 'Local profile')
const DOWNLOADS = { html: 'text/html; charset=utf-8', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', pdf: 'application/pdf', json: 'application/json; charset=utf-8' } as const
type DownloadFormat = keyof typeof DOWNLOADS

/** A form's section fields (section-summary, …) as the narrative the API takes. */
function narrativeFromForm(body: Record<string, unknown>) {
  return {
    expectedVersion: body.expectedVersion,
    note: body.note,
    narrative: Object.fromEntries(SECTION_KEYS.map((k) => [k, typeof body[`section-${k}`] === 'string' ? body[`section-${k}`] : ''])),
  }
}

/** The form's slices box holds one slice a line. */
function slicesFromForm(body: Record<string, unknown>) {
  const text = typeof body.slices === 'string' ? body.slices : ''
  return { ...body, slices: text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0) }
}

export async function localProfileRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx
  const { db, config } = ctx
  const api = app.withTypeProvider<ZodTypeProvider>()
  const build = { suppressionThreshold: config.suppressionThreshold }

  async function showProfile(request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) {
    const actor = requireActor(request)
    // Only the profile's own page takes ?version=; a form shown again after a POST shows the current one.
    const { version } = request.routeOptions.url === '/profiles/:id' ? parseInput(VersionQuery, request.query) : { version: undefined }
    const profile = await stored.getLocalProfile(db, actor, id, ctx.now(), version)
    const doc = await stored.localProfileDocument(db, profile, ctx.now())
    return renderPage(request, reply, 'profiles/views/show.njk', {
      title: profile.title,
      profile,
      view: profileViewModel(doc),
      sectionTitles: SECTION_TITLES,
      ...handlingChoices,
      agencies: await sharingAgencies(app, request, profile, extra.sharingValues),
      sharingValues: { ...profile, sharedWithAgencyIds: profile.sharedWith.map((a) => a.id) },
      grantValues: {},
      ...extra,
    })
  }
  registerSharingRoutes(app, { kind: stored.KIND, pagePath: '/profiles', apiPath: '/api/v1/profiles', tag: 'profiles', showPage: showProfile })

  async function newForm(request: FastifyRequest, reply: FastifyReply, values: Record<string, unknown>, errors?: ReturnType<typeof formErrors>) {
    const areas = await asUser(db, requireActor(request), (tx) => stored.profileAreas(tx))
    return renderPage(request, reply, 'profiles/views/new.njk', { title: 'Make a local profile', areas, ...handlingChoices, agencies: await formAgencies(app, request, values), values, errors })
  }

  app.get('/profiles', { schema: { hide: true } }, async (request, reply) => {
    const profiles = await stored.listLocalProfiles(db, requireActor(request))
    return renderPage(request, reply, 'profiles/views/list.njk', { title: 'Local profiles', profiles })
  })

  app.get('/profiles/new', { schema: { hide: true } }, async (request, reply) => {
    requireActor(request)
    return newForm(request, reply, { protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'partnership' })
  })

  app.post('/profiles', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const body = formBody(request)
    try {
      const id = await stored.createLocalProfile(db, actor, await withAgencyNames(app, request, slicesFromForm(body)), build)
      setFlash(reply, 'Local profile built: version 1 holds the figures. Write its narrative next.', config.cookieSecure)
      return reply.redirect(`/profiles/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return newForm(request, reply.status(400), body, formErrors(error.issues))
    }
  })

  app.get('/profiles/:id', { schema: { hide: true } }, async (request, reply) => showProfile(request, reply, idOf(request)))

  async function editForm(request: FastifyRequest, reply: FastifyReply, id: string, values?: Record<string, unknown>, errors?: ReturnType<typeof formErrors>) {
    const profile = await stored.getLocalProfile(db, requireActor(request), id, ctx.now(), undefined, 'Editing a local profile')
    const sections = SECTION_KEYS.map((key) => ({ key, title: SECTION_TITLES[key], text: values ? String(values[`section-${key}`] ?? '') : (profile.narrative[key] ?? []).join('\n\n') }))
    return renderPage(request, reply, 'profiles/views/edit.njk', { title: `Edit ${profile.title}`, profile, sections, values: values ?? { expectedVersion: profile.currentVersion }, errors })
  }

  app.get('/profiles/:id/edit', { schema: { hide: true } }, async (request, reply) => editForm(request, reply, idOf(request)))

  app.post('/profiles/:id/versions', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const body = formBody(request)
    try {
      const version = await stored.reviseNarrative(db, requireActor(request), id, narrativeFromForm(body), ctx.now())
      setFlash(reply, `Version ${version} saved.`, config.cookieSecure)
      return reply.redirect(`/profiles/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return editForm(request, reply.status(400), id, body, formErrors(error.issues))
    }
  })

  app.post('/profiles/:id/rebuild', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const body = formBody(request)
    try {
      const version = await stored.rebuildFigures(db, requireActor(request), id, { expectedVersion: body.expectedVersion, note: body.rebuildNote }, ctx.now(), build)
      setFlash(reply, `Figures rebuilt from the data loaded now: version ${version}.`, config.cookieSecure)
      return reply.redirect(`/profiles/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const issues = error.issues.map((i) => (i.field === 'note' ? { ...i, field: 'rebuildNote' } : i))
      return showProfile(request, reply.status(400), id, { rebuildValues: body, errors: formErrors(issues) })
    }
  })

  app.get('/profiles/:id/compare', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    try {
      const result = await stored.compareLocalProfileVersions(db, requireActor(request), id, request.query, ctx.now())
      return renderPage(request, reply, 'profiles/views/compare.njk', { title: `${result.profile.title}: version ${result.from} against ${result.to}`, ...result })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return showProfile(request, reply.status(400), id, { compareValues: request.query, errors: formErrors(error.issues) })
    }
  })

  // Downloads of one version: the same document as the page, with its marking and the OGL attribution.
  app.get('/profiles/:id/download/:format', { schema: { hide: true } }, async (request, reply) => download(request, reply, idOf(request), (request.params as { format: string }).format))

  async function download(request: FastifyRequest, reply: FastifyReply, id: string, format: string) {
    if (!(format in DOWNLOADS)) throw new ValidationError([{ field: 'format', message: `Format must be one of ${Object.keys(DOWNLOADS).join(', ')}, not ${JSON.stringify(format)}` }])
    const actor = requireActor(request)
    const { version } = parseInput(VersionQuery, request.query)
    const profile = await stored.getLocalProfile(db, actor, id, ctx.now(), version, `Downloading a local profile (${format})`)
    const doc = await stored.localProfileDocument(db, profile, ctx.now())
    const f = format as DownloadFormat
    const body =
      f === 'json' ? JSON.stringify({ ...summaryOf(profile), version: profile.version, narrative: profile.narrative, figures: profile.figures, sections: doc.sections.map((s) => ({ key: s.key, title: s.title, narrative: s.narrative, findings: s.findings, tables: s.tables })), contributions: doc.contributions, attribution: doc.attribution }, null, 2)
      : f === 'html' ? profileHtml(app.views, doc)
      : f === 'docx' ? await profileDocx(doc)
      : await profilePdf(doc)
    // A download leaves Achilles: the log records it as a disclosure to the downloader's agency.
    await asUser(db, actor, (tx) => recordAudit(tx, actor, { action: 'disclosure', recordType: stored.KIND.recordType, recordId: id, purpose: `Downloading a local profile (${format})`, recipients: [actor.agencyId], detail: { version: profile.version, format } }))
    const name = `${profile.areaCode}-${profile.periodFrom}-to-${profile.periodTo}-v${profile.version}.${f}`
    return reply.header('content-type', DOWNLOADS[f]).header('content-disposition', `attachment; filename="${name}"`).send(body)
  }

  const summaryOf = (p: stored.LocalProfileView): LocalProfileSummaryOut => LocalProfileSummaryOut.parse(p)
  const ProfileOut = LocalProfileSummaryOut.extend({
    version: z.number(),
    narrative: z.record(z.string(), z.array(z.string())),
    figures: z.unknown(),
    versions: z.array(VersionOut),
    contributions: z.array(z.object({ agency: z.string(), sections: z.array(z.string()) })),
    period: z.string(),
  })
  const profileOut = (p: stored.LocalProfileView) => ({ ...summaryOf(p), version: p.version, narrative: p.narrative as Record<string, string[]>, figures: p.figures, versions: p.versions, contributions: p.contributions, period: periodLabel({ from: p.periodFrom, to: p.periodTo }) })

  api.get('/api/v1/profiles', { schema: { tags: ['profiles'], summary: 'Local profiles the caller may see (logged as a consultation)', response: { 200: z.object({ profiles: z.array(LocalProfileSummaryOut) }) } } }, async (request) => ({
    profiles: await stored.listLocalProfiles(db, requireActor(request)),
  }))

  api.post('/api/v1/profiles', { schema: { tags: ['profiles'], summary: 'Build a local profile of an area and period from the public data loaded (version 1)', body: z.unknown(), response: { 201: ProfileOut } } }, async (request, reply) => {
    const actor = requireActor(request)
    const id = await stored.createLocalProfile(db, actor, request.body, build)
    return reply.status(201).header('location', `/api/v1/profiles/${id}`).send(profileOut(await stored.getLocalProfile(db, actor, id, ctx.now())))
  })

  api.get('/api/v1/profiles/:id', { schema: { tags: ['profiles'], summary: 'One version of a local profile (the current one unless ?version=N), with its history', params: IdParams, querystring: VersionQuery, response: { 200: ProfileOut } } }, async (request) =>
    profileOut(await stored.getLocalProfile(db, requireActor(request), request.params.id, ctx.now(), request.query.version)),
  )

  api.get('/api/v1/profiles/:id/download/:format', { schema: { tags: ['profiles'], summary: 'A version of the profile as html, docx, pdf or json', params: IdParams.extend({ format: z.string() }), querystring: VersionQuery } }, async (request, reply) =>
    download(request, reply, request.params.id, request.params.format),
  )

  api.post('/api/v1/profiles/:id/versions', { schema: { tags: ['profiles'], summary: 'Save a new version with the narrative of the sections given changed', params: IdParams, body: z.unknown(), response: { 201: ProfileOut } } }, async (request, reply) => {
    const actor = requireActor(request)
    const version = await stored.reviseNarrative(db, actor, request.params.id, request.body, ctx.now())
    return reply.status(201).send(profileOut(await stored.getLocalProfile(db, actor, request.params.id, ctx.now(), version)))
  })

  api.post('/api/v1/profiles/:id/rebuild', { schema: { tags: ['profiles'], summary: 'Save a new version with the figures built again from the data loaded now', params: IdParams, body: z.unknown(), response: { 201: ProfileOut } } }, async (request, reply) => {
    const actor = requireActor(request)
    const version = await stored.rebuildFigures(db, actor, request.params.id, request.body, ctx.now(), build)
    return reply.status(201).send(profileOut(await stored.getLocalProfile(db, actor, request.params.id, ctx.now(), version)))
  })

  api.get('/api/v1/profiles/:id/compare', { schema: { tags: ['profiles'], summary: 'What changed between two versions: narrative paragraphs and figures', params: IdParams, querystring: CompareQuery } }, async (request) => {
    const result = await stored.compareLocalProfileVersions(db, requireActor(request), request.params.id, request.query, ctx.now())
    return { from: result.from, to: result.to, ...result.comparison }
  })
}
