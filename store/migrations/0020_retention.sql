-- Retention (store/retention.go): the daily sweep finds what has outlived
-- its period through these partial indexes, so that each batch reads only
-- rows still to be cleared however large the tables grow.
CREATE INDEX inbound_messages_unredacted ON inbound_messages (received_at) WHERE NOT (message ? 'redacted');
CREATE INDEX outbox_unredacted ON outbox (created_at) WHERE NOT (payload ? 'redacted');
CREATE INDEX message_statuses_received ON message_statuses USING brin (received_at);
CREATE INDEX attachments_unfiled ON attachments (created_at) WHERE application_id IS NULL;
CREATE INDEX flow_tokens_unused ON flow_tokens (created_at) WHERE application_id IS NULL;
CREATE INDEX api_audit_at ON api_audit (at);
CREATE INDEX data_requests_retention ON data_requests (at);
CREATE INDEX contacts_named ON contacts (updated_at) WHERE name <> '';
CREATE INDEX staff_sessions_expiry ON staff_sessions (expires_at);
CREATE INDEX applications_finished ON applications (updated_at) WHERE status IN ('issued', 'rejected', 'closed');
