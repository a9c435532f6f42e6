import type { HandlingCode, ProtectiveMarking, SharingScope } from '../access/visibility.ts'
import type { BusinessType, EnablerProfession, EntitySchema, GroupStatus, LinkType, MemberRole, PersonRole, ThreatArea } from '../reference/crime.ts'
import { FAMILY_NAMES, GIVEN_NAMES, STREETS } from './names.ts'
import type { SeedAgency, SeedUser } from './partnership.ts'
import { seededRandom, type Random } from './random.ts'

// The invented crime picture a demonstration or benchmark partnership works on: organised crime
// groups, their members and what they use, and the intelligence that mentions them. Every name,
// number and event is made up. Phone numbers come from Ofcom's ranges reserved for drama.

export type SeedHandling = {
  owningAgencyId: string
  createdBy: string
  purpose: string
  protectiveMarking: ProtectiveMarking
  handlingCode: HandlingCode
  handlingConditions: string | null
  sharingScope: SharingScope
  sharedWithAgencyIds: string[]
  reviewDate: string
}

export type SeedPerson = { fullName: string; aliases: string[]; birthDate: string | null; personRole: PersonRole; identifiers: Array<{ type: string; value: string }> }
export type SeedBusiness = { name: string; businessType: BusinessType; companyNumber: string | null; address: string; postcode: string }
export type SeedAddress = { street: string; town: string; postcode: string; premisesType: string; latitude: number | null; longitude: number | null }
export type SeedVehicle = { registration: string; make: string; model: string; colour: string }
export type SeedPhone = { number: string; phoneType: string }
export type SeedAccount = { bankName: string; sortCode: string; accountNumber: string }

export type SeedEntityBody =
  | { schema: 'Person'; person: SeedPerson }
  | { schema: 'Company'; business: SeedBusiness }
  | { schema: 'Address'; address: SeedAddress }
  | { schema: 'Vehicle'; vehicle: SeedVehicle }
  | { schema: 'Phone'; phone: SeedPhone }
  | { schema: 'BankAccount'; account: SeedAccount }
export type SeedEntity = SeedHandling & { id: string; createdAt: string } & SeedEntityBody

export type SeedLink = Omit<SeedHandling, 'purpose' | 'reviewDate'> & {
  id: string
  linkType: LinkType
  subjectId: string
  objectId: string
  relationship: string | null
  startDate: string | null
  endDate: string | null
  sourceReference: string
}

export type SeedGroup = SeedHandling & {
  id: string
  name: string
  operationName: string | null
  status: GroupStatus
  threatAreas: ThreatArea[]
  areas: string[]
  crossBorder: boolean
  summary: string
  leadResponsibleOfficerId: string | null
  createdAt: string
}
export type SeedMember = { groupId: string; personId: string; role: MemberRole; enablerProfession: EnablerProfession | null; startDate: string | null; endDate: string | null }
export type SeedHolding = { groupId: string; entityId: string; kind: 'business_interest' | 'premises' | 'vehicle' | 'phone' | 'bank_account'; startDate: string | null }

export type SeedIntelligence = SeedHandling & {
  id: string
  body: string
  reportedOn: string
  reference: string
  sourceAgencyId: string
  sourceEvaluation: 'A' | 'B' | 'C'
  intelligenceAssessment: 1 | 2 | 3 | 4 | 5
  mentionedEntityIds: string[]
  mentionedGroupIds: string[]
}

export type CrimePicture = {
  entities: SeedEntity[]
  links: SeedLink[]
  groups: SeedGroup[]
  members: SeedMember[]
  holdings: SeedHolding[]
}

export type CrimeScale = { groups: number; extraPeople: number; areas: readonly string[]; postcodeAreas: readonly string[]; centre: { latitude: number; longitude: number } }

export const DEMO_CRIME_SCALE: CrimeScale = {
  groups: 24,
  extraPeople: 60,
  areas: ['Leicester', 'Charnwood', 'Blaby', 'Harborough', 'Hinckley and Bosworth', 'Melton', 'North West Leicestershire', 'Oadby and Wigston', 'Rutland'],
  postcodeAreas: ['LE1', 'LE2', 'LE3', 'LE4', 'LE5', 'LE11', 'LE12', 'LE15', 'LE65', 'LE67'],
  centre: { latitude: 52.6369, longitude: -1.1398 },
}

