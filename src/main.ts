/**
 * The `loa` command line. `loa start` runs the service; the other commands are tools for
 * staff and operators. Each command lives in `cli/<name>.ts` and exports `run(args)`.
 */
import { ConfigError } from './config.js';

type Command = { describe: string; load: () => Promise<{ run: (args: string[]) => Promise<number> }> };

/** Every command: name -> description and module. Add a command by adding a line. */
export const COMMANDS: Record<string, Command> = {
  start: { describe: 'start the service (web chat, admin, configured channels)', load: () => import('./cli/start.js') },
  chat: { describe: 'talk to the bot in this terminal', load: () => import('./cli/chat.js') },
  index: { describe: 'validate the content and rebuild the index snapshot', load: () => import('./cli/index-cmd.js') },
  eval: { describe: 'evaluate answer quality: --content DIR --cases FILE [--json]', load: () => import('./cli/eval.js') },
  quiz: { describe: 'contests: list | results <id> [--top N] | export <id> --out file.csv | stats <id>', load: () => import('./cli/quiz.js') },
  zalo: { describe: 'Zalo OA: connect (authorise the OA) | status (tokens)', load: () => import('./cli/zalo.js') },
  user: { describe: 'staff accounts: add|passwd|role|disable|enable|list (see loa user)', load: () => import('./cli/user.js') },
  report: { describe: 'yearly report: --year YYYY [--out DIR] (CSV + printable HTML)', load: () => import('./cli/report.js') },
  campaign: { describe: 'campaigns: create|submit|approve|schedule|pause|resume|cancel|status|list … --as USER', load: () => import('./cli/campaign.js') },
  subscribers: { describe: 'subscribers: import FILE.csv | sync-zalo', load: () => import('./cli/subscribers.js') },
  doctor: { describe: 'kiểm tra cấu hình, nội dung, cơ sở dữ liệu, ổ đĩa, giờ và từng kênh; báo lỗi và cách sửa', load: () => import('./cli/doctor.js') },
  backup: { describe: 'sao lưu cơ sở dữ liệu (cả khi dịch vụ đang chạy): [--out TỆP]', load: () => import('./cli/backup.js') },
  restore: { describe: 'khôi phục cơ sở dữ liệu từ bản sao lưu (dừng dịch vụ trước): TỆP', load: () => import('./cli/restore.js') },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(12)} ${c.describe}`);
  return `usage: loa <command> [options]\n\ncommands:\n${lines.join('\n')}`;
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
    console.error(`loa: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  try {
    const mod = await cmd.load();
    return await mod.run(rest);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 78; // EX_CONFIG
    }
    throw err;
  }
}
