/**
 * "What do you hold about me" (/dulieucuatoi): the person's data, in their language (Vietnamese,
 * or English for people answered in English), on their own channel. Law 91/2025/QH15 gives everyone the right to know what is held about them; answering
 * in the chat needs no form and no staff.
 *
 * Only the person's own data is shown, and only in a private chat: in a group the command
 * answers with a pointer to the private chat instead, so no one reads another member's data.
 * The answer is split to the channel's text limit (Zalo 2,000 characters); the erase hint ends
 * the last part. Each request is audited under the internal person number (`privacy.export`).
 */
import type { Reply } from '../messages.js';
import { splitText } from '../messages.js';
import { recordAudit } from '../db/audit.js';
import { personalDataOf, type PersonalData, type Span } from '../db/privacy.js';
import { formatVietnamTime } from '../time/vietnam.js';
import { consentText } from './consent.js';
import type { TurnContext } from './types.js';

/** The command, without '/'. */
export const MY_DATA_COMMAND = 'dulieucuatoi';

/** How many open questions are quoted in full; the rest are counted. */
export const OPEN_QUESTIONS_SHOWN = 10;

import type { Lang } from '../text/language.js';

const CHANNEL_NAMES: Record<Lang, Record<string, string>> = {
  vi: { telegram: 'Telegram', zalo: 'Zalo', 'zalo-bot': 'Zalo Bot', web: 'trò chuyện trên trang web' },
  en: { telegram: 'Telegram', zalo: 'Zalo', 'zalo-bot': 'Zalo Bot', web: 'web chat' },
};

const MV = {
  title: 'Dữ liệu cá nhân chúng tôi đang lưu về bạn:',
  channel: (c: string) => `• Kênh: ${c}`,
  name: (n: string | null) => `• Tên hiển thị: ${n ?? 'không có'}`,
  region: (r: string | null) => `• Địa bàn: ${r ?? 'chưa chọn'}`,
  consented: (at: string, version: string | null, since: string | null) =>
    `• Đăng ký nhận tin: đồng ý ngày ${at}` +
    (version ? `, điều khoản phiên bản ${version}${since ? ` (áp dụng từ ${since})` : ''}` : ', trước khi có điều khoản theo phiên bản'),
  optedOut: (at: string) => `• Đăng ký nhận tin: đã thôi nhận tin ngày ${at}`,
  notSubscribed: '• Đăng ký nhận tin: chưa đăng ký',
  follower: '• Quan tâm Zalo OA: có, nên bạn nhận tin thông báo của OA (gõ /huy để thôi nhận)',
  topics: (t: string) => `• Chủ đề nhận tin: ${t}`,
  span: (what: string, s: Span) =>
    s.count === 0
      ? `• ${what}: chưa có`
      : `• ${what}: ${s.count} (${viDate(s.first) === viDate(s.last) ? `ngày ${viDate(s.first)}` : `từ ${viDate(s.first)} đến ${viDate(s.last)}`})`,
  open: (n: number) => `Câu hỏi của bạn đang chờ cán bộ trả lời (${n}):`,
  openMore: (n: number) => `… và ${n} câu khác.`,
  quiz: 'Thông tin bạn đăng ký dự thi:',
  training: 'Danh sách cán bộ tập huấn của cơ quan có tên bạn:',
  zalo: 'Thông tin bạn gửi qua biểu mẫu Zalo:',
  consentText: (version: string) => `Điều khoản nhận tin bạn đã đồng ý (phiên bản ${version}):`,
  history: (n: number) => `Lịch sử nhận tin của bạn (${n} lần thay đổi, lưu để số liệu báo cáo năm các năm trước không đổi):`,
  historyRow: (consented: boolean, active: boolean): string =>
    !consented ? 'không nhận tin (chưa đăng ký hoặc đã thôi)' : active ? 'nhận tin' : 'đã đăng ký nhưng không nhận được tin (bạn đã chặn hoặc bỏ quan tâm)',
  regionChanges: (n: number) => `Các lần bạn đổi địa bàn (${n}):`,
  regionRow: (from: string, to: string) => `từ ${from} sang ${to}`,
  noRegion: 'chưa chọn',
  older: (n: number) => `… và ${n} lần trước đó.`,
  erase: 'Để xoá dữ liệu này, gõ /xoadulieu. Để chỉ thôi nhận tin, gõ /huy.',
  groupOnly: 'Vì lý do riêng tư, bạn hãy gửi lệnh /dulieucuatoi trong tin nhắn riêng với trợ lý.',
  none: 'Chúng tôi không lưu dữ liệu nào về bạn.',
  messages: 'Tin nhắn bạn đã gửi',
  questions: 'Câu hỏi bạn đã hỏi',
  reports: 'Tin giả, tin xấu độc bạn đã báo (/baocao)',
  quizRow: (name: string | null, unit: string | null, phone: string | null) =>
    [name && `họ tên ${name}`, unit && `đơn vị ${unit}`, phone && `số điện thoại ${phone}`].filter(Boolean).join(', '),
  quizConsent: (at: string, text: string) => `  đã đồng ý ngày ${at} với điều khoản: “${text}”`,
  trainingState: (trainedAt: string | null, tests: number) =>
    `${trainedAt ? `đã tập huấn (đạt ngày ${viDate(trainedAt)})` : 'chưa tập huấn'}; số lần làm bài kiểm tra: ${tests}`,
  formRow: (name: string | null, phone: string | null, address: string) =>
    [name && `họ tên ${name}`, phone && `số điện thoại ${phone}`, address].filter(Boolean).join('; '),
};

