/**
 * Outcome notices queued by the thousand (a rumour case closed: every reporter is told) wait at
 * the channel's throttle in the campaign lane's turn, after the replies of people writing now.
 * Before, a notice took the replies' turn: closing a case of 5,000 reporters put every citizen's
 * answer behind the 5,000 notices (measured with scripts/disinfo-close-measure.ts: replies waited
 * 9.4 s at the median, 17 s at p99, at a 300/s limit; at Telegram's 30/s that is minutes).
 */
import { describe, expect, it, vi } from 'vitest';
import type { Channel, SendResult } from '../../src/channels/channel.js';
import { createSender } from '../../src/sender/sender.js';
import { createThrottle } from '../../src/campaigns/throttle.js';
import { openDb } from '../../src/db/index.js';
import { insertSends } from '../../src/db/sends.js';

describe('notices at the throttle', () => {
  it('a reply to someone writing goes before the outcome notices already waiting', async () => {
    const db = openDb(':memory:');
    const order: string[] = [];
    const telegram: Channel = {
      name: 'telegram',
      capabilities: { buttons: true, maxButtons: 10, nativeQuizPoll: true, maxTextLength: 4096, numberedReplies: false },
      async send(to): Promise<SendResult> {
        order.push(to);
        return { kind: 'ok', messageId: String(order.length) };
      },
    };
    const sender = createSender({ db, channels: new Map([['telegram', telegram]]), throttles: new Map([['telegram', createThrottle({ ratePerSecond: 40 })]]), pollMs: 60_000 });
    // As tellReporters queues them: rows written in one commit, picked up by the sender's pass.
    const expiresAt = new Date(Date.now() + 86_400_000);
    insertSends(db, Array.from({ length: 40 }, (_, i) => ({ channel: 'telegram' as const, personId: null, recipient: `n${i}`, kind: 'notice' as const, reply: { text: 'Kết quả xử lý báo cáo BC-2026-0001' }, expiresAt })));
    sender.poll();
    // The first notices are out: the rest wait at the throttle.
    await vi.waitFor(() => expect(order.length).toBeGreaterThanOrEqual(2), { timeout: 5000 });
    const { done } = sender.enqueue({ channel: 'telegram', recipient: 'citizen', personId: null }, [{ text: 'Câu trả lời cho người đang hỏi' }]);
    await done;
    await sender.drain();
    expect(order).toHaveLength(41);
    // Only the notices whose slot was already granted go between (a few), not the 38 waiting.
    const at = order.indexOf('citizen');
    expect(at, `sent after ${at} notices`).toBeLessThan(10);
    await sender.stop();
    db.close();
  });
});
