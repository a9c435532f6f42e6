// The forces data.police.uk publishes for, by the id its file names use
// (2019-06-greater-manchester-stop-and-search.csv) and by the name its street-level files give in
// "Falls within", so stop and search and street-level crime of one force carry the same name.
// Source: the data.police.uk API's list of forces (https://data.police.uk/api/forces) and the
// "Falls within" values of its street-level files.

export const POLICE_UK_FORCES: Readonly<Record<string, string>> = {
  'avon-and-somerset': 'Avon and Somerset Constabulary',
  bedfordshire: 'Bedfordshire Police',
  btp: 'British Transport Police',
  cambridgeshire: 'Cambridgeshire Constabulary',
  cheshire: 'Cheshire Constabulary',
  'city-of-london': 'City of London Police',
  cleveland: 'Cleveland Police',
  cumbria: 'Cumbria Constabulary',
  derbyshire: 'Derbyshire Constabulary',
  'devon-and-cornwall': 'Devon & Cornwall Police',
  dorset: 'Dorset Police',
  durham: 'Durham Constabulary',
  'dyfed-powys': 'Dyfed-Powys Police',
  essex: 'Essex Police',
  gloucestershire: 'Gloucestershire Constabulary',
  'greater-manchester': 'Greater Manchester Police',
  gwent: 'Gwent Police',
  hampshire: 'Hampshire Constabulary',
  hertfordshire: 'Hertfordshire Constabulary',
  humberside: 'Humberside Police',
  kent: 'Kent Police',
  lancashire: 'Lancashire Constabulary',
  leicestershire: 'Leicestershire Police',
  lincolnshire: 'Lincolnshire Police',
  merseyside: 'Merseyside Police',
  metropolitan: 'Metropolitan Police Service',
  norfolk: 'Norfolk Constabulary',
  'north-wales': 'North Wales Police',
  'north-yorkshire': 'North Yorkshire Police',
  northamptonshire: 'Northamptonshire Police',
  northumbria: 'Northumbria Police',
  'northern-ireland': 'Police Service of Northern Ireland',
  nottinghamshire: 'Nottinghamshire Police',
  'south-wales': 'South Wales Police',
  'south-yorkshire': 'South Yorkshire Police',
  staffordshire: 'Staffordshire Police',
  suffolk: 'Suffolk Constabulary',
  surrey: 'Surrey Police',
  sussex: 'Sussex Police',
  'thames-valley': 'Thames Valley Police',
  warwickshire: 'Warwickshire Police',
  'west-mercia': 'West Mercia Police',
  'west-midlands': 'West Midlands Police',
  'west-yorkshire': 'West Yorkshire Police',
  wiltshire: 'Wiltshire Police',
}

const BY_NAME = new Map(Object.values(POLICE_UK_FORCES).map((name) => [name.toLowerCase(), name]))

/**
 * A force as the user named it (--force): a data.police.uk id ("west-yorkshire") or a name in
 * any case is given the name the street-level files use; any other name is kept as written.
 */
export function forceName(given: string): string {
  const value = given.trim().replace(/\s+/g, ' ')
  return POLICE_UK_FORCES[value.toLowerCase()] ?? BY_NAME.get(value.toLowerCase()) ?? value
}

/** The month and force a data.police.uk stop-and-search file name gives, or nulls. */
export function stopSearchFileName(fileName: string): { month: string | null; force: string | null; forceId: string | null } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])-([a-z0-9-]+?)-stop-and-search\.csv$/i.exec(fileName)
  if (!m) {
    const month = /^(\d{4})-(0[1-9]|1[0-2])-/.exec(fileName)
    return { month: month ? `${month[1]}-${month[2]}-01` : null, force: null, forceId: null }
  }
  const id = m[3]!.toLowerCase()
  return { month: `${m[1]}-${m[2]}-01`, force: POLICE_UK_FORCES[id] ?? null, forceId: id }
}
