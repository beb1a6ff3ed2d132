/**
 * The `.env` file: how an IT officer keeps secrets (tokens, app secrets) out of the bot YAML
 * and out of shell history. `bin/loa.js` calls {@link loadEnvFile} once, before any command
 * reads its configuration; `config.ts` then reads `process.env` as before and stays the only
 * place that interprets the variables.
 *
 * - The file is `.env` in the working directory, or the one `LOA_ENV_FILE` names.
 * - Variables already in the environment win over the file (systemd's `EnvironmentFile`,
 *   `docker run -e`, a one-off `LOA_HTTP_PORT=3001 npx loa start`), as with Node's own
 *   `--env-file`: Node's `process.loadEnvFile` (Node ≥ 20.12) does the parsing.
 * - No file is fine (everything may come from the environment); a file named by `LOA_ENV_FILE`
 *   that cannot be read is an error, since the operator meant it.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './config.js';

/**
 * Loads the `.env` file into `process.env` without overriding what is set already. Returns the
 * file read, or undefined when there is none. Throws {@link ConfigError} for an unreadable file.
 *
 * @example loadEnvFile() // '/srv/loa/.env' when it exists
 */
export function loadEnvFile(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string | undefined {
  const named = env.LOA_ENV_FILE?.trim();
  const file = resolve(cwd, named || '.env');
  if (!existsSync(file)) {
    if (named) throw new ConfigError(`cấu hình: LOA_ENV_FILE: không có tệp ${file}; sửa đường dẫn hoặc bỏ biến LOA_ENV_FILE`);
    return undefined;
  }
  try {
    process.loadEnvFile(file);
  } catch (err) {
    throw new ConfigError(`cấu hình: không đọc được tệp ${file} (${(err as Error).message}); tệp phải đọc được và gồm các dòng TÊN=giá trị (xem .env.example)`);
  }
  return file;
}
