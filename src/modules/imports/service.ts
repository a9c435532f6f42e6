import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Actor } from '../../core/access/actor.ts'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldIssue } from '../../core/errors.ts'
import { decodeCsvFile, readCsv, type CsvProblem, type CsvTable } from '../../core/imports/csv.ts'
import type { ImportKindDefinition } from '../../core/imports/fields.ts'
import { IMPORT_DEFINITIONS, isImportKind, type ImportKind } from '../../core/imports/kinds.ts'
import { suggestMapping, type Fault, type ImportPlan, type Mapping } from '../../core/imports/mapping.ts'
import { duplicateFaults, prepareFile, reportOf, type ImportReport, type PreparedRow } from '../../core/imports/rows.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem, asUser, type Tx } from '../../db/context.ts'
import { parseInput } from '../../http/validation.ts'
import { agencyOptions } from '../agencies/service.ts'
import { recordAudit } from '../audit/service.ts'
import * as entities from '../entities/service.ts'
import * as groups from '../groups/service.ts'
import * as intelligence from '../intelligence/service.ts'
import * as q from './queries.ts'
import { ImportRequest, MAX_FILE_BYTES } from './schema.ts'

// CSV imports of people, groups, group members and intelligence. Every row goes through the same
// parse and create functions the pages and the API use, so an imported record is checked, stored,
// shared and logged exactly as one entered by hand. A file is imported whole or not at all.

export type { ImportReport } from '../../core/imports/rows.ts'
export type { Fault, Mapping } from '../../core/imports/mapping.ts'

function mustWrite(actor: Actor) {
  if (!actor.capabilities.includes('records.write')) throw new ForbiddenError('Your role cannot record people, groups or intelligence, so it cannot import them')
}

// ---------------------------------------------------------------------------------------------
// Each kind of import: how a row is parsed, how it is created, and where the record is seen.

type Adapter = {
  /** Validates a row's input as the module does; throws ValidationError naming each faulty field. */
  parse: (input: Record<string, unknown>, now: Date) => unknown
  /** Creates the record in the caller's transaction, through the module's own function (which audits it). */
  create: (tx: Tx, actor: Actor, parsed: unknown, input: Record<string, unknown>) => Promise<string>
  link: (id: string, input: Record<string, unknown>) => string
  /** The field a "not found" or "not permitted" answer is about. */
  refusedField: string | null
  /** Whether the row asks to share beyond the actor's agency (which needs records.share). */
  shares: (parsed: unknown) => boolean
}

const sharesBeyondAgency = (parsed: unknown) => (parsed as { sharingScope?: string }).sharingScope !== 'agency'

const ADAPTERS: Record<ImportKind, Adapter> = {
  people: {
    parse: (input) => entities.parseEntityInput({ schema: 'Person', ...input }),
    create: (tx, actor, parsed) => entities.createEntityInTx(tx, actor, parsed as entities.EntityInput),
    link: (id) => `/entities/${id}`,
    refusedField: null,
    shares: sharesBeyondAgency,
  },
  groups: {
    parse: (input) => groups.parseGroupInput(input),
    create: (tx, actor, _parsed, input) => groups.createGroupInTx(tx, actor, input),
    link: (id) => `/groups/${id}`,
    refusedField: null,
    shares: sharesBeyondAgency,
  },
  memberships: {
    parse: (input) => {
      const { groupId, ...member } = input
      const issues: FieldIssue[] = []
      if (typeof groupId !== 'string') issues.push({ field: 'groupId', message: 'Enter the id of the group' })
      try {
        groups.parseMemberInput(member)
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error
        issues.push(...error.issues)
      }
      if (issues.length > 0) throw new ValidationError(issues)
      return input
    },
    create: (tx, actor, _parsed, input) => {
      const { groupId, ...member } = input
      return groups.addMemberInTx(tx, actor, groupId as string, member)
    },
    link: (_id, input) => `/groups/${String(input.groupId)}`,
    refusedField: 'groupId',
    shares: () => false,
  },
  intelligence: {
    parse: (input, now) => intelligence.parseIntelligenceInput(input, now),
    create: (tx, actor, parsed) => intelligence.createIntelligenceInTx(tx, actor, parsed as Parameters<typeof intelligence.createIntelligenceInTx>[2]),
    link: (id) => `/intelligence/${id}`,
    refusedField: null,
    shares: sharesBeyondAgency,
  },
}

