-- Partner-supplied points for the overlays of SOC local profiles (issue #7): problem premises,
-- cuckooing addresses, vulnerable-victim and Prevent referrals, exploitation locations, schools
-- and care homes. Many are about people (a cuckooed home is a vulnerable person's; a referral is
-- someone at risk), so each point is a restricted record like any other: held by the agency that
-- supplied it, marked, handled, shared as that agency decides, and reviewed. Only counts by LSOA,
-- with small numbers suppressed, ever leave Achilles (src/modules/overlays).
CREATE TABLE overlay_points (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  layer text NOT NULL CHECK (layer IN ('problem_premises', 'cuckooing', 'vulnerable_victim_referral', 'prevent_referral', 'exploitation_location', 'school', 'care_home')),
  label text CHECK (length(label) BETWEEN 1 AND 200),
  -- WGS84, as given or converted from British National Grid eastings and northings at import;
  -- null when the file gave only the LSOA.
  latitude double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude double precision CHECK (longitude BETWEEN -180 AND 180),
  -- The 2011 LSOA the point is in: given by the file, or the loaded boundary that holds its
  -- position, found at import. Every count is by this column.
  lsoa_code text NOT NULL CHECK (lsoa_code ~ '^[EW]01[0-9]{6}$'),
  -- The file it came from, so a layer can be traced to, and replaced by, its import.
  import_id uuid NOT NULL,
  source_file text CHECK (length(source_file) <= 255),
  source_row integer CHECK (source_row >= 2),
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
  CHECK ((latitude IS NULL) = (longitude IS NULL)),
  CHECK ((handling_code = 'C') = (coalesce(length(trim(handling_conditions)), 0) > 0)),
  CHECK (NOT (protective_marking = 'OFFICIAL-SENSITIVE' AND sharing_scope = 'partnership'))
);
-- An area's counts: its LSOAs' points, layer by layer.
CREATE INDEX overlay_points_lsoa_idx ON overlay_points (lsoa_code, layer);
-- An agency's layer, replaced as a whole when it sends the layer again.
CREATE INDEX overlay_points_owner_idx ON overlay_points (owning_agency_id, layer);
CREATE INDEX overlay_points_import_idx ON overlay_points (import_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON overlay_points TO achilles_app;
ALTER TABLE overlay_points ENABLE ROW LEVEL SECURITY;
-- The visibility rule (src/core/access/visibility.ts), as for entities in 0006.
CREATE POLICY overlay_points_read ON overlay_points FOR SELECT TO achilles_app USING (
  (SELECT achilles_has_capability('records.read'))
  AND (protective_marking = 'OFFICIAL' OR (SELECT achilles_has_capability('records.read_sensitive')))
  AND (
    owning_agency_id = (SELECT achilles_agency_id())
    OR (sharing_scope = 'partnership' AND protective_marking = 'OFFICIAL')
    OR (sharing_scope = 'named' AND id IN (SELECT achilles_shared_with_me('overlay_point')))
    OR id IN (SELECT achilles_granted_to_me('overlay_point'))
  ));
CREATE POLICY overlay_points_insert ON overlay_points FOR INSERT TO achilles_app
  WITH CHECK (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')));
CREATE POLICY overlay_points_update ON overlay_points FOR UPDATE TO achilles_app
  USING (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')))
  WITH CHECK (owning_agency_id = (SELECT achilles_agency_id()));
-- A layer is sent again whole, replacing the agency's earlier points of it, by whoever may import
-- it: so deleting takes records.write here, where an entity's erasure takes records.erase.
CREATE POLICY overlay_points_delete ON overlay_points FOR DELETE TO achilles_app
  USING (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')));

-- Named-agency shares of a point are kept by the owning agency (record_shares' policies ask this).
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
    ELSE false
  END
$$;
