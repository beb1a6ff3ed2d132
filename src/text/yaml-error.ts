/**
 * How a YAML syntax error is worded for staff (content, contests, training plans, the bot's
 * settings): kept apart from the content loader so that reading the configuration does not load it.
 */

/** The start of a YAML syntax error's message (the raw editor words it for staff, admin/raw-content.ts). */
export const NOT_YAML = 'sai cú pháp YAML';

/** What to check in front matter that does not parse (the usual slips of a hand edit). */
export const YAML_HINT =
  'kiểm tra dấu hai chấm và dấu cách sau tên trường, thụt lề bằng dấu cách (không dùng Tab), và đặt câu có dấu hai chấm trong ngoặc kép';

/**
 * A whole YAML file's syntax error as staff read it: the line in the file, the usual fixes, in
 * Vietnamese, then the parser's (English) detail for whoever needs it. Also for the contests'
 * and the training's files (quiz/definition.ts, training/definition.ts).
 *
 * @example
 * try { parseYaml(text) } catch (err) { errors.push({ file, field: '(tệp)', message: yamlFileError(err) }) }
 */
export function yamlFileError(err: unknown): string {
  const line = (err as { linePos?: { line: number }[] }).linePos?.[0]?.line;
  const detail = String((err as Error)?.message ?? err).split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return `${NOT_YAML}${line ? ` ở dòng ${line} của tệp` : ''}: ${YAML_HINT}. Chi tiết kỹ thuật: ${detail}`;
}
