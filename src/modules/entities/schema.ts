import { z } from 'zod'
import { HANDLING_CODES, PROTECTIVE_MARKINGS, SHARING_SCOPES } from '../../core/access/visibility.ts'
import {
  birthDateProblem, ibanMatchesAccount, isInUk, isUkRegistration, normaliseAccountNumber, normaliseCompanyNumber, normaliseIban,
  normaliseIdentifier, normaliseLsoaCode, normaliseName, normalisePhone, normalisePostcode, normaliseRegistration, normaliseSortCode, parseDate,
  UK_BOUNDS,
} from '../../core/entities/normalise.ts'
import { IDENTIFIER_TYPES, PHONE_TYPES, PREMISES_TYPES } from '../../core/entities/reference.ts'
import { BUSINESS_TYPES, ENTITY_SCHEMAS, LINK_TYPES, PERSON_ROLES } from '../../core/reference/crime.ts'
import { checkbox, isoDate, optionalText, optionalUuid, requiredText, rowVersion, uuid } from '../../http/fields.ts'
import { AccessOut, handlingFields, recordFields } from '../records/schema.ts'

// Inputs for entities in the FollowTheMoney vocabulary, one shape per schema, told apart by
// `schema`. A form posts strings and the API posts JSON: every field accepts both. Numbers, marks and
// codes are normalised here (a phone to E.164, a registration to AB12CDE, a postcode to SW1A 1AA),
// so what is stored is comparable whichever agency wrote it.
//
// No field records a protected characteristic (Equality Act 2010 s.4: race, including colour,
// nationality and ethnic origin; religion or belief; sex; sexual orientation; disability; and the
// rest). The Gangs Violence Matrix was condemned for racial disproportionality (domain.md): what is
// not recorded cannot be scored, matched or ranked on. Nationality is left out too, because it so
// often stands in for ethnicity; a passport number is an identifier, not a nationality.

const blankToNull = (v: unknown) => (v === undefined || v === null || (typeof v === 'string' && v.trim() === '') ? null : v)

const optionalEnum = <T extends readonly [string, ...string[]]>(values: T, message: string) => z.preprocess(blankToNull, z.enum(values, { error: message }).nullable())

/** A required string that a normaliser turns into its canonical form, or refuses with the message. */
const normalised = (normalise: (s: string) => string | null, missing: string, wrong: string, max = 100) =>
  z
    .string({ error: missing })
    .trim()
    .min(1, missing)
    .max(max, wrong)
    .transform((s, ctx) => {
      const n = normalise(s)
      if (n === null) {
        ctx.issues.push({ code: 'custom', message: wrong, input: s })
        return z.NEVER
      }
      return n
    })

const optionalNormalised = (normalise: (s: string) => string | null, wrong: string, max = 100) =>
  z.preprocess(blankToNull, normalised(normalise, wrong, wrong, max).nullable())

/** Names and aliases: a list in JSON, or one per line from a form's text area. */
const aliasList = z.preprocess(
  (v) => {
    if (v === undefined || v === null || v === '') return []
    return (Array.isArray(v) ? v : [v])
      .flatMap((x) => (typeof x === 'string' ? x.split(/\r?\n/) : [x]))
      .map((x) => (typeof x === 'string' ? x.trim() : x))
      .filter((x) => x !== '')
  },
  z
    .array(z.string({ error: 'Each alias must be text' }).max(200, 'Each alias must be 200 characters or fewer'))
    .max(30, 'Enter 30 aliases or fewer')
    .refine((names) => names.every((n) => normaliseName(n).length > 0), 'Each alias must contain letters or digits'),
)

const postcodeField = optionalNormalised(normalisePostcode, 'Enter a real UK postcode, like LE1 6ZG')

/** A date of birth: YYYY-MM-DD or DD/MM/YYYY, a real date, not in the future and not before 1900. */
const birthDateField = z.preprocess(
  blankToNull,
  z
    .string({ error: 'Enter the date of birth as DD/MM/YYYY, like 27/03/1985' })
    .trim()
    .transform((s, ctx) => {
      const date = parseDate(s)
      if (!date) {
        ctx.issues.push({ code: 'custom', message: 'Date of birth must be a real date, written like 27/03/1985 or 1985-03-27', input: s })
        return z.NEVER
      }
      const problem = birthDateProblem(date, new Date().toISOString().slice(0, 10))
      if (problem) {
        ctx.issues.push({ code: 'custom', message: problem, input: s })
        return z.NEVER
      }
      return date
    })
    .nullable(),
)

