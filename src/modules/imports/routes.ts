import { acceptUploads, type UploadedFile } from '../../http/uploads.ts'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { ConflictError, ValidationError } from '../../core/errors.ts'
import { columnLetter } from '../../core/imports/csv.ts'
import { IMPORT_DEFINITIONS, IMPORT_KIND_LABELS, IMPORT_KINDS, type ImportKind } from '../../core/imports/kinds.ts'
import type { Fault } from '../../core/imports/mapping.ts'
import type { ImportReport } from '../../core/imports/rows.ts'
import { formBody, requireActor } from '../../http/auth.ts'
import { pathId } from '../../http/validation.ts'
import { formErrors, renderPage, setFlash } from '../../http/views.ts'
import { CreatedOut, FaultyOut, FieldsOut, ImportRequest, KindParams, MAX_FILE_BYTES, ReportOut } from './schema.ts'
import * as service from './service.ts'

const TAG = 'imports'
const idOf = (request: FastifyRequest) => pathId(request.params, 'id', 'Import')
/** Rows shown in the preview on the mapping page. */
const PREVIEW_ROWS = 3
/** Faults listed on the check page; the rest are in the downloadable list. */
const FAULTS_SHOWN = 1000
/** Faults named in the error summary at the top of the check page. */
const SUMMARY_FAULTS = 10
/** Links to created records on the summary page. */
const LINKS_SHOWN = 100


/** A fault in the error summary: problems with the file or the mapping say where they are themselves. */
const describeFault = (f: Fault) => (f.row === null ? f.message : `Row ${f.row}${f.column ? `, column "${f.column}"` : ''}: ${f.message}`)

/** The GOV.UK error summary for a report: problems with the file first, then the first faulty rows. */
function summaryOf(id: string, report: ImportReport) {
  const list = report.faults.slice(0, SUMMARY_FAULTS).map((f) => ({
    text: describeFault(f),
    href: f.row === null ? `/imports/${id}/mapping${f.field ? `#column-${f.field}` : f.column ? '#columns' : ''}` : `#fault-${report.faults.indexOf(f)}`,
  }))
  if (report.faults.length > SUMMARY_FAULTS) list.push({ text: `and ${(report.faults.length - SUMMARY_FAULTS).toLocaleString('en-GB')} more problems, listed below`, href: '#faults' })
  return { list, fields: {} }
}

function faultsCsv(faults: readonly Fault[]): string {
  const cell = (v: string | number | null) => {
    const s = v === null ? '' : String(v)
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
  }
  return ['Row,Column,Field,Problem', ...faults.map((f) => [f.row, f.column, f.field, f.message].map(cell).join(','))].join('\r\n') + '\r\n'
}

