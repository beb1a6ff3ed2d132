/**
 * "What do you hold about me" (/dulieucuatoi): the person's data, in Vietnamese, on their own
 * channel. Law 91/2025/QH15 gives everyone the right to know what is held about them; answering
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

const CHANNEL_NAMES: Record<string, string> = { telegram: 'Telegram', zalo: 'Zalo', 'zalo-bot': 'Zalo Bot', web: 'trò chuyện trên trang web' };

const M = {
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
      : `• ${what}: ${s.count} (${date(s.first) === date(s.last) ? `ngày ${date(s.first)}` : `từ ${date(s.first)} đến ${date(s.last)}`})`,
  open: (n: number) => `Câu hỏi của bạn đang chờ cán bộ trả lời (${n}):`,
  openMore: (n: number) => `… và ${n} câu khác.`,
  quiz: 'Thông tin bạn đăng ký dự thi:',
  training: 'Danh sách cán bộ tập huấn của cơ quan có tên bạn:',
  zalo: 'Thông tin bạn gửi qua biểu mẫu Zalo:',
  consentText: (version: string) => `Điều khoản nhận tin bạn đã đồng ý (phiên bản ${version}):`,
  erase: 'Để xoá dữ liệu này, gõ /xoadulieu. Để chỉ thôi nhận tin, gõ /huy.',
  groupOnly: 'Vì lý do riêng tư, bạn hãy gửi lệnh /dulieucuatoi trong tin nhắn riêng với trợ lý.',
  none: 'Chúng tôi không lưu dữ liệu nào về bạn.',
};

function date(iso: string | null): string {
  return iso ? formatVietnamTime(iso, 'dd/MM/yyyy') : '?';
}

/** The person's data as plain text (one string; {@link myDataReplies} splits it). */
export function formatMyData(d: PersonalData, names: { region(slug: string): string; topic(slug: string): string }): string {
  const p = d.person;
  const lines: string[] = [M.title, M.channel(CHANNEL_NAMES[p.channel] ?? p.channel), M.name(p.displayName)];
  lines.push(M.region(p.region ? names.region(p.region) : null));
  const consent = consentText(p.consentVersion);
  if (p.consentAt) lines.push(M.consented(date(p.consentAt), p.consentVersion, consent ? date(consent.since) : null));
  else if (p.optedOutAt) lines.push(M.optedOut(date(p.optedOutAt)));
  else lines.push(M.notSubscribed);
  if (d.zaloFollower && !p.optedOutAt) lines.push(M.follower);
  if (d.topics.length) lines.push(M.topics(d.topics.map((t) => names.topic(t)).join(', ')));
  lines.push(M.span('Tin nhắn bạn đã gửi', d.messages), M.span('Câu hỏi bạn đã hỏi', d.questions));
  if (d.disinfoReports.count > 0) lines.push(M.span('Tin giả, tin xấu độc bạn đã báo (/baocao)', d.disinfoReports));
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
        [q.name && `họ tên ${q.name}`, q.unit && `đơn vị ${q.unit}`, q.phone && `số điện thoại ${q.phone}`].filter(Boolean).join(', '),
    );
    blocks.push([M.quiz, ...rows].join('\n'));
  }
  if (d.training.length) {
    const rows = d.training.map(
      (o) =>
        `• ${o.name}, ${o.unit}${o.region ? `, ${names.region(o.region)}` : ''}; ` +
        `${o.trainedAt ? `đã tập huấn (đạt ngày ${date(o.trainedAt)})` : 'chưa tập huấn'}; số lần làm bài kiểm tra: ${o.tests}`,
    );
    blocks.push([M.training, ...rows].join('\n'));
  }
  if (d.zaloForms.length) {
    const rows = d.zaloForms.map(
      (f) =>
        `• ${date(f.createdAt)}: ` +
        [f.name && `họ tên ${f.name}`, f.phone && `số điện thoại ${f.phone}`, [f.address, f.ward, f.district, f.city].filter(Boolean).join(', ')]
          .filter(Boolean)
          .join('; '),
    );
    blocks.push([M.zalo, ...rows].join('\n'));
  }
  if (p.consentAt && consent) blocks.push(`${M.consentText(consent.version)}\n${consent.text}`);
  blocks.push(M.erase);
  return blocks.join('\n\n');
}

/**
 * The replies to /dulieucuatoi: the person's data, split to the channel's limit.
 *
 * @example commands: { dulieucuatoi: (ctx) => myDataReplies(ctx) }
 */
export function myDataReplies(ctx: TurnContext): Reply[] {
  if (ctx.inbound.group) return [{ text: M.groupOnly }];
  const data = personalDataOf(ctx.db, ctx.person.id, OPEN_QUESTIONS_SHOWN);
  if (!data) return [{ text: M.none }];
  recordAudit(ctx.db, { actor: `person:${ctx.person.id}`, action: 'privacy.export', targetType: 'person', targetId: ctx.person.id, details: { channel: ctx.inbound.channel } }, ctx.now);
  const text = formatMyData(data, {
    region: (slug) => ctx.knowledge.regionInfo(slug)?.name ?? slug,
    topic: (slug) => ctx.knowledge.state.topics.find((t) => t.slug === slug)?.name ?? slug,
  });
  return splitText(text, ctx.caps.maxTextLength).map((t) => ({ text: t }));
}
