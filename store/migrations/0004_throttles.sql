-- Throttles that hold across replicas.

-- A token bucket per citizen, on the conversation row that processing
-- locks anyway: above the rate, messages are stored but not answered, with
-- one "please wait" per window.
ALTER TABLE conversations
    ADD COLUMN bucket_tokens double precision,
    ADD COLUMN bucket_at timestamptz,
    ADD COLUMN throttle_notice_at timestamptz;

-- Send rate per business number, shared by every process: each send
-- reserves a slot; a negative balance is the wait before it.
CREATE TABLE send_limits (
    key     text PRIMARY KEY,
    tokens  double precision NOT NULL,
    at      timestamptz NOT NULL
);
