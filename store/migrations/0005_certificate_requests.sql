-- The hash of the issuance request a certificate came from: a replay with
-- the same idempotency key but another body is a conflict, not the first
-- certificate returned silently.
ALTER TABLE certificates ADD COLUMN request_hash text NOT NULL DEFAULT '';
