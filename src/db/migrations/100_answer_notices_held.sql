-- Answer notices held for a Zalo asker outside the 7-day window (db/notices.ts): released to
-- 'pending' when that person writes again, looked up by person on every interaction.
CREATE INDEX answer_notices_held ON answer_notices (person_id) WHERE status = 'held';
