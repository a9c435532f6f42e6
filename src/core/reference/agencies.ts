// Reference lists for the partner directory.

// GAIN runs in the regions of the Regional Organised Crime Units of England and Wales.
export const REGIONS = [
  'north-east', 'north-west', 'yorkshire-humber', 'east-midlands', 'west-midlands',
  'eastern', 'london', 'south-east', 'south-west', 'wales',
] as const
export const AGENCY_REGIONS = [...REGIONS, 'national'] as const
export type Region = (typeof AGENCY_REGIONS)[number]

export const REGION_LABELS: Record<Region, string> = {
  'north-east': 'North East',
  'north-west': 'North West',
  'yorkshire-humber': 'Yorkshire and the Humber',
  'east-midlands': 'East Midlands',
  'west-midlands': 'West Midlands',
  eastern: 'Eastern',
  london: 'London',
  'south-east': 'South East',
  'south-west': 'South West',
  wales: 'Wales',
  national: 'National (no single region)',
}

export const AGENCY_TYPES = [
  'police_force', 'local_authority', 'council_service', 'hmrc', 'dwp', 'fire_rescue', 'glaa',
  'environment_agency', 'dvsa', 'immigration_enforcement', 'nca', 'rocu', 'health', 'probation',
  'voluntary', 'other',
] as const
export type AgencyType = (typeof AGENCY_TYPES)[number]

export const AGENCY_TYPE_LABELS: Record<AgencyType, string> = {
  police_force: 'Police force',
  local_authority: 'Council',
  council_service: 'Council service',
  hmrc: 'HM Revenue and Customs',
  dwp: 'Department for Work and Pensions',
  fire_rescue: 'Fire and rescue service',
  glaa: 'Gangmasters and Labour Abuse Authority',
  environment_agency: 'Environment Agency',
  dvsa: 'Driver and Vehicle Standards Agency',
  immigration_enforcement: 'Immigration Enforcement',
  nca: 'National Crime Agency',
  rocu: 'Regional Organised Crime Unit',
  health: 'Health',
  probation: 'Probation Service',
  voluntary: 'Voluntary organisation',
  other: 'Other',
}

export const SERVICE_AREAS = [
  'community_safety', 'trading_standards', 'licensing', 'environmental_health', 'housing', 'planning',
  'revenues_benefits', 'children_services', 'adult_social_care',
] as const
export type ServiceArea = (typeof SERVICE_AREAS)[number]

export const SERVICE_AREA_LABELS: Record<ServiceArea, string> = {
  community_safety: 'Community safety',
  trading_standards: 'Trading standards',
  licensing: 'Licensing',
  environmental_health: 'Environmental health',
  housing: 'Housing',
  planning: 'Planning',
  revenues_benefits: 'Revenues and benefits',
  children_services: "Children's services",
  adult_social_care: 'Adult social care',
}
