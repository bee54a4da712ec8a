-- QR-verified certificates and their transparency log.

-- Department API keys, stored as SHA-256 hashes: a leaked table holds no key.
CREATE TABLE api_keys (
    key_hash    bytea PRIMARY KEY,
    department  text NOT NULL,
    label       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

-- Every issuance API call, whatever its outcome.
CREATE TABLE api_audit (
    id          bigserial PRIMARY KEY,
    department  text NOT NULL,
    action      text NOT NULL,
    cert_id     text,
    status      int NOT NULL,
    detail      text NOT NULL DEFAULT '',
    at          timestamptz NOT NULL DEFAULT now()
);

-- The signing key when none is configured (development); production
-- passes MITRA_SIGNING_KEY.
CREATE TABLE signing_keys (
    key_id      text PRIMARY KEY,
    seed        bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE certificates (
    id               text PRIMARY KEY,
    department       text NOT NULL,
    service_id       text NOT NULL,
    wa_id            text NOT NULL,
    holder_name      text NOT NULL,
    lang             text NOT NULL,
    fields           jsonb NOT NULL,
    issued_on        date NOT NULL,
    office           text NOT NULL,
    validity         text NOT NULL DEFAULT '',
    key_id           text NOT NULL,
    qr_text          text NOT NULL,
    pdf              bytea NOT NULL,
    idempotency_key  text NOT NULL,
    revoked_at       timestamptz,
    revoke_reason    text,
    delivered_at     timestamptz,
    awaiting_reply   boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (department, idempotency_key)
);
CREATE INDEX certificates_wa_id ON certificates (wa_id);

-- The append-only log: one leaf per issuance or revocation.
CREATE TABLE log_leaves (
    idx         bigint PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('issue', 'revoke')),
    cert_id     text NOT NULL,
    leaf_hash   bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX log_leaves_cert ON log_leaves (cert_id);

-- Signed tree heads.
CREATE TABLE tree_heads (
    size        bigint PRIMARY KEY,
    root        bytea NOT NULL,
    ts          bigint NOT NULL,
    key_id      text NOT NULL,
    signature   text NOT NULL
);
