import type { Change, CrimeTypeFigure, DecileFigure, LsoaFigure, MonthFigure, ProfileFigures, SliceDefinition, SliceFigure } from './figures.ts'
import { lastYearPeriod, monthsBetween, previousPeriod } from './periods.ts'

// The profile's figures from counts by LSOA, month and crime type. The counts cover the period and
// the periods it is compared with; a comparison is made only when every month of the earlier period
// is loaded, because a missing month would look like a fall in crime.

export type CountInput = { lsoaCode: string; month: string; crimeType: string; n: number }

export type ComputeInput = {
  area: { code: string; name: string; level: string }
  from: string
  to: string
  lsoas: ReadonlyArray<{ code: string; name: string | null }>
  counts: readonly CountInput[]
  /** Months for which the area's force has any data loaded. */
  monthsLoaded: ReadonlySet<string>
  withoutLocation: number
  deprivation: ReadonlyArray<{ lsoaCode: string; lsoaName: string; imdDecile: number | null; population: number | null }>
  slices: readonly SliceDefinition[]
  stopSearch: ReadonlyArray<{ objectOfSearch: string | null; outcome: string | null; n: number }>
  /** The test of whether two counts of equal periods differ by more than chance. */
  compare: (before: number, after: number) => Change
  /** Hot spots from the per-LSOA counts of the period (Getis-Ord Gi* over the LSOAs' neighbours). */
  hotspots: (countsByLsoa: ReadonlyMap<string, number>) => ProfileFigures['hotspots']
}

/** The range of months a profile's counts must cover: the period and both its comparisons. */
export function monthsNeeded(from: string, to: string): { from: string; to: string } {
  const previous = previousPeriod(from, to)
  const lastYear = lastYearPeriod(from, to)
  return { from: previous.from < lastYear.from ? previous.from : lastYear.from, to }
}

