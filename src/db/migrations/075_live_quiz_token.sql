-- Live quiz buttons carry a random token instead of the sequential session id, so a session
-- cannot be guessed from another chat (issue 15, item 4). Sessions running at upgrade get one
-- too; buttons already posted with the old numeric reference stop counting.
ALTER TABLE quiz_live_sessions ADD COLUMN token TEXT;
UPDATE quiz_live_sessions SET token = lower(hex(randomblob(12))) WHERE token IS NULL;
CREATE UNIQUE INDEX quiz_live_sessions_token ON quiz_live_sessions (token);
