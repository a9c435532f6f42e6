import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { readBoundaries, type BoundaryArea } from '../../core/opendata/boundaries.ts'
import { LEVEL_NOUNS, LEVEL_PLURALS, type AreaLevel } from '../../core/opendata/codes.ts'
import { describeIgnored, mapColumns, type ColumnMap, type ColumnSpec } from '../../core/opendata/columns.ts'
import { isBlankRecord, type CsvRecord } from '../../core/opendata/csvRecords.ts'
import { DEPRIVATION_FILES, DeprivationReader, recogniseDeprivationFile, type DeprivationRow } from '../../core/opendata/deprivation.ts'
import { forceName, stopSearchFileName } from '../../core/opendata/forces.ts'
import { AreaIndex, bboxOf, polygonsOf, type Bbox } from '../../core/opendata/geometry.ts'
import { LOOKUP_FILES, LookupCollector, recogniseLookupFile, type LookupFileKind } from '../../core/opendata/lookups.ts'
import { readStopSearch, STOP_SEARCH_COLUMNS, type StopSearchRow } from '../../core/opendata/stopSearch.ts'
import { missingForceColumn, monthInFileName, STREET_CRIME_COLUMNS, StreetCrimeReader, type StreetCrimeRow } from '../../core/opendata/streetCrime.ts'
import { Tally } from '../../core/opendata/tally.ts'
import { controlCharacterCell } from '../../core/opendata/values.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem, type Tx } from '../../db/context.ts'
import { parseInput } from '../../http/validation.ts'
import { listSources, readJsonFile, Refusal, streamCsv, type SourceFile, type SourceRule } from './files.ts'
import * as q from './queries.ts'
import { OpenDataImportRequest, type OpenDataKind, type OpenDataReport } from './schema.ts'

// Imports of public data for local profiles: data.police.uk street-level crime and stop and
// search, the English Indices of Deprivation 2019, ONS boundaries and lookups.
//
// The rule for faults, the same for every kind:
// - A file that is not of the kind asked for (a stop-and-search file given as street-level crime,
//   a CSV without the columns, GeoJSON with no usable boundary), or that cannot be read (not
//   UTF-8, a quote never closed), refuses the whole import: nothing of any file is kept, and the
//   message names the file and what it lacks.
// - A row that cannot be a real record (an impossible month, a position outside the UK, a rank out
//   of range) is rejected: it is not loaded, and the report counts it under its reason with its
//   file and row number, every one of them. The other rows load.
// - With --strict, any rejected row refuses the whole import instead.
// - Rows loaded as they are but worth knowing about (no location, an LSOA code no loaded area has,
//   a category data.police.uk does not use) are noted with their count and first rows.
// Everything happens in one transaction, so an import is kept whole or not at all, and each run,
// loaded or refused, is recorded in open_data_imports.
//
// No audit row is written: the audit log records access to personal data (DPA 2018 s.62), and
// this data is published, aggregate or anonymised; open_data_imports is its record.

export type { OpenDataReport } from './schema.ts'

export type ImportHooks = {
  now: Date
  /**
   * Street-level crime only: whether to drop the table's indexes for the load and build them
   * again after it. 'auto' (the default) does when the load is at least as large as what the table
   * holds (see importStreetCrime); the benchmark forces either to measure both.
   */
  indexes?: 'auto' | 'keep' | 'rebuild'
  /** Who ran it, as open_data_imports records it ("command line (alice)"). */
  importedBy: string
  /** Bytes of the files read so far, of the total. */
  onProgress?: (done: number, total: number) => void
}

/**
 * Rows a street-level batch holds: one INSERT each. Measured on the PostgreSQL server with the
 * Leicestershire months: 5,000 gave 56,000 rows/s, 20,000 about 55,000, 50,000 63,000 (the
 * figures move by ±10% from run to run on this machine); larger batches hold more memory for
 * little more, so 20,000 (about 4 MB of text).
 */
export const BATCH_ROWS = 20_000

const SOURCES: Record<OpenDataKind, SourceRule> = {
  'police-crime': { extensions: ['.csv', '.csv.gz'], preferred: /-street\.csv(\.gz)?$/i },
  'stop-search': { extensions: ['.csv', '.csv.gz'], preferred: /-stop-and-search\.csv(\.gz)?$/i },
  boundaries: { extensions: ['.geojson', '.json', '.geojson.gz'] },
  imd: { extensions: ['.csv', '.csv.gz'] },
  lookups: { extensions: ['.csv', '.csv.gz'] },
}

const TABLES: Record<OpenDataKind, string[]> = {
  'police-crime': ['street_crimes'],
  'stop-search': ['stop_searches'],
  boundaries: ['areas', 'area_lsoas', 'area_parents'],
  imd: ['deprivation'],
  lookups: ['areas', 'area_lsoas', 'area_parents'],
}

