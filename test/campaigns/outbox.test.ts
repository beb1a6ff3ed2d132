import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Channel, ChannelName, Reply, SendResult } from '../../src/channels/channel.js';
import { createCampaignService } from '../../src/campaigns/service.js';
import { createOutbox } from '../../src/campaigns/outbox.js';
import { createThrottle } from '../../src/campaigns/throttle.js';
import { deliveryCounts, getCampaign, listDeliveries } from '../../src/db/campaigns.js';
import { getPerson, markPersonGone, unsubscribe } from '../../src/db/people.js';
import type { Db } from '../../src/db/index.js';
import { addSubscriber, manualClock, storeWithStaff, topics, tree } from './helpers.js';

const regions = () => ({ regions: tree, root: 'hung-yen' });
const noQuiet = { start: '00:00', end: '00:00' };

/** An in-process channel: records sends and answers from a script per recipient. */
function fakeChannel(name: ChannelName, script: (to: string, n: number) => SendResult | Promise<SendResult> = () => ({ kind: 'ok' })) {
  const sent: { to: string; reply: Reply }[] = [];
  let n = 0;
  const channel: Channel = {
    name,
    // A fake Zalo declares the 7-day contact window as the real channel does (zaloCapabilities).
    capabilities: { buttons: true, maxButtons: 5, nativeQuizPoll: false, maxTextLength: 2000, numberedReplies: true, ...(name === 'zalo' ? { contactWindowDays: 7 } : {}) },
    async send(to, reply) {
      const res = await script(to, n++);
      if (res.kind === 'ok') sent.push({ to, reply });
      return res;
    },
  };
  return { channel, sent };
}

/** A campaign made, approved and scheduled by the usual staff; returns its id. */
function scheduled(db: Db, o: { channels?: ('telegram' | 'zalo')[]; topics?: string[]; regions?: string[]; at?: Date } = {}): number {
  const s = createCampaignService({ db, regions, topics: () => topics });
  const c = s.create('lan', { text: 'Tuần lễ tuyên truyền về quyền trẻ em', channels: o.channels ?? ['telegram'], topics: o.topics, regions: o.regions });
  s.submit('lan', c.id);
  s.approve('minh', c.id);
  s.schedule('hoa', c.id, o.at);
  return c.id;
}

function outboxFor(db: Db, channels: ReturnType<typeof fakeChannel>[], extra: Partial<Parameters<typeof createOutbox>[0]> = {}) {
  return createOutbox({
    db,
    channels: new Map(channels.map((c) => [c.channel.name, c.channel])),
    throttles: new Map(channels.map((c) => [c.channel.name, createThrottle({ ratePerSecond: 1000 })])),
    regions,
    quietHours: noQuiet,
    pollMs: 20,
    ...extra,
  });
}

async function runToDone(outbox: ReturnType<typeof createOutbox>, id: number): Promise<void> {
  const done = new Promise<void>((resolve) => outbox.events.on('done', (c: number) => c === id && resolve()));
  outbox.start();
  await done;
  await outbox.stop();
}

