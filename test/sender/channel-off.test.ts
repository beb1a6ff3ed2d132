/**
 * Notices for a channel that is no longer configured (Zalo taken out of .env after a case was
 * closed): nothing polls that channel, and they stayed `pending` for ever, counted "đang chờ gửi"
 * on the case page. Now they wait out their lifetime (a day: the channel may come back), then end
 * `expired` with a reason staff read, audited. A training invitation (an enqueued notice) lives a
 * day too, not a reply's 5 minutes, and one to a channel that is off is stored (it was dropped).
 */
import { describe, expect, it } from 'vitest';
import type { Channel, SendResult } from '../../src/channels/channel.js';
import { createSender, NOTICE_TTL_MS } from '../../src/sender/sender.js';
import { openDb } from '../../src/db/index.js';
import { upsertPerson } from '../../src/db/people.js';
import { CHANNEL_OFF_REASON, insertSends, sendsOf } from '../../src/db/sends.js';
import { OUTCOME_TTL_MS } from '../../src/admin/disinfo.js';

const telegram = (sent: string[]): Channel => ({
  name: 'telegram',
  capabilities: { buttons: true, maxButtons: 8, nativeQuizPoll: true, maxTextLength: 4096, numberedReplies: false },
  async send(_to, reply): Promise<SendResult> {
    sent.push(reply.text);
    return { kind: 'ok' };
  },
});

describe('notices for a channel that is not configured', () => {
  it('wait out their lifetime, then end expired with the reason, audited', async () => {
    const db = openDb(':memory:');
    let t = new Date('2026-12-08T01:00:00Z');
    const zaloPerson = upsertPerson(db, 'zalo', '8713451786543219555');
    // A case's outcome queued while Zalo was configured (admin/disinfo.ts inserts these rows).
    insertSends(db, [{ channel: 'zalo', personId: zaloPerson.id, recipient: '8713451786543219555', kind: 'notice', reply: { text: 'Kết quả xử lý báo cáo BC-2026-0001' }, ref: 'disinfo:1', expiresAt: new Date(t.getTime() + OUTCOME_TTL_MS) }], t);

    const sent: string[] = [];
    const sender = createSender({ db, channels: new Map([['telegram', telegram(sent)]]), throttles: new Map(), now: () => t, pollMs: 60_000 });
    // A training invitation to an official on Zalo, enqueued while Zalo is off: kept, not dropped.
    const invitePerson = upsertPerson(db, 'zalo', '1111222233334444');
    const { stored } = sender.enqueue({ channel: 'zalo', recipient: '1111222233334444', personId: invitePerson.id }, [{ text: 'Kính gửi đồng chí, mời đồng chí tham gia tập huấn' }], { kind: 'notice' });
    expect(await stored).toHaveLength(1);

    sender.start();
    expect(sendsOf(db, zaloPerson.id)[0]).toMatchObject({ status: 'pending' });
    expect(sendsOf(db, invitePerson.id)[0]).toMatchObject({ status: 'pending' });

    // 23 hours on: still within a day, still waiting (Zalo may be configured again).
    t = new Date(t.getTime() + 23 * 3_600_000);
    await sender.stop();
    sender.start();
    expect(sendsOf(db, zaloPerson.id)[0]!.status).toBe('pending');

    // Past the day: ended, with the reason, and said once in the audit log.
    t = new Date(t.getTime() + 2 * 3_600_000);
    await sender.stop();
    sender.start();
    for (const p of [zaloPerson.id, invitePerson.id]) expect(sendsOf(db, p)[0]).toMatchObject({ status: 'expired', reason: CHANNEL_OFF_REASON });
    const audit = db.prepare(`SELECT details FROM audit WHERE action = 'send.channel_off'`).all() as { details: string }[];
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ channel: 'zalo', expired: 2 });
    await sender.stop();
  });

  it('a notice enqueued on a configured channel lives a day, not a reply\'s 5 minutes', async () => {
    const db = openDb(':memory:');
    const t = new Date('2026-12-08T01:00:00Z');
    const sent: string[] = [];
    const sender = createSender({ db, channels: new Map([['telegram', telegram(sent)]]), throttles: new Map(), now: () => t });
    const p = upsertPerson(db, 'telegram', '42');
    await sender.enqueue({ channel: 'telegram', recipient: '42', personId: p.id }, [{ text: 'Mời tập huấn' }], { kind: 'notice' }).done;
    await sender.enqueue({ channel: 'telegram', recipient: '42', personId: p.id }, [{ text: 'Trả lời' }]).done;
    const rows = db.prepare(`SELECT kind, expires_at AS e FROM sends ORDER BY id`).all() as { kind: string; e: string }[];
    expect(rows.map((r) => [r.kind, new Date(r.e).getTime() - t.getTime()])).toEqual([
      ['notice', NOTICE_TTL_MS],
      ['reply', 5 * 60_000],
    ]);
    await sender.stop();
  });
});