class DryRun extends Error {}

/** A file found in a folder that turns out, by its headings, not to be of the kind: left out, not refused. */
class NotOfTheKind extends Error {}

type FileReport = OpenDataReport['files'][number]

/** One run's files, counts and findings. */
class Run {
  readonly tally = new Tally()
  readonly files: FileReport[] = []
  readonly replaced: Array<{ what: string; rows: number }> = []
  readonly details: string[] = []
  private bytesBefore = 0
  readonly totalBytes: number
  private readonly started = performance.now()

  constructor(
    readonly db: Database,
    readonly id: string,
    readonly request: OpenDataImportRequest,
    readonly sources: SourceFile[],
    readonly skippedFiles: string[],
    readonly hooks: ImportHooks,
  ) {
    this.totalBytes = sources.reduce((n, f) => n + f.bytes, 0)
  }

  /** Forgets a file found in a folder that is not of the kind, and lists it as left out. */
  leaveOut(file: SourceFile, why: string): void {
    this.files.splice(this.files.findIndex((f) => f.path === file.path), 1)
    this.skippedFiles.push(`${file.label} (${why})`)
    this.finishFile(file)
  }

  startFile(file: SourceFile): FileReport {
    const report: FileReport = { path: file.path, label: file.label, rows: 0, loaded: 0, rejected: 0, skipped: 0, detail: null }
    this.files.push(report)
    return report
  }

  progress(bytesOfFile: number): void {
    this.hooks.onProgress?.(this.bytesBefore + bytesOfFile, this.totalBytes)
  }

  finishFile(file: SourceFile): void {
    this.bytesBefore += file.bytes
    this.hooks.onProgress?.(this.bytesBefore, this.totalBytes)
  }

  sum(key: 'rows' | 'loaded' | 'rejected' | 'skipped'): number {
    return this.files.reduce((n, f) => n + f[key], 0)
  }

  report(status: OpenDataReport['status'], refusal: Refusal | null): OpenDataReport {
    return {
      importId: this.id,
      kind: this.request.kind,
      status,
      unit: this.request.kind === 'boundaries' ? 'feature' : 'row',
      files: this.files,
      rowsRead: this.sum('rows'),
      rowsLoaded: status === 'refused' ? 0 : this.sum('loaded'),
      rowsRejected: this.sum('rejected'),
      rowsSkipped: this.sum('skipped'),
      rejected: this.tally.rejectionSummary(),
      notes: this.tally.noteSummary(),
      replaced: status === 'refused' ? [] : this.replaced,
      details: this.details,
      skippedFiles: this.skippedFiles,
      refusal: refusal ? { file: refusal.file, row: refusal.row, message: refusal.message } : null,
      seconds: Math.round(performance.now() - this.started) / 1000,
    }
  }
}

/**
 * Imports public files of one kind, all or nothing (see the rule above). Returns the report;
 * a refused import is reported with status "refused" and nothing kept, not thrown.
 */
export async function importOpenData(db: Database, input: unknown, hooks: ImportHooks): Promise<OpenDataReport> {
  const request = parseInput(OpenDataImportRequest, input)
  const id = randomUUID()
  let sources: { files: SourceFile[]; skipped: string[] }
  try {
    sources = listSources(request.paths, SOURCES[request.kind])
  } catch (error) {
    if (!(error instanceof Refusal)) throw error
    const run = new Run(db, id, request, [], [], hooks)
    return recordRefusal(db, run, error, request.paths)
  }
  const run = new Run(db, id, request, sources.files, sources.skipped, hooks)
  try {
    await asSystem(db, async (tx) => {
      await q.lockKind(tx, request.kind)
      await q.insertRun(tx, { id, kind: request.kind, sources: sources.files.map((f) => f.path), importedBy: hooks.importedBy })
      await IMPORTERS[request.kind](tx, run)
      const rejected = run.sum('rejected')
      if (request.strict && rejected > 0) {
        throw new Refusal(`${rejected.toLocaleString('en-GB')} ${request.kind === 'boundaries' ? 'feature' : 'row'}(s) were rejected and --strict refuses the whole import when any is, so nothing was imported`)
      }
      await q.finishRun(tx, id, { read: run.sum('rows'), loaded: run.sum('loaded'), rejected, report: run.report('loaded', null) })
      if (request.dryRun) throw new DryRun()
    })
  } catch (error) {
    if (error instanceof DryRun) return run.report('dry-run', null)
    if (error instanceof BatchError && !isDatabaseError(error.cause)) throw error.cause
    const refusal = error instanceof Refusal ? error : databaseRefusal(error)
    if (!refusal) throw error
    return recordRefusal(db, run, refusal, sources.files.map((f) => f.path))
  }
  await q.analyse(db, TABLES[request.kind])
  return run.report('loaded', null)
}

