-- A web source's reports of the day, for the per-source daily limit of reports of false
-- information (conversation/disinfo.ts): a web visitor is free to make, so the per-person limit
-- alone let one address send hundreds of reports a day, each a new case for staff.
CREATE INDEX disinfo_reports_reporter_at ON disinfo_reports (reporter_key, created_at);
