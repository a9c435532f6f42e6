import { acceptUploads, type UploadedFile } from '../../http/uploads.ts'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { NotFoundError, ValidationError, type FieldIssue } from '../../core/errors.ts'
import { decodeCsvFile } from '../../core/imports/csv.ts'
import { OVERLAY_LAYER_KEYS, OVERLAY_LAYERS, PARTNER_LAYERS, isPartnerLayer } from '../../core/overlays/layers.ts'
import { ACCEPTED_HEADINGS, type PointFault } from '../../core/overlays/points.ts'
import { formBody, requireActor } from '../../http/auth.ts'
import { formValues } from '../../http/validation.ts'
import { formErrors, renderPage, setFlash } from '../../http/views.ts'
import { formAgencies, handlingChoices, withAgencyNames } from '../records/routes.ts'
import { MAX_POINTS_FILE_BYTES, OverlayQuery, OverlaysOut, PartnerLayerParams, PointFaultyOut, PointImportedOut, PointImportRequest, PointReportOut } from './schema.ts'
import * as service from './service.ts'

const TAG = 'overlays'
/** Faults named in the error summary; the table below lists every one. */
const SUMMARY_FAULTS = 10


const describeFault = (f: PointFault) => (f.row === null ? f.message : `Row ${f.row}${f.column ? `, column "${f.column}"` : ''}: ${f.message}`)
const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`

export async function overlayRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx
  const { db, config } = ctx
  const api = app.withTypeProvider<ZodTypeProvider>()

  await acceptUploads(app, { maxBytes: MAX_POINTS_FILE_BYTES, fields: 60 })

  // -------------------------------------------------------------------------------------------
  // The overlays of an area

  const layerItems = (chosen: readonly string[]) =>
    OVERLAY_LAYER_KEYS.map((k) => ({ value: k, text: OVERLAY_LAYERS[k].label, hint: { text: OVERLAY_LAYERS[k].description }, checked: chosen.length === 0 || chosen.includes(k) }))

  app.get('/overlays', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const raw = request.query as Record<string, unknown>
    const values = { area: typeof raw.area === 'string' ? raw.area : '', layers: formValues(raw.layers) }
    const page = (extra: Record<string, unknown>, status = 200) =>
      renderPage(request, reply.status(status), 'overlays/views/overlays.njk', { title: 'Partner overlays', values, layerItems: layerItems(values.layers), threshold: config.suppressionThreshold, ...extra })
    if (values.area.trim() === '') return page({})
    try {
      const query = service.parseOverlayQuery({ area: values.area, ...(values.layers.length > 0 ? { layers: values.layers } : {}) })
      const result = await service.areaOverlays(db, actor, query.area, { threshold: config.suppressionThreshold, layers: query.layers })
      // One row per LSOA with anything in a layer; the rest are said in a sentence.
      const rows = result.lsoas
        .map((l, i) => ({ ...l, cells: result.layers.map((layer) => layer.byLsoa[i]!) }))
        .filter((r) => r.cells.some((c) => c.suppressed || c.value > 0))
      return page({ title: `Partner overlays: ${result.area.name}`, result, rows, emptyLsoas: result.lsoas.length - rows.length })
    } catch (error) {
      if (error instanceof NotFoundError) return page({ errors: formErrors([{ field: 'area', message: `No area ${values.area.trim()} is loaded: give the code of a loaded area, such as a police force area, local authority, ward, LSOA or custom area` }]) }, 404)
      if (!(error instanceof ValidationError)) throw error
      return page({ errors: formErrors(error.issues) }, 400)
    }
  })

  // -------------------------------------------------------------------------------------------
  // Importing a partner's points

  async function importPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const actor = requireActor(request)
    const values = (extra.values ?? { protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'partnership' }) as Record<string, unknown>
    return renderPage(request, reply, 'overlays/views/import.njk', {
      title: 'Import overlay points',
      ...handlingChoices,
      agencies: await formAgencies(app, request, values),
      layers: PARTNER_LAYERS.map((k) => ({ value: k, text: OVERLAY_LAYERS[k].label, hint: { text: OVERLAY_LAYERS[k].description }, checked: values.layer === k })),
      layerLabels: Object.fromEntries(PARTNER_LAYERS.map((k) => [k, OVERLAY_LAYERS[k].label])),
      held: await service.myAgencyLayers(db, actor),
      headings: ACCEPTED_HEADINGS,
      maxMegabytes: MAX_POINTS_FILE_BYTES / 1024 / 1024,
      values,
      ...extra,
    })
  }

  app.get('/overlays/import', { schema: { hide: true } }, async (request, reply) => importPage(request, reply))

  app.post('/overlays/import', { schema: { hide: true }, bodyLimit: 2 * MAX_POINTS_FILE_BYTES + 1024 * 1024 }, async (request, reply) => {
    const actor = requireActor(request)
    const { file, csv: pasted, action, ...body } = formBody(request)
    const upload = file as UploadedFile | undefined
    const hasFile = upload !== undefined && (upload.truncated || upload.data.length > 0)
    const pastedText = typeof pasted === 'string' ? pasted : ''
    const values: Record<string, unknown> = { ...body }
    const issues: FieldIssue[] = []
    if (!isPartnerLayer(body.layer)) issues.push({ field: 'layer', message: 'Choose what the file holds' })
    let text: string | null = null
    let fileName = typeof body.fileName === 'string' && body.fileName.trim() !== '' ? body.fileName.trim() : 'Pasted text'
    if (hasFile && pastedText.trim() !== '') issues.push({ field: 'file', message: 'Upload a file or paste the text, not both' })
    else if (upload?.truncated) issues.push({ field: 'file', message: `The file must be smaller than ${MAX_POINTS_FILE_BYTES / 1024 / 1024} MB: split it` })
    else if (hasFile) {
      const decoded = decodeCsvFile(upload!.data)
      if ('problem' in decoded) issues.push({ field: 'file', message: decoded.problem })
      else [text, fileName] = [decoded.text, upload!.filename || 'Uploaded file']
    } else if (pastedText.trim() !== '') text = pastedText
    else issues.push({ field: 'file', message: 'Choose a CSV file of points, or paste its text' })

    if (issues.length === 0) {
      try {
        const input = await withAgencyNames(app, request, { ...body, csv: text!, fileName, dryRun: action !== 'import' })
        delete (input as Record<string, unknown>).layer
        const outcome = await service.importPoints(db, actor, body.layer, input)
        if (outcome.status === 201) {
          setFlash(reply, `${plural(outcome.rows, 'point', 'points')} of ${OVERLAY_LAYERS[outcome.layer].label.toLowerCase()} imported, in ${plural(outcome.lsoas, 'LSOA', 'LSOAs')}${outcome.replaced > 0 ? `, replacing ${plural(outcome.replaced, 'earlier point', 'earlier points')}` : ''}.`, config.cookieSecure)
          return reply.redirect('/overlays/import', 303)
        }
        const report = outcome.report
        const summary = report.faults.slice(0, SUMMARY_FAULTS).map((f, i) => ({ text: describeFault(f), href: `#fault-${i}` }))
        if (report.faults.length > SUMMARY_FAULTS) summary.push({ text: `and ${plural(report.faults.length - SUMMARY_FAULTS, 'more problem', 'more problems')}, listed below`, href: '#faults' })
        return importPage(request, reply.status(outcome.status === 422 ? 422 : 200), {
          values: { ...values, fileName },
          report,
          checked: report.faults.length === 0 ? { csv: text, fileName } : null,
          faultRows: report.faults.map((f, i) => ({ ...f, anchor: `fault-${i}`, where: f.row === null ? 'Whole file' : String(f.row) })),
          errors: report.faults.length > 0 ? { list: summary, fields: {} } : undefined,
        })
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error
        issues.push(...error.issues.map((i) => (i.field === 'csv' ? { ...i, field: 'file' } : i)))
      }
    }
    return importPage(request, reply.status(400), { values, errors: formErrors(issues) })
  })

  // -------------------------------------------------------------------------------------------
  // API

  api.get(
    '/api/v1/overlays',
    {
      schema: {
        tags: [TAG],
        summary: 'Partner overlays of an area: counts by LSOA and in all, with small numbers suppressed',
        description:
          `Counts only what the caller may see, and logs the reading as a consultation for aggregate use. A count from 1 to the threshold less one ` +
          `(ACHILLES_SUPPRESSION_THRESHOLD, by default 5) is given as {suppressed: true, reason: "small number", display: "fewer than 5"} with no value; ` +
          `one that would let a hidden count be worked out from the total is {suppressed: true, reason: "complementary", display: "withheld"}. No name, id, address or position is ever returned.`,
        querystring: OverlayQuery,
        response: { 200: OverlaysOut },
      },
    },
    async (request) => service.areaOverlays(db, requireActor(request), request.query.area, { threshold: config.suppressionThreshold, layers: request.query.layers }),
  )

  api.get(
    '/api/v1/overlays/layers',
    {
      schema: {
        tags: [TAG],
        summary: 'The overlay layers, and the columns a CSV file of partner points may have',
        response: { 200: z.object({ layers: z.array(z.object({ key: z.string(), label: z.string(), origin: z.string(), description: z.string() })), columns: z.array(z.string()) }) },
      },
    },
    async (request) => {
      requireActor(request)
      return { layers: OVERLAY_LAYER_KEYS.map((k) => ({ key: k, label: OVERLAY_LAYERS[k].label, origin: OVERLAY_LAYERS[k].origin, description: OVERLAY_LAYERS[k].description })), columns: ACCEPTED_HEADINGS }
    },
  )

  api.post(
    '/api/v1/overlays/points/:layer',
    {
      bodyLimit: MAX_POINTS_FILE_BYTES + 1024 * 1024,
      schema: {
        tags: [TAG],
        summary: 'Import a partner layer of points from CSV text',
        description:
          'One point a row, placed by Latitude and Longitude (WGS84), Easting and Northing (British National Grid, converted), or LSOA code; an optional Label. ' +
          'Every point takes the purpose, review date, marking, handling and sharing given. With dryRun true (the default) every row is checked and nothing is saved: 200 with every faulty row and column. ' +
          'With dryRun false the file is imported whole in one transaction (201), or, if any row has a fault, not at all (422 with every fault). A position outside the UK, or in no loaded LSOA, is a fault of its row. ' +
          "With replace true, the caller's agency's earlier points of the layer are replaced.",
        params: PartnerLayerParams,
        body: PointImportRequest,
        response: { 200: PointReportOut, 201: PointImportedOut, 422: PointFaultyOut },
      },
    },
    async (request, reply) => {
      const outcome = await service.importPoints(db, requireActor(request), request.params.layer, request.body)
      if (outcome.status === 200) return reply.status(200).send({ layer: outcome.layer, dryRun: true, ...outcome.report })
      if (outcome.status === 201) return reply.status(201).send({ layer: outcome.layer, importId: outcome.importId, rows: outcome.rows, lsoas: outcome.lsoas, replaced: outcome.replaced })
      const { rows, valid, faults } = outcome.report
      return reply
        .status(422)
        .type('application/problem+json')
        .send({
          type: 'about:blank',
          title: 'The file has problems: nothing was imported',
          status: 422 as const,
          detail: `${plural(faults.length, 'problem', 'problems')}; ${valid.toLocaleString('en-GB')} of ${rows.toLocaleString('en-GB')} rows are clean`,
          layer: outcome.layer,
          rows,
          valid,
          faults,
        })
    },
  )
}
