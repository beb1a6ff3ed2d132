-- Reports "chốt" (filed): the report as it was when staff filed it with the province, kept
-- whole so that it can be printed and downloaded again exactly, years later, and compared with
-- the figures counted now (docs/training.md, section 8). A filing holds counts only (the
-- report's figures and the names it prints): no person, message or account.
CREATE TABLE report_filings (
  id INTEGER PRIMARY KEY,
  year INTEGER NOT NULL,
  period_from TEXT NOT NULL,          -- the period's instants [from, to), as the report has them
  period_to TEXT NOT NULL,
  region_slug TEXT,                   -- the region the report counts (its subtree); NULL: every region
  report TEXT NOT NULL,               -- the report (admin/report.ts YearReport) as JSON
  filed_by TEXT NOT NULL,             -- the staff username, or cli:<user>
  filed_at TEXT NOT NULL
);
CREATE INDEX report_filings_period ON report_filings (period_from, period_to, region_slug, filed_at);
