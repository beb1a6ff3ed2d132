/**
 * `loa content import`: the admin's "Nhập nhiều câu hỏi – đáp" from the command line, for an IT
 * officer handed the office's booklet or FAQ sheet (src/content-import/).
 *
 *   loa content import FILE --topic T [--region R …] [--source "…"] [--dry-run] [--force] --as NAME
 *
 * The same reading, checks, ids and draft files as the admin page. `--dry-run` prints the
 * preview and writes nothing. Without it the entries with no problem are written as drafts
 * (`--force` adds those with warnings), each audited under the staff account `--as` names, so
 * four eyes apply: that person cannot approve them. The account needs the editor role; run at a
 * terminal, its password is asked for, as `loa campaign` does (cli/operator.ts).
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { openDb, type Db } from '../db/index.js';
import { recordAudit } from '../db/audit.js';
import { getPasswordHash, getUserByName, verifyPassword } from '../db/users.js';
import { can } from '../admin/roles.js';
import { formatContentErrors, loadContent } from '../knowledge/content.js';
import { readImportFile } from '../content-import/table.js';
import { LINE_WORD } from '../content-import/booklet.js';
import { answerStart, planImport, writeImport, type ImportPlan } from '../content-import/plan.js';
import { argsErrorText } from './args.js';
import { askHidden, cliAuditOrigin, osUserName } from './operator.js';

export const USAGE = `cách dùng:
  loa content import TỆP --topic CHỦ_ĐỀ [--region ĐỊA_BÀN …] [--source "TÊN VĂN BẢN | ĐIỀU"] [--dry-run] [--force] --as TÊN
      nhập nhiều câu hỏi – đáp thành bản nháp, như trang “Nhập nhiều câu hỏi – đáp” của trang quản trị
      TỆP: tài liệu Word .docx hoặc văn bản hỏi – đáp (.txt, .md, lưu UTF-8) dạng
           “Câu 1. …? / Trả lời: …” hoặc “Hỏi: … / Đáp: …”; hoặc bảng .xlsx / .csv có cột
           “Câu hỏi”, “Trả lời” (thêm được “Căn cứ pháp lý” hoặc “Nguồn”, “Lĩnh vực”, “Địa bàn”,
           “Cách hỏi khác”)
      --topic     mã chủ đề trong content/topics.yaml cho các câu hỏi (bắt buộc)
      --region    mã địa bàn trong content/regions.yaml áp dụng cho mọi mục (lặp lại hoặc cách nhau
                  bằng dấu phẩy; cột “Địa bàn” của bảng thay cho lựa chọn này ở từng dòng;
                  không ghi: mọi địa bàn)
      --source    nguồn cho các mục không có dòng “Căn cứ pháp lý: …” (tên văn bản | điều khoản | đường dẫn)
      --dry-run   chỉ xem trước từng mục và vấn đề của nó; không ghi gì
      --force     nhập cả các mục có cảnh báo (trả lời quá ngắn, câu hỏi đã có, trùng trong tệp)
      --as        tài khoản cán bộ (vai trò biên tập viên) đứng tên các bản nháp; người này không tự
                  phê duyệt được (không cần khi --dry-run)
  Các mục được ghi thành bản nháp trong content/qa/<chủ đề>/; bot chưa dùng cho đến khi một người
  có quyền phê duyệt khác duyệt ở trang Nội dung.`;

/** Test hooks. */
export interface ContentCliDeps {
  db?: Db;
  config?: Pick<Config, 'dataDir' | 'contentDir'>;
  out?: (s: string) => void;
  err?: (s: string) => void;
  now?: () => Date;
  /** Whether a person is at a terminal (asked for the password). Default: stdin is a TTY. */
  interactive?: boolean;
  askPassword?: (prompt: string) => Promise<string | null>;
  osUser?: string;
}

