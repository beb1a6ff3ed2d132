/**
 * `loa training`: officials' training counted by the plan's target groups (issue 17, item 3).
 *
 *   loa training import FILE.csv [--include-removed] [--date dd/mm/yyyy]
 *                                    the officials to be trained; columns
 *                                    name,unit,group,region,channel,external_id (',' or all ';';
 *                                    or the Vietnamese headings, see training/import.ts),
 *                                    all or nothing: one bad row and nothing is written, every
 *                                    problem listed by line; officials staff took off the list
 *                                    stay off (said, by line) unless --include-removed
 *   loa training coverage [--json]   per group and unit: target share, officials, trained, share;
 *                                    with --json { groups, totals } (totals: each official once)
 *   loa training remove CHANNEL ID [--date dd/mm/yyyy]
 *                                    takes an official off the list from that day (left the post;
 *                                    a past day when staff learn of it late), audited
 *
 * Messages are for staff, so they are Vietnamese. The groups and trainings are in
 * content/training.yaml; docs/training.md explains both to staff.
 */
import { decodeTextFile, notUtf8CsvMessage } from '../text/encoding.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type Config } from '../config.js';
import { openDb, type Db } from '../db/index.js';
import { recordAudit } from '../db/audit.js';
import { coverageTotals, importOfficials, listOfficials, officialByAccount, removedOfficials, trainingCoverage, type CoverageTotals, type GroupCoverage } from '../db/training.js';
import { formatVietnamTime, parseStaffDate } from '../time/vietnam.js';
import { parseArgs } from 'node:util';
import { argsErrorText } from './args.js';
import { flattenRegions, formatContentErrors, loadContent } from '../knowledge/content.js';
import { loadTraining } from '../training/definition.js';
import { importSummary, leftOfficials, leftOfficialsWarning, readImportDate, readOfficialsCsv, sameOfficialElsewhere, sameOfficialWarning, sameUnitSpelling, sameUnitSpellingNote } from '../training/import.js';
import { formatShare } from '../training/format.js';
import { removeFromList } from '../training/remove.js';
import { recordInPerson } from '../training/in-person.js';

export const USAGE = `cách dùng:
  loa training import TỆP.csv [--include-removed] [--date dd/mm/yyyy]
                                    nhập danh sách cán bộ cần tập huấn; cán bộ đã đưa ra khỏi danh sách
                                    không được nhập lại, trừ khi có --include-removed (đã trở lại diện tập huấn);
                                    --date: cán bộ mới, đổi đơn vị, đổi nhóm được tính từ ngày đó (biết muộn
                                    việc chuyển đơn vị), mặc định từ lúc nhập
      cột (đúng thứ tự, dòng đầu là tên cột): name,unit,group,region,channel,external_id
      hoặc: Họ và tên,Đơn vị,Nhóm đối tượng,Địa bàn,Kênh,Mã tài khoản
      group: mã hoặc tên nhóm đối tượng trong content/training.yaml; region: mã hoặc tên xã/phường (có thể để trống)
      cán bộ thuộc hai nhóm: hai dòng cùng họ tên, địa bàn, tài khoản, mỗi dòng một nhóm (tính ở cả hai nhóm)
      đổi đơn vị, nhóm: được tính theo đơn vị, nhóm mới từ lúc nhập (hoặc từ --date); số liệu trước đó giữ nguyên
      channel: telegram, zalo (Zalo OA) hoặc zalo-bot; external_id: mã tài khoản của cán bộ trên kênh đó
  loa training coverage [--json]    tỉ lệ cán bộ đã tập huấn theo nhóm và đơn vị, so với chỉ tiêu
  loa training remove KÊNH MÃ_TÀI_KHOẢN [--date dd/mm/yyyy]
                                    đưa cán bộ ra khỏi danh sách (chuyển công tác, nghỉ) từ ngày đó
                                    (mặc định hôm nay); không còn được tính từ ngày đó
  loa training trained KÊNH MÃ_TÀI_KHOẢN --date dd/mm/yyyy --note "…"
                                    ghi nhận cán bộ đã tập huấn trực tiếp (hội nghị, lớp học) ngày đó,
                                    tính như đã đạt bài kiểm tra; --note ghi buổi tập huấn (bắt buộc)`;

/** Test hooks. */
export interface TrainingCliDeps {
  db?: Db;
  config?: Pick<Config, 'dataDir' | 'contentDir'>;
  out?: (s: string) => void;
  err?: (s: string) => void;
  now?: Date;
}

/**
 * Coverage as lines of text for the terminal; with `totals`, a last line of the officials counted
 * once each when some count in two groups (the groups then add up to more than the people).
 */
