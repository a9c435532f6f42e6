import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ValidationError } from '../../core/errors.ts'
import { columnLetter } from '../../core/imports/csv.ts'
import { FIELD_LABELS, fieldsOf, type RecordKind } from '../../core/matching/record.ts'
import { formBody, requireActor } from '../../http/auth.ts'
import { acceptUploads, type UploadedFile } from '../../http/uploads.ts'
import { pathId } from '../../http/validation.ts'
import { formErrors, renderPage, setFlash } from '../../http/views.ts'
import { formAgencies, handlingChoices, withAgencyNames } from '../records/routes.ts'
import { ReasonInput, SharingInput } from '../records/schema.ts'
import {
  DatasetImportRequest,
  DatasetOut,
  DECISION_LABELS,
  DECISIONS,
  DecisionInput,
  DryRunOut,
  EntityLinkInput,
  IdParams,
  ImportedOut,
  KIND_LABELS,
  MAX_FILE_BYTES,
  PairOut,
  PairSummaryOut,
  RECORD_KINDS,
  RefusedOut,
  RunInput,
  RunOut,
} from './schema.ts'
import * as service from './service.ts'

const TAG = 'matching'
const idOf = (request: FastifyRequest, what: string) => pathId(request.params, 'id', what)
/** Problems listed on the check page (all of them are in the API's answer). */
const PROBLEMS_SHOWN = 1000
const PREVIEW_ROWS = 3

/** Live progress of the imports running now, by upload: the page polls it while the import runs. */
const progress = new Map<string, { stage: string; done: number; total: number }>()

const percent = (p: number) => `${(p * 100).toLocaleString('en-GB', { maximumFractionDigits: 1 })}%`

