-- Which consent text a subscriber agreed to (Law 91/2025/QH15: consent must be provable, and
-- its wording may change). The ids and texts live in src/conversation/consent.ts; a consent
-- recorded before this migration, or imported from an earlier system, has no version (NULL).
ALTER TABLE people ADD COLUMN consent_version TEXT;
