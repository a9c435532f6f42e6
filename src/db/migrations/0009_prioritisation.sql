-- Prioritisation models as versioned data, and the assessments scored with them. An assessment
-- keeps the model version it was scored with for ever; a newer version never rewrites it.
CREATE TABLE prioritisation_models (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_-]{1,40}$'),
  version integer NOT NULL CHECK (version >= 1),
  title text NOT NULL,
  definition jsonb NOT NULL,
  change_note text CHECK (length(change_note) <= 2000),
  published_at timestamptz NOT NULL DEFAULT now(),
  published_by uuid REFERENCES users (id),
  UNIQUE (key, version)
);
-- Models hold no personal data: anyone signed in may read them; only the service publishes.
GRANT SELECT ON prioritisation_models TO achilles_app;

CREATE TABLE assessments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  model_id uuid NOT NULL REFERENCES prioritisation_models (id),
  model_key text NOT NULL,
  subject_type text NOT NULL CHECK (subject_type IN ('group', 'person', 'threat_area')),
  group_id uuid REFERENCES ocgs (id) ON DELETE CASCADE,
  person_id uuid REFERENCES entities (id) ON DELETE CASCADE,
  threat_area text,
  -- {factors: {id: {value, rationale}}, confidence}
  answers jsonb NOT NULL,
  score numeric(4, 1) NOT NULL CHECK (score BETWEEN 0 AND 100),
  band text NOT NULL,
  confidence smallint NOT NULL,
  opportunity text NOT NULL,
  -- The scorer's explanation as computed when scored, so the page shows what the scorer saw.
  result jsonb NOT NULL,
  -- When the assessment was carried to a new model version rather than scored afresh.
  carried_from_id uuid REFERENCES assessments (id),
  review_date date,
  owning_agency_id uuid NOT NULL REFERENCES agencies (id),
  scored_by uuid NOT NULL REFERENCES users (id),
  scored_at timestamptz NOT NULL DEFAULT now(),
  superseded_at timestamptz,
  superseded_by_id uuid REFERENCES assessments (id),
  CHECK (
    (subject_type = 'group' AND group_id IS NOT NULL AND person_id IS NULL AND threat_area IS NULL)
    OR (subject_type = 'person' AND person_id IS NOT NULL AND group_id IS NULL AND threat_area IS NULL)
    OR (subject_type = 'threat_area' AND threat_area IS NOT NULL AND group_id IS NULL AND person_id IS NULL))
);
-- One current assessment per subject and model.
CREATE UNIQUE INDEX assessments_current_uq ON assessments (model_key, subject_type, (coalesce(group_id::text, person_id::text, threat_area)))
  WHERE superseded_at IS NULL;
CREATE INDEX assessments_group_idx ON assessments (group_id, scored_at DESC) WHERE group_id IS NOT NULL;
CREATE INDEX assessments_person_idx ON assessments (person_id, scored_at DESC) WHERE person_id IS NOT NULL;
CREATE INDEX assessments_board_idx ON assessments (subject_type, score DESC) WHERE superseded_at IS NULL;

GRANT SELECT, INSERT, UPDATE ON assessments TO achilles_app;
ALTER TABLE assessments ENABLE ROW LEVEL SECURITY;
-- An assessment is seen wherever its subject is; a threat area is not personal data.
CREATE POLICY assessments_read ON assessments FOR SELECT TO achilles_app USING (
  (SELECT achilles_has_capability('records.read'))
  AND CASE subject_type
    WHEN 'group' THEN EXISTS (SELECT 1 FROM ocgs g WHERE g.id = group_id)
    WHEN 'person' THEN EXISTS (SELECT 1 FROM entities e WHERE e.id = person_id)
    ELSE true
  END);
CREATE POLICY assessments_insert ON assessments FOR INSERT TO achilles_app WITH CHECK (
  (SELECT achilles_has_capability('records.write'))
  AND scored_by = (SELECT achilles_user_id())
  AND owning_agency_id = (SELECT achilles_agency_id())
  AND CASE subject_type
    WHEN 'group' THEN EXISTS (SELECT 1 FROM ocgs g WHERE g.id = group_id)
    WHEN 'person' THEN EXISTS (SELECT 1 FROM entities e WHERE e.id = person_id)
    ELSE true
  END);
-- Only superseding is an update; the scores themselves are never rewritten.
CREATE POLICY assessments_supersede ON assessments FOR UPDATE TO achilles_app
  USING ((SELECT achilles_has_capability('records.write')) AND superseded_at IS NULL)
  WITH CHECK ((SELECT achilles_has_capability('records.write')) AND superseded_at IS NOT NULL);
REVOKE UPDATE ON assessments FROM achilles_app;
GRANT UPDATE (superseded_at, superseded_by_id) ON assessments TO achilles_app;

-- Records' ownership, for the share and grant policies of 0005, now covering every record type.
CREATE OR REPLACE FUNCTION achilles_owns_record(p_record_type text, p_record_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT CASE p_record_type
    WHEN 'note' THEN EXISTS (SELECT 1 FROM notes WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    WHEN 'entity' THEN EXISTS (SELECT 1 FROM entities WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    WHEN 'entity_link' THEN EXISTS (SELECT 1 FROM entity_links WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    WHEN 'group' THEN EXISTS (SELECT 1 FROM ocgs WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    WHEN 'intelligence' THEN EXISTS (SELECT 1 FROM intelligence_records WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    ELSE false
  END
$$;
