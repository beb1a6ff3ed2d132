/**
 * A stop while the campaign lane waits out a platform's retry_after: the slot it asked the
 * throttle for is given up at once and the wait's timer cleared. Before, the outbox raced the
 * slot against its stop and left the waiter in the throttle's queue, its timer running, so a
 * stopped process behind a 25 s retry_after stayed up until it ran out (SENDER2's note).
 */
import { describe, expect, it, vi } from 'vitest';
import type { Channel, SendResult } from '../../src/channels/channel.js';
import { createCampaignService } from '../../src/campaigns/service.js';
import { createOutbox } from '../../src/campaigns/outbox.js';
import { createThrottle } from '../../src/campaigns/throttle.js';
import { deliveryCounts } from '../../src/db/campaigns.js';
import { addSubscriber, storeWithStaff, topics, tree } from './helpers.js';

const regions = () => ({ regions: tree, root: 'hung-yen' });

describe('the campaign outbox stopped during a platform wait', () => {
  it('gives up its throttle slot and clears the wait: nothing keeps the process up, the rows stay to send after the restart', async () => {
    const db = storeWithStaff();
    for (let i = 0; i < 3; i++) addSubscriber(db, { id: String(500 + i) });
    const s = createCampaignService({ db, regions, topics: () => topics });
    const c = s.create('lan', { text: 'Họp tổ dân phố tối thứ Sáu tại nhà văn hoá', channels: ['telegram'], topics: ['quyen-tre-em'] });
    s.submit('lan', c.id);
    s.approve('minh', c.id);
    s.schedule('hoa', c.id);

    // A clock whose long waits end only when aborted (what a 25 s retry_after is to a stop);
    // short ones (the rate's spacing) pass as usual.
    const sleeps: { ms: number; signal?: AbortSignal }[] = [];
    const clock = {
      now: () => performance.now(),
      sleep: (ms: number, signal?: AbortSignal) => {
        sleeps.push({ ms, signal });
        return new Promise<void>((r) => {
          if (ms < 1000) setTimeout(r, ms);
          signal?.addEventListener('abort', () => r(), { once: true });
        });
      },
    };
    const throttle = createThrottle({ ratePerSecond: 1000, clock });
    let sends = 0;
    const channel: Channel = {
      name: 'telegram',
      capabilities: { buttons: true, maxButtons: 8, nativeQuizPoll: true, maxTextLength: 4096, numberedReplies: false },
      send: async (): Promise<SendResult> => {
        sends++;
        return { kind: 'retryAfter', seconds: 25, rateLimited: true };
      },
    };
    const outbox = createOutbox({ db, channels: new Map([['telegram', channel]]), throttles: new Map([['telegram', throttle]]), regions, quietHours: { start: '00:00', end: '00:00' }, pollMs: 20 });
    outbox.start();
    // The first send was told to wait 25 s: the next slot waits for it.
    await vi.waitFor(() => expect(sends).toBeGreaterThan(0));
    await vi.waitFor(() => expect(sleeps.some((x) => x.ms >= 20_000 && !x.signal?.aborted)).toBe(true));
    await outbox.stop();
    const waits = sleeps.filter((x) => x.ms >= 20_000);
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((x) => x.signal?.aborted === true)).toBe(true);
    // Nothing delivered, nothing lost: the rows wait for the next start.
    expect(deliveryCounts(db, c.id).sent ?? 0).toBe(0);
  });
});
