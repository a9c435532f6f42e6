import type { Actor } from '../../core/access/actor.ts'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.ts'
import { assembleProfile } from '../../core/profiles/assemble.ts'
import { compareVersions, contributionsOf, sectionsChanged, type Narrative, type VersionComparison } from '../../core/profiles/compare.ts'
import type { ProfileDocument } from '../../core/profiles/document.ts'
import type { ProfileFigures, SliceDefinition } from '../../core/profiles/figures.ts'
import { parseSlice } from '../../core/profiles/slices.ts'
import { DEFAULT_SLICES } from '../../core/profiles/slices.ts'
import { DEFAULT_SUPPRESSION_THRESHOLD } from '../../core/geo/suppression.ts'
import { overlayLayers } from '../overlays/service.ts'
import { longCalendarDate, longUkDateTime } from '../../core/time/ukDates.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem, asUser, type Tx } from '../../db/context.ts'
import { parseInput } from '../../http/validation.ts'
import { recordAudit } from '../audit/service.ts'
import * as records from '../records/service.ts'
import { displayNames } from '../users/service.ts'
import { CompareQuery, LocalProfileInput, NarrativeInput, RebuildInput, type LocalProfileSummaryOut, type VersionOut } from './schema.ts'
import { areaBoundaries, NoDataError, profileFigures } from './service.ts'
import * as q from './storedQueries.ts'

// Stored SOC local profiles: a profile of an area and period kept in versions. The first version
// holds the figures as built; partners then write the narrative, each edit a new version recording
// who (and which agency) changed which sections, and the figures can be rebuilt when more data is
// loaded. A profile is a restricted record like any other (marking, handling, sharing, the audit
// log), though it holds aggregates only.

export const KIND: records.RestrictedKind = { recordType: q.RECORD_TYPE, table: 'local_profiles', noun: 'local profile' }

function must(actor: Actor, capability: 'records.read' | 'records.write' | 'records.share', reason: string) {
  if (!actor.capabilities.includes(capability)) throw new ForbiddenError(reason)
}

export type BuildOptions = { suppressionThreshold?: number }

/**
 * The figures of a version: the public data, and the partnership's records as suppressed counts
 * by LSOA, counted as the actor may see them (the overlays module logs that use).
 */
async function versionFigures(db: Database, actor: Actor, r: { area: string; from: string; to: string; slices: SliceDefinition[] }, options: BuildOptions): Promise<ProfileFigures> {
  // Only published open data is read to build these figures, which carries no visibility rule.
  const { figures } = await asSystem(db, (tx) => profileFigures(tx, r))
  if (!actor.capabilities.includes('records.read')) return { ...figures, overlays: null }
  const threshold = options.suppressionThreshold ?? DEFAULT_SUPPRESSION_THRESHOLD
  const layers = await overlayLayers(db, actor, r.area, { threshold })
  return { ...figures, overlays: { threshold, countedFor: actor.agencyName, layers } }
}

const slicesOf = (texts: readonly string[]): SliceDefinition[] => (texts.length === 0 ? DEFAULT_SLICES : texts.map((t) => parseSlice(t) as SliceDefinition))

/** Builds the first version's figures from the public data, then stores the profile. */
export async function createLocalProfile(db: Database, actor: Actor, raw: unknown, options: BuildOptions = {}): Promise<string> {
  must(actor, 'records.write', 'Your role cannot make local profiles')
  const input = parseInput(LocalProfileInput, raw)
  if (input.sharingScope !== 'agency') must(actor, 'records.share', 'Your role cannot share profiles beyond your agency')
  const slices = slicesOf(input.slices)
  const figures = await versionFigures(db, actor, { area: input.area, from: input.from, to: input.to, slices }, options).catch((error: unknown) => {
    // No such area, or no data for it in the period, is a wrong choice of area on the form.
    if (error instanceof NoDataError || error instanceof NotFoundError) throw new ValidationError([{ field: 'area', message: error instanceof NotFoundError ? `${error.what} is not loaded` : error.message }])
    throw error
  })
  return asUser(db, actor, async (tx) => {
    await records.checkHandling(tx, actor, input, 'local profile')
    const id = await q.insertProfile(tx, { ...input, agencyId: actor.agencyId, userId: actor.userId, areaCode: input.area, slices })
    await q.insertVersion(tx, { profileId: id, version: 1, narrative: {}, figures, sectionsChanged: [], note: 'First version, built from the public data loaded', userId: actor.userId, agencyId: actor.agencyId })
    await records.recordCollected(tx, actor, KIND, id, input, { area: input.area, period: `${input.from} to ${input.to}` })
    return id
  })
}

