/**
 * "Báo tin giả/xấu độc" (/baocao): a citizen reports a post they suspect is false or harmful
 * (issue 17, item 1). Three short steps, each answerable by a button or a typed number:
 * 1. the item: a link or the text, typed after the command or in the next message, or a
 *    screenshot (its platform reference is kept, never the picture; a caption counts as text);
 * 2. what it is about: the topics of `topics.yaml`, plus "Khác";
 * 3. where it was seen: Facebook, Zalo group, TikTok, YouTube, a website, elsewhere.
 * Then the report joins its case (`db/disinfo.ts` groups identical links and near-identical
 * texts) and the reporter gets the case number. Staff tell the outcome later, through the sender.
 *
 * Why the limits: reports cost staff time, so each person may send at most
 * `bot.disinfo.reports_per_day` a day (Vietnam calendar day); and reports are never shown to
 * other citizens, so in a group chat the command only points to the private chat.
 */
import type { Button, MediaRef, Reply } from '../messages.js';
import type { PictureKeys } from './picture-key.js';
import { setPersonState } from '../db/people.js';
import { getCase, markReportersTold, recordReport, reportsFromSourceSince, reportsSince, retractReport, TOLD_STATUSES, type CaseOutcome, type DisinfoCase } from '../db/disinfo.js';
import { foldedCanonical } from '../text/vietnamese.js';
import { isCancelWord } from './cancel-words.js';
import { vietnamInstant } from '../time/vietnam.js';
import type { Feature, TurnContext } from './types.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { Lang } from '../text/language.js';
import { speaksPersonLang } from './person-lang.js';
import { answerQuestion } from './core-feature.js';
import { textsFor } from './texts-en.js';
import { MAX_QUESTION_LENGTH } from './conversation.js';

/** The command, without '/'. */
export const REPORT_COMMAND = 'baocao';

/** The menu entry's label; typed (or sent by a Zalo OA menu button) it starts a report too. */
export const REPORT_MENU_LABEL = 'Báo tin giả/xấu độc';

/** Where a post was seen: id (in button actions) and label. */
export const PLATFORMS: readonly { id: string; label: string }[] = [
  { id: 'facebook', label: 'Facebook' },
  { id: 'zalo', label: 'Zalo nhóm' },
  { id: 'tiktok', label: 'TikTok' },
  { id: 'youtube', label: 'YouTube' },
  { id: 'website', label: 'Trang web' },
  { id: 'other', label: 'Khác' },
];

/** The topic id of "Khác" (not one of `topics.yaml`). */
export const OTHER_TOPIC = 'khac';

