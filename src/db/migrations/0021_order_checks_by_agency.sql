-- The orders an agency checks are looked up by every read of an order (achilles_orders_checked_by_my_agency
-- in its read policy), and the partial index on unrecorded checks cannot serve it: with 196,000
-- checks the lookup was a whole-table scan of 70-90 ms, 0.3-1 ms with this index (bench/README.md).
CREATE INDEX order_checks_agency_order_idx ON order_checks (agency_id, order_id);

-- How far ahead each order's checks have been made, so the scheduler's hourly runs pass over the
-- orders already scheduled to the horizon instead of reading every order, obligation and check.
ALTER TABLE orders ADD COLUMN checks_scheduled_until date;
CREATE INDEX orders_to_schedule_idx ON orders (checks_scheduled_until) WHERE status = 'in_force';

-- The checks still to record on given orders, soonest first (the LRO's home page): without it the
-- planner read the by-agency index for every unrecorded check due (165,000 at national scale, 20 ms).
CREATE INDEX order_checks_open_by_order_idx ON order_checks (order_id, due_on) WHERE result IS NULL;