export function computeProfileFigures(input: ComputeInput): ProfileFigures {
  const months = monthsBetween(input.from, input.to)
  const previous = previousPeriod(input.from, input.to)
  const lastYear = lastYearPeriod(input.from, input.to)
  const inPeriod = new Set(months)
  const previousMonths = monthsBetween(previous.from, previous.to)
  const lastYearMonths = monthsBetween(lastYear.from, lastYear.to)
  const complete = (ms: string[]) => ms.every((m) => input.monthsLoaded.has(m))
  const canComparePrevious = complete(previousMonths)
  const canCompareLastYear = complete(lastYearMonths)
  const inPrevious = new Set(previousMonths)
  const inLastYear = new Set(lastYearMonths)

  const population = new Map(input.deprivation.map((d) => [d.lsoaCode, d.population]))
  const decileOf = new Map(input.deprivation.map((d) => [d.lsoaCode, d.imdDecile]))
  const areaLsoas = new Set(input.lsoas.map((l) => l.code))
  const populationKnown = input.lsoas.length > 0 && input.lsoas.every((l) => typeof population.get(l.code) === 'number')
  const totalPopulation = populationKnown ? input.lsoas.reduce((s, l) => s + (population.get(l.code) ?? 0), 0) : null
  const per1000 = (count: number, pop: number | null | undefined) => (pop ? (count / pop) * 1000 : null)

  const typeNow = new Map<string, number>()
  const typePrevious = new Map<string, number>()
  const typeLastYear = new Map<string, number>()
  const byMonth = new Map<string, MonthFigure>(months.map((m) => [m, { month: m, count: 0, byType: {} }]))
  const lsoaNow = new Map<string, number>()
  const lsoaSlices = new Map<string, Record<string, number>>()
  const names = new Map(input.lsoas.map((l) => [l.code, l.name]))
  // An LSOA with no boundary or lookup row still has its name in the IMD files.
  for (const d of input.deprivation) if (!names.get(d.lsoaCode)) names.set(d.lsoaCode, d.lsoaName)
  const sliceOf = new Map<string, string[]>()
  for (const s of input.slices) for (const t of s.crimeTypes) sliceOf.set(t, [...(sliceOf.get(t) ?? []), s.key])
  const add = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n)

  for (const c of input.counts) {
    if (!areaLsoas.has(c.lsoaCode)) continue
    if (inPeriod.has(c.month)) {
      add(typeNow, c.crimeType, c.n)
      add(lsoaNow, c.lsoaCode, c.n)
      const month = byMonth.get(c.month)!
      month.count += c.n
      month.byType[c.crimeType] = (month.byType[c.crimeType] ?? 0) + c.n
      for (const key of sliceOf.get(c.crimeType) ?? []) {
        const slices = lsoaSlices.get(c.lsoaCode) ?? {}
        slices[key] = (slices[key] ?? 0) + c.n
        lsoaSlices.set(c.lsoaCode, slices)
      }
    }
    if (inPrevious.has(c.month)) add(typePrevious, c.crimeType, c.n)
    if (inLastYear.has(c.month)) add(typeLastYear, c.crimeType, c.n)
  }

  const sum = (m: Map<string, number>, types?: readonly string[]) => (types ? types.reduce((s, t) => s + (m.get(t) ?? 0), 0) : [...m.values()].reduce((s, n) => s + n, 0))
  const changes = (types?: readonly string[]) => ({
    previous: canComparePrevious ? input.compare(sum(typePrevious, types), sum(typeNow, types)) : null,
    lastYear: canCompareLastYear ? input.compare(sum(typeLastYear, types), sum(typeNow, types)) : null,
  })

  const total = sum(typeNow)
  const allTypes = [...new Set([...typeNow.keys(), ...typePrevious.keys(), ...typeLastYear.keys()])].sort()
  const byType: CrimeTypeFigure[] = allTypes.map((t) => ({ crimeType: t, count: typeNow.get(t) ?? 0, ratePer1000: per1000(typeNow.get(t) ?? 0, totalPopulation), ...changes([t]) }))

  const byLsoa: LsoaFigure[] = input.lsoas.map((l) => {
    const count = lsoaNow.get(l.code) ?? 0
    const pop = population.get(l.code) ?? null
    return { code: l.code, name: names.get(l.code) ?? l.code, count, population: pop, ratePer1000: per1000(count, pop), imdDecile: decileOf.get(l.code) ?? null, slices: lsoaSlices.get(l.code) ?? {} }
  })

  const deciles: DecileFigure[] = Array.from({ length: 10 }, (_, i) => ({ decile: i + 1, lsoas: 0, population: 0, count: 0, ratePer1000: null }))
  let lsoasWithout = 0
  for (const l of byLsoa) {
    if (l.imdDecile === null || l.population === null) {
      lsoasWithout++
      continue
    }
    const d = deciles[l.imdDecile - 1]!
    d.lsoas++
    d.population += l.population
    d.count += l.count
  }
  for (const d of deciles) d.ratePer1000 = per1000(d.count, d.population)
  const present = deciles.filter((d) => d.lsoas > 0 && d.ratePer1000 !== null)
  const most = present[0]
  const least = present[present.length - 1]
  const mostToLeastRatio = most && least && most !== least && least.ratePer1000 ? most.ratePer1000! / least.ratePer1000 : null

  const slices: SliceFigure[] = input.slices.map((s) => {
    const count = sum(typeNow, s.crimeTypes)
    return { ...s, count, ratePer1000: per1000(count, totalPopulation), ...changes(s.crimeTypes) }
  })

  const objects = new Map<string, number>()
  const outcomes = new Map<string, number>()
  let searches = 0
  for (const r of input.stopSearch) {
    searches += r.n
    add(objects, r.objectOfSearch ?? 'Not recorded', r.n)
    add(outcomes, r.outcome ?? 'Not recorded', r.n)
  }
  const ranked = (m: Map<string, number>) => [...m].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label))

  const whole = changes()
  return {
    area: input.area,
    period: { from: input.from, to: input.to, months },
    previousPeriod: previous,
    lastYearPeriod: lastYear,
    lsoaCount: input.lsoas.length,
    population: totalPopulation,
    total,
    totalPrevious: whole.previous,
    totalLastYear: whole.lastYear,
    missingMonths: months.filter((m) => !input.monthsLoaded.has(m)),
    withoutLocation: input.withoutLocation,
    byType,
    byMonth: [...byMonth.values()],
    byLsoa,
    hotspots: input.hotspots(lsoaNow),
    deprivation: { deciles, mostToLeastRatio, lsoasWithout },
    slices,
    stopSearch: searches > 0 ? { count: searches, byObject: ranked(objects), byOutcome: ranked(outcomes) } : null,
  }
}
