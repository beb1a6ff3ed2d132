/**
 * The raw editor's check (issue 16, item 5): staff fix a content file (typically one that no
 * longer loads) by editing its whole text in the admin pages. The text is checked with the
 * loader's own per-file parser (`parseQaText`/`parseArticleText` and `entryRefProblems` in
 * knowledge/content.ts), as it will be once approved (the approval writes the reviewer and the
 * date, so those are not asked of the editor), and every problem is worded in Vietnamese with
 * the field and, where the YAML says where, the line and its text.
 *
 * A text that passes here loads: the loader runs the same functions on the same text after the
 * approval writes it (only `status`, `reviewed_by` and `reviewed_at` are set then, by
 * `withStatus`, which validates again).
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import {
  entryRefProblems,
  flattenRegions,
  parseArticleText,
  parseQaText,
  splitFrontMatter,
  type Content,
  type EntryProblem,
  YAML_HINT,
} from '../knowledge/content.js';
import { fieldIssueMessage } from '../text/zod-vi.js';
import { FIELD_LABELS } from './content-files.js';

/** One problem in the typed text, for staff. */
export interface RawError {
  /** 1-based line in the text, when known. */
  line?: number;
  /** That line's text (shortened), so staff find it without counting. */
  snippet?: string;
  /** The field as written in the file (`status`, `sources[1].title`), or a description. */
  field: string;
  /** Vietnamese. */
  message: string;
}

/** What a fix is checked against: the other files as the admin pages see them. */
export type RawRefs = Pick<Content, 'qa' | 'articles' | 'topics' | 'regions'>;

/** Labels the admin forms do not have (the raw editor shows every field of the file). */
const MORE_LABELS: Readonly<Record<string, string>> = { status: 'Trạng thái', sample: 'Nội dung mẫu' };

/** The text as it will be stored: NFC, `\n` line ends (a browser's textarea sends `\r\n`), one final newline. */
export function normaliseRawText(text: string): string {
  const t = text.normalize('NFC').replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '');
  return t.endsWith('\n') ? t : `${t}\n`;
}

/** `sources[1].title` for the path `['sources', 0, 'title']` (items counted from 1, as staff count). */
function fieldName(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p + 1}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

function label(path: readonly PropertyKey[]): string {
  const key = String(path[0] ?? '');
  const named = (Object.hasOwn(FIELD_LABELS, key) ? FIELD_LABELS[key] : undefined) ?? MORE_LABELS[key];
  return named ? `${named} (${fieldName(path)})` : fieldName(path) || 'Tệp';
}

/** The line of a front-matter path, and whether its last key is present (a missing key has no line of its own). */
function locate(text: string, path: readonly PropertyKey[]): { line?: number; found: boolean } {
  const parts = splitFrontMatter(text);
  if (!parts) return { found: false };
  const lc = new LineCounter();
  const doc = parseDocument(parts.front, { lineCounter: lc });
  const lineOf = (n: YamlNode | null | undefined): number | undefined => (n?.range ? lc.linePos(n.range[0]).line + 1 : undefined);
  let node: unknown = doc.contents;
  let line: number | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) return { line, found: false };
      line = lineOf(pair.key as YamlNode) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as YamlNode | undefined;
      if (!item) return { line, found: false };
      line = lineOf(item) ?? line;
      node = item;
    } else return { line, found: path.length === 0 };
  }
  return { line, found: true };
}

/** The first line of the body (after the closing `---`). */
function bodyLine(text: string): number | undefined {
  const parts = splitFrontMatter(text);
  return parts ? parts.front.split('\n').length + 3 : undefined;
}

const shortList = (xs: string[], n = 12): string => (xs.length > n ? `${xs.slice(0, n).join(', ')} và ${xs.length - n} mã khác` : xs.join(', '));

