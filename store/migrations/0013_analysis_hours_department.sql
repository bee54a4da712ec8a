-- The dashboard reads one department's (or all departments', '') hours:
-- by department first, so a week does not walk every department's rows.
CREATE INDEX analysis_hours_department ON analysis_hours (department, hour);