/** The preview as lines for the terminal: each entry, its id or why it cannot be written. */
export function previewLines(plan: ImportPlan, what: { file: string; topicName: string }): string[] {
  const FORMAT: Record<ImportPlan['format'], string> = { booklet: 'văn bản hỏi – đáp', csv: 'bảng CSV', xlsx: 'bảng Excel', tsv: 'bảng', docx: 'tài liệu Word' };
  const ready = plan.entries.filter((e) => e.suggested).length;
  const warned = plan.entries.filter((e) => e.importable && !e.suggested).length;
  const blocked = plan.entries.length - ready - warned;
  const lines = [
    `Đọc được ${plan.entries.length} mục từ ${what.file} (${FORMAT[plan.format]}), chủ đề ${what.topicName}: ${ready} mục sẵn sàng, ${warned} mục có cảnh báo, ${blocked} mục không nhập được.`,
  ];
  for (const e of plan.entries) {
    const where = [e.entry.label, `${LINE_WORD[plan.format]} ${e.entry.line}`].filter(Boolean).join(', ');
    lines.push(`  ${e.n}. [${where}] ${e.entry.question || '(không có câu hỏi)'}`);
    if (e.entry.answer) lines.push(`     Trả lời: ${answerStart(e.entry.answer, 100)}`);
    if (e.sources.length) lines.push(`     Nguồn: ${e.sources.map((s) => [s.title, s.article].filter(Boolean).join(', ')).join('; ')}${e.sourceFrom === 'common' ? ' (nguồn chung)' : ''}`);
    if (e.id) lines.push(`     Mã: ${e.id} → ${e.file}${e.regions.length ? `; địa bàn: ${e.regions.join(', ')}` : ''}${e.topics.length > 1 ? `; chủ đề: ${e.topics.join(', ')}` : ''}`);
    for (const p of e.problems) lines.push(`     ${p.blocking ? '✗ Lỗi' : '⚠ Cảnh báo'}: ${p.message}`);
  }
  if (plan.ignored.length) {
    lines.push(`Bỏ qua ${plan.ignored.length} dòng không thuộc câu hỏi nào (tiêu đề, lời giới thiệu, tên phần):`);
    for (const l of plan.ignored.slice(0, 20)) lines.push(`  ${l.line ? `${LINE_WORD[plan.format]} ${l.line}: ` : ''}${l.text}`);
  }
  return lines;
}

