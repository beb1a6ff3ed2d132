/**
 * Answer notices in the outbox (db/notices.ts, campaigns/outbox.ts): sent through the channel's
 * throttle, retried after a 429, a blocked person marked gone, a crash mid-send left `unknown`
 * (never silently re-sent), a Zalo asker outside the 7-day window held until they write again.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Channel, ChannelName, Reply, SendResult } from '../../src/channels/channel.js';
import { createOutbox } from '../../src/campaigns/outbox.js';
import { createThrottle, type Throttle } from '../../src/campaigns/throttle.js';
import { enqueueNotices, listNotices, releaseHeldNotices } from '../../src/db/notices.js';
import { recordUnanswered } from '../../src/db/questions.js';
import { getPerson, touchPerson, upsertPerson } from '../../src/db/people.js';
import { openDb, type Db } from '../../src/db/index.js';

const reply: Reply = { title: 'Câu hỏi của bạn đã có câu trả lời', text: 'Trả lời.' };

function fakeChannel(name: ChannelName, script: (to: string, n: number) => SendResult) {
  const sent: string[] = [];
  let n = 0;
  const channel: Channel = {
    name,
    // A fake Zalo declares the 7-day contact window as the real channel does (zaloCapabilities).
    capabilities: { buttons: true, maxButtons: 5, nativeQuizPoll: false, maxTextLength: 2000, numberedReplies: true, ...(name === 'zalo' ? { contactWindowDays: 7 } : {}) },
    async send(to) {
      const res = script(to, n++);
      if (res.kind === 'ok') sent.push(to);
      return res;
    },
  };
  return { channel, sent };
}

/** Queues one notice for a new asker on `channel`; returns the unanswered id. */
function queue(db: Db, channel: ChannelName, ext: string, lastSeen: Date = new Date()): number {
  const p = upsertPerson(db, channel, ext);
  db.prepare('UPDATE people SET last_interaction_at = ? WHERE id = ?').run(lastSeen.toISOString(), p.id);
  const id = recordUnanswered(db, { personId: p.id, channel, question: `Câu hỏi của ${ext}?`, normalized: '', suggestions: [] });
  enqueueNotices(db, [{ unansweredId: id, personId: p.id, channel, recipient: ext, entryId: 'muc-a', reply }]);
  return id;
}

async function run(db: Db, channel: Channel, throttle: Throttle, settle: number): Promise<string[]> {
  const outbox = createOutbox({
    db,
    channels: new Map([[channel.name, channel]]),
    throttles: new Map([[channel.name, throttle]]),
    regions: () => ({ regions: [], root: 'x' }),
    quietHours: { start: '00:00', end: '00:00' },
    pollMs: 10,
  });
  const statuses: string[] = [];
  const done = new Promise<void>((resolve) =>
    outbox.events.on('notice', (_id: number, status: string) => {
      if (status !== 'retry') statuses.push(status);
      if (statuses.length === settle) resolve();
    }),
  );
  outbox.start();
  await done;
  await outbox.stop();
  return statuses;
}

