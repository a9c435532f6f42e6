import { asSystem } from '../../db/context.ts'
import { mappableAreas } from '../maps/queries.ts'
import { acceptUploads, type UploadedFile } from '../../http/uploads.ts'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { NotFoundError, ValidationError, type FieldIssue } from '../../core/errors.ts'
import { formBody, requireActor } from '../../http/auth.ts'
import { formErrors, renderPage, setFlash } from '../../http/views.ts'
import { CustomAreaCodeParams, CustomAreaInput, CustomAreaOut, CustomAreaSummaryOut } from './schema.ts'
import * as service from './service.ts'

const TAG = 'areas'
/** An uploaded shape: a ward's or district's boundary is a few hundred kilobytes, a county's a few megabytes. */
const MAX_SHAPE_BYTES = 20 * 1024 * 1024


const codeOf = (request: FastifyRequest) => {
  const code = (request.params as { code?: unknown }).code
  if (typeof code === 'string' && /^custom-\d{1,18}$/.test(code)) return code
  throw new NotFoundError('Custom area')
}

/** The shape a form sends, as an uploaded file or pasted text, read as JSON; issues name the form's field. */
function shapeFromForm(body: Record<string, unknown>): { geometry: unknown; field: 'file' | 'geojson' } | { issues: FieldIssue[] } {
  const file = body.file as UploadedFile | undefined
  const hasFile = file !== undefined && (file.truncated || file.data.length > 0)
  const pasted = typeof body.geojson === 'string' ? body.geojson.trim() : ''
  if (hasFile && pasted !== '') return { issues: [{ field: 'file', message: 'Upload a file or paste the GeoJSON, not both' }] }
  if (!hasFile && pasted === '') return { issues: [{ field: 'file', message: 'Choose a GeoJSON file of the shape, or paste its GeoJSON' }] }
  if (file?.truncated) return { issues: [{ field: 'file', message: `The file must be smaller than ${MAX_SHAPE_BYTES / 1024 / 1024} MB` }] }
  const field = hasFile ? 'file' : 'geojson'
  let text: string
  try {
    text = hasFile ? new TextDecoder('utf-8', { fatal: true }).decode(file!.data) : pasted
  } catch {
    return { issues: [{ field, message: 'The file is not UTF-8 text: save it as GeoJSON (UTF-8) and upload it again' }] }
  }
  try {
    return { geometry: JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text), field }
  } catch (error) {
    return { issues: [{ field, message: `The ${hasFile ? 'file' : 'text'} is not GeoJSON: it cannot be read as JSON (${(error as Error).message})` }] }
  }
}

