/**
 * A stop cuts a retry wait short and leaves no timer behind: the wait's timer used to outlive the
 * stop, so a reply waiting out a Telegram 429 (retry_after 25) kept a stopped `loa start` process
 * up for 24.7 s (measured against the fake Bot API; 71 ms now). The row stays pending.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Channel, SendResult } from '../../src/channels/channel.js';
import { createSender } from '../../src/sender/sender.js';
import { openDb } from '../../src/db/index.js';
import { upsertPerson } from '../../src/db/people.js';
import { sendsOf } from '../../src/db/sends.js';

const telegram = (): Channel => ({
  name: 'telegram',
  capabilities: { buttons: true, maxButtons: 8, nativeQuizPoll: true, maxTextLength: 4096, numberedReplies: false },
  send: async (): Promise<SendResult> => ({ kind: 'ok' }),
});

describe('a stop during a retry wait', () => {
  it('ends the wait\'s timer too (a 429 retry_after 25 kept a stopped `loa start` up for 24.7 s)', async () => {
    const db = openDb(':memory:');
    const sleeps: { ms: number; signal?: AbortSignal }[] = [];
    // A clock whose waits end only when aborted: what a long retry_after is to a stop.
    const clock = {
      now: () => performance.now(),
      sleep: (ms: number, signal?: AbortSignal) => {
        sleeps.push({ ms, signal });
        return new Promise<void>((r) => signal?.addEventListener('abort', () => r(), { once: true }));
      },
    };
    const tooMany: Channel = { ...telegram(), send: async (): Promise<SendResult> => ({ kind: 'retryAfter', seconds: 25, rateLimited: true }) };
    const sender = createSender({ db, channels: new Map([['telegram', tooMany]]), throttles: new Map(), clock });
    sender.start();
    const p = upsertPerson(db, 'telegram', '42');
    const { done } = sender.enqueue({ channel: 'telegram', recipient: '42', personId: p.id }, [{ text: 'Trả lời' }]);
    await vi.waitFor(() => expect(sleeps.some((s) => s.ms >= 25_000)).toBe(true));
    await sender.stop();
    expect((await done)[0]).toMatchObject({ kind: 'retryAfter' });
    expect(sleeps.find((s) => s.ms >= 25_000)?.signal?.aborted).toBe(true);
    // Kept for the next start.
    expect(sendsOf(db, p.id)[0]).toMatchObject({ status: 'pending' });
  });
});

describe('many replies waiting for slots at once', () => {
  it('listen to the stop without a listener-limit warning (11 waiting made Node warn of a leak)', async () => {
    const { createThrottle } = await import('../../src/campaigns/throttle.js');
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const db = openDb(':memory:');
      // One slot a second: the other replies wait for theirs, each listening to the stop.
      const throttle = createThrottle({ ratePerSecond: 1 });
      const sender = createSender({ db, channels: new Map([['telegram', telegram()]]), throttles: new Map([['telegram', throttle]]) });
      sender.start();
      for (let i = 0; i < 20; i++) {
        const p = upsertPerson(db, 'telegram', String(700 + i));
        sender.enqueue({ channel: 'telegram', recipient: String(700 + i), personId: p.id }, [{ text: 'Trả lời' }]);
      }
      await new Promise((r) => setTimeout(r, 200));
      await sender.stop();
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
