-- Indexes for the yearly report and the figures pages at a provincial office's size (measured on
-- 50 000 people, 400 000 messages, 150 000 questions, 500 000 deliveries; docs/operations.md
-- "Scale"). Each covers what its queries read, so a period's figures are counted from the index
-- alone instead of reading every row of the period (a message row carries its whole payload).

-- People who wrote in a period, per channel (report "reached", officials reached).
CREATE INDEX messages_in_created ON messages (created_at, channel, person_id) WHERE direction = 'in';

-- Questions of a period: counts by channel, answered, topics, the asker's scope. Replaces
-- questions_created, which is its first column.
CREATE INDEX questions_period ON questions (created_at, channel, answered, person_id, topics);
DROP INDEX questions_created;

-- People sent a campaign message in a period (report "reached").
CREATE INDEX deliveries_sent_finished ON deliveries (finished_at, channel, person_id) WHERE status = 'sent';

-- An official's memberships (the officials of a period, in the report's officials rows): without
-- it each official's check read every membership (3 000 officials: 9 million row reads).
CREATE INDEX training_memberships_official ON training_memberships (official_id, valid_from);
