// Invented people for the matcher's throughput run: two partners' files of any size, drawn from a
// seeded generator, where half of the second file are the first file's people as another agency
// would have written them (typos, nicknames, day and month swapped, a move of house, blanks).
//
// Names follow the shape of real British name frequencies rather than a uniform spread: a few very
// common family names (Smith near 1%), a long tail of rare ones, given names more concentrated
// still. A uniform spread would make blocking look far cheaper than it is on real files.

import { seededRandom, type Random } from '../src/core/demo/random.ts'
import type { SourceRecord } from '../src/core/matching/record.ts'

const COMMON_FAMILY = ['Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Johnson', 'Roberts', 'Robinson', 'Thompson', 'Wright', 'Walker', 'White', 'Edwards', 'Hughes', 'Green', 'Hall', 'Lewis', 'Harris', 'Clarke', 'Patel', 'Jackson', 'Wood', 'Turner', 'Martin', 'Cooper', 'Hill', 'Ward', 'Morris', 'Moore', 'Clark', 'Lee', 'King', 'Baker', 'Harrison', 'Morgan', 'Allen', 'James', 'Scott', 'Phillips', 'Watson', 'Davis', 'Parker', 'Price', 'Bennett', 'Young', 'Griffiths', 'Mitchell', 'Kelly', 'Cook', 'Carter', 'Richardson', 'Bailey', 'Collins', 'Bell', 'Shaw', 'Murphy', 'Miller', 'Cox', 'Richards', 'Khan', 'Marshall', 'Anderson', 'Simpson', 'Ellis', 'Adams', 'Singh', 'Begum', 'Wilkinson', 'Foster', 'Chapman', 'Powell', 'Webb', 'Rogers', 'Gray', 'Mason', 'Ali', 'Hunt', 'Hussain', 'Campbell', 'Matthews', 'Owen', 'Palmer', 'Holmes', 'Mills', 'Barnes', 'Knight', 'Lloyd', 'Butler', 'Russell', 'Barker', 'Fisher', 'Stevens', 'Jenkins', 'Murray', 'Dixon', 'Harvey', 'Okafor', 'Nowak', 'Kowalski', 'Ahmed', 'Kaur', 'Shah', 'Mistry', 'Chauhan', 'Nguyen', 'Popescu']
const FAMILY_START = ['Ash', 'Black', 'Brad', 'Brook', 'Chad', 'Cross', 'Dal', 'East', 'Fair', 'Ford', 'Glad', 'Hart', 'Hather', 'Holl', 'King', 'Lang', 'Long', 'Mar', 'Mel', 'Nor', 'Oak', 'Pem', 'Rad', 'Red', 'Rock', 'Shel', 'Stan', 'Stock', 'Thorn', 'Wal', 'West', 'Whit', 'Wins', 'Wood', 'Yar', 'Ather', 'Brom', 'Carl', 'Dun', 'Ever']
const FAMILY_END = ['bridge', 'bury', 'by', 'combe', 'den', 'don', 'field', 'ford', 'gate', 'ham', 'hurst', 'ley', 'low', 'man', 'more', 'ridge', 'shaw', 'stead', 'stone', 'ton', 'well', 'wick', 'win', 'worth', 'wood', 'er', 'ers', 'ings', 'ock', 'rey']
const GIVEN = ['Oliver', 'George', 'Harry', 'Jack', 'Jacob', 'Noah', 'Charlie', 'Muhammad', 'Thomas', 'Oscar', 'William', 'James', 'Henry', 'Leo', 'Alfie', 'Joshua', 'Freddie', 'Archie', 'Ethan', 'Isaac', 'Alexander', 'Joseph', 'Edward', 'Samuel', 'Max', 'Daniel', 'Arthur', 'Lucas', 'Mohammed', 'Logan', 'David', 'Michael', 'John', 'Paul', 'Mark', 'Andrew', 'Richard', 'Robert', 'Christopher', 'Stephen', 'Anthony', 'Kevin', 'Gary', 'Darren', 'Lee', 'Craig', 'Dean', 'Wayne', 'Jason', 'Ryan', 'Liam', 'Kyle', 'Connor', 'Callum', 'Jamal', 'Tariq', 'Usman', 'Kwame', 'Emeka', 'Arjun', 'Ravi', 'Harjit', 'Piotr', 'Tomasz', 'Andrei', 'Olivia', 'Amelia', 'Isla', 'Ava', 'Emily', 'Isabella', 'Mia', 'Poppy', 'Ella', 'Lily', 'Sophie', 'Grace', 'Evie', 'Chloe', 'Jessica', 'Sarah', 'Emma', 'Laura', 'Rebecca', 'Hannah', 'Charlotte', 'Lauren', 'Amy', 'Rachel', 'Katherine', 'Elizabeth', 'Margaret', 'Susan', 'Karen', 'Julie', 'Helen', 'Nicola', 'Claire', 'Kelly', 'Michelle', 'Fatima', 'Aisha', 'Zara', 'Priya', 'Deepa', 'Sana', 'Nadia', 'Agnieszka', 'Ioana', 'Chiamaka', 'Abena', 'Mei', 'Wei', 'Yasmin', 'Jasmine', 'Megan', 'Victoria', 'Natalie', 'Gemma', 'Joanne', 'Lisa']
const GIVEN_EXTRA_START = ['Al', 'Bren', 'Cal', 'Dar', 'El', 'Fin', 'Jor', 'Kir', 'Lor', 'Mar', 'Nor', 'Ro', 'Sha', 'Tor', 'Zan', 'Ha', 'Ja', 'Ka', 'Le', 'Mi']
const GIVEN_EXTRA_END = ['an', 'en', 'ia', 'ie', 'on', 'a', 'ys', 'el', 'ina', 'ette', 'ley', 'o']
const NICKNAMES: Record<string, string> = { William: 'Bill', Robert: 'Bob', Richard: 'Dick', Elizabeth: 'Liz', Margaret: 'Maggie', Katherine: 'Kate', Michael: 'Mike', Christopher: 'Chris', Alexander: 'Alex', Joseph: 'Joe', Edward: 'Ted', Samuel: 'Sam', Daniel: 'Dan', Anthony: 'Tony', Stephen: 'Steve', Andrew: 'Andy', Thomas: 'Tom', James: 'Jim', Rebecca: 'Becky', Jessica: 'Jess', Victoria: 'Vicky', Charlotte: 'Lottie', Muhammad: 'Mohammed' }
const STREETS = ['High Street', 'Station Road', 'Church Street', 'Park Road', 'Victoria Road', 'Green Lane', 'Manor Road', 'Church Lane', 'Queens Road', 'New Road', 'Grange Road', 'Kings Road', 'Mill Lane', 'Alexandra Road', 'Main Street', 'North Street', 'School Lane', 'London Road', 'York Road', 'Albert Road', 'Springfield Road', 'Chapel Street', 'The Crescent', 'Stanley Road', 'Mill Road', 'Windsor Road', 'South Street', 'West Street', 'Highfield Road', 'George Street']
const TOWNS = ['Leicester', 'Nottingham', 'Derby', 'Loughborough', 'Mansfield', 'Lincoln', 'Northampton', 'Kettering', 'Corby', 'Hinckley', 'Coalville', 'Melton Mowbray', 'Chesterfield', 'Newark', 'Grantham', 'Boston', 'Wellingborough', 'Market Harborough', 'Ilkeston', 'Worksop']
const AREAS = ['LE', 'NG', 'DE', 'LN', 'NN', 'PE', 'S', 'CV', 'B', 'M']
const LETTERS = 'ABDEFGHJLNPQRSTUWXYZ'

