-- The messages of one purpose, found by their ref: a rumour case's outcome messages carry
-- 'disinfo:<case id>' (admin/disinfo.ts), so the case page can say how many reached their
-- reporters, wait, or could not be sent. Most rows have no ref: the index holds only those that do.
CREATE INDEX sends_ref ON sends (ref) WHERE ref IS NOT NULL;
