-- A case staff find to be the same rumour as another (a second link to one post, the same
-- claim reposted on another platform) is merged into it: its reports move to that case and it
-- no longer counts in the figures. The plan's "90% found and handled" counts rumours, not the
-- links they were reported by (the office trial: 4 false rumours, 3 handled, 75%, read as 5
-- cases with 4 handled, 80%).
ALTER TABLE disinfo_cases ADD COLUMN merged_into INTEGER REFERENCES disinfo_cases (id);