const optionalDate = (label: string) => z.preprocess(blankToNull, isoDate(label).nullable())

/** An optional coordinate: a JSON number, or a form's numeric string. */
const coordinate = (label: string, min: number, max: number) =>
  z.preprocess(
    (v) => {
      const b = blankToNull(v)
      return typeof b === 'string' && /^-?\d+(\.\d+)?$/.test(b.trim()) ? Number(b) : b
    },
    z.number({ error: `${label} must be a number in decimal degrees, like ${label === 'Latitude' ? '52.6369' : '-1.1398'}` }).min(min, `${label} must be between ${min} and ${max}`).max(max, `${label} must be between ${min} and ${max}`).nullable(),
  )

const Identifier = z
  .strictObject({
    type: z.enum(IDENTIFIER_TYPES, { error: 'Choose the type of identifier' }),
    value: requiredText(50, 'Enter the identifier', 'Identifier'),
  })
  .transform((id, ctx) => {
    const value = normaliseIdentifier(id.type, id.value)
    if (value === null) {
      const example = id.type === 'pnc' ? 'a PNC number like 12/345678A' : 'a National Insurance number like AB 12 34 56 C'
      ctx.issues.push({ code: 'custom', path: ['value'], message: `Enter ${example}`, input: id.value })
      return z.NEVER
    }
    return { type: id.type, value }
  })

// ---------------------------------------------------------------------------------------------
// The content of each schema.

const personFields = {
  fullName: requiredText(200, "Enter the person's full name", 'Full name'),
  aliases: aliasList,
  birthDate: birthDateField,
  identifiers: z
    .preprocess((v) => (v === undefined || v === null || v === '' ? [] : v), z.array(Identifier, { error: 'Identifiers must be a list' }).max(20, 'Enter 20 identifiers or fewer'))
    .refine((ids) => new Set(ids.map((i) => `${i.type}:${i.value}`)).size === ids.length, 'Enter each identifier once'),
  // One role per record: the same human as victim and as suspect is two records (crime.ts).
  personRole: z.enum(PERSON_ROLES, { error: 'Choose whether the person is a suspect, a victim, a person at risk or another party' }),
}

const organisationFields = {
  name: requiredText(200, 'Enter the name', 'Name'),
  aliases: aliasList,
  businessType: optionalEnum(BUSINESS_TYPES, 'Choose a type of business from the list'),
  companyNumber: optionalNormalised(normaliseCompanyNumber, 'Enter a Companies House number: 8 digits, or 2 letters and 6 digits, like 01234567 or SC123456'),
  address: optionalText(500, 'Address'),
  postcode: postcodeField,
}

const addressFields = {
  street: requiredText(500, 'Enter the building and street', 'Address'),
  town: optionalText(100, 'Town or city'),
  postcode: postcodeField,
  premisesType: optionalEnum(PREMISES_TYPES, 'Choose a type of premises from the list'),
  lsoaCode: optionalNormalised(normaliseLsoaCode, 'Enter an LSOA code: E01 or W01 and six digits, like E01013642', 20),
  latitude: coordinate('Latitude', -90, 90),
  longitude: coordinate('Longitude', -180, 180),
}

const vehicleFields = {
  registration: normalised(normaliseRegistration, 'Enter the registration mark', 'Enter the registration mark, like AB12 CDE', 20),
  // A vehicle registered abroad keeps its own mark; only a UK mark must have a DVLA format.
  foreignRegistration: checkbox,
  make: optionalText(50, 'Make'),
  model: optionalText(50, 'Model'),
  colour: optionalText(50, 'Colour'),
}

const phoneFields = {
  number: normalised(normalisePhone, 'Enter the phone number', 'Enter a phone number, like 07700 900123 or +44 7700 900123', 40),
  phoneType: optionalEnum(PHONE_TYPES, 'Choose a type of phone from the list'),
}

const bankAccountFields = {
  bankName: optionalText(100, 'Bank name'),
  sortCode: optionalNormalised(normaliseSortCode, 'Enter the sort code as 6 digits, like 12-34-56', 20),
  accountNumber: optionalNormalised(normaliseAccountNumber, 'Enter the account number as 8 digits, like 12345678', 20),
  iban: optionalNormalised(normaliseIban, 'Enter a valid IBAN, like GB29 NWBK 6016 1331 9268 19', 50),
}

// Object rules run even when a field has failed; each looks only at fields that passed.
const isNumber = (v: unknown): v is number => typeof v === 'number'
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0

