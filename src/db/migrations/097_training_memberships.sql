-- Officials' place in the plan's target groups over time (training gaps of session 15).
-- training_officials holds the person (one row per account: how the bot reaches them, when they
-- were first trained); a membership says that from `valid_from` until `valid_to` (NULL: still)
-- they counted in `group_id`, in `unit`, of `region`. Two reasons it is its own table:
--  * the plan's groups overlap (a key official of the Women's Union who is also a legal
--    reporter): one official may count in two groups at once, one membership each;
--  * a report for a past year must count the officials as they were then: a move to another
--    unit or group closes one membership and opens another, instead of overwriting the row, so
--    the 2026 report reads the same in 2027.
-- The coverage of an instant T counts the memberships with valid_from < T and (valid_to NULL or
-- valid_to >= T), the rule training_officials.imported_at/removed_at followed before.
CREATE TABLE training_memberships (
  id INTEGER PRIMARY KEY,
  official_id INTEGER NOT NULL REFERENCES training_officials (id),
  -- A group id of content/training.yaml.
  group_id TEXT NOT NULL,
  unit TEXT NOT NULL,
  -- A region slug of content/regions.yaml; NULL: province-wide.
  region TEXT,
  valid_from TEXT NOT NULL,
  valid_to TEXT
);
-- One open membership per official and group.
CREATE UNIQUE INDEX training_memberships_open ON training_memberships (official_id, group_id) WHERE valid_to IS NULL;
CREATE INDEX training_memberships_group ON training_memberships (group_id, unit);

-- Every official so far had one group: one membership from their import to their removal.
INSERT INTO training_memberships (official_id, group_id, unit, region, valid_from, valid_to)
  SELECT id, group_id, unit, region, imported_at, removed_at FROM training_officials ORDER BY id;
