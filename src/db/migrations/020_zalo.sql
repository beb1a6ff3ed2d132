-- Zalo OA: the token pair (one row per Zalo app), the PKCE state of `loa zalo connect`, the
-- token history, and the information followers submitted through Zalo's "request info" form.

-- The live token pair. Each refresh token works once, so the row is rewritten in one statement
-- the moment Zalo answers a refresh, before the new access token is used anywhere.
CREATE TABLE zalo_tokens (
  app_id TEXT PRIMARY KEY,
  access_token TEXT,                    -- null: none yet (seeded with a refresh token only)
  access_expires_at TEXT,               -- null: unknown (seeded from env); refreshed on -216/-220
  refresh_token TEXT NOT NULL,
  refresh_expires_at TEXT,
  source TEXT NOT NULL,                 -- env | connect | refresh
  generation INTEGER NOT NULL DEFAULT 1,
  -- Refresh intent and lease: set before the OAuth call, cleared with the new pair. A value left
  -- behind tells that a process died while a refresh was in flight.
  refreshing_since TEXT,
  refreshing_until TEXT,
  last_refresh_at TEXT,
  last_error TEXT,
  updated_at TEXT NOT NULL
);

-- Every change of the pair (never the tokens themselves): status output and audits.
CREATE TABLE zalo_token_log (
  id INTEGER PRIMARY KEY,
  app_id TEXT NOT NULL,
  event TEXT NOT NULL,                  -- seed | connect | refresh | refresh_failed
  generation INTEGER,
  detail TEXT,
  created_at TEXT NOT NULL
);

-- PKCE verifier and state of a pending `loa zalo connect`, so the callback route of a running
-- server can finish what the CLI started.
CREATE TABLE zalo_oauth_states (
  state TEXT PRIMARY KEY,
  code_verifier TEXT NOT NULL,
  redirect_uri TEXT,
  created_at TEXT NOT NULL,
  used_at TEXT
);

-- `user_submit_info`: what a follower chose to share with the OA, with the time of consent.
CREATE TABLE zalo_submissions (
  id INTEGER PRIMARY KEY,
  person_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,                -- Zalo user id as text (exceeds 2^53)
  name TEXT,
  phone TEXT,
  address TEXT,
  ward TEXT,
  district TEXT,
  city TEXT,
  consent_at TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX zalo_submissions_person ON zalo_submissions (person_id);
