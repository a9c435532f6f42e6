-- E-mail the platform sends: taskings, alerts, reminders (src/modules/mail). Another module's
-- service queues a mail in the same transaction as the work it is about, as the user doing it, so a
-- mail goes out only if that work commits. The sender runs as the owner and reads the table as a
-- job queue with FOR UPDATE SKIP LOCKED, so any number of server processes may deliver without two
-- sending the same mail (architecture: no message broker).
--
-- Personal data: e-mail leaves the platform's controls (relays, mailboxes, phones) and cannot be
-- recalled, marked or audited once sent. The body of a tasking e-mail must NOT carry personal data of
-- subjects (people, groups, intelligence): callers put only a title and a link, and the recipient
-- reads the record in Achilles under the visibility rule, where the reading is logged (DPA 2018
-- s.40, the security principle for law enforcement processing). The recipient's own address is the
-- only personal data a row holds of necessity.
CREATE TABLE mail_outbox (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- What the mail is, for the module that queued it, e.g. 'action.assigned'.
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND length(kind) <= 60),
  -- Header fields are single lines: a line break would let text inject headers of its own.
  to_address text NOT NULL CHECK (length(to_address) BETWEEN 3 AND 254 AND to_address !~ '[\r\n]'),
  -- The user it is for, when it is for one: mail to a user who is deleted is never sent.
  to_user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200 AND subject !~ '[\r\n]'),
  body_text text NOT NULL CHECK (length(body_text) BETWEEN 1 AND 20000),
  -- The record the mail is about, as the audit log names records (record type, id).
  related_type text CHECK (length(related_type) BETWEEN 1 AND 60),
  related_id uuid,
  -- Who queued it: set from the transaction, never by the caller; null for the platform's own work.
  queued_by uuid DEFAULT achilles_user_id(),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Not to be tried before this: when queued, then the sender's lease while it sends, then the
  -- back-off after a failure.
  not_before timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error text CHECK (length(last_error) <= 2000),
  sent_at timestamptz,
  CHECK ((related_type IS NULL) = (related_id IS NULL))
);
-- The sender's claim: unsent mail that is due, oldest first.
CREATE INDEX mail_outbox_due_idx ON mail_outbox (not_before) WHERE sent_at IS NULL;
-- Deleting a user deletes their mail (the foreign key's cascade).
CREATE INDEX mail_outbox_user_idx ON mail_outbox (to_user_id) WHERE to_user_id IS NOT NULL;

-- Users' transactions may add mail and nothing more: no reading (the outbox holds every user's
-- mail), no changing, and none of the sender's columns, so a queued mail cannot claim to be sent or
-- be queued in someone else's name. INSERT without RETURNING needs no SELECT, and the service
-- makes the id itself.
GRANT INSERT (id, kind, to_address, to_user_id, subject, body_text, related_type, related_id, not_before) ON mail_outbox TO achilles_app;
ALTER TABLE mail_outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY mail_outbox_queue ON mail_outbox FOR INSERT TO achilles_app
  WITH CHECK ((SELECT achilles_user_id()) IS NOT NULL AND queued_by = (SELECT achilles_user_id()));
