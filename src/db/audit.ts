/** The audit log: who did what and when, for every change and every send. */
import { z } from 'zod';
import type { Db } from './index.js';
import { nowIso } from './index.js';
import { actorInScope, type RegionScope } from './scope.js';

/** One audit entry to record. */
export const auditInputSchema = z.object({
  /** Username of whoever acted ('system' for automatic actions). */
  actor: z.string().min(1),
  /** Dotted verb, area first: `qa.approve`, `campaign.submit`, `user.add`, `login.fail`. */
  action: z.string().min(1),
  targetType: z.string().min(1).optional(),
  targetId: z.union([z.string(), z.number()]).transform(String).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  ip: z.string().optional(),
});
export type AuditInput = z.input<typeof auditInputSchema>;

/** An audit entry as stored. */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown> | null;
  ip: string | null;
}

/**
 * Records one action. Call it in the same transaction as the change when you can, so the log
 * never claims a change that did not happen.
 *
 * @example recordAudit(db, { actor: 'hoa', action: 'campaign.approve', targetType: 'campaign', targetId: 12 })
 */
export function recordAudit(db: Db, input: AuditInput, now: Date = new Date()): number {
  const a = auditInputSchema.parse(input);
  const res = db
    .prepare(
      `INSERT INTO audit (at, actor, action, target_type, target_id, details, ip) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      nowIso(now),
      a.actor,
      a.action,
      a.targetType ?? null,
      a.targetId ?? null,
      a.details ? JSON.stringify(a.details) : null,
      a.ip ?? null,
    );
  return Number(res.lastInsertRowid);
}

/** Filters of {@link listAudit}; all optional. `action` matches a prefix (`qa.` finds every Q&A action). */
export interface AuditFilters {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  /** ISO time, inclusive. */
  from?: string;
  /** ISO time, exclusive. */
  to?: string;
  limit?: number;
  offset?: number;
  /** A region scope: only entries by staff of those regions (region-scoped staff; see `db/scope.ts`). */
  scope?: RegionScope;
}

/**
 * Whether few enough entries have an action matching `pattern` (a LIKE prefix) that reading them
 * through the audit_action index and sorting them beats reading the log newest first until
 * `wanted` of them are found. Reading the log costs about wanted × entries / matches rows, the
 * index about matches: the index wins below √(wanted × entries). Counted on the index, stopping
 * at that bound, so it costs at most that many index entries. An action nobody did read the
 * whole log (100 000 entries: 165-600 ms); a common one still stops after its page.
 */
function fewWithAction(db: Db, pattern: string, wanted: number): boolean {
  const entries = (db.prepare('SELECT MAX(id) AS n FROM audit').get() as { n: number | null }).n ?? 0;
  const bound = Math.ceil(Math.sqrt(wanted * entries));
  const matches = db.prepare(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM audit WHERE action LIKE ? ESCAPE '\\' LIMIT ?)`).get(pattern, bound) as { n: number };
  return matches.n < bound;
}

/** Audit entries matching the filters, newest first. */
export function listAudit(db: Db, f: AuditFilters = {}): AuditEntry[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  const limit = Math.min(Math.max(f.limit ?? 200, 1), 5000);
  const offset = Math.max(f.offset ?? 0, 0);
  if (f.actor) (where.push('actor = ?'), args.push(f.actor));
  if (f.action) {
    const pattern = `${f.action.replace(/[\\%_]/g, '\\$&')}%`;
    // `+action` keeps SQLite off the audit_action index (migration 109): the log read newest first.
    where.push(`${fewWithAction(db, pattern, offset + limit) ? '' : '+'}action LIKE ? ESCAPE '\\'`);
    args.push(pattern);
  }
  if (f.targetType) (where.push('target_type = ?'), args.push(f.targetType));
  if (f.targetId) (where.push('target_id = ?'), args.push(f.targetId));
  if (f.from) (where.push('at >= ?'), args.push(f.from));
  if (f.to) (where.push('at < ?'), args.push(f.to));
  if (f.scope) {
    const s = actorInScope('actor', f.scope);
    (where.push(s.sql), args.push(...s.args));
  }
  const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`;
  args.push(limit, offset);
  return (db.prepare(sql).all(...args) as Record<string, unknown>[]).map((r) => ({
    id: r.id as number,
    at: r.at as string,
    actor: r.actor as string,
    action: r.action as string,
    targetType: r.target_type as string | null,
    targetId: r.target_id as string | null,
    details: r.details ? (JSON.parse(r.details as string) as Record<string, unknown>) : null,
    ip: r.ip as string | null,
  }));
}

/**
 * Who did any of `actions` on a target after the last `after` action on it (since the start of
 * the log when there is none), in the order they first did. The log's ids, not its clock, give
 * the order: two entries written in the same millisecond keep theirs.
 *
 * @example actorsSinceLast(db, { targetType: 'qa', targetId: 'the-bhyt', actions: ['content.save'], after: 'content.approve' })
 */
export function actorsSinceLast(
  db: Db,
  q: { targetType: string; targetId: string; actions: readonly string[]; after: string },
): string[] {
  if (q.actions.length === 0) return [];
  const rows = db
    .prepare(
      `SELECT actor, MIN(id) AS first FROM audit
        WHERE target_type = ? AND target_id = ? AND action IN (${q.actions.map(() => '?').join(',')})
          AND id > COALESCE((SELECT MAX(id) FROM audit WHERE target_type = ? AND target_id = ? AND action = ?), 0)
        GROUP BY actor ORDER BY first`,
    )
    .all(q.targetType, q.targetId, ...q.actions, q.targetType, q.targetId, q.after) as { actor: string }[];
  return rows.map((r) => r.actor);
}
