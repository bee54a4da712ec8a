-- The console: staff accounts and their sessions, what staff did, and
-- what mitra made of each message (for the live dashboard and the review
-- queue).

-- Staff accounts. Passwords are argon2id hashes in the PHC string format;
-- an officer belongs to one department, no other role does.
CREATE TABLE staff (
    id             bigserial PRIMARY KEY,
    username       text NOT NULL UNIQUE,
    display_name   text NOT NULL,
    role           text NOT NULL CHECK (role IN ('admin', 'operator', 'officer', 'editor', 'evaluator')),
    department     text,
    lang           text NOT NULL DEFAULT 'en' CHECK (lang IN ('en', 'te', 'hi')),
    password_hash  text NOT NULL,
    failed_logins  int NOT NULL DEFAULT 0,
    locked_until   timestamptz,
    disabled_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'officer') = (department IS NOT NULL))
);

-- Sessions, keyed by the SHA-256 of the cookie's token: a leaked table
-- opens no session. Each carries its CSRF token.
CREATE TABLE staff_sessions (
    token_hash  bytea PRIMARY KEY,
    staff_id    bigint NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    csrf        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);

-- Every staff action, whatever its outcome; username is kept as written
-- so a failed login for an unknown name is recorded too.
CREATE TABLE staff_audit (
    id        bigserial PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    staff_id  bigint REFERENCES staff (id) ON DELETE SET NULL,
    username  text NOT NULL,
    action    text NOT NULL,
    subject   text NOT NULL DEFAULT '',
    outcome   text NOT NULL DEFAULT 'ok'
);
CREATE INDEX staff_audit_at ON staff_audit (at);

-- Department API keys get an id the console can name them by.
ALTER TABLE api_keys ADD COLUMN id bigserial UNIQUE;

-- What mitra made of each processed message: no body and no number (the
-- body stays in inbound_messages, under its retention). The dashboard
-- reads these by time; a BRIN index stays small at tens of millions of
-- rows, which arrive in time order.
CREATE TABLE message_analyses (
    id             bigserial PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    wa_message_id  text NOT NULL,
    input          text NOT NULL,               -- text, voice, tap, media
    lang           text NOT NULL,
    script         text NOT NULL DEFAULT '',    -- native, romanized, mixed, latin ('' for taps)
    decision       text NOT NULL DEFAULT '',    -- direct, choose, menu ('' when nothing was matched)
    service        text NOT NULL DEFAULT '',
    department     text NOT NULL DEFAULT '',
    score          real NOT NULL DEFAULT 0,
    latency_ms     real NOT NULL DEFAULT 0
);
CREATE INDEX message_analyses_at ON message_analyses USING brin (at);
