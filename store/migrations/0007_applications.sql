-- Applications and grievances made in the chat (issue 11): consent first,
-- then the record with its answers, attachments and status history.

-- A citizen's answer to a purpose-specific notice (DPDP Act 2023, s. 6).
CREATE TABLE consents (
    id              bigserial PRIMARY KEY,
    wa_id           text NOT NULL,
    service_id      text NOT NULL,
    notice_version  text NOT NULL,
    channel         text NOT NULL,
    agreed          boolean NOT NULL,
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consents_citizen ON consents (wa_id, at);

CREATE TABLE applications (
    id              bigserial PRIMARY KEY,
    ref             text NOT NULL UNIQUE,
    kind            text NOT NULL CHECK (kind IN ('application', 'grievance')),
    department      text NOT NULL,
    service_id      text NOT NULL,
    wa_id           text NOT NULL,
    lang            text NOT NULL,
    channel         text NOT NULL,
    -- The inbound message that confirmed it, or the Flow's token: a
    -- submission processed twice makes one record.
    submission_key  text NOT NULL UNIQUE,
    consent_id      bigint REFERENCES consents (id),
    status          text NOT NULL,
    answers         jsonb NOT NULL,
    question        text NOT NULL DEFAULT '',
    due_at          timestamptz,
    -- The service's time to deliver, for the new due date a reopened
    -- grievance gets; escalated_at stops a grievance being escalated twice
    -- for the same delay.
    sla             interval,
    escalated_at    timestamptz,
    rating          int CHECK (rating BETWEEN 1 AND 5),
    certificate_id  text,
    resolved_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX applications_department ON applications (department, id);
CREATE INDEX applications_citizen ON applications (wa_id, id);
CREATE INDEX applications_overdue ON applications (due_at) WHERE kind = 'grievance' AND escalated_at IS NULL AND status IN ('submitted', 'accepted', 'reopened');

-- Every status change, with who made it and why; notified_at is set once
-- the citizen has been told.
CREATE TABLE application_events (
    id              bigserial PRIMARY KEY,
    application_id  bigint NOT NULL REFERENCES applications (id),
    status          text NOT NULL,
    actor           text NOT NULL,
    note            text NOT NULL DEFAULT '',
    at              timestamptz NOT NULL DEFAULT now(),
    notified_at     timestamptz
);
CREATE INDEX application_events_record ON application_events (application_id, id);

-- Photos, documents and locations. A file arrives before its form is
-- submitted, so it is kept by the inbound message that brought it and
-- linked to the record on submission.
CREATE TABLE attachments (
    id              bigserial PRIMARY KEY,
    wa_id           text NOT NULL,
    inbound_id      text UNIQUE,
    application_id  bigint REFERENCES applications (id),
    field           text NOT NULL DEFAULT '',
    mime            text NOT NULL,
    name            text NOT NULL DEFAULT '',
    size            int NOT NULL,
    data            bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_record ON attachments (application_id);

-- A Flow's token, bound to the citizen and the service's draft: it is used
-- once, and answers collected screen by screen live here until submission.
CREATE TABLE flow_tokens (
    token           text PRIMARY KEY,
    wa_id           text NOT NULL,
    service_id      text NOT NULL,
    lang            text NOT NULL,
    answers         jsonb NOT NULL DEFAULT '{}',
    consent_id      bigint REFERENCES consents (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    used_at         timestamptz,
    application_id  bigint REFERENCES applications (id)
);

-- A department's own system, told of new records by a signed webhook.
CREATE TABLE department_webhooks (
    department  text PRIMARY KEY,
    url         text NOT NULL,
    secret      text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The audit trail now covers records as well as certificates.
ALTER TABLE api_audit RENAME COLUMN cert_id TO subject;

-- Drafts that wait on a citizen, so the reminder and expiry sweep finds
-- them without reading every conversation.
ALTER TABLE conversations ADD COLUMN draft_touched_at timestamptz;
ALTER TABLE conversations ADD COLUMN draft_reminded boolean NOT NULL DEFAULT false;
CREATE INDEX conversations_drafts ON conversations (draft_touched_at) WHERE draft_touched_at IS NOT NULL;
