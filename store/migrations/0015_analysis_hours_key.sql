-- analysis_hours is read one scope at a time (all departments, a
-- department, a district) over a range of hours: its key leads with the
-- scope, so a week's read walks that scope's rows only, not every
-- scope's rows of those hours. The index that tried to do this beside the
-- old key is no longer needed.
ALTER TABLE analysis_hours DROP CONSTRAINT analysis_hours_pkey;
ALTER TABLE analysis_hours ADD PRIMARY KEY (department, hour, dim, key);
DROP INDEX analysis_hours_department;
