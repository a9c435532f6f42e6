import { twoSidedPValue } from './normal.ts'

// Getis-Ord Gi* (Getis and Ord 1992; Ord and Getis 1995): for each area, whether the values in and
// around it are higher (a hot spot) or lower (a cold spot) than chance would place together.
// The star version counts the area itself in its neighbourhood (w_ii = 1, or its share when
// row-standardised). With n areas, values x, mean X and S = sqrt(sum x_j^2 / n - X^2):
//
//   Gi* = (sum_j w_ij x_j - X sum_j w_ij) / (S sqrt((n sum_j w_ij^2 - (sum_j w_ij)^2) / (n - 1)))
//
// Gi* is already a z-score; its p-value is from the normal approximation, two-sided. Classes follow
// the usual confidence bins (ArcGIS's Hot Spot Analysis): p < 0.01 is 99%, < 0.05 is 95%, < 0.10
// is 90%. Scaling one area's weights by a constant scales numerator and denominator alike, so
// row-standardising leaves every z-score as it is with binary weights; it is offered so that a
// reader who asks for it can see it makes no difference.

export type HotspotClass = 'hot-99' | 'hot-95' | 'hot-90' | 'cold-99' | 'cold-95' | 'cold-90' | 'none'

export const HOTSPOT_CLASS_LABELS: Record<HotspotClass, string> = {
  'hot-99': 'Hot spot, 99% confidence',
  'hot-95': 'Hot spot, 95% confidence',
  'hot-90': 'Hot spot, 90% confidence',
  none: 'Not significant',
  'cold-90': 'Cold spot, 90% confidence',
  'cold-95': 'Cold spot, 95% confidence',
  'cold-99': 'Cold spot, 99% confidence',
}

export type SpatialWeights = 'binary' | 'row-standardised'

export type GiStarOptions = {
  weights?: SpatialWeights
  /** When given (e.g. 0.05), each area is also tested with the Benjamini-Hochberg false discovery rate at this level. */
  falseDiscoveryRate?: number
}

/** Why a z-score is 0 rather than computed: the statistic is undefined for these inputs. */
export type GiStarDegenerate = 'all values equal' | 'neighbourhood is every area'

export type GiStarArea = {
  code: string
  value: number
  /** Neighbours with a value, the area itself not counted. */
  neighbourCount: number
  z: number
  pValue: number
  hotspotClass: HotspotClass
  /** Null when no false discovery rate was asked for. */
  significantAfterFdr: boolean | null
  degenerate: GiStarDegenerate | null
}

export type GiStar = {
  weights: SpatialWeights
  n: number
  mean: number
  standardDeviation: number
  /** Set when every value is the same, so S = 0 and every z is reported as 0, not significant. */
  degenerate: 'all values equal' | null
  /** Neighbours named in the neighbourhoods that have no value: left out, and counted here. */
  neighboursWithoutValue: number
  fdr: { q: number; pValueThreshold: number | null; significant: number } | null
  /** In the order of the values given. */
  areas: GiStarArea[]
}

export function getisOrdGiStar(values: ReadonlyMap<string, number>, neighbours: ReadonlyMap<string, readonly string[]>, options: GiStarOptions = {}): GiStar {
  const weights = options.weights ?? 'binary'
  if (weights !== 'binary' && weights !== 'row-standardised') throw new RangeError(`Unknown spatial weights: ${String(weights)}`)
  const q = options.falseDiscoveryRate
  if (q !== undefined && !(q > 0 && q < 1)) throw new RangeError(`The false discovery rate must be between 0 and 1, not ${q}`)

  const codes = [...values.keys()]
  const n = codes.length
  if (n < 3) throw new RangeError(`Gi* needs at least 3 areas with a value, not ${n}`)
  const x = new Float64Array(n)
  const index = new Map<string, number>()
  codes.forEach((code, i) => {
    const value = values.get(code)!
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`Area ${code}: the value must be a finite number, not ${String(value)}`)
    x[i] = value
    index.set(code, i)
  })

  let sum = 0
  for (let i = 0; i < n; i++) sum += x[i]!
  const mean = sum / n
  // Two passes: sum (x - mean)^2 / n equals sum x^2 / n - mean^2 but keeps its digits.
  let squares = 0
  for (let i = 0; i < n; i++) squares += (x[i]! - mean) ** 2
  const s = Math.sqrt(squares / n)
  const allEqual = x.every((value) => value === x[0])

  // z-scores first into flat arrays, then one object per area, so national runs stay well under a second.
  let neighboursWithoutValue = 0
  const stamp = new Int32Array(n).fill(-1)
  const zs = new Float64Array(n)
  const ps = new Float64Array(n).fill(1)
  const counts = new Int32Array(n)
  const whole = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    stamp[i] = i
    let size = 1
    let local = x[i]!
    for (const other of neighbours.get(codes[i]!) ?? []) {
      const j = index.get(other)
      if (j === undefined) {
        neighboursWithoutValue++
        continue
      }
      if (stamp[j] === i) continue
      stamp[j] = i
      size++
      local += x[j]!
    }
    counts[i] = size - 1
    if (allEqual) continue
    const w = weights === 'binary' ? 1 : 1 / size
    const sumW = w * size
    const spread = (n * w * w * size - sumW * sumW) / (n - 1)
    if (size === n || spread <= 0) {
      whole[i] = 1
      continue
    }
    zs[i] = (w * local - mean * sumW) / (s * Math.sqrt(spread))
    ps[i] = twoSidedPValue(zs[i]!)
  }

  let fdr: GiStar['fdr'] = null
  let threshold: number | null = null
  if (q !== undefined) {
    threshold = benjaminiHochbergThreshold(ps, q)
    let significant = 0
    if (threshold !== null) for (let i = 0; i < n; i++) if (ps[i]! <= threshold) significant++
    fdr = { q, pValueThreshold: threshold, significant }
  }

  const areas: GiStarArea[] = new Array(n)
  for (let i = 0; i < n; i++) {
    const z = zs[i]!
    const pValue = ps[i]!
    const degenerate: GiStarDegenerate | null = allEqual ? 'all values equal' : whole[i] ? 'neighbourhood is every area' : null
    areas[i] = {
      code: codes[i]!,
      value: x[i]!,
      neighbourCount: counts[i]!,
      z,
      pValue,
      hotspotClass: degenerate ? 'none' : hotspotClassOf(z, pValue),
      significantAfterFdr: q === undefined ? null : threshold !== null && pValue <= threshold,
      degenerate,
    }
  }

  return { weights, n, mean, standardDeviation: s, degenerate: allEqual ? 'all values equal' : null, neighboursWithoutValue, fdr, areas }
}

export function hotspotClassOf(z: number, pValue: number): HotspotClass {
  const hot = z > 0
  if (pValue < 0.01) return hot ? 'hot-99' : 'cold-99'
  if (pValue < 0.05) return hot ? 'hot-95' : 'cold-95'
  if (pValue < 0.1) return hot ? 'hot-90' : 'cold-90'
  return 'none'
}

/**
 * The largest p-value still significant when m tests are held to a false discovery rate q
 * (Benjamini and Hochberg 1995): the largest p_(k) with p_(k) <= k q / m, the p-values sorted.
 * Null when none is.
 */
export function benjaminiHochbergThreshold(pValues: ArrayLike<number>, q: number): number | null {
  const sorted = Float64Array.from(pValues).sort()
  const m = sorted.length
  for (let k = m; k >= 1; k--) {
    if (sorted[k - 1]! <= (k * q) / m) return sorted[k - 1]!
  }
  return null
}