async function recordRefusal(db: Database, run: Run, refusal: Refusal, sources: string[]): Promise<OpenDataReport> {
  const report = run.report('refused', refusal)
  await asSystem(db, async (tx) => {
    await q.insertRun(tx, { id: run.id, kind: run.request.kind, sources, importedBy: run.hooks.importedBy, outcome: 'refused' })
    await q.finishRun(tx, run.id, { read: report.rowsRead, loaded: 0, rejected: report.rowsRejected, report })
  })
  return report
}

/** A batch the database refused: which files its rows came from. */
class BatchError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly files: string[],
  ) {
    super((cause as Error).message)
  }
}

const isDatabaseError = (e: unknown) => typeof (e as { code?: unknown })?.code === 'string' && /^[0-9A-Z]{5}$/.test((e as { code: string }).code)

/**
 * A database's refusal (a constraint the readers should have caught first) in words, naming the
 * files whose rows it refused; null when the error is not the database's.
 */
function databaseRefusal(error: unknown): Refusal | null {
  const files = error instanceof BatchError ? error.files : []
  const cause = error instanceof BatchError ? error.cause : error
  if (!isDatabaseError(cause)) return null
  const e = cause as { message?: unknown }
  const where = files.length > 0 ? ` a batch of rows from ${files.join(', ')}` : ' the import'
  return new Refusal(`The database refused${where}: ${String(e.message)}. Nothing was imported`, files[0] ?? null)
}

/**
 * Keeps one statement in flight while the next batch is read, so on a PostgreSQL server the
 * server inserts one batch while this process parses the next (two cores at work instead of one
 * at a time). On PGlite, which runs on this thread, it changes nothing.
 */
class Pipeline {
  private pending: Promise<unknown> | null = null

  async start(work: Promise<unknown>): Promise<void> {
    await this.drain()
    // Seen at the next drain; until then the rejection must not count as unhandled.
    work.catch(() => undefined)
    this.pending = work
  }

  async drain(): Promise<void> {
    const p = this.pending
    this.pending = null
    if (p) await p
  }
}

// ---------------------------------------------------------------------------------------------
// What a file looks like, for the message that refuses it

const LOOKS_LIKE: Array<{ kind: OpenDataKind; test: (headings: readonly string[]) => boolean; what: string }> = [
  { kind: 'police-crime', test: (h) => complete(STREET_CRIME_COLUMNS, h), what: 'a data.police.uk street-level crime file (achilles import police-crime)' },
  { kind: 'stop-search', test: (h) => complete(STOP_SEARCH_COLUMNS, h), what: 'a data.police.uk stop-and-search file (achilles import stop-search)' },
  { kind: 'imd', test: (h) => recogniseDeprivationFile(h).kind !== null, what: 'an English Indices of Deprivation 2019 file (achilles import imd)' },
  { kind: 'lookups', test: (h) => recogniseLookupFile(h).kind !== null, what: 'an ONS lookup (achilles import lookups)' },
]

function complete(specs: readonly ColumnSpec[], headings: readonly string[]): boolean {
  const m = mapColumns(specs, headings)
  return m.missing.length === 0 && (specs !== STREET_CRIME_COLUMNS || !missingForceColumn(m))
}

function looksLike(headings: readonly string[], except: OpenDataKind): string {
  const other = LOOKS_LIKE.find((l) => l.kind !== except && l.test(headings))
  return other ? ` It looks like ${other.what}.` : ''
}

/** The columns of a file of a fixed layout, or the refusal that names those it lacks. */
function columnsOf(file: SourceFile, specs: readonly ColumnSpec[], headings: readonly string[], run: Run, what: string, extraMissing: string[] = []): ColumnMap {
  const columns = mapColumns(specs, headings)
  const lacks = [...columns.missing.map((s) => `"${s.heading}"`), ...extraMissing]
  if (lacks.length > 0) {
    const list = lacks.length === 1 ? lacks[0] : `${lacks.slice(0, -1).join(', ')} and ${lacks[lacks.length - 1]}`
    throw new Refusal(`${file.label} is not ${what}: it has no column ${list}.${looksLike(headings, run.request.kind)} Nothing was imported`, file.label, 1)
  }
  refuseAmbiguous(file, columns)
  noteIgnored(file, columns, run)
  return columns
}

function refuseAmbiguous(file: SourceFile, columns: ColumnMap): void {
  const a = columns.ambiguous[0]
  if (a) throw new Refusal(`${file.label} has more than one column for the same thing (${a.headings.map((h) => `"${h}"`).join(' and ')}): remove or rename one of them`, file.label, 1)
}

function noteIgnored(file: SourceFile, columns: ColumnMap, run: Run): void {
  if (columns.ignored.length > 0) run.tally.fileNote(file.label, `Columns not read: ${describeIgnored(columns.ignored)}`)
}

