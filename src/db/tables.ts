import type { ColumnType, Generated } from 'kysely'

// The shape of every table, as Kysely sees it. Each module's queries.ts touches only its own.
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type CreatedTimestamp = ColumnType<Date, Date | string | undefined, never>

export interface SettingsTable {
  key: string
  value: string
  updated_at: Generated<Date>
}

export interface AgenciesTable {
  id: Generated<string>
  name: string
  short_name: string | null
  agency_type: string
  service_area: string | null
  parent_id: string | null
  region: string
  gain_member: boolean
  address: string | null
  website: string | null
  active: Generated<boolean>
  created_at: CreatedTimestamp
  created_by: string | null
  updated_at: Timestamp
  updated_by: string | null
  row_version: Generated<number>
}

export interface AgencyContactsTable {
  id: Generated<string>
  agency_id: string
  name: string
  role_title: string | null
  email: string | null
  phone: string | null
  gain_single_point_of_contact: Generated<boolean>
  created_at: CreatedTimestamp
  created_by: string | null
}

export interface UsersTable {
  id: Generated<string>
  agency_id: string
  email: string
  display_name: string
  job_title: string | null
  roles: string[]
  password_hash: string | null
  active: Generated<boolean>
  failed_sign_ins: Generated<number>
  locked_until: Date | null
  last_sign_in_at: Date | null
  password_changed_at: Date | null
  created_at: CreatedTimestamp
  created_by: string | null
  updated_at: Timestamp
  updated_by: string | null
  row_version: Generated<number>
}

export interface SessionsTable {
  id: string
  user_id: string
  created_at: CreatedTimestamp
  last_seen_at: Timestamp
  expires_at: Date
  ended_at: Date | null
  ip: string | null
  user_agent: string | null
}

export interface ApiTokensTable {
  id: Generated<string>
  user_id: string
  name: string
  token_hash: string
  scopes: string[]
  created_at: CreatedTimestamp
  created_by: string | null
  expires_at: Date | null
  last_used_at: Date | null
  revoked_at: Date | null
  revoked_by: string | null
}

export interface AuditEventsTable {
  seq: number
  at: Date
  user_id: string | null
  agency_id: string | null
  actor: string
  action: string
  outcome: string
  record_type: string
  record_id: string | null
  purpose: string
  recipients: string[]
  detail: unknown
  prev_hash: string
  hash: string
}

export interface RecordSharesTable {
  record_type: string
  record_id: string
  agency_id: string
  shared_at: CreatedTimestamp
  shared_by: string | null
}

export interface RecordGrantsTable {
  id: Generated<string>
  record_type: string
  record_id: string
  grantee_user_id: string | null
  grantee_agency_id: string | null
  reason: string
  granted_by: string | null
  granted_at: CreatedTimestamp
  expires_at: Date | null
  revoked_at: Date | null
  revoked_by: string | null
}

export interface NotesTable {
  id: Generated<string>
  owning_agency_id: string
  subject: string
  body: string
  purpose: string
  protective_marking: string
  handling_code: string
  handling_conditions: string | null
  sharing_scope: string
  review_date: string
  created_at: CreatedTimestamp
  created_by: string
  updated_at: Timestamp
  updated_by: string | null
  row_version: Generated<number>
}

/** A stored SOC local profile (migration 0016): restricted like any record, aggregates only. */
export interface LocalProfilesTable {
  id: Generated<string>
  owning_agency_id: string
  title: string
  area_code: string
  period_from: string
  period_to: string
  slices: ColumnType<unknown, string, string>
  purpose: string
  protective_marking: string
  handling_code: string
  handling_conditions: string | null
  sharing_scope: string
  review_date: string
  current_version: Generated<number>
  created_at: CreatedTimestamp
  created_by: string
  updated_at: Timestamp
  updated_by: string | null
  row_version: Generated<number>
}

export interface LocalProfileVersionsTable {
  profile_id: string
  version: number
  narrative: ColumnType<unknown, string, string>
  figures: ColumnType<unknown, string, string>
  sections_changed: Generated<string[]>
  note: string
  created_at: CreatedTimestamp
  created_by: string
  created_by_agency_id: string
}

