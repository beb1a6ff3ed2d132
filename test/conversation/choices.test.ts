/**
 * What a person types instead of pressing: a choice's own words, a number no open choice takes,
 * a video sent as a report's post, /help on a channel without groups. Each was found in the Zalo
 * citizen round (session 15), where choices are numbered text and nothing is pressed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, type Conversation } from '../../src/conversation/conversation.js';
import { createDisinfoFeature } from '../../src/conversation/disinfo.js';
import { createSubscriptionFeature } from '../../src/conversation/subscription.js';
import { openDb, type Db } from '../../src/db/index.js';
import { listUnanswered } from '../../src/db/questions.js';
import { zaloCapabilities } from '../../src/channels/zalo/channel.js';
import { telegramCapabilities } from '../../src/channels/telegram/telegram.js';
import type { Capabilities, Inbound } from '../../src/channels/channel.js';
import { shippedKnowledge, testConfig } from '../support/app.js';
import { T } from '../../src/conversation/texts.js';
import { typedChoiceNumber } from '../../src/conversation/choice-number.js';

let db: Db;
let convo: Conversation;
let n = 0;
const config = testConfig();
const knowledge = shippedKnowledge();

beforeAll(() => {
  db = openDb(':memory:');
  convo = createConversation({ db, knowledge, config, features: [createDisinfoFeature(), createSubscriptionFeature()] });
});
afterAll(() => {
  db.close();
  config.cleanup();
});

const say = (user: string, text: string, caps: Capabilities = zaloCapabilities) =>
  convo.handle({ channel: 'zalo', userId: user, dedupeKey: `k${n++}`, type: 'text', text } as Inbound, caps);
const queued = (q: string) => listUnanswered(db).some((u) => u.question === q);

describe('typed instead of pressed', () => {
  it('a choice\'s own words pick it, as its number does ("Tôi muốn hỏi" on a pasted link)', async () => {
    const offer = await say('u-label', 'https://www.facebook.com/share/p/abc123 tin này thật không');
    expect(offer.at(-1)!.buttons!.map((b) => b.label)).toContain('Tôi muốn hỏi');
    expect(offer.at(-1)!.text).toContain('chọn “Tôi muốn hỏi”');
    const r = await say('u-label', 'tôi muốn hỏi');
    // Taken as the choice: the link's words are handled as a question, not reported and not re-offered.
    expect(r.some((x) => (x.buttons ?? []).some((b) => b.label === 'Tôi muốn hỏi'))).toBe(false);
    expect(queued('tôi muốn hỏi')).toBe(false);
    // A topic's name typed on the topic menu opens it.
    const menu = await say('u-label', '/chude');
    const name = menu[0]!.buttons![1]!.label;
    const topic = await say('u-label', name.toLowerCase());
    expect(topic[0]!.text).toContain(name);
    expect(queued(name.toLowerCase())).toBe(false);
  });

  it('a number no open choice takes is not a question for staff', async () => {
    await say('u-num', '/chude');
    const r = await say('u-num', '99');
    expect(r[0]!.text).toBe(T.strayNumber);
    expect(r[0]!.buttons!.length).toBeGreaterThan(3);
    // Nothing on offer at all (a new person, or the choices of a reply with none).
    expect((await say('u-num2', '1'))[0]!.text).toBe(T.strayNumber);
    expect(queued('99')).toBe(false);
    expect(queued('1')).toBe(false);
    // A number on an open menu still chooses.
    await say('u-num3', '/chude');
    expect((await say('u-num3', '1'))[0]!.text).not.toBe(T.strayNumber);
  });

  it('a video sent as a report\'s post says what the report can take', async () => {
    await say('u-video', '/baocao');
    const r = await convo.handle({ channel: 'zalo', userId: 'u-video', dedupeKey: `k${n++}`, type: 'unsupported' } as Inbound, zaloCapabilities);
    expect(r[0]!.text).toContain('Để báo tin này, bạn hãy dán đường link');
    // Outside a report, the usual "text only".
    const other = await convo.handle({ channel: 'zalo', userId: 'u-video2', dedupeKey: `k${n++}`, type: 'unsupported' } as Inbound, zaloCapabilities);
    expect(other[0]!.text).toBe(T.unsupported);
  });

  it('a pasted chain message too long for a question says how to report it', async () => {
    const chain = 'KHẨN!!! Từ ngày mai công an sẽ thu hồi toàn bộ thẻ căn cước cũ, ai không đổi sẽ bị phạt nặng, hãy chia sẻ ngay cho người thân. '.repeat(12);
    const r = await say('u-chain', chain);
    expect(r[0]!.text).toContain('quá dài');
    expect(r[0]!.text).toContain('gõ /baocao rồi dán lại tin đó');
    expect(queued(chain)).toBe(false);
  });

  it('/help lists /hoi only where there are groups to ask in', async () => {
    expect((await say('u-help', '/help'))[0]!.text).not.toContain('/hoi');
    expect((await say('u-help', '/help', telegramCapabilities))[0]!.text).toContain('/hoi');
  });

  it('a long numbered menu says the range, not every number', () => {
    expect(T.chooseNumber(2)).toBe('Gõ 1 hoặc 2 để chọn.');
    expect(T.chooseNumber(3)).toBe('Gõ 1, 2 hoặc 3 để chọn.');
    expect(T.chooseNumber(17)).toBe('Gõ một số từ 1 đến 17 để chọn.');
  });
});

describe('a choice\'s number in words ("chọn 2", "số 3", "2️⃣")', () => {
  // Zalo citizen trial, session 17: "chọn 2" under the topics was answered with an unrelated
  // entry (freedom of movement), "số 3" and "2️⃣" went to the staff queue as questions.
  it.each([
    ['2', 2], ['2.', 2], ['2)', 2], [' 12 ', 12], ['chọn 2', 2], ['Chon 2', 2], ['số 3', 3], ['so 3 a', 3], ['câu 1', 1], ['Tôi chọn số 2 ạ', 2],
    ['mình chọn câu 4 nhé', 4], ['cái thứ 2', 2], ['đáp án 3', 3], ['phương án 1', 1], ['2️⃣', 2], ['2\u20E3', 2], ['#2', 2], ['option 2', 2], ['２', 2],
  ])('"%s" is the number %i', (text, n) => {
    expect(typedChoiceNumber(text)).toBe(n);
  });

  it.each(['Điều 23', 'thứ 2', 'chọn', '0', 'số 0', '123', 'chọn 2 cái nào tốt hơn', 'tôi 2 con', 'câu 2 là gì?', 'năm 2025', '1 2'])('"%s" is not a choice', (text) => {
    expect(typedChoiceNumber(text)).toBeNull();
  });

  it('picks the numbered line on Zalo, and nothing goes to the staff queue', async () => {
    for (const [i, text] of [[1, 'chọn 2'], [2, 'số 3'], [1, '2️⃣'], [0, 'Tôi chọn số 1 ạ']] as const) {
      const user = `u-words-${i}-${n}`;
      const menu = await say(user, '/chude');
      const r = await say(user, text);
      expect(r[0]!.text, text).toBe(`Các câu hỏi về “${menu[0]!.buttons![i]!.label}”:`);
      expect(queued(text), text).toBe(false);
    }
    // With no list open: the stray number's reply, not the staff queue.
    const r = await say('u-words-none', 'số 3');
    expect(r[0]!.text).toBe(T.strayNumber);
    expect(queued('số 3')).toBe(false);
  });
});
