/**
 * The core feature: /start, /help, the topic menu, questions to the knowledge base, showing an
 * answer or a passage, /dulieucuatoi (what is held about the person) and /xoadulieu. Registered
 * last, so other features see text first.
 */
import { staffContact } from './contact.js';
import { fold, foldedCanonical } from '../text/vietnamese.js';
import type { Button, Reply } from '../messages.js';
import { erasePerson, setPersonLang, setPersonState } from '../db/people.js';
import { noteTurnedAway, openUnansweredOf, queueRoom, recordAnswerGiven, recordQuestion, recordUnanswered } from '../db/questions.js';
import { formatVietnamTime } from '../time/vietnam.js';
import type { ArticleEntry, Passage, QaEntry } from '../knowledge/content.js';
import { normalizeQuestion, type Answer } from '../knowledge/knowledge.js';
import type { Feature, TurnContext } from './types.js';
import { typedChoiceNumber } from './choice-number.js';
import { T as VI } from './texts.js';
import { LANG_TEXTS, textsFor, type Texts } from './texts-en.js';
import { detectLanguage, type Lang } from '../text/language.js';
import { classifySmallTalk, stripGreeting, type SmallTalkKind } from './smalltalk.js';
import { FEEDBACK_ACTION, answerRef, feedbackAction, noteReask, withFeedback } from './feedback.js';
import { MY_DATA_COMMAND, myDataReplies } from './my-data.js';
import { recordAudit } from '../db/audit.js';
import { stripControls } from '../text/controls.js';

/** Formats an ISO date (YYYY-MM-DD) the Vietnamese way: 15/10/2026. */
export function viDate(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}

/**
 * Content is written in light Markdown; replies are plain text that each channel escapes and
 * formats itself. Emphasis markers and heading hashes are dropped so no channel shows "**".
 */
export function plainText(md: string): string {
  return md
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/__(.+?)__/g, '$1')
    .replace(/(^|\s)\*(\S.*?\S|\S)\*(?=\s|[.,;:!?)]|$)/gm, '$1$2')
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/^\s*[-*]\s+/gm, '• ');
}

/** A review date in the reply's language: 15/10/2026, or 2026-10-15 in English. */
const dateIn = (T: Texts, iso: string): string => (T === VI ? viDate(iso) : iso.slice(0, 10));

/** Renders an approved Q&A as a reply: answer, sources, review date (labels in `T`'s language). */
export function qaReply(qa: QaEntry, related: Button[] = [], T: Texts = VI): Reply {
  const sources = qa.sources.map((s) => `• ${s.title}${s.article ? `, ${s.article}` : ''}`).join('\n');
  const parts = [plainText(qa.answer), `${T.sources}\n${sources}`];
  if (qa.reviewedAt) parts.push(T.reviewed(dateIn(T, qa.reviewedAt)));
  const links = qa.sources.filter((s) => s.url).map((s) => ({ label: s.title.slice(0, 60), url: s.url! }));
  return {
    title: qa.question,
    text: parts.join('\n\n'),
    ...(related.length ? { buttons: related } : {}),
    ...(links.length ? { links: links.slice(0, 3) } : {}),
  };
}

/**
 * Whether an article's title already says what a passage's heading says: an office that names
 * the article after the law's article ("Luật BHXH 2024 – Điều 54: Thời gian hưởng…") served
 * "… – Điều 54: Thời gian hưởng… – Điều 54. Thời gian hưởng…" (found by the content author
 * trial). The same "Điều N", or the whole heading, in the title.
 */
function headingInTitle(title: string, heading: string): boolean {
  const t = foldedCanonical(title);
  const h = foldedCanonical(heading);
  const article = /^dieu (\d+[a-z]?)\b/.exec(h);
  return (article !== null && new RegExp(`\\bdieu ${article[1]}\\b`).test(t)) || (h.length > 0 && t.includes(h));
}

/** Renders one article passage as a reply, with the article's source. */
export function passageReply(article: ArticleEntry, passage: Passage, related: Button[] = [], T: Texts = VI): Reply {
  const src = `${T.sources}\n• ${article.source.title}${article.source.article ? `, ${article.source.article}` : ''}`;
  const title = passage.n === 0 || headingInTitle(article.title, passage.heading) ? article.title : `${article.title} – ${passage.heading}`;
  const more =
    article.passages.length > 1
      ? article.passages
          .filter((p) => p.id !== passage.id)
          .slice(0, 3)
          .map((p) => ({ label: p.heading.slice(0, 60), action: `p:${p.id}` }))
      : [];
  return {
    title,
    text: [plainText(passage.text), src, T.reviewed(dateIn(T, article.published))].join('\n\n'),
    ...([...related, ...more].length ? { buttons: [...related, ...more].slice(0, 5) } : {}),
    ...(article.source.url ? { links: [{ label: T.readMore, url: article.source.url }] } : {}),
  };
}

