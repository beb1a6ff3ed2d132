-- The one send queue (src/sender/sender.ts). Every message to one person that is not a campaign
-- delivery or an answer notice (those keep their own rows, `deliveries` and `answer_notices`,
-- which staff read per campaign and per asker) is a row here: replies, quiz pushes, and what a
-- channel that cannot be pushed to (the web chat) keeps until the visitor comes back.
--
-- pending -> sending (claimed and committed right before the send) -> sent | gone |
--   outside_window | failed | expired (its TTL ran out while retrying); pending again on retry;
-- held: kept for a channel without push, delivered when the person comes back (-> sent);
-- sending rows found at start-up (a crash) -> unknown, reported, never re-sent.
CREATE TABLE sends (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
  recipient TEXT,                        -- chat id on the channel; NULL once the person is erased
  kind TEXT NOT NULL,                    -- reply | quiz | notice
  ref TEXT,                              -- what it belongs to: 'notice:<id>' (answer notice held for the web)
  reply TEXT NOT NULL,                   -- JSON Reply
  status TEXT NOT NULL DEFAULT 'pending',
  mark_gone INTEGER NOT NULL DEFAULT 1,  -- 0 in group chats: a 403 there is about the group, not the person
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  expires_at TEXT NOT NULL,              -- retried until then (replies: a few minutes)
  message_id TEXT,
  reason TEXT,
  created_at TEXT NOT NULL,
  claimed_at TEXT,
  finished_at TEXT
);
CREATE INDEX sends_open ON sends (channel, status, id) WHERE status IN ('pending', 'sending');
CREATE INDEX sends_held ON sends (person_id) WHERE status = 'held';

-- Every send attempt of every lane: what was tried, when, and what the platform said.
CREATE TABLE send_attempts (
  id INTEGER PRIMARY KEY,
  lane TEXT NOT NULL,                    -- sends | notice | delivery
  row_id INTEGER NOT NULL,               -- sends.id | answer_notices.id | deliveries.id
  channel TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  result TEXT NOT NULL,                  -- ok | retryAfter | gone | outsideWindow | failed
  detail TEXT,                           -- reason, retry delay, or the platform's message id
  at TEXT NOT NULL
);
CREATE INDEX send_attempts_row ON send_attempts (lane, row_id);
