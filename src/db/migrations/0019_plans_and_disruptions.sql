-- The tools-and-powers catalogue (config/powers/catalogue.json, loaded by `achilles migrate`), 4P
-- action plans with tasked actions, and the disruptions recorded against groups.

-- Reference data, not personal data: every user may read it; only the loader writes it.
CREATE TABLE powers (
  id text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]*$'),
  name text NOT NULL,
  catalogue_version integer NOT NULL,
  definition jsonb NOT NULL,
  -- A power dropped from a later catalogue stays, so actions and disruptions that name it still read.
  withdrawn boolean NOT NULL DEFAULT false,
  loaded_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT ON powers TO achilles_app;

-- A 4P plan is about one group (several per group when each key risk has its own, as Operation
-- Genga keeps them) or, with no group, about a threat area across the partnership.
CREATE TABLE action_plans (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  group_id uuid REFERENCES ocgs (id) ON DELETE CASCADE,
  threat_area text,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  key_risk text CHECK (length(key_risk) <= 500),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
  -- Who co-ordinates a threat-area plan; a group's plan is run by the group's LRO.
  coordinator_id uuid REFERENCES users (id),
  template_key text,
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
  CHECK ((group_id IS NULL) = (threat_area IS NOT NULL)),
  CHECK ((handling_code = 'C') = (coalesce(length(trim(handling_conditions)), 0) > 0)),
  CHECK (NOT (protective_marking = 'OFFICIAL-SENSITIVE' AND sharing_scope = 'partnership'))
);
CREATE INDEX action_plans_group_idx ON action_plans (group_id);
CREATE INDEX action_plans_threat_idx ON action_plans (threat_area) WHERE group_id IS NULL;

CREATE TABLE plan_actions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  plan_id uuid NOT NULL REFERENCES action_plans (id) ON DELETE CASCADE,
  -- Copied from the plan so the home page and the overdue sweep need not join through plans.
  group_id uuid REFERENCES ocgs (id) ON DELETE CASCADE,
  strand text NOT NULL CHECK (strand IN ('pursue', 'prevent', 'protect', 'prepare')),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text CHECK (length(description) <= 5000),
  owner_agency_id uuid NOT NULL REFERENCES agencies (id),
  owner_user_id uuid NOT NULL REFERENCES users (id),
  due_on date NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
  power_id text REFERENCES powers (id),
  -- The member, business, premises or vehicle the action is aimed at, when there is one.
  target_entity_id uuid REFERENCES entities (id) ON DELETE SET NULL,
  outcome_notes text CHECK (length(outcome_notes) <= 5000),
  completed_at timestamptz,
  -- The due date the overdue sweep last flagged, so owners hear once per lapse, not every night.
  overdue_flagged_for date,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users (id),
  row_version integer NOT NULL DEFAULT 1,
  CHECK ((status = 'done') = (completed_at IS NOT NULL))
);
CREATE INDEX plan_actions_plan_idx ON plan_actions (plan_id, due_on);
CREATE INDEX plan_actions_owner_idx ON plan_actions (owner_user_id, status, due_on);
CREATE INDEX plan_actions_group_idx ON plan_actions (group_id, status);
-- The overdue sweep reads only actions still to do.
CREATE INDEX plan_actions_open_due_idx ON plan_actions (due_on) WHERE status IN ('open', 'in_progress');

CREATE TABLE disruptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  group_id uuid NOT NULL REFERENCES ocgs (id) ON DELETE CASCADE,
  action_id uuid REFERENCES plan_actions (id) ON DELETE SET NULL,
  power_id text REFERENCES powers (id),
  occurred_on date NOT NULL,
  -- The agency that acted, which may not be the one recording it.
  agency_id uuid NOT NULL REFERENCES agencies (id),
  description text NOT NULL CHECK (length(description) BETWEEN 1 AND 5000),
  -- HMICFRS levels; there are no national definitions, so the recording agency's reason is kept.
  outcome text NOT NULL CHECK (outcome IN ('major', 'moderate', 'minor', 'none', 'negative')),
  outcome_reason text NOT NULL CHECK (length(trim(outcome_reason)) BETWEEN 1 AND 2000),
  recorded_by_agency_id uuid NOT NULL REFERENCES agencies (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id)
);
CREATE INDEX disruptions_group_idx ON disruptions (group_id, occurred_on DESC);
CREATE INDEX disruptions_occurred_idx ON disruptions (occurred_on);