/** domain.md, "Scale": about 6,000 mapped groups and 50,000 mapped people in the UK. */
export const NATIONAL_CRIME_SCALE: CrimeScale = {
  groups: 6_000,
  extraPeople: 4_000,
  areas: [],
  postcodeAreas: ['B', 'BD', 'BS', 'CF', 'L', 'LE', 'LS', 'M', 'NE', 'NG', 'S', 'SE', 'E', 'N', 'W'],
  centre: { latitude: 52.8, longitude: -1.6 },
}

// Which businesses serve which threats (seed 004: car washes and nail bars in labour exploitation,
// takeaways in drug supply, cash businesses in laundering).
const THREAT_BUSINESSES: Partial<Record<ThreatArea, BusinessType[]>> = {
  modern_slavery: ['car_wash', 'nail_bar', 'recruitment', 'construction'],
  organised_immigration_crime: ['car_wash', 'takeaway', 'recruitment'],
  drugs: ['takeaway', 'barber', 'shop'],
  county_lines: ['takeaway', 'shop'],
  money_laundering: ['cash_business', 'money_service', 'lettings', 'car_wash'],
  economic_crime: ['lettings', 'money_service', 'cash_business'],
  fraud: ['lettings', 'care_provider', 'recruitment'],
  organised_acquisitive_crime: ['scrapyard', 'vehicle_repair', 'haulage'],
  counterfeit_illicit_goods: ['shop', 'off_licence'],
  fuel_fraud: ['haulage', 'vehicle_repair'],
  food_crime: ['takeaway', 'restaurant'],
}
const COMMON_THREATS: ThreatArea[] = ['drugs', 'county_lines', 'modern_slavery', 'money_laundering', 'organised_acquisitive_crime', 'fraud', 'counterfeit_illicit_goods', 'firearms', 'organised_immigration_crime']
const BUSINESS_WORDS: Record<BusinessType, string> = {
  car_wash: 'Hand Car Wash', nail_bar: 'Nails', takeaway: 'Pizza & Grill', restaurant: 'Kitchen', pub: 'Arms', off_licence: 'Wines',
  shop: 'Mini Market', barber: 'Barbers', scrapyard: 'Metals', lettings: 'Lettings', cash_business: 'Amusements', vehicle_repair: 'Motors',
  haulage: 'Haulage', construction: 'Build', care_provider: 'Care', recruitment: 'Staffing', money_service: 'Money Transfer', other: 'Trading',
}
const OPERATION_WORDS = ['Aurora', 'Bracken', 'Cinder', 'Dovetail', 'Ember', 'Falcon', 'Granite', 'Harbour', 'Ironbridge', 'Juniper', 'Kestrel', 'Lantern', 'Meridian', 'Nettle', 'Orchid', 'Pennant', 'Quarry', 'Rowan', 'Sable', 'Tamar', 'Umber', 'Vantage', 'Willow', 'Yarrow']
const MAKES: Array<[string, string[]]> = [['Ford', ['Transit', 'Fiesta', 'Focus']], ['Vauxhall', ['Corsa', 'Astra', 'Vivaro']], ['BMW', ['3 Series', 'X5']], ['Audi', ['A3', 'Q7']], ['Volkswagen', ['Golf', 'Transporter']], ['Mercedes-Benz', ['Sprinter', 'C-Class']], ['Toyota', ['Prius', 'Yaris']]]
const COLOURS = ['Black', 'Silver', 'White', 'Grey', 'Blue', 'Red']
const BANKS = ['Example Bank', 'Northern Building Society', 'City Savings Bank', 'Digital Challenger Bank']
// Ofcom reserves these for drama: numbers that can never ring a real person.
const FICTION_RANGES = ['07700 900', '01632 960', '020 7946 0', '0113 496 0', '0114 496 0', '0115 496 0', '0116 496 0', '0117 496 0', '0118 496 0', '0121 496 0', '0131 496 0', '0141 496 0', '0151 496 0', '0161 496 0', '0191 498 0']