const S = {
  ask: 'Bạn hãy gửi đường link, ảnh chụp màn hình hoặc chép nội dung tin nghi là tin giả, tin xấu độc mà bạn thấy (có thể gửi kèm mô tả ngắn).',
  topic: 'Tin này nói về vấn đề gì?',
  otherTopic: 'Khác',
  platform: 'Bạn thấy tin này ở đâu?',
  cancel: 'Huỷ',
  cancelled: 'Đã huỷ báo cáo. Khi cần, bạn gõ /baocao để báo tin.',
  stopNewsHint: 'Nếu bạn muốn thôi nhận tin thông báo, hãy gõ Huỷ một lần nữa.',
  expired: 'Báo cáo này đã kết thúc hoặc đã bị huỷ. Gõ /baocao để báo tin mới.',
  done: (n: string) =>
    `Cảm ơn bạn đã báo tin! Mã số báo cáo của bạn: ${n}.\nCán bộ phụ trách sẽ kiểm tra và báo kết quả cho bạn qua kênh này. Nội dung bạn báo chỉ cán bộ phụ trách được xem.`,
  limit: (n: number) => `Hôm nay bạn đã gửi ${n} báo cáo, là số tối đa trong một ngày. Mời bạn gửi tiếp vào ngày mai. Cảm ơn bạn!`,
  limitSource: (n: number) =>
    `Hôm nay mạng Internet bạn đang dùng đã gửi ${n} báo cáo qua trang web, là số tối đa trong một ngày cho một mạng. Mời bạn gửi tiếp vào ngày mai, hoặc báo qua Zalo hay Telegram của cơ quan. Cảm ơn bạn!`,
  group: 'Để giữ kín thông tin, bạn hãy nhắn lệnh /baocao trong tin nhắn riêng với trợ lý.',
  forwarded:
    'Bạn vừa chuyển tiếp một tin. Nếu bạn nghi đây là tin giả, tin xấu độc, hãy chọn tin nói về vấn đề gì để báo cho cán bộ kiểm tra.',
  link: 'Bạn vừa gửi một đường link. Nếu bạn nghi đây là tin giả, tin xấu độc, hãy chọn tin nói về vấn đề gì để báo cho cán bộ kiểm tra.',
  askHint: 'Nếu bạn muốn hỏi về nội dung này, chọn “Tôi muốn hỏi”.',
  askInstead: 'Tôi muốn hỏi',
  picture:
    'Tôi chưa đọc được nội dung trong ảnh. Nếu đây là ảnh chụp một tin bạn nghi là tin giả, tin xấu độc, hãy chọn tin nói về vấn đề gì để báo cho cán bộ kiểm tra.',
  pictureHint: 'Nếu đây là ảnh chụp một tin bạn nghi là tin giả, tin xấu độc, bạn hãy gõ /baocao rồi gửi lại ảnh.',
  help: '• /baocao – báo tin giả, tin xấu độc bạn thấy trên mạng (gửi link hoặc nội dung).',
  unreadable:
    'Tôi chưa xem được video, tệp hay nhãn dán. Để báo tin này, bạn hãy dán đường link bài đăng, gửi ảnh chụp màn hình hoặc gõ lại nội dung tin (gõ Huỷ để thôi báo).',
  retractHow: 'Để rút lại một báo cáo đã gửi, bạn gõ /baocao huỷ kèm mã số báo cáo, ví dụ: /baocao huỷ BC-2026-0001.',
  retracted: (n: string) => `Đã rút lại báo cáo ${n} của bạn. Nội dung bạn đã báo đã được xoá.`,
  notYours: (n: string) => `Không tìm thấy báo cáo ${n} của bạn. Hãy kiểm tra lại mã số trong tin nhắn cảm ơn bạn đã nhận.`,
};

/** The report flow's prompts in English (issue 18), for people answered in English. */
const S_EN: typeof S = {
  ask: 'Please send the link, a screenshot or the text of the post you think is false or harmful (you can add a short description).',
  topic: 'What is the post about?',
  otherTopic: 'Other',
  platform: 'Where did you see it?',
  cancel: 'Cancel',
  cancelled: 'Report cancelled. Type /baocao whenever you want to report something.',
  stopNewsHint: 'If you want to stop receiving news, type Huỷ once more.',
  expired: 'This report has ended or was cancelled. Type /baocao to make a new one.',
  done: (n: string) =>
    `Thank you for your report! Your report number: ${n}.\nThe staff in charge will check it and tell you the outcome here. Only they can see what you reported.`,
  limit: (n: number) => `You have sent ${n} reports today, the most allowed in one day. Please send more tomorrow. Thank you!`,
  limitSource: (n: number) =>
    `The network you are using has sent ${n} reports through the website today, the most allowed in one day for one network. Please send more tomorrow, or report through the office's Zalo or Telegram. Thank you!`,
  group: 'To keep your report private, please send /baocao in a private message to the assistant.',
  forwarded: 'You forwarded a message. If you think it is false or harmful, choose what it is about to report it to the staff.',
  link: 'You sent a link. If you think the post is false or harmful, choose what it is about to report it to the staff.',
  askHint: 'To ask about it instead, choose “I want to ask”.',
  askInstead: 'I want to ask',
  picture: 'I cannot read what is in a picture. If it is a screenshot of a post you think is false or harmful, choose what it is about to report it to the staff.',
  pictureHint: 'If it is a screenshot of a post you think is false or harmful, type /baocao and send the picture again.',
  help: '• /baocao – report false or harmful information you saw online (send a link or the text).',
  unreadable: 'I cannot watch videos or open files or stickers. To report this post, paste its link, send a screenshot or type its text (type Huỷ to stop).',
  retractHow: 'To take back a report you sent, type /baocao huỷ with its number, for example: /baocao huỷ BC-2026-0001.',
  retracted: (n: string) => `Your report ${n} has been taken back. What you reported has been deleted.`,
  notYours: (n: string) => `No report ${n} of yours was found. Please check the number in the thank-you message you received.`,
};