type AddressShape = { latitude: number | null; longitude: number | null }
function addressRule(a: AddressShape, ctx: z.RefinementCtx) {
  if ((a.latitude !== null && !isNumber(a.latitude)) || (a.longitude !== null && !isNumber(a.longitude))) return
  if ((a.latitude === null) !== (a.longitude === null)) {
    ctx.addIssue({ code: 'custom', path: [a.latitude === null ? 'latitude' : 'longitude'], message: 'Enter both latitude and longitude, or neither' })
  } else if (a.latitude !== null && a.longitude !== null && !isInUk(a.latitude, a.longitude)) {
    ctx.addIssue({ code: 'custom', path: ['latitude'], message: `The coordinates must be in the UK: latitude ${UK_BOUNDS.minLatitude} to ${UK_BOUNDS.maxLatitude}, longitude ${UK_BOUNDS.minLongitude} to ${UK_BOUNDS.maxLongitude}` })
  }
}

function vehicleRule(v: { registration: string; foreignRegistration: boolean }, ctx: z.RefinementCtx) {
  if (!isText(v.registration)) return
  if (!v.foreignRegistration && !isUkRegistration(v.registration)) {
    ctx.addIssue({ code: 'custom', path: ['registration'], message: 'Enter a UK registration mark, like AB12 CDE, or say the vehicle is registered abroad' })
  }
  if (v.foreignRegistration && (v.registration.length < 2 || v.registration.length > 12)) {
    ctx.addIssue({ code: 'custom', path: ['registration'], message: 'A registration mark has 2 to 12 letters and digits' })
  }
}

function bankAccountRule(b: { sortCode: string | null; accountNumber: string | null; iban: string | null }, ctx: z.RefinementCtx) {
  if ([b.sortCode, b.accountNumber, b.iban].some((v) => v !== null && !isText(v))) return
  if (b.sortCode && !b.accountNumber) ctx.addIssue({ code: 'custom', path: ['accountNumber'], message: 'Enter the account number that goes with the sort code' })
  if (b.accountNumber && !b.sortCode) ctx.addIssue({ code: 'custom', path: ['sortCode'], message: 'Enter the sort code that goes with the account number' })
  if (!b.sortCode && !b.accountNumber && !b.iban) ctx.addIssue({ code: 'custom', path: ['sortCode'], message: 'Enter the sort code and account number, or the IBAN' })
  if (b.sortCode && b.accountNumber && b.iban && !ibanMatchesAccount(b.iban, b.sortCode, b.accountNumber)) {
    ctx.addIssue({ code: 'custom', path: ['iban'], message: 'The IBAN does not carry this sort code and account number: check all three' })
  }
}

// ---------------------------------------------------------------------------------------------
// New entities: content, then why it is held and how it is handled.

const SCHEMA_ERROR = { error: `Choose what kind of entity this is: ${ENTITY_SCHEMAS.join(', ')}` }

export const EntityInput = z.discriminatedUnion(
  'schema',
  [
    z.strictObject({ schema: z.literal('Person'), ...personFields, ...recordFields }),
    z.strictObject({ schema: z.literal('Company'), ...organisationFields, ...recordFields }),
    z.strictObject({ schema: z.literal('Organization'), ...organisationFields, ...recordFields }),
    z.strictObject({ schema: z.literal('Address'), ...addressFields, ...recordFields }).superRefine(addressRule),
    z.strictObject({ schema: z.literal('Vehicle'), ...vehicleFields, ...recordFields }).superRefine(vehicleRule),
    z.strictObject({ schema: z.literal('Phone'), ...phoneFields, ...recordFields }),
    z.strictObject({ schema: z.literal('BankAccount'), ...bankAccountFields, ...recordFields }).superRefine(bankAccountRule),
  ],
  SCHEMA_ERROR,
)
export type EntityInput = z.infer<typeof EntityInput>

// Changing an entity changes what it says and why it is held. Its marking, handling and sharing
// change through the sharing form, which asks for a reason (src/modules/records).
const changeFields = {
  purpose: recordFields.purpose,
  reviewDate: recordFields.reviewDate,
  rowVersion,
}

export const EntityUpdate = z.discriminatedUnion(
  'schema',
  [
    z.strictObject({ schema: z.literal('Person'), ...personFields, ...changeFields }),
    z.strictObject({ schema: z.literal('Company'), ...organisationFields, ...changeFields }),
    z.strictObject({ schema: z.literal('Organization'), ...organisationFields, ...changeFields }),
    z.strictObject({ schema: z.literal('Address'), ...addressFields, ...changeFields }).superRefine(addressRule),
    z.strictObject({ schema: z.literal('Vehicle'), ...vehicleFields, ...changeFields }).superRefine(vehicleRule),
    z.strictObject({ schema: z.literal('Phone'), ...phoneFields, ...changeFields }),
    z.strictObject({ schema: z.literal('BankAccount'), ...bankAccountFields, ...changeFields }).superRefine(bankAccountRule),
  ],
  SCHEMA_ERROR,
)
export type EntityUpdate = z.infer<typeof EntityUpdate>