/** Runs `loa content …`; returns the exit code. */
export async function run(args: string[], deps: ContentCliDeps = {}): Promise<number> {
  const out = deps.out ?? ((s: string) => console.log(s));
  const err = deps.err ?? ((s: string) => console.error(s));
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === 'help') {
    out(USAGE);
    return sub ? 0 : 2;
  }
  if (sub !== 'import') {
    err(`content: không có lệnh '${sub}'\n${USAGE}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        topic: { type: 'string' },
        source: { type: 'string' },
        'dry-run': { type: 'boolean' },
        force: { type: 'boolean' },
        as: { type: 'string' },
        region: { type: 'string', multiple: true },
      },
    });
  } catch (e) {
    err(`content: ${argsErrorText(e)}\n${USAGE}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  const [file, ...extra] = positionals;
  if (!file || extra.length) {
    err(`content: ${file ? `tham số thừa: ${extra.join(' ')}` : 'hãy cho biết tệp cần nhập'}\n${USAGE}`);
    return 2;
  }
  if (!v.topic) {
    err(`content: thiếu --topic: chọn một mã chủ đề trong content/topics.yaml, ví dụ: loa content import ${file} --topic ho-tich`);
    return 2;
  }
  const dryRun = v['dry-run'] === true;
  if (!dryRun && !v.as) {
    err(`content: thiếu --as <tên tài khoản>: các bản nháp phải đứng tên một cán bộ (vai trò biên tập viên), ví dụ: loa content import ${file} --topic ${v.topic} --as lan. Chỉ xem trước: thêm --dry-run`);
    return 2;
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    err(`content: không đọc được tệp ${file}: kiểm tra đường dẫn và quyền đọc`);
    return 1;
  }
  const config = deps.config ?? loadConfig();
  const content = loadContent(config.contentDir);
  if (!content.errors.every((e) => /^(qa|articles)[\\/]/.test(e.file))) {
    err(`content: các tệp chung của nội dung có lỗi; sửa rồi chạy lại:\n${formatContentErrors(content.errors.filter((e) => !/^(qa|articles)[\\/]/.test(e.file)))}`);
    return 1;
  }
  const read = await readImportFile(basename(file), bytes);
  const regions = (v.region ?? []).flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean);
  const plan = planImport(read, content, { topic: v.topic, source: v.source, regions }, config.contentDir);
  const topicName = content.topics.find((t) => t.slug === v.topic)?.name;
  if (plan.problems.length || !plan.entries.length) {
    err(`content: ${file}: chưa nhập mục nào:\n${plan.problems.map((p) => `  ${p}`).join('\n')}`);
    return 1;
  }
  out(previewLines(plan, { file: basename(file), topicName: topicName ? `${topicName} (${v.topic})` : v.topic }).join('\n'));
  const chosen = plan.entries.filter((e) => (v.force ? e.importable : e.suggested));
  const left = plan.entries.filter((e) => e.importable && !chosen.includes(e)).length;
  if (dryRun) {
    out(`Chạy thử (--dry-run): chưa ghi gì. Bỏ --dry-run (và thêm --as TÊN) để nhập ${chosen.length} mục${left ? `; thêm --force để nhập cả ${left} mục có cảnh báo` : ''}.`);
    return 0;
  }
  if (!chosen.length) {
    err(`content: không có mục nào để nhập${left ? ` (${left} mục có cảnh báo: xem lại, rồi thêm --force nếu vẫn muốn nhập)` : ''}.`);
    return 1;
  }

  const now = deps.now ?? (() => new Date());
  const db = deps.db ?? openDb(join(config.dataDir, 'loa.sqlite'));
  try {
    const as = v.as!;
    const user = getUserByName(db, as);
    if (!user || !can(user, 'content.edit')) {
      err(`content: '${as}' không phải tài khoản biên tập viên đang hoạt động; các bản nháp phải đứng tên người có quyền soạn nội dung (xem loa user list)`);
      return 1;
    }
    const interactive = deps.interactive ?? process.stdin.isTTY === true;
    const osUser = deps.osUser ?? osUserName();
    let passwordChecked = false;
    if (interactive) {
      const given = await (deps.askPassword ?? ((p: string) => askHidden(p)))(`Mật khẩu của tài khoản '${as}': `);
      if (given === null) {
        err('content: đã huỷ, không nhập mật khẩu; chưa ghi gì.');
        return 1;
      }
      const hash = getPasswordHash(db, user.id);
      if (!hash || !(await verifyPassword(given, hash))) {
        recordAudit(db, { actor: `cli:${as.slice(0, 64)}`, action: 'cli.password_wrong', details: { command: 'content import', osUser } }, now());
        err(`content: mật khẩu của '${as}' không đúng; chưa ghi gì. (Người dùng hệ điều hành '${osUser}' đã được ghi vào nhật ký.)`);
        return 1;
      }
      passwordChecked = true;
    } else {
      err(`Lưu ý: chạy không tương tác nên không hỏi mật khẩu của '${as}'; nhật ký ghi thao tác này kèm người dùng hệ điều hành '${osUser}' và "chưa kiểm tra mật khẩu".`);
    }
    const origin = cliAuditOrigin({ osUser, interactive, passwordChecked });
    // Not in one transaction: entries written before a failed write keep their audit entries.
    const result = writeImport(
      config.contentDir,
      plan,
      new Set(chosen.map((e) => e.n)),
      content,
      (e) => recordAudit(db, { ...e, actor: as, details: { ...(e.details as Record<string, unknown>), ...origin } }, now()),
      { source: `tệp ${basename(file)} (dòng lệnh)` },
    );
    out(
      `Đã nhập ${result.written.length} câu hỏi – đáp thành bản nháp trong content/qa/. Bot chưa dùng các mục này: một người có quyền phê duyệt khác (không phải '${as}') cần duyệt từng mục ở trang Nội dung.` +
        (left ? ` Chưa nhập ${left} mục có cảnh báo (thêm --force để nhập cả các mục này).` : ''),
    );
    return 0;
  } finally {
    if (!deps.db) db.close();
  }
}
