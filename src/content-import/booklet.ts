/**
 * Reads a "Hỏi – đáp pháp luật" booklet as staff copy it out of Word: the question-and-answer
 * text offices publish, into entries (a question, its answer, the sources it cites).
 *
 * What the booklets look like, and so what is read:
 * - a question starts with "Câu 1.", "Câu 12:", "Câu 3)", "Câu hỏi 12:", "Câu hỏi số 4.",
 *   "Hỏi:" or "Câu hỏi:" (any case, with or without Word's bold as `**…**`); a booklet numbered
 *   "1.", "2." only is read so when each number is followed by "Trả lời:" within three lines (an
 *   answer's own numbered list never is);
 * - the answer starts at "Trả lời:", "Đáp:" or "TL:" (on its own line or after the question on
 *   the same line); without one, the question is its first line (or its lines up to the first
 *   that ends with "?") and the answer is the rest;
 * - an answer runs over several paragraphs, lists ("1.", "a)", "-", "+", "•") included, up to
 *   the next question;
 * - lines before the first question (the booklet's title, its foreword) and a section heading
 *   just before a question ("PHẦN II. LUẬT ĐẤT ĐAI", a line in capitals) are not part of any
 *   entry: they are returned as ignored, so the preview can show them;
 * - "Căn cứ pháp lý: …" / "Cơ sở pháp lý: …" / "Nguồn: …" lines in an answer are its sources
 *   and leave the answer; a sentence that starts "Căn cứ khoản 1 Điều 12 Luật …, …" stays in the
 *   answer and names a source as well ({@link sourcesFrom}).
 *
 * Word's copy comes with non-breaking spaces, tabs, zero-width characters, Windows line ends
 * and bullets as symbols: all are mended first ({@link cleanPastedText}).
 */
import type { Source } from '../knowledge/content.js';

/** One question and its answer as read from the text (before any check). */
export interface ImportedEntry {
  /** Where it starts: the line of the text, or the row of a sheet (1-based). */
  line: number;
  /** The booklet's own label ("Câu 12"), when it has one. */
  label?: string;
  question: string;
  /** Markdown, paragraphs separated by a blank line. */
  answer: string;
  /** The sources it cites ("Căn cứ …" lines, or a sheet's source column). */
  sources: Source[];
  /** A sheet's topic column as written ("Lĩnh vực"), matched to a topic later. */
  topic?: string;
  /** A sheet's region column as written ("Địa bàn"), matched to regions.yaml later. */
  regions?: string;
  /** A sheet's other wordings of the question. */
  variants?: string[];
}

/** A line of the text that belongs to no entry. */
export interface IgnoredLine {
  line: number;
  text: string;
}

/** What reading a text or sheet gave. */
export interface ImportRead {
  format: 'booklet' | 'csv' | 'xlsx' | 'tsv' | 'docx';
  entries: ImportedEntry[];
  ignored: IgnoredLine[];
  /** Why nothing (or not everything) could be read, in Vietnamese. */
  problems: string[];
}

/** How an entry's place is counted, for staff: a text's lines, a sheet's rows, a Word document's paragraphs. */
export const LINE_WORD: Record<ImportRead['format'], string> = { booklet: 'dòng', csv: 'hàng', xlsx: 'hàng', tsv: 'hàng', docx: 'đoạn' };

/**
 * Text pasted from Word or saved from Notepad, in a form the reader can trust: NFC, "\n" line
 * ends (Windows' and old Mac's mended), non-breaking and other wide spaces as spaces, tabs as
 * spaces, runs of spaces as one, zero-width characters and the soft hyphen gone, a bullet
 * symbol at a line's start as "- ", trailing spaces cut.
 *
 * @example cleanPastedText('Câu\u00a01.\tAi?\r\n\u2022\tMột') // 'Câu 1. Ai?\n- Một'
 */
