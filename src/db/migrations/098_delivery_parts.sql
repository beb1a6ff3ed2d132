-- A campaign message that goes as more than one platform message (a photo sent on its own, then
-- the text: Zalo OA always, Telegram when the text is too long for a caption) is sent part by
-- part, and how many parts a delivery has already sent is kept: a retry (a 429 on the text, the
-- Zalo quota running out between the photo and the text) sends the rest, not the photo again.
ALTER TABLE deliveries ADD COLUMN parts_done INTEGER NOT NULL DEFAULT 0;
