/**
 * Why a campaign is not sending right now, in words staff read on its page and in
 * `loa campaign status`.
 *
 * A campaign that waits without a word looks broken: staff resend, or call IT. The outbox holds
 * a campaign for three reasons it can name: quiet hours (until their configured end), a channel
 * this server has no credentials for (its deliveries wait until it is configured), and a person
 * who paused it (from the audit log). Pure apart from the audit read, so the page and the CLI
 * say the same thing.
 */
import type { Db } from '../db/index.js';
import type { Campaign, CampaignChannel } from '../db/campaigns.js';
import { listAudit } from '../db/audit.js';
import { formatVietnamTime } from '../time/vietnam.js';
import { isQuietTime, quietHoursEnd, type QuietHours } from './quiet-hours.js';
import { failureReasonVi } from './report.js';

/** What the reasons are computed from. */
export interface WaitFacts {
  now: Date;
  quietHours: QuietHours;
  /** The campaign channels this server has credentials for. */
  configured: ReadonlySet<CampaignChannel>;
  /**
   * False when no Loa service is running on this data directory (the CLI looks; the admin
   * pages are served by the service itself, so they leave it out): nothing is being sent.
   */
  serviceRunning?: boolean;
  /** Rows waiting to be tried again, per channel (`retryWaits` in db/campaigns.ts). */
  retries?: { channel: string; count: number; until: string; reason: string | null }[];
  /** Who paused the campaign and when (see {@link pausedBy}); only read for a paused one. */
  paused?: { by: string | null; at: string | null };
  /**
   * Channels of the running service that are not connected, with the reason it gives (its
   * channel health, `/healthz`): their rows wait. Trial: Zalo OA out of quota held 787 rows with
   * 'chờ: 787' and not a word of why.
   */
  channelsDown?: Partial<Record<string, string | undefined>>;
  /** Rows still to send per channel (`pendingByChannel` in db/campaigns.ts): how many a channel that cannot send holds. */
  waiting?: Partial<Record<string, number>>;
}

const CHANNEL_NAME: Record<CampaignChannel, string> = { telegram: 'Telegram', zalo: 'Zalo OA', 'zalo-bot': 'Zalo Bot' };

/**
 * Why `c` is waiting, one sentence per reason; empty when it is not waiting (a draft, done,
 * cancelled, or sending with nothing in the way).
 *
 * @example
 * waitReasons(c, { now, quietHours: { start: '21:00', end: '07:00' }, configured: new Set(['telegram']) })
 * // ['Đang trong giờ yên lặng (21:00–07:00): tin sẽ đi tiếp lúc 07:00 06/12/2026.']
 */