describe('audience snapshot', () => {
  it('takes subscribers on the chosen channels, topics and nested regions, never the opted-out or gone', async () => {
    const db = storeWithStaff();
    const inKhu1 = addSubscriber(db, { id: 'khu1', region: 'khu-1' });
    const inPhoHien = addSubscriber(db, { id: 'ph', region: 'pho-hien' });
    addSubscriber(db, { id: 'sonnam', region: 'son-nam' });
    addSubscriber(db, { id: 'noregion', region: null });
    addSubscriber(db, { id: 'othertopic', region: 'khu-2', topics: ['ho-tich'] });
    const optedOut = addSubscriber(db, { id: 'out', region: 'khu-2' });
    unsubscribe(db, optedOut);
    const gone = addSubscriber(db, { id: 'gone', region: 'khu-2' });
    markPersonGone(db, gone, 'blocked');
    addSubscriber(db, { id: 'zalo', channel: 'zalo', region: 'khu-1' });

    const tg = fakeChannel('telegram');
    const id = scheduled(db, { topics: ['quyen-tre-em'], regions: ['pho-hien'] });
    await runToDone(outboxFor(db, [tg]), id);
    expect(listDeliveries(db, id).map((d) => d.personId).sort()).toEqual([inKhu1, inPhoHien].sort());
    expect(tg.sent.map((s) => s.to).sort()).toEqual(['khu1', 'ph']);
    expect(getCampaign(db, id)?.counts).toMatchObject({ targeted: 2, sent: 2 });
  });

  it('reaches people without a region only from a campaign for the whole province', async () => {
    const db = storeWithStaff();
    addSubscriber(db, { id: 'noregion', region: null });
    addSubscriber(db, { id: 'khu1', region: 'khu-1' });
    const tg = fakeChannel('telegram');
    const id = scheduled(db, { regions: ['hung-yen'] });
    await runToDone(outboxFor(db, [tg]), id);
    expect(tg.sent.map((s) => s.to).sort()).toEqual(['khu1', 'noregion']);
  });
});

