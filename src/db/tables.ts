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
}
