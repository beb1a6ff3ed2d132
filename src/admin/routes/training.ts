/**
 * Officials' training in the admin pages (issue 17, item 2): coverage per target group and unit
 * against the plan's target, the officials not yet trained, importing the list (the CSV of
 * `loa training import`, pasted), inviting officials to a training and reminding the untrained.
 *
 * Region scope applies everywhere: a commune account sees, imports, invites and reminds only
 * officials of its region subtree (officials of no region are province-wide). Every change is
 * audited: `training.import`, `training.invite`, `training.remind`, `training.remove`.
 */
import { z } from 'zod';
import { recordInPerson } from '../../training/in-person.js';
import { removeFromList } from '../../training/remove.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RegisterRoutes } from '../context.js';
import { coverageTotals, getOfficial, importOfficials, listOfficials, officialByAccount, removedOfficials, removeOfficial, trainingAttemptsOf, trainingCoverage, type Official } from '../../db/training.js';
import { flattenRegions } from '../../knowledge/content.js';
import { createTrainingRegistry, trainingProblems, type TrainingRegistry } from '../../training/definition.js';
import { importSummary, leftOfficials, leftOfficialsWarning, readImportDate, readOfficialsCsv, sameOfficialElsewhere, sameOfficialWarning, sameUnitSpelling, sameUnitSpellingNote } from '../../training/import.js';
import { formatVietnamTime } from '../../time/vietnam.js';
import { inviteOfficials } from '../../training/invite.js';
import { trainingsFor } from '../../training/feature.js';
import { formatShare } from '../../training/format.js';
import type { QuizFeature } from '../../quiz/feature.js';
import { createContestRegistry } from '../../quiz/definition.js';

const PAGE = 200;

const listQuery = z.object({
  nhom: z.string().max(60).optional().catch(undefined),
  chua: z.enum(['1']).optional().catch(undefined),
  trang: z.coerce.number().int().min(1).max(100_000).catch(1),
});

const importBody = z.object({ csv: z.string().max(250_000).default(''), back: z.literal('1').optional().catch(undefined), date: z.string().max(40).default('') });

const sendBody = z.object({
  training: z.string().trim().min(1).max(60),
  group: z.string().trim().max(60).default(''),
});

/** Registers the training pages and actions. */

const removeBody = z.object({ date: z.string().max(40).default('') });

