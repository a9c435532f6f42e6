import type { EntitySchema } from '../reference/crime.ts'
import { displayPhone, displayRegistration, nationalPhone, normaliseName, ukDate } from './normalise.ts'
import { metaphone } from './phonetic.ts'

// How an entity is named on a page (its caption) and what the trigram index searches (its search
// text). Both are computed from the properties the service has already validated and normalised.

export type Identifier = { type: string; value: string }

/**
 * The properties an entity of any schema may carry, as stored in `entities.properties`. Each schema
 * uses its own subset (src/modules/entities/schema.ts says which); every field is optional here so
 * the same functions read what was stored by any version of the schema.
 */
export type EntityProperties = {
  // Person
  fullName?: string | null
  aliases?: readonly string[] | null
  birthDate?: string | null
  identifiers?: readonly Identifier[] | null
  // Company, Organization
  name?: string | null
  businessType?: string | null
  companyNumber?: string | null
  address?: string | null
  // Address (and the postcode of a business)
  street?: string | null
  town?: string | null
  postcode?: string | null
  premisesType?: string | null
  lsoaCode?: string | null
  // Vehicle
  registration?: string | null
  make?: string | null
  model?: string | null
  colour?: string | null
  // Phone
  number?: string | null
  phoneType?: string | null
  // BankAccount
  bankName?: string | null
  sortCode?: string | null
  accountNumber?: string | null
  iban?: string | null
}

const MAX_CAPTION = 300
const clip = (s: string) => (s.length > MAX_CAPTION ? `${s.slice(0, MAX_CAPTION - 1)}…` : s)
const oneLine = (s: string | null | undefined) => (s ?? '').replace(/\s*[\r\n]+\s*/g, ', ').replace(/\s+/g, ' ').trim()
const present = (...parts: Array<string | null | undefined>) => parts.map(oneLine).filter((p) => p.length > 0)

/** The one line that names an entity in lists, links and search results. */
export function entityCaption(schema: EntitySchema, p: EntityProperties): string {
  switch (schema) {
    case 'Person':
      return clip(oneLine(p.fullName) || 'Unnamed person')
    case 'Company':
    case 'Organization':
      return clip(oneLine(p.name) || 'Unnamed organisation')
    case 'Address':
      return clip(present(p.street, p.town, p.postcode).join(', ') || 'Unknown address')
    case 'Vehicle': {
      const plate = p.registration ? displayRegistration(p.registration) : 'Unregistered vehicle'
      const kind = present(p.make, p.model).join(' ')
      const colour = oneLine(p.colour).toLowerCase()
      return clip(kind ? `${plate} – ${kind}${colour ? ` (${colour})` : ''}` : plate)
    }
    case 'Phone':
      return clip(p.number ? displayPhone(p.number) : 'Unknown number')
    case 'BankAccount': {
      const account = p.sortCode && p.accountNumber ? `${p.sortCode} ${p.accountNumber}` : (p.iban ?? 'Unknown account')
      const bank = oneLine(p.bankName)
      return clip(bank ? `${account} (${bank})` : account)
    }
  }
}

/** Every name and alias of a person or organisation, normalised, once each. */
export function entityNames(schema: EntitySchema, p: EntityProperties): string[] {
  if (schema !== 'Person' && schema !== 'Company' && schema !== 'Organization') return []
  const given = [schema === 'Person' ? p.fullName : p.name, ...(p.aliases ?? [])].map((n) => normaliseName(n ?? '')).filter((n) => n.length > 0)
  return [...new Set(given)]
}

/**
 * The sound of each word of a name, as search-text tokens: "~" and the Metaphone key, lower case
 * ("jon smyth" → ["~jn", "~sm0"]). Only words of two or more letters and no digits sound: an initial
 * or a number ("J", "24") says nothing about how a name is said.
 */
export function phoneticTokens(name: string): string[] {
  const words = normaliseName(name).split(' ').filter((w) => w.length > 1 && !/\d/.test(w))
  return [...new Set(words.map((w) => metaphone(w).toLowerCase()).filter((k) => k.length > 0).map((k) => `~${k}`))]
}

/**
 * The lower-case text the trigram index searches: names and aliases, identifiers, a date of birth as
 * YYYY-MM-DD and DD/MM/YYYY, a postcode with and without its space, a registration compact and as on
 * the plate, a phone number in E.164 and national form, a company number, and a sort code and
 * account; then the sound of each name word ("~sm0 "), each token followed by a space so a search can
 * ask for "~sm0 " whole. Each value appears once.
 */
export function entitySearchText(schema: EntitySchema, p: EntityProperties): string {
  const words: string[] = []
  const add = (...values: Array<string | null | undefined>) => {
    for (const v of values) if (v && v.trim().length > 0) words.push(v.trim().toLowerCase())
  }
  const postcode = (pc: string | null | undefined) => add(pc, pc?.replace(/\s+/g, ''))
  const names = entityNames(schema, p)
  add(...names)
  switch (schema) {
    case 'Person':
      if (p.birthDate) add(p.birthDate, ukDate(p.birthDate))
      for (const id of p.identifiers ?? []) add(id.value, id.value.replace(/[^A-Za-z0-9]/g, ''))
      break
    case 'Company':
    case 'Organization':
      add(p.companyNumber)
      add(normaliseName(p.address ?? ''))
      postcode(p.postcode)
      break
    case 'Address':
      add(normaliseName(p.street ?? ''), normaliseName(p.town ?? ''), p.lsoaCode)
      postcode(p.postcode)
      break
    case 'Vehicle':
      if (p.registration) add(p.registration, displayRegistration(p.registration))
      add(normaliseName(present(p.make, p.model, p.colour).join(' ')))
      break
    case 'Phone':
      if (p.number) add(p.number, nationalPhone(p.number), displayPhone(p.number))
      break
    case 'BankAccount':
      add(p.sortCode, p.sortCode?.replace(/-/g, ''), p.accountNumber, p.iban, normaliseName(p.bankName ?? ''))
      break
  }
  const sounds = [...new Set(names.flatMap(phoneticTokens))]
  const text = [...new Set(words)].join(' ')
  return sounds.length > 0 ? `${text} ${sounds.join(' ')} ` : text
}