/** Rejects a row the splitter found a control character in; true when it did. */
function hasControlCharacter(run: Run, file: SourceFile, record: CsvRecord, headings: readonly string[]): boolean {
  if (!record.control) return false
  const at = controlCharacterCell(record.cells)
  run.tally.reject(file.label, record.row, 'Value holds a control character', at >= 0 ? (headings[at] ?? null) : null, null)
  return true
}

/**
 * Streams a file's records: the first is its headings; after it each non-blank row is counted, a
 * row holding a control character is rejected, and the rest go to `row`. Resolves true when the
 * file had a row of headings.
 */
async function streamDataRows(
  file: SourceFile,
  run: Run,
  stat: FileReport,
  handle: { headings: (cells: string[]) => void; row: (record: CsvRecord) => void | Promise<void> },
): Promise<boolean> {
  let headings: string[] | null = null
  await streamCsv(
    file,
    async (records) => {
      for (const record of records) {
        if (headings === null) {
          handle.headings(record.cells)
          headings = record.cells
          continue
        }
        if (isBlankRecord(record.cells)) continue
        stat.rows++
        if (hasControlCharacter(run, file, record, headings)) {
          stat.rejected++
          continue
        }
        // Only the rows that write a batch wait: a promise per row would slow a national load.
        const pending = handle.row(record)
        if (pending) await pending
      }
    },
    (bytes) => run.progress(bytes),
  )
  return headings !== null
}

// ---------------------------------------------------------------------------------------------
// The importers

const IMPORTERS: Record<OpenDataKind, (tx: Tx, run: Run) => Promise<void>> = {
  'police-crime': importStreetCrime,
  'stop-search': importStopSearch,
  boundaries: importBoundaries,
  imd: importDeprivation,
  lookups: importLookups,
}

type MonthKey = { reportedBy: string; fallsWithin: string; month: string }
const describeMonth = (k: MonthKey) => `${k.reportedBy}${k.fallsWithin === k.reportedBy ? '' : ` (falls within ${k.fallsWithin})`}, ${k.month.slice(0, 7)}`

/** Bytes a street-level row takes in data.police.uk's files, near enough (43.3 MB for Leicestershire's 188,175). */
const BYTES_PER_STREET_ROW = 230

async function importStreetCrime(tx: Tx, run: Run): Promise<void> {
  // A load at least twice the size of what the table holds (the first load, above all) is faster
  // with the indexes dropped and built again at the end: one sort instead of a search per row and
  // index (measured, bench/README.md). Re-importing as much as the table holds is not: the rows it
  // replaces must be deleted, then the indexes built over old and new. The price of dropping is
  // that DROP INDEX holds the table to itself until the import commits, so profiles wait for it;
  // a smaller load, such as next month's files, keeps the indexes and leaves the table readable.
  const mode = run.hooks.indexes ?? 'auto'
  const estimatedNew = run.totalBytes / BYTES_PER_STREET_ROW
  const rebuild = mode === 'rebuild' || (mode === 'auto' && estimatedNew >= 2 * (await q.estimatedRows(tx, 'street_crimes')))
  const indexes = rebuild ? await q.indexesOf(tx, 'street_crimes') : []
  if (rebuild) {
    await q.dropIndexes(tx, indexes)
    run.details.push(`The load was at least twice the size of what street_crimes held, so its ${indexes.length} indexes were dropped for it and built again after`)
  }
  const loadedMonths: MonthKey[] = []
  const known = await q.lsoaCodes(tx)
  const knownLsoas = known.size > 0 ? known : null
  run.details.push(
    knownLsoas
      ? `LSOA codes checked against the ${known.size.toLocaleString('en-GB')} LSOAs loaded`
      : 'No LSOAs are loaded yet, so LSOA codes were checked for their form only (import the lookups or the LSOA boundaries to check them against the real list)',
  )
  // Which file brought each force's month: the first batch with it deletes what an earlier import
  // left of it, and a second file with the same month would double it, so it is refused.
  const owners = new Map<string, string>()
  let newMonths: MonthKey[] = []
  let batch = new q.StreetCrimeBatch()
  let batchFiles = new Set<string>()
  const pipe = new Pipeline()

  const flush = async () => {
    if (batch.size === 0) return
    const rows = batch
    const months = newMonths
    const files = [...batchFiles]
    batch = new q.StreetCrimeBatch()
    newMonths = []
    batchFiles = new Set()
    const insert = q.streetCrimesInsert(run.id, rows)
    await pipe.drain()
    if (rebuild) loadedMonths.push(...months)
    else {
      for (const k of months) {
        const n = await q.deleteStreetMonth(tx, k)
        if (n > 0) run.replaced.push({ what: describeMonth(k), rows: n })
      }
    }
    await pipe.start(
      insert.execute(tx).catch((error: unknown) => {
        throw new BatchError(error, files)
      }),
    )
  }

  for (const file of run.sources) {
    const stat = run.startFile(file)
    let reader: StreetCrimeReader | null = null
    let last: StreetCrimeRow | null = null
    const hadHeadings = await streamDataRows(file, run, stat, {
      headings: (cells) => {
        const columns = columnsOf(file, STREET_CRIME_COLUMNS, cells, run, 'a data.police.uk street-level crime file', missingForceColumn(mapColumns(STREET_CRIME_COLUMNS, cells)) ? ['"Falls within" (or "Reported by")'] : [])
        reader = new StreetCrimeReader({ file: file.label, columns, tally: run.tally, now: run.hooks.now, knownLsoas, fileMonth: monthInFileName(file.name) })
      },
      row: (record) => {
        const row = reader!.read(record.cells, record.row)
        if (!row) {
          stat.rejected++
          return
        }
        // Most rows are of the same force and month as the row before them.
        if (!last || row.month !== last.month || row.reportedBy !== last.reportedBy || row.fallsWithin !== last.fallsWithin) {
          const key = `${row.reportedBy}\u0000${row.fallsWithin}\u0000${row.month}`
          const owner = owners.get(key)
          if (owner === undefined) {
            owners.set(key, file.label)
            newMonths.push({ reportedBy: row.reportedBy, fallsWithin: row.fallsWithin, month: row.month })
          } else if (owner !== file.label) {
            throw new Refusal(
              `${file.label} and ${owner} both hold ${describeMonth(row)}: a force's month is replaced as a whole when it is imported, so importing both would count it twice. Import one of them. Nothing was imported`,
              file.label,
              record.row,
            )
          }
          last = row
        }
        batch.add(row)
        batchFiles.add(file.label)
        stat.loaded++
        return batch.size >= BATCH_ROWS ? flush() : undefined
      },
    })
    if (!hadHeadings) throw new Refusal(`${file.label} is empty: a street-level crime file starts with a row of headings`, file.label)
    run.finishFile(file)
  }
  await flush()
  await pipe.drain()
  if (rebuild) {
    for (const gone of await q.deleteEarlierMonths(tx, run.id, loadedMonths)) run.replaced.push({ what: describeMonth(gone), rows: gone.rows })
    await q.createIndexes(tx, indexes, run.db.engine)
  }
}

