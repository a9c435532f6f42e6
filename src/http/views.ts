import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import nunjucks from 'nunjucks'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FieldIssue } from '../core/errors.ts'
import { csrfUserInfo } from './auth.ts'
import { AGENCY_TYPE_LABELS, REGION_LABELS, SERVICE_AREA_LABELS } from '../core/reference/agencies.ts'
import { ROLE_LABELS } from '../core/access/roles.ts'
import { longUkDate, longUkDateTime } from '../core/time/ukDates.ts'
import { operationLabel } from '../core/groups/operationName.ts'
import { SHARING_SCOPE_LABELS } from '../core/access/visibility.ts'
import { describePeriod, type Period } from '../core/powers/catalogue.ts'
import {
  BUSINESS_TYPE_LABELS, ENABLER_PROFESSION_LABELS, ENTITY_SCHEMA_LABELS, ENTITY_SCHEMA_SLUGS, GROUP_STATUS_LABELS,
  HOLDING_KIND_RULES, LINK_TYPE_RULES, MEMBER_ROLE_LABELS, PERSON_ROLE_LABELS, THREAT_AREA_LABELS,
} from '../core/reference/crime.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
export const GOVUK_FRONTEND_DIST = path.join(path.dirname(require.resolve('govuk-frontend/package.json')), 'dist')

export function createViewEnvironment(): nunjucks.Environment {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader([path.join(here, '../../views'), path.join(here, '../modules'), GOVUK_FRONTEND_DIST], {
      noCache: false,
    }),
    { autoescape: true, throwOnUndefined: false },
  )
  env.addGlobal('labels', {
    agencyType: AGENCY_TYPE_LABELS,
    region: REGION_LABELS,
    serviceArea: SERVICE_AREA_LABELS,
    role: ROLE_LABELS,
    sharingScope: SHARING_SCOPE_LABELS,
    threatArea: THREAT_AREA_LABELS,
    groupStatus: GROUP_STATUS_LABELS,
    memberRole: MEMBER_ROLE_LABELS,
    enablerProfession: ENABLER_PROFESSION_LABELS,
    entitySchema: ENTITY_SCHEMA_LABELS,
    entitySlug: ENTITY_SCHEMA_SLUGS,
    personRole: PERSON_ROLE_LABELS,
    businessType: BUSINESS_TYPE_LABELS,
    linkType: Object.fromEntries(Object.entries(LINK_TYPE_RULES).map(([k, v]) => [k, v.label])),
    holdingKind: Object.fromEntries(Object.entries(HOLDING_KIND_RULES).map(([k, v]) => [k, v.label])),
  })
  env.addFilter('datetime', (value: Date | string | null | undefined) => (value ? longUkDateTime(new Date(value)) : ''))
  env.addFilter('date', (value: Date | string | null | undefined) => (value ? longUkDate(new Date(value)) : ''))
  env.addFilter('operation', (value: string | null | undefined) => (value ? operationLabel(value) : ''))
  env.addFilter('period', (value: Period | null | undefined) => (value ? describePeriod(value) : ''))
  env.addFilter('number', (value: number | null | undefined) => (value === null || value === undefined ? '' : value.toLocaleString('en-GB')))
  return env
}


/** The GOV.UK error summary list and the per-field messages for a form. */
export function formErrors(issues: FieldIssue[]): { list: Array<{ text: string; href: string }>; fields: Record<string, { text: string }> } {
  const fields: Record<string, { text: string }> = {}
  for (const issue of issues) if (!fields[issue.field]) fields[issue.field] = { text: issue.message }
  return {
    list: Object.entries(fields).map(([field, { text }]) => ({ text, href: `#${field}` })),
    fields,
  }
}

export type PageLocals = Record<string, unknown>

/** Renders a page with what every page needs: the user, a CSRF token, the CSP nonce, a flash. */
export async function renderPage(request: FastifyRequest, reply: FastifyReply, template: string, locals: PageLocals = {}): Promise<FastifyReply> {
  const env = request.server.views
  const nonce = (reply as FastifyReply & { cspNonce?: { script: string } }).cspNonce?.script
  const flash = request.cookies['achilles_flash'] ? request.unsignCookie(request.cookies['achilles_flash']) : null
  if (flash) reply.clearCookie('achilles_flash', { path: '/' })
  const html = env.render(template, {
    actor: request.actor ?? null,
    csrfToken: reply.generateCsrf({ userInfo: csrfUserInfo(request) }),
    cspNonce: nonce,
    currentPath: request.url.split('?')[0],
    flash: flash?.valid ? flash.value : null,
    ...locals,
  })
  return reply.type('text/html; charset=utf-8').send(html)
}

/** Leaves a one-line confirmation for the next page the user sees. */
export function setFlash(reply: FastifyReply, message: string, secure: boolean): void {
  reply.setCookie('achilles_flash', message, { path: '/', httpOnly: true, sameSite: 'lax', secure, signed: true, maxAge: 60 })
}
