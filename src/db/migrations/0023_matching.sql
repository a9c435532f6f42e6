-- Cross-agency matching (src/modules/matching): partners' datasets of people or businesses and
-- premises, imported from their files with a column mapping; matching runs over two datasets (or
-- one, to find its duplicates) with the model trained for that pair saved and reused; the pairs
-- each run kept, each with its explanation; the clerical decisions made on uncertain pairs (kept
-- as history, reused on the next run); and the links from partner records to Achilles entities.

-- A dataset is a restricted record like any other: marked, handled, shared by the visibility rule.
CREATE TABLE match_datasets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 200),
  kind text NOT NULL CHECK (kind IN ('person', 'business')),
  file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
  file_format text NOT NULL CHECK (file_format IN ('csv', 'xlsx')),
  encoding text,
  sheet text,
  id_column text NOT NULL,
  -- {canonical field: [column, …]} as imported, and the canonical fields it gave.
  mapping jsonb NOT NULL,
  fields text[] NOT NULL,
  record_count integer NOT NULL CHECK (record_count >= 1),
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
CREATE INDEX match_datasets_owner_idx ON match_datasets (owning_agency_id, created_at DESC);

-- One partner record: its identifier in the partner's file, its row, and the canonical values.
CREATE TABLE match_dataset_records (
  dataset_id uuid NOT NULL REFERENCES match_datasets (id) ON DELETE CASCADE,
  record_id text NOT NULL CHECK (length(record_id) BETWEEN 1 AND 200),
  row_number integer NOT NULL,
  field_values jsonb NOT NULL,
  PRIMARY KEY (dataset_id, record_id)
);

