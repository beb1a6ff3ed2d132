-- A merge staff got wrong (a mistyped case number, two rumours that only looked alike) can be
-- split again: the merged case gets back the reports it had and those that joined through its
-- item since, with what their reporters had been told, and counts in the figures again.
-- Before, a merge could not be undone and a wrong one took a case out of the yearly "90% found
-- and handled" for good.

-- The reports a merge moved, with the status their reporter had been told in the merged case.
CREATE TABLE disinfo_merge_moves (
  merged_case_id INTEGER NOT NULL REFERENCES disinfo_cases (id),
  report_id INTEGER NOT NULL REFERENCES disinfo_reports (id) ON DELETE CASCADE,
  notified_status TEXT,
  notified_at TEXT,
  notified_correction TEXT,
  PRIMARY KEY (merged_case_id, report_id)
);
CREATE INDEX disinfo_merge_moves_report ON disinfo_merge_moves (report_id);

-- A report that matched a merged case's item and so joined the case it was merged into.
ALTER TABLE disinfo_reports ADD COLUMN joined_via INTEGER REFERENCES disinfo_cases (id);
-- When the case was merged (NULL: not merged, or merged before the moves were recorded, which
-- cannot be split).
ALTER TABLE disinfo_cases ADD COLUMN merged_at TEXT;
-- The case's own first report, before any merge moved an earlier one in (first_at).
ALTER TABLE disinfo_cases ADD COLUMN opened_at TEXT;
UPDATE disinfo_cases SET opened_at = first_at;

-- The correction (Q&A or article id) a reporter was sent with the outcome "handled", NULL when
-- they were told without one: a correction approved or linked after the case was closed is then
-- sent to them on its own. Reporters already told "handled" are taken to have had the case's
-- correction, so an upgrade sends nothing again.
ALTER TABLE disinfo_reports ADD COLUMN notified_correction TEXT;
UPDATE disinfo_reports SET notified_correction = (SELECT c.correction_id FROM disinfo_cases c WHERE c.id = disinfo_reports.case_id)
 WHERE notified_status = 'handled';
