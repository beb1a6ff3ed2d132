/**
 * `loa backup [--out FILE]`: a consistent copy of the database while the service runs
 * (SQLite's online backup, see db/backup.ts). Without `--out` the copy goes to
 * `LOA_DATA_DIR/backups/loa-<time>.sqlite` (Vietnam time). The nightly backups the service
 * takes itself are `loa-daily-*.sqlite` in the same folder.
 */
import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import { loadConfig, type Config } from '../config.js';
import { backupDatabase, DB_FILE, defaultBackupPath } from '../db/backup.js';
import { argsErrorText } from './args.js';

export const USAGE = `cách dùng:
  loa backup [--out TỆP]   sao lưu cơ sở dữ liệu (được cả khi dịch vụ đang chạy)

Không có --out: lưu vào LOA_DATA_DIR/backups/loa-<ngày-giờ>.sqlite.
Chép thêm bản sao lưu ra ngoài máy này (ổ khác, máy khác): xem docs/deploy.md, mục "Backups".
Khôi phục: loa restore TỆP (khi dịch vụ đã dừng).`;

/** Input/output of the command, replaceable in tests. */
export interface BackupCliIo {
  config?: Config;
  out?: (line: string) => void;
  err?: (line: string) => void;
  now?: () => Date;
}

/** Runs `loa backup`; returns the exit code. */
export async function run(args: string[], io: BackupCliIo = {}): Promise<number> {
  const out = io.out ?? ((s: string) => console.log(s));
  const err = io.err ?? ((s: string) => console.error(s));
  let values: { out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args, options: { out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (e) {
    err(`loa backup: ${argsErrorText(e)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const config = io.config ?? loadConfig();
  const target = values.out ?? defaultBackupPath(config.dataDir, io.now?.() ?? new Date());
  try {
    const r = await backupDatabase(join(config.dataDir, DB_FILE), target);
    out(`Đã sao lưu cơ sở dữ liệu vào ${r.file} (${(r.bytes / 2 ** 20).toLocaleString('vi-VN', { maximumFractionDigits: 1 })} MB).`);
    out('Hãy chép thêm một bản ra ngoài máy này; khôi phục bằng: loa restore ' + r.file);
    return 0;
  } catch (e) {
    err(`loa backup: ${backupErrorText(e, target)}`);
    return 1;
  }
}

/**
 * A failed backup in words for the IT officer: where it could not write and what to do, instead
 * of Node's `EACCES: permission denied, mkdir '…'` or SQLite's `database or disk is full`.
 */
export function backupErrorText(e: unknown, target: string): string {
  const error = e as NodeJS.ErrnoException;
  const message = error instanceof Error ? error.message : String(e);
  const where = typeof error?.path === 'string' ? error.path : dirname(target);
  if (error?.code === 'ENOSPC' || /disk is full|SQLITE_FULL/i.test(message))
    return `ổ đĩa chứa ${dirname(target)} đã đầy, bản sao lưu chưa được ghi. Giải phóng chỗ (xoá các bản sao lưu cũ đã chép ra ngoài máy) hoặc ghi sang ổ khác: loa backup --out /đường/dẫn/khác/loa.sqlite`;
  if (error?.code === 'EACCES' || error?.code === 'EPERM' || error?.code === 'EROFS')
    return `không ghi được vào ${where} (${error.code}): tài khoản đang chạy lệnh không có quyền ghi ở đó. Chạy bằng tài khoản của dịch vụ (sudo -u loa npx loa backup) hoặc chọn --out ở thư mục tài khoản này ghi được`;
  if (error?.code === 'ENOTDIR' || error?.code === 'ENOENT')
    return `không tạo được ${target}: ${where} không phải là thư mục (${error.code}). Kiểm tra đường dẫn của --out`;
  return message;
}