describe('answer notices in the outbox', () => {
  it('go through the throttle, retry after a 429 and mark a blocked asker gone', async () => {
    const db = openDb(':memory:');
    queue(db, 'telegram', '1');
    queue(db, 'telegram', '2');
    queue(db, 'telegram', '3');
    const tg = fakeChannel('telegram', (to, n) =>
      to === '2' && n < 3 ? { kind: 'retryAfter', seconds: 0.05 } : to === '3' ? { kind: 'gone', reason: '403 blocked' } : { kind: 'ok', messageId: `m${n}` },
    );
    const throttle = createThrottle({ ratePerSecond: 1000 });
    const acquired: string[] = [];
    const acquire = throttle.acquire.bind(throttle);
    throttle.acquire = (chat, priority, cost) => (acquired.push(`${chat}:${priority}`), acquire(chat, priority, cost));
    expect((await run(db, tg.channel, throttle, 3)).sort()).toEqual(['gone', 'sent', 'sent']);
    expect(tg.sent.sort()).toEqual(['1', '2']);
    expect(acquired).toContain('2:campaign');
    expect(acquired.filter((a) => a === '2:campaign').length).toBeGreaterThan(1); // retried through the throttle
    const rows = new Map(listNotices(db, 'muc-a').map((n) => [n.question, n]));
    expect(rows.get('Câu hỏi của 2?')).toMatchObject({ status: 'sent', attempts: 2 });
    expect(rows.get('Câu hỏi của 3?')).toMatchObject({ status: 'gone', reason: '403 blocked' });
    expect(getPerson(db, upsertPerson(db, 'telegram', '3').id)?.status).toBe('gone');
  });

  it('leaves a notice caught mid-send by a crash unknown, and holds a Zalo asker\'s outside the window until they write again', async () => {
    const db = openDb(':memory:');
    queue(db, 'zalo', 'crashed');
    db.prepare(`UPDATE answer_notices SET status = 'sending'`).run(); // the process died mid-send
    queue(db, 'zalo', 'old', new Date(Date.now() - 9 * 86_400_000));
    queue(db, 'zalo', 'recent');
    const zalo = fakeChannel('zalo', () => ({ kind: 'ok' }));
    expect((await run(db, zalo.channel, createThrottle({ ratePerSecond: 1000 }), 2)).sort()).toEqual(['held', 'sent']);
    expect(zalo.sent).toEqual(['recent']);
    const rows = () => Object.fromEntries(listNotices(db, 'muc-a').map((n) => [n.question, n.status]));
    expect(rows()).toEqual({ 'Câu hỏi của crashed?': 'unknown', 'Câu hỏi của old?': 'held', 'Câu hỏi của recent?': 'sent' });
    expect(listNotices(db, 'muc-a').find((n) => n.question === 'Câu hỏi của old?')?.reason).toContain('chờ người hỏi nhắn lại cho OA');

    // Ten days on, the asker writes to the OA again: the window is open and the answer goes out.
    const old = upsertPerson(db, 'zalo', 'old');
    touchPerson(db, old.id);
    expect(releaseHeldNotices(db, old.id)).toBe(1);
    expect(releaseHeldNotices(db, old.id)).toBe(0);
    expect(await run(db, zalo.channel, createThrottle({ ratePerSecond: 1000 }), 1)).toEqual(['sent']);
    expect(zalo.sent).toEqual(['recent', 'old']);
    expect(rows()['Câu hỏi của old?']).toBe('sent');
  });

  it('holds a notice Zalo refuses as outside the window when sent (the clock said inside), for the asker\'s next message', async () => {
    const db = openDb(':memory:');
    queue(db, 'zalo', 'edge');
    const zalo = fakeChannel('zalo', (_to, n) => (n === 0 ? { kind: 'outsideWindow', reason: '-213 user has not interacted in 7 days' } : { kind: 'ok' }));
    await run(db, zalo.channel, createThrottle({ ratePerSecond: 1000 }), 1);
    expect(listNotices(db, 'muc-a')[0]).toMatchObject({ status: 'held' });
    releaseHeldNotices(db, upsertPerson(db, 'zalo', 'edge').id);
    expect(await run(db, zalo.channel, createThrottle({ ratePerSecond: 1000 }), 1)).toEqual(['sent']);
    expect(zalo.sent).toEqual(['edge']);
  });

  it('wait out a Zalo quota outage without running out of attempts, and go out once when the quota is back', async () => {
    const db = openDb(':memory:');
    for (let i = 0; i < 5; i++) queue(db, 'zalo', `q${i}`);
    let quota = true;
    const zalo = fakeChannel('zalo', () => (quota ? { kind: 'retryAfter', seconds: 0.02, reason: 'Zalo -211: the OA is out of its message quota' } : { kind: 'ok' }));
    const outbox = createOutbox({
      db,
      channels: new Map([['zalo', zalo.channel]]),
      throttles: new Map([['zalo', createThrottle({ ratePerSecond: 1000 })]]),
      regions: () => ({ regions: [], root: 'x' }),
      quietHours: { start: '00:00', end: '00:00' },
      pollMs: 10,
      connected: () => !quota,
      probeWhileDown: () => quota,
      probeMs: 10,
    });
    outbox.start();
    // Far more probes than the 8 attempts after which a notice used to be given up.
    await new Promise((r) => setTimeout(r, 600));
    const whileOut = listNotices(db, 'muc-a');
    expect(whileOut.filter((n) => n.status === 'failed')).toEqual([]);
    expect(Math.max(...whileOut.map((n) => n.attempts))).toBeLessThanOrEqual(1);
    quota = false;
    await vi.waitFor(() => expect(listNotices(db, 'muc-a').every((n) => n.status === 'sent')).toBe(true), { timeout: 5000 });
    await outbox.stop();
    expect(zalo.sent.sort()).toEqual(['q0', 'q1', 'q2', 'q3', 'q4']);
  });
});

