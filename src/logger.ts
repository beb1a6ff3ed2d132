/** The pino logger, with secrets redacted wherever they may appear in logged objects. */
import { pino, type Logger } from 'pino';

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
  'req.headers["access_token"]',
  'req.headers.cookie',
  'headers.access_token',
  'headers.secret_key',
];

/** Creates the process logger. */
export function createLogger(level: string = 'info'): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}
