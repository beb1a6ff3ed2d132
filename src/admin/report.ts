/**
 * The yearly report the office files under its communication plan (results due 30/11): people
 * reached by channel, campaigns and deliveries, questions answered and unanswered with the top
 * topics, contests with participants and average scores. The same figures go to an Excel
 * workbook (.xlsx: what staff open), a CSV file (UTF-8 with BOM, for other programs) and a
 * printable HTML page, from the admin page and from `loa report`.
 *
 * The year is a calendar year in Vietnam time (Asia/Ho_Chi_Minh, UTC+7), or a reporting period
 * of at most 12 months (15/12 to 14/12, 01/12 to 30/11) chosen with {@link chooseReportPeriod},
 * the one place that reads what staff typed, for the CLI and the admin page alike.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Db } from '../db/index.js';
import { yearFigures, type YearFigures } from '../db/admin.js';
import { trainingTestContests } from '../db/reach.js';
import { CASE_OUTCOMES, CASE_STATUSES, HANDLED_TARGET, disinfoFigures, disinfoMonthly, type DisinfoBreakdown, type DisinfoFigures } from '../db/disinfo.js';
import { CASE_OUTCOME_LABEL, CASE_STATUS_LABEL, platformLabel } from './disinfo.js';
import { PLATFORMS } from '../conversation/disinfo.js';
import { toCsv } from '../text/csv.js';
import { toXlsx, type XlsxValue } from '../text/xlsx.js';
import { coverageTotals, officialsQuestions, officialsReached, trainingCoverage, type CoverageTotals, type GroupCoverage, type OfficialsReached } from '../db/training.js';
import type { TrainingGroup } from '../training/definition.js';
import { sharePercent } from '../training/format.js';
import { formatVietnamTime, parseStaffDate, vietnamInstant, vietnamYear } from '../time/vietnam.js';
import { formatDateTime, formatNumber, round1 } from './format.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The report: figures plus the names needed to print them. */
export interface YearReport extends YearFigures {
  year: number;
  from: string;
  to: string;
  generatedAt: string;
  office: string;
  /** The region the figures are limited to (region-scoped staff), by name; absent = every region. */
  region?: string;
  /** That region's slug (files are named by it: a province receives one file per commune). */
  regionSlug?: string;
  topicNames: Record<string, string>;
  contestTitles: Record<string, string>;
  /** Reported disinformation: cases first reported this year (`db/disinfo.ts`). */
  disinfo: DisinfoFigures;
  /** The same cases per calendar month of the period, keyed "yyyy-mm" (`disinfoMonthly`). */
  disinfoMonthly: DisinfoBreakdown<string>[];
  /** Names of the places disinformation was seen, by id (`''` for "not given"). */
  platformNames: Record<string, string>;
  /** Officials' training against the plan's targets (`db/training.ts`, `content/training.yaml`). */
  training: TrainingFigures;
  /**
   * Officials of the training list among the people the bot reached in the period, per channel
   * (`officialsReached`): not in `reachedByChannel`, which counts the citizens reached (the same
   * rule splits the two, `db/reach.ts`), and reported on their own line.
   */
  officialsReached: OfficialsReached[];
  /**
   * The questions officials of the training list asked (`officialsQuestions`): not in
   * `questions`, `questionsByChannel`, `topTopics` and `unansweredResolved`, which count the
   * citizens' (section 3 is "the citizens' questions"), and reported on their own line.
   */
  officialsQuestions: { asked: number; answered: number; unanswered: number };
}

/** The training section: coverage per group and unit as it stood at the end of the year. */
export interface TrainingFigures {
  /** When the coverage was taken: the year's end, or the report's time for the current year. */
  at: string;
  groups: GroupCoverage[];
  /** Officials first trained during the year, per group id. */
  trainedInYear: Record<string, number>;
  /** The same officials counted once each (one in two groups is in both groups' figures). */
  totals: CoverageTotals;
  /** The plan's targets in its own words, joined ("100% cán bộ …, 70% cán bộ chủ chốt …"). */
  plan: string;
}

/** The plan's wording after the list of groups. */
export const TRAINING_PLAN_TAIL =
  'được cập nhật thông tin tình hình công tác quyền con người ở Việt Nam, tập huấn kiến thức, kỹ năng truyền thông về quyền con người';

/** The region a report is limited to: its subtree's slugs, its name, and its own slug. */
export interface ReportScope {
  regions: readonly string[];
  name: string;
  slug?: string;
}

/** A region of `content/regions.yaml` (a tree of any depth). */
interface RegionNode {
  slug: string;
  name: string;
  children?: RegionNode[];
}