export function definitionOf(kind: ImportKind): ImportKindDefinition {
  return IMPORT_DEFINITIONS[kind]
}

// ---------------------------------------------------------------------------------------------
// Running an import: check every row, then keep the records only if every row is clean.

/** Raised inside the transaction to roll it back: a dry run, or a file with faults. */
class RollBack extends Error {}

/** A database's refusal of one row (a constraint, a policy, a trigger), in words, without its internals. */
function databaseRefusal(error: unknown): string | null {
  const e = error as { code?: unknown; message?: unknown; constraint?: unknown }
  if (typeof e?.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code)) return null
  const message = typeof e.message === 'string' ? e.message : 'no reason given'
  switch (e.code) {
    case '23505':
      return 'The database refused this row: it would duplicate a record that already exists'
    case '23503':
      return 'The database refused this row: it points at a record that does not exist'
    case '23514':
      return `The database refused this row: it breaks the rule ${typeof e.constraint === 'string' ? `"${e.constraint}"` : 'on one of its values'}`
    case '42501':
      return 'The database refused this row: you are not permitted to record it'
    default:
      return `The database refused this row: ${message}`
  }
}

/** What went wrong creating one row, as faults; anything that is not about the row is thrown on. */
function rowFaults(error: unknown, row: PreparedRow, adapter: Adapter, plan: ImportPlan): Fault[] {
  const column = adapter.refusedField ? (plan.mapping[adapter.refusedField]?.column ?? null) : null
  const field = adapter.refusedField
  if (error instanceof ValidationError) return row.faultsFrom(error.issues)
  if (error instanceof NotFoundError) return [{ row: row.row, column, field, message: `No ${error.what.toLowerCase()} you are permitted to see has this id` }]
  if (error instanceof ForbiddenError) return [{ row: row.row, column, field, message: error.reason }]
  if (error instanceof ConflictError) return [{ row: row.row, column: null, field: null, message: error.message }]
  const refusal = databaseRefusal(error)
  if (refusal) return [{ row: row.row, column: null, field: null, message: refusal }]
  throw error
}

export type Created = { row: number; id: string; link: string }

/** A report of every fault; `committed` only when this was no dry run and every row went in. */
export type RunOutcome = { committed: boolean; report: ImportReport; created: Created[] }

type RunOptions = {
  commit: boolean
  now: Date
  fileName: string
  importId: string
  /** Work done in the import's transaction once every row is in (the page flow's receipt). */
  afterCommit?: (tx: Tx, created: Created[]) => Promise<void>
}

/**
 * Checks every row of a file and, when asked to commit and nothing is wrong, keeps what was made.
 *
 * Rows are first read and parsed by the module's own rules. Then, in ONE transaction as the user,
 * each row is created through the module's create function:
 * - a dry run (the "checking" pass) creates each row under a savepoint; a row the database or the
 *   module refuses (an entity the user cannot see, a member added twice, a constraint) is rolled
 *   back to its savepoint and reported, and the next row is tried, so one pass lists every fault;
 *   the transaction is then rolled back whole;
 * - a commit of a file whose rows all parsed goes without savepoints (they cost a fifth of the time)
 *   and commits only if every row went in. If one is refused, the transaction is rolled back whole,
 *   so a failure on row 900 leaves rows 2 to 899 unsaved, and a checking pass lists every fault.
 *
 * The dry run goes through the very functions the commit does, so a file that passes it fails on
 * commit only if the database changed in between. The price: like any transaction that writes audit
 * rows, it holds the audit chain's append lock until it ends, so other users' audited requests wait
 * while a very large file is checked or imported.
 */
