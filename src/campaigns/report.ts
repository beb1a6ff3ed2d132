/**
 * A campaign's delivery report and delivery list as staff read them: counts per platform and
 * per commune (the person's region), and every delivery with its result, in Vietnamese, for the
 * CLI (`loa campaign report`, `loa campaign export`) and the admin pages. Nothing here sends or
 * changes anything.
 */
import type { Db } from '../db/index.js';
import { deliveryBreakdown, deliveryList, type Campaign, type DeliveryStatus } from '../db/campaigns.js';
import { flattenRegions, type Region } from '../knowledge/content.js';
import type { XlsxSheet, XlsxValue } from '../text/xlsx.js';
import { visibleControls } from '../text/controls.js';

/** A delivery's status as staff read it (the same words as `loa campaign status`). */
export const DELIVERY_STATUS_VI: Record<DeliveryStatus, string> = {
  pending: 'chờ gửi',
  sending: 'đang gửi',
  sent: 'đã gửi',
  gone: 'không còn nhận (chặn/huỷ theo dõi)',
  outside_window: 'ngoài 7 ngày (Zalo)',
  failed: 'lỗi',
  opted_out: 'đã huỷ đăng ký trước khi gửi',
  unknown: 'không rõ (gián đoạn)',
  cancelled: 'không gửi (đã huỷ)',
};

/** The report's columns, in order: every status a row can end in or wait in. */
const COLUMNS: readonly DeliveryStatus[] = ['sent', 'failed', 'gone', 'outside_window', 'opted_out', 'unknown', 'cancelled', 'pending', 'sending'];

/** A channel's name as staff read it: the names of the compose form and the dashboard ("Zalo OA", not "Zalo"). */
export function channelVi(ch: string): string {
  return ({ telegram: 'Telegram', zalo: 'Zalo OA', 'zalo-bot': 'Zalo Bot' } as Record<string, string | undefined>)[ch] ?? ch;
}

/**
 * A failed or skipped row's reason as staff read it: Loa's own reasons in Vietnamese, a
 * platform's words marked as such (kept as the platform wrote them, for support).
 *
 * @example failureReasonVi('channel not configured: zalo') // 'kênh zalo chưa được cấu hình'
 */
export function failureReasonVi(reason: string): string {
  const notConfigured = /^channel not configured: (.+)$/.exec(reason);
  if (notConfigured) return `kênh ${notConfigured[1]} chưa được cấu hình`;
  const gaveUp = /^gave up after (\d+) attempts: (.*)$/.exec(reason);
  if (gaveUp) return `thử ${gaveUp[1]} lần không được (${gaveUp[2] === 'throttled' ? 'nền tảng liên tục báo gửi quá nhanh' : `nền tảng báo: ${gaveUp[2]}`})`;
  if (reason === 'opted out before the send') return 'người nhận đã huỷ đăng ký trước khi gửi';
  if (reason === 'marked gone before the send') return 'người nhận đã chặn hoặc bỏ theo dõi trước khi gửi';
  if (reason === 'no interaction in the last 7 days' || reason === 'outside the 7-day window') return 'quá 7 ngày kể từ lần cuối người đó nhắn cho OA (quy định của Zalo)';
  if (reason === 'interrupted mid-send (crash or kill)') return 'máy chủ dừng khi đang gửi: không rõ đã tới hay chưa';
  if (reason === '?') return 'không rõ lý do';
  // Zalo's quota: every send fails until it is renewed; the failed rows are the ones to retry then.
  const quota = /^Zalo (-211|-218)\b/.exec(reason);
  if (quota) return `Zalo OA hết hạn mức tin (lỗi ${quota[1]})`;
  return `nền tảng báo: ${reason}`;
}

/** One line of the report: a channel, or a region on a channel, with its counts by status. */
export interface ReportLine {
  channel: string;
  /** Region slug; null: the person chose none. Absent on a channel's total line. */
  region?: string | null;
  /** The region as staff read it: its name, or why there is none. */
  regionName?: string;
  counts: Record<DeliveryStatus, number>;
  total: number;
}

/** The delivery report of one campaign: per channel, then per channel and region. */
export interface DeliveryReport {
  byChannel: ReportLine[];
  byRegion: ReportLine[];
  total: ReportLine;
}

const zero = (): Record<DeliveryStatus, number> => Object.fromEntries(COLUMNS.map((s) => [s, 0])) as Record<DeliveryStatus, number>;

/**
 * A region's name for the report. A slug the regions file no longer has (a commune merged or
 * renamed since the person chose it) is shown as such, so staff see who a campaign aimed at the
 * new commune could not reach.
 */
function regionName(slug: string | null, flat: Map<string, { name: string }>): string {
  if (slug === null) return '(chưa chọn địa bàn)';
  return flat.get(slug)?.name ?? `${slug} (không còn trong content/regions.yaml)`;
}

/**
 * The people a staff member's region scope covers: `scope` is the regions they may see (the
 * admin's `scopeRegions`), null for the whole province. A person with no region, or one outside
 * the scope (moved since the campaign), is left out for a scoped user, as the contest exports do.
 */
function inScope(region: string | null, scope: readonly string[] | null | undefined): boolean {
  return !scope || (region !== null && scope.includes(region));
}

