/**
 * `loa subscribers`: bring subscribers in from elsewhere.
 *
 *   loa subscribers import FILE.csv   columns: channel,external_id,display_name,topics,region,consented_at
 *                                     separated by ',' (or all by ';', as Excel saves in a Vietnamese
 *                                     locale); topics separated by ';' or '|' (use '|' in a ';' file);
 *                                     UTF-8, a BOM is accepted; consented_at is dd/mm/yyyy or ISO
 *   loa subscribers sync-zalo         pulls the OA's followers, 50 a page
 *   loa subscribers regions           the region slugs people chose, flagging those the regions
 *                                     file no longer has (a commune merged since)
 *   loa subscribers move-region OLD NEW --as U   moves everyone from OLD to NEW (audited)
 *
 * An import never resubscribes someone who opted out after the consent it carries, and the
 * whole file is checked first: one bad row and nothing is written, with every problem listed
 * by line. Dates are day/month (`01/05/2025` is 1 May) or ISO; anything ambiguous is refused with
 * its line rather than guessed (`time/vietnam.ts` parseStaffDate). Messages are for staff, so
 * they are Vietnamese. The columns are documented in docs/admin.md.
 */
import { decodeTextFile, notUtf8CsvMessage } from '../text/encoding.js';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadConfig, type Config } from '../config.js';
import { openDb, type Db } from '../db/index.js';
import { importSubscribers, recordZaloFollowers, type ImportedSubscriber } from '../db/subscribers.js';
import { recordAudit } from '../db/audit.js';
import { moveRegion, regionsInUse } from '../db/people-regions.js';
import { getUserByName } from '../db/users.js';
import { cliAuditOrigin, osUserName } from './operator.js';
import { flattenRegions, loadContent } from '../knowledge/content.js';
import { createZaloClient, createZaloOAuth, type ZaloClient } from '../channels/zalo/client.js';
import { createZaloTokenStore } from '../channels/zalo/token-store.js';
import { readCsvRecords } from '../text/csv.js';
import { parseStaffDate } from '../time/vietnam.js';

export const USAGE = `cách dùng:
  loa subscribers import TỆP.csv    nhập người đăng ký từ hệ thống cũ
      cột (đúng thứ tự, dòng đầu là tên cột): channel,external_id,display_name,topics,region,consented_at
      cột cách nhau bằng dấu phẩy (hoặc tất cả bằng dấu chấm phẩy); chủ đề cách nhau bằng ';' hoặc '|'
      consented_at: ngày người đó đồng ý, dd/mm/yyyy (01/05/2025 là ngày 1 tháng 5) hoặc yyyy-mm-dd
  loa subscribers sync-zalo         lấy danh sách người theo dõi Zalo OA
  loa subscribers regions           số người theo từng địa bàn họ đã chọn; báo địa bàn không còn trong
                                    content/regions.yaml (xã/phường đã sáp nhập)
  loa subscribers move-region CŨ MỚI --as TÊN
                                    chuyển mọi người từ địa bàn CŨ sang địa bàn MỚI (ví dụ xã cũ đã
                                    sáp nhập sang xã mới), để chiến dịch gửi theo xã mới tới được họ`;

const COLUMNS = ['channel', 'external_id', 'display_name', 'topics', 'region', 'consented_at'] as const;

const rowSchema = z.object({
  channel: z.enum(['telegram', 'zalo', 'zalo-bot'], 'kênh phải là telegram, zalo hoặc zalo-bot'),
  external_id: z.string().trim().regex(/^-?[0-9A-Za-z_]+$/, 'phải là mã người dùng của nền tảng (chỉ chữ số; đừng để Excel đổi thành dạng số 8,7E+18)'),
  display_name: z.string().trim().transform((s) => (s ? s.normalize('NFC') : undefined)),
  topics: z.string().transform((s) =>
    s
      .split(/[;|]/)
      .map((t) => t.trim())
      .filter(Boolean),
  ),
  region: z.string().trim().transform((s) => s || null),
  consented_at: z.string().transform((s, ctx) => {
    if (!s.trim()) {
      ctx.addIssue({ code: 'custom', message: 'thiếu ngày người đó đồng ý nhận tin (dd/mm/yyyy hoặc yyyy-mm-dd)' });
      return z.NEVER;
    }
    const d = parseStaffDate(s);
    if (d.ok) return d.at.toISOString();
    ctx.addIssue({ code: 'custom', message: d.error });
    return z.NEVER;
  }),
});