async function importStopSearch(tx: Tx, run: Run): Promise<void> {
  const request = run.request as Extract<OpenDataImportRequest, { kind: 'stop-search' }>
  const owners = new Map<string, string>()
  for (const file of run.sources) {
    const stat = run.startFile(file)
    const named = stopSearchFileName(file.name)
    const force = request.force ? forceName(request.force) : named.force
    if (!force) {
      const why = named.forceId
        ? `its name gives the force "${named.forceId}", which is not one data.police.uk publishes for`
        : 'its name is not a data.police.uk stop-and-search file name (YYYY-MM-force-stop-and-search.csv), and the files name no force inside'
      throw new Refusal(`${file.label} names no force: ${why}. Name the force with --force. Nothing was imported`, file.label)
    }
    stat.detail = `${force} (${request.force ? 'from --force' : 'from the file name'}), ${named.month ? named.month.slice(0, 7) : 'each search under its own month in UK time'}`
    let columns: ColumnMap | null = null
    const rows: StopSearchRow[] = []
    const rowNumbers: number[] = []
    const hadHeadings = await streamDataRows(file, run, stat, {
      headings: (cells) => {
        columns = columnsOf(file, STOP_SEARCH_COLUMNS, cells, run, 'a data.police.uk stop-and-search file')
      },
      row: (record) => {
        const row = readStopSearch({ file: file.label, columns: columns!, tally: run.tally, fileMonth: named.month }, record.cells, record.row)
        if (!row) {
          stat.rejected++
          return
        }
        rows.push(row)
        rowNumbers.push(record.row)
      },
    })
    if (!hadHeadings) throw new Refusal(`${file.label} is empty: a stop-and-search file starts with a row of headings`, file.label)
    await placeInLsoas(tx, run, file, rows, rowNumbers)

    const byMonth = new Map<string, StopSearchRow[]>()
    for (const r of rows) byMonth.set(r.month, [...(byMonth.get(r.month) ?? []), r])
    for (const [month, list] of byMonth) {
      const key = `${force}\u0000${month}`
      const owner = owners.get(key)
      if (owner !== undefined) {
        throw new Refusal(`${file.label} and ${owner} both hold ${force}'s stop and search for ${month.slice(0, 7)}: a force's month is replaced as a whole, so import one of them. Nothing was imported`, file.label)
      }
      owners.set(key, file.label)
      const n = await q.deleteStopSearchMonth(tx, force, month)
      if (n > 0) run.replaced.push({ what: `${force}, ${month.slice(0, 7)}`, rows: n })
      for (let i = 0; i < list.length; i += 5_000) await q.insertStopSearches(tx, run.id, force, list.slice(i, i + 5_000))
    }
    stat.loaded = rows.length
    run.finishFile(file)
  }
}

