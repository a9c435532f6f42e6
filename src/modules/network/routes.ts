import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { NotFoundError, ValidationError, type FieldIssue } from '../../core/errors.ts'
import { decodeCsvFile } from '../../core/imports/csv.ts'
import { NODE_CAP } from '../../core/network/assemble.ts'
import { EXPORT_FORMAT_RULES, EXPORT_FORMATS } from '../../core/network/exports/index.ts'
import { formBody, requireActor } from '../../http/auth.ts'
import { acceptUploads, type UploadedFile } from '../../http/uploads.ts'
import { formErrors, renderPage } from '../../http/views.ts'
import { EDGE_TYPES, EDGE_TYPE_LABELS, ExportQuery, KeyPlayersInput, KeyPlayersOut, MeasuresOut, NetworkOut, NetworkQuery } from './schema.ts'
import * as service from './service.ts'

const TAG = 'network'
/** Rows the list view shows of each table; the exports hold everything. */
const LIST_ROWS = 500
const MAX_EDGE_LIST_BYTES = 20 * 1024 * 1024

const MEASURE_COLUMNS = ['degree', 'betweenness', 'pagerank', 'eigenvector', 'clustering', 'community'] as const
type Row = Awaited<ReturnType<typeof service.getNetwork>>['nodes'][number]

function sortNodes(nodes: Row[], sort: string): Row[] {
  const by = (n: Row) => (sort === 'label' ? n.label.toLowerCase() : sort === 'kind' ? n.kind : (n.measures[sort as (typeof MEASURE_COLUMNS)[number]] ?? 0))
  const ascending = sort === 'label' || sort === 'kind' || sort === 'community'
  return [...nodes].sort((a, b) => {
    const [x, y] = [by(a), by(b)]
    const order = x < y ? -1 : x > y ? 1 : 0
    return (ascending ? order : -order) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)
  })
}

/** The query string of a network request, for links that keep the same start and filters. */
function queryString(query: Record<string, unknown>, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams()
  for (const key of ['start', 'hops', 'from', 'to', 'types', 'gradings', 'handling']) {
    const v = query[key]
    if (v === undefined || v === null || v === '') continue
    params.set(key, Array.isArray(v) ? v.join(',') : String(v))
  }
  for (const [k, v] of Object.entries(extra)) params.set(k, v)
  return params.toString()
}

const ENTITY_PATHS: Record<string, string> = { Person: 'people', Company: 'businesses', Organization: 'organisations', Address: 'addresses', Vehicle: 'vehicles', Phone: 'phones', BankAccount: 'bank-accounts' }
export const nodeHref = (id: string, kind: string) => (id.startsWith('group:') ? `/groups/${id.slice(6)}` : `/entities/${ENTITY_PATHS[kind] ?? 'people'}/${id.slice(7)}`)

const rounded = (x: number, places = 4) => Math.round(x * 10 ** places) / 10 ** places

