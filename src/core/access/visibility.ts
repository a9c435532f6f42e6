import type { Capability } from './roles.ts'

// The visibility rule: what a user may see of a restricted record. The same rule is applied in SQL
// by the application (src/db/visibility.ts) and again by row-level security (the notes_read policy in
// migration 0005); a test holds all three to the same answers.

export const PROTECTIVE_MARKINGS = ['OFFICIAL', 'OFFICIAL-SENSITIVE'] as const
export type ProtectiveMarking = (typeof PROTECTIVE_MARKINGS)[number]

export const HANDLING_CODES = ['P', 'C'] as const
export type HandlingCode = (typeof HANDLING_CODES)[number]

export const SHARING_SCOPES = ['agency', 'named', 'partnership'] as const
export type SharingScope = (typeof SHARING_SCOPES)[number]

export const SHARING_SCOPE_LABELS: Record<SharingScope, string> = {
  agency: 'Owning agency only',
  named: 'Named agencies',
  partnership: 'Whole partnership',
}

export type Viewer = {
  userId: string
  agencyId: string
  capabilities: readonly Capability[]
}

export type RecordGrant = {
  granteeUserId: string | null
  granteeAgencyId: string | null
  expiresAt: Date | null
  revokedAt: Date | null
}

export type RestrictedRecord = {
  owningAgencyId: string
  protectiveMarking: ProtectiveMarking
  handlingCode: HandlingCode
  handlingConditions: string | null
  sharingScope: SharingScope
  sharedWithAgencyIds: readonly string[]
  grants: readonly RecordGrant[]
}

export type VisibilityBasis = 'owning-agency' | 'whole-partnership' | 'named-agency' | 'explicit-grant'

export type VisibilityDecision =
  | { visible: true; basis: VisibilityBasis; handlingConditions: string | null }
  | { visible: false; reason: 'no-record-access' | 'needs-sensitive-access' | 'not-shared-with-you' }

export function decideVisibility(viewer: Viewer, record: RestrictedRecord, now: Date): VisibilityDecision {
  const can = (c: Capability) => viewer.capabilities.includes(c)
  if (!can('records.read')) return { visible: false, reason: 'no-record-access' }
  if (record.protectiveMarking === 'OFFICIAL-SENSITIVE' && !can('records.read_sensitive')) {
    return { visible: false, reason: 'needs-sensitive-access' }
  }
  const seen = (basis: VisibilityBasis): VisibilityDecision => ({
    visible: true,
    basis,
    // Conditions travel with the record wherever it is shown (3x5x2 handling code C).
    handlingConditions: record.handlingCode === 'C' ? record.handlingConditions : null,
  })
  if (record.owningAgencyId === viewer.agencyId) return seen('owning-agency')
  if (record.sharingScope === 'partnership' && record.protectiveMarking === 'OFFICIAL') return seen('whole-partnership')
  if (record.sharingScope === 'named' && record.sharedWithAgencyIds.includes(viewer.agencyId)) return seen('named-agency')
  const granted = record.grants.some(
    (g) =>
      g.revokedAt === null &&
      (g.expiresAt === null || g.expiresAt.getTime() > now.getTime()) &&
      (g.granteeUserId === viewer.userId || g.granteeAgencyId === viewer.agencyId),
  )
  if (granted) return seen('explicit-grant')
  return { visible: false, reason: 'not-shared-with-you' }
}

export type HandlingInput = {
  protectiveMarking: ProtectiveMarking
  handlingCode: HandlingCode
  handlingConditions: string | null
  sharingScope: SharingScope
  sharedWithAgencyIds: readonly string[]
}

/** The rules a record's handling must satisfy before it is stored, with the field each concerns. */
export function handlingProblems(input: HandlingInput): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = []
  const conditions = input.handlingConditions?.trim() ?? ''
  if (input.handlingCode === 'C' && conditions === '') {
    problems.push({ field: 'handlingConditions', message: 'Enter the handling conditions: handling code C needs them written on the record' })
  }
  if (input.handlingCode === 'P' && conditions !== '') {
    problems.push({ field: 'handlingConditions', message: 'Handling code P has no conditions: choose C or remove the conditions' })
  }
  if (input.protectiveMarking === 'OFFICIAL-SENSITIVE' && input.sharingScope === 'partnership') {
    problems.push({ field: 'sharingScope', message: 'OFFICIAL-SENSITIVE records are need-to-know: share with named agencies, not the whole partnership' })
  }
  if (input.sharingScope === 'named' && input.sharedWithAgencyIds.length === 0) {
    problems.push({ field: 'sharedWithAgencyIds', message: 'Choose at least one agency to share with' })
  }
  if (input.sharingScope !== 'named' && input.sharedWithAgencyIds.length > 0) {
    problems.push({ field: 'sharedWithAgencyIds', message: 'Named agencies apply only when sharing with named agencies' })
  }
  return problems
}
