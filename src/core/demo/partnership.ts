import type { Role } from '../access/roles.ts'
import type { HandlingCode, ProtectiveMarking, SharingScope } from '../access/visibility.ts'
import type { AgencyType, Region, ServiceArea } from '../reference/agencies.ts'
import { FAMILY_NAMES, GIVEN_NAMES, PLACE_PARTS, STREETS } from './names.ts'
import { seededRandom, type Random } from './random.ts'

// Demonstration data: a synthetic partnership for one police force area, or one at national scale
// for benchmarks. Agencies are real public bodies' names; every person and note is invented.

export type SeedAgency = {
  id: string
  name: string
  shortName: string | null
  agencyType: AgencyType
  serviceArea: ServiceArea | null
  parentId: string | null
  region: Region
  gainMember: boolean
  address: string | null
  website: string | null
  domain: string
}
export type SeedContact = { agencyId: string; name: string; roleTitle: string; email: string; phone: string; gainSinglePointOfContact: boolean }
export type SeedUser = { id: string; agencyId: string; email: string; displayName: string; jobTitle: string; roles: Role[] }
export type SeedNote = {
  id: string
  owningAgencyId: string
  createdBy: string
  subject: string
  body: string
  purpose: string
  protectiveMarking: ProtectiveMarking
  handlingCode: HandlingCode
  handlingConditions: string | null
  sharingScope: SharingScope
  sharedWithAgencyIds: string[]
  reviewDate: string
  createdAt: string
}
export type Partnership = { agencies: SeedAgency[]; contacts: SeedContact[]; users: SeedUser[]; notes: SeedNote[]; logins: Array<{ role: Role | 'second analyst'; email: string; agency: string }> }

export const DEMO_DOMAIN = 'demo.achilles.example'

class Builder {
  readonly agencies: SeedAgency[] = []
  readonly contacts: SeedContact[] = []
  readonly users: SeedUser[] = []
  readonly notes: SeedNote[] = []
  private readonly emails = new Set<string>()
  constructor(readonly random: Random) {}

  agency(a: Omit<SeedAgency, 'id' | 'parentId' | 'serviceArea' | 'shortName' | 'address' | 'website'> & Partial<SeedAgency>): SeedAgency {
    const made: SeedAgency = { id: this.random.uuid(), parentId: null, serviceArea: null, shortName: null, address: null, website: null, ...a }
    this.agencies.push(made)
    return made
  }

  personName(): { given: string; family: string; full: string } {
    const given = this.random.pick(GIVEN_NAMES)
    const family = this.random.pick(FAMILY_NAMES)
    return { given, family, full: `${given} ${family}` }
  }

  uniqueEmail(local: string, domain: string): string {
    let email = `${local}@${domain}`
    for (let n = 2; this.emails.has(email); n++) email = `${local}${n}@${domain}`
    this.emails.add(email)
    return email
  }

  user(agency: SeedAgency, roles: Role[], jobTitle: string, email?: string): SeedUser {
    const name = this.personName()
    const made: SeedUser = {
      id: this.random.uuid(),
      agencyId: agency.id,
      email: email ?? this.uniqueEmail(`${name.given}.${name.family}`.toLowerCase(), agency.domain),
      displayName: name.full,
      jobTitle,
      roles,
    }
    if (email) this.emails.add(email)
    this.users.push(made)
    return made
  }

  contact(agency: SeedAgency, roleTitle: string, gainSinglePointOfContact: boolean): void {
    const name = this.personName()
    this.contacts.push({
      agencyId: agency.id,
      name: name.full,
      roleTitle,
      email: this.uniqueEmail(`${name.given}.${name.family}`.toLowerCase(), agency.domain),
      // Ofcom's drama range (01632 960000-960999) is reserved for fiction.
      phone: `01632 960${String(this.random.int(0, 999)).padStart(3, '0')}`,
      gainSinglePointOfContact,
    })
  }
}

const JOB_TITLES: Record<Role, string> = {
  administrator: 'Partnership systems administrator',
  analyst: 'Partnership intelligence analyst',
  lead_responsible_officer: 'Detective inspector, Lead Responsible Officer',
  partner_officer: 'Senior enforcement officer',
  gain_coordinator: 'Regional GAIN coordinator',
  board_member: 'Organised Crime Partnership Board member',
  safeguarding_practitioner: 'Safeguarding and Prevent practitioner',
  councillor: 'Councillor, scrutiny committee',
}