export async function listLocalProfiles(db: Database, actor: Actor): Promise<LocalProfileSummaryOut[]> {
  must(actor, 'records.read', 'Your role cannot see local profiles')
  return asUser(db, actor, async (tx) => {
    const rows = await q.listVisibleProfiles(tx, actor)
    if (rows.length > 0) await recordAudit(tx, actor, { action: 'consultation', recordType: q.RECORD_TYPE, purpose: 'Listing local profiles', detail: { shown: rows.map((r) => r.id) } })
    return rows
  })
}

/**
 * The profile, if the visibility rule lets the actor see it; otherwise null, with the refusal logged
 * as a refused disclosure. Callers throw NotFoundError after their transaction, not inside it, so
 * the refusal's audit row commits.
 */
async function visibleProfile(tx: Tx, actor: Actor, id: string, now: Date, purpose: string) {
  const found = await q.findVisibleProfile(tx, actor, id)
  const seen = found ? await records.accessTo(tx, actor, KIND, id, found, now) : null
  if (!found || !seen) {
    await records.recordRefusal(tx, actor, KIND, id, purpose)
    return null
  }
  return { ...found, ...seen }
}

function found<T>(value: T | null): T {
  if (value === null) throw new NotFoundError('Local profile')
  return value
}

async function versionList(tx: Tx, id: string): Promise<VersionOut[]> {
  const rows = await q.versionsOf(tx, id)
  const users = await displayNames(tx, rows.map((r) => r.created_by))
  return rows.map((r) => ({ version: r.version, note: r.note, sectionsChanged: r.sections_changed, createdAt: r.created_at.toISOString(), createdBy: users.get(r.created_by) ?? 'Unknown user', agency: r.agency_name }))
}

export type LocalProfileView = NonNullable<Awaited<ReturnType<typeof visibleProfile>>> & {
  version: number
  narrative: Narrative
  figures: ProfileFigures
  versions: VersionOut[]
  contributions: ProfileDocument['contributions']
}

/** One version of a profile (the current one unless another is asked for), with its history. */
export async function getLocalProfile(db: Database, actor: Actor, id: string, now: Date, version?: number, purpose = 'Viewing a local profile'): Promise<LocalProfileView> {
  must(actor, 'records.read', 'Your role cannot see local profiles')
  const view = await asUser(db, actor, async (tx) => {
    const profile = await visibleProfile(tx, actor, id, now, purpose)
    if (!profile) return null
    const wanted = version ?? profile.currentVersion
    const stored = await q.findVersion(tx, id, wanted)
    if (!stored) throw new NotFoundError(`Version ${wanted} of this profile (it has versions 1 to ${profile.currentVersion})`)
    const versions = await versionList(tx, id)
    // Contributions up to the version shown, so an old version says who had written it by then.
    const contributions = contributionsOf(versions.filter((v) => v.version <= wanted).map((v) => ({ agency: v.agency, sectionsChanged: v.sectionsChanged })))
    await recordAudit(tx, actor, { action: 'consultation', recordType: q.RECORD_TYPE, recordId: id, purpose, detail: { version: wanted } })
    return { ...profile, version: wanted, narrative: stored.narrative, figures: stored.figures, versions, contributions }
  })
  return found(view)
}

/** The profile as a document for the page and the downloads, with the area's boundaries as loaded now. */
export async function localProfileDocument(db: Database, view: LocalProfileView, now: Date): Promise<ProfileDocument> {
  const boundaries = await asSystem(db, (tx) => areaBoundaries(tx, view.areaCode))
  const builtAt = view.versions.find((v) => v.version === view.version)?.createdAt
  return assembleProfile({
    figures: view.figures,
    boundaries,
    narrative: view.narrative,
    title: view.title,
    protectiveMarking: view.protectiveMarking,
    version: view.version,
    reviewDate: longCalendarDate(view.reviewDate),
    contributions: view.contributions,
    builtAt: longUkDateTime(builtAt ? new Date(builtAt) : now),
  })
}

