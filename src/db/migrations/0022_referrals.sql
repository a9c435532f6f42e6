-- GAIN referrals and information requests between agencies (src/modules/referrals): one agency asks
-- another, or the regional GAIN coordinator who routes it on, for information about a person,
-- business, premises, vehicle or group, with its purpose, lawful basis, urgency and handling. The
-- recipient accepts, answers with graded information or declines with a reason. A referral is seen
-- by the agency that sent it, the agency it is with, and the coordinator's agency when it went
-- through them; by nobody else.

CREATE TABLE referrals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('referral', 'information_request')),
  -- The agency that asks holds the referral (its owning agency, for retention and erasure).
  requesting_agency_id uuid NOT NULL REFERENCES agencies (id),
  requested_by uuid NOT NULL REFERENCES users (id),
  -- The agency that must answer: the coordinator's until they route it, then the named agency.
  recipient_agency_id uuid NOT NULL REFERENCES agencies (id),
  -- Set when the referral was addressed to the regional GAIN coordinator to route.
  coordinator_agency_id uuid REFERENCES agencies (id),
  subject_type text NOT NULL CHECK (subject_type IN ('entity', 'group')),
  -- The requester's own record of the subject; the recipient never reads it through this column
  -- (it is not theirs to see), only the description below. Kept null when that record is erased.
  subject_entity_id uuid REFERENCES entities (id) ON DELETE SET NULL,
  subject_group_id uuid REFERENCES ocgs (id) ON DELETE SET NULL,
  subject_kind text NOT NULL CHECK (subject_kind ~ '^[A-Za-z]{1,40}$'),
  -- What the requester chose to disclose: the subject's name or description, and a summary.
  subject_description text NOT NULL CHECK (length(trim(subject_description)) BETWEEN 1 AND 500),
  summary text NOT NULL CHECK (length(trim(summary)) BETWEEN 1 AND 5000),
  request text NOT NULL CHECK (length(trim(request)) BETWEEN 1 AND 5000),
  purpose text NOT NULL CHECK (length(trim(purpose)) BETWEEN 1 AND 500),
  lawful_basis text NOT NULL CHECK (lawful_basis IN ('cda1998_s115', 'dpa2018_sch2_pt1_para2', 'dpa2018_part3_s35', 'sca2007_s68', 'dea2017_part5', 'ca2004_s11', 'care2014_s45', 'common_law_or_consent', 'other')),
  lawful_basis_detail text CHECK (length(lawful_basis_detail) <= 1000),
  urgency text NOT NULL CHECK (urgency IN ('immediate', 'within_24_hours', 'within_7_days', 'routine')),
  due_on date NOT NULL,
  protective_marking text NOT NULL CHECK (protective_marking IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')),
  handling_code text NOT NULL CHECK (handling_code IN ('P', 'C')),
  handling_conditions text CHECK (length(handling_conditions) <= 2000),
  state text NOT NULL DEFAULT 'sent' CHECK (state IN ('sent', 'routed', 'accepted', 'answered', 'declined', 'withdrawn', 'closed')),
  state_changed_at timestamptz NOT NULL DEFAULT now(),
  -- The day the nightly work last reminded the recipient, so it reminds once a day at most.
  reminded_on date,
  review_date date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users (id),
  row_version integer NOT NULL DEFAULT 1,
  CHECK (recipient_agency_id <> requesting_agency_id),
  CHECK (coordinator_agency_id IS NULL OR coordinator_agency_id <> requesting_agency_id),
  CHECK (subject_type = 'entity' OR subject_entity_id IS NULL),
  CHECK (subject_type = 'group' OR subject_group_id IS NULL),
  CHECK (lawful_basis <> 'other' OR length(trim(coalesce(lawful_basis_detail, ''))) >= 10),
  CHECK ((handling_code = 'C') = (coalesce(length(trim(handling_conditions)), 0) > 0))
);
-- The lists: incoming and outgoing by agency, soonest due first; the coordinator's routed work.
CREATE INDEX referrals_recipient_idx ON referrals (recipient_agency_id, state, due_on);
CREATE INDEX referrals_requester_idx ON referrals (requesting_agency_id, state, due_on);
CREATE INDEX referrals_coordinator_idx ON referrals (coordinator_agency_id, state, due_on) WHERE coordinator_agency_id IS NOT NULL;
-- The nightly reminders read only referrals still owed an answer.
CREATE INDEX referrals_open_due_idx ON referrals (due_on) WHERE state IN ('sent', 'routed', 'accepted');
CREATE INDEX referrals_entity_idx ON referrals (subject_entity_id) WHERE subject_entity_id IS NOT NULL;
CREATE INDEX referrals_group_idx ON referrals (subject_group_id) WHERE subject_group_id IS NOT NULL;

