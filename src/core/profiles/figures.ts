import type { DensitySurface, PlacedPeak } from '../geo/densitySurface.ts'
import type { HotspotClass } from '../geo/getisOrd.ts'
import type { CountChange } from '../geo/trends.ts'
import type { OverlayLayer } from '../overlays/aggregate.ts'

// The figures a local profile is built from, computed from the imported public data (and, as
// those modules land, the partnership's own records aggregated to area). Everything here is an
// aggregate: no record about a person ever reaches a profile.

export type Period = { from: string; to: string }

/** A change between two counts of equal periods, with the exact test of whether it is more than chance. */
export type Change = CountChange

export type CrimeTypeFigure = {
  crimeType: string
  count: number
  ratePer1000: number | null
  previous: Change | null
  lastYear: Change | null
}

export type MonthFigure = { month: string; count: number; byType: Record<string, number> }

export type LsoaFigure = {
  code: string
  name: string
  count: number
  population: number | null
  ratePer1000: number | null
  imdDecile: number | null
  /** Counts of the SOC slices in this LSOA, by slice key. */
  slices: Record<string, number>
}

export type HotspotFigure = { code: string; name: string; count: number; z: number; pValue: number; hotspotClass: HotspotClass }

export type DecileFigure = { decile: number; lsoas: number; population: number; count: number; ratePer1000: number | null }

/** A slice of crime types the partnership treats as SOC-relevant (drugs, possession of weapons, and its own). */
export type SliceDefinition = { key: string; label: string; threatArea: string | null; crimeTypes: string[] }

export type SliceFigure = SliceDefinition & { count: number; ratePer1000: number | null; previous: Change | null; lastYear: Change | null }

/** Where a slice's crimes concentrate: the kernel density of their positions, and its densest places. */
export type DensityFigure = { key: string; label: string; surface: Omit<DensitySurface, 'peaks'>; peaks: PlacedPeak[] }

export type ProfileFigures = {
  area: { code: string; name: string; level: string }
  period: Period & { months: string[] }
  previousPeriod: Period
  lastYearPeriod: Period
  lsoaCount: number
  population: number | null
  total: number
  totalPrevious: Change | null
  totalLastYear: Change | null
  /** Months of the period with no data imported for the area at all (not months of zero crime). */
  missingMonths: string[]
  /** Records of the area's force with no location, which no area below the force can count. */
  withoutLocation: number
  byType: CrimeTypeFigure[]
  byMonth: MonthFigure[]
  byLsoa: LsoaFigure[]
  hotspots: { variable: string; neighbourhood: string; areas: HotspotFigure[]; islands: string[] }
  deprivation: { deciles: DecileFigure[]; mostToLeastRatio: number | null; lsoasWithout: number }
  slices: SliceFigure[]
  /**
   * Kernel density of each SOC slice's positions over the area, on one grid; absent from versions
   * stored before it was added.
   */
  density?: DensityFigure[]
  stopSearch: { count: number; byObject: Array<{ label: string; count: number }>; byOutcome: Array<{ label: string; count: number }> } | null
  /**
   * The partnership's own records (group members and premises, referrals, problem premises…)
   * counted by LSOA with small numbers suppressed, as the agency that built this version may see
   * them; absent from a profile built from public data alone.
   */
  overlays?: { threshold: number; countedFor: string; layers: OverlayLayer[] } | null
}
