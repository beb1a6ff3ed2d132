/**
 * The core feature: /start, /help, the topic menu, questions to the knowledge base, showing an
 * answer or a passage, /dulieucuatoi (what is held about the person) and /xoadulieu. Registered
 * last, so other features see text first.
 */
import type { Button, Reply } from '../messages.js';
import { erasePerson, setPersonState } from '../db/people.js';
import { recordAnswerGiven, recordQuestion, recordUnanswered } from '../db/questions.js';
import type { ArticleEntry, Passage, QaEntry } from '../knowledge/content.js';
import { normalizeQuestion, type Answer } from '../knowledge/knowledge.js';
import type { Feature, TurnContext } from './types.js';
import { T } from './texts.js';
import { classifySmallTalk, stripGreeting, type SmallTalkKind } from './smalltalk.js';
import { FEEDBACK_ACTION, answerRef, feedbackAction, noteReask, withFeedback } from './feedback.js';
import { MY_DATA_COMMAND, myDataReplies } from './my-data.js';
import { recordAudit } from '../db/audit.js';

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

/** Renders an approved Q&A as a reply: answer, sources, review date. */
export function qaReply(qa: QaEntry, related: Button[] = []): Reply {
  const sources = qa.sources.map((s) => `• ${s.title}${s.article ? `, ${s.article}` : ''}`).join('\n');
  const parts = [plainText(qa.answer), `${T.sources}\n${sources}`];
  if (qa.reviewedAt) parts.push(T.reviewed(viDate(qa.reviewedAt)));
  const links = qa.sources.filter((s) => s.url).map((s) => ({ label: s.title.slice(0, 60), url: s.url! }));
  return {
    title: qa.question,
    text: parts.join('\n\n'),
    ...(related.length ? { buttons: related } : {}),
    ...(links.length ? { links: links.slice(0, 3) } : {}),
  };
}