/**
 * The prompts in the person's language: what they type here is the reported post, in whatever
 * language it was written, not a sign of theirs (./person-lang.ts).
 */
const textsOf = (ctx: TurnContext): typeof S => (ctx.person.lang === 'en' ? S_EN : S);
/** Platform names that are Vietnamese words, in English. */
const PLATFORM_EN: Record<string, string> = { zalo: 'Zalo groups', website: 'Website', other: 'Other' };

/** What a reporter is told when their case is closed, per language. */
const OUTCOME = {
  vi: {
    title: (n: string) => `Kết quả xử lý báo cáo ${n}`,
    handled: (how: string) => `Cảm ơn bạn đã báo tin. Qua kiểm tra, đây là tin giả hoặc tin xấu độc. ${how}\nBạn không nên chia sẻ tin này.`,
    how: {
      platform: 'Cơ quan chức năng đã đề nghị nền tảng gỡ bỏ tin này.',
      police: 'Vụ việc đã được chuyển cơ quan công an xem xét theo quy định.',
      correction: 'Cơ quan đã đăng thông tin chính xác để đính chính.',
    } as Record<CaseOutcome, string>,
    notFalse: 'Cảm ơn bạn đã báo tin. Qua kiểm tra, cán bộ xác định tin này không phải là tin giả.',
    laterTitle: (n: string) => `Thông tin chính xác về tin bạn đã báo (${n})`,
    later: 'Cơ quan đã đăng thông tin chính xác về tin giả, tin xấu độc bạn đã báo. Bạn có thể chia sẻ thông tin này:',
    outOfScope: 'Cảm ơn bạn đã báo tin. Tin này không thuộc phạm vi xử lý của cơ quan; bạn có thể báo trực tiếp cho nền tảng nơi bạn thấy tin.',
  },
  en: {
    title: (n: string) => `Outcome of your report ${n}`,
    handled: (how: string) => `Thank you for your report. We checked it: this is false or harmful information. ${how}\nPlease do not share it.`,
    how: {
      platform: 'The authorities have asked the platform to remove it.',
      police: 'The case has been passed to the police to deal with under the law.',
      correction: 'The office has published the correct information.',
    } as Record<CaseOutcome, string>,
    notFalse: 'Thank you for your report. We checked it, and the staff found that it is not false information.',
    laterTitle: (n: string) => `The correct information about your report ${n}`,
    later: 'The office has published the correct information about the false or harmful post you reported. You can share it:',
    outOfScope: 'Thank you for your report. It is outside what the office deals with; you can report it directly to the platform where you saw it.',
  },
};

/** An approved correction linked to the case: its question or title, and its answer or first passage. */
export interface Correction {
  title: string;
  text: string;
}

/** The longest correction text put in the outcome message (the channels split longer ones, but a notice stays short). */
const CORRECTION_MAX = 1500;

/**
 * The approved correction linked to a case, or undefined (none linked, not approved, retired).
 *
 * @example correctionOf(knowledge, c.correctionId)
 */
