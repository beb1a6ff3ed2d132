/**
 * "Câu trả lời này có hữu ích không?" 👍/👎 on every answer the bot chose for a question, and the
 * re-ask signal.
 *
 * Why: a confident wrong answer used to be invisible. Nobody is queued for staff when the bot
 * answers, so staff only saw the questions it could not answer. Two signals now send an answered
 * question, with the answer it got, to the staff queue as "Đã trả lời, có thể sai":
 * - the person presses 👎 (a button where the channel has them, a numbered choice elsewhere: the
 *   buttons are ordinary {@link Button}s, so every renderer degrades them to "1. 👍 Hữu ích /
 *   2. 👎 Chưa đúng" and a typed number picks them; a typed 👍 or 👎 emoji works too);
 * - the same person asks again in other words within {@link REASK_WINDOW_MS} (they evidently did
 *   not get what they asked for).
 * Each answer goes to staff at most once, whichever signal comes first.
 *
 * Only answers to free-text questions carry the buttons: an entry picked from a menu was the
 * person's choice, not the bot's guess, and a 👎 on it would give staff no question to look at.
 */
import { hash } from 'node:crypto';
import type { Button, Inbound, Reply } from '../messages.js';
import { addMaybeWrongFollowup, answerGivenByRef, lastAnswerGiven, noteTurnedAway, queueMaybeWrong, queueRoom, recordAnswerVote } from '../db/questions.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import { fold, foldedCanonical } from '../text/vietnamese.js';
import { GENERIC_EXACT, STOPWORDS } from '../text/stopwords.js';
import type { TurnContext } from './types.js';
import { staffContact } from './contact.js';
import { T as VI } from './texts.js';
import { textsFor, type Texts } from './texts-en.js';

/** How long after an answer a similar question counts as asking again (5 minutes). */
export const REASK_WINDOW_MS = 5 * 60_000;

/** The action prefix of the feedback buttons: `fb:up:<ref>`, `fb:down:<ref>`. */
export const FEEDBACK_ACTION = 'fb';

/**
 * The id an answer's feedback buttons carry. Derived from the inbound event rather than the
 * stored row's id, because the reply is built before the turn's writes are committed; the same
 * event handled twice (after a restart) gets the same ref, so its answer is recorded once.
 */
export function answerRef(inbound: Pick<Inbound, 'channel' | 'userId' | 'dedupeKey'>): string {
  return hash('sha256', `${inbound.channel}\n${inbound.userId}\n${inbound.dedupeKey}`, 'base64url').slice(0, 12);
}

/** The 👍/👎 buttons of an answer. They share a row where the channel lays buttons out in rows. */
export function feedbackButtons(ref: string, T: Texts = VI): Button[] {
  return [
    { label: T.feedbackUp, action: `${FEEDBACK_ACTION}:up:${ref}`, row: 'feedback' },
    { label: T.feedbackDown, action: `${FEEDBACK_ACTION}:down:${ref}`, row: 'feedback' },
  ];
}

/**
 * The answer with "Câu trả lời này có hữu ích không?" and the 👍/👎 buttons first (so they are
 * choices 1 and 2 wherever choices are numbered), then its own buttons, within `maxButtons`.
 */
export function withFeedback(reply: Reply, ref: string, maxButtons: number, T: Texts = VI): Reply {
  const buttons = [...feedbackButtons(ref, T), ...(reply.buttons ?? [])].slice(0, Math.max(2, maxButtons));
  return { ...reply, text: `${reply.text}\n\n${T.feedbackQuestion}`, buttons };
}

/** The answer as staff should see it next to the question: the entry's title and text. */
export function answerSnapshot(knowledge: Knowledge, id: string): { title: string; text: string } | null {
  if (id.includes('#')) {
    const found = knowledge.getPassage(id);
    if (!found) return null;
    const { article, passage } = found;
    return { title: passage.n === 0 ? article.title : `${article.title} – ${passage.heading}`, text: passage.text };
  }
  const qa = knowledge.getQa(id);
  return qa ? { title: qa.question, text: qa.answer } : null;
}