export async function areaRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx
  const { db, config } = ctx
  const api = app.withTypeProvider<ZodTypeProvider>()

  await acceptUploads(app, { maxBytes: MAX_SHAPE_BYTES, fields: 10 })

  // -------------------------------------------------------------------------------------------
  // Pages

  app.get('/areas/custom', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const areas = await service.listCustomAreas(db, actor)
    return renderPage(request, reply, 'areas/views/list.njk', { title: 'Custom areas', areas })
  })

  // The areas whose LSOA outlines can be drawn over: published boundaries, read by the platform.
  const drawOn = () => asSystem(db, async (tx) => (await mappableAreas(tx)).filter((a) => a.level === 'police_force' || a.level === 'local_authority'))
  const newPage = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) =>
    renderPage(request, reply, 'areas/views/new.njk', { title: 'Make a custom area', values: {}, maxMegabytes: MAX_SHAPE_BYTES / 1024 / 1024, drawAreas: await drawOn(), ...extra })

  app.get('/areas/custom/new', { schema: { hide: true } }, async (request, reply) => {
    requireActor(request)
    return newPage(request, reply)
  })

  app.post('/areas/custom', { schema: { hide: true }, bodyLimit: MAX_SHAPE_BYTES + 1024 * 1024 }, async (request, reply) => {
    const actor = requireActor(request)
    const body = formBody(request)
    const values = { name: typeof body.name === 'string' ? body.name : '', geojson: typeof body.geojson === 'string' ? body.geojson : '' }
    const shape = shapeFromForm(body)
    const issues: FieldIssue[] = 'issues' in shape ? [...shape.issues] : []
    if (values.name.trim() === '') issues.unshift({ field: 'name', message: 'Enter a name for the area' })
    if (issues.length === 0 && 'geometry' in shape) {
      try {
        const area = await service.createCustomArea(db, actor, { name: values.name, geometry: shape.geometry })
        setFlash(reply, `${area.name} made from ${area.lsoaCount.toLocaleString('en-GB')} ${area.lsoaCount === 1 ? 'LSOA' : 'LSOAs'}.`, config.cookieSecure)
        return reply.redirect(`/areas/custom/${area.code}`, 303)
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error
        issues.push(...error.issues.map((i) => (i.field === 'geometry' ? { ...i, field: shape.field } : i)))
      }
    }
    return newPage(request, reply.status(400), { values, errors: formErrors(issues) })
  })

  app.get('/areas/custom/:code', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const area = await service.getCustomArea(db, actor, codeOf(request))
    const mayDelete = actor.capabilities.includes('records.write') && (area.createdById === actor.userId || actor.capabilities.includes('records.erase'))
    return renderPage(request, reply, 'areas/views/show.njk', { title: area.name, area, mayDelete })
  })

  app.post('/areas/custom/:code/delete', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const code = codeOf(request)
    const area = await service.getCustomArea(db, actor, code)
    await service.deleteCustomArea(db, actor, code)
    setFlash(reply, `${area.name} deleted.`, config.cookieSecure)
    return reply.redirect('/areas/custom', 303)
  })

  // -------------------------------------------------------------------------------------------
  // API

  api.get(
    '/api/v1/areas/custom',
    { schema: { tags: [TAG], summary: 'Custom areas, with the number of LSOAs each is made of', response: { 200: z.object({ areas: z.array(CustomAreaSummaryOut) }) } } },
    async (request) => ({ areas: await service.listCustomAreas(db, requireActor(request)) }),
  )

  api.post(
    '/api/v1/areas/custom',
    {
      bodyLimit: MAX_SHAPE_BYTES,
      schema: {
        tags: [TAG],
        summary: 'Make a custom area from a shape drawn on a map or uploaded',
        description:
          'The shape is GeoJSON: a Polygon or MultiPolygon, bare, in a Feature or in a FeatureCollection, in WGS84 longitude and latitude or British National Grid (EPSG:27700, by its crs member or the size of its coordinates). ' +
          'The area is made of the loaded LSOAs whose centre lies inside it, and every profile, map and overlay then works for it. ' +
          'A shape with no usable polygon, reaching outside the UK, or holding no loaded LSOA is refused with 400, naming why.',
        body: CustomAreaInput,
        response: { 201: CustomAreaOut },
      },
    },
    async (request, reply) => {
      const area = await service.createCustomArea(db, requireActor(request), request.body)
      return reply.status(201).header('location', `/api/v1/areas/custom/${area.code}`).send(area)
    },
  )

  api.get(
    '/api/v1/areas/custom/:code',
    { schema: { tags: [TAG], summary: 'A custom area: its shape and the LSOAs it is made of', params: CustomAreaCodeParams, response: { 200: CustomAreaOut } } },
    async (request) => {
      const { createdById: _id, ...area } = await service.getCustomArea(db, requireActor(request), request.params.code)
      return area
    },
  )

  api.delete(
    '/api/v1/areas/custom/:code',
    { schema: { tags: [TAG], summary: 'Delete a custom area (its maker, or a role that may erase records)', params: CustomAreaCodeParams, response: { 204: z.null() } } },
    async (request, reply) => {
      await service.deleteCustomArea(db, requireActor(request), request.params.code)
      return reply.status(204).send(null)
    },
  )
}