export async function matchingRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx
  const { db, config } = ctx
  const api = app.withTypeProvider<ZodTypeProvider>()
  await acceptUploads(app, { maxBytes: MAX_FILE_BYTES, fields: 10 })

  // -------------------------------------------------------------------------------------------
  // Overview

  app.get('/matching', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const [datasets, runs, queue] = await Promise.all([service.listDatasets(db, actor), service.listRuns(db, actor), service.reviewQueue(db, actor, ctx.now(), 100)])
    return renderPage(request, reply, 'matching/views/index.njk', { title: 'Cross-agency matching', datasets, runs, queueLength: queue.filter((p) => p.decision === null).length, kindLabels: KIND_LABELS })
  })

  // -------------------------------------------------------------------------------------------
  // Importing a dataset: upload, map, check, import

  const uploadPage = (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) =>
    renderPage(request, reply, 'matching/views/upload.njk', { title: 'Import a partner’s dataset', maxMegabytes: MAX_FILE_BYTES / 1024 / 1024, ...extra })

  app.get('/matching/datasets/new', { schema: { hide: true } }, async (request, reply) => {
    requireActor(request)
    return uploadPage(request, reply)
  })

  app.post('/matching/datasets/new', { schema: { hide: true }, bodyLimit: MAX_FILE_BYTES + 1024 * 1024 }, async (request, reply) => {
    const actor = requireActor(request)
    const file = formBody(request).file as UploadedFile | undefined
    try {
      const id = await service.uploadFile(db, actor, { fileName: file?.filename ?? null, bytes: file && !file.truncated ? file.data : null, tooLarge: file?.truncated ?? false }, ctx.now())
      return reply.redirect(`/matching/uploads/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return uploadPage(request, reply.status(400), { errors: formErrors(error.issues) })
    }
  })

  async function mappingPage(request: FastifyRequest, reply: FastifyReply, id: string, values: Record<string, unknown> | null, errors?: ReturnType<typeof formErrors>) {
    const actor = requireActor(request)
    const upload = await service.getUpload(db, actor, id, ctx.now())
    const chosen = { ...upload.settings, ...(values ?? {}) }
    const kind: RecordKind = chosen.kind === 'business' ? 'business' : 'person'
    const { reading, mapping, problems } = await service.uploadTable({ ...upload, settings: chosen }, kind)
    const headers = (reading.table?.headers ?? []).filter((h) => h !== '')
    const fieldRows = (k: RecordKind) =>
      fieldsOf(k).map((f) => {
        const given = values ? service.mappingFromForm(k, values) : k === kind ? mapping : {}
        const column = typeof given[f] === 'string' ? (given[f] as string) : Array.isArray(given[f]) ? (given[f] as string[])[0] : ''
        return { key: f, label: FIELD_LABELS[f], items: [{ value: '', text: 'Not in the file' }, ...headers.map((h) => ({ value: h, text: h, selected: column === h }))] }
      })
    const fileProblems = problems.map((p) => ({ text: p.text, href: '#file-problems' }))
    const defaults = { name: upload.fileName.replace(/\.(csv|xlsx|txt)$/i, ''), protectiveMarking: 'OFFICIAL', handlingCode: 'P', sharingScope: 'agency' }
    const formValues: Record<string, unknown> = { ...defaults, ...chosen, kind }
    return renderPage(request, reply, 'matching/views/mapping.njk', {
      title: 'Map the columns of the partner’s file',
      upload,
      table: reading.table,
      headers,
      idItems: [{ value: '', text: 'Choose a column' }, ...headers.map((h) => ({ value: h, text: h, selected: formValues.idColumn === h }))],
      personFields: fieldRows('person'),
      businessFields: fieldRows('business'),
      preview: (reading.table?.headers ?? []).map((h, i) => ({ heading: h, letter: columnLetter(i), samples: (reading.table?.rows ?? []).slice(0, PREVIEW_ROWS).map((r) => r.cells[i] ?? '') })).filter((c) => c.heading !== ''),
      problems,
      values: formValues,
      kinds: RECORD_KINDS.map((k) => ({ value: k, text: KIND_LABELS[k], checked: kind === k })),
      agencies: await formAgencies(app, request, formValues),
      ...handlingChoices,
      errors: errors ?? (fileProblems.length > 0 ? { list: fileProblems, fields: {} } : undefined),
    })
  }

  app.get('/matching/uploads/:id', { schema: { hide: true } }, async (request, reply) => mappingPage(request, reply, idOf(request, 'Upload'), null))

  const checkPage = (request: FastifyRequest, reply: FastifyReply, id: string, outcome: service.ImportOutcome, values: Record<string, unknown>) => {
    const { check } = outcome
    const shown = check.problems.slice(0, PROBLEMS_SHOWN)
    return renderPage(request, reply, 'matching/views/check.njk', {
      title: check.problems.length > 0 ? 'The file has problems: nothing was imported' : `Import ${check.records.length.toLocaleString('en-GB')} records`,
      uploadId: id,
      check,
      values,
      hidden: Object.entries(values).filter(([k, v]) => k !== '_csrf' && k !== 'file' && v !== undefined && v !== null).flatMap(([k, v]) => [v].flat().map((x) => ({ name: k, value: String(x) }))),
      problemRows: shown.map((p, i) => ({ ...p, anchor: `problem-${i}` })),
      moreProblems: check.problems.length - shown.length,
      faultyRows: new Set(check.problems.map((p) => p.row).filter((r) => r !== null)).size,
      fieldLabels: FIELD_LABELS,
      errors: check.problems.length > 0 ? { list: [...shown.slice(0, 10).map((p, i) => ({ text: p.text, href: `#problem-${i}` })), ...(check.problems.length > 10 ? [{ text: `and ${(check.problems.length - 10).toLocaleString('en-GB')} more problems, listed below`, href: '#problems' }] : [])], fields: {} } : undefined,
    })
  }

  const metaErrors = async (request: FastifyRequest, reply: FastifyReply, id: string, body: Record<string, unknown>, error: ValidationError) => mappingPage(request, reply.status(400), id, body, formErrors(error.issues))

  app.post('/matching/uploads/:id', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request, 'Upload')
    const actor = requireActor(request)
    const raw = formBody(request)
    try {
      const body = await withAgencyNames(app, request, raw)
      const { outcome } = await service.importUpload(db, actor, id, body, ctx.now(), false)
      return checkPage(request, reply, id, outcome, raw)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return metaErrors(request, reply, id, raw, error)
    }
  })

  app.post('/matching/uploads/:id/import', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request, 'Upload')
    const actor = requireActor(request)
    const raw = formBody(request)
    try {
      const body = await withAgencyNames(app, request, raw)
      progress.set(id, { stage: 'checking', done: 0, total: 1 })
      const { outcome } = await service.importUpload(db, actor, id, body, ctx.now(), true, (done, total) => progress.set(id, { stage: 'importing', done, total }))
      if (!outcome.imported) return checkPage(request, reply.status(422), id, outcome, raw)
      setFlash(reply, `${outcome.check.records.length.toLocaleString('en-GB')} records imported.`, config.cookieSecure)
      return reply.redirect(`/matching/datasets/${outcome.datasetId}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return metaErrors(request, reply, id, raw, error)
    } finally {
      progress.delete(id)
    }
  })

  // Polled by the page while its import runs (web/matching.mjs): how far it has got.
  app.get('/matching/uploads/:id/progress', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request, 'Upload')
    await service.getUpload(db, requireActor(request), id, ctx.now()).catch(() => null)
    return reply.header('cache-control', 'no-store').send(progress.get(id) ?? { stage: 'waiting', done: 0, total: 0 })
  })

  app.post('/matching/uploads/:id/discard', { schema: { hide: true } }, async (request, reply) => {
    await service.discardUpload(db, requireActor(request), idOf(request, 'Upload'))
    setFlash(reply, 'The uploaded file has been deleted.', config.cookieSecure)
    return reply.redirect('/matching', 303)
  })

  const datasetPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: { sharingValues?: Record<string, unknown>; eraseValues?: Record<string, unknown>; errors?: ReturnType<typeof formErrors> } = {}) => {
    const view = await service.getDataset(db, requireActor(request), id, ctx.now())
    const fields = view.dataset.fields as Array<keyof typeof FIELD_LABELS>
    const sharingValues = extra.sharingValues ?? { protectiveMarking: view.dataset.protectiveMarking, handlingCode: view.dataset.handlingCode, handlingConditions: view.dataset.handlingConditions, sharingScope: view.dataset.sharingScope }
    return renderPage(request, reply, 'matching/views/dataset.njk', {
      title: view.dataset.name, ...view, fields, fieldLabels: FIELD_LABELS, kindLabels: KIND_LABELS,
      sharingValues, eraseValues: extra.eraseValues ?? {}, errors: extra.errors, agencies: await formAgencies(app, request, extra.sharingValues ?? {}), ...handlingChoices,
    })
  }

  app.get('/matching/datasets/:id', { schema: { hide: true } }, async (request, reply) => datasetPage(request, reply, idOf(request, 'Dataset')))

  app.post('/matching/datasets/:id/sharing', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request, 'Dataset')
    const body = formBody(request)
    try {
      await service.changeDatasetSharing(db, requireActor(request), id, await withAgencyNames(app, request, body))
      setFlash(reply, 'Marking and sharing changed.', config.cookieSecure)
      return reply.redirect(`/matching/datasets/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return datasetPage(request, reply.status(400), id, { sharingValues: body, errors: formErrors(error.issues) })
    }
  })

  app.post('/matching/datasets/:id/erase', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request, 'Dataset')
    const body = formBody(request)
    try {
      await service.eraseDataset(db, requireActor(request), id, { reason: body.eraseReason })
      setFlash(reply, 'The dataset, its records and the runs made from it have been erased.', config.cookieSecure)
      return reply.redirect('/matching', 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return datasetPage(request, reply.status(400), id, { eraseValues: body, errors: formErrors(error.issues.map((i) => ({ ...i, field: 'eraseReason' }))) })
    }
  })

  // -------------------------------------------------------------------------------------------
  // Runs

  const runForm = async (request: FastifyRequest, reply: FastifyReply, values: Record<string, unknown>, errors?: ReturnType<typeof formErrors>) => {
    const datasets = await service.listDatasets(db, requireActor(request))
    const item = (d: service.DatasetRow, chosen: unknown) => ({ value: d.id, text: `${d.name} (${KIND_LABELS[d.kind].toLowerCase()}, ${d.recordCount.toLocaleString('en-GB')} records, ${d.owningAgencyName})`, selected: chosen === d.id })
    return renderPage(request, reply, 'matching/views/run-form.njk', {
      title: 'Start a matching run',
      leftItems: [{ value: '', text: 'Choose a dataset' }, ...datasets.map((d) => item(d, values.leftDatasetId))],
      rightItems: [{ value: '', text: 'None: find duplicates within the first dataset' }, ...datasets.map((d) => item(d, values.rightDatasetId))],
      values: { matchThreshold: '0.9', reviewThreshold: '0.5', ...values },
      errors,
    })
  }

  app.get('/matching/runs/new', { schema: { hide: true } }, async (request, reply) => runForm(request, reply, { ...(request.query as Record<string, unknown>) }))

  app.post('/matching/runs', { schema: { hide: true } }, async (request, reply) => {
    const body = formBody(request)
    try {
      const { runId } = await service.startRun(db, requireActor(request), body, ctx.now())
      setFlash(reply, 'Matching run finished.', config.cookieSecure)
      return reply.redirect(`/matching/runs/${runId}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return runForm(request, reply.status(400), body, formErrors(error.issues))
    }
  })

  app.get('/matching/runs/:id', { schema: { hide: true } }, async (request, reply) => {
    const view = await service.getRun(db, requireActor(request), idOf(request, 'Matching run'), ctx.now())
    return renderPage(request, reply, 'matching/views/run.njk', { title: `Matching run: ${view.run.leftName}${view.run.leftDatasetId === view.run.rightDatasetId ? ' (duplicates)' : ` and ${view.run.rightName}`}`, ...view, percent, decisionLabels: DECISION_LABELS })
  })

  // -------------------------------------------------------------------------------------------
  // Review

  app.get('/matching/review', { schema: { hide: true } }, async (request, reply) => {
    const queue = await service.reviewQueue(db, requireActor(request), ctx.now())
    return renderPage(request, reply, 'matching/views/review.njk', { title: 'Clerical review queue', queue, percent, decisionLabels: DECISION_LABELS })
  })

  const pairPage = async (request: FastifyRequest, reply: FastifyReply, id: string, values: Record<string, unknown> = {}, errors?: ReturnType<typeof formErrors>) => {
    const pair = await service.getPair(db, requireActor(request), id, ctx.now())
    const fieldKeys = [...new Set([...Object.keys(pair.left.values), ...Object.keys(pair.right.values)])] as Array<keyof typeof FIELD_LABELS>
    return renderPage(request, reply, 'matching/views/pair.njk', {
      title: `Possible match: ${pair.leftCaption} and ${pair.rightCaption}`,
      pair,
      percent,
      fieldRows: fieldKeys.map((f) => ({ label: FIELD_LABELS[f] ?? f, left: pair.left.values[f] ?? '', right: pair.right.values[f] ?? '' })),
      decisionItems: DECISIONS.map((d) => ({ value: d, text: DECISION_LABELS[d], checked: values.decision === d })),
      decisionLabels: DECISION_LABELS,
      candidateItems: pair.candidates.map((c) => ({ value: c.id, text: c.caption, hint: { text: [c.birthDate ? `born ${c.birthDate}` : null, c.postcode].filter(Boolean).join(', ') || c.schema }, checked: values.entityId === c.id })),
      confirmed: pair.decision === 'same' || (pair.decision === null && pair.band === 'match'),
      next: typeof (request.query as { next?: unknown }).next === 'string' ? (request.query as { next: string }).next : null,
      values,
      errors,
    })
  }

  app.get('/matching/pairs/:id', { schema: { hide: true } }, async (request, reply) => pairPage(request, reply, idOf(request, 'Pair')))

  app.post('/matching/pairs/:id/decision', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request, 'Pair')
    const { next, ...body } = formBody(request)
    try {
      const { reversed } = await service.decide(db, requireActor(request), id, { decision: body.decision, reason: body.reason }, ctx.now())
      setFlash(reply, reversed ? 'Decision changed; the earlier one is kept in the history.' : 'Decision recorded. The next run of these datasets will use it.', config.cookieSecure)
      return reply.redirect(next === 'review' ? '/matching/review' : `/matching/pairs/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return pairPage(request, reply.status(400), id, body, formErrors(error.issues))
    }
  })

  app.post('/matching/pairs/:id/entity-links', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request, 'Pair')
    const body = formBody(request)
    try {
      const entityId = body.entityId === 'other' ? body.entityIdOther : body.entityId
      await service.linkToEntity(db, requireActor(request), id, { entityId, reason: body.linkReason }, ctx.now())
      setFlash(reply, 'Partner records linked to the Achilles record.', config.cookieSecure)
      return reply.redirect(`/matching/pairs/${id}#entity-links`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return pairPage(request, reply.status(400), id, body, formErrors(error.issues.map((i) => (i.field === 'reason' ? { ...i, field: 'linkReason' } : i))))
    }
  })

  // -------------------------------------------------------------------------------------------
  // API

  api.post(
    '/api/v1/matching/datasets',
    {
      bodyLimit: 2 * MAX_FILE_BYTES,
      schema: {
        tags: [TAG],
        summary: 'Import a partner’s dataset of people or businesses from a CSV or XLSX file, with a column mapping',
        description:
          'The file’s bytes are sent base64 in "content". With dryRun true (the default) every row is checked and nothing is saved: 200 with every problem, by file, row and column. ' +
          'With dryRun false the dataset is imported in one transaction: 201, or 422 with every problem and nothing saved.',
        body: DatasetImportRequest,
        response: { 200: DryRunOut, 201: ImportedOut, 422: RefusedOut },
      },
    },
    async (request, reply) => {
      const outcome = await service.importDatasetFromApi(db, requireActor(request), request.body)
      const { check } = outcome
      if (outcome.status === 201) return reply.status(201).header('location', `/api/v1/matching/datasets/${outcome.datasetId}`).send({ dryRun: false as const, datasetId: outcome.datasetId, records: check.records.length, fields: check.fields })
      if (outcome.status === 200) {
        return reply.send({ dryRun: true as const, fileName: outcome.fileName, format: check.table?.format ?? null, encoding: check.table?.encoding ?? null, rows: check.table?.rows.length ?? 0, records: check.records.length, fields: check.fields, unusedColumns: check.unusedColumns, problems: check.problems })
      }
      return reply
        .status(422)
        .type('application/problem+json')
        .send({ type: 'about:blank', title: 'The file has problems: nothing was imported', status: 422 as const, detail: `${check.problems.length.toLocaleString('en-GB')} problems in ${outcome.fileName}`, problems: check.problems })
    },
  )

  api.get('/api/v1/matching/datasets', { schema: { tags: [TAG], summary: 'The partners’ datasets you are permitted to see', response: { 200: z.object({ datasets: z.array(DatasetOut) }) } } }, async (request) => ({
    datasets: await service.listDatasets(db, requireActor(request)),
  }))

  api.get(
    '/api/v1/matching/datasets/:id',
    { schema: { tags: [TAG], summary: 'One dataset, with its first records (a logged consultation)', params: IdParams, response: { 200: DatasetOut.extend({ sample: z.array(z.object({ recordId: z.string(), row: z.number(), values: z.record(z.string(), z.string()) })) }) } } },
    async (request) => {
      const view = await service.getDataset(db, requireActor(request), request.params.id, ctx.now())
      return { ...view.dataset, sample: view.sample }
    },
  )

  api.post(
    '/api/v1/matching/datasets/:id/sharing',
    { schema: { tags: [TAG], summary: 'Change a dataset’s marking, handling and sharing (its owning agency only), with the reason', params: IdParams, body: SharingInput, response: { 200: DatasetOut.extend({ sample: z.array(z.unknown()) }) } } },
    async (request) => {
      const actor = requireActor(request)
      await service.changeDatasetSharing(db, actor, request.params.id, request.body)
      const view = await service.getDataset(db, actor, request.params.id, ctx.now())
      return { ...view.dataset, sample: [] }
    },
  )

  api.post(
    '/api/v1/matching/datasets/:id/erase',
    { schema: { tags: [TAG], summary: 'Erase a dataset with its records and the runs, pairs, decisions and links made from it (its owning agency only)', params: IdParams, body: ReasonInput, response: { 204: z.null() } } },
    async (request, reply) => {
      await service.eraseDataset(db, requireActor(request), request.params.id, request.body)
      return reply.status(204).send(null)
    },
  )

  const runOut = (view: Awaited<ReturnType<typeof service.getRun>>) => ({
    id: view.run.id,
    kind: view.run.kind,
    leftDataset: { id: view.run.leftDatasetId, name: view.run.leftName },
    rightDataset: { id: view.run.rightDatasetId, name: view.run.rightName },
    deduplication: view.run.leftDatasetId === view.run.rightDatasetId,
    matchThreshold: view.run.matchThreshold,
    reviewThreshold: view.run.reviewThreshold,
    modelTrained: view.run.modelTrained,
    decisionsApplied: view.run.decisionsApplied,
    figures: view.run.figures,
    model: view.model,
    createdAt: view.run.createdAt.toISOString(),
    counts: view.counts,
  })

  api.post(
    '/api/v1/matching/runs',
    { schema: { tags: [TAG], summary: 'Match two datasets (or find duplicates in one); the model trained for the pair is saved and reused', body: RunInput, response: { 201: RunOut } } },
    async (request, reply) => {
      const actor = requireActor(request)
      const { runId } = await service.startRun(db, actor, request.body, ctx.now())
      return reply.status(201).header('location', `/api/v1/matching/runs/${runId}`).send(runOut(await service.getRun(db, actor, runId, ctx.now())))
    },
  )

  api.get('/api/v1/matching/runs/:id', { schema: { tags: [TAG], summary: 'A run with the model it scored with', params: IdParams, response: { 200: RunOut } } }, async (request) =>
    runOut(await service.getRun(db, requireActor(request), request.params.id, ctx.now())),
  )

  api.get(
    '/api/v1/matching/runs/:id/pairs',
    { schema: { tags: [TAG], summary: 'The pairs a run kept: matches and those for clerical review', params: IdParams, response: { 200: z.object({ matches: z.array(PairSummaryOut), review: z.array(PairSummaryOut) }) } } },
    async (request) => {
      const view = await service.getRun(db, requireActor(request), request.params.id, ctx.now())
      return { matches: view.matches, review: view.review }
    },
  )

  api.get('/api/v1/matching/review', { schema: { tags: [TAG], summary: 'The clerical review queue: uncertain pairs of the latest runs without a decision (or marked unsure)', response: { 200: z.object({ pairs: z.array(PairSummaryOut) }) } } }, async (request) => ({
    pairs: await service.reviewQueue(db, requireActor(request), ctx.now()),
  }))

  api.get('/api/v1/matching/pairs/:id', { schema: { tags: [TAG], summary: 'One pair: both records, its weight explained field by field, its decisions', params: IdParams, response: { 200: PairOut } } }, async (request) =>
    service.getPair(db, requireActor(request), request.params.id, ctx.now()),
  )

  api.post(
    '/api/v1/matching/pairs/:id/decisions',
    { schema: { tags: [TAG], summary: 'Record a clerical decision on a pair; changing one in force needs a reason', params: IdParams, body: DecisionInput, response: { 201: PairOut } } },
    async (request, reply) => {
      const actor = requireActor(request)
      await service.decide(db, actor, request.params.id, request.body, ctx.now())
      return reply.status(201).send(await service.getPair(db, actor, request.params.id, ctx.now()))
    },
  )

  api.post(
    '/api/v1/matching/pairs/:id/entity-links',
    { schema: { tags: [TAG], summary: 'Link both records of a confirmed match to a person or business Achilles holds', params: IdParams, body: EntityLinkInput, response: { 201: PairOut } } },
    async (request, reply) => {
      const actor = requireActor(request)
      await service.linkToEntity(db, actor, request.params.id, request.body, ctx.now())
      return reply.status(201).send(await service.getPair(db, actor, request.params.id, ctx.now()))
    },
  )
}