const GENERIC_FOLDED = new Set([...GENERIC_EXACT].map((w) => fold(w)));

/** A synonym list, folded once: each term (folded words) to the groups it belongs to. */
interface SynonymLookup {
  terms: Map<string, number[]>;
  /**
   * The first words of the terms of two words or more ("bao hiem" for "bao hiem y te"): a run
   * of words that is none of them starts no longer term, so it is not extended.
   */
  prefixes: Set<string>;
}
const synonymLookups = new WeakMap<readonly (readonly string[])[], SynonymLookup>();

function synonymLookup(synonyms: readonly (readonly string[])[]): SynonymLookup {
  let lookup = synonymLookups.get(synonyms);
  if (!lookup) {
    lookup = { terms: new Map(), prefixes: new Set() };
    for (const [i, group] of synonyms.entries())
      for (const term of group) {
        const folded = foldedCanonical(term);
        if (!folded) continue;
        const list = lookup.terms.get(folded) ?? [];
        if (!list.includes(i)) list.push(i);
        lookup.terms.set(folded, list);
        const words = folded.split(' ');
        for (let n = 1; n < words.length; n++) lookup.prefixes.add(words.slice(0, n).join(' '));
      }
    synonymLookups.set(synonyms, lookup);
  }
  return lookup;
}

/**
 * The words of a question (already folded) that say what it is about, without function words
 * and the everyday words of administrative questions, plus one token per synonym group it
 * mentions, so "bhyt" meets "bảo hiểm y tế".
 */
function topicWords(folded: string, synonyms: readonly (readonly string[])[]): Set<string> {
  const all = folded.split(' ').filter(Boolean);
  const words = new Set(all.filter((w) => !STOPWORDS.has(w) && !GENERIC_FOLDED.has(w)));
  // Every run of words that starts a term looked up once, extended only while it still starts
  // one: about one look-up per word, whatever the size of the synonym list and its longest term.
  const { terms, prefixes } = synonymLookup(synonyms);
  for (let i = 0; i < all.length; i++)
    for (let j = i, run = all[i]!; ; run = `${run} ${all[++j]}`) {
      const groups = terms.get(run);
      if (groups) for (const g of groups) words.add(`~${g}`);
      if (j + 1 >= all.length || !prefixes.has(run)) break;
    }
  return words;
}

/**
 * Whether `next` asks `previous` again in other words: not the same text, and they share at
 * least two topic words, which make up at least half of the shorter question's. A follow-up on
 * another subject ("còn người lớn thì sao?") shares none and is a new question.
 *
 * @example
 * isReask('bhyt cho trẻ em', 'trẻ em có được bảo hiểm y tế không', synonyms) // true
 * isReask('bhyt cho trẻ em', 'thủ tục đăng ký khai sinh', synonyms) // false
 */
export function isReask(previous: string, next: string, synonyms: readonly (readonly string[])[] = []): boolean {
  const before = foldedCanonical(previous);
  const after = foldedCanonical(next);
  if (before === after) return false;
  const a = topicWords(before, synonyms);
  const b = topicWords(after, synonyms);
  if (a.size === 0 || b.size === 0) return false;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared >= 2 && shared / Math.min(a.size, b.size) >= 0.5;
}

/**
 * Called with each new free-text question (greeting stripped) before it is answered: when the person's last answer
 * came within the window, was not marked 👍 and was not sent to staff yet, and the new question
 * asks it again, that answer goes to the staff queue as "answered, maybe wrong".
 */
