-- Officials' training, counted by the plan's target groups (issue 17, item 2).
-- The groups (with their target shares) and the trainings (approved articles + a test with a
-- pass mark) are content: content/training.yaml. Here: who is to be trained, who was invited,
-- and every test they took. Officials are personal data: erasure anonymises a row (the group,
-- unit and outcome stay for the anonymous coverage figures), retention anonymises rows staff
-- removed from the list long enough ago (db/retention.ts).
CREATE TABLE training_officials (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  unit TEXT NOT NULL,
  -- A group id of content/training.yaml.
  group_id TEXT NOT NULL,
  -- A region slug of content/regions.yaml (commune/ward), for staff region scope; NULL: province-wide.
  region TEXT,
  -- Where the bot reaches them: the channel and the platform's user id (matched when they write).
  channel TEXT NOT NULL,
  external_id TEXT NOT NULL,
  -- Their person row once they talk to the bot (or already did when imported).
  person_id INTEGER REFERENCES people (id),
  imported_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  -- When staff took them off the list (left the post): no longer counted from then on.
  removed_at TEXT,
  -- When they first passed a training's test: counted as trained from then on.
  trained_at TEXT,
  UNIQUE (channel, external_id)
);
CREATE INDEX training_officials_person ON training_officials (person_id);
CREATE INDEX training_officials_group ON training_officials (group_id, unit);

-- Invitations and reminders sent through the one sender (kind 'notice').
CREATE TABLE training_invitations (
  id INTEGER PRIMARY KEY,
  official_id INTEGER NOT NULL REFERENCES training_officials (id),
  training_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('invite', 'reminder')),
  actor TEXT NOT NULL,
  sent_at TEXT NOT NULL
);
CREATE INDEX training_invitations_official ON training_invitations (official_id, training_id);

-- Each test an official took: a quiz attempt of the training's contest (quiz_attempts holds the
-- answers and the clock), with the outcome against the pass mark once it is finished.
CREATE TABLE training_attempts (
  id INTEGER PRIMARY KEY,
  official_id INTEGER NOT NULL REFERENCES training_officials (id),
  training_id TEXT NOT NULL,
  quiz_attempt_id INTEGER NOT NULL UNIQUE REFERENCES quiz_attempts (id),
  started_at TEXT NOT NULL,
  finished_at TEXT,
  correct INTEGER,
  total INTEGER,
  passed INTEGER
);
CREATE INDEX training_attempts_official ON training_attempts (official_id, training_id);
