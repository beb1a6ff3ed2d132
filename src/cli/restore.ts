/**
 * `loa restore FILE`: puts a backup in place as the configured `LOA_DATA_DIR/loa.sqlite`.
 * Refused while a service uses that data directory, and when the file is not a sound Loa
 * database; the database it replaces is kept as `loa.sqlite.before-restore-<time>`
 * (db/backup.ts).
 */
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { restoreDatabase, RestoreError } from '../db/backup.js';
import { argsErrorText } from './args.js';

export const USAGE = `cách dùng:
  loa restore TỆP   khôi phục cơ sở dữ liệu từ một bản sao lưu (tạo bởi loa backup)

Dừng dịch vụ trước (systemctl stop loa, hoặc docker compose stop loa); lệnh từ chối nếu Loa
còn chạy trên thư mục dữ liệu. Cơ sở dữ liệu hiện tại được giữ lại dưới tên
loa.sqlite.before-restore-<ngày-giờ> trong LOA_DATA_DIR.`;

/** Input/output of the command, replaceable in tests. */
export interface RestoreCliIo {
  config?: Config;
  out?: (line: string) => void;
  err?: (line: string) => void;
  now?: () => Date;
}

/** Runs `loa restore`; returns the exit code. */
export async function run(args: string[], io: RestoreCliIo = {}): Promise<number> {
  const out = io.out ?? ((s: string) => console.log(s));
  const err = io.err ?? ((s: string) => console.error(s));
  let parsed: { values: { help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    err(`loa restore: ${argsErrorText(e)}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    out(USAGE);
    return 0;
  }
  const [file, extra] = parsed.positionals;
  if (!file || extra !== undefined) {
    err(`loa restore: cần đúng một tệp sao lưu\n${USAGE}`);
    return 2;
  }
  const config = io.config ?? loadConfig();
  try {
    const r = await restoreDatabase({ dataDir: config.dataDir, file, http: config.http, now: io.now?.() });
    out(`Đã khôi phục ${file} vào ${config.dataDir}.`);
    if (r.previous) out(`Cơ sở dữ liệu cũ được giữ ở ${r.previous}.`);
    const c = r.check.counts;
    if (c) {
      out(`Bản sao lưu có ${c.people} người trên các kênh và ${c.campaigns} chiến dịch${c.campaignsSending ? `, trong đó ${c.campaignsSending} đang gửi: khi khởi động, Loa gửi tiếp cho những người chưa nhận` : ''}.`);
      if (c.deliveriesInFlight)
        out(`${c.deliveriesInFlight} tin chiến dịch đang gửi dở lúc sao lưu sẽ được đánh dấu "không rõ" (không tự gửi lại, để không ai nhận hai lần); xem loa campaign status.`);
    }
    if (r.check.hasZaloTokens)
      out('Token Zalo OA trong bản sao lưu có thể đã cũ: nếu Zalo từ chối refresh token (loa zalo status), chạy loa zalo connect.');
    out('Khởi động lại dịch vụ: systemctl start loa (hoặc docker compose start loa).');
    return 0;
  } catch (e) {
    if (e instanceof RestoreError) {
      err(`loa restore: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