export function coverageText(groups: GroupCoverage[], totals?: CoverageTotals): string {
  if (groups.every((g) => g.officials === 0)) return 'Chưa có cán bộ nào trong danh sách. Nhập danh sách bằng: loa training import TỆP.csv';
  const lines: string[] = [];
  for (const g of groups) {
    const state = g.officials === 0 ? 'chưa có cán bộ' : g.met ? 'đạt chỉ tiêu' : 'chưa đạt chỉ tiêu';
    lines.push(`${g.name} (${g.groupId}): chỉ tiêu ${formatShare(g.target)}; đã tập huấn ${g.trained}/${g.officials} = ${formatShare(g.share, g.target)}; ${state}`);
    for (const u of g.units) lines.push(`  ${u.unit}: ${u.trained}/${u.officials} = ${formatShare(u.share, g.target)}`);
  }
  if (totals?.inSeveralGroups)
    lines.push(
      `Số cán bộ khác nhau: ${totals.officials}, đã tập huấn ${totals.trained}; ${totals.inSeveralGroups} người thuộc từ hai nhóm trở lên được tính ở mỗi nhóm, nên cộng các nhóm lại thì nhiều hơn.`,
    );
  return lines.join('\n');
}

/** Runs `loa training …`; returns the exit code. */
export async function run(args: string[], deps: TrainingCliDeps = {}): Promise<number> {
  const out = deps.out ?? ((s: string) => console.log(s));
  const err = deps.err ?? ((s: string) => console.error(s));
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === 'help') {
    out(USAGE);
    return sub ? 0 : 2;
  }
  if (sub !== 'import' && sub !== 'coverage' && sub !== 'remove' && sub !== 'trained') {
    err(`training: không có lệnh '${sub}'\n${USAGE}`);
    return 2;
  }
  const config = deps.config ?? loadConfig();
  const training = loadTraining(config.contentDir);
  if (training.errors.length) {
    err(`training: content/training.yaml có lỗi; sửa rồi chạy lại:\n${formatContentErrors(training.errors)}`);
    return 1;
  }
  const db = deps.db ?? openDb(join(config.dataDir, 'loa.sqlite'));
  try {
    if (sub === 'import') {
      let parsed;
      try {
        parsed = parseArgs({ args: rest, allowPositionals: true, options: { 'include-removed': { type: 'boolean' }, date: { type: 'string' } } });
      } catch (e) {
        err(`training: ${argsErrorText(e)}\n${USAGE}`);
        return 2;
      }
      const bringBack = parsed.values['include-removed'] === true;
      const args = parsed.positionals;
      const file = args[0];
      if (args.length > 1) {
        err(`training: tham số không hợp lệ: ${args.slice(1).join(' ')}\n${USAGE}`);
        return 2;
      }
      if (!file) {
        err(`training: hãy cho biết tệp CSV cần nhập\n${USAGE}`);
        return 2;
      }
      const now = deps.now ?? new Date();
      // A move staff learn of late: the file's changes count from that day (never a day to come).
      const date = readImportDate(parsed.values.date, now, { field: '--date', blank: 'bỏ --date' });
      if (!date.ok) {
        err(`training: ${date.error}`);
        return 2;
      }
      const from = date.from;
      let text: string;
      try {
        const decoded = decodeTextFile(readFileSync(file));
        if (!decoded.ok) {
          err(`training: ${file}: ${notUtf8CsvMessage(decoded.line)}`);
          return 1;
        }
        text = decoded.text;
      } catch {
        err(`training: không đọc được tệp ${file}: kiểm tra đường dẫn và quyền đọc`);
        return 1;
      }
      if (training.groups.length === 0) {
        err('training: chưa có nhóm đối tượng nào: thêm các nhóm vào content/training.yaml (xem docs/training.md)');
        return 1;
      }
      const content = loadContent(config.contentDir);
      const { rows, lines, problems } = readOfficialsCsv(text, {
        groups: new Map(training.groups.map((g) => [g.id, g.name])),
        regions: flattenRegions(content.regions),
      });
      if (problems.length) {
        err(`training: ${file}: chưa nhập ai; sửa các lỗi sau rồi chạy lại:\n${problems.map((p) => `  ${p}`).join('\n')}`);
        return 1;
      }
      const day = (iso: string): string => formatVietnamTime(new Date(iso), 'dd/MM/yyyy');
      const onList = listOfficials(db);
      const kept = leftOfficials(rows, lines, removedOfficials(db), bringBack);
      const units = sameUnitSpelling(kept.rows, kept.lines, onList);
      const same = sameOfficialElsewhere(units.rows, kept.lines, onList);
      const res = importOfficials(db, units.rows, now, from);
      const since = date.since;
      recordAudit(
        db,
        { actor: 'cli', action: 'training.import', details: { file, rows: kept.rows.length, ...res, left: kept.left.length, broughtBack: kept.broughtBack, ...(since ? { from: since } : {}) } },
        deps.now,
      );
      out(importSummary(res, kept.broughtBack, since));
      if (units.rewritten.length) out(sameUnitSpellingNote(units.rewritten));
      if (kept.left.length) out(`Lưu ý: ${leftOfficialsWarning(kept.left, 'cli', day)}`);
      if (same.length)
        out(
          `Lưu ý: ${same.length} cán bộ trong tệp đã có trong danh sách với tài khoản khác:\n${same
            .map((x) => `  ${sameOfficialWarning(x, 'cli', day)}`)
            .join('\n')}`,
        );
      return 0;
    }
    if (sub === 'remove') return removeCommand(db, rest, { out, err, now: deps.now ?? new Date() });
    if (sub === 'trained') return trainedCommand(db, rest, { out, err, now: deps.now ?? new Date() });
    const json = rest.includes('--json');
    const unknown = rest.filter((a) => a !== '--json');
    if (unknown.length) {
      err(`training: tham số không hợp lệ: ${unknown.join(' ')}\n${USAGE}`);
      return 2;
    }
    const cov = trainingCoverage(db, training.groups);
    const totals = coverageTotals(db);
    if (json)
      out(
        JSON.stringify(
          {
            groups: cov.map((g) => ({
              group: g.groupId,
              name: g.name,
              target: g.target,
              officials: g.officials,
              trained: g.trained,
              share: g.share,
              met: g.met,
              units: g.units,
            })),
            // Each official once, over every group: the groups add up to more when one counts in
            // two (`inSeveralGroups`); a program must not sum the groups for the number of people.
            totals: {
              officials: totals.officials,
              trained: totals.trained,
              share: totals.officials ? totals.trained / totals.officials : null,
              inSeveralGroups: totals.inSeveralGroups,
            },
          },
          null,
          2,
        ),
      );
    else out(coverageText(cov, totals));
    return 0;
  } finally {
    if (!deps.db) db.close();
  }
}

