// Reference lists for organised crime groups, the entities around them and their links.
// Sources: domain.md (threat areas from the NCA strategic assessment, member roles from seed 004,
// FollowTheMoney schema names for interoperable exports).

export const THREAT_AREAS = [
  'child_sexual_exploitation',
  'firearms',
  'organised_immigration_crime',
  'modern_slavery',
  'cyber_crime',
  'drugs',
  'county_lines',
  'economic_crime',
  'fraud',
  'money_laundering',
  'bribery_corruption',
  'organised_acquisitive_crime',
  'counterfeit_illicit_goods',
  'fuel_fraud',
  'food_crime',
] as const
export type ThreatArea = (typeof THREAT_AREAS)[number]

export const THREAT_AREA_LABELS: Record<ThreatArea, string> = {
  child_sexual_exploitation: 'Child sexual exploitation and abuse',
  firearms: 'Criminal use of firearms',
  organised_immigration_crime: 'Organised immigration crime',
  modern_slavery: 'Human trafficking and modern slavery',
  cyber_crime: 'Cyber crime',
  drugs: 'Drugs',
  county_lines: 'County lines',
  economic_crime: 'Economic crime',
  fraud: 'Fraud',
  money_laundering: 'Money laundering',
  bribery_corruption: 'Bribery and corruption',
  organised_acquisitive_crime: 'Organised acquisitive crime',
  counterfeit_illicit_goods: 'Counterfeit and illicit goods',
  fuel_fraud: 'Fuel fraud',
  food_crime: 'Food crime',
}

export const GROUP_STATUSES = ['active', 'dormant', 'disrupted', 'archived'] as const
export type GroupStatus = (typeof GROUP_STATUSES)[number]
export const GROUP_STATUS_LABELS: Record<GroupStatus, string> = {
  active: 'Active',
  dormant: 'Dormant',
  disrupted: 'Disrupted',
  archived: 'Archived',
}

export const MEMBER_ROLES = ['principal', 'core_member', 'associate', 'enabler', 'mule'] as const
export type MemberRole = (typeof MEMBER_ROLES)[number]
export const MEMBER_ROLE_LABELS: Record<MemberRole, string> = {
  principal: 'Principal',
  core_member: 'Core member',
  associate: 'Associate',
  enabler: 'Professional enabler',
  mule: 'Mule (storing, transporting, intimidating)',
}

// Seed 004 names the professions that enable organised crime.
export const ENABLER_PROFESSIONS = ['law', 'finance', 'accountancy', 'property', 'technology', 'logistics', 'other'] as const
export type EnablerProfession = (typeof ENABLER_PROFESSIONS)[number]
export const ENABLER_PROFESSION_LABELS: Record<EnablerProfession, string> = {
  law: 'Law',
  finance: 'Finance and banking',
  accountancy: 'Accountancy',
  property: 'Property and lettings',
  technology: 'Technology',
  logistics: 'Logistics and transport',
  other: 'Other profession',
}

// FollowTheMoney schema names, so exports interoperate with investigative tools.
export const ENTITY_SCHEMAS = ['Person', 'Company', 'Organization', 'Address', 'Vehicle', 'Phone', 'BankAccount'] as const
export type EntitySchema = (typeof ENTITY_SCHEMAS)[number]
export const ENTITY_SCHEMA_LABELS: Record<EntitySchema, string> = {
  Person: 'Person',
  Company: 'Business',
  Organization: 'Organisation',
  Address: 'Address or premises',
  Vehicle: 'Vehicle',
  Phone: 'Phone',
  BankAccount: 'Bank account',
}
/** The path segment under /entities for each schema. */
export const ENTITY_SCHEMA_SLUGS: Record<EntitySchema, string> = {
  Person: 'people',
  Company: 'businesses',
  Organization: 'organisations',
  Address: 'addresses',
  Vehicle: 'vehicles',
  Phone: 'phones',
  BankAccount: 'bank-accounts',
}

