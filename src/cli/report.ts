/**
 * `loa report --year YYYY [--out DIR]` (or `--from DD/MM/YYYY --to DD/MM/YYYY`): the yearly
 * report for the office's plan, written as `bao-cao-YYYY.xlsx` (the one to open in Excel),
 * `bao-cao-YYYY.csv` (UTF-8 with BOM, for other programs: Excel in Vietnamese regional settings
 * splits a CSV on ';' and shows each row in one column) and `bao-cao-YYYY.html` (print it or
 * save as PDF from the browser); a period that is not a calendar year names its days instead
 * (`bao-cao-01-12-2025-den-30-11-2026.*`, `reportFileName`, as the admin's downloads are named).
 * `--region SLUG` makes one region's report (the region and those under it), as that region's
 * account makes it, named `bao-cao-YYYY-SLUG.*`. Without --out the files go to the current
 * directory. The year and period rules are
 * `chooseReportPeriod`'s, shared with the admin page.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openDb, type Db } from '../db/index.js';
import { loadContent } from '../knowledge/content.js';
import { loadContests } from '../quiz/definition.js';
import { loadTraining } from '../training/definition.js';
import {
  buildYearReport,
  chooseReportPeriod,
  disinfoAssessment,
  periodText,
  regionChoices,
  regionReportScope,
  reportCsv,
  reportFileName,
  reportHtml,
  reportXlsx,
  comparisonFiles,
  type ReportScope,
  type YearReport,
} from '../admin/report.js';
import type { Region } from '../knowledge/content.js';
import { HANDLED_TARGET } from '../db/disinfo.js';
import { formatShare } from '../training/format.js';
import { recordAudit } from '../db/audit.js';
import { argsErrorText } from './args.js';

export const USAGE =
  'Cách dùng: loa report --year NĂM [--out THƯ_MỤC]   (ví dụ: loa report --year 2026 --out bao-cao)\n' +
  '           ghi bao-cao-NĂM.xlsx (mở bằng Excel), bao-cao-NĂM.csv (cho phần mềm khác) và bao-cao-NĂM.html (bản in)\n' +
  '       loa report --from NGÀY --to NGÀY [--out THƯ_MỤC]   kỳ báo cáo khác năm dương lịch, tối đa 12 tháng,\n' +
  '           tính cả ngày cuối (ví dụ kế hoạch đòi báo cáo trước 30/11: loa report --from 01/12/2025 --to 30/11/2026,\n' +
  '           ghi bao-cao-01-12-2025-den-30-11-2026.xlsx, .csv và .html)\n' +
  '       thêm --region MÃ_XÃ: báo cáo của một xã/phường (mã trong content/regions.yaml), như tài khoản của xã đó lập,\n' +
  '           ghi bao-cao-NĂM-MÃ_XÃ.xlsx, .csv và .html (ví dụ: loa report --year 2026 --region son-nam)\n' +
  '       thêm --by-region: bảng so sánh, mỗi xã/phường một cột (cạnh cột toàn tỉnh, hoặc cạnh --region),\n' +
  '           ghi bao-cao-NĂM-theo-dia-ban.xlsx và .csv';

/** Runs `loa report`; returns the exit code. */
export async function run(args: string[], deps: { db?: Db; contentDir?: string; office?: string; now?: Date } = {}): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { year: { type: 'string' }, out: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, region: { type: 'string' }, 'by-region': { type: 'boolean' } } }));
  } catch (err) {
    console.error(`loa report: ${argsErrorText(err)}.\n${USAGE}`);
    return 2;
  }
  const choice = chooseReportPeriod({ year: values.year, from: values.from, to: values.to }, deps.now ?? new Date());
  if (!choice.ok) {
    console.error(`loa report: ${choice.error}${choice.missing ? `\n${USAGE}` : ''}`);
    return 2;
  }
  const { year, period } = choice;
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
    const content = loadContent(contentDir);
    let scope: ReportScope | undefined;
    if (values.region !== undefined) {
      scope = regionReportScope(content.regions, values.region.trim());
      if (!scope) {
        const known = regionChoices(content.regions).map((r) => r.slug);
        console.error(
          `loa report: không có địa bàn “${values.region}” trong content/regions.yaml. ` +
            (known.length ? `Các mã địa bàn: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}.` : 'Tệp chưa có địa bàn nào.'),
        );
        return 2;
      }
    }
    const names = { office, topics: content.topics, contests: loadContests(contentDir).contests, trainingGroups: loadTraining(contentDir).groups };
    const report = buildYearReport(db, year, names, deps.now ?? new Date(), scope, period);
    if (values['by-region']) return await compare(db, report, content.regions, names, deps.now ?? new Date(), scope, period, resolve(values.out ?? '.'));
    const out = resolve(values.out ?? '.');
    mkdirSync(out, { recursive: true });
    // A period names its days, as the admin's downloads do: two periods of one year must not
    // overwrite each other's files.
    const stem = reportFileName(report);
    const xlsx = join(out, `${stem}.xlsx`);
    const csv = join(out, `${stem}.csv`);
    const html = join(out, `${stem}.html`);
    writeFileSync(xlsx, await reportXlsx(report));
    writeFileSync(csv, reportCsv(report));
    writeFileSync(html, reportHtml(report));
    recordAudit(db, {
      actor: 'cli',
      action: 'report.export',
      targetType: 'report',
      targetId: String(year),
      details: { out, ...(period ? { period: periodText(report) } : {}), ...(report.region ? { region: report.region } : {}) },
    });
    const span = (period ? ` (kỳ báo cáo ${periodText(report)})` : '') + (report.region ? `, địa bàn ${report.region}` : '');
    console.log(
      `Đã lập báo cáo năm ${year}${span}:\n  ${xlsx}   (mở bằng Excel)\n  ${csv}   (cho phần mềm khác: Excel trên máy đặt vùng Việt Nam mở tệp CSV thành một cột)\n  ${html}   (bản in)`,
    );
    const withOfficials = report.training.groups.filter((g) => g.officials > 0);
    const empty =
      report.reachedByChannel.every((c) => c.people === 0) &&
      report.officialsReached.every((c) => c.people === 0) &&
      report.campaigns.started === 0 &&
      report.questions.asked === 0 &&
      report.contests.length === 0 &&
      report.disinfo.cases === 0 &&
      withOfficials.length === 0;
    if (empty)
      console.log(
        `Lưu ý: ${period ? `kỳ báo cáo ${periodText(report)}` : `năm ${year}`} không có số liệu nào trong cơ sở dữ liệu này (chưa có ai nhắn tin, chưa có chiến dịch, câu hỏi, cuộc thi, tin giả hay cán bộ tập huấn). Kiểm tra lại ${period ? 'kỳ báo cáo' : 'năm'}, hoặc LOA_DATA_DIR nếu số liệu nằm ở máy chủ khác.`,
      );
    const d = report.disinfo;
    const share = d.handledShare === null ? '' : ` = ${formatShare(d.handledShare, HANDLED_TARGET)}`;
    console.log(
      `Tiếp cận ${report.reachedByChannel.reduce((a, c) => a + c.people, 0)} người dân (không gồm ${report.officialsReached.reduce((a, c) => a + c.people, 0)} cán bộ trong danh sách tập huấn) · ${report.campaigns.started} chiến dịch · ` +
        `${report.questions.asked} câu hỏi (${report.questions.answered} trả lời được) · ${report.contests.length} cuộc thi · ` +
        `${d.cases} vụ việc tin giả (${d.handledShare === null ? disinfoAssessment(d) : `xử lý ${d.handled}/${d.foundFalse}${share}, ${disinfoAssessment(d)} ${HANDLED_TARGET * 100}%`}) · ` +
        (withOfficials.length === 0
          ? `tập huấn cán bộ: chưa có cán bộ nào trong danh sách (${report.training.groups.length} nhóm)`
          : `tập huấn cán bộ: ${withOfficials.filter((g) => g.met).length}/${withOfficials.length} nhóm đạt chỉ tiêu` +
            (report.training.groups.length > withOfficials.length ? ` (${report.training.groups.length - withOfficials.length} nhóm chưa có cán bộ trong danh sách)` : '')),
    );
    return 0;
  } finally {
    if (!deps.db) db.close();
  }
}

