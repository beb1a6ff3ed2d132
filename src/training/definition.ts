/**
 * Officials' training (issue 17, item 2): the plan's target groups and the trainings, from
 * `content/training.yaml`.
 *
 * Every plan sets a share of each group of officials to be "cập nhật thông tin, tập huấn" by 2028
 * (100% of those working on human rights, 100% of those managing information and communication,
 * 100% of the press's external-information staff, 70% of the key officials of the socio-political
 * organisations). The groups and their target shares are configuration, not code: a commune plan
 * has three of the four groups, a later plan may change a share.
 *
 * A training is an approved set of articles (`content/articles/`) plus a test: a contest of
 * `content/quizzes/` (marked `listed: false`, so citizens never see it under /thi) and a pass
 * mark. Officials read, take the test through the quiz engine, and count as trained once they pass.
 *
 * Like the rest of `content/`, an error names the file and the field.
 */
import { readOfficeFile } from '../text/encoding.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { yamlFileError, type ContentError } from '../knowledge/content.js';
import { vietnameseMessage } from '../text/zod-vi.js';

/** The file, relative to the content directory. */
export const TRAINING_FILE = 'training.yaml';

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const slug = z
  .string()
  .max(40, 'must be at most 40 characters (ids travel in 64-byte button data)')
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a slug: a-z, 0-9 and single dashes');

/** One target group of the plan. */
export const groupSchema = z
  .object({
    id: slug,
    /** The group as staff and the report name it. */
    name: nonEmpty,
    /** The plan's target share, in percent (100, 70 …). */
    target: z.number().min(1, 'a share in percent, 1–100').max(100, 'a share in percent, 1–100'),
    /** The plan's own words for this target, quoted in the yearly report. */
    plan: z.string().trim().optional(),
  })
  .strict();

/** One training: approved articles to read and a test with a pass mark. */
export const trainingSchema = z
  .object({
    id: slug,
    title: nonEmpty,
    description: z.string().trim().optional(),
    /** Article ids of `content/articles/`, read in this order. */
    articles: z.array(slug).min(1, 'list at least one article to read'),
    /** The contest id of `content/quizzes/` that is the test. */
    quiz: slug,
    /** Share of the test's questions answered right to pass, in percent. */
    pass_mark: z.number().int().min(1, 'a share in percent, 1–100').max(100, 'a share in percent, 1–100'),
    /** How many times an official may take the test (default: no limit). */
    attempts: z.number().int().min(1).max(10).optional(),
    /** The groups invited to it (default: every group). */
    groups: z.array(slug).optional(),
    status: z.enum(['draft', 'approved', 'retired']).default('approved'),
  })
  .strict();

/** The file. */
export const trainingFileSchema = z
  .object({
    groups: z.array(groupSchema).min(1, 'list the target groups of the plan'),
    trainings: z.array(trainingSchema).default([]),
  })
  .strict()
  .superRefine((f, ctx) => {
    const ids = new Set<string>();
    f.groups.forEach((g, i) => {
      if (ids.has(g.id)) ctx.addIssue({ code: 'custom', path: ['groups', i, 'id'], message: `duplicate group id '${g.id}'` });
      ids.add(g.id);
    });
    const tids = new Set<string>();
    f.trainings.forEach((t, i) => {
      if (tids.has(t.id)) ctx.addIssue({ code: 'custom', path: ['trainings', i, 'id'], message: `duplicate training id '${t.id}'` });
      tids.add(t.id);
      t.groups?.forEach((g, j) => {
        if (!ids.has(g)) ctx.addIssue({ code: 'custom', path: ['trainings', i, 'groups', j], message: `no group '${g}' in groups` });
      });
    });
  });

/** A target group. */
export type TrainingGroup = z.infer<typeof groupSchema>;
/** A training. */
export type Training = z.infer<typeof trainingSchema>;

/** What {@link loadTraining} returns: groups and trainings, or none and the errors. */
export interface LoadedTraining {
  groups: TrainingGroup[];
  trainings: Training[];
  errors: ContentError[];
}

function nfc<T>(v: T): T {
  if (typeof v === 'string') return v.normalize('NFC') as T;
  if (Array.isArray(v)) return v.map(nfc) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, nfc(x)])) as T;
  return v;
}

