/**
 * The `loa` command line. `loa start` runs the service; the other commands are tools for
 * staff and operators. Each command lives in `cli/<name>.ts` and exports `run(args)`.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { ConfigError } from './config.js';
import { argsErrorText, isArgsError } from './cli/args.js';

type Command = { describe: string; load: () => Promise<{ run: (args: string[]) => Promise<number>; USAGE?: string }> };

/** Every command: name -> description and module. Add a command by adding a line. */
export const COMMANDS: Record<string, Command> = {
  start: { describe: 'chạy dịch vụ (web chat, trang quản trị, các kênh đã cấu hình)', load: () => import('./cli/start.js') },
  chat: { describe: 'trò chuyện với bot ngay trong cửa sổ lệnh này', load: () => import('./cli/chat.js') },
  index: { describe: 'kiểm tra các tệp nội dung và lập lại chỉ mục tìm kiếm: [--content THƯ_MỤC] (kiểm tra thư mục khác, không ghi vào LOA_DATA_DIR)', load: () => import('./cli/index-cmd.js') },
  eval: { describe: 'đánh giá chất lượng trả lời: [--content THƯ_MỤC] [--cases TỆP …] [--strip-variants N] [--failures] [--json]', load: () => import('./cli/eval.js') },
  quiz: { describe: 'cuộc thi: list | results <mã> [--top N] | export <mã> --out tệp.xlsx (hoặc tệp.csv) | stats <mã> | import tệp.xlsx --into <mã> (nhập câu hỏi từ bảng)', load: () => import('./cli/quiz.js') },
  zalo: { describe: 'Zalo OA: connect (cấp quyền cho Loa dùng OA) | status (tình trạng mã truy cập)', load: () => import('./cli/zalo.js') },
  user: { describe: 'tài khoản cán bộ: add|passwd|role|disable|enable|list (xem loa user --help)', load: () => import('./cli/user.js') },
  report: { describe: 'báo cáo năm: --year NĂM hoặc --from NGÀY --to NGÀY [--out THƯ_MỤC] (tệp Excel .xlsx, CSV và trang in được)', load: () => import('./cli/report.js') },
  campaign: { describe: 'chiến dịch: create|submit|approve|schedule|pause|resume|cancel|status|list … (thao tác thay đổi cần --as TÊN)', load: () => import('./cli/campaign.js') },
  content: { describe: 'nội dung: import TỆP --topic CHỦ_ĐỀ [--source …] [--dry-run] --as TÊN (nhập nhiều câu hỏi – đáp thành bản nháp)', load: () => import('./cli/content.js') },
  disinfo: { describe: 'tin giả, tin xấu độc người dân báo: list [--json] [--status TRẠNG_THÁI] [--sort newest|most] [--as TÊN]', load: () => import('./cli/disinfo.js') },
  training: { describe: 'tập huấn cán bộ: import TỆP.csv (danh sách cán bộ) | coverage [--json] (tỉ lệ đã tập huấn so với chỉ tiêu)', load: () => import('./cli/training.js') },
  subscribers: { describe: 'người đăng ký: import TỆP.csv (ngày dd/mm/yyyy) | sync-zalo', load: () => import('./cli/subscribers.js') },
  doctor: { describe: 'kiểm tra cấu hình, nội dung, cơ sở dữ liệu, ổ đĩa, giờ và từng kênh; báo lỗi và cách sửa', load: () => import('./cli/doctor.js') },
  backup: { describe: 'sao lưu cơ sở dữ liệu (cả khi dịch vụ đang chạy): [--out TỆP]', load: () => import('./cli/backup.js') },
  restore: { describe: 'khôi phục cơ sở dữ liệu từ bản sao lưu (dừng dịch vụ trước): TỆP', load: () => import('./cli/restore.js') },
};

