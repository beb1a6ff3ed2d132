-- Pending changes to approved content, and the answer notices sent through the outbox.
--
-- content_revisions: an edit of an approved Q&A or article (or a question attached to it as a
-- new wording) is kept here, beside the approved file, until another person approves it; only
-- then does it replace the file. The approved file keeps serving meanwhile. One open revision
-- per entry: later edits and attachments change that revision instead of starting another.

CREATE TABLE content_revisions (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,                    -- qa | article
  entry_id TEXT NOT NULL,
  file TEXT NOT NULL,                    -- content-relative path of the approved file it replaces
  base_hash TEXT NOT NULL,               -- sha256 of that file when the revision started
  text TEXT NOT NULL,                    -- the whole proposed file (front matter + body)
  status TEXT NOT NULL DEFAULT 'pending',-- pending | approved | rejected
  editors TEXT NOT NULL,                 -- JSON usernames who changed it: none of them may approve it
  question_ids TEXT NOT NULL DEFAULT '[]', -- JSON unanswered ids attached through it
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  decided_by TEXT,
  decided_at TEXT,
  note TEXT                              -- why it was rejected, for staff
);
CREATE UNIQUE INDEX content_revisions_open ON content_revisions (kind, entry_id) WHERE status = 'pending';
CREATE INDEX content_revisions_entry ON content_revisions (kind, entry_id, id);

-- answer_notices: "your question now has an answer", one row per unanswered question, sent by
-- the outbox workers through the channel throttles like campaign deliveries (same claim,
-- record, crash and retry rules). The row is also the per-asker record staff see.
CREATE TABLE answer_notices (
  id INTEGER PRIMARY KEY,
  unanswered_id INTEGER NOT NULL REFERENCES unanswered(id) ON DELETE CASCADE,
  person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
  channel TEXT NOT NULL,
  recipient TEXT,                        -- external id when queued
  entry_id TEXT NOT NULL,                -- the Q&A that answered it
  revision_id INTEGER REFERENCES content_revisions(id) ON DELETE SET NULL,
  reply TEXT NOT NULL,                   -- JSON Reply, as approved
  -- pending -> sending -> sent | gone | outside_window | failed; pending again on retry;
  -- sending at start-up -> unknown; unreachable (web chat: no push) and skipped are final at once.
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  message_id TEXT,
  reason TEXT,
  created_at TEXT NOT NULL,
  claimed_at TEXT,
  finished_at TEXT,
  UNIQUE (unanswered_id)
);
CREATE INDEX answer_notices_claim ON answer_notices (channel, status, id);
CREATE INDEX answer_notices_entry ON answer_notices (entry_id, id);

-- The results recorded before the outbox sent notices (051) become history rows here, so
-- staff see one list per Q&A. answer_notifications is no longer written.
INSERT OR IGNORE INTO answer_notices (unanswered_id, person_id, channel, entry_id, reply, status, reason, created_at, finished_at)
SELECT unanswered_id, person_id, channel, qa_id, '{"text":""}',
       CASE result WHEN 'ok' THEN 'sent' WHEN 'outsideWindow' THEN 'outside_window' WHEN 'gone' THEN 'gone'
                   WHEN 'skipped' THEN 'skipped' ELSE 'failed' END,
       reason, at, at
  FROM answer_notifications;
