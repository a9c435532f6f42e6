-- Named-agency sharing and explicit grants, for every kind of restricted record.
CREATE TABLE record_shares (
  record_type text NOT NULL,
  record_id uuid NOT NULL,
  agency_id uuid NOT NULL REFERENCES agencies (id),
  shared_at timestamptz NOT NULL DEFAULT now(),
  shared_by uuid,
  PRIMARY KEY (record_type, record_id, agency_id)
);
CREATE INDEX record_shares_agency_idx ON record_shares (agency_id, record_type);

CREATE TABLE record_grants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  record_type text NOT NULL,
  record_id uuid NOT NULL,
  grantee_user_id uuid REFERENCES users (id),
  grantee_agency_id uuid REFERENCES agencies (id),
  reason text NOT NULL CHECK (length(reason) BETWEEN 3 AND 500),
  granted_by uuid,
  granted_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid,
  CHECK (num_nonnulls(grantee_user_id, grantee_agency_id) = 1)
);
CREATE INDEX record_grants_record_idx ON record_grants (record_type, record_id);

GRANT SELECT, INSERT, DELETE ON record_shares TO achilles_app;
GRANT SELECT, INSERT, UPDATE ON record_grants TO achilles_app;

-- The record ids shared with, or granted to, the current user's agency or the user. Row-level
-- security policies use them as uncorrelated subqueries, which PostgreSQL evaluates once per query
-- (a hashed subplan) rather than once per row. They run as the owner so the policies on
-- record_shares and record_grants below do not apply to themselves.
CREATE FUNCTION achilles_shared_with_me(p_record_type text) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT record_id FROM record_shares WHERE record_type = p_record_type AND agency_id = achilles_agency_id()
$$;

CREATE FUNCTION achilles_granted_to_me(p_record_type text) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT record_id FROM record_grants
  WHERE record_type = p_record_type AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
    AND (grantee_user_id = achilles_user_id() OR grantee_agency_id = achilles_agency_id())
$$;

-- Shared notes: the first restricted record. A note is what one agency knows about a person,
-- business or premises, held under a marking and handling code and shared as its owner decides.
CREATE TABLE notes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owning_agency_id uuid NOT NULL REFERENCES agencies (id),
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  purpose text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 500),
  protective_marking text NOT NULL CHECK (protective_marking IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')),
  handling_code text NOT NULL CHECK (handling_code IN ('P', 'C')),
  handling_conditions text CHECK (length(handling_conditions) <= 2000),
  sharing_scope text NOT NULL CHECK (sharing_scope IN ('agency', 'named', 'partnership')),
  review_date date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid NOT NULL REFERENCES users (id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users (id),
  row_version integer NOT NULL DEFAULT 1,
  -- Conditions must be written when the code is C, and only then (College of Policing APP).
  CHECK ((handling_code = 'C') = (coalesce(length(trim(handling_conditions)), 0) > 0)),
  -- OFFICIAL-SENSITIVE is need-to-know: never broadcast to the whole partnership.
  CHECK (NOT (protective_marking = 'OFFICIAL-SENSITIVE' AND sharing_scope = 'partnership'))
);
CREATE INDEX notes_owner_idx ON notes (owning_agency_id, created_at DESC);
CREATE INDEX notes_created_idx ON notes (created_at DESC);

GRANT SELECT, INSERT, UPDATE, DELETE ON notes TO achilles_app;
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
-- The visibility rule, as row-level security. Settings are read inside scalar subqueries so each is
-- read once per query, not once per row. src/core/access/visibility.ts states the same rule for
-- the application and src/db/visibility.ts applies it in the application's SQL;
-- test/integration/visibility.test.ts holds all three to the same answers.
CREATE POLICY notes_read ON notes FOR SELECT TO achilles_app USING (
  (SELECT achilles_has_capability('records.read'))
  AND (protective_marking = 'OFFICIAL' OR (SELECT achilles_has_capability('records.read_sensitive')))
  AND (
    owning_agency_id = (SELECT achilles_agency_id())
    OR (sharing_scope = 'partnership' AND protective_marking = 'OFFICIAL')
    OR (sharing_scope = 'named' AND id IN (SELECT achilles_shared_with_me('note')))
    OR id IN (SELECT achilles_granted_to_me('note'))
  ));
CREATE POLICY notes_insert ON notes FOR INSERT TO achilles_app
  WITH CHECK (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')));
CREATE POLICY notes_update ON notes FOR UPDATE TO achilles_app
  USING (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')))
  WITH CHECK (owning_agency_id = (SELECT achilles_agency_id()));
CREATE POLICY notes_delete ON notes FOR DELETE TO achilles_app
  USING (owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.erase')));

-- Whether the current user's agency owns a record. Each module that adds a restricted record type
-- replaces this function to name its table.
CREATE FUNCTION achilles_owns_record(p_record_type text, p_record_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT CASE p_record_type
    WHEN 'note' THEN EXISTS (SELECT 1 FROM notes WHERE id = p_record_id AND owning_agency_id = (SELECT achilles_agency_id()))
    ELSE false
  END
$$;

-- Without these, a user could share someone else's record with themselves in a raw transaction.
ALTER TABLE record_shares ENABLE ROW LEVEL SECURITY;
CREATE POLICY record_shares_read ON record_shares FOR SELECT TO achilles_app
  USING (agency_id = (SELECT achilles_agency_id()) OR achilles_owns_record(record_type, record_id));
CREATE POLICY record_shares_insert ON record_shares FOR INSERT TO achilles_app
  WITH CHECK ((SELECT achilles_has_capability('records.share')) AND achilles_owns_record(record_type, record_id));
CREATE POLICY record_shares_delete ON record_shares FOR DELETE TO achilles_app
  USING ((SELECT achilles_has_capability('records.share')) AND achilles_owns_record(record_type, record_id));

ALTER TABLE record_grants ENABLE ROW LEVEL SECURITY;
CREATE POLICY record_grants_read ON record_grants FOR SELECT TO achilles_app
  USING (grantee_user_id = (SELECT achilles_user_id()) OR grantee_agency_id = (SELECT achilles_agency_id())
    OR achilles_owns_record(record_type, record_id));
CREATE POLICY record_grants_insert ON record_grants FOR INSERT TO achilles_app
  WITH CHECK ((SELECT achilles_has_capability('records.share')) AND achilles_owns_record(record_type, record_id));
CREATE POLICY record_grants_update ON record_grants FOR UPDATE TO achilles_app
  USING (achilles_owns_record(record_type, record_id))
  WITH CHECK (achilles_owns_record(record_type, record_id));
