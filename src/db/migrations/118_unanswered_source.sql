-- The web source (a short keyed digest of the address, db/web-source.ts; never the address) an
-- unanswered question came from, and the index that counts a person's and a source's open
-- questions of the last day: the staff queue caps both (db/questions.ts queueRoom), so one
-- address making web chat visitors by the hundred cannot drown real questions in junk.
ALTER TABLE unanswered ADD COLUMN source TEXT;
CREATE INDEX unanswered_source_open ON unanswered (source, created_at) WHERE status = 'open' AND source IS NOT NULL;
