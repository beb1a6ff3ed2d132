-- Issue 15, item 6: a consent record keeps the text the person agreed to. A quiz registration's
-- consent is the contest's own line (content/quizzes/*.yaml `registration.consent`), which staff
-- may reword later, so the attempt keeps the exact line it was given under, in the language it
-- was shown in. NULL for attempts from before this migration and for registrations made without a
-- consent step (officials registered by the office's training list: see `consent_text` there).
ALTER TABLE quiz_attempts ADD COLUMN consent_text TEXT;
