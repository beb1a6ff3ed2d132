/** Group commit (db/group-commit.ts): one transaction per turn, each write on its own. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/index.js';
import { createGroupCommit } from '../../src/db/group-commit.js';

let db: Db;
beforeEach(() => {
  db = openDb(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT UNIQUE)');
});
afterEach(() => db.close());

const insert = (k: string) => () => Number(db.prepare('INSERT INTO t (k) VALUES (?)').run(k).lastInsertRowid);
const count = () => (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;

describe('createGroupCommit', () => {
  it('runs the writes queued in one turn in one transaction, and resolves after the commit', async () => {
    const group = createGroupCommit(db);
    const seen: boolean[] = [];
    const p = Promise.all(['a', 'b', 'c'].map((k) => group.run(() => (seen.push(db.inTransaction), insert(k)()))));
    // Nothing is written before the turn ends.
    expect(count()).toBe(0);
    expect(await p).toEqual([1, 2, 3]);
    expect(seen).toEqual([true, true, true]);
    expect(db.inTransaction).toBe(false);
    expect(count()).toBe(3);
  });

  it('rolls back and rejects only the write that threw', async () => {
    const group = createGroupCommit(db);
    const results = await Promise.allSettled([
      group.run(insert('a')),
      group.run(() => {
        insert('b')();
        insert('a')(); // UNIQUE: this write (b too) is undone
      }),
      group.run(insert('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(db.prepare('SELECT k FROM t ORDER BY k').pluck().all()).toEqual(['a', 'c']);
  });

  it('flush commits at once', () => {
    const group = createGroupCommit(db);
    void group.run(insert('z'));
    group.flush();
    expect(count()).toBe(1);
  });

  it('commits a later() write within laterMs, or with the next run() if that comes first', async () => {
    const group = createGroupCommit(db, { laterMs: 30 });
    const t0 = Date.now();
    const late = group.later(insert('late'));
    await new Promise((r) => setImmediate(r));
    expect(count()).toBe(0); // waits for company
    expect(await late).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);

    const begins: number[] = [];
    const p1 = group.later(() => (begins.push(Number(db.inTransaction)), insert('x')()));
    const p2 = group.run(() => (begins.push(Number(db.inTransaction)), insert('y')()));
    await Promise.all([p1, p2]);
    expect(count()).toBe(3); // both in the run()'s commit, at the end of the turn
    expect(begins).toEqual([1, 1]);
  });

  it('retries a batch write by write when one throws, so the others still commit once', async () => {
    const group = createGroupCommit(db);
    let runs = 0;
    const counted = () => {
      runs++;
      return insert('counted')();
    };
    const results = await Promise.allSettled([group.run(counted), group.run(insert('counted')), group.run(insert('other'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(db.prepare('SELECT k FROM t ORDER BY k').pluck().all()).toEqual(['counted', 'other']);
    expect(runs).toBe(2); // straight (rolled back), then in its savepoint
  });
});
