/**
 * `loa campaign`: campaigns for staff, until the admin pages exist. The CLI only changes state
 * in the database; the running `npm start` process does the sending.
 *
 *   loa campaign create --as U --text "…" [--title T] [--image URL] [--link "Nhãn|https://…"]…
 *                       [--channels telegram,zalo] [--topics a,b] [--regions x] [--at TIME]
 *   loa campaign edit ID --as U [--text …] [--title …] [--image …] [--link …]… [--channels …] [--topics …] [--regions …] [--at TIME]
 *   loa campaign reject ID --as U --reason "…"
 *   loa campaign preview|submit|approve|schedule|pause|resume|cancel|resend-unknown|retry-failed ID --as U
 *   loa campaign report ID                          (per platform and commune)
 *   loa campaign export ID --out FILE.xlsx|FILE.csv (every delivery, Vietnamese headers)
 *   loa campaign schedule ID --as U [--at TIME]     (TIME: "25/11/2026 08:00" Vietnam time, day first, 24-hour; ISO too)
 *   loa campaign status ID [--json] [--once]
 *   loa campaign list [--json]
 *
 * `--as U` names the staff account that acts; the read-only actions (`list`, `status`,
 * `preview`) need none, since whoever can open the database file can read it anyway (with
 * `--as`, they check that U may view campaigns). Every change is audited with the operating-system
 * user beside U; run from a terminal, a change first asks for U's password (hidden) and is
 * refused if it is wrong; run from a script (stdin not a terminal) it proceeds, audited as not
 * checked (see `operator.ts`).
 */
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { loadConfig } from '../config.js';
import { openDb, type Db } from '../db/index.js';
import { campaignChannelSchema, deliveryCounts, getCampaign, listCampaigns, retryWaits, pendingByChannel, type Campaign, type CampaignChannel, type DeliveryCounts } from '../db/campaigns.js';
import { loadContent, type Region } from '../knowledge/content.js';
import { createCampaignService, CampaignError, STATUS_VI } from '../campaigns/service.js';
import { campaignContentSchema, previewAll } from '../campaigns/content.js';
import { isQuietTime, quietHoursEnd, type QuietHours } from '../campaigns/quiet-hours.js';
import { pausedBy, waitReasons } from '../campaigns/waiting.js';
import { DELIVERY_LIST_HEADER, deliveryListRows, deliveryListSheet, deliveryReport, failureReasonVi, formatDeliveryReport } from '../campaigns/report.js';
import { toCsv } from '../text/csv.js';
import { toXlsx } from '../text/xlsx.js';
import { formatVietnamTime, parseStaffDateTime } from '../time/vietnam.js';
import { getPasswordHash, getUserByName, verifyPassword } from '../db/users.js';
import { recordAudit } from '../db/audit.js';
import { detectRunningService } from '../db/backup.js';
import { withTimeout } from '../time/timeout.js';
import { askHidden, cliAuditOrigin, osUserName } from './operator.js';
import { argsErrorText } from './args.js';

export const USAGE = `cách dùng:
  loa campaign create --as TÊN --text "…" [--title TIÊU_ĐỀ] [--image URL] [--link "Nhãn|https://…"]
                      [--channels telegram,zalo] [--topics a,b] [--regions x,y] [--at GIỜ]
  loa campaign edit MÃ --as TÊN [--text "…"] [--title …] [--image URL] [--link "Nhãn|https://…"]
                      [--channels …] [--topics …] [--regions …] [--at GIỜ]
      (sửa chiến dịch chưa bắt đầu gửi; đã gửi duyệt hay đã duyệt thì về bản nháp và phải duyệt lại)
  loa campaign preview MÃ
  loa campaign reject MÃ --as TÊN --reason "lý do, để người soạn biết cần sửa gì"
  loa campaign submit|approve|pause|resume|cancel|resend-unknown MÃ --as TÊN
  loa campaign retry-failed MÃ --as TÊN   gửi lại chỉ những tin bị lỗi (không gửi lại ai đã nhận,
                      đã chặn, đã huỷ đăng ký hay ngoài 7 ngày của Zalo)
  loa campaign report MÃ                  kết quả gửi theo kênh và địa bàn
  loa campaign export MÃ --as TÊN --out TỆP.xlsx
                      danh sách gửi từng người (mở bằng Excel; .csv cho phần mềm khác)
  loa campaign schedule MÃ --as TÊN [--at GIỜ]
  loa campaign status MÃ [--json] [--once]
  loa campaign list [--json]
--as TÊN (tài khoản cán bộ thực hiện) cần cho mọi thao tác thay đổi; list, status, preview và
report chỉ xem nên không cần; export cần (danh sách có mã người nhận, được ghi vào nhật ký).
GIỜ theo giờ Việt Nam: "dd/mm/yyyy HH:mm" (25/12/2026 08:00) hoặc "yyyy-mm-dd HH:mm".`;

