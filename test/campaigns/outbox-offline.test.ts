/**
 * Campaign deliveries and answer notices wait while their channel is not connected (issue 16
 * item 1): a Telegram outage must not burn the outbox's attempts (8, then "failed") and lose
 * the campaign. The rows stay pending, untouched, and go out once the channel connects.
 */
import { describe, expect, it } from 'vitest';
import type { Channel, SendResult } from '../../src/channels/channel.js';
import { createCampaignService } from '../../src/campaigns/service.js';
import { createOutbox } from '../../src/campaigns/outbox.js';
import { createThrottle } from '../../src/campaigns/throttle.js';
import { getCampaign, listDeliveries } from '../../src/db/campaigns.js';
import { addSubscriber, storeWithStaff, topics, tree } from './helpers.js';

describe('outbox and channel health', () => {
  it('keeps deliveries pending without an attempt while the channel is down, then sends them', async () => {
    const db = storeWithStaff();
    addSubscriber(db, { id: '501' });
    addSubscriber(db, { id: '502' });
    const calls: string[] = [];
    // What a Telegram send answers while the Bot API is unreachable.
    const channel: Channel = {
      name: 'telegram',
      capabilities: { buttons: true, maxButtons: 5, nativeQuizPoll: false, maxTextLength: 4096, numberedReplies: false },
      async send(to): Promise<SendResult> {
        calls.push(to);
        return up ? { kind: 'ok' } : { kind: 'retryAfter', seconds: 0, reason: 'network: connect ECONNREFUSED' };
      },
    };
    let up = false;
    let checks = 0;
    let checked!: () => void;
    const fivePasses = new Promise<void>((r) => (checked = r));
    const outbox = createOutbox({
      db,
      channels: new Map([['telegram', channel]]),
      throttles: new Map([['telegram', createThrottle({ ratePerSecond: 1000 })]]),
      regions: () => ({ regions: tree, root: 'hung-yen' }),
      quietHours: { start: '00:00', end: '00:00' },
      pollMs: 10,
      connected: () => {
        if (++checks === 5) checked();
        return up;
      },
    });
    const s = createCampaignService({ db, regions: () => ({ regions: tree, root: 'hung-yen' }), topics: () => topics });
    const c = s.create('lan', { text: 'Tuần lễ tuyên truyền về quyền trẻ em', channels: ['telegram'], topics: ['quyen-tre-em'] });
    s.submit('lan', c.id);
    s.approve('minh', c.id);
    s.schedule('hoa', c.id);
    const done = new Promise<void>((resolve) => outbox.events.on('done', (id: number) => id === c.id && resolve()));
    outbox.start();
    await fivePasses;
    expect(calls).toEqual([]);
    expect(listDeliveries(db, c.id).map((d) => [d.status, d.attempts])).toEqual([
      ['pending', 0],
      ['pending', 0],
    ]);
    up = true;
    outbox.wake();
    await done;
    await outbox.stop();
    expect(calls.sort()).toEqual(['501', '502']);
    expect(getCampaign(db, c.id)?.counts).toMatchObject({ targeted: 2, sent: 2 });
  });
});