export async function runImport(db: Database, actor: Actor, kind: ImportKind, table: CsvTable, plan: ImportPlan, options: RunOptions): Promise<RunOutcome> {
  mustWrite(actor)
  const definition = definitionOf(kind)
  const adapter = ADAPTERS[kind]
  const directory = (await agencyOptions(db, actor)).map((a) => ({ ...a, shortName: null }))
  const prepared = prepareFile(definition, table, plan, directory)
  if (!prepared.ok) return { committed: false, report: prepared.report, created: [] }

  const faults: Fault[] = []
  const parsed: Array<{ row: PreparedRow; value: unknown }> = []
  for (const row of prepared.rows) {
    faults.push(...row.faults)
    try {
      const value = adapter.parse(row.input, options.now)
      if (adapter.shares(value) && !actor.capabilities.includes('records.share')) {
        faults.push({ row: row.row, column: plan.mapping.sharingScope?.column ?? null, field: 'sharingScope', message: 'Your role cannot share records beyond your agency: share with your agency only' })
      } else if (row.faults.length === 0) {
        parsed.push({ row, value })
      }
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      faults.push(...row.faultsFrom(error.issues))
    }
  }
  const duplicates = duplicateFaults(definition, prepared.rows, plan)
  faults.push(...duplicates)
  const repeated = new Set(duplicates.map((d) => d.row))

  const rows = parsed.filter(({ row }) => !repeated.has(row.row))

  /** Creates the rows in one transaction; rolls it back unless `keep` says otherwise once all are in. */
  const pass = async (mode: 'checking' | 'committing'): Promise<{ created: Created[]; faults: Fault[]; kept: boolean }> => {
    const created: Created[] = []
    const found: Fault[] = []
    try {
      await asUser(db, actor, async (tx) => {
        for (const { row, value } of rows) {
          if (mode === 'committing') {
            // No savepoints: the first refusal ends the pass, and a checking pass then finds them all.
            try {
              const id = await adapter.create(tx, actor, value, row.input)
              created.push({ row: row.row, id, link: adapter.link(id, row.input) })
              continue
            } catch (error) {
              found.push(...rowFaults(error, row, adapter, plan))
              throw new RollBack()
            }
          }
          await sql`SAVEPOINT achilles_import_row`.execute(tx)
          try {
            const id = await adapter.create(tx, actor, value, row.input)
            await sql`RELEASE SAVEPOINT achilles_import_row`.execute(tx)
            created.push({ row: row.row, id, link: adapter.link(id, row.input) })
          } catch (error) {
            await sql`ROLLBACK TO SAVEPOINT achilles_import_row`.execute(tx)
            found.push(...rowFaults(error, row, adapter, plan))
          }
        }
        if (mode === 'checking') throw new RollBack()
        await recordAudit(tx, actor, {
          action: 'collection',
          recordType: q.RECORD_TYPE,
          recordId: options.importId,
          purpose: `Importing ${definition.noun} from a CSV file`,
          detail: { kind, rows: table.rows.length, fileName: options.fileName, created: created.length },
        })
        await options.afterCommit?.(tx, created)
      })
      return { created, faults: found, kept: true }
    } catch (error) {
      if (!(error instanceof RollBack)) throw error
      return { created: [], faults: found, kept: false }
    }
  }

  // A clean file is committed in one pass. A file with faults, or one whose commit is refused on a
  // row, is checked row by row under savepoints so that every fault is listed, and nothing is kept.
  if (options.commit && faults.length === 0) {
    const committing = await pass('committing')
    if (committing.kept) return { committed: true, report: reportOf(table.rows.length, [], table.headers), created: committing.created }
    const checking = await pass('checking')
    // The refusal may not repeat (a lock that timed out): it is reported all the same.
    const all = checking.faults.length > 0 ? checking.faults : committing.faults
    return { committed: false, report: reportOf(table.rows.length, all, table.headers), created: [] }
  }
  const checking = await pass('checking')
  return { committed: false, report: reportOf(table.rows.length, [...faults, ...checking.faults], table.headers), created: [] }
}

// ---------------------------------------------------------------------------------------------
// Reading the file and the mapping.

export type ReadFile = { table: CsvTable | null; problems: CsvProblem[] }

/** The file's table, or the problems that stop it being read (heading problems stop an import too). */
export function readFile(text: string): ReadFile {
  const reading = readCsv(text)
  return { table: reading.table, problems: reading.problems }
}

const fileFaults = (problems: readonly CsvProblem[]): Fault[] => problems.map((p) => ({ row: p.row, column: null, field: null, message: p.message }))

/** A mapping as the API sends it: "Heading" or {column, value}. */
export function mappingFromApi(raw: ImportRequest['mapping']): Mapping {
  const mapping: Mapping = {}
  for (const [key, entry] of Object.entries(raw ?? {})) {
    mapping[key] = typeof entry === 'string' ? { column: entry, value: null } : { column: entry.column ?? null, value: entry.value ?? null }
  }
  return mapping
}

