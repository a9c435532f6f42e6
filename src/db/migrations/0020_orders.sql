-- The orders register: Serious Crime Prevention Orders, Slavery and Trafficking Prevention and Risk
-- Orders, Telecommunications Restriction Orders, Community Protection Warnings and Notices, closure
-- notices and orders, gang injunctions and Criminal Behaviour Orders, with their conditions as
-- structured obligations, the compliance checks agencies carry out, breaches and variations.

CREATE TABLE orders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_type text NOT NULL CHECK (order_type IN ('scpo', 'stpo', 'stro', 'tro', 'cpw', 'cpn', 'closure_notice', 'closure_order', 'gang_injunction', 'cbo')),
  power_id text NOT NULL REFERENCES powers (id),
  group_id uuid REFERENCES ocgs (id) ON DELETE SET NULL,
  subject_entity_id uuid NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  subject_kind text NOT NULL CHECK (subject_kind IN ('person', 'premises', 'business', 'vehicle', 'money')),
  court text CHECK (length(court) <= 200),
  court_reference text CHECK (length(court_reference) <= 100),
  made_on date,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz,
  -- A closure notice of up to 48 hours needs a superintendent's or the council's senior sign-off.
  extended_authority boolean NOT NULL DEFAULT false,
  authorised_by text CHECK (length(authorised_by) <= 200),
  status text NOT NULL DEFAULT 'in_force' CHECK (status IN ('in_force', 'expired', 'discharged', 'revoked')),
  -- The officer who manages the order: renewal and expiry reminders go to them.
  officer_id uuid NOT NULL REFERENCES users (id),
  renewal_flagged_for timestamptz,
  notes text CHECK (length(notes) <= 5000),
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
  CHECK (ends_at IS NULL OR ends_at > starts_at),
  CHECK ((handling_code = 'C') = (coalesce(length(trim(handling_conditions)), 0) > 0)),
  CHECK (NOT (protective_marking = 'OFFICIAL-SENSITIVE' AND sharing_scope = 'partnership'))
);
CREATE INDEX orders_subject_idx ON orders (subject_entity_id, power_id, starts_at);
CREATE INDEX orders_group_idx ON orders (group_id);
-- The nightly scheduler walks the orders in force.
CREATE INDEX orders_in_force_idx ON orders (ends_at) WHERE status = 'in_force';

CREATE TABLE order_obligations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  key text NOT NULL CHECK (key ~ '^[a-z0-9_-]{1,40}$'),
  position integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('notify', 'inspection', 'report', 'prohibition', 'requirement')),
  text text NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
  every_value integer CHECK (every_value BETWEEN 1 AND 365),
  every_unit text CHECK (every_unit IN ('days', 'weeks', 'months')),
  notice_hours integer CHECK (notice_hours BETWEEN 1 AND 8760),
  check_agency_ids uuid[] NOT NULL DEFAULT '{}',
  UNIQUE (order_id, key),
  CHECK ((every_value IS NULL) = (every_unit IS NULL)),
  CHECK (every_value IS NULL OR cardinality(check_agency_ids) >= 1)
);

CREATE TABLE order_checks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  obligation_key text NOT NULL,
  sequence integer NOT NULL CHECK (sequence >= 1),
  due_on date NOT NULL,
  agency_id uuid NOT NULL REFERENCES agencies (id),
  result text CHECK (result IN ('compliant', 'breach', 'not_possible')),
  checked_on date,
  checked_by uuid REFERENCES users (id),
  notes text CHECK (length(notes) <= 5000),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (order_id, obligation_key, sequence),
  CHECK ((result IS NULL) = (checked_on IS NULL))
);
CREATE INDEX order_checks_agency_due_idx ON order_checks (agency_id, due_on) WHERE result IS NULL;