const PURPOSES = [
  'Disrupting an organised crime group supplying drugs in the area',
  'Tackling labour exploitation and modern slavery',
  'Identifying money laundering through cash businesses',
  'Safeguarding vulnerable people exploited by organised crime',
]
const CONDITIONS = [
  'Do not disclose to the subject or take action without consulting the owning agency.',
  'For intelligence purposes only; not for evidential use.',
  'Not to be shared outside law enforcement without the originator’s consent.',
]
const INTEL_TEMPLATES = [
  (p: string, g: string) => `${p} is believed to be collecting cash from street-level dealers for ${g} twice a week.`,
  (p: string, g: string) => `Workers at a business linked to ${g} are driven in by ${p} and appear not to be paid directly.`,
  (p: string, g: string) => `${p} has been seen storing packages at an address used by ${g}; a vulnerable tenant lives there.`,
  (p: string, g: string) => `${g} is reported to be recruiting young people from local schools; ${p} makes the approaches.`,
  (p: string, g: string) => `${p} is said to launder proceeds for ${g} through a car wash's daily takings.`,
  (p: string, g: string) => `A firearm is rumoured to be held by ${p} on behalf of ${g}.`,
  (p: string, g: string) => `${p} uses several phones in rotation; ${g} runs a county line into neighbouring towns.`,
  (p: string, g: string) => `Counterfeit tobacco supplied by ${g} is sold from premises managed by ${p}.`,
]

