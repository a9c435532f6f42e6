import type { Viewer } from '../../core/access/visibility.ts'
import type { Narrative } from '../../core/profiles/compare.ts'
import type { ProfileFigures, SliceDefinition } from '../../core/profiles/figures.ts'
import type { Queryable } from '../../db/context.ts'
import { visibleTo } from '../../db/visibility.ts'
import type { LocalProfileSummaryOut } from './schema.ts'

export const RECORD_TYPE = 'local_profile'

function profileColumns(db: Queryable) {
  return db
    .selectFrom('local_profiles')
    .innerJoin('agencies as a', 'a.id', 'local_profiles.owning_agency_id')
    .innerJoin('areas as ar', 'ar.code', 'local_profiles.area_code')
    .select([
      'local_profiles.id', 'local_profiles.title', 'local_profiles.area_code', 'ar.name as area_name', 'ar.level as area_level', 'local_profiles.period_from', 'local_profiles.period_to', 'local_profiles.current_version',
      'local_profiles.owning_agency_id', 'a.name as owning_agency_name', 'local_profiles.protective_marking', 'local_profiles.handling_code', 'local_profiles.handling_conditions',
      'local_profiles.sharing_scope', 'local_profiles.review_date', 'local_profiles.updated_at', 'local_profiles.purpose', 'local_profiles.slices', 'local_profiles.row_version',
    ])
}
type Row = Awaited<ReturnType<ReturnType<typeof profileColumns>['executeTakeFirstOrThrow']>>

const toSummary = (r: Row): LocalProfileSummaryOut => ({
  id: r.id,
  title: r.title,
  areaCode: r.area_code,
  areaName: r.area_name,
  periodFrom: r.period_from.slice(0, 7),
  periodTo: r.period_to.slice(0, 7),
  currentVersion: r.current_version,
  owningAgencyId: r.owning_agency_id,
  owningAgencyName: r.owning_agency_name,
  protectiveMarking: r.protective_marking as LocalProfileSummaryOut['protectiveMarking'],
  handlingCode: r.handling_code as LocalProfileSummaryOut['handlingCode'],
  handlingConditions: r.handling_conditions,
  sharingScope: r.sharing_scope as LocalProfileSummaryOut['sharingScope'],
  reviewDate: r.review_date,
  updatedAt: r.updated_at.toISOString(),
})

export type StoredProfile = LocalProfileSummaryOut & { areaLevel: string; purpose: string; slices: SliceDefinition[]; rowVersion: number }

/** Profiles the viewer may see, newest first: filtered here by the visibility rule, and again by row-level security. */
export async function listVisibleProfiles(db: Queryable, viewer: Viewer, limit = 200): Promise<LocalProfileSummaryOut[]> {
  const rows = await profileColumns(db).where(visibleTo(viewer, RECORD_TYPE, 'local_profiles')).orderBy('local_profiles.updated_at', 'desc').orderBy('local_profiles.id').limit(limit).execute()
  return rows.map(toSummary)
}

export async function findVisibleProfile(db: Queryable, viewer: Viewer, id: string): Promise<StoredProfile | null> {
  const row = await profileColumns(db).where('local_profiles.id', '=', id).where(visibleTo(viewer, RECORD_TYPE, 'local_profiles')).executeTakeFirst()
  return row ? { ...toSummary(row), areaLevel: row.area_level, purpose: row.purpose, slices: row.slices as SliceDefinition[], rowVersion: row.row_version } : null
}

export type ProfileInsert = {
  agencyId: string
  userId: string
  title: string
  areaCode: string
  from: string
  to: string
  slices: readonly SliceDefinition[]
  purpose: string
  protectiveMarking: string
  handlingCode: string
  handlingConditions: string | null
  sharingScope: string
  reviewDate: string
}

export async function insertProfile(db: Queryable, p: ProfileInsert): Promise<string> {
  const row = await db
    .insertInto('local_profiles')
    .values({
      owning_agency_id: p.agencyId,
      title: p.title,
      area_code: p.areaCode,
      period_from: `${p.from}-01`,
      period_to: `${p.to}-01`,
      slices: JSON.stringify(p.slices),
      purpose: p.purpose,
      protective_marking: p.protectiveMarking,
      handling_code: p.handlingCode,
      handling_conditions: p.handlingConditions,
      sharing_scope: p.sharingScope,
      review_date: p.reviewDate,
      created_by: p.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export type VersionInsert = { profileId: string; version: number; narrative: Narrative; figures: ProfileFigures; sectionsChanged: readonly string[]; note: string; userId: string; agencyId: string }

export async function insertVersion(db: Queryable, v: VersionInsert): Promise<void> {
  await db
    .insertInto('local_profile_versions')
    .values({
      profile_id: v.profileId,
      version: v.version,
      narrative: JSON.stringify(v.narrative),
      figures: JSON.stringify(v.figures),
      sections_changed: [...v.sectionsChanged],
      note: v.note,
      created_by: v.userId,
      created_by_agency_id: v.agencyId,
    })
    .execute()
}

/** Moves the profile on to its new version, if no one else has since `expected`; false if someone has. */
export async function advanceVersion(db: Queryable, id: string, expected: number, userId: string): Promise<boolean> {
  const result = await db
    .updateTable('local_profiles')
    .set((eb) => ({ current_version: expected + 1, updated_by: userId, updated_at: new Date(), row_version: eb('row_version', '+', 1) }))
    .where('id', '=', id)
    .where('current_version', '=', expected)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function findVersion(db: Queryable, id: string, version: number): Promise<{ narrative: Narrative; figures: ProfileFigures; createdAt: Date } | null> {
  const row = await db.selectFrom('local_profile_versions').select(['narrative', 'figures', 'created_at']).where('profile_id', '=', id).where('version', '=', version).executeTakeFirst()
  return row ? { narrative: row.narrative as Narrative, figures: row.figures as ProfileFigures, createdAt: row.created_at } : null
}

export async function versionsOf(db: Queryable, id: string) {
  return db
    .selectFrom('local_profile_versions as v')
    .innerJoin('agencies as a', 'a.id', 'v.created_by_agency_id')
    .select(['v.version', 'v.note', 'v.sections_changed', 'v.created_at', 'v.created_by', 'a.name as agency_name'])
    .where('v.profile_id', '=', id)
    .orderBy('v.version', 'desc')
    .execute()
}

/** Areas a profile can be made of: every area with LSOAs recorded, larger areas first. */
export async function profileAreas(db: Queryable) {
  return db
    .selectFrom('areas')
    .select(['code', 'name', 'level'])
    .where('level', 'in', ['police_force', 'csp', 'local_authority', 'ward', 'custom'])
    .where(({ exists, selectFrom }) => exists(selectFrom('area_lsoas').select('lsoa_code').whereRef('area_lsoas.area_code', '=', 'areas.code')))
    .orderBy('name')
    .execute()
}
