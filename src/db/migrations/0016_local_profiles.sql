-- SOC local profiles (issue #7): a profile of an area for a period, kept in versions. Each version
-- holds the figures as they were built and the narrative as the partners wrote it, so a version can
-- be shown, compared with another and exported exactly as it stood. A profile holds aggregates only,
-- never a record about a person, but it is the partnership's assessment: it carries a marking and is
-- shared as its owning agency decides, like any restricted record.
CREATE TABLE local_profiles (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owning_agency_id uuid NOT NULL REFERENCES agencies (id),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  area_code text NOT NULL REFERENCES areas (code),
  period_from date NOT NULL CHECK (extract(day FROM period_from) = 1),
  period_to date NOT NULL CHECK (extract(day FROM period_to) = 1),
  -- The crime types the partnership reports as SOC-relevant, as [{key, label, threatArea, crimeTypes}].
  slices jsonb NOT NULL,
  -- Why the partnership holds it, as every restricted record says (the audit log quotes it).
  purpose text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 500),
  protective_marking text NOT NULL CHECK (protective_marking IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')),
  handling_code text NOT NULL CHECK (handling_code IN ('P', 'C')),
  handling_conditions text CHECK (length(handling_conditions) <= 2000),
  sharing_scope text NOT NULL CHECK (sharing_scope IN ('agency', 'named', 'partnership')),
  review_date date NOT NULL,
  current_version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid NOT NULL REFERENCES users (id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users (id),
  row_version integer NOT NULL DEFAULT 1,
  CHECK (period_to >= period_from),
  CHECK ((handling_code = 'C') = (coalesce(length(trim(handling_conditions)), 0) > 0)),
  CHECK (NOT (protective_marking = 'OFFICIAL-SENSITIVE' AND sharing_scope = 'partnership'))
);
CREATE INDEX local_profiles_visibility_idx ON local_profiles (owning_agency_id, sharing_scope, protective_marking);
CREATE INDEX local_profiles_area_idx ON local_profiles (area_code, period_to DESC);

CREATE TABLE local_profile_versions (
  profile_id uuid NOT NULL REFERENCES local_profiles (id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version >= 1),
  -- {sectionKey: [paragraph, ...]} as the partners wrote it.
  narrative jsonb NOT NULL,
  -- The figures the version was built from (src/core/profiles/figures.ts).
  figures jsonb NOT NULL,
  -- The sections this version's author changed, for the record of each partner's contribution.
  sections_changed text[] NOT NULL DEFAULT '{}',
  note text NOT NULL CHECK (length(note) BETWEEN 1 AND 500),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid NOT NULL REFERENCES users (id),
  created_by_agency_id uuid NOT NULL REFERENCES agencies (id),
  PRIMARY KEY (profile_id, version)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON local_profiles TO achilles_app;
GRANT SELECT, INSERT ON local_profile_versions TO achilles_app;

ALTER TABLE local_profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY local_profiles_read ON local_profiles FOR SELECT TO achilles_app USING (
  (SELECT achilles_has_capability('records.read'))
  AND (protective_marking = 'OFFICIAL' OR (SELECT achilles_has_capability('records.read_sensitive')))
  AND (
    owning_agency_id = (SELECT achilles_agency_id())
    OR (sharing_scope = 'partnership' AND protective_marking = 'OFFICIAL')
    OR (sharing_scope = 'named' AND id IN (SELECT achilles_shared_with_me('local_profile')))
    OR id IN (SELECT achilles_granted_to_me('local_profile'))
  ));
CREATE POLICY local_profiles_insert ON local_profiles FOR INSERT TO achilles_app
  WITH CHECK (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')));
-- Partners who can see a profile contribute to it: a new version moves current_version on.
-- Its marking, handling and sharing stay the owning agency's to change (the records module checks).
CREATE POLICY local_profiles_update ON local_profiles FOR UPDATE TO achilles_app
  USING ((SELECT achilles_has_capability('records.write'))
    AND (protective_marking = 'OFFICIAL' OR (SELECT achilles_has_capability('records.read_sensitive')))
    AND (
      owning_agency_id = (SELECT achilles_agency_id())
      OR (sharing_scope = 'partnership' AND protective_marking = 'OFFICIAL')
      OR (sharing_scope = 'named' AND id IN (SELECT achilles_shared_with_me('local_profile')))
      OR id IN (SELECT achilles_granted_to_me('local_profile'))
    ))
  WITH CHECK ((SELECT achilles_has_capability('records.write')));
CREATE POLICY local_profiles_delete ON local_profiles FOR DELETE TO achilles_app
  USING (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.erase')));

ALTER TABLE local_profile_versions ENABLE ROW LEVEL SECURITY;
-- A version is seen, and added, exactly when its profile is visible (the profile's policy applies
-- inside the subquery).
CREATE POLICY local_profile_versions_read ON local_profile_versions FOR SELECT TO achilles_app
  USING (profile_id IN (SELECT id FROM local_profiles));
CREATE POLICY local_profile_versions_insert ON local_profile_versions FOR INSERT TO achilles_app
  WITH CHECK ((SELECT achilles_has_capability('records.write')) AND profile_id IN (SELECT id FROM local_profiles)
    AND created_by = (SELECT achilles_user_id()) AND created_by_agency_id = (SELECT achilles_agency_id()));

CREATE OR REPLACE FUNCTION achilles_owns_record(p_record_type text, p_record_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT CASE p_record_type
    WHEN 'note' THEN EXISTS (SELECT 1 FROM notes WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    WHEN 'entity' THEN EXISTS (SELECT 1 FROM entities WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    WHEN 'entity_link' THEN EXISTS (SELECT 1 FROM entity_links WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    WHEN 'group' THEN EXISTS (SELECT 1 FROM ocgs WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    WHEN 'intelligence' THEN EXISTS (SELECT 1 FROM intelligence_records WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    WHEN 'local_profile' THEN EXISTS (SELECT 1 FROM local_profiles WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    ELSE false
  END
$$;
