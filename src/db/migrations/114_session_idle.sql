-- A session opened on a shared office computer ("Máy dùng chung" at the login) ends sooner
-- after inactivity: its own idle limit in minutes; NULL = the default (AuthOptions.idleMinutes).
ALTER TABLE sessions ADD COLUMN idle_minutes INTEGER;
