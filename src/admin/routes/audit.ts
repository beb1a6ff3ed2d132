/** The audit log: who did what and when, filterable by person, action, target and dates. */
import { z } from 'zod';
import type { RegisterRoutes } from '../context.js';
import { listAudit } from '../../db/audit.js';
import { parseVietnamTime } from '../../time/vietnam.js';
import { auditActionLabel, auditDetailLines, auditTargetLabel } from '../audit-labels.js';

const PAGE = 100;
const filters = z.object({
  actor: z.string().trim().max(64).default(''),
  action: z.string().trim().max(64).default(''),
  targetType: z.string().trim().max(32).default(''),
  targetId: z.string().trim().max(64).default(''),
  from: z.string().regex(/^(\d{4}-\d{2}-\d{2})?$/).default(''),
  to: z.string().regex(/^(\d{4}-\d{2}-\d{2})?$/).default(''),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});

/** A date (YYYY-MM-DD, Vietnam time) as the instant its day starts; undefined (no filter) when it is no date. */
function dayStart(d: string, plusDays = 0): string | undefined {
  const start = parseVietnamTime(d);
  return start && new Date(start.getTime() + plusDays * 86_400_000).toISOString();
}

export const registerAuditRoutes: RegisterRoutes = (s, ctx) => {
  s.get('/admin/audit', { config: { permission: 'audit.view' } }, async (req, reply) => {
    const f = filters.parse(req.query);
    const rows = listAudit(ctx.db, {
      actor: f.actor || undefined,
      action: f.action || undefined,
      targetType: f.targetType || undefined,
      targetId: f.targetId || undefined,
      from: f.from ? dayStart(f.from) : undefined,
      to: f.to ? dayStart(f.to, 1) : undefined,
      limit: PAGE + 1,
      offset: (f.page - 1) * PAGE,
      // Region-scoped staff see what staff of their region subtree did, not the whole office's log.
      scope: ctx.scopeRegions(req),
    });
    const query = new URLSearchParams(Object.entries(f).filter(([k, v]) => k !== 'page' && v !== '').map(([k, v]) => [k, String(v)])).toString();
    return ctx.render(req, reply, 'audit', {
      title: 'Nhật ký',
      rows: rows.slice(0, PAGE),
      more: rows.length > PAGE,
      f,
      query,
      // Staff read Vietnamese names; the ids stay visible, small, for the filter.
      label: { action: auditActionLabel, target: auditTargetLabel, details: auditDetailLines },
    });
  });
};
