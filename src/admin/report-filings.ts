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
import { reportCsv, reportHtml, reportRows, reportXlsx, type YearReport } from './report.js';
import type { XlsxValue } from '../text/xlsx.js';

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

/** A filing with its report and the files sent (migration 115). */
export interface Filing extends FilingSummary {
  report: YearReport;
  /** The report's rows as filed (an instant as its ISO time). */
  rows: XlsxValue[][];
  files: { xlsx: Buffer; csv: string; html: string };
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
  rows: string | null;
  xlsx: Buffer | null;
  csv: string | null;
  html: string | null;
}

/**
 * A stored filing. Its files are the bytes sent; a filing without them (none is written so, but
 * a row may predate migration 115) has them made again from its report.
 */
async function toFiling(r: FilingRow): Promise<Filing> {
  const report = JSON.parse(r.report) as YearReport;
  return {
    ...toSummary(r, report),
    report,
    rows: r.rows ? (JSON.parse(r.rows) as XlsxValue[][]) : reportRows(report),
    files: { xlsx: r.xlsx ?? (await reportXlsx(report)), csv: r.csv ?? reportCsv(report), html: r.html ?? reportHtml(report) },
  };
}

function toSummary(r: FilingRow, report: { region?: string }): FilingSummary {
  return {
    id: r.id,
    year: r.year,
    from: r.period_from,
    to: r.period_to,
    regionSlug: r.region_slug,
    regionName: report.region ?? null,
    filedBy: r.filed_by,
    filedAt: r.filed_at,
  };
}

/** Files `r` (as made by `by`, now) with its files as sent; returns the filing's id. */
export async function fileReport(db: Db, r: YearReport, by: string, now: Date = new Date()): Promise<number> {
  const xlsx = await reportXlsx(r);
  return Number(
    db
      .prepare(
        `INSERT INTO report_filings (year, period_from, period_to, region_slug, report, filed_by, filed_at, rows, xlsx, csv, html)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.year, r.from, r.to, r.regionSlug ?? null, JSON.stringify(r), by, nowIso(now), JSON.stringify(reportRows(r)), xlsx, reportCsv(r), reportHtml(r))
      .lastInsertRowid,
  );
}

/** One filing, or undefined. */
export async function getFiling(db: Db, id: number): Promise<Filing | undefined> {
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
    .prepare(
      `SELECT id, year, period_from, period_to, region_slug, json_extract(report, '$.region') AS region, filed_by, filed_at FROM report_filings
        WHERE period_from = ? AND period_to = ? ORDER BY filed_at DESC, id DESC`,
    )
    .all(period.from, period.to) as (FilingRow & { region: string | null })[];
  const keep =
    'regionSlug' in which
      ? (r: FilingRow) => r.region_slug === which.regionSlug
      : (r: FilingRow) => which.regions === null || (r.region_slug !== null && which.regions.includes(r.region_slug));
  return rows.filter(keep).map((r) => toSummary(r, { ...(r.region ? { region: r.region } : {}) }));
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
 * The rows where the report made now differs from the filed rows (the time each was made left
 * out), in the report's order; empty when they agree. A label a later version words otherwise
 * shows as a row gone and a row added.
 */
export function compareWithFiled(filed: readonly XlsxValue[][], now: YearReport): FilingDifference[] {
  const key = (r: unknown[]) => `${String(r[0])}\u0000${String(r[1])}\u0000${String(r[2])}`;
  const rowsOf = (rows: readonly XlsxValue[][]) => rows.slice(1).filter((row) => !WHEN_ROWS.has(String(row[1])));
  const before = new Map(rowsOf(filed).map((r) => [key(r), r]));
  const after = rowsOf(reportRows(now));
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
