-- The grants row-level security consults on every restricted read. Measured at national scale
-- (bench/README.md): 3.6-5 ms a call, five calls to a priority board, because the user and agency
-- were worked out again for every grant row and every grant was read. The settings are now read
-- once per call, and indexes find the caller's own grants.
CREATE INDEX record_grants_user_idx ON record_grants (grantee_user_id, record_type) WHERE revoked_at IS NULL AND grantee_user_id IS NOT NULL;
CREATE INDEX record_grants_agency_idx ON record_grants (grantee_agency_id, record_type) WHERE revoked_at IS NULL AND grantee_agency_id IS NOT NULL;

CREATE OR REPLACE FUNCTION achilles_granted_to_me(p_record_type text) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT record_id FROM record_grants
  WHERE record_type = p_record_type AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
    AND grantee_user_id = (SELECT achilles_user_id())
  UNION ALL
  SELECT record_id FROM record_grants
  WHERE record_type = p_record_type AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
    AND grantee_agency_id = (SELECT achilles_agency_id())
$$;

CREATE OR REPLACE FUNCTION achilles_shared_with_me(p_record_type text) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT record_id FROM record_shares WHERE record_type = p_record_type AND agency_id = (SELECT achilles_agency_id())
$$;
