-- Organised crime groups: a Lead Responsible Officer each, members with roles and dates, and the
-- businesses, premises, vehicles, phones and accounts the group uses.
CREATE TABLE ocgs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  operation_name text CHECK (length(operation_name) <= 200),
  status text NOT NULL CHECK (status IN ('active', 'dormant', 'disrupted', 'archived')),
  threat_areas text[] NOT NULL CHECK (cardinality(threat_areas) >= 1),
  -- Areas it operates in, by name or code (local authority, force area, region).
  areas text[] NOT NULL DEFAULT '{}',
  cross_border boolean NOT NULL DEFAULT false,
  summary text CHECK (length(summary) <= 20000),
  -- The older OCGM band (e.g. 1A-3C), kept as entered when imported from legacy data.
  legacy_ocgm_band text CHECK (length(legacy_ocgm_band) <= 10),
  lead_responsible_officer_id uuid REFERENCES users (id),
  -- When something changed that should prompt a re-assessment.
  members_changed_at timestamptz,
  intelligence_changed_at timestamptz,
  disruptions_changed_at timestamptz,
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
CREATE INDEX ocgs_owner_idx ON ocgs (owning_agency_id);
CREATE INDEX ocgs_lro_idx ON ocgs (lead_responsible_officer_id);
CREATE INDEX ocgs_threat_areas_idx ON ocgs USING gin (threat_areas);
CREATE INDEX ocgs_name_trgm_idx ON ocgs USING gin ((lower(name || ' ' || coalesce(operation_name, ''))) gin_trgm_ops);

GRANT SELECT, INSERT, UPDATE, DELETE ON ocgs TO achilles_app;
ALTER TABLE ocgs ENABLE ROW LEVEL SECURITY;
CREATE POLICY ocgs_read ON ocgs FOR SELECT TO achilles_app USING (
  (SELECT achilles_has_capability('records.read'))
  AND (protective_marking = 'OFFICIAL' OR (SELECT achilles_has_capability('records.read_sensitive')))
  AND (
    owning_agency_id = (SELECT achilles_agency_id())
    OR (sharing_scope = 'partnership' AND protective_marking = 'OFFICIAL')
    OR (sharing_scope = 'named' AND id IN (SELECT achilles_shared_with_me('group')))
    OR id IN (SELECT achilles_granted_to_me('group'))
  ));
CREATE POLICY ocgs_insert ON ocgs FOR INSERT TO achilles_app
  WITH CHECK (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')));
-- The Lead Responsible Officer may be of any agency (domain.md) and runs the group's record.
CREATE POLICY ocgs_update ON ocgs FOR UPDATE TO achilles_app
  USING ((SELECT achilles_has_capability('records.write'))
    AND (owning_agency_id = (SELECT achilles_agency_id()) OR lead_responsible_officer_id = (SELECT achilles_user_id())));
CREATE POLICY ocgs_delete ON ocgs FOR DELETE TO achilles_app
  USING (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.erase')));

-- Whether the current user may change a group: its owning agency or its LRO, with records.write.
CREATE FUNCTION achilles_may_edit_group(p_group_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT achilles_has_capability('records.write') AND EXISTS (
    SELECT 1 FROM ocgs WHERE id = p_group_id
      AND (owning_agency_id = achilles_agency_id() OR lead_responsible_officer_id = achilles_user_id()))
$$;

CREATE TABLE ocg_members (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  group_id uuid NOT NULL REFERENCES ocgs (id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('principal', 'core_member', 'associate', 'enabler', 'mule')),
  enabler_profession text CHECK (enabler_profession IN ('law', 'finance', 'accountancy', 'property', 'technology', 'logistics', 'other')),
  start_date date,
  end_date date,
  notes text CHECK (length(notes) <= 2000),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users (id),
  row_version integer NOT NULL DEFAULT 1,
  UNIQUE (group_id, person_id),
  CHECK ((role = 'enabler') = (enabler_profession IS NOT NULL)),
  CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX ocg_members_person_idx ON ocg_members (person_id);

CREATE TABLE ocg_holdings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  group_id uuid NOT NULL REFERENCES ocgs (id) ON DELETE CASCADE,
  entity_id uuid NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('business_interest', 'premises', 'vehicle', 'phone', 'bank_account')),
  start_date date,
  end_date date,
  notes text CHECK (length(notes) <= 2000),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  UNIQUE (group_id, entity_id, kind),
  CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX ocg_holdings_entity_idx ON ocg_holdings (entity_id);

-- Who changed what and when, readable wherever the group is.
CREATE TABLE ocg_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  group_id uuid NOT NULL REFERENCES ocgs (id) ON DELETE CASCADE,
  changed_at timestamptz NOT NULL DEFAULT now(),
  changed_by uuid REFERENCES users (id),
  summary text NOT NULL CHECK (length(summary) BETWEEN 1 AND 500),
  -- [{field, from, to}] for edits of the group's own fields.
  changes jsonb NOT NULL DEFAULT '[]'::jsonb
);
CREATE INDEX ocg_history_group_idx ON ocg_history (group_id, changed_at DESC);

GRANT SELECT, INSERT, UPDATE, DELETE ON ocg_members, ocg_holdings TO achilles_app;
GRANT SELECT, INSERT ON ocg_history TO achilles_app;

-- A membership or holding is seen only when both the group and the entity are; it is changed by
-- whoever may edit the group, and only with an entity that user can see.
ALTER TABLE ocg_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY ocg_members_read ON ocg_members FOR SELECT TO achilles_app USING (
  EXISTS (SELECT 1 FROM ocgs g WHERE g.id = group_id) AND EXISTS (SELECT 1 FROM entities e WHERE e.id = person_id));
CREATE POLICY ocg_members_insert ON ocg_members FOR INSERT TO achilles_app WITH CHECK (
  achilles_may_edit_group(group_id) AND EXISTS (SELECT 1 FROM entities e WHERE e.id = person_id));
CREATE POLICY ocg_members_update ON ocg_members FOR UPDATE TO achilles_app USING (achilles_may_edit_group(group_id));
CREATE POLICY ocg_members_delete ON ocg_members FOR DELETE TO achilles_app USING (achilles_may_edit_group(group_id));

ALTER TABLE ocg_holdings ENABLE ROW LEVEL SECURITY;
CREATE POLICY ocg_holdings_read ON ocg_holdings FOR SELECT TO achilles_app USING (
  EXISTS (SELECT 1 FROM ocgs g WHERE g.id = group_id) AND EXISTS (SELECT 1 FROM entities e WHERE e.id = entity_id));
CREATE POLICY ocg_holdings_insert ON ocg_holdings FOR INSERT TO achilles_app WITH CHECK (
  achilles_may_edit_group(group_id) AND EXISTS (SELECT 1 FROM entities e WHERE e.id = entity_id));
CREATE POLICY ocg_holdings_update ON ocg_holdings FOR UPDATE TO achilles_app USING (achilles_may_edit_group(group_id));
CREATE POLICY ocg_holdings_delete ON ocg_holdings FOR DELETE TO achilles_app USING (achilles_may_edit_group(group_id));

ALTER TABLE ocg_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY ocg_history_read ON ocg_history FOR SELECT TO achilles_app USING (EXISTS (SELECT 1 FROM ocgs g WHERE g.id = group_id));
CREATE POLICY ocg_history_insert ON ocg_history FOR INSERT TO achilles_app WITH CHECK (
  achilles_may_edit_group(group_id) AND changed_by = (SELECT achilles_user_id()));
