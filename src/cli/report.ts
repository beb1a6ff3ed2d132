/**
 * `loa report --year YYYY [--out DIR]`: the yearly report for the office's plan, written as
 * `bao-cao-YYYY.csv` (UTF-8 with BOM, opens in Excel) and `bao-cao-YYYY.html` (print it or
 * save as PDF from the browser). Without --out the files go to the current directory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openDb, type Db } from '../db/index.js';
import { loadContent } from '../knowledge/content.js';
import { loadContests } from '../quiz/definition.js';
import { loadTraining } from '../training/definition.js';
import { buildYearReport, disinfoAssessment, reportCsv, reportHtml } from '../admin/report.js';
import { HANDLED_TARGET } from '../db/disinfo.js';
import { formatShare } from '../training/format.js';
import { recordAudit } from '../db/audit.js';
import { formatVietnamTime, parseStaffDate, vietnamInstant, vietnamYear } from '../time/vietnam.js';
import { argsErrorText } from './args.js';

export const USAGE =
  'Cách dùng: loa report --year NĂM [--out THƯ_MỤC]   (ví dụ: loa report --year 2026 --out bao-cao)\n' +
  '       loa report --from NGÀY --to NGÀY [--out THƯ_MỤC]   kỳ báo cáo khác năm dương lịch, tối đa 12 tháng,\n' +
  '           tính cả ngày cuối (ví dụ kế hoạch đòi báo cáo trước 30/11: loa report --from 01/12/2025 --to 30/11/2026)';

/** Runs `loa report`; returns the exit code. */
export async function run(args: string[], deps: { db?: Db; contentDir?: string; office?: string; now?: Date } = {}): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { year: { type: 'string' }, out: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } } }));
  } catch (err) {
    console.error(`loa report: ${argsErrorText(err)}.\n${USAGE}`);
    return 2;
  }
  let period: { from: Date; to: Date } | undefined;
  if (values.from !== undefined || values.to !== undefined) {
    if (values.from === undefined || values.to === undefined) {
      console.error(`loa report: hãy cho cả ngày đầu (--from) và ngày cuối (--to) của kỳ báo cáo.\n${USAGE}`);
      return 2;
    }
    const from = parseStaffDate(values.from);
    const last = parseStaffDate(values.to);
    if (!from.ok || !last.ok) {
      console.error(`loa report: ${!from.ok ? `--from: ${from.error}` : ''}${!from.ok && !last.ok ? '; ' : ''}${!last.ok ? `--to: ${last.error}` : ''}`);
      return 2;
    }
    // The last day counts whole: the period ends at the next day's 00:00 in Vietnam.
    const lastDay = formatVietnamTime(last.at, 'yyyy-MM-dd').split('-').map(Number) as [number, number, number];
    period = { from: from.at, to: vietnamInstant(lastDay[0], lastDay[1], lastDay[2] + 1) };
    const oneYearOn = vietnamInstant(
      Number(formatVietnamTime(from.at, 'yyyy')) + 1,
      Number(formatVietnamTime(from.at, 'MM')),
      Number(formatVietnamTime(from.at, 'dd')),
    );
    if (period.to.getTime() <= period.from.getTime() || period.to.getTime() > oneYearOn.getTime()) {
      console.error(`loa report: kỳ báo cáo từ ${values.from} đến ${values.to} không hợp lệ: ngày cuối phải sau ngày đầu, và kỳ báo cáo dài tối đa 12 tháng.`);
      return 2;
    }
    const periodYear = lastDay[0];
    if (values.year !== undefined && Number(values.year) !== periodYear) {
      console.error(`loa report: --year ${values.year} khác năm của ngày cuối kỳ báo cáo (${periodYear}); bỏ --year hoặc sửa lại.`);
      return 2;
    }
    values.year = String(periodYear);
  }
  const year = Number(values.year);
  if (!values.year || !Number.isInteger(year) || year < 2000 || year > 2100) {
    console.error(`loa report: hãy cho biết năm của báo cáo, ví dụ --year 2026.\n${USAGE}`);
    return 2;
  }
  const thisYear = vietnamYear(deps.now ?? new Date());
  if (year > thisYear) {
    console.error(`loa report: năm ${year} chưa tới (năm nay là ${thisYear}), nên chưa có số liệu. Hãy chọn năm ${thisYear} hoặc một năm trước đó.`);
    return 2;
  }
  let db = deps.db;
  let contentDir = deps.contentDir;
  let office = deps.office;
  if (!db || !contentDir || !office) {
    const config = loadConfig();
    db ??= openDb(join(config.dataDir, 'loa.sqlite'));
    contentDir ??= config.contentDir;
    office ??= config.bot.staff_contact?.name ?? config.bot.name;
  }
  try {
    const report = buildYearReport(
      db,
      year,
      { office, topics: loadContent(contentDir).topics, contests: loadContests(contentDir).contests, trainingGroups: loadTraining(contentDir).groups },
      deps.now ?? new Date(),
      undefined,
      period,
    );
    const out = resolve(values.out ?? '.');
    mkdirSync(out, { recursive: true });
    const csv = join(out, `bao-cao-${year}.csv`);
    const html = join(out, `bao-cao-${year}.html`);
    writeFileSync(csv, reportCsv(report));
    writeFileSync(html, reportHtml(report));
    recordAudit(db, { actor: 'cli', action: 'report.export', targetType: 'report', targetId: String(year), details: { out } });
    const span = period ? ` (kỳ báo cáo ${values.from} - ${values.to})` : '';
    console.log(`Đã lập báo cáo năm ${year}${span}:\n  ${csv}\n  ${html}`);
    const withOfficials = report.training.groups.filter((g) => g.officials > 0);
    const empty =
      report.reachedByChannel.every((c) => c.people === 0) &&
      report.campaigns.started === 0 &&
      report.questions.asked === 0 &&
      report.contests.length === 0 &&
      report.disinfo.cases === 0 &&
      withOfficials.length === 0;
    if (empty)
      console.log(
        `Lưu ý: năm ${year} không có số liệu nào trong cơ sở dữ liệu này (chưa có ai nhắn tin, chưa có chiến dịch, câu hỏi, cuộc thi, tin giả hay cán bộ tập huấn). Kiểm tra lại năm, hoặc LOA_DATA_DIR nếu số liệu nằm ở máy chủ khác.`,
      );
    const d = report.disinfo;
    const share = d.handledShare === null ? '' : ` = ${formatShare(d.handledShare)}`;
    console.log(
      `Tiếp cận ${report.reachedByChannel.reduce((a, c) => a + c.people, 0)} người · ${report.campaigns.started} chiến dịch · ` +
        `${report.questions.asked} câu hỏi (${report.questions.answered} trả lời được) · ${report.contests.length} cuộc thi · ` +
        `${d.cases} vụ việc tin giả (xử lý ${d.handled}/${d.foundFalse}${share}, ${disinfoAssessment(d)} ${HANDLED_TARGET * 100}%) · ` +
        `tập huấn cán bộ: ${withOfficials.filter((g) => g.met).length}/${withOfficials.length} nhóm đạt chỉ tiêu`,
    );
    return 0;
  } finally {
    if (!deps.db) db.close();
  }
}
