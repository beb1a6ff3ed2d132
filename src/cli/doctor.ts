/**
 * `loa doctor`: checks the configuration, content, database, disk, clock and time zone, quiet
 * hours, the compiled copy `loa` starts from, and each configured channel for real, and prints
 * one Vietnamese line per check (✓ ok, ! worth a look, ✗ wrong, each ✗ with how to fix it).
 * Exit status 1 when any check failed.
 * The checks themselves are in doctor/doctor.ts.
 */
import { parseArgs } from 'node:util';
import { formatResults, runDoctor, type DoctorDeps } from '../doctor/doctor.js';
import { argsErrorText } from './args.js';

/** Runs the doctor with the given dependencies (tests) and prints through `out`; returns the exit code. */
export async function runDoctorCli(deps: DoctorDeps, out: (line: string) => void): Promise<number> {
  const results = await runDoctor(deps);
  for (const line of formatResults(results)) out(line);
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

export const USAGE =
  'cách dùng: loa doctor\n\nKiểm tra cấu hình, nội dung, cơ sở dữ liệu, quyền ghi, ổ đĩa, đồng hồ và múi giờ, giờ yên lặng, bản biên dịch sẵn của mã nguồn, và từng kênh đã cấu hình (Telegram, Zalo OA, Zalo Bot).\nKhông thay đổi gì, chạy được khi dịch vụ đang chạy. Mã thoát khác 0 khi có lỗi (✗).';

export async function run(args: string[], io: { out?: (line: string) => void; err?: (line: string) => void } = {}): Promise<number> {
  const out = io.out ?? ((s: string) => console.log(s));
  const err = io.err ?? ((s: string) => console.error(s));
  let help: boolean | undefined;
  try {
    ({ values: { help } } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' } } }));
  } catch (e) {
    // An option it ignored would let a script believe it checked something it did not.
    err(`loa doctor: ${argsErrorText(e)}\n${USAGE}`);
    return 2;
  }
  if (help) {
    out(USAGE);
    return 0;
  }
  return runDoctorCli({ env: process.env }, out);
}
