/**
 * The audit log filtered by an action (the admin "Nhật ký" page): an action few entries have
 * is read through migration 109's audit_action index instead of the whole log newest first
 * (165-600 ms at 100 000 entries for an action nobody did); a common action still reads the log
 * newest first and stops after its page. Either way the rows are exactly those of the former
 * SQL, kept here as it was.
 */
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/index.js';
import { listAudit, type AuditFilters } from '../../src/db/audit.js';

/** listAudit's statement before the index (no scope here: the tests do not use one). */
function formerList(db: Db, f: AuditFilters): { id: number }[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (f.actor) (where.push('actor = ?'), args.push(f.actor));
  if (f.action) (where.push("action LIKE ? ESCAPE '\\'"), args.push(`${f.action.replace(/[\\%_]/g, '\\$&')}%`));
  if (f.targetType) (where.push('target_type = ?'), args.push(f.targetType));
  if (f.targetId) (where.push('target_id = ?'), args.push(f.targetId));
  if (f.from) (where.push('at >= ?'), args.push(f.from));
  if (f.to) (where.push('at < ?'), args.push(f.to));
  const sql = `SELECT id FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`;
  args.push(Math.min(Math.max(f.limit ?? 200, 1), 5000), Math.max(f.offset ?? 0, 0));
  return db.prepare(sql).all(...args) as { id: number }[];
}

const COMMON = ['qa.approve', 'campaign.submit', 'content.save', 'question.dismiss', 'user.login'];
const RARE = ['user.add', 'qa_x.odd', 'qa%weird', 'Login.Fail'];

function seed(): Db {
  const db = openDb(':memory:');
  let s = 11;
  const rnd = (): number => ((s = (s * 1103515245 + 12345) % 2147483648), s / 2147483648);
  const ins = db.prepare(`INSERT INTO audit (at, actor, action, target_type, target_id, details, ip) VALUES (?, ?, ?, ?, ?, NULL, NULL)`);
  db.transaction(() => {
    for (let i = 0; i < 12_000; i++) {
      const action = i % 400 === 7 ? RARE[(i / 400) % RARE.length | 0]! : COMMON[Math.floor(rnd() * COMMON.length)]!;
      // Some entries share a timestamp: the id breaks the tie.
      const at = new Date(Date.parse('2025-01-01T00:00:00Z') + Math.floor(i / 3) * 60_000).toISOString();
      ins.run(at, rnd() < 0.3 ? 'admin' : 'bientap', action, i % 2 ? 'qa' : 'campaign', `t-${i % 50}`);
    }
  })();
  return db;
}

const planOf = (db: Db, f: AuditFilters): string => {
  const prepare = db.prepare.bind(db);
  let plan = '';
  db.prepare = ((sql: string) => {
    if (/^\s*SELECT \* FROM audit/.test(sql) && !plan)
      plan = (prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...lastArgs(f)) as { detail: string }[]).map((r) => r.detail).join(' | ');
    return prepare(sql);
  }) as typeof db.prepare;
  try {
    listAudit(db, f);
  } finally {
    db.prepare = prepare;
  }
  return plan;
};
/** The main statement's arguments for the filters used in the plan checks (action, then limit/offset). */
const lastArgs = (f: AuditFilters): unknown[] => [`${f.action}%`, f.limit ?? 200, f.offset ?? 0];

describe('listAudit with an action filter', () => {
  const db = seed();
  const cases: AuditFilters[] = [
    ...[...COMMON, ...RARE, 'qa.', 'qa', 'q', 'QA.APPROVE', 'user.', 'qa_', 'qa%', 'nobody.did.this', '\\'].flatMap((action) => [
      { action, limit: 101 },
      { action, limit: 101, offset: 101 },
      { action, limit: 101, offset: 2000 },
      { action, limit: 1 },
    ]),
    { action: 'qa.', actor: 'admin', limit: 50 },
    { action: 'user.add', actor: 'admin', limit: 50 },
    { action: 'qa.approve', from: '2025-01-03T00:00:00.000Z', to: '2025-01-04T00:00:00.000Z', limit: 101 },
    { action: 'user.add', from: '2025-01-03T00:00:00.000Z', limit: 101 },
    { action: 'content.save', targetType: 'qa', targetId: 't-7', limit: 1 },
    { action: 'user.add', targetType: 'qa', targetId: 't-7', limit: 1 },
    { limit: 101 },
    { limit: 101, offset: 5000 },
  ];
  it('gives exactly the rows of the former SQL', () => {
    for (const f of cases) expect(listAudit(db, f).map((r) => r.id), JSON.stringify(f)).toEqual(formerList(db, f).map((r) => r.id));
    // The cases are not all empty: rare and common actions both found.
    expect(listAudit(db, { action: 'user.add' }).length).toBeGreaterThan(0);
    expect(listAudit(db, { action: 'login.fail' }).length).toBeGreaterThan(0);
  });

  it('reads an action few entries have through the action index, a common one newest first', () => {
    expect(planOf(db, { action: 'user.add', limit: 101 })).toMatch(/INDEX audit_action/);
    expect(planOf(db, { action: 'nobody.did.this', limit: 101 })).toMatch(/INDEX audit_action/);
    const common = planOf(db, { action: 'qa.approve', limit: 101 });
    expect(common).not.toMatch(/audit_action/);
    expect(common).toMatch(/audit_at/);
  });
});