CREATE TABLE disruption_assets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  disruption_id uuid NOT NULL REFERENCES disruptions (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('cash', 'drugs', 'goods', 'vehicles', 'firearms', 'property', 'other')),
  description text NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
  quantity numeric CHECK (quantity > 0),
  unit text CHECK (length(unit) <= 40),
  -- Pence, so sums are exact.
  value_pence bigint CHECK (value_pence >= 0)
);
CREATE INDEX disruption_assets_disruption_idx ON disruption_assets (disruption_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON action_plans, plan_actions TO achilles_app;
GRANT SELECT, INSERT ON disruptions, disruption_assets TO achilles_app;

-- Whether the current user owns an action on one of the group's plans: a tasked partner may record
-- what they did against the group. Runs as the owner so the check does not recurse into policies.
CREATE FUNCTION achilles_tasked_on_group(p_group_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM plan_actions WHERE group_id = p_group_id AND owner_user_id = achilles_user_id())
$$;

-- Whether the current user may change a plan: for a group's plan, whoever may change the group;
-- for a threat-area plan, its agency or its coordinator.
CREATE FUNCTION achilles_may_edit_plan(p_plan_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT achilles_has_capability('records.write') AND EXISTS (
    SELECT 1 FROM action_plans p WHERE p.id = p_plan_id AND (
      (p.group_id IS NOT NULL AND achilles_may_edit_group(p.group_id))
      OR (p.group_id IS NULL AND (p.owning_agency_id = achilles_agency_id() OR p.coordinator_id = achilles_user_id()))))
$$;

-- A group's plan is seen wherever the group is; a threat-area plan under the visibility rule.
ALTER TABLE action_plans ENABLE ROW LEVEL SECURITY;
CREATE POLICY action_plans_read ON action_plans FOR SELECT TO achilles_app USING (
  (group_id IS NOT NULL AND EXISTS (SELECT 1 FROM ocgs g WHERE g.id = group_id))
  OR (group_id IS NULL
    AND (SELECT achilles_has_capability('records.read'))
    AND (protective_marking = 'OFFICIAL' OR (SELECT achilles_has_capability('records.read_sensitive')))
    AND (
      owning_agency_id = (SELECT achilles_agency_id())
      OR coordinator_id = (SELECT achilles_user_id())
      OR (sharing_scope = 'partnership' AND protective_marking = 'OFFICIAL')
      OR (sharing_scope = 'named' AND id IN (SELECT achilles_shared_with_me('action_plan')))
      OR id IN (SELECT achilles_granted_to_me('action_plan')))));
CREATE POLICY action_plans_insert ON action_plans FOR INSERT TO achilles_app WITH CHECK (
  (SELECT achilles_has_capability('records.write')) AND (
    (group_id IS NOT NULL AND achilles_may_edit_group(group_id))
    OR (group_id IS NULL AND owning_agency_id = (SELECT achilles_agency_id()))));
CREATE POLICY action_plans_update ON action_plans FOR UPDATE TO achilles_app USING (achilles_may_edit_plan(id));

-- An action is seen with its plan, and always by the officer who owns it.
ALTER TABLE plan_actions ENABLE ROW LEVEL SECURITY;
CREATE POLICY plan_actions_read ON plan_actions FOR SELECT TO achilles_app USING (
  owner_user_id = (SELECT achilles_user_id()) OR EXISTS (SELECT 1 FROM action_plans p WHERE p.id = plan_id));
CREATE POLICY plan_actions_insert ON plan_actions FOR INSERT TO achilles_app WITH CHECK (achilles_may_edit_plan(plan_id));
-- The owner updates their own action's progress; the service limits them to status and outcome.
CREATE POLICY plan_actions_update ON plan_actions FOR UPDATE TO achilles_app USING (
  achilles_may_edit_plan(plan_id) OR ((SELECT achilles_has_capability('records.write')) AND owner_user_id = (SELECT achilles_user_id())));
CREATE POLICY plan_actions_delete ON plan_actions FOR DELETE TO achilles_app USING (achilles_may_edit_plan(plan_id));

ALTER TABLE disruptions ENABLE ROW LEVEL SECURITY;
CREATE POLICY disruptions_read ON disruptions FOR SELECT TO achilles_app USING (EXISTS (SELECT 1 FROM ocgs g WHERE g.id = group_id));
CREATE POLICY disruptions_insert ON disruptions FOR INSERT TO achilles_app WITH CHECK (
  (SELECT achilles_has_capability('records.write'))
  AND recorded_by_agency_id = (SELECT achilles_agency_id())
  AND created_by = (SELECT achilles_user_id())
  AND EXISTS (SELECT 1 FROM ocgs g WHERE g.id = group_id)
  AND (achilles_may_edit_group(group_id) OR achilles_tasked_on_group(group_id)));

ALTER TABLE disruption_assets ENABLE ROW LEVEL SECURITY;
CREATE POLICY disruption_assets_read ON disruption_assets FOR SELECT TO achilles_app USING (
  EXISTS (SELECT 1 FROM disruptions d WHERE d.id = disruption_id));
CREATE POLICY disruption_assets_insert ON disruption_assets FOR INSERT TO achilles_app WITH CHECK (
  EXISTS (SELECT 1 FROM disruptions d WHERE d.id = disruption_id AND d.created_by = (SELECT achilles_user_id())));