export function waitReasons(c: Pick<Campaign, 'status' | 'channels'> & { sendAt?: string | null; startedAt?: string | null }, f: WaitFacts): string[] {
  const reasons: string[] = [];
  if (c.status === 'paused') {
    const p = f.paused;
    reasons.push(`Tạm dừng${p?.by ? ` bởi ${p.by}` : ''}${p?.at ? ` lúc ${formatVietnamTime(p.at, 'HH:mm dd/MM/yyyy')}` : ''}: không gửi tin nào cho đến khi có người bấm “Tiếp tục”.`);
  }
  if (!['scheduled', 'sending', 'paused'].includes(c.status)) return reasons;
  // Found after a kill -9: 'đang gửi' with one row 'đang gửi' while nothing ran at all.
  if (f.serviceRunning === false && c.status !== 'paused')
    reasons.push(
      'Dịch vụ Loa không chạy trên thư mục dữ liệu này: không tin nào được gửi cho đến khi khởi động lại (systemctl start loa, hoặc npm start). Tin đang gửi dở lúc dừng sẽ được ghi là “không rõ” khi khởi động.',
    );
  const q = f.quietHours;
  // A campaign scheduled for later is waiting for its time (the page shows it), not for quiet hours.
  const notYetDue = c.status === 'scheduled' && !!c.sendAt && Date.parse(c.sendAt) > f.now.getTime();
  if (c.status !== 'paused' && !notYetDue && isQuietTime(f.now, q))
    reasons.push(`Đang trong giờ yên lặng (${q.start}–${q.end}): tin sẽ đi tiếp lúc ${formatVietnamTime(quietHoursEnd(f.now, q), 'HH:mm dd/MM/yyyy')}.`);
  // Scheduled at night (23:30): the page said 'gửi lúc 23:30' and nothing went until 07:00.
  if (notYetDue && isQuietTime(new Date(c.sendAt!), q))
    reasons.push(
      `Giờ gửi đã chọn (${formatVietnamTime(c.sendAt!, 'HH:mm dd/MM/yyyy')}) nằm trong giờ yên lặng (${q.start}–${q.end}): tin sẽ bắt đầu đi lúc ${formatVietnamTime(quietHoursEnd(new Date(c.sendAt!), q), 'HH:mm dd/MM/yyyy')}.`,
    );
  // A 429 with retry_after 30 held the whole Telegram lane for 30 s with the count frozen and
  // no word (trial run): say who asked to wait, until when, and that it resumes by itself.
  if (c.status === 'sending')
    for (const r of f.retries ?? []) {
      const name = CHANNEL_NAME[r.channel as CampaignChannel] ?? r.channel;
      // Zalo OA out of quota: no time to give (Zalo does not say when it comes back).
      const quota = /^Zalo (-211|-218)\b/.exec(r.reason ?? '');
      if (quota) {
        // The channel's own sentence below already says why and counts every row it holds.
        if (f.channelsDown && r.channel in f.channelsDown) continue;
        reasons.push(
          `${name}: ${r.count} tin đang chờ vì OA đã hết hạn mức tin (lỗi ${quota[1]}). Các tin này không bị tính là lỗi và sẽ không gửi trùng: Loa thử lại một tin mỗi phút và tự gửi tiếp khi Zalo nhận tin trở lại (khi hạn mức được cấp lại, hoặc khi OA mua thêm hạn mức tại oa.zalo.me).`,
        );
        continue;
      }
      // A wait already over: those rows are going now.
      if (Date.parse(r.until) <= f.now.getTime()) continue;
      const left = Math.max(1, Math.ceil((Date.parse(r.until) - f.now.getTime()) / 1000));
      const limited = /too many|429|rate|-32\b/i.test(r.reason ?? '');
      reasons.push(
        `${name}: ${r.count} tin chờ thử lại đến ${formatVietnamTime(r.until, 'HH:mm')} (còn khoảng ${left} giây)` +
          (limited
            ? `; ${name} báo gửi quá nhanh nên cả kênh tạm chờ, rồi tự gửi tiếp, không cần làm gì.`
            : `${r.reason ? ` (${failureReasonVi(r.reason)})` : ''}; Loa tự thử lại, không cần làm gì.`),
      );
    }
  // What the outbox really does (failUnroutableDeliveries): once sending starts, the rows of a
  // channel this server has no credentials for are failed so the campaign can finish. This said
  // "they wait until it is configured" while they had already failed.
  if (c.status === 'sending')
    for (const ch of c.channels)
      if (f.configured.has(ch) && f.channelsDown && ch in f.channelsDown)
        reasons.push(
          `${CHANNEL_NAME[ch]} đang không gửi được${f.waiting?.[ch] ? ` (${f.waiting[ch]} tin của kênh này đang chờ)` : ''}${f.channelsDown[ch] ? `: ${f.channelsDown[ch]}` : '.'} Các tin chờ không bị tính là lỗi và không gửi trùng: Loa thử lại một tin mỗi phút và tự gửi tiếp khi kênh hoạt động lại.`,
        );
  for (const ch of c.channels)
    if (!f.configured.has(ch))
      reasons.push(
        c.status === 'scheduled' || !c.startedAt
          ? `Kênh ${CHANNEL_NAME[ch]} chưa được cấu hình trên máy chủ này: nếu đến lúc gửi vẫn chưa cấu hình, tin cho kênh này sẽ không được gửi (ghi lỗi “kênh chưa cấu hình”). Nhờ quản trị viên cấu hình trước giờ gửi (xem docs/deploy.md), hoặc sửa chiến dịch bỏ kênh này.`
          : `Kênh ${CHANNEL_NAME[ch]} chưa được cấu hình trên máy chủ này: tin cho kênh này không được gửi (ghi lỗi “kênh chưa cấu hình”). Sau khi quản trị viên cấu hình, tạo chiến dịch mới cho kênh này.`,
      );
  return reasons;
}

/** Who paused campaign `id` last, and when (from the audit log). */
export function pausedBy(db: Db, id: number): { by: string | null; at: string | null } {
  const [entry] = listAudit(db, { action: 'campaign.pause', targetType: 'campaign', targetId: String(id), limit: 1 });
  return { by: entry?.actor ?? null, at: entry?.at ?? null };
}
