-- Entities in the FollowTheMoney vocabulary: people, businesses, organisations, addresses and
-- premises, vehicles, phones and bank accounts, in one table so links, search and exports treat
-- them alike. Schema-specific properties live in `properties`; what is searched or filtered on is
-- lifted into columns with indexes.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE entities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  schema text NOT NULL CHECK (schema IN ('Person', 'Company', 'Organization', 'Address', 'Vehicle', 'Phone', 'BankAccount')),
  caption text NOT NULL CHECK (length(caption) BETWEEN 1 AND 300),
  properties jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Every name and alias (people, businesses), normalised to lower case, for fuzzy search.
  names text[] NOT NULL DEFAULT '{}',
  -- One lower-case string of names, identifiers, postcode, registration and number for trigram search.
  search_text text NOT NULL DEFAULT '',
  person_role text CHECK (person_role IN ('suspect', 'victim', 'person_at_risk', 'other')),
  birth_date date,
  business_type text,
  company_number text,
  postcode text,
  lsoa_code text,
  latitude double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude double precision CHECK (longitude BETWEEN -180 AND 180),
  registration text,
  phone_number text,
  owning_agency_id uuid NOT NULL REFERENCES agencies (id),
  purpose text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 500),
  protective_marking text NOT NULL CHECK (protective_marking IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')),
  handling_code text NOT NULL CHECK (handling_code IN ('P', 'C')),
  handling_conditions text CHECK (length(handling_conditions) <= 2000),
  sharing_scope text NOT NULL CHECK (sharing_scope IN ('agency', 'named', 'partnership')),
  review_date date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users (id),
  row_version integer NOT NULL DEFAULT 1,
  -- Only a person has a role, and every person has exactly one (victims, people at risk and
  -- suspects are never one record).
  CHECK ((schema = 'Person') = (person_role IS NOT NULL)),
  CHECK (birth_date IS NULL OR schema = 'Person'),
  CHECK ((latitude IS NULL) = (longitude IS NULL)),
  CHECK ((handling_code = 'C') = (coalesce(length(trim(handling_conditions)), 0) > 0)),
  CHECK (NOT (protective_marking = 'OFFICIAL-SENSITIVE' AND sharing_scope = 'partnership'))
);
CREATE INDEX entities_schema_caption_idx ON entities (schema, caption);
CREATE INDEX entities_owner_idx ON entities (owning_agency_id, created_at DESC);
CREATE INDEX entities_search_trgm_idx ON entities USING gin (search_text gin_trgm_ops);
CREATE INDEX entities_names_idx ON entities USING gin (names);
CREATE INDEX entities_birth_date_idx ON entities (birth_date) WHERE birth_date IS NOT NULL;
CREATE INDEX entities_registration_idx ON entities (registration) WHERE registration IS NOT NULL;
CREATE INDEX entities_phone_idx ON entities (phone_number) WHERE phone_number IS NOT NULL;
CREATE INDEX entities_postcode_idx ON entities (postcode) WHERE postcode IS NOT NULL;
CREATE INDEX entities_suspects_idx ON entities (id) WHERE person_role = 'suspect';

GRANT SELECT, INSERT, UPDATE, DELETE ON entities TO achilles_app;
ALTER TABLE entities ENABLE ROW LEVEL SECURITY;
-- The visibility rule (src/core/access/visibility.ts), as for notes in 0005.
CREATE POLICY entities_read ON entities FOR SELECT TO achilles_app USING (
  (SELECT achilles_has_capability('records.read'))
  AND (protective_marking = 'OFFICIAL' OR (SELECT achilles_has_capability('records.read_sensitive')))
  AND (
    owning_agency_id = (SELECT achilles_agency_id())
    OR (sharing_scope = 'partnership' AND protective_marking = 'OFFICIAL')
    OR (sharing_scope = 'named' AND id IN (SELECT achilles_shared_with_me('entity')))
    OR id IN (SELECT achilles_granted_to_me('entity'))
  ));
CREATE POLICY entities_insert ON entities FOR INSERT TO achilles_app
  WITH CHECK (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')));
CREATE POLICY entities_update ON entities FOR UPDATE TO achilles_app
  USING (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')))
  WITH CHECK (owning_agency_id = (SELECT achilles_agency_id()));
CREATE POLICY entities_delete ON entities FOR DELETE TO achilles_app
  USING (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.erase')));

-- Typed, dated links between entities. A link is itself information held by an agency, so it
-- carries its own handling; it is seen only when the link and both of its ends may be seen.
CREATE TABLE entity_links (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  link_type text NOT NULL CHECK (link_type IN ('family', 'associate', 'director', 'owner', 'occupant', 'employee', 'uses_phone', 'drives_vehicle', 'account_holder')),
  subject_id uuid NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  object_id uuid NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  relationship text CHECK (length(relationship) <= 200),
  start_date date,
  end_date date,
  source_reference text NOT NULL CHECK (length(source_reference) BETWEEN 1 AND 300),
  source_intelligence_id uuid,
  owning_agency_id uuid NOT NULL REFERENCES agencies (id),
  protective_marking text NOT NULL CHECK (protective_marking IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')),
  handling_code text NOT NULL CHECK (handling_code IN ('P', 'C')),
  handling_conditions text CHECK (length(handling_conditions) <= 2000),
  sharing_scope text NOT NULL CHECK (sharing_scope IN ('agency', 'named', 'partnership')),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  row_version integer NOT NULL DEFAULT 1,
  CHECK (subject_id <> object_id),
  CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date),
  CHECK ((handling_code = 'C') = (coalesce(length(trim(handling_conditions)), 0) > 0)),
  CHECK (NOT (protective_marking = 'OFFICIAL-SENSITIVE' AND sharing_scope = 'partnership'))
);
CREATE UNIQUE INDEX entity_links_unique_idx ON entity_links (subject_id, object_id, link_type, coalesce(start_date, '-infinity'::date));
CREATE INDEX entity_links_object_idx ON entity_links (object_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON entity_links TO achilles_app;
ALTER TABLE entity_links ENABLE ROW LEVEL SECURITY;
-- Both ends are tested through entities' own policy (the subqueries run under it).
CREATE POLICY entity_links_read ON entity_links FOR SELECT TO achilles_app USING (
  (SELECT achilles_has_capability('records.read'))
  AND (protective_marking = 'OFFICIAL' OR (SELECT achilles_has_capability('records.read_sensitive')))
  AND (
    owning_agency_id = (SELECT achilles_agency_id())
    OR (sharing_scope = 'partnership' AND protective_marking = 'OFFICIAL')
    OR (sharing_scope = 'named' AND id IN (SELECT achilles_shared_with_me('entity_link')))
    OR id IN (SELECT achilles_granted_to_me('entity_link'))
  )
  AND EXISTS (SELECT 1 FROM entities e WHERE e.id = subject_id)
  AND EXISTS (SELECT 1 FROM entities e WHERE e.id = object_id));
CREATE POLICY entity_links_insert ON entity_links FOR INSERT TO achilles_app
  WITH CHECK (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write'))
    AND EXISTS (SELECT 1 FROM entities e WHERE e.id = subject_id)
    AND EXISTS (SELECT 1 FROM entities e WHERE e.id = object_id));
CREATE POLICY entity_links_update ON entity_links FOR UPDATE TO achilles_app
  USING (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')))
  WITH CHECK (owning_agency_id = (SELECT achilles_agency_id()));
CREATE POLICY entity_links_delete ON entity_links FOR DELETE TO achilles_app
  USING (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')));