/**
 * Files each located search under the loaded LSOA boundary that holds it: data.police.uk gives
 * stop and search a position but no LSOA, and profiles count by LSOA.
 */
async function placeInLsoas(tx: Tx, run: Run, file: SourceFile, rows: StopSearchRow[], rowNumbers: number[]): Promise<void> {
  const located = rows.map((r, i) => ({ r, row: rowNumbers[i]! })).filter(({ r }) => r.lsoaCode === null && r.longitude !== null && r.latitude !== null)
  if (located.length === 0) return
  const box: Bbox = [Infinity, Infinity, -Infinity, -Infinity]
  for (const { r } of located) {
    box[0] = Math.min(box[0], r.longitude!)
    box[1] = Math.min(box[1], r.latitude!)
    box[2] = Math.max(box[2], r.longitude!)
    box[3] = Math.max(box[3], r.latitude!)
  }
  const lsoas = await q.areasWithin(tx, 'lsoa', box)
  if (lsoas.length === 0) {
    run.tally.fileNote(file.label, 'No LSOA boundaries loaded cover its searches: they are kept in no LSOA. Import the LSOA boundaries (achilles import boundaries FILE --level lsoa), then this file again')
    return
  }
  const index = new AreaIndex<string>()
  for (const a of lsoas) index.add(a.code, polygonsOf(a.geometry))
  let placed = 0
  for (const { r, row } of located) {
    const code = index.containing(r.longitude!, r.latitude!)[0]
    if (code) {
      r.lsoaCode = code
      placed++
    } else {
      run.tally.note(file.label, row, 'Position is in none of the LSOA boundaries loaded: kept, in no LSOA', null, `${r.longitude}, ${r.latitude}`)
    }
  }
  run.details.push(`${file.label}: ${placed.toLocaleString('en-GB')} of ${located.length.toLocaleString('en-GB')} located searches placed in an LSOA by the boundaries loaded`)
}

/** Geometry is written in batches of about this much JSON, so one statement stays a few megabytes. */
const GEOMETRY_BATCH_CHARS = 4_000_000

async function importBoundaries(tx: Tx, run: Run): Promise<void> {
  const request = run.request as Extract<OpenDataImportRequest, { kind: 'boundaries' }>
  const level = request.level
  const all: BoundaryArea[] = []
  const seen = new Map<string, string>()
  for (const file of run.sources) {
    const stat = run.startFile(file)
    const json = readJsonFile(file)
    run.progress(file.bytes)
    const reading = readBoundaries(json, { level, file: file.label, tally: run.tally, codeProperty: request.codeProperty, nameProperty: request.nameProperty })
    if (!reading.ok) throw new Refusal(`${file.label}: ${reading.message}. Nothing was imported`, file.label)
    const areas: BoundaryArea[] = []
    reading.areas.forEach((a, i) => {
      const other = seen.get(a.code)
      if (other) run.tally.reject(file.label, i + 1, 'Its code is given again by an earlier file: that one was loaded', null, `${a.code} (in ${other})`)
      else {
        seen.set(a.code, file.label)
        areas.push(a)
      }
    })
    stat.rows = reading.features
    stat.loaded = areas.length
    stat.rejected = reading.features - areas.length
    const system = reading.system === 'bng' ? `British National Grid (EPSG:27700, ${reading.systemFrom === 'crs' ? 'from its crs member' : 'from the size of its coordinates'}), converted to WGS84` : `WGS84 longitude and latitude${reading.systemFrom === 'crs' ? '' : ' (no crs member; from the size of its coordinates)'}`
    stat.detail = `${system}; codes from "${reading.codeProperty}", ${reading.nameProperty ? `names from "${reading.nameProperty}"` : 'no name property (codes used as names)'}`
    const clash = await q.codesAtOtherLevels(tx, areas.map((a) => a.code), level)
    if (clash[0]) throw new Refusal(`${file.label}: the code ${clash[0].code} is already loaded as a ${clash[0].level}, not a ${LEVEL_NOUNS[level]}. Nothing was imported`, file.label)
    let chunk: BoundaryArea[] = []
    let chars = 0
    const write = async () => {
      await q.upsertAreas(tx, chunk.map((a) => ({ code: a.code, level, name: a.name, geometry: a.geometry, bbox: a.bbox, centroid: a.centroid })), true)
      chunk = []
      chars = 0
    }
    for (const a of areas) {
      chunk.push(a)
      chars += JSON.stringify(a.geometry).length
      if (chars >= GEOMETRY_BATCH_CHARS) await write()
    }
    if (chunk.length > 0) await write()
    all.push(...areas)
    run.finishFile(file)
  }
  const codes = all.map((a) => a.code)
  if (level === 'lsoa') {
    await q.addLsoaSelfMembership(tx, codes)
    await placeLsoasInWards(tx, run, all)
  } else if (level === 'ward') {
    await placeWardLsoas(tx, run, all)
    const placements = all.filter((a) => a.parentCode).map((a) => ({ code: a.code, parent: a.parentCode! }))
    await q.replaceParents(tx, codes, 'local_authority', placements)
  } else {
    // The LSOAs of authorities and force areas come from the ONS lookups, which are exact; a
    // boundary only draws the area.
    const counts = await q.lsoaCounts(tx, codes)
    const without = codes.filter((c) => !counts.get(c))
    if (without.length > 0) {
      run.details.push(`${without.length.toLocaleString('en-GB')} of these ${LEVEL_PLURALS[level]} have no LSOAs known yet (${without.slice(0, 5).join(', ')}${without.length > 5 ? ', …' : ''}): import the ONS lookups (achilles import lookups) to fill them`)
    }
  }
}