// ---------------------------------------------------------------------------------------------
// The API: one request carries the file, the mapping and whether to commit.

export type ApiOutcome =
  | { status: 200; kind: ImportKind; dryRun: true; report: ImportReport; mapping: Mapping }
  | { status: 201; kind: ImportKind; importId: string; rows: number; created: Created[] }
  | { status: 422; kind: ImportKind; report: ImportReport }

export async function importCsv(db: Database, actor: Actor, kind: ImportKind, raw: unknown, now: Date): Promise<ApiOutcome> {
  mustWrite(actor)
  const request = parseInput(ImportRequest, raw)
  const { table, problems } = readFile(request.csv)
  const mapping = request.mapping ? mappingFromApi(request.mapping) : table ? suggestMapping(definitionOf(kind), table.headers) : {}
  if (!table || problems.length > 0) {
    const report = { rows: table?.rows.length ?? 0, valid: 0, faults: fileFaults(problems) }
    return request.dryRun ? { status: 200, kind, dryRun: true, report, mapping } : { status: 422, kind, report }
  }
  const importId = randomUUID()
  const outcome = await runImport(db, actor, kind, table, { mapping, ignoredColumns: request.ignoredColumns }, {
    commit: !request.dryRun,
    now,
    fileName: request.fileName ?? 'API import',
    importId,
  })
  if (request.dryRun) return { status: 200, kind, dryRun: true, report: outcome.report, mapping }
  if (!outcome.committed) return { status: 422, kind, report: outcome.report }
  return { status: 201, kind, importId, rows: outcome.report.rows, created: outcome.created }
}

// ---------------------------------------------------------------------------------------------
// The page flow: upload, map, check, import. The text waits in the imports table between steps.

export type UploadInput = { kind: unknown; fileName: string | null; bytes: Uint8Array | null; pasted: string | null; tooLarge: boolean }

/** Stores an uploaded or pasted file for the next steps, after clearing uploads older than a day. */
export async function uploadImport(db: Database, actor: Actor, input: UploadInput, now: Date): Promise<string> {
  mustWrite(actor)
  const issues: FieldIssue[] = []
  if (!isImportKind(input.kind)) issues.push({ field: 'kind', message: 'Choose what the file holds' })
  const hasFile = input.tooLarge || (input.bytes !== null && input.bytes.length > 0)
  const hasText = input.pasted !== null && input.pasted.trim() !== ''
  let text: string | null = null
  if (hasFile && hasText) {
    issues.push({ field: 'file', message: 'Upload a file or paste the text, not both' })
  } else if (input.tooLarge) {
    issues.push({ field: 'file', message: `The file must be smaller than ${MAX_FILE_BYTES / 1024 / 1024} MB: split it into smaller files` })
  } else if (hasFile) {
    const decoded = decodeCsvFile(input.bytes!)
    if ('problem' in decoded) issues.push({ field: 'file', message: decoded.problem })
    else text = decoded.text
  } else if (hasText) {
    if (input.pasted!.length > MAX_FILE_BYTES) issues.push({ field: 'csv', message: 'The pasted text must be smaller than 50 MB: upload a file instead' })
    else text = input.pasted!
  } else {
    issues.push({ field: 'file', message: 'Choose a CSV file to upload, or paste the text of one' })
  }
  if (text !== null && text.trim() === '') issues.push({ field: hasFile ? 'file' : 'csv', message: 'The file is empty' })
  if (issues.length > 0) throw new ValidationError(issues)
  const fileName = (hasFile ? input.fileName?.trim() : null) || 'Pasted text'
  await asSystem(db, (tx) => q.purgeExpired(tx, now))
  return asUser(db, actor, (tx) => q.insertImport(tx, { kind: input.kind as ImportKind, fileName: fileName.slice(0, 255), csvText: text!, createdBy: actor.userId, agencyId: actor.agencyId }))
}

async function ownImport(tx: Tx, actor: Actor, id: string, now: Date): Promise<q.ImportRow> {
  const found = await q.findImport(tx, actor.userId, id, now)
  if (!found || !isImportKind(found.kind)) throw new NotFoundError('Import')
  return found
}

