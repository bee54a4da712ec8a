-- A record's district, from its PIN code as the citizen's is (India
-- Post's sorting district): the desk and the dashboard's open records are
-- narrowed by it. Records from before it have none.
ALTER TABLE applications ADD COLUMN district text NOT NULL DEFAULT '';
CREATE INDEX applications_open_district ON applications (district, department) WHERE district <> '';