/**
 * The report scope of the region `slug` of the tree (the region and every region under it, as a
 * region-scoped account sees), or undefined when the tree has no such region.
 *
 * @example regionReportScope(regions, 'son-nam') // { regions: ['son-nam'], name: 'Xã Sơn Nam', slug: 'son-nam' }
 */
export function regionReportScope(tree: readonly RegionNode[], slug: string): ReportScope | undefined {
  const find = (nodes: readonly RegionNode[]): RegionNode | undefined => {
    for (const n of nodes) {
      if (n.slug === slug) return n;
      const inner = n.children && find(n.children);
      if (inner) return inner;
    }
    return undefined;
  };
  const node = find(tree);
  if (!node) return undefined;
  const regions: string[] = [];
  const walk = (n: RegionNode): void => {
    regions.push(n.slug);
    for (const c of n.children ?? []) walk(c);
  };
  walk(node);
  return { regions, name: node.name, slug: node.slug };
}

/** Every region of the tree in order, with its depth (0 for the top), for a choice list. */
export function regionChoices(tree: readonly RegionNode[]): { slug: string; name: string; depth: number }[] {
  const out: { slug: string; name: string; depth: number }[] = [];
  const walk = (nodes: readonly RegionNode[], depth: number): void => {
    for (const n of nodes) {
      out.push({ slug: n.slug, name: n.name, depth });
      walk(n.children ?? [], depth + 1);
    }
  };
  walk(tree, 0);
  return out;
}

/** [1/1 00:00, next 1/1 00:00) of `year` in Vietnam time, as instants. */
export function yearBounds(year: number): { from: Date; to: Date } {
  return { from: vietnamInstant(year, 1, 1), to: vietnamInstant(year + 1, 1, 1) };
}

/**
 * Builds the report of `year` from the database. With `scope` (a region-scoped staff member's
 * region subtree), the figures count only people of those regions (see `yearFigures`).
 */
export function buildYearReport(
  db: Db,
  year: number,
  names: {
    office: string;
    topics: { slug: string; name: string }[];
    /** `listed: false` marks an officials' training test: counted in section 6, not as a contest. */
    contests: { id: string; title: string; listed?: boolean }[];
    /** The plan's target groups (`content/training.yaml`); none: the training section is empty. */
    trainingGroups?: readonly TrainingGroup[];
  },
  now: Date = new Date(),
  scope?: ReportScope,
  /**
   * Another reporting period than the calendar year `year` (e.g. 01/12 of the year before to
   * 30/11, when the plan asks for results before 30/11): [from, to), at most 12 months, ending
   * in `year`.
   */
  period?: { from: Date; to: Date },
): YearReport {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new Error(`report: '${year}' is not a year; use e.g. --year 2026`);
  const { from, to } = period ?? yearBounds(year);
  if (period) {
    const oneYearOn = vietnamInstant(Number(formatVietnamTime(from, 'yyyy')) + 1, Number(formatVietnamTime(from, 'MM')), Number(formatVietnamTime(from, 'dd')));
    if (!(from.getTime() < to.getTime()) || to.getTime() > oneYearOn.getTime()) throw new Error('report: the period must start before it ends and last at most 12 months');
  }
  // The citizens' figures (sections 1 and 3); the officials of the training list among the same
  // people, by the same rule (db/reach.ts), on their own rows.
  const figures = yearFigures(db, from, to, scope?.regions ?? null, 'citizens');
  const tests = new Set([...names.contests.filter((c) => c.listed === false).map((c) => c.id), ...trainingTestContests(db)]);
  return {
    ...figures,
    officialsReached: officialsReached(db, from, to, scope?.regions ?? null),
    officialsQuestions: officialsQuestions(db, from, to, scope?.regions ?? null),
    contests: figures.contests.filter((c) => !tests.has(c.contestId)),
    disinfo: disinfoFigures(db, from, to, scope?.regions ?? null),
    disinfoMonthly: disinfoMonthly(db, from, to, scope?.regions ?? null),
    training: trainingFigures(db, names.trainingGroups ?? [], from, to, now, scope?.regions ?? null),
    year,
    from: from.toISOString(),
    to: to.toISOString(),
    generatedAt: now.toISOString(),
    office: names.office,
    ...(scope ? { region: scope.name, ...(scope.slug ? { regionSlug: scope.slug } : {}) } : {}),
    topicNames: Object.fromEntries(names.topics.map((t) => [t.slug, t.name])),
    contestTitles: Object.fromEntries(names.contests.map((c) => [c.id, c.title])),
    platformNames: { '': platformLabel(null), ...Object.fromEntries(PLATFORMS.map((p) => [p.id, p.label])) },
  };
}