function suggestionButtons(s: { id: string; label: string }[]): Button[] {
  return s.map((x) => ({
    label: x.label.length > 60 ? `${x.label.slice(0, 57)}…` : x.label,
    action: x.id.includes('#') ? `p:${x.id}` : `qa:${x.id}`,
  }));
}

/**
 * Answers a free-text question: small talk gets a friendly reply with the topic menu; a question
 * gets the approved answer (with "có hữu ích không?" 👍/👎), or the honest no-answer with
 * suggestions and a place in the staff queue. A greeting the question starts with is left out
 * of the search ("Chào bạn, cho mình hỏi …"), so it cannot pick the entry.
 */
export async function answerQuestion(ctx: TurnContext, question: string): Promise<Reply[]> {
  const small = classifySmallTalk(question);
  if (small) return [smallTalkReply(ctx, small)];
  const query = stripGreeting(question) || question;
  // Before this answer is recorded: is it the last answer's question asked again?
  noteReask(ctx, query);
  // A question is answered in its own language (never an English answer to a Vietnamese
  // question); a person who never chose a language (/en, /vi) is then answered in it.
  const lang = ctx.lang;
  const T = textsFor(lang);
  const a: Answer = await ctx.knowledge.answerAsync(query, lang);
  const personId = ctx.person.id;
  if (lang !== ctx.person.lang && !ctx.person.langChosen) ctx.record(() => setPersonLang(ctx.db, personId, lang, false));
  const channel = ctx.inbound.channel;
  const normalized = normalizeQuestion(query).slice(0, 1000);
  if (a.kind === 'answer' && (a.qa || (a.article && a.passage))) {
    const topics = a.qa?.topics ?? a.article?.topics ?? [];
    const related = suggestionButtons(a.alternatives.slice(0, 2));
    const shown = a.qa ? qaReply(a.qa, related, T) : passageReply(a.article!, a.passage!, related, T);
    // No English answer, a Vietnamese one matched: it is given with a one-line English note.
    const reply = a.kind === 'answer' && a.fallback ? { ...shown, text: `${LANG_TEXTS.en.fallbackNote}\n\n${shown.text}` } : shown;
    const ref = answerRef(ctx.inbound);
    ctx.record(() => {
      recordQuestion(ctx.db, { personId, channel, answered: true, answerId: a.id, topics, score: a.confidence }, ctx.now);
      recordAnswerGiven(
        ctx.db,
        { ref, personId, channel, question: question.slice(0, 1000), normalized, answerId: a.id, answerTitle: reply.title, confidence: a.confidence },
        ctx.now,
      );
    });
    return [withFeedback(reply, ref, ctx.caps.maxButtons, T)];
  }
  const suggestions = a.kind === 'none' ? a.suggestions : [];
  if (a.kind === 'none' && a.reason === 'vague') {
    // One word is a topic, not a question for staff: counted as not answered, not queued.
    ctx.record(() => recordQuestion(ctx.db, { personId, channel, answered: false, score: a.confidence }, ctx.now));
    return [{ text: T.vagueQuestion(stripControls(query).trim().replace(/[?!.,…]+$/u, '').slice(0, 40)), buttons: suggestionButtons(suggestions) }];
  }
  // Asked again while it waits (people repeat a question that got no answer): one queue item,
  // so staff see it once and the person is told once when it is answered.
  // Compared as folded syllables of the stored canonical form: "lam the can cuoc o dau" repeats
  // "Làm thẻ căn cước ở đâu?" (the person's latest open questions only: db/questions.ts).
  const asked = fold(normalized);
  const waitingSince = openUnansweredOf(ctx.db, personId).find((u) => fold(u.normalized) === asked)?.createdAt ?? null;
  // The staff queue's caps per person and per web source (db/questions.ts queueRoom): past them
  // the question still gets the honest no-answer and counts in the reports, but is not queued,
  // and the person is told so (never a silent refusal).
  const source = ctx.inbound.source;
  const room = waitingSince === null ? queueRoom(ctx.db, { personId, ...(source ? { source } : {}) }, ctx.now) : 'ok';
  ctx.record(() => {
    recordQuestion(ctx.db, { personId, channel, answered: false, score: a.confidence }, ctx.now);
    if (room !== 'ok') noteTurnedAway(ctx.db, room, ctx.now);
    else if (waitingSince === null)
      recordUnanswered(
        ctx.db,
        { personId, channel, question: question.slice(0, 1000), normalized, suggestions: suggestions.map((s) => s.id), ...(source ? { source } : {}) },
        ctx.now,
      );
  });
  const contact = staffContact(ctx);
  const lines: string[] =
    room !== 'ok'
      ? [T.noAnswerNotQueued, room === 'person' ? T.queueFullPerson : T.queueFullSource]
      : [
          waitingSince === null ? T.noAnswer : T.alreadyQueued(askedAt(waitingSince, ctx.now, lang)),
          ctx.caps.canPush === false ? T.noAnswerNotifyWeb : ctx.inbound.group ? T.noAnswerNotifyGroup : T.noAnswerNotify,
        ];
  if (contact) lines.push(T.noAnswerContact(contact));
  if (suggestions.length) lines.push('', T.suggestionsIntro);
  return [
    {
      text: lines.join('\n'),
      buttons: suggestions.length ? suggestionButtons(suggestions) : [{ label: T.menuButton, action: 'menu' }],
    },
  ];
}