/** Counts a campaign's deliveries per channel and per channel and region (within `scope`, see {@link inScope}). */
export function deliveryReport(db: Db, c: Pick<Campaign, 'id'>, regions: Region[], scope?: readonly string[] | null): DeliveryReport {
  const flat = flattenRegions(regions);
  const channels = new Map<string, ReportLine>();
  const byRegion = new Map<string, ReportLine>();
  const total: ReportLine = { channel: 'tất cả', counts: zero(), total: 0 };
  for (const g of deliveryBreakdown(db, c.id)) {
    if (!inScope(g.region, scope)) continue;
    const ch = channels.get(g.channel) ?? { channel: g.channel, counts: zero(), total: 0 };
    channels.set(g.channel, ch);
    const key = `${g.channel}\u0000${g.region ?? ''}`;
    const r = byRegion.get(key) ?? { channel: g.channel, region: g.region, regionName: regionName(g.region, flat), counts: zero(), total: 0 };
    byRegion.set(key, r);
    for (const line of [ch, r, total]) {
      line.counts[g.status] += g.n;
      line.total += g.n;
    }
  }
  return { byChannel: [...channels.values()], byRegion: [...byRegion.values()], total };
}

/** The statuses that occur in a report (a column for each), in the report's order. */
export function usedColumns(report: DeliveryReport): DeliveryStatus[] {
  const used = COLUMNS.filter((s) => report.total.counts[s] > 0);
  return used.length ? used : ['sent'];
}

/**
 * The report as a text table for the terminal: one block per channel, its regions under it.
 *
 * @example formatDeliveryReport(deliveryReport(db, c, regions))
 */
export function formatDeliveryReport(report: DeliveryReport): string {
  if (report.total.total === 0) return 'Chiến dịch chưa có tin nào được đưa vào hàng gửi (chưa bắt đầu gửi).';
  const cols = usedColumns(report);
  const head = ['Kênh / địa bàn', 'Tổng', ...cols.map((s) => DELIVERY_STATUS_VI[s])];
  const rows: string[][] = [];
  for (const ch of report.byChannel) {
    rows.push([channelVi(ch.channel), String(ch.total), ...cols.map((s) => String(ch.counts[s]))]);
    for (const r of report.byRegion.filter((r) => r.channel === ch.channel))
      rows.push([`  ${r.regionName}`, String(r.total), ...cols.map((s) => String(r.counts[s]))]);
  }
  rows.push(['Tất cả', String(report.total.total), ...cols.map((s) => String(report.total.counts[s]))]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

/** The header of the delivery list (Vietnamese, as the export's first row). */
export const DELIVERY_LIST_HEADER = ['Kênh', 'Mã người nhận', 'Tên hiển thị', 'Địa bàn', 'Kết quả', 'Số lần thử', 'Lý do', 'Thời điểm'] as const;

/**
 * Every delivery of a campaign as rows under {@link DELIVERY_LIST_HEADER}: the platform's user id
 * as text (never a number: Zalo ids exceed what Excel keeps), the result and reason in
 * Vietnamese, the time as a date (the .xlsx shows it in Vietnam time).
 */
export function deliveryListRows(db: Db, c: Pick<Campaign, 'id'>, regions: Region[], scope?: readonly string[] | null): XlsxValue[][] {
  const flat = flattenRegions(regions);
  return deliveryList(db, c.id)
    .filter((d) => inScope(d.region, scope))
    .map((d) => [
      channelVi(d.channel),
      d.recipient,
      // What people named themselves: a right-to-left override would show it reversed in Excel.
      d.displayName === null ? null : visibleControls(d.displayName),
      regionName(d.region, flat),
      DELIVERY_STATUS_VI[d.status],
      d.attempts,
      // An opt-out's reason only repeats its result.
      d.reason && d.status !== 'sent' && d.status !== 'opted_out' ? failureReasonVi(d.reason) : null,
      d.finishedAt ? new Date(d.finishedAt) : null,
    ]);
}

/** The delivery list as one .xlsx sheet (for {@link toXlsx}). */
export function deliveryListSheet(db: Db, c: Pick<Campaign, 'id'>, regions: Region[], scope?: readonly string[] | null): XlsxSheet {
  return { name: `Chiến dịch ${c.id}`, rows: [[...DELIVERY_LIST_HEADER], ...deliveryListRows(db, c, regions, scope)], columns: [undefined, { width: 22 }] };
}

/**
 * The report as one .xlsx sheet: a line per channel, its communes under it, then the total, with
 * a column for every status that occurs (the same figures as {@link formatDeliveryReport}).
 */
export function deliveryReportSheet(c: Pick<Campaign, 'id'>, report: DeliveryReport): XlsxSheet {
  const cols = usedColumns(report);
  const rows: XlsxValue[][] = [['Kênh', 'Địa bàn', 'Tổng', ...cols.map((s) => DELIVERY_STATUS_VI[s])]];
  for (const ch of report.byChannel) {
    rows.push([channelVi(ch.channel), 'tất cả địa bàn', ch.total, ...cols.map((s) => ch.counts[s])]);
    for (const r of report.byRegion.filter((r) => r.channel === ch.channel)) rows.push([channelVi(ch.channel), r.regionName ?? '', r.total, ...cols.map((s) => r.counts[s])]);
  }
  rows.push(['Tất cả kênh', 'tất cả địa bàn', report.total.total, ...cols.map((s) => report.total.counts[s])]);
  return { name: `Kết quả chiến dịch ${c.id}`, rows };
}
