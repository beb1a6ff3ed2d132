/**
 * What `/healthz` answers, and the admin dashboard shows: each channel's real state, the
 * content and its errors, the disk.
 *
 * The status code is for machines (a load balancer, Docker's HEALTHCHECK, a monitor): 200 when
 * everything configured works, 503 when something needs a person: a configured channel that is
 * not connected, content with errors (staff's latest edits are not being served), or a disk so
 * full that nothing new is stored. The process answering at all means it is alive. The JSON is
 * for people and scripts; every `reason` is Vietnamese and says what to do.
 *
 * @example
 * // curl -s localhost:3000/healthz
 * // {"ok":false,"channels":{"telegram":{"state":"retrying","since":"…","reason":"Không kết nối được …"},…},
 * //  "content":{"qa":42,"articles":7,"errors":[]},"disk":{"state":"ok","freeMb":51200}}
 */
import type { ChannelName } from '../messages.js';
import type { ChannelHealth, ChannelStatus } from '../channels/connection.js';
import type { DiskGuard, DiskState } from '../db/disk.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { ContentError } from '../knowledge/content.js';

/** The `/healthz` body. */
export interface HealthReport {
  /** False when the status code is 503: see {@link problems}. */
  ok: boolean;
  channels: Record<ChannelName, ChannelStatus>;
  /** `lastGoodMissing`: the broken files whose entries are not served at all (no last good version to serve meanwhile). */
  content: { qa: number; articles: number; errors: ContentError[]; lastGoodMissing: string[] };
  disk: { state: DiskState; freeMb: number | null };
  /** What is wrong, one Vietnamese sentence each (empty when ok). */
  problems: string[];
}

/** Vietnamese names of the channels, for staff. */
export const CHANNEL_LABELS: Record<ChannelName, string> = { web: 'Web chat', telegram: 'Telegram', zalo: 'Zalo OA', 'zalo-bot': 'Zalo Bot' };

/** Vietnamese names of the states, for staff. */
export const STATE_LABELS: Record<ChannelStatus['state'], string> = {
  connected: 'đã kết nối',
  // Not only a lost connection: an OA out of its message quota is reported the same way, and
  // "đang thử kết nối lại" sent staff looking at the network. The reason says which.
  retrying: 'đang gặp sự cố, Loa tự thử lại',
  failed: 'không kết nối được (cần sửa cấu hình)',
  off: 'không dùng',
};

/** Builds the report from the live state. */
export function healthReport(deps: { health: ChannelHealth; knowledge: Pick<Knowledge, 'state' | 'errors'> & Partial<Pick<Knowledge, 'lastGoodMissing'>>; disk?: DiskGuard }): HealthReport {
  const channels = deps.health.all();
  const problems: string[] = [];
  for (const [name, s] of Object.entries(channels) as [ChannelName, ChannelStatus][])
    if (s.state === 'retrying' || s.state === 'failed') problems.push(`${CHANNEL_LABELS[name]}: ${STATE_LABELS[s.state]}${s.reason ? `: ${s.reason}` : ''}`);
  const errors = deps.knowledge.errors.map((e) => ({ file: e.file, field: e.field, message: e.message }));
  const missing = deps.knowledge.lastGoodMissing ?? [];
  if (errors.length > 0) problems.push(contentProblem(errors.length, new Set(errors.map((e) => e.file)).size, missing));
  const diskState = deps.disk?.state() ?? 'ok';
  const free = deps.disk?.freeMb();
  if (diskState === 'critical') problems.push('Ổ đĩa gần đầy: tin mới không được lưu; giải phóng chỗ trong LOA_DATA_DIR.');
  return {
    ok: problems.length === 0,
    channels,
    content: { qa: deps.knowledge.state.qa.length, articles: deps.knowledge.state.articles.length, errors, lastGoodMissing: missing },
    disk: { state: diskState, freeMb: free === undefined || !Number.isFinite(free) ? null : Math.round(free) },
    problems,
  };
}

/**
 * What staff must do about broken content, and what is served meanwhile, true to it: a broken
 * file's last good version serves only when there is one (a new file never valid, or a start
 * with no earlier index, has none: its entries are not answered until it is fixed).
 */
export function contentAdvice(fileCount: number, lastGoodMissing: readonly string[]): string {
  if (lastGoodMissing.length === 0) return 'Sửa các tệp được nêu (trong lúc đó bản hợp lệ trước vẫn được dùng).';
  const list = lastGoodMissing.slice(0, 5).join(', ') + (lastGoodMissing.length > 5 ? ` và ${lastGoodMissing.length - 5} tệp khác` : '');
  const others = fileCount > lastGoodMissing.length ? ' Các tệp lỗi khác vẫn dùng bản hợp lệ trước.' : '';
  return `Sửa các tệp được nêu. Chưa có bản hợp lệ nào trước đó để dùng tạm cho ${list}: nội dung trong đó chưa được dùng để trả lời cho đến khi sửa xong.${others}`;
}

/** The content line of {@link HealthReport.problems}. */
export function contentProblem(errorCount: number, fileCount: number, lastGoodMissing: readonly string[]): string {
  const advice = contentAdvice(fileCount, lastGoodMissing);
  return `Nội dung: ${errorCount} lỗi; ${advice.charAt(0).toLowerCase()}${advice.slice(1)}`;
}
