-- Quizzes and contests: self-paced attempts in private chats, and live group quizzes.

-- One attempt of one person at one contest. Registration data (name, unit, phone) is personal
-- and erased on /xoadulieu; scores and timings stay for anonymous statistics.
CREATE TABLE quiz_attempts (
  id INTEGER PRIMARY KEY,
  contest_id TEXT NOT NULL,
  person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
  channel TEXT NOT NULL,
  attempt_no INTEGER NOT NULL,          -- 1 for the first attempt of this person at this contest
  status TEXT NOT NULL,                 -- registering | answering | predicting | done | closed | cancelled
  step TEXT,                            -- while registering: consent | name | unit | phone | ready
  name TEXT,
  unit TEXT,
  phone TEXT,                           -- normalised 0xxxxxxxxx
  consent_at TEXT,
  question_count INTEGER NOT NULL DEFAULT 0,
  current INTEGER NOT NULL DEFAULT 0,   -- index (0-based) of the question being asked
  score INTEGER NOT NULL DEFAULT 0,
  correct_count INTEGER NOT NULL DEFAULT 0,
  total_ms INTEGER NOT NULL DEFAULT 0,  -- time spent answering, measured by the server
  prediction INTEGER,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  UNIQUE (contest_id, person_id, attempt_no)
);
CREATE INDEX quiz_attempts_person ON quiz_attempts (person_id, status);
CREATE INDEX quiz_attempts_contest ON quiz_attempts (contest_id, status);
CREATE INDEX quiz_attempts_phone ON quiz_attempts (contest_id, phone) WHERE phone IS NOT NULL;

-- The questions drawn for one attempt, in the order asked, with the option shuffle. The
-- primary key makes an answer idempotent: a question is answered at most once.
CREATE TABLE quiz_attempt_questions (
  attempt_id INTEGER NOT NULL REFERENCES quiz_attempts(id) ON DELETE CASCADE,
  n INTEGER NOT NULL,                   -- 0-based position in the attempt
  question_id TEXT NOT NULL,
  perm TEXT NOT NULL,                   -- JSON: shown position -> option index in the file
  correct INTEGER NOT NULL,             -- shown position of the right option
  time_limit INTEGER NOT NULL,          -- seconds
  sent_at TEXT,                         -- when the question was shown: the clock starts
  answered_at TEXT,
  chosen INTEGER,                       -- shown position chosen; NULL when time ran out
  is_correct INTEGER,
  late INTEGER,
  points INTEGER,
  elapsed_ms INTEGER,
  PRIMARY KEY (attempt_id, n)
);

-- A live quiz in a group chat, run by an organiser. `due_at` is when the next step (post the
-- next question, close the current one) is due, so a restart picks up where it stopped.
CREATE TABLE quiz_live_sessions (
  id INTEGER PRIMARY KEY,
  contest_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  chat_id TEXT NOT NULL,
  started_by TEXT NOT NULL,
  status TEXT NOT NULL,                 -- running | done | stopped
  plan TEXT NOT NULL,                   -- JSON: [{questionId, perm, correct, timeLimit}]
  current INTEGER NOT NULL DEFAULT -1,  -- question being asked or last asked; -1 before the first
  phase TEXT NOT NULL,                  -- waiting (next question due) | asking (poll open)
  question_sent_at TEXT,
  due_at TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE UNIQUE INDEX quiz_live_one_per_chat ON quiz_live_sessions (channel, chat_id) WHERE status = 'running';

-- Members' answers in a live quiz: at most one per member per question.
CREATE TABLE quiz_live_answers (
  session_id INTEGER NOT NULL REFERENCES quiz_live_sessions(id) ON DELETE CASCADE,
  n INTEGER NOT NULL,
  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  chosen INTEGER NOT NULL,
  is_correct INTEGER NOT NULL,
  points INTEGER NOT NULL,
  elapsed_ms INTEGER NOT NULL,
  answered_at TEXT NOT NULL,
  PRIMARY KEY (session_id, n, person_id)
);