/** Reads and validates a CSV export; returns the rows or every problem by line. */
export function readSubscriberCsv(
  text: string,
  known: { topics: Set<string>; regions: Set<string> },
): { rows: ImportedSubscriber[]; problems: string[] } {
  const read = readCsvRecords(text, COLUMNS);
  if (read.problems.length) return { rows: [], problems: read.problems };
  const problems: string[] = [];
  const rows: ImportedSubscriber[] = [];
  for (const { line, cells } of read.records) {
    const p = rowSchema.safeParse(cells);
    if (!p.success) {
      for (const issue of p.error.issues) problems.push(`dòng ${line}: ${issue.path.join('.')}: ${issue.message}`);
      continue;
    }
    const r = p.data;
    for (const t of r.topics) if (!known.topics.has(t)) problems.push(`dòng ${line}: topics: không có chủ đề '${t}' (xem các mã chủ đề trong content/topics.yaml)`);
    if (r.region && !known.regions.has(r.region))
      problems.push(`dòng ${line}: region: không có địa bàn '${r.region}' (xem các mã địa bàn trong content/regions.yaml; xã/phường đã sáp nhập thì ghi mã xã/phường mới)`);
    rows.push({ channel: r.channel, externalId: r.external_id, displayName: r.display_name, topics: r.topics, region: r.region, consentedAt: r.consented_at });
  }
  return { rows, problems };
}

/** Pulls every follower page; returns the user ids. */
export async function fetchAllFollowers(client: Pick<ZaloClient, 'getFollowers'>, onPage?: (n: number, total: number) => void): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; ; ) {
    const page = await client.getFollowers(offset, 50);
    ids.push(...page.users.map((u) => u.user_id));
    offset += page.users.length;
    onPage?.(offset, page.total);
    if (page.users.length === 0 || offset >= page.total) break;
  }
  return ids;
}

/** Test hooks. */
export interface SubscribersCliDeps {
  db?: Db;
  config?: Config;
  zalo?: Pick<ZaloClient, 'getFollowers'>;
  out?: (s: string) => void;
  err?: (s: string) => void;
}

