-- Telegram: short ids for button actions too long (or not ASCII) for callback_data's 64 bytes,
-- and the quiz polls the bot sent, so a poll_answer can be traced back to our question.

CREATE TABLE telegram_callbacks (
  id TEXT PRIMARY KEY,                   -- short id sent as callback_data ('~' + hash)
  action TEXT NOT NULL,                  -- the full action it stands for (content ids, no personal data)
  created_at TEXT NOT NULL
);

CREATE TABLE telegram_polls (
  poll_id TEXT PRIMARY KEY,              -- Telegram's poll id
  ref TEXT NOT NULL,                     -- our question ref (QuizPoll.ref)
  chat_id TEXT NOT NULL,                 -- where it was sent
  message_id INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX telegram_polls_ref ON telegram_polls (ref);
