-- The language a person is answered in (issue 18, item 2): 'vi' (default) or 'en'. Set by /en and
-- /vi (lang_chosen = 1), or by the language of the person's last question when they never chose
-- (lang_chosen = 0). A question detected in the other language is still answered in its own.
ALTER TABLE people ADD COLUMN lang TEXT NOT NULL DEFAULT 'vi' CHECK (lang IN ('vi', 'en'));
ALTER TABLE people ADD COLUMN lang_chosen INTEGER NOT NULL DEFAULT 0;