function trainingFigures(db: Db, groups: readonly TrainingGroup[], from: Date, to: Date, now: Date, scope: readonly string[] | null): TrainingFigures {
  const yearOver = now.getTime() >= to.getTime();
  const at = yearOver ? to : now;
  // `at` is exclusive: a year's coverage stops before 00:00:00.000 on 1/1 (a pass at that
  // instant belongs to the next year); the current year's includes a pass at this very moment.
  // The officials counted are those of each group and unit at that instant (memberships, so a
  // move or a removal after the period does not change it).
  const opts = { scope, at: yearOver ? to : new Date(now.getTime() + 1), since: from };
  const coverage = trainingCoverage(db, groups, opts);
  return {
    at: at.toISOString(),
    groups: coverage,
    trainedInYear: Object.fromEntries(coverage.map((g) => [g.groupId, g.trainedSince])),
    totals: coverageTotals(db, opts),
    plan: groups.length ? `${groups.map((g) => g.plan ?? `${g.target}% ${g.name.charAt(0).toLowerCase()}${g.name.slice(1)}`).join(', ')} ${TRAINING_PLAN_TAIL}.` : '',
  };
}

/**
 * The row of officials of the training list the bot reached (they wrote to it, mostly to take
 * their training, or got a campaign message): the plan's "reached" is citizens, so they are
 * not in the rows above it, and the label says so.
 */
export const OFFICIALS_REACHED_LABEL = 'Cán bộ trong danh sách tập huấn đã nhắn bot hoặc nhận tin (không tính vào số người dân được tiếp cận)';

/**
 * Section 3 counts the citizens' questions; officials of the training list ask too (while they
 * take their training, often to try the bot). Theirs are not in its figures (as in section 1,
 * by the same rule) and are given on this row, so nothing is counted twice or lost.
 */
export const OFFICIALS_QUESTIONS_LABEL = 'Câu hỏi của cán bộ trong danh sách tập huấn (không tính vào số câu hỏi của người dân)';

/** Vietnamese labels of delivery statuses. */
export const DELIVERY_LABELS: Record<string, string> = {
  sent: 'Đã gửi',
  failed: 'Lỗi',
  gone: 'Người nhận đã chặn/rời',
  outside_window: 'Quá 7 ngày tương tác (Zalo)',
  opted_out: 'Đã huỷ đăng ký',
  cancelled: 'Đã huỷ',
  unknown: 'Chưa rõ (gián đoạn)',
  pending: 'Chờ gửi',
  sending: 'Đang gửi',
};

/** Channels as the report names them (the ids are the code's). */
export const REPORT_CHANNEL_LABELS: Record<string, string> = {
  telegram: 'Telegram',
  zalo: 'Zalo OA',
  'zalo-bot': 'Zalo Bot',
  web: 'Web chat',
};

/** A channel id as the report writes it. */
export function channelLabel(channel: string): string {
  return REPORT_CHANNEL_LABELS[channel] ?? channel;
}

/** The report's first day, "01/01/2026". */
function firstDay(r: YearReport): string {
  return formatVietnamTime(new Date(r.from), 'dd/MM/yyyy');
}

/** The report's last day, "31/12/2026" (the day before its exclusive end). */
function lastDay(r: YearReport): string {
  return formatVietnamTime(new Date(Date.parse(r.to) - 1), 'dd/MM/yyyy');
}

/** Whether the report runs over the calendar year (else a period such as 01/12 to 30/11). */
function calendarYear(r: YearReport): boolean {
  const { from, to } = yearBounds(r.year);
  return r.from === from.toISOString() && r.to === to.toISOString();
}

/**
 * A month of the disinformation breakdown as staff read it: "tháng 4" in a calendar year,
 * "tháng 12/2025" in a period over two years; the months in the period's order.
 */
export function disinfoMonths(r: YearReport): { label: string; m: DisinfoBreakdown<string> }[] {
  const startMonth = Number(formatVietnamTime(new Date(r.from), 'MM'));
  const startYear = Number(formatVietnamTime(new Date(r.from), 'yyyy'));
  const byKey = new Map(r.disinfoMonthly.map((m) => [m.key, m]));
  const calendar = calendarYear(r);
  const out: { label: string; m: DisinfoBreakdown<string> }[] = [];
  // Every month the period touches: 12 from a 1st, 13 from another day (15/12 to 14/12).
  for (let i = 0; i < 13; i++) {
    const month = ((startMonth - 1 + i) % 12) + 1;
    const year = startYear + Math.floor((startMonth - 1 + i) / 12);
    if (vietnamInstant(year, month, 1).getTime() >= Date.parse(r.to)) break;
    const key = `${year}-${String(month).padStart(2, '0')}`;
    out.push({ label: calendar ? `tháng ${month}` : `tháng ${month}/${year}`, m: byKey.get(key) ?? { key, cases: 0, foundFalse: 0, handled: 0 } });
  }
  return out;
}

