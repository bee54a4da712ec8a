-- When the citizen last wrote in a handover, kept on the handover (the
-- processing transaction notes it), rather than found by scanning their
-- messages: WhatsApp's 24-hour window runs from it.
ALTER TABLE handovers ADD COLUMN citizen_at timestamptz NOT NULL DEFAULT now();

-- A handover's history is a citizen's messages both ways: read by
-- citizen, newest first.
CREATE INDEX inbound_messages_from ON inbound_messages (wa_from, received_at);
CREATE INDEX outbox_to ON outbox (wa_to, created_at);
