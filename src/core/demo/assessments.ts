import type { ModelDefinition } from '../scoring/modelDefinition.ts'
import type { AssessmentAnswers } from '../scoring/scoreAssessment.ts'
import type { Random } from './random.ts'

// Answers for demonstration assessments: a value on every factor's scale and a rationale that says
// plainly it was invented, so nobody mistakes a demonstration score for an analyst's judgement.

/** Picks towards the upper or lower end of each scale, so groups differ and the board has a spread. */
export function demonstrationAnswers(model: ModelDefinition, r: Random, severity: number): AssessmentAnswers {
  const factors: Record<string, { value: number; rationale: string }> = {}
  for (const f of model.factors) {
    const lean = Math.min(1, Math.max(0, severity + (r.next() - 0.5) * 0.5))
    const point = f.scale[Math.min(f.scale.length - 1, Math.floor(lean * f.scale.length))]!
    factors[f.id] = { value: point.value, rationale: `Invented for the demonstration: ${point.descriptor}` }
  }
  const confidence = model.confidence.scale[r.int(0, model.confidence.scale.length - 1)]!.value
  return { factors, confidence }
}