const BUSINESSES = ['Hand Car Wash', 'Nails & Beauty', 'Pizza & Kebab', 'Mini Market', 'Vape & Phone Repairs', 'Barbers', 'Scrap Metals', 'Lettings'] as const

const CONCERNS = [
  'Frequent short visits to the address late at night, reported by neighbours; vehicles registered elsewhere.',
  'Workers appear to live on the premises and are driven in and out in the same van each day.',
  'Cash takings far above what the business could plausibly make; no card machine in use.',
  'A vulnerable tenant is believed to have lost control of the flat to people dealing drugs from it.',
  'Counterfeit tobacco and vapes seen on sale under the counter during a test purchase.',
  'Premises licence holder is named in connection with an organised crime group operating nearby.',
  'Young people seen carrying packages between this address and the railway station.',
  'Several companies registered at this address with the same director and no trading history.',
] as const

const PURPOSES = [
  'Disrupting an organised crime group supplying drugs in the area',
  'Safeguarding a vulnerable adult at risk of cuckooing',
  'Tackling labour exploitation and modern slavery',
  'Licensing and trading standards enforcement against criminal businesses',
  'Identifying money laundering through cash businesses',
] as const

const CONDITIONS = [
  'Do not disclose to the subject or take action without consulting the owning agency.',
  'For intelligence purposes only; not for evidential use.',
  'Share only with officers directly involved in the safeguarding plan.',
] as const