-- What happened to a referral, in order: its timeline. Append-only.
CREATE TABLE referral_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  referral_id uuid NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
  event text NOT NULL CHECK (event IN ('sent', 'routed', 'accepted', 'answered', 'declined', 'withdrawn', 'closed', 'reminded')),
  at timestamptz NOT NULL DEFAULT now(),
  -- Null for the platform's own work (reminders).
  by_user_id uuid REFERENCES users (id),
  by_agency_id uuid REFERENCES agencies (id),
  -- The agency it went to: the recipient when sent, the named agency when routed.
  to_agency_id uuid REFERENCES agencies (id),
  decline_ground text CHECK (decline_ground IN ('no_information_held', 'lawful_basis_insufficient', 'not_necessary_or_proportionate', 'prejudice_to_investigation', 'not_our_remit', 'other')),
  note text CHECK (length(note) <= 5000),
  CHECK ((event = 'declined') = (decline_ground IS NOT NULL))
);
CREATE INDEX referral_events_referral_idx ON referral_events (referral_id, id);

-- The information given in answer, graded and handled as intelligence is (3x5x2). It is also recorded
-- as an intelligence record of the answering agency shared by name with the requester (intelligence_id).
CREATE TABLE referral_answers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  referral_id uuid NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
  answering_agency_id uuid NOT NULL REFERENCES agencies (id),
  answered_by uuid NOT NULL REFERENCES users (id),
  body text NOT NULL CHECK (length(trim(body)) BETWEEN 1 AND 20000),
  source_evaluation text NOT NULL CHECK (source_evaluation IN ('A', 'B', 'C')),
  intelligence_assessment smallint NOT NULL CHECK (intelligence_assessment BETWEEN 1 AND 5),
  protective_marking text NOT NULL CHECK (protective_marking IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')),
  handling_code text NOT NULL CHECK (handling_code IN ('P', 'C')),
  handling_conditions text CHECK (length(handling_conditions) <= 2000),
  intelligence_id uuid REFERENCES intelligence_records (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((handling_code = 'C') = (coalesce(length(trim(handling_conditions)), 0) > 0))
);
CREATE INDEX referral_answers_referral_idx ON referral_answers (referral_id, created_at);

-- Users may change only a referral's progress, never what was asked or disclosed.
GRANT SELECT, INSERT ON referrals TO achilles_app;
GRANT UPDATE (state, state_changed_at, recipient_agency_id, updated_at, updated_by, row_version) ON referrals TO achilles_app;
GRANT SELECT, INSERT ON referral_events, referral_answers TO achilles_app;

-- The moves a referral may make (src/core/referrals/referrals.ts states the same rule).
CREATE FUNCTION achilles_referral_transition_allowed(p_from text, p_to text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT (p_from, p_to) IN (
    ('sent', 'routed'), ('sent', 'accepted'), ('routed', 'accepted'),
    ('sent', 'answered'), ('routed', 'answered'), ('accepted', 'answered'),
    ('sent', 'declined'), ('routed', 'declined'), ('accepted', 'declined'),
    ('sent', 'withdrawn'), ('routed', 'withdrawn'), ('accepted', 'withdrawn'),
    ('answered', 'closed'), ('declined', 'closed'))
$$;

-- A user's change must be a move the rule allows, by the party it belongs to: routing by the
-- coordinator while the referral is with them; accepting, answering and declining by the agency it
-- is with; withdrawing and closing by the agency that sent it. The service checks first; this is the
-- second lock, so a raw transaction cannot hand a referral to another agency or reopen it.
CREATE FUNCTION achilles_referral_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  me uuid := achilles_agency_id();
BEGIN
  IF achilles_user_id() IS NULL THEN
    RETURN NEW; -- the platform's own work (reminders, demonstration data)
  END IF;
  IF NEW.recipient_agency_id IS DISTINCT FROM OLD.recipient_agency_id THEN
    IF NOT (OLD.state = 'sent' AND NEW.state = 'routed' AND OLD.recipient_agency_id = OLD.coordinator_agency_id AND me = OLD.coordinator_agency_id) THEN
      RAISE EXCEPTION 'only the GAIN coordinator may route a referral sent to them' USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  IF NEW.state IS DISTINCT FROM OLD.state THEN
    IF NOT achilles_referral_transition_allowed(OLD.state, NEW.state) THEN
      RAISE EXCEPTION 'a referral that is % cannot become %', OLD.state, NEW.state USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.state = 'routed' AND me IS DISTINCT FROM OLD.coordinator_agency_id THEN
      RAISE EXCEPTION 'only the GAIN coordinator may route a referral' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.state IN ('withdrawn', 'closed') AND me IS DISTINCT FROM OLD.requesting_agency_id THEN
      RAISE EXCEPTION 'only the requesting agency may % a referral', NEW.state USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.state IN ('accepted', 'answered', 'declined') AND me IS DISTINCT FROM OLD.recipient_agency_id THEN
      RAISE EXCEPTION 'only the agency a referral is with may mark it %', NEW.state USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER referrals_guard BEFORE UPDATE ON referrals FOR EACH ROW EXECUTE FUNCTION achilles_referral_guard();

ALTER TABLE referrals ENABLE ROW LEVEL SECURITY;
CREATE POLICY referrals_read ON referrals FOR SELECT TO achilles_app USING (
  (SELECT achilles_has_capability('records.read'))
  AND (protective_marking = 'OFFICIAL' OR (SELECT achilles_has_capability('records.read_sensitive')))
  AND (requesting_agency_id = (SELECT achilles_agency_id())
    OR recipient_agency_id = (SELECT achilles_agency_id())
    OR coordinator_agency_id = (SELECT achilles_agency_id())));
CREATE POLICY referrals_insert ON referrals FOR INSERT TO achilles_app WITH CHECK (
  (SELECT achilles_has_capability('records.write')) AND (SELECT achilles_has_capability('records.share'))
  AND requesting_agency_id = (SELECT achilles_agency_id()) AND requested_by = (SELECT achilles_user_id()) AND state = 'sent');
CREATE POLICY referrals_update ON referrals FOR UPDATE TO achilles_app
  USING ((SELECT achilles_has_capability('records.write')) AND (
    requesting_agency_id = (SELECT achilles_agency_id()) OR recipient_agency_id = (SELECT achilles_agency_id()) OR coordinator_agency_id = (SELECT achilles_agency_id())))
  WITH CHECK (requesting_agency_id = (SELECT achilles_agency_id()) OR recipient_agency_id = (SELECT achilles_agency_id()) OR coordinator_agency_id = (SELECT achilles_agency_id()));

-- The timeline is seen with its referral, and written by its parties in their own name.
ALTER TABLE referral_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY referral_events_read ON referral_events FOR SELECT TO achilles_app USING (
  EXISTS (SELECT 1 FROM referrals r WHERE r.id = referral_id));
CREATE POLICY referral_events_insert ON referral_events FOR INSERT TO achilles_app WITH CHECK (
  by_user_id = (SELECT achilles_user_id()) AND by_agency_id = (SELECT achilles_agency_id())
  AND EXISTS (SELECT 1 FROM referrals r WHERE r.id = referral_id));

-- An answer is for the agency that asked: the coordinator who routed the referral sees that it was
-- answered, on the timeline, but not what was said.
ALTER TABLE referral_answers ENABLE ROW LEVEL SECURITY;
CREATE POLICY referral_answers_read ON referral_answers FOR SELECT TO achilles_app USING (
  (SELECT achilles_has_capability('records.read'))
  AND (protective_marking = 'OFFICIAL' OR (SELECT achilles_has_capability('records.read_sensitive')))
  AND (answering_agency_id = (SELECT achilles_agency_id())
    OR EXISTS (SELECT 1 FROM referrals r WHERE r.id = referral_id AND r.requesting_agency_id = (SELECT achilles_agency_id()))));
CREATE POLICY referral_answers_insert ON referral_answers FOR INSERT TO achilles_app WITH CHECK (
  (SELECT achilles_has_capability('records.write'))
  AND answering_agency_id = (SELECT achilles_agency_id()) AND answered_by = (SELECT achilles_user_id())
  AND EXISTS (SELECT 1 FROM referrals r WHERE r.id = referral_id AND r.recipient_agency_id = (SELECT achilles_agency_id())));
