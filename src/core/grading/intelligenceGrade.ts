import type { FieldIssue } from '../errors.ts'
import { HANDLING_CODES, type HandlingCode } from '../access/visibility.ts'

// The 3x5x2 intelligence grading of the College of Policing Authorised Professional Practice
// (Intelligence management): how reliable the source is, how the source came to know what it says,
// and whether it may be shared lawfully as it stands (P) or only under written conditions (C).
// The handling codes are the same ones the visibility rule enforces, so they are imported, not copied.

export { HANDLING_CODES, type HandlingCode }

export const SOURCE_EVALUATIONS = ['A', 'B', 'C'] as const
export type SourceEvaluation = (typeof SOURCE_EVALUATIONS)[number]

export const SOURCE_EVALUATION_LABELS: Record<SourceEvaluation, string> = {
  A: 'Reliable',
  B: 'Untested',
  C: 'Not reliable',
}

export const INTELLIGENCE_ASSESSMENTS = ['1', '2', '3', '4', '5'] as const
export type IntelligenceAssessment = (typeof INTELLIGENCE_ASSESSMENTS)[number]

export const INTELLIGENCE_ASSESSMENT_LABELS: Record<IntelligenceAssessment, string> = {
  '1': 'Known directly to the source',
  '2': 'Known indirectly to the source but corroborated',
  '3': 'Known indirectly to the source',
  '4': 'Not known',
  '5': 'Suspected to be false',
}

export const HANDLING_CODE_LABELS: Record<HandlingCode, string> = {
  P: 'Lawful sharing permitted',
  C: 'Lawful sharing permitted with conditions',
}

export type IntelligenceGrade = {
  source: SourceEvaluation
  intelligence: IntelligenceAssessment
  handling: HandlingCode
}

export const isSourceEvaluation = (v: unknown): v is SourceEvaluation => (SOURCE_EVALUATIONS as readonly unknown[]).includes(v)
export const isIntelligenceAssessment = (v: unknown): v is IntelligenceAssessment => (INTELLIGENCE_ASSESSMENTS as readonly unknown[]).includes(v)
export const isHandlingCode = (v: unknown): v is HandlingCode => (HANDLING_CODES as readonly unknown[]).includes(v)

/** The grade as it is written on a record: "B2P". */
export function formatGrade(grade: IntelligenceGrade): string {
  return `${grade.source}${grade.intelligence}${grade.handling}`
}

/** The grade in words, for a page or a disclosure log: "B2P: source untested; known indirectly … ". */
export function describeGrade(grade: IntelligenceGrade): string {
  return (
    `${formatGrade(grade)}: source ${SOURCE_EVALUATION_LABELS[grade.source].toLowerCase()}; ` +
    `${INTELLIGENCE_ASSESSMENT_LABELS[grade.intelligence].toLowerCase()}; ` +
    `${HANDLING_CODE_LABELS[grade.handling].toLowerCase()}`
  )
}

// Written forms met in documents and spreadsheets: "B2P", "b2p", "B/2/P", "B 2 P", "B-2-P".
const GRADE_TEXT = /^\s*([ABC])\s*[/\-.,\s]?\s*([1-5])\s*[/\-.,\s]?\s*([PC])\s*$/i

/** Reads a written 3x5x2 grade; null when the text is not one (a 5x5x5 grade such as "D3" is not). */
export function parseGrade(text: string): IntelligenceGrade | null {
  const m = GRADE_TEXT.exec(text)
  if (!m) return null
  return {
    source: m[1]!.toUpperCase() as SourceEvaluation,
    intelligence: m[2] as IntelligenceAssessment,
    handling: m[3]!.toUpperCase() as HandlingCode,
  }
}

export type GradeInput = {
  sourceEvaluation: string | null | undefined
  intelligenceAssessment: string | number | null | undefined
  handlingCode: string | null | undefined
  handlingConditions: string | null | undefined
}

const listOf = (items: string[]): string => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`)
const SOURCE_CHOICES = listOf(SOURCE_EVALUATIONS.map((s) => `${s} (${SOURCE_EVALUATION_LABELS[s].toLowerCase()})`))
const INTELLIGENCE_CHOICES = listOf(INTELLIGENCE_ASSESSMENTS.map((s) => `${s} (${INTELLIGENCE_ASSESSMENT_LABELS[s].toLowerCase()})`))
const HANDLING_CHOICES = listOf(HANDLING_CODES.map((s) => `${s} (${HANDLING_CODE_LABELS[s].toLowerCase()})`))

const blank = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '')

/**
 * The problems with a 3x5x2 grade as entered, by field. Values must be exact (upper-case letters,
 * digits as text or numbers): what is checked here is what is stored.
 */
export function gradeProblems(input: GradeInput): FieldIssue[] {
  const problems: FieldIssue[] = []
  const source = input.sourceEvaluation
  if (blank(source)) {
    problems.push({ field: 'sourceEvaluation', message: `Choose a source evaluation: ${SOURCE_CHOICES}` })
  } else if (!isSourceEvaluation(source)) {
    // D and E exist only in the older 5x5x5 system; say so, because that is the usual cause.
    const legacy = typeof source === 'string' && /^[DE]$/i.test(source.trim())
    problems.push({
      field: 'sourceEvaluation',
      message:
        `"${source}" is not a 3x5x2 source evaluation: choose ${SOURCE_CHOICES}` +
        (legacy ? '. Source grades D and E belong to the older 5x5x5 system: convert the legacy grade first' : ''),
    })
  }

  const intelligence = typeof input.intelligenceAssessment === 'number' ? String(input.intelligenceAssessment) : input.intelligenceAssessment
  if (blank(intelligence)) {
    problems.push({ field: 'intelligenceAssessment', message: `Choose an intelligence assessment: ${INTELLIGENCE_CHOICES}` })
  } else if (!isIntelligenceAssessment(intelligence)) {
    problems.push({ field: 'intelligenceAssessment', message: `"${intelligence}" is not a 3x5x2 intelligence assessment: choose ${INTELLIGENCE_CHOICES}` })
  }

  const handling = input.handlingCode
  const conditions = input.handlingConditions?.trim() ?? ''
  if (blank(handling)) {
    problems.push({ field: 'handlingCode', message: `Choose a handling code: ${HANDLING_CHOICES}` })
  } else if (!isHandlingCode(handling)) {
    const legacy = typeof handling === 'string' && /^[1-5]$/.test(handling.trim())
    problems.push({
      field: 'handlingCode',
      message:
        `"${handling}" is not a 3x5x2 handling code: choose ${HANDLING_CHOICES}` +
        (legacy ? '. Handling codes 1 to 5 belong to the older 5x5x5 system: convert the legacy grade first' : ''),
    })
  } else if (handling === 'C' && conditions === '') {
    // APP: the conditions are written on the record and travel with it; a C without them cannot be obeyed.
    problems.push({ field: 'handlingConditions', message: 'Enter the handling conditions: handling code C needs them written on the record' })
  } else if (handling === 'P' && conditions !== '') {
    problems.push({ field: 'handlingConditions', message: 'Handling code P has no conditions: choose C or remove the conditions' })
  }
  return problems
}
