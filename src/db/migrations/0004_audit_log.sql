-- The audit log required by the Data Protection Act 2018 s.62: collection, alteration, consultation,
-- disclosure (with recipients), combination and erasure, with who, when, what and why.
-- Each row carries the hash of the one before it, so an edited or removed row breaks the chain.
CREATE TABLE audit_events (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  user_id uuid,
  agency_id uuid,
  actor text NOT NULL,
  action text NOT NULL CHECK (action IN (
    'collection', 'alteration', 'consultation', 'disclosure', 'combination', 'erasure')),
  outcome text NOT NULL CHECK (outcome IN ('done', 'refused')),
  record_type text NOT NULL,
  record_id text,
  purpose text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 500),
  recipients text[] NOT NULL DEFAULT '{}',
  detail jsonb NOT NULL DEFAULT '{}',
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_events_user_idx ON audit_events (user_id, at);
CREATE INDEX audit_events_record_idx ON audit_events (record_type, record_id, at);
CREATE INDEX audit_events_at_idx ON audit_events (at);
CREATE INDEX audit_events_actor_idx ON audit_events (lower(actor), at);

-- The text a row's hash is taken over. jsonb renders keys in one fixed order, and the time is
-- rendered in UTC so the chain does not depend on the session's time zone.
CREATE FUNCTION achilles_audit_canonical(
  seq bigint, at timestamptz, user_id uuid, agency_id uuid, actor text, action text, outcome text,
  record_type text, record_id text, purpose text, recipients text[], detail jsonb
) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_array(
    seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), user_id, agency_id, actor,
    action, outcome, record_type, record_id, purpose, to_jsonb(recipients), detail)::text
$$;

CREATE FUNCTION achilles_audit_hash(prev_hash text, canonical text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(prev_hash || canonical, 'UTF8')), 'hex')
$$;

-- Appends one row. The advisory lock makes appends take turns until commit, so sequence numbers
-- and links follow the order in which rows become visible.
CREATE FUNCTION achilles_audit_append(
  p_user_id uuid, p_agency_id uuid, p_actor text, p_action text, p_outcome text, p_record_type text,
  p_record_id text, p_purpose text, p_recipients text[], p_detail jsonb
) RETURNS bigint LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  last_seq bigint;
  last_hash text;
  new_seq bigint;
  new_at timestamptz;
  canonical text;
BEGIN
  PERFORM pg_advisory_xact_lock(7411900001);
  SELECT seq, hash INTO last_seq, last_hash FROM audit_events ORDER BY seq DESC LIMIT 1;
  new_seq := coalesce(last_seq, 0) + 1;
  last_hash := coalesce(last_hash, repeat('0', 64));
  new_at := date_trunc('microseconds', clock_timestamp());
  canonical := achilles_audit_canonical(new_seq, new_at, p_user_id, p_agency_id, p_actor, p_action,
    p_outcome, p_record_type, p_record_id, p_purpose, coalesce(p_recipients, '{}'), coalesce(p_detail, '{}'));
  INSERT INTO audit_events (seq, at, user_id, agency_id, actor, action, outcome, record_type, record_id,
    purpose, recipients, detail, prev_hash, hash)
  VALUES (new_seq, new_at, p_user_id, p_agency_id, p_actor, p_action, p_outcome, p_record_type,
    p_record_id, p_purpose, coalesce(p_recipients, '{}'), coalesce(p_detail, '{}'), last_hash,
    achilles_audit_hash(last_hash, canonical));
  RETURN new_seq;
END $$;

CREATE FUNCTION achilles_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION achilles_audit_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION achilles_audit_refuse_change();

-- Users append only through the function, and read only with the audit capability.
REVOKE ALL ON FUNCTION achilles_audit_append(uuid, uuid, text, text, text, text, text, text, text[], jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION achilles_audit_append(uuid, uuid, text, text, text, text, text, text, text[], jsonb) TO achilles_app;
GRANT SELECT ON audit_events TO achilles_app;
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_events_read ON audit_events FOR SELECT TO achilles_app
  USING ((SELECT achilles_has_capability('audit.read')));
