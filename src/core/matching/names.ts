import { normaliseName } from '../entities/normalise.ts'

// People's names as partners record them: a council tenancy says "William", the police record says
// "Bill"; HMRC transliterated "Мухаммад" as Muhammad, the hospital as Mohammed. Each group below is
// one name and the forms it is known by; a name's key is its group's first form, so two records
// whose keys meet hold the same name, however it was written.

const GIVEN_NAME_GROUPS: readonly string[] = [
  // English forms and their usual short and pet forms.
  'robert bob bobby rob robbie robby bert bertie',
  'richard rick ricky rich richie dick dickie',
  'edward ed eddie eddy ted teddy ned',
  'james jim jimmy jamie jimi',
  'john jon johnny jonny jack jock',
  'jonathan jon jonny jonty nathan',
  'joseph joe joey jo jos',
  'thomas tom tommy tommie thom',
  'walter walt wally wat',
  'william bill billy will willy willie liam wil gwilym',
  'charles charlie chas chuck chaz',
  'michael mike mick micky mickey mikey mikhail michal mihail',
  'christopher chris kit topher christoph',
  'anthony tony antony anton antonio',
  'andrew andy drew andre andrei andrey andriy andrzej',
  'alexander alex alec sandy xander aleksandr oleksandr aleksander alexandr sasha alessandro',
  'benjamin ben benny benji',
  'daniel dan danny dani',
  'david dave davey davy dai dawid',
  'matthew matt matty mateusz matteo',
  'nicholas nick nicky nico nikolai nikolay mykola mikolaj niklas',
  'patrick pat paddy patsy',
  'peter pete piotr pyotr petr pietro',
  'stephen steve stevie steven stefan stephan stepan',
  'samuel sam sammy',
  'timothy tim timmy',
  'frederick fred freddie freddy fredrick',
  'henry harry hal hank',
  'harold harry hal',
  'lawrence larry laurence lawrie laurie',
  'leonard len lenny leo',
  'gerald gerry jerry ged',
  'gregory greg gregor grzegorz',
  'kenneth ken kenny',
  'ronald ron ronnie',
  'donald don donnie',
  'raymond ray',
  'terence terry terrance',
  'philip phil pip phillip filip',
  'nathaniel nat nate nathan',
  'zachary zach zac zak',
  'joshua josh',
  'oliver ollie olly',
  'albert al bert bertie',
  'arthur art artie',
  'francis frank frankie fran franciszek',
  'vincent vince vinny',
  'eugene gene yevgeny evgeny yevhen evgeni',
  'sergei sergey serhiy sergiu',
  'dmitri dmitry dmytro dimitri',
  'yuri yury iurii yuriy jurij',
  'alexei alexey aleksei oleksiy aleksey',
  'ivan ivan ioan',
  'elizabeth liz lizzie lizzy beth betty bette eliza libby elisabeth elzbieta',
  'margaret maggie meg peggy marge madge greta margarita malgorzata mairead',
  'george georgie geordie jorge georg',
  'hugh hughie hugo',
  'reginald reg reggie',
  'archibald archie',
  'augustus gus augustine',
  'ferdinand ferdie',
  'alfred alf alfie fred',
  'ernest ernie',
  'herbert herb bert',
  'horace horry',
  'isaac ike',
  'jacob jake jakub',
  'louis lou lewis luis ludwig',
  'roger rodge',
  'rupert rupe',
  'walter walt',
  'wilfred wilf',
  'evan ifan',
  'owen owain',
  'ellen nell nellie',
  'eleanor ellie nora nell elinor',
  'florence flo florrie',
  'frances fanny fran',
  'harriet hattie hatty',
  'louisa louise lou lulu',
  'matilda tilly tilda maud',
  'sophia sophie sofia zofia',
  'caroline carrie carol carolina',
  'charlotte lottie charlie',
  'emily emmy em',
  'emma em emmy',
  'isabella bella isabel izzy isobel',
  'lucy lucinda lu',
  'martha mattie patsy',
  'catherine kate katie cathy kathy kat katherine kathryn katharine katarzyna kasia ekaterina katerina',
  'susan sue susie suzanne suzy',
  'deborah debbie deb debra',
  'jennifer jen jenny jenni',
  'jessica jess jessie',
  'rebecca becky becca bex',
  'victoria vicky vikki tori',
  'alexandra alex alexa sandra sasha aleksandra oleksandra',
  'patricia pat patty trish tricia',
  'christine chris chrissie christina kristina krystyna',
  'samantha sam sammie',
  'abigail abbie abby gail',
  'amanda mandy',
  'barbara barb babs',
  'dorothy dot dotty dolly',
  'helen helena elena olena',
  'jacqueline jackie jacqui',
  'josephine jo josie',
  'kimberley kim kimberly',
  'nicola nicky nikki nicole',
  'pamela pam',
  'sarah sara sally sadie',
  'theresa tess tessa terri teresa',
  'natalie natalia natalya nataliya natasha',
  'tatiana tatyana tetiana tanya',
  'olga olha',
  'anna ann anne annie hanna hannah ania',
  'mary molly polly mae maria marie',
  // Transliterations of Arabic, Persian, Urdu and Bengali names.
  'muhammad mohammed mohammad mohamed mohamad muhammed mohamud mahomed mohd muhamed mohammod',
  'ahmed ahmad ahmet ahmaad',
  'mahmoud mahmood mahmud',
  'mustafa mustapha mostafa moustafa',
  'yusuf yousef youssef yusef yousuf',
  'ibrahim ebrahim ibraheem',
  'abdullah abdallah abdulla',
  'hussein hussain husain hosein husein',
  'hassan hasan hassen',
  'ali aly',
  'omar umar omer',
  'osman usman othman uthman',
  'khalid khaled',
  'tariq tarik tareq',
  'fatima fatimah fatma',
  'aisha ayesha aishah ayisha',
  'zainab zaynab zeinab',
  'mariam maryam miriam',
  'nasreen nasrin',
  'shahid shaheed',
  'rashid rasheed',
  'imran imraan',
]

