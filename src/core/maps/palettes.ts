// Colours of the map's layers. Every palette is one that people with the common colour vision
// deficiencies can still read in order: ColorBrewer's YlGnBu (sequential) and RdBu (diverging) are
// marked "colorblind safe" by ColorBrewer (Brewer, colorbrewer2.org), and viridis (van der Walt and
// Smith, matplotlib) was designed to be. Each step also differs in lightness, so the order survives
// a greyscale printout.

/** YlGnBu by number of classes, light to dark (ColorBrewer). */
const YL_GN_BU: Record<number, readonly string[]> = {
  1: ['#41b6c4'],
  2: ['#edf8b1', '#2c7fb8'],
  3: ['#edf8b1', '#7fcdbb', '#2c7fb8'],
  4: ['#ffffcc', '#a1dab4', '#41b6c4', '#225ea8'],
  5: ['#ffffcc', '#a1dab4', '#41b6c4', '#2c7fb8', '#253494'],
  6: ['#ffffcc', '#c7e9b4', '#7fcdbb', '#41b6c4', '#2c7fb8', '#253494'],
  7: ['#ffffcc', '#c7e9b4', '#7fcdbb', '#41b6c4', '#1d91c0', '#225ea8', '#0c2c84'],
}

export const MAX_SEQUENTIAL_CLASSES = 7

/** A sequential palette of n classes, light (low) to dark (high). */
export function sequentialPalette(n: number): readonly string[] {
  if (!Number.isInteger(n) || n < 1 || n > MAX_SEQUENTIAL_CLASSES) throw new RangeError(`A sequential palette has 1 to ${MAX_SEQUENTIAL_CLASSES} classes, not ${n}`)
  return YL_GN_BU[n]!
}

/** Hot and cold spots: RdBu with seven classes, red for hot, blue for cold, near-white for neither. */
export const HOTSPOT_COLOURS = {
  'hot-99': '#b2182b',
  'hot-95': '#ef8a62',
  'hot-90': '#fddbc7',
  none: '#f7f7f7',
  'cold-90': '#d1e5f0',
  'cold-95': '#67a9cf',
  'cold-99': '#2166ac',
} as const

/** IMD deciles 1 (most deprived, darkest) to 10 (least deprived, lightest): viridis in ten steps. */
export const DECILE_COLOURS: readonly string[] = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725']

/** Areas with no value (no population to divide by, no boundary to take part in Gi*). */
export const NO_DATA_COLOUR = '#9e9e9e'

/** Counts too small to publish ("fewer than 5"): a neutral shade apart from the sequence. */
export const SUPPRESSED_COLOUR = '#e0e0e0'
