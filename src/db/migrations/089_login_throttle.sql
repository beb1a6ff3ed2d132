-- The login throttle is kept per account *and* address (issue 15, item 7): failures of one
-- account from one address, newest first.
CREATE INDEX login_attempts_user_ip ON login_attempts (username, ip, at);
