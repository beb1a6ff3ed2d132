// One line at the journal's "critical" priority when the service dies of an error nobody caught.
//
// Node prints such an error's stack on standard error and exits 1 (systemd then restarts the
// service). Under systemd every line of that stack is filed at "info": `journalctl -u loa -p
// warning`, which docs/deploy.md gives for "why did it stop", showed the warnings before the crash
// and not the crash. This adds one line before Node's own output, `<2>` first (sd-daemon(3), as
// src/logger.ts does for the log), saying that Loa stopped and why; Node's handling is not
// changed (an `uncaughtExceptionMonitor` only watches). Nothing is added when standard error is
// not the journal (a terminal, Docker, a pipe).
import { fstatSync } from 'node:fs';

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
