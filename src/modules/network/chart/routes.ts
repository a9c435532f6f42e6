import { createRequire } from 'node:module'
import path from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ValidationError } from '../../../core/errors.ts'
import { requireActor } from '../../../http/auth.ts'
import { pathId } from '../../../http/validation.ts'
import { formErrors, renderPage } from '../../../http/views.ts'
import { ChartListOut, ChartOut, LayoutOut, MAX_HOPS, NODE_ID } from './schema.ts'
import * as service from './service.ts'

const require = createRequire(import.meta.url)
const SIGMA_DIST = path.join(path.dirname(require.resolve('sigma/package.json')), 'dist')
const GRAPHOLOGY_DIST = path.dirname(require.resolve('graphology'))
const TAG = 'network'
const TITLE = 'Link chart'

/** JSON for a <script type="application/json"> element: nothing in it can close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c')

const one = (v: unknown) => (typeof v === 'string' ? v.trim() : Array.isArray(v) && typeof v[0] === 'string' ? v[0].trim() : '')

/** The chart page's query: a start and hops, or a saved chart; each checked with a message naming the field. */
function chartQuery(query: unknown): { start: string | null; hops: number; chart: string | null } {
  const q = (query ?? {}) as Record<string, unknown>
  const issues = []
  const start = one(q.start).toLowerCase() || null
  if (start && !NODE_ID.test(start)) issues.push({ field: 'start', message: 'Start must be a person, thing or group, given as entity:<id> or group:<id>' })
  const hopsText = one(q.hops) || '1'
  const hops = Number(hopsText)
  if (!/^\d+$/.test(hopsText) || hops < 1 || hops > MAX_HOPS) issues.push({ field: 'hops', message: `Hops must be a whole number from 1 to ${MAX_HOPS}` })
  const chart = one(q.chart) || null
  if (chart && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(chart)) issues.push({ field: 'chart', message: 'Chart must be the id of a saved chart' })
  if (issues.length) throw new ValidationError(issues)
  return { start, hops, chart }
}

export async function networkChartRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.ctx
  const api = app.withTypeProvider<ZodTypeProvider>()

  // sigma.js and graphology from the installed packages (their UMD builds), never a CDN.
  await app.register(fastifyStatic, {
    root: [SIGMA_DIST, GRAPHOLOGY_DIST],
    prefix: '/assets/network/',
    decorateReply: false,
    index: false,
    maxAge: '1d',
    allowedPath: (pathName) => pathName === '/sigma.min.js' || pathName === '/graphology.umd.min.js',
  })

  app.get('/network/chart', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    let query
    try {
      query = chartQuery(request.query)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return renderPage(request, reply.status(400), 'network/views/chart.njk', { title: TITLE, errors: formErrors(error.issues) })
    }
    const saved = query.chart ? await service.openChart(db, actor, query.chart) : null
    const start = saved ? saved.start : query.start
    const config = start && (!saved || saved.startVisible)
      ? {
          start,
          hops: saved ? saved.hops : query.hops,
          chart: saved,
          networkUrl: '/api/network',
          layoutUrl: '/api/network/layout',
          chartsUrl: '/api/network/charts',
          listUrl: '/network',
        }
      : null
    return renderPage(request, reply, 'network/views/chart.njk', {
      title: saved ? `${TITLE}: ${saved.title}` : TITLE,
      saved,
      start,
      hops: config?.hops ?? query.hops,
      configJson: config ? scriptJson(config) : null,
    })
  })

  app.get('/network/charts', { schema: { hide: true } }, async (request, reply) => {
    const charts = await service.listCharts(db, requireActor(request))
    return renderPage(request, reply, 'network/views/chart-list.njk', { title: 'Saved link charts', charts })
  })

  api.get(
    '/api/network/charts',
    { schema: { tags: [TAG], summary: 'Saved link charts the user may open: their own, and those shared with their agency', response: { 200: ChartListOut } } },
    async (request) => ({ charts: await service.listCharts(db, requireActor(request)) }),
  )

  api.post(
    '/api/network/charts',
    {
      schema: {
        tags: [TAG],
        summary: 'Saves a link chart: title, start, hops, filters, expanded nodes and pinned positions (node ids only, never the records)',
        body: z.unknown(),
        response: { 201: z.object({ id: z.string(), url: z.string() }) },
      },
    },
    async (request, reply) => {
      const id = await service.saveChart(db, requireActor(request), request.body)
      const url = `/network/chart?chart=${id}`
      return reply.status(201).header('location', url).send({ id, url })
    },
  )

  api.get(
    '/api/network/charts/:id',
    {
      schema: {
        tags: [TAG],
        summary: "A saved link chart, holding only the pins and expansions of nodes the user may still see; fetch the network again from its start to draw it",
        params: z.object({ id: z.string() }),
        response: { 200: ChartOut },
      },
    },
    async (request) => service.openChart(db, requireActor(request), pathId(request.params, 'id', 'Chart')),
  )

  api.put(
    '/api/network/charts/:id',
    { schema: { tags: [TAG], summary: 'Saves a chart again (its author only), given the rowVersion it was opened at', params: z.object({ id: z.string() }), body: z.unknown(), response: { 200: z.object({ id: z.string(), url: z.string() }) } } },
    async (request) => {
      const id = pathId(request.params, 'id', 'Chart')
      await service.updateChart(db, requireActor(request), id, request.body, app.ctx.now())
      return { id, url: `/network/chart?chart=${id}` }
    },
  )

  api.delete(
    '/api/network/charts/:id',
    { schema: { tags: [TAG], summary: 'Deletes a saved chart (its author only)', params: z.object({ id: z.string() }) } },
    async (request, reply) => {
      await service.deleteChart(db, requireActor(request), pathId(request.params, 'id', 'Chart'))
      return reply.status(204).send()
    },
  )

  api.post(
    '/api/network/layout',
    {
      // A 10,000-node chart's ids and index pairs run past the default 1 MB.
      bodyLimit: 8 * 1_048_576,
      schema: {
        tags: [TAG],
        summary: 'Lays out a link chart with ForceAtlas2: node ids, edges as flat index pairs, current positions and pinned nodes, which stay where they are',
        body: z.unknown(),
        response: { 200: LayoutOut },
      },
    },
    async (request) => service.layoutChart(requireActor(request), request.body),
  )
}
