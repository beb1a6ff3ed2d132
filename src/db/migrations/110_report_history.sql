-- What the yearly report counts must not move when, later, a person opts out, blocks the bot, asks
-- for erasure, or retention anonymises an official who left: a report for 2025 made in 2027 gives
-- the figures it gave in January 2026 (docs/training.md, section 8). The person row holds only
-- the present (unsubscribing clears consent_at, a block sets status, erasure clears the region);
-- these tables keep, without any name or platform id, the little of the past the figures need.

-- Subscribers: one row per change of whether a person consents to campaigns (consent_at set) and
-- whether they can be reached (status 'active'). The state holds from `at` until the person's
-- next row; no row: never subscribed. Written by the triggers below, whatever code changes the
-- person row. Seeded with each current subscriber from their consent, with their current status
-- (what the report counted until now, so the figures of past years do not change today).
CREATE TABLE subscriber_history (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL,
  channel TEXT NOT NULL,
  consented INTEGER NOT NULL,
  active INTEGER NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX subscriber_history_person ON subscriber_history (person_id, at);

INSERT INTO subscriber_history (person_id, channel, consented, active, at)
  SELECT id, channel, 1, status = 'active', consent_at FROM people WHERE consent_at IS NOT NULL ORDER BY consent_at, id;
-- A row that kept its consent beside a later opt-out (not written by this version) counted as
-- opted out from then on.
INSERT INTO subscriber_history (person_id, channel, consented, active, at)
  SELECT id, channel, 0, status = 'active', opted_out_at FROM people WHERE consent_at IS NOT NULL AND opted_out_at > consent_at ORDER BY opted_out_at, id;

CREATE TRIGGER subscriber_history_insert AFTER INSERT ON people WHEN NEW.consent_at IS NOT NULL
BEGIN
  INSERT INTO subscriber_history (person_id, channel, consented, active, at)
  VALUES (NEW.id, NEW.channel, 1, NEW.status = 'active', NEW.consent_at);
  INSERT INTO subscriber_history (person_id, channel, consented, active, at)
  SELECT NEW.id, NEW.channel, 0, NEW.status = 'active', NEW.opted_out_at WHERE NEW.opted_out_at > NEW.consent_at;
END;

-- A consent is dated by consent_at, an opt-out (or an erasure) by opted_out_at, a block or a
-- return by the clock; never before the person's last row, so the rows stay in order.
CREATE TRIGGER subscriber_history_update AFTER UPDATE OF consent_at, status ON people
  WHEN (OLD.consent_at IS NULL) <> (NEW.consent_at IS NULL) OR (OLD.status = 'active') <> (NEW.status = 'active')
BEGIN
  INSERT INTO subscriber_history (person_id, channel, consented, active, at)
  VALUES (NEW.id, NEW.channel, NEW.consent_at IS NOT NULL, NEW.status = 'active',
          MAX(CASE WHEN OLD.consent_at IS NULL AND NEW.consent_at IS NOT NULL THEN NEW.consent_at
                   WHEN OLD.consent_at IS NOT NULL AND NEW.consent_at IS NULL AND NEW.opted_out_at IS NOT NULL THEN NEW.opted_out_at
                   ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END,
              COALESCE((SELECT MAX(at) FROM subscriber_history WHERE person_id = NEW.id), '')));
END;

-- The region an erased person had chosen: erasure clears people.region (the person row must not
-- say where someone lives), but the commune's report still counts their past messages, questions
-- and subscription as its own (an anonymous row number and a commune, nothing else).
CREATE TABLE erased_regions (
  person_id INTEGER PRIMARY KEY,
  region TEXT NOT NULL
);

CREATE TRIGGER erased_region_kept AFTER UPDATE OF external_id ON people
  WHEN NEW.external_id LIKE 'erased:%' AND OLD.external_id NOT LIKE 'erased:%' AND OLD.region IS NOT NULL
BEGIN
  INSERT OR REPLACE INTO erased_regions (person_id, region) VALUES (NEW.id, OLD.region);
END;

-- When an official on the training list was listed, by person row, kept when retention clears
-- the official's name, account and link (db/retention.ts): the periods only, no unit, group or
-- name, so that their messages and questions of those years stay the officials' and do not move
-- to the citizens' figures.
CREATE TABLE official_spells (
  person_id INTEGER NOT NULL,
  valid_from TEXT NOT NULL,
  valid_to TEXT
);
CREATE INDEX official_spells_from ON official_spells (valid_from);
