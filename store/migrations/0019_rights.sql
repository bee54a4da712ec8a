-- A citizen's data rights. opted_out_at: since when they want no
-- proactive message (alerts, reminders, template notices); NULL when
-- they take them. data_requests: every use of a right (stop, start,
-- erase, export), for the operators' console and the audit; it holds the
-- number, as the consent ledger does, and nothing they wrote.
ALTER TABLE contacts ADD COLUMN opted_out_at timestamptz;

CREATE TABLE data_requests (
    id       bigserial PRIMARY KEY,
    wa_id    text NOT NULL,
    kind     text NOT NULL CHECK (kind IN ('stop', 'start', 'erase', 'export')),
    at       timestamptz NOT NULL DEFAULT now(),
    done_at  timestamptz
);
CREATE INDEX data_requests_at ON data_requests (at DESC);
