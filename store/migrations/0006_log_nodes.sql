-- The transparency log as its perfect subtrees' hashes (RFC 6962), written
-- as each leaf is appended (certs.AppendNodes), so that a root or a proof
-- reads a few dozen rows, never the whole log.
CREATE TABLE log_nodes (
    level  smallint NOT NULL,
    idx    bigint NOT NULL,
    hash   bytea NOT NULL,
    PRIMARY KEY (level, idx)
);

-- Logs written before this change: their leaves are the level-0 nodes,
-- and each level above hashes pairs of the one below (RFC 6962:
-- SHA-256 of 0x01, left, right) until no pair is left.
INSERT INTO log_nodes (level, idx, hash) SELECT 0, idx, leaf_hash FROM log_leaves;
DO $$
DECLARE
    lvl int := 0;
    added bigint;
BEGIN
    LOOP
        INSERT INTO log_nodes (level, idx, hash)
        SELECT lvl + 1, l.idx / 2, sha256('\x01'::bytea || l.hash || r.hash)
        FROM log_nodes l JOIN log_nodes r ON r.level = lvl AND r.idx = l.idx + 1
        WHERE l.level = lvl AND l.idx % 2 = 0;
        GET DIAGNOSTICS added = ROW_COUNT;
        EXIT WHEN added = 0;
        lvl := lvl + 1;
    END LOOP;
END $$;
