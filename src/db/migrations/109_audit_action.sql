-- The audit log filtered by an action (admin "Nhật ký", db/audit.ts listAudit): the filter is a
-- case-insensitive prefix (`action LIKE 'qa.%'`), which this index (NOCASE, as LIKE compares)
-- answers as a range. Without it an action few entries have (or none) read the whole log newest
-- first looking for a page of them: 165-600 ms at 100 000 entries. listAudit uses it only when
-- few entries match; a common action is still found by reading the log newest first.
CREATE INDEX audit_action ON audit (action COLLATE NOCASE, at);