/** When a waiting question was sent, Viet Nam time: "09:05 hôm nay", "09:05 ngày 06/12/2026". */
function askedAt(iso: string, now: Date, lang: Lang): string {
  const today = formatVietnamTime(iso, 'yyyy-MM-dd') === formatVietnamTime(now, 'yyyy-MM-dd');
  if (lang === 'en') return today ? `today at ${formatVietnamTime(iso, 'HH:mm')}` : formatVietnamTime(iso, 'yyyy-MM-dd HH:mm');
  return formatVietnamTime(iso, today ? 'HH:mm hôm nay' : 'HH:mm ngày dd/MM/yyyy');
}

/** The bot's greeting in a language (the configured one is Vietnamese). */
function greetingIn(ctx: Pick<TurnContext, 'config'>, lang: Lang): string {
  return lang === 'en' ? LANG_TEXTS.en.greeting(ctx.config.bot.name) : ctx.config.bot.greeting;
}

/**
 * What /start answers: the greeting and the topic menu. It depends on no one's state, so the
 * web chat greets a page view with it without storing anything (channels/web/web.ts): a page
 * with the chat built in greets every view, and a greeting stored each time made a person per
 * view and counted it as a new chat from the address.
 */
export function startReplies(ctx: Pick<TurnContext, 'config' | 'knowledge'>, lang: Lang): Reply[] {
  return [{ text: greetingIn(ctx, lang) }, topicMenu(ctx, lang)];
}

/**
 * The reply to small talk: a short friendly line (the bot's own greeting for a greeting) and
 * the topic menu, so the next step is one tap away. Nothing is recorded: small talk is neither
 * a question for the reports nor work for staff.
 */
export function smallTalkReply(ctx: TurnContext, kind: SmallTalkKind): Reply {
  // Small talk ("hi", "ok", "thanks") is answered in the person's language: Vietnamese people
  // type "hello" too. An English one from someone answered in Vietnamese is told about /en.
  // The other way round is no such habit: "cảm ơn" after one question asked in English is a
  // Vietnamese person, answered in Vietnamese from then on (it got "You are welcome!"), unless
  // they chose English with /en.
  const back = ctx.lang === 'vi' && ctx.person.lang === 'en' && !ctx.person.langChosen;
  if (back) {
    const personId = ctx.person.id;
    ctx.record(() => setPersonLang(ctx.db, personId, 'vi', false));
    ctx.person.lang = 'vi';
  }
  const lang = ctx.person.lang ?? 'vi';
  const T = textsFor(lang);
  const hint = ctx.lang === 'en' && lang === 'vi' ? '\n\nType /en for English.' : '';
  const greeting = greetingIn(ctx, lang) + hint;
  const text =
    kind === 'greeting' || kind === 'call'
      ? greeting
      : kind === 'who'
        ? `${greeting}\n\n${T.smallTalk.who}`
        : kind === 'emoji'
          ? T.emojiOnly
          : kind === 'human'
            ? T.smallTalk.human(staffContact(ctx)) + hint
            : T.smallTalk[kind] + hint;
  const menu = topicMenu(ctx, lang);
  return { text, lang, ...(menu.buttons?.length ? { buttons: menu.buttons } : {}) };
}

