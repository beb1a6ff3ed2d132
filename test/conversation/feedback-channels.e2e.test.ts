/**
 * The conversation around the answers on real channels, end to end: the app and grammY against
 * the fake Bot API, and the web chat over HTTP. Small talk gets the topic keyboard and no queue
 * item; an answer carries 👍 and 👎 side by side on one inline-keyboard row; a 👎 press reaches
 * the staff queue with the answer given.
 *
 * Both channels run on one app (an app with its Telegram sender threads costs about 1.5 s of CPU
 * to start); what each test reads in the staff queue is its own channel's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { startFakeTelegram, type FakeTelegram, type RecordedCall } from '../support/fake-telegram.js';
import { listUnanswered } from '../../src/db/questions.js';

let tg: FakeTelegram;
let t: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  tg = await startFakeTelegram();
  t = await startTestApp({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, TELEGRAM_MODE: 'polling' });
});
afterAll(async () => {
  await t?.close();
  await tg?.close();
});

/** The staff queue's items from one channel. */
const queued = (channel: string) => listUnanswered(t.app.db).filter((u) => u.channel === channel);

type Keyboard = { inline_keyboard: { text: string; callback_data?: string }[][] };
const sendsTo = (chatId: number) => (c: RecordedCall) => c.method === 'sendMessage' && String(c.params.chat_id) === String(chatId) && c.status === 200;
const CHILD_CARD = 'Trẻ em dưới 6 tuổi có được cấp thẻ bảo hiểm y tế miễn phí không?';

describe('Telegram', () => {
  it('small talk gets the topic keyboard; an answer gets 👍 | 👎 on one row; 👎 reaches the queue with the answer', async () => {
    await tg.pushUpdate(tg.message({ userId: 61, text: 'Chào bạn' }));
    const hello = await tg.waitForCall(sendsTo(61));
    expect(hello.params.text).toContain('Xin chào! Đây là bot thử nghiệm.');
    const topics = (hello.params.reply_markup as Keyboard).inline_keyboard.flat();
    expect(topics.length).toBeGreaterThan(3);
    expect(topics.every((b) => b.callback_data!.startsWith('topic:'))).toBe(true);

    let mark = tg.calls.length;
    await tg.pushUpdate(tg.message({ userId: 61, text: `Chào bạn, ${CHILD_CARD}` }));
    const answer = await tg.waitForCall(sendsTo(61), { after: mark });
    expect(String(answer.params.text)).toContain(`<b>${CHILD_CARD}</b>`);
    expect(String(answer.params.text).trimEnd().endsWith('Câu trả lời này có hữu ích không?')).toBe(true);
    const rows = (answer.params.reply_markup as Keyboard).inline_keyboard;
    expect(rows[0]!.map((b) => b.text)).toEqual(['👍 Hữu ích', '👎 Chưa đúng']);
    expect(rows[0]![1]!.callback_data).toMatch(/^fb:down:[\w-]+$/);
    expect(rows.slice(1).every((r) => r.length === 1)).toBe(true); // related questions, one per row
    expect(queued('telegram')).toEqual([]); // neither the greeting nor the answer is queued

    mark = tg.calls.length;
    await tg.pushUpdate(tg.callbackQuery({ userId: 61, data: rows[0]![1]!.callback_data! }));
    const thanks = await tg.waitForCall(sendsTo(61), { after: mark });
    expect(thanks.params.text).toContain('cán bộ phụ trách');
    await tg.waitForCall('answerCallbackQuery', { after: mark });
    expect(queued('telegram')).toMatchObject([
      { kind: 'maybe_wrong', channel: 'telegram', question: `Chào bạn, ${CHILD_CARD}`, givenAnswerId: 'bhyt-tre-em-duoi-6-tuoi' },
    ]);
  });
});

describe('web chat', () => {
  it('a 👍 press queues nothing; a 👎 press queues the question with its answer', async () => {
    const chat = async (body: Record<string, string>) =>
      (await (await fetch(`${t.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as {
        replies: { text: string; buttons?: { label: string; action: string }[] }[];
      };

    const small = await chat({ session: 'session-fb-1', text: 'cảm ơn nhé' });
    expect(small.replies[0]!.buttons!.every((b) => b.action.startsWith('topic:'))).toBe(true);

    const first = await chat({ session: 'session-fb-1', text: CHILD_CARD });
    const [up, down] = first.replies[0]!.buttons!;
    expect([up!.label, down!.label]).toEqual(['👍 Hữu ích', '👎 Chưa đúng']);
    await chat({ session: 'session-fb-1', action: up!.action });
    expect(queued('web')).toEqual([]);

    const second = await chat({ session: 'session-fb-2', text: 'dang ky khai sinh cho con o dau' });
    await chat({ session: 'session-fb-2', action: second.replies[0]!.buttons![1]!.action });
    expect(queued('web')).toMatchObject([{ kind: 'maybe_wrong', question: 'dang ky khai sinh cho con o dau' }]);
  });
});
