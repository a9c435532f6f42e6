// Rates per 1,000 residents. A rate needs a population to divide by; where there is none, or it is
// zero, the rate is null with the reason, never 0 or Infinity, so a table can say why it is blank.
// Populations are the ONS mid-year estimates for the same areas (LSOA 2011 codes for IMD 2019).

export type RateUnavailable = 'no population figure' | 'population is zero' | 'population is negative'

export type Rate = { ratePer1000: number; unavailable: null } | { ratePer1000: null; unavailable: RateUnavailable }

export function ratePer1000(count: number, population: number | null | undefined): Rate {
  if (!(Number.isFinite(count) && count >= 0)) throw new RangeError(`A count must be a number of 0 or more, not ${count}`)
  if (population === null || population === undefined || !Number.isFinite(population)) return { ratePer1000: null, unavailable: 'no population figure' }
  if (population === 0) return { ratePer1000: null, unavailable: 'population is zero' }
  if (population < 0) return { ratePer1000: null, unavailable: 'population is negative' }
  return { ratePer1000: (count / population) * 1000, unavailable: null }
}