/** The same texts in English (dates as YYYY-MM-DD, Vietnam time). */
const M_EN: typeof MV = {
  title: 'The personal data we hold about you:',
  channel: (c: string) => `• Channel: ${c}`,
  name: (n: string | null) => `• Display name: ${n ?? 'none'}`,
  region: (r: string | null) => `• Area: ${r ?? 'not chosen'}`,
  consented: (at: string, version: string | null, since: string | null) =>
    `• News subscription: agreed on ${at}` +
    (version ? `, terms version ${version}${since ? ` (in force since ${since})` : ''}` : ', before the terms had versions'),
  optedOut: (at: string) => `• News subscription: unsubscribed on ${at}`,
  notSubscribed: '• News subscription: not subscribed',
  follower: '• Following the Zalo OA: yes, so you receive its announcements (type /huy to stop them)',
  topics: (t: string) => `• Subscribed topics: ${t}`,
  span: (what: string, s: Span) =>
    s.count === 0
      ? `• ${what}: none`
      : `• ${what}: ${s.count} (${isoDate(s.first) === isoDate(s.last) ? `on ${isoDate(s.first)}` : `from ${isoDate(s.first)} to ${isoDate(s.last)}`})`,
  open: (n: number) => `Your questions waiting for an answer from staff (${n}):`,
  openMore: (n: number) => `… and ${n} more.`,
  quiz: 'What you registered for contests:',
  training: 'The office’s list of staff to train that has your name:',
  zalo: 'What you sent through the Zalo form:',
  consentText: (version: string) => `The subscription terms you agreed to (version ${version}):`,
  history: (n: number) => `Your news subscription history (${n} changes, kept so that past years' report figures do not change):`,
  historyRow: (consented: boolean, active: boolean) =>
    !consented ? 'not receiving news (not subscribed or unsubscribed)' : active ? 'receiving news' : 'subscribed but not reachable (you blocked or unfollowed)',
  regionChanges: (n: number) => `Times you changed your area (${n}):`,
  regionRow: (from: string, to: string) => `from ${from} to ${to}`,
  noRegion: 'not chosen',
  older: (n: number) => `… and ${n} earlier.`,
  erase: 'To delete this data, type /xoadulieu. To stop news only, type /huy.',
  groupOnly: 'For your privacy, please send /dulieucuatoi in a private message to the assistant.',
  none: 'We hold no data about you.',
  messages: 'Messages you sent',
  questions: 'Questions you asked',
  reports: 'False or harmful information you reported (/baocao)',
  quizRow: (name: string | null, unit: string | null, phone: string | null) =>
    [name && `name ${name}`, unit && `unit ${unit}`, phone && `phone ${phone}`].filter(Boolean).join(', '),
  quizConsent: (at: string, text: string) => `  agreed on ${at} to: “${text}”`,
  trainingState: (trainedAt: string | null, tests: number) =>
    `${trainedAt ? `trained (passed on ${isoDate(trainedAt)})` : 'not trained yet'}; tests taken: ${tests}`,
  formRow: (name: string | null, phone: string | null, address: string) =>
    [name && `name ${name}`, phone && `phone ${phone}`, address].filter(Boolean).join('; '),
};

function viDate(iso: string | null): string {
  return iso ? formatVietnamTime(iso, 'dd/MM/yyyy') : '?';
}

function isoDate(iso: string | null): string {
  return iso ? formatVietnamTime(iso, 'yyyy-MM-dd') : '?';
}