class UsageError extends Error {}

/** Test and tool hooks. */
export interface CampaignCliDeps {
  db?: Db;
  contentDir?: string;
  regionsRoot?: string;
  quietHours?: QuietHours;
  out?: (s: string) => void;
  err?: (s: string) => void;
  now?: () => Date;
  /** Whether a person is at a terminal (default: stdin is a TTY); then a change asks for the password. */
  interactive?: boolean;
  /** Asks for a password without echo (default: {@link askHidden} on stdin); null = given up. */
  askPassword?: (prompt: string) => Promise<string | null>;
  /** The operating-system user to audit (default: `os.userInfo()`). */
  osUser?: string;
  /**
   * Whether the service is running on this data directory (default: its marker file or HTTP
   * address, as `loa restore` checks; not checked when a `db` is given without this).
   */
  serviceRunning?: () => Promise<boolean>;
  /** Campaign channels with credentials on this server (default: from the configuration). */
  configuredChannels?: CampaignChannel[];
  /**
   * The running service's channels that are not connected, with their reasons (default: its
   * `/healthz`; nothing when it does not answer).
   */
  channelsDown?: () => Promise<Partial<Record<string, string | undefined>> | undefined>;
}

/** The channels `/healthz` of a running service reports as not connected, with their reasons. */
async function channelsDownFromHealthz(http: { host: string; port: number }): Promise<Partial<Record<string, string | undefined>> | undefined> {
  const host = http.host === '0.0.0.0' || http.host === '::' ? '127.0.0.1' : http.host;
  try {
    const body = await withTimeout(1500, async (signal) => {
      const res = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${http.port}/healthz`, { signal });
      return (await res.json()) as { channels?: Record<string, { state?: string; reason?: string }> };
    });
    const down: Partial<Record<string, string | undefined>> = {};
    for (const [name, h] of Object.entries(body.channels ?? {})) if (h.state === 'retrying' || h.state === 'failed') down[name] = h.reason;
    return down;
  } catch {
    return undefined;
  }
}

/** Actions that only read: no password asked, nothing audited. */
const READ_ONLY = new Set(['preview', 'status', 'list', 'report']);
const SUBCOMMANDS = new Set(['create', 'edit', 'preview', 'submit', 'approve', 'reject', 'schedule', 'pause', 'resume', 'cancel', 'resend-unknown', 'retry-failed', 'status', 'list', 'report', 'export']);

const list = (s: string | undefined): string[] =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** A text progress bar: `[██████░░░░] 60%`. */
export function progressBar(done: number, total: number, width = 30): string {
  const f = total > 0 ? Math.min(1, done / total) : 1;
  const n = Math.round(f * width);
  return `[${'█'.repeat(n)}${'░'.repeat(width - n)}] ${(f * 100).toFixed(0).padStart(3)}%`;
}

/** "đã huỷ bởi lan lúc 08:00 25/11/2026": who cancelled and when, as staff read it. */
export function cancelledLine(cancelled: { by: string | null; at: string | null }): string {
  return `Đã huỷ${cancelled.by ? ` bởi ${cancelled.by}` : ''}${cancelled.at ? ` lúc ${formatVietnamTime(cancelled.at)}` : ''}`;
}

/**
 * The counts as staff read them. A cancelled campaign says who cancelled it and when
 * (`cancelled`, from the service), never the time it would have been sent.
 */
export function formatCounts(c: Campaign, k: DeliveryCounts, expected?: number, cancelled?: { by: string | null; at: string | null }): string {
  const finished = k.targeted - k.pending - k.sending;
  const head = `#${c.id} · ${STATUS_VI[c.status] ?? c.status} · ${c.channels.join(', ')}`;
  if (c.status === 'cancelled') {
    const line = cancelledLine(cancelled ?? { by: null, at: c.finishedAt });
    if (!c.startedAt) return `${head}\n${line}; không có tin nào được gửi.`;
    // Every row in one of the figures, so they add up to the targeted count (trial: 503 sent +
    // 1,440 cancelled of 1,986, the 43 outside Zalo's window nowhere).
    const others = [
      [k.gone, 'không còn nhận (chặn/huỷ theo dõi)'],
      [k.outsideWindow, 'ngoài 7 ngày (Zalo)'],
      [k.optedOut, 'đã huỷ đăng ký trước khi gửi'],
      [k.unknown, 'không rõ (gián đoạn)'],
      [k.pending + k.sending, 'đang gửi dở'],
    ].filter(([n]) => (n as number) > 0);
    return `${head}\n${line}; các tin chưa gửi sẽ không được gửi.\n  tổng ${k.targeted}: đã gửi: ${k.sent}   không gửi (đã huỷ): ${k.cancelled}   lỗi: ${k.failed}${others.map(([n, label]) => `   ${label}: ${n}`).join('')}`;
  }
  if (!c.startedAt) {
    const when = c.sendAt ? `, gửi lúc ${formatVietnamTime(c.sendAt)}` : '';
    return `${head}\n${progressBar(0, 1)} chưa bắt đầu gửi${when}; hiện có ${expected ?? '?'} người nhận`;
  }
  const lines = [
    head,
    `${progressBar(finished, k.targeted)} ${finished}/${k.targeted}`,
    `  đã gửi: ${k.sent}   đang gửi: ${k.sending}   chờ: ${k.pending}${k.retrying ? ` (chờ thử lại: ${k.retrying})` : ''}`,
    `  không còn nhận (chặn/huỷ theo dõi): ${k.gone}   ngoài 7 ngày (Zalo): ${k.outsideWindow}   đã huỷ đăng ký trước khi gửi: ${k.optedOut}`,
    `  lỗi: ${k.failed}${Object.keys(k.failedByReason).length ? ` (${Object.entries(k.failedByReason).map(([r, n]) => `${failureReasonVi(r)}: ${n}`).join('; ')})` : ''}   không rõ (gián đoạn): ${k.unknown}   huỷ: ${k.cancelled}`,
    `  huỷ đăng ký từ khi bắt đầu gửi: ${k.optedOutSince}`,
  ];
  if (k.failed > 0 && (c.status === 'done' || c.status === 'sending' || c.status === 'paused'))
    lines.push(`  ↻ ${k.failed} tin lỗi; khi đã khắc phục nguyên nhân, gửi lại chỉ những tin này: loa campaign retry-failed ${c.id} --as <tên>`);
  if (k.unknown > 0)
    lines.push(`  ⚠ ${k.unknown} tin không rõ đã tới hay chưa (đang gửi thì máy chủ dừng); gửi lại (ai đã nhận sẽ nhận hai lần): loa campaign resend-unknown ${c.id} --as <tên>`);
  return lines.join('\n');
}

/**
 * What the audience count does not say on Zalo OA: only people who wrote to the OA in the last 7
 * days can be sent the message (Zalo's rule); undefined when the campaign is not on Zalo OA.
 */
export function zaloWindowLine(a: { byChannel: Partial<Record<string, number>>; zaloInWindow?: number }): string | undefined {
  const all = a.byChannel.zalo;
  if (a.zaloInWindow === undefined || !all) return undefined;
  if (a.zaloInWindow >= all) return `Zalo OA: cả ${all} người đã nhắn cho OA trong 7 ngày qua, hiện đều nhận được.`;
  return (
    `⚠ Zalo OA: chỉ ${a.zaloInWindow}/${all} người đã nhắn cho OA trong 7 ngày qua nên nhận được tin (quy định của Zalo); ` +
    `${all - a.zaloInWindow} người còn lại sẽ được ghi "ngoài 7 ngày" và không nhận, trừ khi họ nhắn cho OA trước lúc gửi. ` +
    `Người nhập từ tệp hoặc đồng bộ người theo dõi chưa nhắn lần nào thì chưa nhận được.`
  );
}

/** Re-exported for the callers that took it from here; it lives with the delivery report. */
export { failureReasonVi };

/** Runs `loa campaign …`; returns the exit code. */
export async function run(args: string[], deps: CampaignCliDeps = {}): Promise<number> {
  const out = deps.out ?? ((s: string) => console.log(s));
  const err = deps.err ?? ((s: string) => console.error(s));
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === 'help') {
    out(USAGE);
    return sub ? 0 : 2;
  }
  if (!SUBCOMMANDS.has(sub)) {
    err(`campaign: không có lệnh '${sub}'.\n${USAGE}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        as: { type: 'string' },
        text: { type: 'string' },
        title: { type: 'string' },
        image: { type: 'string' },
        link: { type: 'string', multiple: true },
        channels: { type: 'string' },
        topics: { type: 'string' },
        regions: { type: 'string' },
        at: { type: 'string' },
        reason: { type: 'string' },
        json: { type: 'boolean' },
        once: { type: 'boolean' },
        out: { type: 'string' },
      },
    });
  } catch (e) {
    err(`campaign: ${argsErrorText(e)}\n${USAGE}`);
    return 2;
  }
  const { values: v, positionals } = parsed;

  let db = deps.db;
  let contentDir = deps.contentDir;
  let root = deps.regionsRoot;
  let quiet = deps.quietHours;
  let configured = deps.configuredChannels;
  let serviceRunning = deps.serviceRunning;
  let channelsDown = deps.channelsDown;
  if (!db || !contentDir) {
    const config = loadConfig();
    channelsDown ??= () => channelsDownFromHealthz(config.http);
    serviceRunning ??= async () => (await detectRunningService(config.dataDir, config.http)).running;
    configured ??= [...(config.telegram ? (['telegram'] as const) : []), ...(config.zalo ? (['zalo'] as const) : []), ...(config.zaloBot ? (['zalo-bot'] as const) : [])];
    db ??= openDb(join(config.dataDir, 'loa.sqlite'));
    contentDir ??= config.contentDir;
    root ??= config.bot.regions_root;
    quiet ??= config.bot.quiet_hours;
  }
  const content = loadContent(contentDir);
  const regions: Region[] = content.regions;
  const now = deps.now ?? (() => new Date());
  const interactive = deps.interactive ?? process.stdin.isTTY === true;
  const osUser = deps.osUser ?? osUserName();
  const changes = !READ_ONLY.has(sub);
  let passwordChecked = false;
  const owned = !deps.db;

  try {
    if (!v.as && changes) throw new UsageError(`campaign: thiếu --as <tên tài khoản>: mọi thay đổi phải do một tài khoản cán bộ có tên thực hiện, ví dụ: loa campaign ${sub} … --as lan`);
    const as = v.as ?? '';
    if (changes && interactive) {
      // A person at a terminal proves they are `as`, as the admin login would.
      const user = getUserByName(db, as);
      const ask = deps.askPassword ?? ((prompt: string) => askHidden(prompt));
      const given = await ask(`Mật khẩu của tài khoản '${as}': `);
      const hash = user ? getPasswordHash(db, user.id) : null;
      if (given === null) throw new CampaignError('campaign: đã huỷ, không nhập mật khẩu.');
      if (!user || !hash || !(await verifyPassword(given, hash))) {
        recordAudit(db, { actor: `cli:${as.slice(0, 64)}`, action: 'cli.password_wrong', details: { command: `campaign ${sub}`, osUser } }, now());
        throw new CampaignError(`campaign: mật khẩu của '${as}' không đúng; không thực hiện thao tác. (Người dùng hệ điều hành '${osUser}' đã được ghi vào nhật ký.)`);
      }
      passwordChecked = true;
    } else if (changes) {
      err(`Lưu ý: chạy không tương tác nên không hỏi mật khẩu của '${as}'; nhật ký ghi thao tác này kèm người dùng hệ điều hành '${osUser}' và "chưa kiểm tra mật khẩu".`);
    }
    const service = createCampaignService({
      db,
      regions: () => ({ regions, root }),
      topics: () => content.topics.map((t) => t.slug),
      now,
      auditOrigin: cliAuditOrigin({ osUser, interactive, passwordChecked }),
    });
    const idArg = (): number => {
      const id = Number(positionals[0]);
      if (!Number.isInteger(id) || id <= 0) throw new UsageError(`campaign: hãy cho biết mã chiến dịch: loa campaign ${sub} MÃ${changes ? ` --as ${as}` : ''}`);
      return id;
    };
    // Read-only actions: with --as, only for someone allowed to view; without, as the file allows.
    const view = (id: number): Campaign => {
      if (v.as) return service.get(as, id);
      const c = getCampaign(db, id);
      if (!c) throw new CampaignError(`campaign: không có chiến dịch #${id}; xem 'loa campaign list'`);
      return c;
    };
    // Read as the admin's "Gửi lúc" is (time/vietnam.ts parseStaffDateTime): a date needs its
    // time (a bare date was midnight), and a time already past is refused (it sent at once).
    const at = (): Date | undefined => {
      if (!v.at) return undefined;
      const d = parseStaffDateTime(v.at);
      if (!d.ok) throw new UsageError(`campaign: --at: ${d.error}`);
      const t = now();
      if (d.at.getTime() < Math.floor(t.getTime() / 60_000) * 60_000)
        throw new UsageError(
          `campaign: --at: ${formatVietnamTime(d.at)} đã qua (bây giờ là ${formatVietnamTime(t)}, giờ Việt Nam): hãy cho một thời điểm sau bây giờ, hoặc bỏ --at để gửi ngay khi lên lịch`,
        );
      return d.at;
    };
    const channelsArg = (given: string): CampaignChannel[] =>
      list(given).map((s) => {
        const p = campaignChannelSchema.safeParse(s);
        if (!p.success) throw new UsageError(`campaign: không có kênh '${s}'; dùng telegram, zalo, zalo-bot hoặc nhiều kênh (telegram,zalo,zalo-bot)`);
        return p.data;
      });
    const linksArg = (): { label: string; url: string }[] =>
      (v.link ?? []).map((l) => {
        const i = l.lastIndexOf('|');
        if (i <= 0) throw new UsageError(`campaign: --link '${l}' phải có dạng "Nhãn|https://…"`);
        return { label: l.slice(0, i), url: l.slice(i + 1) };
      });
    const show = (c: Campaign): void => {
      const audience = service.audience(c);
      const content = campaignContentSchema.parse({ title: c.title ?? undefined, text: c.text, imageUrl: c.imageUrl ?? undefined, links: c.links });
      out(`Chiến dịch #${c.id} · ${STATUS_VI[c.status]} · soạn: ${c.author}${c.approver ? ` · duyệt: ${c.approver}` : ''}`);
      out(`Đối tượng: kênh ${c.channels.join(', ')} · chủ đề ${c.topics.join(', ') || 'tất cả'} · địa bàn ${c.regions.join(', ') || 'tất cả'}`);
      out(`Số người nhận hiện nay: ${audience.total} (${Object.entries(audience.byChannel).map(([k, n]) => `${k}: ${n}`).join(', ') || 'không có ai'})`);
      const zalo = zaloWindowLine(audience);
      if (zalo) out(zalo);
      const refused = service.lastRejection(c);
      if (refused) out(`Bị trả lại bởi ${refused.by} lúc ${formatVietnamTime(refused.at)}: ${refused.reason}\nSửa bằng 'loa campaign edit ${c.id} --as <tên> --text "…"' rồi gửi duyệt lại.`);
      const cancelled = service.cancellation(c);
      if (cancelled) out(`${cancelledLine(cancelled)}.`);
      else if (c.sendAt) out(`Giờ gửi: ${formatVietnamTime(c.sendAt)} (giờ Việt Nam)`);
      out(previewAll(content, c.channels));
      for (const i of service.issues(c)) out(`${i.severity === 'error' ? '✗ LỖI' : '! lưu ý'}: ${i.message}`);
    };
    const done = (c: Campaign, what: string): void => out(`Chiến dịch #${c.id}: ${what} (trạng thái: ${STATUS_VI[c.status]})`);

    switch (sub) {
      case 'create': {
        if (!v.text) throw new UsageError('campaign: cần nội dung tin: --text "…"');
        // Like the compose form: by default the channels this server can send on (trial run: the
        // default 'telegram,zalo' on a Telegram-only server put Zalo rows in that could only fail).
        const channels = channelsArg(v.channels ?? (configured?.length ? configured.join(',') : 'telegram,zalo'));
        const links = linksArg();
        const c = service.create(as, {
          text: v.text,
          title: v.title,
          imageUrl: v.image,
          links,
          channels,
          topics: list(v.topics),
          regions: list(v.regions),
          sendAt: at(),
        });
        if (v.json) {
          out(JSON.stringify({ id: c.id, status: c.status }));
          return 0;
        }
        const missing = configured ? channels.filter((ch) => !configured!.includes(ch)) : [];
        if (missing.length)
          out(`Lưu ý: kênh ${missing.join(', ')} chưa được cấu hình trên máy chủ này; tin cho kênh đó sẽ không được gửi. Bỏ kênh bằng 'loa campaign edit ${c.id} --as ${as} --channels ${channels.filter((ch) => !missing.includes(ch)).join(',') || 'telegram'}', hoặc nhờ quản trị viên cấu hình.`);
        out(
          `Đã tạo chiến dịch #${c.id}, trạng thái: ${STATUS_VI[c.status]} (chưa gửi duyệt, chưa ai được nhận). ` +
            `Bước tiếp theo: xem trước bằng 'loa campaign preview ${c.id}', rồi gửi duyệt bằng 'loa campaign submit ${c.id} --as ${as}'.`,
        );
        return 0;
      }
      case 'edit': {
        const id = idArg();
        const given = v.text !== undefined || v.title !== undefined || v.image !== undefined || v.link !== undefined || v.channels !== undefined || v.topics !== undefined || v.regions !== undefined || v.at !== undefined;
        if (!given) throw new UsageError(`campaign: cho biết cần sửa gì, ví dụ: loa campaign edit ${id} --as ${as} --text "…" (hoặc --title, --image, --link, --channels, --topics, --regions, --at)`);
        const before = view(id);
        const c = service.edit(as, id, {
          ...(v.text !== undefined ? { text: v.text } : {}),
          ...(v.title !== undefined ? { title: v.title } : {}),
          ...(v.image !== undefined ? { imageUrl: v.image } : {}),
          ...(v.link !== undefined ? { links: linksArg() } : {}),
          ...(v.channels !== undefined ? { channels: channelsArg(v.channels) } : {}),
          ...(v.topics !== undefined ? { topics: list(v.topics) } : {}),
          ...(v.regions !== undefined ? { regions: list(v.regions) } : {}),
          ...(v.at !== undefined ? { sendAt: at() } : {}),
        });
        show(c);
        done(c, 'đã sửa');
        out(
          before.status === 'draft'
            ? `Bước tiếp theo: gửi duyệt bằng 'loa campaign submit ${c.id} --as ${as}'.`
            : `Chiến dịch đang '${STATUS_VI[before.status]}' nên sau khi sửa phải duyệt lại (lịch gửi cũng bỏ): gửi duyệt bằng 'loa campaign submit ${c.id} --as ${as}', rồi một người duyệt khác chạy 'loa campaign approve ${c.id} --as <tên>'.`,
        );
        return 0;
      }
      case 'preview':
        show(view(idArg()));
        return 0;
      case 'submit': {
        const c = service.submit(as, idArg());
        show(c);
        done(c, 'đã gửi duyệt');
        return 0;
      }
      case 'approve': {
        const c = service.approve(as, idArg());
        done(c, `đã duyệt, ${c.audienceAtApproval} người nhận`);
        const zalo = zaloWindowLine(service.audience(c));
        if (zalo) out(zalo);
        return 0;
      }
      case 'reject': {
        const c = service.reject(as, idArg(), v.reason);
        done(c, 'trả lại bản nháp');
        out(`Người soạn (${c.author}) sẽ thấy lý do khi xem 'loa campaign preview ${c.id}' hoặc trang của chiến dịch.`);
        return 0;
      }
      case 'schedule': {
        const c = service.schedule(as, idArg(), at());
        const when = c.sendAt ? new Date(c.sendAt) : now();
        const q = quiet ?? { start: '21:00', end: '07:00' };
        done(c, c.sendAt && when > now() ? `sẽ gửi lúc ${formatVietnamTime(when)} (giờ Việt Nam)` : 'sẽ gửi ngay');
        const from = when < now() ? now() : when;
        if (isQuietTime(from, q))
          out(
            `Lưu ý: ${from === when ? `giờ gửi ${formatVietnamTime(when, 'HH:mm dd/MM/yyyy')} nằm trong` : 'đang trong'} giờ yên lặng (${q.start}–${q.end}); tin sẽ bắt đầu đi lúc ${formatVietnamTime(quietHoursEnd(from, q), 'HH:mm dd/MM/yyyy')}.`,
          );
        return 0;
      }
      case 'pause':
        done(service.pause(as, idArg()), 'tạm dừng');
        return 0;
      case 'resume':
        done(service.resume(as, idArg()), 'tiếp tục');
        return 0;
      case 'cancel':
        done(service.cancel(as, idArg()), 'đã huỷ');
        return 0;
      case 'resend-unknown': {
        const { campaign, requeued } = service.resendUnknown(as, idArg());
        done(campaign, `${requeued} tin không rõ sẽ được gửi lại`);
        return 0;
      }
      case 'retry-failed': {
        const { campaign, requeued } = service.retryFailed(as, idArg());
        done(campaign, requeued ? `${requeued} tin lỗi sẽ được gửi lại (chỉ những tin lỗi)` : 'không có tin lỗi nào để gửi lại');
        return 0;
      }
      case 'report': {
        const c = view(idArg());
        out(`Chiến dịch #${c.id} · ${STATUS_VI[c.status]} · kết quả gửi theo kênh và địa bàn (địa bàn người nhận đã chọn)`);
        out(formatDeliveryReport(deliveryReport(db, c, regions)));
        return 0;
      }
      case 'export': {
        const id = idArg();
        if (!v.out) throw new UsageError(`campaign: hãy cho biết tệp cần ghi: loa campaign export ${id} --as ${as} --out danh-sach-${id}.xlsx (mở bằng Excel) hoặc .csv (cho phần mềm khác)`);
        service.checkViewer(as);
        const c = view(id);
        const xlsx = extname(v.out).toLowerCase() === '.xlsx';
        const rows = deliveryListRows(db, c, regions);
        if (xlsx) writeFileSync(v.out, await toXlsx(deliveryListSheet(db, c, regions)));
        else writeFileSync(v.out, toCsv([[...DELIVERY_LIST_HEADER], ...rows.map((r) => r.map((x) => (x instanceof Date ? formatVietnamTime(x) : x)))]), 'utf8');
        recordAudit(db, { actor: as, action: 'campaign.export', targetType: 'campaign', targetId: id, details: { rows: rows.length, format: xlsx ? 'xlsx' : 'csv', ...cliAuditOrigin({ osUser, interactive, passwordChecked }) } }, now());
        out(
          xlsx
            ? `Đã ghi ${rows.length} dòng vào ${v.out} (mở bằng Excel).`
            : `Đã ghi ${rows.length} dòng vào ${v.out} (CSV, cho phần mềm khác). Để mở bằng Excel, hãy xuất ra tệp .xlsx: --out ${v.out.replace(/\.[^./\\]*$/, '')}.xlsx`,
        );
        return 0;
      }
      case 'status': {
        const id = idArg();
        view(id);
        const read = (): { c: Campaign; k: DeliveryCounts } => {
          const c = getCampaign(db, id)!;
          return { c, k: deliveryCounts(db, id, now()) };
        };
        let { c, k } = read();
        const expected = c.startedAt ? undefined : service.audience(c).total;
        if (v.json) {
          out(JSON.stringify({ id: c.id, status: c.status, counts: k }));
          return 0;
        }
        // Why it is not sending now: the service down, quiet hours, a channel not configured here, paused by whom.
        const running = ['scheduled', 'sending'].includes(c.status) && serviceRunning ? await serviceRunning() : undefined;
        const down = c.status === 'sending' && running !== false && channelsDown ? await channelsDown() : undefined;
        const waiting = (c: Campaign): string =>
          waitReasons(c, {
            now: now(),
            serviceRunning: running,
            retries: c.status === 'sending' ? retryWaits(db, c.id) : undefined,
            quietHours: quiet ?? { start: '21:00', end: '07:00' },
            configured: new Set(configured ?? c.channels),
            paused: c.status === 'paused' ? pausedBy(db, c.id) : undefined,
            channelsDown: down,
            waiting: down ? pendingByChannel(db, c.id) : undefined,
          })
            .map((r) => `\n  ⏸ ${r}`)
            .join('');
        const live = !v.once && process.stdout.isTTY && !deps.out;
        if (!live) {
          out(formatCounts(c, k, expected, service.cancellation(c)) + waiting(c));
          return 0;
        }
        // Live: redraw until the campaign leaves scheduled/sending (Ctrl+C stops watching only).
        let lines = 0;
        for (;;) {
          const text = formatCounts(c, k, c.startedAt ? undefined : service.audience(c).total, service.cancellation(c)) + waiting(c);
          if (lines) process.stdout.write(`\x1b[${lines}A\x1b[0J`);
          process.stdout.write(`${text}\n`);
          lines = text.split('\n').length;
          if (!['scheduled', 'sending'].includes(c.status)) break;
          await new Promise((r) => setTimeout(r, 500));
          ({ c, k } = read());
        }
        return 0;
      }
      case 'list': {
        if (v.as) service.checkViewer(as);
        const all = listCampaigns(db);
        if (v.json) {
          out(JSON.stringify(all.map((c) => ({ id: c.id, status: c.status, author: c.author, approver: c.approver, channels: c.channels, text: c.text.slice(0, 80) }))));
          return 0;
        }
        if (all.length === 0) out('Chưa có chiến dịch nào.');
        for (const c of all)
          out(`#${String(c.id).padEnd(4)} ${(STATUS_VI[c.status] ?? c.status).padEnd(12)} ${c.channels.join(',').padEnd(14)} ${c.author.padEnd(10)} ${c.text.replace(/\s+/g, ' ').slice(0, 50)}`);
        return 0;
      }
      default:
        throw new UsageError(`campaign: không có lệnh '${sub}'\n${USAGE}`);
    }
  } catch (e) {
    if (e instanceof CampaignError || e instanceof UsageError) {
      err(e.message);
      return e instanceof UsageError ? 2 : 1;
    }
    throw e;
  } finally {
    if (owned) db.close();
  }
}
