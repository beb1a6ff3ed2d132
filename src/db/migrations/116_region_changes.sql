-- A person's commune as it was: a row each time someone's chosen region changes (/diaban, a new
-- choice at /dangky, staff), with the region before and after. The yearly report of a commune
-- counts a person by the region they had at the period's end (db/reach.ts): someone who moved
-- from Sơn Nam to Phố Hiến in 2026 stays in Sơn Nam's 2025 report, as filed. Erasure is not a
-- change (erased_regions keeps the region), nor is staff moving a merged commune's people to the
-- new commune (db/people-regions.ts: the old commune's past becomes the new one's). Only changes
-- from now on are known; before, everyone counts by the region they have.
CREATE TABLE region_changes (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL,
  old_region TEXT,
  new_region TEXT,
  at TEXT NOT NULL
);
CREATE INDEX region_changes_at ON region_changes (at, person_id);

CREATE TRIGGER region_change_kept AFTER UPDATE OF region ON people
  WHEN OLD.region IS NOT NEW.region AND NOT (NEW.external_id LIKE 'erased:%' AND OLD.external_id NOT LIKE 'erased:%')
BEGIN
  INSERT INTO region_changes (person_id, old_region, new_region, at)
  VALUES (NEW.id, OLD.region, NEW.region, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;
