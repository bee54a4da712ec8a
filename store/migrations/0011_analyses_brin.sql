-- The BRIN index on message_analyses(at) summarises each new block range
-- as it fills (autosummarize), rather than at the next vacuum: an
-- unsummarised range is read whatever the time asked for, and a busy
-- table would otherwise have many.
ALTER INDEX message_analyses_at SET (autosummarize = on);