/** Renders one article passage as a reply, with the article's source. */
export function passageReply(article: ArticleEntry, passage: Passage, related: Button[] = []): Reply {
  const src = `${T.sources}\n• ${article.source.title}${article.source.article ? `, ${article.source.article}` : ''}`;
  const title = passage.n === 0 ? article.title : `${article.title} – ${passage.heading}`;
  const more =
    article.passages.length > 1
      ? article.passages
          .filter((p) => p.id !== passage.id)
          .slice(0, 3)
          .map((p) => ({ label: p.heading.slice(0, 60), action: `p:${p.id}` }))
      : [];
  return {
    title,
    text: [plainText(passage.text), src, T.reviewed(viDate(article.published))].join('\n\n'),
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
  const a: Answer = await ctx.knowledge.answerAsync(query);
  const personId = ctx.person.id;
  const channel = ctx.inbound.channel;
  const normalized = normalizeQuestion(query).slice(0, 1000);
  if (a.kind === 'answer' && (a.qa || (a.article && a.passage))) {
    const topics = a.qa?.topics ?? a.article?.topics ?? [];
    const related = suggestionButtons(a.alternatives.slice(0, 2));
    const reply = a.qa ? qaReply(a.qa, related) : passageReply(a.article!, a.passage!, related);
    const ref = answerRef(ctx.inbound);
    ctx.record(() => {
      recordQuestion(ctx.db, { personId, channel, answered: true, answerId: a.id, topics, score: a.confidence }, ctx.now);
      recordAnswerGiven(
        ctx.db,
        { ref, personId, channel, question: question.slice(0, 1000), normalized, answerId: a.id, answerTitle: reply.title, confidence: a.confidence },
        ctx.now,
      );
    });
    return [withFeedback(reply, ref, ctx.caps.maxButtons)];
  }
  const suggestions = a.kind === 'none' ? a.suggestions : [];
  ctx.record(() => {
    recordQuestion(ctx.db, { personId, channel, answered: false, score: a.confidence }, ctx.now);
    recordUnanswered(
      ctx.db,
      { personId, channel, question: question.slice(0, 1000), normalized, suggestions: suggestions.map((s) => s.id) },
      ctx.now,
    );
  });
  const contact = ctx.config.bot.staff_contact;
  const lines: string[] = [T.noAnswer];
  if (contact) lines.push(T.noAnswerContact([contact.name, contact.phone, contact.email].filter(Boolean).join(', ')));
  if (suggestions.length) lines.push('', T.suggestionsIntro);
  return [
    {
      text: lines.join('\n'),
      buttons: suggestions.length ? suggestionButtons(suggestions) : [{ label: T.menuButton, action: 'menu' }],
    },
  ];
}

/**
 * The reply to small talk: a short friendly line (the bot's own greeting for a greeting) and
 * the topic menu, so the next step is one tap away. Nothing is recorded: small talk is neither
 * a question for the reports nor work for staff.
 */
export function smallTalkReply(ctx: TurnContext, kind: SmallTalkKind): Reply {
  const greeting = ctx.config.bot.greeting;
  const text =
    kind === 'greeting' || kind === 'call'
      ? greeting
      : kind === 'who'
        ? `${greeting}\n\n${T.smallTalk.who}`
        : kind === 'emoji'
          ? T.emojiOnly
          : T.smallTalk[kind];
  const menu = topicMenu(ctx);
  return { text, ...(menu.buttons?.length ? { buttons: menu.buttons } : {}) };
}

function topicMenu(ctx: TurnContext): Reply {
  const topics = ctx.knowledge.state.topics.filter((t) => ctx.knowledge.qaByTopic(t.slug).length > 0);
  return { text: T.menuTitle, buttons: topics.map((t) => ({ label: t.name, action: `topic:${t.slug}` })) };
}

/** Creates the core feature. */
export function createCoreFeature(): Feature {
  return {
    name: 'core',
    commands: {
      start: (ctx) => [{ text: ctx.config.bot.greeting }, topicMenu(ctx)],
      help: () => [{ text: T.help, buttons: [{ label: T.menuButton, action: 'menu' }] }],
      chude: (ctx) => [topicMenu(ctx)],
      menu: (ctx) => [topicMenu(ctx)],
      hoi: (ctx, args) => (args ? answerQuestion(ctx, args) : [{ text: T.askHint }]),
      [MY_DATA_COMMAND]: (ctx) => myDataReplies(ctx),
      xoadulieu: (ctx) => {
        setPersonState(ctx.db, ctx.person.id, { ...(ctx.person.state ?? {}), eraseRequestedAt: ctx.now.toISOString() });
        // The request is on record even if never confirmed (the confirmation is 'privacy.erase').
        recordAudit(ctx.db, { actor: `person:${ctx.person.id}`, action: 'privacy.erase_request', targetType: 'person', targetId: ctx.person.id }, ctx.now);
        return [
          {
            text: T.eraseConfirm,
            buttons: [
              { label: T.eraseYes, action: 'erase:yes' },
              { label: T.eraseNo, action: 'erase:no' },
            ],
          },
        ];
      },
    },
    actions: {
      [FEEDBACK_ACTION]: feedbackAction,
      menu: (ctx) => [topicMenu(ctx)],
      help: () => [{ text: T.help }],
      topic: (ctx, slug) => {
        const topic = ctx.knowledge.state.topics.find((t) => t.slug === slug);
        const qa = ctx.knowledge.qaByTopic(slug);
        if (!topic || qa.length === 0) return [{ text: T.topicEmpty, buttons: [{ label: T.menuButton, action: 'menu' }] }];
        return [
          {
            text: T.topicTitle(topic.name),
            buttons: qa.slice(0, 10).map((q) => ({
              label: q.question.length > 60 ? `${q.question.slice(0, 57)}…` : q.question,
              action: `qa:${q.id}`,
            })),
          },
        ];
      },
      qa: (ctx, id) => {
        const qa = ctx.knowledge.getQa(id);
        if (!qa || !ctx.knowledge.qaByTopic(qa.topics[0]!).some((q) => q.id === id)) return [{ text: T.notFound }];
        ctx.record(() => recordQuestion(ctx.db, { personId: ctx.person.id, channel: ctx.inbound.channel, answered: true, answerId: id, topics: qa.topics, score: 1 }, ctx.now));
        return [qaReply(qa)];
      },
      p: (ctx, id) => {
        const found = ctx.knowledge.getPassage(id);
        if (!found || found.article.status !== 'approved') return [{ text: T.notFound }];
        return [passageReply(found.article, found.passage)];
      },
      erase: (ctx, answer) => {
        const pending = ctx.person.state?.eraseRequestedAt;
        if (answer !== 'yes' || !pending) {
          setPersonState(ctx.db, ctx.person.id, null);
          return [{ text: T.eraseCancelled }];
        }
        erasePerson(ctx.db, ctx.person.id, ctx.now);
        return [{ text: T.eraseDone }];
      },
    },
    onText: (ctx, text) => answerQuestion(ctx, text),
  };
}
