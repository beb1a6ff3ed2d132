// Priorities for what `loa` writes on standard error when that is systemd's journal.
//
// Under systemd every line a program writes is filed at "info" unless it starts with `<N>`
// (sd-daemon(3); src/logger.ts does so for the log). So `journalctl -u loa -p warning`, which
// docs/deploy.md gives for "why did it stop", showed neither a configuration error that stopped
// the start (exit 78) nor a crash. Here:
// - what `loa` prints through console.error (the Vietnamese sentences of a refused start: a wrong
//   setting, a folder it cannot write, the port taken, another Loa running) is filed at "error";
// - a crash (an error or a rejected promise nobody handled) gets one line at "critical" before
//   Node's own stack, saying that Loa stopped and why. Node's handling is not changed (an
//   `uncaughtExceptionMonitor` only watches): its stack, exit 1, systemd's restart.
// Nothing changes when standard error is not the journal (a terminal, Docker, a pipe).
import { fstatSync } from 'node:fs';
import { format } from 'node:util';

/** Whether file descriptor `fd` is the stream systemd named in JOURNAL_STREAM (device:inode). */
export function isJournal(fd, env = process.env) {
  const m = /^(\d+):(\d+)$/.exec(env.JOURNAL_STREAM ?? '');
  if (!m) return false;
  try {
    const st = fstatSync(fd, { bigint: true });
    return st.dev === BigInt(m[1]) && st.ino === BigInt(m[2]);
  } catch {
    return false;
  }
}

/**
 * Installs the watcher (once per process; only when standard error is the journal).
 *
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {boolean} whether it was installed
 * @example installCrashLine(); // in bin/loa.js, before anything else runs
 */
export function installCrashLine(env = process.env) {
  if (!isJournal(2, env)) return false;
  process.on('uncaughtExceptionMonitor', (err, origin) => {
    // The first line of the message only: a stack or a request body may follow, and they stay
    // in Node's own output below it.
    const first = String(err instanceof Error ? err.message : err).split('\n')[0].slice(0, 300);
    const name = err instanceof Error ? err.name : typeof err;
    const what = origin === 'unhandledRejection' ? 'một lời hứa bị từ chối không ai xử lý' : 'một lỗi không ai xử lý';
    try {
      process.stderr.write(`<2>loa: dừng vì ${what}: ${name}: ${first} (chi tiết ở các dòng sau)\n`);
    } catch {
      // Nothing more can be said.
    }
  });
  return true;
}

/**
 * Files what console.error prints at the journal's "error" priority, each line (journald splits
 * them), when standard error is the journal.
 *
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {boolean} whether it was installed
 */
export function installErrorPriority(env = process.env) {
  if (!isJournal(2, env)) return false;
  console.error = (...args) => {
    const text = format(...args);
    process.stderr.write(`${text.split('\n').map((l) => `<3>${l}`).join('\n')}\n`);
  };
  return true;
}

