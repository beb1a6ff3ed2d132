/**
 * Command-line argument errors in Vietnamese. `node:util` parseArgs throws English messages
 * ("Unknown option '--x'"); staff and IT officers read the CLI, so every command shows them
 * through {@link argsErrorText}, and `main.ts` catches the ones a command does not.
 */

/** True for the errors `parseArgs` throws. */
export function isArgsError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/**
 * What was wrong with the arguments, in Vietnamese; for any other error, its message.
 *
 * @example
 * argsErrorText(new TypeError("Unknown option '--x'")) // with code ERR_PARSE_ARGS_UNKNOWN_OPTION: "không có tuỳ chọn '--x'"
 */
export function argsErrorText(err: unknown): string {
  if (!isArgsError(err)) return err instanceof Error ? err.message : String(err);
  const quoted = /'([^']*)'/.exec(err.message)?.[1] ?? '';
  // "-o, --out <value>" names the option with its short form: keep the long one.
  const option = quoted.replace(/ <value>$/, '').replace(/^-\w, /, '');
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `không có tuỳ chọn '${option}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take an argument/.test(err.message) ? `tuỳ chọn '${option}' không nhận giá trị` : `tuỳ chọn '${option}' cần một giá trị`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `tham số thừa '${option}'`;
    default:
      return 'tham số không hợp lệ';
  }
}
