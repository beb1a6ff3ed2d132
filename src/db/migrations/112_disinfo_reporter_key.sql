-- Who a report counts as, for a case's reporter count (docs/disinformation.md §2). A Telegram or
-- Zalo account is one person: 'p:<person id>'. A web chat visitor is a new session id whenever
-- they (or a script) want one, so one script could make a case look reported by 500 people; a web
-- report counts as its network source instead: 'w:<digest>', a short keyed digest of the address
-- it came from (web_source_key below; never the address itself). Reports of one case with the
-- same key count once. Reports made before this migration count per person, as they did.
ALTER TABLE disinfo_reports ADD COLUMN reporter_key TEXT;
UPDATE disinfo_reports SET reporter_key = 'p:' || person_id WHERE person_id IS NOT NULL;
CREATE INDEX disinfo_reports_case_reporter ON disinfo_reports (case_id, reporter_key);

-- The key of the web sources' digests: random per database, made here once. Without it the
-- digest of an IPv4 address could be recomputed from the address by anyone.
CREATE TABLE web_source_key (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  secret TEXT NOT NULL
);
INSERT INTO web_source_key (id, secret) VALUES (1, lower(hex(randomblob(32))));