function addDays(isoDay: string, days: number): string {
  const d = new Date(`${isoDay}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

function noteFor(b: Builder, owner: SeedAgency, author: SeedUser, others: SeedAgency[], today: string): SeedNote {
  const r = b.random
  const isBusiness = r.chance(0.4)
  const place = `${r.int(1, 180)} ${r.pick(STREETS)}`
  const subject = isBusiness ? `${r.pick(FAMILY_NAMES)}'s ${r.pick(BUSINESSES)}, ${place}` : `${b.personName().full}, ${place}`
  const protectiveMarking: ProtectiveMarking = r.chance(0.25) ? 'OFFICIAL-SENSITIVE' : 'OFFICIAL'
  const handlingCode: HandlingCode = r.chance(0.3) ? 'C' : 'P'
  const scopes: SharingScope[] = protectiveMarking === 'OFFICIAL-SENSITIVE' ? ['agency', 'named'] : ['agency', 'named', 'partnership']
  const sharingScope = r.pick(scopes)
  const sharedWithAgencyIds =
    sharingScope === 'named' ? [...new Set(Array.from({ length: r.int(1, 3) }, () => r.pick(others).id))] : []
  return {
    id: r.uuid(),
    owningAgencyId: owner.id,
    createdBy: author.id,
    subject,
    body: r.pick(CONCERNS),
    purpose: r.pick(PURPOSES),
    protectiveMarking,
    handlingCode,
    handlingConditions: handlingCode === 'C' ? r.pick(CONDITIONS) : null,
    sharingScope,
    sharedWithAgencyIds,
    // A few are already due, so the review prompt has something to show.
    reviewDate: addDays(today, r.chance(0.1) ? -r.int(1, 60) : r.int(30, 3 * 365)),
    createdAt: `${addDays(today, -r.int(0, 400))}T${String(r.int(8, 18)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}:00Z`,
  }
}

/** Notes in the order they were recorded, as a live system would have stored them. */
function inRecordedOrder(notes: SeedNote[]): SeedNote[] {
  return [...notes].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
}

function nationalBodies(b: Builder): SeedAgency[] {
  return [
    b.agency({ name: 'HM Revenue and Customs – Fraud Investigation Service', shortName: 'HMRC', agencyType: 'hmrc', region: 'national', gainMember: true, domain: 'hmrc.example', website: 'https://www.gov.uk/government/organisations/hm-revenue-customs' }),
    b.agency({ name: 'Department for Work and Pensions – Counter Fraud', shortName: 'DWP', agencyType: 'dwp', region: 'national', gainMember: true, domain: 'dwp.example', website: 'https://www.gov.uk/government/organisations/department-for-work-pensions' }),
    b.agency({ name: 'Gangmasters and Labour Abuse Authority', shortName: 'GLAA', agencyType: 'glaa', region: 'national', gainMember: true, domain: 'glaa.example', website: 'https://www.gla.gov.uk' }),
    b.agency({ name: 'Driver and Vehicle Standards Agency', shortName: 'DVSA', agencyType: 'dvsa', region: 'national', gainMember: true, domain: 'dvsa.example' }),
    b.agency({ name: 'National Crime Agency', shortName: 'NCA', agencyType: 'nca', region: 'national', gainMember: true, domain: 'nca.example', website: 'https://www.nationalcrimeagency.gov.uk' }),
  ]
}

/** The demonstration partnership: Leicestershire, Leicester and Rutland, in the East Midlands. */
export function demoPartnership(options: { seed?: number; adminEmail: string; today: string }): Partnership {
  const b = new Builder(seededRandom(options.seed ?? 2026))
  const region: Region = 'east-midlands'
  const police = b.agency({ name: 'Leicestershire Police', shortName: 'LP', agencyType: 'police_force', region, gainMember: true, domain: 'leicestershire.police.example', website: 'https://www.leics.police.uk' })
  const city = b.agency({ name: 'Leicester City Council', agencyType: 'local_authority', region, gainMember: true, domain: 'leicester.gov.example' })
  const county = b.agency({ name: 'Leicestershire County Council', agencyType: 'local_authority', region, gainMember: true, domain: 'leics.gov.example' })
  const rutland = b.agency({ name: 'Rutland County Council', agencyType: 'local_authority', region, gainMember: false, domain: 'rutland.gov.example' })
  const districts = ['Blaby District Council', 'Charnwood Borough Council', 'Harborough District Council', 'Hinckley and Bosworth Borough Council', 'Melton Borough Council', 'North West Leicestershire District Council', 'Oadby and Wigston Borough Council'].map((name) =>
    b.agency({ name, agencyType: 'local_authority', region, gainMember: false, domain: `${name.split(' ')[0]!.toLowerCase()}.gov.example` }),
  )
  const service = (parent: SeedAgency, serviceArea: ServiceArea, label: string) =>
    b.agency({ name: `${parent.name} – ${label}`, agencyType: 'council_service', serviceArea, parentId: parent.id, region, gainMember: parent.gainMember, domain: parent.domain })
  const cityTradingStandards = service(city, 'trading_standards', 'Trading Standards')
  const cityLicensing = service(city, 'licensing', 'Licensing')
  service(city, 'environmental_health', 'Environmental Health')
  const cityHousing = service(city, 'housing', 'Housing')
  const cityCommunitySafety = service(city, 'community_safety', 'Community Safety')
  const countyTradingStandards = service(county, 'trading_standards', 'Trading Standards')
  service(county, 'children_services', "Children and Family Services")
  const charnwoodLicensing = service(districts[1]!, 'licensing', 'Licensing')
  const fire = b.agency({ name: 'Leicestershire Fire and Rescue Service', shortName: 'LFRS', agencyType: 'fire_rescue', region, gainMember: true, domain: 'leicestershire-fire.example' })
  const [hmrc, dwp, glaa] = nationalBodies(b)
  const ea = b.agency({ name: 'Environment Agency – East Midlands', shortName: 'EA', agencyType: 'environment_agency', region, gainMember: true, domain: 'environment-agency.example' })
  const immigration = b.agency({ name: 'Immigration Enforcement – Midlands', shortName: 'IE', agencyType: 'immigration_enforcement', region, gainMember: true, domain: 'homeoffice.example' })
  const emsou = b.agency({ name: 'East Midlands Special Operations Unit', shortName: 'EMSOU', agencyType: 'rocu', region, gainMember: true, domain: 'emsou.example' })
  b.agency({ name: 'Probation Service – East Midlands', agencyType: 'probation', region, gainMember: false, domain: 'probation.example' })
  const health = b.agency({ name: 'NHS Leicester, Leicestershire and Rutland Integrated Care Board', shortName: 'LLR ICB', agencyType: 'health', region, gainMember: false, domain: 'nhs.example' })
  const voluntary = b.agency({ name: 'Safer Homes Leicestershire (voluntary)', agencyType: 'voluntary', region, gainMember: false, domain: 'saferhomes.example' })

  const roleAccount = (role: Role, agency: SeedAgency, local: string) => b.user(agency, [role], JOB_TITLES[role], `${local}@${DEMO_DOMAIN}`)
  const admin = b.user(police, ['administrator'], JOB_TITLES.administrator, options.adminEmail)
  const logins: Partnership['logins'] = [{ role: 'administrator', email: admin.email, agency: police.name }]
  const accounts: Array<[Role, SeedAgency, string]> = [
    ['analyst', police, 'analyst'],
    ['lead_responsible_officer', police, 'lro'],
    ['partner_officer', cityTradingStandards, 'partner.officer'],
    ['gain_coordinator', emsou, 'gain.coordinator'],
    ['board_member', county, 'board.member'],
    ['safeguarding_practitioner', cityCommunitySafety, 'safeguarding'],
    ['councillor', districts[1]!, 'councillor'],
  ]
  for (const [role, agency, local] of accounts) {
    const u = roleAccount(role, agency, local)
    logins.push({ role, email: u.email, agency: agency.name })
  }
  const hmrcAnalyst = b.user(hmrc!, ['analyst'], 'Intelligence analyst', `analyst.hmrc@${DEMO_DOMAIN}`)
  logins.push({ role: 'second analyst', email: hmrcAnalyst.email, agency: hmrc!.name })

  const holders = [police, cityTradingStandards, cityLicensing, cityHousing, cityCommunitySafety, countyTradingStandards, charnwoodLicensing, fire, hmrc!, dwp!, glaa!, ea, immigration, emsou, health, voluntary]
  const workingRoles: Role[] = ['analyst', 'partner_officer', 'partner_officer', 'lead_responsible_officer', 'safeguarding_practitioner']
  for (const agency of holders) {
    for (let i = 0; i < b.random.int(2, 5); i++) {
      const role = agency.agencyType === 'police_force' ? b.random.pick(workingRoles) : b.random.pick(['partner_officer', 'analyst'] as Role[])
      b.user(agency, [role], JOB_TITLES[role])
    }
    b.contact(agency, agency.gainMember ? 'GAIN single point of contact' : 'Partnership lead', agency.gainMember)
  }

  const writers = b.users.filter((u) => u.roles.some((r) => r === 'analyst' || r === 'partner_officer' || r === 'lead_responsible_officer' || r === 'safeguarding_practitioner'))
  for (let i = 0; i < 80; i++) {
    const author = b.random.pick(writers)
    const owner = b.agencies.find((a) => a.id === author.agencyId)!
    b.notes.push(noteFor(b, owner, author, b.agencies.filter((a) => a.id !== owner.id), options.today))
  }
  return { agencies: b.agencies, contacts: b.contacts, users: b.users, notes: inRecordedOrder(b.notes), logins }
}

const POLICE_FORCES: Array<[string, Region]> = [
  ['Avon and Somerset Constabulary', 'south-west'], ['Bedfordshire Police', 'eastern'], ['Cambridgeshire Constabulary', 'eastern'],
  ['Cheshire Constabulary', 'north-west'], ['City of London Police', 'london'], ['Cleveland Police', 'north-east'],
  ['Cumbria Constabulary', 'north-west'], ['Derbyshire Constabulary', 'east-midlands'], ['Devon and Cornwall Police', 'south-west'],
  ['Dorset Police', 'south-west'], ['Durham Constabulary', 'north-east'], ['Dyfed-Powys Police', 'wales'], ['Essex Police', 'eastern'],
  ['Gloucestershire Constabulary', 'south-west'], ['Greater Manchester Police', 'north-west'], ['Gwent Police', 'wales'],
  ['Hampshire and Isle of Wight Constabulary', 'south-east'], ['Hertfordshire Constabulary', 'eastern'], ['Humberside Police', 'yorkshire-humber'],
  ['Kent Police', 'south-east'], ['Lancashire Constabulary', 'north-west'], ['Leicestershire Police', 'east-midlands'],
  ['Lincolnshire Police', 'east-midlands'], ['Merseyside Police', 'north-west'], ['Metropolitan Police Service', 'london'],
  ['Norfolk Constabulary', 'eastern'], ['North Wales Police', 'wales'], ['North Yorkshire Police', 'yorkshire-humber'],
  ['Northamptonshire Police', 'east-midlands'], ['Northumbria Police', 'north-east'], ['Nottinghamshire Police', 'east-midlands'],
  ['South Wales Police', 'wales'], ['South Yorkshire Police', 'yorkshire-humber'], ['Staffordshire Police', 'west-midlands'],
  ['Suffolk Constabulary', 'eastern'], ['Surrey Police', 'south-east'], ['Sussex Police', 'south-east'], ['Thames Valley Police', 'south-east'],
  ['Warwickshire Police', 'west-midlands'], ['West Mercia Police', 'west-midlands'], ['West Midlands Police', 'west-midlands'],
  ['West Yorkshire Police', 'yorkshire-humber'], ['Wiltshire Police', 'south-west'],
]

/**
 * A partnership at national scale for benchmarks (domain.md, "Scale"): the 43 forces, invented
 * councils with their services, national bodies, and tens of thousands of users and notes.
 */
export function nationalPartnership(options: { seed?: number; adminEmail: string; today: string; councilsPerForce?: number; usersPerAgency?: number; notes?: number }): Partnership {
  const b = new Builder(seededRandom(options.seed ?? 43))
  const councilsPerForce = options.councilsPerForce ?? 8
  const usersPerAgency = options.usersPerAgency ?? 6
  const nationals = nationalBodies(b)
  const places = new Set<string>()
  const placeName = () => {
    for (;;) {
      const name = `${b.random.pick(PLACE_PARTS.first)}${b.random.pick(PLACE_PARTS.last)}`
      if (!places.has(name)) {
        places.add(name)
        return name
      }
      if (places.size > 300) {
        const numbered = `${name} ${places.size}`
        places.add(numbered)
        return numbered
      }
    }
  }
  const forces: SeedAgency[] = []
  for (const [name, region] of POLICE_FORCES) {
    const slug = name.toLowerCase().replace(/[^a-z]+/g, '-')
    const force = b.agency({ name, agencyType: 'police_force', region, gainMember: true, domain: `${slug}.police.example` })
    forces.push(force)
    for (let c = 0; c < councilsPerForce; c++) {
      const place = placeName()
      const council = b.agency({ name: `${place} ${b.random.pick(['Borough', 'District', 'City', 'County'])} Council`, agencyType: 'local_authority', region, gainMember: b.random.chance(0.5), domain: `${place.toLowerCase().replace(/\W+/g, '')}.gov.example` })
      for (const [area, label] of [['trading_standards', 'Trading Standards'], ['licensing', 'Licensing'], ['housing', 'Housing'], ['community_safety', 'Community Safety']] as Array<[ServiceArea, string]>) {
        b.agency({ name: `${council.name} – ${label}`, agencyType: 'council_service', serviceArea: area, parentId: council.id, region, gainMember: council.gainMember, domain: council.domain })
      }
    }
    b.agency({ name: `${name.replace(/ (Police|Constabulary|Police Service)$/, '')} Fire and Rescue Service`, agencyType: 'fire_rescue', region, gainMember: b.random.chance(0.7), domain: `${slug}.fire.example` })
  }
  const admin = b.user(forces[21]!, ['administrator'], JOB_TITLES.administrator, options.adminEmail)
  const roles: Role[] = ['analyst', 'partner_officer', 'partner_officer', 'lead_responsible_officer', 'safeguarding_practitioner', 'board_member', 'gain_coordinator', 'councillor']
  for (const agency of [...nationals, ...b.agencies.filter((a) => !nationals.includes(a))]) {
    for (let i = 0; i < usersPerAgency; i++) {
      const role = b.random.pick(roles)
      b.user(agency, [role], JOB_TITLES[role])
    }
    b.contact(agency, 'GAIN single point of contact', agency.gainMember)
  }
  const writers = b.users.filter((u) => u.roles.some((r) => r === 'analyst' || r === 'partner_officer' || r === 'lead_responsible_officer'))
  const byId = new Map(b.agencies.map((a) => [a.id, a]))
  const sameRegion = new Map<Region, SeedAgency[]>()
  for (const a of b.agencies) sameRegion.set(a.region, [...(sameRegion.get(a.region) ?? []), a])
  for (let i = 0; i < (options.notes ?? 50_000); i++) {
    const author = b.random.pick(writers)
    const owner = byId.get(author.agencyId)!
    const peers = (sameRegion.get(owner.region) ?? []).filter((a) => a.id !== owner.id)
    b.notes.push(noteFor(b, owner, author, peers.length > 0 ? peers : nationals, options.today))
  }
  return { agencies: b.agencies, contacts: b.contacts, users: b.users, notes: inRecordedOrder(b.notes), logins: [{ role: 'administrator', email: admin.email, agency: forces[21]!.name }] }
}
