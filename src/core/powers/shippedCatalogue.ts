import shipped from '../../../config/powers/catalogue.json' with { type: 'json' }
import { parseCatalogue, type Catalogue } from './catalogue.ts'

// The catalogue shipped with the product, checked as it loads: a broken file stops the program at
// start-up rather than suggesting a power with the wrong rules later (docs/powers.md).
export const SHIPPED_CATALOGUE: Catalogue = (() => {
  const parsed = parseCatalogue(shipped)
  if (!parsed.ok) throw new Error(`config/powers/catalogue.json is not valid: ${parsed.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`)
  return parsed.catalogue
})()