export function cleanPastedText(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u200b-\u200d\u2060\uFEFF\u00ad]/g, '')
    .replace(/[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]/g, ' ')
    .replace(/\u2028|\u2029|\v|\f/g, '\n')
    // Runs of spaces after a word (Word's justified lines, "Điều  15") are one space; indents stay.
    .replace(/(?<=\S) {2,}/g, ' ')
    .replace(/^ *[•●▪◦‣∙○■□➢➤►✓✔] */gm, '- ')
    .split('\n')
    .map(withoutTrailingSpaces)
    .join('\n');
}

/**
 * A line without its trailing spaces, in one pass. Not `/ +$/gm`: on a run of spaces followed by
 * a word, that expression tries every space of the run as a start, so 40,000 spaces in a paste
 * (or a sheet's cell) held the event loop 3.5 s, 200,000 over two minutes (quadratic), and the
 * bot answered no one meanwhile.
 */
function withoutTrailingSpaces(line: string): string {
  let end = line.length;
  while (end > 0 && line.charCodeAt(end - 1) === 0x20) end--;
  return end === line.length ? line : line.slice(0, end);
}

/** A line without Word's bold or italic markers around it or its label ("**Câu 1.**", "__Hỏi:__"). */
function plain(line: string): string {
  return line.replace(/(\*\*|__)/g, '').replace(/^\*(?=\S)|(?<=\S)\*$/g, '').trim();
}

// "Câu 1.", "Câu 12:", "Câu 3)", "Câu hỏi 12:", "Câu hỏi số 4.", "CÂU 5 -" (the label, any case)
const QUESTION_LABEL = /^(câu(?:\s+hỏi)?(?:\s+số)?)\s*(\d{1,4})(.*)$/iu;
// After the number: a mark, or a space and a capital ("Câu 5 Ai …"; "Câu 2 của …" is text).
const AFTER_NUMBER = /^\s*[.:)–—-]\s*(.*)$|^\s+(\p{Lu}.*)$|^()$/u;
// "Hỏi:", "Câu hỏi:", "HỎI." (a bare word needs its colon, dot or dash: "Hỏi thăm …" is text;
// "HỎI – ĐÁP PHÁP LUẬT" is the booklet's title)
const PLAIN_QUESTION = /^(Câu\s+hỏi|Hỏi)\s*[:.–—-](?!\s*đáp(?:\s|$))\s*(.*)$/iu;
// "1. …", "12) …": a question only where the booklet has no "Câu" labels and an answer mark follows.
const BARE_NUMBER = /^(\d{1,3})\s*[.)]\s+(\S.*)$/u;
// "Trả lời:", "TRẢ LỜI", "Đáp:", "TL:"; a mark is needed unless the word is alone ("Đáp ứng …" is text).
const ANSWER_MARK = /^(?:Trả\s+lời|Đáp|TL)(?:\s*[:.–—-]\s*(.*)|\s*)$/iu;
// The same mark after the question's "?" on the question's own line.
const INLINE_ANSWER = /^(.*?\?)\s*(?:\*\*|__)?\s*(?:Trả\s+lời|Đáp|TL)\s*[:.–—-]\s*(?:\*\*|__)?\s*(.*)$/iu;

/** A section heading of the booklet: "PHẦN II. …", "Chương 3 …", "Mục 1: …", or a line in capitals. */
function isSectionHeading(line: string): boolean {
  const p = plain(line);
  if (/^(Phần|Chương|Mục)\s+([IVXLC]+|\d+|thứ\s+\p{L}+)\b/iu.test(p)) return true;
  const letters = p.replace(/[^\p{L}]/gu, '');
  return letters.length >= 4 && letters === letters.toLocaleUpperCase('vi') && letters !== letters.toLocaleLowerCase('vi') && !/\?$/.test(p);
}

interface Start {
  label?: string;
  /** The question text on the starting line (the label removed). */
  rest: string;
}

function questionStart(line: string, bareNumbers: boolean): Start | undefined {
  const p = plain(line);
  const numbered = QUESTION_LABEL.exec(p);
  const after = numbered ? AFTER_NUMBER.exec(numbered[3]!) : null;
  if (numbered && after) return { label: `Câu ${Number(numbered[2])}`, rest: (after[1] ?? after[2] ?? '').trim() };
  const named = PLAIN_QUESTION.exec(p);
  if (named) return { rest: named[2]!.trim() };
  if (bareNumbers) {
    const bare = BARE_NUMBER.exec(p);
    if (bare) return { label: `Câu ${Number(bare[1])}`, rest: bare[2]!.trim() };
  }
  return undefined;
}