export function correctionOf(
  knowledge: Pick<Knowledge, 'getQa' | 'getArticle'> & Partial<Pick<Knowledge, 'translationOf'>>,
  id: string | null,
  lang: Lang = 'vi',
): Correction | undefined {
  if (!id) return undefined;
  // An English reporter gets the correction's approved English translation when there is one.
  const translated = lang === 'en' ? knowledge.translationOf?.(id) : undefined;
  if (translated && translated !== id) {
    const t = correctionOf(knowledge, translated.replace(/#0$/, ''));
    if (t) return t;
  }
  const qa = knowledge.getQa(id);
  if (qa) return qa.status === 'approved' ? { title: qa.question, text: qa.answer } : undefined;
  const a = knowledge.getArticle(id);
  return a?.status === 'approved' && a.passages[0] ? { title: a.title, text: a.passages[0].text } : undefined;
}

/**
 * The message a reporter receives when their case is closed (sent by staff's closing step,
 * `admin/disinfo.ts`, or at once when a report joins a case already closed).
 */
export function outcomeReply(c: Pick<DisinfoCase, 'number' | 'status' | 'outcome'>, correction?: Correction, lang: Lang = 'vi'): Reply {
  const O = OUTCOME[lang];
  const base = { title: O.title(c.number), ...(lang === 'en' ? { lang } : {}) };
  if (c.status === 'handled') {
    const text = O.handled(c.outcome ? O.how[c.outcome] : '').replace(' \n', '\n');
    if (!correction) return { ...base, text };
    // The correction itself, so the reporter can pass on the right information, not only the verdict.
    return { ...base, text: `${text}\n\n${correction.title}\n${clip(correction.text)}` };
  }
  if (c.status === 'not_false') return { ...base, text: O.notFalse };
  return { ...base, text: O.outOfScope };
}

/**
 * The correction of a handled case sent on its own to a reporter told the outcome before it was
 * approved or linked (`admin/disinfo.ts`).
 */
export function laterCorrectionReply(c: Pick<DisinfoCase, 'number'>, correction: Correction, lang: Lang = 'vi'): Reply {
  const O = OUTCOME[lang];
  return { title: O.laterTitle(c.number), text: `${O.later}\n\n${correction.title}\n${clip(correction.text)}`, ...(lang === 'en' ? { lang } : {}) };
}

/** A correction's text as a notice carries it: at most {@link CORRECTION_MAX} characters. */
function clip(text: string): string {
  return text.length > CORRECTION_MAX ? `${text.slice(0, CORRECTION_MAX - 1).trimEnd()}…` : text;
}

/** What the person is in the middle of, kept in `people.state.report`. */
interface Draft {
  step: 'content' | 'topic' | 'platform';
  text?: string;
  mediaRef?: string;
  /** The screenshot's identity across copies (Telegram), what its reports are grouped by. */
  mediaKey?: string;
  topic?: string;
}

function draftOf(ctx: TurnContext): Draft | undefined {
  const d = ctx.person.state?.report as Draft | undefined;
  return d && typeof d === 'object' && typeof d.step === 'string' ? d : undefined;
}

function saveDraft(ctx: TurnContext, draft: Draft | undefined): void {
  const { report: _dropped, ...rest } = ctx.person.state ?? {};
  const next = draft ? { ...rest, report: draft } : rest;
  setPersonState(ctx.db, ctx.person.id, Object.keys(next).length ? next : null);
  ctx.person.state = Object.keys(next).length ? next : null;
}

/** The instant today started in Vietnam. */
function vietnamDayStart(now: Date): Date {
  const local = new Date(now.getTime() + 7 * 3_600_000);
  return vietnamInstant(local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate());
}

/**
 * How many people's daily reports one web source (an address, an IPv6 /64) may send: a web
 * visitor is free to make, so the per-person limit alone let one address send hundreds of reports
 * a day, each a new case for staff. Generous: a commune office or a mobile carrier puts many
 * people behind one address.
 */
export const SOURCE_REPORTS_FACTOR = 20;

function overLimit(ctx: TurnContext): Reply[] | null {
  const max = ctx.config.bot.disinfo.reports_per_day;
  const since = vietnamDayStart(ctx.now);
  if (reportsSince(ctx.db, ctx.person.id, since) >= max) return [{ text: textsOf(ctx).limit(max) }];
  const source = ctx.inbound.source;
  if (source && reportsFromSourceSince(ctx.db, source, since) >= max * SOURCE_REPORTS_FACTOR) return [{ text: textsOf(ctx).limitSource(max * SOURCE_REPORTS_FACTOR) }];
  return null;
}

const cancelButton = (ctx: TurnContext): Button => ({ label: textsOf(ctx).cancel, action: 'bc:x' });

function askTopic(ctx: TurnContext): Reply {
  const S = textsOf(ctx);
  const name = (t: { name: string; name_en?: string }): string => (ctx.person.lang === 'en' ? (t.name_en ?? t.name) : t.name);
  const buttons: Button[] = ctx.knowledge.state.topics.map((t) => ({ label: name(t), action: `bc:t:${t.slug}` }));
  buttons.push({ label: S.otherTopic, action: `bc:t:${OTHER_TOPIC}` }, cancelButton(ctx));
  return { text: S.topic, buttons };
}

/**
 * A forwarded message or a captioned picture, outside a report: most likely a post the person
 * saw and wonders about (a screenshot, for what was seen on Facebook or Zalo). It becomes a report
 * draft at its topic step, with a way to ask about it instead (when it has text short enough to
 * be a question). Null when today's reports are used up: it is then answered as before.
 */
function offerReport(ctx: TurnContext, item: { text?: string; mediaRef?: string; mediaKey?: string; forwarded?: boolean; link?: boolean }): Reply[] | null {
  if (overLimit(ctx)) return null;
  const S = textsOf(ctx);
  const text = item.text?.trim().slice(0, 2000);
  saveDraft(ctx, { step: 'topic', ...(text ? { text } : {}), ...(item.mediaRef ? { mediaRef: item.mediaRef } : {}), ...(item.mediaKey ? { mediaKey: item.mediaKey } : {}) });
  const topic = askTopic(ctx);
  const buttons = topic.buttons!.slice(0, -1);
  const askable = !!text && text.length <= MAX_QUESTION_LENGTH;
  if (askable) buttons.push({ label: S.askInstead, action: 'bc:q' });
  buttons.push(cancelButton(ctx));
  // A picture sent as it is: most are screenshots of a post seen on Facebook or Zalo, which
  // cannot be forwarded here.
  const intro = item.forwarded ? S.forwarded : item.link ? S.link : S.picture;
  return [{ text: askable ? `${intro} ${S.askHint}` : intro, buttons }];
}

/** A web address, with or without its scheme when it names a social network or video site. */
const LINK = /\bhttps?:\/\/\S+|(?:^|\s)(?:www\.|m\.)?(?:facebook\.com|fb\.com|fb\.watch|zalo\.me|tiktok\.com|youtube\.com|youtu\.be)\/\S*/giu;

/**
 * A message that is a link with at most a few words around it (a post pasted to ask whether it
 * is true). A longer question that cites an address is a question, and is answered as one.
 */
export function isPastedLink(text: string): boolean {
  if (!text.match(LINK)) return false;
  const rest = text.replace(LINK, ' ').split(/\s+/u).filter((w) => /\p{L}|\p{N}/u.test(w));
  return rest.length <= 12;
}

function askPlatform(ctx: TurnContext): Reply {
  const label = (p: { id: string; label: string }): string => (ctx.person.lang === 'en' ? (PLATFORM_EN[p.id] ?? p.label) : p.label);
  return { text: textsOf(ctx).platform, buttons: [...PLATFORMS.map((p) => ({ label: label(p), action: `bc:p:${p.id}` })), cancelButton(ctx)] };
}

/** `/baocao huỷ [BC-2026-0001]`: cancel (the word alone) or take back a report sent (with its number). */
const RETRACT = /^(?:huỷ|hủy|huy|rút(?:\s+lại)?|rut(?:\s+lai)?|cancel)(?:\s+(?:báo\s+cáo\s+|bao\s+cao\s+)?(BC-\d{4}-\d{1,6}))?\s*[.!]?$/iu;

function retract(ctx: TurnContext, number: string | undefined): Reply[] {
  const S = textsOf(ctx);
  if (!number) {
    // The word alone: a report under way is cancelled, as the button does.
    if (draftOf(ctx)) {
      saveDraft(ctx, undefined);
      return [{ text: S.cancelled }];
    }
    return [{ text: S.retractHow }];
  }
  const n = number.toUpperCase();
  return [{ text: retractReport(ctx.db, ctx.person.id, n, ctx.now) ? S.retracted(n) : S.notYours(n) }];
}

function start(ctx: TurnContext, args: string): Reply[] {
  const S = textsOf(ctx);
  if (ctx.inbound.group) return [{ text: S.group }];
  // Before the per-day limit: taking a report back is never refused.
  const r = args.trim().normalize('NFC').match(RETRACT);
  if (r) return retract(ctx, r[1]);
  const limited = overLimit(ctx);
  if (limited) return limited;
  if (!args.trim()) {
    saveDraft(ctx, { step: 'content' });
    return [{ text: S.ask, buttons: [cancelButton(ctx)] }];
  }
  saveDraft(ctx, { step: 'topic', text: args.trim() });
  return [askTopic(ctx)];
}

async function finish(ctx: TurnContext, draft: Draft, platform: string, pictures: PictureKeys | undefined): Promise<Reply[]> {
  const S = textsOf(ctx);
  saveDraft(ctx, undefined);
  const limited = overLimit(ctx);
  if (limited) return limited;
  // A picture the platform gave no identity for (a Zalo image: URLs only) is grouped by its
  // content; its fetch began when it was sent, so this rarely waits (./picture-key.ts).
  const mediaKey = draft.mediaKey ?? (draft.mediaRef && pictures ? await pictures.keyOf(ctx.inbound.channel, draft.mediaRef) : null);
  const { caseId, number } = recordReport(
    ctx.db,
    { personId: ctx.person.id, channel: ctx.inbound.channel, region: ctx.person.region ?? null, text: draft.text ?? null, mediaRef: draft.mediaRef ?? null, mediaKey, topic: draft.topic ?? null, platform, source: ctx.inbound.source ?? null },
    ctx.now,
  );
  // A case already closed: the reporter is told its outcome now, not at a later staff step.
  const c = getCase(ctx.db, caseId);
  if (c && TOLD_STATUSES.includes(c.status)) {
    const correction = c.status === 'handled' ? correctionOf(ctx.knowledge, c.correctionId, ctx.person.lang) : undefined;
    markReportersTold(ctx.db, caseId, [ctx.person.id], c.status, ctx.now, correction ? c.correctionId : null);
    return [{ text: S.done(number) }, outcomeReply(c, correction, ctx.person.lang)];
  }
  return [{ text: S.done(number) }];
}

const REPORT_LABEL_FOLDED = foldedCanonical(REPORT_MENU_LABEL);
const REPORT_LABEL_WORDS = REPORT_LABEL_FOLDED.split(' ').length;
const WORD_RUN = /[\p{L}\p{M}\p{N}]+/gu;

/**
 * Whether a typed text is the menu entry's label (as {@link foldedCanonical} compares text). A
 * text of more words than the label cannot be it: every message is asked, and a long question
 * stops here after a few words instead of being folded whole.
 */
export function isReportLabel(text: string): boolean {
  let words = 0;
  for (const _ of text.matchAll(WORD_RUN)) if (++words > REPORT_LABEL_WORDS) return false;
  return foldedCanonical(text) === REPORT_LABEL_FOLDED;
}

/** A picture sent: a report's screenshot, or one offered for reporting (see the feature's onMedia). */
function onMedia(ctx: TurnContext, media: MediaRef, prefetch: (ctx: TurnContext, media: MediaRef) => void): Reply[] | null {
  const draft = draftOf(ctx);
  const caption = media.caption?.trim() ?? '';
  const command = /^\/baocao(?:@\S+)?(?:\s|$)/i.test(caption);
  if (draft?.step !== 'content' && !command) {
    if (ctx.inbound.group) return null;
    // A forwarded picture, or one sent with words ("tin này có thật không?"), is most likely
    // a post the person wonders about; a bare picture may be anything: it gets the "text
    // only" reply, with how to report it.
    if (ctx.inbound.forwarded || caption) return offerReport(ctx, { text: caption, mediaRef: media.ref, ...(media.key ? { mediaKey: media.key } : {}), forwarded: ctx.inbound.forwarded === true });
    return overLimit(ctx) ? null : [{ text: `${textsFor(ctx.person.lang).unsupported} ${textsOf(ctx).pictureHint}` }];
  }
  if (command) {
    const limited = ctx.inbound.group ? [{ text: textsOf(ctx).group }] : overLimit(ctx);
    if (limited) return limited;
  }
  const text = (command ? caption.replace(/^\/baocao(?:@\S+)?/i, '') : caption).trim().slice(0, 2000);
  saveDraft(ctx, { step: 'topic', mediaRef: media.ref, ...(media.key ? { mediaKey: media.key } : {}), ...(text ? { text } : {}) });
  // Sent to report it: its content key is worked out while the person answers the two questions.
  prefetch(ctx, media);
  return [askTopic(ctx)];
}

/** What the report feature may use. */
export interface DisinfoFeatureDeps {
  /** Content keys of pictures whose platform gives no file identity (Zalo); without it they group by URL. */
  pictures?: PictureKeys;
}

/** Creates the disinformation report feature. */
export function createDisinfoFeature(deps: DisinfoFeatureDeps = {}): Feature {
  /**
   * Starts working out the content key of a report's picture (a fetch from its platform), so that
   * the report's last step finds it done. Never for a picture merely offered for reporting.
   */
  const prefetch = (ctx: TurnContext, media: MediaRef): void => {
    if (!media.key && deps.pictures) void deps.pictures.keyOf(ctx.inbound.channel, media.ref);
  };
  return speaksPersonLang({
    name: 'disinfo',
    commands: { [REPORT_COMMAND]: (ctx, args) => start(ctx, args) },
    actions: {
      bc: (ctx, payload) => {
        const S = textsOf(ctx);
        const draft = draftOf(ctx);
        if (payload === 'x') {
          saveDraft(ctx, undefined);
          return [{ text: S.cancelled }];
        }
        // `bc:start` lets any menu button or keyboard open a report.
        if (payload === 'start') return start(ctx, '');
        // "Tôi muốn hỏi" on a forwarded message: it is answered as a question after all.
        if (payload === 'q') {
          if (!draft?.text || draft.step !== 'topic') return [{ text: S.expired }];
          saveDraft(ctx, undefined);
          return answerQuestion(ctx, draft.text);
        }
        const [kind, arg = ''] = [payload.slice(0, 1), payload.slice(2)];
        if (!draft || (!draft.text && !draft.mediaRef)) return [{ text: S.expired }];
        if (kind === 't') {
          const known = arg === OTHER_TOPIC || ctx.knowledge.state.topics.some((t) => t.slug === arg);
          if (!known) return [askTopic(ctx)];
          saveDraft(ctx, { ...draft, step: 'platform', topic: arg });
          // A picture offered for reporting (most are asked about instead) is fetched once the person reports it.
          if (draft.mediaRef) prefetch(ctx, { kind: 'image', ref: draft.mediaRef, ...(draft.mediaKey ? { key: draft.mediaKey } : {}) });
          return [askPlatform(ctx)];
        }
        if (kind === 'p' && draft.topic) {
          if (!PLATFORMS.some((p) => p.id === arg)) return [askPlatform(ctx)];
          return finish(ctx, draft, arg, deps.pictures);
        }
        return [{ text: S.expired }];
      },
    },
    onMedia: (ctx, media) => onMedia(ctx, media, prefetch),
    // A video or a file sent as the report's post: said what it can take, in the report's words
    // (it got "type your question in words", though the person was reporting, not asking).
    onUnreadable: (ctx) => (draftOf(ctx)?.step === 'content' && !ctx.inbound.group ? [{ text: textsOf(ctx).unreadable }] : null),
    onText: (ctx, text) => {
      const draft = draftOf(ctx);
      // "Huỷ" typed while the report waits for the post means the cancel beside it: it became the
      // report's text before (found by the subscriber trial).
      // A subscriber who meant the news is told how to stop it: one word, two intents, and the
      // report is the one under way.
      if (draft && !ctx.inbound.group && isCancelWord(text)) {
        saveDraft(ctx, undefined);
        const subscribed = ctx.person.consentAt !== null && ctx.person.optedOutAt === null;
        return [{ text: subscribed ? `${textsOf(ctx).cancelled} ${textsOf(ctx).stopNewsHint}` : textsOf(ctx).cancelled }];
      }
      if (draft?.step === 'content' && !ctx.inbound.group) {
        saveDraft(ctx, { step: 'topic', text: text.slice(0, 2000) });
        return [askTopic(ctx)];
      }
      if (isReportLabel(text)) return start(ctx, '');
      if (ctx.inbound.forwarded && !ctx.inbound.group) return offerReport(ctx, { text, forwarded: true });
      // A link pasted with a few words ("https://facebook.com/… cái này có đúng không") is a post
      // the person saw and wonders about, as a forwarded one is. It was answered as a question:
      // no entry has a link's words, so it got the no-answer and went to the staff's question
      // queue, not to the reports (the plan's "found and handled" count missed it).
      if (!ctx.inbound.group && isPastedLink(text)) return offerReport(ctx, { text, link: true });
      return null;
    },
    // A post pasted or forwarded into a report may be longer than a question may be.
    takesLongText: (ctx) => !ctx.inbound.group && (draftOf(ctx)?.step === 'content' || (ctx.inbound.forwarded === true && !overLimit(ctx))),
    help: [S.help],
    helpEn: [S_EN.help],
  });
}
