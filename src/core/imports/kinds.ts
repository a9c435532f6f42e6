import { ENABLER_PROFESSION_LABELS, GROUP_STATUS_LABELS, MEMBER_ROLE_LABELS, PERSON_ROLE_LABELS, THREAT_AREA_LABELS } from '../reference/crime.ts'
import { IDENTIFIER_TYPE_LABELS, IDENTIFIER_TYPES, type IdentifierType } from '../entities/reference.ts'
import { RECORD_FIELDS, type ImportField, type ImportKindDefinition } from './fields.ts'

// The four imports. Field keys are the keys of each module's input (see the modules' schema.ts):
// entities for people, groups, group members and intelligence.

export const IMPORT_KINDS = ['people', 'groups', 'memberships', 'intelligence'] as const
export type ImportKind = (typeof IMPORT_KINDS)[number]

export const isImportKind = (v: unknown): v is ImportKind => (IMPORT_KINDS as readonly unknown[]).includes(v)

// Each kind of identifier has its own column in most exports; all of them fill the person's list.
const IDENTIFIER_ALIASES: Record<IdentifierType, readonly string[]> = {
  pnc: ['pnc', 'pnc number', 'pnc id', 'pnc no', 'pncid'],
  ni_number: ['ni number', 'national insurance number', 'nino', 'ni no', 'ni'],
  passport: ['passport number', 'passport', 'passport no'],
  driving_licence: ['driving licence number', 'driving licence', 'driver number', 'licence number'],
  other: ['other identifier', 'identifier', 'other id'],
}
const IDENTIFIER_KEYS: Record<IdentifierType, string> = {
  pnc: 'pncNumber',
  ni_number: 'nationalInsuranceNumber',
  passport: 'passportNumber',
  driving_licence: 'drivingLicenceNumber',
  other: 'otherIdentifier',
}
const IDENTIFIER_FIELDS: ImportField[] = IDENTIFIER_TYPES.map((type) => ({
  key: IDENTIFIER_KEYS[type],
  label: IDENTIFIER_TYPE_LABELS[type],
  aliases: IDENTIFIER_ALIASES[type],
  value: { type: 'identifier', identifierType: type },
  appendTo: 'identifiers',
}))

const PEOPLE: ImportKindDefinition = {
  kind: 'people',
  noun: 'people',
  rowNoun: 'person',
  fields: [
    {
      key: 'fullName',
      label: 'Full name',
      required: true,
      aliases: ['full name', 'name', 'person', 'person name', 'nominal', 'nominal name', 'subject name'],
      value: { type: 'text' },
    },
    {
      key: 'aliases',
      label: 'Aliases',
      hint: 'Other names and nicknames, separated by ;',
      aliases: ['aliases', 'alias', 'aka', 'also known as', 'other names', 'nicknames', 'nickname'],
      value: { type: 'list' },
    },
    {
      key: 'birthDate',
      label: 'Date of birth',
      aliases: ['date of birth', 'dob', 'birth date', 'born', 'birthdate'],
      value: { type: 'date' },
    },
    ...IDENTIFIER_FIELDS,
    {
      key: 'personRole',
      label: 'Role',
      hint: 'suspect, victim, person_at_risk or other: victims, people at risk and suspects are kept apart',
      required: true,
      aliases: ['role', 'person role', 'category', 'person type', 'type'],
      value: { type: 'choice', choices: PERSON_ROLE_LABELS, what: 'a role for a person' },
    },
    ...RECORD_FIELDS,
  ],
}