/** Commands whose module exports a detailed USAGE. */
const OWN_USAGE = new Set(['content', 'quiz', 'zalo', 'user', 'report', 'campaign', 'disinfo', 'training', 'subscribers', 'backup', 'restore', 'start', 'doctor']);

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(12)} ${c.describe}`);
  return `cách dùng: loa <lệnh> [tuỳ chọn]\n\ncác lệnh:\n${lines.join('\n')}`;
}

/**
 * A folder Loa cannot write to (its data folder owned by another user, a read-only mount),
 * explained in words for the IT officer instead of a stack trace; undefined for other errors.
 */
export function unwritable(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException | null;
  if (!e || typeof e !== 'object' || typeof e.path !== 'string' || !['EACCES', 'EPERM', 'EROFS', 'ENOTDIR'].includes(e.code ?? '')) return undefined;
  const path = resolve(e.path);
  // What to give back: the whole data folder when the file is in it (`loa start` fails first on
  // data/loa.lock, which does not exist yet: a `chown -R` of it failed with "No such file").
  const dataDir = resolve(process.env.LOA_DATA_DIR?.trim() || 'data');
  const target = path === dataDir || path.startsWith(dataDir + sep) ? dataDir : existsSync(path) ? path : dirname(path);
  const who = typeof process.getuid === 'function' ? `${process.getuid()}:${process.getgid?.() ?? ''}` : undefined;
  const why = e.code === 'EROFS' ? 'ổ đĩa chỉ cho đọc' : e.code === 'ENOTDIR' ? 'một phần của đường dẫn là tệp, không phải thư mục' : `người dùng chạy Loa${who ? ` (uid ${who.split(':')[0]})` : ''} không có quyền ghi`;
  return (
    `loa: không ghi được vào ${path} (${e.code}): ${why}.\n` +
    `Thư mục dữ liệu (LOA_DATA_DIR) phải ghi được bởi người dùng chạy Loa` +
    (who && e.code === 'EACCES' ? `, ví dụ: sudo chown -R ${who} ${target}` : '') +
    `. Với Docker, người dùng là uid 10001 (docs/deploy.md).`
  );
}

/**
 * A full disk (ENOSPC from Node, SQLITE_FULL from SQLite), said in words for the IT officer with
 * where to look, instead of a stack trace; undefined for other errors.
 */
export function diskFull(err: unknown, dataDir = process.env.LOA_DATA_DIR?.trim() || 'data'): string | undefined {
  const e = err as (NodeJS.ErrnoException & { code?: unknown }) | null;
  if (!e || typeof e !== 'object' || (e.code !== 'ENOSPC' && e.code !== 'SQLITE_FULL')) return undefined;
  const dir = resolve(dataDir);
  return (
    `loa: ổ đĩa đầy, không ghi được${typeof e.path === 'string' ? ` vào ${resolve(e.path)}` : ` vào cơ sở dữ liệu`} (${e.code}).
` +
    `Giải phóng chỗ trống trên ổ chứa ${dir} rồi chạy lại: xem còn bao nhiêu bằng df -h ${dir}, thứ gì chiếm chỗ bằng sudo du -xh --max-depth=2 / | sort -h | tail; ` +
    `thường là bản sao lưu cũ (chép ra ngoài máy rồi xoá bớt trong ${join(dir, 'backups')}) hoặc nhật ký (sudo journalctl --vacuum-size=500M). ` +
    `Dữ liệu đã ghi trước đó không mất. Xem docs/operations.md, mục "A full disk".`
  );
}

/** Runs the CLI with the given arguments; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!cmd) {
    console.error(`loa: không có lệnh '${name}'\n${usage()}`);
    return 2;
  }
  // `loa <lệnh> --help` on every command, before it reads configuration or content (the
  // commands with a usage of their own export it as USAGE).
  if (rest.includes('--help') || rest.includes('-h')) {
    const usage = OWN_USAGE.has(name) ? (await cmd.load()).USAGE : undefined;
    console.log(usage ?? `cách dùng: loa ${name} — ${cmd.describe}`);
    return 0;
  }
  // `loa start` listens for SIGTERM/SIGINT before loading its modules: a stop during start-up
  // then ends it cleanly instead of killing it (cli/stop-signal.ts).
  if (name === 'start') void (await import('./cli/stop-signal.js')).listenForStop();
  const mod = await cmd.load();
  try {
    return await mod.run(rest);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 78; // EX_CONFIG
    }
    const denied = unwritable(err);
    if (denied) {
      console.error(denied);
      return 78;
    }
    const full = diskFull(err);
    if (full) {
      console.error(full);
      return 1; // not a setting: systemd tries again, and the start works once there is room
    }
    if (isArgsError(err)) {
      console.error(`loa ${name}: ${argsErrorText(err)}\ncách dùng: loa ${name} — ${cmd.describe}`);
      return 2;
    }
    throw err;
  }
}
