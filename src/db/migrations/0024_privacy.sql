-- Privacy-preserving matching (src/modules/privacy, docs/privacy-matching.md): each agency uploads
-- the keyed Bloom-filter encodings `achilles encode` made of its records on its own machine, never a
-- value; the hub links them across agencies and tells a requester only that another agency holds a
-- probable match and whom to contact there (a hit/no-hit index). The hub never holds the secret.

-- One live upload per agency and kind of record; a new file replaces the old one whole.
CREATE TABLE privacy_uploads (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owning_agency_id uuid NOT NULL REFERENCES agencies (id),
  kind text NOT NULL CHECK (kind IN ('person', 'business')),
  -- The HMAC of a fixed text under the secret: files are compared only when theirs are equal.
  key_check text NOT NULL CHECK (key_check ~ '^[0-9a-f]{32}$'),
  parameters jsonb NOT NULL,
  record_count integer NOT NULL CHECK (record_count >= 1),
  file_name text CHECK (length(file_name) <= 255),
  -- Whom a requester with a hit should contact at this agency: a desk, not the record's officer.
  contact text NOT NULL CHECK (length(trim(contact)) BETWEEN 1 AND 500),
  purpose text NOT NULL CHECK (length(trim(purpose)) BETWEEN 1 AND 500),
  protective_marking text NOT NULL DEFAULT 'OFFICIAL-SENSITIVE' CHECK (protective_marking IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')),
  handling_code text NOT NULL DEFAULT 'P' CHECK (handling_code IN ('P', 'C')),
  handling_conditions text CHECK (length(handling_conditions) <= 2000),
  -- The encodings are matched for the whole partnership, and shown to nobody.
  sharing_scope text NOT NULL DEFAULT 'partnership' CHECK (sharing_scope = 'partnership'),
  review_date date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users (id),
  row_version integer NOT NULL DEFAULT 1,
  UNIQUE (owning_agency_id, kind),
  CHECK ((handling_code = 'C') = (coalesce(length(trim(handling_conditions)), 0) > 0))
);
-- Matching reads every agency's upload of one kind encoded under one secret.
CREATE INDEX privacy_uploads_kind_idx ON privacy_uploads (kind, key_check);

-- One encoded record a row, as the file gave it: base64 filters by field, the CLK, blocking digests.
CREATE TABLE privacy_encodings (
  upload_id uuid NOT NULL REFERENCES privacy_uploads (id) ON DELETE CASCADE,
  ref text NOT NULL CHECK (ref ~ '^[0-9a-f]{32}$'),
  fields jsonb NOT NULL,
  clk text NOT NULL,
  blocks jsonb NOT NULL,
  PRIMARY KEY (upload_id, ref)
);

-- The model trained without labels on all the uploads of one kind and secret, kept until an upload
-- changes (the fingerprint names the uploads and their versions). Only the platform reads it.
CREATE TABLE privacy_models (
  kind text NOT NULL CHECK (kind IN ('person', 'business')),
  key_check text NOT NULL CHECK (key_check ~ '^[0-9a-f]{32}$'),
  fingerprint text NOT NULL,
  model jsonb NOT NULL,
  trained_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, key_check)
);