export type SyntheticPerson = { given: string; family: string; birth: { y: number; m: number; d: number }; house: number; street: string; town: string; postcode: string; phone: string; email: string | null }

/** A name list with Zipf-like weights: the first names are drawn far more often than the last. */
function zipfPicker(names: readonly string[], exponent: number) {
  const cumulative: number[] = []
  let total = 0
  names.forEach((_, i) => {
    total += 1 / (i + 3) ** exponent
    cumulative.push(total)
  })
  return (random: Random) => {
    const x = random.next() * total
    let lo = 0
    let hi = cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cumulative[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return names[lo]!
  }
}

const familyNames = [...COMMON_FAMILY, ...FAMILY_START.flatMap((s) => FAMILY_END.map((e) => s + e))]
const givenNames = [...GIVEN, ...GIVEN_EXTRA_START.flatMap((s) => GIVEN_EXTRA_END.map((e) => s + e))]
const pickFamily = zipfPicker(familyNames, 1.05)
const pickGiven = zipfPicker(givenNames, 1.1)

function postcode(random: Random): string {
  return `${random.pick(AREAS)}${random.int(1, 30)} ${random.int(1, 9)}${LETTERS[random.int(0, LETTERS.length - 1)]}${LETTERS[random.int(0, LETTERS.length - 1)]}`
}

function person(random: Random): SyntheticPerson {
  const given = pickGiven(random)
  const family = pickFamily(random)
  const y = random.int(1940, 2008)
  return {
    given,
    family,
    birth: { y, m: random.int(1, 12), d: random.int(1, 28) },
    house: random.int(1, 250),
    street: random.pick(STREETS),
    town: random.pick(TOWNS),
    postcode: postcode(random),
    phone: `07${random.int(100, 999)}${random.int(100000, 999999)}`,
    email: random.chance(0.6) ? `${given.toLowerCase()}.${family.toLowerCase()}${random.int(1, 99)}@example.net` : null,
  }
}

const pad = (x: number) => String(x).padStart(2, '0')

function typo(random: Random, word: string): string {
  if (word.length < 3) return word
  const i = random.int(1, word.length - 2)
  switch (random.int(0, 3)) {
    case 0:
      return word.slice(0, i) + word.slice(i + 1) // a letter left out
    case 1:
      return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2) // two swapped
    case 2:
      return word.slice(0, i) + 'aeiou'[random.int(0, 4)] + word.slice(i + 1) // a wrong vowel
    default:
      return word.slice(0, i) + word[i] + word.slice(i) // a letter doubled
  }
}

