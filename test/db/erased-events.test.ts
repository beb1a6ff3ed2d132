/**
 * After a person is erased at their request, a platform that delivers one of their events again
 * (Zalo's retries, a replay inside the webhook's age limit, Telegram's redelivery) finds it a
 * duplicate: nothing is stored and nobody is made again. Erasure clears the dedupe keys (they hold
 * chat ids), so before this the event was new and brought the erased person back (attack trial).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { erasePerson, getPersonByExternal, upsertPerson } from '../../src/db/people.js';
import { ERASED_EVENTS_DAYS, rememberErasedEvents, wasErasedEvent } from '../../src/db/messages.js';
import type { Inbound } from '../../src/messages.js';

let ctx: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(async () => {
  await ctx.close();
});

const event = (n: number): Inbound => ({ channel: 'telegram', userId: '5551', dedupeKey: `u:${n}:m:5551:${n}`, type: 'text', text: 'Tôi tên Lan, số điện thoại 0912345678' });
const peopleOf = () => (ctx.app.db.prepare(`SELECT COUNT(*) AS n FROM people WHERE channel = 'telegram' AND external_id = '5551'`).get() as { n: number }).n;

describe('an erased person\'s events delivered again', () => {
  it('are duplicates: nothing stored, nobody made again', async () => {
    expect(ctx.app.inbox.accept(event(1))).toBe(true);
    expect(ctx.app.inbox.accept(event(2))).toBe(true);
    await ctx.app.inbox.drain();
    const person = getPersonByExternal(ctx.app.db, 'telegram', '5551')!;
    erasePerson(ctx.app.db, person.id);
    expect(peopleOf()).toBe(0);
    const messagesBefore = (ctx.app.db.prepare(`SELECT COUNT(*) AS n FROM messages`).get() as { n: number }).n;
    expect(ctx.app.inbox.accept(event(1))).toBe(false);
    expect(ctx.app.inbox.accept(event(2))).toBe(false);
    await ctx.app.inbox.drain();
    expect(peopleOf()).toBe(0);
    expect((ctx.app.db.prepare(`SELECT COUNT(*) AS n FROM messages`).get() as { n: number }).n).toBe(messagesBefore);
    // A new message from the same account is a new conversation, as it should be.
    expect(ctx.app.inbox.accept(event(3))).toBe(true);
    await ctx.app.inbox.drain();
    expect(peopleOf()).toBe(1);
  });

  it('are forgotten after a week, and nothing of the key is kept in clear', () => {
    const db = ctx.app.db;
    const at = new Date('2026-12-01T00:00:00Z');
    const p = upsertPerson(db, 'zalo', 'z-77', undefined, at);
    db.prepare(`INSERT INTO messages (channel, person_id, direction, dedupe_key, kind, created_at) VALUES ('zalo', ?, 'in', 'z-77:msg-1', 'text', ?)`).run(p.id, at.toISOString());
    rememberErasedEvents(db, p.id, at);
    const rows = db.prepare(`SELECT key_hash FROM erased_events WHERE channel = 'zalo'`).all() as { key_hash: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key_hash).not.toContain('z-77');
    expect(wasErasedEvent(db, { channel: 'zalo', dedupeKey: 'z-77:msg-1' })).toBe(true);
    rememberErasedEvents(db, -1, new Date(at.getTime() + (ERASED_EVENTS_DAYS + 1) * 86_400_000));
    expect(wasErasedEvent(db, { channel: 'zalo', dedupeKey: 'z-77:msg-1' })).toBe(false);
  });
});
