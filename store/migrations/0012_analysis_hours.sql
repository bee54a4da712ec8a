-- Hourly roll-ups of message_analyses for the dashboard's longer ranges:
-- a week is 168 hours of a few hundred rows each, not millions of
-- analyses. department '' counts every department. dim is total (key ''),
-- lang, script, input, decision, service or latency (key: the upper bound
-- of the latency bucket in milliseconds). rolled_until is the end of the
-- last hour rolled up.
CREATE TABLE analysis_hours (
    hour        timestamptz NOT NULL,
    department  text NOT NULL,
    dim         text NOT NULL,
    key         text NOT NULL,
    n           bigint NOT NULL,
    PRIMARY KEY (hour, department, dim, key)
);
CREATE TABLE analysis_rollup (
    one           boolean PRIMARY KEY DEFAULT true CHECK (one),
    rolled_until  timestamptz NOT NULL
);