/** The handling every restricted record carries (see the visibility rule). */
interface RestrictedColumns {
  owning_agency_id: string
  protective_marking: string
  handling_code: string
  handling_conditions: string | null
  sharing_scope: string
}

export interface EntitiesTable extends RestrictedColumns {
  id: Generated<string>
  schema: string
  caption: string
  properties: ColumnType<Record<string, unknown>, string | Record<string, unknown> | undefined, string | Record<string, unknown>>
  names: Generated<string[]>
  search_text: Generated<string>
  /** Generated from search_text (migration 0014): what fuzzy name search compares. */
  name_words: ColumnType<string, never, never>
  person_role: string | null
  birth_date: string | null
  business_type: string | null
  company_number: string | null
  postcode: string | null
  lsoa_code: string | null
  latitude: number | null
  longitude: number | null
  registration: string | null
  phone_number: string | null
  purpose: string
  review_date: string
  created_at: CreatedTimestamp
  created_by: string | null
  updated_at: Timestamp
  updated_by: string | null
  row_version: Generated<number>
}

export interface EntityLinksTable extends RestrictedColumns {
  id: Generated<string>
  link_type: string
  subject_id: string
  object_id: string
  relationship: string | null
  start_date: string | null
  end_date: string | null
  source_reference: string
  source_intelligence_id: string | null
  created_at: CreatedTimestamp
  created_by: string | null
  row_version: Generated<number>
}

export interface OcgsTable extends RestrictedColumns {
  id: Generated<string>
  name: string
  operation_name: string | null
  status: string
  threat_areas: string[]
  areas: Generated<string[]>
  cross_border: Generated<boolean>
  summary: string | null
  legacy_ocgm_band: string | null
  lead_responsible_officer_id: string | null
  members_changed_at: Date | null
  intelligence_changed_at: Date | null
  disruptions_changed_at: Date | null
  purpose: string
  review_date: string
  created_at: CreatedTimestamp
  created_by: string | null
  updated_at: Timestamp
  updated_by: string | null
  row_version: Generated<number>
}

export interface OcgMembersTable {
  id: Generated<string>
  group_id: string
  person_id: string
  role: string
  enabler_profession: string | null
  start_date: string | null
  end_date: string | null
  notes: string | null
  created_at: CreatedTimestamp
  created_by: string | null
  updated_at: Timestamp
  updated_by: string | null
  row_version: Generated<number>
}

export interface OcgHoldingsTable {
  id: Generated<string>
  group_id: string
  entity_id: string
  kind: string
  start_date: string | null
  end_date: string | null
  notes: string | null
  created_at: CreatedTimestamp
  created_by: string | null
}

export interface OcgHistoryTable {
  id: Generated<number>
  group_id: string
  changed_at: CreatedTimestamp
  changed_by: string | null
  summary: string
  changes: ColumnType<unknown, string | undefined, never>
}

export interface IntelligenceRecordsTable extends RestrictedColumns {
  id: Generated<string>
  reference: string | null
  body: string
  reported_on: string
  source_agency_id: string
  source_evaluation: string
  intelligence_assessment: number
  legacy_grade: string | null
  purpose: string
  review_date: string
  created_at: CreatedTimestamp
  created_by: string | null
  updated_at: Timestamp
  updated_by: string | null
  row_version: Generated<number>
}

export interface IntelligenceMentionsTable {
  id: Generated<string>
  intelligence_id: string
  entity_id: string | null
  group_id: string | null
}

export interface PrioritisationModelsTable {
  id: Generated<string>
  key: string
  version: number
  title: string
  definition: ColumnType<unknown, string, never>
  change_note: string | null
  published_at: CreatedTimestamp
  published_by: string | null
}

export interface AssessmentsTable {
  id: Generated<string>
  model_id: string
  model_key: string
  subject_type: string
  group_id: string | null
  person_id: string | null
  threat_area: string | null
  answers: ColumnType<unknown, string, never>
  score: number
  band: string
  confidence: number
  opportunity: string
  result: ColumnType<unknown, string, never>
  carried_from_id: string | null
  /** Generated from result (migration 0013). */
  carried_judged_at: ColumnType<string | null, never, never>
  review_date: string | null
  owning_agency_id: string
  scored_by: string
  scored_at: CreatedTimestamp
  superseded_at: Date | null
  superseded_by_id: string | null
}

