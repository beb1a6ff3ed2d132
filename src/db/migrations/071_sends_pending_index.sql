-- The sender's recovery pass (every second) asks for pending rows of one channel, oldest first.
-- `sends_open` covers status IN ('pending', 'sending'), which SQLite cannot prove from
-- `status = 'pending'`, so that query scanned the whole table: 6% of the server's CPU under a
-- webhook load once the table held a few hundred thousand sent rows.
CREATE INDEX sends_pending ON sends (channel, id) WHERE status = 'pending';
-- Start-up counts the rows a crash left `sending`; a person's data page and erasure list their rows.
CREATE INDEX sends_sending ON sends (channel) WHERE status = 'sending';
CREATE INDEX sends_person ON sends (person_id);
