/**
 * A Telegram deep link (`t.me/<bot>?start=<payload>`) runs the command its payload names after
 * the greeting, so that a poster's QR code opens a contest, the news subscription or a report.
 * It ran ANY command: anyone could post `https://t.me/<bot>?start=huy` in a commune's Zalo or
 * Facebook group ("bấm vào đây để nhận quà"), and every subscriber who tapped it and then
 * Telegram's Start was taken off the office's news at once, without a question (`huy` and
 * `stop` unsubscribe with no confirmation); `?start=xoadulieu` put an erasure request on
 * record and in front of them.
 *
 * Now a deep link opens only what a link is for: a contest, the subscription, a report, the
 * training, a question, the topics, the help, a language. Any other payload gets the greeting,
 * as an unknown one did. Typed by the person themselves, `/huy` works as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { quizWorld, texts, type QuizWorld } from '../quiz/support.js';
import { getPersonByExternal } from '../../src/db/people.js';
import { listAudit } from '../../src/db/audit.js';

let w: QuizWorld;
afterEach(() => w?.close());

/** A Telegram subscriber who consented to the news. */
async function subscriber(id: string) {
  const u = w.user('telegram', id);
  await u.say('/start');
  const p = getPersonByExternal(w.db, 'telegram', id)!;
  w.db.prepare("UPDATE people SET consent_at = '2026-11-01T00:00:00.000Z', consent_version = 1 WHERE id = ?").run(p.id);
  return { u, consented: () => getPersonByExternal(w.db, 'telegram', id)!.consentAt !== null && getPersonByExternal(w.db, 'telegram', id)!.optedOutAt === null };
}

describe('a deep link', () => {
  it('cannot unsubscribe the person who taps it', async () => {
    w = quizWorld();
    const plain = texts(await w.user('telegram', '8100').say('/start'));
    for (const [id, payload] of [['8101', 'huy'], ['8102', 'stop'], ['8103', 'HUY']] as const) {
      const s = await subscriber(id);
      const r = await s.u.say(`/start ${payload}`);
      expect(s.consented(), payload).toBe(true);
      expect(texts(r), payload).toBe(plain);
    }
  });

  it('puts no erasure request on record', async () => {
    w = quizWorld();
    const s = await subscriber('8104');
    await s.u.say('/start xoadulieu');
    expect(listAudit(w.db, { action: 'privacy.erase_request' })).toHaveLength(0);
  });

  it('still opens a contest and the subscription; /huy typed still unsubscribes', async () => {
    w = quizWorld();
    const s = await subscriber('8105');
    expect(texts(await s.u.say('/start thi_thu-nghiem'))).toContain('Cuộc thi thử nghiệm');
    expect(await s.u.say('/start dangky')).toHaveLength(2);
    await s.u.say('/huy');
    expect(s.consented()).toBe(false);
  });
});