// Victims, people at risk and suspects are kept distinct and never shown as one another: the
// Gangs Violence Matrix was condemned for blurring them (ICO 2018; domain.md). A person record has
// exactly one role; the same human in two roles is two records, linked if need be.
export const PERSON_ROLES = ['suspect', 'victim', 'person_at_risk', 'other'] as const
export type PersonRole = (typeof PERSON_ROLES)[number]
export const PERSON_ROLE_LABELS: Record<PersonRole, string> = {
  suspect: 'Suspect or subject',
  victim: 'Victim',
  person_at_risk: 'Person at risk',
  other: 'Other party (no role in offending)',
}

export const BUSINESS_TYPES = [
  'car_wash', 'nail_bar', 'takeaway', 'restaurant', 'pub', 'off_licence', 'shop', 'barber',
  'scrapyard', 'lettings', 'cash_business', 'vehicle_repair', 'haulage', 'construction',
  'care_provider', 'recruitment', 'money_service', 'other',
] as const
export type BusinessType = (typeof BUSINESS_TYPES)[number]
export const BUSINESS_TYPE_LABELS: Record<BusinessType, string> = {
  car_wash: 'Hand car wash',
  nail_bar: 'Nail bar',
  takeaway: 'Takeaway',
  restaurant: 'Restaurant or cafe',
  pub: 'Pub or bar',
  off_licence: 'Off-licence',
  shop: 'Shop or convenience store',
  barber: 'Barber',
  scrapyard: 'Scrapyard or metal dealer',
  lettings: 'Lettings or property management',
  cash_business: 'Other cash-intensive business',
  vehicle_repair: 'Vehicle repair or sales',
  haulage: 'Haulage or logistics',
  construction: 'Construction',
  care_provider: 'Care provider',
  recruitment: 'Recruitment or labour provider',
  money_service: 'Money service business',
  other: 'Other',
}

// Typed links between entities, with the schemas each end may take (FollowTheMoney's Family,
// Associate, Directorship, Ownership, Occupancy, Employment and the phone/vehicle/account uses).
export const LINK_TYPES = ['family', 'associate', 'director', 'owner', 'occupant', 'employee', 'uses_phone', 'drives_vehicle', 'account_holder'] as const
export type LinkType = (typeof LINK_TYPES)[number]
export const LINK_TYPE_RULES: Record<LinkType, { label: string; subject: readonly EntitySchema[]; object: readonly EntitySchema[] }> = {
  family: { label: 'Family', subject: ['Person'], object: ['Person'] },
  associate: { label: 'Associate', subject: ['Person'], object: ['Person'] },
  director: { label: 'Director of', subject: ['Person', 'Company', 'Organization'], object: ['Company', 'Organization'] },
  owner: { label: 'Owner of', subject: ['Person', 'Company', 'Organization'], object: ['Company', 'Organization', 'Address', 'Vehicle'] },
  occupant: { label: 'Occupant of', subject: ['Person', 'Company', 'Organization'], object: ['Address'] },
  employee: { label: 'Employed by', subject: ['Person'], object: ['Company', 'Organization'] },
  uses_phone: { label: 'Uses phone', subject: ['Person', 'Company', 'Organization'], object: ['Phone'] },
  drives_vehicle: { label: 'Drives vehicle', subject: ['Person'], object: ['Vehicle'] },
  account_holder: { label: 'Holds account', subject: ['Person', 'Company', 'Organization'], object: ['BankAccount'] },
}

/** What a group holds besides its members. */
export const HOLDING_KINDS = ['business_interest', 'premises', 'vehicle', 'phone', 'bank_account'] as const
export type HoldingKind = (typeof HOLDING_KINDS)[number]
export const HOLDING_KIND_RULES: Record<HoldingKind, { label: string; schemas: readonly EntitySchema[] }> = {
  business_interest: { label: 'Business interest', schemas: ['Company', 'Organization'] },
  premises: { label: 'Premises', schemas: ['Address'] },
  vehicle: { label: 'Vehicle', schemas: ['Vehicle'] },
  phone: { label: 'Phone', schemas: ['Phone'] },
  bank_account: { label: 'Bank account', schemas: ['BankAccount'] },
}
