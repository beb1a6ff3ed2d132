/**
 * The yearly report's figures at a provincial office's size (docs/operations.md "Scale"): the
 * queries rewritten for speed (migration 101) must count exactly what the former ones counted.
 * A generated dataset (people in regions and none, messages in and out, deliveries of every
 * status, questions, officials linked and by account, memberships that end) is counted by the
 * former SQL, kept here verbatim, and by the code, for several periods and region scopes.
 */
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/index.js';
import { yearFigures } from '../../src/db/admin.js';
import { officialsQuestions, officialsReached } from '../../src/db/training.js';
import { personInScope, type RegionScope } from '../../src/db/scope.js';

const REGIONS = ['a', 'b', 'c', null];
const CHANNELS = ['telegram', 'zalo', 'web'];

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A small office: 300 people over 2025-2026, with everything the report counts. */
function dataset(): Db {
  const db = openDb(':memory:');
  const r = rng(7);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const start = Date.parse('2025-01-01T00:00:00Z');
  const span = Date.parse('2027-01-01T00:00:00Z') - start;
  // Times at the instants a period starts or ends, too (bounds are [from, to)).
  const at = () => (r() < 0.05 ? pick(['2026-01-01T00:00:00.000Z', '2025-12-31T23:59:59.999Z', '2026-03-01T00:00:00.000Z']) : new Date(start + r() * span).toISOString());
  const person = db.prepare(`INSERT INTO people (channel, external_id, region, consent_at, opted_out_at, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  for (let i = 0; i < 300; i++) {
    const consent = r() < 0.7 ? at() : null;
    person.run(pick(CHANNELS), `u${i}`, pick(REGIONS), consent, consent && r() < 0.2 ? at() : null, r() < 0.1 ? 'gone' : 'active', '2025-01-01T00:00:00.000Z');
  }
  const msg = db.prepare(`INSERT INTO messages (channel, person_id, direction, kind, text, created_at) VALUES (?, ?, ?, 'text', 'x', ?)`);
  for (let i = 0; i < 3000; i++) {
    const p = 1 + Math.floor(r() * 300);
    // A person's messages on their own channel, mostly; a few with no person (erased).
    msg.run(pick(CHANNELS), r() < 0.05 ? null : p, r() < 0.6 ? 'in' : 'out', at());
  }
  const camp = db.prepare(`INSERT INTO campaigns (status, text, channels, author, created_at, updated_at, started_at) VALUES (?, 'x', '["telegram"]', 'a', ?, ?, ?)`);
  const del = db.prepare(`INSERT OR IGNORE INTO deliveries (campaign_id, person_id, channel, recipient, status, finished_at) VALUES (?, ?, ?, 'r', ?, ?)`);
  for (let c = 1; c <= 12; c++) {
    const s = at();
    camp.run(pick(['done', 'cancelled', 'sending']), s, s, s);
    for (let i = 0; i < 150; i++) {
      const st = pick(['sent', 'sent', 'sent', 'failed', 'gone', 'pending', 'outside_window']);
      del.run(c, 1 + Math.floor(r() * 300), pick(CHANNELS), st, st === 'pending' ? null : at());
    }
  }
  const q = db.prepare(`INSERT INTO questions (person_id, channel, answered, topics, created_at) VALUES (?, ?, ?, ?, ?)`);
  for (let i = 0; i < 2000; i++) {
    const answered = r() < 0.7;
    q.run(r() < 0.05 ? null : 1 + Math.floor(r() * 300), pick(CHANNELS), answered ? 1 : 0, answered ? JSON.stringify([pick(['t1', 't2', 't3'])]) : r() < 0.5 ? null : '[]', at());
  }
  const off = db.prepare(
    `INSERT INTO training_officials (name, unit, group_id, region, channel, external_id, person_id, imported_at, updated_at) VALUES ('x', 'u', 'g', ?, ?, ?, ?, ?, ?)`,
  );
  const mem = db.prepare(`INSERT INTO training_memberships (official_id, group_id, unit, region, valid_from, valid_to) VALUES (?, ?, 'u', NULL, ?, ?)`);
  for (let i = 0; i < 60; i++) {
    const p = 1 + i * 4;
    const row = db.prepare('SELECT channel, external_id FROM people WHERE id = ?').get(p) as { channel: string; external_id: string };
    // Linked, or only by account (person_id NULL: matched on channel and user id).
    const id = Number(off.run(pick(REGIONS), row.channel, row.external_id, r() < 0.5 ? p : null, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z').lastInsertRowid);
    const from = at();
    mem.run(id, 'g', from, r() < 0.3 ? at() : null);
    if (r() < 0.3) mem.run(id, 'h', at(), null);
  }
  return db;
}

/** The reached rows as the code counted them before migration 101 (verbatim but for the scope helper). */
function reachedBefore(db: Db, f: string, t: string, scope: RegionScope) {
  const msgScope = personInScope('person_id', scope);
  const delScope = personInScope('person_id', scope);
  return db
    .prepare(
      `WITH wrote AS (
      SELECT DISTINCT channel, person_id FROM messages
       WHERE direction = 'in' AND person_id IS NOT NULL AND created_at >= ? AND created_at < ? AND ${msgScope.sql}
    ), received AS (
      SELECT DISTINCT channel, person_id FROM deliveries WHERE status = 'sent' AND finished_at >= ? AND finished_at < ? AND ${delScope.sql}
    ), everyone AS (SELECT channel, person_id FROM wrote UNION SELECT channel, person_id FROM received)
    SELECT e.channel,
           COUNT(*) AS people,
           SUM(EXISTS (SELECT 1 FROM wrote w WHERE w.channel = e.channel AND w.person_id = e.person_id)) AS wrote,
           SUM(EXISTS (SELECT 1 FROM received r WHERE r.channel = e.channel AND r.person_id = e.person_id)) AS received
      FROM everyone e GROUP BY e.channel ORDER BY e.channel`,
    )
    .all(f, t, ...msgScope.args, f, t, ...delScope.args);
}

function questionsBefore(db: Db, f: string, t: string, scope: RegionScope) {
  const asker = personInScope('person_id', scope);
  return db
    .prepare(`SELECT COUNT(*) AS asked, COALESCE(SUM(answered), 0) AS answered FROM questions WHERE created_at >= ? AND created_at < ? AND ${asker.sql}`)
    .get(f, t, ...asker.args) as { asked: number; answered: number };
}

const OFFICIAL_PEOPLE = `WITH listed AS (
         SELECT o.id, o.person_id, o.channel, o.external_id FROM training_officials o
          WHERE EXISTS (SELECT 1 FROM training_memberships m WHERE m.official_id = o.id AND m.valid_from < ? AND (m.valid_to IS NULL OR m.valid_to > ?))
       ), officials AS (
         SELECT person_id AS id FROM listed WHERE person_id IS NOT NULL
          UNION SELECT p.id FROM listed l JOIN people p ON p.channel = l.channel AND p.external_id = l.external_id
       )`;

function officialsReachedBefore(db: Db, f: string, t: string, scope: RegionScope) {
  const inScope = scope ? `person_id IN (SELECT id FROM people WHERE region IN (SELECT value FROM json_each(?)))` : '1';
  const scopeArgs = scope ? [JSON.stringify(scope)] : [];
  return db
    .prepare(
      `${OFFICIAL_PEOPLE}, wrote AS (
         SELECT DISTINCT channel, person_id FROM messages
          WHERE direction = 'in' AND person_id IN (SELECT id FROM officials) AND created_at >= ? AND created_at < ? AND ${inScope}
       ), received AS (
         SELECT DISTINCT channel, person_id FROM deliveries WHERE status = 'sent' AND person_id IN (SELECT id FROM officials) AND finished_at >= ? AND finished_at < ? AND ${inScope}
       ), everyone AS (SELECT channel, person_id FROM wrote UNION SELECT channel, person_id FROM received)
       SELECT e.channel, COUNT(*) AS people,
              SUM(EXISTS (SELECT 1 FROM wrote w WHERE w.channel = e.channel AND w.person_id = e.person_id)) AS wrote,
              SUM(EXISTS (SELECT 1 FROM received r WHERE r.channel = e.channel AND r.person_id = e.person_id)) AS received
         FROM everyone e GROUP BY e.channel ORDER BY e.channel`,
    )
    .all(t, f, f, t, ...scopeArgs, f, t, ...scopeArgs);
}

const PERIODS: [string, string][] = [
  ['2025-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
  ['2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
  ['2026-03-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z'],
  ['2030-01-01T00:00:00.000Z', '2031-01-01T00:00:00.000Z'],
];
const SCOPES: RegionScope[] = [null, ['a'], ['a', 'b'], []];

describe('yearly report queries at scale (migration 101)', () => {
  const db = dataset();

  it('count the people reached and the questions exactly as before, for every period and scope', () => {
    let nonEmpty = 0;
    for (const [f, t] of PERIODS)
      for (const scope of SCOPES) {
        const y = yearFigures(db, new Date(f), new Date(t), scope);
        expect(y.reachedByChannel, `${f} ${JSON.stringify(scope)}`).toEqual(reachedBefore(db, f, t, scope));
        expect(y.questions, `${f} ${JSON.stringify(scope)}`).toEqual({ ...questionsBefore(db, f, t, scope), unanswered: questionsBefore(db, f, t, scope).asked - questionsBefore(db, f, t, scope).answered });
        if (y.reachedByChannel.length) nonEmpty++;
      }
    // The dataset reaches people in most periods and scopes (the comparison is not of empty lists).
    expect(nonEmpty).toBeGreaterThanOrEqual(9);
  });

  it('count the officials reached exactly as before', () => {
    let reached = 0;
    for (const [f, t] of PERIODS)
      for (const scope of SCOPES) {
        const now = officialsReached(db, new Date(f), new Date(t), scope);
        expect(now, `${f} ${JSON.stringify(scope)}`).toEqual(officialsReachedBefore(db, f, t, scope));
        reached += now.reduce((a, c) => a + c.people, 0);
      }
    expect(reached).toBeGreaterThan(50);
    // officialsQuestions was not rewritten, only given an index: a figure checked by hand.
    const { asked } = officialsQuestions(db, new Date(PERIODS[1]![0]), new Date(PERIODS[1]![1]));
    expect(asked).toBeGreaterThan(0);
  });

  it('read the period from covering indexes, not the messages and deliveries rows', () => {
    const plan = (sql: string, ...args: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('\n');
    const m = plan(`SELECT DISTINCT channel, person_id FROM messages WHERE direction = 'in' AND person_id IS NOT NULL AND created_at >= ? AND created_at < ?`, 'a', 'b');
    expect(m).toContain('COVERING INDEX messages_in_created');
    const d = plan(`SELECT DISTINCT channel, person_id FROM deliveries WHERE status = 'sent' AND finished_at >= ? AND finished_at < ?`, 'a', 'b');
    expect(d).toContain('COVERING INDEX deliveries_sent_finished');
    const q = plan(`SELECT channel, COUNT(*), SUM(answered) FROM questions WHERE created_at >= ? AND created_at < ? GROUP BY channel`, 'a', 'b');
    expect(q).toContain('COVERING INDEX questions_period');
    const o = plan(`SELECT 1 FROM training_memberships m WHERE m.official_id = ? AND m.valid_from < ?`, 1, 'b');
    expect(o).toContain('training_memberships_official');
  });
});

describe('officials reached at scale', () => {
  it('reads the officials’ messages of the period from the covering index', () => {
    const db = dataset();
    const traced: string[] = [];
    const orig = db.prepare.bind(db);
    (db as unknown as { prepare: (sql: string) => unknown }).prepare = (sql: string) => {
      if (sql.includes('FROM messages')) traced.push(sql);
      return orig(sql);
    };
    officialsReached(db, new Date(PERIODS[1]![0]), new Date(PERIODS[1]![1]));
    const sql = traced.find((s) => s.includes('officials'))!;
    const plan = (orig(`EXPLAIN QUERY PLAN ${sql}`).all(PERIODS[1]![1], PERIODS[1]![0], PERIODS[1]![1], PERIODS[1]![0], PERIODS[1]![0], PERIODS[1]![1], PERIODS[1]![0], PERIODS[1]![1]) as { detail: string }[])
      .map((r) => r.detail)
      .join('\n');
    expect(plan).toMatch(/SEARCH messages USING COVERING INDEX messages_in_created/);
  });
});

describe('a region-scoped report at scale', () => {
  it('reads the period’s messages from the covering index, not each of the region’s people’s', () => {
    const db = dataset();
    const traced: { sql: string; args: unknown[] }[] = [];
    const orig = db.prepare.bind(db);
    (db as unknown as { prepare: (sql: string) => unknown }).prepare = (sql: string) => {
      const st = orig(sql);
      if (!sql.includes('FROM messages')) return st;
      return new Proxy(st, {
        get: (t, k) => (k === 'all' || k === 'get' ? (...a: unknown[]) => (traced.push({ sql, args: a }), (t as never as Record<string, (...x: unknown[]) => unknown>)[k]!(...a)) : Reflect.get(t, k)),
      });
    };
    const [f, t] = PERIODS[1]!;
    yearFigures(db, new Date(f), new Date(t), ['a', 'b']);
    officialsReached(db, new Date(f), new Date(t), ['a', 'b']);
    expect(traced).toHaveLength(2);
    for (const q of traced) {
      const plan = (orig(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.args) as { detail: string }[]).map((r) => r.detail).join('\n');
      expect(plan).toMatch(/SEARCH messages USING COVERING INDEX messages_in_created/);
      expect(plan).not.toMatch(/messages_person_kind/);
    }
  });
});
