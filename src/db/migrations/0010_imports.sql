-- CSV imports in progress. The uploaded text is kept here between the steps of the page flow
-- (upload, map the columns, check, import) so a large file is not sent back and forth through the
-- browser. It holds personal data, so only the user who uploaded it may read it; its text is
-- cleared when it is imported, and the whole row is deleted 24 hours after the upload.
CREATE TABLE imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('people', 'groups', 'memberships', 'intelligence')),
  file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
  -- Null once imported: the records themselves now hold the data.
  csv_text text,
  -- {field: {column, value}} as the user last chose it, and the columns they chose to leave out.
  mapping jsonb,
  ignored_columns text[] NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'uploaded' CHECK (status IN ('uploaded', 'mapped', 'imported')),
  -- After import: how many rows, and the ids of the records made, for the summary page.
  result jsonb,
  created_by uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  agency_id uuid NOT NULL REFERENCES agencies (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  imported_at timestamptz,
  CHECK ((status = 'imported') = (csv_text IS NULL))
);
CREATE INDEX imports_created_idx ON imports (created_at);
CREATE INDEX imports_creator_idx ON imports (created_by, created_at DESC);

GRANT SELECT, INSERT, UPDATE, DELETE ON imports TO achilles_app;
ALTER TABLE imports ENABLE ROW LEVEL SECURITY;
CREATE POLICY imports_own ON imports FOR ALL TO achilles_app
  USING (created_by = (SELECT achilles_user_id()))
  WITH CHECK (created_by = (SELECT achilles_user_id()) AND agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')));