/**
 * `--by-region`: the report of every region at the bottom of the tree (the communes; under
 * `--region` when given) beside the report of the whole (or of that region), one column each,
 * written as `…-theo-dia-ban.xlsx` and `.csv`. Each commune's column is that commune's own report.
 */
async function compare(
  db: Db,
  whole: YearReport,
  tree: readonly Region[],
  names: Parameters<typeof buildYearReport>[2],
  now: Date,
  scope: ReportScope | undefined,
  period: { from: Date; to: Date } | undefined,
  out: string,
): Promise<number> {
  const leaves: Region[] = [];
  const walk = (nodes: readonly Region[]): void => {
    for (const n of nodes) if (n.children?.length) walk(n.children);
    else leaves.push(n);
  };
  const top = scope?.slug ? findRegion(tree, scope.slug) : undefined;
  walk(top ? [top] : tree);
  if (leaves.length === 0) {
    console.error('loa report: content/regions.yaml chưa có xã/phường nào để so sánh (--by-region).');
    return 2;
  }
  console.log(`Đang lập báo cáo của ${leaves.length} xã/phường…`);
  const reports = [whole, ...leaves.map((l) => buildYearReport(db, whole.year, names, now, regionReportScope(tree, l.slug), period))];
  const { xlsx, csv } = await comparisonFiles(reports);
  mkdirSync(out, { recursive: true });
  const stem = `${reportFileName(whole)}-theo-dia-ban`;
  writeFileSync(join(out, `${stem}.xlsx`), xlsx);
  writeFileSync(join(out, `${stem}.csv`), csv);
  recordAudit(db, {
    actor: 'cli',
    action: 'report.export',
    targetType: 'report',
    targetId: String(whole.year),
    details: { out, period: periodText(whole), regions: leaves.map((l) => l.slug), ...(whole.region ? { region: whole.region } : {}) },
  });
  console.log(
    `Đã lập bảng so sánh ${leaves.length} xã/phường${whole.region ? ` của ${whole.region}` : ''}, kỳ ${periodText(whole)}:\n  ${join(out, `${stem}.xlsx`)}   (mở bằng Excel)\n  ${join(out, `${stem}.csv`)}\n` +
      'Cộng các cột xã/phường không bằng cột đầu: người chưa chọn địa bàn chỉ có ở cột đầu, một chiến dịch gửi tới nhiều xã được tính ở mỗi xã.',
  );
  return 0;
}

function findRegion(nodes: readonly Region[], slug: string): Region | undefined {
  for (const n of nodes) {
    if (n.slug === slug) return n;
    const inner = n.children && findRegion(n.children, slug);
    if (inner) return inner;
  }
  return undefined;
}
