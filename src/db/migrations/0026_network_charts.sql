-- Saved link charts (issue #6): how an analyst left a chart, never what it showed. A chart keeps its
-- title, where it starts, how many hops, the filters, the nodes expanded from and the positions of
-- pinned nodes (node ids and coordinates only). Opening one fetches the network again under the
-- visibility rule, so a person the analyst may no longer see does not reappear from a saved copy.
CREATE TABLE network_charts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owning_agency_id uuid NOT NULL REFERENCES agencies (id),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  -- 'entity:<uuid>' or 'group:<uuid>', as the network API names a node.
  start_node text NOT NULL CHECK (start_node ~ '^(entity|group):[0-9a-f-]{36}$'),
  hops integer NOT NULL CHECK (hops BETWEEN 1 AND 6),
  -- {from, to, types[], gradings[], handling[]}: what the chart showed of the fetched network.
  filters jsonb NOT NULL DEFAULT '{}',
  -- Node ids the analyst expanded (each fetched as a start of its own and merged).
  expanded jsonb NOT NULL DEFAULT '[]',
  -- {nodeId: [x, y]} for pinned nodes only.
  pinned jsonb NOT NULL DEFAULT '{}',
  size_by text NOT NULL DEFAULT 'degree' CHECK (size_by IN ('degree', 'betweenness', 'pagerank', 'community')),
  -- A chart is its author's until shared with the author's own agency; it names people by id, so
  -- it never goes wider than the agency that drew it.
  sharing_scope text NOT NULL DEFAULT 'private' CHECK (sharing_scope IN ('private', 'agency')),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid NOT NULL REFERENCES users (id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  row_version integer NOT NULL DEFAULT 1
);
CREATE INDEX network_charts_owner_idx ON network_charts (created_by, updated_at DESC);
CREATE INDEX network_charts_agency_idx ON network_charts (owning_agency_id, sharing_scope, updated_at DESC);

GRANT SELECT, INSERT, UPDATE, DELETE ON network_charts TO achilles_app;
ALTER TABLE network_charts ENABLE ROW LEVEL SECURITY;
CREATE POLICY network_charts_read ON network_charts FOR SELECT TO achilles_app USING (
  (SELECT achilles_has_capability('records.read'))
  AND (created_by = (SELECT achilles_user_id())
    OR (sharing_scope = 'agency' AND owning_agency_id = (SELECT achilles_agency_id()))));
CREATE POLICY network_charts_insert ON network_charts FOR INSERT TO achilles_app
  WITH CHECK ((SELECT achilles_has_capability('records.read'))
    AND owning_agency_id = (SELECT achilles_agency_id()) AND created_by = (SELECT achilles_user_id()));
CREATE POLICY network_charts_update ON network_charts FOR UPDATE TO achilles_app
  USING (created_by = (SELECT achilles_user_id()))
  WITH CHECK (created_by = (SELECT achilles_user_id()) AND owning_agency_id = (SELECT achilles_agency_id()));
CREATE POLICY network_charts_delete ON network_charts FOR DELETE TO achilles_app
  USING (created_by = (SELECT achilles_user_id()));
