/**
 * A notice that is not an answer (a rumour report's outcome, a training invitation) to a Zalo
 * person outside the 7-day window waits for their next message and is sent then, as an answer
 * notice does (db/sends.ts recordSend, db/notices.ts releaseHeldNotices). It ended
 * `outside_window`: the reporter never learnt what became of their report.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Channel, SendResult } from '../../src/channels/channel.js';
import { createSender } from '../../src/sender/sender.js';
import { createThrottle } from '../../src/campaigns/throttle.js';
import { openDb } from '../../src/db/index.js';
import { upsertPerson } from '../../src/db/people.js';
import { sendsOf } from '../../src/db/sends.js';
import { releaseHeldNotices } from '../../src/db/notices.js';

describe('a Zalo notice outside the window', () => {
  it('is held, then sent once when the person writes again; a reply refused so is not held', async () => {
    const db = openDb(':memory:');
    let open = false;
    const sent: string[] = [];
    const zalo: Channel = {
      name: 'zalo',
      capabilities: { buttons: true, maxButtons: 5, nativeQuizPoll: false, maxTextLength: 2000, numberedReplies: true, contactWindowDays: 7 },
      async send(_to, reply): Promise<SendResult> {
        if (!open) return { kind: 'outsideWindow', reason: '-230 user has not interacted with the OA in 7 days' };
        sent.push(reply.text);
        return { kind: 'ok', messageId: String(sent.length) };
      },
    };
    const sender = createSender({ db, channels: new Map([['zalo', zalo]]), throttles: new Map([['zalo', createThrottle({ ratePerSecond: 100 })]]), pollMs: 20 });
    sender.start();
    const p = upsertPerson(db, 'zalo', '8713451786543219555');
    const [res] = await sender.enqueue({ channel: 'zalo', recipient: '8713451786543219555', personId: p.id }, [{ text: 'Tin bạn báo đã được xác minh là tin giả và đã được xử lý.' }], { kind: 'notice' }).done;
    expect(res).toMatchObject({ kind: 'outsideWindow' });
    const [reply] = await sender.enqueue({ channel: 'zalo', recipient: '8713451786543219555', personId: p.id }, [{ text: 'Một câu trả lời.' }]).done;
    expect(reply).toMatchObject({ kind: 'outsideWindow' });
    await vi.waitFor(() => expect(sendsOf(db, p.id).map((s) => s.status).sort()).toEqual(['held', 'outside_window']));
    expect(sendsOf(db, p.id).find((s) => s.kind === 'notice')?.reason).toContain('chờ người nhận nhắn lại');

    // The person writes to the OA again: the window is open.
    open = true;
    expect(releaseHeldNotices(db, p.id)).toBe(1);
    await vi.waitFor(() => expect(sent).toEqual(['Tin bạn báo đã được xác minh là tin giả và đã được xử lý.']), { timeout: 5000 });
    await vi.waitFor(() => expect(sendsOf(db, p.id).find((s) => s.kind === 'notice')?.status).toBe('sent'));
    expect(releaseHeldNotices(db, p.id)).toBe(0);
    await sender.stop();
  });
});
