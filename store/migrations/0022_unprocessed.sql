-- Inbound messages not yet answered, for the recovery sweep
-- (Store.SweepInbound): a plain message is answered in the lane of the
-- process that stored it, with no job, so a process that dies leaves its
-- lane's messages here. The index holds only unanswered rows, a handful at
-- any time.
CREATE INDEX inbound_messages_unprocessed ON inbound_messages (received_at) WHERE processed_at IS NULL;