/** A new version with the narrative changed: sections not given keep their text. */
export async function reviseNarrative(db: Database, actor: Actor, id: string, raw: unknown, now: Date): Promise<number> {
  must(actor, 'records.write', 'Your role cannot edit local profiles')
  const input = parseInput(NarrativeInput, raw)
  const version = await asUser(db, actor, async (tx) => {
    const profile = await visibleProfile(tx, actor, id, now, 'Editing a local profile')
    if (!profile) return null
    const current = await currentVersion(tx, id, profile.currentVersion, input.expectedVersion)
    const given = Object.fromEntries(Object.entries(input.narrative).filter(([, v]) => v !== undefined)) as Narrative
    const narrative: Narrative = { ...current.narrative, ...given }
    const changed = sectionsChanged(current.narrative, narrative)
    if (changed.length === 0) throw new ValidationError([{ field: 'narrative', message: 'Nothing in the narrative changed: there is no new version to keep' }])
    return newVersion(tx, actor, id, input.expectedVersion, { narrative, figures: current.figures, sectionsChanged: changed, note: input.note })
  })
  return found(version)
}

/** A new version with the figures built again from the data loaded now; the narrative is kept. */
export async function rebuildFigures(db: Database, actor: Actor, id: string, raw: unknown, now: Date, options: BuildOptions = {}): Promise<number> {
  must(actor, 'records.write', 'Your role cannot edit local profiles')
  const input = parseInput(RebuildInput, raw)
  const profile = found(await asUser(db, actor, (tx) => visibleProfile(tx, actor, id, now, 'Rebuilding a local profile')))
  const figures = await versionFigures(db, actor, { area: profile.areaCode, from: profile.periodFrom, to: profile.periodTo, slices: profile.slices }, options)
  return asUser(db, actor, async (tx) => {
    // Still visible, and still at the version the figures were built for.
    const latest = found(await q.findVisibleProfile(tx, actor, id))
    const current = await currentVersion(tx, id, latest.currentVersion, input.expectedVersion)
    return newVersion(tx, actor, id, input.expectedVersion, { narrative: current.narrative, figures, sectionsChanged: [], note: input.note })
  })
}

async function currentVersion(tx: Tx, id: string, current: number, expected: number) {
  if (current !== expected) throw staleEdit(current)
  const stored = await q.findVersion(tx, id, current)
  if (!stored) throw new NotFoundError('Local profile')
  return stored
}

const staleEdit = (current: number) => new ConflictError(`Someone else saved version ${current} of this profile while you were working on an earlier one. Reload it to see their changes, then make yours again.`)

async function newVersion(tx: Tx, actor: Actor, id: string, expected: number, v: { narrative: Narrative; figures: ProfileFigures; sectionsChanged: string[]; note: string }): Promise<number> {
  // Moving current_version on first, conditionally, makes two partners saving at once safe: the
  // second finds it moved and is told to reload, and its version row is never written.
  if (!(await q.advanceVersion(tx, id, expected, actor.userId))) throw staleEdit(expected + 1)
  const version = expected + 1
  await q.insertVersion(tx, { profileId: id, version, ...v, userId: actor.userId, agencyId: actor.agencyId })
  await recordAudit(tx, actor, { action: 'alteration', recordType: q.RECORD_TYPE, recordId: id, purpose: v.note, detail: { version, sectionsChanged: v.sectionsChanged, figuresRebuilt: v.sectionsChanged.length === 0 } })
  return version
}

/** What changed between two versions of a profile, narrative and figures. */
export async function compareLocalProfileVersions(db: Database, actor: Actor, id: string, raw: unknown, now: Date): Promise<{ profile: LocalProfileView; from: number; to: number; comparison: VersionComparison }> {
  const query = parseInput(CompareQuery, raw)
  if (query.from === query.to) throw new ValidationError([{ field: 'to', message: 'Choose two different versions to compare' }])
  const profile = await getLocalProfile(db, actor, id, now, query.to, 'Comparing versions of a local profile')
  const earlier = await asUser(db, actor, (tx) => q.findVersion(tx, id, query.from))
  if (!earlier) throw new ValidationError([{ field: 'from', message: `This profile has versions 1 to ${profile.currentVersion}, not ${query.from}` }])
  return { profile, from: query.from, to: query.to, comparison: compareVersions(earlier, { narrative: profile.narrative, figures: profile.figures }) }
}

export const changeSharing = (db: Database, actor: Actor, id: string, raw: unknown) => records.changeSharing(db, actor, KIND, id, raw)
export const grantAccess = (db: Database, actor: Actor, id: string, raw: unknown, now: Date) => records.grantAccess(db, actor, KIND, id, raw, now)
export const revokeAccess = (db: Database, actor: Actor, id: string, grantId: string) => records.revokeAccess(db, actor, KIND, id, grantId)

export { profileAreas } from './storedQueries.ts'