export function addDays(isoDay: string, days: number): string {
  const d = new Date(`${isoDay}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

type Context = {
  r: Random
  today: string
  scale: CrimeScale
  writers: SeedUser[]
  lros: SeedUser[]
  agencyById: Map<string, SeedAgency>
  peers: (agencyId: string) => SeedAgency[]
  areas: readonly string[]
}

function handlingFor(c: Context, author: SeedUser, purpose?: string): SeedHandling {
  const { r } = c
  const protectiveMarking: ProtectiveMarking = r.chance(0.15) ? 'OFFICIAL-SENSITIVE' : 'OFFICIAL'
  const handlingCode: HandlingCode = r.chance(0.25) ? 'C' : 'P'
  // Most of a partnership's picture is shared with it: that is what the partnership is for.
  const sharingScope: SharingScope = protectiveMarking === 'OFFICIAL-SENSITIVE' ? (r.chance(0.5) ? 'named' : 'agency') : r.chance(0.75) ? 'partnership' : r.pick(['agency', 'named'] as const)
  const peers = c.peers(author.agencyId)
  const sharedWithAgencyIds = sharingScope === 'named' && peers.length > 0 ? [...new Set(Array.from({ length: r.int(1, 3) }, () => r.pick(peers).id))] : []
  return {
    owningAgencyId: author.agencyId,
    createdBy: author.id,
    purpose: purpose ?? r.pick(PURPOSES),
    protectiveMarking,
    handlingCode,
    handlingConditions: handlingCode === 'C' ? r.pick(CONDITIONS) : null,
    sharingScope: sharingScope === 'named' && sharedWithAgencyIds.length === 0 ? 'agency' : sharingScope,
    sharedWithAgencyIds,
    reviewDate: addDays(c.today, r.chance(0.08) ? -r.int(1, 60) : r.int(60, 3 * 365)),
  }
}

function postcode(c: Context): string {
  const { r } = c
  const letters = 'ABDEFGHJLNPQRSTUWXYZ'
  const area = r.pick(c.scale.postcodeAreas)
  // An area given with its district number (LE11) is a whole outward code already.
  const outward = /\d$/.test(area) ? area : `${area}${r.int(1, 9)}`
  return `${outward} ${r.int(1, 9)}${letters[r.int(0, letters.length - 1)]}${letters[r.int(0, letters.length - 1)]}`
}

function registration(r: Random): string {
  const letters = 'ABCDEFGHJKLMNOPRSTUVWXYZ'
  const l = () => letters[r.int(0, letters.length - 1)]
  return `${l()}${l()}${String(r.int(51, 74)).padStart(2, '0')} ${l()}${l()}${l()}`
}

function birthDate(c: Context, minAge: number, maxAge: number): string {
  return addDays(c.today, -(c.r.int(minAge, maxAge) * 365 + c.r.int(0, 364)))
}

function createdAt(c: Context): string {
  return `${addDays(c.today, -c.r.int(1, 700))}T${String(c.r.int(8, 18)).padStart(2, '0')}:${String(c.r.int(0, 59)).padStart(2, '0')}:00Z`
}

/** A crime picture for a partnership's agencies and users, the same for the same seed. */
export function crimePicture(options: { agencies: readonly SeedAgency[]; users: readonly SeedUser[]; today: string; scale: CrimeScale; seed?: number }): CrimePicture {
  const r = seededRandom(options.seed ?? 4_2026)
  const writers = options.users.filter((u) => u.roles.some((role) => role === 'analyst' || role === 'lead_responsible_officer' || role === 'partner_officer'))
  const lros = options.users.filter((u) => u.roles.includes('lead_responsible_officer'))
  const byRegion = new Map<string, SeedAgency[]>()
  for (const a of options.agencies) byRegion.set(a.region, [...(byRegion.get(a.region) ?? []), a])
  const agencyById = new Map(options.agencies.map((a) => [a.id, a]))
  const areas = options.scale.areas.length > 0 ? options.scale.areas : options.agencies.filter((a) => a.agencyType === 'local_authority').map((a) => a.name.replace(/ (Borough|District|City|County) Council$/, ''))
  const c: Context = {
    r,
    today: options.today,
    scale: options.scale,
    writers,
    lros: lros.length > 0 ? lros : writers,
    agencyById,
    areas,
    peers: (agencyId) => (byRegion.get(agencyById.get(agencyId)?.region ?? '') ?? []).filter((a) => a.id !== agencyId),
  }
  const picture: CrimePicture = { entities: [], links: [], groups: [], members: [], holdings: [] }
  let phoneSerial = 0

  const entity = (author: SeedUser, body: SeedEntityBody, purpose?: string): SeedEntity => {
    const made = { id: r.uuid(), createdAt: createdAt(c), ...handlingFor(c, author, purpose), ...body } as SeedEntity
    picture.entities.push(made)
    return made
  }
  const person = (author: SeedUser, personRole: PersonRole, minAge = 17, maxAge = 60): SeedEntity => {
    const given = r.pick(GIVEN_NAMES)
    const family = r.pick(FAMILY_NAMES)
    const aliases = r.chance(0.3) ? [`${given.slice(0, 3)} ${family}`, r.pick(['Junior', 'Bigs', 'Tiny', 'Smokey', 'Prof', 'Chef'])].slice(0, r.int(1, 2)) : []
    return entity(author, {
      schema: 'Person',
      person: {
        fullName: `${given} ${family}`,
        aliases,
        birthDate: r.chance(0.9) ? birthDate(c, minAge, maxAge) : null,
        personRole,
        identifiers: r.chance(0.5) ? [{ type: 'pnc', value: `${r.int(80, 99)}/${String(r.int(1, 999999)).padStart(6, '0')}${'ABCDEFGHJKLMNPQRSTUVWXYZ'[r.int(0, 23)]}` }] : [],
      },
    })
  }
  const link = (author: SeedUser, linkType: LinkType, subjectId: string, objectId: string, relationship: string | null = null) => {
    const h = handlingFor(c, author)
    picture.links.push({
      id: r.uuid(), linkType, subjectId, objectId, relationship,
      startDate: r.chance(0.5) ? addDays(c.today, -r.int(30, 1500)) : null, endDate: null,
      sourceReference: `${agencyById.get(author.agencyId)?.shortName ?? 'REF'}-${r.int(100000, 999999)}`,
      owningAgencyId: h.owningAgencyId, createdBy: h.createdBy, protectiveMarking: h.protectiveMarking, handlingCode: h.handlingCode,
      handlingConditions: h.handlingConditions, sharingScope: h.sharingScope, sharedWithAgencyIds: h.sharedWithAgencyIds,
    })
  }
  const phone = (author: SeedUser): SeedEntity => {
    const range = FICTION_RANGES[Math.floor(phoneSerial / 1000) % FICTION_RANGES.length]!
    const number = `${range}${String(phoneSerial % 1000).padStart(3, '0')}`
    phoneSerial++
    return entity(author, { schema: 'Phone', phone: { number, phoneType: r.pick(['mobile', 'mobile', 'landline']) } })
  }

  for (let g = 0; g < options.scale.groups; g++) {
    const author = r.pick(writers)
    const threatAreas = [...new Set([r.pick(COMMON_THREATS), ...(r.chance(0.4) ? [r.pick(COMMON_THREATS)] : [])])]
    const home = r.pick(c.areas)
    const groupAreas = [...new Set([home, ...(r.chance(0.3) ? [r.pick(c.areas)] : [])])]
    const principalFamily = r.pick(FAMILY_NAMES)
    const operation = r.chance(0.6) ? `Operation ${r.pick(OPERATION_WORDS)}${options.scale.groups > OPERATION_WORDS.length ? ` ${g + 1}` : ''}` : null
    const group: SeedGroup = {
      id: r.uuid(),
      name: `${principalFamily} ${r.pick(['network', 'family', 'crew', 'group', 'organisation'])} (${home})${options.scale.groups > 500 ? ` #${g + 1}` : ''}`,
      operationName: operation,
      status: r.pick(['active', 'active', 'active', 'dormant', 'disrupted'] as const),
      threatAreas,
      areas: groupAreas,
      crossBorder: r.chance(0.3),
      summary: `Invented group for demonstration. Operates mainly in ${home}; threat: ${threatAreas.join(', ').replace(/_/g, ' ')}.`,
      leadResponsibleOfficerId: r.chance(0.85) ? r.pick(c.lros).id : null,
      createdAt: createdAt(c),
      ...handlingFor(c, author),
    }
    picture.groups.push(group)
    const size = r.int(4, 12)
    const people: SeedEntity[] = []
    for (let m = 0; m < size; m++) {
      const role: MemberRole = m === 0 ? 'principal' : m < 3 ? 'core_member' : r.pick(['associate', 'associate', 'mule', 'mule', 'enabler'] as const)
      const p = person(author, 'suspect', role === 'mule' ? 16 : 20, role === 'principal' ? 65 : 55)
      if (m === 0 && p.schema === 'Person') p.person.fullName = `${p.person.fullName.split(' ')[0]} ${principalFamily}`
      people.push(p)
      picture.members.push({
        groupId: group.id, personId: p.id, role,
        enablerProfession: role === 'enabler' ? r.pick(['law', 'finance', 'accountancy', 'property', 'logistics'] as const) : null,
        startDate: r.chance(0.7) ? addDays(c.today, -r.int(60, 2000)) : null,
        endDate: null,
      })
    }
    // Family and associates among members; phones and vehicles they use.
    for (let i = 1; i < people.length; i++) {
      if (r.chance(0.5)) link(author, r.chance(0.3) ? 'family' : 'associate', people[0]!.id, people[i]!.id, r.chance(0.3) ? r.pick(['brother', 'cousin', 'partner', 'childhood friend']) : null)
      if (i > 1 && r.chance(0.3)) link(author, 'associate', people[i]!.id, people[r.int(1, i - 1)]!.id)
    }
    for (let i = 0; i < r.int(1, 3); i++) {
      const ph = phone(author)
      link(author, 'uses_phone', r.pick(people).id, ph.id)
      picture.holdings.push({ groupId: group.id, entityId: ph.id, kind: 'phone', startDate: null })
    }
    for (let i = 0; i < r.int(0, 2); i++) {
      const make = r.pick(MAKES)
      const v = entity(author, { schema: 'Vehicle', vehicle: { registration: registration(r), make: make[0], model: r.pick(make[1]), colour: r.pick(COLOURS) } })
      link(author, 'drives_vehicle', r.pick(people).id, v.id)
      picture.holdings.push({ groupId: group.id, entityId: v.id, kind: 'vehicle', startDate: null })
    }
    const businessTypes = THREAT_BUSINESSES[threatAreas[0]!] ?? ['cash_business']
    for (let i = 0; i < r.int(0, 2); i++) {
      const businessType = r.pick(businessTypes)
      const pc = postcode(c)
      const street = `${r.int(1, 240)} ${r.pick(STREETS)}`
      const premises = entity(author, { schema: 'Address', address: { street, town: home, postcode: pc, premisesType: 'commercial', latitude: +(c.scale.centre.latitude + (r.next() - 0.5) * 0.2).toFixed(5), longitude: +(c.scale.centre.longitude + (r.next() - 0.5) * 0.3).toFixed(5) } })
      const business = entity(author, { schema: 'Company', business: { name: `${r.pick([principalFamily, r.pick(STREETS).split(' ')[0]!, home.split(' ')[0]!])} ${BUSINESS_WORDS[businessType]}`, businessType, companyNumber: r.chance(0.7) ? String(r.int(1_000_000, 15_999_999)).padStart(8, '0') : null, address: `${street}, ${home}`, postcode: pc } })
      link(author, r.chance(0.6) ? 'director' : 'owner', r.pick(people.slice(0, 3)).id, business.id)
      link(author, 'occupant', business.id, premises.id)
      picture.holdings.push({ groupId: group.id, entityId: business.id, kind: 'business_interest', startDate: null })
      picture.holdings.push({ groupId: group.id, entityId: premises.id, kind: 'premises', startDate: null })
    }
    if (r.chance(0.4)) {
      const account = entity(author, { schema: 'BankAccount', account: { bankName: r.pick(BANKS), sortCode: `${r.int(10, 99)}-${r.int(10, 99)}-${r.int(10, 99)}`, accountNumber: String(r.int(10_000_000, 99_999_999)) } })
      link(author, 'account_holder', people[0]!.id, account.id)
      picture.holdings.push({ groupId: group.id, entityId: account.id, kind: 'bank_account', startDate: null })
    }
    // People the group exploits: victims and people at risk, never members (domain.md).
    if (r.chance(0.35)) {
      const flat = entity(author, { schema: 'Address', address: { street: `Flat ${r.int(1, 40)}, ${r.int(1, 120)} ${r.pick(STREETS)}`, town: group.areas[0]!, postcode: postcode(c), premisesType: 'residential', latitude: null, longitude: null } }, 'Safeguarding vulnerable people exploited by organised crime')
      const victim = person(author, r.chance(0.5) ? 'victim' : 'person_at_risk', 16, 80)
      link(author, 'occupant', victim.id, flat.id)
      picture.holdings.push({ groupId: group.id, entityId: flat.id, kind: 'premises', startDate: null })
    }
  }
  for (let i = 0; i < options.scale.extraPeople; i++) person(r.pick(writers), r.pick(['suspect', 'suspect', 'victim', 'person_at_risk', 'other'] as const))
  return picture
}

/**
 * Intelligence about a picture, yielded in batches so a million records never sit in memory at
 * once. Each record mentions one group and one or two of its people.
 */
export function* intelligenceBatches(options: { picture: CrimePicture; users: readonly SeedUser[]; agencies: readonly SeedAgency[]; today: string; count: number; batchSize?: number; seed?: number }): Generator<SeedIntelligence[]> {
  const r = seededRandom(options.seed ?? 5_2026)
  const writers = options.users.filter((u) => u.roles.some((role) => role === 'analyst' || role === 'lead_responsible_officer' || role === 'partner_officer'))
  const agencyById = new Map(options.agencies.map((a) => [a.id, a]))
  const byRegion = new Map<string, SeedAgency[]>()
  for (const a of options.agencies) byRegion.set(a.region, [...(byRegion.get(a.region) ?? []), a])
  const c: Context = {
    r, today: options.today, scale: DEMO_CRIME_SCALE, writers, lros: writers, agencyById, areas: [],
    peers: (agencyId) => (byRegion.get(agencyById.get(agencyId)?.region ?? '') ?? []).filter((a) => a.id !== agencyId),
  }
  const names = new Map(options.picture.entities.flatMap((e) => (e.schema === 'Person' ? [[e.id, e.person.fullName] as const] : [])))
  const membersOf = new Map<string, string[]>()
  for (const m of options.picture.members) membersOf.set(m.groupId, [...(membersOf.get(m.groupId) ?? []), m.personId])
  const groups = options.picture.groups
  const batchSize = options.batchSize ?? 5_000
  let batch: SeedIntelligence[] = []
  for (let i = 0; i < options.count; i++) {
    const group = r.pick(groups)
    const members = membersOf.get(group.id) ?? []
    const mentioned = members.length > 0 ? [...new Set([r.pick(members), ...(r.chance(0.4) ? [r.pick(members)] : [])])] : []
    const author = r.pick(writers)
    const source = r.chance(0.8) ? author.agencyId : r.pick(options.agencies).id
    batch.push({
      id: r.uuid(),
      body: r.pick(INTEL_TEMPLATES)(names.get(mentioned[0] ?? '') ?? 'An unidentified man', group.operationName ?? group.name),
      reportedOn: addDays(options.today, -r.int(0, 1500)),
      reference: `INT-${String(i + 1).padStart(7, '0')}`,
      sourceAgencyId: source,
      sourceEvaluation: r.pick(['A', 'B', 'B', 'C'] as const),
      intelligenceAssessment: r.pick([1, 2, 2, 3, 3, 4, 5] as const),
      mentionedEntityIds: mentioned,
      mentionedGroupIds: [group.id],
      ...handlingFor(c, author),
    })
    if (batch.length === batchSize) {
      yield batch
      batch = []
    }
  }
  if (batch.length > 0) yield batch
}

/** Schemas in the picture, counted, for the figures a loader prints. */
export function countBySchema(picture: CrimePicture): Record<EntitySchema, number> {
  const counts = { Person: 0, Company: 0, Organization: 0, Address: 0, Vehicle: 0, Phone: 0, BankAccount: 0 } as Record<EntitySchema, number>
  for (const e of picture.entities) counts[e.schema]++
  return counts
}