export type ImportView = q.ImportRow & {
  kind: ImportKind
  definition: ImportKindDefinition
  table: CsvTable | null
  problems: CsvProblem[]
  /** The saved mapping, or the suggestions when none is saved yet. */
  plan: ImportPlan
}

/** An upload with its file read and its mapping (saved, or suggested from the headings). */
export async function getImport(db: Database, actor: Actor, id: string, now: Date): Promise<ImportView> {
  mustWrite(actor)
  const found = await asUser(db, actor, (tx) => ownImport(tx, actor, id, now))
  const kind = found.kind as ImportKind
  const definition = definitionOf(kind)
  const { table, problems } = found.csvText === null ? { table: null, problems: [] } : readFile(found.csvText)
  const plan: ImportPlan = found.mapping
    ? { mapping: found.mapping, ignoredColumns: found.ignoredColumns }
    : { mapping: table ? suggestMapping(definition, table.headers) : {}, ignoredColumns: [] }
  return { ...found, kind, definition, table, problems, plan }
}

export function recentImports(db: Database, actor: Actor, now: Date) {
  mustWrite(actor)
  return asUser(db, actor, (tx) => q.recentImports(tx, actor.userId, now))
}

/** The mapping as the form posts it: column-<field>, value-<field>, and the columns to leave out. */
export function planFromForm(definition: ImportKindDefinition, body: Record<string, unknown>, headers: readonly string[]): ImportPlan {
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : null)
  const mapping: Mapping = {}
  for (const field of definition.fields) {
    const column = text(body[`column-${field.key}`])
    const value = text(body[`value-${field.key}`])
    if (column || value) mapping[field.key] = { column, value: value?.trim() ?? null }
  }
  const ignored = body.ignore === undefined ? [] : [body.ignore].flat().filter((c): c is string => typeof c === 'string' && headers.includes(c))
  return { mapping, ignoredColumns: ignored }
}

export async function saveMapping(db: Database, actor: Actor, id: string, body: Record<string, unknown>, now: Date): Promise<void> {
  const view = await getImport(db, actor, id, now)
  if (view.status === 'imported') throw new ConflictError('This file has already been imported')
  const plan = planFromForm(view.definition, body, view.table?.headers ?? [])
  await asUser(db, actor, (tx) => q.saveMapping(tx, actor.userId, id, plan.mapping, plan.ignoredColumns))
}

/** The dry run of an upload with its saved mapping: every fault, nothing saved. */
export async function checkImport(db: Database, actor: Actor, id: string, now: Date): Promise<{ view: ImportView; report: ImportReport }> {
  const view = await getImport(db, actor, id, now)
  if (!view.table || view.problems.length > 0) return { view, report: { rows: view.table?.rows.length ?? 0, valid: 0, faults: fileFaults(view.problems) } }
  const outcome = await runImport(db, actor, view.kind, view.table, view.plan, { commit: false, now, fileName: view.fileName, importId: id })
  return { view, report: outcome.report }
}

/** Imports an upload: checks it again, and keeps every row or none. */
export async function commitImport(db: Database, actor: Actor, id: string, now: Date): Promise<{ view: ImportView; report: ImportReport; imported: boolean }> {
  const view = await getImport(db, actor, id, now)
  if (view.status === 'imported') return { view, report: { rows: view.result?.rows ?? 0, valid: view.result?.rows ?? 0, faults: [] }, imported: true }
  if (!view.table || view.problems.length > 0) return { view, report: { rows: view.table?.rows.length ?? 0, valid: 0, faults: fileFaults(view.problems) }, imported: false }
  const outcome = await runImport(db, actor, view.kind, view.table, view.plan, {
    commit: true,
    now,
    fileName: view.fileName,
    importId: id,
    afterCommit: async (tx, created) => {
      // Two clicks on "Import" must not import twice: the second finds the receipt and stops.
      if (!(await q.markImported(tx, actor.userId, id, { rows: view.table!.rows.length, created }, now))) throw new ConflictError('This file has already been imported')
    },
  })
  return { view, report: outcome.report, imported: outcome.committed }
}

export async function discardImport(db: Database, actor: Actor, id: string): Promise<void> {
  mustWrite(actor)
  const deleted = await asUser(db, actor, (tx) => q.deleteImport(tx, actor.userId, id))
  if (!deleted) throw new NotFoundError('Import')
}