export async function networkRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx
  const { db } = ctx
  const api = app.withTypeProvider<ZodTypeProvider>()
  await acceptUploads(app, { maxBytes: MAX_EDGE_LIST_BYTES, fields: 5 })

  // -------------------------------------------------------------------------------------------
  // Pages

  app.get('/network', { schema: { hide: true } }, async (request, reply) => {
    const actor = requireActor(request)
    const raw = (request.query ?? {}) as Record<string, unknown>
    const text = typeof raw.q === 'string' ? raw.q.trim().slice(0, 100) : ''
    const base = { title: 'Network analysis', values: raw, q: text, formats: EXPORT_FORMATS.map((f) => ({ value: f, text: EXPORT_FORMAT_RULES[f].label })), nodeCap: NODE_CAP }
    const page = (extra: Record<string, unknown>, status = 200) => renderPage(request, reply.status(status), 'network/views/network.njk', { ...base, ...extra })
    if (!raw.start) {
      if (text === '') return page({})
      return page({ choices: (await service.startChoices(db, actor, text)).map((c) => ({ ...c, href: `/network?start=${encodeURIComponent(c.id)}` })) })
    }
    const { q: _q, ...networkQuery } = raw
    try {
      const result = await service.getNetwork(db, actor, networkQuery)
      const sort = result.query.sort ?? 'betweenness'
      const labels = new Map(result.nodes.map((n) => [n.id, n]))
      const nodes = sortNodes(result.nodes, sort).slice(0, LIST_ROWS).map((n, i) => ({
        ...n, rank: i + 1, href: nodeHref(n.id, n.kind),
        shown: { ...n.measures, betweenness: rounded(n.measures.betweenness, 2), pagerank: rounded(n.measures.pagerank), eigenvector: rounded(n.measures.eigenvector), clustering: rounded(n.measures.clustering, 3) },
      }))
      const edges = result.edges.slice(0, LIST_ROWS).map((e) => ({
        ...e, typeLabel: EDGE_TYPE_LABELS[e.type] ?? e.type,
        sourceNode: labels.get(e.source), targetNode: labels.get(e.target),
        sourceHref: nodeHref(e.source, labels.get(e.source)?.kind ?? ''), targetHref: nodeHref(e.target, labels.get(e.target)?.kind ?? ''),
      }))
      const startNode = labels.get(result.start)
      let keyPlayers = null
      if (result.start.startsWith('group:') && result.query.players) {
        try {
          keyPlayers = await service.getKeyPlayers(db, actor, { group: result.start.slice(6), count: result.query.players, hops: result.hops }, ctx.now())
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error
          keyPlayers = { problem: error.issues[0]?.message ?? error.message }
        }
      }
      const qs = queryString(result.query as Record<string, unknown>)
      return page({
        title: `Network of ${startNode?.label ?? 'the record'}`,
        result, startNode, startHref: startNode ? nodeHref(startNode.id, startNode.kind) : null, nodes, edges, sort,
        moreNodes: Math.max(0, result.nodes.length - LIST_ROWS), moreEdges: Math.max(0, result.edges.length - LIST_ROWS),
        typeItems: result.linkTypes.map((t) => ({ value: t, text: EDGE_TYPE_LABELS[t] ?? t, checked: (result.query.types ?? []).includes(t as never) })),
        handlingItems: [{ value: 'P', text: 'P: may be shared lawfully', checked: (result.query.handling ?? []).includes('P') }, { value: 'C', text: 'C: conditions apply', checked: (result.query.handling ?? []).includes('C') }],
        sortHref: (column: string) => `/network?${queryString(result.query as Record<string, unknown>, { sort: column })}`,
        exportLinks: EXPORT_FORMATS.map((f) => ({ text: EXPORT_FORMAT_RULES[f].label, href: `/network/export?${queryString(result.query as Record<string, unknown>, { format: f })}` })),
        chartHref: `/network/chart?${qs}`,
        keyPlayers, qs,
      })
    } catch (error) {
      if (error instanceof ValidationError) return page({ errors: formErrors(error.issues) }, 400)
      if (error instanceof NotFoundError) {
        return page({ errors: formErrors([{ field: 'start', message: 'There is no person, entity or group with that id that you are permitted to see: search for one by name' }]) }, 404)
      }
      throw error
    }
  })

  app.get('/network/export', { schema: { hide: true } }, async (request, reply) => {
    const out = await service.exportNetworkFile(db, requireActor(request), request.query, ctx.now())
    return reply.type(out.contentType).header('content-disposition', `attachment; filename="${out.filename}"`).send(out.text)
  })

  const measuresPage = (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) =>
    renderPage(request, reply, 'network/views/measures.njk', { title: 'Measures of your own network', maxMegabytes: MAX_EDGE_LIST_BYTES / 1024 / 1024, values: {}, ...extra })

  app.get('/network/measures', { schema: { hide: true } }, async (request, reply) => {
    requireActor(request)
    return measuresPage(request, reply)
  })

  app.post('/network/measures', { schema: { hide: true }, bodyLimit: MAX_EDGE_LIST_BYTES + 1024 * 1024 }, async (request, reply) => {
    requireActor(request)
    const { file, directed, output } = formBody(request)
    const upload = file as UploadedFile | undefined
    const values = { directed: directed === 'yes' }
    const fail = (issues: FieldIssue[]) => measuresPage(request, reply.status(400), { values, errors: formErrors(issues.map((i) => ({ field: 'file', message: i.field === 'file' ? i.message : `${i.field}: ${i.message}` }))), faults: issues })
    if (!upload || (upload.data.length === 0 && !upload.truncated)) return fail([{ field: 'file', message: 'Choose a CSV file with source and target columns (and weight if you have one)' }])
    if (upload.truncated) return fail([{ field: 'file', message: `The file must be smaller than ${MAX_EDGE_LIST_BYTES / 1024 / 1024} MB: split it` }])
    const decoded = decodeCsvFile(upload.data)
    if ('problem' in decoded) return fail([{ field: 'file', message: decoded.problem }])
    try {
      const fileName = upload.filename || 'the file'
      const out = service.edgeListMeasures(decoded.text, fileName, values.directed)
      if (output === 'csv') {
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="measures.csv"`).send(out.csv)
      }
      const rows = [...out.result.measures].sort((a, b) => b.betweenness - a.betweenness || (a.node < b.node ? -1 : 1)).slice(0, LIST_ROWS)
      return measuresPage(request, reply, { values, fileName, result: out, rows: rows.map((r) => ({ ...r, betweenness: rounded(r.betweenness, 2), pagerank: rounded(r.pagerank) })), more: Math.max(0, out.result.measures.length - LIST_ROWS) })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return fail(error.issues)
    }
  })

  // -------------------------------------------------------------------------------------------
  // API. The contract path is /api/network (the chart calls it); /api/v1/network is the same, beside the other modules.

  for (const base of ['/api/v1/network', '/api/network']) {
    const hide = base === '/api/network'
    api.get(
      base,
      {
        schema: {
          hide, tags: [TAG],
          summary: `The network around a person, entity or group that you may see, each node with its measures (at most ${NODE_CAP.toLocaleString('en-GB')} nodes; truncated says it was cut). Logged as a consultation; a start you may not see is 404 like one that does not exist`,
          querystring: NetworkQuery,
          response: { 200: NetworkOut },
        },
      },
      async (request) => {
        const { query: _q, betweennessMethod: _b, communities: _c, ...out } = await service.getNetwork(db, requireActor(request), request.query)
        return out
      },
    )

    api.get(
      `${base}/measures`,
      { schema: { hide, tags: [TAG], summary: 'Degree, betweenness, PageRank, eigenvector, clustering and Louvain community of every node of the network around a start, with the group boundaries community detection proposes and the people bridging mapped groups', querystring: NetworkQuery, response: { 200: MeasuresOut } } },
      async (request) => service.getMeasures(db, requireActor(request), request.query),
    )

    api.post(
      `${base}/key-players`,
      { schema: { hide, tags: [TAG], summary: 'Key players for disruption planning: the removals (greedy, best first) that most fragment a group’s current members, or the people of a start’s network', body: KeyPlayersInput, response: { 200: KeyPlayersOut } } },
      async (request) => service.getKeyPlayers(db, requireActor(request), request.body, ctx.now()),
    )

    api.get(
      `${base}/export`,
      {
        schema: {
          hide, tags: [TAG],
          summary: `The network around a start as ${EXPORT_FORMATS.join(', ')}, with its marking, the handling notice and every record's handling conditions in the file (logged as a disclosure with its purpose)`,
          querystring: z.object({ ...ExportQuery.shape, start: z.string().optional(), hops: z.string().optional(), from: z.string().optional(), to: z.string().optional(), types: z.string().optional().describe(`comma-separated: ${EDGE_TYPES.join(', ')}`), gradings: z.string().optional(), handling: z.string().optional() }),
        },
      },
      async (request, reply) => {
        const out = await service.exportNetworkFile(db, requireActor(request), request.query, ctx.now())
        return reply.type(out.contentType).header('content-disposition', `attachment; filename="${out.filename}"`).send(out.text)
      },
    )
  }
}