/**
 * Loads and validates `training.yaml` of a content directory. A missing file is no training
 * (no groups); a file with errors gives its errors and nothing else, so that a typo in a target
 * never shows staff a wrong coverage. Never throws.
 *
 * @example loadTraining('content').groups.map((g) => `${g.name}: ${g.target}%`)
 */
export function loadTraining(contentDir: string): LoadedTraining {
  const file = join(contentDir, TRAINING_FILE);
  if (!existsSync(file)) return { groups: [], trainings: [], errors: [] };
  let data: unknown;
  let text: string;
  try {
    text = readOfficeFile(file);
  } catch (err) {
    return { groups: [], trainings: [], errors: [{ file: TRAINING_FILE, field: '(tệp)', message: (err as Error).message }] };
  }
  try {
    data = parseYaml(text);
  } catch (err) {
    return { groups: [], trainings: [], errors: [{ file: TRAINING_FILE, field: '(tệp)', message: yamlFileError(err) }] };
  }
  const parsed = trainingFileSchema.safeParse(nfc(data));
  if (!parsed.success)
    return {
      groups: [],
      trainings: [],
      errors: parsed.error.issues.map((i) => ({ file: TRAINING_FILE, field: i.path.map(String).join('.') || '(tệp)', message: vietnameseMessage(i) })),
    };
  return { ...parsed.data, errors: [] };
}

/** The training definitions of a content dir, reloaded when the file changes (size and mtime). */
export interface TrainingRegistry {
  groups(): TrainingGroup[];
  trainings(): Training[];
  group(id: string): TrainingGroup | undefined;
  training(id: string): Training | undefined;
  errors(): ContentError[];
}

/** Creates a registry over `content/training.yaml`. */
export function createTrainingRegistry(contentDir: string): TrainingRegistry {
  let stamp = '';
  let loaded: LoadedTraining = { groups: [], trainings: [], errors: [] };
  const current = (): LoadedTraining => {
    const file = join(contentDir, TRAINING_FILE);
    let s = 'none';
    if (existsSync(file)) {
      const st = statSync(file);
      s = `${st.size}:${st.mtimeMs}`;
    }
    if (s !== stamp) {
      loaded = loadTraining(contentDir);
      stamp = s;
    }
    return loaded;
  };
  return {
    groups: () => current().groups,
    trainings: () => current().trainings,
    group: (id) => current().groups.find((g) => g.id === id),
    training: (id) => current().trainings.find((t) => t.id === id),
    errors: () => current().errors,
  };
}

/** What {@link trainingProblems} looks up: an article's status, a contest's state. */
export interface TrainingLookups {
  articleStatus(id: string): string | undefined;
  contest(id: string): { status: string; listed: boolean; closes: Date } | undefined;
}

/**
 * What keeps an approved training from working as staff expect, in Vietnamese: an article that
 * is missing or not approved (officials would be told it is being updated), a test that is
 * missing, not approved, closed, or listed under /thi for everyone.
 *
 * @example trainingProblems(registry.trainings(), { articleStatus: (id) => knowledge.getArticle(id)?.status, contest: (id) => contests.get(id) }, new Date())
 */
export function trainingProblems(trainings: readonly Training[], look: TrainingLookups, now: Date): string[] {
  const out: string[] = [];
  for (const t of trainings.filter((x) => x.status === 'approved')) {
    for (const a of t.articles) {
      const st = look.articleStatus(a);
      if (st === undefined) out.push(`Khoá “${t.title}”: không có bài viết mã '${a}' trong content/articles/.`);
      else if (st !== 'approved') out.push(`Khoá “${t.title}”: bài viết '${a}' chưa được duyệt, cán bộ sẽ không đọc được.`);
    }
    const c = look.contest(t.quiz);
    if (!c) out.push(`Khoá “${t.title}”: không có bài kiểm tra (cuộc thi) mã '${t.quiz}' trong content/quizzes/.`);
    else {
      if (c.status !== 'approved') out.push(`Khoá “${t.title}”: bài kiểm tra '${t.quiz}' chưa được duyệt (status).`);
      if (c.closes.getTime() <= now.getTime()) out.push(`Khoá “${t.title}”: bài kiểm tra '${t.quiz}' đã hết hạn (closes), cán bộ không làm bài được.`);
      if (c.listed) out.push(`Khoá “${t.title}”: bài kiểm tra '${t.quiz}' đang hiện cho mọi người trong /thi; thêm dòng listed: false vào tệp của nó.`);
    }
  }
  return out;
}