describe('outbox', () => {
  it('sends each subscriber exactly once and records every SendResult kind', async () => {
    const db = storeWithStaff();
    for (const id of ['ok1', 'ok2', 'blocked', 'broken', 'slow']) addSubscriber(db, { id });
    const tries = new Map<string, number>();
    const tg = fakeChannel('telegram', (to) => {
      tries.set(to, (tries.get(to) ?? 0) + 1);
      if (to === 'blocked') return { kind: 'gone', reason: 'Forbidden: bot was blocked by the user' };
      if (to === 'broken') return { kind: 'failed', reason: '400 Bad Request: chat not found' };
      if (to === 'slow' && tries.get(to) === 1) return { kind: 'retryAfter', seconds: 0.05, reason: 'Too Many Requests' };
      return { kind: 'ok', messageId: `m-${to}` };
    });
    const id = scheduled(db);
    await runToDone(outboxFor(db, [tg]), id);
    const rows = Object.fromEntries(listDeliveries(db, id).map((d) => [d.recipient, d]));
    expect(rows.ok1).toMatchObject({ status: 'sent', messageId: 'm-ok1', attempts: 1 });
    expect(rows.slow).toMatchObject({ status: 'sent', attempts: 2 });
    expect(rows.blocked?.status).toBe('gone');
    expect(rows.broken).toMatchObject({ status: 'failed', reason: '400 Bad Request: chat not found' });
    expect(getPerson(db, rows.blocked!.personId)?.status).toBe('gone');
    expect(tg.sent.map((s) => s.to).sort()).toEqual(['ok1', 'ok2', 'slow']);
    expect(getCampaign(db, id)).toMatchObject({ status: 'done' });
    expect(getCampaign(db, id)?.counts).toMatchObject({ targeted: 5, sent: 3, gone: 1, failed: 1, failedByReason: { '400 Bad Request: chat not found': 1 } });
  });

  it('stops the delivery of a person who opts out (/huy) while the campaign is sending', async () => {
    const db = storeWithStaff();
    const ids = ['a', 'b', 'c', 'd'].map((id) => addSubscriber(db, { id }));
    const tg = fakeChannel('telegram', (to) => {
      // /huy from 'd' arrives while the campaign is going out (after the snapshot).
      if (to === 'a') unsubscribe(db, ids[3]!);
      return { kind: 'ok' };
    });
    const id = scheduled(db);
    await runToDone(outboxFor(db, [tg]), id);
    expect(tg.sent.map((s) => s.to)).toEqual(['a', 'b', 'c']);
    expect(listDeliveries(db, id).find((d) => d.recipient === 'd')?.status).toBe('opted_out');
    expect(deliveryCounts(db, id)).toMatchObject({ sent: 3, optedOut: 1, optedOutSince: 1 });
  });

  it('records Zalo followers outside the 7-day window as outside_window without sending or retrying', async () => {
    const db = storeWithStaff();
    const now = new Date('2026-11-23T03:00:00Z');
    addSubscriber(db, { id: 'recent', channel: 'zalo', lastInteraction: new Date(now.getTime() - 2 * 86_400_000) });
    addSubscriber(db, { id: 'old', channel: 'zalo', lastInteraction: new Date(now.getTime() - 9 * 86_400_000) });
    addSubscriber(db, { id: 'raced', channel: 'zalo', lastInteraction: new Date(now.getTime() - 86_400_000) });
    const zalo = fakeChannel('zalo', (to) => (to === 'raced' ? { kind: 'outsideWindow', reason: '-230 no interaction in 7 days' } : { kind: 'ok' }));
    const id = scheduled(db, { channels: ['zalo'] });
    await runToDone(outboxFor(db, [zalo], { now: () => now }), id);
    const rows = Object.fromEntries(listDeliveries(db, id).map((d) => [d.recipient, d]));
    expect(zalo.sent.map((s) => s.to)).toEqual(['recent']);
    expect(rows.old).toMatchObject({ status: 'outside_window', attempts: 0 });
    expect(rows.raced).toMatchObject({ status: 'outside_window', attempts: 1 });
    expect(deliveryCounts(db, id)).toMatchObject({ sent: 1, outsideWindow: 2, failed: 0 });
  });

  it('holds a scheduled campaign during quiet hours and starts it at the end of them', () => {
    const db = storeWithStaff();
    addSubscriber(db, { id: 'a' });
    let now = new Date('2026-11-23T22:30:00+07:00');
    const id = scheduled(db, { at: new Date('2026-11-23T22:00:00+07:00') });
    const outbox = outboxFor(db, [fakeChannel('telegram')], { now: () => now, quietHours: { start: '21:00', end: '07:00' } });
    outbox.tick();
    expect(getCampaign(db, id)?.status).toBe('scheduled');
    now = new Date('2026-11-24T06:59:00+07:00');
    outbox.tick();
    expect(getCampaign(db, id)?.status).toBe('scheduled');
    now = new Date('2026-11-24T07:00:00+07:00');
    outbox.tick();
    expect(getCampaign(db, id)?.status).toBe('sending');
    expect(deliveryCounts(db, id).targeted).toBe(1);
  });

  it('stops a batch where quiet hours begin: nothing more goes out until the morning', async () => {
    // One send at a time (maxInFlight 1), so the clock can pass 21:00 between two sends of one
    // batch: the old loop sent the rest of the rows it had read at 21:00:30.
    const db = storeWithStaff();
    for (const id of ['a', 'b', 'c', 'd']) addSubscriber(db, { id });
    let now = new Date('2026-11-23T20:59:50+07:00');
    const id = scheduled(db, { at: new Date('2026-11-23T20:59:00+07:00') });
    const tg = fakeChannel('telegram', (_to, n) => {
      if (n === 0) now = new Date('2026-11-23T21:00:30+07:00');
      return { kind: 'ok' };
    });
    const outbox = outboxFor(db, [tg], { now: () => now, quietHours: { start: '21:00', end: '07:00' }, maxInFlight: 1 });
    outbox.start();
    for (let i = 0; i < 50 && tg.sent.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 10));
    expect(tg.sent).toHaveLength(1);
    expect(deliveryCounts(db, id)).toMatchObject({ sent: 1, pending: 3 });
    const done = new Promise<void>((resolve) => outbox.events.on('done', (c: number) => c === id && resolve()));
    now = new Date('2026-11-24T07:00:00+07:00');
    await done;
    await outbox.stop();
    expect(tg.sent.map((s) => s.to).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('waits for the time set', () => {
    const db = storeWithStaff();
    addSubscriber(db, { id: 'a' });
    let now = new Date('2026-11-23T09:00:00+07:00');
    const id = scheduled(db, { at: new Date('2026-11-23T10:00:00+07:00') });
    const outbox = outboxFor(db, [fakeChannel('telegram')], { now: () => now });
    outbox.tick();
    expect(getCampaign(db, id)?.status).toBe('scheduled');
    now = new Date('2026-11-23T10:00:01+07:00');
    outbox.tick();
    expect(getCampaign(db, id)?.status).toBe('sending');
  });

  it('after a crash, marks rows caught sending as unknown, reports them and does not re-send them', async () => {
    const db = storeWithStaff();
    for (const id of ['a', 'b', 'c', 'd']) addSubscriber(db, { id });
    const id = scheduled(db);
    // First life: the snapshot is taken and two sends are in flight when the process dies.
    outboxFor(db, [fakeChannel('telegram')]).tick();
    db.prepare(`UPDATE deliveries SET status = 'sending', attempts = 1 WHERE campaign_id = ? AND recipient IN ('a', 'b')`).run(id);

    const tg = fakeChannel('telegram');
    const outbox = outboxFor(db, [tg]);
    const done = once(outbox.events, 'done');
    const unknown = outbox.start();
    expect(unknown.get(id)).toBe(2);
    await done;
    await outbox.stop();
    expect(tg.sent.map((s) => s.to).sort()).toEqual(['c', 'd']);
    expect(deliveryCounts(db, id)).toMatchObject({ sent: 2, unknown: 2 });

    // Staff choose to re-send the unknown ones.
    const s = createCampaignService({ db, regions, topics: () => topics });
    expect(s.resendUnknown('hoa', id).requeued).toBe(2);
    const again = outboxFor(db, [tg]);
    await runToDone(again, id);
    expect(tg.sent.map((s) => s.to).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('on stop, drains in-flight sends and records them', async () => {
    const db = storeWithStaff();
    for (const id of ['a', 'b', 'c']) addSubscriber(db, { id });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let started = 0;
    let firstStarted: () => void = () => {};
    const first = new Promise<void>((r) => (firstStarted = r));
    const tg = fakeChannel('telegram', async () => {
      started++;
      firstStarted();
      await gate;
      return { kind: 'ok' };
    });
    const id = scheduled(db);
    const outbox = outboxFor(db, [tg]);
    outbox.start();
    await first;
    const stopping = outbox.stop();
    release();
    await stopping;
    const counts = deliveryCounts(db, id);
    expect(counts.sending).toBe(0);
    expect(counts.sent).toBe(started);
    expect(counts.sent + counts.pending).toBe(3);
  });

  it('takes no throttle slot and claims nothing until the channel can send at once (warm)', async () => {
    // Slots granted while a channel's sends cannot leave (Telegram's sender threads loading)
    // would reach the platform together once it can: over its limit for that second.
    const db = storeWithStaff();
    for (const id of ['a', 'b', 'c']) addSubscriber(db, { id });
    const tg = fakeChannel('telegram');
    let loaded: () => void = () => {};
    const warmed = new Promise<void>((r) => (loaded = r));
    let asked: () => void = () => {};
    const warmAsked = new Promise<void>((r) => (asked = r));
    let isWarm = false;
    void warmed.then(() => (isWarm = true));
    tg.channel.warm = () => {
      asked();
      return warmed;
    };
    const slots: boolean[] = [];
    const inner = createThrottle({ ratePerSecond: 1000 });
    const throttle = { ...inner, acquire: (...a: Parameters<typeof inner.acquire>) => (slots.push(isWarm), inner.acquire(...a)) };
    const id = scheduled(db);
    const outbox = createOutbox({ db, channels: new Map([['telegram', tg.channel]]), throttles: new Map([['telegram', throttle]]), regions, quietHours: noQuiet, pollMs: 20 });
    const done = once(outbox.events, 'done');
    outbox.start();
    await Promise.race([warmAsked, done]);
    for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
    expect(slots).toEqual([]);
    expect(deliveryCounts(db, id)).toMatchObject({ pending: 3, sending: 0, sent: 0 });
    loaded();
    await done;
    await outbox.stop();
    expect(slots).toEqual([true, true, true]);
    expect(tg.sent.map((x) => x.to).sort()).toEqual(['a', 'b', 'c']);
  });

  it("waits out a 429's retry_after before sending that row again, and pauses the lane as long (fake clocks)", async () => {
    // The end-to-end test (e2e-telegram) answers a 429 with a short retry_after; the length is
    // checked here, on fake clocks: the row's next attempt and the throttle's pause.
    const db = storeWithStaff();
    for (const id of ['a', 'b']) addSubscriber(db, { id });
    const clock = manualClock();
    const t0 = Date.now() + 1000; // the campaign, scheduled on the real clock, is due
    const tg = fakeChannel('telegram', (to, n) =>
      to === 'a' && n === 0 ? { kind: 'retryAfter', seconds: 30, reason: 'Too Many Requests: retry after 30', rateLimited: true } : { kind: 'ok' },
    );
    const id = scheduled(db);
    const outbox = outboxFor(db, [tg], {
      now: () => new Date(t0 + clock.now()),
      throttles: new Map([['telegram', createThrottle({ ratePerSecond: 1000, clock })]]),
      pollMs: 5,
    });
    const retried = new Promise<void>((r) => outbox.events.on('delivery', (_c: number, status: string) => status === 'retry' && r()));
    const done = once(outbox.events, 'done');
    outbox.start();
    await retried;
    // The first send to 'a' is answered 429; the row waits 30 s of the clock, and so does the lane.
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 10));
    };
    await settle();
    await clock.advance(29_000);
    await settle();
    expect(tg.sent.map((s) => s.to)).not.toContain('a');
    expect(deliveryCounts(db, id)).toMatchObject({ sent: tg.sent.length, pending: 2 - tg.sent.length });
    await clock.advance(1_100);
    await done;
    await outbox.stop();
    expect(tg.sent.map((s) => s.to).sort()).toEqual(['a', 'b']);
    expect(listDeliveries(db, id).find((d) => d.recipient === 'a')).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it("honours a 429's retry_after given before a crash: the restarted lane holds until then (trial run: 247 sends in the 20 s asked)", async () => {
    const db = storeWithStaff();
    for (const id of ['a', 'b', 'c']) addSubscriber(db, { id });
    const clock = manualClock();
    const t0 = Date.now() + 1000;
    const id = scheduled(db);
    // The process that crashed: Telegram answered a send with 429 retry_after 20, 5 s before the restart.
    const { logAttempt } = await import('../../src/db/sends.js');
    logAttempt(db, 'delivery', 999, 'telegram', 1, { kind: 'retryAfter', seconds: 20, reason: 'Too Many Requests: retry after 20', rateLimited: true }, new Date(t0 - 5000));
    const tg = fakeChannel('telegram');
    const outbox = outboxFor(db, [tg], {
      now: () => new Date(t0 + clock.now()),
      throttles: new Map([['telegram', createThrottle({ ratePerSecond: 1000, clock })]]),
      pollMs: 5,
    });
    const done = once(outbox.events, 'done');
    outbox.start();
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 10));
    };
    await settle();
    await clock.advance(14_000);
    await settle();
    expect(tg.sent).toEqual([]);
    await clock.advance(1_100);
    await done;
    await outbox.stop();
    expect(tg.sent.map((x) => x.to).sort()).toEqual(['a', 'b', 'c']);
  });

  it('leaves a paused campaign alone and finishes it after resume', async () => {
    const db = storeWithStaff();
    for (const id of ['a', 'b']) addSubscriber(db, { id });
    const id = scheduled(db);
    const s = createCampaignService({ db, regions, topics: () => topics });
    s.pause('hoa', id);
    const tg = fakeChannel('telegram');
    const outbox = outboxFor(db, [tg]);
    outbox.tick();
    expect(getCampaign(db, id)?.status).toBe('paused');
    s.resume('hoa', id);
    await runToDone(outbox, id);
    expect(tg.sent).toHaveLength(2);
  });
});