const GROUPS: ImportKindDefinition = {
  kind: 'groups',
  noun: 'groups',
  rowNoun: 'group',
  fields: [
    { key: 'name', label: 'Name', required: true, aliases: ['name', 'group name', 'group', 'ocg', 'ocg name', 'organised crime group'], value: { type: 'text' } },
    { key: 'operationName', label: 'Operation name', aliases: ['operation name', 'operation', 'op name', 'op'], value: { type: 'text' } },
    {
      key: 'status',
      label: 'Status',
      hint: 'active, dormant, disrupted or archived',
      required: true,
      aliases: ['status', 'group status', 'state'],
      value: { type: 'choice', choices: GROUP_STATUS_LABELS, what: 'a group status' },
    },
    {
      key: 'threatAreas',
      label: 'Threat areas',
      hint: 'Codes or names, separated by ;',
      required: true,
      aliases: ['threat areas', 'threat area', 'threats', 'threat', 'crime types', 'crime type', 'criminality'],
      value: { type: 'choices', choices: THREAT_AREA_LABELS, what: 'a threat area' },
    },
    { key: 'areas', label: 'Areas', hint: 'Where the group operates, separated by ;', aliases: ['areas', 'area', 'geography', 'locations', 'location', 'operating areas'], value: { type: 'list' } },
    { key: 'crossBorder', label: 'Cross-border', hint: 'yes or no', aliases: ['cross border', 'crossborder', 'cross boundary', 'cross force'], value: { type: 'boolean' } },
    { key: 'summary', label: 'Summary', aliases: ['summary', 'description', 'details', 'overview'], value: { type: 'text' } },
    { key: 'legacyOcgmBand', label: 'Legacy OCGM band', hint: 'From 1A to 3C, kept as entered', aliases: ['ocgm band', 'ocgm', 'legacy ocgm band', 'band', 'ocgm score band'], value: { type: 'code' } },
    {
      key: 'leadResponsibleOfficerEmail',
      label: 'Lead Responsible Officer (e-mail)',
      aliases: ['lead responsible officer email', 'lro email', 'lro', 'lead responsible officer', 'lro e mail'],
      value: { type: 'text' },
    },
    { key: 'leadResponsibleOfficerId', label: 'Lead Responsible Officer (user id)', aliases: ['lead responsible officer id', 'lro id', 'lro user id'], value: { type: 'id' } },
    ...RECORD_FIELDS,
  ],
}

const MEMBERSHIPS: ImportKindDefinition = {
  kind: 'memberships',
  noun: 'group members',
  rowNoun: 'membership',
  fields: [
    { key: 'groupId', label: 'Group id', hint: 'The Achilles id of the group', required: true, aliases: ['group id', 'ocg id', 'group'], value: { type: 'id' } },
    { key: 'personId', label: 'Person id', hint: 'The Achilles id of the person', required: true, aliases: ['person id', 'member id', 'nominal id', 'person', 'member'], value: { type: 'id' } },
    {
      key: 'role',
      label: 'Role in the group',
      hint: 'principal, core_member, associate, enabler or mule',
      required: true,
      aliases: ['role', 'member role', 'role in group', 'membership role'],
      value: { type: 'choice', choices: MEMBER_ROLE_LABELS, what: 'a member role' },
    },
    {
      key: 'enablerProfession',
      label: 'Enabler profession',
      hint: 'Only for an enabler: law, finance, accountancy, property, technology, logistics or other',
      aliases: ['enabler profession', 'profession'],
      value: { type: 'choice', choices: ENABLER_PROFESSION_LABELS, what: 'an enabler profession' },
    },
    { key: 'startDate', label: 'Start date', aliases: ['start date', 'from', 'joined', 'date joined', 'start'], value: { type: 'date' } },
    { key: 'endDate', label: 'End date', aliases: ['end date', 'to', 'left', 'date left', 'end'], value: { type: 'date' } },
    { key: 'notes', label: 'Notes', aliases: ['notes', 'note', 'comments'], value: { type: 'text' } },
  ],
  uniqueBy: { keys: ['groupId', 'personId'], message: (row) => `Row ${row} already adds this person to this group: a person is a member of a group once` },
}

const GRADE_PARTS = ['sourceEvaluation', 'intelligenceAssessment', 'handlingCode', 'legacyGrade'] as const

