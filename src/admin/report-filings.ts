/**
 * Filed reports ("chốt số liệu"): staff file a yearly report when they send it to the province,
 * and Loa keeps the report whole (migration 113), so that it prints and downloads again exactly
 * as filed, years later, whatever changed since: a person's commune, a contest's title, a
 * correction staff recorded for that year. The page compares the filed figures with those
 * counted now, row by row, and the province sees which communes filed a period and when.
 *
 * The report's own counting does not depend on later deletions (`db/reach.ts`): a filing is not
 * what keeps the figures right, it is the record of what was sent.
 */
import type { Db } from '../db/index.js';
import { nowIso } from '../db/index.js';
import { reportRows, type YearReport } from './report.js';

/** A filing as listed: who filed which period and region, when. */
export interface FilingSummary {
  id: number;
  year: number;
  from: string;
  to: string;
  regionSlug: string | null;
  /** The region's name as the report printed it; null for every region. */
  regionName: string | null;
  filedBy: string;
  filedAt: string;
}

/** A filing with its report. */
export interface Filing extends FilingSummary {
  report: YearReport;
}

interface FilingRow {
  id: number;
  year: number;
  period_from: string;
  period_to: string;
  region_slug: string | null;
  report: string;
  filed_by: string;
  filed_at: string;
}

function toFiling(r: FilingRow): Filing {
  const report = JSON.parse(r.report) as YearReport;
  return {
    id: r.id,
    year: r.year,
    from: r.period_from,
    to: r.period_to,
    regionSlug: r.region_slug,
    regionName: report.region ?? null,
    filedBy: r.filed_by,
    filedAt: r.filed_at,
    report,
  };
}

function summary(f: Filing): FilingSummary {
  const { report: _report, ...rest } = f;
  return rest;
}

/** Files `r` (as made by `by`, now); returns the filing's id. */
export function fileReport(db: Db, r: YearReport, by: string, now: Date = new Date()): number {
  return Number(
    db
      .prepare(`INSERT INTO report_filings (year, period_from, period_to, region_slug, report, filed_by, filed_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(r.year, r.from, r.to, r.regionSlug ?? null, JSON.stringify(r), by, nowIso(now)).lastInsertRowid,
  );
}

/** One filing, or undefined. */
export function getFiling(db: Db, id: number): Filing | undefined {
  const r = db.prepare(`SELECT * FROM report_filings WHERE id = ?`).get(id) as FilingRow | undefined;
  return r ? toFiling(r) : undefined;
}

/**
 * The filings of the period [from, to), newest first: of one region (`regionSlug`; null: the
 * whole province's), or, with `regions`, of every region in that list and the whole province's
 * when `regions` is null (the province's overview of its communes).
 */
export function filingsOf(
  db: Db,
  period: { from: string; to: string },
  which: { regionSlug: string | null } | { regions: readonly string[] | null },
): FilingSummary[] {
  const rows = db
    .prepare(`SELECT * FROM report_filings WHERE period_from = ? AND period_to = ? ORDER BY filed_at DESC, id DESC`)
    .all(period.from, period.to) as FilingRow[];
  const keep =
    'regionSlug' in which
      ? (r: FilingRow) => r.region_slug === which.regionSlug
      : (r: FilingRow) => which.regions === null || (r.region_slug !== null && which.regions.includes(r.region_slug));
  return rows.filter(keep).map((r) => summary(toFiling(r)));
}

/** One row where the filed report and the report made now differ. */
export interface FilingDifference {
  section: string;
  indicator: string;
  group: string;
  /** The filed value; null when the filed report had no such row. */
  filed: string | null;
  /** The value now; null when the report made now has no such row. */
  now: string | null;
}

/** Rows that say when a report was made, not what it counts. */
const WHEN_ROWS = new Set(['Lập lúc', 'Số liệu tính đến']);

/** A value as compared and shown: numbers and text as written, an instant as its ISO time. */
function shown(v: unknown): string | null {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/**
 * The rows where the report made now differs from the filed one (the time each was made left
 * out), in the report's order; empty when they agree.
 */
export function compareWithFiled(filed: YearReport, now: YearReport): FilingDifference[] {
  const key = (r: unknown[]) => `${String(r[0])}\u0000${String(r[1])}\u0000${String(r[2])}`;
  const rowsOf = (r: YearReport) => reportRows(r).slice(1).filter((row) => !WHEN_ROWS.has(String(row[1])));
  const before = new Map(rowsOf(filed).map((r) => [key(r), r]));
  const after = rowsOf(now);
  const out: FilingDifference[] = [];
  const seen = new Set<string>();
  for (const r of after) {
    const k = key(r);
    seen.add(k);
    const b = before.get(k);
    const was = b ? shown(b[3]) : null;
    const is = shown(r[3]);
    if (was !== is) out.push({ section: String(r[0]), indicator: String(r[1]), group: String(r[2]), filed: was, now: is });
  }
  for (const [k, b] of before) if (!seen.has(k)) out.push({ section: String(b[0]), indicator: String(b[1]), group: String(b[2]), filed: shown(b[3]), now: null });
  return out;
}
