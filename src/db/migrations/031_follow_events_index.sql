-- Campaign audiences count a Zalo `follow` event on record as following the OA; this index
-- keeps that lookup cheap as the message log grows.
CREATE INDEX IF NOT EXISTS messages_person_kind ON messages (person_id, kind);
