// ONS area codes and the extent of the United Kingdom, shared by every importer.

export const AREA_LEVELS = ['lsoa', 'ward', 'local_authority', 'csp', 'police_force'] as const
export type AreaLevel = (typeof AREA_LEVELS)[number]

// The ONS Code History Database gives each kind of area its prefix: E01/W01 2011 LSOAs, E05/W05
// electoral wards, E06-E09/W06 lower-tier local authorities (unitary, non-metropolitan district,
// metropolitan district, London borough), E22/W14 community safety partnerships (England's and
// Wales'), E23 police force areas in England and W15 in Wales. S and N codes are Scotland's and Northern Ireland's, which
// neither data.police.uk's street-level files nor the English Indices of Deprivation cover.
const PATTERNS: Record<AreaLevel, RegExp> = {
  lsoa: /^[EW]01\d{6}$/,
  ward: /^[EW]05\d{6}$/,
  local_authority: /^(?:E0[6-9]|W06)\d{6}$/,
  csp: /^(?:E22|W14)\d{6}$/,
  police_force: /^(?:E23|W15)\d{6}$/,
}

export const CODE_DESCRIPTIONS: Record<AreaLevel, string> = {
  lsoa: 'a 2011 LSOA code (E01 or W01 and six digits)',
  ward: 'a ward code (E05 or W05 and six digits)',
  local_authority: 'a local authority code (E06, E07, E08, E09 or W06 and six digits)',
  csp: 'a community safety partnership code (E22 or W14 and six digits)',
  police_force: 'a police force area code (E23 or W15 and six digits)',
}

export const LEVEL_NOUNS: Record<AreaLevel, string> = {
  lsoa: 'LSOA',
  ward: 'ward',
  local_authority: 'local authority',
  csp: 'community safety partnership',
  police_force: 'police force area',
}

export const LEVEL_PLURALS: Record<AreaLevel, string> = {
  lsoa: 'LSOAs',
  ward: 'wards',
  local_authority: 'local authorities',
  csp: 'community safety partnerships',
  police_force: 'police force areas',
}

export function isAreaCode(level: AreaLevel, code: string): boolean {
  return PATTERNS[level].test(code)
}

/** An LSOA code as data.police.uk and the IoD write it: upper case, no spaces. */
export function normaliseCode(code: string): string {
  return code.trim().toUpperCase()
}

// The United Kingdom and its waters, with a margin: Rockall and the Channel Islands lie outside.
// Longitude -8.7 (Fermanagh's western edge) to 1.8 (Lowestoft), latitude 49.8 (the Lizard and
// Scilly) to 60.9 (Unst).
export const UK_BOUNDS = { west: -8.7, east: 1.8, south: 49.8, north: 60.9 } as const
export const UK_BOUNDS_TEXT = 'longitude -8.7 to 1.8, latitude 49.8 to 60.9'

export function isInUk(longitude: number, latitude: number): boolean {
  return longitude >= UK_BOUNDS.west && longitude <= UK_BOUNDS.east && latitude >= UK_BOUNDS.south && latitude <= UK_BOUNDS.north
}

// British National Grid (EPSG:27700) eastings and northings cover Great Britain from about 0 to
// 700,000 m east and 0 to 1,300,000 m north (Shetland). Values in that range, and too large to be
// degrees, are taken to be metres on the grid.
export function looksLikeBng(x: number, y: number): boolean {
  return x >= -10_000 && x <= 800_000 && y >= -10_000 && y <= 1_300_000 && (Math.abs(x) > 180 || Math.abs(y) > 90)
}