function toRawError(kind: 'qa' | 'article', text: string, p: EntryProblem, refs: RawRefs): RawError {
  const path = p.path ?? [];
  const where = (line: number | undefined): Pick<RawError, 'line' | 'snippet'> => {
    if (!line) return {};
    const s = text.split('\n')[line - 1]?.trim() ?? '';
    return { line, ...(s ? { snippet: s.length > 80 ? `${s.slice(0, 79)}…` : s } : {}) };
  };
  switch (p.code) {
    case 'encoding':
      return { ...where(p.yamlLine), field: '(tệp)', message: `${p.message.charAt(0).toUpperCase()}${p.message.slice(1)}.` };
    case 'legacy-font': {
      const first = p.value?.split(' ')[0];
      const at = first ? text.split('\n').findIndex((l) => l.includes(first)) : -1;
      return { ...where(at >= 0 ? at + 1 : undefined), field: '(tệp)', message: `${p.message.charAt(0).toUpperCase()}${p.message.slice(1)}.` };
    }
    case 'front-matter':
      return {
        ...where(1),
        field: '(phần khai báo)',
        message:
          'Tệp phải bắt đầu bằng một dòng chỉ có ---, tiếp theo là các trường (id, question, topics, sources, status…), rồi một dòng --- nữa; nội dung viết bên dưới.',
      };
    case 'yaml':
      return {
        ...where(p.yamlLine ? p.yamlLine + 1 : undefined),
        field: '(phần khai báo)',
        message: `Sai cú pháp YAML: ${YAML_HINT}. Chi tiết kỹ thuật: ${p.yamlDetail ?? p.message}`,
      };
    case 'schema': {
      const loc = locate(text, path);
      return { ...where(loc.line), field: fieldName(path) || '(phần khai báo)', message: `${label(path)}: ${fieldIssueMessage(p.issue!, loc.found)}` };
    }
    case 'id-file':
      return { ...where(locate(text, ['id']).line), field: 'id', message: `Mã (id): phải trùng với tên tệp “${p.value}” (tên tệp không đổi được ở đây).` };
    case 'empty-body':
      return {
        ...where(bodyLine(text)),
        field: kind === 'qa' ? 'Câu trả lời' : 'Nội dung',
        message: kind === 'qa' ? 'Câu trả lời đang trống: viết câu trả lời bên dưới dòng --- thứ hai.' : 'Bài viết chưa có nội dung bên dưới dòng --- thứ hai.',
      };
    case 'unknown-topic':
      return {
        ...where(locate(text, path).line),
        field: fieldName(path),
        message: `Chủ đề (${fieldName(path)}): “${p.value}” không có trong danh sách chủ đề (topics.yaml). Các mã chủ đề có: ${shortList(refs.topics.map((t) => t.slug))}.`,
      };
    case 'unknown-region':
      return {
        ...where(locate(text, path).line),
        field: fieldName(path),
        message: `Địa bàn (${fieldName(path)}): “${p.value}” không có trong danh sách địa bàn (regions.yaml). Các mã địa bàn có: ${shortList([...flattenRegions(refs.regions).keys()])}.`,
      };
    case 'duplicate-id':
      return { ...where(locate(text, ['id']).line), field: 'id', message: `Mã (id): đã được tệp ${p.value} dùng; mỗi mục cần một mã riêng.` };
  }
}

/**
 * Checks the text of content file `file` (a Q&A or an article): with `approval`, as it will be
 * once approved (the reviewer and date filled in); without, exactly as the loader reads it (a
 * file on disk). Returns the normalised text to store and the problems, in Vietnamese; none
 * means it loads.
 */
export function checkRawEntryText(
  kind: 'qa' | 'article',
  file: string,
  typed: string,
  refs: RawRefs,
  approval?: { reviewer: string; today: string },
): { text: string; errors: RawError[] } {
  const text = normaliseRawText(typed);
  const override = approval ? { reviewed_by: approval.reviewer, reviewed_at: approval.today } : undefined;
  const parsed = kind === 'qa' ? parseQaText(file, text, override) : parseArticleText(file, text, override);
  let problems = parsed.problems;
  if (parsed.entry) {
    const ids = new Map<string, string>();
    for (const e of [...refs.qa, ...refs.articles]) if (e.file !== file && !ids.has(e.id)) ids.set(e.id, e.file);
    problems = entryRefProblems(file, parsed.entry, {
      topics: new Set(refs.topics.map((t) => t.slug)),
      regions: new Set(flattenRegions(refs.regions).keys()),
      ids,
    });
  }
  const errors = problems.map((p) => toRawError(kind, text, p, refs));
  errors.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  return { text, errors };
}
