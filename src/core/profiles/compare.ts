import { SECTION_KEYS, SECTION_TITLES, type SectionKey } from './document.ts'
import type { ProfileFigures } from './figures.ts'

// Comparing two versions of a stored profile: what the partners changed in the narrative, section
// by section and paragraph by paragraph, and how the figures moved when they were rebuilt. A board
// reviewing a refreshed profile reads this instead of two documents side by side.

export type Narrative = Partial<Record<SectionKey, string[]>>

export type ParagraphChange = { change: 'kept' | 'added' | 'removed'; text: string }

export type SectionComparison = { key: SectionKey; title: string; changed: boolean; paragraphs: ParagraphChange[] }

export type FigureChange = { label: string; before: number; after: number; difference: number }

export type VersionComparison = {
  sections: SectionComparison[]
  /** Totals and crime types whose counts differ between the two versions' figures. */
  figures: FigureChange[]
  /** LSOAs that are hot spots at 95% or more in one version and not the other. */
  hotspotsGained: Array<{ code: string; name: string }>
  hotspotsLost: Array<{ code: string; name: string }>
  periodChanged: boolean
}

/** The sections whose paragraphs differ, in the document's order. */
export function sectionsChanged(before: Narrative, after: Narrative): SectionKey[] {
  return SECTION_KEYS.filter((key) => !sameParagraphs(before[key] ?? [], after[key] ?? []))
}

function sameParagraphs(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i])
}

/**
 * A paragraph-level diff by longest common subsequence, so a paragraph inserted in the middle
 * shows as one addition rather than every later paragraph as changed. Sections are short (tens of
 * paragraphs), so the quadratic table is small.
 */
export function diffParagraphs(before: readonly string[], after: readonly string[]): ParagraphChange[] {
  const n = before.length
  const m = after.length
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0))
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = before[i] === after[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
    }
  }
  const out: ParagraphChange[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (before[i] === after[j]) {
      out.push({ change: 'kept', text: before[i]! })
      i++
      j++
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ change: 'removed', text: before[i++]! })
    else out.push({ change: 'added', text: after[j++]! })
  }
  while (i < n) out.push({ change: 'removed', text: before[i++]! })
  while (j < m) out.push({ change: 'added', text: after[j++]! })
  return out
}

const isHot = (c: string) => c === 'hot-99' || c === 'hot-95'

export function compareVersions(before: { narrative: Narrative; figures: ProfileFigures }, after: { narrative: Narrative; figures: ProfileFigures }): VersionComparison {
  const sections = SECTION_KEYS.map((key): SectionComparison => {
    const paragraphs = diffParagraphs(before.narrative[key] ?? [], after.narrative[key] ?? [])
    return { key, title: SECTION_TITLES[key], changed: paragraphs.some((p) => p.change !== 'kept'), paragraphs }
  })

  const figures: FigureChange[] = []
  const push = (label: string, a: number, b: number) => {
    if (a !== b) figures.push({ label, before: a, after: b, difference: b - a })
  }
  push('All recorded crime', before.figures.total, after.figures.total)
  const typesBefore = new Map(before.figures.byType.map((t) => [t.crimeType, t.count]))
  const typesAfter = new Map(after.figures.byType.map((t) => [t.crimeType, t.count]))
  for (const type of [...new Set([...typesBefore.keys(), ...typesAfter.keys()])].sort()) push(type, typesBefore.get(type) ?? 0, typesAfter.get(type) ?? 0)
  push('Records with no location', before.figures.withoutLocation, after.figures.withoutLocation)
  push('Months with no data', before.figures.missingMonths.length, after.figures.missingMonths.length)

  const hot = (f: ProfileFigures) => new Map(f.hotspots.areas.filter((a) => isHot(a.hotspotClass)).map((a) => [a.code, a.name]))
  const hotBefore = hot(before.figures)
  const hotAfter = hot(after.figures)
  const hotspotsGained = [...hotAfter].filter(([code]) => !hotBefore.has(code)).map(([code, name]) => ({ code, name }))
  const hotspotsLost = [...hotBefore].filter(([code]) => !hotAfter.has(code)).map(([code, name]) => ({ code, name }))

  const periodChanged = before.figures.period.from !== after.figures.period.from || before.figures.period.to !== after.figures.period.to
  return { sections, figures, hotspotsGained, hotspotsLost, periodChanged }
}

/** Who contributed what: each agency's versions, and the sections its people changed, in document order. */
export function contributionsOf(versions: ReadonlyArray<{ agency: string; sectionsChanged: readonly string[] }>): Array<{ agency: string; sections: string[] }> {
  const byAgency = new Map<string, Set<string>>()
  for (const v of versions) {
    const set = byAgency.get(v.agency) ?? new Set<string>()
    for (const s of v.sectionsChanged) set.add(s)
    byAgency.set(v.agency, set)
  }
  const order = (key: string) => SECTION_KEYS.indexOf(key as SectionKey)
  return [...byAgency]
    .filter(([, sections]) => sections.size > 0)
    .map(([agency, sections]) => ({ agency, sections: [...sections].sort((a, b) => order(a) - order(b)).map((k) => SECTION_TITLES[k as SectionKey] ?? k) }))
}