const FAMILY_NAME_GROUPS: readonly string[] = [
  'chaudhry chaudhary chaudhri choudhury chowdhury choudhary chaudry',
  'hussain hussein husain',
  'mohammed muhammad mohammad mohamed',
  'ahmed ahmad',
  'rahman rehman',
  'qureshi kureshi quraishi',
  'siddiqui siddiqi siddique',
  'shaikh sheikh shaik',
  'mahmood mahmud mahmoud',
  'kowalski kowalsky',
  'nowak novak',
  'ivanov ivanoff',
  'smirnov smirnoff',
  'macdonald mcdonald',
  'mackenzie mckenzie',
  'macleod mcleod',
  'mackay mckay',
  'macintosh mcintosh mackintosh',
]

function groupIndex(groups: readonly string[]): Map<string, string> {
  const index = new Map<string, string>()
  for (const line of groups) {
    const forms = line.split(' ')
    // A short form in two groups (alex, chris) keeps the first: such a form only ever suggests.
    for (const form of forms) if (!index.has(form)) index.set(form, forms[0]!)
  }
  return index
}

const GIVEN_KEYS = groupIndex(GIVEN_NAME_GROUPS)
const FAMILY_KEYS = groupIndex(FAMILY_NAME_GROUPS)
// Short forms that belong to more than one name, so "Alex" meets Alexander and Alexandra.
const GIVEN_ALL_KEYS = (() => {
  const all = new Map<string, Set<string>>()
  for (const line of GIVEN_NAME_GROUPS) {
    const forms = line.split(' ')
    for (const form of forms) {
      const keys = all.get(form) ?? new Set<string>()
      keys.add(forms[0]!)
      all.set(form, keys)
    }
  }
  return all
})()

/** Whether two normalised given names are the same name in different forms (Bill and William, Mohamed and Muhammad). */
export function areGivenNameVariants(a: string, b: string): boolean {
  if (a === b) return true
  const ka = GIVEN_ALL_KEYS.get(a)
  const kb = GIVEN_ALL_KEYS.get(b)
  if (!ka || !kb) return false
  for (const k of ka) if (kb.has(k)) return true
  return false
}

