import { parse } from 'csv-parse/sync'
import { csvFile, csvLine } from '../exports/csv.ts'
import { ValidationError, type FieldIssue } from '../errors.ts'
import type { Network, NetworkEdge, NetworkNode } from './graph.ts'
import type { NetworkMeasures } from './measures.ts'

// Bring your own network: call data, payments and associations arrive as edge lists. A CSV with a
// header naming `source` and `target` (any case, any order) and optionally `weight`; other columns
// are ignored. Every faulty row is reported, naming the file, the row (the header is row 1) and the
// column, so the analyst can fix the file in one pass rather than one fault at a time.
//
// A blank weight is 1. A weight must be a number of at least 0: it is a strength (calls, payments),
// and a negative strength has no meaning for any of the measures.
//
// A row whose source and target are the same node (a phone calling itself, usually an extraction
// fault) is kept, so the node appears in the output, but no measure counts it; the CLI says how
// many there were. Repeated rows between the same two nodes are kept as separate links here and
// collapsed, weights summed, when measured.

const MAX_ISSUES = 1000

/** Column letters as a spreadsheet shows them: 0 -> A, 26 -> AA. */
function columnLetter(index: number): string {
  let name = ''
  for (let i = index + 1; i > 0; i = Math.floor((i - 1) / 26)) name = String.fromCharCode(65 + ((i - 1) % 26)) + name
  return name
}

export function parseEdgeList(text: string, fileName: string, options: { directed?: boolean } = {}): Network {
  const directed = options.directed ?? false
  let records: { record: string[]; info: { lines: number } }[]
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true, trim: true }) as unknown as typeof records
  } catch (error) {
    const e = error as Error & { lines?: number }
    throw new ValidationError([{ field: e.lines ? `${fileName}, row ${e.lines}` : fileName, message: `the file cannot be read as CSV: ${e.message}` }])
  }
  if (records.length === 0) throw new ValidationError([{ field: fileName, message: 'the file is empty: it needs a header row naming the source and target columns, then one row per link' }])
  const header = records[0]!.record.map((h) => h.toLowerCase())
  const column = (name: string) => header.indexOf(name)
  const sourceAt = column('source')
  const targetAt = column('target')
  const weightAt = column('weight')
  const missing = [sourceAt < 0 ? 'source' : null, targetAt < 0 ? 'target' : null].filter((c): c is string => c !== null)
  if (missing.length > 0) {
    throw new ValidationError(
      missing.map((c) => ({ field: `${fileName}, row 1 (header)`, message: `there is no "${c}" column; the header must name source and target columns (and may name weight), but it reads "${records[0]!.record.join(',')}"` })),
    )
  }
  if (records.length === 1) throw new ValidationError([{ field: fileName, message: 'the file has a header but no links: add one row per link below it' }])

  const issues: FieldIssue[] = []
  let more = 0
  const fault = (row: number, at: number, name: string, message: string) => {
    if (issues.length < MAX_ISSUES) issues.push({ field: `${fileName}, row ${row}, column ${columnLetter(at)} ("${name}")`, message })
    else more++
  }
  const nodes: NetworkNode[] = []
  const seen = new Set<string>()
  const edges: NetworkEdge[] = []
  const nodeFor = (id: string) => {
    if (!seen.has(id)) {
      seen.add(id)
      nodes.push({ id, kind: 'Node', label: id })
    }
  }
  for (let i = 1; i < records.length; i++) {
    const { record, info } = records[i]!
    const row = info.lines
    const source = record[sourceAt] ?? ''
    const target = record[targetAt] ?? ''
    const weightText = weightAt >= 0 ? (record[weightAt] ?? '') : ''
    let ok = true
    if (source === '') {
      fault(row, sourceAt, 'source', 'the source is missing')
      ok = false
    }
    if (target === '') {
      fault(row, targetAt, 'target', 'the target is missing')
      ok = false
    }
    let weight = 1
    if (weightText !== '') {
      weight = Number(weightText)
      if (!Number.isFinite(weight) || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(weightText)) {
        fault(row, weightAt, 'weight', `the weight "${weightText}" is not a number`)
        ok = false
      } else if (weight < 0) {
        fault(row, weightAt, 'weight', `the weight ${weightText} is negative; a weight is a strength of at least 0`)
        ok = false
      }
    }
    if (!ok) continue
    nodeFor(source)
    nodeFor(target)
    edges.push({
      id: `row:${row}`,
      source,
      target,
      type: 'link',
      directed,
      weight,
      from: null,
      to: null,
      sources: [{ kind: 'edge_list', id: `${fileName}:${row}` }],
      grading: null,
      handlingCode: null,
      handlingConditions: null,
    })
  }
  if (more > 0) issues.push({ field: fileName, message: `and ${more.toLocaleString('en-GB')} more faulty row(s) not listed` })
  if (issues.length > 0) throw new ValidationError(issues)
  return { nodes, edges }
}

/** Six significant figures: enough to rank by, short enough to read. */
const figure = (x: number) => (Number.isInteger(x) ? x : Number(x.toPrecision(6)))

export function measuresCsv(result: NetworkMeasures): string {
  return csvFile([
    csvLine(['node', 'degree', 'betweenness', 'pagerank', 'community']),
    ...result.measures.map((m) => csvLine([m.node, m.degree, figure(m.betweenness), figure(m.pagerank), m.community])),
  ])
}