const inPersonBody = z.object({ _csrf: z.string().optional(), date: z.string().max(40).default(''), note: z.string().max(2000).default('') });
export const registerTrainingRoutes: RegisterRoutes = (s, ctx) => {
  const registry: TrainingRegistry = createTrainingRegistry(ctx.config.contentDir);
  // The quiz engine's contests, for the number of questions an invitation announces.
  const quiz = ctx.conversation.features.find((f): f is QuizFeature => f.name === 'quiz') ?? {
    registry: createContestRegistry(ctx.config.contentDir),
    startFor: () => ({ replies: [] }),
    onFinish: () => {},
  };
  const regionName = (slug: string | null): string => (slug ? (ctx.knowledge.regionInfo(slug)?.name ?? slug) : '');
  const groupName = (id: string): string => registry.group(id)?.name ?? id;

  /** The officials a request may reach: in scope, of the group if given. */
  const officialsFor = (req: FastifyRequest, opts: { groupId?: string; untrained?: boolean }): Official[] =>
    listOfficials(ctx.db, { scope: ctx.scopeRegions(req), ...(opts.groupId ? { groupId: opts.groupId } : {}), untrained: opts.untrained });

  const back = (msg: string): string => `/admin/training?msg=${encodeURIComponent(msg)}`;

  s.get('/admin/training', { config: { permission: 'training.view' } }, async (req, reply) => {
    const coverage = trainingCoverage(ctx.db, registry.groups(), { scope: ctx.scopeRegions(req) });
    return ctx.render(req, reply, 'training', {
      title: 'Tập huấn cán bộ',
      coverage,
      totals: coverageTotals(ctx.db, { scope: ctx.scopeRegions(req) }),
      errors: registry.errors(),
      problems: trainingProblems(registry.trainings(), { articleStatus: (id) => ctx.knowledge.getArticle(id)?.status, contest: (id) => quiz.registry.get(id) }, ctx.now()),
      trainings: registry.trainings().filter((t) => t.status === 'approved'),
      groups: registry.groups(),
      share: formatShare,
      myRegion: ctx.me(req).region ? regionName(ctx.me(req).region) : null,
    });
  });

  s.get('/admin/training/officials', { config: { permission: 'training.view' } }, async (req, reply) => {
    const q = listQuery.parse(req.query);
    const rows = listOfficials(ctx.db, {
      scope: ctx.scopeRegions(req),
      ...(q.nhom ? { groupId: q.nhom } : {}),
      untrained: q.chua === '1',
      limit: PAGE + 1,
      offset: (q.trang - 1) * PAGE,
    });
    return ctx.render(req, reply, 'training-officials', {
      title: q.chua ? 'Cán bộ chưa tập huấn' : 'Danh sách cán bộ tập huấn',
      rows: rows.slice(0, PAGE),
      more: rows.length > PAGE,
      q,
      groups: registry.groups(),
      groupName,
      regionName,
      tries: (o: Official) => triesText(o),
    });
  });

  /**
   * How an untrained official's tests went, for the list: '' before any test, "đã làm 2 lần",
   * or "đã làm 3 lần, hết lượt" when no training open to them has a try left (a reminder would
   * not help them: `inviteOfficials` skips them).
   */
  const triesText = (o: Official): string => {
    if (o.trainedAt) return '';
    const open = trainingsFor(registry, o);
    const used = open.map((t) => ({ t, n: trainingAttemptsOf(ctx.db, o.id, t.id).length }));
    const n = used.reduce((a, u) => a + u.n, 0);
    if (n === 0) return '';
    const exhausted = used.length > 0 && used.every((u) => u.t.attempts && u.n >= u.t.attempts);
    return `đã làm ${n} lần${exhausted ? ', hết lượt làm bài' : ''}`;
  };

  s.get('/admin/training/import', { config: { permission: 'training.manage' } }, async (req, reply) =>
    ctx.render(req, reply, 'training-import', { title: 'Nhập danh sách cán bộ', problems: [], csv: '', date: '', back: false, groups: registry.groups() }),
  );

  s.post('/admin/training/import', { config: { permission: 'training.manage' } }, async (req, reply) => {
    const body = importBody.parse(req.body);
    const known = { groups: new Map(registry.groups().map((g) => [g.id, g.name])), regions: flattenRegions(ctx.knowledge.state.regions) };
    const { rows, lines, problems } = readOfficialsCsv(body.csv, known);
    // A move staff learn of late counts from the day it happened (as `loa training import --date`).
    const date = readImportDate(body.date, ctx.now(), { field: 'Áp dụng từ ngày', blank: 'để trống ô này' });
    if (!date.ok) problems.unshift(date.error);
    // A commune account imports its own officials only: every row must be of its region subtree.
    if (problems.length === 0 && ctx.me(req).region) {
      rows.forEach((r, i) => {
        if (!ctx.inScope(req, r.region))
          problems.push(`dòng ${lines[i]}: region: tài khoản của bạn chỉ nhập được cán bộ thuộc địa bàn ${regionName(ctx.me(req).region)}`);
      });
      // The import finds officials by their account and rewrites the row it finds: a row naming
      // another region's official (on the list or taken off it) would move them into this one.
      if (problems.length === 0) {
        const removed = new Map(removedOfficials(ctx.db).map((o) => [`${o.channel}\u0000${o.externalId}`, o]));
        rows.forEach((r, i) => {
          const o = officialByAccount(ctx.db, r.channel, r.externalId) ?? removed.get(`${r.channel}\u0000${r.externalId}`);
          if (o && !ctx.inScope(req, o.region))
            problems.push(`dòng ${lines[i]}: external_id: tài khoản ${r.externalId} là của một cán bộ thuộc địa bàn khác; chỉ tài khoản cấp tỉnh chuyển được cán bộ giữa các địa bàn`);
        });
      }
    }
    if (problems.length || rows.length === 0)
      return ctx.render(req, reply.code(400), 'training-import', { title: 'Nhập danh sách cán bộ', problems, csv: body.csv, date: body.date, back: body.back === '1', groups: registry.groups() });
    const day = (iso: string): string => formatVietnamTime(new Date(iso), 'dd/MM/yyyy');
    // Officials staff took off the list stay off unless the box says they are back.
    const kept = leftOfficials(rows, lines, removedOfficials(ctx.db, ctx.scopeRegions(req)), body.back === '1');
    // Units spelt as the whole list spells them (a commune account's rows meet the province's).
    const units = sameUnitSpelling(kept.rows, kept.lines, listOfficials(ctx.db));
    // Officials the file gives under a new account (an office fixing who wrote from another
    // account): the old row stays on the list and would count them twice; staff are told.
    const same = sameOfficialElsewhere(units.rows, kept.lines, officialsFor(req, {}));
    const res = importOfficials(ctx.db, units.rows, ctx.now(), date.ok ? date.from : ctx.now());
    const since = date.ok ? date.since : undefined;
    ctx.audit(req, {
      action: 'training.import',
      targetType: 'training',
      details: { rows: kept.rows.length, ...res, left: kept.left.length, broughtBack: kept.broughtBack, ...(since ? { from: since } : {}) },
    });
    const SHOWN = 5;
    const warn =
      (units.rewritten.length ? ` ${sameUnitSpellingNote(units.rewritten)}` : '') +
      (kept.left.length ? ` Lưu ý: ${leftOfficialsWarning(kept.left, 'admin', day)}` : '') +
      (same.length
        ? ` Lưu ý: ${same.length} cán bộ trong tệp đã có trong danh sách với tài khoản khác: ${same
            .slice(0, SHOWN)
            .map((x) => sameOfficialWarning(x, 'admin', day))
            .join(' ')}${same.length > SHOWN ? ` Và ${same.length - SHOWN} cán bộ khác: tìm theo họ tên trong danh sách cán bộ.` : ''}`
        : '');
    const done = importSummary(res, kept.broughtBack, since);
    return reply.redirect(back(`${done}${warn}`), 303);
  });

  /** Invitation (`invite`) or reminder (`reminder`) to the officials of the scope and group. */
  const send = (kind: 'invite' | 'reminder') => async (req: FastifyRequest, reply: FastifyReply) => {
    const body = sendBody.parse(req.body);
    const t = registry.training(body.training);
    if (!t || t.status !== 'approved') return reply.redirect(back('Không có khoá tập huấn này (xem content/training.yaml).'), 303);
    if (body.group && !registry.group(body.group)) return reply.redirect(back('Không có nhóm đối tượng này.'), 303);
    // Officials of groups the training is for, in scope, not yet trained.
    const targets = officialsFor(req, { groupId: body.group || undefined, untrained: true }).filter((o) => trainingsFor(registry, o).some((x) => x.id === t.id));
    const res = inviteOfficials({ db: ctx.db, sender: ctx.sender, quiz }, t, targets, { kind, actor: ctx.me(req).username, ip: req.ip, now: ctx.now() });
    const what = kind === 'invite' ? 'lời mời' : 'tin nhắc';
    const msg =
      `Đã gửi ${what} tới ${res.queued} cán bộ chưa tập huấn${res.skipped ? `; ${res.skipped} người không nhận được vì đã chặn trợ lý hoặc chưa từng mở trợ lý (lần gửi trước bị từ chối)` : ''}.` +
      (res.outOfTries
        ? ` Không gửi cho ${res.outOfTries} cán bộ đã làm bài đủ ${t.attempts} lần mà chưa đạt: họ không còn lượt làm bài; muốn cho làm lại, người quản trị kỹ thuật tăng số lần được làm bài (attempts) của khoá trong content/training.yaml (áp dụng cho mọi cán bộ).`
        : '');
    return reply.redirect(back(msg), 303);
  };
  s.post('/admin/training/invite', { config: { permission: 'training.manage' } }, send('invite'));
  s.post('/admin/training/remind', { config: { permission: 'training.manage' } }, send('reminder'));

  // Trained in person (a conference, a class): counted as a passed test is (training/in-person.ts).
  s.post('/admin/training/officials/:id/trained', { config: { permission: 'training.manage' } }, async (req, reply) => {
    const id = z.coerce.number().int().positive().catch(0).parse((req.params as { id?: string }).id);
    const o = id ? getOfficial(ctx.db, id) : undefined;
    if (!o || o.removedAt || !ctx.inScope(req, o.region)) throw Object.assign(new Error('Không tìm thấy cán bộ này.'), { statusCode: 404 });
    const body = inPersonBody.parse(req.body);
    const r = recordInPerson(ctx.db, o, body.date, body.note, ctx.now());
    if (r.ok && r.changed)
      ctx.audit(req, { action: 'training.in_person', targetType: 'training_official', targetId: o.id, details: { group: o.groupId, unit: o.unit, date: r.day, note: r.note } });
    return reply.redirect(`/admin/training/officials?msg=${encodeURIComponent(r.ok ? r.message : r.error)}`, 303);
  });

  s.post('/admin/training/officials/:id/remove', { config: { permission: 'training.manage' } }, async (req, reply) => {
    const id = z.coerce.number().int().positive().catch(0).parse((req.params as { id?: string }).id);
    const o = id ? getOfficial(ctx.db, id) : undefined;
    if (!o || o.removedAt || !ctx.inScope(req, o.region)) throw Object.assign(new Error('Không tìm thấy cán bộ này.'), { statusCode: 404 });
    // From now, or from the day they left when staff learn of it late (as `loa training remove --date`).
    const body = removeBody.parse(req.body ?? {});
    const r = removeFromList(ctx.db, o, body.date, ctx.now(), 'Ngày chuyển công tác');
    if (!r.ok) return reply.redirect(`/admin/training/officials?msg=${encodeURIComponent(r.error)}`, 303);
    ctx.audit(req, { action: 'training.remove', targetType: 'training_official', targetId: o.id, details: { group: o.groupId, unit: o.unit, leftAt: r.leftAt.toISOString() } });
    return reply.redirect(`/admin/training/officials?chua=1&msg=${encodeURIComponent(r.message)}`, 303);
  });
};

