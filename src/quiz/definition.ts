/**
 * Contest definitions: `content/quizzes/<id>.yaml` -> validated {@link Contest}s.
 *
 * Like the rest of `content/`, the loader never stops at the first problem: every error names
 * the file and the field (`content: quizzes/x.yaml: questions.3.correct: …`), and the contests
 * of files without errors are still served.
 *
 * Times are local to Asia/Ho_Chi_Minh (UTC+7, no daylight saving), as organisers write them:
 * `opens: 2026-11-01 08:00`. A bare date opens at 00:00 and closes at 23:59:59 that day.
 */
import { readOfficeFile } from '../text/encoding.js';
import { readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { listFiles, yamlFileError, type ContentError } from '../knowledge/content.js';
import { formatVietnamTime, parseStaffDate } from '../time/vietnam.js';
import { vietnameseMessage } from '../text/zod-vi.js';

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const slug = z
  .string()
  .max(40, 'dài tối đa 40 ký tự (mã đi trong dữ liệu nút bấm 64 byte)')
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a slug: a-z, 0-9 and single dashes');

/**
 * A local Vietnamese time (`2026-11-01 08:00`, `2026-11-01`), an ISO instant with an offset, or
 * a YAML date. `edge` decides what a bare date means: the start or the end of that day.
 */
function localTime(edge: 'start' | 'end') {
  return z.union([z.date(), z.string()]).transform((v, ctx) => {
    if (v instanceof Date) {
      // YAML 1.1 timestamps arrive as UTC instants; a bare date is a calendar day here.
      const day = v.toISOString().slice(0, 10);
      return parseLocal(day, edge)!;
    }
    const d = parseLocal(v.trim(), edge);
    if (!d) {
      ctx.addIssue({ code: 'custom', message: "phải là giờ như '2026-11-01 08:00' hoặc '08:00 01/11/2026' (giờ Việt Nam), hoặc ngày '2026-11-01' hoặc '01/11/2026'" });
      return z.NEVER;
    }
    return d;
  });
}

/**
 * Parses a local Vietnamese time (see {@link localTime}); null when not a time. The dates are
 * read as staff dates are everywhere (time/vietnam.ts `parseStaffDate`: day first, no day the
 * month does not have), in the orders a contest file is written in: also time first, as Loa
 * shows times ("17:00 10/12/2026"), and with dots or dashes ("10.12.2026"). A bare date is the
 * start of its day, or with `edge` 'end' its last second.
 */
export function parseLocal(s: string, edge: 'start' | 'end' = 'start'): Date | null {
  const t = s.trim().replace(/^(\d{1,2}:\d{2}),?\s+(\S+)$/, '$2 $1');
  const text = t.replace(/^(\d{1,2})[.-](\d{1,2})[.-](\d{4})\b/, '$1/$2/$3').replace(/^(\d{1,2}\/\d{1,2}\/\d{4}),\s*/, '$1 ');
  // A two-digit year, or a date and time in any other order, is not guessed.
  if (!/^\d{4}-|^\d{1,2}\/\d{1,2}\/\d{4}(\s|$)/.test(text)) return null;
  const r = parseStaffDate(text);
  if (!r.ok) return null;
  const bare = !/\d:\d/.test(text);
  return bare && edge === 'end' ? new Date(r.at.getTime() + 86_399_000) : r.at;
}

/** Formats an instant as Vietnamese local time: `08:00 01/11/2026`. */
export function viTime(d: Date): string {
  return formatVietnamTime(d, 'HH:mm dd/MM/yyyy');
}

const seconds = z.number().int().min(5, 'ít nhất 5 giây (bình chọn của Telegram mở 5–600 giây)').max(600, 'nhiều nhất 600 giây (bình chọn của Telegram mở 5–600 giây)');

/** One question of the pool. `correct` is the 1-based number of the right option. */
export const questionSchema = z
  .object({
    /** Stable id (kept in attempts and statistics). Defaults to `q<position>`; set it if you reorder. */
    id: z.string().regex(/^[a-z0-9-]{1,20}$/, 'gồm 1–20 ký tự a-z, 0-9 và -').optional(),
    question: nonEmpty.max(280, 'tối đa 280 ký tự (câu hỏi dạng bình chọn của Telegram cho phép 300 ký tự kể cả số thứ tự)'),
    options: z.array(nonEmpty.max(100, 'tối đa 100 ký tự (lựa chọn của bình chọn Telegram)')).min(2, 'cần 2–6 lựa chọn').max(6, 'cần 2–6 lựa chọn'),
    correct: z.number().int().min(1, 'số thứ tự (từ 1) của lựa chọn đúng'),
    explanation: nonEmpty.max(200, 'tối đa 200 ký tự (phần giải thích của bình chọn Telegram)'),
    time_limit: seconds.optional(),
    source: z.string().optional(),
  })
  .superRefine((q, ctx) => {
    if (q.correct > q.options.length)
      ctx.addIssue({ code: 'custom', path: ['correct'], message: `là ${q.correct} nhưng chỉ có ${q.options.length} lựa chọn` });
    const seen = new Set<string>();
    q.options.forEach((o, i) => {
      if (seen.has(o)) ctx.addIssue({ code: 'custom', path: ['options', i], message: 'trùng với một lựa chọn khác' });
      seen.add(o);
    });
  });

/** The contest file. */
export const contestSchema = z
  .object({
    /** Defaults to the file name (docs/quizzes.md: the id is the file name). */
    id: slug.optional(),
    title: nonEmpty,
    organiser: nonEmpty,
    description: z.string().optional(),
    opens: localTime('start'),
    closes: localTime('end'),
    attempts: z.number().int().min(1).max(10).default(1),
    registration: z
      .object({
        /** Ask for the unit/branch (chi đoàn, trường, cơ quan). */
        unit: z.boolean().default(true),
        phone: z.enum(['off', 'optional', 'required']).default('optional'),
        /** The consent line shown before any personal data is asked. */
        consent: nonEmpty,
      })
      .strict(),
    questions: z.array(questionSchema).min(1, 'cần ít nhất một câu hỏi'),
    /** How many questions each attempt draws from the pool (default: all). */
    draw: z.number().int().min(1).optional(),
    shuffle_questions: z.boolean().default(true),
    shuffle_options: z.boolean().default(true),
    time_per_question: seconds.default(30),
    scoring: z
      .object({
        points: z.number().int().min(1).default(10),
        /** Extra points for a fast right answer: the whole bonus at once, none at the time limit. */
        speed_bonus: z.number().int().min(0).default(0),
      })
      .strict()
      .default({ points: 10, speed_bonus: 0 }),
    prediction: z.object({ question: nonEmpty.max(300) }).strict().optional(),
    /** How Telegram shows questions: native quiz polls or inline buttons. */
    telegram_mode: z.enum(['poll', 'buttons']).default('poll'),
    /**
     * The language the contest is written in. A live group quiz speaks to the whole group, so its
     * own texts (announcement, leaderboards) follow this, not a member's language; /thi in a
     * private chat follows the person's.
     */
    lang: z.enum(['vi', 'en']).default('vi'),
    /** Each source as a line of text (its title) or as `{title, article, url}`. */
    sources: z
      .array(
        z.union([
          nonEmpty.transform((title) => ({ title })),
          z.object({ title: nonEmpty, article: z.string().optional(), url: z.string().url().optional() }).strict(),
        ]),
      )
      .min(1, 'cite at least one source'),
    status: z.enum(['draft', 'approved', 'retired']).default('approved'),
    /**
     * Whether /thi lists it and anyone may take it (default). `false`: the test of an officials'
     * training (`content/training.yaml`), taken only through the training's invitation.
     */
    listed: z.boolean().default(true),
    sample: z.boolean().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.closes.getTime() <= c.opens.getTime())
      ctx.addIssue({ code: 'custom', path: ['closes'], message: 'phải sau giờ mở (opens)' });
    if (c.draw !== undefined && c.draw > c.questions.length)
      ctx.addIssue({ code: 'custom', path: ['draw'], message: `là ${c.draw} nhưng bộ câu hỏi chỉ có ${c.questions.length} câu` });
    const ids = new Set<string>();
    c.questions.forEach((q, i) => {
      const id = q.id ?? `q${i + 1}`;
      if (ids.has(id)) ctx.addIssue({ code: 'custom', path: ['questions', i, 'id'], message: `mã câu hỏi '${id}' bị trùng` });
      ids.add(id);
    });
  });

