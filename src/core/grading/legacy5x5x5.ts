import type { SharingScope } from '../access/visibility.ts'
import type { HandlingCode, IntelligenceAssessment, SourceEvaluation } from './intelligenceGrade.ts'

// The older 5x5x5 grading (National Intelligence Model), replaced by 3x5x2 but still met in legacy
// data. Records imported from it keep the legacy grade exactly as the caller entered it; this module
// only suggests the 3x5x2 grade to store beside it.
//
// The mapping below is a LOCAL, conservative choice made for this product, not official guidance:
// where the two systems do not line up, a mapped grade never claims more reliability or wider sharing
// than the original did. docs/grading.md sets it out for the partnership to review.

export const LEGACY_SOURCE_EVALUATIONS = ['A', 'B', 'C', 'D', 'E'] as const
export type LegacySourceEvaluation = (typeof LEGACY_SOURCE_EVALUATIONS)[number]

export const LEGACY_SOURCE_LABELS: Record<LegacySourceEvaluation, string> = {
  A: 'Always reliable',
  B: 'Mostly reliable',
  C: 'Sometimes reliable',
  D: 'Unreliable',
  E: 'Untested source',
}

export const LEGACY_INTELLIGENCE_ASSESSMENTS = ['1', '2', '3', '4', '5'] as const
export type LegacyIntelligenceAssessment = (typeof LEGACY_INTELLIGENCE_ASSESSMENTS)[number]

export const LEGACY_INTELLIGENCE_LABELS: Record<LegacyIntelligenceAssessment, string> = {
  '1': 'Known to be true without reservation',
  '2': 'Known personally to the source but not to the officer',
  '3': 'Not known personally to the source but corroborated',
  '4': 'Cannot be judged',
  '5': 'Suspected to be false or malicious',
}

export const LEGACY_HANDLING_CODES = ['1', '2', '3', '4', '5'] as const
export type LegacyHandlingCode = (typeof LEGACY_HANDLING_CODES)[number]

export const LEGACY_HANDLING_LABELS: Record<LegacyHandlingCode, string> = {
  '1': 'May be disseminated to other law enforcement and prosecuting agencies',
  '2': 'May be disseminated to UK non-prosecuting parties',
  '3': 'May be disseminated to non-EU foreign law enforcement agencies',
  '4': 'May be disseminated within the originating agency only',
  '5': 'No further dissemination: refer to the originator; special handling',
}

export type LegacyGrade = {
  source: LegacySourceEvaluation
  intelligence: LegacyIntelligenceAssessment
  handling: LegacyHandlingCode
}

// Written forms met in old spreadsheets and exports: "B24", "B/2/4", "B 2 4", "b2-4", "B.2.4".
const LEGACY_TEXT = /^\s*([A-E])\s*[/\-.,\s]?\s*([1-5])\s*[/\-.,\s]?\s*([1-5])\s*$/i

/** Reads a written 5x5x5 grade; null when the text is not one. */
export function parseLegacyGrade(text: string): LegacyGrade | null {
  const m = LEGACY_TEXT.exec(text)
  if (!m) return null
  return {
    source: m[1]!.toUpperCase() as LegacySourceEvaluation,
    intelligence: m[2] as LegacyIntelligenceAssessment,
    handling: m[3] as LegacyHandlingCode,
  }
}

/** The grade in its usual compact form: "B24". */
export function formatLegacyGrade(grade: LegacyGrade): string {
  return `${grade.source}${grade.intelligence}${grade.handling}`
}

type HandlingMapping = {
  handlingCode: HandlingCode
  sharingScope: SharingScope | null
  why: string
}

/**
 * The local mapping, as data so it can be read, reviewed and tested as a table.
 * Every entry says why, and the why is returned with each mapped grade.
 */
