/**
 * `loa doctor`: checks the configuration, content, database, disk, clock and time zone, quiet
 * hours, the compiled copy `loa` starts from, and each configured channel for real, and prints
 * one Vietnamese line per check (✓ ok, ! worth a look, ✗ wrong, each ✗ with how to fix it).
 * Exit status 1 when any check failed.
 * The checks themselves are in doctor/doctor.ts.
 */
import { formatResults, runDoctor, type DoctorDeps } from '../doctor/doctor.js';

/** Runs the doctor with the given dependencies (tests) and prints through `out`; returns the exit code. */
export async function runDoctorCli(deps: DoctorDeps, out: (line: string) => void): Promise<number> {
  const results = await runDoctor(deps);
  for (const line of formatResults(results)) out(line);
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log('cách dùng: loa doctor\n\nKiểm tra cấu hình, nội dung, cơ sở dữ liệu, ổ đĩa, đồng hồ và múi giờ, giờ yên lặng, bản biên dịch sẵn của mã nguồn, và từng kênh đã cấu hình (Telegram, Zalo OA).\nMã thoát khác 0 khi có lỗi (✗).');
    return 0;
  }
  return runDoctorCli({ env: process.env }, (line) => console.log(line));
}
