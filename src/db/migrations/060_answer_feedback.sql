-- "Có hữu ích không?": the answers the bot chose for free-text questions, the citizen's 👍/👎,
-- and the staff-queue item raised when an answer looks wrong.
--
-- answer_feedback: one row per answered question. The feedback buttons carry `ref`, a short
-- id derived from the inbound event, because the reply is built before this row is committed
-- (the turn's writes join the group commit), so the row id is not known yet. The question text
-- is kept so that a 👎 or a re-ask can show staff what was asked; it is erased with the person.
CREATE TABLE answer_feedback (
  id INTEGER PRIMARY KEY,
  ref TEXT NOT NULL UNIQUE,
  person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
  channel TEXT NOT NULL,
  question TEXT NOT NULL,                -- as the citizen wrote it
  normalized TEXT NOT NULL,              -- as the search saw it (greeting stripped)
  answer_id TEXT NOT NULL,               -- Q&A id or passage id (article#n)
  answer_title TEXT,
  confidence REAL,
  created_at TEXT NOT NULL,
  vote TEXT,                             -- up | down | NULL (no feedback)
  voted_at TEXT,
  unanswered_id INTEGER REFERENCES unanswered(id) ON DELETE SET NULL -- set once sent to staff
);
CREATE INDEX answer_feedback_person ON answer_feedback (person_id, created_at);

-- The staff queue now also holds answered questions that may have been answered wrongly.
ALTER TABLE unanswered ADD COLUMN kind TEXT NOT NULL DEFAULT 'unanswered'; -- unanswered | maybe_wrong
ALTER TABLE unanswered ADD COLUMN reason TEXT;             -- maybe_wrong: feedback (a 👎) | reask
ALTER TABLE unanswered ADD COLUMN given_answer_id TEXT;    -- the entry the bot answered with
ALTER TABLE unanswered ADD COLUMN given_answer_title TEXT;
ALTER TABLE unanswered ADD COLUMN given_answer_text TEXT;  -- as served when it was flagged
ALTER TABLE unanswered ADD COLUMN followup TEXT;           -- reask: how the person asked again
CREATE INDEX unanswered_kind ON unanswered (kind, status, created_at);
