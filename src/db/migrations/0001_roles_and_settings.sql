-- Row-level security does not bind superusers or table owners, and PGlite connects as a superuser,
-- so every user's transaction runs as this non-owner role (see src/db/context.ts).
DO $$
BEGIN
  CREATE ROLE achilles_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- another database in the same cluster, or a parallel migration, made it first
END $$;

DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'achilles_app', 'MEMBER') THEN
    EXECUTE format('GRANT achilles_app TO %I', current_user);
  END IF;
END $$;

GRANT USAGE ON SCHEMA public TO achilles_app;

CREATE TABLE settings (
  key text PRIMARY KEY,
  value text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The session and capability of the user whose transaction this is, set by src/db/context.ts.
CREATE FUNCTION achilles_user_id() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('achilles.user_id', true), '')::uuid
$$;

CREATE FUNCTION achilles_agency_id() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('achilles.agency_id', true), '')::uuid
$$;

CREATE FUNCTION achilles_has_capability(capability text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT capability = ANY (string_to_array(coalesce(current_setting('achilles.capabilities', true), ''), ','))
$$;
