/**
 * The pino logger, with secrets redacted wherever they may appear in logged objects. On a
 * terminal the lines are printed readably (pino-pretty: time, level, message, fields), so an IT
 * officer starting Loa by hand is not handed raw JSON between the Vietnamese start-up lines;
 * under systemd, Docker or a pipe they stay JSON, one object a line, for log tools.
 */
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

/** Creates the process logger. */
export function createLogger(level: string = 'info', format: LogFormat = 'auto', isTty: boolean = process.stdout.isTTY === true): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (format === 'json' || (format === 'auto' && !isTty)) return pino(options);
  // Synchronous: a line logged just before an exit is not lost.
  return pino(options, pretty({ sync: true, colorize: isTty, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss', ignore: 'pid,hostname' }));
}
