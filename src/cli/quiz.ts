/**
 * `loa quiz`: contests for organisers.
 *
 *   loa quiz list                          contests, their window and participants
 *   loa quiz results <id> [--top N]        the leaderboard (default top 20)
 *   loa quiz export <id> --out file.xlsx   the whole leaderboard for Excel (.xlsx: number cells,
 *                                          Vietnamese text); `--out file.csv` writes CSV (UTF-8
 *                                          with BOM) for other programs
 *   loa quiz stats <id>                    share of right answers per question, hardest first
 *   loa quiz import <file> --into <id>     the questions of a sheet (.xlsx or CSV) replace the
 *                                          pool of quizzes/<id>.yaml [--dry-run]: quiz/import.ts
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { loadConfig } from '../config.js';
import { openDb, type Db } from '../db/index.js';
import { attemptCounts } from '../db/quiz.js';
import { formatContentErrors } from '../knowledge/content.js';
import { createContestRegistry, viTime, type ContestRegistry } from '../quiz/definition.js';
import { contestStats, ERASED_NAME, leaderboard, leaderboardCsv, leaderboardTop, leaderboardXlsx } from '../quiz/results.js';
import { viDuration } from '../quiz/scoring.js';
import { questionsInFile, readQuestionFile, writeQuestions } from '../quiz/import.js';

export const USAGE = `cách dùng:
  loa quiz list                           các cuộc thi
  loa quiz results <mã> [--top N]         bảng xếp hạng
  loa quiz export <mã> --out tệp.xlsx     xuất kết quả ra tệp Excel (.xlsx);
                                          --out tệp.csv: ra CSV cho phần mềm khác
  loa quiz stats <mã>                     thống kê từng câu hỏi
  loa quiz import <tệp.xlsx|tệp.csv> --into <mã> [--dry-run]
                                          thay bộ câu hỏi của cuộc thi bằng các câu trong bảng
                                          (cột Câu hỏi, A, B, C, D, Đáp án đúng, Giải thích)`;

/** What the quiz commands work on (tests pass their own). */
export interface QuizCliDeps {
  db: Db;
  registry: ContestRegistry;
  /** The content directory holding `quizzes/` (for `import`). */
  contentDir?: string;
  now?: Date;
  print?: (line: string) => void;
  error?: (line: string) => void;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Runs a quiz subcommand; resolves to the exit code. */
export async function quizCommand(args: string[], deps: QuizCliDeps): Promise<number> {
  const print = deps.print ?? ((l: string) => console.log(l));
  const error = deps.error ?? ((l: string) => console.error(l));
  const now = deps.now ?? new Date();
  const [sub, id] = args;
  if (sub === 'list') {
    const errs = deps.registry.errors();
    if (errs.length) error(formatContentErrors(errs));
    const all = deps.registry.all();
    if (all.length === 0) print('Chưa có cuộc thi nào trong content/quizzes/.');
    for (const c of all) {
      const state = c.status !== 'approved' ? c.status : now < c.opens ? 'sắp mở' : now >= c.closes ? 'đã đóng' : 'đang mở';
      const counts = attemptCounts(deps.db, c.id);
      print(`${c.id}  ${c.title}\n  ${state} · ${viTime(c.opens)} → ${viTime(c.closes)} · ${c.draw}/${c.questions.length} câu · hoàn thành: ${counts.done + counts.predicting} · đang làm: ${counts.answering + counts.registering}`);
    }
    return errs.length ? 1 : 0;
  }
  if (sub === 'import') {
    const file = id;
    const into = option(args, '--into');
    if (!file || !into || !deps.contentDir) {
      error('quiz: cách dùng: loa quiz import <tệp.xlsx hoặc tệp.csv> --into <mã cuộc thi> [--dry-run]');
      return 2;
    }
    const path = join(deps.contentDir, 'quizzes', `${into}.yaml`);
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(into) || !existsSync(path)) {
      error(`quiz: không có tệp cuộc thi quizzes/${into}.yaml. Hãy chép một tệp mẫu (xem 'loa quiz list'), sửa tên, đơn vị tổ chức, thời gian và lời đồng ý, rồi nhập câu hỏi vào đó.`);
      return 2;
    }
    if (!existsSync(file)) {
      error(`quiz: không thấy tệp '${file}'`);
      return 2;
    }
    const before = questionsInFile(path);
    const read = await readQuestionFile(basename(file), readFileSync(file), before);
    const problems = read.problems.length ? read.problems : writeQuestions(path, read.questions, args.includes('--dry-run'));
    if (problems.length) {
      for (const p of problems) error(p);
      error(`quiz: chưa ghi gì vào quizzes/${into}.yaml; sửa những chỗ trên (trong bảng, hoặc trong tệp cuộc thi) rồi chạy lại.`);
      return 1;
    }
    const kept = read.questions.filter((q) => before.some((b) => b.id === q.id)).length;
    const summary = `${read.questions.length} câu hỏi (${kept} câu giữ mã cũ, thống kê theo câu vẫn liền mạch; ${read.questions.length - kept} câu mới), thay ${before.length} câu cũ`;
    print(args.includes('--dry-run') ? `Kiểm tra xong, chưa ghi: ${summary}.` : `Đã ghi ${summary} vào quizzes/${into}.yaml.`);
    return 0;
  }
  if (!sub || !['results', 'export', 'stats'].includes(sub)) {
    error(USAGE);
    return 2;
  }
  const contest = id ? deps.registry.get(id) : undefined;
  if (!contest) {
    error(`quiz: không có cuộc thi '${id ?? ''}'; xem các mã bằng 'loa quiz list'`);
    return 2;
  }
  if (sub === 'results') {
    const top = Number(option(args, '--top') ?? 20);
    if (!Number.isInteger(top) || top < 1) {
      error('quiz: --top cần một số nguyên dương, ví dụ --top 10');
      return 2;
    }
    const board = leaderboardTop(deps.db, contest.id, top);
    print(`${contest.title}: ${board.participants} người hoàn thành bài thi.`);
    for (const e of board.entries)
      print(
        `${String(e.rank).padStart(3)}. ${e.name ?? ERASED_NAME}${e.unit ? ` (${e.unit})` : ''}: ${e.score} điểm, ${e.correctCount}/${e.questionCount} câu đúng, ${viDuration(e.totalMs)}, dự đoán ${e.prediction ?? '-'}${e.distance !== null ? ` (lệch ${e.distance})` : ''}, ${e.channel}`,
      );
    return 0;
  }
  if (sub === 'export') {
    const out = option(args, '--out');
    if (!out) {
      error('quiz: hãy cho biết tệp cần ghi: --out tệp.xlsx (mở bằng Excel) hoặc --out tệp.csv (cho phần mềm khác)');
      return 2;
    }
    const board = leaderboard(deps.db, contest.id);
    // The file's extension chooses: .xlsx for Excel; anything else is CSV, as it always was.
    if (extname(out).toLowerCase() === '.xlsx') {
      writeFileSync(out, await leaderboardXlsx(board));
      print(`Đã ghi ${board.entries.length} dòng vào ${out} (mở bằng Excel).`);
    } else {
      writeFileSync(out, leaderboardCsv(board), 'utf8');
      print(`Đã ghi ${board.entries.length} dòng vào ${out} (CSV, cho phần mềm khác). Để mở bằng Excel, hãy xuất ra tệp .xlsx: --out ${out.replace(/\.[^./\\]*$/, '')}.xlsx`);
    }
    return 0;
  }
  const stats = contestStats(deps.db, contest);
  print(`${contest.title}: tỷ lệ trả lời đúng theo câu (câu khó nhất trước).`);
  if (stats.length === 0) print('Chưa có câu trả lời nào.');
  for (const s of stats)
    print(`${(s.share * 100).toFixed(0).padStart(3)}%  ${s.correct}/${s.answered} đúng${s.late ? `, ${s.late} quá giờ` : ''}  [${s.questionId}] ${s.question}`);
  return 0;
}

/** `loa quiz …` */
export async function run(args: string[]): Promise<number> {
  const config = loadConfig();
  const db = openDb(join(config.dataDir, 'loa.sqlite'));
  try {
    return await quizCommand(args, { db, registry: createContestRegistry(config.contentDir), contentDir: config.contentDir });
  } finally {
    db.close();
  }
}
