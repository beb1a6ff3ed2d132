-- Admin: unanswered questions linked to the Q&A draft written for them, and the notifications
-- sent to the citizens who asked once that Q&A was approved.

CREATE TABLE unanswered_drafts (
  unanswered_id INTEGER PRIMARY KEY REFERENCES unanswered(id) ON DELETE CASCADE,
  qa_id TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX unanswered_drafts_qa ON unanswered_drafts (qa_id);

CREATE TABLE answer_notifications (
  id INTEGER PRIMARY KEY,
  unanswered_id INTEGER NOT NULL REFERENCES unanswered(id) ON DELETE CASCADE,
  person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
  channel TEXT NOT NULL,
  qa_id TEXT NOT NULL,
  result TEXT NOT NULL,                  -- ok | outsideWindow | gone | failed | retryAfter | skipped
  reason TEXT,
  at TEXT NOT NULL,
  UNIQUE (unanswered_id)
);
