import shipped from '../../../config/plans/templates.json' with { type: 'json' }
import { SHIPPED_CATALOGUE } from '../powers/shippedCatalogue.ts'
import { parseTemplates, type PlanTemplate } from './templates.ts'

// The 4P plan templates shipped with the product, checked against the shipped powers catalogue as
// they load: a broken file, or one naming a power the catalogue has dropped, stops the program at
// start-up rather than offering an LRO an action no partner may lawfully take.
export const SHIPPED_TEMPLATES: readonly PlanTemplate[] = (() => {
  const parsed = parseTemplates(shipped, SHIPPED_CATALOGUE.powers)
  if (!parsed.ok) throw new Error(`config/plans/templates.json is not valid: ${parsed.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`)
  return parsed.templates
})()
