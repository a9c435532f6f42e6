// Reference lists that belong to entities alone. Lists shared with groups and intelligence (schemas,
// person roles, business and link types) live in src/core/reference/crime.ts.

// Identifiers a partnership meets on a person. PNC is the Police National Computer's person id; the
// National Insurance number is HMRC's and DWP's. Anything else is "other", written as given.
export const IDENTIFIER_TYPES = ['pnc', 'ni_number', 'passport', 'driving_licence', 'other'] as const
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number]
export const IDENTIFIER_TYPE_LABELS: Record<IdentifierType, string> = {
  pnc: 'PNC number',
  ni_number: 'National Insurance number',
  passport: 'Passport number',
  driving_licence: 'Driving licence number',
  other: 'Other identifier',
}

// What a building is used as. Houses in multiple occupation and licensed premises are named because
// councils hold powers over them (Housing Act 2004 Part 2, Licensing Act 2003).
export const PREMISES_TYPES = ['residential', 'hmo', 'commercial', 'licensed_premises', 'industrial', 'storage', 'agricultural', 'vacant', 'other'] as const
export type PremisesType = (typeof PREMISES_TYPES)[number]
export const PREMISES_TYPE_LABELS: Record<PremisesType, string> = {
  residential: 'Residential',
  hmo: 'House in multiple occupation (HMO)',
  commercial: 'Commercial (shop, office, business)',
  licensed_premises: 'Licensed premises',
  industrial: 'Industrial or workshop',
  storage: 'Storage, lock-up or garage',
  agricultural: 'Agricultural land or buildings',
  vacant: 'Vacant or derelict',
  other: 'Other',
}

export const PHONE_TYPES = ['mobile', 'landline', 'voip', 'other'] as const
export type PhoneType = (typeof PHONE_TYPES)[number]
export const PHONE_TYPE_LABELS: Record<PhoneType, string> = {
  mobile: 'Mobile',
  landline: 'Landline',
  voip: 'Internet (VoIP)',
  other: 'Other',
}

// Link types whose two ends are interchangeable: "A is family of B" says the same as "B is family of A".
export const SYMMETRIC_LINK_TYPES = ['family', 'associate'] as const
