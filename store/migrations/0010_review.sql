-- The review queue: messages mitra did not place (the menu, a "which of
-- these?") are grouped by what they have in common, and content editors
-- act on a group once.

-- group_key is a hash of the message's sorted content keys: messages that
-- say the same thing share it, and it cannot be read back into words.
-- candidates are the ids offered, best first.
ALTER TABLE message_analyses ADD COLUMN group_key text NOT NULL DEFAULT '';
ALTER TABLE message_analyses ADD COLUMN candidates text NOT NULL DEFAULT '';

-- What an editor did with a group: proposed an alias (a catalogue change
-- for review), proposed an eval case, or marked it out of scope. A
-- group acted on leaves the queue.
CREATE TABLE review_actions (
    id         bigserial PRIMARY KEY,
    group_key  text NOT NULL,
    action     text NOT NULL CHECK (action IN ('alias', 'eval', 'oos')),
    service    text NOT NULL DEFAULT '',
    text       text NOT NULL,
    lang       text NOT NULL,
    script     text NOT NULL DEFAULT '',
    staff_id   bigint REFERENCES staff (id) ON DELETE SET NULL,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX review_actions_group ON review_actions (group_key);
