import { DEFAULT_SUPPRESSION_THRESHOLD, suppressCounts, type PublishedCount } from '../geo/suppression.ts'

// Overlays are published as counts by LSOA and for the whole area, never as points: a point is a
// person's home, a referral or a premises. Each layer is one group of cells (its LSOAs) with its
// total, suppressed as src/core/geo/suppression.ts does for any published table: a count from 1
// to threshold - 1 is "fewer than N", and when that leaves exactly one cell hidden beside a shown
// total, the next smallest is withheld too. What goes in is a count per LSOA; what comes out
// holds nothing else, so no name, id, address or position can leave by this road.

export type OverlayLayer = {
  key: string
  label: string
  /** Where the figures come from, in words: the groups register, or the agencies that supplied the points. */
  source: string
  total: PublishedCount
  /** Every LSOA of the area, in code order, each with its count suppressed. */
  byLsoa: Array<{ code: string } & PublishedCount>
}

export type LayerCounts = {
  key: string
  label: string
  source: string
  /** Points counted in each LSOA; LSOAs outside the area are ignored, LSOAs absent count 0. */
  counts: ReadonlyMap<string, number>
}

/** One layer's counts for an area's LSOAs, ready to publish. */
export function aggregateLayer(layer: LayerCounts, areaLsoas: readonly string[], threshold = DEFAULT_SUPPRESSION_THRESHOLD): OverlayLayer {
  const codes = [...new Set(areaLsoas)].sort()
  const { cells, total } = suppressCounts(
    codes.map((code) => ({ key: code, count: layer.counts.get(code) ?? 0 })),
    threshold,
  )
  return {
    key: layer.key,
    label: layer.label,
    source: layer.source,
    total,
    byLsoa: cells.map(({ key, ...count }) => ({ code: key, ...count })),
  }
}

/** Counts of items by the LSOA each lies in; an item in no LSOA (null) is not counted. */
export function countByLsoa(lsoaOfEach: Iterable<string | null>): Map<string, number> {
  const counts = new Map<string, number>()
  for (const code of lsoaOfEach) if (code !== null) counts.set(code, (counts.get(code) ?? 0) + 1)
  return counts
}

/** "Leicester City Council and Leicestershire Police" for a layer's source. */
export function listInWords(names: readonly string[]): string {
  const sorted = [...new Set(names)].sort((a, b) => a.localeCompare(b, 'en-GB'))
  if (sorted.length <= 1) return sorted[0] ?? ''
  return `${sorted.slice(0, -1).join(', ')} and ${sorted[sorted.length - 1]}`
}