function answerMark(line: string): string | undefined {
  const m = ANSWER_MARK.exec(plain(line));
  return m ? (m[1] ?? '').trim() : undefined;
}

/** Whether a bare-number line ("3. …") is followed within three lines by an answer mark. */
function confirmedBare(lines: string[], i: number): boolean {
  for (let k = i + 1; k <= i + 3 && k < lines.length; k++) {
    if (answerMark(lines[k]!) !== undefined) return true;
    if (BARE_NUMBER.test(plain(lines[k]!))) return false;
  }
  return false;
}

/** Whether the booklet numbers its questions "1.", "2." only: no "Câu"/"Hỏi" label, and "N." lines followed by an answer mark. */
function usesBareNumbers(lines: string[]): boolean {
  if (lines.some((l) => questionStart(l, false))) return false;
  return lines.some((l, i) => BARE_NUMBER.test(plain(l)) && confirmedBare(lines, i));
}

// "Căn cứ pháp lý: …", "Cơ sở pháp lý – …", "Nguồn: …", "Căn cứ: …", "Văn bản áp dụng: …";
// the label alone on its line heads a list of references.
const SOURCE_LINE = /^(?:Căn\s+cứ(?:\s+pháp\s+lý)?|Cơ\s+sở\s+pháp\s+lý|Nguồn(?:\s+trích\s+dẫn)?|Văn\s+bản\s+(?:áp\s+dụng|tham\s+khảo))\s*(?:[:–—-]\s*(.*)|$)/iu;
/** What a law-like reference names: "Luật …", "Nghị định …" and the other kinds of legal text. */
const LAW_KIND = String.raw`(?:Luật|Bộ\s+luật|Nghị\s+định|Nghị\s+quyết|Thông\s+tư(?:\s+liên\s+tịch)?|Quyết\s+định|Hiến\s+pháp|Pháp\s+lệnh|Công\s+ước|Chỉ\s+thị)`;
// A reference inside an answer's sentence: "Căn cứ khoản 1 Điều 12 Luật …, …", "Theo quy định
// tại Điều 5 Nghị định …, …" (a bracket's commas are the reference's: "(sửa đổi, bổ sung …)").
const SOURCE_SENTENCE = new RegExp(
  String.raw`^(?:Căn\s+cứ|Theo)\s+(?:(?:các\s+)?quy\s+định\s+(?:tại|của)\s+)?((?:(?:điểm|khoản)\s+[\p{L}\d]+[,\s]+(?:và\s+)?)*Điều\s+\d+\p{L}?(?:(?:\s*,\s*|\s+và\s+)(?:(?:điểm|khoản)\s+[\p{L}\d]+\s+)*Điều\s+\d+\p{L}?)*\s+(?:của\s+)?${LAW_KIND}(?:\([^)]*\)|[^,;:(])*)`,
  'iu',
);
// A reference in brackets anywhere in an answer: "… không có tranh chấp (Điều 138 Luật Đất đai
// năm 2024).", "(theo khoản 2 Điều 5 Nghị định 101/2024/NĐ-CP)". Booklets cite this way as often
// as with a "Căn cứ" line; such an entry was refused for having no source.
const BRACKET_REFERENCE = new RegExp(
  String.raw`\((?:theo\s+|căn\s+cứ\s+|xem\s+)?((?:(?:điểm|khoản)\s+[\p{L}\d]+[,\s]+(?:và\s+)?)*Điều\s+\d+\p{L}?\s+(?:của\s+)?${LAW_KIND}[^()]{2,160})\)`,
  'giu',
);
// A line of a list of references under "Căn cứ pháp lý:".
const REFERENCE_ITEM = new RegExp(String.raw`^(?:[-+*] |\d{1,2}[.)] )?(?:(?:điểm|khoản|Điều)\s|${LAW_KIND}\s)`, 'iu');
// A reference's article part: "Điều 22", "khoản 1 Điều 12", "điểm a khoản 2 Điều 3", "Điều 5, Điều 6".
const ARTICLE_PART = /^((?:(?:điểm|khoản)\s+[\p{L}\d]+[,\s]+(?:và\s+)?)*Điều\s+\d+\p{L}?(?:(?:\s*,\s*|\s+và\s+)(?:(?:điểm|khoản)\s+[\p{L}\d]+\s+)*Điều\s+\d+\p{L}?)*)\s*,?\s+(?:của\s+)?(.+)$/iu;