type ContestFile = z.infer<typeof contestSchema>;
/** A question as served: its id always set. */
export type Question = Omit<ContestFile['questions'][number], 'id'> & { id: string };
/** A validated contest. */
export type Contest = Omit<ContestFile, 'id' | 'questions' | 'draw'> & { id: string; file: string; questions: Question[]; draw: number };

/** What {@link loadContests} returns. */
export interface LoadedContests {
  contests: Contest[];
  errors: ContentError[];
}

function nfc<T>(v: T): T {
  if (typeof v === 'string') return v.normalize('NFC') as T;
  if (Array.isArray(v)) return v.map(nfc) as T;
  if (v && typeof v === 'object' && !(v instanceof Date))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, nfc(x)])) as T;
  return v;
}

/** Loads and validates every `quizzes/*.yaml` under a content directory. Never throws for content problems. */
export function loadContests(contentDir: string): LoadedContests {
  const contests: Contest[] = [];
  const errors: ContentError[] = [];
  for (const path of listFiles(join(contentDir, 'quizzes'), '.yaml')) {
    const rel = relative(contentDir, path);
    let data: unknown;
    let text: string;
    try {
      text = readOfficeFile(path);
    } catch (err) {
      errors.push({ file: rel, field: '(tệp)', message: (err as Error).message });
      continue;
    }
    try {
      data = parseYaml(text);
    } catch (err) {
      errors.push({ file: rel, field: '(tệp)', message: yamlFileError(err) });
      continue;
    }
    const parsed = contestSchema.safeParse(nfc(data));
    if (!parsed.success) {
      for (const i of parsed.error.issues)
        errors.push({ file: rel, field: i.path.map(String).join('.') || '(tệp)', message: vietnameseMessage(i) });
      continue;
    }
    const c = parsed.data;
    const id = c.id ?? basename(path, '.yaml');
    if (id !== basename(path, '.yaml')) {
      errors.push({ file: rel, field: 'id', message: `mã '${c.id}' phải trùng với tên tệp '${basename(path, '.yaml')}'` });
      continue;
    }
    if (!slug.safeParse(id).success) {
      errors.push({ file: rel, field: '(tên tệp)', message: `tên tệp '${basename(path)}' là mã cuộc thi: chỉ gồm a-z, 0-9 và dấu gạch ngang, tối đa 40 ký tự` });
      continue;
    }
    contests.push({
      ...c,
      id,
      file: rel,
      draw: c.draw ?? c.questions.length,
      questions: c.questions.map((q, i) => ({ ...q, id: q.id ?? `q${i + 1}` })),
    });
  }
  return { contests, errors };
}

