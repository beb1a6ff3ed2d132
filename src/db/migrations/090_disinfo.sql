-- Reports of suspected disinformation (issue 17, item 1). A citizen's report joins a case: the
-- same link (normalised) or a near-identical text is one case with a reporter count, which staff
-- triage step by step. Reports are personal data (erased with the person, shown by
-- /dulieucuatoi); a case keeps its anonymous counts for the yearly report.
CREATE TABLE disinfo_cases (
  id INTEGER PRIMARY KEY,
  -- Shown to reporters and staff: BC-2026-0042 (per-year sequence).
  number TEXT NOT NULL UNIQUE,
  year INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  -- What groups reports: 'u:<normalised url>', 't:<folded text>' or 'm:<media ref>'.
  match_key TEXT NOT NULL,
  url TEXT,
  text TEXT,
  media_ref TEXT,
  topic TEXT,
  platform TEXT,
  -- The first reporter's region, for staff region scope (NULL: province-wide staff only).
  region TEXT,
  status TEXT NOT NULL DEFAULT 'new'
    CHECK (status IN ('new', 'checking', 'confirmed_false', 'handled', 'not_false', 'out_of_scope')),
  outcome TEXT CHECK (outcome IN ('platform', 'police', 'correction')),
  correction_id TEXT,
  correction_campaign_id INTEGER,
  -- Distinct people who reported it; kept when a reporter's data is erased (an anonymous count).
  reporter_count INTEGER NOT NULL DEFAULT 0,
  first_at TEXT NOT NULL,
  last_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (year, seq)
);
CREATE INDEX disinfo_cases_key ON disinfo_cases (match_key);
CREATE INDEX disinfo_cases_last ON disinfo_cases (last_at);

CREATE TABLE disinfo_reports (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES disinfo_cases (id),
  person_id INTEGER REFERENCES people (id),
  channel TEXT NOT NULL,
  url TEXT,
  text TEXT,
  media_ref TEXT,
  topic TEXT,
  platform TEXT,
  created_at TEXT NOT NULL,
  -- The case status the reporter was last told (NULL: not told yet).
  notified_status TEXT,
  notified_at TEXT
);
CREATE INDEX disinfo_reports_person ON disinfo_reports (person_id, created_at);
CREATE INDEX disinfo_reports_case ON disinfo_reports (case_id);

-- Each triage step with its note and evidence (the audit log has the same, for the whole office).
CREATE TABLE disinfo_steps (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES disinfo_cases (id),
  status TEXT NOT NULL,
  outcome TEXT,
  note TEXT,
  evidence TEXT,
  actor TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX disinfo_steps_case ON disinfo_steps (case_id, at);
