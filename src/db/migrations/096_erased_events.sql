-- The inbound events of people erased at their request, kept as a hash of their dedupe key for
-- a week: a platform that delivers one of them again (Zalo retries, a replay within the webhook's
-- age limit, Telegram's redelivery) must find it a duplicate, not bring the erased person back.
-- Erasure clears messages.dedupe_key, which holds chat ids; the hash of a key (update, chat and
-- message ids together) gives none of them back.
CREATE TABLE erased_events (
  channel TEXT NOT NULL,
  key_hash TEXT NOT NULL,
  erased_at TEXT NOT NULL,
  PRIMARY KEY (channel, key_hash)
);
