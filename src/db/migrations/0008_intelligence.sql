-- Intelligence records, graded 3x5x2 (College of Policing APP), with the entities and groups they
-- mention. A legacy 5x5x5 grade is kept exactly as entered beside the 3x5x2 grade it maps to.
CREATE TABLE intelligence_records (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The source agency's own reference, when it has one.
  reference text CHECK (length(reference) <= 100),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  reported_on date NOT NULL,
  source_agency_id uuid NOT NULL REFERENCES agencies (id),
  source_evaluation text NOT NULL CHECK (source_evaluation IN ('A', 'B', 'C')),
  intelligence_assessment smallint NOT NULL CHECK (intelligence_assessment BETWEEN 1 AND 5),
  legacy_grade text CHECK (length(legacy_grade) <= 20),
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
  CHECK ((handling_code = 'C') = (coalesce(length(trim(handling_conditions)), 0) > 0)),
  CHECK (NOT (protective_marking = 'OFFICIAL-SENSITIVE' AND sharing_scope = 'partnership'))
);
CREATE INDEX intelligence_reported_idx ON intelligence_records (reported_on DESC, id);
CREATE INDEX intelligence_owner_idx ON intelligence_records (owning_agency_id, reported_on DESC);
CREATE UNIQUE INDEX intelligence_reference_idx ON intelligence_records (source_agency_id, reference) WHERE reference IS NOT NULL;

GRANT SELECT, INSERT, UPDATE, DELETE ON intelligence_records TO achilles_app;
ALTER TABLE intelligence_records ENABLE ROW LEVEL SECURITY;
CREATE POLICY intelligence_read ON intelligence_records FOR SELECT TO achilles_app USING (
  (SELECT achilles_has_capability('records.read'))
  AND (protective_marking = 'OFFICIAL' OR (SELECT achilles_has_capability('records.read_sensitive')))
  AND (
    owning_agency_id = (SELECT achilles_agency_id())
    OR (sharing_scope = 'partnership' AND protective_marking = 'OFFICIAL')
    OR (sharing_scope = 'named' AND id IN (SELECT achilles_shared_with_me('intelligence')))
    OR id IN (SELECT achilles_granted_to_me('intelligence'))
  ));
CREATE POLICY intelligence_insert ON intelligence_records FOR INSERT TO achilles_app
  WITH CHECK (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')));
CREATE POLICY intelligence_update ON intelligence_records FOR UPDATE TO achilles_app
  USING (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')))
  WITH CHECK (owning_agency_id = (SELECT achilles_agency_id()));
CREATE POLICY intelligence_delete ON intelligence_records FOR DELETE TO achilles_app
  USING (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.erase')));

CREATE TABLE intelligence_mentions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  intelligence_id uuid NOT NULL REFERENCES intelligence_records (id) ON DELETE CASCADE,
  entity_id uuid REFERENCES entities (id) ON DELETE CASCADE,
  group_id uuid REFERENCES ocgs (id) ON DELETE CASCADE,
  CHECK (num_nonnulls(entity_id, group_id) = 1)
);
CREATE UNIQUE INDEX intelligence_mentions_entity_uq ON intelligence_mentions (intelligence_id, entity_id) WHERE entity_id IS NOT NULL;
CREATE UNIQUE INDEX intelligence_mentions_group_uq ON intelligence_mentions (intelligence_id, group_id) WHERE group_id IS NOT NULL;
CREATE INDEX intelligence_mentions_entity_idx ON intelligence_mentions (entity_id) WHERE entity_id IS NOT NULL;
CREATE INDEX intelligence_mentions_group_idx ON intelligence_mentions (group_id) WHERE group_id IS NOT NULL;

GRANT SELECT, INSERT, DELETE ON intelligence_mentions TO achilles_app;
ALTER TABLE intelligence_mentions ENABLE ROW LEVEL SECURITY;
-- A mention is seen when the record and what it mentions are both seen; only the record's owner
-- adds one, and only for an entity or group that user can see.
CREATE POLICY intelligence_mentions_read ON intelligence_mentions FOR SELECT TO achilles_app USING (
  EXISTS (SELECT 1 FROM intelligence_records r WHERE r.id = intelligence_id)
  AND (entity_id IS NULL OR EXISTS (SELECT 1 FROM entities e WHERE e.id = entity_id))
  AND (group_id IS NULL OR EXISTS (SELECT 1 FROM ocgs g WHERE g.id = group_id)));
CREATE POLICY intelligence_mentions_insert ON intelligence_mentions FOR INSERT TO achilles_app WITH CHECK (
  EXISTS (SELECT 1 FROM intelligence_records r WHERE r.id = intelligence_id AND r.owning_agency_id = (SELECT achilles_agency_id()))
  AND (entity_id IS NULL OR EXISTS (SELECT 1 FROM entities e WHERE e.id = entity_id))
  AND (group_id IS NULL OR EXISTS (SELECT 1 FROM ocgs g WHERE g.id = group_id)));
CREATE POLICY intelligence_mentions_delete ON intelligence_mentions FOR DELETE TO achilles_app USING (
  EXISTS (SELECT 1 FROM intelligence_records r WHERE r.id = intelligence_id AND r.owning_agency_id = (SELECT achilles_agency_id())));

ALTER TABLE entity_links ADD FOREIGN KEY (source_intelligence_id) REFERENCES intelligence_records (id) ON DELETE SET NULL;

-- New intelligence, members or disruptions prompt a group's re-assessment, whoever records them:
-- a partner who cannot edit the group may still make it due for re-scoring, if they can see it.
-- The outer function runs as the caller, so the group's own read policy decides; the inner one
-- runs as the owner to write the timestamp (all it can do is mark a group due for re-scoring).
CREATE FUNCTION achilles_touch_group(p_group_id uuid, p_kind text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
  UPDATE ocgs SET
    members_changed_at = CASE WHEN p_kind = 'members' THEN now() ELSE members_changed_at END,
    intelligence_changed_at = CASE WHEN p_kind = 'intelligence' THEN now() ELSE intelligence_changed_at END,
    disruptions_changed_at = CASE WHEN p_kind = 'disruptions' THEN now() ELSE disruptions_changed_at END
  WHERE id = p_group_id
$$;

CREATE FUNCTION achilles_mark_group_changed(p_group_id uuid, p_kind text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public AS $$
BEGIN
  IF p_kind NOT IN ('members', 'intelligence', 'disruptions') THEN
    RAISE EXCEPTION 'unknown change kind %', p_kind;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM ocgs WHERE id = p_group_id) THEN
    RETURN false;
  END IF;
  PERFORM achilles_touch_group(p_group_id, p_kind);
  RETURN true;
END
$$;
