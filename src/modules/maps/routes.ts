import { createRequire } from 'node:module'
import path from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { ValidationError } from '../../core/errors.ts'
import { allowImages, tileImageSource } from '../../core/maps/tiles.ts'
import { layerGroups } from '../../core/maps/layers.ts'
import { densitySourceGroups } from '../../core/maps/densitySources.ts'
import { monthLabel } from '../../core/maps/period.ts'
import { requireActor } from '../../http/auth.ts'
import { sendProblem } from '../../http/errors.ts'
import { formErrors, renderPage } from '../../http/views.ts'
import { BoundariesOut, BoundariesQuery, DensityOut, DensityQuery, LayerOut, LayerQuery } from './schema.ts'
import * as service from './service.ts'

const LEAFLET_DIST = path.join(path.dirname(createRequire(import.meta.url).resolve('leaflet/package.json')), 'dist')
const TAG = 'maps'
const TITLE = 'Crime map'

/** Bandwidths the form offers besides the one chosen from the area's size; the API takes any in range. */
const BANDWIDTHS = [250, 500, 1000, 2000, 5000]

/** JSON for a <script type="application/json"> element: nothing in it can close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c')

const queryString = (values: Record<string, string>) => new URLSearchParams(Object.entries(values).filter(([, v]) => v !== '')).toString()

/** An API answer, or (sent here, so nothing is returned) 404 with the reason when no area can be mapped yet. */
async function orNothingToMap<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work()
  } catch (error) {
    if (!(error instanceof service.NothingToMapError)) throw error
    sendProblem(reply, { status: 404, title: 'Nothing to map', detail: error.message })
    return undefined
  }
}

/** The form's values as submitted, as strings. */
const submitted = (query: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries((query ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'string').map(([k, v]) => [k, (v as string).trim()]))

export async function mapRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx
  const { db, config } = ctx
  const api = app.withTypeProvider<ZodTypeProvider>()

  // Leaflet from the installed package, never a CDN: the map works with no internet.
  await app.register(fastifyStatic, { root: LEAFLET_DIST, prefix: '/assets/leaflet/', decorateReply: false, index: false, maxAge: '1d' })

  const mapOptions: service.MapOptions = { suppressionThreshold: config.suppressionThreshold }
  const tiles = config.mapTilesUrl ? { url: config.mapTilesUrl, attribution: config.mapTilesAttribution ?? '', source: tileImageSource(config.mapTilesUrl) } : null

  /** The choices the form offers, with the view's lists shaped for the template. */
  const formLists = (view: service.MapView) => ({
    areaGroups: view.areaGroups,
    monthChoices: view.monthsLoaded.map((m) => ({ value: m, text: monthLabel(m) })),
    layerGroups: layerGroups(view.layers),
    rateableLayers: view.layers.filter((l) => l.rateable).map((l) => l.id),
    densityGroups: densitySourceGroups(view.densitySources),
    bandwidths: BANDWIDTHS.map((m) => ({ value: String(m), text: m >= 1000 ? `${m / 1000} km` : `${m} m` })),
  })

  function withTiles(reply: FastifyReply): FastifyReply {
    if (!tiles) return reply
    const policy = reply.getHeader('content-security-policy')
    if (typeof policy === 'string') reply.header('content-security-policy', allowImages(policy, tiles.source))
    return reply
  }

  async function nothingToMap(request: FastifyRequest, reply: FastifyReply, error: service.NothingToMapError) {
    return renderPage(request, reply, 'maps/views/map.njk', { title: TITLE, nothing: error.message })
  }

  app.get('/maps', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    withTiles(reply)
    try {
      const view = await service.mapView(db, actor, request.query, mapOptions)
      const { density: _density, bandwidth: _bandwidth, ...layerValues } = view.values
      const qs = queryString(layerValues)
      return await renderPage(request, reply, 'maps/views/map.njk', {
        title: `${TITLE}: ${view.area.name}`,
        view,
        values: view.values,
        ...formLists(view),
        boundariesUrl: `/api/v1/maps/boundaries?${queryString({ area: view.area.code })}`,
        layerUrl: `/api/v1/maps/layer?${qs}`,
        densityData: view.density?.surface ? scriptJson(service.densityJson(view)) : null,
        suppressionThreshold: config.suppressionThreshold,
        tiles,
      })
    } catch (error) {
      if (error instanceof service.NothingToMapError) return nothingToMap(request, reply, error)
      if (!(error instanceof ValidationError)) throw error
      // The form again with the answer as given and what is wrong with it; its lists come from
      // the fields that were right (or from the defaults), and no map is drawn.
      const values = submitted(request.query)
      const faulty = new Set(error.issues.map((i) => i.field))
      if (faulty.has('from') || faulty.has('to')) faulty.add('from').add('to')
      const kept = Object.fromEntries(Object.entries(values).filter(([k]) => !faulty.has(k) && k !== 'layer'))
      const choices = await service.mapView(db, actor, kept, mapOptions).catch((e: unknown) => (e instanceof ValidationError ? service.mapView(db, actor, {}, mapOptions) : Promise.reject(e)))
      return renderPage(request, reply.status(400), 'maps/views/map.njk', {
        title: TITLE,
        values: { ...choices.values, ...values },
        ...formLists(choices),
        errors: formErrors(error.issues),
      })
    }
  })

  api.get(
    '/api/v1/maps/boundaries',
    {
      schema: {
        tags: [TAG],
        summary: "An area's LSOA boundaries as a GeoJSON FeatureCollection in WGS84 (longitude, latitude), each feature's id its LSOA code",
        querystring: BoundariesQuery,
        response: { 200: BoundariesOut },
      },
    },
    (request, reply) => orNothingToMap(reply, () => service.mapBoundaries(db, requireActor(request), request.query)),
  )

  api.get(
    '/api/v1/maps/density',
    {
      schema: {
        tags: [TAG],
        summary: "A heat map (kernel density) of public positions over an area for a period: the surface's shaded cells as runs, its classes, and the densest places with the LSOA each is in",
        querystring: DensityQuery,
        response: { 200: DensityOut },
      },
    },
    (request, reply) => orNothingToMap(reply, async () => {
      const query = { ...request.query, density: request.query.density ?? 'all' }
      return service.densityJson(await service.mapView(db, requireActor(request), query, mapOptions))
    }),
  )

  api.get(
    '/api/v1/maps/layer',
    {
      schema: {
        tags: [TAG],
        summary: "One map layer over an area's LSOAs for a period: each LSOA's value, class and colour, the legend, and the layers there are",
        querystring: LayerQuery,
        response: { 200: LayerOut },
      },
    },
    (request, reply) => orNothingToMap(reply, async () => service.layerJson(await service.mapView(db, requireActor(request), request.query, mapOptions))),
  )
}