/**
 * One reference as a source: "Điều 22 Luật Hộ tịch năm 2014" is the law as title and the article
 * apart; a reference without an article ("Luật Trẻ em 2016") is all title.
 *
 * @example sourceFromReference('khoản 1 Điều 12 Luật Bảo hiểm y tế 2008.') // { title: 'Luật Bảo hiểm y tế 2008', article: 'khoản 1 Điều 12' }
 */
export function sourceFromReference(ref: string): Source | undefined {
  let text = ref.replace(/\s+/g, ' ').replace(/^[\s"“”'‘’(*+-]+|[\s.;,:"“”'‘’*]+$/g, '').trim();
  // A closing bracket is the reference's own unless it closes nothing.
  while (text.endsWith(')') && (text.match(/\)/g) ?? []).length > (text.match(/\(/g) ?? []).length) text = text.slice(0, -1).replace(/[\s.;,]+$/, '');
  if (!/\p{L}{2,}/u.test(text)) return undefined;
  const m = ARTICLE_PART.exec(text);
  if (m && /\p{L}{2,}/u.test(m[2]!)) return { title: capitalise(m[2]!.trim()), article: m[1]!.trim() };
  return { title: capitalise(text) };
}

const capitalise = (s: string): string => s.charAt(0).toLocaleUpperCase('vi') + s.slice(1);

/**
 * The sources written in a cell or after "Căn cứ pháp lý:": references separated by ";" or by
 * lines.
 *
 * @example sourcesFrom('Điều 22 Luật Hộ tịch 2014; Điều 5 Nghị định 123/2015/NĐ-CP') // two sources
 */
export function sourcesFrom(text: string): Source[] {
  const out: Source[] = [];
  for (const part of text.split(/[;\n]+/)) addSource(out, sourceFromReference(part.replace(/^\s*(?:[-+*] |\d{1,2}[.)] )/, '')));
  return out;
}

function addSource(list: Source[], s: Source | undefined): void {
  if (s && !list.some((o) => o.title === s.title && o.article === s.article)) list.push(s);
}

/** An answer's lines as Markdown: paragraphs apart, list items kept together, sources taken out. */
function answerBody(lines: string[]): { answer: string; sources: Source[] } {
  const kept: string[] = [];
  // Sources under a label ("Căn cứ pháp lý: …") are what the booklet cites; the references in
  // the answer's sentences count only when it has no such line.
  const sources: Source[] = [];
  const inSentences: Source[] = [];
  let underLabel = false;
  for (const raw of lines) {
    const line = raw.trim();
    const p = plain(line).replace(/^[-+*] /, '');
    const label = SOURCE_LINE.exec(p);
    if (label) {
      for (const s of sourcesFrom(label[1] ?? '')) addSource(sources, s);
      underLabel = !label[1];
      continue;
    }
    if (underLabel && line && REFERENCE_ITEM.test(p)) {
      for (const s of sourcesFrom(p)) addSource(sources, s);
      continue;
    }
    if (line) underLabel = false;
    const sentence = SOURCE_SENTENCE.exec(p);
    if (sentence) for (const s of sourcesFrom(sentence[1]!)) addSource(inSentences, s);
    for (const m of p.matchAll(BRACKET_REFERENCE)) addSource(inSentences, sourceFromReference(m[1]!));
    kept.push(line);
  }
  // Word's paragraphs come one a line; Markdown needs a blank line between paragraphs, and none
  // between a list's items.
  const isItem = (l: string): boolean => /^(?:[-+*] |\d{1,3}[.)] |[a-zđ][.)] )/u.test(l);
  const blocks: string[] = [];
  for (const line of kept) {
    if (!line) continue;
    const prev = blocks.at(-1);
    if (prev !== undefined && isItem(line) && isItem(prev.split('\n').at(-1)!)) blocks[blocks.length - 1] = `${prev}\n${line}`;
    else blocks.push(line);
  }
  return { answer: blocks.join('\n\n'), sources: sources.length ? sources : inSentences };
}

