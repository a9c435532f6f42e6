import { z } from 'zod'
import { IMPORT_KINDS } from '../../core/imports/kinds.ts'
import { optionalText } from '../../http/fields.ts'

/** Largest file accepted, uploaded or pasted. A national file of 100,000 rows fits. */
export const MAX_FILE_BYTES = 50 * 1024 * 1024

export const KindParams = z.object({ kind: z.enum(IMPORT_KINDS, { error: `The kind of import must be one of ${IMPORT_KINDS.join(', ')}` }) })

const MappingEntryIn = z.union([
  z.string().describe('the heading of the CSV column that holds the field'),
  z
    .strictObject({
      column: z.string().nullable().optional().describe('the heading of the CSV column that holds the field'),
      value: z.string().nullable().optional().describe('a value for the whole file: used where the column is blank, or for every row when no column is given'),
    })
    .describe('a column, a value for the whole file, or both'),
])

export const ImportRequest = z.strictObject({
  csv: z.string({ error: 'Send the CSV text in "csv"' }).min(1, 'Send the CSV text in "csv"').max(MAX_FILE_BYTES, 'The CSV text must be 50 MB or smaller'),
  fileName: optionalText(255, 'File name').describe('shown in the audit log; defaults to "API import"'),
  mapping: z
    .record(z.string(), MappingEntryIn)
    .optional()
    .describe('field → column heading, or {column, value}. Left out: the columns suggested from the headings (GET …/fields lists the fields and the headings each recognises)'),
  ignoredColumns: z.array(z.string()).default([]).describe('columns deliberately left out; every column must be mapped or listed here'),
  dryRun: z.boolean({ error: 'dryRun must be true or false' }).default(true).describe('true (the default): check every row and save nothing'),
})
export type ImportRequest = z.infer<typeof ImportRequest>

export const FaultOut = z.object({
  row: z.number().nullable().describe('the row in the file (the heading row is row 1); null for a problem with the file or its mapping'),
  column: z.string().nullable().describe('the CSV column at fault, by its heading; null when no one column is'),
  field: z.string().nullable().describe('the import field at fault'),
  message: z.string(),
})

const MappingOut = z.record(z.string(), z.object({ column: z.string().nullable(), value: z.string().nullable() }))

export const ReportOut = z.object({
  kind: z.enum(IMPORT_KINDS),
  dryRun: z.boolean(),
  rows: z.number().describe('rows in the file holding something (blank rows are skipped)'),
  valid: z.number().describe('rows with no fault'),
  faults: z.array(FaultOut),
  mapping: MappingOut.describe('the mapping used'),
})

export const CreatedOut = z.object({
  kind: z.enum(IMPORT_KINDS),
  importId: z.string().describe('the id the audit log records the import under'),
  rows: z.number(),
  created: z.array(z.object({ row: z.number(), id: z.string() })).describe('the record made from each row (for memberships, the membership)'),
})

export const FaultyOut = z.object({
  type: z.string(),
  title: z.string(),
  status: z.literal(422),
  detail: z.string(),
  kind: z.enum(IMPORT_KINDS),
  rows: z.number(),
  valid: z.number(),
  faults: z.array(FaultOut),
})

export const FieldsOut = z.object({
  kind: z.enum(IMPORT_KINDS),
  fields: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      hint: z.string().nullable(),
      required: z.boolean(),
      type: z.string().describe('text, code, date, boolean, list, choice, choices, id, ids, agency, agencies, grade or identifier'),
      choices: z.array(z.string()).nullable(),
      headings: z.array(z.string()).describe('headings recognised for this field'),
    }),
  ),
  rules: z.array(z.string()).describe('rules across fields (such as how a grade may be given)'),
})
