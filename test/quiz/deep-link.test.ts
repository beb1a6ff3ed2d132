/**
 * Telegram deep links (`t.me/<bot>?start=<payload>`, which a poster's QR code or a post links to)
 * arrive as "/start <payload>". The payload's command runs after the greeting: a contest's link
 * opens that contest, `dangky` the news subscription. Before, the payload was ignored: the person
 * got the greeting and had to find the contest in /thi themselves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deepLinkCommand } from '../../src/conversation/conversation.js';
import { quizWorld, texts, type QuizWorld } from './support.js';

let w: QuizWorld;
afterEach(() => w?.close());

describe('a deep link', () => {
  it('to a contest opens it after the greeting, as /thi <contest> does', async () => {
    w = quizWorld();
    const tg = w.user('telegram', '7001');
    const r = await tg.say('/start thi_thu-nghiem');
    expect(r[0]!.text).toContain('Xin chào');
    expect(texts(r)).toContain('Cuộc thi thử nghiệm');
    expect(texts(r)).toContain('Tôi đồng ý cho Ban tổ chức');
    // The same as typing /thi with the contest.
    const other = w.user('telegram', '7002');
    expect(texts(await other.say('/thi thu-nghiem'))).toBe(texts(r.slice(1)));
  });

  it('to the news subscription opens it; an unknown payload gets the usual greeting', async () => {
    w = quizWorld();
    const tg = w.user('telegram', '7003');
    const sub = await tg.say('/start dangky');
    expect(sub).toHaveLength(2);
    expect(sub[1]!.buttons!.length).toBeGreaterThan(1);
    const plain = await w.user('telegram', '7004').say('/start');
    const unknown = await w.user('telegram', '7005').say('/start abc_def');
    expect(texts(unknown)).toBe(texts(plain));
    const closed = await w.user('telegram', '7006').say('/start thi_khong-co');
    expect(closed[0]!.text).toContain('Xin chào');
    expect(closed).toHaveLength(2);
  });

  it('reads the payload as Telegram allows it', () => {
    expect(deepLinkCommand('thi_tim-hieu-quyen-con-nguoi-2026')).toEqual({ name: 'thi', args: 'tim-hieu-quyen-con-nguoi-2026' });
    expect(deepLinkCommand('dangky')).toEqual({ name: 'dangky', args: '' });
    expect(deepLinkCommand('BAOCAO')).toEqual({ name: 'baocao', args: '' });
    expect(deepLinkCommand('thi tim hieu')).toBeNull();
    expect(deepLinkCommand(`thi_${'x'.repeat(70)}`)).toBeNull();
  });
});

describe('a question typed at the consent step', () => {
  it('drops the registration and is answered, even when it ends in "không"', async () => {
    w = quizWorld();
    const tg = w.user('telegram', '7101');
    expect(texts(await tg.say('/thi thu-nghiem'))).toContain('Tôi đồng ý cho Ban tổ chức');
    const r = await tg.say('tre em 5 tuoi chua co the bhyt di kham co mat tien khong');
    expect(texts(r)).not.toContain('Tôi đồng ý cho Ban tổ chức');
    expect(texts(r)).toContain('Câu trả lời này có hữu ích không?');
    expect(tg.attempt()).toBeUndefined();
  });

  it('a short refusal still declines', async () => {
    w = quizWorld();
    for (const [id, no] of [['7102', 'không ạ'], ['7103', 'thôi không'], ['7104', 'tôi không muốn']] as const) {
      const u = w.user('telegram', id);
      await u.say('/thi thu-nghiem');
      expect(texts(await u.say(no)), no).toContain('Bạn chưa đồng ý');
    }
  });
});
