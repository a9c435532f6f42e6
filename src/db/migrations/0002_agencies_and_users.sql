CREATE TABLE agencies (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
  short_name text CHECK (length(short_name) <= 40),
  agency_type text NOT NULL CHECK (agency_type IN (
    'police_force', 'local_authority', 'council_service', 'hmrc', 'dwp', 'fire_rescue', 'glaa',
    'environment_agency', 'dvsa', 'immigration_enforcement', 'nca', 'rocu', 'health', 'probation',
    'voluntary', 'other')),
  service_area text CHECK (service_area IN (
    'community_safety', 'trading_standards', 'licensing', 'environmental_health', 'housing', 'planning',
    'revenues_benefits', 'children_services', 'adult_social_care')),
  parent_id uuid REFERENCES agencies (id),
  region text NOT NULL CHECK (region IN (
    'north-east', 'north-west', 'yorkshire-humber', 'east-midlands', 'west-midlands', 'eastern',
    'london', 'south-east', 'south-west', 'wales', 'national')),
  gain_member boolean NOT NULL DEFAULT false,
  address text CHECK (length(address) <= 500),
  website text CHECK (length(website) <= 300),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  row_version integer NOT NULL DEFAULT 1,
  CHECK ((agency_type = 'council_service') = (service_area IS NOT NULL))
);
CREATE UNIQUE INDEX agencies_name_key ON agencies (lower(name));
CREATE INDEX agencies_region_idx ON agencies (region, agency_type);
CREATE INDEX agencies_parent_idx ON agencies (parent_id);

CREATE TABLE agency_contacts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agency_id uuid NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  role_title text CHECK (length(role_title) <= 200),
  email text CHECK (length(email) <= 254),
  phone text CHECK (length(phone) <= 40),
  gain_single_point_of_contact boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid
);
CREATE INDEX agency_contacts_agency_idx ON agency_contacts (agency_id);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agency_id uuid NOT NULL REFERENCES agencies (id),
  email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  job_title text CHECK (length(job_title) <= 200),
  roles text[] NOT NULL CHECK (cardinality(roles) > 0 AND roles <@ ARRAY[
    'administrator', 'analyst', 'lead_responsible_officer', 'partner_officer', 'gain_coordinator',
    'board_member', 'safeguarding_practitioner', 'councillor']::text[]),
  password_hash text,
  active boolean NOT NULL DEFAULT true,
  failed_sign_ins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  last_sign_in_at timestamptz,
  password_changed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  row_version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_agency_idx ON users (agency_id);

-- Users act in the application through achilles_app; the password hash and lockout counters
-- are reachable only by the owner, which runs sign-in.
GRANT SELECT, INSERT, UPDATE ON agencies, agency_contacts TO achilles_app;
GRANT DELETE ON agency_contacts TO achilles_app;
GRANT SELECT (id, agency_id, email, display_name, job_title, roles, active, locked_until, last_sign_in_at,
  created_at, created_by, updated_at, updated_by, row_version) ON users TO achilles_app;
GRANT INSERT (agency_id, email, display_name, job_title, roles, active, created_by, updated_by) ON users TO achilles_app;
GRANT UPDATE (agency_id, email, display_name, job_title, roles, active, locked_until, failed_sign_ins,
  updated_at, updated_by, row_version) ON users TO achilles_app;