export async function importRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx
  const { db, config } = ctx
  const api = app.withTypeProvider<ZodTypeProvider>()

  // Multipart only for this module's routes: the upload form. The file is read into memory (at most
  // 50 MB) and kept with its name; a larger one is marked so the form can say so.
  await acceptUploads(app, { maxBytes: MAX_FILE_BYTES, fields: 10 })

  const kindItems = (chosen: unknown) =>
    IMPORT_KINDS.map((k) => ({ value: k, text: IMPORT_KIND_LABELS[k], hint: { text: kindHints[k] }, checked: chosen === k }))

  async function uploadPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const actor = requireActor(request)
    const recent = await service.recentImports(db, actor, ctx.now())
    return renderPage(request, reply, 'imports/views/upload.njk', {
      title: 'Import from a CSV file',
      kinds: kindItems((extra.values as { kind?: unknown } | undefined)?.kind),
      recent,
      kindLabels: IMPORT_KIND_LABELS,
      maxMegabytes: MAX_FILE_BYTES / 1024 / 1024,
      values: {},
      ...extra,
    })
  }

  app.get('/imports', { schema: { hide: true } }, async (request, reply) => uploadPage(request, reply))

  app.post('/imports', { schema: { hide: true }, bodyLimit: MAX_FILE_BYTES + 1024 * 1024 }, async (request, reply) => {
    const actor = requireActor(request)
    const body = formBody(request)
    const file = body.file as UploadedFile | undefined
    const pasted = typeof body.csv === 'string' ? body.csv : null
    try {
      const id = await service.uploadImport(
        db,
        actor,
        { kind: body.kind, fileName: file?.filename ?? null, bytes: file && !file.truncated ? file.data : null, pasted, tooLarge: file?.truncated ?? false },
        ctx.now(),
      )
      return reply.redirect(`/imports/${id}/mapping`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return uploadPage(request, reply.status(400), { values: { kind: body.kind, csv: pasted ?? '' }, kinds: kindItems(body.kind), errors: formErrors(error.issues) })
    }
  })

  async function mappingPage(request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) {
    const view = await service.getImport(db, requireActor(request), id, ctx.now())
    if (view.status === 'imported') return reply.redirect(`/imports/${id}`, 303)
    const headers = view.table?.headers ?? []
    const columnOf = new Map<string, string>()
    for (const [key, entry] of Object.entries(view.plan.mapping)) if (entry.column) columnOf.set(entry.column, key)
    const labelOf = new Map(view.definition.fields.map((f) => [f.key, f.label]))
    const preview = headers
      .map((h, i) => ({
        heading: h,
        letter: columnLetter(i),
        samples: (view.table?.rows ?? []).slice(0, PREVIEW_ROWS).map((r) => r.cells[i] ?? ''),
        mappedTo: columnOf.has(h) ? labelOf.get(columnOf.get(h)!) : null,
      }))
      .filter((c) => c.heading !== '')
    const problems = view.problems.map((p) => ({ text: p.row ? `Row ${p.row}: ${p.message}` : p.message, href: '#file' }))
    return renderPage(request, reply, 'imports/views/mapping.njk', {
      title: 'Map the columns',
      view,
      kindLabel: IMPORT_KIND_LABELS[view.kind],
      fields: view.definition.fields.map((f) => ({
        ...f,
        column: view.plan.mapping[f.key]?.column ?? '',
        value: view.plan.mapping[f.key]?.value ?? '',
        items: [{ value: '', text: 'Not in the file' }, ...headers.filter((h) => h !== '').map((h) => ({ value: h, text: h, selected: view.plan.mapping[f.key]?.column === h }))],
      })),
      rules: view.definition.alternatives?.map((a) => a.message) ?? [],
      headers: headers.filter((h) => h !== ''),
      ignored: view.plan.ignoredColumns,
      preview,
      previewRows: (view.table?.rows ?? []).slice(0, PREVIEW_ROWS).map((r) => r.row),
      rowCount: view.table?.rows.length ?? 0,
      problems,
      errors: problems.length > 0 ? { list: problems, fields: {} } : undefined,
      ...extra,
    })
  }

  app.get('/imports/:id/mapping', { schema: { hide: true } }, async (request, reply) => mappingPage(request, reply, idOf(request)))

  app.post('/imports/:id/mapping', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    await service.saveMapping(db, requireActor(request), id, formBody(request), ctx.now())
    return reply.redirect(`/imports/${id}/check`, 303)
  })

  async function checkPage(request: FastifyRequest, reply: FastifyReply, view: service.ImportView, report: ImportReport) {
    const shown = report.faults.slice(0, FAULTS_SHOWN)
    return renderPage(request, reply, 'imports/views/check.njk', {
      title: report.faults.length > 0 ? 'The file has problems' : `Import ${report.rows.toLocaleString('en-GB')} ${report.rows === 1 ? IMPORT_DEFINITIONS[view.kind].rowNoun : IMPORT_DEFINITIONS[view.kind].noun}`,
      view,
      kindLabel: IMPORT_KIND_LABELS[view.kind],
      report,
      faultRows: shown.map((f, i) => ({ ...f, anchor: `fault-${i}`, where: f.row === null ? 'Whole file' : String(f.row) })),
      faultyRows: new Set(report.faults.map((f) => f.row).filter((r) => r !== null)).size,
      moreFaults: report.faults.length - shown.length,
      noun: IMPORT_DEFINITIONS[view.kind].noun,
      rowNoun: IMPORT_DEFINITIONS[view.kind].rowNoun,
      mapped: view.definition.fields
        .filter((f) => view.plan.mapping[f.key]?.column || view.plan.mapping[f.key]?.value)
        .map((f) => ({ label: f.label, column: view.plan.mapping[f.key]!.column, value: view.plan.mapping[f.key]!.value })),
      errors: report.faults.length > 0 ? summaryOf(view.id, report) : undefined,
    })
  }

  app.get('/imports/:id/check', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const { view, report } = await service.checkImport(db, requireActor(request), id, ctx.now())
    if (view.status === 'imported') return reply.redirect(`/imports/${id}`, 303)
    return checkPage(request, report.faults.length > 0 ? reply.status(200) : reply, view, report)
  })

  app.get('/imports/:id/faults.csv', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const { view, report } = await service.checkImport(db, requireActor(request), id, ctx.now())
    const name = view.fileName.replace(/\.csv$/i, '').replace(/[^A-Za-z0-9 ._-]/g, '_')
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name} - problems.csv"`)
      .send(faultsCsv(report.faults))
  })

  app.post('/imports/:id/commit', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const actor = requireActor(request)
    try {
      const outcome = await service.commitImport(db, actor, id, ctx.now())
      if (!outcome.imported) return checkPage(request, reply.status(422), outcome.view, outcome.report)
      const n = outcome.report.rows
      setFlash(reply, `${n.toLocaleString('en-GB')} ${n === 1 ? IMPORT_DEFINITIONS[outcome.view.kind].rowNoun : IMPORT_DEFINITIONS[outcome.view.kind].noun} imported.`, config.cookieSecure)
      return reply.redirect(`/imports/${id}`, 303)
    } catch (error) {
      // A second click while the first import ran: the first one's summary is the answer.
      if (error instanceof ConflictError) return reply.redirect(`/imports/${id}`, 303)
      throw error
    }
  })

  app.get('/imports/:id', { schema: { hide: true } }, async (request, reply) => {
    const id = idOf(request)
    const view = await service.getImport(db, requireActor(request), id, ctx.now())
    if (view.status !== 'imported' || !view.result) return reply.redirect(`/imports/${id}/mapping`, 303)
    const listLink: Record<ImportKind, string> = { people: '/entities?schema=Person&owner=mine', groups: '/groups', memberships: '/groups', intelligence: '/intelligence' }
    return renderPage(request, reply, 'imports/views/done.njk', {
      title: `${IMPORT_KIND_LABELS[view.kind]} imported`,
      view,
      kindLabel: IMPORT_KIND_LABELS[view.kind],
      noun: IMPORT_DEFINITIONS[view.kind].noun,
      created: view.result.created.slice(0, LINKS_SHOWN),
      more: Math.max(0, view.result.created.length - LINKS_SHOWN),
      listLink: listLink[view.kind],
    })
  })

  app.post('/imports/:id/discard', { schema: { hide: true } }, async (request, reply) => {
    await service.discardImport(db, requireActor(request), idOf(request))
    setFlash(reply, 'The uploaded file has been deleted.', config.cookieSecure)
    return reply.redirect('/imports', 303)
  })

  // -------------------------------------------------------------------------------------------
  // API

  api.get(
    '/api/v1/imports/:kind/fields',
    { schema: { tags: [TAG], summary: 'The fields an import of this kind reads, and the column headings each recognises', params: KindParams, response: { 200: FieldsOut } } },
    async (request) => {
      requireActor(request)
      const definition = IMPORT_DEFINITIONS[request.params.kind]
      return {
        kind: request.params.kind,
        fields: definition.fields.map((f) => ({
          key: f.key,
          label: f.label,
          hint: f.hint ?? null,
          required: f.required ?? false,
          type: f.value.type,
          choices: 'choices' in f.value ? Object.keys(f.value.choices) : null,
          headings: [f.key, f.label, ...f.aliases],
        })),
        rules: [
          ...(definition.alternatives?.map((a) => a.message) ?? []),
          'Lists (aliases, areas, threat areas, ids, agencies) are separated by ; or |',
          'Dates are written YYYY-MM-DD or DD/MM/YYYY; a two-digit year or an impossible date is refused',
          'Every column must be mapped to a field or listed in ignoredColumns',
          ...(definition.uniqueBy ? [definition.uniqueBy.message(2).replace(/^Row 2/, 'An earlier row')] : []),
        ],
      }
    },
  )

  api.post(
    '/api/v1/imports/:kind',
    {
      bodyLimit: 2 * MAX_FILE_BYTES + 1024 * 1024,
      schema: {
        tags: [TAG],
        summary: 'Import people, groups, group members or intelligence from CSV text',
        description:
          'With dryRun true (the default) every row is checked and nothing is saved: 200 with every faulty row and column. ' +
          'With dryRun false the file is checked again and imported in one transaction: 201 with the ids made, or 422 with every fault and nothing saved. ' +
          'Mentions (intelligence) and members (memberships) are given by Achilles ids, separated by ";".',
        params: KindParams,
        body: ImportRequest,
        response: { 200: ReportOut, 201: CreatedOut, 422: FaultyOut },
      },
    },
    async (request, reply) => {
      const outcome = await service.importCsv(db, requireActor(request), request.params.kind, request.body, ctx.now())
      if (outcome.status === 200) return reply.status(200).send({ kind: outcome.kind, dryRun: true, ...outcome.report, mapping: outcome.mapping })
      if (outcome.status === 201) {
        return reply.status(201).send({ kind: outcome.kind, importId: outcome.importId, rows: outcome.rows, created: outcome.created.map(({ row, id }) => ({ row, id })) })
      }
      const { rows, valid, faults } = outcome.report
      return reply
        .status(422)
        .type('application/problem+json')
        .send({
          type: 'about:blank',
          title: 'The file has problems: nothing was imported',
          status: 422 as const,
          detail: `${faults.length.toLocaleString('en-GB')} problems; ${valid.toLocaleString('en-GB')} of ${rows.toLocaleString('en-GB')} rows are clean`,
          kind: outcome.kind,
          rows,
          valid,
          faults,
        })
    },
  )
}

const kindHints: Record<ImportKind, string> = {
  people: 'One person a row: name, aliases, date of birth, identifiers and role',
  groups: 'One organised crime group a row: name, status, threat areas, areas, Lead Responsible Officer',
  memberships: 'One member a row: the group’s id, the person’s id and their role',
  intelligence: 'One record a row: text, date, source agency, grade (3x5x2 or legacy 5x5x5) and the ids of what it mentions',
}

