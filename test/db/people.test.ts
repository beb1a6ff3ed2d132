/** People: the per-message lookup must not turn into a write. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/index.js';
import { upsertPerson } from '../../src/db/people.js';

let db: Db;
beforeEach(() => {
  db = openDb(':memory:');
});
afterEach(() => db.close());

const changes = (): number => (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;

describe('upsertPerson', () => {
  it('creates a person once, then finds them without writing', () => {
    const a = upsertPerson(db, 'telegram', '42', 'Lan');
    const before = changes();
    const b = upsertPerson(db, 'telegram', '42', 'Lan');
    const c = upsertPerson(db, 'telegram', '42');
    expect(changes()).toBe(before);
    expect([b.id, c.id]).toEqual([a.id, a.id]);
    expect(c.displayName).toBe('Lan');
  });

  it('updates the display name when it changed', () => {
    const a = upsertPerson(db, 'telegram', '43', 'Lan');
    const b = upsertPerson(db, 'telegram', '43', 'Lan Nguyễn');
    expect(b.id).toBe(a.id);
    expect(b.displayName).toBe('Lan Nguyễn');
  });
});
