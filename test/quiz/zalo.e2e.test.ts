/**
 * End to end on Zalo OA: the real server with signed webhook deliveries from the fake Zalo, the
 * shipped practice quiz, numbered text answers ("Trả lời 1, 2, 3"), a fake clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeZalo, type FakeZalo, zaloEnv } from '../support/fake-zalo.js';
import { startTestApp } from '../support/app.js';
import { getPersonByExternal } from '../../src/db/people.js';
import { activeAttemptOf, finishedAttempts, getAttemptQuestion } from '../../src/db/quiz.js';

const USER = '8713451786543210555'; // > 2^53: a string end to end

let zalo: FakeZalo;
let t: Awaited<ReturnType<typeof startTestApp>>;
let hook: string;
let now: Date;
let msg = 0;

beforeEach(async () => {
  now = new Date('2026-11-23T03:00:00Z');
  zalo = await startFakeZalo();
  t = await startTestApp(
    zaloEnv(zalo),
    { now: () => now, bot: { flood_limit: { messages: 1000, seconds: 1 } } },
  );
  hook = `${t.url}/webhooks/zalo`;
  zalo.addUser({ id: USER, name: 'Nguyễn Văn Tùng' });
});

afterEach(async () => {
  await t.close();
  await zalo.close();
});

/** The user types `text`; resolves with the texts the OA sent back for it. */
async function say(text: string, msgId = `zmsg-${msg++}`): Promise<string> {
  const before = zalo.sent.length;
  const res = await zalo.deliverWebhook(hook, zalo.textEvent(USER, text, { msgId }));
  expect(res.status).toBe(200);
  await t.app.inbox.drain();
  return zalo.sent
    .slice(before)
    .map((s) => s.message.text ?? '')
    .join('\n');
}

describe('contest on Zalo', () => {
  it('registers and answers by numbered text, on time and late, and sees the rank; a redelivered answer counts once', async () => {
    let out = await say('/thi');
    expect(out).toContain('Luyện tập nhanh');
    expect(out).toMatch(/1\. Luyện tập nhanh/);
    out = await say('1');
    expect(out).toContain('Tôi đồng ý');
    out = await say('1');
    expect(out).toContain('họ và tên');
    out = await say('Nguyễn Văn Tùng');
    out = await say('Chi đoàn thôn Bắc');
    expect(out).toContain('Cảm ơn Nguyễn Văn Tùng (Chi đoàn thôn Bắc)');
    out = await say('1');
    expect(out).toContain('Câu 1/5');

    const person = getPersonByExternal(t.app.db, 'zalo', USER)!;
    const attempt = activeAttemptOf(t.app.db, person.id)!;
    for (let n = 0; n < 5; n++) {
      const right = getAttemptQuestion(t.app.db, attempt.id, n)!.correct;
      const late = n === 1;
      now = new Date(now.getTime() + (late ? 30_000 : 4000));
      const id = `ans-${n}`;
      out = await say(String(right + 1), id);
      expect(out).toContain(late ? 'Hết giờ' : 'Chính xác!');
      // Zalo redelivers the same event (same msg_id): handled once, nothing sent.
      expect(await say(String(right + 1), id)).toBe('');
      if (n < 4) expect(out).toContain(`Câu ${n + 2}/5`);
    }
    expect(out).toContain('Điểm: 40 (4/5 câu đúng)');
    expect(out).toContain('Xếp hạng tạm thời: 1/1');
    expect(finishedAttempts(t.app.db, 'luyen-tap-quyen-tre-em')).toMatchObject([{ score: 40, channel: 'zalo', name: 'Nguyễn Văn Tùng' }]);
    expect(zalo.sent.every((s) => s.userId === USER)).toBe(true);
  });
});