export const LEGACY_MAPPING: {
  source: Record<LegacySourceEvaluation, { to: SourceEvaluation; why: string }>
  intelligence: Record<LegacyIntelligenceAssessment, { to: IntelligenceAssessment; why: string }>
  handling: Record<LegacyHandlingCode, HandlingMapping>
} = {
  source: {
    A: { to: 'A', why: '5x5x5 A (always reliable) is a source with a proven record: 3x5x2 A (reliable)' },
    B: { to: 'A', why: '5x5x5 B (mostly reliable) is a source with a good record: 3x5x2 A (reliable)' },
    C: { to: 'C', why: '5x5x5 C (sometimes reliable) cannot be relied on: 3x5x2 C (not reliable), the cautious choice' },
    D: { to: 'C', why: '5x5x5 D (unreliable): 3x5x2 C (not reliable)' },
    E: { to: 'B', why: '5x5x5 E (untested source): 3x5x2 B (untested)' },
  },
  intelligence: {
    '1': { to: '1', why: '5x5x5 1 (known to be true without reservation): 3x5x2 1 (known directly to the source)' },
    '2': { to: '1', why: '5x5x5 2 (known personally to the source but not to the officer): 3x5x2 1 (known directly to the source)' },
    '3': { to: '2', why: '5x5x5 3 (not known personally to the source but corroborated): 3x5x2 2 (known indirectly but corroborated)' },
    '4': { to: '4', why: '5x5x5 4 (cannot be judged): 3x5x2 4 (not known)' },
    '5': { to: '5', why: '5x5x5 5 (suspected to be false or malicious): 3x5x2 5 (suspected to be false)' },
  },
  // Only handling code 2 allowed sharing with UK non-prosecuting partners, which is what a
  // partnership does, so only it becomes P. Every other code limited who could receive the
  // intelligence, so it becomes C with the original limit written as the condition.
  handling: {
    '1': { handlingCode: 'C', sharingScope: 'named', why: '5x5x5 handling 1 limited sharing to law enforcement and prosecuting agencies: C, with that limit as the condition; share with named agencies' },
    '2': { handlingCode: 'P', sharingScope: null, why: '5x5x5 handling 2 allowed sharing with UK non-prosecuting parties: P (lawful sharing permitted)' },
    '3': { handlingCode: 'C', sharingScope: 'named', why: '5x5x5 handling 3 concerned sharing with non-EU law enforcement agencies: C, with that limit as the condition; share with named agencies' },
    '4': { handlingCode: 'C', sharingScope: 'agency', why: '5x5x5 handling 4 kept the intelligence within the originating agency: C, with that limit as the condition; keep to the owning agency' },
    '5': { handlingCode: 'C', sharingScope: 'agency', why: '5x5x5 handling 5 forbade further dissemination without the originator: C, with that limit as the condition; keep to the owning agency' },
  },
}

const CONDITIONS: Record<LegacyHandlingCode, string | null> = {
  '1': 'Share only with law enforcement and prosecuting agencies unless the originating agency agrees otherwise.',
  '2': null,
  '3': 'Share only with law enforcement agencies unless the originating agency agrees otherwise.',
  '4': 'Do not share outside the originating agency without its agreement.',
  '5': 'Do not share any further: refer every request to the originator, and follow any special handling instructions recorded with it.',
}

export type MappedGrade = {
  /** The legacy grade in compact form. Callers keep the text exactly as entered as well. */
  legacy: string
  source: SourceEvaluation
  intelligence: IntelligenceAssessment
  handlingCode: HandlingCode
  /** Required for C: quotes the original handling meaning so the limit travels with the record. */
  handlingConditions: string | null
  /** A suggested sharing scope, or null when the legacy code implies no limit on it. */
  sharingScope: SharingScope | null
  notes: { source: string; intelligence: string; handling: string }
}

/** The 3x5x2 grade suggested for a 5x5x5 grade under the local mapping, with the reason for each part. */
export function mapLegacyGrade(legacy: LegacyGrade): MappedGrade {
  const source = LEGACY_MAPPING.source[legacy.source]
  const intelligence = LEGACY_MAPPING.intelligence[legacy.intelligence]
  const handling = LEGACY_MAPPING.handling[legacy.handling]
  const condition = CONDITIONS[legacy.handling]
  return {
    legacy: formatLegacyGrade(legacy),
    source: source.to,
    intelligence: intelligence.to,
    handlingCode: handling.handlingCode,
    handlingConditions:
      condition === null ? null : `Legacy 5x5x5 handling code ${legacy.handling}: "${LEGACY_HANDLING_LABELS[legacy.handling]}". ${condition}`,
    sharingScope: handling.sharingScope,
    notes: { source: source.why, intelligence: intelligence.why, handling: handling.why },
  }
}
