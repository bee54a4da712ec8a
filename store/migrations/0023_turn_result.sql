-- What the citizen's last turn decided (Tx.TakeTurn): the statement that
-- locks the conversation takes the turn in the same write and returns
-- these, since PostgreSQL 15's RETURNING sees only the row as written,
-- not the bucket as it stood. One write of the row where there were two.
ALTER TABLE conversations
    ADD COLUMN turn_allowed boolean NOT NULL DEFAULT true,
    ADD COLUMN turn_notify boolean NOT NULL DEFAULT false;