export interface ImportsTable {
  id: Generated<string>
  kind: string
  file_name: string
  csv_text: string | null
  mapping: ColumnType<unknown, string | null | undefined, string | null>
  ignored_columns: Generated<string[]>
  status: Generated<string>
  result: ColumnType<unknown, string | null | undefined, string | null>
  created_by: string
  agency_id: string
  created_at: CreatedTimestamp
  imported_at: Date | null
}

// Public data for local profiles (migration 0015): published under the Open Government Licence,
// read by every user, written only by the opendata module's imports (and custom areas).

export interface OpenDataImportsTable {
  id: string
  kind: string
  outcome: Generated<string>
  sources: string[]
  rows_read: number
  rows_loaded: number
  rows_rejected: number
  report: ColumnType<unknown, string | undefined, string>
  imported_by: string
  imported_at: CreatedTimestamp
  finished_at: Date | null
}

export interface AreasTable {
  code: string
  level: string
  name: string
  /** GeoJSON Polygon or MultiPolygon in WGS84. */
  geometry: ColumnType<unknown, string | null | undefined, string | null>
  /** [west, south, east, north]. */
  bbox: number[] | null
  centroid_lon: number | null
  centroid_lat: number | null
  created_by: string | null
  updated_at: Timestamp
}

export interface AreaLsoasTable {
  area_code: string
  lsoa_code: string
}

export interface AreaParentsTable {
  area_code: string
  parent_code: string
}

export interface StreetCrimesTable {
  falls_within: string
  /** The first day of the month, 'YYYY-MM-DD'. */
  month: string
  crime_id: string | null
  reported_by: string
  longitude: number | null
  latitude: number | null
  location: string | null
  lsoa_code: string | null
  lsoa_name: string | null
  crime_type: string
  last_outcome: string | null
  context: string | null
  import_id: string
}

export interface StopSearchesTable {
  force: string
  month: string
  searched_at: Date
  search_type: string
  part_of_operation: boolean | null
  operation_name: string | null
  longitude: number | null
  latitude: number | null
  lsoa_code: string | null
  gender: string | null
  age_range: string | null
  self_defined_ethnicity: string | null
  officer_defined_ethnicity: string | null
  legislation: string | null
  object_of_search: string | null
  outcome: string | null
  outcome_linked_to_object: boolean | null
  removal_of_outer_clothing: boolean | null
  import_id: string
}

export interface DeprivationTable {
  lsoa_code: string
  lsoa_name: string
  local_authority_code: string | null
  imd_rank: number | null
  imd_decile: number | null
  /** {income: {rank, decile}, employment: …, education, health, crime, barriers, living_environment}. */
  domains: ColumnType<unknown, string | undefined, string>
  population: number | null
  population_0_15: number | null
  population_16_59: number | null
  population_60_plus: number | null
  population_working_age: number | null
  import_id: string
}

// Partner-supplied points for overlays (migration 0017): restricted records, counted by LSOA only.
export interface OverlayPointsTable extends RestrictedColumns {
  id: Generated<string>
  layer: string
  label: string | null
  latitude: number | null
  longitude: number | null
  lsoa_code: string
  import_id: string
  source_file: string | null
  source_row: number | null
  purpose: string
  review_date: string
  created_at: CreatedTimestamp
  created_by: string | null
  updated_at: Timestamp
  updated_by: string | null
  row_version: Generated<number>
}

// E-mail waiting to go, or gone (migration 0018): users' transactions add rows, only the sender
// (src/modules/mail, as the owner) reads and updates them.
export interface MailOutboxTable {
  id: Generated<string>
  kind: string
  to_address: string
  to_user_id: string | null
  subject: string
  body_text: string
  related_type: string | null
  related_id: string | null
  /** Set from the transaction's user (achilles_user_id()); achilles_app cannot write it. */
  queued_by: ColumnType<string | null, never, never>
  created_at: CreatedTimestamp
  not_before: Timestamp
  attempts: Generated<number>
  last_error: string | null
  sent_at: Date | null
}

