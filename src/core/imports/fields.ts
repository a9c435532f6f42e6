import { PROTECTIVE_MARKINGS, SHARING_SCOPE_LABELS } from '../access/visibility.ts'

// What an import reads from a CSV file, described as data: for each kind of import the fields it
// knows, what each field's cells hold, which headings usually carry it, and which must be given.
// The field keys are the keys of the input each module's parse function reads, so a field issue
// raised by a module maps straight back to the CSV column it came from.

export type ValueType =
  | { type: 'text' }
  /** Trimmed and upper-cased: grade parts and codes written in lower case by hand. */
  | { type: 'code' }
  | { type: 'date' }
  | { type: 'boolean' }
  /** Several texts in one cell, separated by ; or |. */
  | { type: 'list' }
  | { type: 'choice'; choices: Readonly<Record<string, string>>; what: string }
  | { type: 'choices'; choices: Readonly<Record<string, string>>; what: string }
  /** An Achilles record id. */
  | { type: 'id' }
  /** Several Achilles record ids, separated by ; or |. */
  | { type: 'ids' }
  /** An agency, by id or name (or short name, where the directory given holds them). */
  | { type: 'agency' }
  /** Several agencies, each as for `agency`, separated by ; or |. */
  | { type: 'agencies' }
  /** A combined 3x5x2 grade (split into its parts) or 5x5x5 grade (kept as written). */
  | { type: 'grade' }
  /** One identifier of a person ({type, value}), added to the list under the field's `appendTo` key. */
  | { type: 'identifier'; identifierType: string }

export type ImportField = {
  /** The input key the module reads (for a combined grade, the name of the combined column). */
  key: string
  label: string
  hint?: string
  /** Must be mapped to a column, or given one value for every row, before any row is read. */
  required?: boolean
  /** Headings that mean this field, compared without case, spaces or punctuation. */
  aliases: readonly string[]
  value: ValueType
  /** For a combined field, the input keys it fills (a field issue on any of them points at its column). */
  fills?: readonly string[]
  /** For a field that adds an item to a list several columns share (identifiers), the list's key. */
  appendTo?: string
}

export type ImportKindDefinition = {
  kind: string
  /** "people", "groups": used in sentences. */
  noun: string
  /** The singular, for one row: "person", "group". */
  rowNoun: string
  fields: readonly ImportField[]
  /** Sets of fields of which at least one set must be mapped entirely (a grade given one way or another). */
  alternatives?: ReadonlyArray<{ sets: ReadonlyArray<readonly string[]>; message: string }>
  /** Input keys that together may appear on only one row of a file, and the message when they do not. */
  uniqueBy?: { keys: readonly string[]; message: (earlierRow: number) => string }
}

const MARKING_CHOICES = Object.fromEntries(PROTECTIVE_MARKINGS.map((m) => [m, m])) as Record<string, string>
const HANDLING_CHOICES: Record<string, string> = { P: 'Lawful sharing permitted', C: 'Lawful sharing permitted with conditions' }

/** The fields every restricted record carries: why it is held, its review, marking, handling and sharing. */
export const RECORD_FIELDS: readonly ImportField[] = [
  {
    key: 'purpose',
    label: 'Purpose',
    hint: 'Why the information is held (its lawful purpose)',
    required: true,
    aliases: ['purpose', 'lawful purpose', 'purpose held', 'reason held', 'reason for holding'],
    value: { type: 'text' },
  },
  {
    key: 'reviewDate',
    label: 'Review date',
    hint: 'When the record must be reviewed for retention',
    required: true,
    aliases: ['review date', 'review by', 'review', 'review on', 'retention review', 'retention date'],
    value: { type: 'date' },
  },
  {
    key: 'protectiveMarking',
    label: 'Protective marking',
    hint: 'OFFICIAL or OFFICIAL-SENSITIVE',
    required: true,
    aliases: ['protective marking', 'marking', 'classification', 'security classification', 'gsc'],
    value: { type: 'choice', choices: MARKING_CHOICES, what: 'a protective marking' },
  },
  {
    key: 'handlingCode',
    label: 'Handling code',
    hint: 'P (lawful sharing permitted) or C (with conditions)',
    required: true,
    aliases: ['handling code', 'handling'],
    value: { type: 'choice', choices: HANDLING_CHOICES, what: 'a handling code' },
  },
  {
    key: 'handlingConditions',
    label: 'Handling conditions',
    hint: 'Required with handling code C',
    aliases: ['handling conditions', 'conditions', 'handling condition'],
    value: { type: 'text' },
  },
  {
    key: 'sharingScope',
    label: 'Shared with',
    hint: 'agency (owning agency only), named (named agencies) or partnership (whole partnership)',
    required: true,
    aliases: ['sharing scope', 'sharing', 'shared with', 'scope', 'share with'],
    value: { type: 'choice', choices: SHARING_SCOPE_LABELS, what: 'a sharing scope' },
  },
  {
    key: 'sharedWithAgencyIds',
    label: 'Named agencies',
    hint: 'Agencies to share with when shared with named agencies: their names or ids, separated by ;',
    aliases: ['named agencies', 'shared with agencies', 'agencies', 'share with agencies'],
    value: { type: 'agencies' },
  },
]