/**
 * Until when the figures run: "hết 31/12/2026" once the year is over, else the moment the report
 * was made ("10:30 25/11/2026"): the plan asks for results before the year ends.
 */
export function figuresUntil(r: YearReport): string {
  return Date.parse(r.generatedAt) >= Date.parse(r.to) ? `hết ${lastDay(r)}` : formatDateTime(r.generatedAt);
}

/** How the plan's 90% disinformation target stands (a share of the cases found false). */
export function disinfoAssessment(d: DisinfoFigures): string {
  if (d.handledShare === null) return 'chưa có vụ việc xác định là tin giả';
  return d.handledShare >= HANDLED_TARGET - 1e-9 ? 'đạt chỉ tiêu' : 'chưa đạt chỉ tiêu';
}

/** The plan's disinformation target in its own words (the seeds: Thái Bình, Gia Lai plans). */
export const DISINFO_PLAN = 'Phát hiện, xử lý 90% tin giả, tin xấu độc xâm hại quyền con người trên không gian mạng.';

/**
 * The row of reporters summed over the cases (`disinfo_cases.reporter_count`): a person who
 * reported two cases is counted in each, so the row says "lượt" (times), not people.
 */
export const REPORTERS_LABEL = 'Lượt người báo tin (một người báo nhiều vụ việc được tính ở mỗi vụ việc)';

/** Cases still without a conclusion (new, being checked): not in the 90% share either way. */
export function disinfoUndecided(d: DisinfoFigures): number {
  return d.byStatus.new + d.byStatus.checking;
}

/**
 * The report as rows: section, indicator, group, value (the header first). A value is a number,
 * text, or (when the report was made) an instant; {@link reportCsv} and {@link reportXlsx} write
 * the same rows.
 */