-- A file between upload and import: only its uploader reads it; deleted a day after the upload.
CREATE TABLE match_uploads (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
  -- The file's bytes, base64: a workbook is binary and a CSV may be in any encoding.
  content text NOT NULL,
  -- What the user last chose on the mapping page.
  settings jsonb,
  created_by uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  agency_id uuid NOT NULL REFERENCES agencies (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX match_uploads_created_idx ON match_uploads (created_at);

-- The trained model of a dataset pair (left <= right; the same twice for deduplication): m and u
-- per level, the prior, and how it was trained. Reused by the next run unless retraining is asked.
CREATE TABLE match_models (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  left_dataset_id uuid NOT NULL REFERENCES match_datasets (id) ON DELETE CASCADE,
  right_dataset_id uuid NOT NULL REFERENCES match_datasets (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('person', 'business')),
  fields text[] NOT NULL,
  model jsonb NOT NULL,
  trained_at timestamptz NOT NULL DEFAULT now(),
  trained_by uuid REFERENCES users (id),
  UNIQUE (left_dataset_id, right_dataset_id),
  CHECK (left_dataset_id::text COLLATE "C" <= right_dataset_id::text COLLATE "C")
);
CREATE INDEX match_models_right_idx ON match_models (right_dataset_id);

CREATE TABLE match_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  left_dataset_id uuid NOT NULL REFERENCES match_datasets (id) ON DELETE CASCADE,
  right_dataset_id uuid NOT NULL REFERENCES match_datasets (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('person', 'business')),
  match_threshold double precision NOT NULL CHECK (match_threshold > 0 AND match_threshold < 1),
  review_threshold double precision NOT NULL CHECK (review_threshold > 0 AND review_threshold <= match_threshold),
  -- The model the run scored with, as it was then, and whether this run trained it.
  model jsonb NOT NULL,
  model_trained boolean NOT NULL,
  decisions_applied integer NOT NULL DEFAULT 0,
  figures jsonb NOT NULL,
  run_by uuid NOT NULL REFERENCES users (id),
  agency_id uuid NOT NULL REFERENCES agencies (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (left_dataset_id::text COLLATE "C" <= right_dataset_id::text COLLATE "C")
);
CREATE INDEX match_runs_pair_idx ON match_runs (left_dataset_id, right_dataset_id, created_at DESC);
CREATE INDEX match_runs_right_idx ON match_runs (right_dataset_id);

-- The pairs a run kept: matches and those for clerical review, each explained field by field.
CREATE TABLE match_pairs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  run_id uuid NOT NULL REFERENCES match_runs (id) ON DELETE CASCADE,
  left_record_id text NOT NULL,
  right_record_id text NOT NULL,
  weight double precision NOT NULL,
  probability double precision NOT NULL CHECK (probability >= 0 AND probability <= 1),
  -- By score alone: at or above the match threshold, or between the review and match thresholds.
  band text NOT NULL CHECK (band IN ('match', 'review', 'below')),
  -- The clerical decision the run applied, if one had been made.
  decision text CHECK (decision IN ('same', 'not_same', 'unsure')),
  explanation jsonb NOT NULL,
  cluster integer NOT NULL
);
CREATE INDEX match_pairs_run_idx ON match_pairs (run_id, band, probability DESC);

-- Clerical decisions on a pair of partner records, append-only: the latest for a pair is the one
-- in force; a reversal names the decision it replaces and why.
CREATE TABLE match_decisions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  left_dataset_id uuid NOT NULL REFERENCES match_datasets (id) ON DELETE CASCADE,
  left_record_id text NOT NULL,
  right_dataset_id uuid NOT NULL REFERENCES match_datasets (id) ON DELETE CASCADE,
  right_record_id text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('same', 'not_same', 'unsure')),
  reason text CHECK (length(reason) <= 1000),
  replaces_id bigint REFERENCES match_decisions (id),
  pair_id uuid REFERENCES match_pairs (id) ON DELETE SET NULL,
  decided_by uuid NOT NULL REFERENCES users (id),
  agency_id uuid NOT NULL REFERENCES agencies (id),
  decided_at timestamptz NOT NULL DEFAULT now(),
  CHECK (left_dataset_id::text COLLATE "C" < right_dataset_id::text COLLATE "C" OR (left_dataset_id = right_dataset_id AND left_record_id COLLATE "C" < right_record_id COLLATE "C")),
  CHECK (replaces_id IS NULL OR length(trim(coalesce(reason, ''))) >= 3)
);
CREATE INDEX match_decisions_pair_idx ON match_decisions (left_dataset_id, right_dataset_id, left_record_id, right_record_id, id DESC);
CREATE INDEX match_decisions_right_idx ON match_decisions (right_dataset_id);

