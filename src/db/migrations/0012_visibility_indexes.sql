-- Row-level security checks a membership, holding, mention or assessment against its group or
-- entity, and PostgreSQL often answers that by reading every group or entity the user may see once
-- (a hashed subplan), or by looking each one up. These indexes hold every column the visibility rule
-- reads, by id, so either is an index-only scan of narrow entries rather than a read of whole rows.
-- Measured at national scale (bench/README.md): 3.4 ms against 1.4 ms for the 6,000 groups a
-- priority board checks, and the count of visible groups 3.9 ms against 2.0 ms. Index-only scans
-- need the visibility map, which autovacuum keeps (and seeding sets with VACUUM).
--
-- A group's name, threat areas and areas too: the priority board filters by them and ranks groups
-- of equal score by name, for every assessment it walks (0013).
CREATE INDEX ocgs_visibility_idx ON ocgs (id) INCLUDE (owning_agency_id, sharing_scope, protective_marking, name, threat_areas, areas);
CREATE INDEX entities_visibility_idx ON entities (id) INCLUDE (owning_agency_id, sharing_scope, protective_marking);
CREATE INDEX entity_links_visibility_idx ON entity_links (id) INCLUDE (owning_agency_id, sharing_scope, protective_marking);