/** Whether the contest accepts answers at `now`. */
export function isOpen(c: Contest, now: Date): boolean {
  return c.status === 'approved' && c.opens.getTime() <= now.getTime() && now.getTime() < c.closes.getTime();
}

/** The seconds a question allows. */
export function timeLimit(c: Contest, q: Question): number {
  return q.time_limit ?? c.time_per_question;
}

/** The contests of a content dir, reloaded when a quiz file changes (checked by name, size and mtime). */
export interface ContestRegistry {
  all(): Contest[];
  get(id: string): Contest | undefined;
  errors(): ContentError[];
}

/** Creates a registry over `content/quizzes/`. */
export function createContestRegistry(contentDir: string): ContestRegistry {
  let stamp = '';
  let loaded: LoadedContests = { contests: [], errors: [] };
  const current = (): LoadedContests => {
    const files = listFiles(join(contentDir, 'quizzes'), '.yaml');
    const s = files
      .map((f) => {
        const st = statSync(f);
        return `${f}:${st.size}:${st.mtimeMs}`;
      })
      .join('|');
    if (s !== stamp) {
      loaded = loadContests(contentDir);
      stamp = s;
    }
    return loaded;
  };
  return {
    all: () => current().contests,
    get: (id) => current().contests.find((c) => c.id === id),
    errors: () => current().errors,
  };
}
