import { z } from 'zod'
import { AGENCY_REGIONS, AGENCY_TYPES, SERVICE_AREAS } from '../../core/reference/agencies.ts'
import { checkbox, optionalEmail, optionalText, optionalUuid, requiredText, rowVersion } from '../../http/fields.ts'

const agencyFields = {
  name: requiredText(200, "Enter the agency's name", 'Name', 2),
  shortName: optionalText(40, 'Short name'),
  agencyType: z.enum(AGENCY_TYPES, { error: 'Choose the type of agency' }),
  serviceArea: z.preprocess((v) => (v === '' || v === undefined ? null : v), z.enum(SERVICE_AREAS, { error: 'Choose a service from the list' }).nullable()),
  parentId: optionalUuid('Choose the parent agency from the list'),
  region: z.enum(AGENCY_REGIONS, { error: 'Choose the region' }),
  gainMember: checkbox,
  address: optionalText(500, 'Address'),
  website: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? null : v ?? null),
    z.string().trim().max(300).url('Enter the website as a full address, like https://www.example.gov.uk').nullable(),
  ),
}

const serviceRule = <T extends { agencyType: string; serviceArea: string | null; parentId: string | null }>(a: T, ctx: z.RefinementCtx) => {
  if (a.agencyType === 'council_service' && !a.serviceArea) ctx.addIssue({ code: 'custom', path: ['serviceArea'], message: 'Choose which council service this is' })
  if (a.agencyType !== 'council_service' && a.serviceArea) ctx.addIssue({ code: 'custom', path: ['serviceArea'], message: 'Only a council service has a service area' })
  if (a.agencyType === 'council_service' && !a.parentId) ctx.addIssue({ code: 'custom', path: ['parentId'], message: 'Choose the council this service belongs to' })
}

export const AgencyInput = z.strictObject(agencyFields).superRefine(serviceRule)
export type AgencyInput = z.infer<typeof AgencyInput>

export const AgencyUpdate = z.strictObject({ ...agencyFields, active: checkbox, rowVersion }).superRefine(serviceRule)
export type AgencyUpdate = z.infer<typeof AgencyUpdate>

export const ContactInput = z.strictObject({
  name: requiredText(200, "Enter the contact's name", 'Name'),
  roleTitle: optionalText(200, 'Role'),
  email: optionalEmail,
  phone: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? null : v ?? null),
    z.string().trim().max(40).regex(/^\+?[0-9 ()-]{6,}$/, 'Enter a telephone number, like 0116 222 2222 or +44 116 222 2222').nullable(),
  ),
  gainSinglePointOfContact: checkbox,
})
export type ContactInput = z.infer<typeof ContactInput>

export const AgencyListQuery = z.strictObject({
  q: optionalText(100, 'Search'),
  region: z.preprocess((v) => (v === '' ? undefined : v), z.enum(AGENCY_REGIONS, { error: 'Choose a region from the list' }).optional()),
  agencyType: z.preprocess((v) => (v === '' ? undefined : v), z.enum(AGENCY_TYPES, { error: 'Choose a type from the list' }).optional()),
  gainMember: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['yes', 'no']).optional()),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
})
export type AgencyListQuery = z.infer<typeof AgencyListQuery>

export const ContactOut = z.object({
  id: z.string(),
  name: z.string(),
  roleTitle: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  gainSinglePointOfContact: z.boolean(),
})

export const AgencyOut = z.object({
  id: z.string(),
  name: z.string(),
  shortName: z.string().nullable(),
  agencyType: z.enum(AGENCY_TYPES),
  serviceArea: z.enum(SERVICE_AREAS).nullable(),
  parentId: z.string().nullable(),
  parentName: z.string().nullable(),
  region: z.enum(AGENCY_REGIONS),
  gainMember: z.boolean(),
  address: z.string().nullable(),
  website: z.string().nullable(),
  active: z.boolean(),
  rowVersion: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type AgencyOut = z.infer<typeof AgencyOut>

export const AgencyDetailOut = AgencyOut.extend({ contacts: z.array(ContactOut) })
export type AgencyDetailOut = z.infer<typeof AgencyDetailOut>
