-- Stored rows get their own JSON names, apart from Go field names.

-- A spoken reply is an outbox row of its own kind, not a made-up field in
-- a Cloud API message: rows queued before this change carried it as
-- "mitra_speak" inside the payload.
ALTER TABLE outbox ADD COLUMN kind text NOT NULL DEFAULT 'message' CHECK (kind IN ('message', 'speech'));
UPDATE outbox SET kind = 'speech',
    payload = jsonb_build_object('text', payload->'mitra_speak'->'text', 'lang', payload->'mitra_speak'->'lang')
    WHERE payload ? 'mitra_speak';

-- Inbound messages were stored under whatsapp.Message's Go field names;
-- store/messages.go's inboundRecord names them now.
UPDATE inbound_messages SET message = jsonb_strip_nulls(jsonb_build_object(
    'id', message->'ID', 'from', message->'From', 'name', message->'Name',
    'phone_number_id', message->'PhoneNumberID', 'time', message->'Time', 'type', message->'Type',
    'text', message->'Text', 'option_id', message->'OptionID', 'reply_to', message->'ReplyTo',
    'media', CASE WHEN jsonb_typeof(message->'Media') = 'object' THEN jsonb_build_object(
        'id', message->'Media'->'ID', 'mime_type', message->'Media'->'MIMEType',
        'sha256', message->'Media'->'SHA256', 'voice', message->'Media'->'Voice') END))
    WHERE message ? 'ID';