/** The record fields of an input: what is not the entity's own content. */
export const RECORD_FIELD_NAMES = ['schema', 'purpose', 'reviewDate', 'rowVersion', ...Object.keys(handlingFields)] as const

// ---------------------------------------------------------------------------------------------
// Links.

export const LinkInput = z
  .strictObject({
    subjectId: uuid('Choose the entity the link starts from'),
    objectId: uuid('Choose the entity to link to'),
    linkType: z.enum(LINK_TYPES, { error: 'Choose the type of link' }),
    relationship: optionalText(200, 'Relationship'),
    startDate: optionalDate('The start date'),
    endDate: optionalDate('The end date'),
    sourceReference: requiredText(300, 'Enter the source record for this link, like a crime, intelligence or case reference: each link has a source record', 'Source reference'),
    sourceIntelligenceId: optionalUuid('The source intelligence must be an intelligence record id'),
    ...handlingFields,
  })
  .superRefine((l, ctx) => {
    if (l.startDate && l.endDate && l.endDate < l.startDate) ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'The end date must be the same as or after the start date' })
  })
export type LinkInput = z.infer<typeof LinkInput>

export const RemovalInput = z.strictObject({ reason: requiredText(500, 'Enter why this is being removed', 'Reason', 3) })

// ---------------------------------------------------------------------------------------------
// Queries and answers.

export const EntityListQuery = z.strictObject({
  schema: z.preprocess(blankToNull, z.enum(ENTITY_SCHEMAS, { error: 'Choose a kind of entity from the list' }).nullable().default(null)),
  role: z.preprocess(blankToNull, z.enum(PERSON_ROLES, { error: 'Choose a role from the list' }).nullable().default(null)),
  q: optionalText(100, 'Search'),
  owner: z.preprocess(blankToNull, z.enum(['mine', 'others'], { error: 'Choose whose records to show' }).nullable().default(null)),
  page: z.coerce.number({ error: 'Page must be a number' }).int().min(1).max(10_000).default(1),
})
export type EntityListQuery = z.infer<typeof EntityListQuery>

const handlingOut = {
  owningAgencyId: z.string(),
  owningAgencyName: z.string(),
  protectiveMarking: z.enum(PROTECTIVE_MARKINGS),
  handlingCode: z.enum(HANDLING_CODES),
  handlingConditions: z.string().nullable(),
  sharingScope: z.enum(SHARING_SCOPES),
}

export const EntitySummaryOut = z.object({
  id: z.string(),
  schema: z.enum(ENTITY_SCHEMAS),
  caption: z.string(),
  personRole: z.enum(PERSON_ROLES).nullable(),
  birthDate: z.string().nullable(),
  businessType: z.string().nullable(),
  postcode: z.string().nullable(),
  registration: z.string().nullable(),
  phoneNumber: z.string().nullable(),
  ...handlingOut,
  reviewDate: z.string(),
  updatedAt: z.string(),
})
export type EntitySummaryOut = z.infer<typeof EntitySummaryOut>

export const LinkOut = z.object({
  id: z.string(),
  linkType: z.enum(LINK_TYPES),
  /** How the link reads from the entity asked about: "Director of", "Owned by". */
  phrase: z.string(),
  direction: z.enum(['outgoing', 'incoming']),
  subjectId: z.string(),
  objectId: z.string(),
  other: z.object({ id: z.string(), schema: z.enum(ENTITY_SCHEMAS), caption: z.string(), personRole: z.enum(PERSON_ROLES).nullable() }),
  relationship: z.string().nullable(),
  startDate: z.string().nullable(),
  endDate: z.string().nullable(),
  sourceReference: z.string(),
  sourceIntelligenceId: z.string().nullable(),
  ...handlingOut,
  createdAt: z.string(),
})
export type LinkOut = z.infer<typeof LinkOut>

export const EntityOut = EntitySummaryOut.extend({
  properties: z.record(z.string(), z.unknown()),
  companyNumber: z.string().nullable(),
  lsoaCode: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  purpose: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  rowVersion: z.number(),
  links: z.array(LinkOut),
  ...AccessOut.shape,
})
export type EntityOut = z.infer<typeof EntityOut>
