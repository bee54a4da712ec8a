-- The message template registry: each template of the catalogue's
-- templates/ folder in each language, with Meta's verdict on it. A
-- template may be sent only while Meta has it APPROVED in that language;
-- the sync and the status webhooks keep the verdict current.
CREATE TABLE wa_templates (
    name          text NOT NULL,
    lang          text NOT NULL,              -- WhatsApp's code: te, hi, en_US
    use           text NOT NULL,              -- notice, handover, alert
    category      text NOT NULL,              -- as submitted
    meta_category text NOT NULL DEFAULT '',   -- as Meta files it, once known
    -- DRAFT until submitted, then Meta's: PENDING, APPROVED, REJECTED,
    -- PAUSED, DISABLED, ...
    status        text NOT NULL DEFAULT 'DRAFT',
    meta_id       text NOT NULL DEFAULT '',
    reason        text NOT NULL DEFAULT '',
    body          text NOT NULL,
    params        int NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, lang)
);
