-- Passwords set for someone else: an admin's reset on the "Tài khoản" page, `loa user passwd`,
-- and new accounts' one-time passwords. Who set it knew it, and could sign in as the account
-- before its owner did; four eyes (src/admin/four-eyes.ts) counts them as possibly behind the
-- account's work from then on. A one-time password also expires (users.password_expires_at).
CREATE TABLE password_resets (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  set_by TEXT NOT NULL,                  -- the admin's username, or 'cli' (on the server)
  kind TEXT NOT NULL,                    -- 'reset' | 'create'
  at TEXT NOT NULL,
  first_login_at TEXT,                   -- the first sign-in with it
  first_login_ip TEXT,
  changed_at TEXT                        -- when it was replaced by the account's own password
);
CREATE INDEX password_resets_user ON password_resets (user_id, at);
CREATE INDEX password_resets_by ON password_resets (set_by, at);

ALTER TABLE users ADD COLUMN password_expires_at TEXT;   -- a one-time password's end; NULL = none
