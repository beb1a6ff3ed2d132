/**
 * The conversation around the answers, through the conversation core with an injected clock:
 * small talk gets the menu and is neither answered nor queued; a greeting before a question is
 * left out of the search; every answer asks "có hữu ích không?"; a 👎 (button, typed number or
 * emoji) or a re-ask within the window sends the question with its answer to the staff queue as
 * "answered, maybe wrong", once; a 👍 does not.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createConversation, type Conversation } from '../../src/conversation/conversation.js';
import { openDb, type Db } from '../../src/db/index.js';
import { listUnanswered, queueItemDetails } from '../../src/db/questions.js';
import { erasePerson, getPersonByExternal } from '../../src/db/people.js';
import { webCapabilities } from '../../src/channels/web/web.js';
import type { Capabilities, Inbound, Reply } from '../../src/channels/channel.js';
import { renderReply as renderZalo } from '../../src/channels/zalo/render.js';
import { REASK_WINDOW_MS } from '../../src/conversation/feedback.js';
import { shippedKnowledge, testConfig } from '../support/app.js';

const config = testConfig();
const knowledge = shippedKnowledge();
const CHILD_CARD = 'Trẻ em dưới 6 tuổi có được cấp thẻ bảo hiểm y tế miễn phí không?';

let db: Db;
let convo: Conversation;
let clock: Date;
let n = 0;

beforeAll(() => {
  db = openDb(':memory:');
  convo = createConversation({ db, knowledge, config, now: () => clock });
});
beforeEach(() => {
  clock = new Date('2026-11-23T03:00:00Z');
});
afterAll(() => {
  db.close();
  config.cleanup();
});

const say = (user: string, text: string, caps: Capabilities = webCapabilities) =>
  convo.handle({ channel: 'web', userId: user, dedupeKey: `k${n++}`, type: 'text', text } as Inbound, caps);
const press = (user: string, action: string) =>
  convo.handle({ channel: 'web', userId: user, dedupeKey: `k${n++}`, type: 'action', action } as Inbound, webCapabilities);
const later = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};
const queuedFor = (user: string) => {
  const person = getPersonByExternal(db, 'web', user)!;
  return listUnanswered(db).filter((u) => u.personId === person.id);
};
const questionsOf = (user: string) => {
  const person = getPersonByExternal(db, 'web', user)!;
  return (db.prepare('SELECT COUNT(*) AS n FROM questions WHERE person_id = ?').get(person.id) as { n: number }).n;
};
const feedbackOf = (r: Reply) => ({
  up: r.buttons!.find((b) => b.action.startsWith('fb:up:'))!.action,
  down: r.buttons!.find((b) => b.action.startsWith('fb:down:'))!.action,
});

describe('small talk', () => {
  it('greetings, thanks and small talk get a friendly reply with the topic menu, never an answer or a queue item', async () => {
    const user = 'u-small';
    for (const text of ['Chào bạn', 'xin chào', 'chào ad', 'hi', 'hello', 'alo', 'cảm ơn nhé', 'cám ơn', 'thanks', 'ok', 'oke', 'vâng', 'dạ', 'bạn là ai', 'bot ơi', 'tạm biệt', 'chao ban', 'cam on nhe', '👍', 'bot ngu thế', 'chả hiểu gì cả']) {
      later(5000); // keep under the flood limit
      const replies = await say(user, text);
      expect(replies, text).toHaveLength(1);
      const [r] = replies;
      expect(r!.title, text).toBeUndefined(); // not an answer entry
      expect(r!.text, text).not.toContain('Nguồn:');
      expect(r!.buttons!.length, text).toBeGreaterThan(3);
      expect(r!.buttons!.every((b) => b.action.startsWith('topic:')), text).toBe(true);
    }
    expect(queuedFor(user)).toEqual([]);
    expect(questionsOf(user)).toBe(0);
  });

  it('a greeting uses the bot greeting, thanks get a thanks', async () => {
    expect((await say('u-small2', 'Chào bạn'))[0]!.text).toBe(config.bot.greeting);
    expect((await say('u-small2', 'cảm ơn nhé'))[0]!.text).toContain('Không có gì');
    // Annoyance gets an apology and how to ask (it went to the staff queue as a question).
    expect((await say('u-small2', 'bot ngu thế'))[0]!.text).toContain('Xin lỗi vì tôi chưa giúp được bạn.');
    // Asking for a person gets the office's contact (it was searched as a question).
    const contact = config.bot.staff_contact!;
    const [human] = await say('u-small2', 'cho tôi gặp cán bộ');
    expect(human!.text).toContain(`Để gặp cán bộ, bạn liên hệ: ${contact.name}`);
    expect(queuedFor('u-small2')).toEqual([]);
  });

  it('a question that starts with a greeting is answered as the question', async () => {
    const [r] = await say('u-greet-q', 'Chào bạn, cho mình hỏi trẻ em có được cấp thẻ bảo hiểm y tế miễn phí không?');
    expect(r!.title).toBe(CHILD_CARD);
    expect(r!.text).toContain('Nguồn:');
    expect(queuedFor('u-greet-q')).toEqual([]);
  });
});

describe('"Có hữu ích không?" on every answer', () => {
  it('an answer ends with the question and offers 👍 and 👎 as choices 1 and 2', async () => {
    const [r] = await say('u-fb', CHILD_CARD);
    expect(r!.text.trimEnd().endsWith('Câu trả lời này có hữu ích không?')).toBe(true);
    expect(r!.buttons!.slice(0, 2).map((b) => b.label)).toEqual(['👍 Hữu ích', '👎 Chưa đúng']);
    for (const b of r!.buttons!) expect(Buffer.byteLength(b.action)).toBeLessThanOrEqual(64);
  });

  it('a 👎 sends the question with the answer it got to the staff queue, thanks the person and says staff will review it', async () => {
    const [answer] = await say('u-down', `Chào bạn, ${CHILD_CARD}`);
    const [r] = await press('u-down', feedbackOf(answer!).down);
    expect(r!.text).toContain('Cảm ơn bạn');
    expect(r!.text).toContain('cán bộ phụ trách');
    const [item] = queuedFor('u-down');
    expect(item).toMatchObject({ kind: 'maybe_wrong', question: `Chào bạn, ${CHILD_CARD}`, status: 'open', givenAnswerId: 'bhyt-tre-em-duoi-6-tuoi' });
    const d = queueItemDetails(db, [item!.id]).get(item!.id)!;
    expect(d).toMatchObject({ kind: 'maybe_wrong', reason: 'feedback', givenAnswerTitle: CHILD_CARD });
    expect(d.givenAnswerText).toContain('ngân sách nhà nước');
    // Pressed again (or a re-ask after it): still one item.
    await press('u-down', feedbackOf(answer!).down);
    later(60_000);
    await say('u-down', 'con nhỏ nhà tôi có được bảo hiểm y tế không');
    expect(queuedFor('u-down')).toHaveLength(1);
    // The re-ask's wording goes with it: it says what the person meant (seen on a trial run: a 👎
    // then "ý tôi là làm thẻ căn cước cho trẻ em ở đâu" left staff with the first wording only).
    expect(queueItemDetails(db, [item!.id]).get(item!.id)).toMatchObject({ reason: 'feedback', followup: 'con nhỏ nhà tôi có được bảo hiểm y tế không' });
    later(60_000);
    await say('u-down', 'bảo hiểm y tế cho con nhỏ thì làm ở đâu');
    expect(queueItemDetails(db, [item!.id]).get(item!.id)!.followup).toBe('con nhỏ nhà tôi có được bảo hiểm y tế không'); // the first re-ask only
  });

  it('a 👍 is recorded and queues nothing', async () => {
    const [answer] = await say('u-up', CHILD_CARD);
    const [r] = await press('u-up', feedbackOf(answer!).up);
    expect(r!.text).toContain('Cảm ơn bạn');
    expect(queuedFor('u-up')).toEqual([]);
    const vote = db.prepare(`SELECT vote FROM answer_feedback WHERE answer_id = 'bhyt-tre-em-duoi-6-tuoi' AND vote IS NOT NULL ORDER BY id DESC`).get() as { vote: string };
    expect(vote.vote).toBe('up');
    // Having said it helped, asking something close right after is a follow-up, not a complaint.
    later(60_000);
    await say('u-up', 'con nhỏ nhà tôi có được bảo hiểm y tế không');
    expect(queuedFor('u-up')).toEqual([]);
  });

  it('where choices are numbered, a typed 2 is a 👎; a typed 👎 emoji is too', async () => {
    const noButtons: Capabilities = { ...webCapabilities, buttons: false, numberedReplies: true };
    const [answer] = await say('u-num', CHILD_CARD, noButtons);
    // The renderer of a channel without buttons numbers them: 1 is 👍, 2 is 👎.
    const [zaloText] = renderZalo(answer!, { buttons: false });
    expect(zaloText!.text).toContain('Câu trả lời này có hữu ích không?\n\n1. 👍 Hữu ích\n2. 👎 Chưa đúng');
    expect(zaloText!.attachment).toBeUndefined();
    await say('u-num', '2', noButtons);
    expect(queuedFor('u-num')).toMatchObject([{ kind: 'maybe_wrong' }]);

    await say('u-emoji', CHILD_CARD);
    await say('u-emoji', '👎');
    expect(queuedFor('u-emoji')).toMatchObject([{ kind: 'maybe_wrong', givenAnswerId: 'bhyt-tre-em-duoi-6-tuoi' }]);
  });

  it('a typed "không" or "sai rồi ạ" answers "có hữu ích không?" as a 👎; "có" as a 👍', async () => {
    // Found in a lead trial: "không" was small talk (a friendly menu) and "sai rồi" a question
    // with no answer, queued without the answer it was about.
    await say('u-typed-no', CHILD_CARD);
    const [reply] = await say('u-typed-no', 'Không ạ');
    expect(reply!.text).not.toContain('Xin lỗi, hiện chưa có câu trả lời');
    expect(queuedFor('u-typed-no')).toMatchObject([{ kind: 'maybe_wrong', givenAnswerId: 'bhyt-tre-em-duoi-6-tuoi' }]);

    await say('u-typed-wrong', CHILD_CARD);
    await say('u-typed-wrong', 'sai rồi bạn ơi!');
    expect(queuedFor('u-typed-wrong')).toMatchObject([{ kind: 'maybe_wrong' }]);
    expect(questionsOf('u-typed-wrong')).toBe(1);

    await say('u-typed-yes', CHILD_CARD);
    await say('u-typed-yes', 'có');
    expect(queuedFor('u-typed-yes')).toEqual([]);
    const votes = db.prepare(`SELECT f.vote FROM answer_feedback f JOIN people p ON p.id = f.person_id WHERE p.external_id = 'u-typed-yes'`).all();
    expect(votes).toEqual([{ vote: 'up' }]);

    // Not right after an answer, "không" is what it was before (small talk), and a question
    // that starts with it is a question.
    const [plain] = await say('u-typed-fresh', 'không');
    expect(plain!.buttons!.some((b) => b.action.startsWith('fb:'))).toBe(false);
    expect(queuedFor('u-typed-fresh')).toEqual([]);
    await say('u-typed-q', CHILD_CARD);
    const [answer] = await say('u-typed-q', 'không có thẻ bảo hiểm y tế thì trẻ đi khám thế nào');
    expect(answer!.buttons!.some((b) => b.action.startsWith('fb:'))).toBe(true);
  });

  it('small talk after an answer, and a menu entry, carry no feedback and queue nothing', async () => {
    await say('u-after', CHILD_CARD);
    const [thanks] = await say('u-after', 'cảm ơn nhé');
    expect(thanks!.buttons!.some((b) => b.action.startsWith('fb:'))).toBe(false);
    const [entry] = await press('u-after', 'qa:bhyt-tre-em-duoi-6-tuoi');
    expect(entry!.buttons?.some((b) => b.action.startsWith('fb:')) ?? false).toBe(false);
    expect(queuedFor('u-after')).toEqual([]);
  });
});

describe('asking again right after an answer', () => {
  it('a similar question within the window sends the first question, with its answer, to the queue once', async () => {
    await say('u-re', 'bhyt cho tre em');
    later(90_000);
    await say('u-re', 'con nhỏ nhà tôi có được bảo hiểm y tế không');
    const items = queuedFor('u-re');
    expect(items).toMatchObject([{ kind: 'maybe_wrong', question: 'bhyt cho tre em', givenAnswerId: 'bhyt-tre-em-duoi-6-tuoi' }]);
    const d = queueItemDetails(db, [items[0]!.id]).get(items[0]!.id)!;
    expect(d).toMatchObject({ reason: 'reask', followup: 'con nhỏ nhà tôi có được bảo hiểm y tế không' });
    expect(d.givenAnswerText).toBeTruthy();
  });

  it('not after the window, not for the same text again, not for a new subject', async () => {
    await say('u-late', 'bhyt cho tre em');
    later(REASK_WINDOW_MS + 1000);
    await say('u-late', 'con nhỏ nhà tôi có được bảo hiểm y tế không');
    expect(queuedFor('u-late')).toEqual([]);

    await say('u-same', CHILD_CARD);
    later(30_000);
    await say('u-same', CHILD_CARD);
    expect(queuedFor('u-same')).toEqual([]);

    await say('u-new', CHILD_CARD);
    later(30_000);
    await say('u-new', 'Đăng ký khai sinh cho con trong thời hạn bao lâu?');
    expect(queuedFor('u-new')).toEqual([]);
  });

  it('another person asking the same thing is not a re-ask', async () => {
    await say('u-a', 'bhyt cho tre em');
    await say('u-b', 'con nhỏ nhà tôi có được bảo hiểm y tế không');
    expect(queuedFor('u-a')).toEqual([]);
    expect(queuedFor('u-b')).toEqual([]);
  });
});

describe('personal data', () => {
  it('erasing a person erases the questions kept with their answers and their re-ask wording', async () => {
    await say('u-erase', 'bhyt cho tre em');
    later(30_000);
    await say('u-erase', 'con nhỏ nhà tôi có được bảo hiểm y tế không');
    const person = getPersonByExternal(db, 'web', 'u-erase')!;
    erasePerson(db, person.id, clock);
    const kept = db.prepare('SELECT question FROM answer_feedback WHERE person_id = ?').all(person.id) as { question: string }[];
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((k) => !k.question.includes('bhyt') && !k.question.includes('con nhỏ'))).toBe(true);
    const [item] = listUnanswered(db).filter((u) => u.personId === person.id);
    expect(queueItemDetails(db, [item!.id]).get(item!.id)!.followup).toBeNull();
  });
});