const INTELLIGENCE: ImportKindDefinition = {
  kind: 'intelligence',
  noun: 'intelligence records',
  rowNoun: 'intelligence record',
  fields: [
    { key: 'body', label: 'Intelligence', hint: 'The text of the intelligence', required: true, aliases: ['intelligence', 'text', 'body', 'log', 'intelligence text', 'details', 'report'], value: { type: 'text' } },
    { key: 'reportedOn', label: 'Date reported', required: true, aliases: ['date reported', 'reported on', 'reported', 'date', 'report date', 'intelligence date'], value: { type: 'date' } },
    { key: 'reference', label: 'Reference', hint: 'The source agency’s own reference', aliases: ['reference', 'ref', 'urn', 'log number', 'intelligence reference'], value: { type: 'text' } },
    { key: 'sourceAgencyId', label: 'Source agency', hint: 'The name or id of the agency it came from', required: true, aliases: ['source agency', 'source', 'agency', 'originating agency', 'from agency'], value: { type: 'agency' } },
    {
      key: 'grade',
      label: 'Grade (combined)',
      hint: 'A 3x5x2 grade like B2P, or a legacy 5x5x5 grade like B24 (kept as entered)',
      aliases: ['grade', 'grading', '3x5x2', '5x5x5', 'evaluation', 'intelligence grade'],
      value: { type: 'grade' },
      fills: GRADE_PARTS,
    },
    { key: 'sourceEvaluation', label: 'Source evaluation', hint: 'A, B or C', aliases: ['source evaluation', 'source grade', 'source rating'], value: { type: 'code' } },
    { key: 'intelligenceAssessment', label: 'Intelligence assessment', hint: '1 to 5', aliases: ['intelligence assessment', 'intelligence grade number', 'assessment'], value: { type: 'code' } },
    { key: 'legacyGrade', label: 'Legacy 5x5x5 grade', hint: 'Like B24, kept as entered', aliases: ['legacy grade', '5x5x5 grade', 'old grade', 'nim grade'], value: { type: 'text' } },
    {
      key: 'mentionedEntityIds',
      label: 'Mentioned people and entities',
      hint: 'Achilles ids separated by ;',
      aliases: ['mentioned entity ids', 'mentioned entities', 'entities', 'mentions', 'people', 'subjects', 'entity ids'],
      value: { type: 'ids' },
    },
    { key: 'mentionedGroupIds', label: 'Mentioned groups', hint: 'Achilles ids separated by ;', aliases: ['mentioned group ids', 'mentioned groups', 'groups', 'group ids', 'ocgs'], value: { type: 'ids' } },
    // A legacy grade may supply the handling code and the sharing scope, so neither must be mapped.
    ...RECORD_FIELDS.map((f): ImportField => (f.key === 'handlingCode' ? { ...f, required: false, value: { type: 'code' } } : f.key === 'sharingScope' ? { ...f, required: false } : f)),
  ],
  alternatives: [
    {
      sets: [['grade'], ['legacyGrade'], ['sourceEvaluation', 'intelligenceAssessment', 'handlingCode']],
      message: 'Map the grade: a combined grade column (B2P or B24), a legacy grade column, or the source evaluation, intelligence assessment and handling code columns',
    },
  ],
  uniqueBy: { keys: ['sourceAgencyId', 'reference'], message: (row) => `Row ${row} has the same source agency and reference: each agency’s reference is used once` },
}

export const IMPORT_DEFINITIONS: Record<ImportKind, ImportKindDefinition> = {
  people: PEOPLE,
  groups: GROUPS,
  memberships: MEMBERSHIPS,
  intelligence: INTELLIGENCE,
}

export const IMPORT_KIND_LABELS: Record<ImportKind, string> = {
  people: 'People',
  groups: 'Organised crime groups',
  memberships: 'Members of groups',
  intelligence: 'Intelligence records',
}
