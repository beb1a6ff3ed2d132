/** Messages held for a web visitor (db/sends.ts takeHeldSends): taken once, expired past their TTL. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/index.js';
import { upsertPerson } from '../../src/db/people.js';
import { insertSends, takeHeldSends } from '../../src/db/sends.js';

let db: Db;
const now = new Date('2026-12-01T03:00:00.000Z');
const later = (ms: number) => new Date(now.getTime() + ms);
beforeEach(() => {
  db = openDb(':memory:');
});
afterEach(() => db.close());

const statuses = () => db.prepare('SELECT id, status FROM sends ORDER BY id').all() as { id: number; status: string }[];
const changes = () => (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;

describe('takeHeldSends', () => {
  it('hands over the held messages once, oldest first, marked sent with an attempt', () => {
    const p = upsertPerson(db, 'web', 'visitor-1', undefined, now);
    const [a, b] = insertSends(db, [
      { channel: 'web', personId: p.id, recipient: 'visitor-1', kind: 'notice', reply: { text: 'first' }, status: 'held', expiresAt: later(60_000), ref: 'notice:1' },
      { channel: 'web', personId: p.id, recipient: 'visitor-1', kind: 'notice', reply: { text: 'second' }, status: 'held', expiresAt: later(60_000) },
    ], now);
    expect(takeHeldSends(db, p.id, now).map((h) => [h.id, h.reply.text, h.ref])).toEqual([
      [a, 'first', 'notice:1'],
      [b, 'second', null],
    ]);
    expect(statuses()).toEqual([
      { id: a, status: 'sent' },
      { id: b, status: 'sent' },
    ]);
    expect(db.prepare("SELECT COUNT(*) AS n FROM send_attempts WHERE lane = 'sends' AND result = 'ok'").get()).toEqual({ n: 2 });
    expect(takeHeldSends(db, p.id, now)).toEqual([]);
  });

  it('drops a held message past its time as expired, and hands over the others', () => {
    const p = upsertPerson(db, 'web', 'visitor-2', undefined, now);
    const [old, fresh] = insertSends(db, [
      { channel: 'web', personId: p.id, recipient: 'visitor-2', kind: 'notice', reply: { text: 'old' }, status: 'held', expiresAt: later(1000) },
      { channel: 'web', personId: p.id, recipient: 'visitor-2', kind: 'notice', reply: { text: 'fresh' }, status: 'held', expiresAt: later(60_000) },
    ], now);
    expect(takeHeldSends(db, p.id, later(2000)).map((h) => h.reply.text)).toEqual(['fresh']);
    expect(statuses()).toEqual([
      { id: old, status: 'expired' },
      { id: fresh, status: 'sent' },
    ]);
  });

  it("writes nothing for someone with nothing held, and leaves others' rows alone", () => {
    const p = upsertPerson(db, 'web', 'visitor-3', undefined, now);
    const other = upsertPerson(db, 'web', 'visitor-4', undefined, now);
    const [theirs] = insertSends(db, [{ channel: 'web', personId: other.id, recipient: 'visitor-4', kind: 'notice', reply: { text: 'theirs' }, status: 'held', expiresAt: later(1000) }], now);
    const before = changes();
    expect(takeHeldSends(db, p.id, later(2000))).toEqual([]);
    expect(changes()).toBe(before);
    expect(statuses()).toEqual([{ id: theirs, status: 'held' }]);
  });
});