export function reportRows(r: YearReport): XlsxValue[][] {
  const rows: XlsxValue[][] = [['Mục', 'Chỉ tiêu', 'Nhóm', 'Giá trị']];
  const add = (section: string, indicator: string, group: string, value: XlsxValue): void => {
    rows.push([section, indicator, group, value]);
  };
  const s0 = '0. Thông tin chung';
  add(s0, 'Cơ quan báo cáo', 'tất cả', r.office);
  add(s0, 'Kỳ báo cáo', 'tất cả', `${firstDay(r)} - ${lastDay(r)}`);
  // Before the period's end the figures run to the moment the report was made: a time, which the
  // workbook shows as a date cell (the CSV writes it as figuresUntil does).
  add(s0, 'Số liệu tính đến', 'tất cả', Date.parse(r.generatedAt) >= Date.parse(r.to) ? figuresUntil(r) : new Date(r.generatedAt));
  add(s0, 'Lập lúc', 'tất cả', new Date(r.generatedAt));
  if (r.region) add('0. Phạm vi', 'Địa bàn', r.region, null);
  const s1 = '1. Người dân được tiếp cận';
  for (const c of r.reachedByChannel) {
    add(s1, 'Số người dân được tiếp cận', channelLabel(c.channel), c.people);
    add(s1, 'Trong đó: đã hỏi/nhắn bot', channelLabel(c.channel), c.wrote);
    add(s1, 'Trong đó: đã nhận tin chiến dịch', channelLabel(c.channel), c.received);
  }
  add(s1, 'Tổng số người dân được tiếp cận', 'tất cả', r.reachedByChannel.reduce((a, c) => a + c.people, 0));
  add(s1, OFFICIALS_REACHED_LABEL, 'tất cả', r.officialsReached.reduce((a, c) => a + c.people, 0));
  for (const c of r.newSubscribersByChannel) add(s1, 'Người đăng ký mới', channelLabel(c.channel), c.n);
  add(s1, calendarYear(r) ? 'Người đăng ký nhận tin cuối năm' : 'Người đăng ký nhận tin cuối kỳ', 'tất cả', r.subscribersAtEnd);
  const s2 = '2. Chiến dịch và lượt gửi';
  add(s2, 'Chiến dịch đã bắt đầu gửi', 'tất cả', r.campaigns.started);
  add(s2, 'Chiến dịch gửi xong', 'tất cả', r.campaigns.done);
  add(s2, 'Chiến dịch bị huỷ', 'tất cả', r.campaigns.cancelled);
  for (const d of r.deliveriesByStatus) add(s2, 'Lượt gửi', DELIVERY_LABELS[d.status] ?? d.status, d.n);
  const s3 = '3. Câu hỏi của người dân';
  add(s3, 'Câu hỏi đã nhận', 'tất cả', r.questions.asked);
  add(s3, 'Bot trả lời được', 'tất cả', r.questions.answered);
  add(s3, 'Bot chưa trả lời được', 'tất cả', r.questions.unanswered);
  add(s3, OFFICIALS_QUESTIONS_LABEL, 'tất cả', r.officialsQuestions.asked);
  for (const c of r.questionsByChannel) {
    add(s3, 'Câu hỏi đã nhận', channelLabel(c.channel), c.asked);
    add(s3, 'Bot trả lời được', channelLabel(c.channel), c.answered);
    add(s3, 'Bot chưa trả lời được', channelLabel(c.channel), c.asked - c.answered);
  }
  add(s3, 'Câu chưa trả lời: cán bộ đã trả lời', 'tất cả', r.unansweredResolved.answered);
  add(s3, 'Câu chưa trả lời: bỏ qua', 'tất cả', r.unansweredResolved.dismissed);
  add(s3, 'Câu chưa trả lời: còn chờ', 'tất cả', r.unansweredResolved.open);
  // Answers the person said were wrong: the bot answered them, so they are not in the rows above.
  add(s3, 'Câu bot đã trả lời, người hỏi cho là chưa đúng: cán bộ đã trả lời lại', 'tất cả', r.maybeWrong.answered);
  add(s3, 'Câu bot đã trả lời, người hỏi cho là chưa đúng: bỏ qua', 'tất cả', r.maybeWrong.dismissed);
  add(s3, 'Câu bot đã trả lời, người hỏi cho là chưa đúng: còn chờ', 'tất cả', r.maybeWrong.open);
  for (const t of r.topTopics) add(s3, 'Chủ đề được hỏi nhiều', r.topicNames[t.topic] ?? t.topic, t.n);
  const s4 = '4. Cuộc thi';
  for (const c of r.contests) {
    const title = r.contestTitles[c.contestId] ?? c.contestId;
    add(s4, 'Người tham gia', title, c.participants);
    add(s4, 'Lượt thi', title, c.attempts);
    add(s4, 'Điểm trung bình', title, c.averageScore === null ? null : round1(c.averageScore));
    add(s4, 'Số câu đúng trung bình', title, c.averageCorrect === null ? null : round1(c.averageCorrect));
  }
  const s5 = '5. Tin giả, tin xấu độc do người dân báo';
  const d = r.disinfo;
  add(s5, 'Chỉ tiêu của kế hoạch', 'tất cả', DISINFO_PLAN);
  add(s5, 'Vụ việc đã nhận', 'tất cả', d.cases);
  // Each case counts its reporters once; one person who reported two cases is in both (the
  // count survives a reporter's erasure, a list of people would not): "lượt", not "người".
  add(s5, REPORTERS_LABEL, 'tất cả', d.reporters);
  for (const st of CASE_STATUSES) add(s5, 'Vụ việc theo trạng thái', CASE_STATUS_LABEL[st], d.byStatus[st]);
  add(s5, 'Phát hiện là tin giả, tin xấu độc', 'tất cả', d.foundFalse);
  add(s5, 'Đã xử lý', 'tất cả', d.handled);
  for (const o of CASE_OUTCOMES) add(s5, 'Đã xử lý theo cách', CASE_OUTCOME_LABEL[o], d.byOutcome[o]);
  add(s5, 'Tỷ lệ phát hiện và xử lý (%)', `chỉ tiêu ${HANDLED_TARGET * 100}%`, d.handledShare === null ? null : sharePercent(d.handledShare, HANDLED_TARGET));
  add(s5, 'Đánh giá', `chỉ tiêu ${HANDLED_TARGET * 100}%`, disinfoAssessment(d));
  add(s5, 'Vụ việc chưa kết luận (không tính vào tỷ lệ)', 'tất cả', disinfoUndecided(d));
  add(s5, 'Thời gian xử lý, trung vị (ngày, từ lúc có người báo đến khi đã xử lý)', 'tất cả', d.handleDays.median === null ? null : round1(d.handleDays.median));
  add(s5, 'Thời gian xử lý, lâu nhất (ngày)', 'tất cả', d.handleDays.longest === null ? null : round1(d.handleDays.longest));
  for (const p of d.byPlatform) {
    add(s5, 'Vụ việc theo nơi phát hiện', platformLabel(p.key), p.cases);
    add(s5, 'Phát hiện là tin giả theo nơi phát hiện', platformLabel(p.key), p.foundFalse);
    add(s5, 'Đã xử lý theo nơi phát hiện', platformLabel(p.key), p.handled);
  }
  for (const { label, m } of disinfoMonths(r)) {
    add(s5, 'Vụ việc theo tháng', label, m.cases);
    add(s5, 'Phát hiện là tin giả theo tháng', label, m.foundFalse);
    add(s5, 'Đã xử lý theo tháng', label, m.handled);
  }
  const s6 = '6. Cập nhật thông tin, tập huấn cán bộ';
  const calendar = calendarYear(r);
  if (r.training.plan) add(s6, 'Chỉ tiêu của kế hoạch', 'tất cả', r.training.plan);
  for (const g of r.training.groups) {
    add(s6, 'Chỉ tiêu (%)', g.name, Math.round(g.target * 100));
    // The list as it stood at the period's end (who left before is not in it): the share's denominator.
    add(s6, calendar ? 'Cán bộ trong danh sách cuối năm' : 'Cán bộ trong danh sách cuối kỳ', g.name, g.officials);
    add(s6, calendar ? 'Đã tập huấn (lũy kế đến cuối năm)' : 'Đã tập huấn (lũy kế đến cuối kỳ)', g.name, g.trained);
    add(s6, calendar ? 'Tập huấn trong năm' : 'Tập huấn trong kỳ báo cáo', g.name, r.training.trainedInYear[g.groupId] ?? 0);
    add(s6, 'Tỷ lệ đã tập huấn (%)', g.name, g.share === null ? null : sharePercent(g.share, g.target));
    add(s6, 'Đánh giá', g.name, g.officials === 0 ? 'chưa có cán bộ' : g.met ? 'đạt chỉ tiêu' : 'chưa đạt chỉ tiêu');
    for (const u of g.units) {
      add(s6, 'Cán bộ trong danh sách theo đơn vị', `${g.name} / ${u.unit}`, u.officials);
      add(s6, 'Đã tập huấn theo đơn vị', `${g.name} / ${u.unit}`, u.trained);
      add(s6, 'Tỷ lệ đã tập huấn theo đơn vị (%)', `${g.name} / ${u.unit}`, u.share === null ? null : sharePercent(u.share, g.target));
    }
  }
  if (r.training.groups.length) {
    // An official of two groups is in both groups' rows: the total of people is its own row.
    const t = r.training.totals;
    add(s6, 'Số cán bộ khác nhau trong danh sách (mỗi người tính một lần)', 'tất cả các nhóm', t.officials);
    add(s6, calendar ? 'Số cán bộ khác nhau đã tập huấn (lũy kế đến cuối năm)' : 'Số cán bộ khác nhau đã tập huấn (lũy kế đến cuối kỳ)', 'tất cả các nhóm', t.trained);
    add(s6, calendar ? 'Số cán bộ khác nhau tập huấn trong năm' : 'Số cán bộ khác nhau tập huấn trong kỳ báo cáo', 'tất cả các nhóm', t.trainedSince);
    add(s6, 'Cán bộ thuộc từ hai nhóm trở lên (được tính ở mỗi nhóm)', 'tất cả các nhóm', t.inSeveralGroups);
  }
  return rows;
}