/** The person's data as plain text (one string; {@link myDataReplies} splits it). */
export function formatMyData(d: PersonalData, names: { region(slug: string): string; topic(slug: string): string }, lang: Lang = 'vi'): string {
  const M = lang === 'en' ? M_EN : MV;
  const date = lang === 'en' ? isoDate : viDate;
  const p = d.person;
  const lines: string[] = [M.title, M.channel(CHANNEL_NAMES[lang][p.channel] ?? p.channel), M.name(p.displayName)];
  lines.push(M.region(p.region ? names.region(p.region) : null));
  const consent = consentText(p.consentVersion);
  if (p.consentAt) lines.push(M.consented(date(p.consentAt), p.consentVersion, consent ? date(consent.since) : null));
  else if (p.optedOutAt) lines.push(M.optedOut(date(p.optedOutAt)));
  else lines.push(M.notSubscribed);
  if (d.zaloFollower && !p.optedOutAt) lines.push(M.follower);
  if (d.topics.length) lines.push(M.topics(d.topics.map((t) => names.topic(t)).join(', ')));
  lines.push(M.span(M.messages, d.messages), M.span(M.questions, d.questions));
  if (d.disinfoReports.count > 0) lines.push(M.span(M.reports, d.disinfoReports));
  const blocks = [lines.join('\n')];
  if (d.openCount > 0) {
    const open = d.openQuestions.map((q, i) => `${i + 1}. “${q.question}” (${date(q.createdAt)})`);
    if (d.openCount > d.openQuestions.length) open.push(M.openMore(d.openCount - d.openQuestions.length));
    blocks.push([M.open(d.openCount), ...open].join('\n'));
  }
  if (d.quiz.length) {
    const rows = d.quiz.map(
      (q) =>
        `• ${q.contestId} (${date(q.startedAt)}): ` +
        M.quizRow(q.name, q.unit, q.phone) +
        // The consent line the registration was made under, as it was worded then.
        (q.consentAt && q.consentText ? `\n${M.quizConsent(date(q.consentAt), q.consentText)}` : ''),
    );
    blocks.push([M.quiz, ...rows].join('\n'));
  }
  if (d.training.length) {
    const rows = d.training.map((o) => `• ${o.name}, ${o.unit}${o.region ? `, ${names.region(o.region)}` : ''}; ` + M.trainingState(o.trainedAt, o.tests));
    blocks.push([M.training, ...rows].join('\n'));
  }
  if (d.zaloForms.length) {
    const rows = d.zaloForms.map((f) => `• ${date(f.createdAt)}: ` + M.formRow(f.name, f.phone, [f.address, f.ward, f.district, f.city].filter(Boolean).join(', ')));
    blocks.push([M.zalo, ...rows].join('\n'));
  }
  if (d.historyCount > 0) {
    const rows = d.subscriptionHistory.map((h) => `• ${date(h.at)}: ${M.historyRow(h.consented, h.active)}`);
    if (d.historyCount > rows.length) rows.unshift(M.older(d.historyCount - rows.length));
    blocks.push([M.history(d.historyCount), ...rows].join('\n'));
  }
  if (d.regionChangeCount > 0) {
    const region = (r: string | null): string => (r ? names.region(r) : M.noRegion);
    const rows = d.regionChanges.map((c) => `• ${date(c.at)}: ${M.regionRow(region(c.oldRegion), region(c.newRegion))}`);
    if (d.regionChangeCount > rows.length) rows.unshift(M.older(d.regionChangeCount - rows.length));
    blocks.push([M.regionChanges(d.regionChangeCount), ...rows].join('\n'));
  }
  if (p.consentAt && consent) blocks.push(`${M.consentText(consent.version)}\n${lang === 'en' ? (consent.textEn ?? consent.text) : consent.text}`);
  blocks.push(M.erase);
  return blocks.join('\n\n');
}

/**
 * The replies to /dulieucuatoi: the person's data, split to the channel's limit.
 *
 * @example commands: { dulieucuatoi: (ctx) => myDataReplies(ctx) }
 */
export function myDataReplies(ctx: TurnContext): Reply[] {
  const M = ctx.lang === 'en' ? M_EN : MV;
  if (ctx.inbound.group) return [{ text: M.groupOnly }];
  const data = personalDataOf(ctx.db, ctx.person.id, OPEN_QUESTIONS_SHOWN);
  if (!data) return [{ text: M.none }];
  recordAudit(ctx.db, { actor: `person:${ctx.person.id}`, action: 'privacy.export', targetType: 'person', targetId: ctx.person.id, details: { channel: ctx.inbound.channel } }, ctx.now);
  const en = ctx.lang === 'en';
  const text = formatMyData(
    data,
    {
      region: (slug) => ctx.knowledge.regionInfo(slug)?.name ?? slug,
      topic: (slug) => {
        const t = ctx.knowledge.state.topics.find((x) => x.slug === slug);
        return (en ? t?.name_en : undefined) ?? t?.name ?? slug;
      },
    },
    ctx.lang,
  );
  return splitText(text, ctx.caps.maxTextLength).map((t) => ({ text: t }));
}
