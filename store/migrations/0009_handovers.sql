-- Human handover: a citizen asks for a person (or an officer takes the
-- conversation); while a handover is open the bot stays quiet. One open
-- handover per citizen. department '' is the general queue.
CREATE TABLE handovers (
    id            bigserial PRIMARY KEY,
    wa_id         text NOT NULL,
    department    text NOT NULL DEFAULT '',
    lang          text NOT NULL,
    status        text NOT NULL CHECK (status IN ('waiting', 'active', 'closed')),
    requested_at  timestamptz NOT NULL DEFAULT now(),
    taken_by      bigint REFERENCES staff (id) ON DELETE SET NULL,
    taken_at      timestamptz,
    -- The last message either way, for the idle timeout.
    last_at       timestamptz NOT NULL DEFAULT now(),
    replies       int NOT NULL DEFAULT 0,
    closed_at     timestamptz,
    closed_by     text CHECK (closed_by IN ('citizen', 'officer', 'timeout'))
);
CREATE UNIQUE INDEX handovers_open ON handovers (wa_id) WHERE status <> 'closed';
CREATE INDEX handovers_queue ON handovers (department, requested_at) WHERE status <> 'closed';

-- The outbox now also carries what staff send in a handover, under a key
-- of the handover's own ("handover:<id>:<n>") rather than an inbound
-- message's id; its rows keep the inbound id when they answer one.
ALTER TABLE outbox DROP CONSTRAINT outbox_inbound_id_fkey;
