-- What fuzzy search compares a typed name with: the search text without the sound tokens ("~sm0")
-- and the dates of birth (both forms), which have exact matches of their own (LIKE on the sound
-- tokens, equality on birth_date). Trigram word similarity costs in proportion to the text it
-- reads, and common family names bring thousands of candidates, each compared: measured at national
-- scale (bench/README.md), "isa james" took 47 ms on the search text and takes 24 ms on this.
ALTER TABLE entities ADD COLUMN name_words text GENERATED ALWAYS AS (
  regexp_replace(regexp_replace(search_text, '(^| )~[^ ]*', '', 'g'), '(^| )(\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4})(?= |$)', '', 'g')
) STORED;
CREATE INDEX entities_name_words_trgm_idx ON entities USING gin (name_words gin_trgm_ops);
