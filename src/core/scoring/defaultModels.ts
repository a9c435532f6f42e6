import tactical from '../../../config/prioritisation/tactical.v1.json' with { type: 'json' }
import thematic from '../../../config/prioritisation/thematic.v1.json' with { type: 'json' }
import peopleRanking from '../../../config/prioritisation/people-ranking.v1.json' with { type: 'json' }
import { parseModelDefinition, type ModelDefinition } from './modelDefinition.ts'
import { parseRankingWeights, type RankingWeights } from './peopleRanking.ts'

// The models shipped with the product, checked as they load: a broken default file stops the
// program at start-up rather than producing wrong scores later. A partnership adopts, edits and
// versions its own copies; these are the starting point (docs/prioritisation.md).

function checked(file: string, json: unknown): ModelDefinition {
  const parsed = parseModelDefinition(json)
  if (!parsed.ok) throw new Error(`${file} is not a valid model: ${parsed.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`)
  return parsed.model
}

export const TACTICAL_MODEL: ModelDefinition = checked('config/prioritisation/tactical.v1.json', tactical)
export const THEMATIC_MODEL: ModelDefinition = checked('config/prioritisation/thematic.v1.json', thematic)

export const DEFAULT_MODELS: readonly ModelDefinition[] = [TACTICAL_MODEL, THEMATIC_MODEL]

export const DEFAULT_PEOPLE_RANKING: RankingWeights = (() => {
  const parsed = parseRankingWeights(peopleRanking)
  if (!parsed.ok) throw new Error(`config/prioritisation/people-ranking.v1.json is not valid: ${parsed.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`)
  return parsed.weights
})()