/** `loa training trained CHANNEL ID --date dd/mm/yyyy --note "…"`: trained in person. */
function trainedCommand(db: Db, args: string[], io: { out: (s: string) => void; err: (s: string) => void; now: Date }): number {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { date: { type: 'string' }, note: { type: 'string' } } });
  } catch (e) {
    io.err(`training: ${argsErrorText(e)}\n${USAGE}`);
    return 2;
  }
  const [channel, externalId, ...extra] = parsed.positionals;
  const note = parsed.values.note?.trim();
  if (!channel || !externalId || extra.length || !parsed.values.date || !note) {
    io.err(
      `training: hãy cho biết kênh, mã tài khoản, ngày và buổi tập huấn, ví dụ: loa training trained telegram 9301 --date 15/10/2026 --note "Hội nghị tập huấn Đề án 1079, Sở Tư pháp"\n${USAGE}`,
    );
    return 2;
  }
  const o = officialByAccount(db, channel, externalId);
  if (!o) {
    io.err(`training: không có cán bộ nào còn trong danh sách với tài khoản ${channel} ${externalId}; nhập danh sách trước bằng loa training import`);
    return 1;
  }
  const r = recordInPerson(db, o, parsed.values.date, note, io.now);
  if (!r.ok) {
    io.err(`training: ${r.error}`);
    return 2;
  }
  if (r.changed)
    recordAudit(
      db,
      { actor: 'cli', action: 'training.in_person', targetType: 'training_official', targetId: String(o.id), details: { group: o.groupId, unit: o.unit, date: r.day, note: r.note } },
      io.now,
    );
  io.out(r.message);
  return 0;
}

/** `loa training remove CHANNEL ID [--date dd/mm/yyyy]`. */
function removeCommand(db: Db, args: string[], io: { out: (s: string) => void; err: (s: string) => void; now: Date }): number {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { date: { type: 'string' } } });
  } catch (e) {
    io.err(`training: ${argsErrorText(e)}\n${USAGE}`);
    return 2;
  }
  const [channel, externalId, ...extra] = parsed.positionals;
  if (!channel || !externalId || extra.length) {
    io.err(`training: hãy cho biết kênh và mã tài khoản của cán bộ, ví dụ: loa training remove telegram 9301 --date 01/07/2025\n${USAGE}`);
    return 2;
  }
  const o = officialByAccount(db, channel, externalId);
  if (!o) {
    io.err(`training: không có cán bộ nào còn trong danh sách với tài khoản ${channel} ${externalId}`);
    return 1;
  }
  const r = removeFromList(db, o, parsed.values.date, io.now, '--date');
  if (!r.ok) {
    io.err(`training: ${r.error}`);
    return 2;
  }
  const leftAt = r.leftAt;
  recordAudit(db, { actor: 'cli', action: 'training.remove', targetType: 'training_official', targetId: String(o.id), details: { group: o.groupId, unit: o.unit, leftAt: leftAt.toISOString() } }, io.now);
  io.out(r.message);
  return 0;
}
