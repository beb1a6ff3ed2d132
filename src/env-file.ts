/**
 * The `.env` file: how an IT officer keeps secrets (tokens, app secrets) out of the bot YAML
 * and out of shell history. `bin/loa.js` calls {@link loadEnvFile} once, before any command
 * reads its configuration; `config.ts` then reads `process.env` as before and stays the only
 * place that interprets the variables.
 *
 * - The file is `.env` in the working directory, or the one `LOA_ENV_FILE` names.
 * - Variables already in the environment win over the file (systemd's `EnvironmentFile`,
 *   `docker run -e`, a one-off `LOA_HTTP_PORT=3001 npx loa start`), as with Node's own
 *   `--env-file`: Node's `util.parseEnv` (Node ≥ 20.12) does the parsing.
 * - No file is fine (everything may come from the environment); a file named by `LOA_ENV_FILE`
 *   that cannot be read is an error, since the operator meant it.
 * - A file saved by Windows Notepad works: Windows line endings (Node's parser takes them), a
 *   UTF-8 byte order mark (Node's parser does not: the first name became `\uFEFFLOA_…`, and that
 *   setting was silently lost), or UTF-16 ("Unicode" in older Notepads).
 * - A name that is almost one of Loa's (`LOA_HTTP_PROT`, `TELEGRAM_TOKEN`, `loa_log_level`) is
 *   an error naming the line and the right name: the setting the officer meant would otherwise
 *   be silently ignored (the service on port 3000 while nginx points at 3001). Other unknown
 *   `LOA_`/`TELEGRAM_`/`ZALO_` names are only warned about (a newer Loa's setting, a note).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError, envSchema } from './config.js';
import { decodeTextFile } from './file-text.js';

/**
 * Names with Loa's prefixes that are not in config.ts but are meant to be in a `.env`: read by
 * `bin/loa.js` (LOA_ENV_FILE, LOA_COMPILE) or by `compose.yaml` and the Caddyfile, which share
 * the Docker deployment's `.env` (docs/deploy.md).
 */
const OTHER_NAMES = ['LOA_ENV_FILE', 'LOA_COMPILE', 'LOA_DOMAIN', 'LOA_BOT_FILE', 'LOA_CONTENT_PATH', 'LOA_UPSTREAM'];
/** Names of the benchmarks and tests, never meant for an office's `.env` but harmless there. */
const DEV_PREFIXES = ['LOA_BENCH_', 'LOA_TEST_', 'LOA_ENVFILE_TEST_'];

/** Every name Loa or its deployment files read. */
export function knownEnvNames(): Set<string> {
  return new Set([...Object.keys(envSchema.shape), ...OTHER_NAMES]);
}

/** The text of a `.env` file's bytes: without a UTF-8 byte order mark, UTF-16 decoded (see file-text.ts). */
export const envFileText = decodeTextFile;

/** Optimal string alignment distance (edits, a swap of two neighbours counting as one). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[a.length]![b.length]!;
}

/**
 * The known names `name` was most likely meant to be: the same in capitals; the same words with
 * one left out or added (`TELEGRAM_TOKEN` for `TELEGRAM_BOT_TOKEN`, `LOA_PORT` for
 * `LOA_HTTP_PORT`); or one letter away (two in a name of 10 letters or more). Empty when none
 * is close.
 *
 * @example suggestEnvName('LOA_HTTP_PROT', knownEnvNames()) // ['LOA_HTTP_PORT']
 */
export function suggestEnvName(name: string, known: Set<string>): string[] {
  const upper = name.toUpperCase().replace(/[-.\s]/g, '_');
  if (known.has(upper)) return [upper];
  const words = upper.split('_').filter(Boolean);
  const byWords = [...known].filter((k) => {
    const kw = k.split('_');
    const [short, long] = words.length < kw.length ? [words, kw] : [kw, words];
    return long.length - short.length === 1 && short.length >= 2 && short[0] === long[0] && short.every((w) => long.includes(w));
  });
  if (byWords.length) return byWords.sort();
  const limit = upper.length >= 10 ? 2 : 1;
  const near = [...known].map((k) => ({ k, d: distance(upper, k) })).filter((x) => x.d <= limit);
  const min = Math.min(...near.map((x) => x.d));
  return near.filter((x) => x.d === min).map((x) => x.k).sort();
}

/** The 1-based line of the file where `name` is set. */
function lineOf(text: string, name: string): number | undefined {
  const lines = text.split(/\r\n|\n|\r/);
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const i = lines.findIndex((l) => new RegExp(`^\\s*(export\\s+)?${escaped}\\s*=`).test(l));
  return i < 0 ? undefined : i + 1;
}

/**
 * Loads the `.env` file into `process.env` without overriding what is set already. Returns the
 * file read, or undefined when there is none. Throws {@link ConfigError} for an unreadable file
 * and for names that are misspellings of Loa's; `warn` is told about other unknown names.
 *
 * @example loadEnvFile() // '/srv/loa/.env' when it exists
 */
export function loadEnvFile(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env, warn: (line: string) => void = (l) => console.error(l)): string | undefined {
  const named = env.LOA_ENV_FILE?.trim();
  const file = resolve(cwd, named || '.env');
  if (!existsSync(file)) {
    if (named) throw new ConfigError(`cấu hình: LOA_ENV_FILE: không có tệp ${file}; sửa đường dẫn hoặc bỏ biến LOA_ENV_FILE`);
    return undefined;
  }
  let text: string;
  let values: NodeJS.Dict<string>;
  try {
    text = envFileText(readFileSync(file));
    values = parseEnv(text);
  } catch (err) {
    throw new ConfigError(`cấu hình: không đọc được tệp ${file} (${(err as Error).message}); tệp phải đọc được và gồm các dòng TÊN=giá trị (xem .env.example)`);
  }
  const known = knownEnvNames();
  const wrong: string[] = [];
  // In the file's order (parseEnv's object is not).
  for (const name of Object.keys(values).sort((a, b) => (lineOf(text, a) ?? 0) - (lineOf(text, b) ?? 0))) {
    if (known.has(name) || DEV_PREFIXES.some((p) => name.startsWith(p))) continue;
    const line = lineOf(text, name);
    const where = `cấu hình: ${file}${line ? `, dòng ${line}` : ''}: ${name}`;
    const meant = suggestEnvName(name, known);
    if (meant.length) wrong.push(`${where}: Loa không có biến này; có phải ${meant.join(' hay ')}? Sửa tên (chữ hoa, đúng chính tả, xem .env.example) rồi chạy lại.`);
    else if (/^(LOA|TELEGRAM|ZALO)_/i.test(name)) warn(`${where}: Loa không dùng biến này (bỏ qua); xem .env.example để biết các biến Loa đọc.`);
  }
  if (wrong.length) throw new ConfigError(wrong.join('\n'));
  for (const [name, value] of Object.entries(values)) if (process.env[name] === undefined && value !== undefined) process.env[name] = value;
  return file;
}