/** A record as the first agency writes it: tidy, day-first dates. */
function asFirstAgency(p: SyntheticPerson, source: number, id: string): SourceRecord {
  return {
    source,
    id,
    values: {
      given_name: p.given,
      family_name: p.family,
      birth_date: `${pad(p.birth.d)}/${pad(p.birth.m)}/${p.birth.y}`,
      address: `${p.house} ${p.street}`,
      town: p.town,
      postcode: p.postcode,
      phone: p.phone,
      ...(p.email ? { email: p.email } : {}),
    },
  }
}

/** The same person as another agency has them: its own formats and its own mistakes. */
function asSecondAgency(p: SyntheticPerson, random: Random, source: number, id: string): SourceRecord {
  let given = p.given
  if (NICKNAMES[given] && random.chance(0.3)) given = NICKNAMES[given]!
  else if (random.chance(0.08)) given = typo(random, given)
  let family = random.chance(0.08) ? typo(random, p.family) : p.family
  if (random.chance(0.02)) [given, family] = [family, given]
  let { d, m } = p.birth
  if (d <= 12 && random.chance(0.05)) [d, m] = [m, d]
  const y = random.chance(0.02) ? p.birth.y + (random.chance(0.5) ? 1 : -1) : p.birth.y
  const moved = random.chance(0.15)
  const values: SourceRecord['values'] = {
    given_name: random.chance(0.1) ? given.toUpperCase() : given,
    family_name: random.chance(0.1) ? family.toUpperCase() : family,
    ...(random.chance(0.03) ? {} : { birth_date: `${y}-${pad(m)}-${pad(d)}` }),
    address: moved ? `${random.int(1, 250)} ${random.pick(STREETS)}` : `${p.house} ${p.street}`,
    town: moved ? random.pick(TOWNS) : p.town,
    ...(random.chance(0.1) ? {} : { postcode: moved ? postcode(random) : p.postcode.replace(' ', random.chance(0.3) ? '' : ' ') }),
    ...(random.chance(0.4) ? {} : { phone: random.chance(0.5) ? `+44 ${p.phone.slice(1, 5)} ${p.phone.slice(5)}` : p.phone }),
  }
  if (p.email && random.chance(0.5)) values.email = p.email.toUpperCase()
  return { source, id, values }
}

export type SyntheticLinkage = { records: SourceRecord[]; truth: string[] }

/**
 * Two files of `size` records each. Half the second file's records are people from the first, in
 * random order; the other half are people only the second agency knows.
 */
export function syntheticLinkage(size: number, seed = 7): SyntheticLinkage {
  const random = seededRandom(seed)
  const records: SourceRecord[] = []
  const truth: string[] = []
  const people: SyntheticPerson[] = []
  for (let i = 0; i < size; i++) {
    const p = person(random)
    people.push(p)
    records.push(asFirstAgency(p, 1, `A${i + 1}`))
    truth.push(`p${i}`)
  }
  const shared = Math.floor(size / 2)
  const order = Array.from({ length: size }, (_, i) => i)
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  for (let k = 0; k < size; k++) {
    if (k < shared) {
      const i = order[k]!
      records.push(asSecondAgency(people[i]!, random, 2, `B${k + 1}`))
      truth.push(`p${i}`)
    } else {
      records.push(asSecondAgency(person(random), random, 2, `B${k + 1}`))
      truth.push(`q${k}`)
    }
  }
  return { records, truth }
}

export const SYNTHETIC_FIELDS = new Set(['given_name', 'family_name', 'birth_date', 'address', 'town', 'postcode', 'phone', 'email'])