export function noteReask(ctx: TurnContext, question: string): void {
  const prev = lastAnswerGiven(ctx.db, ctx.person.id, new Date(ctx.now.getTime() - REASK_WINDOW_MS));
  if (!prev || prev.vote === 'up') return;
  // Already sent by a 👎: the re-ask only adds its wording to that item.
  if (prev.unansweredId !== null && prev.vote !== 'down') return;
  // Compared without the greetings either question started with (`normalized` is the search's text).
  if (!isReask(prev.normalized, question, ctx.knowledge.state.synonyms)) return;
  const followup = question.slice(0, 1000);
  const queued = prev.unansweredId;
  if (queued !== null) {
    ctx.record(() => addMaybeWrongFollowup(ctx.db, queued, followup));
    return;
  }
  // Past the staff queue's caps (db/questions.ts queueRoom) the re-ask is only answered: nobody
  // asked for this item, and the new question gets its own reply.
  const source = ctx.inbound.source;
  const room = queueRoom(ctx.db, { personId: ctx.person.id, ...(source ? { source } : {}) }, ctx.now);
  if (room !== 'ok') {
    ctx.record(() => noteTurnedAway(ctx.db, room, ctx.now));
    return;
  }
  const snap = answerSnapshot(ctx.knowledge, prev.answerId);
  ctx.record(() => {
    queueMaybeWrong(ctx.db, prev.id, { reason: 'reask', answerTitle: snap?.title, answerText: snap?.text, followup, ...(source ? { source } : {}) }, ctx.now);
  });
}

/** The `fb` action: records the vote; a 👎 sends the question and its answer to staff. */
export function feedbackAction(ctx: TurnContext, payload: string): Reply[] {
  const T = textsFor(ctx.lang);
  const colon = payload.indexOf(':');
  const vote = payload.slice(0, colon);
  const ref = payload.slice(colon + 1);
  const given = colon > 0 && (vote === 'up' || vote === 'down') ? answerGivenByRef(ctx.db, ref) : undefined;
  // An unknown ref (an erased person, a forged press) is thanked and ignored.
  if (!given) return [{ text: T.feedbackThanks }];
  if (vote === 'up') {
    ctx.record(() => recordAnswerVote(ctx.db, given.id, 'up', ctx.now));
    return [{ text: T.feedbackThanks }];
  }
  const snap = answerSnapshot(ctx.knowledge, given.answerId);
  // Past the staff queue's caps the vote is kept but the answer is not sent to staff, and the
  // person is told so (never a silent refusal). An answer sent back already needs no room.
  const source = ctx.inbound.source;
  const room = given.unansweredId === null ? queueRoom(ctx.db, { personId: ctx.person.id, ...(source ? { source } : {}) }, ctx.now) : 'ok';
  ctx.record(() => {
    recordAnswerVote(ctx.db, given.id, 'down', ctx.now);
    if (room === 'ok') queueMaybeWrong(ctx.db, given.id, { reason: 'feedback', answerTitle: snap?.title, answerText: snap?.text, ...(source ? { source } : {}) }, ctx.now);
    else noteTurnedAway(ctx.db, room, ctx.now);
  });
  const contact = staffContact(ctx);
  const lines: string[] = room === 'ok' ? [T.feedbackDownThanks] : [T.feedbackDownNotQueued, room === 'person' ? T.queueFullPerson : T.queueFullSource];
  if (contact) lines.push(T.noAnswerContact(contact));
  return [{ text: lines.join('\n'), buttons: [{ label: T.menuButton, action: 'menu' }] }];
}

/**
 * Whole-message answers to "Câu trả lời này có hữu ích không?" typed instead of pressed: people
 * answer a yes-no question with "không", "chưa đúng", "sai rồi ạ" or "có". Before, "không" and
 * "có" were small talk (a friendly menu) and "sai rồi" a question with no answer, queued as an
 * unanswered question without the answer it was about: the 👎 staff need never reached them.
 * Compared folded, after the particles and addressees around them are left out.
 */