export interface PowersTable {
  id: string
  name: string
  catalogue_version: number
  definition: ColumnType<unknown, string, string>
  withdrawn: Generated<boolean>
  loaded_at: Generated<Date>
}

export interface ActionPlansTable extends RestrictedColumns {
  id: Generated<string>
  group_id: string | null
  threat_area: string | null
  title: string
  key_risk: string | null
  status: Generated<string>
  coordinator_id: string | null
  template_key: string | null
  purpose: string
  review_date: string
  created_at: CreatedTimestamp
  created_by: string | null
  updated_at: Timestamp
  updated_by: string | null
  row_version: Generated<number>
}

export interface PlanActionsTable {
  id: Generated<string>
  plan_id: string
  group_id: string | null
  strand: string
  title: string
  description: string | null
  owner_agency_id: string
  owner_user_id: string
  due_on: ColumnType<string, string, string>
  status: Generated<string>
  power_id: string | null
  target_entity_id: string | null
  outcome_notes: string | null
  completed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  overdue_flagged_for: string | null
  created_at: CreatedTimestamp
  created_by: string | null
  updated_at: Timestamp
  updated_by: string | null
  row_version: Generated<number>
}

export interface DisruptionsTable {
  id: Generated<string>
  group_id: string
  action_id: string | null
  power_id: string | null
  occurred_on: string
  agency_id: string
  description: string
  outcome: string
  outcome_reason: string
  recorded_by_agency_id: string
  created_at: CreatedTimestamp
  created_by: string | null
}

export interface DisruptionAssetsTable {
  id: Generated<string>
  disruption_id: string
  kind: string
  description: string
  quantity: number | null
  unit: string | null
  value_pence: number | null
}

export interface OrdersTable extends RestrictedColumns {
  id: Generated<string>
  order_type: string
  power_id: string
  group_id: string | null
  subject_entity_id: string
  subject_kind: string
  court: string | null
  court_reference: string | null
  made_on: string | null
  starts_at: Timestamp
  ends_at: ColumnType<Date | null, Date | string | null, Date | string | null>
  extended_authority: Generated<boolean>
  authorised_by: string | null
  status: Generated<string>
  officer_id: string
  renewal_flagged_for: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  checks_scheduled_until: string | null
  notes: string | null
  purpose: string
  review_date: string
  created_at: CreatedTimestamp
  created_by: string | null
  updated_at: Timestamp
  updated_by: string | null
  row_version: Generated<number>
}

export interface OrderObligationsTable {
  id: Generated<string>
  order_id: string
  key: string
  position: number
  kind: string
  text: string
  every_value: number | null
  every_unit: string | null
  notice_hours: number | null
  check_agency_ids: ColumnType<string[], string[] | undefined, string[]>
}

export interface OrderChecksTable {
  id: Generated<string>
  order_id: string
  obligation_key: string
  sequence: number
  due_on: string
  agency_id: string
  result: string | null
  checked_on: string | null
  checked_by: string | null
  notes: string | null
  created_at: CreatedTimestamp
}

export interface OrderBreachesTable {
  id: Generated<string>
  order_id: string
  obligation_key: string | null
  check_id: string | null
  occurred_on: string
  description: string
  reported_by: string
  reported_by_agency_id: string
  created_at: CreatedTimestamp
}

export interface OrderVariationsTable {
  id: Generated<number>
  order_id: string
  varied_on: string
  summary: string
  previous: ColumnType<unknown, string, never>
  created_by: string | null
  created_at: CreatedTimestamp
}

// Cross-agency matching (migration 0023): partners' datasets, trained models, runs, pairs,
// clerical decisions and links from partner records to entities.
export interface MatchDatasetsTable extends RestrictedColumns {
  id: Generated<string>
  name: string
  kind: string
  file_name: string
  file_format: string
  encoding: string | null
  sheet: string | null
  id_column: string
  mapping: ColumnType<Record<string, string[]>, string, string>
  fields: string[]
  record_count: number
  purpose: string
  review_date: string
  created_at: CreatedTimestamp
  created_by: string | null
  updated_at: Timestamp
  updated_by: string | null
  row_version: Generated<number>
}