/** The topics that have approved Q&A in a language, with their names in it. */
function topicMenu(ctx: Pick<TurnContext, 'knowledge'> & { lang?: Lang }, lang: Lang = ctx.lang ?? 'vi'): Reply {
  const topics = ctx.knowledge.state.topics.filter((t) => ctx.knowledge.qaByTopic(t.slug, lang).length > 0);
  const name = (t: (typeof topics)[number]): string => (lang === 'en' ? (t.name_en ?? t.name) : t.name);
  return { text: textsFor(lang).menuTitle, buttons: topics.map((t) => ({ label: name(t), action: `topic:${t.slug}` })) };
}

/** /en and /vi: the language the person is answered in, remembered. */
function switchLanguage(ctx: TurnContext, lang: Lang): Reply[] {
  setPersonLang(ctx.db, ctx.person.id, lang, true);
  ctx.person.lang = lang;
  ctx.person.langChosen = true;
  return [{ text: LANG_TEXTS[lang].switched, lang }, { ...topicMenu(ctx, lang), lang }];
}

/** /xoadulieu: the request is recorded and confirmed with "Đồng ý xoá" / "Không xoá". */
function askToErase(ctx: TurnContext): Reply[] {
  setPersonState(ctx.db, ctx.person.id, { ...(ctx.person.state ?? {}), eraseRequestedAt: ctx.now.toISOString() });
  // The request is on record even if never confirmed (the confirmation is 'privacy.erase').
  recordAudit(ctx.db, { actor: `person:${ctx.person.id}`, action: 'privacy.erase_request', targetType: 'person', targetId: ctx.person.id }, ctx.now);
  const T = textsFor(ctx.lang);
  return [
    {
      text: T.eraseConfirm,
      buttons: [
        { label: T.eraseYes, action: 'erase:yes' },
        { label: T.eraseNo, action: 'erase:no' },
      ],
    },
  ];
}

/**
 * Whole-message answers to "Bạn muốn xoá dữ liệu cá nhân của mình …?" typed instead of picking
 * "Đồng ý xoá" / "Không xoá" (folded, particles aside). Before, "không" got the small-talk
 * "Vâng ạ" and left the request open without saying nothing was erased, and "huỷ" was read as
 * stopping the news ("Bạn đã thôi nhận tin").
 */
const ERASE_TYPED: Record<'yes' | 'no', readonly string[]> = {
  no: [
    'không', 'ko', 'k', 'khong', 'không xoá', 'đừng xoá', 'không đồng ý', 'thôi', 'thôi không xoá', 'huỷ', 'hủy', 'huỷ bỏ',
    'bỏ qua', 'chưa', 'để sau', 'giữ lại', 'no', 'cancel', 'do not', "don't",
  ],
  yes: ['có', 'đồng ý', 'có xoá', 'xoá', 'xoá đi', 'xoá hết', 'xoá hết đi', 'ok', 'oke', 'okay', 'vâng', 'dạ', 'dạ vâng', 'dạ có', 'vâng xoá', 'yes', 'xác nhận', 'chắc chắn'],
};
const ERASE_FILLERS = new Set(['a', 'ah', 'ạ', 'nhe', 'nhé', 'nha', 'nhá', 'ban', 'bạn', 'ad', 'loa', 'bot', 'oi', 'ơi', 'giup', 'giúp', 'toi', 'tôi', 'minh', 'mình', 'em', 'du', 'dữ', 'lieu', 'liệu', 'please']);
const eraseTyped = new Map<string, 'yes' | 'no'>();
for (const k of ['yes', 'no'] as const) for (const p of ERASE_TYPED[k]) eraseTyped.set(foldedCanonical(p), k);

/**
 * The erase confirmation's action a typed "không", "huỷ", "có", "đồng ý ạ" stands for, when the
 * last choices offered were that confirmation; null otherwise.
 */