const TYPED_VOTES: Record<'up' | 'down', readonly string[]> = {
  down: [
    'không', 'ko', 'k', 'hông', 'hok', 'khong', 'chưa', 'chưa đúng', 'không đúng', 'không chính xác', 'sai', 'sai rồi', 'sai bét',
    'không phải', 'không phải vậy', 'không phải thế', 'không phải cái tôi hỏi', 'không phải câu tôi hỏi', 'không liên quan',
    'không hữu ích', 'chưa hữu ích', 'chẳng hữu ích', 'không có ích', 'không giúp được gì', 'không đúng ý', 'chưa đúng ý',
    'linh tinh', 'trả lời linh tinh', 'vớ vẩn', 'trả lời vớ vẩn', 'trả lời sai', 'trả lời chưa đúng', 'trả lời không đúng', 'không đúng câu hỏi', 'chưa trả lời đúng', 'chưa đúng câu hỏi',
    'no', 'nope', 'wrong', 'not helpful', 'not really', 'not useful',
  ],
  up: ['có', 'có ích', 'hữu ích', 'có hữu ích', 'rất hữu ích', 'đúng', 'đúng rồi', 'chính xác', 'yes', 'helpful', 'useful', 'very helpful'],
};
/** Words around a yes or a no that change nothing ("không ạ", "sai rồi bạn ơi", "đúng rồi, cảm ơn" is not one). */
const VOTE_FILLERS = new Set(['a', 'ah', 'à', 'ạ', 'nhe', 'nhé', 'nha', 'nhá', 'ban', 'bạn', 'ad', 'loa', 'bot', 'oi', 'ơi', 'lam', 'lắm', 'qua', 'quá', 'luon', 'luôn', 'ca', 'cả', 'het', 'hết', 'hoan', 'hoàn', 'toan', 'toàn', 'vay', 'vậy', 'the', 'thế', 'dạ', 'da', 'vâng', 'vang']);
const typedVotes = new Map<string, 'up' | 'down'>();
for (const vote of ['up', 'down'] as const) for (const p of TYPED_VOTES[vote]) typedVotes.set(foldedCanonical(p), vote);

/** The vote a whole message types ("không ạ", "sai rồi", "có"), or null. */
export function typedVote(text: string): 'up' | 'down' | null {
  const words = text
    .normalize('NFC')
    .toLowerCase()
    .split(/[^\p{L}\p{M}\p{N}]+/u)
    .filter(Boolean);
  if (words.length === 0 || words.length > 8) return null;
  const kept = words.filter((w) => !VOTE_FILLERS.has(w));
  if (kept.length === 0) return null;
  return typedVotes.get(foldedCanonical(kept.join(' '))) ?? null;
}

/**
 * The feedback action a typed answer to "có hữu ích không?" stands for (a whole message such as
 * "không", "sai rồi ạ", "có"), given the choices shown last: only right after an answer that
 * asked it. Null otherwise, and the text is read as usual.
 */
export function feedbackFromText(text: string, choices: readonly string[] | null | undefined): string | null {
  if (!choices?.some((c) => c.startsWith(`${FEEDBACK_ACTION}:`))) return null;
  const vote = typedVote(text);
  if (!vote) return null;
  return choices.find((c) => c.startsWith(`${FEEDBACK_ACTION}:${vote}:`)) ?? null;
}

/**
 * The feedback action a typed 👍 or 👎 stands for, given the choices shown last; null for other
 * text. Lets people on any channel answer "có hữu ích không?" with the emoji itself.
 */
export function feedbackFromEmoji(text: string, choices: readonly string[] | null | undefined): string | null {
  if (!choices) return null;
  const t = text.replace(/[\u{1F3FB}-\u{1F3FF}\uFE0F\s]/gu, '');
  const vote = /^👍+$/u.test(t) ? 'up' : /^👎+$/u.test(t) ? 'down' : null;
  if (!vote) return null;
  return choices.find((c) => c.startsWith(`${FEEDBACK_ACTION}:${vote}:`)) ?? null;
}