/** Runs `loa subscribers …`; returns the exit code. */
export async function run(args: string[], deps: SubscribersCliDeps = {}): Promise<number> {
  const out = deps.out ?? ((s: string) => console.log(s));
  const err = deps.err ?? ((s: string) => console.error(s));
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === 'help') {
    out(USAGE);
    return sub ? 0 : 2;
  }
  const config = deps.config ?? loadConfig();
  const db = deps.db ?? openDb(join(config.dataDir, 'loa.sqlite'));
  try {
    if (sub === 'import') {
      const file = rest[0];
      if (!file) {
        err(`subscribers: hãy cho biết tệp CSV cần nhập\n${USAGE}`);
        return 2;
      }
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (e) {
        // Say which file was tried and why: a relative name is read from the working directory,
        // which a wrapper script or systemd may have changed (trial run: 'subs.csv' not found).
        const code = (e as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'không có tệp này' : code === 'EACCES' ? 'không có quyền đọc' : code === 'EISDIR' ? 'đây là thư mục, không phải tệp' : 'lỗi khi đọc';
        err(`subscribers: không đọc được tệp ${resolve(file)} (${why}); kiểm tra đường dẫn (tên tương đối được tính từ thư mục đang đứng: ${process.cwd()}) và quyền đọc`);
        return 1;
      }
      const decoded = decodeTextFile(bytes);
      if (!decoded.ok) {
        err(`subscribers: ${resolve(file)}: ${notUtf8CsvMessage(decoded.line)}`);
        return 1;
      }
      const text = decoded.text;
      const content = loadContent(config.contentDir);
      const { rows, problems } = readSubscriberCsv(text, {
        topics: new Set(content.topics.map((t) => t.slug)),
        regions: new Set(flattenRegions(content.regions).keys()),
      });
      if (problems.length) {
        err(`subscribers: ${file}: chưa nhập ai; sửa các lỗi sau rồi chạy lại:\n${problems.map((p) => `  ${p}`).join('\n')}`);
        return 1;
      }
      const res = importSubscribers(db, rows);
      recordAudit(db, { actor: 'cli', action: 'subscribers.import', details: { file, rows: rows.length, ...res } });
      out(`Đã nhập ${res.imported} người đăng ký${res.keptOptedOut ? `; ${res.keptOptedOut} người đã huỷ đăng ký sau đó nên được giữ nguyên` : ''}.`);
      const zalo = rows.filter((r) => r.channel === 'zalo').length;
      // Zalo OA sends only to people who wrote to it in the last 7 days, and an import carries no
      // such date: the campaign figures would otherwise be the first place staff learn it.
      if (zalo)
        out(
          `Lưu ý: ${zalo} người Zalo OA trong tệp chỉ nhận được tin chiến dịch sau khi họ nhắn cho OA (Zalo chỉ cho gửi tới người đã nhắn trong 7 ngày qua); ` +
            `tới lúc đó họ được ghi "ngoài 7 ngày" ở mỗi chiến dịch.`,
        );
      return 0;
    }
    if (sub === 'sync-zalo') {
      let client = deps.zalo;
      if (!client) {
        const cfg = config.zalo;
        if (!cfg) {
          err('subscribers: chưa cấu hình Zalo; hãy đặt ZALO_APP_ID, ZALO_APP_SECRET và ZALO_OA_SECRET_KEY (xem docs/zalo.md)');
          return 78;
        }
        const http = { apiBase: cfg.apiBase, oauthBase: cfg.oauthBase, appId: cfg.appId, appSecret: cfg.appSecret };
        const tokens = createZaloTokenStore({ db, appId: cfg.appId, oauth: createZaloOAuth(http), seed: { accessToken: cfg.accessToken, refreshToken: cfg.refreshToken } });
        client = createZaloClient({ ...http, tokens });
      }
      const ids = await fetchAllFollowers(client, (n, total) => {
        if (process.stderr.isTTY) process.stderr.write(`\r${n}/${total}`);
      });
      const n = recordZaloFollowers(db, ids);
      recordAudit(db, { actor: 'cli', action: 'subscribers.sync_zalo', details: { followers: ids.length } });
      out(`Đã đồng bộ ${n} người theo dõi Zalo OA.`);
      return 0;
    }
    if (sub === 'regions') {
      const flat = flattenRegions(loadContent(config.contentDir).regions);
      const rows = regionsInUse(db);
      if (rows.length === 0) {
        out('Chưa có người đăng ký nào.');
        return 0;
      }
      out('Địa bàn người dân đã chọn (số người · còn nhận tin):');
      for (const r of rows) {
        const name = r.region === null ? '(chưa chọn địa bàn)' : (flat.get(r.region)?.name ?? null);
        out(
          `  ${name === null ? '⚠ ' : ''}${r.region ?? '-'}${name ? ` · ${name}` : ' · không còn trong content/regions.yaml'}: ${r.people} · ${r.subscribed}` +
            (r.web > 0 ? ` · ${r.web} khách trò chuyện trên trang web của xã/phường` : ''),
        );
      }
      const stale = rows.filter((r) => r.region !== null && !flat.has(r.region));
      const staleWeb = stale.reduce((a, r) => a + r.web, 0);
      if (staleWeb > 0)
        out(
          `⚠ ${staleWeb} khách trò chuyện trên trang web ghi địa bàn không còn trong content/regions.yaml: câu hỏi của họ không hiện trong hàng chờ của xã/phường mới. ` +
            `Sửa thẻ nhúng trên cổng thông tin (data-loa-region) theo mã xã/phường mới, rồi chuyển họ bằng loa subscribers move-region.`,
        );
      if (stale.some((r) => r.people > 0))
        out(
          `⚠ ${stale.reduce((a, r) => a + r.people, 0)} người ghi địa bàn không còn trong content/regions.yaml (xã/phường đã sáp nhập hoặc đổi tên): ` +
            `chiến dịch gửi cả tỉnh vẫn tới họ, chiến dịch gửi theo xã/phường thì không. Chuyển họ sang xã/phường mới: ` +
            `loa subscribers move-region ${stale[0]!.region} <mã-xã-mới> --as <tên>`,
        );
      return 0;
    }
    if (sub === 'move-region') {
      const [from, to] = rest.filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--as');
      const asAt = rest.indexOf('--as');
      const as = asAt >= 0 ? rest[asAt + 1] : undefined;
      if (!from || !to || !as) {
        err(`subscribers: cần địa bàn cũ, địa bàn mới và người thực hiện: loa subscribers move-region hien-nam pho-hien --as lan\n${USAGE}`);
        return 2;
      }
      const flat = flattenRegions(loadContent(config.contentDir).regions);
      if (!flat.has(to)) {
        err(`subscribers: không có địa bàn '${to}' trong content/regions.yaml; chọn một mã ở đó (xem 'loa subscribers regions')`);
        return 1;
      }
      const user = getUserByName(db, as);
      if (!user || user.disabledAt || !user.roles.some((r) => r === 'admin' || r === 'broadcaster')) {
        err(`subscribers: '${as}' không phải tài khoản người soạn tin (broadcaster) hay quản trị đang hoạt động; nhờ người có vai trò đó chuyển địa bàn`);
        return 1;
      }
      if (user.region) {
        err(`subscribers: '${as}' chỉ phụ trách địa bàn '${user.region}'; chuyển địa bàn cho người dân là việc của cán bộ cấp tỉnh (tài khoản không giới hạn địa bàn)`);
        return 1;
      }
      const moved = db.transaction(() => {
        const n = moveRegion(db, from, to);
        recordAudit(db, { actor: as, action: 'subscribers.move_region', details: { from, to, moved: n, ...cliAuditOrigin({ osUser: osUserName(), interactive: false, passwordChecked: false }) } });
        return n;
      })();
      out(
        moved
          ? `Đã chuyển ${moved} người từ '${from}' sang '${to}' (${flat.get(to)!.name}).${flat.has(from) ? ` Lưu ý: '${from}' vẫn còn trong content/regions.yaml.` : ''}`
          : `Không có ai ở địa bàn '${from}'; không thay đổi gì (xem 'loa subscribers regions').`,
      );
      return 0;
    }
    err(`subscribers: không có lệnh '${sub}'\n${USAGE}`);
    return 2;
  } finally {
    if (!deps.db) db.close();
  }
}
