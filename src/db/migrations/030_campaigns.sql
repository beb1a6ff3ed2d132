-- Campaigns and their outbox. A campaign is written by one staff member and approved by
-- another; when sending starts its audience is snapshotted into `deliveries`, one row per
-- (campaign, person), which is what makes "exactly once" hold across crashes.

CREATE TABLE campaigns (
  id INTEGER PRIMARY KEY,
  status TEXT NOT NULL DEFAULT 'draft',  -- draft|submitted|approved|scheduled|sending|paused|done|cancelled
  title TEXT,                            -- optional bold heading
  text TEXT NOT NULL,
  image_url TEXT,
  links TEXT NOT NULL DEFAULT '[]',      -- JSON [{label,url}]
  channels TEXT NOT NULL,                -- JSON ["telegram","zalo"]
  topics TEXT NOT NULL DEFAULT '[]',     -- JSON topic slugs; [] = every topic
  regions TEXT NOT NULL DEFAULT '[]',    -- JSON region slugs; [] = everywhere (descendants included)
  send_at TEXT,                          -- ISO time; NULL = as soon as scheduled
  author TEXT NOT NULL,
  approver TEXT,
  audience_at_approval INTEGER,          -- the count shown to the approver
  counts TEXT,                           -- JSON counts frozen when the campaign ends
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  submitted_at TEXT,
  approved_at TEXT,
  scheduled_at TEXT,
  started_at TEXT,                       -- audience snapshot taken
  finished_at TEXT
);
CREATE INDEX campaigns_status ON campaigns (status, send_at);

CREATE TABLE deliveries (
  id INTEGER PRIMARY KEY,
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  channel TEXT NOT NULL,
  recipient TEXT NOT NULL,               -- external id at snapshot time
  -- pending -> sending (claimed and committed before the send) ->
  --   sent | gone | outside_window | failed | opted_out | cancelled; pending again on retry;
  -- sending rows found at start-up (a crash) -> unknown, re-sent only when staff choose.
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,                  -- retry after this time (platform's retry_after)
  message_id TEXT,
  reason TEXT,
  claimed_at TEXT,
  finished_at TEXT,
  UNIQUE (campaign_id, person_id)
);
CREATE INDEX deliveries_claim ON deliveries (channel, status, campaign_id, id);
CREATE INDEX deliveries_campaign ON deliveries (campaign_id, status);

-- Zalo followers found by `loa subscribers sync-zalo`: following an OA consents to its
-- messages, so they are in the audience even before they use /dangky.
CREATE TABLE zalo_followers (
  person_id INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
  synced_at TEXT NOT NULL
);