/** The key of a normalised given name: its group's first form (bill → william), or the name itself. */
export function givenNameKey(name: string): string {
  return GIVEN_KEYS.get(name) ?? name
}

/** The key of a normalised family name (Chowdhury → chaudhry, McLeod → macleod), or the name itself. */
export function familyNameKey(name: string): string {
  const known = FAMILY_KEYS.get(name)
  if (known) return known
  // Mc and Mac are one prefix in Scottish and Irish names.
  return name.startsWith('mc') && name.length > 3 ? `mac${name.slice(2)}` : name
}

// Words in a name field that are not part of the name. A title is dropped only before the name
// ("Sir Ned Loder"), never when it is the name itself (a family called Major or Bishop).
const TITLES = new Set([
  'the', 'mr', 'mrs', 'ms', 'miss', 'mx', 'master', 'dr', 'doctor', 'prof', 'professor', 'sir', 'dame', 'lord', 'lady', 'rev', 'revd', 'reverend', 'rt', 'right', 'hon', 'honourable', 'honorable', 'very', 'fr', 'father',
  'capt', 'captain', 'col', 'colonel', 'maj', 'major', 'gen', 'general', 'lt', 'lieutenant', 'sgt', 'sergeant', 'cllr', 'councillor', 'det', 'insp', 'pc', 'dc', 'ds', 'di', 'supt',
])
// Words after a name that are not part of it: generations, honours, degrees and peerages.
const SUFFIXES = new Set([
  'jr', 'jnr', 'junior', 'sr', 'snr', 'senior', 'ii', 'iii', 'iv', 'esq', 'esquire', 'bt', 'bart', 'baronet', 'baronetess', 'kt', 'dd', 'qc', 'kc', 'mp', 'msp', 'jp', 'obe', 'mbe', 'cbe', 'kbe', 'dbe', 'frs', 'phd', 'md', 'ma', 'bsc', 'ba', 'llb',
])
const ORDINAL = /^\d+(?:st|nd|rd|th)?$/

/** Whether a normalised word is a title (Sir, Reverend) that may stand before a name. */
export const isTitle = (word: string): boolean => TITLES.has(word)

/** Whether a normalised word is a post-nominal (Jnr, Baronet, 2nd) that may follow a name. */
const isPostNominal = (word: string): boolean => SUFFIXES.has(word) || ORDINAL.test(word)

const isNameNoise = (word: string) => isTitle(word) || isPostNominal(word)

/**
 * The words of a name field that are names: leading titles and trailing post-nominals dropped, and a
 * peerage ("1st Baron Conway of Allington") cut at its ordinal. Normalised as matching sees names.
 */
export function nameWords(raw: string): string[] {
  const words = normaliseName(raw).split(' ').filter((w) => w !== '')
  const peerage = words.findIndex((w, i) => i > 0 && ORDINAL.test(w))
  const named = peerage > 0 ? words.slice(0, peerage) : words
  let start = 0
  while (start < named.length - 1 && isTitle(named[start]!)) start++
  return named.slice(start).filter((w) => !isPostNominal(w))
}

export type NameParts = { given: string | null; middle: string | null; family: string | null }

/**
 * Splits a full name into given, middle and family names: "SMITH, John Paul" and "Mr John Paul
 * Smith" both give John / Paul / Smith; "Sir Ned Loder, Baronet" gives Ned / Loder, because what
 * follows a comma there is an honour, not a given name. Normalised as matching sees names.
 */
export function splitFullName(raw: string): NameParts {
  const comma = raw.indexOf(',')
  let words: string[]
  let family: string | null
  const after = comma > 0 ? normaliseName(raw.slice(comma + 1)).split(' ').filter((w) => w !== '') : []
  if (comma > 0 && !after.every(isNameNoise) && !after.some((w) => ORDINAL.test(w))) {
    family = nameWords(raw.slice(0, comma)).join(' ') || null
    words = nameWords(raw.slice(comma + 1))
  } else {
    words = nameWords(comma > 0 ? raw.slice(0, comma) : raw)
    family = words.length > 1 ? words.pop()! : null
  }
  return { given: words[0] ?? null, middle: words.slice(1).join(' ') || null, family }
}