-- A requester's question: their own agency's upload, or a few records encoded with `achilles encode`
-- (which are matched and then discarded, never kept).
CREATE TABLE privacy_queries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  requesting_agency_id uuid NOT NULL REFERENCES agencies (id),
  requested_by uuid NOT NULL REFERENCES users (id),
  kind text NOT NULL CHECK (kind IN ('person', 'business')),
  mode text NOT NULL CHECK (mode IN ('encoded', 'our_upload')),
  purpose text NOT NULL CHECK (length(trim(purpose)) BETWEEN 1 AND 500),
  records_asked integer NOT NULL CHECK (records_asked >= 0),
  hits integer NOT NULL CHECK (hits >= 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX privacy_queries_agency_idx ON privacy_queries (requesting_agency_id, created_at DESC);

-- A hit: the requester learns the holding agency, its contact and a strength band; the holder
-- learns which of its encoded records was hit (its ref, which only it can turn back into its own id)
-- and by which agency, so it knows what the call is about.
CREATE TABLE privacy_query_hits (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  query_id uuid NOT NULL REFERENCES privacy_queries (id) ON DELETE CASCADE,
  -- The requester's record asked about, by its ref (null for a single record's query).
  asked_ref text CHECK (asked_ref ~ '^[0-9a-f]{32}$'),
  holder_agency_id uuid NOT NULL REFERENCES agencies (id),
  holder_ref text NOT NULL CHECK (holder_ref ~ '^[0-9a-f]{32}$'),
  strength text NOT NULL CHECK (strength IN ('strong', 'probable')),
  contact text NOT NULL CHECK (length(contact) <= 500)
);
CREATE INDEX privacy_query_hits_query_idx ON privacy_query_hits (query_id);
CREATE INDEX privacy_query_hits_holder_idx ON privacy_query_hits (holder_agency_id, query_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON privacy_uploads TO achilles_app;
GRANT SELECT, INSERT, DELETE ON privacy_encodings TO achilles_app;
GRANT SELECT, INSERT ON privacy_queries, privacy_query_hits TO achilles_app;

-- An agency sees and changes its own upload only; other agencies' encodings are read by the
-- matcher alone, with the owner's privileges, and never shown.
ALTER TABLE privacy_uploads ENABLE ROW LEVEL SECURITY;
CREATE POLICY privacy_uploads_read ON privacy_uploads FOR SELECT TO achilles_app USING (
  owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.read')));
CREATE POLICY privacy_uploads_insert ON privacy_uploads FOR INSERT TO achilles_app WITH CHECK (
  owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')));
CREATE POLICY privacy_uploads_update ON privacy_uploads FOR UPDATE TO achilles_app USING (
  owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')));
CREATE POLICY privacy_uploads_delete ON privacy_uploads FOR DELETE TO achilles_app USING (
  owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')));

ALTER TABLE privacy_encodings ENABLE ROW LEVEL SECURITY;
CREATE POLICY privacy_encodings_read ON privacy_encodings FOR SELECT TO achilles_app USING (
  EXISTS (SELECT 1 FROM privacy_uploads u WHERE u.id = upload_id));
CREATE POLICY privacy_encodings_insert ON privacy_encodings FOR INSERT TO achilles_app WITH CHECK (
  (SELECT achilles_has_capability('records.write')) AND EXISTS (SELECT 1 FROM privacy_uploads u WHERE u.id = upload_id));
CREATE POLICY privacy_encodings_delete ON privacy_encodings FOR DELETE TO achilles_app USING (
  (SELECT achilles_has_capability('records.write')) AND EXISTS (SELECT 1 FROM privacy_uploads u WHERE u.id = upload_id));

ALTER TABLE privacy_models ENABLE ROW LEVEL SECURITY;

-- The requester's agency sees its queries; a holder sees the queries that hit its records (who
-- asked, when and why: the owner of a locked record is told who found it). Runs as the owner so
-- the policies do not recurse.
CREATE FUNCTION achilles_privacy_queries_hitting_my_agency() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT DISTINCT query_id FROM privacy_query_hits WHERE holder_agency_id = achilles_agency_id()
$$;
ALTER TABLE privacy_queries ENABLE ROW LEVEL SECURITY;
CREATE POLICY privacy_queries_read ON privacy_queries FOR SELECT TO achilles_app USING (
  (SELECT achilles_has_capability('records.read')) AND (
    requesting_agency_id = (SELECT achilles_agency_id()) OR id IN (SELECT achilles_privacy_queries_hitting_my_agency())));
CREATE POLICY privacy_queries_insert ON privacy_queries FOR INSERT TO achilles_app WITH CHECK (
  (SELECT achilles_has_capability('records.read')) AND requesting_agency_id = (SELECT achilles_agency_id()) AND requested_by = (SELECT achilles_user_id()));

-- The requester's agency sees the hits of its queries; a holder only the hits on its own records,
-- never another holder's.
ALTER TABLE privacy_query_hits ENABLE ROW LEVEL SECURITY;
CREATE POLICY privacy_query_hits_read ON privacy_query_hits FOR SELECT TO achilles_app USING (
  (SELECT achilles_has_capability('records.read')) AND (
    holder_agency_id = (SELECT achilles_agency_id())
    OR EXISTS (SELECT 1 FROM privacy_queries q WHERE q.id = query_id AND q.requesting_agency_id = (SELECT achilles_agency_id()))));
CREATE POLICY privacy_query_hits_insert ON privacy_query_hits FOR INSERT TO achilles_app WITH CHECK (
  EXISTS (SELECT 1 FROM privacy_queries q WHERE q.id = query_id AND q.requested_by = (SELECT achilles_user_id())));
