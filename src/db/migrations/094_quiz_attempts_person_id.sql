-- A person's active quiz attempt is looked up for every message they type
-- (db/quiz.ts activeAttemptOf: the newest attempt in an active status). With only the
-- (person_id, status) index SQLite read each active status's range and sorted the rows
-- in a temporary B-tree for ORDER BY id DESC; with this index it walks the person's
-- attempts newest first and stops at the first active one.
CREATE INDEX quiz_attempts_person_id ON quiz_attempts (person_id, id);
