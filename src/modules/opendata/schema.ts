import { z } from 'zod'

// What an import of public data is asked to do, and what it reports. The command line builds the
// request from its arguments; the same schema would serve an API endpoint.

export const OPEN_DATA_KINDS = ['police-crime', 'stop-search', 'boundaries', 'imd', 'lookups'] as const
export type OpenDataKind = (typeof OPEN_DATA_KINDS)[number]

/** Levels a boundary file may be loaded at. CSPs have no published boundaries of their own. */
export const BOUNDARY_LEVELS = ['lsoa', 'ward', 'local_authority', 'police_force'] as const

const paths = z
  .array(z.string().min(1, 'A path cannot be empty'), { error: 'Name the files or folders to import' })
  .min(1, 'Name at least one file or folder to import')
  .max(10_000, 'Name at most 10,000 files or folders at once')

const common = {
  paths,
  strict: z.boolean().default(false).describe('refuse the whole import if any row is rejected'),
  dryRun: z.boolean().default(false).describe('read and check everything, load it in a transaction, then roll it back'),
}

const property = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `Name the property that holds each area's ${what}`)
    .max(100, `A property name must be 100 characters or fewer`)
    .optional()

export const OpenDataImportRequest = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('police-crime'), ...common }),
    z.strictObject({
      kind: z.literal('stop-search'),
      ...common,
      force: z.string().trim().min(1, 'Name the force').max(100, 'A force name must be 100 characters or fewer').optional(),
    }),
    z.strictObject({
      kind: z.literal('boundaries'),
      ...common,
      level: z.enum(BOUNDARY_LEVELS, { error: `Choose the level of the areas: ${BOUNDARY_LEVELS.join(', ')}` }),
      codeProperty: property('code'),
      nameProperty: property('name'),
    }),
    z.strictObject({ kind: z.literal('imd'), ...common }),
    z.strictObject({ kind: z.literal('lookups'), ...common }),
  ],
  { error: `The kind of import must be one of ${OPEN_DATA_KINDS.join(', ')}` },
)
export type OpenDataImportRequest = z.infer<typeof OpenDataImportRequest>

const RowExample = z.object({ file: z.string(), row: z.number(), value: z.string().nullable() })
const Reason = z.object({
  reason: z.string(),
  column: z.string().nullable().describe("the file's heading of the column at fault, if one is"),
  count: z.number(),
  examples: z.array(RowExample).describe('the first rows with this reason'),
  wholeFile: z.boolean().describe('about a file as a whole, named by examples[0]'),
})

export const OpenDataReport = z.object({
  importId: z.string(),
  kind: z.enum(OPEN_DATA_KINDS),
  status: z.enum(['loaded', 'dry-run', 'refused']),
  /** Rows for CSV files, features for GeoJSON. */
  unit: z.enum(['row', 'feature']),
  files: z.array(
    z.object({
      path: z.string(),
      label: z.string().describe('how the report names the file'),
      rows: z.number(),
      loaded: z.number(),
      rejected: z.number(),
      skipped: z.number(),
      detail: z.string().nullable().describe('what the file was read as (the IoD file, the lookup, the coordinate system)'),
    }),
  ),
  rowsRead: z.number(),
  rowsLoaded: z.number(),
  rowsRejected: z.number(),
  rowsSkipped: z.number().describe('rows deliberately left out, such as Scottish output areas'),
  rejected: z.array(Reason.extend({ rows: z.record(z.string(), z.array(z.number())).describe('every rejected row, by file') })),
  notes: z.array(Reason).describe('about rows that were loaded, or files as a whole'),
  replaced: z.array(z.object({ what: z.string(), rows: z.number() })).describe('rows of earlier imports replaced by this one'),
  details: z.array(z.string()),
  /** Folders' files that were not of this kind, by name. */
  skippedFiles: z.array(z.string()),
  refusal: z.object({ file: z.string().nullable(), row: z.number().nullable(), message: z.string() }).nullable(),
  seconds: z.number(),
})
export type OpenDataReport = z.infer<typeof OpenDataReport>