-- A partner record found to be a person or business Achilles holds. Removed links are kept.
CREATE TABLE match_entity_links (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  dataset_id uuid NOT NULL REFERENCES match_datasets (id) ON DELETE CASCADE,
  record_id text NOT NULL,
  entity_id uuid NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  pair_id uuid REFERENCES match_pairs (id) ON DELETE SET NULL,
  reason text NOT NULL CHECK (length(trim(reason)) BETWEEN 3 AND 1000),
  linked_by uuid NOT NULL REFERENCES users (id),
  agency_id uuid NOT NULL REFERENCES agencies (id),
  linked_at timestamptz NOT NULL DEFAULT now(),
  removed_at timestamptz,
  removed_by uuid REFERENCES users (id),
  removal_reason text CHECK (length(removal_reason) <= 1000),
  CHECK ((removed_at IS NULL) = (removed_by IS NULL))
);
CREATE UNIQUE INDEX match_entity_links_current_idx ON match_entity_links (dataset_id, record_id, entity_id) WHERE removed_at IS NULL;
CREATE INDEX match_entity_links_entity_idx ON match_entity_links (entity_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON match_datasets, match_uploads TO achilles_app;
GRANT SELECT, INSERT, DELETE ON match_dataset_records TO achilles_app;
GRANT SELECT, INSERT, UPDATE ON match_models TO achilles_app;
GRANT SELECT, INSERT ON match_runs, match_pairs, match_decisions TO achilles_app;
GRANT SELECT, INSERT ON match_entity_links TO achilles_app;
GRANT UPDATE (removed_at, removed_by, removal_reason) ON match_entity_links TO achilles_app;

-- Named-agency shares of a dataset are kept by its owning agency (record_shares' policies ask this).
CREATE OR REPLACE FUNCTION achilles_owns_record(p_record_type text, p_record_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT CASE p_record_type
    WHEN 'note' THEN EXISTS (SELECT 1 FROM notes WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    WHEN 'entity' THEN EXISTS (SELECT 1 FROM entities WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    WHEN 'entity_link' THEN EXISTS (SELECT 1 FROM entity_links WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    WHEN 'group' THEN EXISTS (SELECT 1 FROM ocgs WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    WHEN 'intelligence' THEN EXISTS (SELECT 1 FROM intelligence_records WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    WHEN 'local_profile' THEN EXISTS (SELECT 1 FROM local_profiles WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    WHEN 'overlay_point' THEN EXISTS (SELECT 1 FROM overlay_points WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    WHEN 'match_dataset' THEN EXISTS (SELECT 1 FROM match_datasets WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    ELSE false
  END
$$;

-- The visibility rule (src/core/access/visibility.ts), as for entities in 0006.
ALTER TABLE match_datasets ENABLE ROW LEVEL SECURITY;
CREATE POLICY match_datasets_read ON match_datasets FOR SELECT TO achilles_app USING (
  (SELECT achilles_has_capability('records.read'))
  AND (protective_marking = 'OFFICIAL' OR (SELECT achilles_has_capability('records.read_sensitive')))
  AND (
    owning_agency_id = (SELECT achilles_agency_id())
    OR (sharing_scope = 'partnership' AND protective_marking = 'OFFICIAL')
    OR (sharing_scope = 'named' AND id IN (SELECT achilles_shared_with_me('match_dataset')))
    OR id IN (SELECT achilles_granted_to_me('match_dataset'))
  ));
CREATE POLICY match_datasets_insert ON match_datasets FOR INSERT TO achilles_app
  WITH CHECK (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')));
CREATE POLICY match_datasets_update ON match_datasets FOR UPDATE TO achilles_app
  USING (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')))
  WITH CHECK (owning_agency_id = (SELECT achilles_agency_id()));
CREATE POLICY match_datasets_delete ON match_datasets FOR DELETE TO achilles_app
  USING (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.erase')));

-- Everything below is seen through its datasets: the subqueries run under match_datasets' policy.
ALTER TABLE match_dataset_records ENABLE ROW LEVEL SECURITY;
CREATE POLICY match_dataset_records_read ON match_dataset_records FOR SELECT TO achilles_app USING (
  EXISTS (SELECT 1 FROM match_datasets d WHERE d.id = dataset_id));
CREATE POLICY match_dataset_records_insert ON match_dataset_records FOR INSERT TO achilles_app WITH CHECK (
  EXISTS (SELECT 1 FROM match_datasets d WHERE d.id = dataset_id AND d.owning_agency_id = (SELECT achilles_agency_id())));
CREATE POLICY match_dataset_records_delete ON match_dataset_records FOR DELETE TO achilles_app USING (
  EXISTS (SELECT 1 FROM match_datasets d WHERE d.id = dataset_id AND d.owning_agency_id = (SELECT achilles_agency_id())));

ALTER TABLE match_uploads ENABLE ROW LEVEL SECURITY;
CREATE POLICY match_uploads_own ON match_uploads FOR ALL TO achilles_app
  USING (created_by = (SELECT achilles_user_id()))
  WITH CHECK (created_by = (SELECT achilles_user_id()) AND agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')));

ALTER TABLE match_models ENABLE ROW LEVEL SECURITY;
CREATE POLICY match_models_read ON match_models FOR SELECT TO achilles_app USING (
  EXISTS (SELECT 1 FROM match_datasets d WHERE d.id = left_dataset_id) AND EXISTS (SELECT 1 FROM match_datasets d WHERE d.id = right_dataset_id));
CREATE POLICY match_models_write ON match_models FOR INSERT TO achilles_app WITH CHECK (
  (SELECT achilles_has_capability('records.write'))
  AND EXISTS (SELECT 1 FROM match_datasets d WHERE d.id = left_dataset_id) AND EXISTS (SELECT 1 FROM match_datasets d WHERE d.id = right_dataset_id));
CREATE POLICY match_models_update ON match_models FOR UPDATE TO achilles_app USING (
  (SELECT achilles_has_capability('records.write'))
  AND EXISTS (SELECT 1 FROM match_datasets d WHERE d.id = left_dataset_id) AND EXISTS (SELECT 1 FROM match_datasets d WHERE d.id = right_dataset_id));

ALTER TABLE match_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY match_runs_read ON match_runs FOR SELECT TO achilles_app USING (
  EXISTS (SELECT 1 FROM match_datasets d WHERE d.id = left_dataset_id) AND EXISTS (SELECT 1 FROM match_datasets d WHERE d.id = right_dataset_id));
CREATE POLICY match_runs_insert ON match_runs FOR INSERT TO achilles_app WITH CHECK (
  (SELECT achilles_has_capability('records.write')) AND run_by = (SELECT achilles_user_id()) AND agency_id = (SELECT achilles_agency_id())
  AND EXISTS (SELECT 1 FROM match_datasets d WHERE d.id = left_dataset_id) AND EXISTS (SELECT 1 FROM match_datasets d WHERE d.id = right_dataset_id));

ALTER TABLE match_pairs ENABLE ROW LEVEL SECURITY;
CREATE POLICY match_pairs_read ON match_pairs FOR SELECT TO achilles_app USING (EXISTS (SELECT 1 FROM match_runs r WHERE r.id = run_id));
CREATE POLICY match_pairs_insert ON match_pairs FOR INSERT TO achilles_app WITH CHECK (
  EXISTS (SELECT 1 FROM match_runs r WHERE r.id = run_id AND r.run_by = (SELECT achilles_user_id())));

ALTER TABLE match_decisions ENABLE ROW LEVEL SECURITY;
CREATE POLICY match_decisions_read ON match_decisions FOR SELECT TO achilles_app USING (
  EXISTS (SELECT 1 FROM match_datasets d WHERE d.id = left_dataset_id) AND EXISTS (SELECT 1 FROM match_datasets d WHERE d.id = right_dataset_id));
CREATE POLICY match_decisions_insert ON match_decisions FOR INSERT TO achilles_app WITH CHECK (
  (SELECT achilles_has_capability('records.write')) AND decided_by = (SELECT achilles_user_id()) AND agency_id = (SELECT achilles_agency_id())
  AND EXISTS (SELECT 1 FROM match_datasets d WHERE d.id = left_dataset_id) AND EXISTS (SELECT 1 FROM match_datasets d WHERE d.id = right_dataset_id));

-- A link is seen only when both its partner record and its entity may be seen.
ALTER TABLE match_entity_links ENABLE ROW LEVEL SECURITY;
CREATE POLICY match_entity_links_read ON match_entity_links FOR SELECT TO achilles_app USING (
  EXISTS (SELECT 1 FROM match_datasets d WHERE d.id = dataset_id) AND EXISTS (SELECT 1 FROM entities e WHERE e.id = entity_id));
CREATE POLICY match_entity_links_insert ON match_entity_links FOR INSERT TO achilles_app WITH CHECK (
  (SELECT achilles_has_capability('records.write')) AND linked_by = (SELECT achilles_user_id()) AND agency_id = (SELECT achilles_agency_id())
  AND EXISTS (SELECT 1 FROM match_datasets d WHERE d.id = dataset_id) AND EXISTS (SELECT 1 FROM entities e WHERE e.id = entity_id));
CREATE POLICY match_entity_links_update ON match_entity_links FOR UPDATE TO achilles_app USING (
  (SELECT achilles_has_capability('records.write')) AND agency_id = (SELECT achilles_agency_id()));
