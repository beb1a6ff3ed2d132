-- Questions the staff queue's caps turned away (db/questions.ts queueRoom): counted per Vietnam
-- day and cap, nothing else (no person, no text: the asker was told, and the question counts in
-- the reports as unanswered). The dashboard shows staff the last seven days, so a script filling
-- the caps, or an office whose people share one network and meet the per-source cap, is seen.
CREATE TABLE queue_turned_away (
  day TEXT NOT NULL,
  cap TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (day, cap)
);