/** The entry being read. */
interface Reading {
  line: number;
  label?: string;
  /** The lines before the answer mark (all of them while none came). */
  question: string[];
  answer: string[];
  marked: boolean;
}

function entryOf(r: Reading): ImportedEntry {
  let question = r.question;
  let answer = r.answer;
  if (!r.marked) {
    // No "Trả lời": the question runs to its first line ending in "?" (within three lines),
    // or is its first line.
    const filled = question.filter((l) => l.trim());
    const end = filled.slice(0, 3).findIndex((l) => /\?\s*$/.test(plain(l)));
    const cut = end >= 0 ? end + 1 : Math.min(1, filled.length);
    answer = filled.slice(cut).concat(answer);
    question = filled.slice(0, cut);
  }
  const body = answerBody(answer);
  return {
    line: r.line,
    ...(r.label ? { label: r.label } : {}),
    question: question.map((l) => plain(l)).filter(Boolean).join(' ').replace(/\s+/g, ' ').trim(),
    answer: body.answer,
    sources: body.sources,
  };
}

/**
 * Reads a booklet's text (see the module comment for what is recognised).
 *
 * @example
 * readBooklet('HỎI – ĐÁP PHÁP LUẬT\nCâu 1. Ai được cấp thẻ?\nTrả lời: Công dân …').entries[0].question // 'Ai được cấp thẻ?'
 */
export function readBooklet(input: string): ImportRead {
  const lines = cleanPastedText(input).split('\n');
  const bare = usesBareNumbers(lines);
  const entries: ImportedEntry[] = [];
  const ignored: IgnoredLine[] = [];
  let current: Reading | undefined;
  const startAt = (i: number): Start | undefined => {
    const start = questionStart(lines[i]!, bare);
    // A bare "3." starts a question only with its answer mark after it (else a list item).
    if (start && bare && !QUESTION_LABEL.test(plain(lines[i]!)) && !PLAIN_QUESTION.test(plain(lines[i]!)) && !confirmedBare(lines, i)) return undefined;
    return start;
  };
  const nextStarts = (i: number): boolean => {
    for (let k = i + 1; k < lines.length; k++) if (lines[k]!.trim()) return startAt(k) !== undefined;
    return false;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const start = startAt(i);
    if (start) {
      if (current) entries.push(entryOf(current));
      current = { line: i + 1, ...(start.label ? { label: start.label } : {}), question: [], answer: [], marked: false };
      const inline = INLINE_ANSWER.exec(start.rest);
      if (inline) {
        current.question.push(inline[1]!);
        current.answer.push(inline[2]!);
        current.marked = true;
      } else if (start.rest) current.question.push(start.rest);
      continue;
    }
    // The booklet's title and foreword; a section heading just before a question.
    if (!current || (line.trim() && isSectionHeading(line) && nextStarts(i))) {
      if (line.trim()) ignored.push({ line: i + 1, text: plain(line) });
      continue;
    }
    if (!current.marked) {
      const mark = answerMark(line);
      if (mark !== undefined) {
        current.marked = true;
        if (mark) current.answer.push(mark);
      } else current.question.push(line);
      continue;
    }
    current.answer.push(line);
  }
  if (current) entries.push(entryOf(current));
  const problems = entries.length
    ? []
    : ['Không tìm thấy câu hỏi nào: mỗi câu hỏi cần bắt đầu bằng “Câu 1.”, “Câu hỏi 1:” hoặc “Hỏi:”, câu trả lời bằng “Trả lời:” hoặc “Đáp:”.'];
  return { format: 'booklet', entries, ignored, problems };
}
