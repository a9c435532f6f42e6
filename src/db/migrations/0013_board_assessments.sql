-- When the judgement behind an assessment was made: its own scoring, or, for one carried forward to
-- a newer model version, the judgement it was carried from. Boards need it for every row they show
-- (re-score prompts) and reading it out of the explanation in `result` took a query of its own.
ALTER TABLE assessments ADD COLUMN carried_judged_at text GENERATED ALWAYS AS (result->'carried'->>'judgedAt') STORED;

-- The priority board walks current assessments in score order and checks each against its group
-- until a page is full. Holding what the board shows and what row-level security reads in the index
-- makes that walk an index-only scan: page 38 of the national board (1,900 assessments walked)
-- took 13 ms reading the rows and takes 8 ms from the index.
DROP INDEX assessments_board_idx;
CREATE INDEX assessments_board_idx ON assessments (subject_type, score DESC)
  INCLUDE (model_key, group_id, person_id, threat_area, id, band, confidence, opportunity, model_id, scored_at, review_date, carried_from_id, carried_judged_at)
  WHERE superseded_at IS NULL;