/**
 * The report as CSV (UTF-8 with BOM, CRLF), for programs that read it; staff open the .xlsx
 * ({@link reportXlsx}): Excel in Vietnamese regional settings splits a CSV on ';', not ','.
 * The time the report was made is written as the page shows it ("10:30 25/11/2026").
 */
export function reportCsv(r: YearReport): string {
  return toCsv(reportRows(r).map((row) => row.map((v) => (v instanceof Date ? formatDateTime(v.toISOString()) : v))));
}

/**
 * The report as an Excel workbook (`text/xlsx.ts`): the same rows as the CSV, numbers as number
 * cells, the time it was made as a date cell (day first, Vietnam time).
 */
export function reportXlsx(r: YearReport): Promise<Buffer> {
  return toXlsx({ name: `Báo cáo ${r.year}`, rows: reportRows(r), columns: [{ width: 34 }, { width: 44 }, { width: 44 }, { width: 24 }] });
}

/**
 * The reports of several regions side by side, for the province comparing its communes: one row
 * per figure of the report (section, indicator, group; the general information and the plan's
 * wording left out), one column per report, in the order given (e.g. the whole province, then
 * each commune). A figure a report does not have (a channel no one used there) is empty.
 */
export function comparisonRows(reports: readonly YearReport[]): XlsxValue[][] {
  const skip = (row: XlsxValue[]) => String(row[0]).startsWith('0.') || row[1] === 'Chỉ tiêu của kế hoạch';
  const key = (row: XlsxValue[]) => `${String(row[0])}\u0000${String(row[1])}\u0000${String(row[2])}`;
  // The reports' own order: a row only a later report has (a channel used only there) goes right
  // after the row that comes before it in that report.
  const order: string[] = [];
  const labels = new Map<string, XlsxValue[]>();
  const values = reports.map((r) => {
    const m = new Map<string, XlsxValue>();
    let before = -1;
    for (const row of reportRows(r).slice(1)) {
      if (skip(row)) continue;
      const k = key(row);
      m.set(k, row[3] ?? null);
      const at = order.indexOf(k);
      if (at >= 0) before = at;
      else {
        order.splice(before + 1, 0, k);
        labels.set(k, row.slice(0, 3));
        before += 1;
      }
    }
    return m;
  });
  const header: XlsxValue[] = ['Mục', 'Chỉ tiêu', 'Nhóm', ...reports.map((r) => r.region ?? 'Toàn tỉnh')];
  return [header, ...order.map((k) => [...labels.get(k)!, ...values.map((m) => m.get(k) ?? null)])];
}

