import { ratePer1000, type RateUnavailable } from './rates.ts'

// Crime by deprivation: the LSOAs of an area grouped by their decile of the English Indices of
// Deprivation 2019 (decile 1 is the most deprived 10% of LSOAs in England, decile 10 the least; the
// deciles are national, so a district may have none of some). IMD 2019 is published for LSOA 2011
// codes: counts for LSOAs it does not know (2021 codes among them) are listed, not guessed at.
// An LSOA without a population is left out of its decile altogether, so that every rate's count
// and population cover the same LSOAs.

export type DecileRow = {
  decile: number
  lsoas: number
  count: number
  population: number
  ratePer1000: number | null
  unavailable: RateUnavailable | 'no LSOA in this decile' | null
}

export type DeprivationOverlay = {
  deciles: DecileRow[]
  /** The rate in decile 1 over the rate in decile 10; null when either is missing or decile 10's is zero. */
  mostToLeastDeprivedRatio: number | null
  ratioUnavailable: string | null
  /** The same between the most and the least deprived deciles the area has LSOAs in (with a rate). */
  extremesPresent: { mostDeprived: number; leastDeprived: number; ratio: number | null } | null
  withoutDecile: { lsoas: string[]; count: number }
  withoutPopulation: { lsoas: string[]; count: number }
}

/**
 * Counts and rates per 1,000 by IMD decile. The LSOAs are those with a decile; an LSOA with no
 * count had no crime. Counts for LSOAs without a decile are reported apart.
 */
export function crimeByDeprivationDecile(input: {
  counts: ReadonlyMap<string, number>
  populations: ReadonlyMap<string, number | null>
  deciles: ReadonlyMap<string, number>
}): DeprivationOverlay {
  const rows = Array.from({ length: 10 }, (_, i) => ({ decile: i + 1, lsoas: 0, count: 0, population: 0 }))
  const withoutPopulation: string[] = []
  let withoutPopulationCount = 0
  for (const [lsoa, decile] of input.deciles) {
    if (!(Number.isInteger(decile) && decile >= 1 && decile <= 10)) throw new RangeError(`LSOA ${lsoa}: an IMD decile is a whole number from 1 to 10, not ${decile}`)
    const count = input.counts.get(lsoa) ?? 0
    if (!(Number.isFinite(count) && count >= 0)) throw new RangeError(`LSOA ${lsoa}: a count must be a number of 0 or more, not ${count}`)
    const population = input.populations.get(lsoa)
    if (population === null || population === undefined || !Number.isFinite(population) || population < 0) {
      withoutPopulation.push(lsoa)
      withoutPopulationCount += count
      continue
    }
    const row = rows[decile - 1]!
    row.lsoas++
    row.count += count
    row.population += population
  }
  const withoutDecile: string[] = []
  let withoutDecileCount = 0
  for (const [lsoa, count] of input.counts) {
    if (input.deciles.has(lsoa)) continue
    withoutDecile.push(lsoa)
    withoutDecileCount += count
  }

  const deciles: DecileRow[] = rows.map((row) => {
    if (row.lsoas === 0) return { ...row, ratePer1000: null, unavailable: 'no LSOA in this decile' }
    const rate = ratePer1000(row.count, row.population)
    return { ...row, ratePer1000: rate.ratePer1000, unavailable: rate.unavailable }
  })

  const most = deciles[0]!
  const least = deciles[9]!
  let mostToLeastDeprivedRatio: number | null = null
  let ratioUnavailable: string | null = null
  if (most.ratePer1000 === null) ratioUnavailable = `decile 1: ${most.unavailable}`
  else if (least.ratePer1000 === null) ratioUnavailable = `decile 10: ${least.unavailable}`
  else if (least.ratePer1000 === 0) ratioUnavailable = 'no crime recorded in decile 10'
  else mostToLeastDeprivedRatio = most.ratePer1000 / least.ratePer1000

  const withRate = deciles.filter((d) => d.ratePer1000 !== null)
  const first = withRate[0]
  const last = withRate[withRate.length - 1]
  const extremesPresent =
    first && last && first !== last
      ? { mostDeprived: first.decile, leastDeprived: last.decile, ratio: last.ratePer1000! > 0 ? first.ratePer1000! / last.ratePer1000! : null }
      : null

  return {
    deciles,
    mostToLeastDeprivedRatio,
    ratioUnavailable,
    extremesPresent,
    withoutDecile: { lsoas: withoutDecile.sort(), count: withoutDecileCount },
    withoutPopulation: { lsoas: withoutPopulation.sort(), count: withoutPopulationCount },
  }
}