CREATE TABLE order_breaches (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  obligation_key text,
  check_id uuid REFERENCES order_checks (id) ON DELETE SET NULL,
  occurred_on date NOT NULL,
  description text NOT NULL CHECK (length(description) BETWEEN 1 AND 5000),
  reported_by uuid NOT NULL REFERENCES users (id),
  reported_by_agency_id uuid NOT NULL REFERENCES agencies (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_breaches_order_idx ON order_breaches (order_id, occurred_on DESC);

CREATE TABLE order_variations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  varied_on date NOT NULL,
  summary text NOT NULL CHECK (length(summary) BETWEEN 1 AND 1000),
  -- What the order said before: its end and its obligations.
  previous jsonb NOT NULL,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT, INSERT, UPDATE ON orders TO achilles_app;
GRANT SELECT, INSERT, DELETE ON order_obligations TO achilles_app;
GRANT SELECT, INSERT ON order_checks, order_breaches, order_variations TO achilles_app;
GRANT UPDATE (result, checked_on, checked_by, notes) ON order_checks TO achilles_app;

-- Orders an agency has checks on: that agency sees the order it must check (seed 000: inspections
-- by trading standards, HMRC, the GLAA or the HSE). Runs as the owner so the policies do not recurse.
CREATE FUNCTION achilles_orders_checked_by_my_agency() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT DISTINCT order_id FROM order_checks WHERE agency_id = achilles_agency_id()
$$;

ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY orders_read ON orders FOR SELECT TO achilles_app USING (
  (SELECT achilles_has_capability('records.read'))
  AND (protective_marking = 'OFFICIAL' OR (SELECT achilles_has_capability('records.read_sensitive')))
  AND EXISTS (SELECT 1 FROM entities e WHERE e.id = subject_entity_id)
  AND (
    owning_agency_id = (SELECT achilles_agency_id())
    OR (sharing_scope = 'partnership' AND protective_marking = 'OFFICIAL')
    OR (sharing_scope = 'named' AND id IN (SELECT achilles_shared_with_me('order')))
    OR id IN (SELECT achilles_granted_to_me('order'))
    OR id IN (SELECT achilles_orders_checked_by_my_agency())
  ));
CREATE POLICY orders_insert ON orders FOR INSERT TO achilles_app WITH CHECK (
  owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')));
CREATE POLICY orders_update ON orders FOR UPDATE TO achilles_app USING (
  owning_agency_id = (SELECT achilles_agency_id()) AND (SELECT achilles_has_capability('records.write')));

CREATE FUNCTION achilles_may_change_order(p_order_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT achilles_has_capability('records.write') AND EXISTS (SELECT 1 FROM orders WHERE id = p_order_id AND owning_agency_id = achilles_agency_id())
$$;

ALTER TABLE order_obligations ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_obligations_read ON order_obligations FOR SELECT TO achilles_app USING (EXISTS (SELECT 1 FROM orders o WHERE o.id = order_id));
CREATE POLICY order_obligations_insert ON order_obligations FOR INSERT TO achilles_app WITH CHECK (achilles_may_change_order(order_id));
CREATE POLICY order_obligations_delete ON order_obligations FOR DELETE TO achilles_app USING (achilles_may_change_order(order_id));

ALTER TABLE order_checks ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_checks_read ON order_checks FOR SELECT TO achilles_app USING (EXISTS (SELECT 1 FROM orders o WHERE o.id = order_id));
CREATE POLICY order_checks_insert ON order_checks FOR INSERT TO achilles_app WITH CHECK (achilles_may_change_order(order_id));
-- The assigned agency records the result; the order's own agency may too.
CREATE POLICY order_checks_update ON order_checks FOR UPDATE TO achilles_app USING (
  (SELECT achilles_has_capability('records.write')) AND (agency_id = (SELECT achilles_agency_id()) OR achilles_may_change_order(order_id)));

ALTER TABLE order_breaches ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_breaches_read ON order_breaches FOR SELECT TO achilles_app USING (EXISTS (SELECT 1 FROM orders o WHERE o.id = order_id));
CREATE POLICY order_breaches_insert ON order_breaches FOR INSERT TO achilles_app WITH CHECK (
  (SELECT achilles_has_capability('records.write')) AND reported_by = (SELECT achilles_user_id())
  AND reported_by_agency_id = (SELECT achilles_agency_id()) AND EXISTS (SELECT 1 FROM orders o WHERE o.id = order_id));

ALTER TABLE order_variations ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_variations_read ON order_variations FOR SELECT TO achilles_app USING (EXISTS (SELECT 1 FROM orders o WHERE o.id = order_id));
CREATE POLICY order_variations_insert ON order_variations FOR INSERT TO achilles_app WITH CHECK (achilles_may_change_order(order_id) AND created_by = (SELECT achilles_user_id()));