export interface MatchDatasetRecordsTable {
  dataset_id: string
  record_id: string
  row_number: number
  field_values: ColumnType<Record<string, string>, string, string>
}

export interface MatchUploadsTable {
  id: Generated<string>
  file_name: string
  content: string
  settings: ColumnType<unknown, string | null | undefined, string | null>
  created_by: string
  agency_id: string
  created_at: CreatedTimestamp
}

export interface MatchModelsTable {
  id: Generated<string>
  left_dataset_id: string
  right_dataset_id: string
  kind: string
  fields: string[]
  model: ColumnType<unknown, string, string>
  trained_at: Timestamp
  trained_by: string | null
}

export interface MatchRunsTable {
  id: Generated<string>
  left_dataset_id: string
  right_dataset_id: string
  kind: string
  match_threshold: number
  review_threshold: number
  model: ColumnType<unknown, string, string>
  model_trained: boolean
  decisions_applied: number
  figures: ColumnType<unknown, string, string>
  run_by: string
  agency_id: string
  created_at: CreatedTimestamp
}

export interface MatchPairsTable {
  id: Generated<string>
  run_id: string
  left_record_id: string
  right_record_id: string
  weight: number
  probability: number
  band: string
  decision: string | null
  explanation: ColumnType<unknown, string, string>
  cluster: number
}

export interface MatchDecisionsTable {
  id: Generated<string>
  left_dataset_id: string
  left_record_id: string
  right_dataset_id: string
  right_record_id: string
  decision: string
  reason: string | null
  replaces_id: string | null
  pair_id: string | null
  decided_by: string
  agency_id: string
  decided_at: CreatedTimestamp
}

export interface MatchEntityLinksTable {
  id: Generated<string>
  dataset_id: string
  record_id: string
  entity_id: string
  pair_id: string | null
  reason: string
  linked_by: string
  agency_id: string
  linked_at: CreatedTimestamp
  removed_at: Date | null
  removed_by: string | null
  removal_reason: string | null
}

export interface DB {
  settings: SettingsTable
  agencies: AgenciesTable
  agency_contacts: AgencyContactsTable
  users: UsersTable
  sessions: SessionsTable
  api_tokens: ApiTokensTable
  audit_events: AuditEventsTable
  record_shares: RecordSharesTable
  record_grants: RecordGrantsTable
  notes: NotesTable
  entities: EntitiesTable
  entity_links: EntityLinksTable
  ocgs: OcgsTable
  ocg_members: OcgMembersTable
  ocg_holdings: OcgHoldingsTable
  ocg_history: OcgHistoryTable
  intelligence_records: IntelligenceRecordsTable
  intelligence_mentions: IntelligenceMentionsTable
  prioritisation_models: PrioritisationModelsTable
  assessments: AssessmentsTable
  imports: ImportsTable
  open_data_imports: OpenDataImportsTable
  areas: AreasTable
  area_lsoas: AreaLsoasTable
  area_parents: AreaParentsTable
  street_crimes: StreetCrimesTable
  stop_searches: StopSearchesTable
  deprivation: DeprivationTable
  local_profiles: LocalProfilesTable
  local_profile_versions: LocalProfileVersionsTable
  overlay_points: OverlayPointsTable
  mail_outbox: MailOutboxTable
  powers: PowersTable
  action_plans: ActionPlansTable
  plan_actions: PlanActionsTable
  disruptions: DisruptionsTable
  disruption_assets: DisruptionAssetsTable
  orders: OrdersTable
  order_obligations: OrderObligationsTable
  order_checks: OrderChecksTable
  order_breaches: OrderBreachesTable
  order_variations: OrderVariationsTable
  match_datasets: MatchDatasetsTable
  match_dataset_records: MatchDatasetRecordsTable
  match_uploads: MatchUploadsTable
  match_models: MatchModelsTable
  match_runs: MatchRunsTable
  match_pairs: MatchPairsTable
  match_decisions: MatchDecisionsTable
  match_entity_links: MatchEntityLinksTable
}
