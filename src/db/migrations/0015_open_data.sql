-- Public data for SOC local profiles (issue #7): areas and their boundaries, the lookups that roll
-- LSOAs up to larger areas, data.police.uk street-level crime and stop and search, and the English
-- Indices of Deprivation 2019. None of it is personal data: it is published under the Open
-- Government Licence, and every user may read it. Only the platform writes it (imports run as the
-- owner), except custom areas, which an analyst draws or uploads.

-- One row per import run, so a report can say what came from where. A refused run is recorded
-- too (with nothing loaded), so a failed attempt is not lost; a dry run changes nothing and is not.
CREATE TABLE open_data_imports (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('police-crime', 'stop-search', 'boundaries', 'imd', 'lookups')),
  outcome text NOT NULL DEFAULT 'loaded' CHECK (outcome IN ('loaded', 'refused')),
  sources text[] NOT NULL,
  rows_read integer NOT NULL,
  rows_loaded integer NOT NULL,
  rows_rejected integer NOT NULL,
  -- Every rejected row's file, number and reason; notes on rows kept (no location, an unknown
  -- LSOA); rows of earlier imports replaced; the refusal, if the run was refused
  -- (src/modules/opendata/schema.ts, OpenDataReport).
  report jsonb NOT NULL DEFAULT '{}',
  imported_by text NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  CHECK (outcome = 'loaded' OR rows_loaded = 0)
);

-- LSOA, ward, local authority district, community safety partnership, police force area, or an
-- area of the partnership's own. Codes are the ONS codes (the 2011 LSOAs that police.uk and the
-- IoD 2019 use); a custom area's code is 'custom-' and a number.
CREATE TABLE areas (
  code text PRIMARY KEY CHECK (code ~ '^([EWSN][0-9]{8}|custom-[0-9]+)$'),
  level text NOT NULL CHECK (level IN ('lsoa', 'ward', 'local_authority', 'csp', 'police_force', 'custom')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- GeoJSON geometry (Polygon or MultiPolygon) in WGS84 longitude and latitude, when known.
  geometry jsonb,
  -- [west, south, east, north] and a point inside, for maps and point-in-area tests.
  bbox double precision[] CHECK (bbox IS NULL OR cardinality(bbox) = 4),
  centroid_lon double precision,
  centroid_lat double precision,
  created_by uuid REFERENCES users (id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((level = 'custom') = (code LIKE 'custom-%'))
);
CREATE INDEX areas_level_idx ON areas (level, name);
CREATE SEQUENCE custom_area_numbers;

-- Which LSOAs make up each larger area: every figure is rolled up from LSOA through this table.
-- An LSOA is its own only member.
CREATE TABLE area_lsoas (
  area_code text NOT NULL REFERENCES areas (code) ON DELETE CASCADE,
  lsoa_code text NOT NULL,
  PRIMARY KEY (area_code, lsoa_code)
);
CREATE INDEX area_lsoas_lsoa_idx ON area_lsoas (lsoa_code, area_code);

-- The larger areas each area sits in (an LSOA in its local authority, that in its community
-- safety partnership, that in its force area), from the ONS lookups.
CREATE TABLE area_parents (
  area_code text NOT NULL,
  parent_code text NOT NULL,
  PRIMARY KEY (area_code, parent_code)
);
CREATE INDEX area_parents_parent_idx ON area_parents (parent_code);

-- data.police.uk street-level crime, one row per crime or anti-social behaviour incident. A month
-- of a force is replaced as a whole when it is imported again: the rows with the same month,
-- "Falls within" and "Reported by" (data.police.uk documents both as the force that provided the
-- data, for now; keying on both stays right if "Falls within" comes to mean the area's force).
CREATE TABLE street_crimes (
  falls_within text NOT NULL,
  month date NOT NULL CHECK (extract(day FROM month) = 1),
  crime_id text,
  reported_by text NOT NULL,
  longitude double precision CHECK (longitude BETWEEN -180 AND 180),
  latitude double precision CHECK (latitude BETWEEN -90 AND 90),
  location text,
  lsoa_code text,
  lsoa_name text,
  crime_type text NOT NULL,
  last_outcome text,
  context text,
  -- The run that loaded the row. No foreign key: its check, a lookup of open_data_imports for
  -- every row inserted, halved the load's speed on the server (37,000 rows/s against 70,000,
  -- bench/README.md), and runs are never deleted, so there is nothing for it to guard.
  import_id uuid NOT NULL
);
-- Replacing a month, and every profile's counts by area and month.
CREATE INDEX street_crimes_month_idx ON street_crimes (falls_within, month);
CREATE INDEX street_crimes_lsoa_idx ON street_crimes (lsoa_code, month, crime_type);

-- data.police.uk stop and search. The files name no force: the importer takes it from the file
-- name or the command line. A month of a force is replaced as a whole.
CREATE TABLE stop_searches (
  force text NOT NULL,
  month date NOT NULL CHECK (extract(day FROM month) = 1),
  searched_at timestamptz NOT NULL,
  search_type text NOT NULL,
  part_of_operation boolean,
  operation_name text,
  longitude double precision CHECK (longitude BETWEEN -180 AND 180),
  latitude double precision CHECK (latitude BETWEEN -90 AND 90),
  lsoa_code text,
  gender text,
  age_range text,
  self_defined_ethnicity text,
  officer_defined_ethnicity text,
  legislation text,
  object_of_search text,
  outcome text,
  outcome_linked_to_object boolean,
  removal_of_outer_clothing boolean,
  import_id uuid NOT NULL REFERENCES open_data_imports (id)
);
CREATE INDEX stop_searches_month_idx ON stop_searches (force, month);
CREATE INDEX stop_searches_lsoa_idx ON stop_searches (lsoa_code, month);

-- English Indices of Deprivation 2019 by 2011 LSOA: rank (1 is the most deprived of 32,844) and
-- decile (1 is the most deprived tenth) for the index and its seven domains, and the mid-2015
-- population denominators used for rates.
CREATE TABLE deprivation (
  lsoa_code text PRIMARY KEY,
  lsoa_name text NOT NULL,
  local_authority_code text,
  imd_rank integer CHECK (imd_rank BETWEEN 1 AND 32844),
  imd_decile smallint CHECK (imd_decile BETWEEN 1 AND 10),
  -- {"income": {"rank": 1, "decile": 1}, "employment": ..., "education": ..., "health": ...,
  --  "crime": ..., "barriers": ..., "living_environment": ...}
  domains jsonb NOT NULL DEFAULT '{}',
  population integer CHECK (population >= 0),
  population_0_15 integer,
  population_16_59 integer,
  population_60_plus integer,
  population_working_age integer,
  import_id uuid NOT NULL REFERENCES open_data_imports (id)
);

GRANT SELECT ON open_data_imports, areas, area_lsoas, area_parents, street_crimes, stop_searches, deprivation TO achilles_app;
GRANT INSERT, UPDATE, DELETE ON areas, area_lsoas TO achilles_app;
GRANT USAGE ON SEQUENCE custom_area_numbers TO achilles_app;
