-- Admin: staff accounts, browser sessions, login attempts (throttling) and the audit log.

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT,
  password_hash TEXT,                    -- scrypt$N$r$p$salt$hash (base64); NULL = cannot log in
  roles TEXT NOT NULL DEFAULT '[]',      -- JSON array: admin | editor | approver | broadcaster | quiz_organizer | viewer
  region TEXT,                           -- region slug the user is scoped to (NULL = everywhere)
  must_change_password INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  disabled_at TEXT
);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,                   -- sha256 of the cookie token (the token itself is never stored)
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  ip TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- One row per login attempt; failures within a window throttle the account and the IP.
CREATE TABLE login_attempts (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL,
  ip TEXT NOT NULL,
  ok INTEGER NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts (username, at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, at);

-- Who did what and when: every change and every send.
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,                   -- username, or 'system' / 'cli:<user>'
  action TEXT NOT NULL,                  -- e.g. qa.approve, campaign.submit, user.add
  target_type TEXT,
  target_id TEXT,
  details TEXT,                          -- JSON
  ip TEXT
);
CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_actor ON audit (actor, at);
CREATE INDEX audit_target ON audit (target_type, target_id);
