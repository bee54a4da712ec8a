-- Alerts and campaigns (store/campaigns.go).
--
-- alert_subscriptions: a citizen's opt-in to a topic's alerts for a
-- district ('' for the whole state), one row a channel: a WhatsApp opt-in
-- (a tap in the chat) and a web opt-in (the state's portal, through the
-- API) are separate facts. Withdrawn rows stay, as the record of the
-- withdrawal; STOP (contacts.opted_out_at) overrides them all.
CREATE TABLE alert_subscriptions (
    wa_id          text NOT NULL,
    topic          text NOT NULL,
    channel        text NOT NULL CHECK (channel IN ('whatsapp', 'web')),
    district       text NOT NULL DEFAULT '',
    lang           text NOT NULL DEFAULT '',
    subscribed_at  timestamptz NOT NULL DEFAULT now(),
    withdrawn_at   timestamptz,
    PRIMARY KEY (wa_id, topic, channel)
);
CREATE INDEX alert_subscriptions_audience ON alert_subscriptions (topic, wa_id) WHERE withdrawn_at IS NULL;

-- campaigns: one alert to an audience. params are the template's
-- parameters in each language ({"te": [...], "hi": [...], "en": [...]});
-- fan_cursor is the last citizen fanned out, so that a restart carries on
-- from there.
CREATE TABLE campaigns (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL,
    template      text NOT NULL,
    params        jsonb NOT NULL,
    topic         text NOT NULL,
    districts     text[] NOT NULL DEFAULT '{}',
    langs         text[] NOT NULL DEFAULT '{}',
    service       text NOT NULL DEFAULT '',
    status        text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'running', 'paused', 'done', 'cancelled')),
    scheduled_at  timestamptz NOT NULL DEFAULT now(),
    fan_cursor    text NOT NULL DEFAULT '',
    fanned_out    boolean NOT NULL DEFAULT false,
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    finished_at   timestamptz
);

-- campaign_messages: the campaign's own outbox, a row a recipient (the
-- primary key is what makes "never twice" hold through a restart). No
-- payload is kept: each message is made at sending from the campaign's
-- template and the row's language, which keeps a crore of recipients to
-- a few gigabytes.
CREATE TABLE campaign_messages (
    campaign_id    bigint NOT NULL REFERENCES campaigns (id),
    wa_id          text NOT NULL,
    lang           text NOT NULL,
    status         text NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'skipped')),
    attempts       smallint NOT NULL DEFAULT 0,
    wa_message_id  text,
    error_code     int,
    category       text,
    billable       boolean,
    claimed_at     timestamptz,
    PRIMARY KEY (campaign_id, wa_id)
);
CREATE INDEX campaign_messages_queued ON campaign_messages (campaign_id, wa_id) WHERE status = 'queued';
CREATE INDEX campaign_messages_sending ON campaign_messages (campaign_id, claimed_at) WHERE status = 'sending';
CREATE UNIQUE INDEX campaign_messages_wamid ON campaign_messages (wa_message_id);

-- messaging_quota: business-initiated sends a minute, for the portfolio's
-- daily limit (unique users in a rolling 24 hours; counting sends, not
-- unique users, errs on the safe side).
CREATE TABLE messaging_quota (
    minute  timestamptz PRIMARY KEY,
    n       bigint NOT NULL
);
