-- mitra's schema. Numbered files are applied once each, in order, in a
-- transaction; a shipped file is never edited, a new one is added.
CREATE EXTENSION IF NOT EXISTS vector;

-- Citizens, keyed on their WhatsApp id (phone number, or the business-scoped
-- user id of a username adopter).
CREATE TABLE contacts (
    wa_id       text PRIMARY KEY,
    name        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Conversation state (dialog.State as JSON), one row per citizen.
CREATE TABLE conversations (
    wa_id       text PRIMARY KEY,
    state       jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Every inbound message once: the WhatsApp message id is the dedupe key,
-- so a webhook delivered twice inserts once.
CREATE TABLE inbound_messages (
    wa_message_id    text PRIMARY KEY,
    wa_from          text NOT NULL,
    phone_number_id  text NOT NULL DEFAULT '',
    type             text NOT NULL,
    message          jsonb NOT NULL,
    sent_at          timestamptz,
    received_at      timestamptz NOT NULL DEFAULT now(),
    processed_at     timestamptz
);

-- Replies waiting to be sent, written in the same transaction as the new
-- conversation state. (inbound_id, seq) makes processing an inbound
-- message twice a no-op.
CREATE TABLE outbox (
    id             bigserial PRIMARY KEY,
    inbound_id     text NOT NULL REFERENCES inbound_messages (wa_message_id),
    seq            int NOT NULL,
    wa_to          text NOT NULL,
    payload        jsonb NOT NULL,
    status         text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'sending', 'sent', 'delivered', 'read', 'played', 'failed')),
    wa_message_id  text UNIQUE,
    attempts       int NOT NULL DEFAULT 0,
    error_code     int,
    last_error     text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    sent_at        timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (inbound_id, seq)
);
CREATE INDEX outbox_pending ON outbox (created_at) WHERE status IN ('pending', 'sending');

-- Delivery statuses from the webhook, each (message, status) once.
CREATE TABLE message_statuses (
    wa_message_id  text NOT NULL,
    status         text NOT NULL,
    status_at      timestamptz,
    error_code     int,
    error_title    text,
    received_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (wa_message_id, status)
);

-- Catalogue vectors for the pgvector index, per embedding model. Models
-- differ in dimensions, so the column is untyped and each model gets its
-- own partial HNSW index on a cast to its dimension (see store/vectors.go).
CREATE TABLE catalogue_vectors (
    model       text NOT NULL,
    service_id  text NOT NULL,
    embedding   vector NOT NULL,
    PRIMARY KEY (model, service_id)
);