/**
 * Wards' LSOAs: each LSOA whose point inside lies within the ward. The ONS publishes no LSOA to
 * ward lookup that holds exactly (2011 LSOAs are not nested in today's wards), so an LSOA split
 * by a ward boundary counts wholly in the ward that holds most of it, near enough, and ward
 * figures are still sums of LSOAs'.
 */
async function placeWardLsoas(tx: Tx, run: Run, wards: BoundaryArea[]): Promise<void> {
  const index = new AreaIndex<string>()
  for (const w of wards) index.add(w.code, polygonsOf(w.geometry), w.bbox)
  const box = unionBox(wards.map((w) => w.bbox))
  const lsoas = await q.lsoaPointsWithin(tx, box)
  const pairs: Array<{ ward: string; lsoa: string }> = []
  for (const l of lsoas) for (const ward of index.containing(l.lon, l.lat)) pairs.push({ ward, lsoa: l.code })
  await q.replaceWardMembers(tx, { wards: wards.map((w) => w.code) }, pairs)
  const filled = new Set(pairs.map((p) => p.ward)).size
  run.details.push(
    lsoas.length === 0
      ? 'No LSOA boundaries are loaded where these wards are, so the wards hold no LSOAs yet: import the LSOA boundaries (--level lsoa) and they are placed'
      : `${filled.toLocaleString('en-GB')} of ${wards.length.toLocaleString('en-GB')} wards hold LSOAs (${pairs.length.toLocaleString('en-GB')} LSOAs placed by their point inside)`,
  )
}

async function placeLsoasInWards(tx: Tx, run: Run, lsoas: BoundaryArea[]): Promise<void> {
  const wards = await q.areasWithin(tx, 'ward', bboxOf(lsoas.map((l) => [[[l.centroid[0], l.centroid[1]]]])))
  if (wards.length === 0) return
  const index = new AreaIndex<string>()
  for (const w of wards) index.add(w.code, polygonsOf(w.geometry))
  const pairs: Array<{ ward: string; lsoa: string }> = []
  for (const l of lsoas) for (const ward of index.containing(l.centroid[0], l.centroid[1])) pairs.push({ ward, lsoa: l.code })
  await q.replaceWardMembers(tx, { lsoas: lsoas.map((l) => l.code) }, pairs)
  run.details.push(`${new Set(pairs.map((p) => p.lsoa)).size.toLocaleString('en-GB')} of these LSOAs placed in the ${wards.length.toLocaleString('en-GB')} wards loaded around them`)
}

function unionBox(boxes: readonly Bbox[]): Bbox {
  return boxes.reduce<Bbox>((u, b) => [Math.min(u[0], b[0]), Math.min(u[1], b[1]), Math.max(u[2], b[2]), Math.max(u[3], b[3])], [Infinity, Infinity, -Infinity, -Infinity])
}

