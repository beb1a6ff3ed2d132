/**
 * A Zalo asker's held answer notice and their next message crossing. The outbox claims the
 * notice (Loa's clock said the 7-day window was open, barely), Zalo refuses it as outside the
 * window, and meanwhile the asker writes: their message finds the notice 'sending', which
 * releaseHeldNotices does not touch, and the refusal then held it. The window was open again,
 * yet the answer waited for another message, which may never come.
 *
 * What held (tested): a notice is released only by its own asker's interaction, once, and
 * claimed once; a refusal with no message meanwhile still holds it.
 */
import { describe, expect, it } from 'vitest';
import { claimNotice, enqueueNotices, listNotices, recordNotice, releaseHeldNotices } from '../../src/db/notices.js';
import { recordUnanswered } from '../../src/db/questions.js';
import { touchPerson, upsertPerson } from '../../src/db/people.js';
import { openDb, type Db } from '../../src/db/index.js';

const DAY = 86_400_000;
const reply = { text: 'Câu hỏi của bạn đã có câu trả lời.' };

function queue(db: Db, ext: string, lastSeen: Date): { personId: number; noticeId: number } {
  const p = upsertPerson(db, 'zalo', ext);
  db.prepare('UPDATE people SET last_interaction_at = ? WHERE id = ?').run(lastSeen.toISOString(), p.id);
  const unanswered = recordUnanswered(db, { personId: p.id, channel: 'zalo', question: `Câu hỏi của ${ext}?`, normalized: '', suggestions: [] });
  enqueueNotices(db, [{ unansweredId: unanswered, personId: p.id, channel: 'zalo', recipient: ext, entryId: 'muc-a', reply }]);
  const noticeId = (db.prepare('SELECT id FROM answer_notices WHERE unanswered_id = ?').get(unanswered) as { id: number }).id;
  return { personId: p.id, noticeId };
}

const status = (db: Db, ext: string) => listNotices(db, 'muc-a').find((n) => n.question === `Câu hỏi của ${ext}?`)!;

describe('a held Zalo notice and the asker\'s message crossing', () => {
  it('goes back to the outbox when the asker wrote while Zalo was refusing it', () => {
    const db = openDb(':memory:');
    const t0 = new Date('2026-12-07T10:00:00.000Z');
    const { personId, noticeId } = queue(db, 'edge', new Date(t0.getTime() - 7 * DAY + 500));
    expect(claimNotice(db, noticeId, { windowStart: new Date(t0.getTime() - 7 * DAY).toISOString() }, t0)).toEqual({ kind: 'claimed' });
    // The asker writes while the send is on its way: recorded, nothing held to release yet.
    touchPerson(db, personId, new Date(t0.getTime() + 300));
    expect(releaseHeldNotices(db, personId)).toBe(0);
    recordNotice(db, noticeId, { status: 'outside_window', reason: '-213' }, new Date(t0.getTime() + 600));
    expect(status(db, 'edge')).toMatchObject({ status: 'pending' });
    // Claimed again and sent once.
    expect(claimNotice(db, noticeId, { windowStart: new Date(t0.getTime() - 7 * DAY).toISOString() }, new Date(t0.getTime() + 1_000))).toEqual({ kind: 'claimed' });
    expect(claimNotice(db, noticeId, {}, new Date(t0.getTime() + 1_001))).toEqual({ kind: 'lost' });
    recordNotice(db, noticeId, { status: 'sent', messageId: 'z1' }, new Date(t0.getTime() + 1_200));
    expect(status(db, 'edge')).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('is held when no message came meanwhile, and released by its own asker only, once', () => {
    const db = openDb(':memory:');
    const t0 = new Date('2026-12-07T10:00:00.000Z');
    const a = queue(db, 'a', new Date(t0.getTime() - 7 * DAY + 500));
    const b = queue(db, 'b', new Date(t0.getTime() - DAY));
    expect(claimNotice(db, a.noticeId, {}, t0)).toEqual({ kind: 'claimed' });
    recordNotice(db, a.noticeId, { status: 'outside_window', reason: '-213' }, new Date(t0.getTime() + 600));
    expect(status(db, 'a')).toMatchObject({ status: 'held' });
    expect(status(db, 'a').reason).toContain('chờ người hỏi nhắn lại cho OA');
    // Someone else writing releases nothing of a's.
    touchPerson(db, b.personId, new Date(t0.getTime() + 2_000));
    expect(releaseHeldNotices(db, b.personId)).toBe(0);
    expect(status(db, 'a')).toMatchObject({ status: 'held' });
    touchPerson(db, a.personId, new Date(t0.getTime() + 3_000));
    expect(releaseHeldNotices(db, a.personId)).toBe(1);
    expect(releaseHeldNotices(db, a.personId)).toBe(0);
    expect(status(db, 'a')).toMatchObject({ status: 'pending' });
  });
});