/** {@link comparisonRows} as an Excel workbook (the one to open) and as CSV. */
export async function comparisonFiles(reports: readonly YearReport[]): Promise<{ xlsx: Buffer; csv: string }> {
  const rows = comparisonRows(reports);
  const first = reports[0]!;
  return {
    xlsx: await toXlsx({ name: `So sánh ${first.year}`, rows, columns: [{ width: 30 }, { width: 44 }, { width: 36 }, ...reports.map(() => ({ width: 16 }))] }),
    csv: toCsv(rows.map((row) => row.map((v) => (v instanceof Date ? formatDateTime(v.toISOString()) : v)))),
  };
}

/**
 * The file name of a report download, without its extension: `bao-cao-2026` for a calendar
 * year, `bao-cao-01-12-2025-den-30-11-2026` for another period; a region's report ends with the
 * region's slug (`bao-cao-2026-son-nam`).
 */
export function reportFileName(r: YearReport): string {
  const stem = calendarYear(r) ? `bao-cao-${r.year}` : `bao-cao-${firstDay(r).replaceAll('/', '-')}-den-${lastDay(r).replaceAll('/', '-')}`;
  // A commune's report names its commune: the province receives one file from each, and twenty
  // files all called bao-cao-2026.xlsx overwrite each other in one folder.
  return r.regionSlug ? `${stem}-${r.regionSlug}` : stem;
}

/** The first and last day of the period a report covers, day first: "01/12/2025", "30/11/2026". */
export function periodDays(r: YearReport): { first: string; last: string } {
  return { first: firstDay(r), last: lastDay(r) };
}

/** The period a report covers as staff write it: "01/12/2025 - 30/11/2026". */
export function periodText(r: YearReport): string {
  return `${firstDay(r)} - ${lastDay(r)}`;
}

