-- Core tables: people (one row per channel identity), the message log, unanswered questions.

CREATE TABLE people (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,                 -- web | telegram | zalo
  external_id TEXT NOT NULL,             -- platform id as text (Zalo ids exceed 2^53)
  display_name TEXT,
  status TEXT NOT NULL DEFAULT 'active', -- active | gone
  gone_reason TEXT,
  region TEXT,                           -- region slug chosen by the person
  consent_at TEXT,                       -- when the person consented to receive campaigns
  opted_out_at TEXT,                     -- when the person unsubscribed (/huy, HUY, STOP)
  pending_choices TEXT,                  -- JSON: the actions of the last numbered choices shown
  state TEXT,                            -- JSON: small conversation state (e.g. a pending /xoadulieu)
  created_at TEXT NOT NULL,
  last_interaction_at TEXT,
  UNIQUE (channel, external_id)
);

CREATE TABLE subscriptions (
  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  topic TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (person_id, topic)
);

-- Inbound and outbound messages. An inbound row is written (with its dedupe key) before a
-- webhook is acknowledged; processed_at is set once its replies were handled.
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
  direction TEXT NOT NULL,               -- in | out
  dedupe_key TEXT,                       -- channel-unique key of an inbound event
  kind TEXT NOT NULL,                    -- text | action | quizAnswer | follow | … | reply
  text TEXT,
  payload TEXT,                          -- JSON of the whole event or reply
  created_at TEXT NOT NULL,
  processed_at TEXT,
  error TEXT
);
CREATE UNIQUE INDEX messages_dedupe ON messages (channel, dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX messages_unprocessed ON messages (direction, processed_at) WHERE processed_at IS NULL;
CREATE INDEX messages_created ON messages (created_at);

-- Every question the knowledge base could not answer, for staff.
CREATE TABLE unanswered (
  id INTEGER PRIMARY KEY,
  person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
  channel TEXT NOT NULL,
  question TEXT NOT NULL,
  normalized TEXT NOT NULL,
  suggestions TEXT,                      -- JSON ids offered
  status TEXT NOT NULL DEFAULT 'open',   -- open | answered | dismissed
  answer_id TEXT,                        -- the Q&A id that later answered it
  created_at TEXT NOT NULL,
  resolved_at TEXT
);
CREATE INDEX unanswered_status ON unanswered (status, created_at);

-- Every question asked, answered or not, for reports (no personal data beyond the link).
CREATE TABLE questions (
  id INTEGER PRIMARY KEY,
  person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
  channel TEXT NOT NULL,
  answered INTEGER NOT NULL,             -- 1 answered, 0 not
  answer_id TEXT,
  topics TEXT,                           -- JSON topic slugs of the answer
  score REAL,
  created_at TEXT NOT NULL
);
CREATE INDEX questions_created ON questions (created_at);