export function eraseFromText(text: string, choices: readonly string[] | null | undefined): string | null {
  if (!choices?.includes('erase:yes')) return null;
  const words = text.normalize('NFC').toLowerCase().split(/[^\p{L}\p{M}\p{N}']+/u).filter(Boolean);
  if (words.length === 0 || words.length > 6) return null;
  const kept = words.filter((w) => !ERASE_FILLERS.has(w));
  const answer = kept.length ? eraseTyped.get(foldedCanonical(kept.join(' '))) : undefined;
  return answer ? `erase:${answer}` : null;
}

/** Creates the core feature. */
export function createCoreFeature(): Feature {
  return {
    name: 'core',
    commands: {
      start: (ctx) => startReplies(ctx, ctx.lang),
      help: (ctx) => [{ text: helpText(ctx), buttons: [{ label: textsFor(ctx.lang).menuButton, action: 'menu' }] }],
      en: (ctx) => switchLanguage(ctx, 'en'),
      vi: (ctx) => switchLanguage(ctx, 'vi'),
      chude: (ctx) => [topicMenu(ctx)],
      menu: (ctx) => [topicMenu(ctx)],
      hoi: (ctx, args) => (args ? answerQuestion({ ...ctx, lang: detectLanguage(args) ?? ctx.lang }, args) : [{ text: textsFor(ctx.lang).askHint }]),
      [MY_DATA_COMMAND]: (ctx) => myDataReplies(ctx),
      xoadulieu: (ctx) => askToErase(ctx),
    },
    actions: {
      [FEEDBACK_ACTION]: feedbackAction,
      menu: (ctx) => [topicMenu(ctx)],
      help: (ctx) => [{ text: helpText(ctx) }],
      topic: (ctx, slug) => {
        const T = textsFor(ctx.lang);
        const topic = ctx.knowledge.state.topics.find((t) => t.slug === slug);
        const qa = ctx.knowledge.qaByTopic(slug, ctx.lang);
        if (!topic || qa.length === 0) return [{ text: T.topicEmpty, buttons: [{ label: T.menuButton, action: 'menu' }] }];
        return [
          {
            text: T.topicTitle(ctx.lang === 'en' ? (topic.name_en ?? topic.name) : topic.name),
            buttons: qa.slice(0, 10).map((q) => ({
              label: q.question.length > 60 ? `${q.question.slice(0, 57)}…` : q.question,
              action: `qa:${q.id}`,
            })),
          },
        ];
      },
      qa: (ctx, id) => {
        const T = textsFor(ctx.lang);
        const qa = ctx.knowledge.getQa(id);
        if (!qa || !ctx.knowledge.qaByTopic(qa.topics[0]!, qa.lang).some((q) => q.id === id)) return [{ text: T.notFound }];
        ctx.record(() => recordQuestion(ctx.db, { personId: ctx.person.id, channel: ctx.inbound.channel, answered: true, answerId: id, topics: qa.topics, score: 1 }, ctx.now));
        // The way on: the topic's other questions, or the topics. The answer ended with nothing
        // to press (on Zalo nothing to type a number for), and the list was far up the chat.
        const topic = ctx.knowledge.state.topics.find((t) => t.slug === qa.topics[0]);
        const name = topic ? (ctx.lang === 'en' ? (topic.name_en ?? topic.name) : topic.name) : null;
        const more = name ? T.moreInTopic(name) : null;
        const nav = [
          ...(more ? [{ label: more.length > 60 ? `${more.slice(0, 59)}…` : more, action: `topic:${qa.topics[0]}` }] : []),
          { label: T.menuButton, action: 'menu' },
        ];
        return [qaReply(qa, nav, T)];
      },
      p: (ctx, id) => {
        const T = textsFor(ctx.lang);
        const found = ctx.knowledge.getPassage(id);
        if (!found || found.article.status !== 'approved') return [{ text: T.notFound }];
        return [passageReply(found.article, found.passage, [], T)];
      },
      erase: (ctx, answer) => {
        const pending = ctx.person.state?.eraseRequestedAt;
        const T = textsFor(ctx.lang);
        // "Đồng ý xoá" pressed once the request is no longer on record (another step replaced
        // the person's state, or an old message's button): asked again, never told "Đã huỷ".
        if (answer === 'yes' && !pending) return askToErase(ctx);
        if (answer !== 'yes') {
          setPersonState(ctx.db, ctx.person.id, null);
          return [{ text: T.eraseCancelled }];
        }
        erasePerson(ctx.db, ctx.person.id, ctx.now);
        return [{ text: T.eraseDone }];
      },
    },
    // A number that no open choice takes (the conversation tried them first): "1" after the
    // thanks, "99" on an 8-choice menu, "số 3" with no list open. It went to the staff queue as
    // a question.
    onText: (ctx, text) => (typedChoiceNumber(text) !== null ? [{ ...topicMenu(ctx), text: textsFor(ctx.lang).strayNumber }] : answerQuestion(ctx, text)),
  };
}

/**
 * /help for this channel: `/hoi` asks in a group chat, so it is listed only where the channel
 * has groups (Telegram); Zalo's OA and the web chat have none.
 */
function helpText(ctx: TurnContext): string {
  const text = textsFor(ctx.lang).help;
  // Nor /dangky where the channel cannot write first (the web chat refuses it): the help
  // offered what the next message turned down.
  return text
    .split('\n')
    .filter((l) => (ctx.caps.groupChats || !l.startsWith('• /hoi ')) && (ctx.caps.canPush !== false || !l.startsWith('• /dangky ')))
    .join('\n');
}