/** What staff typed to choose a report: a year, or a period's first and last day (day first). */
export interface ReportInput {
  year?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * How the inputs are named in messages, so one set of rules speaks the CLI's language
 * (`--from`) and the admin form's (`ô “Từ ngày”`).
 */
export interface ReportInputNames {
  year: string;
  from: string;
  to: string;
  /** The year input with an example value: `--year 2026`, `ô “Năm”: 2026`. */
  yearExample: (year: number) => string;
}

/** The CLI's option names (`loa report`). */
export const CLI_INPUT_NAMES: ReportInputNames = { year: '--year', from: '--from', to: '--to', yearExample: (y) => `--year ${y}` };

/** What {@link chooseReportPeriod} decided: the report's year and its period, or why not (Vietnamese). */
export type ReportChoice =
  | { ok: true; year: number; period?: { from: Date; to: Date } }
  | {
      ok: false;
      error: string;
      /** Whether the problem is a missing input (the CLI adds its usage). */
      missing?: boolean;
    };

/**
 * Reads the report staff asked for: a calendar year (`year`; `defaultYear` when it is not
 * given), or a reporting period from `from` to `to` (day first; the last day counted whole,
 * up to 00:00 of the next day in Vietnam), at most 12 months, whose year is the last day's.
 * Refused, with what to do in Vietnamese: one of the two days alone, a date that does not
 * exist, a period backwards or longer than 12 months, a year other than the period's, a year
 * still to come or a period not yet begun (no figures yet).
 *
 * @example chooseReportPeriod({ from: '01/12/2025', to: '30/11/2026' }, new Date())
 *   // { ok: true, year: 2026, period: { from: 2025-11-30T17:00Z, to: 2026-11-30T17:00Z } }
 */
export function chooseReportPeriod(input: ReportInput, now: Date, names: ReportInputNames = CLI_INPUT_NAMES, defaultYear?: number): ReportChoice {
  const blank = (v: string | undefined): boolean => v === undefined || v.trim() === '';
  const thisYear = vietnamYear(now);
  if (!blank(input.from) || !blank(input.to)) {
    if (blank(input.from) || blank(input.to))
      return { ok: false, missing: true, error: `hãy cho cả ngày đầu (${names.from}) và ngày cuối (${names.to}) của kỳ báo cáo, ví dụ từ 01/12/${thisYear - 1} đến 30/11/${thisYear}.` };
    const from = parseStaffDate(input.from!);
    const last = parseStaffDate(input.to!);
    if (!from.ok || !last.ok)
      return { ok: false, error: [!from.ok ? `${names.from}: ${from.error}` : '', !last.ok ? `${names.to}: ${last.error}` : ''].filter(Boolean).join('; ') };
    const day = (at: Date): [number, number, number] => formatVietnamTime(at, 'yyyy-MM-dd').split('-').map(Number) as [number, number, number];
    const [fy, fm, fd] = day(from.at);
    const [ly, lm, ld] = day(last.at);
    const first = vietnamInstant(fy, fm, fd);
    // The last day counts whole: the period ends at the next day's 00:00 in Vietnam.
    const to = vietnamInstant(ly, lm, ld + 1);
    const dmy = (at: Date): string => formatVietnamTime(at, 'dd/MM/yyyy');
    if (to.getTime() <= first.getTime())
      return { ok: false, error: `kỳ báo cáo từ ${dmy(first)} đến ${dmy(last.at)} không hợp lệ: ngày cuối (${names.to}) không được trước ngày đầu (${names.from}); ngày viết ngày/tháng/năm.` };
    const oneYearOn = vietnamInstant(fy + 1, fm, fd);
    if (to.getTime() > oneYearOn.getTime())
      return {
        ok: false,
        error: `kỳ báo cáo từ ${dmy(first)} đến ${dmy(last.at)} dài hơn 12 tháng; kỳ báo cáo dài tối đa 12 tháng: bắt đầu ${dmy(first)} thì kết thúc chậm nhất ${dmy(new Date(oneYearOn.getTime() - 1))}.`,
      };
    if (!blank(input.year) && Number(input.year) !== ly)
      return { ok: false, error: `${names.year} ${input.year!.trim()} khác năm của ngày cuối kỳ báo cáo (${ly}); bỏ ${names.year} hoặc sửa lại.` };
    if (first.getTime() > now.getTime())
      return { ok: false, error: `kỳ báo cáo bắt đầu ${dmy(first)}, chưa tới (hôm nay là ${dmy(now)}), nên chưa có số liệu. Hãy chọn một kỳ báo cáo đã bắt đầu.` };
    return { ok: true, year: ly, period: { from: first, to } };
  }
  const text = blank(input.year) ? (defaultYear === undefined ? '' : String(defaultYear)) : input.year!.trim();
  const year = Number(text);
  if (!/^\d{4}$/.test(text) || year < 2000 || year > 2100)
    return { ok: false, missing: text === '', error: `hãy cho biết năm của báo cáo (từ 2000 đến 2100), ví dụ ${names.yearExample(thisYear)}.` };
  if (year > thisYear)
    return { ok: false, error: `năm ${year} chưa tới (năm nay là ${thisYear}), nên chưa có số liệu. Hãy chọn năm ${thisYear} hoặc một năm trước đó.` };
  return { ok: true, year };
}


let eta: Eta | undefined;
/** The report as a standalone printable HTML page (no scripts, print styles inline). */
export function reportHtml(r: YearReport): string {
  eta ??= new Eta({ views: join(HERE, 'views'), cache: true, autoEscape: true });
  return eta.render('report-print', { r, fmt: { n: formatNumber, dt: formatDateTime, r1: round1 }, ...reportViewHelpers(r) });
}

/**
 * What the report's templates need beside the figures and `fmt`; the admin page (whose `fmt`
 * comes from the admin layout) passes the same.
 */
export function reportViewHelpers(r: YearReport) {
  return {
    labels: DELIVERY_LABELS,
    rh: {
      channel: channelLabel,
      /** "ngày 07 tháng 12 năm 2026": the date line above the signature of the printed report. */
      signedOn: formatVietnamTime(new Date(r.generatedAt), 'ngày dd tháng MM năm yyyy'),
      firstDay: firstDay(r),
      inPeriod: calendarYear(r) ? 'trong năm' : 'trong kỳ báo cáo',
      atEnd: calendarYear(r) ? 'cuối năm' : 'cuối kỳ',
      /** "01/12/2025 - 30/11/2026" for a period other than the calendar year, else ''. */
      period: calendarYear(r) ? '' : periodText(r),
      months: disinfoMonths(r),
      /** A share in percent, never shown at its target when under it (training/format.ts sharePercent). */
      pct: sharePercent,
      handledTarget: HANDLED_TARGET,
      until: figuresUntil(r),
      disinfoAssessment: disinfoAssessment(r.disinfo),
      disinfoUndecided: disinfoUndecided(r.disinfo),
      trainingUntil: r.training.at === r.to ? `hết ${lastDay(r)}` : formatDateTime(r.training.at),
    },
  };
}
