/**
 * The pino logger, with secrets redacted wherever they may appear in logged objects. On a
 * terminal the lines are printed readably (pino-pretty: time, level, message, fields), so an IT
 * officer starting Loa by hand is not handed raw JSON between the Vietnamese start-up lines;
 * under systemd, Docker or a pipe they stay JSON, one object a line, for log tools.
 */
import { fstatSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

/** Paths redacted from every log line (tokens, secrets, passwords, signatures). */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.headers["x-zevent-signature"]',
  'req.headers["x-bot-api-secret-token"]',
  'req.headers["access_token"]',
  'req.headers.cookie',
  'headers.access_token',
  'headers.secret_key',
];

/** How log lines are written: `auto` is readable on a terminal and JSON otherwise. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * Whether standard output is systemd's journal: systemd sets `JOURNAL_STREAM` to the device and
 * inode of the stream it connected (a child process that inherited the variable but writes to a
 * pipe or a file does not match).
 */
export function stdoutIsJournal(env: NodeJS.ProcessEnv = process.env): boolean {
  const m = /^(\d+):(\d+)$/.exec(env.JOURNAL_STREAM ?? '');
  if (!m) return false;
  try {
    const st = fstatSync(1, { bigint: true });
    return st.dev === BigInt(m[1]!) && st.ino === BigInt(m[2]!);
  } catch {
    return false;
  }
}

/** syslog priority of each pino level number (trace and debug 7, info 6, warn 4, error 3, fatal 2). */
function syslogPriority(line: string): number {
  const level = Number(/^\{"level":(\d+)/.exec(line)?.[1] ?? 30);
  return level >= 60 ? 2 : level >= 50 ? 3 : level >= 40 ? 4 : level >= 30 ? 6 : 7;
}

/**
 * Creates the process logger. Under systemd each JSON line starts with its syslog priority
 * (`<4>{"level":40,…}`, sd-daemon(3)): journald takes the prefix off and files the line at that
 * priority, so `journalctl -u loa -p warning` shows the warnings and errors (in red), instead of
 * every line at "info".
 */
export function createLogger(level: string = 'info', format: LogFormat = 'auto', isTty: boolean = process.stdout.isTTY === true, journal: boolean = !isTty && stdoutIsJournal()): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (format === 'json' || (format === 'auto' && !isTty)) {
    // Synchronous: with pino's default asynchronous stdout, the first line could reach a pipe
    // after the lines logged right behind it (seen under load: a start-up's first line last).
    if (!journal) return pino(options, pino.destination({ dest: 1, sync: true }));
    const out = pino.destination({ dest: 1, sync: true });
    return pino(options, { write: (line: string) => void out.write(`<${syslogPriority(line)}>${line}`) });
  }
  // Synchronous: a line logged just before an exit is not lost.
  return pino(options, pretty({ sync: true, colorize: isTty, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss', ignore: 'pid,hostname' }));
}

/** What {@link repeatingFailureLog} logs through (any pino logger fits). */
export interface FailureLogger {
  error(obj: unknown, msg: string): void;
  info?(obj: unknown, msg: string): void;
}

/**
 * The log of a background pass that runs every second or so (the sender's recovery pass, the
 * campaign scheduler, the quiz timer) and may fail for as long as its cause lasts (a full disk,
 * an I/O error, a corrupt database): the first failure is logged, then at most one line every
 * `everyMs` with how many passes failed since, and one line when a pass works again. Logging
 * every failure wrote 86,400 lines a day.
 *
 * @example const log = repeatingFailureLog(logger, 'sender: recovery pass failed'); try { poll(); log.ok(); } catch (err) { log.failed(err); }
 */
export function repeatingFailureLog(
  logger: FailureLogger | undefined,
  msg: string,
  everyMs = 60_000,
  clock: () => number = Date.now,
): { failed(err: unknown): void; ok(): void } {
  let failing = 0;
  let loggedAt = -Infinity;
  return {
    failed(err) {
      failing++;
      const t = clock();
      if (t - loggedAt < everyMs) return;
      loggedAt = t;
      logger?.error({ err, failedPasses: failing }, msg);
    },
    ok() {
      if (failing === 0) return;
      (logger?.info ?? logger?.error)?.call(logger, { failedPasses: failing }, `${msg}: works again`);
      failing = 0;
      loggedAt = -Infinity;
    },
  };
}
