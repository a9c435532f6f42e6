// LSOA figures rolled up to the areas built from them (wards, districts, community safety
// partnerships, force areas): an area's figure is the sum over its LSOAs, so figures for areas at
// any level add up and agree with each other. Only additive figures roll up (counts, populations),
// never rates: a rate is recomputed from the rolled-up count and population.

export type RollUp = {
  /** Every area of the membership, in its order; an LSOA with no figure adds 0 (no crime recorded). */
  totals: Map<string, number>
  /** LSOAs with a figure that no area holds (another area's, or a code from another edition), and their sum. */
  unassigned: { lsoas: string[]; total: number }
}

export function rollUp(lsoaValues: ReadonlyMap<string, number>, membership: ReadonlyMap<string, readonly string[]>): RollUp {
  const totals = new Map<string, number>()
  const held = new Set<string>()
  for (const [area, lsoas] of membership) {
    const seen = new Set<string>()
    let total = 0
    for (const lsoa of lsoas) {
      if (seen.has(lsoa)) throw new RangeError(`Area ${area} lists LSOA ${lsoa} twice, which would count it twice`)
      seen.add(lsoa)
      held.add(lsoa)
      const value = lsoaValues.get(lsoa) ?? 0
      if (!Number.isFinite(value)) throw new RangeError(`LSOA ${lsoa}: the figure must be a finite number, not ${value}`)
      total += value
    }
    totals.set(area, total)
  }
  const unassigned = [...lsoaValues.keys()].filter((lsoa) => !held.has(lsoa)).sort()
  return { totals, unassigned: { lsoas: unassigned, total: unassigned.reduce((sum, lsoa) => sum + lsoaValues.get(lsoa)!, 0) } }
}