async function importDeprivation(tx: Tx, run: Run): Promise<void> {
  for (const file of run.sources) {
    const stat = run.startFile(file)
    let reader: DeprivationReader | null = null
    let kind: keyof typeof DEPRIVATION_FILES | null = null
    let rows: DeprivationRow[] = []
    const write = async () => {
      await q.upsertDeprivation(tx, kind!, run.id, rows)
      rows = []
    }
    const read = streamDataRows(file, run, stat, {
      headings: (cells) => {
        const recognised = recogniseDeprivationFile(cells)
        if (recognised.kind === null && !file.named) throw new NotOfTheKind()
        if (recognised.kind === null) throw new Refusal(`${file.label}: ${recognised.message}.${looksLike(cells, 'imd')} Nothing was imported`, file.label, 1)
        refuseAmbiguous(file, recognised.columns)
        kind = recognised.kind
        stat.detail = DEPRIVATION_FILES[kind].title
        reader = new DeprivationReader(kind, recognised.columns, file.label, run.tally)
      },
      row: (record) => {
        const row = reader!.read(record.cells, record.row)
        if (!row) {
          stat.rejected++
          return
        }
        rows.push(row)
        stat.loaded++
        return rows.length >= 5_000 ? write() : undefined
      },
    })
    if (await leftOut(read, run, file, 'not an IoD 2019 file this import reads')) continue
    if (!(await read)) throw new Refusal(`${file.label} is empty: an IoD 2019 file starts with a row of headings`, file.label)
    if (rows.length > 0) await write()
    run.finishFile(file)
  }
}

/** Waits for a file's reading; true when it was left out as not of the kind. */
async function leftOut(reading: Promise<unknown>, run: Run, file: SourceFile, why: string): Promise<boolean> {
  try {
    await reading
    return false
  } catch (error) {
    if (!(error instanceof NotOfTheKind)) throw error
    run.leaveOut(file, why)
    return true
  }
}

async function importLookups(tx: Tx, run: Run): Promise<void> {
  const collector = new LookupCollector(run.tally)
  const kinds = new Set<LookupFileKind>()
  for (const file of run.sources) {
    const stat = run.startFile(file)
    let recognised: { kind: LookupFileKind; columns: ColumnMap } | null = null
    const read = streamDataRows(file, run, stat, {
      headings: (cells) => {
        const r = recogniseLookupFile(cells)
        if (r.kind === null && !file.named) throw new NotOfTheKind()
        if (r.kind === null) throw new Refusal(`${file.label}: ${r.message}.${looksLike(cells, 'lookups')} Nothing was imported`, file.label, 1)
        refuseAmbiguous(file, r.columns)
        recognised = r
        kinds.add(r.kind)
        stat.detail = LOOKUP_FILES[r.kind].title
      },
      row: (record) => {
        const skippedBefore = collector.skipped
        if (collector.read(recognised!.kind, recognised!.columns, file.label, record.cells, record.row)) stat.loaded++
        else if (collector.skipped > skippedBefore) stat.skipped++
        else stat.rejected++
      },
    })
    if (await leftOut(read, run, file, 'not an ONS lookup this import reads')) continue
    if (!(await read)) throw new Refusal(`${file.label} is empty: a lookup starts with a row of headings`, file.label)
    run.finishFile(file)
  }

  const areas = [...collector.areas.values()]
  for (let i = 0; i < areas.length; i += 5_000) await q.upsertAreas(tx, areas.slice(i, i + 5_000), false)
  const levelOf = new Map(areas.map((a) => [a.code, a.level]))
  const placements = collector.placements()
  const chains: Array<[AreaLevel, AreaLevel]> = [
    ['lsoa', 'local_authority'],
    ['local_authority', 'csp'],
    ['csp', 'police_force'],
  ]
  for (const [child, parent] of chains) {
    const mine = placements.filter((p) => levelOf.get(p.code) === child)
    if (mine.length > 0) await q.replaceParents(tx, mine.map((p) => p.code), parent, mine)
  }
  await q.addLsoaSelfMembership(tx, areas.filter((a) => a.level === 'lsoa').map((a) => a.code))
  await q.rebuildLookupMembership(tx)

  const count = (level: AreaLevel) => areas.filter((a) => a.level === level).length
  const parts = (['police_force', 'csp', 'local_authority', 'lsoa'] as const).filter((l) => count(l) > 0).map((l) => `${count(l).toLocaleString('en-GB')} ${count(l) === 1 ? LEVEL_NOUNS[l] : LEVEL_PLURALS[l]}`)
  run.details.push(`Areas named: ${parts.join(', ')}`)
  const forces = areas.filter((a) => a.level === 'police_force')
  if (forces.length > 0) {
    const counts = await q.lsoaCounts(tx, forces.map((f) => f.code))
    const empty = forces.filter((f) => !counts.get(f.code))
    const sizes = forces.map((f) => counts.get(f.code) ?? 0).filter((n) => n > 0)
    if (sizes.length > 0) run.details.push(`${sizes.length} police force area(s) with their LSOAs known (${Math.min(...sizes).toLocaleString('en-GB')} to ${Math.max(...sizes).toLocaleString('en-GB')} each)`)
    if (empty.length > 0) run.details.push(`${empty.length} police force area(s) with no LSOAs known yet: import the output area to LSOA to local authority lookup too`)
  }
  if (!kinds.has('lad_csp_pfa') && count('lsoa') > 0) run.details.push('Community safety partnerships and force areas come from the local authority to CSP to police force area lookup: import it too to fill them')
}

export { Refusal } from './files.ts'
