/**
 * Who runs a CLI command that acts as a staff account (`loa campaign … --as X`).
 *
 * The admin pages know their user from a session opened with a password. The CLI is run by
 * someone with a shell on the server, and `--as X` alone would let them act as anyone. So:
 * - every audit entry the command writes names the operating-system user as well as X
 *   ({@link cliAuditOrigin});
 * - run interactively (stdin is a terminal), the command asks for X's password, without
 *   echoing it, and refuses when it is wrong ({@link askHidden});
 * - run non-interactively (a script, cron), it still works, and the audit says the password was
 *   not checked, so an approval made that way can be told apart.
 */
import { userInfo } from 'node:os';

/** The operating-system user running this process, as the audit names it. */
export function osUserName(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): name the uid instead.
    return process.env.USER ?? process.env.USERNAME ?? `uid:${process.getuid?.() ?? '?'}`;
  }
}

/** What a CLI action adds to the audit details: the OS user and whether X's password was checked. */
export function cliAuditOrigin(o: { osUser: string; interactive: boolean; passwordChecked: boolean }): Record<string, unknown> {
  return { via: 'cli', osUser: o.osUser, interactive: o.interactive, passwordChecked: o.passwordChecked };
}

/**
 * Reads one line from a terminal without echoing it (a password). Backspace erases, Enter
 * ends, Ctrl+C or Ctrl+D gives up (resolves null). Raw mode is restored however it ends.
 *
 * @example const pw = await askHidden('Mật khẩu của minh: ');
 */
export function askHidden(
  prompt: string,
  input: NodeJS.ReadStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Promise<string | null> {
  return new Promise((resolve) => {
    output.write(prompt);
    const wasRaw = input.isRaw;
    input.setRawMode?.(true);
    input.resume();
    input.setEncoding('utf8');
    let value = '';
    const finish = (result: string | null): void => {
      input.off('data', onData);
      input.setRawMode?.(wasRaw ?? false);
      input.pause();
      output.write('\n');
      resolve(result);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(value);
        if (ch === '\u0003' || ch === '\u0004') return finish(null);
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    input.on('data', onData);
  });
}
