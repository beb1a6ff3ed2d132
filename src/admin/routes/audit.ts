/** The audit log: who did what and when, filterable by person, action, target and dates. */
import { z } from 'zod';
import type { RegisterRoutes } from '../context.js';
import { listAudit } from '../../db/audit.js';
import { formatVietnamTime, parseStaffDate } from '../../time/vietnam.js';
import { auditActionLabel, auditDetailLines, auditTargetLabel } from '../audit-labels.js';

const PAGE = 100;
const filters = z.object({
  actor: z.string().trim().max(64).default(''),
  action: z.string().trim().max(64).default(''),
  targetType: z.string().trim().max(32).default(''),
  targetId: z.string().trim().max(64).default(''),
  from: z.string().trim().max(40).default(''),
  to: z.string().trim().max(40).default(''),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});

/**
 * A "Từ ngày"/"Đến ngày" filter as typed: day first (07/12/2026) as staff write it, or
 * YYYY-MM-DD as older links carry it, read by time/vietnam.ts `parseStaffDate` (Vietnam time).
 * The fields were `<input type="date">`, typed in the browser's language's order: 07/12/2026
 * on a Chrome in English searched from 12 July. A bare date covers its whole day; with a time
 * (07/12/2026 08:00) the bound is that minute. `shown` is what the field shows back.
 */
function readAuditBound(label: string, typed: string, edge: 'from' | 'to'): { at?: string; shown: string; error?: string } {
  if (!typed) return { shown: '' };
  const r = parseStaffDate(typed, 'hãy viết ngày/tháng/năm, ví dụ 07/12/2026');
  if (!r.ok) return { shown: typed, error: `${label}: ${r.error}.` };
  const timed = /\d:\d/.test(typed);
  // The end is exclusive: a whole day, or the whole minute typed.
  const at = edge === 'to' ? new Date(r.at.getTime() + (timed ? 60_000 : 86_400_000)) : r.at;
  return { at: at.toISOString(), shown: formatVietnamTime(r.at, timed ? 'dd/MM/yyyy HH:mm' : 'dd/MM/yyyy') };
}

export const registerAuditRoutes: RegisterRoutes = (s, ctx) => {
  s.get('/admin/audit', { config: { permission: 'audit.view' } }, async (req, reply) => {
    const f = filters.parse(req.query);
    const from = readAuditBound('Từ ngày', f.from, 'from');
    const to = readAuditBound('Đến ngày', f.to, 'to');
    const errors = [from.error, to.error].filter((e): e is string => !!e);
    const shown = { ...f, from: from.shown, to: to.shown };
    // A date that cannot be read lists nothing, rather than the whole log under a filter that looks applied.
    const rows = errors.length
      ? []
      : listAudit(ctx.db, {
          actor: f.actor || undefined,
          action: f.action || undefined,
          targetType: f.targetType || undefined,
          targetId: f.targetId || undefined,
          from: from.at,
          to: to.at,
          limit: PAGE + 1,
          offset: (f.page - 1) * PAGE,
          // Region-scoped staff see what staff of their region subtree did, not the whole office's log.
          scope: ctx.scopeRegions(req),
        });
    const query = new URLSearchParams(Object.entries(shown).filter(([k, v]) => k !== 'page' && v !== '').map(([k, v]) => [k, String(v)])).toString();
    if (errors.length) reply.code(400);
    return ctx.render(req, reply, 'audit', {
      title: 'Nhật ký',
      rows: rows.slice(0, PAGE),
      more: rows.length > PAGE,
      f: shown,
      errors,
      query,
      // Staff read Vietnamese names; the ids stay visible, small, for the filter.
      label: { action: auditActionLabel, target: auditTargetLabel, details: auditDetailLines },
    });
  });
};
