-- A person's open questions in the staff queue (db/questions.ts openUnansweredOf): a question asked
-- again while it waits is found without reading the whole queue, and is not queued a second
-- time (conversation/core-feature.ts). Before, each repeat was a queue item of its own and, once
-- staff answered, the person got the same "your question has an answer" notice once per repeat.
CREATE INDEX unanswered_person_open ON unanswered (person_id, created_at) WHERE status = 'open';
